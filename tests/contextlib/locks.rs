//! Tokio's `Mutex`, `RwLock` and `Semaphore` as managers: the target is the
//! guard, released when the block ends.
use crate::support;

use std::sync::Arc;

use async_with::{RwLockExt, SemaphoreExt, async_with};
use support::*;
use tokio::sync::{AcquireError, Mutex, RwLock, Semaphore};

#[test]
fn a_mutex_block_holds_the_lock_and_releases_it_after() {
    on_both_runtimes(|_log| async move {
        let counter = Mutex::new(0);
        let seen = async_with!(&counter => mut count {
            *count += 1;
            assert!(counter.try_lock().is_err(), "locked inside the block");
            *count
        });
        assert_eq!(seen, 1);
        assert_eq!(*counter.try_lock().expect("unlocked after the block"), 1);
    });
}

#[test]
fn a_second_task_waits_for_the_block_to_end() {
    on_both_runtimes(|log| async move {
        let mutex = Arc::new(Mutex::new(()));
        let waiter = async_with!(&*mutex => _guard {
            log.push("a locked");
            let (mutex, b_log) = (mutex.clone(), log.clone());
            let waiter = tokio::spawn(async move {
                async_with!(&*mutex => _guard {
                    b_log.push("b locked");
                });
            });
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            log.push("a unlocking");
            waiter
        });
        waiter.await.unwrap();
        assert_eq!(log.events(), ["a locked", "a unlocking", "b locked"]);
    });
}

#[test]
fn a_cancelled_block_releases_the_lock() {
    on_both_runtimes(|_log| async move {
        let mutex = Mutex::new(());
        cancel_at_first_pending(async {
            async_with!(&mutex => _guard {
                std::future::pending::<()>().await;
            })
        })
        .await;
        assert!(mutex.try_lock().is_ok());
    });
}

#[test]
fn a_block_cancelled_while_waiting_for_the_lock_leaves_no_trace() {
    on_both_runtimes(|log| async move {
        let mutex = Mutex::new(());
        let held = mutex.lock().await;
        cancel_at_first_pending(async {
            async_with!(&mutex => _guard {
                log.push("body ran");
            });
        })
        .await;
        drop(held);
        assert!(mutex.try_lock().is_ok());
        assert_eq!(log.events(), Vec::<String>::new());
    });
}

#[test]
fn rwlock_readers_share_and_a_writer_excludes() {
    on_both_runtimes(|_log| async move {
        let config = RwLock::new(String::from("led=17"));
        let both = async_with!(config.read_ctx() => first, config.read_ctx() => second {
            format!("{} {}", *first, *second)
        });
        assert_eq!(both, "led=17 led=17");
        async_with!(config.write_ctx() => mut text {
            assert!(config.try_read().is_err(), "the writer excludes readers");
            text.push_str(",on");
        });
        assert_eq!(*config.try_read().unwrap(), "led=17,on");
    });
}

async fn with_permit(slots: &Semaphore) -> Result<usize, AcquireError> {
    // `slots?` marks the fallible manager; `&slots?` would be `&(slots?)`.
    async_with!(slots? => _permit {
        Ok(slots.available_permits())
    })
}

#[test]
fn a_semaphore_block_holds_one_permit() {
    on_both_runtimes(|_log| async move {
        let slots = Semaphore::new(2);
        assert_eq!(with_permit(&slots).await.unwrap(), 1);
        assert_eq!(slots.available_permits(), 2);
    });
}

#[test]
fn a_closed_semaphore_fails_enter_with_tokio_s_error() {
    on_both_runtimes(|_log| async move {
        let slots = Semaphore::new(2);
        slots.close();
        let error = with_permit(&slots).await.unwrap_err();
        assert_eq!(error.to_string(), "semaphore closed");
    });
}

async fn with_permits(slots: &Semaphore, n: u32) -> Result<usize, AcquireError> {
    async_with!(slots.permits_ctx(n)? => _permits {
        Ok(slots.available_permits())
    })
}

#[test]
fn permits_ctx_holds_n_permits() {
    on_both_runtimes(|_log| async move {
        let slots = Semaphore::new(5);
        assert_eq!(with_permits(&slots, 3).await.unwrap(), 2);
        assert_eq!(slots.available_permits(), 5);
    });
}
