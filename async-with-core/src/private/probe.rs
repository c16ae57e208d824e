//! Classifies a value that left the body (its tail value, a `return` or a
//! `break`), by autoref specialization: an `Err` is a failure, with its
//! `Debug` form when the error is `Debug + Sync`; anything else completed.
//!
//! Only used where the value's type is already known when the expansion is
//! type-checked, so the method picked is never a guess.

use core::fmt::Debug;

use crate::{Failure, Outcome};

/// Wraps a reference to the value being classified.
#[derive(Debug)]
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
#[doc(hidden)]
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
