//! The errors of closing an [`ExitStack`](crate::ExitStack): [`AnyError`],
//! the default error type, [`StackError`], what a stack's error type must
//! offer, and [`ExitError`], the errors of one close.

use core::fmt;
use std::boxed::Box;
use std::error::Error;
use std::vec::Vec;

use crate::Failure;

/// The error type an [`ExitStack`](crate::ExitStack) uses unless told
/// otherwise: any `Error + Send + Sync`, boxed.
///
/// A newtype rather than `Box<dyn Error + Send + Sync>` because a trait
/// object as the stack's error type trips rustc's "higher-ranked lifetime
/// error" when a block over the stack is spawned. Like `anyhow::Error` it
/// does not implement `Error` itself (that would conflict with converting
/// from every error); it converts into `Box<dyn Error + Send + Sync>`, and
/// [`StackError::as_error`] lends the error inside.
///
/// ```
/// use async_with_core::AnyError;
///
/// let error = AnyError::from(std::fmt::Error);
/// assert_eq!(error.to_string(), "an error occurred when formatting an argument");
/// assert!(error.downcast_ref::<std::fmt::Error>().is_some());
/// ```
pub struct AnyError(Box<dyn Erased>);

/// The error inside an [`AnyError`], by its concrete type where it was
/// made from one, so that a `Failure` can carry it typed without turning a
/// `&dyn Error` into a `&dyn Debug` (trait upcasting, Rust 1.86+).
trait Erased: Send + Sync {
    fn as_dyn(&self) -> &(dyn Error + Send + Sync + 'static);
    fn failure(&self) -> Failure<'_>;
    fn into_box(self: Box<Self>) -> Box<dyn Error + Send + Sync>;
}

/// An error of a known type.
struct Typed<E>(E);

impl<E: Error + Send + Sync + 'static> Erased for Typed<E> {
    fn as_dyn(&self) -> &(dyn Error + Send + Sync + 'static) {
        &self.0
    }

    fn failure(&self) -> Failure<'_> {
        Failure::from_error(&self.0)
    }

    fn into_box(self: Box<Self>) -> Box<dyn Error + Send + Sync> {
        Box::new(self.0)
    }
}

/// An error that came boxed: its type is gone, so exits see its `Debug`
/// form (and `AnyError::downcast_ref` still works).
struct Boxed(Box<dyn Error + Send + Sync>);

impl Erased for Boxed {
    fn as_dyn(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.0
    }

    fn failure(&self) -> Failure<'_> {
        Failure::new(&self.0)
    }

    fn into_box(self: Box<Self>) -> Box<dyn Error + Send + Sync> {
        self.0
    }
}

impl AnyError {
    /// Wraps an already boxed error (what `anyhow::Error` and other error
    /// types that do not implement `Error` themselves convert into). Its
    /// concrete type is gone: an exit told it sees its `Debug` form.
    pub fn from_boxed(error: Box<dyn Error + Send + Sync>) -> Self {
        AnyError(Box::new(Boxed(error)))
    }

    /// The boxed error.
    pub fn into_inner(self) -> Box<dyn Error + Send + Sync> {
        self.0.into_box()
    }

    /// The error, if it is an `E`.
    pub fn downcast_ref<E: Error + 'static>(&self) -> Option<&E> {
        self.0.as_dyn().downcast_ref()
    }
}

impl<E: Error + Send + Sync + 'static> From<E> for AnyError {
    fn from(error: E) -> Self {
        AnyError(Box::new(Typed(error)))
    }
}

impl From<AnyError> for Box<dyn Error + Send + Sync> {
    fn from(error: AnyError) -> Self {
        error.into_inner()
    }
}

impl fmt::Debug for AnyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_dyn(), f)
    }
}

impl fmt::Display for AnyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0.as_dyn(), f)
    }
}

/// What an [`ExitStack`](crate::ExitStack)'s error type offers: the error
/// as a typed [`Failure`], so that the entries exited after a failed exit
/// are told that error (`failure.downcast_ref::<E>()` works), and as a
/// `dyn Error`, so that [`ExitError::source`](Error::source) can chain.
///
/// Implemented for every `Error + Send + Sync + 'static` and for
/// [`AnyError`]. A stack over a type that does not implement `Error`
/// (`String`, `Box<dyn Error + Send + Sync>`, `anyhow::Error`) does not
/// close: use `AnyError`, converting such errors with
/// [`AnyError::from_boxed`] (`AnyError::from_boxed(error.into())`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an `ExitStack`'s error type: it is not an `Error + Send + Sync + 'static`",
    note = "use `ExitStack<AnyError>` (the default) or an error type that implements `std::error::Error`; `AnyError::from_boxed` takes a `Box<dyn Error + Send + Sync>`"
)]
pub trait StackError: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The error as an exit is told it.
    fn failure(&self) -> Failure<'_>;

    /// The error, for `source()` chains.
    fn as_error(&self) -> &(dyn Error + 'static);
}

impl<E: Error + Send + Sync + 'static> StackError for E {
    fn failure(&self) -> Failure<'_> {
        Failure::from_error(self)
    }

    fn as_error(&self) -> &(dyn Error + 'static) {
        self
    }
}

impl StackError for AnyError {
    fn failure(&self) -> Failure<'_> {
        self.0.failure()
    }

    fn as_error(&self) -> &(dyn Error + 'static) {
        self.0.as_dyn()
    }
}

/// The errors from closing an [`ExitStack`](crate::ExitStack), as Python's
/// `AsyncExitStack` leaves them: the error raised last (by the entry exited
/// last, the earliest entered that failed) is the one this is, and the
/// errors raised before it are its [`context`](Self::context), reachable
/// through [`source()`](Error::source) and as a list
/// ([`errors`](Self::errors)).
///
/// It displays as the error raised last. `source()` is the error raised
/// before it (another `ExitError`), and for the first one raised, that
/// error's own `source()`: an error reporter that follows `source()` shows
/// every exit error, last first.
///
/// ```
/// use async_with_core::{AnyError, ExitStack};
/// use std::error::Error as _;
/// use std::io;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut stack = ExitStack::<AnyError>::new();
/// for name in ["flush", "close"] {
///     stack.push_callback(async move { Err(io::Error::other(name).into()) }, || {});
/// }
/// let error = stack.close().await.unwrap_err();
/// // Exited last in first out: "close" failed first, "flush" last.
/// assert_eq!(error.to_string(), "flush");
/// assert_eq!(error.source().unwrap().to_string(), "close");
/// let all: Vec<String> = error.errors().iter().map(|e| e.to_string()).collect();
/// assert_eq!(all, ["close", "flush"]);
/// # }
/// ```
#[derive(Debug)]
pub struct ExitError<E> {
    error: E,
    context: Option<Box<ExitError<E>>>,
}

impl<E> ExitError<E> {
    /// The first error of a close.
    pub(crate) fn new(error: E) -> Self {
        ExitError {
            error,
            context: None,
        }
    }

    /// `error`, raised after `self`'s errors.
    pub(crate) fn then(self, error: E) -> Self {
        ExitError {
            error,
            context: Some(Box::new(self)),
        }
    }

    /// The error raised last: the one the close returns, as nested blocks
    /// and Python do.
    pub fn error(&self) -> &E {
        &self.error
    }

    /// The exit errors raised before [`error`](Self::error), if any
    /// (Python's `__context__`).
    pub fn context(&self) -> Option<&ExitError<E>> {
        self.context.as_deref()
    }

    /// How many exits failed.
    pub fn len(&self) -> usize {
        1 + self.context.as_ref().map_or(0, |context| context.len())
    }

    /// Always `false`: an `ExitError` holds at least one error.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every exit error, in the order they were raised (the returned one
    /// last).
    pub fn errors(&self) -> Vec<&E> {
        let mut all = match &self.context {
            Some(context) => context.errors(),
            None => Vec::new(),
        };
        all.push(&self.error);
        all
    }

    /// The error raised last, dropping the others.
    pub fn into_error(self) -> E {
        self.error
    }

    /// Every exit error, in the order they were raised.
    pub fn into_vec(self) -> Vec<E> {
        let mut all = match self.context {
            Some(context) => context.into_vec(),
            None => Vec::new(),
        };
        all.push(self.error);
        all
    }
}

impl<E: fmt::Display> fmt::Display for ExitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the others: they are the `source()` chain, and a reporter
        // prints each once.
        fmt::Display::fmt(&self.error, f)
    }
}

impl<E: StackError> Error for ExitError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.context {
            Some(context) => Some(&**context),
            None => self.error.as_error().source(),
        }
    }
}
