//! The guard that makes cleanup happen exactly once.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::{AsyncContextManager, Outcome};

/// Owns a manager for the length of one block and runs its cleanup exactly
/// once: `exit` when the block ends, `cancel` when the block's future is
/// dropped after a successful `enter` and before `exit` completed.
///
/// This is the runtime half of `async_with!`; the function API and the exit
/// stack build on it too. It is public so hand-written code can get the same
/// guarantee, but most code never names it.
///
/// # Example
///
/// ```
/// use async_with_core::{Guard, Outcome};
/// # use async_with_core::AsyncContextManager;
/// # struct Door;
/// # impl AsyncContextManager for Door {
/// #     type Target<'a> = ();
/// #     type Error = core::convert::Infallible;
/// #     async fn enter(&mut self) -> Result<(), Self::Error> { Ok(()) }
/// #     async fn exit(&mut self, _: Outcome<'_>) -> Result<(), Self::Error> { Ok(()) }
/// #     fn cancel(&mut self) {}
/// # }
/// # async fn demo() {
/// let mut guard = Guard::new(Door);
/// let target = guard.enter().await;
/// // ... use the target; if this future is dropped here, `Door::cancel` runs ...
/// drop(target);
/// assert!(guard.is_armed());
/// guard.exit(Outcome::Completed).await.unwrap();
/// assert!(!guard.is_armed());
/// # }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo());
/// ```
#[derive(Debug)]
#[must_use = "a guard does nothing unless it is entered"]
pub struct Guard<M: AsyncContextManager> {
    manager: M,
    armed: bool,
}

impl<M: AsyncContextManager> Guard<M> {
    /// Takes ownership of `manager`; nothing happens until [`enter`](Self::enter).
    pub const fn new(manager: M) -> Self {
        Guard {
            manager,
            armed: false,
        }
    }

    /// Awaits the manager's `enter`; from its success on, the guard is armed.
    pub fn enter(&mut self) -> impl Future<Output = Result<M::Target<'_>, M::Error>> {
        // A hand-written future rather than an `async fn`: rustc cannot
        // prove an `async fn` wrapper around the manager's future `Send`
        // when `M` is a reference (`&mut m`), "implementation of
        // `AsyncContextManager` is not general enough" (rust-lang/rust#110338).
        let Guard { manager, armed } = self;
        SetOnReady {
            future: manager.enter(),
            armed,
            arm: true,
        }
    }

    /// Awaits the manager's `exit`; once it completes, the guard is disarmed.
    ///
    /// If this future is dropped before `exit` completes, the guard stays
    /// armed and its drop runs the manager's `cancel` hook instead.
    pub fn exit(&mut self, outcome: Outcome<'_>) -> impl Future<Output = Result<(), M::Error>> {
        debug_assert!(self.armed, "`Guard::exit` without a successful `enter`");
        let Guard { manager, armed } = self;
        SetOnReady {
            future: manager.exit(outcome),
            armed,
            arm: false,
        }
    }

    /// The manager, for awaiting its `exit` directly; the guard stays armed
    /// until [`exited`](Self::exited). Used by the `async_with!` expansion,
    /// whose future is smaller without [`exit`](Self::exit)'s wrapper.
    #[inline]
    pub(crate) fn exiting(&mut self) -> &mut M {
        &mut self.manager
    }

    /// Records that the manager's `exit` completed: disarms the guard.
    #[inline]
    pub(crate) fn exited(&mut self) {
        self.armed = false;
    }

    /// Whether `enter` succeeded and neither `exit` completed nor `cancel` ran.
    pub fn is_armed(&self) -> bool {
        self.armed
    }
}

impl<M: AsyncContextManager> Drop for Guard<M> {
    fn drop(&mut self) {
        if self.armed {
            self.armed = false;
            self.manager.cancel();
        }
    }
}

/// Polls `future`; when it is ready, sets the guard's armed flag to `arm`
/// (`enter` arms only on success, a completed `exit` always disarms).
struct SetOnReady<'g, F> {
    future: F,
    armed: &'g mut bool,
    arm: bool,
}

impl<F: Future<Output = Result<T, E>>, T, E> Future for SetOnReady<'_, F> {
    type Output = Result<T, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out,
        // and `SetOnReady` has no `Drop` impl. The other fields are not
        // pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let result = core::task::ready!(future.poll(cx));
        // A failed `enter` leaves the flag as it was: it must never disarm a
        // guard that an earlier `enter` armed.
        if this.arm {
            *this.armed |= result.is_ok();
        } else {
            *this.armed = false;
        }
        Poll::Ready(result)
    }
}
