//! The [`AsyncContextManager`] trait: paired async setup and teardown.

use core::future::Future;

use crate::Outcome;

/// A resource with async setup and teardown, driven by `async_with!`.
///
/// This is Python's `__aenter__` / `__aexit__` pair, plus one method Python
/// does not need: [`cancel`](Self::cancel). In Rust a future can be dropped at
/// any `.await`; when that happens after `enter` succeeded and before `exit`
/// completed, `exit` can no longer be awaited, so the block runs the
/// synchronous `cancel` hook instead. For every successful `enter` exactly one
/// of { `exit` completed, `cancel` ran } happens.
///
/// # Example
///
/// ```
/// use async_with_core::{AsyncContextManager, Outcome};
/// use core::convert::Infallible;
///
/// /// Counts how many blocks are open.
/// struct Tally(u32);
///
/// impl AsyncContextManager for Tally {
///     type Target<'a> = &'a mut u32;
///     type Error = Infallible;
///
///     async fn enter(&mut self) -> Result<&mut u32, Infallible> {
///         self.0 += 1;
///         Ok(&mut self.0)
///     }
///
///     async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), Infallible> {
///         self.0 -= 1;
///         Ok(())
///     }
///
///     fn cancel(&mut self) {
///         // Nothing to await in our cleanup, so cancellation does the same.
///         self.0 -= 1;
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an async context manager",
    label = "`async_with!` needs an `AsyncContextManager` here",
    note = "implement `async_with::AsyncContextManager` for `{Self}` (`enter`, `exit` and `cancel`), or build one from two async functions with `async_with::manager_fn`",
    note = "pass a manager by value or as `&mut manager` (`&mutex` and `&semaphore` work for Tokio's locks)"
)]
pub trait AsyncContextManager {
    /// What `enter` hands to the block; it may borrow the manager.
    type Target<'a>
    where
        Self: 'a;

    /// The error `enter` and `exit` can fail with.
    ///
    /// A manager that cannot fail uses [`core::convert::Infallible`]; then
    /// `async_with!` needs no `?` mark and works in any async function.
    type Error;

    /// Sets the resource up and returns the block's target.
    ///
    /// If this fails, neither `exit` nor `cancel` is called (as in Python).
    /// If the future is dropped while `enter` is pending, cleaning up is the
    /// manager's own business: make `enter` cancel-safe where it matters.
    ///
    /// # Errors
    ///
    /// [`Self::Error`] when the resource cannot be set up; the block's body
    /// then does not run, and `async_with!` propagates the error like `?`
    /// (a manager marked `manager?`).
    fn enter(&mut self) -> impl Future<Output = Result<Self::Target<'_>, Self::Error>>;

    /// Tears the resource down, told how the block ended.
    ///
    /// Awaited exactly once for every successful `enter`, unless the block is
    /// cancelled first. An error returned here replaces whatever the block
    /// was returning (Python: the exception raised in `__aexit__` wins).
    ///
    /// # Errors
    ///
    /// [`Self::Error`] when the teardown fails; it replaces the block's
    /// value (a body's panic still resumes, and this error is then logged).
    fn exit(&mut self, outcome: Outcome<'_>) -> impl Future<Output = Result<(), Self::Error>>;

    /// Synchronous cleanup for a block that was cancelled.
    ///
    /// Runs exactly once, on the thread that dropped the block's future, when
    /// `enter` succeeded and `exit` did not complete (the body or `exit`
    /// itself was pending). It cannot await. There is deliberately no
    /// default: decide what cancellation means for your resource (turn the
    /// LED off, mark the connection broken, log and leak).
    fn cancel(&mut self);
}

impl<M: AsyncContextManager + ?Sized> AsyncContextManager for &mut M {
    type Target<'a>
        = M::Target<'a>
    where
        Self: 'a;
    type Error = M::Error;

    fn enter(&mut self) -> impl Future<Output = Result<Self::Target<'_>, Self::Error>> {
        (**self).enter()
    }

    fn exit(&mut self, outcome: Outcome<'_>) -> impl Future<Output = Result<(), Self::Error>> {
        (**self).exit(outcome)
    }

    fn cancel(&mut self) {
        (**self).cancel();
    }
}
