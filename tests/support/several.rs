//! Several managers in one invocation against the same managers written
//! as nested blocks: both shapes of a case are run, each on its own log,
//! and must end alike (tests/macro_behaviour/equivalence_several_*.rs).
//! Each case is written once (`one_and_nested!`); the test binaries that
//! declare none leave its macros unused.
#![allow(unused_imports, unused_macros)]

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

/// `async_with!(a => x, b => y { body })` written as nested blocks,
/// `async_with!(a => x { async_with!(b => y { body }) })`, built whole
/// before any `async_with!` runs (an unexpanded macro call in a body would
/// hide its `return`s from the block around it). Managers are split at the
/// top-level commas, then folded from the innermost out.
macro_rules! as_nested {
    (@split [$($specs:tt)*] [$($spec:tt)*] $body:tt) => {
        $crate::support::several::as_nested!(@fold $body [$($spec)*] $($specs)*)
    };
    (@split [$($specs:tt)*] [$($spec:tt)*] , $($rest:tt)+) => {
        $crate::support::several::as_nested!(@split [[$($spec)*] $($specs)*] [] $($rest)+)
    };
    (@split [$($specs:tt)*] [$($spec:tt)*] $token:tt $($rest:tt)+) => {
        $crate::support::several::as_nested!(@split [$($specs)*] [$($spec)* $token] $($rest)+)
    };
    (@fold $body:tt) => { $body };
    (@fold $body:tt [$($spec:tt)*] $($outer:tt)*) => {
        $crate::support::several::as_nested!(@fold { ::async_with::async_with!($($spec)* $body) } $($outer)*)
    };
    ($($invocation:tt)+) => {
        $crate::support::several::as_nested!(@split [] [] $($invocation)+)
    };
}
pub(crate) use as_nested;

/// Declares a case once and gets both shapes: `async fn name(args) -> Ret
/// { body }` becomes module `name` with `one` (the body as written) and
/// `nested` (each `async_with!` in it written as nested blocks, through
/// [`as_nested!`]), so the two cannot drift.
macro_rules! one_and_nested {
    ($(
        $(#[$meta:meta])*
        async fn $name:ident ($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    )*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            pub(super) async fn one($($arg: $ty),*) $(-> $ret)? {
                use ::async_with::async_with;
                $body
            }
            pub(super) async fn nested($($arg: $ty),*) $(-> $ret)? {
                use $crate::support::several::as_nested as async_with;
                $body
            }
        }
    )*};
}
pub(crate) use one_and_nested;
