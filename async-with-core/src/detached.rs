//! [`Detached`]: on cancellation, run the async `exit` as a Tokio task.

use core::fmt::{self, Debug};
use core::future::Future;
use std::time::Duration;

use crate::{AsyncContextManager, Outcome, SendAsyncContextManager};

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
/// So the exactly-once rule still holds for the inner manager: for each
/// successful `enter`, either its `exit` completed or its `cancel` ran.
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
/// hand it to the task, so a `Detached` whose block was cancelled is spent
/// and cannot be entered again.
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
pub struct Detached<M> {
    manager: Option<M>,
    timeout: Duration,
}

impl<M> Detached<M> {
    /// Wraps `manager`, with a detached exit bounded by
    /// [`DEFAULT_DETACHED_TIMEOUT`].
    pub const fn new(manager: M) -> Self {
        Detached {
            manager: Some(manager),
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
        self.manager.as_mut()
    }

    fn manager(&mut self) -> &mut M {
        self.manager.as_mut().expect(
            "`Detached` entered after a cancelled block handed its manager to a detached exit; wrap a fresh manager",
        )
    }
}

impl<M> Debug for Detached<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Detached")
            .field("spent", &self.manager.is_none())
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
        self.manager().enter_send().await
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), M::Error> {
        self.manager().exit_send(outcome).await
    }

    fn cancel(&mut self) {
        let Some(manager) = self.manager.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(detached_exit(manager, self.timeout));
            }
            Err(_) => {
                let mut manager = manager;
                manager.cancel();
            }
        }
    }
}

crate::impl_send_manager!(impl<M> Detached<M> where M: SendAsyncContextManager + 'static, M::Error: Debug);

/// Runs the inner manager's `cancel` unless disarmed: covers the timeout and
/// a runtime that drops the task before `exit` completed.
struct CancelUnlessExited<M: AsyncContextManager>(Option<M>);

impl<M: AsyncContextManager> Drop for CancelUnlessExited<M> {
    fn drop(&mut self) {
        if let Some(manager) = self.0.as_mut() {
            manager.cancel();
        }
    }
}

fn detached_exit<M>(manager: M, timeout: Duration) -> impl Future<Output = ()> + Send + 'static
where
    M: SendAsyncContextManager + 'static,
    M::Error: Debug,
{
    // Built before the task starts, so a task dropped before its first poll
    // (a runtime shutting down) still cancels.
    let mut pending = CancelUnlessExited(Some(manager));
    async move {
        let exit = match pending.0.as_mut() {
            Some(manager) => manager.exit_send(Outcome::Cancelled),
            None => return,
        };
        let result = tokio::time::timeout(timeout, exit).await;
        match result {
            Ok(result) => {
                // Exit completed, so the manager's `cancel` must not run.
                drop(pending.0.take());
                if let Err(error) = result {
                    // Nobody awaits this task: report rather than lose it,
                    // as a failed `exit` during a panic is reported.
                    tracing::error!(?error, "async-with: detached `exit` failed");
                    std::eprintln!("async-with: detached `exit` failed: {error:?}");
                }
            }
            Err(_elapsed) => {
                tracing::warn!(
                    ?timeout,
                    "async-with: detached `exit` timed out; running the manager's `cancel`"
                );
                // `pending` still holds the manager: dropping it cancels.
            }
        }
    }
}
