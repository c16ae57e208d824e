//! SysfsLed on the simulated sysfs: trigger saved and restored, brightness
//! after each step, inversion, unknown and malicious names.

use async_with::led::sim::{Board, SimSysfs};
use async_with::led::{LedError, SysfsLed};

use crate::support::led;
use led::{ACT_BRIGHTNESS as BRIGHTNESS, ACT_TRIGGER as TRIGGER, lit_block};

#[tokio::test(start_paused = true)]
async fn the_act_led_is_lit_at_max_brightness_and_its_trigger_restored() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    assert_eq!(
        sim.read(TRIGGER).unwrap(),
        "none timer heartbeat default-on [mmc0] actpwr\n"
    );
    let led = SysfsLed::named("ACT").root(&sim).open().unwrap();
    assert_eq!(led.saved_trigger(), "mmc0");
    assert_eq!(led.max_brightness(), 255);
    assert_eq!(
        sim.read(TRIGGER).unwrap(),
        "[none] timer heartbeat default-on mmc0 actpwr\n"
    );
    assert_eq!(sim.read(BRIGHTNESS).unwrap(), "0\n");

    let (brightness, trigger) = lit_block(led, |_| {
        (sim.read(BRIGHTNESS).unwrap(), sim.read(TRIGGER).unwrap())
    })
    .await
    .unwrap();
    assert_eq!(brightness, "255\n");
    assert_eq!(trigger, "[none] timer heartbeat default-on mmc0 actpwr\n");

    assert_eq!(sim.read(BRIGHTNESS).unwrap(), "0\n");
    assert_eq!(
        sim.read(TRIGGER).unwrap(),
        "none timer heartbeat default-on [mmc0] actpwr\n"
    );
}

#[tokio::test(start_paused = true)]
async fn an_led_without_a_trigger_is_not_given_one() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_led("user", &["none", "timer"], "none", 1).unwrap();
    let led = SysfsLed::named("user").root(&sim).open().unwrap();
    let lit = lit_block(led, |_| sim.read("class/leds/user/brightness").unwrap()).await;
    assert_eq!(lit.unwrap(), "1\n");
    assert_eq!(
        sim.trace(),
        [
            "class/leds/user/brightness <- 0",
            "class/leds/user/brightness <- 1",
            "class/leds/user/brightness <- 0",
        ]
    );
    assert_eq!(
        sim.read("class/leds/user/trigger").unwrap(),
        "[none] timer\n"
    );
}

#[tokio::test(start_paused = true)]
async fn an_inverted_led_is_on_at_zero() {
    let sim = SimSysfs::temp_raspberry_pi_5().unwrap();
    let led = SysfsLed::named("PWR")
        .inverted(true)
        .root(&sim)
        .open()
        .unwrap();
    assert_eq!(led.saved_trigger(), "default-on");
    drop(led);
    assert_eq!(
        sim.trace(),
        [
            "class/leds/PWR/trigger <- none",
            "class/leds/PWR/brightness <- 255",
            "class/leds/PWR/trigger <- default-on",
        ]
    );
    let sim = SimSysfs::temp_raspberry_pi_5().unwrap();
    let led = SysfsLed::named("PWR")
        .inverted(true)
        .root(&sim)
        .open()
        .unwrap();
    let result = lit_block(led, |_| sim.read("class/leds/PWR/brightness").unwrap()).await;
    assert_eq!(result.unwrap(), "0\n");
    // default-on lights it again: the trigger, not us, decides now.
    assert_eq!(sim.read("class/leds/PWR/brightness").unwrap(), "255\n");
}

#[tokio::test(start_paused = true)]
async fn an_unknown_led_lists_the_available_ones() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let error = SysfsLed::named("led0").root(&sim).open().unwrap_err();
    assert!(matches!(error, LedError::NoSuchLed { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.starts_with("no LED \"led0\" in "), "{text}");
    assert!(
        text.ends_with("class/leds; available LEDs: ACT, PWR; use one of those names"),
        "{text}"
    );
    assert!(sim.trace().is_empty());
}

#[tokio::test(start_paused = true)]
async fn no_led_at_all_says_where_one_comes_from() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    let error = SysfsLed::named("ACT").root(&sim).open().unwrap_err();
    let text = error.to_string();
    assert!(
        text.ends_with(
            "class/leds; available LEDs: none; this system exposes no LED there: an LED appears \
             once its driver is loaded (e.g. `leds-gpio` from the device tree); or light a GPIO line instead"
        ),
        "{text}"
    );
}

#[test]
fn names_that_leave_the_leds_directory_are_refused_before_any_file() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    let cases = [
        ("../../gpio/export", "it contains `/`"),
        ("ACT/../PWR", "it contains `/`"),
        ("..", "it contains `..`"),
        ("AC..T", "it contains `..`"),
        ("", "it is empty"),
        ("ACT\0", "it contains a NUL byte"),
    ];
    for (name, reason) in cases {
        let error = SysfsLed::named(name).root(&sim).open().unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "invalid LED name {name:?}: {reason}; pass a plain name such as `ACT` or `gpiochip0`"
            )
        );
    }
    assert!(sim.trace().is_empty());
    assert_eq!(
        sim.read(TRIGGER).unwrap(),
        "none timer heartbeat default-on [mmc0] actpwr\n"
    );
}

#[test]
fn a_trigger_file_without_an_active_trigger_is_malformed() {
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_led("odd", &["none", "timer"], "missing", 255)
        .unwrap();
    let error = SysfsLed::named("odd").root(&sim).open().unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("unexpected contents \"none timer\" in "),
        "{text}"
    );
    assert!(text.contains("odd/trigger for LED \"odd\""), "{text}");
    assert!(sim.trace().is_empty());
}

#[test]
fn a_file_the_led_driver_does_not_provide_is_not_blamed_on_export() {
    let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
    sim.inject(async_with::led::sim::Fault::Vanished(
        "class/leds/ACT/max_brightness".into(),
    ));
    let error = SysfsLed::named("ACT").root(&sim).open().unwrap_err();
    let text = error.to_string();
    assert!(text.contains("ACT/max_brightness"), "{text}");
    assert!(
        text.contains("although its directory exists: the driver does not provide it"),
        "{text}"
    );
    assert!(!text.contains("exported"), "{text}");
    assert!(sim.trace().is_empty(), "nothing written: {:?}", sim.trace());
}
