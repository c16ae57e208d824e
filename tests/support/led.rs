//! LED test set-up shared by the sysfs test files: the files they read and
//! one lit block. Reached as `crate::support::led`.
#![allow(dead_code, unreachable_pub)]

use async_with::led::LedError;
use async_with::{Spotlight, async_with};
use embedded_hal::digital::OutputPin;

/// BCM 17 on the simulated Raspberry Pi 4 (base 512).
pub const VALUE_529: &str = "class/gpio/gpio529/value";
/// The simulated Pi's activity LED.
pub const ACT_TRIGGER: &str = "class/leds/ACT/trigger";
pub const ACT_BRIGHTNESS: &str = "class/leds/ACT/brightness";

/// A plain directory (no simulator, no sysfs) removed when dropped: a
/// copy of a tree, as `--sysfs-root` on a copy of `/sys` would be.
pub struct PlainDir(std::path::PathBuf);

impl PlainDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "async-with-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        PlainDir(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for PlainDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lights `led` in a `Spotlight` block and runs `during` while it is lit
/// (after the settle), returning what it saw; the light is off when this
/// returns, on every path.
pub async fn lit_block<L, T>(led: L, during: impl FnOnce(&L) -> T) -> Result<T, LedError>
where
    L: OutputPin<Error = LedError>,
{
    Ok(async_with!(Spotlight::new(led)? => spot {
        during(spot.led())
    }))
}
