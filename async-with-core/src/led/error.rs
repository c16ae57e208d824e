//! [`LedError`]: what went wrong with an LED backend, which file, which pin,
//! and what to do about it.

use std::io;
use std::path::{Path, PathBuf};

use embedded_hal::digital::ErrorKind;

/// The udev rule that gives the `gpio` group `class/gpio/{export,unexport}`
/// and every exported line's files.
pub const GPIO_UDEV_RULE: &str = r#"SUBSYSTEM=="gpio", ACTION=="add", PROGRAM="/bin/sh -c 'chgrp -R gpio /sys/class/gpio /sys%p && chmod -R g+w /sys/class/gpio /sys%p'""#;

/// The udev rule that gives the `gpio` group the LED class files.
pub const LED_UDEV_RULE: &str = r#"SUBSYSTEM=="leds", ACTION=="add", PROGRAM="/bin/sh -c 'chgrp gpio /sys%p/brightness /sys%p/trigger && chmod g+w /sys%p/brightness /sys%p/trigger'""#;

/// An LED backend failed: the message names the file, the pin and the fix.
///
/// Implements [`embedded_hal::digital::Error`], so it is the `Error` of every
/// backend's `OutputPin` and of a [`Spotlight`](crate::Spotlight) over one.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use async_with_core::led::{sim::SimSysfs, LedError, SysfsGpio};
///
/// let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
/// let err = SysfsGpio::number(9999).root(&sim).open().await.unwrap_err();
/// assert!(matches!(err, LedError::NoSuchGpio { gpio: 9999, .. }));
/// assert!(err.to_string().contains("no GPIO 9999"));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedError {
    /// A name that would leave its directory or is not a name at all.
    #[error("invalid {what} {name:?}: {reason}; pass a plain name such as `ACT` or `gpiochip0`")]
    InvalidName {
        /// What the name was for (`LED name`, `chip label`, ...).
        what: &'static str,
        /// The name as given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// No gpiochip covers the number.
    #[error(
        "no GPIO {gpio}: no gpiochip under {dir} covers it (chips: {chips}); use a number inside one of them, or `SysfsGpio::bcm` / `SysfsGpio::chip` to let the base be looked up"
    )]
    NoSuchGpio {
        /// The global number asked for.
        gpio: u32,
        /// The `class/gpio` directory searched.
        dir: PathBuf,
        /// The chips found, as `label base..end`.
        chips: String,
    },
    /// No gpiochip with the label.
    #[error("no gpiochip labelled {label:?} under {dir} (chips: {chips}); use one of those labels")]
    NoSuchChip {
        /// The label asked for.
        label: String,
        /// The `class/gpio` directory searched.
        dir: PathBuf,
        /// The chips found.
        chips: String,
    },
    /// The line asked for is past the chip's last line. The message names
    /// it as it was asked for (`BCM 99`, `offset 99`, `line 99`) and gives
    /// the valid range.
    #[error("{}", out_of_range(asked, *offset, label, *ngpio))]
    OffsetOutOfRange {
        /// The chip's label (or, for a chip named by device, its path).
        label: String,
        /// The offset asked for.
        offset: u32,
        /// How many lines the chip has.
        ngpio: u32,
        /// How the line was named: `BCM` (a Raspberry Pi BCM number),
        /// `offset` (on a chip named by label) or `line` (on a chip device).
        asked: &'static str,
    },
    /// No Raspberry Pi GPIO controller in the tree.
    #[error(
        "no Raspberry Pi GPIO controller under {dir} (looked for labels pinctrl-rp1, pinctrl-bcm2711, pinctrl-bcm2835; found: {chips}); on another board use `SysfsGpio::chip(label, offset)`"
    )]
    NotARaspberryPi {
        /// The `class/gpio` directory searched.
        dir: PathBuf,
        /// The chips found.
        chips: String,
    },
    /// Several gpiochips carry the label, so it names no single chip.
    #[error(
        "gpiochip label {label:?} names no single chip: {count} chips carry it, {chips}; pick one of them {pick}"
    )]
    AmbiguousChip {
        /// The label asked for.
        label: String,
        /// How many chips carry it.
        count: usize,
        /// Every chip with that label, each with what tells it apart:
        /// `gpiochip571 (GPIO 571 to 624)`, `/dev/gpiochip0 (54 lines)`.
        chips: String,
        /// How to name one of them instead, with the line asked for where
        /// it is known: ``by global number ...: `--gpio 588` or ...``.
        pick: String,
    },
    /// Another process (or another open in this one) owns the light.
    #[error(
        "{pin} is in use by {holder} (it holds {file}); wait for it to finish or stop it, or queue behind it (spotlight: `--wait`; the library: `SysfsGpioBuilder::wait(true)`, `SysfsLedBuilder::open_waiting`, `CdevLineBuilder::request_waiting`)"
    )]
    Held {
        /// The light.
        pin: String,
        /// The locked file (`value`, `brightness`).
        file: PathBuf,
        /// Who holds it: `process 1234`, or `another process` when the
        /// kernel does not say.
        holder: String,
    },
    /// The line is exported but its driver gives no `direction` file, and
    /// driving it through `value` failed: it is fixed as an input.
    #[error(
        "{pin} has no `direction` file ({file} is absent because its driver does not let the direction change), and writing its value failed ({source}): the line is fixed as an input and cannot drive an LED; pick another pin"
    )]
    FixedDirection {
        /// The pin.
        pin: String,
        /// The missing `direction` file.
        file: PathBuf,
        /// The error writing `value`.
        #[source]
        source: io::Error,
    },
    /// The kernel has only the per-chip sysfs interface, which has no global
    /// numbers.
    #[error(
        "{pin}: this kernel has no global sysfs GPIO numbers ({dir}/export is missing; only the per-chip `chipN/export` exists): name the line by chip label and offset (`SysfsGpio::chip`, `--chip LABEL --offset N`) or BCM number"
    )]
    NoGlobalNumbers {
        /// The pin.
        pin: String,
        /// The `class/gpio` directory.
        dir: PathBuf,
    },
    /// Export said `EBUSY`.
    #[error(
        "{pin} is already exported or held by a driver (writing {file} failed with EBUSY); free it (unexport it, or unload the driver / device-tree overlay that claims it) or pick another pin"
    )]
    Busy {
        /// The pin.
        pin: String,
        /// The file written.
        file: PathBuf,
    },
    /// The line is an input someone else configured; it is not flipped.
    #[error(
        "{pin} is exported by someone else as an input ({file} reads `in`); refusing to drive it: set it to an output yourself (`echo low > {file}`) if an LED is really wired there"
    )]
    IsInput {
        /// The pin.
        pin: String,
        /// The `direction` file.
        file: PathBuf,
    },
    /// The kernel refused access to a file.
    #[error(
        "permission denied {action} {file} for {pin}: add your user to the `gpio` group (`sudo usermod -aG gpio $USER`, then log in again) or install a udev rule such as `{rule}` in /etc/udev/rules.d/99-gpio.rules"
    )]
    PermissionDenied {
        /// The pin.
        pin: String,
        /// What was refused ("reading", "writing \"1\" to", "opening").
        action: String,
        /// The file.
        file: PathBuf,
        /// The udev rule to install ([`GPIO_UDEV_RULE`] or [`LED_UDEV_RULE`]).
        rule: &'static str,
    },
    /// The LED is not in `class/leds`.
    #[error("{}", no_such_led(name, dir, available))]
    NoSuchLed {
        /// The name asked for.
        name: String,
        /// The `class/leds` directory searched.
        dir: PathBuf,
        /// The LEDs found there.
        available: String,
    },
    /// A file's contents are not what the kernel writes there.
    #[error("unexpected contents {contents:?} in {file} for {pin}: expected {expected}")]
    Malformed {
        /// The pin.
        pin: String,
        /// The file.
        file: PathBuf,
        /// What was read.
        contents: String,
        /// What was expected.
        expected: &'static str,
    },
    /// Any other I/O failure.
    #[error("{action} {file} for {pin} failed: {source}{hint}")]
    Io {
        /// The pin.
        pin: String,
        /// What was being done (`writing "1" to`, `reading`, `opening`).
        action: String,
        /// The file.
        file: PathBuf,
        /// A hint at the fix, starting with `; `, or empty.
        hint: &'static str,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// No usable GPIO character device carries the chip label.
    #[cfg(feature = "cdev")]
    #[error(
        "no usable GPIO character device labelled {label}: {reason}; check `ls -l /dev/gpiochip*` and that you are in the `gpio` group, or use the sysfs interface"
    )]
    NoChipDevice {
        /// The label (or labels) looked for.
        label: String,
        /// Why none could be used.
        reason: String,
    },
    /// No GPIO line has the name.
    #[cfg(feature = "cdev")]
    #[error(
        "no GPIO line named {name:?} on any /dev/gpiochip*; list the names with `gpioinfo`, or use `CdevLine::chip(chip, offset)`"
    )]
    NoSuchLine {
        /// The name asked for.
        name: String,
    },
    /// The GPIO character device refused a request.
    #[cfg(feature = "cdev")]
    #[error("{pin}: {source}; {fix}")]
    Cdev {
        /// The line.
        pin: String,
        /// What to check.
        fix: &'static str,
        /// The error from gpiocdev.
        #[source]
        source: gpiocdev::Error,
    },
}

impl LedError {
    /// Maps an I/O error on `file` to the error a user can act on.
    #[cfg_attr(not(feature = "sysfs"), allow(dead_code))]
    pub(crate) fn io(pin: &str, action: String, file: PathBuf, source: io::Error) -> Self {
        let hint = match source.kind() {
            // EPERM is also `PermissionDenied` to std, but from a GPIO
            // `value` it means "not an output", not "no access".
            io::ErrorKind::PermissionDenied if source.raw_os_error() != Some(1) => {
                let rule = if file.to_string_lossy().contains("class/leds") {
                    LED_UDEV_RULE
                } else {
                    GPIO_UDEV_RULE
                };
                return LedError::PermissionDenied {
                    pin: pin.to_owned(),
                    action,
                    file,
                    rule,
                };
            }
            // Say what is really the case: a file missing from a directory
            // that exists is one its driver does not provide.
            io::ErrorKind::NotFound if file.parent().is_some_and(|dir| dir.is_dir()) => {
                "; the file is missing although its directory exists: the driver does not provide it"
            }
            io::ErrorKind::NotFound => {
                "; the file is missing: check the pin exists and is exported, and that the kernel has sysfs GPIO/LED support"
            }
            _ if source.raw_os_error() == Some(19) => {
                "; the line or LED went away (unexported by someone else, or its driver unbound)"
            }
            _ if source.raw_os_error() == Some(1) => {
                "; the line is not an output (its direction is `in`)"
            }
            _ if source.raw_os_error() == Some(5) => "; the hardware reported an I/O error",
            _ if source.raw_os_error() == Some(30) => {
                "; the file system is read-only, so this is no live sysfs: use the kernel's /sys, or a writable copy of the tree"
            }
            _ => "",
        };
        LedError::Io {
            pin: pin.to_owned(),
            action,
            file,
            hint,
            source,
        }
    }
}

/// The [`LedError::OffsetOutOfRange`] message: the line as it was asked
/// for, and the range to pick from.
fn no_such_led(name: &str, dir: &Path, available: &str) -> String {
    let fix = if available.starts_with("none") {
        "this system exposes no LED there: an LED appears once its driver is \
         loaded (e.g. `leds-gpio` from the device tree); or light a GPIO line instead"
    } else {
        "use one of those names"
    };
    format!(
        "no LED {name:?} in {}; available LEDs: {available}; {fix}",
        dir.display()
    )
}

fn out_of_range(asked: &str, offset: u32, label: &str, ngpio: u32) -> String {
    let Some(last) = ngpio.checked_sub(1) else {
        return format!(
            "{asked} {offset} is outside gpiochip {label:?}, which has no lines; pick another chip"
        );
    };
    match asked {
        "BCM" => format!(
            "BCM {offset} is not a pin of the Raspberry Pi's GPIO controller {label:?}, which has BCM 0 to {last}; pass a BCM number from 0 to {last} (the pinout's GPIO17 is BCM 17)"
        ),
        _ => format!(
            "{asked} {offset} is outside gpiochip {label:?}, which has lines 0 to {last}; pass {} {asked} from 0 to {last}",
            if asked.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            }
        ),
    }
}

impl embedded_hal::digital::Error for LedError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

/// Refuses text the kernel cannot take at all (consumer labels, line
/// names): empty, or with a NUL byte. Text is never a path, so `/` and `..`
/// are fine.
#[cfg_attr(not(feature = "cdev"), allow(dead_code))]
pub(crate) fn check_text(what: &'static str, text: &str) -> Result<(), LedError> {
    let reason = if text.is_empty() {
        "it is empty"
    } else if text.contains('\0') {
        "it contains a NUL byte"
    } else {
        return Ok(());
    };
    Err(LedError::InvalidName {
        what,
        name: text.to_owned(),
        reason,
    })
}

/// Refuses names that become paths and would leave their directory: `/`,
/// `..`, NUL, empty. Labels compared as text (chip labels) are not names.
pub(crate) fn check_name(what: &'static str, name: &str) -> Result<(), LedError> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if name.contains('\0') {
        "it contains a NUL byte"
    } else if name.contains('/') {
        "it contains `/`"
    } else if name == "." || name == ".." || name.contains("..") {
        "it contains `..`"
    } else {
        return Ok(());
    };
    Err(LedError::InvalidName {
        what,
        name: name.to_owned(),
        reason,
    })
}
