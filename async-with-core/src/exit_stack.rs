//! [`ExitStack`]: a dynamic number of managers and cleanup callbacks, exited
//! in reverse order.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use std::boxed::Box;
use std::vec::Vec;

use crate::{AsyncContextManager, Guard, Outcome, SendAsyncContextManager, SendManager};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The error type an [`ExitStack`] uses unless told otherwise: any
/// `Error + Send + Sync`, boxed.
///
/// A newtype rather than `Box<dyn Error + Send + Sync>` because a trait
/// object as the stack's error type trips rustc's "higher-ranked lifetime
/// error" when a block over the stack is spawned. Like `anyhow::Error` it
/// does not implement `Error` itself (that would conflict with converting
/// from every error); it converts into `Box<dyn Error + Send + Sync>`.
///
/// ```
/// use async_with_core::AnyError;
///
/// let error = AnyError::from(std::fmt::Error);
/// assert_eq!(error.to_string(), "an error occurred when formatting an argument");
/// assert!(error.downcast_ref::<std::fmt::Error>().is_some());
/// ```
pub struct AnyError(Box<dyn std::error::Error + Send + Sync>);

impl AnyError {
    /// The boxed error.
    pub fn into_inner(self) -> Box<dyn std::error::Error + Send + Sync> {
        self.0
    }

    /// The error, if it is an `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref()
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for AnyError {
    fn from(error: E) -> Self {
        AnyError(Box::new(error))
    }
}

impl From<AnyError> for Box<dyn std::error::Error + Send + Sync> {
    fn from(error: AnyError) -> Self {
        error.0
    }
}

impl fmt::Debug for AnyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for AnyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// One pending cleanup. Dropping it while pending is its cancellation.
trait Entry<E>: Send {
    fn exit<'a>(&'a mut self, outcome: Outcome<'a>) -> BoxFuture<'a, Result<(), E>>;
}

/// An entered manager; its guard runs `cancel` when dropped while armed.
struct Managed<M: SendAsyncContextManager>(Guard<SendManager<M>>);

impl<M, E> Entry<E> for Managed<M>
where
    M: SendAsyncContextManager,
    M::Error: Into<E>,
{
    fn exit<'a>(&'a mut self, outcome: Outcome<'a>) -> BoxFuture<'a, Result<(), E>> {
        Box::pin(async move { self.0.exit(outcome).await.map_err(Into::into) })
    }
}

/// A pushed callback: `cleanup` on exit, `cancel` if it never completes.
struct Callback<F, C: FnOnce()> {
    cleanup: Option<F>,
    cancel: Option<C>,
}

impl<F, C, E> Entry<E> for Callback<F, C>
where
    F: Future<Output = Result<(), E>> + Send,
    C: FnOnce() + Send,
{
    fn exit<'a>(&'a mut self, _outcome: Outcome<'a>) -> BoxFuture<'a, Result<(), E>> {
        Box::pin(async move {
            let cleanup = self.cleanup.take();
            let result = match cleanup {
                Some(cleanup) => cleanup.await,
                None => Ok(()),
            };
            // Only now: dropped before this point, `Drop` runs `cancel`.
            self.cancel = None;
            result
        })
    }
}

impl<F, C: FnOnce()> Drop for Callback<F, C> {
    fn drop(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel();
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
///   stack, which is itself a manager) exits everything, last in first out.
///   Every exit runs even when an earlier one failed; the first error is
///   returned in an [`ExitError`] that holds the others too. Each manager is
///   told the block's outcome.
/// - Cancellation (dropping the stack, or the future that is closing it)
///   runs the `cancel` hook of every entry that has not exited, last in
///   first out.
///
/// Managers are boxed (one allocation per entry) and must be owned
/// (`'static`) [`SendAsyncContextManager`]s, so the stack is `Send` and
/// works in spawned tasks. (A lifetime parameter for borrowing managers
/// would be possible, but the stack's futures then trip rustc's
/// "not general enough" limitation in spawned tasks.) [`enter`](Self::enter) drops the target at once and keeps the
/// manager entered; [`enter_map`](Self::enter_map) hands back what a closure
/// makes of the target, which cannot borrow the manager (that would borrow
/// the whole stack): the target itself when it owns its data or borrows
/// something else (a name, the `MutexGuard<'m, T>` of a `&'m Mutex<T>`).
///
/// `E` is the type exit errors are converted into (`M::Error: Into<E>`);
/// the default, [`AnyError`], takes any `Error + Send + Sync`.
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
}

impl<E: 'static> ExitStack<E> {
    /// An empty stack.
    pub fn new() -> Self {
        ExitStack {
            entries: Vec::new(),
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
        }
    }

    /// Enters `manager` and keeps it for exit, dropping its target at once
    /// (Python's `enter_async_context`, ignoring the value). To keep the
    /// target, use [`enter_map`](Self::enter_map): a lock manager's target is
    /// its guard, and dropping it releases the lock.
    ///
    /// If `enter` fails, its error is returned and the manager is not kept:
    /// neither `exit` nor `cancel` will run for it.
    pub async fn enter<M>(&mut self, manager: M) -> Result<(), M::Error>
    where
        M: SendAsyncContextManager + 'static,
        M::Error: Into<E>,
    {
        // Not `enter_map` with a dropping closure: its higher-ranked bound
        // would make the future trip rustc's "not general enough" in tasks.
        let mut guard = Guard::new(SendManager::new(manager));
        drop(guard.enter().await?);
        self.entries.push(Box::new(Managed(guard)));
        Ok(())
    }

    /// Enters `manager`, keeps it for exit, and returns what `keep` makes of
    /// its target; `keep` cannot return a borrow of the manager (it would
    /// borrow the whole stack), so `|target| target` works exactly for
    /// targets that own their data or borrow something else (a
    /// `MutexGuard<'m, T>` for `&'m Mutex<T>`, a name, a handle).
    pub async fn enter_map<M, T, K>(&mut self, manager: M, keep: K) -> Result<T, M::Error>
    where
        M: SendAsyncContextManager + 'static,
        M::Error: Into<E>,
        K: for<'a> FnOnce(M::Target<'a>) -> T,
    {
        let mut guard = Guard::new(SendManager::new(manager));
        let kept = keep(guard.enter().await?);
        self.entries.push(Box::new(Managed(guard)));
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
        self.entries.push(Box::new(Callback {
            cleanup: Some(cleanup),
            cancel: Some(cancel),
        }));
    }

    /// Exits everything, last in first out, telling each manager that the
    /// work completed; see [`close_with`](Self::close_with).
    pub async fn close(&mut self) -> Result<(), ExitError<E>> {
        self.close_with(Outcome::Completed).await
    }

    /// Exits everything, last in first out, telling each manager `outcome`.
    ///
    /// Every entry is exited even when an earlier exit failed. The errors
    /// come back in the order they happened, the first one first. The stack
    /// is empty afterwards. If this future is dropped, the entry being exited
    /// and every one not yet exited are cancelled when the stack is dropped.
    pub async fn close_with(&mut self, mut outcome: Outcome<'_>) -> Result<(), ExitError<E>> {
        let mut errors = Vec::new();
        while let Some(entry) = self.entries.last_mut() {
            // The entry stays on the stack while it exits, so a cancelled
            // close still cancels it.
            if let Err(error) = entry.exit(outcome.reborrow()).await {
                errors.push(error);
            }
            self.entries.pop();
        }
        let mut errors = errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(first) => Err(ExitError {
                first,
                rest: errors.collect(),
            }),
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
impl<E: Send + 'static> AsyncContextManager for ExitStack<E> {
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

crate::impl_send_manager!(impl<E> ExitStack<E> where E: Send + 'static);

/// The errors from closing an [`ExitStack`]: the first one, and the rest in
/// the order they happened.
///
/// It displays as the first error, with a count of the others.
#[derive(Debug)]
pub struct ExitError<E> {
    first: E,
    rest: Vec<E>,
}

impl<E> ExitError<E> {
    /// The first exit error (from the entry exited first, the last entered).
    pub fn first(&self) -> &E {
        &self.first
    }

    /// The other exit errors, in the order they happened.
    pub fn rest(&self) -> &[E] {
        &self.rest
    }

    /// The first exit error, dropping the others.
    pub fn into_first(self) -> E {
        self.first
    }

    /// All the exit errors, in the order they happened.
    pub fn into_vec(self) -> Vec<E> {
        let mut all = Vec::with_capacity(1 + self.rest.len());
        all.push(self.first);
        all.extend(self.rest);
        all
    }
}

impl<E: fmt::Display> fmt::Display for ExitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.first, f)?;
        match self.rest.len() {
            0 => Ok(()),
            1 => f.write_str(" (and 1 more exit error)"),
            more => write!(f, " (and {more} more exit errors)"),
        }
    }
}

// Not `E: Error`, so that `ExitError<AnyError>` is an error too (`AnyError`
// does not implement `Error`); the first error shows in `Display`.
impl<E: fmt::Debug + fmt::Display> std::error::Error for ExitError<E> {}
