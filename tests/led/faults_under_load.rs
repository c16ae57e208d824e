//! The simulated kernel's faults under concurrent load: many Spotlight
//! blocks on sysfs GPIO lines while a chaos task injects `EIO` on value
//! writes and udev `EACCES` races at random instants, some lines vanish
//! mid-block (unexported by "someone else", or their `value` file removed)
//! and a third of the blocks are aborted. Afterwards no LED is on (the value
//! files say `0`, and the kernel's write trace leaves every line off or
//! gone), every failed write reached its task as an error naming the line,
//! and nothing hung (each task is awaited under a watchdog that names it).
//!
//! Time is paused, so the run is deterministic for a seed:
//! `FAULT_TASKS=10000 FAULT_SEED=7 cargo test --test led faults_under_load`.

use crate::support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_with::led::sim::{Board, Fault, SimSysfs};
use async_with::led::{LedError, PERMISSION_WAIT, SysfsGpio};
use async_with::{Spotlight, async_with};
use support::{env_or, mix};

/// Past every open's permission wait, settle and body: only blocks parked
/// on purpose are still running then.
/// Tasks start over this long.
const STAGGER: Duration = Duration::from_secs(6);
const ABORT_AT: Duration = Duration::from_secs(30);
const WATCHDOG: Duration = Duration::from_secs(600);
const PARKED: Duration = Duration::from_secs(3600);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// Runs its body and leaves.
    Complete,
    /// Parks in its body and is aborted.
    Abort,
    /// Someone else unexports the whole line mid-block.
    LineVanishes,
    /// The line's `value` file disappears mid-block.
    ValueVanishes,
}

#[derive(Debug)]
enum Ended {
    OpenFailed(LedError),
    BlockFailed(LedError),
    Completed,
    Aborted,
}

fn value_file(gpio: u32) -> String {
    format!("class/gpio/gpio{gpio}/value")
}

async fn one_task(sim: SimSysfs, gpio: u32, fate: Fate, draw: u64) -> Ended {
    // Staggered starts: opens, enters and exits all meet the chaos.
    tokio::time::sleep(Duration::from_millis(draw % STAGGER.as_millis() as u64)).await;
    let body_ms = draw / 10_000 % 50;
    let led = match SysfsGpio::number(gpio).root(&sim).open().await {
        Ok(led) => led,
        Err(error) => return Ended::OpenFailed(error),
    };
    let block = async {
        async_with!(Spotlight::new(led)? => spot {
            assert!(spot.led().is_on(), "GPIO {gpio} is not on inside its block");
            tokio::time::sleep(Duration::from_millis(body_ms)).await;
            match fate {
                Fate::Complete => {}
                Fate::Abort => tokio::time::sleep(PARKED).await,
                Fate::LineVanishes => {
                    let dir = sim.root().join(format!("class/gpio/gpio{gpio}"));
                    std::fs::remove_dir_all(dir).unwrap();
                }
                Fate::ValueVanishes => sim.inject(Fault::Vanished(value_file(gpio).into())),
            }
        });
        Ok::<(), LedError>(())
    };
    match block.await {
        Ok(()) => Ended::Completed,
        Err(error) => Ended::BlockFailed(error),
    }
}

/// Injects faults at random instants and heals them a little later, until
/// told to stop: `EIO` on value writes for the first half of the starts,
/// udev permission races for the second half (`heal` ends both, so they
/// take turns); counts what it injected.
async fn chaos(sim: SimSysfs, seed: u64, stop: Arc<AtomicBool>, injected: Arc<AtomicUsize>) {
    let start = tokio::time::Instant::now();
    let mut round = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let draw = mix(seed ^ round.wrapping_mul(0x51)) as usize;
        round += 1;
        tokio::time::sleep(Duration::from_millis(1 + (draw % 40) as u64)).await;
        let mut hold = Duration::from_millis(1 + (draw / 40 % 20) as u64);
        let fault = if start.elapsed() < STAGGER / 2 {
            Fault::ValueEio {
                after: draw / 800 % 4,
            }
        } else if draw / 800 % 2 == 0 {
            // Shorter than the opener's permission wait: waited out.
            Fault::PermissionRace(Duration::from_millis(30))
        } else {
            // Held past the opener's permission wait: an open that exports
            // now is refused.
            hold += 2 * PERMISSION_WAIT;
            Fault::PermissionRace(Duration::from_secs(5))
        };
        sim.inject(fault);
        injected.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(hold).await;
        sim.heal();
    }
}

/// Each line's writes, in order, relative to its `gpioN/` directory.
fn writes_by_line(trace: &[String]) -> HashMap<u32, Vec<&str>> {
    let mut lines: HashMap<u32, Vec<&str>> = HashMap::new();
    for write in trace {
        if let Some((gpio, write)) = write
            .strip_prefix("class/gpio/gpio")
            .and_then(|rest| rest.split_once('/'))
        {
            lines.entry(gpio.parse().unwrap()).or_default().push(write);
        }
    }
    lines
}

/// Whether the line is left driven high by its last successful level write.
/// Unexporting does not change a line's level on a real kernel, so an
/// unexport does not count as off.
fn left_on(writes: &[&str]) -> bool {
    writes
        .iter()
        .rev()
        .find_map(|write| match *write {
            "value <- 1" | "direction <- high" => Some(true),
            "value <- 0" | "direction <- low" => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

/// The failed write an error stands for, from its text.
fn errno_of(error: &LedError) -> Option<&'static str> {
    if matches!(error, LedError::PermissionDenied { .. }) {
        return Some("(EACCES)");
    }
    let text = error.to_string();
    [
        ("I/O error", "(EIO)"),
        ("went away", "(ENODEV)"),
        ("missing", "(ENOENT)"),
    ]
    .into_iter()
    .find(|(cause, _)| text.contains(cause))
    .map(|(_, errno)| errno)
}

/// Checks that what the task reported matches what the kernel did to its
/// line (`writes`: the line's writes, relative to `gpioN/`; `unexported`:
/// the lines unexported without error); returns the tally key.
fn check_reported(
    gpio: u32,
    fate: Fate,
    foreign: bool,
    ended: &Ended,
    writes: &[&str],
    unexported: &HashSet<u32>,
) -> Result<String, String> {
    let lit = writes.contains(&"value <- 1");
    let (stage, error) = match ended {
        Ended::Aborted if fate == Fate::Abort => return Ok("aborted in the body".into()),
        Ended::Aborted => return Err("aborted without being told to".into()),
        Ended::Completed => {
            if fate == Fate::LineVanishes {
                return Err("its line vanished under it, yet no error".into());
            }
            // A failed write may pass silently only when the LED was turned
            // off another way right after: `direction <- low`.
            for (index, write) in writes.iter().enumerate() {
                let failed = write.starts_with("value <- ") && write.ends_with(')');
                let recovered = writes.get(index + 1) == Some(&"direction <- low");
                if failed && (write.starts_with("value <- 1") || !recovered) {
                    return Err(format!("`{write}` failed, yet the block completed"));
                }
            }
            return Ok("completed".into());
        }
        Ended::OpenFailed(error) => ("open", error),
        Ended::BlockFailed(error) => ("block", error),
    };
    let text = error.to_string();
    if !text.contains(&format!("GPIO {gpio}")) {
        return Err(format!("the error does not name its line: {text}"));
    }
    let errno = errno_of(error).ok_or_else(|| format!("unexpected error: {text}"))?;
    if !writes.iter().any(|write| write.ends_with(errno)) {
        return Err(format!(
            "reported {errno}, but no write on the line failed so"
        ));
    }
    if errno == "(EACCES)" && !foreign && !unexported.contains(&gpio) {
        return Err("a refused open left the line exported".into());
    }
    if fate == Fate::LineVanishes && lit && errno != "(ENODEV)" {
        return Err(format!("its line vanished, but it reported {errno}"));
    }
    Ok(format!("{stage} failed {errno}"))
}

#[tokio::test(start_paused = true)]
async fn under_injected_faults_and_load_no_led_stays_on_and_every_error_is_reported() {
    let tasks: u32 = env_or("FAULT_TASKS", 1_000);
    let seed: u64 = env_or("FAULT_SEED", 2026);
    let sim = SimSysfs::temp(Board::Empty).unwrap();
    sim.add_chip(0, tasks, "load-chip").unwrap();
    let fates: Vec<(u32, Fate, bool)> = (0..tasks)
        .map(|gpio| {
            let draw = mix(seed ^ mix(u64::from(gpio)));
            let fate = match draw % 30 {
                0..10 => Fate::Abort,
                10..13 => Fate::LineVanishes,
                13..16 => Fate::ValueVanishes,
                _ => Fate::Complete,
            };
            // Half the lines are someone else's, exported as outputs: those
            // stay exported, so their value files can be read afterwards.
            (gpio, fate, draw >> 32 & 1 == 1)
        })
        .collect();
    for &(gpio, _, foreign) in &fates {
        if foreign {
            sim.export_as(gpio, "out").unwrap();
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let injected = Arc::new(AtomicUsize::new(0));
    let chaos = tokio::spawn(chaos(sim.clone(), seed, stop.clone(), injected.clone()));
    let handles: Vec<_> = fates
        .iter()
        .map(|&(gpio, fate, _)| {
            let draw = mix(seed ^ u64::from(gpio));
            tokio::spawn(one_task(sim.clone(), gpio, fate, draw))
        })
        .collect();

    tokio::time::sleep(ABORT_AT).await;
    for (handle, (_, fate, _)) in handles.iter().zip(&fates) {
        if *fate == Fate::Abort {
            handle.abort();
        }
    }
    let mut ended = Vec::new();
    for (handle, (gpio, fate, _)) in handles.into_iter().zip(&fates) {
        let joined = tokio::time::timeout(WATCHDOG, handle).await;
        let joined =
            joined.unwrap_or_else(|_| panic!("watchdog: task on GPIO {gpio} ({fate:?}) hung"));
        ended.push(match joined {
            Ok(ended) => ended,
            Err(error) if error.is_cancelled() => Ended::Aborted,
            Err(error) => panic!("task on GPIO {gpio} ({fate:?}) panicked: {error}"),
        });
    }
    stop.store(true, Ordering::SeqCst);
    tokio::time::timeout(WATCHDOG, chaos)
        .await
        .expect("watchdog: the chaos task hung")
        .unwrap();
    sim.heal();

    let trace = sim.trace();
    let lines = writes_by_line(&trace);
    let unexported: HashSet<u32> = trace
        .iter()
        .filter_map(|write| write.strip_prefix("class/gpio/unexport <- "))
        .filter_map(|gpio| gpio.parse().ok())
        .collect();
    let mut tally: HashMap<String, usize> = HashMap::new();
    for (&(gpio, fate, foreign), ended) in fates.iter().zip(&ended) {
        let writes = lines.get(&gpio).map_or(&[][..], Vec::as_slice);
        let context = || {
            format!("GPIO {gpio} ({fate:?}, foreign {foreign}) ended {ended:?}; writes: {writes:?}")
        };
        // No LED on, by the kernel's account. Two exceptions, both
        // checked: a line unexported by someone else while lit (the block
        // reports that the line went away, see `check_reported`), and a
        // double fault, where turning it off and the `direction` fallback
        // both failed, which the block must report (a cancelled block can
        // only log it).
        if fate != Fate::LineVanishes && left_on(writes) {
            let double_fault = matches!(
                writes,
                [.., off, fallback]
                    if off.starts_with("value <- 0 (") && fallback.starts_with("direction <- low (")
            );
            assert!(double_fault, "LED left on: {}", context());
            let key = match ended {
                Ended::BlockFailed(_) => "left on after a double fault, reported",
                Ended::Aborted => "left on after a double fault in cancel, logged",
                _ => panic!("LED left on, nothing reported: {}", context()),
            };
            *tally.entry(key.to_owned()).or_default() += 1;
        }
        // ... and by the value file, where the line still has one.
        if let Ok(value) = sim.read(value_file(gpio)) {
            assert_eq!(value, "0\n", "{}", context());
        }
        if !foreign && fate != Fate::LineVanishes {
            assert!(
                !sim.exists(format!("class/gpio/gpio{gpio}")),
                "{}",
                context()
            );
        }
        let key = check_reported(gpio, fate, foreign, ended, writes, &unexported)
            .unwrap_or_else(|broken| panic!("{broken}: {}", context()));
        *tally.entry(key).or_default() += 1;
    }
    let faults = |errno: &str| trace.iter().filter(|write| write.ends_with(errno)).count();
    let (eio, eacces, enodev) = (faults("(EIO)"), faults("(EACCES)"), faults("(ENODEV)"));
    // The run must actually have hit every kind of fault.
    assert!(
        eio > 0 && eacces > 0 && enodev > 0,
        "{eio} {eacces} {enodev}"
    );
    for key in &[
        "open failed (EACCES)",
        "block failed (EIO)",
        "block failed (ENODEV)",
    ] {
        assert!(
            tally.get(*key).is_some_and(|&n| n > 0),
            "no {key:?}: {tally:?}"
        );
    }
    eprintln!(
        "faults_under_load: {tasks} tasks (seed {seed}), {} chaos injections, \
         failed writes: {eio} EIO, {eacces} EACCES, {enodev} ENODEV; {tally:?}",
        injected.load(Ordering::SeqCst)
    );
}
