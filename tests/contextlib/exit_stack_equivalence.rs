//! An `ExitStack` ends exactly like the same managers nested in one
//! `async_with!`: same events (enter, what each exit is told, cancel), same
//! result, same panic. Every combination of body ending and manager fault
//! over three managers is run both ways and compared.
use crate::support;

use async_with::{AnyError, ExitStack, async_with};
use support::*;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone, Copy, Debug)]
enum Body {
    Completes,
    Fails,
    Panics,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    EnterFails,
    ExitFails,
    ExitPanics,
}

fn manager(log: &Log, name: &'static str, fault: Fault) -> Fallible {
    let mut manager = log.fallible(name);
    match fault {
        Fault::None => {}
        Fault::EnterFails => manager.fail_enter = true,
        Fault::ExitFails => manager.fail_exit = true,
        Fault::ExitPanics => manager.inner.panic_in_exit = true,
    }
    manager
}

fn body(log: &Log, body: Body) -> Result<(), BoxError> {
    log.push("body");
    match body {
        Body::Completes => Ok(()),
        Body::Fails => Err("body failed".into()),
        Body::Panics => panic!("body panicked"),
    }
}

async fn nested(log: &Log, faults: [Fault; 3], end: Body) -> Result<(), BoxError> {
    async_with!(
        manager(log, "a", faults[0])? => _a,
        manager(log, "b", faults[1])? => _b,
        manager(log, "c", faults[2])? => _c {
        body(log, end)?;
    });
    Ok(())
}

async fn stacked(log: &Log, faults: [Fault; 3], end: Body) -> Result<(), BoxError> {
    async_with!(ExitStack::<AnyError>::new()? => stack {
        stack.enter(manager(log, "a", faults[0])).await?;
        stack.enter(manager(log, "b", faults[1])).await?;
        stack.enter(manager(log, "c", faults[2])).await?;
        body(log, end)?;
    });
    Ok(())
}

/// How a run ended, as text: its error's `Display` or its panic message.
async fn ending(run: impl Future<Output = Result<(), BoxError>>) -> String {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(run).catch_unwind().await {
        Ok(Ok(())) => "ok".into(),
        Ok(Err(error)) => format!("error: {error}"),
        Err(payload) => match payload.downcast::<String>() {
            Ok(message) => format!("panic: {message}"),
            Err(payload) => format!("panic: {}", payload.downcast_ref::<&str>().unwrap()),
        },
    }
}

#[tokio::test]
async fn a_stack_ends_like_the_same_managers_nested() {
    let faults = [
        Fault::None,
        Fault::EnterFails,
        Fault::ExitFails,
        Fault::ExitPanics,
    ];
    let mut compared = 0;
    let mut differing_outcomes = 0;
    for &a in &faults {
        for &b in &faults {
            for &c in &faults {
                for end in [Body::Completes, Body::Fails, Body::Panics] {
                    let plan = [a, b, c];
                    let (nested_log, stacked_log) = (Log::new(), Log::new());
                    let nested_end = ending(nested(&nested_log, plan, end)).await;
                    let stacked_end = ending(stacked(&stacked_log, plan, end)).await;
                    let context = format!("faults {plan:?}, body {end:?}");
                    assert_eq!(nested_log.events(), stacked_log.events(), "{context}");
                    assert_eq!(nested_end, stacked_end, "{context}");
                    compared += 1;
                    // The comparison has teeth only if exits are told
                    // something other than the body's ending somewhere.
                    differing_outcomes += usize::from(
                        nested_log
                            .events()
                            .iter()
                            .any(|event| event.contains("failed(ManagerError(\"exit")),
                    );
                }
            }
        }
    }
    assert_eq!(compared, 4 * 4 * 4 * 3);
    assert!(differing_outcomes > 10, "{differing_outcomes}");
}

/// The error an exit is told is the error itself, not only its text: an
/// earlier-entered manager can act on its type.
#[tokio::test]
async fn an_exit_told_a_later_exit_error_can_downcast_it() {
    use async_with::{AsyncContextManager, Outcome};

    struct Inspector(Log);
    impl AsyncContextManager for Inspector {
        type Target<'a> = ();
        type Error = std::convert::Infallible;
        async fn enter(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
        async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
            let Outcome::Failed(failure) = outcome else {
                self.0.push("not told a failure");
                return Ok(());
            };
            match failure.downcast_ref::<ManagerError>() {
                Some(ManagerError(text)) => self.0.push(format!("downcast: {text}")),
                None => self.0.push("no ManagerError"),
            }
            let source_text = failure.as_error().map(ToString::to_string);
            self.0.push(format!("as_error: {source_text:?}"));
            Ok(())
        }
        fn cancel(&mut self) {}
    }
    async_with::impl_send_manager!(Inspector);

    let log = Log::new();
    let mut stack = ExitStack::<AnyError>::new();
    stack.enter(Inspector(log.clone())).await.unwrap();
    stack.enter(log.fallible("b").failing_exit()).await.unwrap();
    let error = stack.close().await.unwrap_err();
    assert_eq!(error.to_string(), "exit b failed");
    assert_eq!(
        log.events(),
        [
            "enter b",
            "exit b completed",
            "exited b",
            "downcast: exit b failed",
            "as_error: Some(\"exit b failed\")"
        ]
    );
}
