//! [`SysfsGpioBuilder`]: finding a line's files and opening it (lock,
//! export, the udev wait, direction), and undoing an export that failed.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::super::error::LedError;
use super::super::fs::{AttrFile, Sysfs};
use super::super::gpiochip::{GpioChip, describe, gpio_dir, has_global_export};
use super::super::lock::{self, LOCK_POLL};
use super::{PERMISSION_WAIT, SysfsGpio};

const PERMISSION_POLL: Duration = Duration::from_millis(10);

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
pub(super) enum Line {
    Number(u32),
    Chip(String, u32),
    Bcm(u32),
}

impl SysfsGpioBuilder {
    pub(super) fn new(line: Line) -> Self {
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
    ///
    /// # Errors
    ///
    /// For [`SysfsGpio::chip`] and [`SysfsGpio::bcm`]: [`LedError::Io`] or
    /// [`LedError::Malformed`] reading the chips, [`LedError::NoSuchChip`]
    /// (no chip has the label), [`LedError::NotARaspberryPi`] (BCM on a
    /// tree without a Raspberry Pi controller), [`LedError::AmbiguousChip`]
    /// (several chips carry the label), [`LedError::NoGlobalNumbers`] (a
    /// kernel with only the per-chip interface) and
    /// [`LedError::OffsetOutOfRange`] (past the chip's last line). A global
    /// number ([`SysfsGpio::number`]) never fails here.
    pub fn resolve(&self) -> Result<(u32, String), LedError> {
        let (chip, offset) = match &self.line {
            Line::Number(gpio) => return Ok((*gpio, format!("GPIO {gpio}"))),
            Line::Chip(label, offset) => (
                GpioChip::find_for(&self.sysfs, label, Some(*offset))?,
                *offset,
            ),
            Line::Bcm(bcm) => (GpioChip::raspberry_pi_for(&self.sysfs, Some(*bcm))?, *bcm),
        };
        if chip.base.is_none() {
            return Err(LedError::NoGlobalNumbers {
                pin: format!("offset {offset} on {}", chip.label),
                dir: gpio_dir(&self.sysfs),
            });
        }
        let how = match self.line {
            Line::Bcm(_) => "BCM",
            _ => "offset",
        };
        let gpio = chip
            .line(offset)
            .ok_or_else(|| LedError::OffsetOutOfRange {
                label: chip.label.clone(),
                offset,
                ngpio: chip.ngpio,
                asked: how,
            })?;
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
            // No `class/gpio` at all (a PC, a kernel without GPIO sysfs):
            // there is no per-chip interface either, so say what is missing.
            Line::Number(gpio) if !self.sysfs.exists(&class) => {
                return Err(LedError::io(
                    &format!("GPIO {gpio}"),
                    "opening".into(),
                    class.join("export"),
                    io::Error::from_raw_os_error(2),
                ));
            }
            Line::Number(gpio) => {
                return Err(LedError::NoGlobalNumbers {
                    pin: format!("GPIO {gpio}"),
                    dir: class,
                });
            }
            Line::Chip(label, offset) => (
                GpioChip::find_for(&self.sysfs, label, Some(*offset))?,
                *offset,
                "offset",
            ),
            Line::Bcm(bcm) => (
                GpioChip::raspberry_pi_for(&self.sysfs, Some(*bcm))?,
                *bcm,
                "BCM",
            ),
        };
        if offset >= chip.ngpio {
            return Err(LedError::OffsetOutOfRange {
                label: chip.label,
                offset,
                ngpio: chip.ngpio,
                asked: how,
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
