//! Cancellation: dropping the block's future after `enter` succeeded and
//! before `exit` completed runs the cancel hook exactly once, never both,
//! never neither.

use crate::support;

use std::time::Duration;

use async_with::async_with;
use support::{Log, on_both_runtimes};

const LONG: Duration = Duration::from_secs(3600);

async fn parked_in_body(log: Log) {
    async_with!(log.manager("a") {
        log.push("body");
        tokio::time::sleep(LONG).await;
        log.push("body finished");
    });
}

#[test]
fn timeout_during_the_body_runs_the_cancel_hook_once() {
    on_both_runtimes(|log| async move {
        let timed_out =
            tokio::time::timeout(Duration::from_millis(5), parked_in_body(log.clone())).await;
        assert!(timed_out.is_err());
        assert_eq!(log.events(), ["enter a", "body", "cancel a"]);
    });
}

#[test]
fn a_losing_select_branch_runs_the_cancel_hook_once() {
    on_both_runtimes(|log| async move {
        tokio::select! {
            () = parked_in_body(log.clone()) => unreachable!("the body sleeps for an hour"),
            () = tokio::time::sleep(Duration::from_millis(5)) => log.push("other branch won"),
        }
        assert_eq!(
            log.events(),
            ["enter a", "body", "cancel a", "other branch won"]
        );
    });
}

#[test]
fn aborting_the_task_runs_the_cancel_hook_once() {
    on_both_runtimes(|log| async move {
        let (entered_tx, entered_rx) = tokio::sync::oneshot::channel();
        let task_log = log.clone();
        let task = tokio::spawn(async move {
            async_with!(task_log.manager("a") {
                entered_tx.send(()).unwrap();
                tokio::time::sleep(LONG).await;
            });
        });
        entered_rx.await.unwrap();
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(log.events(), ["enter a", "cancel a"]);
    });
}

#[test]
fn dropping_the_runtime_with_the_task_parked_in_the_body_runs_the_cancel_hook() {
    for multi_thread in [false, true] {
        let log = Log::new();
        let runtime = if multi_thread {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        }
        .unwrap();
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let task_log = log.clone();
        runtime.spawn(async move {
            async_with!(task_log.manager("a") {
                entered_tx.send(()).unwrap();
                tokio::time::sleep(LONG).await;
            });
        });
        if multi_thread {
            entered_rx.recv().unwrap();
        } else {
            // A current-thread runtime only runs tasks inside `block_on`.
            runtime.block_on(async {
                while entered_rx.try_recv().is_err() {
                    tokio::task::yield_now().await
                }
            });
        }
        drop(runtime);
        assert_eq!(
            log.events(),
            ["enter a", "cancel a"],
            "multi_thread = {multi_thread}"
        );
    }
}

#[test]
fn cancellation_during_exit_runs_the_cancel_hook_and_exit_never_completes() {
    on_both_runtimes(|log| async move {
        let slow = log.manager("a").slow_exit(LONG);
        let timed_out = tokio::time::timeout(Duration::from_millis(5), async {
            async_with!(slow {
                log.push("body");
            });
        })
        .await;
        assert!(timed_out.is_err());
        assert_eq!(
            log.events(),
            ["enter a", "body", "exit a completed", "cancel a"]
        );
    });
}

#[test]
fn cancellation_during_enter_calls_neither_exit_nor_cancel() {
    on_both_runtimes(|log| async move {
        let slow = log.manager("a").slow_enter(LONG);
        let timed_out = tokio::time::timeout(Duration::from_millis(5), async {
            async_with!(slow {
                log.push("body");
            });
        })
        .await;
        assert!(timed_out.is_err());
        assert_eq!(log.events(), Vec::<String>::new());
    });
}

#[test]
fn cancelling_nested_blocks_runs_hooks_innermost_first() {
    on_both_runtimes(|log| async move {
        let timed_out = tokio::time::timeout(Duration::from_millis(5), async {
            async_with!(log.manager("outer"), log.manager("middle") {
                async_with!(log.manager("inner") {
                    tokio::time::sleep(LONG).await;
                });
            });
        })
        .await;
        assert!(timed_out.is_err());
        assert_eq!(
            log.events(),
            [
                "enter outer",
                "enter middle",
                "enter inner",
                "cancel inner",
                "cancel middle",
                "cancel outer",
            ]
        );
    });
}

#[test]
fn a_block_that_completed_is_not_cancelled_when_the_caller_is() {
    on_both_runtimes(|log| async move {
        let timed_out = tokio::time::timeout(Duration::from_millis(5), async {
            async_with!(log.manager("a") {});
            tokio::time::sleep(LONG).await;
        })
        .await;
        assert!(timed_out.is_err());
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

/// A manager whose target is `&mut` itself, held for the whole body (as a
/// `MutexGuard` borrows its mutex): the block arms and disarms its guard
/// while the target holds that borrow.
#[derive(Default)]
struct SelfLending {
    events: Vec<&'static str>,
}

impl async_with::AsyncContextManager for SelfLending {
    type Target<'a> = &'a mut Vec<&'static str>;
    type Error = std::convert::Infallible;

    async fn enter(&mut self) -> Result<Self::Target<'_>, Self::Error> {
        self.events.push("enter");
        Ok(&mut self.events)
    }

    async fn exit(&mut self, outcome: async_with::Outcome<'_>) -> Result<(), Self::Error> {
        self.events.push(match outcome {
            async_with::Outcome::Completed => "exit completed",
            _ => "exit other",
        });
        Ok(())
    }

    fn cancel(&mut self) {
        self.events.push("cancel");
    }
}

async fn lend_and_park(manager: &mut SelfLending, park: bool) {
    async_with!(manager => events {
        events.push("body");
        if park {
            std::future::pending::<()>().await;
        }
        events.push("body finished");
    });
}

#[test]
fn a_target_borrowing_its_manager_is_cancelled_once_when_dropped_in_the_body() {
    let mut manager = SelfLending::default();
    {
        let mut block = std::pin::pin!(lend_and_park(&mut manager, true));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(block.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(manager.events, ["enter", "body", "cancel"]);
}

#[test]
fn a_target_borrowing_its_manager_exits_once_and_is_not_cancelled_when_it_completes() {
    let mut manager = SelfLending::default();
    futures::executor::block_on(lend_and_park(&mut manager, false));
    assert_eq!(
        manager.events,
        ["enter", "body", "body finished", "exit completed"]
    );
}

#[test]
fn a_block_cancelled_in_its_body_drops_each_target_before_its_cancel_hook() {
    on_both_runtimes(|log| async move {
        support::cancel_at_first_pending(async {
            async_with!(log.dropping_target("a") => _a, log.dropping_target("b") => _b {
                tokio::time::sleep(Duration::from_secs(60)).await;
            })
        })
        .await;
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "b target dropped",
                "cancel b",
                "a target dropped",
                "cancel a"
            ]
        );
    });
}
