//! `with` and `try_with`: the function API keeps the macro's guarantees.
use crate::support;

use async_with::{try_with, with};
use support::*;

#[test]
fn with_returns_the_body_value_and_exits_completed() {
    on_both_runtimes(|log| async move {
        let value = with(log.owned("a"), async |name| {
            log.push(format!("body {name}"));
            5
        })
        .await;
        assert_eq!(value, Ok(5));
        assert_eq!(
            log.events(),
            ["enter a", "body a", "exit a completed", "exited a"]
        );
    });
}

#[test]
fn with_tells_exit_completed_even_for_an_err_value() {
    // A generic `T` cannot be told apart from a `Result`: that is what
    // `try_with` is for.
    on_both_runtimes(|log| async move {
        let value = with(log.owned("a"), async |_| Err::<(), _>("nope")).await;
        assert_eq!(value, Ok(Err("nope")));
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

#[test]
fn with_body_borrows_locals_of_the_caller() {
    on_both_runtimes(|log| async move {
        let mut total = 1;
        let local = String::from("local");
        let value = with(log.owned("a"), async |name| {
            total += 1;
            format!("{name} {local}")
        })
        .await;
        assert_eq!(value.as_deref(), Ok("a local"));
        assert_eq!(total, 2);
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

#[test]
fn try_with_tells_exit_the_body_error() {
    on_both_runtimes(|log| async move {
        let result: Result<(), ManagerError> = try_with(log.owned_fallible("a"), async |_| {
            Err(ManagerError("boom".into()))
        })
        .await;
        assert_eq!(result, Err(ManagerError("boom".into())));
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a failed(ManagerError(\"boom\"))",
                "exited a"
            ]
        );
    });
}

#[test]
fn try_with_body_question_mark_converts_and_fails() {
    // An infallible manager's `Infallible` converts into error types that
    // implement `From<Infallible>`, such as boxed errors and `anyhow::Error`.
    on_both_runtimes(|log| async move {
        let result: Result<u32, async_with::AnyError> = try_with(log.owned("a"), async |_| {
            let n: u32 = "x1".parse()?;
            Ok(n)
        })
        .await;
        assert_eq!(
            result.unwrap_err().to_string(),
            "invalid digit found in string"
        );
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a failed(ParseIntError { kind: InvalidDigit })",
                "exited a"
            ]
        );
    });
}

#[test]
fn enter_error_is_returned_and_nothing_else_runs() {
    on_both_runtimes(|log| async move {
        let body_log = log.clone();
        let result = with(Owned(log.fallible("a").failing_enter()), async |_| {
            body_log.push("body");
        })
        .await;
        assert_eq!(result, Err(ManagerError("enter a failed".into())));
        assert_eq!(log.events(), ["enter a failed"]);
    });
}

#[test]
fn exit_error_replaces_the_body_value() {
    on_both_runtimes(|log| async move {
        let result = with(Owned(log.fallible("a").failing_exit()), async |_| 5).await;
        assert_eq!(result, Err(ManagerError("exit a failed".into())));
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

#[test]
fn try_with_exit_error_replaces_the_body_error() {
    on_both_runtimes(|log| async move {
        let result: Result<(), ManagerError> =
            try_with(Owned(log.fallible("a").failing_exit()), async |_| {
                Err(ManagerError("body".into()))
            })
            .await;
        assert_eq!(result, Err(ManagerError("exit a failed".into())));
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a failed(ManagerError(\"body\"))",
                "exited a"
            ]
        );
    });
}

#[test]
fn a_panic_is_told_to_exit_then_resumes() {
    on_both_runtimes(|log| async move {
        let message = panic_message(with(log.owned("a"), async |_| -> () {
            panic!("boom");
        }))
        .await;
        assert_eq!(message, "boom");
        assert_eq!(
            log.events(),
            ["enter a", "exit a panicked(boom)", "exited a"]
        );
    });
}

#[test]
fn try_with_a_panic_is_told_to_exit_then_resumes() {
    on_both_runtimes(|log| async move {
        let message = panic_message(try_with(
            log.owned_fallible("a"),
            async |_| -> Result<(), ManagerError> {
                panic!("boom");
            },
        ))
        .await;
        assert_eq!(message, "boom");
        assert_eq!(
            log.events(),
            ["enter a", "exit a panicked(boom)", "exited a"]
        );
    });
}

#[test]
fn cancellation_in_the_body_runs_cancel_once() {
    on_both_runtimes(|log| async move {
        cancel_at_first_pending(with(log.owned("a"), async |_| {
            std::future::pending::<()>().await;
        }))
        .await;
        assert_eq!(log.events(), ["enter a", "cancel a"]);
    });
}

#[test]
fn cancellation_during_exit_runs_cancel_instead() {
    on_both_runtimes(|log| async move {
        let slow = Owned(
            log.manager("a")
                .slow_exit(std::time::Duration::from_secs(60)),
        );
        cancel_at_first_pending(with(slow, async |_| ())).await;
        assert_eq!(log.events(), ["enter a", "exit a completed", "cancel a"]);
    });
}

#[test]
fn a_panic_in_exit_propagates_and_cancel_runs() {
    // Exit did not complete, so the exactly-once rule picks `cancel`.
    on_both_runtimes(|log| async move {
        let message =
            panic_message(with(Owned(log.manager("a").panicking_exit()), async |_| ())).await;
        assert_eq!(message, "exit of a panicked");
        assert_eq!(log.events(), ["enter a", "exit a completed", "cancel a"]);
    });
}
