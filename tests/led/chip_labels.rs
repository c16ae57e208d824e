//! Chip labels are text, not paths: a device-tree label with `/` is found,
//! and a label several chips carry is refused naming every one of them.

use async_with::led::sim::{Board, SimSysfs};
use async_with::led::{GpioChip, LedError, SysfsGpio};

#[tokio::test(start_paused = true)]
async fn a_device_tree_label_with_slashes_is_looked_up_as_text() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_chip(512, 32, "/soc@0/gpio@200100a0").unwrap();
    let led = SysfsGpio::chip("/soc@0/gpio@200100a0", 3)
        .root(&sim)
        .open()
        .await
        .unwrap();
    assert_eq!(led.gpio(), 515);
    assert!(sim.exists("class/gpio/gpio515/value"));
}

#[tokio::test(start_paused = true)]
async fn a_label_several_chips_carry_is_refused_naming_each() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_chip(512, 32, "gpio-mockup-A").unwrap();
    sim.add_chip(600, 8, "gpio-mockup-A").unwrap();
    let error = SysfsGpio::chip("gpio-mockup-A", 3)
        .root(&sim)
        .open()
        .await
        .unwrap_err();
    assert!(matches!(error, LedError::AmbiguousChip { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("gpiochip512"), "{text}");
    assert!(text.contains("gpiochip600"), "{text}");
    assert!(
        text.contains("names no single chip: 2 chips carry it, gpiochip512 (GPIO 512 to 543) and gpiochip600 (GPIO 600 to 607)"),
        "{text}"
    );
    // How to pick one: line 3 of each, by global number.
    assert!(text.contains("`--gpio 515` or `--gpio 603`"), "{text}");
    assert!(!text.contains("all carry it"), "{text}");
    assert!(
        sim.trace().is_empty(),
        "nothing exported: {:?}",
        sim.trace()
    );
}

#[test]
fn a_raspberry_pi_label_on_two_chips_is_ambiguous_too() {
    let sim = SimSysfs::temp(Board::RaspberryPi4).unwrap();
    sim.add_chip(600, 58, "pinctrl-bcm2711").unwrap();
    let error = GpioChip::raspberry_pi(&sim).unwrap_err();
    assert!(error.to_string().contains("gpiochip512"), "{error}");
    assert!(error.to_string().contains("gpiochip600"), "{error}");
}

#[test]
fn names_that_become_paths_are_still_checked() {
    let sim = SimSysfs::temp(Board::RaspberryPi4).unwrap();
    let error = async_with::led::SysfsLed::named("../../etc")
        .root(&sim)
        .open()
        .unwrap_err();
    assert!(matches!(error, LedError::InvalidName { .. }), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn a_label_two_per_chip_devices_carry_is_refused_naming_the_devices_that_pick_one() {
    // Kernels with only the per-chip interface have no global numbers: the
    // way to pick one chip is its character device, `chipN` being
    // `/dev/gpiochipN`.
    let sim = SimSysfs::temp(Board::RaspberryPi4PerChip).unwrap();
    sim.add_chip_device(5, 58, "pinctrl-bcm2711").unwrap();
    let error = SysfsGpio::bcm(17).root(&sim).open().await.unwrap_err();
    assert!(
        matches!(&error, LedError::AmbiguousChip { count: 2, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("chip0 (58 lines) and chip5 (58 lines)"),
        "{text}"
    );
    assert!(
        text.contains(
            "by its character device: `--cdev /dev/gpiochip0 --line 17` or `--cdev /dev/gpiochip5 --line 17`"
        ),
        "{text}"
    );
    assert!(
        sim.trace().is_empty(),
        "nothing exported: {:?}",
        sim.trace()
    );
}
