//! An LED's trigger comes back with its own attributes: writing a trigger's
//! name re-activates it with its defaults, so each saved attribute is
//! written back after it.

use async_with::led::SysfsLed;
use async_with::led::sim::{Board, SimSysfs};

const TRIGGERS: &[&str] = &["none", "timer", "oneshot", "heartbeat", "default-on"];

fn write(sim: &SimSysfs, file: &str, value: &str) {
    std::fs::write(sim.root().join("class/leds/user").join(file), value).unwrap();
}

/// An LED under `trigger` whose attributes were changed from the defaults.
fn led_under(trigger: &str, attributes: &[(&str, &str)]) -> SimSysfs {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_led("user", TRIGGERS, trigger, 255).unwrap();
    for (attr, value) in attributes {
        write(&sim, attr, &format!("{value}\n"));
    }
    sim
}

fn read(sim: &SimSysfs, file: &str) -> String {
    sim.read(format!("class/leds/user/{file}")).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_timer_comes_back_with_its_delays() {
    let sim = led_under("timer", &[("delay_on", "100"), ("delay_off", "900")]);
    let led = SysfsLed::named("user").root(&sim).open().unwrap();
    assert_eq!(
        led.saved_attributes(),
        [
            ("delay_off".to_owned(), "900".to_owned()),
            ("delay_on".to_owned(), "100".to_owned())
        ]
    );
    // Under `none` the timer's files are gone.
    assert!(!sim.exists("class/leds/user/delay_on"));
    led.close().unwrap();
    assert!(read(&sim, "trigger").contains("[timer]"));
    assert_eq!(read(&sim, "delay_on"), "100\n");
    assert_eq!(read(&sim, "delay_off"), "900\n");
    let trace = sim.trace();
    let at = |write: &str| trace.iter().position(|w| w.ends_with(write));
    let (restored, delay) = (
        at("trigger <- timer").unwrap(),
        at("delay_on <- 100").unwrap(),
    );
    assert!(
        restored < delay,
        "the trigger first, then its delays: {trace:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn every_trigger_with_attributes_gets_them_back() {
    for (trigger, attributes) in [
        (
            "oneshot",
            &[("delay_on", "30"), ("delay_off", "70"), ("invert", "1")][..],
        ),
        ("heartbeat", &[("invert", "1")][..]),
        ("timer", &[("delay_on", "1"), ("delay_off", "2000")][..]),
    ] {
        let sim = led_under(trigger, attributes);
        let led = SysfsLed::named("user").root(&sim).open().unwrap();
        assert_eq!(led.saved_attributes().len(), attributes.len(), "{trigger}");
        drop(led);
        assert!(read(&sim, "trigger").contains(&format!("[{trigger}]")));
        for (attr, value) in attributes {
            assert_eq!(read(&sim, attr), format!("{value}\n"), "{trigger} {attr}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn attributes_already_at_their_defaults_are_not_rewritten() {
    let sim = led_under("timer", &[]);
    let led = SysfsLed::named("user").root(&sim).open().unwrap();
    led.close().unwrap();
    assert_eq!(read(&sim, "delay_on"), "500\n");
    assert!(
        !sim.trace().iter().any(|w| w.contains("delay_")),
        "{:?}",
        sim.trace()
    );
}
