//! What the tool prints: a timeline a person reads at a glance, or one JSON
//! object per line for a program.

use std::cell::RefCell;
use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use async_with::led::LedError;
use embedded_hal::digital::{ErrorType, OutputPin};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::group::{self, Stopped};
use crate::light::{Light, Opened};

/// How a run ended, as the light-off line and the summary say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Completed,
    Failed,
    Interrupted,
}

impl Why {
    fn as_str(self) -> &'static str {
        match self {
            Why::Completed => "completed",
            Why::Failed => "failed",
            Why::Interrupted => "interrupted",
        }
    }
}

/// Prints events with milliseconds since the tool started.
#[derive(Debug)]
pub struct Timeline {
    start: Instant,
    json: bool,
    /// The first failed write to stdout; nothing more is written after it.
    lost: RefCell<Option<io::Error>>,
    /// Wakes [`output_lost`](Self::output_lost) when that happens.
    lost_notify: Notify,
}

impl Timeline {
    pub fn new(json: bool) -> Self {
        Timeline {
            start: Instant::now(),
            json,
            lost: RefCell::new(None),
            lost_notify: Notify::new(),
        }
    }

    /// Resolves once a write to stdout has failed (`spotlight | true`,
    /// `| head -1`, a full disk): the run stops as it would for a signal,
    /// as a tool killed by SIGPIPE would, and the light goes off.
    pub async fn output_lost(&self) {
        if self.lost.borrow().is_none() {
            self.lost_notify.notified().await;
        }
    }

    /// Why stdout was lost, if it was: the message and the exit status
    /// (141, as for death by SIGPIPE, when the reader went away; 74,
    /// sysexits' `EX_IOERR`, for any other write error).
    pub fn lost(&self) -> Option<(String, u8)> {
        self.lost.borrow().as_ref().map(|e| {
            let code = if e.kind() == io::ErrorKind::BrokenPipe {
                141
            } else {
                74
            };
            (format!("cannot write the timeline to stdout: {e}"), code)
        })
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    fn ms(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.start).as_secs_f64() * 1000.0
    }

    /// Writes one line. A failed write (a closed stdout: `| head`) must not
    /// turn into a panic while the light is on (as `println!` would): it is
    /// recorded, [`output_lost`](Self::output_lost) stops the run, and
    /// nothing more is written to stdout.
    fn print(&self, line: &str) {
        if self.lost.borrow().is_some() {
            return;
        }
        let mut out = std::io::stdout().lock();
        let written = writeln!(out, "{line}").and_then(|()| out.flush());
        if let Err(e) = written {
            *self.lost.borrow_mut() = Some(e);
            self.lost_notify.notify_one();
        }
    }

    fn event(&self, at: Instant, event: &str, text: &str, mut fields: Value) {
        if self.json {
            let mut object = json!({ "t_ms": round3(self.ms(at)), "event": event });
            if let (Some(object), Some(fields)) = (object.as_object_mut(), fields.as_object_mut()) {
                object.append(fields);
            }
            self.print(&object.to_string());
        } else {
            self.print(&format!("{:>9.1} ms  {text}", self.ms(at)));
        }
    }

    /// The first line: which light, where, and how the run will go.
    pub fn header(&self, opened: &Opened, settle: Duration, work: &str) {
        let file = opened.light.file().map(|f| f.display().to_string());
        if self.json {
            let event = json!({
                "t_ms": round3(self.ms(Instant::now())),
                "event": "start",
                "light": opened.name,
                "place": opened.place,
                "simulated": opened.simulated,
                "sysfs_root": opened.root.as_ref().map(|r| r.display().to_string()),
                "file": file,
                "active_low": opened.active_low,
                "reads_when_on": opened.reads_when_on.as_ref().map(|(reads, _)| reads),
                "notes": opened.notes,
                "settle_ms": round3(settle.as_secs_f64() * 1000.0),
                "work": work,
            });
            self.print(&event.to_string());
        } else {
            self.print(&format!(
                "spotlight: {} on the {}",
                opened.name, opened.place
            ));
            for note in &opened.notes {
                self.print(&format!("           note: {note}"));
            }
            if let Some(file) = file {
                // What the file really reads while lit, from the backend.
                let note = match &opened.reads_when_on {
                    Some((reads, Some(why))) => {
                        format!(" ({why}: it reads {reads} while the light is on)")
                    }
                    _ => String::new(),
                };
                self.print(&format!("           light file {file}{note}"));
            }
            self.print(&format!(
                "           settle {}, then {work}",
                humantime::format_duration(settle)
            ));
        }
    }

    pub fn light_on(&self, at: Instant, level: &str) {
        self.event(
            at,
            "light_on",
            &format!("{:<16}{level}", "light on"),
            json!({ "level": level }),
        );
    }

    pub fn settled(&self, at: Instant, settle: Duration) {
        let settle_text = humantime::format_duration(settle);
        self.event(
            at,
            "settled",
            &format!("{:<16}after {settle_text}", "settled"),
            json!({ "settle_ms": round3(settle.as_secs_f64() * 1000.0) }),
        );
    }

    pub fn frame(&self, n: u32, of: u32, level: &str) {
        self.event(
            Instant::now(),
            "capture",
            &format!("{:<16}{level}", format!("frame {n}/{of}")),
            json!({ "frame": n, "of": of, "level": level }),
        );
    }

    pub fn command_started(&self, argv: &[OsString], pid: Option<u32>, level: &str) {
        let shown = show_argv(argv);
        let args: Vec<String> = argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        self.event(
            Instant::now(),
            "command_started",
            &format!(
                "{:<16}`{shown}` (pid {}) under {level}",
                "command started",
                pid.unwrap_or(0)
            ),
            json!({ "argv": args, "pid": pid, "level": level }),
        );
    }

    pub fn command_exited(&self, status: ExitStatus) {
        self.event(
            Instant::now(),
            "command_exited",
            &format!("{:<16}{}", "command ended", describe_status(status)),
            json!({ "code": status.code(), "signal": signal_of(status), "success": status.success() }),
        );
    }

    /// What stopping the capture command's process group took.
    pub fn group_stopped(&self, signal: &str, stopped: Stopped) {
        let grace = humantime::format_duration(group::GRACE);
        let (how, text) = match stopped {
            Stopped::Ended => (
                "ended",
                format!("{signal} to its process group; all of it ended"),
            ),
            Stopped::Killed => (
                "killed",
                format!(
                    "{signal} to its process group; killed (SIGKILL) what ran on after {grace}"
                ),
            ),
            Stopped::Stuck => (
                "stuck",
                format!("{signal} to its process group, then SIGKILL; SOME OF IT IS STILL RUNNING"),
            ),
        };
        self.event(
            Instant::now(),
            "command_stopped",
            &format!("{:<16}{text}", "command stopped"),
            json!({ "signal": signal, "how": how }),
        );
    }

    /// The light-off line, stamped when the pin was written; when the light
    /// never went on (enter failed) or did not go off (the off write
    /// failed), the line says so instead.
    pub fn light_off(
        &self,
        on: Option<Instant>,
        off: Option<Instant>,
        why: Why,
        detail: &str,
        level: &str,
    ) {
        let (at, event, label) = match (on, off) {
            (_, Some(off)) => (off, "light_off", "light off"),
            (None, None) => (Instant::now(), "light_never_on", "light never on"),
            (Some(_), None) => (Instant::now(), "light_not_off", "LIGHT NOT OFF"),
        };
        self.event(
            at,
            event,
            &format!("{label:<16}{level}, {}", headline(why, detail)),
            json!({ "why": why.as_str(), "detail": detail, "level": level }),
        );
    }

    /// The closing one-line summary.
    pub fn summary(&self, why: Why, detail: &str, lit: Option<Duration>, still_on: bool, code: u8) {
        let lit_text = match lit {
            Some(lit) => format!("lit for {:.1} ms", lit.as_secs_f64() * 1000.0),
            None => "never lit".to_owned(),
        };
        let light = if still_on {
            "THE LIGHT MAY STILL BE ON"
        } else {
            "light off"
        };
        if self.json {
            let event = json!({
                "t_ms": round3(self.ms(Instant::now())),
                "event": "summary",
                "why": why.as_str(),
                "detail": detail,
                "lit_ms": lit.map(|d| round3(d.as_secs_f64() * 1000.0)),
                "light_off": !still_on,
                "exit_code": code,
            });
            self.print(&event.to_string());
        } else {
            self.print(&format!(
                "{}; {lit_text}; {light}; exit {code}",
                headline(why, detail)
            ));
        }
    }

    /// An error before or outside the block (the light is not on).
    pub fn error(&self, message: &str) {
        if self.json {
            let event = json!({
                "t_ms": round3(self.ms(Instant::now())),
                "event": "error",
                "message": message,
            });
            self.print(&event.to_string());
        }
        warn(&format!("error: {message}"));
    }

    /// What `spotlight off` prints.
    pub fn forced_off(&self, opened: &Opened) {
        let level = opened.light.level();
        self.event(
            Instant::now(),
            "forced_off",
            &format!(
                "{:<16}{level}, {} on the {}",
                "light off", opened.name, opened.place
            ),
            json!({ "light": opened.name, "place": opened.place, "level": level }),
        );
    }
}

/// Writes a line to stderr. Unlike `eprintln!`, a closed stderr
/// (`2>&1 | true`) is no panic: the message is lost, the run goes on, and
/// the light still goes off.
pub fn warn(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// `completed: 3 frames`, `failed: ...`, `interrupted by SIGINT`.
fn headline(why: Why, detail: &str) -> String {
    match why {
        Why::Interrupted => format!("interrupted by {detail}"),
        _ => format!("{}: {detail}", why.as_str()),
    }
}

fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// The command as a person would type it: arguments a shell would split
/// are single-quoted.
pub fn show_argv(argv: &[OsString]) -> String {
    let parts: Vec<String> = argv
        .iter()
        .map(|arg| {
            let arg = arg.to_string_lossy();
            let plain = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                arg.into_owned()
            } else {
                format!("'{}'", arg.replace('\'', "'\\''"))
            }
        })
        .collect();
    parts.join(" ")
}

fn signal_of(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

/// `exit status 3` or `signal 9 (SIGKILL)`.
pub fn describe_status(status: ExitStatus) -> String {
    match (status.code(), signal_of(status)) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => {
            let name = match signal {
                1 => " (SIGHUP)",
                2 => " (SIGINT)",
                6 => " (SIGABRT)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                13 => " (SIGPIPE)",
                15 => " (SIGTERM)",
                _ => "",
            };
            format!("signal {signal}{name}")
        }
        (None, None) => "no exit status".to_owned(),
    }
}

/// The light, as the spotlight holds it: each write is timed, and turning
/// it on is printed the moment it happens.
#[derive(Debug)]
pub struct Timed<'t> {
    light: Light,
    timeline: &'t Timeline,
    on_at: Option<Instant>,
    off_at: Option<Instant>,
}

impl<'t> Timed<'t> {
    pub fn new(light: Light, timeline: &'t Timeline) -> Self {
        Timed {
            light,
            timeline,
            on_at: None,
            off_at: None,
        }
    }

    pub fn light(&self) -> &Light {
        &self.light
    }

    pub fn on_at(&self) -> Option<Instant> {
        self.on_at
    }

    /// When the light was last turned off after being turned on.
    pub fn off_at(&self) -> Option<Instant> {
        self.off_at
    }
}

impl ErrorType for Timed<'_> {
    type Error = LedError;
}

impl OutputPin for Timed<'_> {
    fn set_high(&mut self) -> Result<(), LedError> {
        self.light.set_high()?;
        let now = Instant::now();
        self.on_at = Some(now);
        self.off_at = None;
        self.timeline.light_on(now, &self.light.level());
        Ok(())
    }

    fn set_low(&mut self) -> Result<(), LedError> {
        self.light.set_low()?;
        if self.on_at.is_some() && self.off_at.is_none() {
            self.off_at = Some(Instant::now());
        }
        Ok(())
    }
}
