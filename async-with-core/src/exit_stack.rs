//! [`ExitStack`]: a dynamic number of managers and cleanup callbacks, exited
//! in reverse order.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use std::boxed::Box;
use std::vec::Vec;

use crate::private::panicked;
use crate::unwind::{Payload, resume};
use crate::{
    AnyError, AsyncContextManager, CatchUnwind, ExitError, Guard, Outcome, SendAsyncContextManager,
    SendManager, StackError,
};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One pending cleanup, held in a [`Guard`]: dropping it while pending (or
/// after its exit was cut short) runs its cancellation, exactly once.
trait Entry<E>: Send {
    fn exit<'a>(&'a mut self, outcome: Outcome<'a>) -> BoxFuture<'a, Result<(), E>>;
}

impl<M, E> Entry<E> for Guard<SendManager<M>>
where
    M: SendAsyncContextManager,
    M::Error: Into<E>,
{
    fn exit<'a>(&'a mut self, outcome: Outcome<'a>) -> BoxFuture<'a, Result<(), E>> {
        Box::pin(async move { Guard::exit(self, outcome).await.map_err(Into::into) })
    }
}

/// A pushed callback as a manager, so the guard decides between its
/// `cleanup` and its `cancel` as for any other entry.
struct Callback<F, C> {
    cleanup: Option<F>,
    cancel: Option<C>,
}

impl<F, C, E> AsyncContextManager for Callback<F, C>
where
    F: Future<Output = Result<(), E>> + Send,
    C: FnOnce() + Send,
{
    type Target<'a>
        = ()
    where
        Self: 'a;
    type Error = E;

    fn enter(&mut self) -> impl Future<Output = Result<(), E>> {
        // Never awaited: a callback's guard starts entered.
        core::future::ready(Ok(()))
    }

    fn exit(&mut self, _outcome: Outcome<'_>) -> impl Future<Output = Result<(), E>> {
        self.exit_cleanup()
    }

    fn cancel(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel();
        }
    }
}

impl<F, C, E> SendAsyncContextManager for Callback<F, C>
where
    F: Future<Output = Result<(), E>> + Send,
    C: FnOnce() + Send,
{
    async fn enter_send(&mut self) -> Result<(), E> {
        // Never awaited, like `enter`.
        Ok(())
    }

    fn exit_send(&mut self, _outcome: Outcome<'_>) -> impl Future<Output = Result<(), E>> + Send {
        self.exit_cleanup()
    }
}

impl<F: Future<Output = Result<(), E>>, C, E> Callback<F, C> {
    fn exit_cleanup(&mut self) -> impl Future<Output = Result<(), E>> + use<F, C, E> {
        // Moved into the exit future: cut short, it is dropped with it, and
        // the guard runs `cancel`.
        let cleanup = self.cleanup.take();
        async move {
            match cleanup {
                Some(cleanup) => cleanup.await,
                // The guard starts an exit at most once.
                None => Ok(()),
            }
        }
    }
}

/// Managers entered at run time and cleanup callbacks, exited in reverse
/// order: Python's `contextlib.AsyncExitStack`.
///
/// - [`enter`](Self::enter) enters a manager and keeps it for exit;
///   [`push_callback`](Self::push_callback) adds an async cleanup with a
///   synchronous fallback for cancellation.
/// - [`close`](Self::close) (or leaving an `async_with!` block over the
///   stack, which is itself a manager) exits everything, last in first out,
///   and ends exactly like the same managers nested in `async_with!`, and
///   like Python's `AsyncExitStack`:
///   - every exit runs, even after an earlier one failed;
///   - each exit is told the error that the exits before it (the entries
///     entered after it) raised, as [`Outcome::Failed`] with the error
///     itself (`failure.downcast_ref::<E>()` works), else the block's
///     outcome; a panic (the body's, or one of an exit, which is caught and
///     resumed once every entry is done) outranks errors, as in nested blocks;
///   - the error raised last is returned, with the others reachable through
///     `source()` and [`ExitError::errors`].
/// - Exactly once, also when a close is cut short: every entry is held in a
///   [`Guard`] and taken off the stack before its exit starts. Dropping the
///   future that is closing the stack (a shutdown `timeout`) cancels the
///   entry being exited (its exit is never started again; a
///   [`manager_fn`](fn@crate::manager_fn) whose resource was moved into the cut
///   exit future has that resource dropped instead: its `Drop` is its
///   cleanup) and leaves the rest on the stack: a retried `close` exits
///   them, dropping the stack cancels them, last in first out.
///
/// Managers are boxed (one allocation per entry) and must be owned
/// (`'static`) [`SendAsyncContextManager`]s, so the stack is `Send` and
/// works in spawned tasks: managers from this crate and from
/// [`manager_fn`](fn@crate::manager_fn) are; a hand-written one needs one line,
/// [`impl_send_manager!`](crate::impl_send_manager). (A lifetime parameter
/// for borrowing managers would be possible, but the stack's futures then
/// trip rustc's "not general enough" limitation in spawned tasks.)
/// [`enter`](Self::enter) drops the target at once and keeps the manager
/// entered; [`enter_map`](Self::enter_map) hands back what a closure makes
/// of the target, which cannot borrow the manager (that would borrow the
/// whole stack): the target itself when it owns its data or borrows
/// something else (a name, the `MutexGuard<'m, T>` of a `&'m Mutex<T>`).
///
/// `E` is the type exit errors are converted into (`M::Error: Into<E>`); it
/// must be a [`StackError`] (any `Error + Send + Sync + 'static`) to close.
/// The default, [`AnyError`], takes any `Error + Send + Sync`.
///
/// # Example
///
/// ```
/// use async_with_core::{manager_fn, ExitStack};
/// # use std::sync::{Arc, Mutex};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Arc::new(Mutex::new(Vec::<String>::new()));
/// // One manager per configured LED, known only at run time.
/// let led = |name: &'static str| {
///     let (on, off) = (log.clone(), log.clone());
///     manager_fn(
///         move || { on.lock().unwrap().push(format!("on {name}")); async move { Ok::<_, std::io::Error>(name) } },
///         move |name, _| { off.lock().unwrap().push(format!("off {name}")); async { Ok(()) } },
///         drop,
///     )
/// };
/// let mut stack = ExitStack::<std::io::Error>::new();
/// for name in ["red", "green"] {
///     stack.enter(led(name)).await.unwrap();
/// }
/// stack.close().await.unwrap();
/// assert_eq!(*log.lock().unwrap(), ["on red", "on green", "off green", "off red"]);
/// # }
/// ```
pub struct ExitStack<E = AnyError> {
    entries: Vec<Box<dyn Entry<E>>>,
    /// What a `close` cut short had raised (exit errors, a caught panic):
    /// kept here, not in the close's future, so that a retried `close`
    /// tells the remaining entries and returns (or resumes) it.
    raised: Option<ExitError<E>>,
    panic: Option<Payload>,
}

impl<E: 'static> ExitStack<E> {
    /// An empty stack.
    pub fn new() -> Self {
        ExitStack {
            entries: Vec::new(),
            raised: None,
            panic: None,
        }
    }

    /// How many entries wait for exit.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry waits for exit.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Moves every entry to a new stack and leaves this one empty: Python's
    /// `pop_all()`, to hand the cleanup over to someone else once setup
    /// succeeded.
    pub fn pop_all(&mut self) -> Self {
        ExitStack {
            entries: core::mem::take(&mut self.entries),
            raised: None,
            panic: None,
        }
    }

    /// Enters `manager` and keeps it for exit, dropping its target at once
    /// (Python's `enter_async_context`, ignoring the value). To keep the
    /// target, use [`enter_map`](Self::enter_map): a lock manager's target is
    /// its guard, and dropping it releases the lock.
    ///
    /// If `enter` fails, its error is returned and the manager is not kept:
    /// neither `exit` nor `cancel` will run for it.
    ///
    /// # Errors
    ///
    /// `M::Error`, the manager's `enter` error, unchanged; the stack is as
    /// it was before the call.
    pub async fn enter<M>(&mut self, manager: M) -> Result<(), M::Error>
    where
        M: SendAsyncContextManager + 'static,
        M::Error: Into<E>,
    {
        // Not `enter_map` with a dropping closure: its higher-ranked bound
        // would make the future trip rustc's "not general enough" in tasks.
        let mut guard = Guard::new(SendManager::new(manager));
        drop(guard.enter().await?);
        self.entries.push(Box::new(guard));
        Ok(())
    }

    /// Enters `manager`, keeps it for exit, and returns what `keep` makes of
    /// its target; `keep` cannot return a borrow of the manager (it would
    /// borrow the whole stack), so `|target| target` works exactly for
    /// targets that own their data or borrow something else (a
    /// `MutexGuard<'m, T>` for `&'m Mutex<T>`, a name, a handle).
    ///
    /// # Errors
    ///
    /// `M::Error`, the manager's `enter` error, unchanged; `keep` is not
    /// called and the manager is not kept.
    pub async fn enter_map<M, T, K>(&mut self, manager: M, keep: K) -> Result<T, M::Error>
    where
        M: SendAsyncContextManager + 'static,
        M::Error: Into<E>,
        K: for<'a> FnOnce(M::Target<'a>) -> T,
    {
        let mut guard = Guard::new(SendManager::new(manager));
        let kept = keep(guard.enter().await?);
        self.entries.push(Box::new(guard));
        Ok(kept)
    }

    /// Adds an async cleanup, run in turn on exit (Python's
    /// `push_async_callback`), and the synchronous `cancel` that replaces it
    /// if the stack is cancelled before `cleanup` completes (pass `|| {}` to
    /// do nothing, and say why).
    pub fn push_callback<F, C>(&mut self, cleanup: F, cancel: C)
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
        C: FnOnce() + Send + 'static,
    {
        self.entries
            .push(Box::new(Guard::entered(SendManager::new(Callback {
                cleanup: Some(cleanup),
                cancel: Some(cancel),
            }))));
    }

    /// Exits everything, last in first out, telling each manager that the
    /// work completed; see [`close_with`](Self::close_with).
    ///
    /// # Errors
    ///
    /// As [`close_with`](Self::close_with): an [`ExitError`] holding the
    /// error raised last, the earlier ones its `source()` chain.
    ///
    /// # Panics
    ///
    /// Resumes an exit's panic once every entry is done, as
    /// [`close_with`](Self::close_with) does.
    pub async fn close(&mut self) -> Result<(), ExitError<E>>
    where
        E: StackError,
    {
        self.close_with(Outcome::Completed).await
    }

    /// Exits everything, last in first out, telling the first manager
    /// `outcome` and each one after it what the exits before it raised.
    ///
    /// Every entry is exited even when an earlier exit failed or panicked.
    /// The error raised last is returned; the others are its `source()`
    /// chain. The stack is empty afterwards.
    ///
    /// # Errors
    ///
    /// An [`ExitError`] when an exit or a pushed callback fails: the error
    /// raised last (the exit that ran last, so the stack's first entry when
    /// several fail), with the earlier ones reachable through
    /// [`ExitError::context`], `source()` and [`ExitError::errors`]. A retry
    /// after a cut-short close also returns what the cut one raised.
    ///
    /// # Panics
    ///
    /// Resumes a panic of an exit once every entry is done (the panicking
    /// entry's `cancel` runs, since its exit did not complete); the last
    /// panic wins, as in nested blocks, and exit errors are then logged.
    ///
    /// # Cancellation
    ///
    /// If this future is dropped, the entry being exited is cancelled at
    /// once (its exit is never started again) and the entries not yet
    /// exited stay on the stack for a retried `close`, or for cancellation
    /// when the stack is dropped. What the cut close had raised is kept: a
    /// retried `close` tells it to the remaining entries and returns it (or
    /// resumes the panic), as the uncut close would have.
    pub async fn close_with(&mut self, mut outcome: Outcome<'_>) -> Result<(), ExitError<E>>
    where
        E: StackError,
    {
        // In the stack rather than in this future: a close cut short and
        // retried goes on with what the cut one raised.
        let ExitStack {
            entries,
            raised,
            panic,
        } = self;
        // Popped before it exits: if this future is dropped, the entry goes
        // with it and its guard cancels it; a retry never sees it again.
        while let Some(mut entry) = entries.pop() {
            let told = match (&mut *panic, &*raised) {
                (Some(payload), _) => panicked(payload),
                (None, Some(error)) if !matches!(outcome, Outcome::Panicked(_)) => {
                    Outcome::Failed(error.error().failure())
                }
                (None, _) => outcome.reborrow(),
            };
            match CatchUnwind::new(entry.exit(told)).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    *raised = Some(match raised.take() {
                        Some(earlier) => earlier.then(error),
                        None => ExitError::new(error),
                    });
                }
                Err(payload) => {
                    // Its exit did not complete: dropping it cancels it.
                    drop(entry);
                    *panic = Some(payload);
                }
            }
        }
        let raised = raised.take();
        if let Some(payload) = panic.take() {
            resume(
                payload,
                raised.as_ref().map(|error| error as &dyn fmt::Debug),
            );
        }
        match raised {
            None => Ok(()),
            Some(error) => Err(error),
        }
    }
}

impl<E> ExitStack<E> {
    /// Runs the `cancel` hook of every pending entry, last in first out.
    fn cancel_all(&mut self) {
        while let Some(entry) = self.entries.pop() {
            drop(entry);
        }
    }
}

impl<E: 'static> Default for ExitStack<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> fmt::Debug for ExitStack<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExitStack")
            .field("pending", &self.entries.len())
            .finish()
    }
}

impl<E> Drop for ExitStack<E> {
    fn drop(&mut self) {
        // `Vec` would drop first in first out; cancellation is the reverse.
        self.cancel_all();
    }
}

/// The stack as a manager: entering does nothing, the target is the stack,
/// exit closes it with the block's outcome, cancel cancels every entry.
// The futures are declared `Send` (refining the trait) so that a block over
// the stack is `Send` without the compiler looking through them, which
// trips rustc's "not general enough" limitation inside spawned tasks.
#[allow(refining_impl_trait)]
impl<E: StackError> AsyncContextManager for ExitStack<E> {
    type Target<'a>
        = &'a mut ExitStack<E>
    where
        Self: 'a;
    type Error = ExitError<E>;

    fn enter(&mut self) -> impl Future<Output = Result<&mut Self, ExitError<E>>> + Send {
        core::future::ready(Ok(self))
    }

    fn exit(
        &mut self,
        outcome: Outcome<'_>,
    ) -> impl Future<Output = Result<(), ExitError<E>>> + Send {
        self.close_with(outcome)
    }

    fn cancel(&mut self) {
        self.cancel_all();
    }
}

crate::impl_send_manager!(impl<E> ExitStack<E> where E: StackError);
