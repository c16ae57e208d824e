//! [`Detached`]: on cancellation, run the async `exit` as a Tokio task.

use core::fmt::{self, Debug};
use std::time::Duration;

use crate::guard::State;
use crate::{AsyncContextManager, Guard, Outcome, SendAsyncContextManager, SendManager};

/// How long a detached exit may run before it is abandoned, unless set with
/// [`Detached::timeout`].
pub const DEFAULT_DETACHED_TIMEOUT: Duration = Duration::from_secs(5);

/// Wraps an owned manager whose cleanup must be async (closing a connection,
/// a graceful shutdown handshake) so that a cancelled block still gets an
/// async exit: Trio's and AnyIO's shielded cleanup, in Tokio.
///
/// On normal exit nothing changes: the manager's `exit` is awaited in the
/// block. When the block is cancelled after `enter` succeeded and before
/// `exit` completed, the sync `cancel` hook of `Detached` moves the manager
/// into a task spawned on the current Tokio runtime
/// ([`Handle::try_current`](tokio::runtime::Handle::try_current)), which
/// awaits `exit(Outcome::Cancelled)`, bounded by the timeout:
///
/// - exit completed: done (an exit error is reported through `tracing`
///   and on stderr, since nothing awaits the task);
/// - the timeout elapsed, or the runtime shut down and dropped the task: the
///   manager's own `cancel` runs;
/// - no runtime is running on the dropping thread: the manager's own
///   `cancel` runs at once, as without the wrapper.
///
/// - the block was cancelled while its own `exit` was running (the exit was
///   started and cut short): the exit is not started a second time; the
///   manager's `cancel` runs at once (for a [`manager_fn`](fn@crate::manager_fn)
///   whose resource was moved into the cut exit, the resource's `Drop` was
///   its cleanup and `cancel` has nothing left to do).
///
/// So the exactly-once rule still holds for the inner manager: for each
/// successful `enter`, either its `exit` completed or its `cancel` ran. The
/// inner manager is held in a [`Guard`], the same state machine as every
/// other holder's.
///
/// **When to use it:** the resource is owned (`'static`, `Send`), its sync
/// `cancel` would be a poor substitute for its async exit, and finishing the
/// cleanup a little after the cancelled block is acceptable. **Cost:** one
/// spawned task and one timer per *cancelled* block (nothing on the normal
/// path beyond an `Option` check), and the cleanup outlives the block, so
/// code after the cancellation cannot assume it is done. Do not use it for
/// managers whose cleanup must be finished before the next block starts (a
/// Spotlight's LED): use their synchronous `cancel`.
///
/// The wrapper owns the manager in an `Option`: the cancel hook takes it to
/// hand it to the task, so a `Detached` whose block was cancelled outside
/// its exit is spent and cannot be entered again.
///
/// # Panics
///
/// Entering a spent `Detached`, or entering it again while it is entered.
///
/// # Example
///
/// ```
/// use async_with_core::{manager_fn, with, Detached};
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Arc::new(Mutex::new(Vec::<String>::new()));
/// let closed = log.clone();
/// let connection = manager_fn(
///     || async { Ok::<_, std::io::Error>("conn") },
///     move |_conn, outcome| {
///         let (log, how) = (closed.clone(), outcome.to_string());
///         async move { log.lock().unwrap().push(format!("goodbye sent ({how})")); Ok(()) }
///     },
///     drop,
/// );
/// let block = with(Detached::new(connection).timeout(Duration::from_secs(1)), async |_conn| {
///     std::future::pending::<()>().await // cancelled below, while pending
/// });
/// // Cancel the block after it entered: poll it once, then drop it.
/// tokio::select! {
///     biased;
///     _ = block => unreachable!("the body never finishes"),
///     _ = std::future::ready(()) => {}
/// }
/// tokio::task::yield_now().await; // let the detached exit run
/// assert_eq!(*log.lock().unwrap(), ["goodbye sent (cancelled)"]);
/// # }
/// ```
pub struct Detached<M: SendAsyncContextManager> {
    guard: Option<Guard<SendManager<M>>>,
    timeout: Duration,
}

impl<M: SendAsyncContextManager> Detached<M> {
    /// Wraps `manager`, with a detached exit bounded by
    /// [`DEFAULT_DETACHED_TIMEOUT`].
    pub const fn new(manager: M) -> Self {
        Detached {
            guard: Some(Guard::new(SendManager::new(manager))),
            timeout: DEFAULT_DETACHED_TIMEOUT,
        }
    }

    /// Sets how long a detached exit may run before the manager's `cancel`
    /// runs instead.
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The manager, unless a cancelled block handed it to a detached exit.
    pub fn get_mut(&mut self) -> Option<&mut M> {
        Some(self.guard.as_mut()?.manager_mut().get_mut())
    }

    fn guard(&mut self) -> &mut Guard<SendManager<M>> {
        self.guard.as_mut().expect(
            "`Detached` entered after a cancelled block handed its manager to a detached exit; wrap a fresh manager",
        )
    }
}

impl<M: SendAsyncContextManager> Debug for Detached<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Detached")
            .field("spent", &self.guard.is_none())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<M> AsyncContextManager for Detached<M>
where
    M: SendAsyncContextManager + 'static,
    M::Error: Debug,
{
    type Target<'a>
        = M::Target<'a>
    where
        Self: 'a;
    type Error = M::Error;

    async fn enter(&mut self) -> Result<M::Target<'_>, M::Error> {
        self.guard().enter().await
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), M::Error> {
        self.guard().exit(outcome).await
    }

    fn cancel(&mut self) {
        let Some(guard) = self.guard.as_mut() else {
            return;
        };
        match (guard.state(), tokio::runtime::Handle::try_current()) {
            (State::Idle, _) => {}
            // Its exit was started and cut short: never start it again.
            (State::Exiting, _) | (State::Entered, Err(_)) => guard.cancel(),
            (State::Entered, Ok(runtime)) => {
                if let Some(guard) = self.guard.take() {
                    runtime.spawn(detached_exit(guard, self.timeout));
                }
            }
        }
    }
}

crate::impl_send_manager!(impl<M> Detached<M> where M: SendAsyncContextManager + 'static, M::Error: Debug);

async fn detached_exit<M>(mut guard: Guard<SendManager<M>>, timeout: Duration)
where
    M: SendAsyncContextManager + 'static,
    M::Error: Debug,
{
    // The guard is moved in when the task is made: a task dropped before
    // its first poll (a runtime shutting down), or cut by the timeout,
    // drops it armed, and its drop runs the manager's `cancel`.
    match tokio::time::timeout(timeout, guard.exit(Outcome::Cancelled)).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            // Nobody awaits this task: report rather than lose it, as a
            // failed `exit` during a panic is reported.
            tracing::error!(?error, "async-with: detached `exit` failed");
            std::eprintln!("async-with: detached `exit` failed: {error:?}");
        }
        Err(_elapsed) => {
            tracing::warn!(
                ?timeout,
                "async-with: detached `exit` timed out; running the manager's `cancel`"
            );
        }
    }
}
