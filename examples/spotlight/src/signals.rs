//! The signals that stop the tool: each is caught, so the light goes off
//! and the capture command is stopped before the tool exits 128+N.
//!
//! Caught: every signal whose default action ends the process and that is
//! sent from outside to stop it, by a person, a terminal or a supervisor:
//!
//! - SIGINT (Ctrl-C), SIGTERM (`kill`, systemd's stop), SIGHUP (the terminal
//!   went away), SIGQUIT (Ctrl-\\);
//! - SIGUSR1, SIGUSR2 and SIGALRM: the tool gives them no meaning of its
//!   own, and left at their default they would kill it with the light on;
//! - SIGXCPU, SIGXFSZ: a supervisor's resource limit was reached
//!   (`ulimit -t`, systemd `LimitCPU=`);
//! - SIGVTALRM, SIGPROF, SIGIO and (Linux) SIGPWR: timers, I/O and a UPS
//!   daemon's power failure, also deadly by default.
//!
//! Not caught, and why:
//!
//! - SIGKILL and SIGSTOP cannot be. After a SIGKILL the light stays as it
//!   was; `spotlight off` (systemd `ExecStopPost=`) turns it off, and the
//!   character device backend's line is released by the kernel.
//! - SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS: faults of
//!   this process itself, raised where it fails; running on after them is
//!   not sound (Tokio refuses several).
//! - SIGPIPE: Rust's runtime ignores it, so a closed stdout or stderr is a
//!   write error the timeline handles (see `Timeline::print`), not a signal;
//!   a `kill -PIPE` is ignored.
//! - SIGTSTP, SIGTTIN, SIGTTOU (stop), SIGCONT, SIGCHLD, SIGWINCH, SIGURG
//!   (ignored by default): none ends the process. Ctrl-Z suspends the tool
//!   with the light as it is, as it does any program.
//! - The real-time signals: Tokio's registry covers signals 1 to 33 only.

use std::io;

use rustix::process::Signal;
use tokio::signal::unix::{SignalKind, signal};

/// A signal that stopped the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sig {
    signal: Signal,
    name: &'static str,
}

/// The caught signals and their names; see the module docs for the choice.
const CAUGHT: &[(Signal, &str)] = &[
    (Signal::HUP, "SIGHUP"),
    (Signal::INT, "SIGINT"),
    (Signal::QUIT, "SIGQUIT"),
    (Signal::USR1, "SIGUSR1"),
    (Signal::USR2, "SIGUSR2"),
    (Signal::ALARM, "SIGALRM"),
    (Signal::TERM, "SIGTERM"),
    (Signal::XCPU, "SIGXCPU"),
    (Signal::XFSZ, "SIGXFSZ"),
    (Signal::VTALARM, "SIGVTALRM"),
    (Signal::PROF, "SIGPROF"),
    (Signal::IO, "SIGIO"),
    #[cfg(any(target_os = "linux", target_os = "android"))]
    (Signal::POWER, "SIGPWR"),
];

impl Sig {
    /// `SIGINT`, `SIGQUIT`, ...
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The shell's convention: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        // Signal numbers are below 64, so the sum fits.
        128u8.saturating_add(self.signal.as_raw() as u8)
    }

    /// What the capture command's process group is sent when the tool is
    /// stopped by this signal: Ctrl-C is passed on as SIGINT (a capture
    /// tool may finish its frame), everything else as SIGTERM (a SIGQUIT
    /// passed on would make every process in the group dump core).
    pub fn forwarded(self) -> Signal {
        if self.signal == Signal::INT {
            Signal::INT
        } else {
            Signal::TERM
        }
    }
}

/// The caught signals' streams: from [`install`](Signals::install) on, a
/// signal is queued here instead of killing the process with the light on.
#[derive(Debug)]
pub struct Signals {
    streams: Vec<(Sig, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Catches every signal in the module docs' list.
    ///
    /// # Errors
    ///
    /// The error of the first signal Tokio cannot catch, with its name.
    pub fn install() -> io::Result<Self> {
        let mut streams = Vec::with_capacity(CAUGHT.len());
        for &(signal_, name) in CAUGHT {
            let stream = signal(SignalKind::from_raw(signal_.as_raw()))
                .map_err(|e| io::Error::new(e.kind(), format!("cannot catch {name}: {e}")))?;
            streams.push((
                Sig {
                    signal: signal_,
                    name,
                },
                stream,
            ));
        }
        Ok(Signals { streams })
    }

    /// The names of the caught signals, for messages.
    pub fn names() -> String {
        let names: Vec<&str> = CAUGHT.iter().map(|(_, name)| *name).collect();
        names.join("/")
    }

    /// The next caught signal.
    pub async fn recv(&mut self) -> Sig {
        std::future::poll_fn(|cx| {
            for (sig, stream) in &mut self.streams {
                if stream.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(*sig);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }
}
