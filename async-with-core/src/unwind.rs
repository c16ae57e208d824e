//! Catching a panic in the body so that `exit` can still be awaited.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// What a caught panic carries.
#[cfg(feature = "std")]
pub(crate) type Payload = std::boxed::Box<dyn core::any::Any + Send>;

/// Without `std` a panic cannot be caught; this type has no values.
#[cfg(not(feature = "std"))]
pub(crate) type Payload = core::convert::Infallible;

pin_project_lite::pin_project! {
    /// A future that resolves to `Err(payload)` instead of unwinding through
    /// its caller when the inner future panics.
    ///
    /// Without the `std` feature panics are not caught: they unwind through
    /// the block, whose guard then runs the `cancel` hook.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless awaited"]
    pub struct CatchUnwind<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> CatchUnwind<F> {
    /// Wraps `future`.
    pub const fn new(future: F) -> Self {
        CatchUnwind { future }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Payload>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_catching(self.project().future, cx)
    }
}

#[cfg(feature = "std")]
#[inline]
fn poll_catching<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, Payload>> {
    // The body's state is never observed again after a panic (the block
    // resumes the panic once `exit` returns), so no broken invariant leaks.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.poll(cx))) {
        Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
        Ok(Poll::Pending) => Poll::Pending,
        Err(payload) => Poll::Ready(Err(payload)),
    }
}

#[cfg(not(feature = "std"))]
#[inline]
fn poll_catching<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, Payload>> {
    future.poll(cx).map(Ok)
}

/// Resumes a caught panic, after reporting an `exit` error that would
/// otherwise be lost with it.
#[cfg(feature = "std")]
pub fn resume(payload: Payload, exit_error: Option<&dyn core::fmt::Debug>) -> ! {
    if let Some(error) = exit_error {
        tracing::error!(
            error = ?error,
            "async_with!: `exit` failed while the body was panicking; the panic resumes"
        );
        std::eprintln!("async_with!: `exit` failed while the body was panicking: {error:?}");
    }
    std::panic::resume_unwind(payload)
}

/// Without `std` no panic is ever caught, so there is nothing to resume.
#[cfg(not(feature = "std"))]
pub fn resume(payload: Payload, _exit_error: Option<&dyn core::fmt::Debug>) -> ! {
    match payload {}
}
