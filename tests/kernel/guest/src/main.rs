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

mod kernel;
mod layout;
mod plumbing;
mod report;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Outside the VM these checks would export real GPIOs and poke real LEDs.
    if std::env::var_os("GPIO_MOCKUP_DEBUGFS").is_none() {
        eprintln!(
            "async-with-kernel-tests: GPIO_MOCKUP_DEBUGFS is not set; this binary runs \
             inside the test VM only: run tests/kernel/run.sh"
        );
        return ExitCode::from(2);
    }
    let mut report = report::Report::default();
    plumbing::run(&mut report);
    report.finish()
}
