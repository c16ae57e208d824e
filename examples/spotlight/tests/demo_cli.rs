//! The spotlight tool as a person runs it: the built binary as a process,
//! on the simulated Raspberry Pi, judged by the light's files, its exit
//! status and what it prints.
#![cfg(unix)]

mod support;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{Running, Tree, VALUE, events, run, slow_lit_run, spotlight, text};

#[test]
fn the_default_run_prints_a_timeline_that_ends_with_the_light_off() {
    let output = run(&[]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with(
        "spotlight: GPIO 588 (BCM 17 on pinctrl-rp1) on the simulated Raspberry Pi 5"
    ));
    let timeline: Vec<&str> = lines
        .iter()
        .filter(|l| l.contains(" ms  "))
        .copied()
        .collect();
    let steps: Vec<String> = timeline
        .iter()
        .map(|l| {
            l.split(" ms  ")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        steps,
        [
            "light on value 1",
            "settled after 50ms",
            "frame 1/3 value 1",
            "frame 2/3 value 1",
            "frame 3/3 value 1",
            "light off value 0, completed: 3 frames",
        ]
    );
    let stamps: Vec<f64> = timeline
        .iter()
        .map(|l| l.split(" ms").next().unwrap().trim().parse().unwrap())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
    let summary = lines.last().unwrap();
    assert!(
        summary.starts_with("completed: 3 frames; lit for "),
        "{summary}"
    );
    assert!(summary.ends_with("; light off; exit 0"), "{summary}");
}

#[test]
fn json_mode_prints_one_event_per_line_in_order() {
    let output = run(&["--json", "--captures", "2", "--settle", "20ms"]);
    assert_eq!(output.status.code(), Some(0));
    let events = events(&output);
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "start",
            "light_on",
            "settled",
            "capture",
            "capture",
            "light_off",
            "summary"
        ]
    );
    assert_eq!(events[0]["settle_ms"], 20.0);
    assert_eq!(events[0]["simulated"], true);
    assert_eq!(events[1]["level"], "value 1");
    assert_eq!(events[4]["frame"], 2);
    assert_eq!(events[5]["why"], "completed");
    assert_eq!(events[5]["level"], "value 0");
    assert_eq!(events[6]["exit_code"], 0);
    assert_eq!(events[6]["light_off"], true);
    let stamps: Vec<f64> = events.iter().map(|e| e["t_ms"].as_f64().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
}

#[test]
fn json_mode_sends_the_capture_commands_output_to_stderr() {
    let output = run(&["--json", "--", "echo", "frame written"]);
    assert_eq!(output.status.code(), Some(0));
    let names: Vec<String> = events(&output)
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "start",
            "light_on",
            "settled",
            "command_started",
            "command_exited",
            "light_off",
            "summary"
        ]
    );
    assert_eq!(text(&output.stderr), "frame written\n");
}

#[test]
fn the_capture_command_runs_with_the_light_on_and_it_is_off_afterwards() {
    let tree = Tree::new().exported_line("0\n");
    let script = tree.cat_into(VALUE, "during");
    let output = run(&["--sysfs-root", tree.root(), "--", "sh", "-c", &script]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tree.read("during"), "1\n");
    assert_eq!(tree.read(VALUE), "0\n");
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("light off       value 0, completed: `sh` exit status 0"),
        "{stdout}"
    );
}

#[test]
fn an_active_low_light_is_driven_low_while_lit_and_high_afterwards() {
    let tree = Tree::new().exported_line("1\n");
    let script = tree.cat_into(VALUE, "during");
    let args = [
        "--sim",
        "--bcm",
        "17",
        "--active-low",
        "--sysfs-root",
        tree.root(),
    ];
    let output = run(&[&args[..], &["--", "sh", "-c", &script]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tree.read("during"), "0\n");
    assert_eq!(tree.read(VALUE), "1\n");
    assert!(text(&output.stdout).contains("(active low: it reads 0 while the light is on)"));
}

#[test]
fn a_line_the_tool_exported_is_unexported_after_the_run() {
    let tree = Tree::new();
    let script = tree.cat_into(VALUE, "during");
    let output = run(&[
        "--sim",
        "--bcm",
        "17",
        "--sysfs-root",
        tree.root(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tree.read("during"), "1\n");
    assert!(
        !tree.path("class/gpio/gpio588").exists(),
        "gpio588 is still exported"
    );
}

#[test]
fn a_failing_capture_command_turns_the_light_off_and_returns_its_status() {
    let tree = Tree::new().exported_line("0\n");
    let output = run(&["--sysfs-root", tree.root(), "--", "sh", "-c", "exit 3"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(tree.read(VALUE), "0\n");
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("light off       value 0, failed: `sh` ended with exit status 3"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("light off; exit 3"), "{stdout}");
}

#[test]
fn a_capture_command_that_does_not_exist_exits_127_with_the_light_off() {
    let tree = Tree::new().exported_line("0\n");
    let output = run(&["--sysfs-root", tree.root(), "--", "no-such-capture-command"]);
    assert_eq!(output.status.code(), Some(127));
    assert_eq!(tree.read(VALUE), "0\n");
    assert!(text(&output.stdout).contains("could not run `no-such-capture-command`"));
}

#[test]
fn sigint_mid_run_turns_the_light_off_and_exits_130() {
    let tree = Tree::new().exported_line("0\n");
    let mut running = slow_lit_run(&tree);
    let frame = running.until("capture");
    assert_eq!(frame["level"], "value 1");
    assert_eq!(tree.read(VALUE), "1\n");
    running.signal("INT");
    let (rest, code) = running.finish();
    // Read before the tool dropped the light: the block's cancellation
    // turned it off, not the backend's destructor on the way out.
    assert_eq!(rest[0]["level"], "value 0", "{rest:?}");
    assert_eq!(code, Some(130));
    assert_eq!(tree.read(VALUE), "0\n");
    let names: Vec<&str> = rest.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["light_off", "summary"]);
    assert_eq!(rest[0]["why"], "interrupted");
    assert_eq!(rest[0]["detail"], "SIGINT");
    assert_eq!(rest[1]["exit_code"], 130);
}

#[test]
fn sigint_during_the_settle_turns_the_light_off_before_the_first_capture() {
    let tree = Tree::new().exported_line("0\n");
    let mut running = Running::start(&["--json", "--sysfs-root", tree.root(), "--settle", "10s"]);
    running.until("light_on");
    assert_eq!(tree.read(VALUE), "1\n");
    running.signal("INT");
    let (rest, code) = running.finish();
    // Read before the tool dropped the light: the block's cancellation
    // turned it off, not the backend's destructor on the way out.
    assert_eq!(rest[0]["level"], "value 0", "{rest:?}");
    assert_eq!(code, Some(130));
    assert_eq!(tree.read(VALUE), "0\n");
    let names: Vec<&str> = rest.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["light_off", "summary"],
        "no settled or capture event"
    );
}

#[test]
fn sighup_turns_the_light_off_and_exits_129() {
    let tree = Tree::new().exported_line("0\n");
    let mut running = Running::start(&["--json", "--sysfs-root", tree.root(), "--interval", "10s"]);
    running.until("capture");
    running.signal("HUP");
    let (rest, code) = running.finish();
    // Read before the tool dropped the light: the block's cancellation
    // turned it off, not the backend's destructor on the way out.
    assert_eq!(rest[0]["level"], "value 0", "{rest:?}");
    assert_eq!(code, Some(129));
    assert_eq!(tree.read(VALUE), "0\n");
    assert_eq!(rest[0]["detail"], "SIGHUP");
}

#[test]
fn sigterm_during_a_capture_command_kills_it_turns_the_light_off_and_exits_143() {
    let tree = Tree::new().exported_line("0\n");
    // The shell keeps the tool's stdout and stderr open until it ends; its
    // `sleep` does not. Killed, it never writes `survived`; left running,
    // it holds the pipes open until it has written it.
    let script = format!(
        "sleep 30 </dev/null >/dev/null 2>&1; echo survived > '{}'",
        tree.path("survived").display()
    );
    let mut running = Running::start(&[
        "--json",
        "--sysfs-root",
        tree.root(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let started = running.until("command_started");
    assert_eq!(started["level"], "value 1");
    running.signal("TERM");
    let (rest, code) = running.finish();
    assert!(
        !tree.path("survived").exists(),
        "the capture command outlived the tool"
    );
    // Read before the tool dropped the light: the block's cancellation
    // turned it off, not the backend's destructor on the way out.
    assert_eq!(rest[0]["level"], "value 0", "{rest:?}");
    assert_eq!(code, Some(143));
    assert_eq!(tree.read(VALUE), "0\n");
    assert_eq!(rest[0]["event"], "light_off");
    assert_eq!(rest[0]["detail"], "SIGTERM");
}

#[test]
fn bad_flags_exit_2_with_a_message_naming_the_flag() {
    for (args, expected) in [
        (&["--settle", "soon"][..], "'--settle <DURATION>'"),
        (&["--settle", "0ms"], "longer than zero"),
        (&["--settle", "-5ms"], "'--settle <DURATION>'"),
        (&["--settle", "-5ms"], "cannot be negative"),
        (&["--interval", "-1s"], "'--interval <DURATION>'"),
        (&["--settle", "--json"], "is a flag, not a duration"),
        (&["--settle", "1min"], "longer than the 10 s limit"),
        (&["--captures", "0"], "'--captures <N>'"),
        (&["--interval", "fast"], "'--interval <DURATION>'"),
        (
            &["--gpio", "1", "--bcm", "2"],
            "'--gpio <N>' cannot be used with '--bcm <N>'",
        ),
        (&["--chip", "pinctrl-rp1"], "--offset <N>"),
        (
            &["--captures", "2", "--", "true"],
            "'--captures <N>' cannot be used",
        ),
        (
            &["--settle", "1s", "off"],
            "--settle cannot be used with `off`",
        ),
        (&["--frobnicate"], "'--frobnicate'"),
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed a timeline");
    }
}

#[test]
fn an_unknown_gpio_exits_1_with_the_backends_error_and_a_hint() {
    let output = run(&["--sim", "--gpio", "9999"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: no GPIO 9999: no gpiochip under "),
        "{stderr}"
    );
    assert!(stderr.contains("pinctrl-rp1 571..625"), "{stderr}");
    assert!(
        stderr.contains("hint: sysfs numbers start at the chip's base"),
        "{stderr}"
    );
}

#[test]
fn a_system_without_sysfs_gpio_exits_1_and_points_at_sim_and_cdev() {
    // Not simulated (a light flag, no --sim): an empty root is a kernel
    // without GPIO sysfs, or a PC.
    let empty = tempfile::tempdir().unwrap();
    let output = run(&[
        "--bcm",
        "17",
        "--sysfs-root",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("class/gpio for the GPIO chips failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: this system has no sysfs GPIO"),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "a light that never opened has no timeline"
    );
}

#[test]
fn off_turns_a_line_left_on_by_a_crashed_run_off() {
    let tree = Tree::new().exported_line("1\n");
    let output = run(&["--sim", "--bcm", "17", "--sysfs-root", tree.root(), "off"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tree.read(VALUE), "0\n");
    assert!(text(&output.stdout).contains("light off       value 0, GPIO 588"));
}

#[test]
fn an_led_class_light_is_lit_at_max_brightness_and_gets_its_trigger_back() {
    let tree = Tree::new();
    let script = tree.cat_into("class/leds/ACT/brightness", "during");
    let output = run(&[
        "--sim",
        "--led",
        "ACT",
        "--sysfs-root",
        tree.root(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tree.read("during"), "255\n");
    assert_eq!(tree.read("class/leds/ACT/brightness"), "0\n");
    assert!(tree.read("class/leds/ACT/trigger").contains("[mmc0]"));
}

#[test]
fn help_shows_examples_for_every_way_to_name_the_light() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for example in [
        "spotlight --bcm 17 -- rpicam-still -o shot.jpg",
        "spotlight --gpio 588",
        "spotlight --chip pinctrl-rp1 --offset 17 --active-low",
        "spotlight --led ACT",
        "spotlight --cdev /dev/gpiochip0 --line 17",
        "spotlight --bcm 17 off",
        "spotlight --json",
    ] {
        assert!(help.contains(example), "--help lacks `{example}`");
    }
}

/// A run whose capture command holds the light until [`Held::release`]:
/// no timing decides whether a second run meets it lit. The command
/// records what `watched` (the light's file, relative to the tree) read
/// once released, so the test sees whether the light stayed on throughout.
struct Held {
    running: Running,
    release: PathBuf,
    seen: PathBuf,
}

impl Held {
    fn start(tree: &Tree, light: &[&str], watched: &str) -> Self {
        let release = tree.path("release");
        let seen = tree.path("seen");
        let watched = tree.path(watched);
        let script = r#"while [ ! -e "$1" ]; do sleep 0.02; done; cat "$2" > "$3""#;
        let mut args = vec!["--json", "--sim", "--sysfs-root", tree.root()];
        args.extend_from_slice(light);
        let paths = [&release, &watched, &seen].map(|p| p.to_str().unwrap().to_owned());
        args.extend_from_slice(&["--", "sh", "-c", script, "sh"]);
        args.extend(paths.iter().map(String::as_str));
        let mut running = Running::start(&args);
        running.until("command_started");
        Held {
            running,
            release,
            seen,
        }
    }

    /// Lets the capture command end; the exit code, and what the light's
    /// file read just before.
    fn release(self) -> (Option<i32>, String) {
        fs::write(&self.release, "").unwrap();
        let (_, code) = self.running.finish();
        let seen = fs::read_to_string(&self.seen).unwrap_or_else(|e| format!("unread: {e}"));
        (code, seen.trim().to_owned())
    }
}

/// Polls `path` until it contains `needle`; panics with what it held after
/// a minute (a run that never got there).
fn wait_for_text(path: &PathBuf, needle: &str) {
    for _ in 0..3000 {
        if fs::read_to_string(path).is_ok_and(|text| text.contains(needle)) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!(
        "{} never said {needle:?}: {:?}",
        path.display(),
        fs::read_to_string(path)
    );
}

#[test]
fn a_second_run_on_a_lit_line_is_refused_and_the_first_never_goes_dark() {
    let tree = Tree::new();
    let first = Held::start(&tree, &["--bcm", "17"], "class/gpio/gpio588/value");
    let second = run(&["--sim", "--sysfs-root", tree.root(), "--bcm", "17"]);
    assert_eq!(second.status.code(), Some(1));
    let stderr = text(&second.stderr);
    assert!(
        stderr.contains("GPIO 588 (BCM 17 on pinctrl-rp1) is in use by process "),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("process {}", first.running.child.id())),
        "{stderr}"
    );
    assert!(stderr.contains("--wait"), "{stderr}");
    let (code, seen) = first.release();
    assert_eq!(code, Some(0));
    assert_eq!(
        seen, "1",
        "the first run's light stayed on through the second's attempt"
    );
    assert!(!tree.path("class/gpio/gpio588").exists(), "unexported once");
}

#[test]
fn with_wait_the_second_run_queues_and_lights_after_the_first() {
    let tree = Tree::new();
    let first = Held::start(&tree, &["--bcm", "17"], "class/gpio/gpio588/value");
    let log = tree.path("second.stderr");
    let mut second = {
        let mut command = spotlight(&["--json", "--sim", "--sysfs-root", tree.root()]);
        command.args([
            "--bcm",
            "17",
            "--captures",
            "2",
            "--interval",
            "100ms",
            "--wait",
        ]);
        command.stderr(fs::File::create(&log).unwrap());
        Running::spawn(command)
    };
    wait_for_text(&log, "waiting for it (--wait)");
    assert!(
        fs::read_to_string(&log)
            .unwrap()
            .contains("is in use by process ")
    );
    let (code, seen) = first.release();
    assert_eq!(code, Some(0));
    assert_eq!(seen, "1", "the queued run did not take the light early");
    let frame = second.until("capture");
    assert_eq!(frame["level"], "value 1");
    let (_, code) = second.finish();
    assert_eq!(code, Some(0));
    assert!(!tree.path("class/gpio/gpio588").exists());
}

#[test]
fn a_second_run_on_a_lit_led_is_refused_and_the_first_keeps_it_and_its_trigger() {
    let tree = Tree::new();
    let first = Held::start(&tree, &["--led", "ACT"], "class/leds/ACT/brightness");
    let second = run(&["--sim", "--sysfs-root", tree.root(), "--led", "ACT"]);
    assert_eq!(second.status.code(), Some(1));
    let stderr = text(&second.stderr);
    assert!(
        stderr.contains("LED \"ACT\" is in use by process "),
        "{stderr}"
    );
    let (code, seen) = first.release();
    assert_eq!(code, Some(0));
    assert_eq!(seen, "255", "the first run's LED stayed at full brightness");
    assert!(tree.read("class/leds/ACT/trigger").contains("[mmc0]"));
}

#[test]
fn the_header_says_what_the_file_reads_when_the_kernel_inverts_the_line() {
    for (flags, reads, why) in [
        (
            &["--active-low"][..],
            "1",
            "active low, and the kernel's active_low is 1 too",
        ),
        (&[][..], "0", "the kernel's active_low is 1"),
    ] {
        let tree = Tree::new().exported_line("0\n");
        fs::write(tree.path("class/gpio/gpio588/active_low"), "1\n").unwrap();
        let script = tree.cat_into(VALUE, "during");
        let mut args = vec!["--sim", "--bcm", "17", "--sysfs-root", tree.root()];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["--", "sh", "-c", &script]);
        let output = run(&args);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let stdout = text(&output.stdout);
        let note = format!("({why}: it reads {reads} while the light is on)");
        assert!(stdout.contains(&note), "{stdout}");
        assert_eq!(
            tree.read("during"),
            format!("{reads}\n"),
            "the note is true"
        );
    }
}

#[test]
fn ctrl_c_to_the_whole_process_group_is_always_reported_as_the_interruption() {
    use std::os::unix::process::CommandExt;
    for attempt in 0..5 {
        let tree = Tree::new().exported_line("0\n");
        let mut child = spotlight(&["--json", "--sysfs-root", tree.root(), "--", "sleep", "5"])
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut events = BufReader::new(child.stdout.take().unwrap()).lines();
        let started = (&mut events)
            .map(|l| serde_json::from_str::<Value>(&l.unwrap()).unwrap())
            .find(|e| e["event"] == "command_started");
        assert!(
            started.is_some(),
            "attempt {attempt}: the command never started"
        );
        // What a terminal does: the signal goes to every process in the group.
        let group = format!("-{}", child.id());
        let status = Command::new("kill")
            .args(["-INT", "--", &group])
            .status()
            .unwrap();
        assert!(status.success());
        let rest: Vec<Value> = events
            .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
            .collect();
        let code = child.wait().unwrap().code();
        let off = rest.iter().find(|e| e["event"] == "light_off").unwrap();
        assert_eq!(off["why"], "interrupted", "attempt {attempt}: {rest:?}");
        assert_eq!(off["detail"], "SIGINT", "attempt {attempt}: {rest:?}");
        assert_eq!(code, Some(130), "attempt {attempt}");
        assert_eq!(tree.read(VALUE), "0\n");
    }
}

#[test]
fn bcm_tries_the_character_device_first_and_says_when_it_falls_back_to_sysfs() {
    let chips = fs::read_dir("/dev")
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("gpiochip"))
        })
        .unwrap_or(false);
    let output = run(&["--bcm", "17", "--captures", "1"]);
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    if chips {
        // A machine with GPIO chips: either a chip carries a Pi label and the
        // run goes through it, or the fallback says why not.
        assert!(
            all.contains("on the GPIO character device") || all.contains("falling back to sysfs"),
            "{all}"
        );
    } else {
        assert!(
            all.contains(
                "note: the GPIO character device is not usable (there is no /dev/gpiochip*); falling back to sysfs"
            ),
            "{all}"
        );
    }
}

#[test]
fn sysfs_root_and_gpio_never_go_through_the_character_device() {
    let tree = Tree::new().exported_line("0\n");
    for light in [&["--gpio", "588"][..], &["--bcm", "17"][..]] {
        let mut args = vec!["--sysfs-root", tree.root(), "--captures", "1"];
        args.extend_from_slice(light);
        let output = run(&args);
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(!all.contains("character device"), "{light:?}: {all}");
        if light[0] == "--gpio" {
            assert_eq!(output.status.code(), Some(0), "{all}");
            assert!(all.contains("frame 1/1       value 1"), "{all}");
        }
    }
}
