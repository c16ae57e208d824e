//! `SendAsyncContextManager`: generic code can spawn blocks over a manager.
use crate::support;

use async_with::{
    AsyncContextManager, Outcome, SendAsyncContextManager, SendManager, async_with,
    impl_send_manager, with,
};
use support::*;
use tokio::task::JoinHandle;

/// Generic over the manager, and spawned: the `SendManager` wrapper is what
/// makes the block's future `Send` here (with `M: AsyncContextManager` and
/// `manager` used directly this does not compile).
fn spawn_block<M>(manager: M, log: Log) -> JoinHandle<Result<&'static str, M::Error>>
where
    M: SendAsyncContextManager + 'static,
    // `Debug + Sync` only because the macro's outcome probe needs it for a
    // body ending in `Result<_, M::Error>` with a generic error (reported).
    M::Error: Send + Sync + std::fmt::Debug,
    for<'a> M::Target<'a>: Send,
{
    tokio::spawn(async move {
        async_with!(SendManager::new(manager)? => target {
            // The target is held across an await: it must be `Send` too.
            tokio::task::yield_now().await;
            drop(target);
            log.push("body");
            Ok("done")
        })
    })
}

/// The same through the function API.
fn spawn_with<M>(manager: M, log: Log) -> JoinHandle<Result<u32, M::Error>>
where
    M: SendAsyncContextManager + 'static,
    M::Error: Send,
    for<'a> M::Target<'a>: Send,
{
    tokio::spawn(async move {
        with(SendManager::new(manager), async move |target| {
            tokio::task::yield_now().await;
            drop(target);
            log.push("body");
            7
        })
        .await
    })
}

#[test]
fn a_generic_block_over_a_send_manager_can_be_spawned() {
    on_both_runtimes(|log| async move {
        let done = spawn_block(log.manager("a"), log.clone()).await.unwrap();
        assert_eq!(done, Ok("done"));
        let seven = spawn_with(log.manager("b"), log.clone()).await.unwrap();
        assert_eq!(seven, Ok(7));
        assert_eq!(
            log.events(),
            [
                "enter a",
                "body",
                "exit a completed",
                "exited a",
                "enter b",
                "body",
                "exit b completed",
                "exited b"
            ]
        );
    });
}

#[test]
fn a_spawned_generic_block_keeps_the_failure_behaviour() {
    on_both_runtimes(|log| async move {
        let error = spawn_block(log.fallible("a").failing_exit(), log.clone())
            .await
            .unwrap();
        assert_eq!(error, Err(ManagerError("exit a failed".into())));
        let error = spawn_with(log.fallible("b").failing_enter(), log.clone())
            .await
            .unwrap();
        assert_eq!(error, Err(ManagerError("enter b failed".into())));
        assert_eq!(
            log.events(),
            [
                "enter a",
                "body",
                "exit a completed",
                "exited a",
                "enter b failed"
            ]
        );
    });
}

#[test]
fn a_spawned_generic_block_cancelled_runs_cancel() {
    on_both_runtimes(|log| async move {
        let task = {
            let log = log.clone();
            tokio::spawn(async move {
                let manager = SendManager::new(log.manager("a"));
                async_with!(manager => _target {
                    std::future::pending::<()>().await;
                });
            })
        };
        for _ in 0..10_000 {
            if !log.events().is_empty() {
                break;
            }
            tokio::task::yield_now().await;
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(log.events(), ["enter a", "cancel a"]);
    });
}

/// A generic manager: `impl_send_manager!` takes type parameters and a
/// `where` clause.
struct Door<T>(T, Log);

impl<T> AsyncContextManager for Door<T> {
    type Target<'a>
        = &'a mut T
    where
        Self: 'a;
    type Error = std::convert::Infallible;

    async fn enter(&mut self) -> Result<&mut T, Self::Error> {
        self.1.push("open");
        Ok(&mut self.0)
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
        self.1.push(format!("close {}", describe(&outcome)));
        Ok(())
    }

    fn cancel(&mut self) {
        self.1.push("cancel");
    }
}

impl_send_manager!(impl<T> Door<T> where T: Send);

#[test]
fn impl_send_manager_covers_generic_types() {
    on_both_runtimes(|log| async move {
        let done = spawn_with(Door(5_u8, log.clone()), log.clone())
            .await
            .unwrap();
        assert_eq!(done, Ok(7));
        assert_eq!(log.events(), ["open", "body", "close completed"]);
    });
}
