//! Runtime support for the `async_with!` expansion. Not public API.
//!
//! Everything the expansion names goes through `$crate::__private`, which
//! re-exports the items it uses from this module by name (the list is in
//! the facade's `src/lib.rs`), so the macro keeps working when re-exported,
//! renamed, or used in a crate that shadows `core`, `Result` or `Option`.
//! Every item is `#[doc(hidden)]`.

mod held;
mod hint;
#[doc(hidden)]
pub mod probe;

#[doc(hidden)]
pub use held::Held;
#[doc(hidden)]
pub use hint::{ByValue, Hint, typed};

#[doc(hidden)]
pub use core;
#[doc(hidden)]
pub use core::convert::Infallible;
#[doc(hidden)]
pub use core::ops::ControlFlow;
#[doc(hidden)]
pub use core::result::Result::{Err, Ok};

use core::option::Option::{self, None, Some};
use core::result::Result;

#[cfg(feature = "std")]
use crate::outcome::PanicPayload;

#[doc(hidden)]
pub use crate::AsyncContextManager;
#[doc(hidden)]
pub use crate::outcome::Outcome;
#[doc(hidden)]
pub use crate::unwind::{
    CatchUnwindBody, CatchUnwindNest, Caught, log_exit_error, propagate_panic,
    resume_caught as resume,
};

#[doc(hidden)]
/// Passes `enter`'s result through, arming the block's [`Held`] guard if it
/// is `Ok`. The result comes first: arguments are evaluated in order, and
/// the flag's borrow must not be taken before `enter` is awaited.
#[inline(always)]
pub fn arm<T, E>(entered: Result<T, E>, armed: &mut bool) -> Result<T, E> {
    *armed = entered.is_ok();
    entered
}

/// The residual of `?` in a body: what `expr?` leaves the block with.
///
/// `Try` is unstable, so the body's `?` is rewritten to this trait, which
/// covers what `?` is used on in async code: `Result` and `Option`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`?` inside `async_with!` works on `Result` and `Option`, not on `{Self}`",
    label = "this `?` is inside an `async_with!` body",
    note = "convert the value first, for example with `.ok_or(error)?` or `.map_err(From::from)?`"
)]
pub trait Branch {
    /// The value `expr?` evaluates to when it continues.
    type Output;
    /// What leaves the block; applying `?` to it in the enclosing function
    /// performs the conversion plain `?` would.
    type Residual;
    /// Splits `self` into continue / leave.
    fn branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

impl<T, E> Branch for Result<T, E> {
    type Output = T;
    type Residual = Result<Infallible, E>;

    #[inline]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Ok(value) => ControlFlow::Continue(value),
            Err(error) => ControlFlow::Break(Err(error)),
        }
    }
}

impl<T> Branch for Option<T> {
    type Output = T;
    type Residual = Option<Infallible>;

    #[inline]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Some(value) => ControlFlow::Continue(value),
            None => ControlFlow::Break(None),
        }
    }
}

/// Unwraps the result of a manager that was not marked with `?`: only a
/// manager whose error is `Infallible` may go unmarked.
#[inline]
fn unmarked<T, E: Unmarked>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => error.unreachable(),
    }
}

#[doc(hidden)]
/// [`unmarked`] as a method, so that the `Unmarked` error lands on the
/// receiver (the manager's span) rather than on a path the facade wrote.
pub trait UnmarkedResult<T, E> {
    /// Unwraps the result of an unmarked manager's `enter` or `exit`.
    fn __async_with_unmarked(self) -> T
    where
        E: Unmarked;
}

impl<T, E> UnmarkedResult<T, E> for Result<T, E> {
    #[inline]
    fn __async_with_unmarked(self) -> T
    where
        E: Unmarked,
    {
        unmarked(self)
    }
}

#[doc(hidden)]
/// Implemented only for `Infallible`: a manager that can fail must be marked.
#[diagnostic::on_unimplemented(
    message = "this manager can fail with `{Self}`, so `async_with!` needs it marked with `?`",
    label = "add `?` after this manager: `async_with!(manager? => target {{ ... }})`",
    note = "with `?`, errors from `enter` and `exit` propagate into the enclosing function like `?` does"
)]
pub trait Unmarked {
    #[doc(hidden)]
    fn unreachable(self) -> !;
}

impl Unmarked for Infallible {
    #[inline]
    fn unreachable(self) -> ! {
        match self {}
    }
}

/// The outcome for a caught panic: the expansion's [`Caught`], or the
/// plain box `with` and the exit stack hold.
#[doc(hidden)]
#[cfg(feature = "std")]
#[inline]
pub fn panicked<P>(payload: &mut P) -> Outcome<'_>
where
    P: core::ops::DerefMut<Target = dyn core::any::Any + Send>,
{
    Outcome::Panicked(PanicPayload::new(&mut **payload))
}

/// Without `std` no panic is caught, so there is no payload.
#[doc(hidden)]
#[cfg(not(feature = "std"))]
#[inline]
pub fn panicked(payload: &mut Caught) -> Outcome<'_> {
    match *payload {}
}
