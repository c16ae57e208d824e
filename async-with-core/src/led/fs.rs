//! [`Sysfs`]: where the sysfs tree is, and the one seam ([`SysfsIo`])
//! every file operation of the backends goes through, so the same backend
//! code runs on the kernel, on a copy of its tree and on the simulator.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::LedError;

/// The file operations the LED backends perform on a sysfs tree: the seam
/// between the backends and the kernel.
///
/// [`KernelIo`] is the real thing (plain system calls, used by default);
/// the simulator ([`sim::SimSysfs`](super::sim::SimSysfs)) implements it as a
/// model of the kernel's side effects. Paths are absolute (the tree's root
/// joined with the file). Only [`write`](Self::write) and
/// [`write_attr`](Self::write_attr) must be provided; the reads default to
/// the plain file system.
///
/// # Errors
///
/// Each method returns the `io::Error` the kernel would: `ENOENT` for a
/// missing file, `EACCES`, `EBUSY`, `EINVAL` from a control file, `ENODEV`
/// for a write through an fd whose attribute went away.
pub trait SysfsIo: fmt::Debug + Send + Sync + 'static {
    /// Writes `value` to a control file (`export`, `direction`, `trigger`)
    /// opened for this one write, leaving exactly `value` in a plain file.
    ///
    /// # Errors
    ///
    /// The kernel's error for the file: `ENOENT`, `EACCES`, `EBUSY` (an
    /// export of a line in use), `EINVAL` (a value the file refuses).
    fn write(&self, path: &Path, value: &str) -> io::Result<()>;

    /// Writes `value` at offset 0 of `file`, an fd kept open on `path` by
    /// [`open_attr`](Self::open_attr); where
    /// [`needs_truncate`](Self::needs_truncate) says so, the file is then cut
    /// to the value's length.
    ///
    /// # Errors
    ///
    /// The kernel's error for the write: `EPERM` (a `value` that is not an
    /// output), `EIO`, `ENODEV` (the attribute went away under the fd).
    fn write_attr(&self, path: &Path, file: &File, value: &str) -> io::Result<()>;

    /// Whether a value written through [`write_attr`](Self::write_attr) to
    /// `file` can leave stale bytes after it (a plain file, unlike a sysfs
    /// attribute), so the file must be cut to the value's length after each
    /// write. Asked once per opened attribute. Default: no.
    fn needs_truncate(&self, file: &File) -> bool {
        let _ = file;
        false
    }

    /// Opens `path` for the repeated writes of [`write_attr`](Self::write_attr).
    ///
    /// # Errors
    ///
    /// `ENOENT` for a missing file, `EACCES` for one this user cannot
    /// write.
    fn open_attr(&self, path: &Path) -> io::Result<File> {
        OpenOptions::new().read(true).write(true).open(path)
    }

    /// The contents of `path`, exactly as read.
    ///
    /// # Errors
    ///
    /// `ENOENT` for a missing file, `EACCES` for an unreadable one.
    fn read(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    /// Whether `path` exists.
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    /// The names in the directory `dir`, in any order.
    ///
    /// # Errors
    ///
    /// `ENOENT` for a missing directory, `EACCES` for an unreadable one.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        std::fs::read_dir(dir)?
            .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect()
    }
}

/// The kernel's own files, through plain system calls: the default
/// [`SysfsIo`].
///
/// On sysfs a write replaces an attribute's value whatever its length; on
/// any other file system (a test tree, a copy of `/sys`) the file is also
/// cut to the written length, so `255` then `0` leaves `0`, never `055`.
/// sysfs is recognised by its `statfs` magic (`SYSFS_MAGIC`, 0x62656572),
/// once per opened attribute, so the hot path on sysfs stays one `pwrite`.
#[derive(Debug, Clone, Copy, Default)]
pub struct KernelIo;

/// `SYSFS_MAGIC` from the kernel's `include/uapi/linux/magic.h`.
const SYSFS_MAGIC: i64 = 0x6265_6572;

impl KernelIo {
    /// Whether `file` is on sysfs (where truncating is neither needed nor
    /// supported).
    pub fn is_sysfs(file: &File) -> bool {
        use std::os::fd::AsRawFd;
        // SAFETY: `statfs` is plain old data; fstatfs fills it or fails.
        let mut stat: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: the fd is open for the call's duration; `stat` is valid.
        let result = unsafe { libc::fstatfs(file.as_raw_fd(), &mut stat) };
        #[allow(clippy::unnecessary_cast)] // f_type's width differs by target
        let magic = stat.f_type as i64;
        result == 0 && magic == SYSFS_MAGIC
    }
}

impl SysfsIo for KernelIo {
    fn write(&self, path: &Path, value: &str) -> io::Result<()> {
        // `O_TRUNC` is a no-op on sysfs and makes a plain file exact.
        OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)?
            .write_all(value.as_bytes())
    }

    fn write_attr(&self, _path: &Path, file: &File, value: &str) -> io::Result<()> {
        let written = file.write_at(value.as_bytes(), 0)?;
        if written != value.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short write to a sysfs attribute",
            ));
        }
        Ok(())
    }

    fn needs_truncate(&self, file: &File) -> bool {
        !Self::is_sysfs(file)
    }
}

/// The sysfs tree the LED backends work on: the real `/sys` (the default), a
/// copy of its layout in another directory, or a simulated one.
///
/// Every backend builder takes one through `root(...)`, which accepts a path
/// or, with the `sim` feature, a [`SimSysfs`](super::sim::SimSysfs). Every
/// file operation goes through its [`SysfsIo`].
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
    io: Arc<dyn SysfsIo>,
    simulated: bool,
}

impl Sysfs {
    /// The kernel's sysfs at `root` (normally `/sys`): plain file I/O.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Sysfs {
            root: root.into(),
            io: Arc::new(KernelIo),
            simulated: false,
        }
    }

    /// The tree at `root`, every file operation going through `io` (a model
    /// of the kernel, such as the simulator, or an instrumented wrapper).
    pub fn with_io(root: impl Into<PathBuf>, io: Arc<dyn SysfsIo>) -> Self {
        Sysfs {
            root: root.into(),
            io,
            simulated: true,
        }
    }

    /// The directory the tree starts at (the one holding `class/`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the file operations go to a model instead of the kernel.
    pub fn is_simulated(&self) -> bool {
        self.simulated
    }

    /// Writes `value` to a control file in one `write`, as sysfs expects.
    pub(crate) fn write(&self, path: &Path, value: &str) -> io::Result<()> {
        self.io.write(path, value)
    }

    /// Reads a file and trims the trailing newline sysfs adds.
    pub(crate) fn read(&self, path: &Path) -> io::Result<String> {
        Ok(self.io.read(path)?.trim_end().to_owned())
    }

    /// Whether `path` exists.
    pub(crate) fn exists(&self, path: &Path) -> bool {
        self.io.exists(path)
    }

    /// The names in a directory, sorted.
    pub(crate) fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut names = self.io.list(dir)?;
        names.sort();
        Ok(names)
    }

    /// Opens an attribute for repeated writes through one kept-open fd.
    pub(crate) fn open_attr(&self, path: &Path) -> io::Result<AttrFile> {
        let file = self.io.open_attr(path)?;
        Ok(AttrFile {
            truncate: self.io.needs_truncate(&file),
            file,
            path: path.to_owned(),
            io: Arc::clone(&self.io),
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

/// Another write that turns an LED off (`direction <- low`, `trigger <- none`);
/// `true` if it worked.
pub(crate) type OffWrite<'a> = &'a dyn Fn() -> bool;

/// A sysfs attribute kept open so each write is one `pwrite`: the hot path
/// of turning an LED on and off opens no file. Its fd also carries the
/// light's owner lock (see `lock.rs`).
#[derive(Debug)]
pub(crate) struct AttrFile {
    file: File,
    path: PathBuf,
    io: Arc<dyn SysfsIo>,
    /// Cut the file to each value written (not on sysfs).
    truncate: bool,
}

impl AttrFile {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Writes exactly `value` at offset 0.
    pub(crate) fn write(&self, value: &str) -> io::Result<()> {
        self.io.write_attr(&self.path, &self.file, value)?;
        if self.truncate {
            self.file.set_len(value.len() as u64)?;
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
