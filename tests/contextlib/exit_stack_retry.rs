//! A stack's `close()` cut short (a shutdown timeout) and then retried or
//! dropped: each remaining entry still ends exactly once, its `exit`
//! completed or its `cancel` ran, and nothing is started twice.
use crate::support;

use std::time::Duration;

use async_with::{AnyError, ExitStack, manager_fn};
use support::*;
use tokio::time::timeout;

const CUT: Duration = Duration::from_millis(10);

/// A cleanup callback that sleeps `ms` before it records completion.
fn sleepy_callback(
    log: &Log,
    name: &'static str,
    ms: u64,
) -> (
    impl Future<Output = Result<(), AnyError>> + Send + 'static,
    impl FnOnce() + Send + 'static,
) {
    let (on_exit, on_cancel) = (log.clone(), log.clone());
    (
        async move {
            on_exit.push(format!("callback {name} started"));
            tokio::time::sleep(Duration::from_millis(ms)).await;
            on_exit.push(format!("callback {name} done"));
            Ok(())
        },
        move || on_cancel.push(format!("cancel callback {name}")),
    )
}

/// A stack holding manager `a`, then a callback `b` whose cleanup sleeps
/// 20 ms: a close cut at [`CUT`] is cut inside `b`.
async fn a_then_sleepy_b(log: &Log) -> ExitStack<AnyError> {
    let mut stack = ExitStack::<AnyError>::new();
    stack.enter(log.manager("a")).await.unwrap();
    let (cleanup, cancel) = sleepy_callback(log, "b", 20);
    stack.push_callback(cleanup, cancel);
    stack
}

#[tokio::test(start_paused = true)]
async fn a_callback_cut_by_a_timeout_is_cancelled_and_not_skipped_by_the_retry() {
    let log = Log::new();
    let mut stack = a_then_sleepy_b(&log).await;
    assert!(timeout(CUT, stack.close()).await.is_err(), "the cut close");
    assert_eq!(
        log.events(),
        ["enter a", "callback b started", "cancel callback b"],
        "the cut entry is cancelled when its exit is dropped"
    );
    stack.close().await.unwrap();
    drop(stack);
    assert_eq!(
        log.events(),
        [
            "enter a",
            "callback b started",
            "cancel callback b",
            "exit a completed",
            "exited a"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_cut_close_then_a_dropped_stack_cancels_each_entry_once() {
    let log = Log::new();
    let mut stack = a_then_sleepy_b(&log).await;
    assert!(timeout(CUT, stack.close()).await.is_err());
    drop(stack);
    assert_eq!(
        log.events(),
        [
            "enter a",
            "callback b started",
            "cancel callback b",
            "cancel a"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_manager_fn_whose_exit_was_cut_is_not_exited_again_and_nothing_panics() {
    let log = Log::new();
    let (opened, closed, cancelled) = (log.clone(), log.clone(), log.clone());
    let conn = manager_fn(
        move || {
            opened.push("open");
            let resource = Resource::new(&closed, "conn");
            async move { Ok::<_, ManagerError>(resource) }
        },
        |resource: Resource, _outcome| async move {
            resource.log.push("close started");
            tokio::time::sleep(Duration::from_millis(20)).await;
            resource.log.push("close done");
            Ok(())
        },
        move |_resource| cancelled.push("cancel"),
    );
    let mut stack = ExitStack::<AnyError>::new();
    stack.enter(log.manager("a")).await.unwrap();
    stack.enter(conn).await.unwrap();
    assert!(timeout(CUT, stack.close()).await.is_err());
    // The resource was moved into the cut exit future: its `Drop` is its
    // cleanup, and `cancel` has nothing left to receive.
    assert_eq!(
        log.events(),
        ["enter a", "open", "close started", "conn dropped"]
    );
    stack.close().await.unwrap();
    assert_eq!(
        log.events(),
        [
            "enter a",
            "open",
            "close started",
            "conn dropped",
            "exit a completed",
            "exited a"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_managers_exit_is_started_once_even_when_the_close_is_retried() {
    let log = Log::new();
    let mut stack = ExitStack::<AnyError>::new();
    stack.enter(log.manager("a")).await.unwrap();
    let slow = log.manager("b").slow_exit(Duration::from_millis(20));
    stack.enter(slow).await.unwrap();
    assert!(timeout(CUT, stack.close()).await.is_err());
    assert_eq!(stack.len(), 1, "the cut entry is finished, by its cancel");
    stack.close().await.unwrap();
    assert_eq!(
        log.events(),
        [
            "enter a",
            "enter b",
            "exit b completed",
            "cancel b",
            "exit a completed",
            "exited a"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_close_cut_twice_finishes_every_entry_once() {
    let log = Log::new();
    let mut stack = ExitStack::<AnyError>::new();
    for name in ["a", "b", "c"] {
        let slow = log.manager(name).slow_exit(Duration::from_millis(20));
        stack.enter(slow).await.unwrap();
    }
    assert!(timeout(CUT, stack.close()).await.is_err());
    assert!(
        timeout(Duration::from_millis(30), stack.close())
            .await
            .is_err()
    );
    assert_eq!(stack.len(), 0);
    stack.close().await.unwrap();
    assert_eq!(
        log.events(),
        [
            "enter a",
            "enter b",
            "enter c",
            "exit c completed",
            "cancel c",
            "exit b completed",
            "exited b",
            "exit a completed",
            "cancel a"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_exit_error_raised_before_the_cut_is_told_and_returned_by_the_retry() {
    let log = Log::new();
    let mut stack = a_then_sleepy_b(&log).await;
    let failing = log.clone();
    stack.push_callback(
        async move {
            failing.push("callback c failed");
            Err(AnyError::from(ManagerError("c".into())))
        },
        || {},
    );
    assert!(timeout(CUT, stack.close()).await.is_err(), "the cut close");
    // Had the close not been cut, `a` would be told `c`'s error and the
    // close would return it: the retry does exactly that.
    let error = stack.close().await.unwrap_err();
    assert_eq!(
        error.error().downcast_ref::<ManagerError>(),
        Some(&ManagerError("c".into()))
    );
    assert_eq!(
        log.events(),
        [
            "enter a",
            "callback c failed",
            "callback b started",
            "cancel callback b",
            "exit a failed(ManagerError(\"c\"))",
            "exited a"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_panic_caught_before_the_cut_is_resumed_by_the_retry() {
    let log = Log::new();
    let mut stack = a_then_sleepy_b(&log).await;
    stack
        .enter(log.manager("c").panicking_exit())
        .await
        .unwrap();
    assert!(timeout(CUT, stack.close()).await.is_err(), "the cut close");
    let retry = tokio::spawn(async move { stack.close().await });
    let panic = retry.await.unwrap_err();
    assert!(panic.is_panic(), "the panic of `c`'s exit is not lost");
    assert_eq!(
        log.events(),
        [
            "enter a",
            "enter c",
            "exit c completed",
            "cancel c",
            "callback b started",
            "cancel callback b",
            "exit a panicked(exit of c panicked)",
            "exited a"
        ]
    );
}
