//! [`SysfsGpio`]: an LED on a GPIO line, through `/sys/class/gpio`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use embedded_hal::digital::{ErrorType, OutputPin};

use super::error::LedError;
use super::fs::{AttrFile, OffWrite, Sysfs};
use super::gpiochip::{GpioChip, describe, gpio_dir, has_global_export};
use super::lock::{self, LOCK_POLL};

/// How long opening waits for udev to hand over a freshly exported line.
pub const PERMISSION_WAIT: Duration = Duration::from_secs(1);
const PERMISSION_POLL: Duration = Duration::from_millis(10);

/// An LED wired to a GPIO line, driven through the sysfs GPIO interface
/// (`/sys/class/gpio`), as an embedded-hal [`OutputPin`].
///
/// Open it with [`number`](Self::number) (global sysfs number),
/// [`chip`](Self::chip) (chip label + offset) or [`bcm`](Self::bcm)
/// (Raspberry Pi BCM number, whose base is read from the tree), then
/// `.open().await`.
///
/// # The kernel file sequence
///
/// For a line nobody has exported, `SysfsGpio::bcm(17)` on a Pi 4 (base 512)
/// lit for one block writes, relative to the sysfs root:
///
/// ```text
/// class/gpio/export <- 529             open: export the line
/// class/gpio/gpio529/direction <- low  open: output, off, glitch-free
/// class/gpio/gpio529/value <- 1        on  (pwrite on the kept-open fd)
/// class/gpio/gpio529/value <- 0        off (same fd)
/// class/gpio/unexport <- 529           drop/close: only because we exported
/// ```
///
/// - One owner: the `value` fd is `flock`ed before anything is written. While
///   another user (another process, or another open in this one) holds it,
///   opening is refused with [`LedError::Held`], which names the holder's
///   pid, or with [`wait`](SysfsGpioBuilder::wait) queues behind it; a
///   refused open writes nothing, so the holder never goes dark and its line
///   is never unexported under it.
/// - Already exported (a `gpioN/` directory exists): the line is opened, not
///   exported, and never unexported. Its `direction` must read `out`; a line
///   someone else set up as an input is refused with
///   [`LedError::IsInput`] rather than silently flipped. Opening writes
///   `value <- 0` so the LED starts off.
/// - `export` failing with `EBUSY` ([`LedError::Busy`]: exported or held by a
///   driver) or `EINVAL` ([`LedError::NoSuchGpio`]) is reported as such.
/// - Right after an export the files belong to root until udev fixes their
///   permissions: `EACCES` is retried every 10 ms for up to
///   [`PERMISSION_WAIT`] (1 s) with `tokio::time::sleep`, so opening is
///   async. If it persists, the line is unexported again and the error says
///   how to get access.
/// - `direction <- low`/`high` makes the line an output at that raw level in
///   one step, so it never glitches on. A driver that does not let the
///   direction change gives no `direction` file: the line is then driven
///   through `value` alone, and one fixed as an input is refused with
///   [`LedError::FixedDirection`].
/// - On a kernel with only the per-chip interface (no `class/gpio/export`),
///   the line is exported by hardware offset through `class/gpio/chipN/export`
///   and its files are in `chipN/gpioOFFSET/`; global numbers
///   ([`number`](Self::number)) are refused with [`LedError::NoGlobalNumbers`].
/// - Active-low ([`SysfsGpioBuilder::active_low`]) is inverted in this code:
///   the kernel's `active_low` file is read (a line someone else made
///   active-low is honoured) but never written, so nothing is left changed.
///   Off is then `direction <- high` and `value <- 0` turns the LED on.
/// - If writing `value` fails while turning the LED off, `direction <-
///   low`/`high` is tried as a fallback, so the LED still goes off.
/// - Drop (or [`close`](Self::close)) leaves the LED off and unexports only
///   a line it exported: unexporting resets a line to input, which would
///   break whoever exported it.
///
/// # Example
///
/// ```
/// use async_with_core::led::{sim::SimSysfs, SysfsGpio};
/// use embedded_hal::digital::OutputPin;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), async_with_core::led::LedError> {
/// let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
/// let mut led = SysfsGpio::bcm(17).root(&sim).open().await?;
/// assert_eq!(led.gpio(), 529);
/// led.set_high()?;
/// assert_eq!(sim.read("class/gpio/gpio529/value").unwrap(), "1\n");
/// led.close()?;
/// assert!(!sim.exists("class/gpio/gpio529"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct SysfsGpio {
    sysfs: Sysfs,
    gpio: u32,
    pin: String,
    dir: PathBuf,
    export_dir: PathBuf,
    value: AttrFile,
    exported: bool,
    /// The user's active-low: physical level = on ^ active_low.
    active_low: bool,
    /// The kernel's `active_low`: it inverts what we write to `value`.
    kernel_active_low: bool,
    /// The driver gives no `direction` file: only `value` is written.
    fixed_direction: bool,
    on: bool,
    closed: bool,
}

/// Which line to open: see [`SysfsGpio::number`], [`chip`](SysfsGpio::chip)
/// and [`bcm`](SysfsGpio::bcm).
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.open().await`"]
pub struct SysfsGpioBuilder {
    line: Line,
    sysfs: Sysfs,
    active_low: bool,
    wait: bool,
}

#[derive(Debug, Clone)]
enum Line {
    Number(u32),
    Chip(String, u32),
    Bcm(u32),
}

impl SysfsGpio {
    /// The line with global sysfs number `gpio` (as in `gpio529`).
    pub fn number(gpio: u32) -> SysfsGpioBuilder {
        SysfsGpioBuilder::new(Line::Number(gpio))
    }

    /// Line `offset` of the gpiochip labelled `label`; the chip's base is
    /// read from `class/gpio/gpiochip*/label`.
    pub fn chip(label: impl Into<String>, offset: u32) -> SysfsGpioBuilder {
        SysfsGpioBuilder::new(Line::Chip(label.into(), offset))
    }

    /// Raspberry Pi BCM pin `bcm` (the numbers on pinout diagrams): offset
    /// `bcm` of the first of [`RASPBERRY_PI_LABELS`](super::RASPBERRY_PI_LABELS)
    /// found, so BCM 17 is 529 on a Pi 4 and 588 on a Pi 5 (kernel 6.6+).
    pub fn bcm(bcm: u32) -> SysfsGpioBuilder {
        SysfsGpioBuilder::new(Line::Bcm(bcm))
    }

    /// The number the line was exported as: its global sysfs number, or
    /// its hardware offset on the per-chip interface (no global numbers).
    pub fn gpio(&self) -> u32 {
        self.gpio
    }

    /// What the `value` file reads while the LED is on: `"1"` unless
    /// exactly one of [`active_low`](SysfsGpioBuilder::active_low) and the
    /// kernel's own `active_low` inverts it.
    pub fn value_when_on(&self) -> &'static str {
        if self.active_low ^ self.kernel_active_low {
            "0"
        } else {
            "1"
        }
    }

    /// Whether the kernel's `active_low` file read `1` when the line was
    /// opened (it is read, never written).
    pub fn kernel_active_low(&self) -> bool {
        self.kernel_active_low
    }

    /// The line as messages name it, e.g. `GPIO 529 (BCM 17 on
    /// pinctrl-bcm2711)`.
    pub fn name(&self) -> &str {
        &self.pin
    }

    /// Whether the LED lights when the line is low (as opened).
    pub fn active_low(&self) -> bool {
        self.active_low
    }

    /// The `value` file this pin writes.
    pub fn value_path(&self) -> &Path {
        self.value.path()
    }

    /// Whether this pin exported the line (and so will unexport it).
    pub fn exported_by_us(&self) -> bool {
        self.exported
    }

    /// Whether the LED was last turned on.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Turns the LED off and unexports the line if this pin exported it,
    /// reporting the first error (drop does the same and logs errors).
    pub fn close(mut self) -> Result<(), LedError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), LedError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let off = if self.on { self.set(false) } else { Ok(()) };
        let unexport = if self.exported {
            let file = self.export_dir.join("unexport");
            let value = self.gpio.to_string();
            self.sysfs
                .write(&file, &value)
                .map_err(|e| LedError::io(&self.pin, format!("writing {value:?} to"), file, e))
        } else {
            Ok(())
        };
        off.and(unexport)
    }

    fn raw_off(&self) -> &'static str {
        if self.active_low { "high" } else { "low" }
    }

    fn set(&mut self, on: bool) -> Result<(), LedError> {
        let written = if on ^ self.active_low ^ self.kernel_active_low {
            "1"
        } else {
            "0"
        };
        // The LED must not stay on: `direction` sets the level too.
        let direction = self.dir.join("direction");
        let off_through_direction = || self.sysfs.write(&direction, self.raw_off()).is_ok();
        let off_instead = (!self.fixed_direction)
            .then_some(("direction", &off_through_direction as OffWrite<'_>));
        self.value
            .write_level(&self.pin, on, written, off_instead)?;
        self.on = on;
        Ok(())
    }

    /// The first write of an opened line: off, through `value`. On a line
    /// without `direction`, the kernel's `EPERM` means it is fixed as an
    /// input.
    fn start_off(&mut self) -> Result<(), LedError> {
        match self.set(false) {
            Err(LedError::Io { source, .. })
                if self.fixed_direction && source.raw_os_error() == Some(libc::EPERM) =>
            {
                Err(LedError::FixedDirection {
                    pin: self.pin.clone(),
                    file: self.dir.join("direction"),
                    source,
                })
            }
            other => other,
        }
    }
}

impl Drop for SysfsGpio {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            tracing::warn!(%error, "closing a sysfs GPIO LED failed");
        }
    }
}

impl ErrorType for SysfsGpio {
    type Error = LedError;
}

impl OutputPin for SysfsGpio {
    fn set_low(&mut self) -> Result<(), LedError> {
        self.set(false)
    }

    fn set_high(&mut self) -> Result<(), LedError> {
        self.set(true)
    }
}

impl SysfsGpioBuilder {
    fn new(line: Line) -> Self {
        SysfsGpioBuilder {
            line,
            sysfs: Sysfs::default(),
            active_low: false,
            wait: false,
        }
    }

    /// The sysfs tree to use: a path (default `/sys`), a [`Sysfs`], or a
    /// simulated tree (`&SimSysfs`).
    pub fn root(mut self, sysfs: impl Into<Sysfs>) -> Self {
        self.sysfs = sysfs.into();
        self
    }

    /// Whether the LED lights when the line is low (wired to 3V3 through the
    /// LED). Default: active-high.
    pub fn active_low(mut self, active_low: bool) -> Self {
        self.active_low = active_low;
        self
    }

    /// The global sysfs number the line resolves to, reading the chips'
    /// bases where needed; touches no file but the chips' `label`, `base`
    /// and `ngpio`.
    pub fn resolve(&self) -> Result<(u32, String), LedError> {
        let (chip, offset) = match &self.line {
            Line::Number(gpio) => return Ok((*gpio, format!("GPIO {gpio}"))),
            Line::Chip(label, offset) => (GpioChip::find(&self.sysfs, label)?, *offset),
            Line::Bcm(bcm) => (GpioChip::raspberry_pi(&self.sysfs)?, *bcm),
        };
        if chip.base.is_none() {
            return Err(LedError::NoGlobalNumbers {
                pin: format!("offset {offset} on {}", chip.label),
                dir: gpio_dir(&self.sysfs),
            });
        }
        let gpio = chip
            .line(offset)
            .ok_or_else(|| LedError::OffsetOutOfRange {
                label: chip.label.clone(),
                offset,
                ngpio: chip.ngpio,
            })?;
        let how = match self.line {
            Line::Bcm(_) => "BCM",
            _ => "offset",
        };
        Ok((
            gpio,
            format!("GPIO {gpio} ({how} {offset} on {})", chip.label),
        ))
    }

    /// Whether a second user of the line queues behind the first (polling
    /// its lock every 20 ms) instead of being refused with
    /// [`LedError::Held`]. An `EBUSY` export (the line held through the
    /// character device, or by a driver) is waited out too. Default: refuse.
    pub fn wait(mut self, wait: bool) -> Self {
        self.wait = wait;
        self
    }

    /// Where the line's files are, reading the chips where needed: the
    /// legacy `gpioN/` by global number, or `chipN/gpioOFFSET/` of the
    /// per-chip interface when the kernel has no global `export`.
    fn locate(&self) -> Result<Located, LedError> {
        let class = gpio_dir(&self.sysfs);
        // A line someone exported by number is used by number, even in a
        // copied tree without the `export` file.
        let exported_by_number = matches!(
            self.line,
            Line::Number(gpio) if self.sysfs.exists(&class.join(format!("gpio{gpio}")))
        );
        if has_global_export(&self.sysfs) || exported_by_number {
            let (gpio, pin) = self.resolve()?;
            return Ok(Located {
                export_dir: class.clone(),
                dir: class.join(format!("gpio{gpio}")),
                number: gpio,
                pin,
            });
        }
        let (chip, offset, how) = match &self.line {
            Line::Number(gpio) => {
                return Err(LedError::NoGlobalNumbers {
                    pin: format!("GPIO {gpio}"),
                    dir: class,
                });
            }
            Line::Chip(label, offset) => (GpioChip::find(&self.sysfs, label)?, *offset, "offset"),
            Line::Bcm(bcm) => (GpioChip::raspberry_pi(&self.sysfs)?, *bcm, "BCM"),
        };
        if offset >= chip.ngpio {
            return Err(LedError::OffsetOutOfRange {
                label: chip.label,
                offset,
                ngpio: chip.ngpio,
            });
        }
        let export_dir = class.join(&chip.name);
        Ok(Located {
            dir: export_dir.join(format!("gpio{offset}")),
            export_dir,
            number: offset,
            pin: format!("{how} {offset} on {} ({})", chip.label, chip.name),
        })
    }

    /// Opens the line: takes its lock (refusing, or with
    /// [`wait`](Self::wait) queueing, while another user holds it), exports
    /// it unless it is already exported, waits out the udev permission race,
    /// makes it an output with the LED off, and keeps `value` open for the
    /// hot path. See [`SysfsGpio`] for the files.
    ///
    /// # Errors
    ///
    /// [`LedError::Held`] when another user has the line, [`LedError::Busy`]
    /// when a driver holds it, [`LedError::IsInput`] for someone else's
    /// input, [`LedError::FixedDirection`] for a line fixed as an input,
    /// and the lookup and I/O errors of the files involved.
    pub async fn open(self) -> Result<SysfsGpio, LedError> {
        let located = self.locate()?;
        loop {
            if let Some(led) = self.try_open(&located).await? {
                return Ok(led);
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }

    /// One attempt; `Ok(None)` means try again (the line is held and we
    /// wait, or it changed hands under us).
    async fn try_open(&self, at: &Located) -> Result<Option<SysfsGpio>, LedError> {
        let sysfs = &self.sysfs;
        let pin = &at.pin;
        let raw_off = if self.active_low { "high" } else { "low" };
        let io_err = |action: String, file: PathBuf| {
            let pin = pin.clone();
            move |e: io::Error| LedError::io(&pin, action, file, e)
        };
        let value_file = at.dir.join("value");
        let direction_file = at.dir.join("direction");

        if sysfs.exists(&at.dir) {
            // Exported already (by another user, or left behind by a killed
            // one): take the lock before writing anything.
            let value = match sysfs.open_attr(&value_file) {
                Ok(value) => value,
                // Unexported between the check and the open.
                Err(e) if e.kind() == io::ErrorKind::NotFound && !sysfs.exists(&at.dir) => {
                    return Ok(None);
                }
                Err(e) => return Err(io_err("opening".into(), value_file.clone())(e)),
            };
            if !self.lock(&value, pin)? {
                return Ok(None);
            }
            if !lock::still_at(value.file(), &value_file) {
                return Ok(None);
            }
            let fixed = match sysfs.read(&direction_file) {
                Ok(direction) if direction == "out" => false,
                Ok(direction) if direction == "in" => {
                    return Err(LedError::IsInput {
                        pin: pin.clone(),
                        file: direction_file,
                    });
                }
                Ok(direction) => {
                    return Err(LedError::Malformed {
                        pin: pin.clone(),
                        file: direction_file,
                        contents: direction,
                        expected: "`in` or `out`",
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => true,
                Err(e) => return Err(io_err("reading".into(), direction_file)(e)),
            };
            let file = at.dir.join("active_low");
            let kernel_active_low = match sysfs.read(&file) {
                Ok(text) => text == "1",
                // The per-chip interface has no `active_low`.
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => return Err(io_err("reading".into(), file)(e)),
            };
            let mut led = self.led(at, value, false, kernel_active_low, fixed);
            // Someone else's output may be on; start from a known off.
            led.start_off()?;
            return Ok(Some(led));
        }

        let export = at.export_dir.join("export");
        let exported = sysfs.write(&export, &at.number.to_string());
        if let Err(e) = exported {
            return match e.raw_os_error() {
                // Exported by someone else since the check: adopt or queue.
                Some(16) if sysfs.exists(&at.dir) => Ok(None),
                Some(16) if self.wait => Ok(None),
                Some(16) => Err(LedError::Busy {
                    pin: pin.clone(),
                    file: export,
                }),
                Some(22) if at.export_dir == gpio_dir(sysfs) => Err(LedError::NoSuchGpio {
                    gpio: at.number,
                    dir: at.export_dir.clone(),
                    chips: GpioChip::list(sysfs)
                        .map(|c| describe(&c))
                        .unwrap_or_else(|e| e.to_string()),
                }),
                _ => Err(io_err(format!("writing \"{}\" to", at.number), export)(e)),
            };
        }

        // From here an open that fails, or is cancelled while it waits out
        // udev, unexports what it exported: a line left exported as an input
        // would make every later open fail.
        let mut unexport = ExportGuard {
            sysfs,
            file: at.export_dir.join("unexport"),
            number: at.number,
            armed: true,
        };
        let fixed = match udev_wait(|| sysfs.write(&direction_file, raw_off)).await {
            Ok(()) => false,
            // The driver does not let the direction change.
            Err(e) if e.kind() == io::ErrorKind::NotFound => true,
            Err(e) => {
                return Err(io_err(format!("writing {raw_off:?} to"), direction_file)(e));
            }
        };
        let value = udev_wait(|| sysfs.open_attr(&value_file))
            .await
            .map_err(io_err("opening".into(), value_file.clone()))?;
        if !lock::try_lock(value.file()).map_err(io_err("locking".into(), value_file.clone()))? {
            // Another user adopted the line between our export and our
            // lock: it is theirs now, so it is not unexported under them.
            unexport.armed = false;
            return if self.wait {
                Ok(None)
            } else {
                Err(lock::held_error(pin, &value))
            };
        }
        let mut led = self.led(at, value, true, false, fixed);
        if fixed {
            // No `direction` to set the level: write the value itself.
            if let Err(error) = led.start_off() {
                led.exported = false; // the guard unexports it
                return Err(error);
            }
        }
        unexport.armed = false;
        Ok(Some(led))
    }

    /// Takes the line's lock: `Ok(false)` when held and waiting.
    fn lock(&self, value: &AttrFile, pin: &str) -> Result<bool, LedError> {
        let locked = lock::try_lock(value.file())
            .map_err(|e| LedError::io(pin, "locking".into(), value.path().to_owned(), e))?;
        match (locked, self.wait) {
            (true, _) => Ok(true),
            (false, true) => Ok(false),
            (false, false) => Err(lock::held_error(pin, value)),
        }
    }

    fn led(
        &self,
        at: &Located,
        value: AttrFile,
        exported: bool,
        kernel_active_low: bool,
        fixed_direction: bool,
    ) -> SysfsGpio {
        SysfsGpio {
            sysfs: self.sysfs.clone(),
            gpio: at.number,
            pin: at.pin.clone(),
            dir: at.dir.clone(),
            export_dir: at.export_dir.clone(),
            value,
            exported,
            active_low: self.active_low,
            kernel_active_low,
            fixed_direction,
            on: false,
            closed: false,
        }
    }
}

/// Where a line's files are.
#[derive(Debug)]
struct Located {
    /// The directory holding the `export` and `unexport` used.
    export_dir: PathBuf,
    /// The line's directory once exported.
    dir: PathBuf,
    /// What is written to `export`: the global number or the offset.
    number: u32,
    /// The line as messages name it.
    pin: String,
}

/// Retries `op` while it fails with `EACCES`, for up to [`PERMISSION_WAIT`]:
/// udev needs a moment to hand a freshly exported line to the `gpio` group.
async fn udev_wait<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let deadline = tokio::time::Instant::now() + PERMISSION_WAIT;
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                if tokio::time::Instant::now() >= deadline {
                    return Err(e);
                }
                tokio::time::sleep(PERMISSION_POLL).await;
            }
            other => return other,
        }
    }
}

/// Writes `unexport` for a line this open exported, unless disarmed once
/// the open succeeded.
struct ExportGuard<'a> {
    sysfs: &'a Sysfs,
    file: PathBuf,
    number: u32,
    armed: bool,
}

impl Drop for ExportGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: the open's own error (or its cancellation) is
            // what the caller needs to see.
            let _ = self.sysfs.write(&self.file, &self.number.to_string());
        }
    }
}
