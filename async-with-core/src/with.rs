//! The function API: run an async closure inside a manager.
//!
//! [`with`] and [`try_with`] are `async_with!` for generic code: the same
//! runtime ([`Guard`] and [`CatchUnwind`]) and the same guarantees, with the
//! body an async closure instead of a block.

use core::fmt::Debug;

use crate::private::panicked;
use crate::unwind::resume;
use crate::{AsyncContextManager, CatchUnwind, Failure, Guard, Outcome};

/// What a caught panic reports when `exit` also failed and its error type is
/// not known to be `Debug` (in [`with`] nothing says it is).
const UNPRINTABLE_EXIT_ERROR: &str =
    "an `exit` error (in `with` its type is not known to be `Debug`; `try_with` prints it)";

/// Runs `body` inside `manager` and returns its value: Python's
/// `async with manager as target: ...` as a function.
///
/// `enter` is awaited, its target is passed to `body`, and `exit` is awaited
/// exactly once after the body, told how it ended:
///
/// - the body returned: [`Outcome::Completed`], whatever the value is (a
///   generic `T` cannot be told apart from a `Result`; a body that returns
///   `Result` and wants `exit` to see its `Err` as [`Outcome::Failed`] uses
///   [`try_with`]);
/// - the body panicked: [`Outcome::Panicked`], then the panic resumes (an
///   `exit` error is reported on stderr and through `tracing`, not lost);
/// - the future returned by `with` was dropped (cancelled) after `enter`
///   succeeded and before `exit` completed: the manager's `cancel` runs.
///
/// An `enter` error is returned and neither `exit` nor `cancel` runs. An
/// `exit` error is returned and the body's value is dropped (Python: the
/// exception raised in `__aexit__` wins).
///
/// # Limits of today's compiler
///
/// The body must accept the target for any borrow of the manager
/// (`for<'a> AsyncFnOnce(M::Target<'a>)`), and rustc currently reads that
/// as requiring `M: 'static`: a manager that borrows a local (`&mut m`,
/// `&mutex` for a local `Mutex`) does not compile here. And a target that
/// holds a fixed lifetime (`&'static str`, `MutexGuard<'m, T>`) trips
/// rustc's "implementation of `AsyncFnOnce` is not general enough" when the
/// `with` future is awaited inside a spawned task. Use `async_with!` for
/// those: the macro has neither limit. Owned managers with owned targets or
/// targets borrowing the manager (`&'a mut T`) work everywhere.
///
/// # Errors
///
/// `M::Error`: the manager's `enter` error (the body does not run), or its
/// `exit` error (the body's value is dropped).
///
/// # Panics
///
/// A panic of the body resumes after `exit` has run; panics of `enter` and
/// `exit` propagate unchanged.
///
/// # Example
///
/// ```
/// use async_with_core::{nullcontext, with};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let total = with(nullcontext(40), async |n: &mut u32| *n + 2).await;
/// assert_eq!(total, Ok(42));
/// # }
/// ```
pub async fn with<M, F, T>(manager: M, body: F) -> Result<T, M::Error>
where
    M: AsyncContextManager,
    F: for<'a> AsyncFnOnce(M::Target<'a>) -> T,
{
    let mut guard = Guard::new(manager);
    let target = guard.enter().await?;
    let mut caught = CatchUnwind::new(body(target)).await;
    let outcome = match &mut caught {
        Ok(_) => Outcome::Completed,
        Err(payload) => panicked(payload),
    };
    let exit = guard.exit(outcome).await;
    let value = match caught {
        Ok(value) => value,
        Err(payload) => resume(
            payload,
            exit.as_ref()
                .err()
                .map(|_| &UNPRINTABLE_EXIT_ERROR as &dyn Debug),
        ),
    };
    exit?;
    Ok(value)
}

/// Runs a fallible `body` inside `manager`: like [`with`], but an `Err`
/// returned by the body is told to `exit` as [`Outcome::Failed`] (with the
/// error's `Debug` form), and manager errors convert into the body's error
/// type, as `?` inside `async_with!` does.
///
/// The returned value is, in order of precedence: the `enter` error; the
/// `exit` error (it replaces the body's result, `Ok` or `Err`, as the
/// exception raised in Python's `__aexit__` does); the body's result.
///
/// What `exit` sees of the body's error: its `Debug` form only
/// ([`Failure::error`]); `try_with` is generic over the error, and stable
/// Rust cannot pick the typed form ([`Failure::downcast_ref`],
/// [`Failure::as_error`]) for the `'static` errors alone. Write the block
/// with `async_with!` when `exit` must act on the error's type.
///
/// The error type must be `Debug + Sync` so `exit` can be shown it while it
/// runs, possibly on another thread, and convert from the manager's error:
/// for an infallible manager that is `From<Infallible>`, which boxed errors
/// and `anyhow::Error` implement (a thiserror enum needs a variant or an
/// `impl From<Infallible>`). `io::Error`, `String`, `anyhow::Error`,
/// thiserror enums and `Box<dyn Error + Send + Sync>` all are.
///
/// # Errors
///
/// `E`: the manager's `enter` error converted with `From` (the body does
/// not run); else its `exit` error converted with `From`, replacing the
/// body's result; else the body's own `Err`.
///
/// # Panics
///
/// A panic of the body resumes after `exit` has run; panics of `enter` and
/// `exit` propagate unchanged.
///
/// # Example
///
/// ```
/// use async_with_core::{nullcontext, try_with};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// let parsed: Result<u32, BoxError> = try_with(nullcontext("12x"), async |text: &mut &str| {
///     Ok(text.parse::<u32>()?)
/// })
/// .await;
/// assert_eq!(parsed.unwrap_err().to_string(), "invalid digit found in string");
/// # }
/// ```
pub async fn try_with<M, F, T, E>(manager: M, body: F) -> Result<T, E>
where
    M: AsyncContextManager,
    E: From<M::Error> + Debug + Sync,
    F: for<'a> AsyncFnOnce(M::Target<'a>) -> Result<T, E>,
{
    let mut guard = Guard::new(manager);
    let target = guard.enter().await.map_err(E::from)?;
    let mut caught = CatchUnwind::new(body(target)).await;
    let outcome = match &mut caught {
        Ok(Ok(_)) => Outcome::Completed,
        Ok(Err(error)) => Outcome::Failed(Failure::new(&*error)),
        Err(payload) => panicked(payload),
    };
    let exit = guard.exit(outcome).await.map_err(E::from);
    let result = match caught {
        Ok(result) => result,
        Err(payload) => resume(
            payload,
            exit.as_ref().err().map(|error| error as &dyn Debug),
        ),
    };
    exit?;
    result
}
