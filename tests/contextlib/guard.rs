//! `Guard`, the state machine every holder uses: one cleanup per enter,
//! an exit cut short is never started again, and misuse is refused loudly.
use crate::support;

use std::time::Duration;

use async_with::{Guard, Outcome};
use support::*;

#[tokio::test(start_paused = true)]
async fn an_exit_cut_short_is_not_started_again_the_next_exit_cancels() {
    let log = Log::new();
    let mut guard = Guard::new(log.manager("a").slow_exit(Duration::from_millis(20)));
    guard.enter().await.unwrap();
    let cut = tokio::time::timeout(Duration::from_millis(10), guard.exit(Outcome::Completed));
    assert!(cut.await.is_err());
    assert!(guard.is_armed(), "a cut exit did not complete");
    guard.exit(Outcome::Completed).await.unwrap();
    assert!(!guard.is_armed());
    drop(guard);
    assert_eq!(log.events(), ["enter a", "exit a completed", "cancel a"]);
}

#[tokio::test(start_paused = true)]
async fn a_guard_dropped_after_a_cut_exit_cancels_once() {
    let log = Log::new();
    let mut guard = Guard::new(log.manager("a").slow_exit(Duration::from_millis(20)));
    guard.enter().await.unwrap();
    cancel_at_first_pending(guard.exit(Outcome::Completed)).await;
    drop(guard);
    assert_eq!(log.events(), ["enter a", "exit a completed", "cancel a"]);
}

#[tokio::test]
async fn a_guard_can_be_entered_again_once_its_cleanup_happened() {
    let log = Log::new();
    let mut guard = Guard::new(log.manager("a"));
    for _ in 0..2 {
        guard.enter().await.unwrap();
        guard.exit(Outcome::Completed).await.unwrap();
    }
    drop(guard);
    assert_eq!(
        log.events(),
        [
            "enter a",
            "exit a completed",
            "exited a",
            "enter a",
            "exit a completed",
            "exited a"
        ]
    );
}

#[tokio::test]
async fn entering_an_entered_guard_is_refused_loudly() {
    let log = Log::new();
    let mut guard = Guard::new(log.manager("a"));
    guard.enter().await.unwrap();
    let message = panic_message(async { guard.enter().await.map(|_target| ()) }).await;
    assert_eq!(
        message,
        "`Guard::enter` on a guard that is already entered: exit it first"
    );
    drop(guard);
    assert_eq!(
        log.events(),
        ["enter a", "cancel a"],
        "one enter, one cleanup"
    );
}

#[tokio::test]
async fn exiting_a_guard_that_was_never_entered_is_refused_loudly() {
    let log = Log::new();
    let mut guard = Guard::new(log.manager("a"));
    let message = panic_message(async { guard.exit(Outcome::Completed).await }).await;
    assert_eq!(message, "`Guard::exit` without a successful `enter`");
    drop(guard);
    assert_eq!(log.events(), Vec::<String>::new());
}
