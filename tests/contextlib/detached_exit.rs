//! `Detached`: a cancelled block's exit runs as a Tokio task, bounded by a
//! timeout, with the sync `cancel` as the fallback.
use crate::support;

use std::time::Duration;

use async_with::{Detached, async_with, manager_fn};
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

/// The combination `Detached`'s own docs show: a `manager_fn` connection.
/// Cancelled while its inline exit runs, the exit was started and its
/// resource moved into the cut future: no second exit is started (nothing
/// to exit any more), nothing panics, and the resource's `Drop` is its
/// cleanup.
#[tokio::test(start_paused = true)]
async fn a_block_cancelled_during_its_exit_does_not_start_a_second_exit() {
    let panics = panics_on_this_thread();
    let log = Log::new();
    let (opened, cancelled) = (log.clone(), log.clone());
    let resource_log = log.clone();
    let conn = manager_fn(
        move || {
            opened.push("open");
            let resource = Resource::new(&resource_log, "conn");
            async move { Ok::<_, ManagerError>(resource) }
        },
        |resource: Resource, outcome| {
            resource
                .log
                .push(format!("close started {}", describe(&outcome)));
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                resource.log.push("close done");
                Ok(())
            }
        },
        move |_resource| cancelled.push("cancel"),
    );
    let block = async {
        async_with!(Detached::new(conn)? => _conn {});
        Ok::<(), ManagerError>(())
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(10), block)
            .await
            .is_err()
    );
    // Give a (wrongly) detached exit every chance to run, and to panic.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        log.events(),
        ["open", "close started completed", "conn dropped"]
    );
    assert_eq!(panics_on_this_thread(), panics, "a detached task panicked");
}

/// The same with an ordinary manager: its exit was started inline and cut,
/// so its `cancel` runs, at once, and no detached exit starts it again.
#[tokio::test(start_paused = true)]
async fn a_manager_cancelled_during_its_inline_exit_is_cancelled_not_exited_twice() {
    let log = Log::new();
    let slow = log.manager("a").slow_exit(Duration::from_millis(20));
    let block = async {
        async_with!(Detached::new(slow) => _name {});
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(10), block)
            .await
            .is_err()
    );
    assert_eq!(log.events(), ["enter a", "exit a completed", "cancel a"]);
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(log.events(), ["enter a", "exit a completed", "cancel a"]);
}
