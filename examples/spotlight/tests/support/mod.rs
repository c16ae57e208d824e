//! Shared set-up of the spotlight process tests: the built tool as a
//! process, the simulated tree it lights, and a running tool's `--json`
//! events read as they come.
#![allow(dead_code, unreachable_pub)]

use std::fs;
use std::io::{BufRead, BufReader, Lines};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// The simulated Pi 5 puts BCM 17, the demo's default pin, at GPIO 588.
pub const VALUE: &str = "class/gpio/gpio588/value";

/// The tool under test: this package's build, or the program in
/// `SPOTLIGHT_EXE`. CI sets it to a script that runs an ARM build under
/// qemu-user (`exec qemu-aarch64-static ... spotlight "$@"`, so signals sent
/// to the child reach the tool), and these same tests judge that build.
pub fn spotlight(args: &[&str]) -> Command {
    let exe =
        std::env::var_os("SPOTLIGHT_EXE").unwrap_or_else(|| env!("CARGO_BIN_EXE_spotlight").into());
    let mut command = Command::new(exe);
    command.args(args).stdin(Stdio::null());
    command
}

pub fn run(args: &[&str]) -> Output {
    spotlight(args).output().expect("running spotlight")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A directory for `--sim --sysfs-root`, which the tool fills with a Pi 5.
pub struct Tree {
    pub dir: TempDir,
}

impl Tree {
    pub fn new() -> Self {
        Tree {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel))
            .unwrap_or_else(|e| panic!("reading {}: {e}", self.path(rel).display()))
    }

    /// GPIO 588 exported as an output at `value`, as a crashed run leaves
    /// it; the tool did not export it, so it stays exported and its
    /// `value` can be read after the run.
    pub fn exported_line(self, value: &str) -> Self {
        let dir = self.path("class/gpio/gpio588");
        fs::create_dir_all(&dir).unwrap();
        for (file, contents) in [
            ("direction", "out\n"),
            ("value", value),
            ("active_low", "0\n"),
            ("edge", "none\n"),
        ] {
            fs::write(dir.join(file), contents).unwrap();
        }
        self
    }

    /// `sh -c 'cat <root>/<rel> > <out>'`: the capture command reads the
    /// light's own file while it runs.
    pub fn cat_into(&self, rel: &str, out: &str) -> String {
        format!(
            "cat '{}' > '{}'",
            self.path(rel).display(),
            self.path(out).display()
        )
    }
}

/// A running tool whose `--json` events are read as they come.
pub struct Running {
    pub child: Child,
    pub events: Lines<BufReader<ChildStdout>>,
}

impl Running {
    pub fn start(args: &[&str]) -> Self {
        let mut command = spotlight(args);
        command.stderr(Stdio::piped());
        Running::spawn(command)
    }

    /// Starts `command` (stderr as it was set up) with its stdout read here.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting spotlight");
        let events = BufReader::new(child.stdout.take().unwrap()).lines();
        Running { child, events }
    }

    /// Reads events up to and including the first `event`.
    pub fn until(&mut self, event: &str) -> Value {
        for line in &mut self.events {
            let parsed: Value = serde_json::from_str(&line.unwrap()).unwrap();
            if parsed["event"] == event {
                return parsed;
            }
        }
        panic!("spotlight ended before a {event:?} event");
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Like [`finish`](Self::finish), handing the stderr to `check`.
    pub fn finish_with_stderr(mut self, check: impl FnOnce(&str)) -> (Vec<Value>, Option<i32>) {
        let rest = (&mut self.events)
            .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
            .collect();
        let output = self.child.wait_with_output().unwrap();
        check(&text(&output.stderr));
        (rest, output.status.code())
    }

    /// Waits for the exit; the remaining events, and the exit code.
    pub fn finish(mut self) -> (Vec<Value>, Option<i32>) {
        let rest = (&mut self.events)
            .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
            .collect();
        let output = self.child.wait_with_output().unwrap();
        (rest, output.status.code())
    }
}

/// A run on `tree`'s exported GPIO 588 whose frames are 10 s apart: lit
/// until something stops it.
pub fn slow_lit_run(tree: &Tree) -> Running {
    Running::start(&[
        "--json",
        "--sysfs-root",
        tree.root(),
        "--captures",
        "1000",
        "--interval",
        "10s",
    ])
}

pub fn events(output: &Output) -> Vec<Value> {
    text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

/// Whether process `pid` still runs: it exists and is not a zombie (an
/// orphan's zombie may wait forever for an init that does not reap it).
pub fn is_running(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rfind(')')
                .and_then(|i| stat[i + 1..].split_whitespace().next());
            !matches!(state, Some("Z" | "X"))
        }
        Err(_) => false,
    }
}

/// Reads the pid a capture command wrote to `file` in the tree.
pub fn recorded_pid(tree: &Tree, file: &str) -> u32 {
    let text = tree.read(file);
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{file} holds {text:?}, not a pid: {e}"))
}

impl Tree {
    /// A gpiochip directory as the legacy sysfs interface lists it, and
    /// the global `export` file that says the interface is there.
    pub fn chip(self, name: &str, label: &str, base: u32, ngpio: u32) -> Self {
        let dir = self.path("class/gpio").join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(self.path("class/gpio/export"), "").unwrap();
        for (file, contents) in [
            ("label", format!("{label}\n")),
            ("base", format!("{base}\n")),
            ("ngpio", format!("{ngpio}\n")),
        ] {
            fs::write(dir.join(file), contents).unwrap();
        }
        self
    }

    /// Makes every file and directory read-only for everyone (and readable
    /// and searchable by everyone, so an unprivileged user can look).
    pub fn read_only(&self) {
        chmod_tree(self.dir.path(), 0o555, 0o444);
    }
}

impl Drop for Tree {
    /// Writable again, so the temporary directory can be removed.
    fn drop(&mut self) {
        chmod_tree(self.dir.path(), 0o755, 0o644);
    }
}

fn chmod_tree(path: &std::path::Path, dir_mode: u32, file_mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let is_dir = path.is_dir();
    let mode = if is_dir { dir_mode } else { file_mode };
    // Opened up before descending, closed down after.
    if is_dir && dir_mode & 0o200 != 0 {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
    }
    if is_dir {
        for entry in fs::read_dir(path).into_iter().flatten().flatten() {
            chmod_tree(&entry.path(), dir_mode, file_mode);
        }
    }
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
}

/// `spotlight args` as a user who cannot write what root can: as root,
/// through `setpriv` as `nobody` (root writes read-only files); as anyone
/// else, as that user.
pub fn unprivileged(args: &[&str]) -> Output {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| text(&o.stdout).trim() == "0")
        .expect("running `id -u`");
    if !root {
        return run(args);
    }
    let exe = spotlight(&[]).get_program().to_owned();
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(exe)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running spotlight through setpriv (util-linux)")
}
