//! The run: the light is on for exactly the captures, and a signal cancels
//! the block so the spotlight's cancellation hook turns it off.

use std::ffi::OsString;
use std::io;
use std::os::fd::AsFd;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use async_with::led::LedError;
use async_with::{Spotlight, async_with};
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::light::Light;
use crate::timeline::{Timed, Timeline, Why, describe_status, show_argv};

/// What runs under the light.
#[derive(Debug)]
pub enum Work {
    /// The built-in loop: simulated frames, `interval` apart.
    Frames { count: u32, interval: Duration },
    /// A real capture command (`argv[0]` is the program).
    Command(Vec<OsString>),
}

impl Work {
    pub fn describe(&self) -> String {
        match self {
            Work::Frames { count: 1, .. } => "1 simulated frame".to_owned(),
            Work::Frames { count, interval } => format!(
                "{count} simulated frames {} apart",
                humantime::format_duration(*interval)
            ),
            Work::Command(argv) => format!("run `{}`", show_argv(argv)),
        }
    }
}

/// A signal that ends the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    Int,
    Term,
    Hup,
}

impl Sig {
    pub fn name(self) -> &'static str {
        match self {
            Sig::Int => "SIGINT",
            Sig::Term => "SIGTERM",
            Sig::Hup => "SIGHUP",
        }
    }

    /// The shell's convention: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        128 + match self {
            Sig::Hup => 1,
            Sig::Int => 2,
            Sig::Term => 15,
        }
    }
}

/// SIGINT (Ctrl-C), SIGTERM (systemd stop, `kill`) and SIGHUP (the terminal
/// went away), caught instead of killing the process with the light on.
#[derive(Debug)]
pub struct Signals {
    int: Signal,
    term: Signal,
    hup: Signal,
}

impl Signals {
    pub fn install() -> io::Result<Self> {
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    pub async fn recv(&mut self) -> Sig {
        tokio::select! {
            _ = self.int.recv() => Sig::Int,
            _ = self.term.recv() => Sig::Term,
            _ = self.hup.recv() => Sig::Hup,
        }
    }
}

/// Why the block failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Turning the light on or off failed.
    #[error(transparent)]
    Light(#[from] LedError),
    /// The capture command could not be started.
    #[error("could not run `{program}`: {source}{hint}")]
    Spawn {
        program: String,
        source: io::Error,
        hint: &'static str,
    },
    /// The capture command failed.
    #[error("`{program}` ended with {}", describe_status(*status))]
    Command { program: String, status: ExitStatus },
    /// Waiting for the capture command failed.
    #[error("waiting for `{program}` failed: {source}")]
    Wait { program: String, source: io::Error },
}

impl RunError {
    /// The tool's exit status for this failure.
    fn exit_code(&self) -> u8 {
        use std::os::unix::process::ExitStatusExt;
        match self {
            RunError::Light(_) | RunError::Wait { .. } => 1,
            RunError::Spawn { source, .. } if source.kind() == io::ErrorKind::NotFound => 127,
            RunError::Spawn { .. } => 126,
            RunError::Command { status, .. } => match (status.code(), status.signal()) {
                // Exit statuses are 8 bits; the mask keeps a nonzero status nonzero.
                (Some(code), _) => (code & 0xff) as u8,
                (None, Some(signal)) => 128u8.saturating_add(signal as u8),
                (None, None) => 1,
            },
        }
    }
}

/// How long a command killed by SIGINT/SIGTERM/SIGHUP waits for the same
/// signal to reach this process (sent to the group, it arrives within
/// microseconds; the margin is for a loaded machine).
const GROUP_SIGNAL_GRACE: Duration = Duration::from_millis(500);

/// Whether `status` is death by one of the signals this tool catches.
fn caught_signal(status: &ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    matches!(status.signal(), Some(1 | 2 | 15))
}

/// How the captures ended when they completed.
#[derive(Debug)]
enum Done {
    Frames(u32),
    Command(String),
}

type Lit<'t> = Spotlight<Timed<'t>>;

/// Lights `light` for `work`, racing the block against `signals`; prints the
/// light-off line and the summary and returns the exit status.
pub async fn run(
    light: Light,
    work: Work,
    settle: Duration,
    signals: &mut Signals,
    timeline: &Timeline,
) -> u8 {
    let mut spot = Spotlight::new(Timed::new(light, timeline)).settle(settle);
    // `biased`: a signal that arrives together with the command's exit is
    // still reported as the interruption it is.
    let ended = tokio::select! {
        biased;
        sig = signals.recv() => Err(sig),
        // When the signal wins, this future is dropped mid-block: the
        // spotlight's cancel hook turns the light off, and the capture
        // command is killed (`kill_on_drop`).
        result = lit(&mut spot, &work, timeline) => Ok(result),
    };
    // A terminal's Ctrl-C goes to the whole process group: the capture
    // command may die of the same signal before this process's handler is
    // seen. A command killed by a signal we catch is given a moment for
    // ours to arrive, so the run is reported as the interruption it is.
    let group_signal =
        matches!(&ended, Ok(Err(RunError::Command { status, .. })) if caught_signal(status));
    let ended = if group_signal {
        match tokio::time::timeout(GROUP_SIGNAL_GRACE, signals.recv()).await {
            Ok(sig) => Err(sig),
            Err(_) => ended,
        }
    } else {
        ended
    };
    let (why, detail, code) = match ended {
        Err(sig) => (Why::Interrupted, sig.name().to_owned(), sig.exit_code()),
        Ok(Ok(Done::Frames(n))) => (
            Why::Completed,
            format!("{n} frame{}", if n == 1 { "" } else { "s" }),
            0,
        ),
        Ok(Ok(Done::Command(program))) => (Why::Completed, format!("`{program}` exit status 0"), 0),
        Ok(Err(error)) => (Why::Failed, error.to_string(), error.exit_code()),
    };
    let led = spot.led();
    let level = led.light().level();
    timeline.light_off(led.on_at(), led.off_at(), why, &detail, &level);
    let lit_for = match (led.on_at(), led.off_at()) {
        (Some(on), Some(off)) => Some(off.duration_since(on)),
        (Some(on), None) => Some(on.elapsed()),
        _ => None,
    };
    // On but never turned off: only when the off write failed (the error is
    // the detail above). Say so rather than claim the light is off.
    let still_on = led.on_at().is_some() && led.off_at().is_none();
    timeline.summary(why, &detail, lit_for, still_on, code);
    code
}

/// The `async_with!` block: on, settled, the work, off on every path.
async fn lit(spot: &mut Lit<'_>, work: &Work, timeline: &Timeline) -> Result<Done, RunError> {
    async_with!(spot? => s {
        timeline.settled(Instant::now(), s.settle_delay());
        match work {
            Work::Frames { count, interval } => frames(s, *count, *interval, timeline).await,
            Work::Command(argv) => command(s, argv, timeline).await,
        }
    })
}

/// The built-in capture loop: a frame now, then one every `interval`, each
/// stamped with the light's level as the kernel reports it.
async fn frames(
    s: &Lit<'_>,
    count: u32,
    interval: Duration,
    timeline: &Timeline,
) -> Result<Done, RunError> {
    for n in 1..=count {
        if n > 1 {
            tokio::time::sleep(interval).await;
        }
        timeline.frame(n, count, &s.led().light().level());
    }
    Ok(Done::Frames(count))
}

/// Runs the capture command under the light and waits for it.
async fn command(s: &Lit<'_>, argv: &[OsString], timeline: &Timeline) -> Result<Done, RunError> {
    let program = argv[0].to_string_lossy().into_owned();
    let mut command = tokio::process::Command::new(&argv[0]);
    // Dropped (the block cancelled by a signal) means killed: a capture
    // must not outlive its light.
    command.args(&argv[1..]).kill_on_drop(true);
    if timeline.is_json() {
        // Stdout carries the JSON events; the command's output would break
        // them, so it goes to stderr.
        let stderr = io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|source| RunError::Spawn {
                program: program.clone(),
                source,
                hint: "; cannot pass stderr on to it",
            })?;
        command.stdout(Stdio::from(stderr));
    }
    let mut child = command.spawn().map_err(|source| {
        let hint = match source.kind() {
            io::ErrorKind::NotFound => "; is it installed and on PATH?",
            io::ErrorKind::PermissionDenied => "; is it executable?",
            _ => "",
        };
        RunError::Spawn {
            program: program.clone(),
            source,
            hint,
        }
    })?;
    timeline.command_started(argv, child.id(), &s.led().light().level());
    let status = child.wait().await.map_err(|source| RunError::Wait {
        program: program.clone(),
        source,
    })?;
    timeline.command_exited(status);
    if status.success() {
        Ok(Done::Command(program))
    } else {
        Err(RunError::Command { program, status })
    }
}
