//! A closed stdout or stderr is no panic and never leaves the light on: a
//! lost timeline stops the run like SIGPIPE would, with a clear status.
#![cfg(unix)]

mod support;

use std::process::Stdio;

use support::{Tree, VALUE, spotlight, text};

#[test]
fn a_stdout_whose_reader_went_away_stops_the_run_with_the_light_off_and_exits_141() {
    let tree = Tree::new().exported_line("0\n");
    // `spotlight ... | head -1`: the reader goes away while frames come.
    let mut child = spotlight(&[
        "--sysfs-root",
        tree.root(),
        "--captures",
        "1000",
        "--interval",
        "20ms",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("error: cannot write the timeline to stdout: Broken pipe"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the run was stopped and the light is off"),
        "{stderr}"
    );
    assert_eq!(tree.read(VALUE), "0\n");
}

#[test]
fn a_stderr_whose_reader_went_away_is_no_panic() {
    // An error goes to stderr; `eprintln!` would panic (exit 101) there.
    let mut child = spotlight(&["--sim", "--gpio", "9999"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
}

#[test]
fn a_stderr_lost_while_waiting_for_the_light_is_no_panic_and_the_run_completes() {
    // `--wait` says on stderr that it queues; with stderr gone it must still
    // queue, light, and turn the light off.
    let tree = Tree::new();
    let args = [
        "--json",
        "--sim",
        "--sysfs-root",
        tree.root(),
        "--bcm",
        "17",
    ];
    let mut first = spotlight(&[&args[..], &["--captures", "3", "--interval", "100ms"]].concat())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut events = std::io::BufRead::lines(std::io::BufReader::new(first.stdout.take().unwrap()));
    assert!(
        events.any(|l| l.unwrap().contains("\"capture\"")),
        "the first run never lit"
    );
    let mut second = spotlight(&[&args[..], &["--wait", "--captures", "1"]].concat())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(second.stderr.take());
    let output = second.wait_with_output().unwrap();
    for line in events {
        line.unwrap();
    }
    assert_eq!(first.wait().unwrap().code(), Some(0));
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("\"value 1\""),
        "the second run never lit: {stdout}"
    );
    assert!(!tree.path("class/gpio/gpio588").exists(), "left exported");
}

#[test]
fn closed_stdout_and_stderr_descriptors_are_no_panic_and_leave_the_light_off() {
    let tree = Tree::new().exported_line("0\n");
    for redirect in [">&-", "2>&-", ">&- 2>&-"] {
        // `exec`: the shell closes the descriptors and becomes the tool.
        let script = format!("exec \"$0\" \"$@\" {redirect}");
        let exe = spotlight(&[]).get_program().to_owned();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(exe)
            .args([
                "--sysfs-root",
                tree.root(),
                "--captures",
                "2",
                "--interval",
                "10ms",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        // Rust's runtime reopens closed standard descriptors on /dev/null,
        // so the run completes; what matters is no panic and no light.
        assert_eq!(status.code(), Some(0), "{redirect}");
        assert_eq!(tree.read(VALUE), "0\n", "{redirect}");
    }
}
