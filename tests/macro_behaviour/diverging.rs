//! Bodies that diverge type-check as they would inline, and borrowed
//! managers can carry the `?` mark, without lints firing on the user's code.

use crate::support;

use std::time::Duration;

use async_with::led::RecordingPin;
use async_with::{Spotlight, async_with};
use support::{Log, ManagerError, on_both_runtimes};

#[test]
fn a_spawned_block_whose_body_only_panics_infers_like_inline() {
    on_both_runtimes(|log| async move {
        let task = tokio::spawn(async {
            async_with!(Spotlight::new(RecordingPin::new()) => _spot {
                panic!("boom");
            })
        });
        assert!(task.await.unwrap_err().is_panic());
        let tail = tokio::spawn(async {
            async_with!(Spotlight::new(RecordingPin::new()) { panic!("tail") })
        });
        assert!(tail.await.unwrap_err().is_panic());
        log.push("done");
    });
}

#[test]
fn an_unreachable_body_inside_a_timeout_type_checks() {
    on_both_runtimes(|log| async move {
        let pin = RecordingPin::new();
        let waited = tokio::time::timeout(Duration::from_millis(200), async {
            async_with!(Spotlight::new(pin.clone()) {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                unreachable!();
            })
        })
        .await;
        assert!(waited.is_err());
        assert!(pin.is_low());
        log.push("done");
    });
}

async fn borrowed_and_marked(log: &Log) -> Result<(), ManagerError> {
    let mut manager = log.fallible("a").failing_exit();
    async_with!((&mut manager)? => name {
        log.push(format!("body {name}"));
    });
    Ok(())
}

#[test]
fn a_borrowed_fallible_manager_takes_the_mark_in_parentheses() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            borrowed_and_marked(&log).await,
            Err(ManagerError("exit a failed".into()))
        );
        assert_eq!(
            log.events(),
            ["enter a", "body a", "exit a completed", "exited a"]
        );
    });
}

async fn every_branch_returns(log: &Log, first: bool) -> u32 {
    async_with!(log.manager("a") {
        if first {
            return 1;
        } else {
            return 2;
        }
    });
}

async fn every_arm_leaves(log: &Log, n: u8) -> Result<u8, ManagerError> {
    async_with!(log.manager("a") {
        match n {
            0 => return Ok(0),
            _ => return Err(ManagerError("nonzero".into())),
        }
    });
}

async fn loops_until_it_returns(log: &Log) -> u32 {
    let mut n = 0;
    async_with!(log.manager("a") {
        loop {
            n += 1;
            if n == 3 {
                return n;
            }
            for i in 0..2 {
                if i == n {
                    break;
                }
            }
        }
    });
}

#[test]
fn bodies_whose_every_branch_leaves_type_check_as_inline() {
    on_both_runtimes(|log| async move {
        assert_eq!(every_branch_returns(&log, true).await, 1);
        assert_eq!(every_branch_returns(&log, false).await, 2);
        assert_eq!(every_arm_leaves(&log, 0).await, Ok(0));
        assert_eq!(
            every_arm_leaves(&log, 1).await,
            Err(ManagerError("nonzero".into()))
        );
        assert_eq!(loops_until_it_returns(&log).await, 3);
        let exits: Vec<_> = log
            .events()
            .into_iter()
            .filter(|e| e.starts_with("exit "))
            .collect();
        assert_eq!(
            exits,
            [
                "exit a completed",
                "exit a completed",
                "exit a completed",
                "exit a failed(ManagerError(\"nonzero\"))",
                "exit a completed",
            ]
        );
    });
}
