//! What the benches, the future-size example and its test compare: a no-op
//! manager, the hand-written sequences the macro is measured against, and a
//! poll loop that keeps any runtime out of the measurement.
//!
//! Included with `#[path]` by each user, none of which uses every item.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::panic::{AssertUnwindSafe, resume_unwind};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use async_with::{AsyncContextManager, Failure, Outcome, PanicPayload};
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

/// The floor: enter, body, exit, with no guard and no panic catching. Not
/// correct (a cancel or a panic skips the cleanup): the cheapest sequence.
pub async fn raw<M, F>(mut manager: M, body: F) -> F::Output
where
    M: AsyncContextManager<Error = Infallible>,
    F: Future,
    F::Output: Classify,
{
    let Ok(_) = manager.enter().await;
    let value = body.await;
    let Ok(()) = manager.exit(value.outcome()).await;
    value
}

/// What a careful engineer writes by hand for the guarantee `async_with!`
/// gives: a drop guard that runs `cancel` if the future is dropped between
/// `enter` and the end of `exit`, and `catch_unwind` so `exit` sees a panic
/// and the panic resumes afterwards.
pub async fn hand<M, F>(mut manager: M, body: F) -> F::Output
where
    M: AsyncContextManager<Error = Infallible>,
    F: Future,
    F::Output: Classify,
{
    struct Armed<'m, M: AsyncContextManager> {
        manager: &'m mut M,
        armed: bool,
    }
    impl<M: AsyncContextManager> Drop for Armed<'_, M> {
        fn drop(&mut self) {
            if self.armed {
                self.manager.cancel();
            }
        }
    }

    let Ok(_) = manager.enter().await;
    let mut guard = Armed {
        manager: &mut manager,
        armed: true,
    };
    let mut caught = AssertUnwindSafe(body).catch_unwind().await;
    let outcome = match &mut caught {
        Ok(value) => value.outcome(),
        Err(payload) => Outcome::Panicked(PanicPayload::new(&mut **payload)),
    };
    let Ok(()) = guard.manager.exit(outcome).await;
    guard.armed = false;
    match caught {
        Ok(value) => value,
        Err(payload) => resume_unwind(payload),
    }
}

/// A synchronous drop guard (scopeguard): cleanup on every path, but it
/// cannot await, so the cleanup is the sync `cancel` hook, never `exit`.
pub async fn sync_guard<M, F>(mut manager: M, body: F) -> F::Output
where
    M: AsyncContextManager<Error = Infallible>,
    F: Future,
{
    let Ok(_) = manager.enter().await;
    let _guard = scopeguard::guard(&mut manager, |manager| manager.cancel());
    body.await
}
