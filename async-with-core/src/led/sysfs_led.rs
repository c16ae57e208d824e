//! [`SysfsLed`]: an LED of the kernel's LED class, through `/sys/class/leds`.

use std::path::{Path, PathBuf};

use embedded_hal::digital::{ErrorType, OutputPin};

use super::error::{LedError, check_name};
use super::fs::{AttrFile, OffWrite, Sysfs};
use super::lock::{self, LOCK_POLL};

/// The LED class's own files, never a trigger's.
const CLASS_FILES: &[&str] = &["brightness", "max_brightness", "trigger", "uevent"];

/// An LED the kernel already drives (the LED class, `/sys/class/leds/NAME`),
/// such as a Raspberry Pi's `ACT` LED, as an embedded-hal [`OutputPin`].
///
/// # The kernel file sequence
///
/// `SysfsLed::named("ACT")` (trigger `[mmc0]`, `max_brightness` 255) lit for
/// one block writes, relative to the sysfs root:
///
/// ```text
/// class/leds/ACT/trigger <- none       open: stop the kernel blinking it
/// class/leds/ACT/brightness <- 0       open: start from off
/// class/leds/ACT/brightness <- 255     on  (max_brightness, pwrite on the kept-open fd)
/// class/leds/ACT/brightness <- 0       off (same fd)
/// class/leds/ACT/trigger <- mmc0       drop/close: give the LED back
/// ```
///
/// - The name is checked before any file is touched: empty names, `/`,
///   `..` and NUL are refused ([`LedError::InvalidName`]). An LED that does
///   not exist is [`LedError::NoSuchLed`], which lists the LEDs there are.
/// - One owner: `brightness` is opened and `flock`ed before anything is
///   written; while another user holds it, [`open`](SysfsLedBuilder::open)
///   is refused with [`LedError::Held`] (naming the holder's pid) and
///   [`open_waiting`](SysfsLedBuilder::open_waiting) queues.
/// - The active trigger (the `[bracketed]` one in `trigger`) is saved with
///   the attributes it adds to the LED (`timer`'s `delay_on`/`delay_off`,
///   whatever any trigger adds: the files that go away when `none` is set)
///   and replaced by `none`, because under a trigger the kernel keeps
///   changing the LED. On drop or [`close`](Self::close) the trigger is
///   written back, which resets its attributes, so each saved attribute
///   that now differs is written back after it. If it was already `none`,
///   `trigger` is not written at all.
/// - On is `max_brightness`, off is `0`; [`inverted`](SysfsLedBuilder::inverted)
///   swaps them for LEDs wired active-low whose driver does not say so.
/// - If writing the off level fails, `trigger <- none` (which turns an LED
///   off in the kernel) is tried as a fallback.
///
/// # Example
///
/// ```
/// use async_with_core::led::{sim::SimSysfs, SysfsLed};
/// use embedded_hal::digital::OutputPin;
///
/// let sim = SimSysfs::temp_raspberry_pi_4().unwrap();
/// let mut act = SysfsLed::named("ACT").root(&sim).open()?;
/// act.set_high()?;
/// assert_eq!(sim.read("class/leds/ACT/brightness").unwrap(), "255\n");
/// act.close()?;
/// assert!(sim.read("class/leds/ACT/trigger").unwrap().contains("[mmc0]"));
/// # Ok::<(), async_with_core::led::LedError>(())
/// ```
#[derive(Debug)]
pub struct SysfsLed {
    sysfs: Sysfs,
    name: String,
    pin: String,
    dir: PathBuf,
    brightness: AttrFile,
    max_brightness: u32,
    saved_trigger: String,
    /// The saved trigger's own attributes and their values, in `ls` order.
    saved_attributes: Vec<(String, String)>,
    inverted: bool,
    on: bool,
    closed: bool,
}

/// Which LED to open: see [`SysfsLed::named`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.open()`"]
pub struct SysfsLedBuilder {
    name: String,
    sysfs: Sysfs,
    inverted: bool,
}

impl SysfsLed {
    /// The LED `class/leds/{name}`, such as `ACT`, `PWR` or `led0`.
    pub fn named(name: impl Into<String>) -> SysfsLedBuilder {
        SysfsLedBuilder {
            name: name.into(),
            sysfs: Sysfs::default(),
            inverted: false,
        }
    }

    /// The LED's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether on is `0` and off is `max_brightness` (as opened).
    pub fn inverted(&self) -> bool {
        self.inverted
    }

    /// The brightness written for on (`max_brightness`).
    pub fn max_brightness(&self) -> u32 {
        self.max_brightness
    }

    /// The trigger that was active when the LED was opened; it is restored
    /// on drop.
    pub fn saved_trigger(&self) -> &str {
        &self.saved_trigger
    }

    /// The attributes the saved trigger had added, with their values then
    /// (`[("delay_off", "900"), ("delay_on", "100")]` for a `timer`); they
    /// are written back after the trigger on drop.
    pub fn saved_attributes(&self) -> &[(String, String)] {
        &self.saved_attributes
    }

    /// The `brightness` file this LED writes.
    pub fn brightness_path(&self) -> &Path {
        self.brightness.path()
    }

    /// Whether the LED was last turned on.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Turns the LED off and restores the saved trigger, reporting the first
    /// error (drop does the same and logs errors).
    ///
    /// # Errors
    ///
    /// The [`LedError`] of writing `brightness` (the off write), `trigger`
    /// or a trigger's saved attribute: [`LedError::PermissionDenied`]
    /// naming the file, or [`LedError::Io`]. Both steps are tried; the
    /// first error is returned.
    pub fn close(mut self) -> Result<(), LedError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), LedError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let off = if self.on { self.set(false) } else { Ok(()) };
        off.and(self.restore_trigger())
    }

    fn restore_trigger(&self) -> Result<(), LedError> {
        if self.saved_trigger == "none" {
            return Ok(());
        }
        self.write_trigger(&self.saved_trigger)?;
        // Activating a trigger resets its attributes to its defaults.
        let mut first_error = Ok(());
        for (attr, saved) in &self.saved_attributes {
            let file = self.dir.join(attr);
            if self.sysfs.read(&file).is_ok_and(|now| now == *saved) {
                continue;
            }
            if let Err(e) = self.sysfs.write(&file, saved) {
                let error = LedError::io(&self.pin, format!("writing {saved:?} to"), file, e);
                tracing::warn!(%error, "restoring a trigger attribute failed");
                if first_error.is_ok() {
                    first_error = Err(error);
                }
            }
        }
        first_error
    }

    fn write_trigger(&self, trigger: &str) -> Result<(), LedError> {
        let file = self.dir.join("trigger");
        self.sysfs
            .write(&file, trigger)
            .map_err(|e| LedError::io(&self.pin, format!("writing {trigger:?} to"), file, e))
    }

    fn set(&mut self, on: bool) -> Result<(), LedError> {
        let written = if on ^ self.inverted {
            self.max_brightness.to_string()
        } else {
            "0".to_owned()
        };
        // Removing the trigger turns an LED off in the kernel (not an
        // inverted one, whose off is full brightness).
        let off_through_trigger = || self.write_trigger("none").is_ok();
        let off_instead =
            (!self.inverted).then_some(("trigger", &off_through_trigger as OffWrite<'_>));
        self.brightness
            .write_level(&self.pin, on, &written, off_instead)?;
        self.on = on;
        Ok(())
    }
}

impl Drop for SysfsLed {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            tracing::warn!(%error, "closing a sysfs LED failed");
        }
    }
}

impl ErrorType for SysfsLed {
    type Error = LedError;
}

impl OutputPin for SysfsLed {
    fn set_low(&mut self) -> Result<(), LedError> {
        self.set(false)
    }

    fn set_high(&mut self) -> Result<(), LedError> {
        self.set(true)
    }
}

impl SysfsLedBuilder {
    /// The sysfs tree to use: a path (default `/sys`), a [`Sysfs`], or a
    /// simulated tree (`&SimSysfs`).
    pub fn root(mut self, sysfs: impl Into<Sysfs>) -> Self {
        self.sysfs = sysfs.into();
        self
    }

    /// Whether on is `0` and off is `max_brightness` (an active-low LED the
    /// driver does not invert). Default: not inverted.
    pub fn inverted(mut self, inverted: bool) -> Self {
        self.inverted = inverted;
        self
    }

    /// Opens the LED: takes its lock, saves its trigger and the trigger's
    /// attributes, sets `none`, turns it off and keeps `brightness` open.
    /// See [`SysfsLed`] for the files.
    ///
    /// # Errors
    ///
    /// [`LedError::Held`] while another user has the LED (see
    /// [`open_waiting`](Self::open_waiting)), [`LedError::InvalidName`],
    /// [`LedError::NoSuchLed`], and the I/O errors of its files.
    pub fn open(self) -> Result<SysfsLed, LedError> {
        match self.try_open(false)? {
            Some(led) => Ok(led),
            None => unreachable!("only a waiting open is told to retry"),
        }
    }

    /// Like [`open`](Self::open), but while another user holds the LED it
    /// waits (polling the lock every 20 ms) instead of failing.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open), except [`LedError::Held`].
    pub async fn open_waiting(self) -> Result<SysfsLed, LedError> {
        loop {
            if let Some(led) = self.clone().try_open(true)? {
                return Ok(led);
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }

    fn try_open(self, wait: bool) -> Result<Option<SysfsLed>, LedError> {
        check_name("LED name", &self.name)?;
        let sysfs = self.sysfs;
        let class = sysfs.root().join("class/leds");
        let dir = class.join(&self.name);
        let pin = format!("LED {:?}", self.name);
        if !sysfs.exists(&dir) {
            let available = match sysfs.list(&class) {
                Ok(names) if names.is_empty() => "none".to_owned(),
                Ok(names) => names.join(", "),
                Err(e) => format!("none ({} unreadable: {e})", class.display()),
            };
            return Err(LedError::NoSuchLed {
                name: self.name,
                dir: class,
                available,
            });
        }
        let file = dir.join("brightness");
        let brightness = sysfs
            .open_attr(&file)
            .map_err(|e| LedError::io(&pin, "opening".into(), file.clone(), e))?;
        let locked = lock::try_lock(brightness.file())
            .map_err(|e| LedError::io(&pin, "locking".into(), file.clone(), e))?;
        match (locked, wait) {
            (true, _) => {}
            (false, true) => return Ok(None),
            (false, false) => return Err(lock::held_error(&pin, &brightness)),
        }
        let read = |attr: &str| {
            let file = dir.join(attr);
            sysfs
                .read(&file)
                .map_err(|e| LedError::io(&pin, "reading".into(), file.clone(), e))
        };
        let max_text = read("max_brightness")?;
        let max_brightness = match max_text.parse::<u32>() {
            Ok(max) if max > 0 => max,
            _ => {
                return Err(LedError::Malformed {
                    pin,
                    file: dir.join("max_brightness"),
                    contents: max_text,
                    expected: "a positive number",
                });
            }
        };
        let triggers = read("trigger")?;
        let saved_trigger = active_trigger(&triggers)
            .ok_or_else(|| LedError::Malformed {
                pin: pin.clone(),
                file: dir.join("trigger"),
                contents: triggers.clone(),
                expected: "a list of triggers with the active one in [brackets]",
            })?
            .to_owned();

        // Read before `none` is set: the trigger's files go with it.
        let before = trigger_candidates(&sysfs, &dir);
        let mut led = SysfsLed {
            sysfs,
            name: self.name,
            pin,
            dir,
            brightness,
            max_brightness,
            saved_trigger,
            saved_attributes: Vec::new(),
            inverted: self.inverted,
            on: false,
            // Until the trigger is replaced there is nothing to restore.
            closed: true,
        };
        if led.saved_trigger != "none" {
            led.write_trigger("none")?;
            // The trigger's own attributes: the files `none` took away.
            let after = led.sysfs.list(&led.dir).unwrap_or_default();
            led.saved_attributes = before
                .into_iter()
                .filter(|(name, _)| !after.contains(name))
                .collect();
        }
        led.closed = false;
        led.set(false)?;
        Ok(Some(led))
    }
}

/// Every readable file of the LED that is not one of the class's own,
/// with its contents: the candidates for the active trigger's attributes.
fn trigger_candidates(sysfs: &Sysfs, dir: &Path) -> Vec<(String, String)> {
    let names = sysfs.list(dir).unwrap_or_default();
    names
        .into_iter()
        .filter(|name| !CLASS_FILES.contains(&name.as_str()))
        .filter_map(|name| {
            let value = sysfs.read(&dir.join(&name)).ok()?;
            Some((name, value))
        })
        .collect()
}

/// The `[bracketed]` trigger in a `trigger` file.
fn active_trigger(triggers: &str) -> Option<&str> {
    triggers
        .split_whitespace()
        .find_map(|t| t.strip_prefix('[')?.strip_suffix(']'))
}

#[cfg(test)]
mod tests {
    use super::active_trigger;

    #[test]
    fn the_bracketed_trigger_is_the_active_one() {
        assert_eq!(active_trigger("none timer [mmc0] heartbeat"), Some("mmc0"));
        assert_eq!(active_trigger("[none] timer"), Some("none"));
        assert_eq!(active_trigger("none timer"), None);
    }
}
