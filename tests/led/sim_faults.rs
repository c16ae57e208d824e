//! Every injected kernel fault: the error text names the file, the pin and
//! the fix, and the LED is never left on.

use std::time::Duration;

use async_with::led::sim::{Fault, SimSysfs};
use async_with::led::{LedError, PERMISSION_WAIT, SysfsGpio, SysfsLed};
use tokio::time::Instant;

use crate::support::led;
use led::{VALUE_529, lit_block};

#[tokio::test(start_paused = true)]
async fn a_short_udev_permission_race_is_waited_out() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::PermissionRace(Duration::from_millis(300)));
    let start = Instant::now();
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    lit_block(led, |_| assert_eq!(sim.read(VALUE_529).unwrap(), "1\n"))
        .await
        .unwrap();

    let trace = sim.trace();
    let denied = trace
        .iter()
        .filter(|w| *w == "class/gpio/gpio529/direction <- low (EACCES)")
        .count();
    assert!(denied > 1, "{trace:?}");
    assert_eq!(trace[0], "class/gpio/export <- 529");
    assert_eq!(
        trace[denied + 1..],
        [
            "class/gpio/gpio529/direction <- low",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0",
            "class/gpio/unexport <- 529",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_permission_race_past_one_second_is_denied_and_unexported() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::PermissionRace(Duration::from_secs(5)));
    let start = Instant::now();
    let error = SysfsGpio::bcm(17).root(&sim).open().await.unwrap_err();
    assert!(start.elapsed() >= PERMISSION_WAIT);
    assert!(start.elapsed() < PERMISSION_WAIT + Duration::from_millis(50));
    assert!(
        matches!(error, LedError::PermissionDenied { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.starts_with("permission denied writing "), "{text}");
    assert!(
        text.contains("gpio529/direction for GPIO 529 (BCM 17 on pinctrl-bcm2711)"),
        "{text}"
    );
    assert!(text.contains("add your user to the `gpio` group"), "{text}");
    assert!(text.contains(r#"SUBSYSTEM=="gpio""#), "{text}");
    assert_eq!(sim.trace().last().unwrap(), "class/gpio/unexport <- 529");
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn a_denied_export_file_says_which_file_and_the_udev_rule() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::PermissionDenied("class/gpio/export".into()));
    let error = SysfsGpio::bcm(17).root(&sim).open().await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("permission denied writing \"529\" to "),
        "{text}"
    );
    assert!(text.contains("class/gpio/export for GPIO 529"), "{text}");
    assert!(text.contains("/etc/udev/rules.d/99-gpio.rules"), "{text}");
    assert_eq!(sim.trace(), ["class/gpio/export <- 529 (EACCES)"]);
}

#[tokio::test(start_paused = true)]
async fn a_line_held_by_a_driver_is_busy() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::ExportBusy(529));
    let error = SysfsGpio::bcm(17).root(&sim).open().await.unwrap_err();
    assert!(matches!(error, LedError::Busy { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with(
            "GPIO 529 (BCM 17 on pinctrl-bcm2711) is already exported or held by a driver"
        ),
        "{text}"
    );
    assert!(
        text.contains("class/gpio/export failed with EBUSY"),
        "{text}"
    );
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn eio_turning_on_fails_the_block_and_leaves_the_led_off() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    sim.inject(Fault::ValueEio { after: 0 });
    let mut body_ran = false;
    let error = lit_block(led, |_| body_ran = true).await.unwrap_err();
    assert!(!body_ran);
    let text = error.to_string();
    assert!(text.starts_with("writing \"1\" to "), "{text}");
    assert!(text.contains("gpio529/value for GPIO 529"), "{text}");
    assert!(
        text.contains("the hardware reported an I/O error"),
        "{text}"
    );
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/export <- 529",
            "class/gpio/gpio529/direction <- low",
            "class/gpio/gpio529/value <- 1 (EIO)",
            "class/gpio/gpio529/value <- 0 (EIO)",
            "class/gpio/gpio529/direction <- low",
            "class/gpio/unexport <- 529",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn eio_turning_off_falls_back_to_direction_low() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "out").unwrap();
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    sim.inject(Fault::ValueEio { after: 1 });
    lit_block(led, |_| assert_eq!(sim.read(VALUE_529).unwrap(), "1\n"))
        .await
        .unwrap();
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/gpio529/value <- 0",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0 (EIO)",
            "class/gpio/gpio529/direction <- low",
        ]
    );
    assert!(
        sim.exists("class/gpio/gpio529"),
        "someone else's line stays"
    );
}

#[tokio::test(start_paused = true)]
async fn a_line_unexported_under_us_fails_exit_naming_the_cause() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "out").unwrap();
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    let error = lit_block(led, |_| {
        // Someone else unexports the line while it is lit.
        std::fs::remove_dir_all(sim.root().join("class/gpio/gpio529")).unwrap();
    })
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("writing \"0\" to "), "{text}");
    assert!(text.contains("gpio529/value for GPIO 529"), "{text}");
    assert!(text.contains("the line or LED went away"), "{text}");
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn a_line_without_a_direction_file_is_refused_and_unexported() {
    // The driver gives no `direction` and the line is not an output: the
    // message says so, not "check the pin is exported" (it is).
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::Vanished("class/gpio/gpio529/direction".into()));
    let error = SysfsGpio::bcm(17).root(&sim).open().await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("has no `direction` file"), "{text}");
    assert!(text.contains("gpio529/direction"), "{text}");
    assert!(text.contains("fixed as an input"), "{text}");
    assert!(!text.contains("exported"), "{text}");
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/export <- 529",
            "class/gpio/gpio529/direction <- low (ENOENT)",
            "class/gpio/gpio529/value <- 0 (EPERM)",
            "class/gpio/unexport <- 529",
        ]
    );
}

#[test]
fn a_denied_led_trigger_touches_nothing_and_names_the_led_rule() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::PermissionDenied("class/leds/ACT/trigger".into()));
    let error = SysfsLed::named("ACT").root(&sim).open().unwrap_err();
    let text = error.to_string();
    assert!(text.contains("ACT/trigger for LED \"ACT\""), "{text}");
    assert!(text.contains(r#"SUBSYSTEM=="leds""#), "{text}");
    assert_eq!(sim.trace(), ["class/leds/ACT/trigger <- none (EACCES)"]);
    assert!(
        sim.read("class/leds/ACT/trigger")
            .unwrap()
            .contains("[mmc0]")
    );
    assert_eq!(sim.read("class/leds/ACT/brightness").unwrap(), "0\n");
}

#[tokio::test(start_paused = true)]
async fn eio_lighting_an_led_restores_its_trigger_and_leaves_it_off() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsLed::named("ACT").root(&sim).open().unwrap();
    sim.inject(Fault::ValueEio { after: 0 });
    let error = lit_block(led, |_| {}).await.unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("writing \"255\" to "), "{text}");
    assert!(text.contains("ACT/brightness for LED \"ACT\""), "{text}");
    assert_eq!(sim.read("class/leds/ACT/brightness").unwrap(), "0\n");
    assert!(
        sim.read("class/leds/ACT/trigger")
            .unwrap()
            .contains("[mmc0]")
    );
    assert_eq!(
        sim.trace()[2..],
        [
            "class/leds/ACT/brightness <- 255 (EIO)",
            "class/leds/ACT/brightness <- 0 (EIO)",
            "class/leds/ACT/trigger <- none",
            "class/leds/ACT/trigger <- mmc0",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_vanished_brightness_file_is_reported_before_anything_is_written() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::Vanished("class/leds/ACT/brightness".into()));
    let error = SysfsLed::named("ACT").root(&sim).open().unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("opening "), "{text}");
    assert!(text.contains("ACT/brightness"), "{text}");
    assert!(
        sim.trace().iter().all(|w| !w.contains("<- none")),
        "{:?}",
        sim.trace()
    );
    assert!(
        sim.read("class/leds/ACT/trigger")
            .unwrap()
            .contains("[mmc0]")
    );
}
