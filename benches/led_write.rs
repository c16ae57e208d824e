//! LED write cost: one on/off pair through our `SysfsGpio` (the value file
//! kept open, one `pwrite` per write) against `sysfs_gpio::Pin::set_value`
//! and `linux_embedded_hal::SysfsPin` (open, write, close per write), all on
//! the same kind of tree: a temp dir laid out like `/sys/class/gpio` with
//! line 529 exported as an output.
//!
//! `sysfs_gpio` hard-codes `/sys/class/gpio`, so the bench moves into a
//! private mount namespace and bind-mounts its tree over `/sys/class`
//! (root only; nothing outside this process sees it). Without root those
//! two cases are skipped and the equivalent `open+write+close` on the temp
//! tree stands in for them; it runs in every case as a control.
//!
//! `cargo bench -p async-with-benches --bench led_write`; the tree goes in `/dev/shm` (tmpfs, in
//! memory like sysfs) unless `LED_TREE_DIR` names another parent directory.
//! `ASYNC_WITH_COUNT=CASE:N` runs one case N times for callgrind, like
//! `benches/cycle.rs`.

use std::fs::{self, File};
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_with::led::SysfsGpio;
use criterion::Criterion;
use embedded_hal::digital::OutputPin;

const GPIO: u32 = 529;

/// Lays out `root/class/gpio` with `gpio529` exported as an output, low.
fn tree(root: &Path) -> PathBuf {
    let line = root.join("class/gpio/gpio529");
    fs::create_dir_all(&line).expect("temp tree");
    for (file, contents) in [
        ("direction", "out\n"),
        ("active_low", "0\n"),
        ("value", "0\n"),
    ] {
        fs::write(line.join(file), contents).expect("temp tree");
    }
    for file in ["export", "unexport"] {
        fs::write(root.join("class/gpio").join(file), "").expect("temp tree");
    }
    line.join("value")
}

/// Bind-mounts `root/class` over `/sys/class` in a private mount namespace
/// of this thread, so crates that hard-code `/sys/class/gpio` write to the
/// temp tree. Must run before any other thread starts.
fn mount_over_sys(root: &Path) -> Result<(), String> {
    use std::ffi::CString;
    let c = |p: &Path| CString::new(p.as_os_str().as_encoded_bytes()).expect("no NUL");
    let (source, target, slash) = (
        c(&root.join("class")),
        c(Path::new("/sys/class")),
        c(Path::new("/")),
    );
    // SAFETY: plain syscalls on NUL-terminated paths that outlive the calls.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(format!(
                "unshare(CLONE_NEWNS): {}",
                std::io::Error::last_os_error()
            ));
        }
        // Private first, so the bind mount cannot propagate to the host.
        let private = libc::MS_REC | libc::MS_PRIVATE;
        if libc::mount(
            std::ptr::null(),
            slash.as_ptr(),
            std::ptr::null(),
            private,
            std::ptr::null(),
        ) != 0
        {
            return Err(format!(
                "making / private: {}",
                std::io::Error::last_os_error()
            ));
        }
        let bind = libc::MS_BIND;
        if libc::mount(
            source.as_ptr(),
            target.as_ptr(),
            std::ptr::null(),
            bind,
            std::ptr::null(),
        ) != 0
        {
            return Err(format!(
                "bind-mounting over /sys/class: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

/// What `sysfs_gpio` does per write (`File::create`, `write_all`, close).
fn open_write_close(path: &Path, value: &str) {
    let mut file = File::create(path).expect("value file");
    file.write_all(value.as_bytes()).expect("write");
}

struct Pins {
    ours: SysfsGpio,
    value: PathBuf,
    sysfs_gpio: Option<sysfs_gpio::Pin>,
    hal: Option<linux_embedded_hal::SysfsPin>,
}

fn pins() -> (tempfile::TempDir, Pins) {
    // tmpfs by default: in memory like sysfs. On a disk filesystem the
    // `O_TRUNC` of `File::create` costs a journalled truncate (and, on ext4,
    // a flush on close), which real sysfs never pays.
    let parent = std::env::var_os("LED_TREE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/dev/shm"));
    let dir = match tempfile::tempdir_in(&parent) {
        Ok(dir) => dir,
        Err(_) => tempfile::tempdir().expect("a temp dir"),
    };
    eprintln!("led_write: tree in {}", dir.path().display());
    let value = tree(dir.path());
    let mounted = match mount_over_sys(dir.path()) {
        Ok(()) => true,
        Err(why) => {
            eprintln!(
                "led_write: {why}; measuring sysfs_gpio's open+write+close on the temp tree instead"
            );
            false
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ours = runtime
        .block_on(SysfsGpio::number(GPIO).root(dir.path()).open())
        .expect("SysfsGpio on the temp tree");
    let sysfs_gpio = mounted.then(|| sysfs_gpio::Pin::new(GPIO.into()));
    let hal = mounted.then(|| linux_embedded_hal::SysfsPin::new(GPIO.into()));
    (
        dir,
        Pins {
            ours,
            value,
            sysfs_gpio,
            hal,
        },
    )
}

/// One on/off pair per case; each checks the file ends at `0`.
fn run(pins: &mut Pins, case: &str) -> bool {
    match case {
        "async_with_SysfsGpio" => {
            pins.ours.set_high().expect("on");
            pins.ours.set_low().expect("off");
        }
        "sysfs_gpio_Pin" => match &pins.sysfs_gpio {
            Some(pin) => {
                pin.set_value(1).expect("on");
                pin.set_value(0).expect("off");
            }
            None => return false,
        },
        "linux_embedded_hal_SysfsPin" => match &mut pins.hal {
            Some(pin) => {
                pin.set_high().expect("on");
                pin.set_low().expect("off");
            }
            None => return false,
        },
        "open_write_close" => {
            open_write_close(&pins.value, "1");
            open_write_close(&pins.value, "0");
        }
        _ => panic!("no case {case:?}"),
    }
    true
}

const CASES: [&str; 4] = [
    "async_with_SysfsGpio",
    "sysfs_gpio_Pin",
    "linux_embedded_hal_SysfsPin",
    "open_write_close",
];

fn main() {
    let (_dir, mut pins) = pins();
    for case in CASES {
        if run(&mut pins, case) {
            assert_eq!(
                fs::read_to_string(&pins.value).expect("value").trim(),
                "0",
                "{case} left the LED on"
            );
        }
    }

    if let Ok(spec) = std::env::var("ASYNC_WITH_COUNT") {
        let (case, times) = spec.rsplit_once(':').expect("ASYNC_WITH_COUNT=CASE:N");
        for _ in 0..times.parse::<u64>().expect("ASYNC_WITH_COUNT=CASE:N") {
            assert!(run(&mut pins, case), "{case} needs the bind mount");
        }
        return;
    }

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut group = c.benchmark_group("led_write/on_off_pair");
    for case in CASES {
        if run(&mut pins, case) {
            group.bench_function(case, |b| b.iter(|| black_box(run(&mut pins, case))));
        }
    }
    group.finish();
    c.final_summary();
}
