//! The guard that makes cleanup happen exactly once.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::{AsyncContextManager, Outcome};

/// Where a guarded manager is in its one enter-to-cleanup cycle. `with`,
/// the exit stack and `Detached` keep their managers in a [`Guard`], so
/// this one state machine is the exactly-once rule for all of them; the
/// `async_with!` expansion keeps the same rule with a flag of its own
/// (`private::Held`: entered once and exited once by construction, so
/// `Idle` and `Entered` are all it needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Not entered, or its cleanup already happened.
    Idle,
    /// `enter` succeeded; neither `exit` started nor `cancel` ran.
    Entered,
    /// `exit` was started and has not completed. If its future was dropped,
    /// the exit can never be started again (it may have consumed the
    /// resource, as `manager_fn`'s does): only `cancel` can finish it.
    Exiting,
}

/// Owns a manager for the length of one block and runs its cleanup exactly
/// once: `exit` when the block ends, `cancel` when the block's future is
/// dropped after a successful `enter` and before `exit` completed.
///
/// The function API, the exit stack and [`Detached`](crate::Detached)
/// build on it, and `async_with!` follows the same rule (with an
/// expansion-only twin whose fields it writes directly, for speed). It is
/// public so hand-written code can get the same guarantee, but most code
/// never names it.
///
/// The rule, for each successful `enter`: exactly one of { `exit`
/// completed, `cancel` ran }. An `exit` whose future is dropped before it
/// completes is never started again: the guard's drop (or the next call to
/// [`exit`](Self::exit)) runs `cancel` instead.
///
/// # Panics
///
/// [`enter`](Self::enter) on a guard that is already entered, and
/// [`exit`](Self::exit) on a guard that is not: either would break the
/// one-cleanup-per-enter rule.
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
    state: State,
}

impl<M: AsyncContextManager> Guard<M> {
    /// Takes ownership of `manager`; nothing happens until [`enter`](Self::enter).
    pub const fn new(manager: M) -> Self {
        Guard {
            manager,
            state: State::Idle,
        }
    }

    /// A guard over a manager that needs no `enter` (a pushed callback):
    /// armed from the start.
    #[cfg_attr(not(feature = "std"), allow(dead_code))] // The exit stack's.
    pub(crate) const fn entered(manager: M) -> Self {
        Guard {
            manager,
            state: State::Entered,
        }
    }

    /// Awaits the manager's `enter`; from its success on, the guard is armed.
    ///
    /// # Errors
    ///
    /// `M::Error`, the manager's `enter` error; the guard then stays idle
    /// (unarmed), so neither `exit` nor `cancel` will run.
    ///
    /// # Panics
    ///
    /// If the guard is already entered: a second `enter` before the first
    /// one's cleanup would leave one of them without an `exit` or `cancel`.
    pub fn enter(&mut self) -> impl Future<Output = Result<M::Target<'_>, M::Error>> {
        assert!(
            self.state == State::Idle,
            "`Guard::enter` on a guard that is already entered: exit it first"
        );
        // A hand-written future rather than an `async fn`: rustc cannot
        // prove an `async fn` wrapper around the manager's future `Send`
        // when `M` is a reference (`&mut m`), "implementation of
        // `AsyncContextManager` is not general enough" (rust-lang/rust#110338).
        let Guard { manager, state } = self;
        Entering {
            future: manager.enter(),
            state,
        }
    }

    /// Awaits the manager's `exit`; once it completes, the guard is disarmed.
    ///
    /// If this future is dropped before `exit` completes, the guard stays
    /// armed and its drop runs the manager's `cancel` hook instead. An `exit`
    /// cut short that way is never started again: calling `exit` once more
    /// runs `cancel` at once and returns `Ok(())`.
    ///
    /// # Errors
    ///
    /// `M::Error`, the manager's `exit` error; the guard is disarmed all
    /// the same (the exit completed, so `cancel` will not run).
    ///
    /// # Panics
    ///
    /// If the guard was never entered, or its cleanup already happened.
    pub fn exit(&mut self, outcome: Outcome<'_>) -> impl Future<Output = Result<(), M::Error>> {
        let future = match self.state {
            State::Idle => panic!("`Guard::exit` without a successful `enter`"),
            State::Exiting => {
                self.cancel();
                None
            }
            State::Entered => {
                self.state = State::Exiting;
                Some(self.manager.exit(outcome))
            }
        };
        Exiting {
            future,
            state: &mut self.state,
        }
    }

    /// Whether `enter` succeeded and neither `exit` completed nor `cancel` ran.
    pub fn is_armed(&self) -> bool {
        self.state != State::Idle
    }

    /// Where the manager is in its cycle.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))] // `Detached`'s.
    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// The manager, without changing the guard's state.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))] // `Detached`'s.
    pub(crate) fn manager_mut(&mut self) -> &mut M {
        &mut self.manager
    }

    /// Runs the manager's `cancel` if the guard is armed, and disarms it.
    pub(crate) fn cancel(&mut self) {
        if self.state != State::Idle {
            self.state = State::Idle;
            self.manager.cancel();
        }
    }
}

impl<M: AsyncContextManager> Drop for Guard<M> {
    fn drop(&mut self) {
        self.cancel();
    }
}

pin_project! {
    /// Polls the manager's `enter`; arms the guard when it succeeds.
    struct Entering<'g, F> {
        #[pin]
        future: F,
        state: &'g mut State,
    }
}

impl<F: Future<Output = Result<T, E>>, T, E> Future for Entering<'_, F> {
    type Output = Result<T, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = core::task::ready!(this.future.poll(cx));
        if result.is_ok() {
            **this.state = State::Entered;
        }
        Poll::Ready(result)
    }
}

pin_project! {
    /// Polls the manager's `exit`; disarms the guard when it completes. No
    /// future: an earlier exit was cut short and `cancel` already ran.
    struct Exiting<'g, F> {
        #[pin]
        future: Option<F>,
        state: &'g mut State,
    }
}

impl<F: Future<Output = Result<(), E>>, E> Future for Exiting<'_, F> {
    type Output = Result<(), E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(future) = this.future.as_pin_mut() else {
            return Poll::Ready(Ok(()));
        };
        let result = core::task::ready!(future.poll(cx));
        **this.state = State::Idle;
        Poll::Ready(result)
    }
}
