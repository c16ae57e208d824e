//! One owner per light: an advisory `flock` on the light's value or
//! brightness fd, taken before anything is written and released by the
//! kernel when the fd closes (also when the process dies).
//!
//! `flock` works on sysfs attributes and on plain files alike, and locks
//! belong to the open file, so two opens in one process exclude each other
//! as two processes do. The holder's pid comes from `/proc/locks`, which
//! lists each `FLOCK` with its pid and the file's device and inode.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use super::error::LedError;
use super::fs::AttrFile;

/// How often a waiting open retries the lock.
pub(crate) const LOCK_POLL: Duration = Duration::from_millis(20);

/// Takes the exclusive lock on `file` without blocking: `Ok(false)` when
/// another open file holds it.
pub(crate) fn try_lock(file: &File) -> io::Result<bool> {
    // SAFETY: flock on an fd that stays open for the call.
    let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if result == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(error)
    }
}

/// The pid holding a `flock` on `file`, from `/proc/locks`, if it says.
pub(crate) fn holder(file: &File) -> Option<u32> {
    let meta = file.metadata().ok()?;
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    holder_in(&locks, meta.dev(), meta.ino())
}

/// Finds the `FLOCK` on device `dev`, inode `ino` in the text of
/// `/proc/locks` (`1: FLOCK  ADVISORY  WRITE 1234 00:05:123 0 EOF`), whose
/// device is `major:minor` in hex. Blocked waiters (`->`) are skipped.
fn holder_in(locks: &str, dev: u64, ino: u64) -> Option<u32> {
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    let wanted = format!("{major:02x}:{minor:02x}:{ino}");
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [_, "FLOCK", _, _, pid, file, ..] if *file == wanted => pid.parse().ok(),
            _ => None,
        }
    })
}

/// The error for a light whose lock `attr` someone else holds, naming
/// the holder's pid where `/proc/locks` gives it.
pub(crate) fn held_error(pin: &str, attr: &AttrFile) -> LedError {
    let holder = match holder(attr.file()) {
        Some(pid) if pid == std::process::id() => {
            format!("another open in this process (pid {pid})")
        }
        Some(pid) => format!("process {pid}"),
        None => "another process".to_owned(),
    };
    LedError::Held {
        pin: pin.to_owned(),
        file: attr.path().to_owned(),
        holder,
    }
}

/// Whether `path` still names the file `file` was opened on: a waiting
/// open whose line was unexported meanwhile holds the lock on a dead file.
pub(crate) fn still_at(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(now)) => held.dev() == now.dev() && held.ino() == now.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::holder_in;

    #[test]
    fn the_holder_is_read_from_proc_locks() {
        let dev = libc::makedev(0, 0x19);
        let locks = "1: POSIX  ADVISORY  WRITE 11 00:19:42 0 EOF\n\
                     2: FLOCK  ADVISORY  WRITE 4242 00:19:42 0 EOF\n\
                     2: -> FLOCK  ADVISORY  WRITE 77 00:19:42 0 EOF\n";
        assert_eq!(holder_in(locks, dev, 42), Some(4242));
        assert_eq!(holder_in(locks, dev, 43), None);
    }
}
