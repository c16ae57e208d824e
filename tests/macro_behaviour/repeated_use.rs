//! Many sequential blocks: every enter is matched by one exit, and nothing
//! is leaked (the managers are dropped).

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_with::{AsyncContextManager, Outcome, async_with};
use support::{Recorder, on_both_runtimes};

/// A recorder that counts the managers alive.
struct Counted(Recorder, Arc<AtomicUsize>);

impl Counted {
    fn new(recorder: Recorder, alive: &Arc<AtomicUsize>) -> Self {
        alive.fetch_add(1, Ordering::SeqCst);
        Counted(recorder, alive.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_sub(1, Ordering::SeqCst);
    }
}

impl AsyncContextManager for Counted {
    type Target<'a> = &'static str;
    type Error = std::convert::Infallible;

    async fn enter(&mut self) -> Result<&'static str, Self::Error> {
        self.0.enter().await
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
        self.0.exit(outcome).await
    }

    fn cancel(&mut self) {
        self.0.cancel();
    }
}

#[test]
fn a_thousand_sequential_blocks_balance_and_leak_nothing() {
    on_both_runtimes(|log| async move {
        let alive = Arc::new(AtomicUsize::new(0));
        let mut total = 0u64;
        for i in 0..1000u64 {
            let counted = Counted::new(log.manager("a"), &alive);
            total += async_with!(counted => _ { i });
        }
        assert_eq!(total, 999 * 1000 / 2);
        let events = log.events();
        assert_eq!(events.len(), 3000);
        assert!(
            events
                .chunks(3)
                .all(|c| c == ["enter a", "exit a completed", "exited a"])
        );
        assert_eq!(alive.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn a_manager_borrowed_mutably_is_reused_across_blocks() {
    on_both_runtimes(|log| async move {
        let mut manager = log.manager("reused");
        for _ in 0..3 {
            async_with!(&mut manager => name {
                log.push(format!("body {name}"));
            });
        }
        assert_eq!(log.events().len(), 12);
        assert_eq!(manager.name, "reused");
    });
}
