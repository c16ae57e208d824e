//! The core of [`async-with`](https://docs.rs/async-with): the
//! [`AsyncContextManager`] trait, [`Outcome`], the [`Guard`] runtime that
//! makes cleanup happen exactly once, and the LED [`Spotlight`].
//!
//! Beyond the trait, the rest of Python's `contextlib`: [`with`](fn@with) and
//! [`try_with`] (the block as a function), [`manager_fn`](fn@manager_fn)
//! (`@asynccontextmanager`), [`ExitStack`] (`AsyncExitStack`),
//! [`nullcontext`](fn@nullcontext), Tokio's locks as managers, [`Detached`] (async cleanup on
//! cancellation) and [`SendAsyncContextManager`] for generic code that spawns.
//!
//! Depend on the `async-with` facade instead: it re-exports everything here
//! together with the `async_with!` macro.
//!
//! # Features
//!
//! - `std` (default): panics in a body are caught, told to `exit` and resumed.
//! - `tokio` (default): `Spotlight`'s settle delay, the Tokio lock managers
//!   and the detached exit.
//! - `sysfs` (default): the Linux sysfs GPIO and LED class backends.
//! - `sim` (default): a simulated sysfs for tests and the demo.
//! - `cdev`: the GPIO character device backend (gpiocdev).
//! - `tracing` (on with `std`): failures that cannot be returned (an LED
//!   that would not turn off in a cancellation hook) are logged through
//!   `tracing`.
//! - `defmt`: the same, through `defmt`, for microcontrollers.
//!
//! With `default-features = false` the crate builds with `core` alone (no
//! `alloc`, no `std`), for example for `thumbv6m-none-eabi`: the trait,
//! [`Outcome`], the [`Guard`], the function API, [`nullcontext`](fn@nullcontext),
//! [`manager_fn`](fn@manager_fn) and [`Spotlight`] over any `OutputPin` and any
//! `embedded_hal_async::delay::DelayNs`.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

mod delay;
#[cfg(feature = "tokio")]
mod detached;
#[cfg(feature = "std")]
mod exit_error;
#[cfg(feature = "std")]
mod exit_stack;
mod guard;
#[cfg(feature = "tokio")]
mod locks;
mod log;
mod manager;
mod manager_fn;
mod nullcontext;
mod outcome;
mod send;
mod unwind;
mod with;

#[cfg(feature = "std")]
pub mod led;
mod spotlight;

#[doc(hidden)]
pub mod private;

pub use guard::Guard;
pub use manager::AsyncContextManager;
pub use outcome::{Failure, Outcome, PanicPayload};
pub use unwind::CatchUnwind;

#[cfg(feature = "tokio")]
pub use delay::TokioDelay;
#[cfg(feature = "tokio")]
pub use detached::{DEFAULT_DETACHED_TIMEOUT, Detached};
#[cfg(feature = "std")]
pub use exit_error::{AnyError, ExitError, StackError};
#[cfg(feature = "std")]
pub use exit_stack::ExitStack;
#[cfg(feature = "tokio")]
pub use locks::{Permits, ReadLock, RwLockExt, SemaphoreExt, WriteLock};
pub use manager_fn::{ManagerFn, manager_fn};
pub use nullcontext::{NullContext, nullcontext};
pub use send::{SendAsyncContextManager, SendManager};
pub use spotlight::Spotlight;
pub use with::{try_with, with};
