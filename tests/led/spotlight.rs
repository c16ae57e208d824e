//! Spotlight over an embedded-hal pin: on for exactly the block, off on
//! every way out, including cancellation during the settle and the body.

use std::time::Duration;

use async_with::led::{InjectedFault, RecordingPin};
use async_with::{Spotlight, async_with};
use tokio::time::{Instant, timeout};

#[tokio::test(start_paused = true)]
async fn the_led_is_on_in_the_body_and_off_after() {
    let pin = RecordingPin::new();
    let seen = async_with!(Spotlight::new(pin.clone()) => spot {
        assert!(spot.led().is_high());
        pin.history()
    });
    assert_eq!(seen, [true]);
    assert!(pin.is_low());
    assert_eq!(pin.history(), [true, false]);
}

#[tokio::test(start_paused = true)]
async fn the_body_starts_after_the_default_50_ms_settle() {
    let pin = RecordingPin::new();
    let start = Instant::now();
    let (settled_at, body_at) = async_with!(Spotlight::new(pin.clone()) => spot {
        (spot.settled_at(), Instant::now())
    });
    assert_eq!(settled_at, Some(start + Duration::from_millis(50)));
    assert_eq!(body_at - start, Duration::from_millis(50));
}

#[tokio::test(start_paused = true)]
async fn a_custom_settle_is_awaited() {
    let pin = RecordingPin::new();
    let spotlight = Spotlight::new(pin.clone()).settle(Duration::from_millis(200));
    let start = Instant::now();
    let settled_at = async_with!(spotlight => spot { spot.settled_at() });
    assert_eq!(settled_at, Some(start + Duration::from_millis(200)));
}

#[tokio::test(start_paused = true)]
async fn settle_chains_inside_the_macro() {
    let pin = RecordingPin::new();
    let start = Instant::now();
    let (settle, body_at) = async_with!(Spotlight::new(pin.clone()).settle(Duration::from_millis(80)) => spot {
        (spot.settle_delay(), Instant::now())
    });
    assert_eq!(settle, Duration::from_millis(80));
    assert_eq!(body_at - start, Duration::from_millis(80));
    assert_eq!(pin.history(), [true, false]);
}

#[tokio::test(start_paused = true)]
async fn a_zero_settle_runs_the_body_at_once_with_the_led_on() {
    let pin = RecordingPin::new();
    let start = Instant::now();
    let (lit, body_at) = async_with!(Spotlight::new(pin.clone()).settle(Duration::ZERO) => spot {
        (spot.led().is_high(), Instant::now())
    });
    assert!(lit);
    assert_eq!(body_at, start);
    assert_eq!(pin.history(), [true, false]);
}

#[tokio::test(start_paused = true)]
async fn a_settle_longer_than_u32_nanoseconds_is_awaited_in_full() {
    // 4.29 s is the most one `DelayNs::delay_ns` call can wait.
    let pin = RecordingPin::new();
    let settle = Duration::from_secs(90) + Duration::from_millis(3);
    let start = Instant::now();
    let body_at = async_with!(Spotlight::new(pin.clone()).settle(settle) => _spot {
        Instant::now()
    });
    assert_eq!(body_at - start, settle);
}

#[tokio::test(start_paused = true)]
async fn settled_at_is_none_outside_the_block() {
    let mut spotlight = Spotlight::new(RecordingPin::new());
    assert_eq!(spotlight.settled_at(), None);
    assert!(!spotlight.is_settled());
    async_with!(&mut spotlight => spot {
        assert!(spot.settled_at().is_some());
        assert!(spot.is_settled());
    });
    assert_eq!(spotlight.settled_at(), None);
    assert!(!spotlight.is_settled());
    assert_eq!(spotlight.into_inner().history(), [true, false]);
}

#[tokio::test(start_paused = true)]
async fn cancelled_during_the_settle_the_led_is_off() {
    let pin = RecordingPin::new();
    let body_ran = std::cell::Cell::new(false);
    let block = async {
        async_with!(Spotlight::new(pin.clone()) => _spot {
            body_ran.set(true);
        })
    };
    // 20 ms into the 50 ms settle.
    assert!(timeout(Duration::from_millis(20), block).await.is_err());
    assert!(!body_ran.get());
    assert_eq!(pin.history(), [true, false]);
    assert!(pin.is_low());
}

#[tokio::test(start_paused = true)]
async fn cancelled_during_the_body_the_led_is_off() {
    let pin = RecordingPin::new();
    let block = async {
        async_with!(Spotlight::new(pin.clone()) => _spot {
            tokio::time::sleep(Duration::from_secs(60)).await;
        })
    };
    assert!(timeout(Duration::from_millis(500), block).await.is_err());
    assert_eq!(pin.history(), [true, false]);
}

async fn fails_in_body(pin: &RecordingPin) -> Result<(), String> {
    async_with!(Spotlight::new(pin.clone()) => _spot {
        Err::<(), _>("capture failed".to_owned())?;
    });
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_failing_body_still_turns_the_led_off() {
    let pin = RecordingPin::new();
    assert_eq!(fails_in_body(&pin).await, Err("capture failed".to_owned()));
    assert_eq!(pin.history(), [true, false]);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_body_still_turns_the_led_off() {
    let pin = RecordingPin::new();
    let task = tokio::spawn({
        let pin = pin.clone();
        async move {
            async_with!(Spotlight::new(pin) => spot {
                if spot.led().is_high() {
                    panic!("camera exploded");
                }
            })
        }
    });
    let panic = task.await.unwrap_err().into_panic();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"camera exploded"));
    assert_eq!(pin.history(), [true, false]);
}

async fn light(pin: &RecordingPin<InjectedFault>) -> Result<u32, InjectedFault> {
    Ok(async_with!(Spotlight::new(pin.clone())? => _spot { 7 }))
}

#[tokio::test(start_paused = true)]
async fn a_pin_that_fails_to_turn_on_fails_enter_and_is_not_left_on() {
    let pin = RecordingPin::fallible();
    pin.fail_after(0);
    let error = light(&pin).await.unwrap_err();
    assert_eq!(error, InjectedFault { level: true });
    assert!(error.to_string().contains("refused to go high"));
    assert!(pin.history().is_empty());
    assert!(pin.is_low());
}

#[tokio::test(start_paused = true)]
async fn a_pin_that_fails_to_turn_off_fails_the_block() {
    let pin = RecordingPin::fallible();
    pin.fail_after(1);
    let error = light(&pin).await.unwrap_err();
    assert_eq!(error, InjectedFault { level: false });
    assert_eq!(pin.history(), [true]);
}

#[tokio::test(start_paused = true)]
async fn a_healthy_fallible_pin_needs_the_mark_and_works() {
    let pin = RecordingPin::fallible();
    assert_eq!(light(&pin).await, Ok(7));
    assert_eq!(pin.history(), [true, false]);
}

#[tokio::test(start_paused = true)]
async fn the_body_can_reach_the_led_through_the_target() {
    use embedded_hal::digital::OutputPin;

    let pin = RecordingPin::new();
    async_with!(Spotlight::new(pin.clone()) => spot {
        // A blink inside the block: the body owns the LED meanwhile.
        spot.led_mut().set_low().unwrap();
        spot.led_mut().set_high().unwrap();
    });
    assert_eq!(pin.history(), [true, false, true, false]);
}

async fn light_settled(pin: &RecordingPin<InjectedFault>) -> Result<Duration, InjectedFault> {
    // `.settle(..)` returns the spotlight, so the `?` mark still follows it.
    let start = Instant::now();
    async_with!(Spotlight::new(pin.clone()).settle(Duration::from_millis(15))? => spot {
        assert_eq!(spot.settle_delay(), Duration::from_millis(15));
    });
    Ok(start.elapsed())
}

#[tokio::test(start_paused = true)]
async fn a_chained_settle_keeps_the_fallibility_mark_working() {
    let pin = RecordingPin::fallible();
    assert_eq!(light_settled(&pin).await, Ok(Duration::from_millis(15)));
    assert_eq!(pin.history(), [true, false]);

    let failing = RecordingPin::fallible();
    failing.fail_after(1);
    assert_eq!(
        light_settled(&failing).await,
        Err(InjectedFault { level: false })
    );
}
