//! Panics: a panic in the body is told to `exit`, then resumes; a panic in
//! `enter` or `exit` propagates unchanged.

use crate::support;

use std::panic::AssertUnwindSafe;

use async_with::async_with;
use futures::FutureExt as _;
use support::{Log, on_both_runtimes};

#[test]
fn panic_in_the_body_is_told_to_exit_then_resumes() {
    on_both_runtimes(|log| async move {
        let caught = AssertUnwindSafe(async {
            async_with!(log.manager("a") {
                log.push("body");
                if !log.events().is_empty() {
                    panic!("body broke");
                }
            });
            log.push("after block");
        })
        .catch_unwind()
        .await;
        let payload = caught.expect_err("the panic resumes after exit");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"body broke"));
        assert_eq!(
            log.events(),
            ["enter a", "body", "exit a panicked(body broke)", "exited a"]
        );
    });
}

#[test]
fn panic_with_a_formatted_message_is_told_to_exit() {
    on_both_runtimes(|log| async move {
        let code = 7;
        let caught = AssertUnwindSafe(async {
            async_with!(log.manager("a") {
                if code == 7 {
                    panic!("code {code}");
                }
            });
        })
        .catch_unwind()
        .await;
        assert!(caught.is_err());
        assert_eq!(log.events()[1], "exit a panicked(code 7)");
    });
}

#[test]
fn panic_in_enter_propagates_without_exit_or_cancel() {
    on_both_runtimes(|log| async move {
        let caught = AssertUnwindSafe(async {
            async_with!(log.manager("a").panicking_enter() {
                log.push("body");
            });
        })
        .catch_unwind()
        .await;
        let payload = caught.expect_err("enter's panic propagates");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("enter of a panicked")
        );
        assert_eq!(log.events(), Vec::<String>::new());
    });
}

#[test]
fn panic_in_exit_propagates_and_the_cancel_hook_runs_since_exit_did_not_complete() {
    on_both_runtimes(|log| async move {
        let caught = AssertUnwindSafe(async {
            async_with!(log.manager("a").panicking_exit() {
                log.push("body");
            });
        })
        .catch_unwind()
        .await;
        let payload = caught.expect_err("exit's panic propagates");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("exit of a panicked")
        );
        assert_eq!(
            log.events(),
            ["enter a", "body", "exit a completed", "cancel a"]
        );
    });
}

#[test]
fn panic_in_an_inner_block_exits_both_managers_innermost_first() {
    on_both_runtimes(|log| async move {
        let caught = AssertUnwindSafe(async {
            async_with!(log.manager("outer") {
                async_with!(log.manager("inner") {
                    if log.events().len() == 2 {
                        panic!("deep");
                    }
                });
            });
        })
        .catch_unwind()
        .await;
        assert!(caught.is_err());
        assert_eq!(
            log.events(),
            [
                "enter outer",
                "enter inner",
                "exit inner panicked(deep)",
                "exited inner",
                "exit outer panicked(deep)",
                "exited outer",
            ]
        );
    });
}

#[test]
fn exit_error_while_panicking_is_reported_and_the_panic_still_resumes() {
    on_both_runtimes(|log: Log| async move {
        async fn run(log: &Log) -> Result<(), support::ManagerError> {
            async_with!(log.fallible("a").failing_exit()? {
                if log.events().len() == 1 {
                    panic!("body broke");
                }
            });
            Ok(())
        }
        let caught = AssertUnwindSafe(run(&log)).catch_unwind().await;
        let payload = caught.expect_err("the body's panic wins over exit's error");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"body broke"));
        assert_eq!(
            log.events(),
            ["enter a", "exit a panicked(body broke)", "exited a"]
        );
    });
}

/// A panic payload that records its drop.
struct Dropped(std::sync::Arc<std::sync::atomic::AtomicU32>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Polls `block` once (it must then be parked) and drops it.
fn poll_once_and_drop(block: impl std::future::Future<Output = ()>) {
    let mut block = std::pin::pin!(block);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(block.as_mut().poll(&mut cx).is_pending());
}

#[test]
fn a_caught_panic_is_dropped_once_when_the_block_is_cancelled_during_exit() {
    for managers in [1, 3] {
        let log = Log::default();
        let drops = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let payload = Dropped(drops.clone());
        let slow = log
            .manager("a")
            .slow_exit(std::time::Duration::from_secs(3600));
        // Parked in the outermost `exit` (a timer with no runtime stays
        // pending), holding the body's payload for the outcome.
        let block = async {
            let payload = payload;
            if managers == 1 {
                async_with!(slow { std::panic::resume_unwind(Box::new(payload)) });
            } else {
                async_with!(slow, log.manager("b"), log.manager("c") {
                    std::panic::resume_unwind(Box::new(payload))
                });
            }
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async { poll_once_and_drop(block) });
        assert_eq!(
            drops.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "{managers} managers: the payload"
        );
        assert_eq!(
            log.events().last().map(String::as_str),
            Some("cancel a"),
            "{managers} managers: {:?}",
            log.events()
        );
    }
}
