//! The command line: where the light is, how long it settles, and what runs
//! under it.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgGroup, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  spotlight
      the demo: BCM 17 on a simulated Raspberry Pi 5, three frames
  spotlight --bcm 17 -- rpicam-still -o shot.jpg
      light the LED on BCM 17 while the camera takes a still
  spotlight --gpio 588 --captures 5 --interval 200ms
  spotlight --chip pinctrl-rp1 --offset 17 --active-low --settle 100ms
  spotlight --led ACT
      the board's own activity LED (its trigger is restored afterwards)
  spotlight --cdev /dev/gpiochip0 --line 17
      through the GPIO character device (feature `cdev`)
  spotlight --sim --sysfs-root /tmp/pi -- cat /tmp/pi/class/gpio/gpio588/value
      the simulator in a directory other processes can read (prints 1)
  spotlight --bcm 17 off
      force the light off (systemd ExecStopPost=)
  spotlight --json
      one JSON object per line instead of the timeline

Real or simulated: with none of --gpio/--bcm/--chip/--led/--cdev, or with
--sim, the light is on a simulated Raspberry Pi 5 (BCM 17 unless a flag says
otherwise), laid out in a temporary directory or in --sysfs-root if given.

Which kernel interface: --bcm and --chip LABEL --offset N request the line
through the GPIO character device (/dev/gpiochip*, the chip found by its
label), which gives each line one owner and releases it when the process
dies. When no chip device is usable (none, no permission, a kernel without
it, or none carries the label) they fall back to sysfs and say so; with
--sysfs-root they use sysfs there. --gpio N (global numbers) and --led use
sysfs (the LED class has no character device). On sysfs every run locks its
light: a second run on the same light is refused, or with --wait queues.

Stopping: Ctrl-C, SIGTERM, SIGHUP, SIGQUIT and every other signal that ends
a process by default (SIGUSR1/2, SIGALRM, SIGXCPU, SIGPWR, ...) turn the light
off first. A capture command runs in a process group of its own: the tool
passes Ctrl-C on to the whole group as SIGINT (any other stop as SIGTERM),
and kills (SIGKILL) what is still running 1s later, or at a second Ctrl-C;
what a finished command left running in its group is stopped the same way.
Not being the terminal's foreground group, a command that reads the
terminal is stopped by the kernel (SIGTTIN) until Ctrl-C: give it its input
another way. SIGKILL cannot be caught: run `spotlight ... off` after it.

Exit status: 0 when the captures completed; the capture command's own status
when it fails (128+N when killed by signal N); 128+N when the tool is stopped
by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT), after the
light is off; 141 when stdout is a pipe whose reader went away (`| head`),
74 when it cannot be written otherwise (the run stops, the light goes off);
1 when the light cannot be used; 2 for bad flags.";

/// Lights a scene while something captures it, and turns the light off
/// however the run ends (Ctrl-C included).
#[derive(Debug, Parser)]
#[command(
    name = "spotlight",
    version,
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(flatten)]
    pub light: LightArgs,

    #[command(flatten)]
    pub run: RunArgs,

    /// one JSON object per line (events, then a summary) instead of the
    /// timeline; a capture command's stdout then goes to stderr
    #[arg(long, global = true, help_heading = "Output")]
    pub json: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn the light off and exit (for a systemd `ExecStopPost=` after a
    /// crash); takes the same light flags, e.g. `spotlight --bcm 17 off`.
    Off,
}

/// Where the light is. At most one of the light flags.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("light").multiple(false)))]
#[command(next_help_heading = "Where the light is")]
pub struct LightArgs {
    /// sysfs GPIO number, as in /sys/class/gpio/gpioN
    #[arg(long, value_name = "N", group = "light", global = true)]
    pub gpio: Option<u32>,

    /// Raspberry Pi BCM pin (the pinout's GPIO17 is 17); the chip's base is
    /// looked up, so it works on kernels whose numbers start at 512 or 571
    #[arg(long, value_name = "N", group = "light", global = true)]
    pub bcm: Option<u32>,

    /// gpiochip label (see /sys/class/gpio/gpiochip*/label); needs --offset
    #[arg(
        long,
        value_name = "LABEL",
        group = "light",
        requires = "offset",
        global = true
    )]
    pub chip: Option<String>,

    /// line offset on the --chip
    #[arg(long, value_name = "N", requires = "chip", global = true)]
    pub offset: Option<u32>,

    /// LED class name (see /sys/class/leds), e.g. ACT
    #[arg(long, value_name = "NAME", group = "light", global = true)]
    pub led: Option<String>,

    /// GPIO character device, e.g. /dev/gpiochip0; needs --line (feature `cdev`)
    #[arg(
        long,
        value_name = "DEVICE",
        group = "light",
        requires = "line",
        conflicts_with = "sim",
        global = true
    )]
    pub cdev: Option<PathBuf>,

    /// line offset on the --cdev chip
    #[arg(long, value_name = "N", requires = "cdev", global = true)]
    pub line: Option<u32>,

    /// the LED lights when the line is low (wired from 3V3 to the pin)
    #[arg(long, global = true)]
    pub active_low: bool,

    /// where sysfs is: the kernel's (default /sys), or where to lay out the
    /// simulated tree (kept after the run)
    #[arg(long, value_name = "PATH", global = true)]
    pub sysfs_root: Option<PathBuf>,

    /// use the simulated Raspberry Pi 5 even when a light flag is given
    #[arg(long, global = true)]
    pub sim: bool,

    /// when another run (any program using this library) has the light,
    /// wait for it to finish instead of refusing
    #[arg(long, global = true)]
    pub wait: bool,
}

/// What happens under the light.
#[derive(Debug, Args)]
#[command(next_help_heading = "Under the light")]
pub struct RunArgs {
    /// how long the light settles before the first capture (50ms, 1s, ...)
    // Hyphen values reach the parser, which says a duration cannot be
    // negative, instead of clap's "unexpected argument '-5'" and its tip
    // to write `-- -5` (which would run `-5` as the capture command).
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "50ms",
        value_parser = parse_settle,
        allow_hyphen_values = true
    )]
    pub settle: Duration,

    /// frames the built-in (simulated) capture loop takes
    #[arg(
        long,
        value_name = "N",
        default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000),
        conflicts_with = "capture"
    )]
    pub captures: u32,

    /// time between the built-in loop's frames
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "100ms",
        value_parser = parse_interval,
        allow_hyphen_values = true,
        conflicts_with = "capture"
    )]
    pub interval: Duration,

    /// a capture command to run under the light instead of the built-in
    /// loop; its exit status is the tool's
    #[arg(last = true, value_name = "CMD ARGS")]
    pub capture: Vec<OsString>,
}

impl Cli {
    /// Parses the command line like `Cli::parse`, and also refuses flags
    /// that mean nothing to `off` (`--settle`, `--captures`, `--interval`,
    /// a command): the light flags may stand before or after `off`, so
    /// clap's blanket `args_conflicts_with_subcommands` cannot be used.
    ///
    /// Bad flags end the process here, as `Cli::parse` does: clap prints
    /// the error naming the flag and exits with status 2 (`--help` and
    /// `--version` print and exit 0).
    pub fn parse_checked() -> Cli {
        let mut command = Cli::command();
        let matches = command.get_matches_mut();
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        if cli.command.is_some() {
            let given = ["settle", "captures", "interval", "capture"]
                .into_iter()
                .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine));
            if let Some(id) = given {
                let flag = if id == "capture" {
                    "a capture command".to_owned()
                } else {
                    format!("--{id}")
                };
                command
                    .error(
                        ErrorKind::ArgumentConflict,
                        format!("{flag} cannot be used with `off`, which only turns the light off"),
                    )
                    .exit();
            }
        }
        cli
    }
}

/// Which light the flags name, before anything is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Gpio(u32),
    Bcm(u32),
    Chip(String, u32),
    Led(String),
    Cdev(PathBuf, u32),
}

impl LightArgs {
    /// The light the flags name, if any (clap has enforced at most one and
    /// the `--chip`/`--offset`, `--cdev`/`--line` pairs).
    pub fn choice(&self) -> Option<Choice> {
        if let Some(gpio) = self.gpio {
            Some(Choice::Gpio(gpio))
        } else if let Some(bcm) = self.bcm {
            Some(Choice::Bcm(bcm))
        } else if let (Some(label), Some(offset)) = (&self.chip, self.offset) {
            Some(Choice::Chip(label.clone(), offset))
        } else if let Some(name) = &self.led {
            Some(Choice::Led(name.clone()))
        } else if let (Some(chip), Some(line)) = (&self.cdev, self.line) {
            Some(Choice::Cdev(chip.clone(), line))
        } else {
            None
        }
    }

    /// Whether the run uses the simulator: asked for, or no light named.
    pub fn simulated(&self) -> bool {
        self.sim || self.choice().is_none()
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    if let Some(rest) = text.strip_prefix('-') {
        // `--settle --json`: the value was forgotten.
        if rest.starts_with(|c: char| c == '-' || c.is_ascii_alphabetic()) {
            return Err(format!(
                "`{text}` is a flag, not a duration: write the duration right after the option, such as `50ms` or `1s`"
            ));
        }
        return Err(
            "a duration cannot be negative; write one such as `50ms`, `1s` or `1m 30s`".into(),
        );
    }
    humantime::parse_duration(text)
        .map_err(|e| format!("{e}; write a duration such as `50ms`, `1s` or `1m 30s`"))
}

/// The longest `--settle` accepted: anything longer is almost certainly a
/// unit mistake. `Spotlight::settle` itself takes any duration; refusing
/// absurd ones belongs here, where people type them.
const MAX_SETTLE: Duration = Duration::from_secs(10);

/// A settle delay that makes sense for a light: longer than zero, at most
/// 10 s.
fn parse_settle(text: &str) -> Result<Duration, String> {
    let settle = parse_duration(text)?;
    if settle.is_zero() {
        return Err("a spotlight's settle delay must be longer than zero: pass at least a few milliseconds (the default is 50 ms)".into());
    }
    if settle > MAX_SETTLE {
        return Err(format!(
            "a spotlight's settle delay of {settle:?} is longer than the 10 s limit: did you mean milliseconds? (`--settle 50ms`)"
        ));
    }
    Ok(settle)
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    let interval = parse_duration(text)?;
    if interval > Duration::from_secs(3600) {
        return Err(format!(
            "{} between frames is longer than the 1h limit; for a time-lapse, run the tool once per frame",
            humantime::format_duration(interval)
        ));
    }
    Ok(interval)
}
