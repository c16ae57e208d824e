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

/// A caught panic's payload as the `async_with!` expansion holds it: the
/// same box, dropped by an out-of-line call.
///
/// Each level of a block keeps its body's result across the `exit` await,
/// so the drop of every suspended or finished level's future has a path
/// that drops a payload. Inlined, a `Box<dyn Any + Send>`'s drop (a call
/// through the vtable, then the deallocation) keeps the box's two words
/// and the exception object in callee-saved registers, which that drop
/// function then saves and restores on every call, the completed path
/// included; one opaque call needs only the pointer it is given
/// (`benches/callgrind.sh`: three managers completed, 294 -> 236
/// instructions per cycle; BENCHMARKS.md issue 13).
#[cfg(feature = "std")]
#[doc(hidden)]
pub struct Caught(core::mem::ManuallyDrop<Payload>);

/// Without `std` a panic cannot be caught; this type has no values.
#[cfg(not(feature = "std"))]
#[doc(hidden)]
pub type Caught = core::convert::Infallible;

#[cfg(feature = "std")]
impl Caught {
    #[inline]
    fn new(payload: Payload) -> Self {
        Caught(core::mem::ManuallyDrop::new(payload))
    }

    /// The payload, to resume.
    #[inline]
    fn into_payload(self) -> Payload {
        let mut this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped (it is a `ManuallyDrop` that does
        // not escape), so `Caught::drop` does not run and the payload is
        // taken exactly once, here; the field is not read again.
        unsafe { core::mem::ManuallyDrop::take(&mut this.0) }
    }
}

#[cfg(feature = "std")]
impl Drop for Caught {
    #[inline]
    fn drop(&mut self) {
        drop_payload(&mut self.0);
    }
}

/// Drops a held payload; `extern "C"`, so that a panic in the payload's own
/// `Drop` aborts rather than unwinds, and the call needs no landing pad: with
/// one per level, the unwinder's search of the block's call-site table grew
/// by a tenth at eight managers (`benches/callgrind.sh`, `eight/panicked`).
/// A payload is only ever dropped when the block's future is dropped during
/// an `exit` told `Panicked`, or while unwinding from a panicking `exit` (where
/// a second panic aborts anyway).
#[cfg(feature = "std")]
#[inline(never)]
extern "C" fn drop_payload(payload: &mut core::mem::ManuallyDrop<Payload>) {
    // SAFETY: called once, from `Caught::drop`, which runs at most once and
    // never after `into_payload` (which keeps the `Caught` from being
    // dropped); the field is not read after this.
    unsafe { core::mem::ManuallyDrop::drop(payload) }
}

#[cfg(feature = "std")]
impl core::ops::Deref for Caught {
    type Target = dyn core::any::Any + Send;

    #[inline]
    fn deref(&self) -> &Self::Target {
        &**self.0
    }
}

#[cfg(feature = "std")]
impl core::ops::DerefMut for Caught {
    #[inline]
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut **self.0
    }
}

#[cfg(feature = "std")]
impl core::fmt::Debug for Caught {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Caught(..)")
    }
}

#[cfg(feature = "std")]
#[inline]
fn caught(payload: Payload) -> Caught {
    Caught::new(payload)
}

#[cfg(not(feature = "std"))]
#[inline]
fn caught(payload: Payload) -> Caught {
    payload
}

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

pin_project_lite::pin_project! {
    /// [`CatchUnwind`] as the `async_with!` expansion uses it: the payload
    /// comes out as a [`Caught`].
    #[doc(hidden)]
    #[derive(Debug)]
    #[must_use = "futures do nothing unless awaited"]
    pub struct CatchUnwindBody<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> CatchUnwindBody<F> {
    /// Wraps `future`.
    pub const fn new(future: F) -> Self {
        CatchUnwindBody { future }
    }
}

impl<F: Future> Future for CatchUnwindBody<F> {
    type Output = Result<F::Output, Caught>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_catching(self.project().future, cx).map(|result| result.map_err(caught))
    }
}

pin_project_lite::pin_project! {
    /// [`CatchUnwindBody`] for a body that can itself end with a caught panic:
    /// the outer managers of `async_with!(a => x, b => y { .. })`, whose
    /// inner manager hands the body's panic out as `Err(payload)` after its
    /// own `exit` instead of resuming it. Both kinds of panic come out as
    /// the same `Err(payload)`, so the nest unwinds once to reach the
    /// body's catch and once when the outermost manager resumes it, rather
    /// than once per manager, and the result is no larger than
    /// [`CatchUnwindBody`]'s.
    #[doc(hidden)]
    #[derive(Debug)]
    #[must_use = "futures do nothing unless awaited"]
    pub struct CatchUnwindNest<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> CatchUnwindNest<F> {
    /// Wraps `future`.
    pub const fn new(future: F) -> Self {
        CatchUnwindNest { future }
    }
}

impl<T, F: Future<Output = Result<T, Caught>>> Future for CatchUnwindNest<F> {
    type Output = Result<T, Caught>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_catching(self.project().future, cx)
            .map(|result| result.map_err(caught).and_then(|result| result))
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
pub(crate) fn resume(payload: Payload, exit_error: Option<&dyn core::fmt::Debug>) -> ! {
    report_exit_error(exit_error);
    std::panic::resume_unwind(payload)
}

/// Without `std` no panic is ever caught, so there is nothing to resume.
#[cfg(not(feature = "std"))]
#[allow(dead_code)] // `with` and the exit stack need `std`.
pub(crate) fn resume(payload: Payload, _exit_error: Option<&dyn core::fmt::Debug>) -> ! {
    match payload {}
}

/// Resumes a caught panic held as a [`Caught`] (the `async_with!`
/// expansion's), after reporting an `exit` error that would otherwise be
/// lost with it.
#[cfg(feature = "std")]
pub fn resume_caught(payload: Caught, exit_error: Option<&dyn core::fmt::Debug>) -> ! {
    report_exit_error(exit_error);
    std::panic::resume_unwind(payload.into_payload())
}

/// Without `std` no panic is ever caught, so there is nothing to resume.
#[cfg(not(feature = "std"))]
pub fn resume_caught(payload: Caught, _exit_error: Option<&dyn core::fmt::Debug>) -> ! {
    match payload {}
}

/// Reports an `exit` error raised while the body was panicking, and gives
/// the panic back to be handed to the next manager out (the panic goes on,
/// so the error would otherwise be lost).
///
/// The payload goes through the call rather than around it: held by the
/// caller across a call that can unwind (the logging), it would need a
/// landing pad of its own, and the block's future a register more on its
/// completed path too (`benches/callgrind.sh`, BENCHMARKS.md issue 13).
#[cfg(feature = "std")]
pub fn log_exit_error(payload: Caught, exit_error: Option<&dyn core::fmt::Debug>) -> Caught {
    report_exit_error(exit_error);
    payload
}

/// Without `std` no panic is caught, so no `exit` runs during one.
#[cfg(not(feature = "std"))]
#[inline]
pub fn log_exit_error(payload: Caught, _exit_error: Option<&dyn core::fmt::Debug>) -> Caught {
    match payload {}
}

#[cfg(feature = "std")]
fn report_exit_error(exit_error: Option<&dyn core::fmt::Debug>) {
    if let Some(error) = exit_error {
        tracing::error!(
            error = ?error,
            "async_with!: `exit` failed while the body was panicking; the panic resumes"
        );
        std::eprintln!("async_with!: `exit` failed while the body was panicking: {error:?}");
    }
}

/// Hands a caught panic to the next manager out of the same invocation.
///
/// Only a marker: the expansion of an inner manager of
/// `async_with!(a => x, b => y { .. })` calls it where the outermost one
/// resumes the panic, and the outer manager's control-flow rewriter
/// replaces the call with `return Err(payload)` from the outer body (see
/// [`CatchUnwindNest`]). Should a call survive anyway, it resumes the
/// panic, which is what every manager did before.
#[inline]
pub fn propagate_panic(payload: Caught) -> ! {
    resume_caught(payload, None)
}
