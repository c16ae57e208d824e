//! `SysfsLed` on a uleds LED (whose every brightness change the VM logs) and
//! on a leds-gpio LED (whose brightness drives a gpio-mockup line): on for
//! the body, off after it, trigger restored.

use std::time::Duration;

use async_with::Spotlight;
use async_with::led::SysfsLed;

use crate::kernel::{self, write_ok};
use crate::layout::{self, CHIP_A, line};
use crate::lit::{lit, lit_borrowed};
use crate::report::Report;

/// How long the uleds log holder may take to log a change under TCG.
const LOG_LIMIT: Duration = Duration::from_secs(10);

pub(crate) async fn run(r: &mut Report) {
    uleds_sequence(r).await;
    uleds_trigger_restored(r).await;
    leds_gpio(r).await;
}

/// Waits until the uleds log's last entry is `value`; returns the entries
/// logged after the first `mark` ones.
fn logged_after(led: &str, mark: usize, value: u32) -> Result<Vec<u32>, String> {
    kernel::wait_until(LOG_LIMIT, || {
        kernel::uleds_log(led).is_ok_and(|l| l.len() > mark && l.last() == Some(&value))
    });
    Ok(kernel::uleds_log(led)?
        .get(mark..)
        .unwrap_or_default()
        .to_vec())
}

async fn uleds_sequence(r: &mut Report) {
    let led = layout::ULED_SEQUENCE;
    let name = format!("SysfsLed::named({:?}) on uleds", led.name);
    let mark = kernel::uleds_log(led.name).map(|l| l.len()).unwrap_or(0);
    let opened = SysfsLed::named(led.name).open();
    let opened = match opened {
        Ok(opened) => opened,
        Err(e) => return r.fail(&format!("{name}: open"), e),
    };
    r.check(
        &format!("{name}: on is max_brightness"),
        led.max,
        opened.max_brightness(),
    );
    // The body waits for the kernel to hand "on" to the log holder: uleds
    // reports only the latest brightness, so an unread "on" would be lost.
    let during = lit(opened, || logged_after(led.name, mark, led.max)).await;
    r.check_ok(
        &format!("{name}: the kernel saw {} in the body", led.max),
        Ok(vec![led.max]),
        during,
    );
    r.check(
        &format!("{name}: brightness log is exactly on, off"),
        Ok(vec![led.max, 0]),
        logged_after(led.name, mark, 0),
    );
    r.check_ok(
        &format!("{name}: trigger none left alone"),
        "none".to_owned(),
        kernel::led_trigger(led.name),
    );
}

async fn uleds_trigger_restored(r: &mut Report) {
    let led = layout::ULED_TRIGGER;
    let name = format!("SysfsLed::named({:?}) under trigger timer", led.name);
    let trigger = format!("/sys/class/leds/{}/trigger", led.name);
    if let Err(e) = write_ok(&trigger, "timer") {
        return r.fail(&format!("{name}: setup"), e);
    }
    let opened = match SysfsLed::named(led.name).open() {
        Ok(opened) => opened,
        Err(e) => return r.fail(&format!("{name}: open"), e),
    };
    r.check(
        &format!("{name}: open saves the trigger"),
        "timer",
        opened.saved_trigger(),
    );
    let during = lit(opened, || {
        (
            kernel::led_trigger(led.name),
            kernel::read(format!("/sys/class/leds/{}/brightness", led.name)),
        )
    })
    .await;
    r.check_ok(
        &format!(
            "{name}: trigger none and brightness {} in the body",
            led.max
        ),
        (Ok("none".to_owned()), Ok(led.max.to_string())),
        during,
    );
    r.check_ok(
        &format!("{name}: trigger timer restored after the block"),
        "timer".to_owned(),
        kernel::led_trigger(led.name),
    );
    let _ = kernel::write(&trigger, "none");
}

async fn leds_gpio(r: &mut Report) {
    let led = layout::GPIO_LED;
    let name = format!("SysfsLed::named({led:?}) on leds-gpio under trigger default-on");
    let trigger = format!("/sys/class/leds/{led}/trigger");
    let act = || kernel::mockup_value(CHIP_A.label, line::ACT);
    if let Err(e) = write_ok(&trigger, "default-on") {
        return r.fail(&format!("{name}: setup"), e);
    }
    let mut spot = match SysfsLed::named(led).open() {
        Ok(opened) => Spotlight::new(opened),
        Err(e) => return r.fail(&format!("{name}: open"), e),
    };
    r.check(
        &format!("{name}: open turns the line off"),
        Ok("0".to_owned()),
        act(),
    );
    let during = lit_borrowed(&mut spot, act).await;
    r.check_ok(
        &format!("{name}: line high in the body"),
        Ok("1".to_owned()),
        during,
    );
    r.check(
        &format!("{name}: line low after the block"),
        Ok("0".to_owned()),
        act(),
    );
    let closed = spot
        .into_inner()
        .close()
        .map(|()| (kernel::led_trigger(led), act()));
    r.check_ok(
        &format!("{name}: close restores default-on, which lights it again"),
        (Ok("default-on".to_owned()), Ok("1".to_owned())),
        closed,
    );
    let _ = kernel::write(&trigger, "none");
}
