//! For one lit block per backend, the exact file writes a real kernel would
//! see, from the simulated sysfs's write trace. Run with `--nocapture` to
//! print them.

use async_with::led::sim::SimSysfs;
use async_with::led::{LedError, RecordingPin, SysfsGpio, SysfsLed};
use async_with::{Spotlight, async_with};

use crate::support::led;
use led::lit_block;

fn show(title: &str, trace: &[String]) {
    println!("{title}:");
    for write in trace {
        println!("  {write}");
    }
}

async fn light_gpio(sim: &SimSysfs, bcm: u32) -> Result<(), LedError> {
    let led = SysfsGpio::bcm(bcm).root(sim).open().await?;
    lit_block(led, |_| ()).await
}

#[tokio::test(start_paused = true)]
async fn sysfs_gpio_on_a_pi_4_writes_export_direction_value_unexport() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    light_gpio(&sim, 17).await.unwrap();
    let trace = sim.trace();
    show("SysfsGpio::bcm(17), Raspberry Pi 4", &trace);
    assert_eq!(
        trace,
        [
            "class/gpio/export <- 529",
            "class/gpio/gpio529/direction <- low",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0",
            "class/gpio/unexport <- 529",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn sysfs_gpio_on_a_pi_5_writes_the_same_under_base_571() {
    let sim = SimSysfs::temp_raspberry_pi_5().unwrap();
    light_gpio(&sim, 17).await.unwrap();
    let trace = sim.trace();
    show("SysfsGpio::bcm(17), Raspberry Pi 5", &trace);
    assert_eq!(
        trace,
        [
            "class/gpio/export <- 588",
            "class/gpio/gpio588/direction <- low",
            "class/gpio/gpio588/value <- 1",
            "class/gpio/gpio588/value <- 0",
            "class/gpio/unexport <- 588",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn sysfs_gpio_on_a_line_already_exported_writes_only_value() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "out").unwrap();
    light_gpio(&sim, 17).await.unwrap();
    let trace = sim.trace();
    show(
        "SysfsGpio::bcm(17), already exported by someone else",
        &trace,
    );
    assert_eq!(
        trace,
        [
            "class/gpio/gpio529/value <- 0",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn sysfs_led_act_writes_trigger_brightness_trigger() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let led = SysfsLed::named("ACT").root(&sim).open().unwrap();
    lit_block(led, |_| ()).await.unwrap();
    let trace = sim.trace();
    show("SysfsLed::named(\"ACT\"), Raspberry Pi 4", &trace);
    assert_eq!(
        trace,
        [
            "class/leds/ACT/trigger <- none",
            "class/leds/ACT/brightness <- 0",
            "class/leds/ACT/brightness <- 255",
            "class/leds/ACT/brightness <- 0",
            "class/leds/ACT/trigger <- mmc0",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_embedded_hal_pin_sees_high_then_low() {
    let pin = RecordingPin::new();
    async_with!(Spotlight::new(pin.clone()) => _spot {});
    println!("RecordingPin (embedded-hal OutputPin): {:?}", pin.history());
    assert_eq!(pin.history(), [true, false]);
}
