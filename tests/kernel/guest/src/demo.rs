//! The `spotlight` example (examples/spotlight) as a user runs it on a Pi,
//! with a real GPIO number: the line is high while its capture command runs
//! and low after; SIGTERM turns it off and exits 143.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::kernel;
use crate::layout::{CHIP_A, DEMO_BINARY, line};
use crate::report::Report;

/// How long the demo may take to light the line under TCG.
const LIGHT_LIMIT: Duration = Duration::from_secs(30);

pub(crate) fn run(r: &mut Report) {
    capture_command(r);
    sigterm(r);
}

fn capture_command(r: &mut Report) {
    let offset = line::DEMO;
    let gpio = CHIP_A.base + offset;
    let name = format!("spotlight --gpio {gpio} -- sh -c 'cat <debugfs value> > file'");
    let value_file = match kernel::line_value_file(CHIP_A.label, offset) {
        Ok(file) => file,
        Err(e) => return r.fail(&format!("{name}: find the debugfs value"), e),
    };
    let seen = "/tmp/demo-value-during-capture";
    let output = Command::new(DEMO_BINARY)
        .args(["--gpio", &gpio.to_string(), "--", "sh", "-c"])
        .arg(format!("cat {} > {seen}", value_file.display()))
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => return r.fail(&format!("{name}: run"), format_args!("{DEMO_BINARY}: {e}")),
    };
    print_indented(&output.stdout);
    print_indented(&output.stderr);
    r.check(
        &format!("{name}: exits 0 and the capture command saw the line high"),
        (Some(0), Ok("1".to_owned())),
        (output.status.code(), kernel::read(seen)),
    );
    r.check(
        &format!("{name}: line low and unexported afterwards"),
        (Ok("0".to_owned()), false),
        (
            kernel::mockup_value(CHIP_A.label, offset),
            kernel::is_exported(gpio),
        ),
    );
}

fn sigterm(r: &mut Report) {
    let offset = line::DEMO_SIGNAL;
    let gpio = CHIP_A.base + offset;
    let name = format!("spotlight --gpio {gpio} -- sleep 600, then SIGTERM");
    let child = Command::new(DEMO_BINARY)
        .args(["--gpio", &gpio.to_string(), "--", "sleep", "600"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(e) => return r.fail(&format!("{name}: run"), format_args!("{DEMO_BINARY}: {e}")),
    };
    let lit = kernel::wait_until(LIGHT_LIMIT, || {
        kernel::mockup_value(CHIP_A.label, offset).as_deref() == Ok("1")
    });
    // busybox kill: std can only send SIGKILL, which the demo cannot catch.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .map(|s| s.success());
    let output = child.wait_with_output();
    if let Ok(output) = &output {
        print_indented(&output.stdout);
        print_indented(&output.stderr);
    }
    r.check(
        &format!("{name}: line lit, then SIGTERM makes it exit 143"),
        (true, Ok(true), Some(143)),
        (
            lit,
            killed.map_err(|e| e.to_string()),
            output.ok().and_then(|o| o.status.code()),
        ),
    );
    r.check(
        &format!("{name}: line low and unexported afterwards"),
        (Ok("0".to_owned()), false),
        (
            kernel::mockup_value(CHIP_A.label, offset),
            kernel::is_exported(gpio),
        ),
    );
}

/// Shows the demo's own output under the check, for a reader of the log.
pub(crate) fn print_indented(bytes: &[u8]) {
    for line in String::from_utf8_lossy(bytes).lines() {
        println!("     | {line}");
    }
}
