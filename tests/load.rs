//! Load: 10,000 Spotlight blocks open at once on the multi-thread runtime,
//! each lighting its own recording pin; a random third are aborted inside
//! their body and a random tenth panic. Afterwards every pin went on once
//! and off once and is low, every enter is balanced by exactly one exit or
//! cancel, and no task's future survives.
//!
//! `LOAD_TASKS=100000 LOAD_SEED=7 cargo test --release --test load` runs a
//! bigger or different load by hand.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_with::led::RecordingPin;
use async_with::{AsyncContextManager, Outcome, Spotlight, async_with};
use support::{env_or, mix, silence_planned_panics};
use tokio::sync::{Barrier, Semaphore};

const PANIC_MESSAGE: &str = "planned panic under load";

#[derive(Debug, Default)]
struct Counters {
    entered: AtomicUsize,
    exited_completed: AtomicUsize,
    exited_panicked: AtomicUsize,
    exited_other: AtomicUsize,
    cancelled: AtomicUsize,
    live_managers: AtomicUsize,
    open: AtomicUsize,
    peak_open: AtomicUsize,
}

/// Counts blocks: the outer manager of each task's block, so it sees what
/// the Spotlight inside sees, and its counters must balance.
#[derive(Debug)]
struct Tally {
    counters: Arc<Counters>,
}

impl Tally {
    fn new(counters: Arc<Counters>) -> Self {
        counters.live_managers.fetch_add(1, Ordering::SeqCst);
        Tally { counters }
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        self.counters.live_managers.fetch_sub(1, Ordering::SeqCst);
    }
}

impl AsyncContextManager for Tally {
    type Target<'a> = ();
    type Error = std::convert::Infallible;

    async fn enter(&mut self) -> Result<(), Self::Error> {
        self.counters.entered.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
        let tally = match outcome {
            Outcome::Completed => &self.counters.exited_completed,
            Outcome::Panicked(_) => &self.counters.exited_panicked,
            _ => &self.counters.exited_other,
        };
        tally.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn cancel(&mut self) {
        self.counters.cancelled.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Complete,
    Abort,
    Panic,
}

fn fate(seed: u64, task: usize) -> Fate {
    match mix(seed ^ mix(task as u64)) % 30 {
        0..10 => Fate::Abort,
        10..13 => Fate::Panic,
        _ => Fate::Complete,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_blocks_leave_every_pin_low_under_aborts_and_panics() {
    silence_planned_panics(PANIC_MESSAGE);
    let tasks: usize = env_or("LOAD_TASKS", 10_000);
    let seed: u64 = env_or("LOAD_SEED", 2026);
    let fates: Vec<Fate> = (0..tasks).map(|task| fate(seed, task)).collect();
    let to_abort = fates.iter().filter(|&&f| f == Fate::Abort).count();
    let to_panic = fates.iter().filter(|&&f| f == Fate::Panic).count();
    let pins: Vec<RecordingPin> = (0..tasks).map(|_| RecordingPin::new()).collect();
    let counters = Arc::new(Counters::default());
    // Everyone is inside their block before anyone leaves it.
    let all_open = Arc::new(Barrier::new(tasks));
    let parked = Arc::new(Semaphore::new(0));

    let started = std::time::Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let (pin, counters) = (pins[task].clone(), counters.clone());
            let (all_open, parked) = (all_open.clone(), parked.clone());
            let fate = fates[task];
            tokio::spawn(async move {
                async_with!(Tally::new(counters.clone()) => (), Spotlight::new(pin) => spot {
                    assert!(spot.led().is_high() && spot.settled_at().is_some());
                    let open = counters.open.fetch_add(1, Ordering::SeqCst) + 1;
                    counters.peak_open.fetch_max(open, Ordering::SeqCst);
                    all_open.wait().await;
                    counters.open.fetch_sub(1, Ordering::SeqCst);
                    match fate {
                        Fate::Abort => {
                            parked.add_permits(1);
                            std::future::pending::<()>().await;
                        }
                        Fate::Panic => {
                            tokio::task::yield_now().await;
                            std::panic::panic_any(PANIC_MESSAGE);
                        }
                        Fate::Complete => tokio::task::yield_now().await,
                    }
                });
            })
        })
        .collect();

    let watchdog = Duration::from_secs(120);
    let all_parked = parked.acquire_many(u32::try_from(to_abort).unwrap());
    let permits = tokio::time::timeout(watchdog, all_parked).await;
    let permits = permits.unwrap_or_else(|_| {
        panic!(
            "watchdog: only {} of {to_abort} tasks to abort reached their body; {counters:?}",
            parked.available_permits()
        )
    });
    permits.unwrap().forget();
    for (handle, fate) in handles.iter().zip(&fates) {
        if *fate == Fate::Abort {
            handle.abort();
        }
    }
    for (task, (handle, fate)) in handles.into_iter().zip(&fates).enumerate() {
        let joined = tokio::time::timeout(watchdog, handle).await;
        let joined = joined.unwrap_or_else(|_| panic!("watchdog: task {task} ({fate:?}) hung"));
        match (fate, joined) {
            (Fate::Complete, Ok(())) => {}
            (Fate::Abort, Err(error)) if error.is_cancelled() => {}
            (Fate::Panic, Err(error)) if error.is_panic() => {
                let payload = error.into_panic();
                assert_eq!(payload.downcast_ref::<&str>(), Some(&PANIC_MESSAGE));
            }
            (fate, joined) => panic!("task {task} ({fate:?}) ended {joined:?}"),
        }
    }
    let elapsed = started.elapsed();

    for (task, pin) in pins.iter().enumerate() {
        // On once, off once: whether it completed, panicked or was aborted.
        assert_eq!(pin.history(), [true, false], "pin {task}");
        assert!(pin.is_low(), "pin {task} left high");
    }
    let load = |counter: &AtomicUsize| counter.load(Ordering::SeqCst);
    assert_eq!(load(&counters.peak_open), tasks, "{counters:?}");
    assert_eq!(load(&counters.entered), tasks, "{counters:?}");
    assert_eq!(load(&counters.cancelled), to_abort, "{counters:?}");
    assert_eq!(load(&counters.exited_panicked), to_panic, "{counters:?}");
    assert_eq!(
        load(&counters.exited_completed),
        tasks - to_abort - to_panic,
        "{counters:?}"
    );
    assert_eq!(load(&counters.exited_other), 0, "{counters:?}");
    assert_eq!(load(&counters.live_managers), 0, "{counters:?}");
    // Every task's future has been dropped: nothing else holds these.
    assert_eq!(Arc::strong_count(&counters), 1, "a task's future leaked");
    eprintln!(
        "load: {tasks} tasks (seed {seed}): {to_abort} aborted, {to_panic} panicked, \
         all {tasks} open at once, done in {elapsed:?}"
    );
}
