//! [`SysfsGpio`]: an LED on a GPIO line, through `/sys/class/gpio`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use embedded_hal::digital::{ErrorType, OutputPin};

use super::error::LedError;
use super::fs::{AttrFile, OffWrite, Sysfs};

mod open;
use open::Line;
pub use open::SysfsGpioBuilder;

/// How long opening waits for udev to hand over a freshly exported line.
pub const PERMISSION_WAIT: Duration = Duration::from_secs(1);

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
    ///
    /// # Errors
    ///
    /// The [`LedError`] of writing `value` (the off write) or `unexport`:
    /// [`LedError::PermissionDenied`] naming the file, or [`LedError::Io`]
    /// (`ENODEV` when someone else unexported the line). Both are tried;
    /// the first error is returned.
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
