//! `manager_fn`: a manager from an enter function, an exit function and a
//! cancel function.
use crate::support;

use async_with::{AnyError, ExitStack, async_with, manager_fn, with};
use support::*;

/// A connection named `$name` that records its life in `$log`; its enter
/// fails when `$fail_enter` is set. A macro, not a function, so the
/// closures' types stay visible: behind an opaque `impl Trait` the compiler
/// could no longer see that the manager's futures are `Send`.
macro_rules! connection {
    ($log:expr, $name:expr, $fail_enter:expr) => {{
        let (name, fail_enter): (String, bool) = ($name.to_owned(), $fail_enter);
        let (opened, closed, cancelled) = ($log.clone(), $log.clone(), $log.clone());
        manager_fn(
            move || {
                let (log, name) = (opened.clone(), name.clone());
                async move {
                    if fail_enter {
                        log.push(format!("open {name} failed"));
                        return Err(ManagerError(format!("cannot open {name}")));
                    }
                    log.push(format!("open {name}"));
                    Ok(name.to_owned())
                }
            },
            move |conn: String, outcome| {
                let (log, how) = (closed.clone(), describe(&outcome));
                async move {
                    log.push(format!("close {conn} {how}"));
                    Ok(())
                }
            },
            move |conn: String| cancelled.push(format!("cancel {conn}")),
        )
    }};
}

async fn send_twice(log: &Log, fail: bool) -> Result<String, ManagerError> {
    async_with!(connection!(log, "db", false)? => conn {
        conn.push_str("+sent");
        log.push(format!("body {conn}"));
        if fail {
            Err(ManagerError("send failed".into()))?;
        }
        Ok(conn.clone())
    })
}

#[test]
fn enter_body_exit_in_order_with_the_resource_and_the_outcome() {
    on_both_runtimes(|log| async move {
        assert_eq!(send_twice(&log, false).await.unwrap(), "db+sent");
        assert_eq!(
            send_twice(&log, true).await.unwrap_err(),
            ManagerError("send failed".into())
        );
        assert_eq!(
            log.events(),
            [
                "open db",
                "body db+sent",
                "close db+sent completed",
                "open db",
                "body db+sent",
                "close db+sent failed(ManagerError(\"send failed\"))"
            ]
        );
    });
}

#[test]
fn a_failed_enter_runs_neither_exit_nor_cancel() {
    on_both_runtimes(|log| async move {
        let result = with(connection!(log, "db", true), async |_| ()).await;
        assert_eq!(result, Err(ManagerError("cannot open db".into())));
        assert_eq!(log.events(), ["open db failed"]);
    });
}

#[test]
fn cancellation_hands_the_resource_to_the_cancel_function() {
    on_both_runtimes(|log| async move {
        let block = async {
            async_with!(connection!(log, "db", false)? => _conn {
                std::future::pending::<()>().await;
            });
            Ok::<(), ManagerError>(())
        };
        cancel_at_first_pending(block).await;
        assert_eq!(log.events(), ["open db", "cancel db"]);
    });
}

#[test]
fn cancellation_during_exit_drops_the_resource_without_cancel() {
    on_both_runtimes(|log| async move {
        let (opened, closed, cancelled) = (log.clone(), log.clone(), log.clone());
        let manager = manager_fn(
            move || {
                opened.push("open");
                let resource = Resource::new(&closed, "resource");
                async move { Ok::<_, ManagerError>(resource) }
            },
            |_resource: Resource, _outcome| async { std::future::pending().await },
            move |_resource| cancelled.push("cancel"),
        );
        cancel_at_first_pending(with(manager, async |_| ())).await;
        assert_eq!(log.events(), ["open", "resource dropped"]);
    });
}

async fn twice(log: &Log) -> Result<(), ManagerError> {
    let mut conn = connection!(log, "db", false);
    for _ in 0..2 {
        // Not `&mut conn?`: that is `&mut (conn?)`. And not `(&mut conn)?`,
        // which the macro accepts but which warns `unused_parens`.
        let conn = &mut conn;
        async_with!(conn? => c {
            log.push(format!("body {c}"));
        });
    }
    Ok(())
}

// Not spawned (so not on both runtimes): a block over `&mut ManagerFn`
// inside a spawned task trips rustc's "`AsyncContextManager` is not general
// enough" (the exit function's bound is higher-ranked).
#[tokio::test]
async fn a_manager_fn_can_be_entered_again_after_exit() {
    let log = Log::new();
    twice(&log).await.unwrap();
    assert_eq!(
        log.events(),
        [
            "open db",
            "body db",
            "close db completed",
            "open db",
            "body db",
            "close db completed"
        ]
    );
}

#[test]
fn manager_fns_go_on_an_exit_stack() {
    on_both_runtimes(|log| async move {
        let mut stack = ExitStack::<AnyError>::new();
        for name in ["a", "b"] {
            stack.enter(connection!(log, name, false)).await.unwrap();
        }
        stack.close().await.unwrap();
        assert_eq!(
            log.events(),
            ["open a", "open b", "close b completed", "close a completed"]
        );
    });
}

/// Driven through the raw trait, a second `enter` before the first one's
/// exit would silently drop the first resource: it is refused, and the
/// first resource is still exited normally.
#[tokio::test]
async fn entering_an_entered_manager_fn_is_refused_loudly() {
    use async_with::{AsyncContextManager, Outcome};

    let log = Log::new();
    let mut conn = connection!(log, "db", false);
    conn.enter().await.unwrap();
    let message = panic_message(async { drop(conn.enter().await) }).await;
    assert!(
        message.starts_with(
            "`ManagerFn` entered again while it holds the resource of an earlier `enter`"
        ),
        "{message}"
    );
    conn.exit(Outcome::Completed).await.unwrap();
    assert_eq!(log.events(), ["open db", "close db completed"]);
}

/// The documented rule: when the exit future that owns the resource is cut,
/// the resource's `Drop` is its cleanup and `cancel` receives nothing.
#[tokio::test(start_paused = true)]
async fn a_cut_exit_drops_the_resource_and_cancel_gets_nothing() {
    let (log, cancelled) = (Log::new(), Log::new());
    let (opened, cancels) = (log.clone(), cancelled.clone());
    let manager = manager_fn(
        move || {
            let resource = Resource::new(&opened, "conn");
            async move { Ok::<_, ManagerError>(resource) }
        },
        |resource: Resource, _outcome| async move {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            drop(resource);
            Ok(())
        },
        move |_resource| cancels.push("cancel"),
    );
    let block = with(manager, async |_| ());
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(10), block)
            .await
            .is_err()
    );
    assert_eq!(log.events(), ["conn dropped"]);
    assert_eq!(cancelled.events(), Vec::<String>::new());
}
