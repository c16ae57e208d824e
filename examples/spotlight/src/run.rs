//! The run: the light is on for exactly the captures, and a signal (or a
//! closed stdout) cancels the block so the spotlight's cancellation hook
//! turns it off; then whatever the capture command started is stopped.

use std::ffi::OsString;
use std::io;
use std::os::fd::AsFd;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use async_with::led::LedError;
use async_with::{Spotlight, async_with};
use rustix::process::Signal;

use crate::group::Group;
use crate::light::Light;
use crate::signals::{Sig, Signals};
use crate::timeline::{Timed, Timeline, Why, describe_status, show_argv, warn};

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

/// How the captures ended when they completed.
#[derive(Debug)]
enum Done {
    Frames(u32),
    Command(String),
}

type Lit<'t> = Spotlight<Timed<'t>>;

/// What stopped the run before the block ended.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// A caught signal.
    Signal(Sig),
    /// A write to stdout failed.
    OutputLost,
}

/// Lights `light` for `work`, racing the block against `signals` and a
/// closed stdout; prints the light-off line and the summary, stops what
/// the capture command left running, and returns the exit status.
pub async fn run(
    light: Light,
    work: Work,
    settle: Duration,
    signals: &mut Signals,
    timeline: &Timeline,
) -> u8 {
    let mut spot = Spotlight::new(Timed::new(light, timeline)).settle(settle);
    // The capture command, once started: kept outside the block so that a
    // cancelled block leaves it here to be stopped as a group, rather than
    // killed alone (its children running on) when the block is dropped.
    let mut group: Option<Group> = None;
    // `biased`: a signal that arrives together with the command's exit is
    // still reported as the interruption it is.
    let ended = tokio::select! {
        biased;
        sig = signals.recv() => Err(Stop::Signal(sig)),
        () = timeline.output_lost() => Err(Stop::OutputLost),
        // When a stop wins, this future is dropped mid-block: the
        // spotlight's cancel hook turns the light off.
        result = lit(&mut spot, &work, &mut group, timeline) => Ok(result),
    };
    let stop = ended.as_ref().err().copied();
    let (why, detail, code) = match ended {
        Err(Stop::Signal(sig)) => (Why::Interrupted, sig.name().to_owned(), sig.exit_code()),
        Err(Stop::OutputLost) => {
            let (message, code) = timeline.lost().unwrap_or_default();
            (Why::Failed, message, code)
        }
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
    if let Some(group) = &mut group {
        // Ctrl-C is passed on as Ctrl-C; any other end (the command's own,
        // which may leave children behind) as SIGTERM.
        let signal = match stop {
            Some(Stop::Signal(sig)) => sig.forwarded(),
            _ => Signal::TERM,
        };
        let name = if signal == Signal::INT {
            "SIGINT"
        } else {
            "SIGTERM"
        };
        // A second signal while the group winds down: kill it now.
        if let Some(stopped) = group.stop(signal, signals.recv()).await {
            timeline.group_stopped(name, stopped);
        }
    }
    let lit_for = match (led.on_at(), led.off_at()) {
        (Some(on), Some(off)) => Some(off.duration_since(on)),
        (Some(on), None) => Some(on.elapsed()),
        _ => None,
    };
    // On but never turned off: only when the off write failed (the error is
    // the detail above). Say so rather than claim the light is off.
    let still_on = led.on_at().is_some() && led.off_at().is_none();
    timeline.summary(why, &detail, lit_for, still_on, code);
    match timeline.lost() {
        // A run that succeeded but whose timeline was cut short did not do
        // what was asked: its status says so, as SIGPIPE's would.
        Some((message, lost_code)) => {
            let run = if matches!(stop, Some(Stop::OutputLost)) {
                "the run was stopped and "
            } else {
                ""
            };
            let light = if still_on {
                "THE LIGHT MAY STILL BE ON"
            } else {
                "the light is off"
            };
            warn(&format!("error: {message}; {run}{light}"));
            if code == 0 { lost_code } else { code }
        }
        None => code,
    }
}

/// The `async_with!` block: on, settled, the work, off on every path.
async fn lit(
    spot: &mut Lit<'_>,
    work: &Work,
    group: &mut Option<Group>,
    timeline: &Timeline,
) -> Result<Done, RunError> {
    async_with!(spot? => s {
        timeline.settled(Instant::now(), s.settle_delay());
        match work {
            Work::Frames { count, interval } => frames(s, *count, *interval, timeline).await,
            Work::Command(argv) => command(s, argv, group, timeline).await,
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

/// Runs the capture command under the light, in a process group of its
/// own (left in `group` for [`run`] to stop), and waits for it.
async fn command(
    s: &Lit<'_>,
    argv: &[OsString],
    group: &mut Option<Group>,
    timeline: &Timeline,
) -> Result<Done, RunError> {
    let program = argv[0].to_string_lossy().into_owned();
    let mut command = tokio::process::Command::new(&argv[0]);
    // Its own group: stopping it reaches everything it started. A
    // terminal's Ctrl-C now reaches only this tool, which passes it on.
    // `kill_on_drop` is the last resort should `run` never stop the group
    // (a panic): a capture must not outlive its light.
    command.args(&argv[1..]).process_group(0).kill_on_drop(true);
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
    let child = command.spawn().map_err(|source| {
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
    let group = group.insert(Group::new(child));
    timeline.command_started(argv, group.child.id(), &s.led().light().level());
    let status = group.child.wait().await.map_err(|source| RunError::Wait {
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
