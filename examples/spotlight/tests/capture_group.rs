//! Stopping the tool stops the capture command entirely: the command runs
//! in a process group of its own, the stop signal is passed on to the whole
//! group, and what ignores it is killed after a grace period.
#![cfg(unix)]

mod support;

use support::{Running, Tree, VALUE, is_running, recorded_pid, run, text};

/// `sh -c '<child> & echo $! > <tree>/child; wait'`: a command whose child
/// runs in the background, its pid recorded.
fn with_background_child(tree: &Tree, child: &str) -> String {
    format!(
        "{child} </dev/null >/dev/null 2>&1 & echo $! > '{}'; wait",
        tree.path("child").display()
    )
}

fn start(tree: &Tree, script: &str) -> Running {
    let mut running = Running::start(&[
        "--json",
        "--sysfs-root",
        tree.root(),
        "--",
        "sh",
        "-c",
        script,
    ]);
    let started = running.until("command_started");
    assert_eq!(started["level"], "value 1");
    // The child's pid is written right after the command starts.
    for _ in 0..500 {
        if tree.path("child").exists() && !tree.read("child").is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    running
}

#[test]
fn ctrl_c_stops_the_children_the_capture_command_started() {
    let tree = Tree::new().exported_line("0\n");
    // A shell's background job ignores SIGINT (POSIX), so the passed-on
    // Ctrl-C does not end it: the kill after the grace period must.
    let running = start(&tree, &with_background_child(&tree, "sleep 30"));
    let child = recorded_pid(&tree, "child");
    assert!(is_running(child), "the background child never ran");
    running.signal("INT");
    let (rest, code) = running.finish();
    assert_eq!(code, Some(130), "{rest:?}");
    assert!(
        !is_running(child),
        "the capture command's child {child} outlived the tool"
    );
    assert_eq!(tree.read(VALUE), "0\n");
    assert_eq!(rest[0]["event"], "light_off", "{rest:?}");
    assert_eq!(rest[0]["level"], "value 0", "{rest:?}");
    let stopped = rest.iter().find(|e| e["event"] == "command_stopped");
    let stopped = stopped.unwrap_or_else(|| panic!("no command_stopped event: {rest:?}"));
    assert_eq!(stopped["signal"], "SIGINT");
    assert_eq!(stopped["how"], "killed", "{rest:?}");
}

#[test]
fn sigterm_is_passed_on_to_the_whole_group_and_ends_it() {
    let tree = Tree::new().exported_line("0\n");
    let running = start(&tree, &with_background_child(&tree, "sleep 30"));
    let child = recorded_pid(&tree, "child");
    running.signal("TERM");
    let (rest, code) = running.finish();
    assert_eq!(code, Some(143), "{rest:?}");
    assert!(
        !is_running(child),
        "the capture command's child {child} outlived the tool"
    );
    let stopped = rest.iter().find(|e| e["event"] == "command_stopped");
    let stopped = stopped.unwrap_or_else(|| panic!("no command_stopped event: {rest:?}"));
    // Ended by the SIGTERM itself, without the kill.
    assert_eq!(
        (&stopped["signal"], &stopped["how"]),
        (&"SIGTERM".into(), &"ended".into())
    );
}

#[test]
fn a_child_that_ignores_every_stop_signal_is_killed() {
    let tree = Tree::new().exported_line("0\n");
    let script = with_background_child(&tree, "sh -c 'trap \"\" INT TERM HUP QUIT; sleep 30'");
    let running = start(&tree, &script);
    let child = recorded_pid(&tree, "child");
    running.signal("QUIT");
    let (rest, code) = running.finish();
    assert_eq!(code, Some(131), "{rest:?}");
    assert!(
        !is_running(child),
        "the child {child} that ignores SIGTERM outlived the tool"
    );
    let stopped = rest.iter().find(|e| e["event"] == "command_stopped");
    let stopped = stopped.unwrap_or_else(|| panic!("no command_stopped event: {rest:?}"));
    assert_eq!(
        (&stopped["signal"], &stopped["how"]),
        (&"SIGTERM".into(), &"killed".into())
    );
}

#[test]
fn what_a_finished_capture_command_left_running_is_stopped_too() {
    let tree = Tree::new().exported_line("0\n");
    // The shell ends at once, leaving its background `sleep` behind.
    let script = format!(
        "sleep 30 </dev/null >/dev/null 2>&1 & echo $! > '{}'",
        tree.path("child").display()
    );
    let output = run(&["--sysfs-root", tree.root(), "--", "sh", "-c", &script]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let child = recorded_pid(&tree, "child");
    assert!(
        !is_running(child),
        "the background child {child} outlived the tool"
    );
    assert_eq!(tree.read(VALUE), "0\n");
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("command stopped SIGTERM to its process group; all of it ended"),
        "{stdout}"
    );
}
