//! A simulated sysfs that acts like the kernel: the tests' and the demo's
//! stand-in for a Raspberry Pi.
//!
//! The tree is made of real files in a directory, so another process can
//! `cat <root>/class/gpio/gpio529/value` and see the LED go `1` and `0`. A
//! plain directory cannot react to writes, though, so the simulator is a
//! model of the kernel behind the backends' one seam, [`SysfsIo`](super::SysfsIo): a
//! [`Sysfs`] made from a `SimSysfs` sends every file operation to it, and
//! it performs the kernel's side effects and errors:
//!
//! | write | kernel behaviour simulated |
//! |---|---|
//! | `class/gpio/export <- N` | creates `gpioN/{direction,value,active_low,edge}` (`in`, `0`, `0`, `none`); `EBUSY` if `gpioN` exists; `EINVAL` if no `gpiochip*` covers `N` |
//! | `class/gpio/unexport <- N` | removes `gpioN/`; `EINVAL` if it is not exported |
//! | `class/gpio/chipN/export <- OFFSET` | (per-chip interface) creates `chipN/gpioOFFSET/{direction,value}`; `EINVAL` past `ngpio` |
//! | `gpioN/direction <- in/out/low/high` | `low`/`high` set the raw level (so `value` reads it through `active_low`); anything else `EINVAL` |
//! | `gpioN/value <- 0/1` | `EPERM` while the direction is `in` |
//! | `class/leds/L/trigger <- T` | `EINVAL` unless `T` is listed; the old trigger's attributes go and `T`'s appear with their defaults (`timer`: `delay_on`/`delay_off` 500, also when `T` was already active); `none` turns the LED off, `default-on` on |
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
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use super::Sysfs;

mod kernel;

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
    /// A Raspberry Pi 4 on a kernel without the legacy sysfs GPIO numbers
    /// (no `class/gpio/export`): only the per-chip interface, `chip0`
    /// `pinctrl-bcm2711` (58 lines) and `chip1` `raspberrypi-exp-gpio` (8),
    /// each with `label`, `ngpio`, `export` and `unexport`; the same LEDs.
    RaspberryPi4PerChip,
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
    /// The driver of this GPIO does not let its direction change: once
    /// exported it has no `direction` file, and `value` takes writes only
    /// if the line is a fixed output.
    FixedDirection {
        /// The global number.
        gpio: u32,
        /// Whether the line is fixed as an output (else as an input).
        output: bool,
    },
}

/// A simulated sysfs tree that performs the kernel's side effects on the
/// backends' writes; clones share it. See the [module docs](self).
///
/// Hand it to a backend builder with `.root(&sim)`; read the files with
/// [`read`](Self::read) (or any other process, from [`root`](Self::root));
/// inject faults with [`inject`](Self::inject).
///
/// # Example
///
/// ```
/// use async_with_core::led::sim::{Fault, SimSysfs};
/// use async_with_core::led::SysfsGpio;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
/// sim.inject(Fault::ExportBusy(529));
/// let error = SysfsGpio::bcm(17).root(&sim).open().await.unwrap_err();
/// assert!(error.to_string().contains("already exported or held by a driver"));
/// assert_eq!(sim.trace(), ["class/gpio/export <- 529 (EBUSY)"]);
/// # }
/// ```
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
    exported_at: HashMap<PathBuf, Instant>,
    fixed: HashMap<u32, bool>,
}

impl SimSysfs {
    /// Lays out `board` in `dir` (created if missing) and simulates it.
    ///
    /// # Errors
    ///
    /// The `io::Error` of the first directory or file that cannot be
    /// created or written in the tree (`PermissionDenied` for a directory
    /// this user cannot write, `ReadOnlyFilesystem`, ...).
    pub fn new(dir: impl Into<PathBuf>, board: Board) -> io::Result<Self> {
        Self::build(dir.into(), board, None)
    }

    /// Lays out `board` in a new temporary directory, removed when the last
    /// handle to the tree (including backends opened on it) is dropped.
    ///
    /// # Errors
    ///
    /// The `io::Error` of creating the temporary directory (under
    /// `$TMPDIR`, else `/tmp`) or of laying the board out in it.
    pub fn temp(board: Board) -> io::Result<Self> {
        let temp = tempfile::Builder::new()
            .prefix("async-with-sysfs-")
            .tempdir()?;
        Self::build(temp.path().to_owned(), board, Some(temp))
    }

    /// A Raspberry Pi 4 tree in `dir`; see [`Board::RaspberryPi4`].
    ///
    /// # Errors
    ///
    /// The `io::Error` of the first directory or file that cannot be
    /// created or written in the tree (`PermissionDenied` for a directory
    /// this user cannot write, `ReadOnlyFilesystem`, ...).
    pub fn raspberry_pi_4(dir: impl Into<PathBuf>) -> io::Result<Self> {
        Self::new(dir, Board::RaspberryPi4)
    }

    /// A Raspberry Pi 5 tree in `dir`; see [`Board::RaspberryPi5`].
    ///
    /// # Errors
    ///
    /// The `io::Error` of the first directory or file that cannot be
    /// created or written in the tree (`PermissionDenied` for a directory
    /// this user cannot write, `ReadOnlyFilesystem`, ...).
    pub fn raspberry_pi_5(dir: impl Into<PathBuf>) -> io::Result<Self> {
        Self::new(dir, Board::RaspberryPi5)
    }

    /// A Raspberry Pi 4 tree in a temporary directory.
    ///
    /// # Errors
    ///
    /// As [`temp`](Self::temp).
    pub fn temp_raspberry_pi_4() -> io::Result<Self> {
        Self::temp(Board::RaspberryPi4)
    }

    /// A Raspberry Pi 5 tree in a temporary directory.
    ///
    /// # Errors
    ///
    /// As [`temp`](Self::temp).
    pub fn temp_raspberry_pi_5() -> io::Result<Self> {
        Self::temp(Board::RaspberryPi5)
    }

    fn build(root: PathBuf, board: Board, temp: Option<tempfile::TempDir>) -> io::Result<Self> {
        fs::create_dir_all(root.join("class/gpio"))?;
        fs::create_dir_all(root.join("class/leds"))?;
        if board != Board::RaspberryPi4PerChip {
            fs::write(root.join("class/gpio/export"), "")?;
            fs::write(root.join("class/gpio/unexport"), "")?;
        }
        let sim = SimSysfs {
            inner: Arc::new(Inner {
                root,
                state: Mutex::default(),
                _temp: temp,
            }),
        };
        // Laid out again over a tree another run is using (`--sysfs-root`),
        // an existing LED keeps its state: a kernel does not reset devices
        // because a second program looks at them.
        let leds = |sim: &SimSysfs| -> io::Result<()> {
            if sim.exists("class/leds/ACT") {
                return Ok(());
            }
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
            Board::RaspberryPi4PerChip => {
                sim.add_chip_device(0, 58, "pinctrl-bcm2711")?;
                sim.add_chip_device(1, 8, "raspberrypi-exp-gpio")?;
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

    /// A [`Sysfs`] that sends the backends' file operations to this
    /// simulator.
    pub fn sysfs(&self) -> Sysfs {
        Sysfs::with_io(self.root(), Arc::new(self.handle()))
    }

    pub(crate) fn handle(&self) -> SimHandle {
        SimHandle {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Adds `class/gpio/gpiochip{base}` with its `base`, `ngpio` and `label`.
    ///
    /// # Errors
    ///
    /// The `io::Error` of creating the chip's directory or writing its
    /// files.
    pub fn add_chip(&self, base: u32, ngpio: u32, label: &str) -> io::Result<()> {
        let dir = self.root().join(format!("class/gpio/gpiochip{base}"));
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("base"), format!("{base}\n"))?;
        fs::write(dir.join("ngpio"), format!("{ngpio}\n"))?;
        fs::write(dir.join("label"), format!("{label}\n"))
    }

    /// Adds `class/gpio/chip{id}` of the per-chip interface (kernel 6.17+),
    /// with `label`, `ngpio`, `export` and `unexport`: lines are exported by
    /// hardware offset and appear as `chip{id}/gpio{offset}/`.
    ///
    /// # Errors
    ///
    /// The `io::Error` of creating the chip's directory or writing its
    /// files.
    pub fn add_chip_device(&self, id: u32, ngpio: u32, label: &str) -> io::Result<()> {
        let dir = self.root().join(format!("class/gpio/chip{id}"));
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("ngpio"), format!("{ngpio}\n"))?;
        fs::write(dir.join("label"), format!("{label}\n"))?;
        fs::write(dir.join("export"), "")?;
        fs::write(dir.join("unexport"), "")
    }

    /// Adds `class/leds/{name}` with `triggers` listed (`active` bracketed,
    /// its attributes present with their defaults), `max_brightness`, and
    /// `brightness` 0.
    ///
    /// # Errors
    ///
    /// The `io::Error` of creating the LED's directory or writing its
    /// files.
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
        for (attr, default) in kernel::trigger_attributes(active) {
            fs::write(dir.join(attr), format!("{default}\n"))?;
        }
        fs::write(dir.join("max_brightness"), format!("{max_brightness}\n"))?;
        fs::write(dir.join("brightness"), "0\n")
    }

    /// Exports `gpio` as someone else would, with `direction` (`in` or
    /// `out`), without tracing it: a line this process did not export.
    ///
    /// # Errors
    ///
    /// The `io::Error` of creating `gpio{gpio}/` or writing its files.
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
            Fault::FixedDirection { gpio, output } => {
                state.fixed.insert(gpio, output);
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
    ///
    /// # Errors
    ///
    /// The `io::Error` of reading it: `NotFound` for a file that is not
    /// there (never exported, unexported, or [`Fault::Vanished`]).
    pub fn read(&self, path: impl AsRef<Path>) -> io::Result<String> {
        fs::read_to_string(self.root().join(path))
    }

    /// Whether a file or directory (relative to the root) exists.
    pub fn exists(&self, path: impl AsRef<Path>) -> bool {
        self.root().join(path).exists()
    }
}

impl From<&SimSysfs> for Sysfs {
    fn from(sim: &SimSysfs) -> Self {
        sim.sysfs()
    }
}

impl From<SimSysfs> for Sysfs {
    fn from(sim: SimSysfs) -> Self {
        sim.sysfs()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
