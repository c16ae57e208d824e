//! Values are exact on any file system: on a plain directory (a test tree,
//! `--sysfs-root` on a copy of `/sys`) a shorter value never leaves stale
//! bytes behind (`255` then `0` reads `0`, not `055`).

use std::fs;
use std::path::Path;

use async_with::led::{KernelIo, SysfsGpio, SysfsLed};
use embedded_hal::digital::OutputPin;

use crate::support::led;
use led::{PlainDir, lit_block};

/// A plain copy of an LED class device and an exported output line.
fn plain_tree(root: &Path) {
    let act = root.join("class/leds/ACT");
    fs::create_dir_all(&act).unwrap();
    fs::write(act.join("trigger"), "[none] timer\n").unwrap();
    fs::write(act.join("max_brightness"), "255\n").unwrap();
    fs::write(act.join("brightness"), "0\n").unwrap();
    let line = root.join("class/gpio/gpio529");
    fs::create_dir_all(&line).unwrap();
    fs::write(root.join("class/gpio/export"), "").unwrap();
    fs::write(line.join("direction"), "out\n").unwrap();
    fs::write(line.join("active_low"), "0\n").unwrap();
    fs::write(line.join("value"), "0\n").unwrap();
}

#[tokio::test]
async fn brightness_255_then_0_reads_0_on_a_plain_directory() {
    let tree = PlainDir::new("exact-led");
    plain_tree(tree.path());
    let file = tree.path().join("class/leds/ACT/brightness");
    let led = SysfsLed::named("ACT").root(tree.path()).open().unwrap();
    assert!(!KernelIo::is_sysfs(&fs::File::open(&file).unwrap()));
    let lit = lit_block(led, |_| fs::read_to_string(&file).unwrap())
        .await
        .unwrap();
    assert_eq!(lit, "255");
    assert_eq!(fs::read_to_string(&file).unwrap(), "0");
}

#[tokio::test]
async fn a_gpio_value_is_exact_after_every_write() {
    let tree = PlainDir::new("exact-gpio");
    plain_tree(tree.path());
    let file = tree.path().join("class/gpio/gpio529/value");
    // "0\n" at first: the first write of "1" must not leave "1\n" either.
    let mut led = SysfsGpio::number(529)
        .root(tree.path())
        .open()
        .await
        .unwrap();
    for (on, expected) in [(true, "1"), (false, "0"), (true, "1")] {
        if on { led.set_high() } else { led.set_low() }.unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), expected);
    }
    led.close().unwrap();
    assert_eq!(fs::read_to_string(&file).unwrap(), "0");
}

#[test]
fn sysfs_is_recognised_by_its_magic() {
    let Ok(file) = fs::File::open("/sys/kernel/uevent_seqnum") else {
        // No sysfs in this sandbox: nothing to compare with.
        return;
    };
    assert!(KernelIo::is_sysfs(&file));
}
