//! The capture command's process group: the command runs in a group of its
//! own, so stopping it reaches everything it started (`sh -c 'a & b'`), not
//! only the process the tool spawned.

use std::io;
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process_group, test_kill_process_group};
use tokio::process::Child;

/// How long the group has to end after the tool passes a stop signal on,
/// before it is killed (SIGKILL). Long enough for a camera tool to finish
/// the frame it is writing; short enough that Ctrl-C feels immediate.
pub const GRACE: Duration = Duration::from_secs(1);

/// How often the group is checked while it winds down.
const POLL: Duration = Duration::from_millis(10);

/// How long the tool waits for a killed group to be gone before it gives
/// up (a process stuck in the kernel, in state `D`, outlives SIGKILL).
const KILL_WAIT: Duration = Duration::from_secs(2);

/// A started capture command and the process group it leads.
#[derive(Debug)]
pub struct Group {
    /// The command itself; kept un-reaped until it ends, so its id cannot
    /// be reused for another group while the tool still signals it.
    pub child: Child,
    pgid: Option<Pid>,
}

/// How a stopped group ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Nothing was left running, or everything ended after the signal.
    Ended,
    /// Something ignored the signal for the whole grace period and was
    /// killed.
    Killed,
    /// Even SIGKILL left something behind (a process stuck in the kernel).
    Stuck,
}

impl Group {
    /// Wraps a child spawned with `process_group(0)`: its pid is the
    /// group's id.
    pub fn new(child: Child) -> Self {
        let pgid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw);
        Group { child, pgid }
    }

    /// Ends the group: sends `signal` to every process in it, waits up to
    /// [`GRACE`] for them all to end, then kills what is left. A second
    /// `hurry` (another Ctrl-C) cuts the grace short. `None` when there was
    /// nothing to stop: the command ended and left nothing behind.
    pub async fn stop(&mut self, signal: Signal, hurry: impl Future) -> Option<Stopped> {
        let pgid = self.pgid?;
        if !self.alive(pgid) {
            return None;
        }
        // ESRCH: the last member ended since the check; nothing to stop.
        let _ = kill_process_group(pgid, signal);
        let ended = tokio::select! {
            ended = self.gone_within(pgid, GRACE) => ended,
            _ = hurry => false,
        };
        if ended {
            return Some(Stopped::Ended);
        }
        let _ = kill_process_group(pgid, Signal::KILL);
        Some(if self.gone_within(pgid, KILL_WAIT).await {
            Stopped::Killed
        } else {
            Stopped::Stuck
        })
    }

    /// Whether the group is gone within `limit`, reaping the command
    /// itself as it ends.
    async fn gone_within(&mut self, pgid: Pid, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if !self.alive(pgid) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether any process of the group still runs. The command's own
    /// zombie is reaped here; an orphan's zombie (waiting for an init that
    /// may never reap it, in a container) no longer runs and does not
    /// count.
    fn alive(&mut self, pgid: Pid) -> bool {
        let _ = self.child.try_wait();
        match test_kill_process_group(pgid) {
            Err(rustix::io::Errno::SRCH) => false,
            _ => any_running_in(pgid).unwrap_or(true),
        }
    }
}

/// Whether a process of group `pgid` runs (is not a zombie), from /proc;
/// `Err` where there is no /proc to ask.
fn any_running_in(pgid: Pid) -> io::Result<bool> {
    let wanted = pgid.as_raw_nonzero().get();
    for entry in std::fs::read_dir("/proc")? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        // Gone since the listing: not running.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp ...`; comm may hold spaces and
        // parentheses, so the fields are counted from its last `)`.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = after.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|p| p.parse::<i32>().ok());
        if pgrp == Some(wanted) && state != Some("Z") && state != Some("X") {
            return Ok(true);
        }
    }
    Ok(false)
}
