//! Every signal a person, a terminal or a supervisor sends to stop a
//! process turns the light off, and the tool exits 128+N.
#![cfg(unix)]

mod support;

use support::{Running, Tree, VALUE, slow_lit_run};

/// Starts a lit run of slow frames, waits for the first, sends `signal`,
/// and checks the light went off in the block (not at exit), the exit
/// status and the timeline's word for it.
fn stopped_by(signal: &str, code: i32) {
    let tree = Tree::new().exported_line("0\n");
    let mut running = slow_lit_run(&tree);
    let frame = running.until("capture");
    assert_eq!(frame["level"], "value 1");
    running.signal(signal);
    let (rest, exit) = running.finish();
    assert_eq!(exit, Some(code), "SIG{signal}: {rest:?}");
    assert_eq!(tree.read(VALUE), "0\n", "SIG{signal} left the light on");
    // Read as the block ended: the cancellation turned it off.
    assert_eq!(rest[0]["event"], "light_off", "SIG{signal}: {rest:?}");
    assert_eq!(rest[0]["level"], "value 0", "SIG{signal}: {rest:?}");
    assert_eq!(rest[0]["why"], "interrupted", "SIG{signal}: {rest:?}");
    assert_eq!(rest[0]["detail"], format!("SIG{signal}"), "{rest:?}");
    assert_eq!(rest[1]["exit_code"], code, "SIG{signal}: {rest:?}");
}

#[test]
fn sigquit_turns_the_light_off_and_exits_131() {
    stopped_by("QUIT", 131);
}

#[test]
fn sigterm_turns_the_light_off_and_exits_143() {
    stopped_by("TERM", 143);
}

#[test]
fn signals_whose_default_is_to_end_the_process_turn_the_light_off_and_exit_128_plus_n() {
    // Numbers as on Linux x86_64, aarch64 and armv7, the targets CI runs.
    for (signal, code) in [
        ("USR1", 138),
        ("USR2", 140),
        ("ALRM", 142),
        ("XCPU", 152),
        ("XFSZ", 153),
        ("VTALRM", 154),
        ("PROF", 155),
        ("IO", 157),
        ("PWR", 158),
    ] {
        stopped_by(signal, code);
    }
}

#[test]
fn sigpipe_from_kill_is_ignored_and_the_run_completes_lit() {
    // Rust's runtime ignores SIGPIPE: a closed pipe is a write error (see
    // closed_output.rs), and `kill -PIPE` must not stop or kill the run.
    let tree = Tree::new().exported_line("0\n");
    let mut running = Running::start(&[
        "--json",
        "--sysfs-root",
        tree.root(),
        "--captures",
        "3",
        "--interval",
        "200ms",
    ]);
    running.until("capture");
    running.signal("PIPE");
    let (rest, exit) = running.finish();
    assert_eq!(exit, Some(0), "{rest:?}");
    let levels: Vec<&str> = rest
        .iter()
        .filter(|e| e["event"] == "capture")
        .map(|e| e["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["value 1", "value 1"], "{rest:?}");
    assert_eq!(tree.read(VALUE), "0\n");
}
