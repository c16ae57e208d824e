//! A simulated sysfs that acts like the kernel: the tests' and the demo's
//! stand-in for a Raspberry Pi.
//!
//! The tree is made of real files in a directory, so another process can
//! `cat <root>/class/gpio/gpio529/value` and see the LED go `1` and `0`. A
//! plain directory cannot react to writes, though, so the backends send their
//! writes through [`Sysfs`](super::Sysfs), which hands them to the simulator
//! when the tree is simulated. The simulator performs the kernel's side
//! effects and errors:
//!
//! | write | kernel behaviour simulated |
//! |---|---|
//! | `class/gpio/export <- N` | creates `gpioN/{direction,value,active_low,edge}` (`in`, `0`, `0`, `none`); `EBUSY` if `gpioN` exists; `EINVAL` if no `gpiochip*` covers `N` |
//! | `class/gpio/unexport <- N` | removes `gpioN/`; `EINVAL` if it is not exported |
//! | `gpioN/direction <- in/out/low/high` | `low`/`high` set the raw level (so `value` reads it through `active_low`); anything else `EINVAL` |
//! | `gpioN/value <- 0/1` | `EPERM` while the direction is `in` |
//! | `class/leds/L/trigger <- T` | `EINVAL` unless `T` is listed; `none` turns the LED off, `default-on` on |
//! | `class/leds/L/brightness <- B` | clamped to `max_brightness`; `0` also removes the trigger |
//!
//! Every write is recorded in a [trace](SimSysfs::trace), failed ones with
//! their errno, and [`Fault`]s inject the errors a real board produces.
//!
//! # Example
//!
//! ```
//! use async_with_core::led::sim::SimSysfs;
//!
//! let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
//! assert_eq!(sim.read("class/gpio/gpiochip512/label").unwrap(), "pinctrl-bcm2711\n");
//! assert_eq!(sim.read("class/leds/ACT/trigger").unwrap().contains("[mmc0]"), true);
//! ```

use std::collections::{HashMap, HashSet};
use std::fs;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use super::Sysfs;

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

/// The board a simulated tree is laid out like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Board {
    /// Only `class/gpio/{export,unexport}` and an empty `class/leds/`.
    Empty,
    /// A Raspberry Pi 4 on kernel 6.6+: `gpiochip512` `pinctrl-bcm2711` (58
    /// lines), `gpiochip570` `raspberrypi-exp-gpio` (8); LEDs `ACT`
    /// (`[mmc0]`) and `PWR` (`[default-on]`), both `max_brightness` 255.
    RaspberryPi4,
    /// A Raspberry Pi 5 on kernel 6.6+: four `gpio-brcmstb` chips from 512,
    /// then `gpiochip571` `pinctrl-rp1` (54 lines, the header); LEDs `ACT`
    /// (`[mmc0]`) and `PWR` (`[default-on]`).
    RaspberryPi5,
}

/// A fault the simulated kernel injects, as a real board can.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// After each export, writes to the new `gpioN/` files fail with
    /// `EACCES` for this long (Tokio's clock): udev has not fixed the
    /// permissions yet.
    PermissionRace(Duration),
    /// Exporting this GPIO fails with `EBUSY`: a driver holds the line.
    ExportBusy(u32),
    /// Writes to GPIO `value` and LED `brightness` fail with `EIO` once this
    /// many of them have succeeded.
    ValueEio {
        /// Successful value writes before the failures start.
        after: usize,
    },
    /// Writes to this file (relative to the root) always fail with `EACCES`.
    PermissionDenied(PathBuf),
    /// This file (relative to the root) is gone: opening or reading it is
    /// `ENOENT`, and a write through an fd kept open on it is `ENODEV`.
    Vanished(PathBuf),
}

/// A simulated sysfs tree; clones share it. See the [module docs](self).
///
/// Hand it to a backend builder with `.root(&sim)`.
#[derive(Clone, Debug)]
pub struct SimSysfs {
    inner: Arc<Inner>,
}

/// The simulator as the file-operation seam sees it.
#[derive(Clone, Debug)]
pub(crate) struct SimHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    state: Mutex<State>,
    // Dropped last: the tree lives as long as any handle to it.
    _temp: Option<tempfile::TempDir>,
}

#[derive(Debug, Default)]
struct State {
    trace: Vec<String>,
    race: Option<Duration>,
    busy: HashSet<u32>,
    eio_after: Option<usize>,
    value_writes: usize,
    denied: HashSet<PathBuf>,
    vanished: HashSet<PathBuf>,
    exported_at: HashMap<u32, Instant>,
}

impl SimSysfs {
    /// Lays out `board` in `dir` (created if missing) and simulates it.
    pub fn new(dir: impl Into<PathBuf>, board: Board) -> io::Result<Self> {
        Self::build(dir.into(), board, None)
    }

    /// Lays out `board` in a new temporary directory, removed when the last
    /// handle to the tree (including backends opened on it) is dropped.
    pub fn temp(board: Board) -> io::Result<Self> {
        let temp = tempfile::Builder::new().prefix("async-with-sysfs-").tempdir()?;
        Self::build(temp.path().to_owned(), board, Some(temp))
    }

    /// A Raspberry Pi 4 tree in `dir`; see [`Board::RaspberryPi4`].
    pub fn raspberry_pi_4(dir: impl Into<PathBuf>) -> io::Result<Self> {
        Self::new(dir, Board::RaspberryPi4)
    }

    /// A Raspberry Pi 5 tree in `dir`; see [`Board::RaspberryPi5`].
    pub fn raspberry_pi_5(dir: impl Into<PathBuf>) -> io::Result<Self> {
        Self::new(dir, Board::RaspberryPi5)
    }

    /// A Raspberry Pi 4 tree in a temporary directory.
    pub fn temp_raspberry_pi_4() -> io::Result<Self> {
        Self::temp(Board::RaspberryPi4)
    }

    /// A Raspberry Pi 5 tree in a temporary directory.
    pub fn temp_raspberry_pi_5() -> io::Result<Self> {
        Self::temp(Board::RaspberryPi5)
    }

    fn build(root: PathBuf, board: Board, temp: Option<tempfile::TempDir>) -> io::Result<Self> {
        fs::create_dir_all(root.join("class/gpio"))?;
        fs::create_dir_all(root.join("class/leds"))?;
        fs::write(root.join("class/gpio/export"), "")?;
        fs::write(root.join("class/gpio/unexport"), "")?;
        let sim = SimSysfs {
            inner: Arc::new(Inner {
                root,
                state: Mutex::default(),
                _temp: temp,
            }),
        };
        let leds = |sim: &SimSysfs| -> io::Result<()> {
            let triggers = ["none", "timer", "heartbeat", "default-on", "mmc0", "actpwr"];
            sim.add_led("ACT", &triggers, "mmc0", 255)?;
            sim.add_led("PWR", &triggers, "default-on", 255)
        };
        match board {
            Board::Empty => {}
            Board::RaspberryPi4 => {
                sim.add_chip(512, 58, "pinctrl-bcm2711")?;
                sim.add_chip(570, 8, "raspberrypi-exp-gpio")?;
                leds(&sim)?;
            }
            Board::RaspberryPi5 => {
                sim.add_chip(512, 32, "gpio-brcmstb@107d508500")?;
                sim.add_chip(544, 4, "gpio-brcmstb@107d508520")?;
                sim.add_chip(548, 17, "gpio-brcmstb@107d517c00")?;
                sim.add_chip(565, 6, "gpio-brcmstb@107d517c20")?;
                sim.add_chip(571, 54, "pinctrl-rp1")?;
                leds(&sim)?;
            }
        }
        Ok(sim)
    }

    /// The directory the tree starts at (the one holding `class/`).
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// A [`Sysfs`] that sends the backends' writes to this simulator.
    pub fn sysfs(&self) -> Sysfs {
        Sysfs::from(self)
    }

    pub(crate) fn handle(&self) -> SimHandle {
        SimHandle {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Adds `class/gpio/gpiochip{base}` with its `base`, `ngpio` and `label`.
    pub fn add_chip(&self, base: u32, ngpio: u32, label: &str) -> io::Result<()> {
        let dir = self.root().join(format!("class/gpio/gpiochip{base}"));
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("base"), format!("{base}\n"))?;
        fs::write(dir.join("ngpio"), format!("{ngpio}\n"))?;
        fs::write(dir.join("label"), format!("{label}\n"))
    }

    /// Adds `class/leds/{name}` with `triggers` listed (`active` bracketed),
    /// `max_brightness`, and `brightness` 0.
    pub fn add_led(
        &self,
        name: &str,
        triggers: &[&str],
        active: &str,
        max_brightness: u32,
    ) -> io::Result<()> {
        let dir = self.root().join("class/leds").join(name);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("trigger"), render_triggers(triggers, active))?;
        fs::write(dir.join("max_brightness"), format!("{max_brightness}\n"))?;
        fs::write(dir.join("brightness"), "0\n")
    }

    /// Exports `gpio` as someone else would, with `direction` (`in` or
    /// `out`), without tracing it: a line this process did not export.
    pub fn export_as(&self, gpio: u32, direction: &str) -> io::Result<()> {
        let dir = self.root().join(format!("class/gpio/gpio{gpio}"));
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("direction"), format!("{direction}\n"))?;
        fs::write(dir.join("value"), "0\n")?;
        fs::write(dir.join("active_low"), "0\n")?;
        fs::write(dir.join("edge"), "none\n")
    }

    /// Starts injecting `fault`.
    pub fn inject(&self, fault: Fault) {
        let mut state = self.inner.lock();
        match fault {
            Fault::PermissionRace(window) => state.race = Some(window),
            Fault::ExportBusy(gpio) => {
                state.busy.insert(gpio);
            }
            Fault::ValueEio { after } => {
                state.eio_after = Some(state.value_writes + after);
            }
            Fault::PermissionDenied(path) => {
                state.denied.insert(path);
            }
            Fault::Vanished(path) => {
                let _ = fs::remove_file(self.root().join(&path));
                state.vanished.insert(path);
            }
        }
    }

    /// Stops every injected fault (vanished files stay gone).
    pub fn heal(&self) {
        let mut state = self.inner.lock();
        state.race = None;
        state.busy.clear();
        state.eio_after = None;
        state.denied.clear();
    }

    /// Every write the simulated kernel has seen, in order, as
    /// `path <- value` relative to the root, with ` (ERRNO)` when it failed.
    pub fn trace(&self) -> Vec<String> {
        self.inner.lock().trace.clone()
    }

    /// Returns the trace and starts a new one.
    pub fn take_trace(&self) -> Vec<String> {
        std::mem::take(&mut self.inner.lock().trace)
    }

    /// The exact contents of a file (relative to the root), newline included.
    pub fn read(&self, path: impl AsRef<Path>) -> io::Result<String> {
        fs::read_to_string(self.root().join(path))
    }

    /// Whether a file or directory (relative to the root) exists.
    pub fn exists(&self, path: impl AsRef<Path>) -> bool {
        self.root().join(path).exists()
    }
}

fn render_triggers(triggers: &[&str], active: &str) -> String {
    let listed: Vec<String> = triggers
        .iter()
        .map(|t| {
            if *t == active {
                format!("[{t}]")
            } else {
                (*t).to_owned()
            }
        })
        .collect();
    format!("{}\n", listed.join(" "))
}

/// Which kernel file a path is, by its place in the tree.
enum Node<'a> {
    Export,
    Unexport,
    GpioAttr(u32, &'a str),
    LedAttr(&'a str, &'a str),
    Other,
}

fn classify(rel: &Path) -> Node<'_> {
    let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
    match parts.as_slice() {
        ["class", "gpio", "export"] => Node::Export,
        ["class", "gpio", "unexport"] => Node::Unexport,
        ["class", "gpio", dir, attr] => match dir.strip_prefix("gpio").map(str::parse) {
            Some(Ok(n)) => Node::GpioAttr(n, attr),
            _ => Node::Other,
        },
        ["class", "leds", name, attr] => Node::LedAttr(name, attr),
        _ => Node::Other,
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SimHandle {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock()
    }

    fn rel<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.inner.root).unwrap_or(path)
    }

    pub(crate) fn check_exists(&self, path: &Path) -> io::Result<()> {
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
        if let (Node::GpioAttr(gpio, _), Some(window)) = (classify(rel), state.race) {
            if let Some(at) = state.exported_at.get(&gpio) {
                if Instant::now() < *at + window {
                    return Err(errno(EACCES));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn check_open_write(&self, path: &Path) -> io::Result<()> {
        let rel = self.rel(path);
        let mut state = self.lock();
        let checked = self.check_writable(&state, rel);
        if let Err(error) = &checked {
            let name = errno_name(error.raw_os_error().unwrap_or(0));
            state.trace.push(format!("open {} ({name})", rel.display()));
        }
        checked
    }

    /// A write through `write(2)` on a freshly opened control file.
    pub(crate) fn write(&self, path: &Path, value: &str) -> io::Result<()> {
        let rel = self.rel(path).to_owned();
        let mut state = self.lock();
        let result = self
            .check_writable(&state, &rel)
            .and_then(|()| self.apply(&mut state, &rel, value, None));
        record(&mut state, &rel, value, &result);
        result
    }

    /// A `pwrite` through an fd kept open on `path`.
    pub(crate) fn write_attr(&self, path: &Path, file: &File, value: &str) -> io::Result<()> {
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
            Node::Export => {
                let gpio: u32 = value.parse().map_err(|_| errno(EINVAL))?;
                let dir = root.join(format!("class/gpio/gpio{gpio}"));
                if state.busy.contains(&gpio) || dir.exists() {
                    return Err(errno(EBUSY));
                }
                if !self.chip_covers(gpio) {
                    return Err(errno(EINVAL));
                }
                fs::create_dir_all(&dir)?;
                for (attr, initial) in [
                    ("direction", "in\n"),
                    ("value", "0\n"),
                    ("active_low", "0\n"),
                    ("edge", "none\n"),
                ] {
                    if !state.vanished.contains(&rel_gpio(gpio, attr)) {
                        fs::write(dir.join(attr), initial)?;
                    }
                }
                state.exported_at.insert(gpio, Instant::now());
                Ok(())
            }
            Node::Unexport => {
                let gpio: u32 = value.parse().map_err(|_| errno(EINVAL))?;
                let dir = root.join(format!("class/gpio/gpio{gpio}"));
                if !dir.exists() {
                    return Err(errno(EINVAL));
                }
                state.exported_at.remove(&gpio);
                fs::remove_dir_all(dir)
            }
            Node::GpioAttr(gpio, attr) => {
                let dir = root.join(format!("class/gpio/gpio{gpio}"));
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
                        if read_trimmed(&dir.join("direction")).as_deref() != Some("out") {
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
                        let names: Vec<&str> = listed
                            .split_whitespace()
                            .map(|t| t.trim_start_matches('[').trim_end_matches(']'))
                            .collect();
                        if !names.contains(&value) {
                            return Err(errno(EINVAL));
                        }
                        fs::write(dir.join("trigger"), render_triggers(&names, value))?;
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
                                let names: Vec<&str> = listed
                                    .split_whitespace()
                                    .map(|t| t.trim_start_matches('[').trim_end_matches(']'))
                                    .collect();
                                fs::write(dir.join("trigger"), render_triggers(&names, "none"))?;
                            }
                        }
                        write_file(&dir.join("brightness"), &format!("{}\n", wanted.min(max)), fd)
                    }
                    _ => fs::write(dir.join(attr), format!("{value}\n")),
                }
            }
            Node::Other => fs::write(root.join(rel), value),
        }
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

fn rel_gpio(gpio: u32, attr: &str) -> PathBuf {
    PathBuf::from(format!("class/gpio/gpio{gpio}/{attr}"))
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
