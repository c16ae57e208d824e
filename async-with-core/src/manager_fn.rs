//! [`manager_fn`]: a manager built from an enter function and an exit
//! function.

use core::fmt;
use core::future::Future;

use crate::{AsyncContextManager, Outcome, SendAsyncContextManager};

/// Builds a manager from three functions, so a one-off resource needs no
/// trait impl: Python's `@asynccontextmanager`, with the code before and
/// after `yield` as two functions.
///
/// - `enter()` returns a future that sets the resource up (`Ok(resource)`)
///   or fails. The block's target is `&mut resource`.
/// - `exit(resource, outcome)` gets the resource back, by value, with how
///   the block ended, and returns the future that tears it down.
/// - `cancel(resource)` is the synchronous cleanup for a cancelled block
///   (see [`AsyncContextManager::cancel`]). It is required, as it is in the
///   trait: pass [`drop`] to let the resource's own `Drop` handle
///   cancellation, or [`core::mem::forget`] to leak it, and say so at the
///   call site.
///
/// `exit` looks at the outcome before it returns its future: the future may
/// not borrow the outcome (copy out what it needs first, as the example
/// does). That, and taking functions that return futures rather than
/// `async` closures, is what makes the manager a [`SendAsyncContextManager`]
/// when the futures are `Send`, so it works in an
/// [`ExitStack`](crate::ExitStack) and in spawned generic code: an `async`
/// closure's future cannot be bounded `Send` on stable Rust.
///
/// In a spawned task, let the functions capture owned values (`String`,
/// clones of an `Arc`) rather than references, even `&'static str`: a
/// captured reference trips rustc's "`Send` is not general enough"
/// (the exit function's bound is higher-ranked over the outcome's lifetime).
/// For the same reason a block over `&mut manager_fn(..)` is not `Send`;
/// move the manager in.
///
/// **The resource's `Drop` is its cleanup when an exit is cut short.** If
/// the block (or the [`ExitStack`](crate::ExitStack) close, or the
/// [`Detached`](crate::Detached) wrapper) is cancelled while `exit`'s
/// future is pending, the resource has already been moved into that future
/// and is dropped with it; `cancel` is then called on nothing (there is no
/// resource left to give it), and the exit is never started again. Give the
/// resource a `Drop` that is a safe last resort (close the socket, turn the
/// LED off) when exits can be cut, as shutdown timeouts do.
///
/// The functions are `FnMut`: the manager can be entered again after it
/// exited or was cancelled.
///
/// # Panics
///
/// Driven through the raw trait (not `async_with!`, [`with`](fn@crate::with),
/// [`Guard`](crate::Guard) or the exit stack, which cannot get this wrong):
/// `enter` while the resource of an earlier `enter` is still held (it would
/// be dropped without its exit), and `exit` without a resource.
///
/// # Example
///
/// ```
/// use async_with_core::{manager_fn, with};
/// use std::sync::{Arc, Mutex};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let (on_enter, on_exit) = (log.clone(), log.clone());
/// let connection = manager_fn(
///     move || {
///         let log = on_enter.clone();
///         async move {
///             log.lock().unwrap().push("open".to_owned());
///             Ok::<_, std::io::Error>(String::from("conn-1"))
///         }
///     },
///     move |conn: String, outcome| {
///         let (log, how) = (on_exit.clone(), outcome.to_string());
///         async move {
///             log.lock().unwrap().push(format!("close {conn}: {how}"));
///             Ok(())
///         }
///     },
///     drop,
/// );
/// let id = with(connection, async |conn: &mut String| conn.len()).await.unwrap();
/// assert_eq!(id, 6);
/// assert_eq!(*log.lock().unwrap(), ["open", "close conn-1: completed"]);
/// # }
/// ```
pub fn manager_fn<R, E, En, EnFut, Ex, ExFut, C>(
    enter: En,
    exit: Ex,
    cancel: C,
) -> ManagerFn<R, En, Ex, C>
where
    En: FnMut() -> EnFut,
    EnFut: Future<Output = Result<R, E>>,
    Ex: FnMut(R, Outcome<'_>) -> ExFut,
    ExFut: Future<Output = Result<(), E>>,
    C: FnMut(R),
{
    ManagerFn {
        resource: None,
        enter,
        exit,
        cancel,
    }
}

/// The manager [`manager_fn`] returns.
pub struct ManagerFn<R, En, Ex, C> {
    /// Present between a successful `enter` and `exit` or `cancel`.
    resource: Option<R>,
    enter: En,
    exit: Ex,
    cancel: C,
}

impl<R, En, Ex, C> fmt::Debug for ManagerFn<R, En, Ex, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagerFn")
            .field("entered", &self.resource.is_some())
            .finish_non_exhaustive()
    }
}

const ENTERED_TWICE: &str = "`ManagerFn` entered again while it holds the resource of an earlier `enter`; exit or cancel that one first (`async_with!`, `with`, `Guard` and `ExitStack` do)";

const NOT_ENTERED: &str = "`ManagerFn` exited or cancelled without a successful `enter` (drive it with `async_with!`, `with` or `Guard`)";

impl<R, E, En, EnFut, Ex, ExFut, C> AsyncContextManager for ManagerFn<R, En, Ex, C>
where
    En: FnMut() -> EnFut,
    EnFut: Future<Output = Result<R, E>>,
    Ex: FnMut(R, Outcome<'_>) -> ExFut,
    ExFut: Future<Output = Result<(), E>>,
    C: FnMut(R),
{
    type Target<'a>
        = &'a mut R
    where
        Self: 'a;
    type Error = E;

    async fn enter(&mut self) -> Result<&mut R, E> {
        assert!(self.resource.is_none(), "{ENTERED_TWICE}");
        let resource = (self.enter)().await?;
        Ok(self.resource.insert(resource))
    }

    fn exit(&mut self, outcome: Outcome<'_>) -> impl Future<Output = Result<(), E>> {
        let resource = self.resource.take().expect(NOT_ENTERED);
        (self.exit)(resource, outcome)
    }

    fn cancel(&mut self) {
        // Empty when the block was cancelled while `exit` was pending: the
        // resource was moved into the exit future and dropped with it.
        if let Some(resource) = self.resource.take() {
            (self.cancel)(resource);
        }
    }
}

impl<R, E, En, EnFut, Ex, ExFut, C> SendAsyncContextManager for ManagerFn<R, En, Ex, C>
where
    R: Send,
    E: Send,
    En: FnMut() -> EnFut + Send,
    EnFut: Future<Output = Result<R, E>> + Send,
    Ex: FnMut(R, Outcome<'_>) -> ExFut + Send,
    ExFut: Future<Output = Result<(), E>> + Send,
    C: FnMut(R) + Send,
{
    fn enter_send(&mut self) -> impl Future<Output = Result<&mut R, E>> + Send {
        self.enter()
    }

    fn exit_send(&mut self, outcome: Outcome<'_>) -> impl Future<Output = Result<(), E>> + Send {
        self.exit(outcome)
    }
}
