//! The simulated kernel: the side effects and errors of each sysfs write.

use std::fs;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;

use tokio::time::Instant;

use super::{SimHandle, State, render_triggers};
use crate::led::fs::SysfsIo;

const EPERM: i32 = 1;
const ENOENT: i32 = 2;
const EIO: i32 = 5;
const EACCES: i32 = 13;
const EBUSY: i32 = 16;
const ENODEV: i32 = 19;
const EINVAL: i32 = 22;

fn errno_name(code: i32) -> &'static str {
    match code {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EIO => "EIO",
        EACCES => "EACCES",
        EBUSY => "EBUSY",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        _ => "error",
    }
}

fn errno(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}

/// Which kernel file a path is, by its place in the tree.
enum Node<'a> {
    /// `class/gpio/export` (global numbers) or `class/gpio/chipN/export`
    /// (hardware offsets of chip `chipN`, the per-chip interface).
    Export(Option<&'a str>),
    Unexport(Option<&'a str>),
    /// An attribute of an exported line: its directory (relative to the
    /// root), the number it was exported as, and the attribute.
    LineAttr(PathBuf, u32, &'a str),
    LedAttr(&'a str, &'a str),
    Other,
}

fn classify(rel: &Path) -> Node<'_> {
    let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
    let line = |dir: &str| dir.strip_prefix("gpio").and_then(|n| n.parse::<u32>().ok());
    match parts.as_slice() {
        ["class", "gpio", "export"] => Node::Export(None),
        ["class", "gpio", "unexport"] => Node::Unexport(None),
        ["class", "gpio", chip, "export"] if chip.starts_with("chip") => Node::Export(Some(chip)),
        ["class", "gpio", chip, "unexport"] if chip.starts_with("chip") => {
            Node::Unexport(Some(chip))
        }
        ["class", "gpio", dir, attr] => match line(dir) {
            Some(n) => Node::LineAttr(PathBuf::from(format!("class/gpio/{dir}")), n, attr),
            None => Node::Other,
        },
        ["class", "gpio", chip, dir, attr] if chip.starts_with("chip") => match line(dir) {
            Some(n) => Node::LineAttr(PathBuf::from(format!("class/gpio/{chip}/{dir}")), n, attr),
            None => Node::Other,
        },
        ["class", "leds", name, attr] => Node::LedAttr(name, attr),
        _ => Node::Other,
    }
}

/// The attributes a trigger adds to its LED while active, with the
/// kernel's defaults (`ledtrig-timer`, `ledtrig-oneshot`,
/// `ledtrig-heartbeat`).
pub(super) fn trigger_attributes(trigger: &str) -> &'static [(&'static str, &'static str)] {
    match trigger {
        "timer" => &[("delay_on", "500"), ("delay_off", "500")],
        "oneshot" => &[("delay_on", "100"), ("delay_off", "100"), ("invert", "0")],
        "heartbeat" => &[("invert", "0")],
        _ => &[],
    }
}

/// Switches an LED's trigger: the old trigger's attributes go, the new
/// one's appear with their defaults.
/// A hidden sibling of `dir` for this process (`.gpio17.exporting.123`):
/// no listing of `class/gpio` takes it for a line or a chip.
fn aside(dir: &Path, why: &str) -> PathBuf {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    dir.with_file_name(format!(".{name}.{why}.{}", std::process::id()))
}

fn switch_trigger(dir: &Path, names: &[&str], from: Option<&str>, to: &str) -> io::Result<()> {
    if let Some(from) = from {
        for (attr, _) in trigger_attributes(from) {
            let _ = fs::remove_file(dir.join(attr));
        }
    }
    fs::write(dir.join("trigger"), render_triggers(names, to))?;
    for (attr, default) in trigger_attributes(to) {
        fs::write(dir.join(attr), format!("{default}\n"))?;
    }
    Ok(())
}

fn trigger_names(listed: &str) -> (Vec<&str>, Option<&str>) {
    let active = listed
        .split_whitespace()
        .find_map(|t| t.strip_prefix('[')?.strip_suffix(']'));
    let names = listed
        .split_whitespace()
        .map(|t| t.trim_start_matches('[').trim_end_matches(']'))
        .collect();
    (names, active)
}

impl SysfsIo for SimHandle {
    fn write(&self, path: &Path, value: &str) -> io::Result<()> {
        let rel = self.rel(path).to_owned();
        let mut state = self.lock();
        let result = self
            .check_writable(&state, &rel)
            .and_then(|()| self.apply(&mut state, &rel, value, None));
        record(&mut state, &rel, value, &result);
        result
    }

    fn write_attr(&self, path: &Path, file: &File, value: &str) -> io::Result<()> {
        let rel = self.rel(path).to_owned();
        let mut state = self.lock();
        let result = if state.vanished.contains(&rel) || !path.exists() {
            // kernfs answers a write on a removed attribute with ENODEV.
            Err(errno(ENODEV))
        } else {
            self.apply(&mut state, &rel, value, Some(file))
        };
        record(&mut state, &rel, value, &result);
        result
    }

    fn open_attr(&self, path: &Path) -> io::Result<File> {
        self.check_open_write(path)?;
        fs::OpenOptions::new().read(true).write(true).open(path)
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        self.check_exists(path)?;
        fs::read_to_string(path)
    }

    fn exists(&self, path: &Path) -> bool {
        self.check_exists(path).is_ok() && path.exists()
    }
}

impl SimHandle {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock()
    }

    fn rel<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.inner.root).unwrap_or(path)
    }

    fn check_exists(&self, path: &Path) -> io::Result<()> {
        if self.lock().vanished.contains(self.rel(path)) {
            return Err(errno(ENOENT));
        }
        Ok(())
    }

    /// The permission checks a kernel does when a file is opened for write.
    fn check_writable(&self, state: &State, rel: &Path) -> io::Result<()> {
        if state.vanished.contains(rel) {
            return Err(errno(ENOENT));
        }
        if state.denied.contains(rel) {
            return Err(errno(EACCES));
        }
        if let (Node::LineAttr(dir, ..), Some(window)) = (classify(rel), state.race) {
            if let Some(at) = state.exported_at.get(&dir) {
                if Instant::now() < *at + window {
                    return Err(errno(EACCES));
                }
            }
        }
        Ok(())
    }

    fn check_open_write(&self, path: &Path) -> io::Result<()> {
        let rel = self.rel(path);
        let mut state = self.lock();
        let checked = self.check_writable(&state, rel);
        if let Err(error) = &checked {
            let name = errno_name(error.raw_os_error().unwrap_or(0));
            state.trace.push(format!("open {} ({name})", rel.display()));
        }
        checked
    }

    /// The kernel's side effects of writing `value` to `rel`.
    fn apply(
        &self,
        state: &mut State,
        rel: &Path,
        value: &str,
        fd: Option<&File>,
    ) -> io::Result<()> {
        let root = &self.inner.root;
        let value = value.trim_end_matches('\n');
        match classify(rel) {
            Node::Export(chip) => {
                let n: u32 = value.parse().map_err(|_| errno(EINVAL))?;
                let (rel_dir, gpio) = match chip {
                    None => (PathBuf::from(format!("class/gpio/gpio{n}")), Some(n)),
                    Some(chip) => {
                        if n >= self.chip_ngpio(chip).ok_or(errno(ENOENT))? {
                            return Err(errno(EINVAL));
                        }
                        (PathBuf::from(format!("class/gpio/{chip}/gpio{n}")), None)
                    }
                };
                let dir = root.join(&rel_dir);
                if gpio.is_some_and(|g| state.busy.contains(&g)) || dir.exists() {
                    return Err(errno(EBUSY));
                }
                if gpio.is_some_and(|g| !self.chip_covers(g)) {
                    return Err(errno(EINVAL));
                }
                // Laid out aside and renamed into place: the kernel's line
                // appears with its attributes, so another process never
                // sees `gpioN/` without its `value`.
                let staging = aside(&dir, "exporting");
                fs::create_dir_all(&staging)?;
                let fixed = gpio.and_then(|g| state.fixed.get(&g).copied());
                let mut attrs = vec![("value", "0\n")];
                if fixed.is_none() {
                    attrs.push(("direction", "in\n"));
                }
                if chip.is_none() {
                    // The per-chip interface has no `active_low` or `edge`.
                    attrs.extend([("active_low", "0\n"), ("edge", "none\n")]);
                }
                for (attr, initial) in attrs {
                    if !state.vanished.contains(&rel_dir.join(attr)) {
                        fs::write(staging.join(attr), initial)?;
                    }
                }
                fs::rename(&staging, &dir)?;
                state.exported_at.insert(rel_dir, Instant::now());
                Ok(())
            }
            Node::Unexport(chip) => {
                let n: u32 = value.parse().map_err(|_| errno(EINVAL))?;
                let rel_dir = match chip {
                    None => PathBuf::from(format!("class/gpio/gpio{n}")),
                    Some(chip) => PathBuf::from(format!("class/gpio/{chip}/gpio{n}")),
                };
                let dir = root.join(&rel_dir);
                if !dir.exists() {
                    return Err(errno(EINVAL));
                }
                state.exported_at.remove(&rel_dir);
                // Gone at once, as the kernel's line is: renamed away first,
                // so another process never sees `gpioN/` without `value`.
                let gone = aside(&dir, "unexporting");
                fs::rename(&dir, &gone)?;
                fs::remove_dir_all(gone)
            }
            Node::LineAttr(rel_dir, gpio, attr) => {
                let dir = root.join(rel_dir);
                if !dir.join(attr).exists() {
                    // A write opens the file first: no attribute, no write.
                    return Err(errno(ENOENT));
                }
                let active_low = read_trimmed(&dir.join("active_low")).as_deref() == Some("1");
                match attr {
                    "direction" => {
                        let (direction, raw) = match value {
                            "in" => ("in", None),
                            "out" | "low" => ("out", Some(false)),
                            "high" => ("out", Some(true)),
                            _ => return Err(errno(EINVAL)),
                        };
                        fs::write(dir.join("direction"), format!("{direction}\n"))?;
                        if let Some(raw) = raw {
                            fs::write(dir.join("value"), level(raw ^ active_low))?;
                        }
                        Ok(())
                    }
                    "value" => {
                        let output = match state.fixed.get(&gpio) {
                            Some(fixed_output) => *fixed_output,
                            None => read_trimmed(&dir.join("direction")).as_deref() == Some("out"),
                        };
                        if !output {
                            return Err(errno(EPERM));
                        }
                        let on = value.parse::<i64>().map_err(|_| errno(EINVAL))? != 0;
                        count_value_write(state)?;
                        write_file(&dir.join("value"), &level(on), fd)
                    }
                    "active_low" => {
                        let new = match value {
                            "0" => false,
                            "1" => true,
                            _ => return Err(errno(EINVAL)),
                        };
                        if new != active_low {
                            // `value` reads the logical level, so it flips.
                            let now = read_trimmed(&dir.join("value")).as_deref() == Some("1");
                            fs::write(dir.join("value"), level(!now))?;
                        }
                        fs::write(dir.join("active_low"), level(new))
                    }
                    _ => fs::write(dir.join(attr), format!("{value}\n")),
                }
            }
            Node::LedAttr(name, attr) => {
                let dir = root.join("class/leds").join(name);
                let max: u32 = read_trimmed(&dir.join("max_brightness"))
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(1);
                match attr {
                    "trigger" => {
                        let listed = read_trimmed(&dir.join("trigger")).ok_or(errno(ENOENT))?;
                        let (names, active) = trigger_names(&listed);
                        if !names.contains(&value) {
                            return Err(errno(EINVAL));
                        }
                        // Writing a trigger's name again re-activates it:
                        // its attributes are reset, as in the kernel.
                        switch_trigger(&dir, &names, active, value)?;
                        match value {
                            "none" => fs::write(dir.join("brightness"), "0\n"),
                            "default-on" => fs::write(dir.join("brightness"), format!("{max}\n")),
                            _ => Ok(()),
                        }
                    }
                    "brightness" => {
                        let wanted: u32 = value.parse().map_err(|_| errno(EINVAL))?;
                        count_value_write(state)?;
                        if wanted == 0 {
                            // Writing 0 removes the trigger, as in the kernel.
                            if let Some(listed) = read_trimmed(&dir.join("trigger")) {
                                let (names, active) = trigger_names(&listed);
                                switch_trigger(&dir, &names, active, "none")?;
                            }
                        }
                        write_file(
                            &dir.join("brightness"),
                            &format!("{}\n", wanted.min(max)),
                            fd,
                        )
                    }
                    attr if !dir.join(attr).exists() => Err(errno(ENOENT)),
                    _ => fs::write(dir.join(attr), format!("{value}\n")),
                }
            }
            Node::Other => fs::write(root.join(rel), value),
        }
    }

    fn chip_ngpio(&self, chip: &str) -> Option<u32> {
        read_trimmed(&self.inner.root.join("class/gpio").join(chip).join("ngpio"))
            .and_then(|n| n.parse().ok())
    }

    fn chip_covers(&self, gpio: u32) -> bool {
        let dir = self.inner.root.join("class/gpio");
        let Ok(entries) = fs::read_dir(&dir) else {
            return false;
        };
        entries.flatten().any(|entry| {
            let name = entry.file_name();
            if !name.to_string_lossy().starts_with("gpiochip") {
                return false;
            }
            let number = |attr: &str| -> Option<u32> {
                read_trimmed(&entry.path().join(attr)).and_then(|s| s.parse().ok())
            };
            match (number("base"), number("ngpio")) {
                (Some(base), Some(ngpio)) => gpio >= base && gpio < base + ngpio,
                _ => false,
            }
        })
    }
}

fn level(high: bool) -> String {
    if high { "1\n" } else { "0\n" }.to_owned()
}

fn read_trimmed(path: &Path) -> Option<String> {
    fs::read_to_string(path)
        .ok()
        .map(|s| s.trim_end().to_owned())
}

fn count_value_write(state: &mut State) -> io::Result<()> {
    if let Some(limit) = state.eio_after {
        if state.value_writes >= limit {
            return Err(errno(EIO));
        }
    }
    state.value_writes += 1;
    Ok(())
}

/// Writes through the kept-open fd when there is one, like the kernel's
/// attribute does: truncate and `pwrite` at offset 0.
fn write_file(path: &Path, contents: &str, fd: Option<&File>) -> io::Result<()> {
    match fd {
        Some(file) => {
            file.set_len(0)?;
            file.write_all_at(contents.as_bytes(), 0)
        }
        None => fs::write(path, contents),
    }
}

fn record(state: &mut State, rel: &Path, value: &str, result: &io::Result<()>) {
    let value = value.trim_end_matches('\n');
    let entry = match result {
        Ok(()) => format!("{} <- {value}", rel.display()),
        Err(error) => {
            let name = errno_name(error.raw_os_error().unwrap_or(0));
            format!("{} <- {value} ({name})", rel.display())
        }
    };
    state.trace.push(entry);
}

#[cfg(test)]
mod tests {
    use crate::led::sim::{Board, SimSysfs};

    fn write(sim: &SimSysfs, path: &str, value: &str) -> Result<(), i32> {
        let sysfs = sim.sysfs();
        sysfs
            .write(&sim.root().join(path), value)
            .map_err(|e| e.raw_os_error().unwrap())
    }

    #[test]
    fn export_creates_the_line_and_a_second_export_is_ebusy() {
        let sim = SimSysfs::temp(Board::RaspberryPi4).unwrap();
        assert_eq!(write(&sim, "class/gpio/export", "529"), Ok(()));
        assert_eq!(sim.read("class/gpio/gpio529/direction").unwrap(), "in\n");
        assert_eq!(sim.read("class/gpio/gpio529/value").unwrap(), "0\n");
        assert_eq!(sim.read("class/gpio/gpio529/active_low").unwrap(), "0\n");
        assert_eq!(write(&sim, "class/gpio/export", "529"), Err(super::EBUSY));
        assert_eq!(write(&sim, "class/gpio/unexport", "529"), Ok(()));
        assert!(!sim.exists("class/gpio/gpio529"));
        assert_eq!(
            write(&sim, "class/gpio/unexport", "529"),
            Err(super::EINVAL)
        );
    }

    #[test]
    fn a_number_outside_every_chip_or_not_a_number_is_einval() {
        let sim = SimSysfs::temp(Board::RaspberryPi4).unwrap();
        assert_eq!(write(&sim, "class/gpio/export", "578"), Err(super::EINVAL));
        assert_eq!(write(&sim, "class/gpio/export", "511"), Err(super::EINVAL));
        assert_eq!(write(&sim, "class/gpio/export", "x"), Err(super::EINVAL));
        assert_eq!(write(&sim, "class/gpio/export", "577"), Ok(()));
    }

    #[test]
    fn writing_value_on_an_input_is_eperm() {
        let sim = SimSysfs::temp(Board::RaspberryPi4).unwrap();
        write(&sim, "class/gpio/export", "529").unwrap();
        assert_eq!(
            write(&sim, "class/gpio/gpio529/value", "1"),
            Err(super::EPERM)
        );
        assert_eq!(write(&sim, "class/gpio/gpio529/direction", "out"), Ok(()));
        assert_eq!(write(&sim, "class/gpio/gpio529/value", "1"), Ok(()));
        assert_eq!(sim.read("class/gpio/gpio529/value").unwrap(), "1\n");
        assert_eq!(
            write(&sim, "class/gpio/gpio529/direction", "sideways"),
            Err(super::EINVAL)
        );
    }

    #[test]
    fn direction_levels_are_raw_and_value_reads_through_active_low() {
        let sim = SimSysfs::temp(Board::RaspberryPi4).unwrap();
        write(&sim, "class/gpio/export", "529").unwrap();
        write(&sim, "class/gpio/gpio529/active_low", "1").unwrap();
        write(&sim, "class/gpio/gpio529/direction", "high").unwrap();
        assert_eq!(sim.read("class/gpio/gpio529/value").unwrap(), "0\n");
        write(&sim, "class/gpio/gpio529/active_low", "0").unwrap();
        assert_eq!(sim.read("class/gpio/gpio529/value").unwrap(), "1\n");
    }

    #[test]
    fn led_triggers_and_brightness_act_like_the_led_class() {
        let sim = SimSysfs::temp(Board::RaspberryPi4).unwrap();
        let trigger = "class/leds/ACT/trigger";
        assert_eq!(write(&sim, trigger, "disco"), Err(super::EINVAL));
        write(&sim, trigger, "default-on").unwrap();
        assert_eq!(sim.read("class/leds/ACT/brightness").unwrap(), "255\n");
        write(&sim, trigger, "timer").unwrap();
        write(&sim, "class/leds/ACT/brightness", "0").unwrap();
        assert!(sim.read(trigger).unwrap().starts_with("[none] timer"));
        write(&sim, "class/leds/ACT/brightness", "1000").unwrap();
        assert_eq!(sim.read("class/leds/ACT/brightness").unwrap(), "255\n");
    }
}
