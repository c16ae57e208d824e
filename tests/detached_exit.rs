//! `Detached`: a cancelled block's exit runs as a Tokio task, bounded by a
//! timeout, with the sync `cancel` as the fallback.
mod support;

use std::time::Duration;

use async_with::{Detached, async_with};
use support::*;

/// Yields until `log` holds `count` events; fails after many yields rather
/// than after a time, so it cannot flake on a slow machine.
async fn settle(log: &Log, count: usize) {
    for _ in 0..10_000 {
        if log.events().len() >= count {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("the detached exit did not finish: {:?}", log.events());
}

#[test]
fn a_block_that_ends_exits_inline_as_usual() {
    on_both_runtimes(|log| async move {
        let name = async_with!(Detached::new(log.manager("a")) => name {
            log.push(format!("body {name}"));
            name
        });
        assert_eq!(name, "a");
        assert_eq!(
            log.events(),
            ["enter a", "body a", "exit a completed", "exited a"]
        );
    });
}

#[test]
fn a_cancelled_block_gets_a_detached_exit_told_cancelled() {
    on_both_runtimes(|log| async move {
        cancel_at_first_pending(async {
            async_with!(Detached::new(log.manager("a")) => _name {
                std::future::pending::<()>().await;
            });
        })
        .await;
        settle(&log, 3).await;
        assert_eq!(log.events(), ["enter a", "exit a cancelled", "exited a"]);
    });
}

#[tokio::test(start_paused = true)]
async fn a_detached_exit_past_its_timeout_falls_back_to_cancel() {
    let log = Log::new();
    let slow = log.manager("a").slow_exit(Duration::from_secs(60));
    cancel_at_first_pending(async {
        async_with!(Detached::new(slow).timeout(Duration::from_secs(1)) => _name {
            std::future::pending::<()>().await;
        });
    })
    .await;
    // The clock is paused: sleeping lets the runtime jump to the timeout.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(log.events(), ["enter a", "exit a cancelled", "cancel a"]);
}

#[test]
fn without_a_runtime_the_sync_cancel_runs_at_once() {
    let log = Log::new();
    futures::executor::block_on(cancel_at_first_pending(async {
        async_with!(Detached::new(log.manager("a")) => _name {
            std::future::pending::<()>().await;
        });
    }));
    assert_eq!(log.events(), ["enter a", "cancel a"]);
}

#[test]
fn a_runtime_shut_down_before_the_detached_exit_ran_cancels() {
    let log = Log::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(cancel_at_first_pending(async {
        async_with!(Detached::new(log.manager("a")) => _name {
            std::future::pending::<()>().await;
        });
    }));
    drop(runtime);
    assert_eq!(log.events(), ["enter a", "cancel a"]);
}

#[test]
fn a_failed_detached_exit_does_not_also_cancel() {
    on_both_runtimes(|log| async move {
        cancel_at_first_pending(async {
            async_with!(Detached::new(log.fallible("a").failing_exit())? => _name {
                std::future::pending::<()>().await;
            });
            Ok::<(), ManagerError>(())
        })
        .await;
        settle(&log, 3).await;
        assert_eq!(log.events(), ["enter a", "exit a cancelled", "exited a"]);
    });
}

#[test]
fn a_detached_manager_is_spent_after_a_cancelled_block() {
    on_both_runtimes(|log| async move {
        let mut detached = Detached::new(log.manager("a"));
        cancel_at_first_pending(async {
            async_with!(&mut detached => _name {
                std::future::pending::<()>().await;
            });
        })
        .await;
        assert!(detached.get_mut().is_none());
        settle(&log, 3).await;
    });
}
