//! [`CdevLine`]: an LED on a GPIO line, through the GPIO character device.

use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use embedded_hal::digital::{ErrorType, OutputPin};
use gpiocdev::Request;
use gpiocdev::line::Value;

use super::error::{LedError, check_name};

/// The consumer label a line is requested with unless told otherwise.
pub const DEFAULT_CONSUMER: &str = "async-with";

/// An LED wired to a GPIO line, driven through the GPIO character device
/// (`/dev/gpiochipN`, via [gpiocdev](https://docs.rs/gpiocdev)), as an
/// embedded-hal [`OutputPin`].
///
/// Unlike sysfs, the line belongs to this process only while the request is
/// held, and the kernel shows the consumer label in `gpioinfo`.
///
/// # The kernel sequence
///
/// There are no files to write; the ioctls are:
///
/// ```text
/// open /dev/gpiochip0                      request: the chip
/// GPIO_V2_GET_LINE_IOCTL offset 17         request: output, inactive, consumer "async-with"
/// GPIO_V2_LINE_SET_VALUES_IOCTL active     on
/// GPIO_V2_LINE_SET_VALUES_IOCTL inactive   off
/// close the request fd                     drop: released
/// ```
///
/// A released line may revert to its default or hold its last level,
/// depending on the driver, so drop sets the line inactive before releasing
/// it. Active-low ([`CdevLineBuilder::active_low`]) is done by the kernel
/// (the request's active-low flag), so active/inactive stay on/off.
///
/// # Example
///
/// ```no_run
/// use async_with_core::led::CdevLine;
/// use embedded_hal::digital::OutputPin;
///
/// let mut led = CdevLine::chip("gpiochip0", 17).consumer("spotlight").request()?;
/// led.set_high()?;
/// # Ok::<(), async_with_core::led::LedError>(())
/// ```
#[derive(Debug)]
pub struct CdevLine {
    request: Request,
    pin: String,
    on: bool,
}

/// Which line to request: see [`CdevLine::chip`] and [`CdevLine::named`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.request()`"]
pub struct CdevLineBuilder {
    line: Line,
    consumer: String,
    active_low: bool,
}

#[derive(Debug, Clone)]
enum Line {
    Chip(PathBuf, u32),
    Named(String),
}

impl CdevLine {
    /// Line `offset` of `chip`: a device name such as `gpiochip0` (looked up
    /// in `/dev`) or an absolute path such as `/dev/gpiochip4`.
    pub fn chip(chip: impl AsRef<Path>, offset: u32) -> CdevLineBuilder {
        CdevLineBuilder::new(Line::Chip(chip.as_ref().to_owned(), offset))
    }

    /// The line the device tree names `name` (such as `GPIO17`), on
    /// whichever chip has it.
    pub fn named(name: impl Into<String>) -> CdevLineBuilder {
        CdevLineBuilder::new(Line::Named(name.into()))
    }

    /// Whether the LED was last turned on.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// The chip device the line is on.
    pub fn chip_path(&self) -> PathBuf {
        self.request.chip_path()
    }

    fn set(&mut self, on: bool) -> Result<(), LedError> {
        let value = if on { Value::Active } else { Value::Inactive };
        self.request
            .set_lone_value(value)
            .map_err(|source| LedError::Cdev {
                pin: self.pin.clone(),
                fix: "the line may have been reclaimed, or the chip removed",
                source,
            })?;
        self.on = on;
        Ok(())
    }
}

impl Drop for CdevLine {
    fn drop(&mut self) {
        if self.on {
            if let Err(error) = self.set(false) {
                tracing::warn!(%error, "turning a GPIO character device LED off failed");
            }
        }
    }
}

impl ErrorType for CdevLine {
    type Error = LedError;
}

impl OutputPin for CdevLine {
    fn set_low(&mut self) -> Result<(), LedError> {
        self.set(false)
    }

    fn set_high(&mut self) -> Result<(), LedError> {
        self.set(true)
    }
}

impl CdevLineBuilder {
    fn new(line: Line) -> Self {
        CdevLineBuilder {
            line,
            consumer: DEFAULT_CONSUMER.to_owned(),
            active_low: false,
        }
    }

    /// The consumer label the kernel shows for the line (at most 31 bytes).
    pub fn consumer(mut self, consumer: impl Into<String>) -> Self {
        self.consumer = consumer.into();
        self
    }

    /// Whether the LED lights when the line is low. Default: active-high.
    pub fn active_low(mut self, active_low: bool) -> Self {
        self.active_low = active_low;
        self
    }

    /// Checks the chip, line name and consumer without touching a device:
    /// returns the chip path (for [`CdevLine::chip`]) or `None` (named).
    pub fn validate(&self) -> Result<Option<PathBuf>, LedError> {
        check_name("consumer label", &self.consumer)?;
        if self.consumer.len() > 31 {
            return Err(LedError::InvalidName {
                what: "consumer label",
                name: self.consumer.clone(),
                reason: "it is longer than the kernel's 31 bytes",
            });
        }
        match &self.line {
            Line::Named(name) => {
                check_name("line name", name)?;
                Ok(None)
            }
            Line::Chip(chip, _) => chip_path(chip).map(Some),
        }
    }

    /// Requests the line as an output, inactive (LED off), with the consumer
    /// label.
    pub fn request(self) -> Result<CdevLine, LedError> {
        let chip = self.validate()?;
        let mut builder = Request::builder();
        let pin = match (&self.line, chip) {
            (Line::Chip(_, offset), Some(path)) => {
                let pin = format!("line {offset} of {}", path.display());
                builder.on_chip(path).with_line(*offset);
                pin
            }
            (Line::Named(name), _) => {
                let found = gpiocdev::find_named_line(name)
                    .ok_or_else(|| LedError::NoSuchLine { name: name.clone() })?;
                let pin = format!(
                    "line {name:?} (offset {} of {})",
                    found.info.offset,
                    found.chip.display()
                );
                builder.with_found_line(&found);
                pin
            }
            (Line::Chip(..), None) => unreachable!("`validate` returns a path for a chip"),
        };
        builder
            .as_output(Value::Inactive)
            .with_consumer(self.consumer.as_str());
        if self.active_low {
            builder.as_active_low();
        }
        let request = builder.request().map_err(|source| LedError::Cdev {
            pin: pin.clone(),
            fix: "check the chip and offset exist (`gpioinfo`), that no other consumer holds the line, and that you can open the chip (the `gpio` group)",
            source,
        })?;
        Ok(CdevLine {
            request,
            pin,
            on: false,
        })
    }
}

/// `gpiochipN` becomes `/dev/gpiochipN`; a path must be absolute and free of
/// `..`; NUL is refused everywhere.
fn chip_path(chip: &Path) -> Result<PathBuf, LedError> {
    let text = chip.to_string_lossy();
    let invalid = |reason| LedError::InvalidName {
        what: "GPIO chip",
        name: text.clone().into_owned(),
        reason,
    };
    if chip.as_os_str().as_bytes().contains(&0) {
        return Err(invalid("it contains a NUL byte"));
    }
    if chip.components().any(|c| c == Component::ParentDir) || text.contains("..") {
        return Err(invalid("it contains `..`"));
    }
    if chip.is_absolute() {
        return Ok(chip.to_owned());
    }
    check_name("GPIO chip", &text)?;
    Ok(Path::new("/dev").join(chip))
}
