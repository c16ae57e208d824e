//! Several managers in one invocation against the same managers written
//! as nested blocks: both shapes of a case are run, each on its own log,
//! and must end alike (tests/macro_behaviour/equivalence_several_*.rs).

use std::future::Future;

use super::Log;

/// How a run ended, in a form both shapes can be compared by.
pub async fn ending<T: std::fmt::Debug>(future: impl Future<Output = T>) -> String {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(future).catch_unwind().await {
        Ok(value) => format!("value {value:?}"),
        Err(payload) => match (
            payload.downcast_ref::<&str>(),
            payload.downcast_ref::<String>(),
            payload.downcast_ref::<u32>(),
        ) {
            (Some(text), _, _) => format!("panic {text}"),
            (_, Some(text), _) => format!("panic {text}"),
            (_, _, Some(number)) => format!("panic u32 {number}"),
            _ => "panic of another type".to_owned(),
        },
    }
}

/// Runs both shapes of a case, each on its own log, and returns the one
/// invocation's (events, ending) after checking the nested blocks agree.
/// An ending is `value {:?}` or `panic {message}` (`panic u32 {n}` for a
/// `panic_any(n)`).
pub async fn same<F1, F2, T>(
    one: impl FnOnce(Log) -> F1,
    nested: impl FnOnce(Log) -> F2,
) -> (Vec<String>, String)
where
    F1: Future<Output = T>,
    F2: Future<Output = T>,
    T: std::fmt::Debug,
{
    let (one_log, nested_log) = (Log::new(), Log::new());
    let one_ending = ending(one(one_log.clone())).await;
    let nested_ending = ending(nested(nested_log.clone())).await;
    let one_run = (one_log.events(), one_ending);
    assert_eq!(
        one_run,
        (nested_log.events(), nested_ending),
        "one invocation against nested blocks"
    );
    one_run
}

pub fn strings(events: &[&str]) -> Vec<String> {
    events.iter().map(|event| (*event).to_owned()).collect()
}
