//! The core of [`async-with`](https://docs.rs/async-with): the
//! [`AsyncContextManager`] trait, [`Outcome`], the [`Guard`] runtime that
//! makes cleanup happen exactly once, and the LED [`Spotlight`].
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
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

mod guard;
mod manager;
mod outcome;
mod unwind;

#[cfg(feature = "std")]
pub mod led;
#[cfg(feature = "tokio")]
mod spotlight;

#[doc(hidden)]
pub mod private;

pub use guard::Guard;
pub use manager::AsyncContextManager;
pub use outcome::{Failure, Outcome, PanicPayload};
pub use unwind::CatchUnwind;

#[cfg(feature = "tokio")]
pub use spotlight::{SettleError, Spotlight};
