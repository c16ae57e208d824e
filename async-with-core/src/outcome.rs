//! [`Outcome`]: how a block ended, as told to [`exit`](crate::AsyncContextManager::exit).

use core::any::Any;
use core::fmt;

/// How the body of an `async_with!` block ended.
///
/// Python passes `(exc_type, exc, tb)` to `__aexit__`; Rust has no exception,
/// so the block classifies its own ending:
///
/// | the body                                                    | outcome     |
/// |-------------------------------------------------------------|-------------|
/// | ran to its end, or left by `return`/`break`/`continue` with a value that is not an `Err` | [`Completed`](Outcome::Completed) |
/// | left by `?` on an `Err` or `None`, or ended with an `Err`   | [`Failed`](Outcome::Failed) |
/// | panicked                                                    | [`Panicked`](Outcome::Panicked) |
/// | was cancelled, and the manager runs a detached exit         | [`Cancelled`](Outcome::Cancelled) |
///
/// # Example
///
/// ```
/// use async_with_core::Outcome;
///
/// fn describe(outcome: &Outcome<'_>) -> String {
///     match outcome {
///         Outcome::Completed => "completed".to_owned(),
///         Outcome::Failed(failure) => format!("failed: {failure}"),
///         Outcome::Panicked(panic) => format!("panicked: {}", panic.message().unwrap_or("?")),
///         _ => "cancelled".to_owned(),
///     }
/// }
/// assert_eq!(describe(&Outcome::Completed), "completed");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// The body finished normally.
    Completed,
    /// The body failed with an error.
    Failed(Failure<'a>),
    /// The body panicked; the panic resumes once `exit` returns.
    Panicked(PanicPayload<'a>),
    /// The block was cancelled; only a detached exit sees this.
    Cancelled,
}

impl Outcome<'_> {
    /// Whether the body finished normally.
    pub fn is_completed(&self) -> bool {
        matches!(self, Outcome::Completed)
    }

    /// Whether the body failed, panicked or was cancelled.
    pub fn is_abnormal(&self) -> bool {
        !self.is_completed()
    }

    /// The same outcome, borrowed for a shorter time, so one ending can be
    /// told to several managers in turn (the exit stack does this).
    ///
    /// ```
    /// use async_with_core::Outcome;
    ///
    /// let mut outcome = Outcome::Cancelled;
    /// let first = outcome.reborrow().to_string();
    /// assert_eq!(first, outcome.to_string());
    /// ```
    pub fn reborrow(&mut self) -> Outcome<'_> {
        match self {
            Outcome::Completed => Outcome::Completed,
            Outcome::Failed(failure) => Outcome::Failed(*failure),
            Outcome::Panicked(panic) => Outcome::Panicked(PanicPayload {
                payload: &mut *panic.payload,
            }),
            Outcome::Cancelled => Outcome::Cancelled,
        }
    }
}

impl fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Completed => f.write_str("completed"),
            Outcome::Failed(failure) => write!(f, "failed: {failure}"),
            Outcome::Panicked(panic) => match panic.message() {
                Some(message) => write!(f, "panicked: {message}"),
                None => f.write_str("panicked"),
            },
            Outcome::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// The error a failed body ended with.
///
/// Python's `__aexit__` receives the exception itself and can test it with
/// `isinstance`; here `exit` gets the error in up to two forms:
///
/// - its `Debug` form ([`error`](Failure::error)), where the error is
///   `Debug + Sync` (nearly all are: `io::Error`, `String`, `anyhow::Error`,
///   thiserror enums);
/// - the error itself ([`as_error`](Failure::as_error),
///   [`downcast_ref`](Failure::downcast_ref)), where it implements
///   [`core::error::Error`] and is `Sync + 'static`, so `exit` can act on its
///   type (roll back on one error, mark a connection broken on an
///   `io::Error`).
///
/// The form is shared with `exit`, which may run on another thread, hence
/// `Sync`. A `None` from `?` on an `Option`, and errors that are not
/// `Debug + Sync`, give an opaque failure with neither form.
///
/// # Example
///
/// ```
/// use async_with_core::Failure;
/// use std::io;
///
/// let error = io::Error::new(io::ErrorKind::BrokenPipe, "peer went away");
/// let failure = Failure::from_error(&error);
/// let io_error = failure.downcast_ref::<io::Error>().expect("an io::Error");
/// assert_eq!(io_error.kind(), io::ErrorKind::BrokenPipe);
/// assert_eq!(failure.as_error().map(|e| e.to_string()).as_deref(), Some("peer went away"));
/// assert!(failure.downcast_ref::<std::fmt::Error>().is_none());
/// ```
#[derive(Clone, Copy)]
pub struct Failure<'a> {
    debug: Option<&'a (dyn fmt::Debug + Sync)>,
    error: Option<&'a (dyn core::error::Error + Sync + 'static)>,
}

impl<'a> Failure<'a> {
    /// A failure whose error has the given `Debug` form, and whose type is
    /// not available to `exit` (use [`from_error`](Failure::from_error) for
    /// errors that implement [`Error`](core::error::Error)).
    pub fn new(error: &'a (dyn fmt::Debug + Sync)) -> Self {
        Failure {
            debug: Some(error),
            error: None,
        }
    }

    /// A failure with the error itself: `exit` can print it, follow its
    /// `source()` chain and downcast it to its concrete type.
    // Generic rather than `&dyn Error`: turning a `&dyn Error` into the
    // `&dyn Debug` beside it is trait upcasting, stable only since Rust 1.86
    // (the MSRV is 1.85); from a concrete `E` both coercions are plain.
    pub fn from_error<E: core::error::Error + Sync + 'static>(error: &'a E) -> Self {
        Failure {
            debug: Some(error),
            error: Some(error),
        }
    }

    /// A failure without a printable error (`None`, or an error that is not
    /// `Debug + Sync`).
    pub fn opaque() -> Self {
        Failure {
            debug: None,
            error: None,
        }
    }

    /// The error's `Debug` form, where it has one.
    pub fn error(&self) -> Option<&'a (dyn fmt::Debug + Sync)> {
        self.debug
    }

    /// The error as a [`core::error::Error`], where the failure carries one
    /// (see [`from_error`](Failure::from_error)).
    pub fn as_error(&self) -> Option<&'a (dyn core::error::Error + 'static)> {
        match self.error {
            Some(error) => Some(error),
            None => None,
        }
    }

    /// The error as its concrete type `E`, if the failure carries an error
    /// and it is an `E`.
    pub fn downcast_ref<E: core::error::Error + 'static>(&self) -> Option<&'a E> {
        // `downcast_ref` is defined on `dyn Error + 'static`, without `Sync`.
        let error: &'a (dyn core::error::Error + 'static) = self.error?;
        error.downcast_ref::<E>()
    }
}

impl fmt::Debug for Failure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.debug {
            Some(error) => f.debug_tuple("Failure").field(error).finish(),
            None => f.write_str("Failure(<opaque>)"),
        }
    }
}

impl fmt::Display for Failure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.debug {
            Some(error) => write!(f, "{error:?}"),
            None => f.write_str("an error without a `Debug` form"),
        }
    }
}

/// The payload of a panic in the body, lent to `exit` before the panic resumes.
pub struct PanicPayload<'a> {
    // `&mut` rather than `&`: `dyn Any + Send` is not `Sync`, and the block's
    // future must stay `Send` while `exit` holds this.
    payload: &'a mut (dyn Any + Send),
}

impl<'a> PanicPayload<'a> {
    /// Lends a panic payload (what `catch_unwind` returned).
    pub fn new(payload: &'a mut (dyn Any + Send)) -> Self {
        PanicPayload { payload }
    }

    /// The panic message, when the payload is a `&str` or a `String`.
    pub fn message(&self) -> Option<&str> {
        if let Some(message) = self.payload.downcast_ref::<&'static str>() {
            return Some(message);
        }
        #[cfg(feature = "std")]
        if let Some(message) = self.payload.downcast_ref::<std::string::String>() {
            return Some(message);
        }
        None
    }

    /// The payload itself, to downcast a value passed to `std::panic::panic_any`.
    pub fn payload(&self) -> &(dyn Any + Send) {
        self.payload
    }
}

impl fmt::Debug for PanicPayload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PanicPayload")
            .field(&self.message())
            .finish()
    }
}
