//! The VM's simulated hardware, as `tests/kernel/run.sh` boots it.
//!
//! Laid out like a Raspberry Pi 4 on kernel 6.6+: the SoC chip at base 512
//! with 58 lines and the firmware expander at 570 with 8 (gpio-mockup), and
//! a gpio-sim chip labelled `pinctrl-bcm2711` (58 lines, `--sim-label`) that
//! `--bcm 17` finds through the character device. Keep these in step
//! with the `--mockup-ranges`, `--led` and `--gpio-led` options in run.sh.

/// Label, base and line count of the Pi-like SoC chip.
pub(crate) const CHIP_A: Chip = Chip {
    label: "gpio-mockup-A",
    base: 512,
    ngpio: 58,
};
/// The second chip, so a lookup by label must pick the right one.
/// Line [`CHIP_B_LINE`] of it is lit by label + offset.
pub(crate) const CHIP_B: Chip = Chip {
    label: "gpio-mockup-B",
    base: 570,
    ngpio: 8,
};

/// The line of chip B lit by label + offset.
pub(crate) const CHIP_B_LINE: u32 = 2;

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
    /// SysfsGpio by global number (BCM 17, the usual demo pin).
    pub(crate) const BY_NUMBER: u32 = 17;
    /// SysfsGpio by chip label + offset.
    pub(crate) const BY_LABEL: u32 = 18;
    /// Exported by someone else before the Spotlight opens it.
    pub(crate) const PRE_EXPORTED: u32 = 22;
    /// Exported by someone else as an input.
    pub(crate) const INPUT: u32 = 5;
    /// CdevLine by chip + offset.
    pub(crate) const CDEV: u32 = 23;
    /// CdevLine by line name (`gpio-mockup-A-24`).
    pub(crate) const CDEV_NAMED: u32 = 24;
    /// A Spotlight cancelled while its body runs.
    pub(crate) const CANCEL_BODY: u32 = 27;
    /// A Spotlight cancelled while it settles.
    pub(crate) const CANCEL_SETTLE: u32 = 6;
    /// A body that fails with `?`.
    pub(crate) const FAILING_BODY: u32 = 13;
    /// Lit by the demo binary around its capture command.
    pub(crate) const DEMO: u32 = 26;
    /// Lit by the demo binary until it is sent SIGTERM.
    pub(crate) const DEMO_SIGNAL: u32 = 19;
    /// Lit by one spotlight run while a second one tries it (sysfs).
    pub(crate) const OVERLAP: u32 = 31;
    /// Lit by one spotlight run while a second one waits for it.
    pub(crate) const OVERLAP_WAIT: u32 = 32;
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

/// Where run.sh puts the `spotlight` example binary in the VM.
pub(crate) const DEMO_BINARY: &str = "/test/spotlight";
