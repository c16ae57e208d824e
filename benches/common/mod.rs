//! What the benches, the future-size example and its test compare: a no-op
//! manager, the hand-written sequences the macro is measured against, and a
//! poll loop that keeps any runtime out of the measurement.
//!
//! Included with `#[path]` by each user, none of which uses every item.
#![allow(dead_code, unreachable_pub)]

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::panic::AssertUnwindSafe;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

pub use async_with::AsyncContextManager;
use async_with::{Failure, Outcome, PanicPayload};
use futures::FutureExt as _;

/// A manager whose `enter`, `exit` and `cancel` do one opaque store each,
/// so the optimiser can neither drop them nor fold them together.
#[derive(Debug, Default)]
pub struct Noop {
    pub events: u64,
}

impl AsyncContextManager for Noop {
    type Target<'a> = ();
    type Error = Infallible;

    async fn enter(&mut self) -> Result<(), Infallible> {
        self.events = black_box(self.events + 1);
        Ok(())
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
        black_box(&outcome);
        self.events = black_box(self.events + 1);
        Ok(())
    }

    fn cancel(&mut self) {
        self.events = black_box(self.events + 1);
    }
}

/// The error the failing bodies leave with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oops;

/// A value the optimiser cannot see through, so `?` really branches.
pub fn fallible(ok: bool) -> Result<u64, Oops> {
    if black_box(ok) { Ok(1) } else { Err(Oops) }
}

/// Polls `future` to completion with a no-op waker: for futures that never
/// wait on anything, this is the cheapest possible executor.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Pending once, then ready: a suspension point inside a body, so the body's
/// locals really live in the future.
#[derive(Debug, Default)]
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

/// The outcome a body's value means, as the macro classifies it.
pub trait Classify {
    fn outcome(&self) -> Outcome<'_>;
}

impl Classify for u64 {
    fn outcome(&self) -> Outcome<'_> {
        Outcome::Completed
    }
}

impl Classify for Result<u64, Oops> {
    fn outcome(&self) -> Outcome<'_> {
        match self {
            Ok(_) => Outcome::Completed,
            Err(error) => Outcome::Failed(Failure::new(error)),
        }
    }
}

/// Clears on drop unless disarmed: the hand-written drop guard.
pub struct Armed<'m, M: AsyncContextManager> {
    pub manager: &'m mut M,
    pub armed: bool,
}

impl<M: AsyncContextManager> Drop for Armed<'_, M> {
    fn drop(&mut self) {
        if self.armed {
            self.manager.cancel();
        }
    }
}

/// `catch_unwind` around each poll of a body future, hand-rolled the way
/// the crate's own `CatchUnwind` is (a careful engineer copies the pattern).
pub fn catching<F: Future>(body: F) -> Catching<F> {
    Catching(body)
}

/// See [`catching`].
pub struct Catching<F>(F);

impl<F: Future> Future for Catching<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: the future is structurally pinned: never moved out, and
        // `Catching` has no `Drop` impl.
        let body = unsafe { self.map_unchecked_mut(|this| &mut this.0) };
        match std::panic::catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

/// The `futures` crate's adapter, the other thing a careful engineer reaches
/// for: correct, but its `poll` is not inlined (see BENCHMARKS.md).
pub fn catching_futures<F: Future>(
    body: F,
) -> impl Future<Output = std::thread::Result<F::Output>> {
    AssertUnwindSafe(body).catch_unwind()
}

/// The outcome for a caught panic.
pub fn panicked(payload: &mut Box<dyn Any + Send>) -> Outcome<'_> {
    Outcome::Panicked(PanicPayload::new(&mut **payload))
}

pub use std::panic::resume_unwind;

/// The floor: enter, body, exit, with no guard and no panic catching; not
/// correct (a cancel or a panic skips `exit`), just the cheapest sequence.
/// Written inline, one level per manager, as the macro's expansion is: a
/// generic helper `async fn` taking the body future stores it twice per
/// level (rust-lang/rust#62958) and blows up the future size.
///
/// `raw!(m1, m2; { body })`
#[macro_export]
macro_rules! raw {
    (; $body:block) => {
        async $body.await
    };
    ($manager:expr $(, $rest:expr)*; $body:block) => {{
        let mut manager = $manager;
        let Ok(_) = $crate::common::AsyncContextManager::enter(&mut manager).await;
        let value = $crate::raw!($($rest),*; $body);
        let outcome = $crate::common::Classify::outcome(&value);
        let Ok(()) = $crate::common::AsyncContextManager::exit(&mut manager, outcome).await;
        value
    }};
}

/// What a careful engineer writes by hand for the guarantee `async_with!`
/// gives: a drop guard that runs `cancel` if the future is dropped between
/// `enter` and the end of `exit`, and `catch_unwind` so `exit` sees a panic
/// that resumes afterwards. Inline, one level per manager.
///
/// `hand!(m1, m2; { body })`
#[macro_export]
macro_rules! hand {
    ($($tokens:tt)*) => {
        $crate::hand_with!($crate::common::catching; $($tokens)*)
    };
}

/// [`hand!`] with the `futures` crate's `catch_unwind`.
#[macro_export]
macro_rules! hand_futures {
    ($($tokens:tt)*) => {
        $crate::hand_with!($crate::common::catching_futures; $($tokens)*)
    };
}

/// [`hand!`] with the given `catch_unwind` adapter.
#[macro_export]
macro_rules! hand_with {
    ($catch:path; ; $body:block) => {
        async $body.await
    };
    ($catch:path; $manager:expr $(, $rest:expr)*; $body:block) => {{
        let mut manager = $manager;
        let Ok(_) = $crate::common::AsyncContextManager::enter(&mut manager).await;
        let mut guard = $crate::common::Armed { manager: &mut manager, armed: true };
        let mut caught = $catch(async { $crate::hand_with!($catch; $($rest),*; $body) }).await;
        let outcome = match &mut caught {
            Ok(value) => $crate::common::Classify::outcome(value),
            Err(payload) => $crate::common::panicked(payload),
        };
        let Ok(()) = $crate::common::AsyncContextManager::exit(&mut *guard.manager, outcome).await;
        guard.armed = false;
        match caught {
            Ok(value) => value,
            Err(payload) => $crate::common::resume_unwind(payload),
        }
    }};
}

/// [`hand!`] without `catch_unwind`: the drop guard alone, to split the
/// cost of the guarantee between its two halves.
#[macro_export]
macro_rules! guard_only {
    (; $body:block) => {
        async $body.await
    };
    ($manager:expr $(, $rest:expr)*; $body:block) => {{
        let mut manager = $manager;
        let Ok(_) = $crate::common::AsyncContextManager::enter(&mut manager).await;
        let mut guard = $crate::common::Armed { manager: &mut manager, armed: true };
        let value = $crate::guard_only!($($rest),*; $body);
        let outcome = $crate::common::Classify::outcome(&value);
        let Ok(()) = $crate::common::AsyncContextManager::exit(&mut *guard.manager, outcome).await;
        guard.armed = false;
        value
    }};
}

/// A synchronous drop guard (scopeguard) per manager: cleanup on every path,
/// but it cannot await, so the cleanup is the sync `cancel`, never `exit`.
///
/// `sync_guard!(m1, m2; { body })`
#[macro_export]
macro_rules! sync_guard {
    (; $body:block) => {
        async $body.await
    };
    ($manager:expr $(, $rest:expr)*; $body:block) => {{
        let mut manager = $manager;
        let Ok(_) = $crate::common::AsyncContextManager::enter(&mut manager).await;
        let _guard = scopeguard::guard(&mut manager, |manager| {
            $crate::common::AsyncContextManager::cancel(manager)
        });
        $crate::sync_guard!($($rest),*; $body)
    }};
}
