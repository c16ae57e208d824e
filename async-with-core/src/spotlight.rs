//! [`Spotlight`]: an LED that is on for exactly the length of a block.

use core::fmt;
use core::time::Duration;

use embedded_hal::digital::OutputPin;
use tokio::time::Instant;

use crate::{AsyncContextManager, Outcome};

/// Lights an LED for the length of an `async_with!` block, with a settling
/// delay so the light is steady before the body runs.
///
/// Enter turns the LED on and awaits the settle delay (default
/// [`DEFAULT_SETTLE`](Self::DEFAULT_SETTLE), 50 ms) with
/// `tokio::time::sleep`; exit and the cancellation hook turn it off. The
/// block's target is the spotlight itself (`&mut Spotlight<L>`), so the body
/// can reach the LED and see when the light [settled](Self::settled_at).
///
/// Enter is cancel-safe: if its future is dropped during the settle, or
/// turning the LED on fails, the LED is turned off again before enter gives
/// up, so a spotlight never leaves its LED on.
///
/// The settle is a `tokio::time::sleep`, so enter must run inside a Tokio
/// runtime with its time driver enabled (`#[tokio::main]` has it);
/// [`settled_at`](Self::settled_at) is Tokio's clock, so it follows paused
/// time in tests.
///
/// The error type is the pin's: a spotlight over a pin that cannot fail
/// (`Error = Infallible`) cannot fail either, and `async_with!` needs no `?`
/// mark. The Linux backends in [`led`](crate::led) fail with
/// [`LedError`](crate::led::LedError) and are marked with `?`.
///
/// # Example
///
/// ```
/// use async_with_core::Spotlight;
/// use async_with_core::led::RecordingPin;
/// use async_with_core::AsyncContextManager;
/// # use async_with_core::Outcome;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let pin = RecordingPin::new();
/// let mut spot = Spotlight::new(pin.clone());
/// // What `async_with!(spot => s { ... })` does, by hand:
/// let s = spot.enter().await.unwrap();
/// assert!(s.led().is_high());
/// assert!(s.settled_at().is_some());
/// spot.exit(Outcome::Completed).await.unwrap();
/// assert_eq!(pin.history(), [true, false]);
/// # }
/// ```
pub struct Spotlight<L> {
    led: L,
    settle: Duration,
    settled_at: Option<Instant>,
}

/// A settle delay [`Spotlight::settle`] refused: zero, or longer than
/// [`Spotlight::MAX_SETTLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettleError {
    /// A zero settle gives the light no time to become steady.
    #[error(
        "a spotlight's settle delay must be longer than zero: pass at least a few milliseconds (the default is 50 ms)"
    )]
    Zero,
    /// A settle this long is almost certainly a unit mistake.
    #[error(
        "a spotlight's settle delay of {0:?} is longer than the 10 s limit: did you mean milliseconds? (`Duration::from_millis`)"
    )]
    TooLong(Duration),
}

impl<L: OutputPin> Spotlight<L> {
    /// The settle delay a new spotlight uses: 50 ms.
    pub const DEFAULT_SETTLE: Duration = Duration::from_millis(50);

    /// The longest settle delay [`settle`](Self::settle) accepts: 10 s.
    pub const MAX_SETTLE: Duration = Duration::from_secs(10);

    /// A spotlight over `led`, with the default 50 ms settle delay.
    ///
    /// Nothing is written to the LED until the block is entered.
    ///
    /// ```
    /// use async_with_core::{led::RecordingPin, Spotlight};
    ///
    /// let spot = Spotlight::new(RecordingPin::new());
    /// assert_eq!(spot.settle_delay(), Spotlight::<RecordingPin>::DEFAULT_SETTLE);
    /// assert!(spot.led().history().is_empty());
    /// ```
    pub const fn new(led: L) -> Self {
        Spotlight {
            led,
            settle: Self::DEFAULT_SETTLE,
            settled_at: None,
        }
    }

    /// Sets the settle delay, refusing zero and anything over 10 s.
    ///
    /// It returns a `Result`, so build the spotlight before the macro: a
    /// top-level `?` inside `async_with!` is the manager's fallibility mark,
    /// not an unwrap.
    ///
    /// ```
    /// use std::time::Duration;
    /// use async_with_core::{led::RecordingPin, Spotlight};
    ///
    /// let spot = Spotlight::new(RecordingPin::new()).settle(Duration::from_millis(20)).unwrap();
    /// assert_eq!(spot.settle_delay(), Duration::from_millis(20));
    ///
    /// let err = Spotlight::new(RecordingPin::new()).settle(Duration::ZERO).unwrap_err();
    /// assert!(err.to_string().contains("longer than zero"));
    /// ```
    pub fn settle(mut self, settle: Duration) -> Result<Self, SettleError> {
        if settle.is_zero() {
            return Err(SettleError::Zero);
        }
        if settle > Self::MAX_SETTLE {
            return Err(SettleError::TooLong(settle));
        }
        self.settle = settle;
        Ok(self)
    }

    /// The settle delay enter awaits after turning the LED on.
    pub fn settle_delay(&self) -> Duration {
        self.settle
    }

    /// When the light became steady: `Some` inside the block (after enter's
    /// settle), `None` before enter and after exit or cancellation.
    ///
    /// This is Tokio's clock, so it follows paused time in tests.
    pub fn settled_at(&self) -> Option<Instant> {
        self.settled_at
    }

    /// The LED this spotlight lights.
    pub fn led(&self) -> &L {
        &self.led
    }

    /// The LED, mutably (for example to blink it inside the block).
    pub fn led_mut(&mut self) -> &mut L {
        &mut self.led
    }

    /// Gives the LED back, in whatever state it is.
    pub fn into_inner(self) -> L {
        self.led
    }
}

/// Turns the LED off when dropped while armed: what makes enter cancel-safe.
struct LitGuard<'a, L: OutputPin> {
    led: &'a mut L,
    armed: bool,
}

impl<L: OutputPin> Drop for LitGuard<'_, L> {
    fn drop(&mut self) {
        if self.armed {
            if let Err(error) = self.led.set_low() {
                tracing::warn!(
                    ?error,
                    "spotlight: turning the LED off after a failed or cancelled enter failed"
                );
            }
        }
    }
}

impl<L: OutputPin> AsyncContextManager for Spotlight<L> {
    type Target<'a>
        = &'a mut Spotlight<L>
    where
        Self: 'a;
    type Error = L::Error;

    async fn enter(&mut self) -> Result<&mut Self, L::Error> {
        self.settled_at = None;
        let settle = self.settle;
        // Armed before `set_high`: a pin that fails half-way may be on.
        let mut lit = LitGuard {
            led: &mut self.led,
            armed: true,
        };
        lit.led.set_high()?;
        tokio::time::sleep(settle).await;
        lit.armed = false;
        drop(lit);
        self.settled_at = Some(Instant::now());
        Ok(self)
    }

    async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), L::Error> {
        self.settled_at = None;
        self.led.set_low()
    }

    fn cancel(&mut self) {
        self.settled_at = None;
        if let Err(error) = self.led.set_low() {
            tracing::warn!(
                ?error,
                "spotlight: turning the LED off on cancellation failed"
            );
        }
    }
}

impl<L: fmt::Debug> fmt::Debug for Spotlight<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spotlight")
            .field("led", &self.led)
            .field("settle", &self.settle)
            .field("settled_at", &self.settled_at)
            .finish()
    }
}
