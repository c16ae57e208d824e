//! `CdevLine` on the gpio-mockup chip's `/dev/gpiochipN`: lit for the body,
//! off after it, the consumer label visible to the kernel while held.

use std::path::Path;

use async_with::led::{CdevLine, LedError, SysfsGpio};
use async_with::{Spotlight, async_with};

use crate::kernel;
use crate::layout::{CHIP_A, line};
use crate::lit::lit;
use crate::report::Report;

const CONSUMER: &str = "kernel-tier";

pub(crate) async fn run(r: &mut Report) {
    let chip = match kernel::chip_device(CHIP_A.label) {
        Ok(chip) => chip,
        Err(e) => return r.fail("CdevLine: find the gpio-mockup-A device", e),
    };
    by_chip(r, &chip).await;
    by_name(r).await;
    held_by_leds_gpio(r, &chip);
}

/// Who holds line `offset` of `/dev/{chip}` and how, as the kernel reports
/// it through the character device's line info (`GPIO_V2_GET_LINEINFO_IOCTL`):
/// `Some("consumer out")` while requested as an output, `None` when free.
/// (The `/sys/kernel/debug/gpio` listing this used to read changed its
/// layout in 7.x; the uAPI did not.)
fn held_as(chip: &str, offset: u32) -> Result<Option<String>, String> {
    let path = format!("/dev/{chip}");
    let info = gpiocdev::chip::Chip::from_path(&path)
        .and_then(|c| c.line_info(offset))
        .map_err(|e| format!("line info of {path} line {offset}: {e}"))?;
    if !info.used {
        return Ok(None);
    }
    let direction = match info.direction {
        gpiocdev::line::Direction::Output => "out",
        gpiocdev::line::Direction::Input => "in",
    };
    Ok(Some(format!("{} {direction}", info.consumer)))
}

async fn by_chip(r: &mut Report, chip: &str) {
    let offset = line::CDEV;
    let gpio = CHIP_A.base + offset;
    let name = format!("CdevLine::chip({chip:?}, {offset})");
    let led = match CdevLine::chip(chip, offset).consumer(CONSUMER).request() {
        Ok(led) => led,
        Err(e) => return r.fail(&format!("{name}: request"), e),
    };
    r.check(
        &format!("{name}: opens /dev/{chip}"),
        Path::new("/dev").join(chip),
        led.chip_path(),
    );
    let during: Result<_, LedError> = async {
        Ok(async_with!(Spotlight::new(led)? => _spot {
            // While held through the cdev, sysfs must not get the line.
            let sysfs = SysfsGpio::number(gpio).open().await;
            (
                kernel::mockup_value(CHIP_A.label, offset),
                held_as(chip, offset).map(|h| h.as_deref() == Some(&*format!("{CONSUMER} out"))),
                matches!(sysfs, Err(LedError::Busy { .. })),
            )
        }))
    }
    .await;
    r.check_ok(
        &format!(
            "{name}: line high in the body, held by {CONSUMER:?} as an output, busy for sysfs"
        ),
        (Ok("1".to_owned()), Ok(true), true),
        during,
    );
    r.check(
        &format!("{name}: line low and released after the block"),
        (Ok("0".to_owned()), Ok(false)),
        (
            kernel::mockup_value(CHIP_A.label, offset),
            held_as(chip, offset).map(|h| h.is_some()),
        ),
    );
}

async fn by_name(r: &mut Report) {
    let offset = line::CDEV_NAMED;
    let line_name = format!("{}-{offset}", CHIP_A.label);
    let name = format!("CdevLine::named({line_name:?})");
    let led = match CdevLine::named(&line_name).consumer(CONSUMER).request() {
        Ok(led) => led,
        Err(e) => return r.fail(&format!("{name}: request"), e),
    };
    let during = lit(led, || kernel::mockup_value(CHIP_A.label, offset)).await;
    r.check_ok(
        &format!("{name}: line high in the body"),
        Ok("1".to_owned()),
        during,
    );
    r.check(
        &format!("{name}: line low after the block"),
        Ok("0".to_owned()),
        kernel::mockup_value(CHIP_A.label, offset),
    );
}

fn held_by_leds_gpio(r: &mut Report, chip: &str) {
    let offset = line::ACT;
    let name = format!("CdevLine::chip({chip:?}, {offset}) held by leds-gpio");
    let error = CdevLine::chip(chip, offset)
        .consumer(CONSUMER)
        .request()
        .err();
    let text = error
        .as_ref()
        .map(|e| format!("{e}: {:?}", std::error::Error::source(e)));
    println!("     error text: {}", text.as_deref().unwrap_or("none"));
    let text = text.unwrap_or_default().to_lowercase();
    // The kernel names the line's consumer: the leds-gpio LED.
    let holder = format!("in use by the consumer {:?}", crate::layout::GPIO_LED).to_lowercase();
    r.check(
        &format!("{name}: refused, naming the line and its consumer"),
        (true, true, true),
        (
            matches!(error, Some(LedError::Held { .. })),
            text.contains(&format!("line {offset} of /dev/{chip}")),
            text.contains(&holder),
        ),
    );
}
