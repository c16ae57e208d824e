//! Runtime support for the `async_with!` expansion. Not public API.
//!
//! Everything the expansion names goes through `$crate::__private`, which
//! re-exports this module, so the macro keeps working when re-exported,
//! renamed, or used in a crate that shadows `core`, `Result` or `Option`.

pub use core;
pub use core::convert::Infallible;
pub use core::future::Future;
pub use core::ops::ControlFlow;
pub use core::option::Option::{self, None, Some};
pub use core::result::Result::{self, Err, Ok};

pub use crate::AsyncContextManager;
pub use crate::guard::Guard;
pub use crate::outcome::{Failure, Outcome, PanicPayload};
pub use crate::unwind::{CatchUnwind, Payload, resume};

/// The manager whose `exit` the expansion awaits; a function rather than a
/// method so that, when the expression is not a manager, every call fails
/// with the same trait error, which rustc reports once.
#[inline]
pub fn exiting<M: AsyncContextManager>(guard: &mut Guard<M>) -> &mut M {
    guard.exiting()
}

/// Disarms the guard once the manager's `exit` completed.
#[inline]
pub fn exited<M: AsyncContextManager>(guard: &mut Guard<M>) {
    guard.exited();
}

/// A type carried from where the context knows it to where the body needs
/// it, so that the body is type-checked with the type inline code would
/// push into it (the function's return type for `return`, the loop's type
/// for `break value`, the block's expected type for its value).
///
/// A zero-sized value with no runtime effect: the expansion ties one to the
/// context (`if false { return hint.get() }`, [`typed`] in the block's
/// tail position) *before* the body, and then passes each value through
/// [`typed`], which makes the value a coercion site with a known target.
pub struct Hint<T>(core::marker::PhantomData<fn() -> T>);

impl<T> Hint<T> {
    /// A hint whose type is still to be inferred.
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Hint(core::marker::PhantomData)
    }

    /// Two hints of one type: one for the context, one moved into the body.
    #[inline(always)]
    pub const fn pair() -> (Self, Self) {
        (Hint::new(), Hint::new())
    }

    /// Another hint of the same type. Not `Clone`/`Copy` on purpose: the
    /// body's `async` block must capture its hint by value (zero bytes),
    /// not by reference (a pointer in the block's future).
    #[inline(always)]
    pub const fn dup(&self) -> Self {
        Hint::new()
    }

    /// A value of the hinted type; only ever written under `if false`, to
    /// unify the hint with what `return`/`break` expects there.
    #[inline(always)]
    pub fn get(&self) -> T {
        unreachable!("`Hint::get` is only type-checked, never run")
    }
}

impl<T> core::fmt::Debug for Hint<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Hint")
    }
}

/// `value`, type-checked against `hint`'s type: with that type known first,
/// `value` is checked with it as its expected type, as inline code would be.
#[inline(always)]
pub fn typed<T>(hint: Hint<T>, value: T) -> T {
    let _ = hint;
    value
}

/// The residual of `?` in a body: what `expr?` leaves the block with.
///
/// `Try` is unstable, so the body's `?` is rewritten to this trait, which
/// covers what `?` is used on in async code: `Result` and `Option`.
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
pub fn unmarked<T, E: Unmarked>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => error.unreachable(),
    }
}

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

/// Classifies a value that left the body (its tail value, a `return` or a
/// `break`), by autoref specialization: an `Err` is a failure, with its
/// `Debug` form when the error is `Debug + Sync`; anything else completed.
///
/// Only used where the value's type is already known when the expansion is
/// type-checked, so the method picked is never a guess.
pub mod probe {
    use core::fmt::Debug;

    use crate::{Failure, Outcome};

    /// Wraps a reference to the value being classified.
    #[derive(Debug)]
    pub struct Probe<'a, T: ?Sized>(pub &'a T);

    /// Reaches the value: a probe on a value whose type inference has not
    /// settled yet is then rustc's "type annotations needed" (naming the
    /// binding to annotate), never a guess that pins the type to `Result`.
    impl<T: ?Sized> core::ops::Deref for Probe<'_, T> {
        type Target = T;

        #[inline(always)]
        fn deref(&self) -> &T {
            self.0
        }
    }

    /// An `Err` holding a reference to an error: its `Debug` form only.
    /// Checked before [`ErrError`] because a selected impl cannot depend on
    /// a lifetime: a `'static` bound would refuse a borrowed error
    /// (`Result<T, &'a io::Error>`) with a borrow error inline code has not.
    pub trait ErrRef<'a> {
        /// The outcome for this value.
        fn __async_with_outcome(&self) -> Outcome<'a>;
    }

    impl<'a, T, E: Debug + Sync + ?Sized> ErrRef<'a> for &&&&Probe<'a, Result<T, &E>> {
        #[inline]
        fn __async_with_outcome(&self) -> Outcome<'a> {
            match self.0 {
                Ok(_) => Outcome::Completed,
                Err(error) => Outcome::Failed(Failure::new(error)),
            }
        }
    }

    impl<'a, T, E: Debug + Sync + ?Sized> ErrRef<'a> for &&&&Probe<'a, Result<T, &mut E>> {
        #[inline]
        fn __async_with_outcome(&self) -> Outcome<'a> {
            match self.0 {
                Ok(_) => Outcome::Completed,
                Err(error) => Outcome::Failed(Failure::new(error)),
            }
        }
    }

    /// An `Err` whose error implements `Error` and is `Sync + 'static`:
    /// `exit` gets the error itself, to downcast.
    pub trait ErrError<'a> {
        /// The outcome for this value.
        fn __async_with_outcome(&self) -> Outcome<'a>;
    }

    impl<'a, T, E: core::error::Error + Sync + 'static> ErrError<'a> for &&&Probe<'a, Result<T, E>> {
        #[inline]
        fn __async_with_outcome(&self) -> Outcome<'a> {
            match self.0 {
                Ok(_) => Outcome::Completed,
                Err(error) => Outcome::Failed(Failure::from_error(error)),
            }
        }
    }

    /// An `Err` whose error can be shown to `exit`.
    pub trait ErrDebug<'a> {
        /// The outcome for this value.
        fn __async_with_outcome(&self) -> Outcome<'a>;
    }

    impl<'a, T, E: Debug + Sync> ErrDebug<'a> for &&Probe<'a, Result<T, E>> {
        #[inline]
        fn __async_with_outcome(&self) -> Outcome<'a> {
            match self.0 {
                Ok(_) => Outcome::Completed,
                Err(error) => Outcome::Failed(Failure::new(error)),
            }
        }
    }

    /// An `Err` whose error cannot be shown.
    pub trait Err<'a> {
        /// The outcome for this value.
        fn __async_with_outcome(&self) -> Outcome<'a>;
    }

    impl<'a, T, E> Err<'a> for &Probe<'a, Result<T, E>> {
        #[inline]
        fn __async_with_outcome(&self) -> Outcome<'a> {
            match self.0 {
                Ok(_) => Outcome::Completed,
                Err(_) => Outcome::Failed(Failure::opaque()),
            }
        }
    }

    /// Any other value.
    pub trait Any<'a> {
        /// The outcome for this value.
        fn __async_with_outcome(&self) -> Outcome<'a>;
    }

    impl<'a, T: ?Sized> Any<'a> for Probe<'a, T> {
        #[inline]
        fn __async_with_outcome(&self) -> Outcome<'a> {
            Outcome::Completed
        }
    }

    /// The residual of a `?` on a borrowed error: its `Debug` form only
    /// (see [`ErrRef`]).
    pub trait ResidualRef<'a> {
        /// The outcome for this residual.
        fn __async_with_failure(&self) -> Outcome<'a>;
    }

    impl<'a, E: Debug + Sync + ?Sized> ResidualRef<'a>
        for &&&Probe<'a, Result<core::convert::Infallible, &E>>
    {
        #[inline]
        fn __async_with_failure(&self) -> Outcome<'a> {
            match self.0 {
                Ok(never) => match *never {},
                Err(error) => Outcome::Failed(Failure::new(error)),
            }
        }
    }

    impl<'a, E: Debug + Sync + ?Sized> ResidualRef<'a>
        for &&&Probe<'a, Result<core::convert::Infallible, &mut E>>
    {
        #[inline]
        fn __async_with_failure(&self) -> Outcome<'a> {
            match self.0 {
                Ok(never) => match *never {},
                Err(error) => Outcome::Failed(Failure::new(error)),
            }
        }
    }

    /// The residual of a `?` on an `Error + Sync + 'static`: `exit` gets
    /// the error itself.
    pub trait ResidualError<'a> {
        /// The outcome for this residual.
        fn __async_with_failure(&self) -> Outcome<'a>;
    }

    impl<'a, E: core::error::Error + Sync + 'static> ResidualError<'a>
        for &&Probe<'a, Result<core::convert::Infallible, E>>
    {
        #[inline]
        fn __async_with_failure(&self) -> Outcome<'a> {
            match self.0 {
                Ok(never) => match *never {},
                Err(error) => Outcome::Failed(Failure::from_error(error)),
            }
        }
    }

    /// The residual of a `?` that left the body: always a failure.
    pub trait ResidualDebug<'a> {
        /// The outcome for this residual.
        fn __async_with_failure(&self) -> Outcome<'a>;
    }

    impl<'a, E: Debug + Sync> ResidualDebug<'a> for &Probe<'a, Result<core::convert::Infallible, E>> {
        #[inline]
        fn __async_with_failure(&self) -> Outcome<'a> {
            match self.0 {
                Ok(never) => match *never {},
                Err(error) => Outcome::Failed(Failure::new(error)),
            }
        }
    }

    /// A residual without a printable error (`None`, or an error that is
    /// not `Debug + Sync`).
    pub trait Residual<'a> {
        /// The outcome for this residual.
        fn __async_with_failure(&self) -> Outcome<'a>;
    }

    impl<'a, T: ?Sized> Residual<'a> for Probe<'a, T> {
        #[inline]
        fn __async_with_failure(&self) -> Outcome<'a> {
            Outcome::Failed(Failure::opaque())
        }
    }

    /// An `exit` error with a `Debug` form, reported when a panic resumes.
    pub trait ExitErrorDebug {
        /// The error's `Debug` form, if `exit` failed.
        fn __async_with_exit_error(&self) -> Option<&dyn Debug>;
    }

    impl<E: Debug> ExitErrorDebug for &Probe<'_, Result<(), E>> {
        #[inline]
        fn __async_with_exit_error(&self) -> Option<&dyn Debug> {
            match self.0 {
                Ok(()) => None,
                Err(error) => Some(error),
            }
        }
    }

    /// An `exit` error without a `Debug` form.
    pub trait ExitError {
        /// A placeholder `Debug` form, if `exit` failed.
        fn __async_with_exit_error(&self) -> Option<&dyn Debug>;
    }

    impl<E> ExitError for Probe<'_, Result<(), E>> {
        #[inline]
        fn __async_with_exit_error(&self) -> Option<&dyn Debug> {
            match self.0 {
                Ok(()) => None,
                Err(_) => Some(&"an error without a `Debug` form"),
            }
        }
    }
}

/// The outcome for a caught panic.
#[cfg(feature = "std")]
#[inline]
pub fn panicked(payload: &mut Payload) -> Outcome<'_> {
    Outcome::Panicked(PanicPayload::new(&mut **payload))
}

/// Without `std` no panic is caught, so there is no payload.
#[cfg(not(feature = "std"))]
#[inline]
pub fn panicked(payload: &mut Payload) -> Outcome<'_> {
    match *payload {}
}
