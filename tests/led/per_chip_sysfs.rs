//! Kernels without the legacy global `export` (only `class/gpio/chipN/`):
//! lines are exported by hardware offset on their chip.

use async_with::led::sim::{Board, SimSysfs};
use async_with::led::{GpioChip, LedError, SysfsGpio};

use crate::support::led;
use led::lit_block;

const VALUE: &str = "class/gpio/chip0/gpio17/value";

#[tokio::test(start_paused = true)]
async fn bcm_17_is_exported_by_offset_on_its_chip() {
    let sim = SimSysfs::temp(Board::RaspberryPi4PerChip).unwrap();
    let chip = GpioChip::raspberry_pi(&sim).unwrap();
    assert_eq!((chip.name.as_str(), chip.base), ("chip0", None));
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    assert_eq!(led.value_path(), sim.root().join(VALUE));
    let lit = lit_block(led, |_| sim.read(VALUE).unwrap()).await.unwrap();
    assert_eq!(lit, "1\n");
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/chip0/export <- 17",
            "class/gpio/chip0/gpio17/direction <- low",
            "class/gpio/chip0/gpio17/value <- 1",
            "class/gpio/chip0/gpio17/value <- 0",
            "class/gpio/chip0/unexport <- 17",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_chip_label_and_offset_work_on_the_per_chip_interface() {
    let sim = SimSysfs::temp(Board::RaspberryPi4PerChip).unwrap();
    let led = SysfsGpio::chip("raspberrypi-exp-gpio", 2)
        .root(&sim)
        .open()
        .await
        .unwrap();
    assert!(sim.exists("class/gpio/chip1/gpio2/value"));
    drop(led);
    assert!(!sim.exists("class/gpio/chip1/gpio2"));
}

#[tokio::test(start_paused = true)]
async fn a_global_number_is_refused_saying_to_use_label_and_offset() {
    let sim = SimSysfs::temp(Board::RaspberryPi4PerChip).unwrap();
    let error = SysfsGpio::number(529).root(&sim).open().await.unwrap_err();
    assert!(
        matches!(error, LedError::NoGlobalNumbers { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("--chip LABEL --offset N"),
        "{error}"
    );
    let error = SysfsGpio::bcm(58).root(&sim).open().await.unwrap_err();
    assert!(
        matches!(error, LedError::OffsetOutOfRange { asked: "BCM", .. }),
        "{error:?}"
    );
    // Named as asked (a BCM number, not a line offset), with the range.
    let text = error.to_string();
    assert!(text.starts_with("BCM 58 is not a pin of "), "{text}");
    assert!(text.contains("pass a BCM number from 0 to 57"), "{text}");
    let error = SysfsGpio::chip("pinctrl-bcm2711", 60)
        .root(&sim)
        .open()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("offset 60 is outside gpiochip \"pinctrl-bcm2711\", which has lines 0 to 57; pass an offset from 0 to 57"),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_global_number_on_a_system_without_sysfs_gpio_does_not_blame_the_per_chip_interface() {
    // No `class/gpio` at all (a PC, or a kernel without CONFIG_GPIO_SYSFS):
    // there is no per-chip interface either, so the error must not say
    // "only the per-chip `chipN/export` exists".
    let root = std::env::temp_dir().join(format!("async-with-no-gpio-{}", std::process::id()));
    std::fs::create_dir_all(root.join("class")).unwrap();
    let error = SysfsGpio::number(5)
        .root(root.as_path())
        .open()
        .await
        .unwrap_err();
    std::fs::remove_dir_all(&root).unwrap();
    assert!(
        !matches!(error, LedError::NoGlobalNumbers { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("class/gpio"), "{message}");
    assert!(!message.contains("per-chip"), "{message}");
    assert!(message.contains("sysfs GPIO"), "{message}");
}
