//! [`GpioChip`]: the gpiochips sysfs lists, and finding the Raspberry Pi's.

use std::path::PathBuf;

use super::{LedError, Sysfs};

/// The labels of the Raspberry Pi's header GPIO controller, in the order
/// they are tried: Pi 5 (RP1), Pi 4, Pi 0–3.
pub const RASPBERRY_PI_LABELS: &[&str] = &["pinctrl-rp1", "pinctrl-bcm2711", "pinctrl-bcm2835"];

/// A GPIO controller as `class/gpio/gpiochipN/{label,base,ngpio}` lists it:
/// lines `base..base + ngpio` are its offsets `0..ngpio`.
///
/// Bases are assigned by the kernel (512 and up since 6.6, so the Pi 4's
/// `pinctrl-bcm2711` is at 512 and the Pi 5's `pinctrl-rp1` at 571); read
/// them, never hard-code them.
///
/// # Example
///
/// ```
/// use async_with_core::led::{sim::SimSysfs, GpioChip};
///
/// let sim = SimSysfs::temp_raspberry_pi_5().unwrap();
/// let chip = GpioChip::raspberry_pi(&sim).unwrap();
/// assert_eq!((chip.label.as_str(), chip.base, chip.ngpio), ("pinctrl-rp1", 571, 54));
/// assert_eq!(chip.line(17), Some(588));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpioChip {
    /// The driver's label, such as `pinctrl-bcm2711`.
    pub label: String,
    /// The global number of offset 0.
    pub base: u32,
    /// How many lines the chip has.
    pub ngpio: u32,
}

impl GpioChip {
    /// Every gpiochip under `<root>/class/gpio`, by base.
    pub fn list(sysfs: impl Into<Sysfs>) -> Result<Vec<GpioChip>, LedError> {
        let sysfs = sysfs.into();
        let dir = gpio_dir(&sysfs);
        let names = sysfs
            .list(&dir)
            .map_err(|e| LedError::io("the GPIO chips", "listing".into(), dir.clone(), e))?;
        let mut chips = Vec::new();
        for name in names.iter().filter(|n| n.starts_with("gpiochip")) {
            let chip_dir = dir.join(name);
            let read = |attr: &str| {
                let file = chip_dir.join(attr);
                sysfs
                    .read(&file)
                    .map_err(|e| LedError::io(name, "reading".into(), file.clone(), e))
            };
            let number = |attr: &'static str| -> Result<u32, LedError> {
                let contents = read(attr)?;
                contents.parse().map_err(|_| LedError::Malformed {
                    pin: name.clone(),
                    file: chip_dir.join(attr),
                    contents,
                    expected: "a decimal number",
                })
            };
            chips.push(GpioChip {
                label: read("label")?,
                base: number("base")?,
                ngpio: number("ngpio")?,
            });
        }
        chips.sort_by_key(|c| c.base);
        Ok(chips)
    }

    /// The chip labelled `label`.
    pub fn find(sysfs: impl Into<Sysfs>, label: &str) -> Result<GpioChip, LedError> {
        super::error::check_name("chip label", label)?;
        let sysfs = sysfs.into();
        let chips = Self::list(&sysfs)?;
        match chips.iter().find(|c| c.label == label) {
            Some(chip) => Ok(chip.clone()),
            None => Err(LedError::NoSuchChip {
                label: label.to_owned(),
                dir: gpio_dir(&sysfs),
                chips: describe(&chips),
            }),
        }
    }

    /// The Raspberry Pi's header controller: the first of
    /// [`RASPBERRY_PI_LABELS`] present.
    pub fn raspberry_pi(sysfs: impl Into<Sysfs>) -> Result<GpioChip, LedError> {
        let sysfs = sysfs.into();
        let chips = Self::list(&sysfs)?;
        RASPBERRY_PI_LABELS
            .iter()
            .find_map(|label| chips.iter().find(|c| c.label == *label))
            .cloned()
            .ok_or_else(|| LedError::NotARaspberryPi {
                dir: gpio_dir(&sysfs),
                chips: describe(&chips),
            })
    }

    /// The global number of `offset`, if the chip has that line.
    pub fn line(&self, offset: u32) -> Option<u32> {
        (offset < self.ngpio).then(|| self.base + offset)
    }

    /// Whether global number `gpio` is one of this chip's lines.
    pub fn contains(&self, gpio: u32) -> bool {
        gpio >= self.base && gpio - self.base < self.ngpio
    }
}

pub(crate) fn gpio_dir(sysfs: &Sysfs) -> PathBuf {
    sysfs.root().join("class/gpio")
}

/// `label base..end` for each chip, for error messages.
pub(crate) fn describe(chips: &[GpioChip]) -> String {
    if chips.is_empty() {
        return "none; is sysfs GPIO (CONFIG_GPIO_SYSFS) enabled?".to_owned();
    }
    chips
        .iter()
        .map(|c| format!("{} {}..{}", c.label, c.base, c.base + c.ngpio))
        .collect::<Vec<_>>()
        .join(", ")
}
