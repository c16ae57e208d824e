//! `SysfsGpio` on gpio-mockup lines numbered like a Raspberry Pi on kernel
//! 6.6+: lit for the body, off after it, export state left as found, and the
//! kernel's refusals turned into our errors.

use async_with::Spotlight;
use async_with::led::{LedError, SysfsGpio};

use crate::kernel::{self, write_ok};
use crate::layout::{CHIP_A, CHIP_B, CHIP_B_LINE, Chip, line};
use crate::lit::{lit, lit_borrowed};
use crate::report::Report;

pub(crate) async fn run(r: &mut Report) {
    by_number(r).await;
    by_label(r, CHIP_A, line::BY_LABEL).await;
    by_label(r, CHIP_B, CHIP_B_LINE).await;
    pre_exported(r).await;
    input_refused(r).await;
    held_by_leds_gpio(r).await;
    unknown_number(r).await;
}

async fn by_number(r: &mut Report) {
    let gpio = CHIP_A.base + line::BY_NUMBER;
    let name = format!("SysfsGpio::number({gpio})");
    let led = match SysfsGpio::number(gpio).open().await {
        Ok(led) => led,
        Err(e) => return r.fail(&format!("{name}: open"), e),
    };
    r.check(
        &format!("{name}: open exports the line"),
        (true, true),
        (led.exported_by_us(), kernel::is_exported(gpio)),
    );
    lit_and_left_unexported(r, &name, led, CHIP_A, line::BY_NUMBER).await;
}

async fn by_label(r: &mut Report, chip: Chip, offset: u32) {
    let name = format!("SysfsGpio::chip({:?}, {offset})", chip.label);
    let led = match SysfsGpio::chip(chip.label, offset).open().await {
        Ok(led) => led,
        Err(e) => return r.fail(&format!("{name}: open"), e),
    };
    r.check(
        &format!("{name}: resolves to GPIO {}", chip.base + offset),
        chip.base + offset,
        led.gpio(),
    );
    lit_and_left_unexported(r, &name, led, chip, offset).await;
}

/// Lights a line the spotlight exported itself: high in the body, low after,
/// and no longer exported once the block has dropped the pin.
async fn lit_and_left_unexported(
    r: &mut Report,
    name: &str,
    led: SysfsGpio,
    chip: Chip,
    offset: u32,
) {
    let gpio = led.gpio();
    let during = lit(led, || kernel::mockup_value(chip.label, offset)).await;
    r.check_ok(
        &format!("{name}: line high in the body"),
        Ok("1".to_owned()),
        during,
    );
    r.check(
        &format!("{name}: line low and unexported after the block"),
        (Ok("0".to_owned()), false),
        (
            kernel::mockup_value(chip.label, offset),
            kernel::is_exported(gpio),
        ),
    );
}

async fn pre_exported(r: &mut Report) {
    let gpio = CHIP_A.base + line::PRE_EXPORTED;
    let name = format!("SysfsGpio::number({gpio}) exported beforehand");
    let dir = format!("/sys/class/gpio/gpio{gpio}");
    if let Err(e) = write_ok("/sys/class/gpio/export", &gpio.to_string())
        .and_then(|()| write_ok(format!("{dir}/direction"), "high"))
    {
        return r.fail(&format!("{name}: setup"), e);
    }
    let led = match SysfsGpio::number(gpio).open().await {
        Ok(led) => led,
        Err(e) => return r.fail(&format!("{name}: open"), e),
    };
    r.check(
        &format!("{name}: open turns the line off and does not claim the export"),
        (Ok("0".to_owned()), false),
        (
            kernel::mockup_value(CHIP_A.label, line::PRE_EXPORTED),
            led.exported_by_us(),
        ),
    );
    // Kept past the block: the line must be low through exit alone, before
    // closing the pin (which would also turn it off).
    let mut spot = Spotlight::new(led);
    let value = || kernel::mockup_value(CHIP_A.label, line::PRE_EXPORTED);
    let during = lit_borrowed(&mut spot, value).await;
    r.check_ok(
        &format!("{name}: line high in the body"),
        Ok("1".to_owned()),
        during,
    );
    r.check(
        &format!("{name}: line low after the block, pin still open"),
        Ok("0".to_owned()),
        value(),
    );
    r.check(
        &format!("{name}: after close the line is low, still exported, still an output"),
        (Ok(()), Ok("0".to_owned()), true, Ok("out".to_owned())),
        (
            spot.into_inner().close().map_err(|e| e.to_string()),
            value(),
            kernel::is_exported(gpio),
            kernel::read(format!("{dir}/direction")),
        ),
    );
    let _ = kernel::write("/sys/class/gpio/unexport", &gpio.to_string());
}

async fn input_refused(r: &mut Report) {
    let gpio = CHIP_A.base + line::INPUT;
    let name = format!("SysfsGpio::number({gpio}) exported as an input");
    let dir = format!("/sys/class/gpio/gpio{gpio}");
    if let Err(e) = write_ok("/sys/class/gpio/export", &gpio.to_string())
        .and_then(|()| write_ok(format!("{dir}/direction"), "in"))
    {
        return r.fail(&format!("{name}: setup"), e);
    }
    let error = SysfsGpio::number(gpio).open().await.err();
    let text = error.as_ref().map(ToString::to_string).unwrap_or_default();
    r.check(
        &format!("{name}: refused with IsInput naming the pin and the direction file"),
        (true, true, true),
        (
            matches!(error, Some(LedError::IsInput { .. })),
            text.contains(&format!("GPIO {gpio}")),
            text.contains(&format!("{dir}/direction")),
        ),
    );
    r.check(
        &format!("{name}: left an exported input"),
        (true, Ok("in".to_owned())),
        (
            kernel::is_exported(gpio),
            kernel::read(format!("{dir}/direction")),
        ),
    );
    let _ = kernel::write("/sys/class/gpio/unexport", &gpio.to_string());
}

async fn held_by_leds_gpio(r: &mut Report) {
    let gpio = CHIP_A.base + line::ACT;
    let name = format!("SysfsGpio::number({gpio}) held by leds-gpio");
    let error = SysfsGpio::number(gpio).open().await.err();
    let text = error.as_ref().map(ToString::to_string).unwrap_or_default();
    println!("     error text: {text}");
    r.check(
        &format!("{name}: EBUSY becomes LedError::Busy naming the pin, the file and the fix"),
        (true, true, true, true),
        (
            matches!(error, Some(LedError::Busy { .. })),
            text.contains(&format!("GPIO {gpio}")),
            text.contains("/sys/class/gpio/export") && text.contains("EBUSY"),
            text.contains("unload the driver"),
        ),
    );
}

async fn unknown_number(r: &mut Report) {
    let name = "SysfsGpio::number(9999)";
    let error = SysfsGpio::number(9999).open().await.err();
    let text = error.as_ref().map(ToString::to_string).unwrap_or_default();
    println!("     error text: {text}");
    r.check(
        &format!("{name}: EINVAL becomes NoSuchGpio listing the real chips"),
        (true, true, true),
        (
            matches!(error, Some(LedError::NoSuchGpio { gpio: 9999, .. })),
            text.contains(CHIP_A.label),
            text.contains(CHIP_B.label),
        ),
    );
}
