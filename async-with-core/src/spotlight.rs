//! [`Spotlight`]: an LED that is on for exactly the length of a block.

use core::fmt;
use core::time::Duration;

use embedded_hal::digital::OutputPin;
use embedded_hal_async::delay::DelayNs;

#[cfg(feature = "tokio")]
use crate::TokioDelay;
use crate::{AsyncContextManager, Outcome, delay};

// The struct is written once; only the default of `D` depends on a feature
// (`Spotlight<L>` means Tokio's delay when `tokio` is on, and must name its
// delay otherwise), which keeps the feature additive.
macro_rules! spotlight_struct {
    ($($default:tt)*) => {
        /// Lights an LED for the length of an `async_with!` block, with a
        /// settling delay so the light is steady before the body runs.
        ///
        /// Enter turns the LED on and awaits the settle delay (default
        /// [`DEFAULT_SETTLE`](Self::DEFAULT_SETTLE), 50 ms, the seed's
        /// value) on the spotlight's delay; exit and the cancellation hook
        /// turn it off. The block's target is the spotlight itself
        /// (`&mut Spotlight<L, D>`), so the body can reach the LED.
        ///
        /// - `L` is any `embedded_hal::digital::OutputPin`: a microcontroller
        ///   pin, or one of the Linux backends in `led` (feature `std`).
        /// - `D` is any `embedded_hal_async::delay::DelayNs`, given to
        ///   [`with_delay`](Self::with_delay): Embassy's
        ///   `embassy_time::Delay`, [`TokioDelay`](crate::TokioDelay) (what
        ///   [`new`](Self::new) uses, feature `tokio`), or a few lines over
        ///   any other executor's timer (smol's `async_io::Timer`,
        ///   `futures-timer`). Without the `tokio` feature, `D` has no
        ///   default and is always named.
        ///
        /// Enter is cancel-safe: if its future is dropped during the settle,
        /// or turning the LED on fails, the LED is turned off again before
        /// enter gives up, so a spotlight never leaves its LED on.
        ///
        /// The error type is the pin's: a spotlight over a pin that cannot
        /// fail (`Error = Infallible`) cannot fail either, and `async_with!`
        /// needs no `?` mark. The Linux backends fail with `LedError` and
        /// are marked with `?`.
        ///
        /// Nothing here allocates or needs `std`: with
        /// `default-features = false` it builds with `core` alone, for a
        /// microcontroller.
        ///
        /// # Example
        ///
        /// A delay written for another executor (here a stand-in that
        /// completes at once) and the block done by hand:
        ///
        /// ```
        /// use async_with_core::{AsyncContextManager, Outcome, Spotlight};
        /// use async_with_core::led::RecordingPin;
        /// use embedded_hal_async::delay::DelayNs;
        ///
        /// struct Instant;
        /// impl DelayNs for Instant {
        ///     async fn delay_ns(&mut self, _ns: u32) {}
        /// }
        ///
        /// # futures::executor::block_on(async {
        /// let pin = RecordingPin::new();
        /// let mut spot = Spotlight::with_delay(pin.clone(), Instant);
        /// // What `async_with!(spot => s { ... })` does:
        /// let s = spot.enter().await.unwrap();
        /// assert!(s.led().is_high() && s.is_settled());
        /// spot.exit(Outcome::Completed).await.unwrap();
        /// assert_eq!(pin.history(), [true, false]);
        /// # });
        /// ```
        pub struct Spotlight<L, D $($default)*> {
            led: L,
            delay: D,
            settle: Duration,
            settled: bool,
            #[cfg(feature = "tokio")]
            settled_at: Option<tokio::time::Instant>,
        }
    };
}

#[cfg(feature = "tokio")]
spotlight_struct!(= TokioDelay);
#[cfg(not(feature = "tokio"))]
spotlight_struct!();

#[cfg(feature = "tokio")]
impl<L: OutputPin> Spotlight<L, TokioDelay> {
    /// A spotlight over `led` whose settle is a `tokio::time::sleep`, with
    /// the default 50 ms settle delay.
    ///
    /// Nothing is written to the LED until the block is entered. Enter must
    /// run inside a Tokio runtime with its time driver (see
    /// [`TokioDelay`]); for any other executor use
    /// [`with_delay`](Self::with_delay).
    ///
    /// ```
    /// use async_with_core::{led::RecordingPin, Spotlight};
    ///
    /// let spot = Spotlight::new(RecordingPin::new());
    /// assert_eq!(spot.settle_delay(), Spotlight::<RecordingPin>::DEFAULT_SETTLE);
    /// assert!(spot.led().history().is_empty());
    /// ```
    pub const fn new(led: L) -> Self {
        Spotlight::with_delay(led, TokioDelay)
    }
}

impl<L, D> Spotlight<L, D> {
    /// The settle delay a new spotlight uses: 50 ms.
    pub const DEFAULT_SETTLE: Duration = Duration::from_millis(50);

    /// A spotlight over `led` that awaits its settle on `delay`, any
    /// `embedded_hal_async::delay::DelayNs`, with the default 50 ms settle.
    ///
    /// This is the constructor for every executor but Tokio: Embassy's
    /// `embassy_time::Delay`, or a small adapter over smol's
    /// `async_io::Timer`:
    ///
    /// ```
    /// use std::time::Duration;
    /// use async_with_core::{led::RecordingPin, Spotlight};
    /// use embedded_hal_async::delay::DelayNs;
    ///
    /// struct SmolDelay;
    /// impl DelayNs for SmolDelay {
    ///     async fn delay_ns(&mut self, ns: u32) {
    ///         async_io::Timer::after(Duration::from_nanos(ns.into())).await;
    ///     }
    /// }
    ///
    /// let spot = Spotlight::with_delay(RecordingPin::new(), SmolDelay)
    ///     .settle(Duration::from_millis(80));
    /// assert_eq!(spot.settle_delay(), Duration::from_millis(80));
    /// ```
    pub const fn with_delay(led: L, delay: D) -> Self {
        Spotlight {
            led,
            delay,
            settle: Self::DEFAULT_SETTLE,
            settled: false,
            #[cfg(feature = "tokio")]
            settled_at: None,
        }
    }

    /// Sets the settle delay and gives the spotlight back, so it chains
    /// inside the macro: `async_with!(Spotlight::new(led).settle(ms) => s
    /// { .. })`.
    ///
    /// Any duration is accepted. Zero means no wait: enter turns the LED on
    /// and the body runs at once, without calling the delay. Long delays
    /// are awaited in full (in `u32::MAX`-millisecond steps if need be).
    /// Checking that a value makes sense is for the place people type it:
    /// the `spotlight` demo refuses a zero or absurd `--settle`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use async_with_core::{led::RecordingPin, Spotlight};
    ///
    /// let spot = Spotlight::new(RecordingPin::new()).settle(Duration::from_millis(20));
    /// assert_eq!(spot.settle_delay(), Duration::from_millis(20));
    /// ```
    #[must_use = "`settle` returns the spotlight with the new delay"]
    pub const fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// The settle delay enter awaits after turning the LED on.
    pub const fn settle_delay(&self) -> Duration {
        self.settle
    }

    /// Whether the light is on and steady: `true` inside the block (after
    /// enter's settle), `false` before enter and after exit or cancellation.
    pub const fn is_settled(&self) -> bool {
        self.settled
    }

    /// When the light became steady, on Tokio's clock: `Some` inside the
    /// block, `None` before enter and after exit or cancellation.
    ///
    /// Tokio's clock (`tokio::time::Instant`) follows paused time in tests
    /// and reads the system clock outside a runtime, so it is set whatever
    /// the delay. Without the `tokio` feature there is no clock every
    /// executor shares (a bare `DelayNs` has none, a microcontroller may
    /// have none), so there is no `settled_at`: read your executor's clock
    /// on the body's first line (`embassy_time::Instant::now()`), which is
    /// the same instant, and [`is_settled`](Self::is_settled) says whether
    /// the light is steady.
    #[cfg(feature = "tokio")]
    pub const fn settled_at(&self) -> Option<tokio::time::Instant> {
        self.settled_at
    }

    /// The LED this spotlight lights.
    pub const fn led(&self) -> &L {
        &self.led
    }

    /// The LED, mutably (for example to blink it inside the block).
    pub const fn led_mut(&mut self) -> &mut L {
        &mut self.led
    }

    /// The delay the settle is awaited on, mutably: the body may wait on
    /// it too (`s.delay_mut().delay_ms(100).await` between captures).
    pub const fn delay_mut(&mut self) -> &mut D {
        &mut self.delay
    }

    /// Gives the LED back, in whatever state it is.
    pub fn into_inner(self) -> L {
        self.led
    }

    fn mark_settled(&mut self, settled: bool) {
        self.settled = settled;
        #[cfg(feature = "tokio")]
        {
            self.settled_at = settled.then(tokio::time::Instant::now);
        }
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
                crate::log::warn_unreturned!(
                    error,
                    "spotlight: turning the LED off after a failed or cancelled enter failed"
                );
            }
        }
    }
}

impl<L: OutputPin, D: DelayNs> AsyncContextManager for Spotlight<L, D> {
    type Target<'a>
        = &'a mut Spotlight<L, D>
    where
        Self: 'a;
    type Error = L::Error;

    async fn enter(&mut self) -> Result<&mut Self, L::Error> {
        self.mark_settled(false);
        // Armed before `set_high`: a pin that fails half-way may be on.
        let mut lit = LitGuard {
            led: &mut self.led,
            armed: true,
        };
        lit.led.set_high()?;
        delay::wait(&mut self.delay, self.settle).await;
        lit.armed = false;
        drop(lit);
        self.mark_settled(true);
        Ok(self)
    }

    async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), L::Error> {
        self.mark_settled(false);
        self.led.set_low()
    }

    fn cancel(&mut self) {
        self.mark_settled(false);
        if let Err(error) = self.led.set_low() {
            crate::log::warn_unreturned!(
                error,
                "spotlight: turning the LED off on cancellation failed"
            );
        }
    }
}

impl<L: fmt::Debug, D> fmt::Debug for Spotlight<L, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Spotlight");
        s.field("led", &self.led)
            .field("delay", &core::any::type_name::<D>())
            .field("settle", &self.settle)
            .field("settled", &self.settled);
        #[cfg(feature = "tokio")]
        s.field("settled_at", &self.settled_at);
        s.finish()
    }
}

// Core-only checks (they run with `--no-default-features` too): a pin and a
// delay with no allocation, polled by hand.
#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use core::convert::Infallible;
    use core::future::Future;
    use core::pin::pin;
    use core::task::{Context, Poll, Waker};
    use embedded_hal::digital::ErrorType;

    /// Records the last level and how many writes it took.
    #[derive(Default)]
    struct Pin<'a>(Option<&'a Cell<(bool, u8)>>);

    impl ErrorType for Pin<'_> {
        type Error = Infallible;
    }

    impl OutputPin for Pin<'_> {
        fn set_low(&mut self) -> Result<(), Infallible> {
            let cell = self.0.expect("a cell");
            cell.set((false, cell.get().1 + 1));
            Ok(())
        }
        fn set_high(&mut self) -> Result<(), Infallible> {
            let cell = self.0.expect("a cell");
            cell.set((true, cell.get().1 + 1));
            Ok(())
        }
    }

    /// Pending until `open` is set; records the nanoseconds asked for.
    struct Gate<'a> {
        open: &'a Cell<bool>,
        asked: &'a Cell<u32>,
    }

    impl DelayNs for Gate<'_> {
        async fn delay_ns(&mut self, ns: u32) {
            self.asked.set(ns);
            core::future::poll_fn(|_| {
                if self.open.get() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
        }
    }

    fn poll<F: Future>(future: core::pin::Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// A spotlight over a recording pin whose settle waits for `open`.
    fn gated<'a>(
        led: &'a Cell<(bool, u8)>,
        open: &'a Cell<bool>,
        asked: &'a Cell<u32>,
    ) -> Spotlight<Pin<'a>, Gate<'a>> {
        Spotlight::with_delay(Pin(Some(led)), Gate { open, asked })
    }

    #[test]
    fn enter_lights_then_waits_out_the_settle_and_exit_turns_off() {
        let (led, open, asked) = (Cell::default(), Cell::new(false), Cell::new(0));
        let mut spot = gated(&led, &open, &asked).settle(Duration::from_millis(80));
        {
            let mut enter = pin!(spot.enter());
            assert!(poll(enter.as_mut()).is_pending());
            assert_eq!(led.get(), (true, 1), "on while settling");
            assert_eq!(asked.get(), 80_000_000);
            open.set(true);
            assert!(poll(enter.as_mut()).is_ready());
        }
        assert!(spot.is_settled());
        let mut exit = pin!(spot.exit(Outcome::Completed));
        assert_eq!(poll(exit.as_mut()), Poll::Ready(Ok(())));
        assert_eq!(led.get(), (false, 2));
    }

    #[test]
    fn a_cancelled_settle_leaves_the_led_off() {
        let (led, open, asked) = (Cell::default(), Cell::new(false), Cell::new(0));
        let mut spot = gated(&led, &open, &asked);
        {
            let mut enter = pin!(spot.enter());
            assert!(poll(enter.as_mut()).is_pending());
            assert_eq!(asked.get(), 50_000_000, "the default 50 ms settle");
        } // dropped mid-settle
        assert_eq!(led.get(), (false, 2));
        assert!(!spot.is_settled());
    }

    #[test]
    fn a_zero_settle_does_not_wait_and_cancel_turns_off() {
        let (led, open, asked) = (Cell::default(), Cell::new(false), Cell::new(0));
        let mut spot = gated(&led, &open, &asked).settle(Duration::ZERO);
        assert!(poll(pin!(spot.enter())).is_ready());
        assert_eq!(asked.get(), 0, "the delay was not called");
        assert_eq!(led.get(), (true, 1));
        spot.cancel();
        assert_eq!(led.get(), (false, 2));
        assert!(!spot.is_settled());
    }
}
