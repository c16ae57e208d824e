//! Python's `async with` for async Rust: a block whose cleanup runs in every
//! case.
//!
//! ```
//! use async_with::{async_with, Spotlight};
//! use async_with::led::RecordingPin;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let pin = RecordingPin::new();
//! async_with!(Spotlight::new(pin.clone()) => spot {
//!     assert!(pin.is_high());
//!     // capture frames under steady light...
//! });
//! assert!(pin.is_low());
//! # }
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

pub use async_with_core::{AsyncContextManager, Failure, Guard, Outcome, PanicPayload};

#[cfg(feature = "tokio")]
pub use async_with_core::{SettleError, Spotlight};

/// LEDs for [`Spotlight`]: [`RecordingPin`](led::RecordingPin) for tests, and
/// the Linux backends [`SysfsGpio`](led::SysfsGpio),
/// [`SysfsLed`](led::SysfsLed) and (feature `cdev`) `CdevLine`, with the
/// simulated sysfs in [`led::sim`].
#[cfg(feature = "std")]
pub mod led {
    #[doc(inline)]
    pub use async_with_core::led::*;
}

/// Runs a block inside one or more async context managers.
///
/// See the [crate documentation](crate) for the grammar and the rules.
#[macro_export]
macro_rules! async_with {
    ($($tokens:tt)*) => {
        $crate::__private::async_with_inner!(($crate) $($tokens)*)
    };
}

// Not public API.
#[doc(hidden)]
pub mod __private {
    pub use async_with_core::private::*;
    pub use async_with_macros::async_with_inner;
}
