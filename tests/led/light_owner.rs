//! One owner per light: a second user of a line or an LED is refused with an
//! error naming the light and the holder, or queues with `wait`; the first
//! user never goes dark and nothing is unexported under it.

use std::time::Duration;

use async_with::led::sim::SimSysfs;
use async_with::led::{LedError, SysfsGpio, SysfsLed};
use embedded_hal::digital::OutputPin;

use crate::support::led;
use led::{ACT_BRIGHTNESS, VALUE_529};

#[tokio::test(start_paused = true)]
async fn a_second_open_of_a_lit_line_is_refused_and_the_first_stays_lit() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let mut first = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    first.set_high().unwrap();

    let error = SysfsGpio::number(529).root(&sim).open().await.unwrap_err();
    let LedError::Held { pin, file, holder } = &error else {
        panic!("expected Held, got {error:?}");
    };
    assert_eq!(pin, "GPIO 529");
    assert_eq!(file, &sim.root().join(VALUE_529));
    let me = std::process::id();
    assert_eq!(holder, &format!("another open in this process (pid {me})"));
    let text = error.to_string();
    assert!(text.contains("GPIO 529 is in use by"), "{text}");
    assert!(text.contains("--wait"), "{text}");

    // The refused open wrote nothing: still lit, still exported.
    assert_eq!(sim.read(VALUE_529).unwrap(), "1\n");
    first.close().unwrap();
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn a_waiting_open_gets_the_line_once_the_first_user_is_done() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let mut first = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    first.set_high().unwrap();

    let second = tokio::spawn({
        let sim = sim.clone();
        async move { SysfsGpio::bcm(17).root(&sim).wait(true).open().await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!second.is_finished(), "the waiting open must queue");
    assert_eq!(
        sim.read(VALUE_529).unwrap(),
        "1\n",
        "the first run stays lit"
    );

    first.close().unwrap();
    let mut second = second.await.unwrap().unwrap();
    // The first unexported its line; the second exported it anew and owns it.
    assert!(second.exported_by_us());
    second.set_high().unwrap();
    assert_eq!(sim.read(VALUE_529).unwrap(), "1\n");
    second.close().unwrap();
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn a_refused_second_user_never_unexports_the_first_users_line() {
    // The reverse overlap: the first user adopted a line someone exported
    // by hand; the second, refused, must not touch it.
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "out").unwrap();
    let mut first = SysfsGpio::number(529).root(&sim).open().await.unwrap();
    first.set_high().unwrap();
    let before = sim.take_trace();
    let error = SysfsGpio::number(529).root(&sim).open().await.unwrap_err();
    assert!(matches!(error, LedError::Held { .. }), "{error:?}");
    assert_eq!(sim.trace(), Vec::<String>::new(), "after {before:?}");
    assert_eq!(sim.read(VALUE_529).unwrap(), "1\n");
    drop(first);
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
    assert!(sim.exists("class/gpio/gpio529"), "not ours to unexport");
}

#[tokio::test(start_paused = true)]
async fn a_second_open_of_a_lit_led_is_refused_and_the_first_stays_lit() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let mut first = SysfsLed::named("ACT").root(&sim).open().unwrap();
    first.set_high().unwrap();
    let error = SysfsLed::named("ACT").root(&sim).open().unwrap_err();
    let LedError::Held { pin, file, .. } = &error else {
        panic!("expected Held, got {error:?}");
    };
    assert_eq!(pin, "LED \"ACT\"");
    assert_eq!(file, &sim.root().join(ACT_BRIGHTNESS));
    assert_eq!(sim.read(ACT_BRIGHTNESS).unwrap(), "255\n");
    assert!(
        sim.read("class/leds/ACT/trigger")
            .unwrap()
            .contains("[none]")
    );
    first.close().unwrap();
    assert!(
        sim.read("class/leds/ACT/trigger")
            .unwrap()
            .contains("[mmc0]")
    );
}

#[tokio::test(start_paused = true)]
async fn a_waiting_led_open_sees_the_trigger_the_first_user_restored() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let mut first = SysfsLed::named("ACT").root(&sim).open().unwrap();
    first.set_high().unwrap();
    let second = tokio::spawn({
        let sim = sim.clone();
        async move { SysfsLed::named("ACT").root(&sim).open_waiting().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished());
    assert_eq!(sim.read(ACT_BRIGHTNESS).unwrap(), "255\n");
    first.close().unwrap();
    let second = second.await.unwrap().unwrap();
    // Saved after the first restored it, so the second restores mmc0 too.
    assert_eq!(second.saved_trigger(), "mmc0");
    second.close().unwrap();
    assert!(
        sim.read("class/leds/ACT/trigger")
            .unwrap()
            .contains("[mmc0]")
    );
}
