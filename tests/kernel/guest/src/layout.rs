//! The VM's simulated hardware, as `tests/kernel/run.sh` boots it.
//!
//! Laid out like a Raspberry Pi 4 on kernel 6.6+: the SoC chip at base 512
//! with 58 lines and the firmware expander at 570 with 8. Keep these in step
//! with the `--mockup-ranges`, `--led` and `--gpio-led` options in run.sh.

/// Label, base and line count of the Pi-like SoC chip.
pub(crate) const CHIP_A: Chip = Chip {
    label: "gpio-mockup-A",
    base: 512,
    ngpio: 58,
};
/// The second chip, so a lookup by label must pick the right one.
pub(crate) const CHIP_B: Chip = Chip {
    label: "gpio-mockup-B",
    base: 570,
    ngpio: 8,
};

/// A gpio-mockup chip as the kernel should report it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chip {
    pub(crate) label: &'static str,
    pub(crate) base: u32,
    pub(crate) ngpio: u32,
}

/// Line offsets on chip A (BCM numbers), one per check so no check sees
/// another's leftovers.
pub(crate) mod line {
    /// Driven with plain file I/O to validate the plumbing.
    pub(crate) const PLUMBING: u32 = 4;
    /// Held by the leds-gpio LED [`super::GPIO_LED`] (the Pi 4's ACT LED pin).
    pub(crate) const ACT: u32 = 42;
}

/// uleds LED whose brightness log must read exactly on, off.
pub(crate) const ULED_SEQUENCE: Uled = Uled {
    name: "spot:white",
    max: 255,
};
/// uleds LED used to check that a trigger is restored; an odd maximum shows
/// that "on" means `max_brightness`, not 1 or 255.
pub(crate) const ULED_TRIGGER: Uled = Uled {
    name: "spot:trigger",
    max: 7,
};

/// A uleds LED: its brightness changes are logged to `/run/leds/NAME.log`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Uled {
    pub(crate) name: &'static str,
    pub(crate) max: u32,
}

/// The leds-gpio LED on chip A line [`line::ACT`].
pub(crate) const GPIO_LED: &str = "ACT";
