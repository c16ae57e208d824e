//! SysfsGpio on the simulated sysfs: the exact file contents after each
//! step, already-exported lines, inputs, active-low, bad numbers.

use async_with::led::sim::SimSysfs;
use async_with::led::{LedError, SysfsGpio};
use async_with::{Spotlight, async_with};

use crate::support::led;
use led::{VALUE_529, lit_block};

const DIRECTION_529: &str = "class/gpio/gpio529/direction";

/// The lit block of these tests: BCM 17 on the Pi 4 is GPIO 529, and the
/// value file is read while lit.
async fn lit_529(sim: &SimSysfs, led: SysfsGpio) -> Result<String, LedError> {
    lit_block(led, |led| {
        assert_eq!(led.gpio(), 529);
        sim.read(VALUE_529).unwrap()
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn an_unexported_line_is_exported_lit_and_unexported() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsGpio::number(529).root(&sim).open().await.unwrap();
    assert!(led.exported_by_us());
    assert_eq!(sim.read(DIRECTION_529).unwrap(), "out\n");
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
    assert_eq!(led.value_path(), sim.root().join(VALUE_529));

    assert_eq!(lit_529(&sim, led).await.unwrap(), "1\n");
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn the_value_reads_zero_after_the_block_while_the_pin_is_held() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    let mut spotlight = Spotlight::new(led);
    let lit: Result<(), LedError> = async {
        let borrowed = &mut spotlight;
        async_with!(borrowed? => _spot {
            assert_eq!(sim.read(VALUE_529).unwrap(), "1\n");
        });
        Ok(())
    }
    .await;
    lit.unwrap();
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
    assert_eq!(sim.read(DIRECTION_529).unwrap(), "out\n");
    spotlight.into_inner().close().unwrap();
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn a_line_someone_else_exported_is_opened_and_stays_exported() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "out").unwrap();
    sim.take_trace();
    let led = SysfsGpio::number(529).root(&sim).open().await.unwrap();
    assert!(!led.exported_by_us());
    assert_eq!(lit_529(&sim, led).await.unwrap(), "1\n");

    assert!(sim.exists("class/gpio/gpio529"));
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
    assert_eq!(sim.read(DIRECTION_529).unwrap(), "out\n");
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/gpio529/value <- 0",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_input_someone_else_exported_is_refused_untouched() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "in").unwrap();
    let error = SysfsGpio::number(529).root(&sim).open().await.unwrap_err();
    assert!(matches!(error, LedError::IsInput { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("GPIO 529 is exported by someone else as an input"),
        "{text}"
    );
    assert!(text.contains("gpio529/direction reads `in`"), "{text}");
    assert!(sim.trace().is_empty());
    assert_eq!(sim.read(DIRECTION_529).unwrap(), "in\n");
}

#[tokio::test(start_paused = true)]
async fn active_low_starts_high_and_drives_low_for_on() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsGpio::number(529)
        .active_low(true)
        .root(&sim)
        .open()
        .await
        .unwrap();
    assert_eq!(sim.read(VALUE_529).unwrap(), "1\n", "off is the high level");
    assert_eq!(
        lit_529(&sim, led).await.unwrap(),
        "0\n",
        "on is the low level"
    );
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/export <- 529",
            "class/gpio/gpio529/direction <- high",
            "class/gpio/gpio529/value <- 0",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/unexport <- 529",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_kernel_active_low_line_is_honoured_not_rewritten() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "out").unwrap();
    std::fs::write(sim.root().join("class/gpio/gpio529/active_low"), "1\n").unwrap();
    // The kernel inverts `value` writes already: writing 1 is the LED on.
    let led = SysfsGpio::number(529)
        .active_low(true)
        .root(&sim)
        .open()
        .await
        .unwrap();
    assert_eq!(lit_529(&sim, led).await.unwrap(), "1\n");
    assert_eq!(sim.read("class/gpio/gpio529/active_low").unwrap(), "1\n");
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
}

#[tokio::test(start_paused = true)]
async fn a_number_outside_every_chip_is_no_such_gpio() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let error = SysfsGpio::number(17).root(&sim).open().await.unwrap_err();
    assert!(
        matches!(error, LedError::NoSuchGpio { gpio: 17, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("no GPIO 17"), "{text}");
    assert!(text.contains("pinctrl-bcm2711 512..570"), "{text}");
    assert!(text.contains("SysfsGpio::bcm"), "{text}");
    assert_eq!(sim.trace(), ["class/gpio/export <- 17 (EINVAL)"]);
}

#[tokio::test(start_paused = true)]
async fn a_chip_label_and_offset_find_the_line() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsGpio::chip("raspberrypi-exp-gpio", 2)
        .root(&sim)
        .open()
        .await
        .unwrap();
    assert_eq!(led.gpio(), 572);
    drop(led);
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/export <- 572",
            "class/gpio/gpio572/direction <- low",
            "class/gpio/unexport <- 572",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_unknown_chip_label_lists_the_chips() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let error = SysfsGpio::chip("pinctrl-rp1", 17)
        .root(&sim)
        .open()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("no gpiochip labelled \"pinctrl-rp1\""),
        "{text}"
    );
    assert!(
        text.contains("pinctrl-bcm2711 512..570, raspberrypi-exp-gpio 570..578"),
        "{text}"
    );
    assert!(sim.trace().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_chip_label_with_a_slash_or_dots_is_text_not_a_path() {
    // Labels are only compared with `label` files: no `/` or `..` guard,
    // and nothing outside `class/gpio` is touched.
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    for label in ["../leds", "a/b", "", "x\0y", ".."] {
        let error = SysfsGpio::chip(label, 0).root(&sim).resolve().unwrap_err();
        assert!(
            matches!(&error, LedError::NoSuchChip { label: l, .. } if l == label),
            "{error:?}"
        );
    }
    assert!(sim.trace().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_bcm_number_past_the_chip_is_refused_naming_the_bcm_number_and_range() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let error = SysfsGpio::bcm(58).root(&sim).open().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "BCM 58 is not a pin of the Raspberry Pi's GPIO controller \"pinctrl-bcm2711\", which has BCM 0 to 57; pass a BCM number from 0 to 57 (the pinout's GPIO17 is BCM 17)"
    );
    assert!(sim.trace().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_missing_sysfs_root_says_which_directory() {
    let dir = std::env::temp_dir().join("async-with-no-such-sysfs");
    let error = SysfsGpio::bcm(17)
        .root(dir.as_path())
        .open()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("async-with-no-such-sysfs/class/gpio"),
        "{text}"
    );
    assert!(text.contains("the file is missing"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn another_process_reading_the_value_file_sees_the_led() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    let value_file = sim.root().join(VALUE_529);
    let cat = |file: &std::path::Path| {
        let out = std::process::Command::new("cat")
            .arg(file)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let mut spotlight = Spotlight::new(led);
    let result: Result<String, LedError> = async {
        let borrowed = &mut spotlight;
        Ok(async_with!(borrowed? => _spot { cat(&value_file) }))
    }
    .await;
    assert_eq!(result.unwrap(), "1\n");
    assert_eq!(cat(&value_file), "0\n");
}

#[tokio::test]
async fn a_sysfs_spotlight_block_is_send() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let block = assert_send(async move {
        let led = SysfsGpio::bcm(17).root(sim.clone()).open().await?;
        async_with!(Spotlight::new(led)? => _spot {
            tokio::task::yield_now().await;
        });
        Ok::<_, LedError>(sim)
    });
    let sim = tokio::spawn(block).await.unwrap().unwrap();
    assert_eq!(sim.trace().len(), 5);
}

#[tokio::test(start_paused = true)]
async fn the_value_file_is_opened_once_and_written_in_place() {
    use embedded_hal::digital::OutputPin;

    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let mut led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    // Swap the file under the path: a pin that reopened `value` per write
    // would write the new file; a kept-open fd still writes the old one.
    let dir = sim.root().join("class/gpio/gpio529");
    std::fs::rename(dir.join("value"), dir.join("value.kept")).unwrap();
    std::fs::write(dir.join("value"), "0\n").unwrap();
    led.set_high().unwrap();
    assert_eq!(sim.read("class/gpio/gpio529/value.kept").unwrap(), "1\n");
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
}

#[tokio::test(start_paused = true)]
async fn value_when_on_is_what_the_file_reads_under_the_kernels_active_low() {
    for (user_active_low, expected) in [(false, "0"), (true, "1")] {
        let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
        sim.export_as(529, "out").unwrap();
        std::fs::write(sim.root().join("class/gpio/gpio529/active_low"), "1\n").unwrap();
        let led = SysfsGpio::number(529)
            .active_low(user_active_low)
            .root(&sim)
            .open()
            .await
            .unwrap();
        assert!(led.kernel_active_low());
        assert_eq!(led.value_when_on(), expected);
        let lit = lit_block(led, |_| sim.read(VALUE_529).unwrap())
            .await
            .unwrap();
        assert_eq!(
            lit,
            format!("{expected}\n"),
            "user active_low {user_active_low}"
        );
    }
}
