//! Cancelling a block lit by a sysfs backend, during the settle or the
//! body: the LED is off, then the line is unexported / the trigger restored.
//! Cancelling an open while it waits out udev unexports what it exported.

use std::time::Duration;

use async_with::led::sim::{Fault, SimSysfs};
use async_with::led::{LedError, SysfsGpio, SysfsLed};
use async_with::{Spotlight, async_with};
use tokio::time::timeout;

use crate::support::led;
use led::VALUE_529;

async fn light_for(sim: &SimSysfs, body: Duration) -> Result<(), LedError> {
    let led = SysfsGpio::bcm(17).root(sim).open().await?;
    async_with!(Spotlight::new(led)? => _spot {
        assert_eq!(sim.read(VALUE_529).unwrap(), "1\n");
        tokio::time::sleep(body).await;
    });
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn cancelled_during_the_settle_the_line_is_off_and_unexported() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let cancelled = timeout(Duration::from_millis(10), light_for(&sim, Duration::ZERO)).await;
    assert!(cancelled.is_err());
    assert_eq!(
        sim.trace(),
        [
            "class/gpio/export <- 529",
            "class/gpio/gpio529/direction <- low",
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0",
            "class/gpio/unexport <- 529",
        ]
    );
    assert!(!sim.exists("class/gpio/gpio529"));
}

#[tokio::test(start_paused = true)]
async fn cancelled_during_the_body_the_line_is_off_and_unexported() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let cancelled = timeout(
        Duration::from_secs(1),
        light_for(&sim, Duration::from_secs(60)),
    )
    .await;
    assert!(cancelled.is_err());
    assert_eq!(
        sim.trace()[2..],
        [
            "class/gpio/gpio529/value <- 1",
            "class/gpio/gpio529/value <- 0",
            "class/gpio/unexport <- 529",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_line_someone_else_exported_is_left_exported_and_off() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.export_as(529, "out").unwrap();
    let cancelled = timeout(
        Duration::from_secs(1),
        light_for(&sim, Duration::from_secs(60)),
    )
    .await;
    assert!(cancelled.is_err());
    assert_eq!(sim.read(VALUE_529).unwrap(), "0\n");
    assert_eq!(sim.read("class/gpio/gpio529/direction").unwrap(), "out\n");
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_led_block_restores_the_trigger() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let block = async {
        let led = SysfsLed::named("ACT").root(&sim).open()?;
        async_with!(Spotlight::new(led)? => _spot {
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        Ok::<_, LedError>(())
    };
    assert!(timeout(Duration::from_secs(1), block).await.is_err());
    assert_eq!(
        sim.trace()[2..],
        [
            "class/leds/ACT/brightness <- 255",
            "class/leds/ACT/brightness <- 0",
            "class/leds/ACT/trigger <- mmc0",
        ]
    );
    assert!(
        sim.read("class/leds/ACT/trigger")
            .unwrap()
            .contains("[mmc0]")
    );
}

#[tokio::test(start_paused = true)]
async fn an_open_cancelled_while_waiting_for_udev_unexports_the_line_and_a_reopen_works() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(Fault::PermissionRace(Duration::from_millis(300)));
    let cancelled = timeout(
        Duration::from_millis(100),
        SysfsGpio::bcm(17).root(&sim).open(),
    )
    .await;
    assert!(cancelled.is_err());
    let trace = sim.take_trace();
    assert_eq!(
        trace.first().map(String::as_str),
        Some("class/gpio/export <- 529")
    );
    assert_eq!(
        trace.last().map(String::as_str),
        Some("class/gpio/unexport <- 529")
    );
    assert!(!sim.exists("class/gpio/gpio529"));

    sim.heal();
    let led = SysfsGpio::bcm(17).root(&sim).open().await.unwrap();
    assert!(led.exported_by_us());
}
