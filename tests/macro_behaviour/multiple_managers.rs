//! Several managers: entered left to right, exited right to left, exactly
//! like nested blocks; when a later one fails to enter, the earlier ones
//! still exit.

use crate::support;

use async_with::async_with;
use support::{Log, ManagerError, on_both_runtimes};

#[test]
fn two_managers_enter_in_order_and_exit_in_reverse() {
    on_both_runtimes(|log| async move {
        let joined = async_with!(log.manager("a") => a, log.manager("b") => b {
            log.push("body");
            format!("{a}{b}")
        });
        assert_eq!(joined, "ab");
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "body",
                "exit b completed",
                "exited b",
                "exit a completed",
                "exited a"
            ]
        );
    });
}

/// Runs three fallible managers, the one at `failing` failing as `how`.
async fn three(log: &Log, failing: usize, how: &str) -> Result<(), ManagerError> {
    let make = |index: usize, name: &'static str| {
        let manager = log.fallible(name);
        match (index == failing, how) {
            (true, "enter") => manager.failing_enter(),
            (true, "exit") => manager.failing_exit(),
            _ => manager,
        }
    };
    async_with!(make(0, "a")? => _, make(1, "b")? => _, make(2, "c")? => _ {
        log.push("body");
    });
    Ok(())
}

#[test]
fn enter_failure_at_each_position_exits_the_managers_before_it() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            three(&log, 0, "enter").await,
            Err(ManagerError("enter a failed".into()))
        );
        assert_eq!(log.events(), ["enter a failed"]);
    });
    on_both_runtimes(|log| async move {
        assert_eq!(
            three(&log, 1, "enter").await,
            Err(ManagerError("enter b failed".into()))
        );
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b failed",
                "exit a failed(ManagerError(\"enter b failed\"))",
                "exited a"
            ]
        );
    });
    on_both_runtimes(|log| async move {
        assert_eq!(
            three(&log, 2, "enter").await,
            Err(ManagerError("enter c failed".into()))
        );
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "enter c failed",
                "exit b failed(ManagerError(\"enter c failed\"))",
                "exited b",
                "exit a failed(ManagerError(\"enter c failed\"))",
                "exited a",
            ]
        );
    });
}

#[test]
fn exit_failure_at_each_position_fails_the_managers_outside_it() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            three(&log, 2, "exit").await,
            Err(ManagerError("exit c failed".into()))
        );
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "enter c",
                "body",
                "exit c completed",
                "exited c",
                "exit b failed(ManagerError(\"exit c failed\"))",
                "exited b",
                "exit a failed(ManagerError(\"exit c failed\"))",
                "exited a",
            ]
        );
    });
    on_both_runtimes(|log| async move {
        assert_eq!(
            three(&log, 0, "exit").await,
            Err(ManagerError("exit a failed".into()))
        );
        let events = log.events();
        assert_eq!(events[events.len() - 2..], ["exit a completed", "exited a"]);
    });
}

#[test]
fn targets_may_be_bound_with_any_irrefutable_pattern() {
    on_both_runtimes(|log| async move {
        struct Pair(u8, u8);
        let out = async_with!(log.manager("a") => mut first, log.manager("b") => _, log.manager("c") => name {
            first = "changed";
            let Pair(x, y) = Pair(1, 2);
            format!("{first} {name} {}", x + y)
        });
        assert_eq!(out, "changed c 3");
    });
}

#[test]
fn each_target_is_dropped_before_its_own_exit_innermost_first() {
    on_both_runtimes(|log| async move {
        let names = async_with!(log.dropping_target("a") => a, log.dropping_target("b") => b {
            log.push("body");
            format!("{}, {}", a.0.name, b.0.name)
        });
        assert_eq!(names, "a target, b target");
        assert_eq!(
            log.events(),
            [
                "enter a",
                "enter b",
                "body",
                "b target dropped",
                "exit b completed",
                "exited b",
                "a target dropped",
                "exit a completed",
                "exited a"
            ]
        );
    });
}
