//! The `spotlight` tool, several runs at once, on the kernel: one owner per
//! light (a second run on a lit line or LED is refused, or queues with
//! `--wait`, and the first never goes dark), `--bcm 17` through the
//! character device found by the label `pinctrl-bcm2711` (a gpio-sim chip),
//! and recovery after SIGKILL with `off`.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::Duration;

use crate::demo::print_indented;
use crate::kernel;
use crate::layout::{CHIP_A, DEMO_BINARY, ULED_TRIGGER, line};
use crate::report::Report;

/// How long a run may take to light its light under TCG.
const LIGHT_LIMIT: Duration = Duration::from_secs(30);

pub(crate) fn run(r: &mut Report) {
    bcm_through_cdev(r);
    overlapping_on_a_line(r);
    overlapping_with_wait(r);
    overlapping_on_cdev(r);
    overlapping_on_an_led(r);
    sigkill_then_off_on_cdev(r);
}

/// A run whose timeline is read line by line as it comes.
struct Running {
    child: Child,
    lines: std::io::Lines<BufReader<ChildStdout>>,
    seen: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Result<Running, String> {
        let mut child = Command::new(DEMO_BINARY)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{DEMO_BINARY}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        Ok(Running {
            child,
            lines: BufReader::new(stdout).lines(),
            seen: Vec::new(),
        })
    }

    /// Reads the timeline up to the first line containing `text`.
    fn until(&mut self, text: &str) -> bool {
        for line in &mut self.lines {
            let Ok(line) = line else { return false };
            let found = line.contains(text);
            self.seen.push(line);
            if found {
                return true;
            }
        }
        false
    }

    /// The whole timeline and the exit code.
    fn finish(mut self) -> (Vec<String>, Option<i32>) {
        self.seen.extend((&mut self.lines).map_while(Result::ok));
        let output = self.child.wait_with_output();
        for line in &self.seen {
            println!("     | {line}");
        }
        if let Ok(output) = &output {
            print_indented(&output.stderr);
        }
        (self.seen, output.ok().and_then(|o| o.status.code()))
    }
}

fn run_to_end(args: &[&str]) -> Result<Output, String> {
    let output = Command::new(DEMO_BINARY)
        .args(args)
        .output()
        .map_err(|e| format!("{DEMO_BINARY}: {e}"))?;
    print_indented(&output.stdout);
    print_indented(&output.stderr);
    Ok(output)
}

/// The frame lines' levels (`value 1`, `brightness 7`).
fn frame_levels(timeline: &[String]) -> Vec<String> {
    timeline
        .iter()
        .filter(|l| l.contains(" frame "))
        .map(|l| {
            let mut words: Vec<&str> = l.split_whitespace().collect();
            let value = words.pop().unwrap_or_default();
            let attr = words.pop().unwrap_or_default();
            format!("{attr} {value}")
        })
        .collect()
}

/// The label run.sh gives the gpio-sim chip that stands for a Pi 4's
/// header controller (`--sim-chip pinctrl-bcm2711=58`).
const PI_LABEL: &str = "pinctrl-bcm2711";

/// What the `pinctrl-bcm2711` chip sees on line `offset` (what it outputs).
fn sim_value(offset: u32) -> Result<String, String> {
    kernel::mockup_value(PI_LABEL, offset)
}

/// Whether the kernel lists a line held by the consumer `spotlight`.
fn held_by_spotlight() -> Result<bool, String> {
    Ok(kernel::read("/sys/kernel/debug/gpio")?
        .lines()
        .any(|l| l.contains("spotlight")))
}

fn bcm_through_cdev(r: &mut Report) {
    let name = "spotlight --bcm 17 (gpio-sim chip labelled pinctrl-bcm2711)";
    let seen = "/tmp/bcm17-during-capture";
    let value = match kernel::line_value_file(PI_LABEL, 17) {
        Ok(value) => value,
        Err(e) => return r.fail(&format!("{name}: find the chip's value file"), e),
    };
    let script = format!("cat {} > {seen}", value.display());
    let output = match run_to_end(&["--bcm", "17", "--", "sh", "-c", &script]) {
        Ok(output) => output,
        Err(e) => return r.fail(name, e),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let header = stdout.lines().next().unwrap_or_default().to_owned();
    r.check(
        &format!(
            "{name}: through /dev/gpiochipN found by label, line high for the command, exit 0"
        ),
        (true, true, Some(0), Ok("1".to_owned())),
        (
            header.ends_with("on the GPIO character device"),
            header.contains("(pinctrl-bcm2711)"),
            output.status.code(),
            kernel::read(seen),
        ),
    );
    r.check(
        &format!("{name}: line low and released afterwards, nothing exported"),
        (Ok("0".to_owned()), Ok(false), false),
        (
            sim_value(17),
            held_by_spotlight(),
            std::path::Path::new("/sys/class/gpio")
                .read_dir()
                .map(|d| {
                    d.flatten().any(|e| {
                        let n = e.file_name();
                        let n = n.to_string_lossy();
                        n.starts_with("gpio") && !n.starts_with("gpiochip")
                    })
                })
                .unwrap_or(true),
        ),
    );
}

/// Run A lights `light` for 6 frames; run B starts on the same light
/// while A is lit and must be refused with `refusal` in its error.
fn overlap(r: &mut Report, name: &str, light: &[&str], lit: &str, refusal: &dyn Fn(u32) -> String) {
    let mut args = light.to_vec();
    args.extend_from_slice(&["--captures", "6", "--interval", "300ms"]);
    let mut first = match Running::start(&args) {
        Ok(first) => first,
        Err(e) => return r.fail(name, e),
    };
    let first_lit = first.until("frame 1/6");
    let second = run_to_end(light);
    let pid = first.child.id();
    let (timeline, code) = first.finish();
    let (second_code, second_err) = match second {
        Ok(o) => (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
        Err(e) => (None, e),
    };
    let expected = refusal(pid);
    r.check(
        &format!("{name}: the second run is refused naming the light and its holder"),
        (true, Some(1), true),
        (first_lit, second_code, second_err.contains(&expected)),
    );
    r.check(
        &format!("{name}: the first run's 6 frames are all lit and it completes"),
        (vec![lit.to_owned(); 6], Some(0), true),
        (
            frame_levels(&timeline),
            code,
            timeline.iter().any(|l| l.contains("completed: 6 frames")),
        ),
    );
}

fn overlapping_on_a_line(r: &mut Report) {
    let offset = line::OVERLAP;
    let gpio = CHIP_A.base + offset;
    let name = format!("two spotlight runs on --gpio {gpio} (sysfs)");
    overlap(
        r,
        &name,
        &["--gpio", &gpio.to_string()],
        "value 1",
        &|pid| format!("GPIO {gpio} is in use by process {pid}"),
    );
    r.check(
        &format!("{name}: line low and unexported once, by the first run"),
        (Ok("0".to_owned()), false),
        (
            kernel::mockup_value(CHIP_A.label, offset),
            kernel::is_exported(gpio),
        ),
    );
}

fn overlapping_on_cdev(r: &mut Report) {
    let name = "two spotlight runs on --bcm 17 (character device)";
    overlap(r, name, &["--bcm", "17"], "line active", &|_| {
        "is in use by the consumer \"spotlight\"".to_owned()
    });
}

fn overlapping_on_an_led(r: &mut Report) {
    let led = ULED_TRIGGER;
    let name = format!("two spotlight runs on --led {}", led.name);
    let lit = format!("brightness {}", led.max);
    overlap(r, &name, &["--led", led.name], &lit, &|pid| {
        format!("LED {:?} is in use by process {pid}", led.name)
    });
}

fn overlapping_with_wait(r: &mut Report) {
    let offset = line::OVERLAP_WAIT;
    let gpio = CHIP_A.base + offset;
    let gpio_text = gpio.to_string();
    let name = format!("spotlight --gpio {gpio}, then a second run with --wait");
    let first = Running::start(&[
        "--gpio",
        &gpio_text,
        "--captures",
        "4",
        "--interval",
        "300ms",
    ]);
    let mut first = match first {
        Ok(first) => first,
        Err(e) => return r.fail(&name, e),
    };
    first.until("frame 1/4");
    let second = Running::start(&["--gpio", &gpio_text, "--wait", "--captures", "2"]);
    let (timeline, code) = first.finish();
    let second = second.map(Running::finish);
    r.check(
        &format!("{name}: the first stays lit, the second lights after it, both exit 0"),
        (
            vec!["value 1".to_owned(); 4],
            Some(0),
            Ok((vec!["value 1".to_owned(); 2], Some(0))),
        ),
        (
            frame_levels(&timeline),
            code,
            second.map(|(t, c)| (frame_levels(&t), c)),
        ),
    );
}

fn sigkill_then_off_on_cdev(r: &mut Report) {
    let name = "spotlight --bcm 17 -- sleep 600, SIGKILL, then `spotlight --bcm 17 off`";
    let child = Command::new(DEMO_BINARY)
        .args(["--bcm", "17", "--", "sleep", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return r.fail(name, format_args!("{DEMO_BINARY}: {e}")),
    };
    let lit = kernel::wait_until(LIGHT_LIMIT, || sim_value(17).as_deref() == Ok("1"));
    // The orphaned `sleep` holds nothing: the line was the tool's request.
    let killed = child.kill().and_then(|()| child.wait()).map(|s| s.code());
    r.check(
        &format!("{name}: lit, killed, and the kernel released the line"),
        (true, Ok(None), Ok(false)),
        (lit, killed.map_err(|e| e.to_string()), held_by_spotlight()),
    );
    let off = run_to_end(&["--bcm", "17", "off"]);
    r.check(
        &format!("{name}: `off` is not refused, exits 0, line low"),
        (Some(0), Ok("0".to_owned())),
        (off.ok().and_then(|o| o.status.code()), sim_value(17)),
    );
}
