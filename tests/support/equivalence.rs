//! The compile-equivalence harness: each case is one list entry, compiled
#![allow(unused_imports, unused_macros)]
//! twice from the same tokens, once with `async_with!` meaning a plain block
//! (`inline`) and once meaning the real macro (`wrapped`), and run with the
//! same arguments; both must give the same result (value, or panic message)
//! and the wrapped one must exit its manager once per enter.

use std::cell::Cell;
use std::convert::Infallible;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use async_with::{AsyncContextManager, Outcome};

/// `async_with!(managers { body })` as the plain block `{ body }`: the
/// inline twin of a case. Drops every token before the body.
macro_rules! plain_block {
    ({ $($body:tt)* }) => { { $($body)* } };
    ($first:tt $($rest:tt)+) => { $crate::support::equivalence::plain_block!($($rest)+) };
}
pub(crate) use plain_block;

/// Declares cases: `fn name(args) -> Ret { body } for [(args), ...];`,
/// each run with every argument tuple.
macro_rules! equivalent {
    ($(
        fn $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty $body:block
        for [$(($($val:expr),* $(,)?)),+ $(,)?];
    )*) => {
        #[allow(unused_labels, unreachable_code, unused_variables, unused_mut, unused_braces, clippy::all)]
        mod inline {
            use super::*;
            use $crate::support::equivalence::plain_block as async_with;
            $( pub(super) async fn $name($($arg: $ty),*) -> $ret $body )*
        }
        #[allow(unused_labels, unreachable_code, unused_variables, unused_mut, unused_braces, clippy::all)]
        mod wrapped {
            use super::*;
            use async_with::async_with;
            $( pub(super) async fn $name($($arg: $ty),*) -> $ret $body )*
        }
        $(
            #[test]
            fn $name() {
                $(
                    let inline = $crate::support::equivalence::run(inline::$name($($val),*));
                    let wrapped = $crate::support::equivalence::run_counted(wrapped::$name($($val),*));
                    assert_eq!(inline, wrapped, "{} with {:?}", stringify!($name), stringify!(($($val),*)));
                )+
            }
        )*
    };
}
pub(crate) use equivalent;

thread_local! {
    static ENTERED: Cell<usize> = const { Cell::new(0) };
    static EXITED: Cell<usize> = const { Cell::new(0) };
}

/// The corpus's manager: counts its enters and exits on this thread.
#[derive(Debug)]
pub struct Counted;

/// A fresh [`Counted`] manager.
pub fn m() -> Counted {
    Counted
}

impl AsyncContextManager for Counted {
    type Target<'a> = ();
    type Error = Infallible;

    async fn enter(&mut self) -> Result<(), Infallible> {
        ENTERED.with(|n| n.set(n.get() + 1));
        Ok(())
    }

    async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), Infallible> {
        EXITED.with(|n| n.set(n.get() + 1));
        Ok(())
    }

    fn cancel(&mut self) {
        panic!("the corpus never cancels a block");
    }
}

/// Runs a case to its result's `Debug` form, or its panic's message.
pub fn run<T: std::fmt::Debug>(case: impl Future<Output = T>) -> String {
    match catch_unwind(AssertUnwindSafe(|| futures::executor::block_on(case))) {
        Ok(value) => format!("{value:?}"),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            format!("panicked: {message}")
        }
    }
}

/// [`run`], checking that every manager entered was exited once.
pub fn run_counted<T: std::fmt::Debug>(case: impl Future<Output = T>) -> String {
    // The case's future does nothing until polled, so counting starts here.
    ENTERED.with(|n| n.set(0));
    EXITED.with(|n| n.set(0));
    let result = run(case);
    let (entered, exited) = (ENTERED.with(Cell::get), EXITED.with(Cell::get));
    assert!(entered > 0, "the wrapped case entered no manager");
    assert_eq!(entered, exited, "managers entered and exited");
    result
}

/// An error type for the cases' `Box<dyn Error>` coercions.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}

impl std::error::Error for Refused {}

impl From<Refused> for String {
    fn from(_: Refused) -> String {
        "refused".to_owned()
    }
}

/// A value whose type only the context gives.
pub fn zero<T: Default>() -> T {
    T::default()
}

/// A function that never returns.
pub fn never(message: &str) -> ! {
    panic!("{message}")
}

/// A value produced by awaiting, for bodies that `.await`.
pub async fn ready<T>(value: T) -> T {
    value
}

/// Calls an `fn` pointer: the cases return what the pointer computes.
pub fn apply(f: fn(u8) -> u8, x: u8) -> u8 {
    f(x)
}
