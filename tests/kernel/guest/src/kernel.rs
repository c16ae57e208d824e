//! Plain file access to the kernel interfaces the checks read back from.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Reads a sysfs/debugfs attribute without its trailing newline; the error
/// names the file.
pub(crate) fn read(path: impl AsRef<Path>) -> Result<String, String> {
    let path = path.as_ref();
    fs::read_to_string(path)
        .map(|s| s.trim_end().to_owned())
        .map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Writes a sysfs/debugfs attribute in one `write`, as the kernel expects.
pub(crate) fn write(path: impl AsRef<Path>, value: &str) -> io::Result<()> {
    fs::write(path, value)
}

/// Like [`write()`], but the error names the file, for checks that expect success.
pub(crate) fn write_ok(path: impl AsRef<Path>, value: &str) -> Result<(), String> {
    let path = path.as_ref();
    write(path, value).map_err(|e| format!("writing {value:?} to {}: {e}", path.display()))
}

/// The file that holds the value chip `label` sees on line `offset`,
/// whoever drives it: gpio-mockup's debugfs
/// (`/sys/kernel/debug/gpio-mockup/gpiochipN/OFFSET`), or where
/// run-kernel-gpio-test.sh makes the same chips with gpio-sim (a kernel
/// source without gpio-mockup), its line attribute
/// (`/sys/bus/gpio/devices/gpiochipN/sim_gpioOFFSET/value`).
pub(crate) fn line_value_file(label: &str, offset: u32) -> Result<PathBuf, String> {
    let dev = chip_device(label)?;
    let mockup = Path::new("/sys/kernel/debug/gpio-mockup").join(&dev);
    if mockup.is_dir() {
        return Ok(mockup.join(offset.to_string()));
    }
    Ok(Path::new("/sys/bus/gpio/devices")
        .join(dev)
        .join(format!("sim_gpio{offset}"))
        .join("value"))
}

/// The value chip `label` sees on line `offset` (see [`line_value_file`]).
pub(crate) fn mockup_value(label: &str, offset: u32) -> Result<String, String> {
    read(line_value_file(label, offset)?)
}

/// The `gpiochipN` device name (also the `/dev` node) of the chip labelled `label`.
pub(crate) fn chip_device(label: &str) -> Result<String, String> {
    let base = sysfs_chip_base(label)?;
    let dir = format!("/sys/class/gpio/gpiochip{base}/device");
    for entry in fs::read_dir(&dir).map_err(|e| format!("listing {dir}: {e}"))? {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("gpiochip") {
            return Ok(name.into_owned());
        }
    }
    Err(format!("no gpiochipN under {dir}"))
}

/// The sysfs base of the chip labelled `label`, from `/sys/class/gpio/gpiochip*/label`.
pub(crate) fn sysfs_chip_base(label: &str) -> Result<u32, String> {
    let dir = "/sys/class/gpio";
    for entry in fs::read_dir(dir).map_err(|e| format!("listing {dir}: {e}"))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let is_chip = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("gpiochip"));
        if is_chip && read(path.join("label")).as_deref() == Ok(label) {
            return read(path.join("base"))?
                .parse()
                .map_err(|e| format!("{}/base: {e}", path.display()));
        }
    }
    Err(format!("no chip labelled {label:?} in {dir}"))
}

/// Whether `/sys/class/gpio/gpioN` exists (the line is exported).
pub(crate) fn is_exported(gpio: u32) -> bool {
    Path::new(&format!("/sys/class/gpio/gpio{gpio}")).exists()
}

/// The brightness values logged for a uleds LED, oldest first. The VM's
/// holder process appends `<uptime> <brightness>` per change it reads.
pub(crate) fn uleds_log(name: &str) -> Result<Vec<u32>, String> {
    let path = format!("/run/leds/{name}.log");
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{path}: malformed line {line:?}"))
        })
        .collect()
}

/// The trigger shown in brackets in `/sys/class/leds/NAME/trigger`.
pub(crate) fn led_trigger(name: &str) -> Result<String, String> {
    let all = read(format!("/sys/class/leds/{name}/trigger"))?;
    all.split_whitespace()
        .find_map(|t| t.strip_prefix('[').and_then(|t| t.strip_suffix(']')))
        .map(str::to_owned)
        .ok_or_else(|| format!("no [selected] trigger in {all:?}"))
}

/// Polls `cond` until it holds or `limit` passes; returns whether it held.
///
/// Only for state the kernel or the VM's log holder updates asynchronously
/// (the uleds log); the limit is generous because TCG is slow, and a check
/// that runs out of it fails rather than passes.
pub(crate) fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        sleep(Duration::from_millis(10));
    }
}
