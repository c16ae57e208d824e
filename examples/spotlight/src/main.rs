//! `spotlight`: lights a scene on a Raspberry Pi while something captures
//! it, and turns the light off however the run ends.
//!
//! ```text
//! cargo run -p spotlight                       # on a simulated Pi: runs anywhere
//! cargo run -p spotlight -- --bcm 17 -- rpicam-still -o shot.jpg
//! cargo run -p spotlight -- --help
//! ```
//!
//! The light is an `async_with!(Spotlight ...)` block raced against every
//! signal that stops a process (see `signals.rs`) and against a closed
//! stdout: either drops the block, the spotlight's cancellation hook turns
//! the light off, the capture command's process group is stopped, and the
//! tool exits 128+N (141 or 74 for the lost stdout).

#[cfg(unix)]
mod cli;
#[cfg(unix)]
mod group;
#[cfg(unix)]
mod light;
#[cfg(unix)]
mod run;
#[cfg(unix)]
mod signals;
#[cfg(unix)]
mod timeline;

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse_checked();
    let timeline = timeline::Timeline::new(cli.json);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let code = match runtime {
        Ok(runtime) => runtime.block_on(spotlight(cli, &timeline)),
        Err(e) => {
            timeline.error(&format!("cannot start the Tokio runtime: {e}"));
            1
        }
    };
    // Returned, not `process::exit`: the light's destructors (unexport,
    // trigger restore) run before the process ends.
    std::process::ExitCode::from(code)
}

#[cfg(unix)]
async fn spotlight(cli: cli::Cli, timeline: &timeline::Timeline) -> u8 {
    use embedded_hal::digital::OutputPin;

    // Installed before the light can go on: from here on a signal cancels
    // the run instead of killing the process with the light lit.
    let mut signals = match signals::Signals::install() {
        Ok(signals) => signals,
        Err(e) => {
            timeline.error(&format!(
                "{e}; the tool catches {} to turn the light off on a stop, and will not light without them",
                signals::Signals::names()
            ));
            return 1;
        }
    };
    let opened = tokio::select! {
        biased;
        sig = signals.recv() => {
            timeline.error(&format!("interrupted by {} before the light was on", sig.name()));
            return sig.exit_code();
        }
        opened = light::open(&cli.light) => opened,
    };
    let mut opened = match opened {
        Ok(opened) => opened,
        Err(e) => {
            timeline.error(&light::explain(&e, &cli.light));
            return e.exit_code();
        }
    };
    match cli.command {
        Some(cli::Command::Off) => match opened.light.set_low() {
            Ok(()) => {
                timeline.forced_off(&opened);
                0
            }
            Err(e) => {
                let e = light::OpenError::Light(e);
                timeline.error(&light::explain(&e, &cli.light));
                1
            }
        },
        None => {
            let work = if cli.run.capture.is_empty() {
                run::Work::Frames {
                    count: cli.run.captures,
                    interval: cli.run.interval,
                }
            } else {
                run::Work::Command(cli.run.capture)
            };
            timeline.header(&opened, cli.run.settle, &work.describe());
            run::run(opened.light, work, cli.run.settle, &mut signals, timeline).await
        }
    }
}

#[cfg(not(unix))]
fn main() {
    eprintln!(
        "error: spotlight drives Linux GPIO and needs a Unix system (even for the simulator)"
    );
    std::process::exit(1);
}
