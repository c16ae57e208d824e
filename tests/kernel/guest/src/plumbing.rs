//! Checks done with plain file I/O: the VM has the chips, lines and LEDs the
//! backend checks rely on, and reading them back works.

use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

use crate::kernel::{self, read, write_ok};
use crate::layout::{self, CHIP_A, CHIP_B, line};
use crate::report::Report;

/// How long the uleds log holder may take to log a change under TCG.
const LOG_LIMIT: Duration = Duration::from_secs(10);

pub(crate) fn run(r: &mut Report) {
    chips(r);
    sysfs_line(r);
    gpio_led(r);
    uleds(r);
}

fn chips(r: &mut Report) {
    for chip in [CHIP_A, CHIP_B] {
        r.check_ok(
            &format!("plumbing: chip {} at base {}", chip.label, chip.base),
            chip.base,
            kernel::sysfs_chip_base(chip.label),
        );
        r.check_ok(
            &format!("plumbing: chip {} has {} lines", chip.label, chip.ngpio),
            chip.ngpio.to_string(),
            read(format!("/sys/class/gpio/gpiochip{}/ngpio", chip.base)),
        );
    }
    let cdev = kernel::chip_device(CHIP_A.label).map(|dev| {
        use std::os::unix::fs::FileTypeExt;
        let node = Path::new("/dev").join(dev);
        std::fs::metadata(&node).map(|m| m.file_type().is_char_device())
    });
    r.check(
        "plumbing: chip A has a /dev/gpiochipN character device",
        "Ok(Ok(true))",
        &format!("{cdev:?}"),
    );
}

fn sysfs_line(r: &mut Report) {
    let gpio = CHIP_A.base + line::PLUMBING;
    let dir = format!("/sys/class/gpio/gpio{gpio}");
    r.check_ok(
        &format!("plumbing: export gpio{gpio}"),
        true,
        write_ok("/sys/class/gpio/export", &gpio.to_string()).map(|()| kernel::is_exported(gpio)),
    );
    for value in ["1", "0"] {
        let set = write_ok(format!("{dir}/direction"), "out")
            .and_then(|()| write_ok(format!("{dir}/value"), value));
        r.check_ok(
            &format!("plumbing: gpio{gpio} value {value} seen in the mockup's debugfs"),
            value.to_owned(),
            set.and_then(|()| kernel::mockup_value(CHIP_A.label, line::PLUMBING)),
        );
    }
    r.check_ok(
        &format!("plumbing: unexport gpio{gpio}"),
        false,
        write_ok("/sys/class/gpio/unexport", &gpio.to_string()).map(|()| kernel::is_exported(gpio)),
    );
}

fn gpio_led(r: &mut Report) {
    let brightness = format!("/sys/class/leds/{}/brightness", layout::GPIO_LED);
    for value in ["1", "0"] {
        r.check_ok(
            &format!(
                "plumbing: leds-gpio {} brightness {value} drives its line",
                layout::GPIO_LED
            ),
            value.to_owned(),
            write_ok(&brightness, value)
                .and_then(|()| kernel::mockup_value(CHIP_A.label, line::ACT)),
        );
    }
    let gpio = CHIP_A.base + line::ACT;
    let export = kernel::write("/sys/class/gpio/export", &gpio.to_string());
    r.check(
        &format!("plumbing: exporting gpio{gpio} held by leds-gpio fails with EBUSY"),
        Some(ErrorKind::ResourceBusy),
        export.err().map(|e| e.kind()),
    );
}

fn uleds(r: &mut Report) {
    for led in [layout::ULED_SEQUENCE, layout::ULED_TRIGGER] {
        r.check_ok(
            &format!(
                "plumbing: uleds {} has max_brightness {}",
                led.name, led.max
            ),
            led.max.to_string(),
            read(format!("/sys/class/leds/{}/max_brightness", led.name)),
        );
    }
    r.check_ok(
        &format!(
            "plumbing: uleds {} starts with trigger none",
            layout::ULED_SEQUENCE.name
        ),
        "none".to_owned(),
        kernel::led_trigger(layout::ULED_SEQUENCE.name),
    );
    // Wait for each value to be logged before writing the next: uleds hands
    // the reader only the latest brightness, so back-to-back writes coalesce.
    let led = layout::ULED_TRIGGER;
    let brightness = format!("/sys/class/leds/{}/brightness", led.name);
    let before = kernel::uleds_log(led.name).map(|l| l.len()).unwrap_or(0);
    let mut logged = Ok(Vec::new());
    for value in [led.max, 0] {
        logged = write_ok(&brightness, &value.to_string()).map(|()| {
            kernel::wait_until(LOG_LIMIT, || {
                kernel::uleds_log(led.name).is_ok_and(|l| l.last() == Some(&value))
            });
            kernel::uleds_log(led.name).unwrap_or_default()
        });
    }
    r.check_ok(
        &format!("plumbing: uleds {} log records {}, 0", led.name, led.max),
        vec![led.max, 0],
        logged.map(|l| l.get(before..).unwrap_or_default().to_vec()),
    );
}
