//! Runtime edge cases of cancellation: a slow `exit` cut short, a manager
//! reused after its block was cancelled, a runtime shut down under pending
//! blocks, and a block dropped on another thread than the one polling it.

use crate::support;

use std::time::{Duration, Instant};

use async_with::async_with;
use support::*;

const LONG: Duration = Duration::from_secs(3600);

#[tokio::test(start_paused = true)]
async fn a_slow_exit_cut_short_by_a_timeout_runs_the_cancel_hook_and_does_not_count_as_exited() {
    let log = Log::new();
    let block = async {
        async_with!(log.manager("a").slow_exit(LONG) => name {
            log.push(format!("body {name}"));
        });
        log.push("after the block");
    };
    let result = tokio::time::timeout(Duration::from_millis(10), block).await;
    assert!(
        result.is_err(),
        "the exit awaits an hour; the timeout must win"
    );
    assert_eq!(
        log.events(),
        ["enter a", "body a", "exit a completed", "cancel a"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_exit_of_an_aborted_task_runs_the_cancel_hook_once() {
    let log = Log::new();
    let task_log = log.clone();
    let handle = tokio::spawn(async move {
        async_with!(task_log.manager("outer") => _ {
            async_with!(task_log.manager("inner").slow_exit(LONG) => _ {});
        });
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    handle.abort();
    assert!(handle.await.unwrap_err().is_cancelled());
    // The inner exit was pending: cancelled. The outer body was pending on
    // it: cancelled too, innermost first.
    assert_eq!(
        log.events(),
        [
            "enter outer",
            "enter inner",
            "exit inner completed",
            "cancel inner",
            "cancel outer"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_manager_cancelled_in_one_block_is_entered_and_exited_normally_in_the_next() {
    let log = Log::new();
    let mut manager = log.manager("a");
    let first = async {
        async_with!(&mut manager => _ {
            std::future::pending::<()>().await;
        });
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(5), first)
            .await
            .is_err()
    );
    let value = async_with!(&mut manager => name {
        log.push(format!("second body {name}"));
        7
    });
    assert_eq!(value, 7);
    // The borrow ended with each block: the manager is still usable here.
    manager.log.push("manager still owned");
    assert_eq!(
        log.events(),
        [
            "enter a",
            "cancel a",
            "enter a",
            "second body a",
            "exit a completed",
            "exited a",
            "manager still owned"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_manager_cancelled_during_its_exit_can_be_used_again() {
    let log = Log::new();
    let mut manager = log.manager("a").slow_exit(LONG);
    let first = async { async_with!(&mut manager => _ {}) };
    assert!(
        tokio::time::timeout(Duration::from_millis(5), first)
            .await
            .is_err()
    );
    manager.exit_delay = None;
    async_with!(&mut manager => _ {});
    assert_eq!(
        log.events(),
        [
            "enter a",
            "exit a completed",
            "cancel a",
            "enter a",
            "exit a completed",
            "exited a"
        ]
    );
}

/// Spawns `tasks` blocks that park (in their body, or in a slow exit) on a
/// multi-thread runtime, waits until all are parked, then drops the runtime.
fn shut_down_with_parked_blocks(tasks: usize, park_in_exit: bool) -> Log {
    let log = Log::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..tasks {
        let log = log.clone();
        runtime.spawn(async move {
            if park_in_exit {
                async_with!(log.manager("m").slow_exit(LONG) => _ {});
            } else {
                async_with!(log.manager("m") => _ {
                    std::future::pending::<()>().await;
                });
            }
        });
    }
    // Each block logs this just before it parks; a worker still finishing
    // that poll is waited for by the runtime's drop.
    let parked = if park_in_exit {
        "exit m completed"
    } else {
        "enter m"
    };
    let watchdog = Instant::now();
    while count(&log.events(), parked) < tasks {
        assert!(
            watchdog.elapsed() < Duration::from_secs(60),
            "blocks never parked: {:?}",
            log.events()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(runtime);
    log
}

fn count(events: &[String], event: &str) -> usize {
    events.iter().filter(|logged| *logged == event).count()
}

#[test]
fn dropping_a_multi_thread_runtime_runs_the_cancel_hook_of_every_block_parked_in_its_body() {
    let tasks = 64;
    let events = shut_down_with_parked_blocks(tasks, false).events();
    assert_eq!(count(&events, "enter m"), tasks, "{events:?}");
    assert_eq!(count(&events, "cancel m"), tasks, "{events:?}");
    assert_eq!(events.len(), 2 * tasks, "no exit may run: {events:?}");
}

#[test]
fn dropping_a_multi_thread_runtime_runs_the_cancel_hook_of_every_block_parked_in_its_exit() {
    let tasks = 64;
    let events = shut_down_with_parked_blocks(tasks, true).events();
    assert_eq!(count(&events, "enter m"), tasks, "{events:?}");
    assert_eq!(count(&events, "cancel m"), tasks, "{events:?}");
    assert_eq!(count(&events, "exited m"), 0, "{events:?}");
}

/// A block over `$manager`, polled once on a current-thread runtime: it
/// is parked in its body, forever. (A macro: a generic helper could not
/// prove the block `Send` for every manager.)
macro_rules! parked_block {
    ($manager:expr) => {{
        let manager = $manager;
        let mut block = Box::pin(async move {
            async_with!(manager => _ {
                std::future::pending::<()>().await;
            });
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            assert!(futures::poll!(block.as_mut()).is_pending());
        });
        block
    }};
}

/// Records the thread its cancel hook ran on.
struct ThreadRecorder(std::sync::Arc<std::sync::Mutex<Option<std::thread::ThreadId>>>);

impl async_with::AsyncContextManager for ThreadRecorder {
    type Target<'a> = ();
    type Error = std::convert::Infallible;

    async fn enter(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    async fn exit(&mut self, _: async_with::Outcome<'_>) -> Result<(), Self::Error> {
        Ok(())
    }

    fn cancel(&mut self) {
        *self.0.lock().unwrap() = Some(std::thread::current().id());
    }
}

#[test]
fn the_cancel_hook_runs_on_the_thread_that_drops_the_block() {
    let cancelled_on = std::sync::Arc::default();
    let block = parked_block!(ThreadRecorder(std::sync::Arc::clone(&cancelled_on)));
    assert_eq!(*cancelled_on.lock().unwrap(), None);
    let dropper = std::thread::spawn(move || {
        drop(block);
        std::thread::current().id()
    });
    let dropper = dropper.join().unwrap();
    assert_ne!(dropper, std::thread::current().id());
    assert_eq!(*cancelled_on.lock().unwrap(), Some(dropper));
}

/// Pins down the documented limit: a block that is leaked, not dropped,
/// never runs its cleanup (RELIABILITY.md, "not guaranteed").
#[test]
fn a_forgotten_block_runs_neither_exit_nor_cancel() {
    let log = Log::new();
    let block = parked_block!(log.manager("a"));
    std::mem::forget(block);
    assert_eq!(log.events(), ["enter a"]);
}

/// `exit` did not complete, so the guard is still armed when the panic
/// unwinds through the block: the cancel hook is what cleans up.
#[tokio::test]
async fn a_panicking_exit_runs_the_cancel_hook_while_unwinding() {
    use futures::FutureExt;

    let log = Log::new();
    let manager = log.manager("a").panicking_exit();
    let block = async { async_with!(manager => _ {}) };
    let panic = std::panic::AssertUnwindSafe(block)
        .catch_unwind()
        .await
        .unwrap_err();
    assert_eq!(
        panic.downcast_ref::<String>().unwrap(),
        "exit of a panicked"
    );
    assert_eq!(log.events(), ["enter a", "exit a completed", "cancel a"]);
}

#[test]
fn dropping_a_current_thread_runtime_runs_the_cancel_hook_of_every_parked_block() {
    let log = Log::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..16 {
        let log = log.clone();
        runtime.spawn(async move {
            async_with!(log.manager("m") => _ {
                std::future::pending::<()>().await;
            });
        });
    }
    // Lets every spawned task run up to its parking point.
    runtime.block_on(async {
        while count(&log.events(), "enter m") < 16 {
            tokio::task::yield_now().await;
        }
    });
    drop(runtime);
    let events = log.events();
    assert_eq!(count(&events, "cancel m"), 16, "{events:?}");
    assert_eq!(events.len(), 32, "{events:?}");
}

/// The expansion holds `&mut manager` across `enter`'s await; with a
/// manager that is itself `&mut M` rustc must still prove the block `Send`
/// (rust-lang/rust#110338 is why `Guard::enter` is a hand-written future).
#[test]
fn a_block_over_borrowed_managers_is_send_and_runs_on_a_multi_thread_runtime() {
    let log = Log::new();
    let mut outer = log.manager("outer");
    let mut inner = log.manager("inner");
    let block = async move {
        async_with!(&mut outer => _, &mut inner => _ {
            tokio::task::yield_now().await;
            7
        })
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(runtime.spawn(block)).unwrap(), 7);
    let events = log.events();
    assert_eq!(
        events,
        [
            "enter outer",
            "enter inner",
            "exit inner completed",
            "exited inner",
            "exit outer completed",
            "exited outer",
        ],
        "{events:?}"
    );
}
