//! [`SysfsGpio`]: an LED on a GPIO line, through `/sys/class/gpio`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use embedded_hal::digital::{ErrorType, OutputPin};

use super::error::LedError;
use super::fs::{AttrFile, Sysfs};
use super::gpiochip::{GpioChip, describe, gpio_dir};

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
///   one step, so it never glitches on.
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
    value: AttrFile,
    exported: bool,
    /// The user's active-low: physical level = on ^ active_low.
    active_low: bool,
    /// The kernel's `active_low`: it inverts what we write to `value`.
    kernel_active_low: bool,
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

    /// The global sysfs number of the line.
    pub fn gpio(&self) -> u32 {
        self.gpio
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
            let file = gpio_dir(&self.sysfs).join("unexport");
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
        self.value.write_level(
            &self.pin,
            on,
            written,
            Some(("direction", &off_through_direction)),
        )?;
        self.on = on;
        Ok(())
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

    /// Opens the line: exports it unless it is already exported, waits out
    /// the udev permission race, makes it an output with the LED off, and
    /// opens `value` for the hot path. See [`SysfsGpio`] for the files.
    pub async fn open(self) -> Result<SysfsGpio, LedError> {
        let (gpio, pin) = self.resolve()?;
        let sysfs = self.sysfs;
        let class = gpio_dir(&sysfs);
        let dir = class.join(format!("gpio{gpio}"));
        let raw_off = if self.active_low { "high" } else { "low" };
        let io_err = |action: String, file: PathBuf| {
            let pin = pin.clone();
            move |e: io::Error| LedError::io(&pin, action, file, e)
        };

        let exported = !sysfs.exists(&dir);
        let mut kernel_active_low = false;
        if exported {
            let export = class.join("export");
            sysfs
                .write(&export, &gpio.to_string())
                .map_err(|e| match e.raw_os_error() {
                    Some(16) => LedError::Busy {
                        pin: pin.clone(),
                        file: export.clone(),
                    },
                    Some(22) => LedError::NoSuchGpio {
                        gpio,
                        dir: class.clone(),
                        chips: GpioChip::list(&sysfs)
                            .map(|c| describe(&c))
                            .unwrap_or_else(|e| e.to_string()),
                    },
                    _ => io_err(format!("writing \"{gpio}\" to"), export.clone())(e),
                })?;
        } else {
            let file = dir.join("direction");
            let direction = sysfs
                .read(&file)
                .map_err(io_err("reading".into(), file.clone()))?;
            match direction.as_str() {
                "out" => {}
                "in" => return Err(LedError::IsInput { pin, file }),
                _ => {
                    return Err(LedError::Malformed {
                        pin,
                        file,
                        contents: direction,
                        expected: "`in` or `out`",
                    });
                }
            }
            let file = dir.join("active_low");
            kernel_active_low = sysfs
                .read(&file)
                .map_err(io_err("reading".into(), file.clone()))?
                == "1";
        }

        // From here an open that fails, or is cancelled while it waits out
        // udev, unexports what it exported: a line left exported as an input
        // would make every later open fail.
        let mut unexport = ExportGuard {
            sysfs: &sysfs,
            file: class.join("unexport"),
            gpio,
            armed: exported,
        };
        let opened = async {
            if exported {
                let file = dir.join("direction");
                udev_wait(|| sysfs.write(&file, raw_off))
                    .await
                    .map_err(io_err(format!("writing {raw_off:?} to"), file.clone()))?;
            }
            let file = dir.join("value");
            udev_wait(|| sysfs.open_attr(&file))
                .await
                .map_err(io_err("opening".into(), file.clone()))
        }
        .await;
        let value = opened?;
        unexport.armed = false;
        drop(unexport);

        let mut led = SysfsGpio {
            sysfs,
            gpio,
            pin,
            dir,
            value,
            exported,
            active_low: self.active_low,
            kernel_active_low,
            on: false,
            closed: false,
        };
        if !exported {
            // Someone else's output may be on; start from a known off.
            led.set(false)?;
        }
        Ok(led)
    }
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
    gpio: u32,
    armed: bool,
}

impl Drop for ExportGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: the open's own error (or its cancellation) is
            // what the caller needs to see.
            let _ = self.sysfs.write(&self.file, &self.gpio.to_string());
        }
    }
}
