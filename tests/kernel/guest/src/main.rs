//! Runs inside the QEMU guest booted by `tests/kernel/run.sh` and checks the
//! async-with LED backends against a real Linux kernel: gpio-mockup lines,
//! uleds and leds-gpio LEDs, `/dev/gpiochipN`.
//!
//! Prints one `PASS name` / `FAIL name: expected .. got ..` line per check,
//! then `kernel-checks: N passed, M failed`, and exits non-zero on any
//! failure. run.sh compares N + M with the number of checks it expects, so a
//! check that silently does not run fails the tier.
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

mod cancel;
mod cdev;
mod demo;
mod kernel;
mod layout;
mod lit;
mod plumbing;
mod report;
mod runs;
mod sysfs_gpio;
mod sysfs_led;
mod triggers;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Outside the VM these checks would export real GPIOs and poke real LEDs.
    if std::env::var_os("GPIO_MOCKUP_CHIP").is_none() {
        eprintln!(
            "async-with-kernel-tests: GPIO_MOCKUP_CHIP is not set; this binary runs \
             inside the test VM only: run tests/kernel/run.sh"
        );
        return ExitCode::from(2);
    }
    let mut report = report::Report::default();
    plumbing::run(&mut report);
    if let Err(e) = backends(&mut report) {
        report.fail("start a Tokio runtime", e);
    }
    demo::run(&mut report);
    runs::run(&mut report);
    report.finish()
}

/// Runs the backend checks: on a plain runtime, as an application would,
/// and the cancellation checks on one with paused time.
fn backends(report: &mut report::Report) -> std::io::Result<()> {
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_time();
    runtime.build()?.block_on(async {
        sysfs_gpio::run(report).await;
        sysfs_led::run(report).await;
        cdev::run(report).await;
        triggers::run(report).await;
    });
    runtime
        .start_paused(true)
        .build()?
        .block_on(cancel::run(report));
    Ok(())
}
