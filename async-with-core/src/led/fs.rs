//! [`Sysfs`]: where the sysfs tree is, and the file operations the backends
//! use on it, so the same backend code runs on the kernel and on the
//! simulated sysfs.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::error::LedError;
#[cfg(feature = "sim")]
use super::sim::{SimHandle, SimSysfs};

/// The sysfs tree the LED backends work on: the real `/sys` (the default), a
/// copy of its layout in another directory, or a simulated one.
///
/// Every backend builder takes one through `root(...)`, which accepts a path
/// or, with the `sim` feature, a [`SimSysfs`](super::sim::SimSysfs).
///
/// # Example
///
/// ```
/// use async_with_core::led::Sysfs;
///
/// assert_eq!(Sysfs::default().root(), std::path::Path::new("/sys"));
/// assert_eq!(Sysfs::at("/tmp/fake-sys").root(), std::path::Path::new("/tmp/fake-sys"));
/// ```
#[derive(Clone, Debug)]
pub struct Sysfs {
    root: PathBuf,
    #[cfg(feature = "sim")]
    sim: Option<SimHandle>,
}

impl Sysfs {
    /// The kernel's sysfs at `root` (normally `/sys`): plain file I/O.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Sysfs {
            root: root.into(),
            #[cfg(feature = "sim")]
            sim: None,
        }
    }

    /// The directory the tree starts at (the one holding `class/`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether writes go to the simulated kernel instead of the real one.
    pub fn is_simulated(&self) -> bool {
        #[cfg(feature = "sim")]
        return self.sim.is_some();
        #[cfg(not(feature = "sim"))]
        false
    }

    #[cfg(feature = "sim")]
    fn sim(&self) -> Option<&SimHandle> {
        self.sim.as_ref()
    }

    #[cfg(not(feature = "sim"))]
    fn sim(&self) -> Option<&Never> {
        None
    }

    /// Writes `value` to a control file in one `write`, as sysfs expects.
    pub(crate) fn write(&self, path: &Path, value: &str) -> io::Result<()> {
        if let Some(sim) = self.sim() {
            return sim.write(path, value);
        }
        OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(value.as_bytes())
    }

    /// Reads a file and trims the trailing newline sysfs adds.
    pub(crate) fn read(&self, path: &Path) -> io::Result<String> {
        if let Some(sim) = self.sim() {
            sim.check_exists(path)?;
        }
        let text = std::fs::read_to_string(path)?;
        Ok(text.trim_end().to_owned())
    }

    /// Whether `path` exists.
    pub(crate) fn exists(&self, path: &Path) -> bool {
        if let Some(sim) = self.sim() {
            if sim.check_exists(path).is_err() {
                return false;
            }
        }
        path.exists()
    }

    /// The names in a directory, sorted.
    pub(crate) fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut names = std::fs::read_dir(dir)?
            .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<Vec<_>>>()?;
        names.sort();
        Ok(names)
    }

    /// Opens an attribute for repeated writes through one kept-open fd.
    pub(crate) fn open_attr(&self, path: &Path) -> io::Result<AttrFile> {
        if let Some(sim) = self.sim() {
            sim.check_open_write(path)?;
        }
        let file = OpenOptions::new().write(true).open(path)?;
        Ok(AttrFile {
            file,
            path: path.to_owned(),
            #[cfg(feature = "sim")]
            sim: self.sim.clone(),
        })
    }
}

impl Default for Sysfs {
    /// The kernel's `/sys`.
    fn default() -> Self {
        Sysfs::at("/sys")
    }
}

impl From<&Path> for Sysfs {
    fn from(root: &Path) -> Self {
        Sysfs::at(root)
    }
}

impl From<PathBuf> for Sysfs {
    fn from(root: PathBuf) -> Self {
        Sysfs::at(root)
    }
}

impl From<&str> for Sysfs {
    fn from(root: &str) -> Self {
        Sysfs::at(root)
    }
}

impl From<&Sysfs> for Sysfs {
    fn from(sysfs: &Sysfs) -> Self {
        sysfs.clone()
    }
}

#[cfg(feature = "sim")]
impl From<&SimSysfs> for Sysfs {
    fn from(sim: &SimSysfs) -> Self {
        Sysfs {
            root: sim.root().to_owned(),
            sim: Some(sim.handle()),
        }
    }
}

#[cfg(feature = "sim")]
impl From<SimSysfs> for Sysfs {
    fn from(sim: SimSysfs) -> Self {
        Sysfs::from(&sim)
    }
}

/// Never constructed: stands in for the simulator when it is compiled out.
#[cfg(not(feature = "sim"))]
enum Never {}

#[cfg(not(feature = "sim"))]
impl Never {
    fn write(&self, _: &Path, _: &str) -> io::Result<()> {
        match *self {}
    }
    fn check_exists(&self, _: &Path) -> io::Result<()> {
        match *self {}
    }
    fn check_open_write(&self, _: &Path) -> io::Result<()> {
        match *self {}
    }
}

/// Another write that turns an LED off (`direction <- low`, `trigger <- none`);
/// `true` if it worked.
pub(crate) type OffWrite<'a> = &'a dyn Fn() -> bool;

/// A sysfs attribute kept open so each write is one `pwrite`: the hot path
/// of turning an LED on and off opens no file.
#[derive(Debug)]
pub(crate) struct AttrFile {
    file: File,
    path: PathBuf,
    #[cfg(feature = "sim")]
    sim: Option<SimHandle>,
}

impl AttrFile {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `value` at offset 0 with one `pwrite`.
    pub(crate) fn write(&self, value: &str) -> io::Result<()> {
        #[cfg(feature = "sim")]
        if let Some(sim) = &self.sim {
            return sim.write_attr(&self.path, &self.file, value);
        }
        let written = self.file.write_at(value.as_bytes(), 0)?;
        if written != value.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short write to a sysfs attribute",
            ));
        }
        Ok(())
    }

    /// Writes an LED's level. When that fails, the error names `pin` and
    /// this file; when it fails while turning the LED off, `off_instead`
    /// (another write that also turns the LED off) is tried, so a single
    /// failed write never leaves an LED on. `Ok` means the level is `on`.
    pub(crate) fn write_level(
        &self,
        pin: &str,
        on: bool,
        level: &str,
        off_instead: Option<(&str, OffWrite<'_>)>,
    ) -> Result<(), LedError> {
        let Err(error) = self.write(level) else {
            return Ok(());
        };
        let error = LedError::io(
            pin,
            format!("writing {level:?} to"),
            self.path.clone(),
            error,
        );
        match off_instead {
            Some((through, off)) if !on && off() => {
                tracing::warn!(%error, "turned the LED off through `{through}` instead");
                Ok(())
            }
            _ => Err(error),
        }
    }
}
