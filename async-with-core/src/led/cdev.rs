//! [`CdevLine`]: an LED on a GPIO line, through the GPIO character device.

use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use embedded_hal::digital::{ErrorType, OutputPin};
use gpiocdev::Request;
use gpiocdev::line::Value;

use super::error::{LedError, check_name, check_text};

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
    Labelled(String, u32),
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

    /// Line `offset` of the chip whose label is `label` (compared as text,
    /// as `gpioinfo` shows it: `pinctrl-bcm2711`, `/soc@0/gpio@200100a0`),
    /// found among every `/dev/gpiochip*`.
    pub fn labelled(label: impl Into<String>, offset: u32) -> CdevLineBuilder {
        CdevLineBuilder::new(Line::Labelled(label.into(), offset))
    }

    /// Line `offset` of the Raspberry Pi's header controller: the first of
    /// [`RASPBERRY_PI_LABELS`](super::RASPBERRY_PI_LABELS) found among the
    /// chip devices (`pinctrl-rp1` on a Pi 5, `pinctrl-bcm2711` on a Pi 4).
    pub fn bcm(bcm: u32) -> CdevLineBuilder {
        CdevLineBuilder::new(Line::Labelled(String::new(), bcm))
    }

    /// The line as messages name it, e.g. `line 17 of /dev/gpiochip0
    /// (pinctrl-bcm2711)`.
    pub fn name(&self) -> &str {
        &self.pin
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

    /// Like [`request`](Self::request), but while another consumer holds the
    /// line it waits (polling every 20 ms) instead of failing.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request), except [`LedError::Held`].
    pub async fn request_waiting(self) -> Result<CdevLine, LedError> {
        loop {
            match self.clone().request() {
                Err(LedError::Held { .. }) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                other => return other,
            }
        }
    }

    /// Checks the chip, line name and consumer without touching a device:
    /// returns the chip path (for [`CdevLine::chip`]) or `None` (named).
    ///
    /// # Errors
    ///
    /// [`LedError::InvalidName`] for a consumer label that is empty, holds
    /// a NUL byte or is longer than the kernel's 31 bytes, a line name that
    /// is empty or holds a NUL byte, and a chip device name with `/`, `..`
    /// or NUL (an absolute path may hold `/` but not `..`).
    pub fn validate(&self) -> Result<Option<PathBuf>, LedError> {
        // Labels and line names are text the kernel compares or shows,
        // never paths: only a device name is checked as one.
        check_text("consumer label", &self.consumer)?;
        if self.consumer.len() > 31 {
            return Err(LedError::InvalidName {
                what: "consumer label",
                name: self.consumer.clone(),
                reason: "it is longer than the kernel's 31 bytes",
            });
        }
        match &self.line {
            Line::Named(name) => {
                check_text("line name", name)?;
                Ok(None)
            }
            Line::Chip(chip, _) => chip_path(chip).map(Some),
            Line::Labelled(..) => Ok(None),
        }
    }

    /// Requests the line as an output, inactive (LED off), with the consumer
    /// label.
    ///
    /// # Errors
    ///
    /// [`LedError::Held`] when another consumer has the line (the kernel
    /// allows one), [`LedError::NoChipDevice`] when no `/dev/gpiochip*` can
    /// be used or none carries the label, [`LedError::AmbiguousChip`],
    /// [`LedError::OffsetOutOfRange`], and [`LedError::Cdev`] for the rest.
    pub fn request(self) -> Result<CdevLine, LedError> {
        let chip = self.validate()?;
        let mut builder = Request::builder();
        let (chip, offset) = match (&self.line, chip) {
            (Line::Labelled(label, offset), _) => {
                let found = find_labelled(label, *offset)?;
                if *offset >= found.num_lines {
                    return Err(LedError::OffsetOutOfRange {
                        asked: if label.is_empty() { "BCM" } else { "offset" },
                        label: found.label,
                        offset: *offset,
                        ngpio: found.num_lines,
                    });
                }
                (Some((found.path, Some(found.label))), *offset)
            }
            (Line::Chip(_, offset), Some(path)) => {
                // Said before the kernel's bare EINVAL: which lines there are.
                let info = gpiocdev::chip::Chip::from_path(&path).and_then(|chip| chip.info());
                if let Ok(info) = info {
                    if *offset >= info.num_lines {
                        return Err(LedError::OffsetOutOfRange {
                            label: format!("{} ({})", path.display(), info.label),
                            offset: *offset,
                            ngpio: info.num_lines,
                            asked: "line",
                        });
                    }
                }
                (Some((path, None)), *offset)
            }
            _ => (None, 0),
        };
        let pin = match (&self.line, chip) {
            (_, Some((path, label))) => {
                let pin = match label {
                    Some(label) => format!("line {offset} of {} ({label})", path.display()),
                    None => format!("line {offset} of {}", path.display()),
                };
                check_free(&path, offset, &pin)?;
                builder.on_chip(path).with_line(offset);
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
            (Line::Chip(..) | Line::Labelled(..), None) => {
                unreachable!("`validate` returns a path for a chip, and a label finds one")
            }
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

/// A chip device found by label.
struct Found {
    path: PathBuf,
    label: String,
    num_lines: u32,
}

/// The one `/dev/gpiochip*` labelled `label` (an empty label: the first
/// Raspberry Pi label present).
fn find_labelled(label: &str, offset: u32) -> Result<Found, LedError> {
    let wanted: Vec<&str> = if label.is_empty() {
        super::RASPBERRY_PI_LABELS.to_vec()
    } else {
        vec![label]
    };
    let shown = wanted.join(" or ");
    let paths = gpiocdev::chip::chips().map_err(|e| LedError::NoChipDevice {
        label: shown.clone(),
        reason: format!("listing /dev failed: {e}"),
    })?;
    if paths.is_empty() {
        return Err(LedError::NoChipDevice {
            label: shown,
            reason: "there is no /dev/gpiochip*".to_owned(),
        });
    }
    let mut chips = Vec::new();
    let mut refused = Vec::new();
    for path in paths {
        match gpiocdev::chip::Chip::from_path(&path).and_then(|chip| chip.info()) {
            Ok(info) => chips.push(Found {
                path,
                label: info.label,
                num_lines: info.num_lines,
            }),
            Err(e) => refused.push(format!("{}: {e}", path.display())),
        }
    }
    for wanted in &wanted {
        let matching: Vec<&Found> = chips.iter().filter(|c| c.label == *wanted).collect();
        match matching.as_slice() {
            [] => continue,
            [_] => {
                let index = chips.iter().position(|c| c.label == *wanted);
                return Ok(chips.swap_remove(index.unwrap_or_default()));
            }
            several => {
                let choices: Vec<String> = several
                    .iter()
                    .map(|c| format!("`--cdev {} --line {offset}`", c.path.display()))
                    .collect();
                return Err(LedError::AmbiguousChip {
                    label: (*wanted).to_owned(),
                    count: several.len(),
                    chips: several
                        .iter()
                        .map(|c| format!("{} ({} lines)", c.path.display(), c.num_lines))
                        .collect::<Vec<_>>()
                        .join(" and "),
                    pick: format!(
                        "by its character device: {} (the library: `CdevLine::chip`)",
                        choices.join(" or ")
                    ),
                });
            }
        }
    }
    let mut reason = if chips.is_empty() {
        "no chip device could be opened".to_owned()
    } else {
        let labels: Vec<String> = chips
            .iter()
            .map(|c| format!("{} {}", c.path.display(), c.label))
            .collect();
        format!("none carries it (chips: {})", labels.join(", "))
    };
    if !refused.is_empty() {
        reason = format!("{reason}; refused: {}", refused.join("; "));
    }
    Err(LedError::NoChipDevice {
        label: shown,
        reason,
    })
}

/// Refuses a line another consumer holds, naming it, before requesting.
fn check_free(chip: &Path, offset: u32, pin: &str) -> Result<(), LedError> {
    let Ok(info) = gpiocdev::chip::Chip::from_path(chip).and_then(|c| c.line_info(offset)) else {
        // The request itself reports what is wrong.
        return Ok(());
    };
    if !info.used {
        return Ok(());
    }
    let holder = if info.consumer.is_empty() {
        "another consumer".to_owned()
    } else {
        format!("the consumer {:?}", info.consumer)
    };
    Err(LedError::Held {
        pin: pin.to_owned(),
        file: chip.to_owned(),
        holder,
    })
}
