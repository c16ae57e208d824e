//! LEDs for [`Spotlight`](crate::Spotlight): a recording test pin and the
//! Linux backends, each an embedded-hal [`OutputPin`](embedded_hal::digital::OutputPin).
//!
//! | backend | feature | kernel interface |
//! |---|---|---|
//! | [`RecordingPin`] | `std` | none: remembers its writes, for tests and docs |
//! | [`SysfsGpio`] | `sysfs` | `/sys/class/gpio` (export, `direction`, `value`) |
//! | [`SysfsLed`] | `sysfs` | `/sys/class/leds/NAME` (`trigger`, `brightness`) |
//! | [`CdevLine`] | `cdev` | `/dev/gpiochipN` through gpiocdev (by chip, label, BCM number or line name) |
//! | [`sim::SimSysfs`] | `sim` | a simulated sysfs that acts like the kernel |
//!
//! The sysfs backends take their tree as a [`Sysfs`] (default `/sys`), so the
//! same code runs on a board, on a copy of its tree, or on the simulator:
//! every file operation goes through one seam, [`SysfsIo`], whose real
//! implementation is [`KernelIo`] and whose model is the simulator.
//!
//! Every backend takes one owner per light: a second user of the same line
//! or LED (another process, or another open in this one) is refused with
//! [`LedError::Held`] naming the holder's pid, or queues behind it when
//! opened with `.wait(true)`. On sysfs this is an advisory `flock` on the
//! light's `value` or `brightness` fd; on the character device the kernel
//! itself refuses a second request.
//!
//! # Example
//!
//! ```
//! use async_with_core::led::{sim::SimSysfs, SysfsGpio};
//! use async_with_core::{AsyncContextManager, Outcome, Spotlight};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = SimSysfs::temp_raspberry_pi_5()?;
//! let led = SysfsGpio::bcm(17).root(&sim).open().await?;
//! let mut spot = Spotlight::new(led);
//! spot.enter().await?;
//! assert_eq!(sim.read("class/gpio/gpio588/value")?, "1\n");
//! spot.exit(Outcome::Completed).await?;
//! assert_eq!(sim.read("class/gpio/gpio588/value")?, "0\n");
//! # Ok(())
//! # }
//! ```

mod recording;
pub use recording::{InjectedFault, RecordingPin};

#[cfg(any(
    all(feature = "sysfs", unix),
    all(feature = "cdev", target_os = "linux")
))]
mod error;
#[cfg(any(
    all(feature = "sysfs", unix),
    all(feature = "cdev", target_os = "linux")
))]
pub use error::{GPIO_UDEV_RULE, LED_UDEV_RULE, LedError};

/// The labels of the Raspberry Pi's header GPIO controller, in the order
/// they are tried: Pi 5 (RP1), Pi 4, Pi 0–3. Used by `SysfsGpio::bcm` and
/// `CdevLine::bcm`.
#[cfg(any(
    all(feature = "sysfs", unix),
    all(feature = "cdev", target_os = "linux")
))]
pub const RASPBERRY_PI_LABELS: &[&str] = &["pinctrl-rp1", "pinctrl-bcm2711", "pinctrl-bcm2835"];

#[cfg(all(feature = "sysfs", unix))]
mod fs;
#[cfg(all(feature = "sysfs", unix))]
mod gpiochip;
#[cfg(all(feature = "sysfs", unix))]
mod lock;
#[cfg(all(feature = "sysfs", unix))]
mod sysfs_gpio;
#[cfg(all(feature = "sysfs", unix))]
mod sysfs_led;
#[cfg(all(feature = "sysfs", unix))]
pub use {
    fs::{KernelIo, Sysfs, SysfsIo},
    gpiochip::GpioChip,
    sysfs_gpio::{PERMISSION_WAIT, SysfsGpio, SysfsGpioBuilder},
    sysfs_led::{SysfsLed, SysfsLedBuilder},
};

#[cfg(all(feature = "sim", unix))]
pub mod sim;

#[cfg(all(feature = "cdev", target_os = "linux"))]
mod cdev;
#[cfg(all(feature = "cdev", target_os = "linux"))]
pub use cdev::{CdevLine, CdevLineBuilder, DEFAULT_CONSUMER};
