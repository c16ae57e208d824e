//! [`GpioChip`]: the gpiochips sysfs lists, and finding the Raspberry Pi's.

use std::path::PathBuf;

use super::{LedError, RASPBERRY_PI_LABELS, Sysfs};

/// A GPIO controller as sysfs lists it.
///
/// On the legacy interface (`class/gpio/export` present) that is
/// `class/gpio/gpiochip{base}/{label,base,ngpio}`: lines
/// `base..base + ngpio` are its offsets `0..ngpio`. Bases are assigned by
/// the kernel (512 and up since 6.6, so the Pi 4's `pinctrl-bcm2711` is at
/// 512 and the Pi 5's `pinctrl-rp1` at 571); read them, never hard-code
/// them. On kernels with only the per-chip interface (no global `export`)
/// it is `class/gpio/chipN/{label,ngpio,export}`, lines are exported by
/// offset, and there are no global numbers (`base` is `None`).
///
/// Labels are compared as text: a device-tree board may label a chip
/// `/soc@0/gpio@200100a0`.
///
/// # Example
///
/// ```
/// use async_with_core::led::{sim::SimSysfs, GpioChip};
///
/// let sim = SimSysfs::temp_raspberry_pi_5().unwrap();
/// let chip = GpioChip::raspberry_pi(&sim).unwrap();
/// assert_eq!((chip.label.as_str(), chip.base, chip.ngpio), ("pinctrl-rp1", Some(571), 54));
/// assert_eq!(chip.line(17), Some(588));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpioChip {
    /// Its directory under `class/gpio`: `gpiochip512` (legacy) or `chip0`
    /// (per-chip interface).
    pub name: String,
    /// The driver's label, such as `pinctrl-bcm2711`.
    pub label: String,
    /// The global number of offset 0; `None` on the per-chip interface.
    pub base: Option<u32>,
    /// How many lines the chip has.
    pub ngpio: u32,
}

impl GpioChip {
    /// Every gpiochip under `<root>/class/gpio`: the legacy `gpiochip*`
    /// entries by base when the global `export` exists, else the per-chip
    /// `chip*` entries.
    ///
    /// # Errors
    ///
    /// [`LedError::Io`] when the directory or a chip's files cannot be
    /// read, [`LedError::Malformed`] when `base` or `ngpio` is not a number.
    pub fn list(sysfs: impl Into<Sysfs>) -> Result<Vec<GpioChip>, LedError> {
        let sysfs = sysfs.into();
        let dir = gpio_dir(&sysfs);
        let names = sysfs
            .list(&dir)
            .map_err(|e| LedError::io("the GPIO chips", "listing".into(), dir.clone(), e))?;
        let legacy = has_global_export(&sysfs);
        let mut chips = Vec::new();
        for name in &names {
            let per_chip = name
                .strip_prefix("chip")
                .is_some_and(|n| n.parse::<u32>().is_ok());
            if !(legacy && name.starts_with("gpiochip") || !legacy && per_chip) {
                continue;
            }
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
                name: name.clone(),
                label: read("label")?,
                base: if legacy { Some(number("base")?) } else { None },
                ngpio: number("ngpio")?,
            });
        }
        chips.sort_by_key(|c| (c.base, c.name.len(), c.name.clone()));
        Ok(chips)
    }

    /// The one chip labelled `label`, compared as text (`/` and all).
    ///
    /// # Errors
    ///
    /// [`LedError::NoSuchChip`] listing the chips there are, or
    /// [`LedError::AmbiguousChip`] naming every chip with that label.
    pub fn find(sysfs: impl Into<Sysfs>, label: &str) -> Result<GpioChip, LedError> {
        Self::find_for(sysfs, label, None)
    }

    /// [`find`](Self::find), for line `offset` when it is known: an
    /// ambiguity then names the line on each chip.
    pub(crate) fn find_for(
        sysfs: impl Into<Sysfs>,
        label: &str,
        offset: Option<u32>,
    ) -> Result<GpioChip, LedError> {
        let sysfs = sysfs.into();
        let chips = Self::list(&sysfs)?;
        match only_one(&chips, label, offset)? {
            Some(chip) => Ok(chip),
            None => Err(LedError::NoSuchChip {
                label: label.to_owned(),
                dir: gpio_dir(&sysfs),
                chips: describe(&chips),
            }),
        }
    }

    /// The Raspberry Pi's header controller: the first of
    /// [`RASPBERRY_PI_LABELS`] present.
    ///
    /// # Errors
    ///
    /// [`LedError::NotARaspberryPi`] listing the chips there are, or
    /// [`LedError::AmbiguousChip`] when two chips carry the label found.
    pub fn raspberry_pi(sysfs: impl Into<Sysfs>) -> Result<GpioChip, LedError> {
        Self::raspberry_pi_for(sysfs, None)
    }

    /// [`raspberry_pi`](Self::raspberry_pi), for BCM `bcm` when it is known.
    pub(crate) fn raspberry_pi_for(
        sysfs: impl Into<Sysfs>,
        bcm: Option<u32>,
    ) -> Result<GpioChip, LedError> {
        let sysfs = sysfs.into();
        let chips = Self::list(&sysfs)?;
        for label in RASPBERRY_PI_LABELS {
            if let Some(chip) = only_one(&chips, label, bcm)? {
                return Ok(chip);
            }
        }
        Err(LedError::NotARaspberryPi {
            dir: gpio_dir(&sysfs),
            chips: describe(&chips),
        })
    }

    /// The global number of `offset`, if the chip has that line and the
    /// kernel has global numbers.
    pub fn line(&self, offset: u32) -> Option<u32> {
        (offset < self.ngpio).then_some(self.base? + offset)
    }

    /// Whether global number `gpio` is one of this chip's lines.
    pub fn contains(&self, gpio: u32) -> bool {
        self.base
            .is_some_and(|base| gpio >= base && gpio - base < self.ngpio)
    }
}

/// The chip labelled `label`, `None` if none is, an error naming every
/// match, and how to pick one (line `offset` on it, when known), if several
/// are.
fn only_one(
    chips: &[GpioChip],
    label: &str,
    offset: Option<u32>,
) -> Result<Option<GpioChip>, LedError> {
    let matching: Vec<&GpioChip> = chips.iter().filter(|c| c.label == label).collect();
    match matching.as_slice() {
        [] => Ok(None),
        [chip] => Ok(Some((*chip).clone())),
        several => Err(LedError::AmbiguousChip {
            label: label.to_owned(),
            count: several.len(),
            chips: several
                .iter()
                .map(|c| describe_named(c))
                .collect::<Vec<_>>()
                .join(" and "),
            pick: pick_one(several, offset),
        }),
    }
}

/// How to name one of several chips with the same label: by global number
/// (base + offset) on the legacy interface, else by character device (the
/// per-chip `chipN` is `/dev/gpiochipN`).
fn pick_one(chips: &[&GpioChip], offset: Option<u32>) -> String {
    let numbered = chips.iter().all(|c| c.base.is_some());
    let choices: Vec<String> = chips
        .iter()
        .map(|c| match (c.base, offset) {
            (Some(base), Some(offset)) => format!("`--gpio {}`", base + offset),
            (Some(_), None) => format!("`--gpio N` with N in {}", global_range(c)),
            (None, offset) => {
                let device = c.name.strip_prefix("chip").unwrap_or(&c.name);
                let line = offset.map_or("OFFSET".to_owned(), |o| o.to_string());
                format!("`--cdev /dev/gpiochip{device} --line {line}`")
            }
        })
        .collect();
    let choices = choices.join(" or ");
    if numbered {
        format!(
            "by global number (the chip's first number plus the offset): {choices} (the library: `SysfsGpio::number`)"
        )
    } else {
        format!("by its character device: {choices} (the library: `CdevLine::chip`)")
    }
}

/// `571 to 624`: a legacy chip's global numbers.
fn global_range(chip: &GpioChip) -> String {
    match chip.base {
        Some(base) => format!("{base} to {}", (base + chip.ngpio).saturating_sub(1)),
        None => "none".to_owned(),
    }
}

/// Whether the tree has the legacy global `class/gpio/export`.
pub(crate) fn has_global_export(sysfs: &Sysfs) -> bool {
    sysfs.exists(&gpio_dir(sysfs).join("export"))
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
        .map(describe_one)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `label base..end` (legacy) or `label (chipN, N lines)` (per-chip).
fn describe_one(chip: &GpioChip) -> String {
    match chip.base {
        Some(base) => format!("{} {}..{}", chip.label, base, base + chip.ngpio),
        None => format!("{} ({}, {} lines)", chip.label, chip.name, chip.ngpio),
    }
}

/// A chip told apart from others with the same label: its directory too.
fn describe_named(chip: &GpioChip) -> String {
    match chip.base {
        Some(_) => format!("{} (GPIO {})", chip.name, global_range(chip)),
        None => format!("{} ({} lines)", chip.name, chip.ngpio),
    }
}
