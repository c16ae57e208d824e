//! `ExitStack`: run-time managers and callbacks, exited last in first out.
use crate::support;

use async_with::{AnyError, ExitStack, async_with};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
use support::*;

fn callback(
    log: &Log,
    name: &'static str,
) -> (
    impl Future<Output = Result<(), AnyError>> + Send + 'static,
    impl FnOnce() + Send + 'static,
) {
    let (on_exit, on_cancel) = (log.clone(), log.clone());
    (
        async move {
            on_exit.push(format!("callback {name}"));
            Ok(())
        },
        move || on_cancel.push(format!("cancel callback {name}")),
    )
}

#[test]
fn close_exits_everything_in_reverse_order() {
    on_both_runtimes(|log| async move {
        let mut stack = ExitStack::new();
        stack.enter(log.manager("a")).await.unwrap();
        let (cleanup, cancel) = callback(&log, "b");
        stack.push_callback(cleanup, cancel);
        let name = stack
            .enter_map(log.manager("c"), |name| name)
            .await
            .unwrap();
        assert_eq!((name, stack.len()), ("c", 3));
        stack.close().await.unwrap();
        assert!(stack.is_empty());
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter c",
                "exit c completed",
                "exited c",
                "callback b",
                "exit a completed",
                "exited a"
            ]
        );
    });
}

#[test]
fn a_failing_exit_does_not_stop_the_others_and_the_error_raised_last_wins() {
    on_both_runtimes(|log| async move {
        let mut stack = ExitStack::<AnyError>::new();
        stack.enter(log.fallible("a").failing_exit()).await.unwrap();
        stack.enter(log.fallible("b").failing_exit()).await.unwrap();
        stack.enter(log.manager("c")).await.unwrap();
        let error = stack.close().await.unwrap_err();
        assert_eq!(error.to_string(), "exit a failed");
        assert_eq!(error.len(), 2);
        let all: Vec<String> = error.errors().iter().map(ToString::to_string).collect();
        assert_eq!(all, ["exit b failed", "exit a failed"]);
        assert_eq!(
            std::error::Error::source(&error).map(ToString::to_string),
            Some("exit b failed".to_owned()),
            "the error raised before is the source"
        );
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "enter c",
                "exit c completed",
                "exited c",
                "exit b completed",
                "exited b",
                // Told what b's exit raised, as a nested block would be.
                "exit a failed(ManagerError(\"exit b failed\"))",
                "exited a"
            ]
        );
    });
}

#[test]
fn a_failed_enter_is_returned_and_not_kept() {
    on_both_runtimes(|log| async move {
        let mut stack = ExitStack::<AnyError>::new();
        stack.enter(log.manager("a")).await.unwrap();
        let error = stack
            .enter(log.fallible("b").failing_enter())
            .await
            .unwrap_err();
        assert_eq!(error, ManagerError("enter b failed".into()));
        assert_eq!(stack.len(), 1);
        stack.close().await.unwrap();
        assert_eq!(
            log.events(),
            ["enter a", "enter b failed", "exit a completed", "exited a"]
        );
    });
}

#[test]
fn dropping_the_stack_cancels_every_pending_entry_last_first() {
    on_both_runtimes(|log| async move {
        let mut stack = ExitStack::new();
        stack.enter(log.manager("a")).await.unwrap();
        let (cleanup, cancel) = callback(&log, "b");
        stack.push_callback(cleanup, cancel);
        stack.enter(log.manager("c")).await.unwrap();
        drop(stack);
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter c",
                "cancel c",
                "cancel callback b",
                "cancel a"
            ]
        );
    });
}

#[test]
fn a_cancelled_close_cancels_the_exiting_entry_at_once_and_the_rest_on_drop() {
    on_both_runtimes(|log| async move {
        let mut stack = ExitStack::<AnyError>::new();
        stack.enter(log.manager("a")).await.unwrap();
        let slow = log
            .manager("b")
            .slow_exit(std::time::Duration::from_secs(60));
        stack.enter(slow).await.unwrap();
        cancel_at_first_pending(stack.close()).await;
        assert_eq!(
            stack.len(),
            1,
            "the exiting entry was taken off and cancelled"
        );
        assert_eq!(
            log.events(),
            ["enter a", "enter b", "exit b completed", "cancel b"]
        );
        drop(stack);
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "exit b completed",
                "cancel b",
                "cancel a"
            ]
        );
    });
}

#[test]
fn pop_all_hands_the_cleanup_over() {
    on_both_runtimes(|log| async move {
        let mut setup = ExitStack::<AnyError>::new();
        setup.enter(log.manager("a")).await.unwrap();
        let mut owner = setup.pop_all();
        drop(setup);
        assert_eq!(
            log.events(),
            ["enter a"],
            "the emptied stack cancels nothing"
        );
        owner.close().await.unwrap();
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

async fn leds(log: &Log, names: &[&'static str], fail: bool) -> Result<usize, BoxError> {
    async_with!(ExitStack::<AnyError>::new()? => stack {
        for name in names {
            stack.enter(log.manager(name)).await?;
        }
        if fail {
            return Err("body failed".into());
        }
        Ok(stack.len())
    })
}

#[test]
fn the_stack_is_a_manager_and_tells_each_exit_the_outcome() {
    on_both_runtimes(|log| async move {
        assert_eq!(leds(&log, &["red", "green"], false).await.unwrap(), 2);
        let error = leds(&log, &["blue"], true).await.unwrap_err();
        assert_eq!(error.to_string(), "body failed");
        assert_eq!(
            log.events(),
            [
                "enter red",
                "enter green",
                "exit green completed",
                "exited green",
                "exit red completed",
                "exited red",
                "enter blue",
                "exit blue failed(\"body failed\")",
                "exited blue"
            ]
        );
    });
}

#[test]
fn a_cancelled_block_over_the_stack_cancels_its_entries() {
    on_both_runtimes(|log| async move {
        let block = async {
            async_with!(ExitStack::<AnyError>::new()? => stack {
                stack.enter(log.manager("a")).await?;
                stack.enter(log.manager("b")).await?;
                std::future::pending::<()>().await;
            });
            Ok::<(), BoxError>(())
        };
        cancel_at_first_pending(block).await;
        assert_eq!(log.events(), ["enter a", "enter b", "cancel b", "cancel a"]);
    });
}

#[test]
fn exit_errors_of_a_block_over_the_stack_propagate() {
    on_both_runtimes(|log| async move {
        let result: Result<(), BoxError> = async {
            async_with!(ExitStack::<AnyError>::new()? => stack {
                stack.enter(log.fallible("a").failing_exit()).await?;
                stack.enter(log.fallible("b").failing_exit()).await?;
            });
            Ok(())
        }
        .await;
        let error = result.unwrap_err();
        assert_eq!(error.to_string(), "exit a failed");
        assert_eq!(
            error.source().map(ToString::to_string),
            Some("exit b failed".to_owned())
        );
    });
}

#[test]
fn a_panicking_block_over_the_stack_tells_every_exit_then_resumes() {
    on_both_runtimes(|log| async move {
        let message = panic_message(async {
            async_with!(ExitStack::<AnyError>::new()? => stack {
                stack.enter(log.manager("a")).await?;
                stack.enter(log.manager("b")).await?;
                // Not a bare `panic!`: a diverging body does not compile
                // (macro bug, reported).
                if stack.len() == 2 {
                    panic!("boom");
                }
            });
            Ok::<(), BoxError>(())
        })
        .await;
        assert_eq!(message, "boom");
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "exit b panicked(boom)",
                "exited b",
                "exit a panicked(boom)",
                "exited a"
            ]
        );
    });
}

/// An error with a cause, for the `source()` chain.
#[derive(Debug)]
struct Wrapped(&'static str, ManagerError);

impl std::fmt::Display for Wrapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Wrapped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.1)
    }
}

#[tokio::test]
async fn the_source_chain_runs_last_error_first_then_the_first_errors_own_causes() {
    let mut stack = ExitStack::<Wrapped>::new();
    for (name, cause) in [("flush", "disk full"), ("close", "peer gone")] {
        stack.push_callback(
            async move { Err(Wrapped(name, ManagerError(cause.into()))) },
            || {},
        );
    }
    let error = stack.close().await.unwrap_err();
    let mut chain = vec![error.to_string()];
    let mut next = std::error::Error::source(&error);
    while let Some(cause) = next {
        chain.push(cause.to_string());
        next = cause.source();
    }
    // "close" exited first, "flush" last: the last raised leads.
    assert_eq!(chain, ["flush", "close", "peer gone"]);
    assert_eq!(error.error().1, ManagerError("disk full".into()));
    let all: Vec<String> = error.into_vec().iter().map(ToString::to_string).collect();
    assert_eq!(all, ["close", "flush"]);
}

#[test]
fn a_boxed_error_goes_in_through_from_boxed_and_is_told_by_its_debug_form() {
    on_both_runtimes(|log| async move {
        let mut stack = ExitStack::<AnyError>::new();
        stack.enter(log.manager("a")).await.unwrap();
        let boxed: BoxError = Box::new(ManagerError("boxed".into()));
        stack.push_callback(async move { Err(AnyError::from_boxed(boxed)) }, || {});
        let error = stack.close().await.unwrap_err();
        assert_eq!(error.to_string(), "boxed");
        assert_eq!(
            error.error().downcast_ref::<ManagerError>(),
            Some(&ManagerError("boxed".into()))
        );
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a failed(ManagerError(\"boxed\"))",
                "exited a"
            ]
        );
    });
}
