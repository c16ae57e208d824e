//! Bodies that diverge type-check as they would inline, and borrowed
//! managers can carry the `?` mark, without lints firing on the user's code.

mod support;

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
