//! One Spotlight behaviour suite, written once and instantiated per executor
//! by `spotlight_suite!(Runner)` (tests/led/executors.rs): lit only after the
//! settle, lit for the whole body, off after it, off on `?`, off when the
//! block is cancelled (a `select` against the executor's own timer) or its
//! body panics.
#![allow(dead_code, unreachable_pub, unused_imports, unused_macros)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use embedded_hal::digital::{ErrorType, OutputPin};

/// The settle every test uses.
pub const SETTLE: Duration = Duration::from_millis(30);

/// Each executor's clock and the test's `std::time::Instant` tick
/// differently (Embassy's std driver counts whole microseconds from its own
/// start), so a wait measured on the other clock may look up to one tick
/// short; one millisecond covers every tick used here.
pub const CLOCK_SLACK: Duration = Duration::from_millis(1);

/// An LED that stamps every write with the time it happened.
#[derive(Clone, Default)]
pub struct StampedPin(Arc<Mutex<Vec<(bool, Instant)>>>);

impl StampedPin {
    pub fn writes(&self) -> Vec<(bool, Instant)> {
        self.0.lock().unwrap().clone()
    }

    /// The levels written, in order.
    pub fn levels(&self) -> Vec<bool> {
        self.writes().into_iter().map(|(level, _)| level).collect()
    }

    pub fn is_high(&self) -> bool {
        self.writes().last().is_some_and(|&(level, _)| level)
    }

    /// When the LED was last turned `level`.
    pub fn last(&self, level: bool) -> Instant {
        self.writes()
            .into_iter()
            .rev()
            .find(|&(l, _)| l == level)
            .unwrap_or_else(|| panic!("the LED was never set {level}"))
            .1
    }
}

impl ErrorType for StampedPin {
    type Error = Infallible;
}

impl OutputPin for StampedPin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().push((false, Instant::now()));
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().push((true, Instant::now()));
        Ok(())
    }
}

/// The suite, as tests for the executor `$runner` (a `Runner`).
macro_rules! spotlight_suite {
    ($runner:ty) => {
        use std::time::{Duration, Instant};

        use async_with::{Spotlight, async_with};
        use embedded_hal_async::delay::DelayNs;
        use futures::FutureExt;
        use futures::future::{Either, select};

        use crate::support::executors::Runner;
        use crate::support::spotlight_suite::{CLOCK_SLACK, SETTLE, StampedPin};

        type R = $runner;

        fn spotlight(pin: &StampedPin) -> Spotlight<StampedPin, <R as Runner>::Delay> {
            Spotlight::with_delay(pin.clone(), R::delay()).settle(SETTLE)
        }

        #[test]
        fn the_light_comes_on_at_enter_and_the_body_waits_out_the_settle() {
            let pin = StampedPin::default();
            let spot = spotlight(&pin);
            assert!(pin.writes().is_empty(), "nothing is written before enter");
            let (levels_in_body, body_start) = R::block_on({
                let pin = pin.clone();
                async move {
                    async_with!(spot => s {
                        assert!(s.is_settled());
                        (pin.levels(), Instant::now())
                    })
                }
            });
            assert_eq!(levels_in_body, [true]);
            let waited = body_start - pin.last(true);
            assert!(
                waited + CLOCK_SLACK >= SETTLE,
                "the body started {waited:?} after the light came on, before the {SETTLE:?} settle"
            );
        }

        #[test]
        fn the_light_stays_on_for_the_whole_body() {
            let pin = StampedPin::default();
            let spot = spotlight(&pin);
            let seen = R::block_on({
                let pin = pin.clone();
                async move {
                    async_with!(spot => s {
                        let mut seen = vec![pin.is_high()];
                        for _ in 0..3 {
                            s.delay_mut().delay_ms(10).await;
                            seen.push(pin.is_high());
                        }
                        seen
                    })
                }
            });
            assert_eq!(seen, [true, true, true, true]);
            assert_eq!(pin.levels(), [true, false]);
        }

        #[test]
        fn the_light_is_off_after_the_body() {
            let pin = StampedPin::default();
            let spot = spotlight(&pin);
            let body_end = R::block_on(async move {
                async_with!(spot => _s { Instant::now() })
            });
            assert_eq!(pin.levels(), [true, false]);
            assert!(!pin.is_high());
            assert!(pin.last(false) >= body_end, "the light went off before the body ended");
        }

        #[test]
        fn the_light_is_off_after_a_body_that_fails_with_question_mark() {
            async fn capture(spot: Spotlight<StampedPin, <R as Runner>::Delay>) -> Result<u32, String> {
                let frames = async_with!(spot => _s {
                    let frames: u32 = Err("camera timed out".to_owned())?;
                    frames
                });
                Ok(frames)
            }
            let pin = StampedPin::default();
            let spot = spotlight(&pin);
            assert_eq!(R::block_on(capture(spot)), Err("camera timed out".to_owned()));
            assert_eq!(pin.levels(), [true, false]);
        }

        #[test]
        fn the_light_is_off_when_a_timer_cancels_the_settle() {
            let pin = StampedPin::default();
            let spot = spotlight(&pin).settle(Duration::from_secs(30));
            let (body_ran, levels_at_cancel) = R::block_on({
                let pin = pin.clone();
                async move {
                    let mut body_ran = false;
                    let (timer_won, lit_until_dropped) = {
                        let block = async { async_with!(spot => _s { body_ran = true; }) };
                        let mut timer = R::delay();
                        let won = select(Box::pin(block), Box::pin(timer.delay_ms(40))).await;
                        (matches!(won, Either::Right(_)), pin.levels())
                    }; // the block is dropped here: cancellation
                    assert!(timer_won, "the timer wins");
                    assert_eq!(lit_until_dropped, [true]);
                    (body_ran, pin.levels())
                }
            });
            assert!(!body_ran);
            assert_eq!(levels_at_cancel, [true, false]);
        }

        #[test]
        fn the_light_is_off_when_a_timer_cancels_the_body() {
            let pin = StampedPin::default();
            let spot = spotlight(&pin);
            let (lit_in_body, levels_at_cancel) = R::block_on({
                let pin = pin.clone();
                async move {
                    let mut lit_in_body = false;
                    let (timer_won, lit_until_dropped) = {
                        let block = async {
                            async_with!(spot => s {
                                lit_in_body = pin.is_high();
                                s.delay_mut().delay_ms(30_000).await;
                            })
                        };
                        let mut timer = R::delay();
                        let won = select(Box::pin(block), Box::pin(timer.delay_ms(100))).await;
                        (matches!(won, Either::Right(_)), pin.levels())
                    }; // the block is dropped here: cancellation
                    assert!(timer_won, "the timer wins");
                    assert_eq!(lit_until_dropped, [true]);
                    (lit_in_body, pin.levels())
                }
            });
            assert!(lit_in_body, "the body ran with the light on before the timer");
            assert_eq!(levels_at_cancel, [true, false]);
        }

        #[test]
        fn the_light_is_off_when_the_body_panics_and_the_panic_goes_on() {
            let pin = StampedPin::default();
            let spot = spotlight(&pin);
            let caught = R::block_on({
                let pin = pin.clone();
                async move {
                    let block = async move {
                        async_with!(spot => _s {
                            if pin.is_high() {
                                panic!("camera exploded");
                            }
                        })
                    };
                    std::panic::AssertUnwindSafe(block).catch_unwind().await
                }
            });
            let payload = caught.expect_err("the panic goes on after exit");
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"camera exploded"));
            assert_eq!(pin.levels(), [true, false]);
        }
    };
}
pub(crate) use spotlight_suite;
