//! Several managers in one invocation against the same managers written as
//! nested blocks, cancelled (the future dropped by a timeout) in the body,
//! in an inner `enter`, in an inner exit, and in the outermost exit while a
//! panic is on its way out: the same `cancel` hooks run, in the same order.

use crate::support;

use std::time::Duration;

use support::several::{one_and_nested, same};
use support::{Log, on_both_runtimes};

const LONG: Duration = Duration::from_secs(3600);

one_and_nested! {
    async fn parked(log: Log, in_exit: bool) {
        async_with!(log.manager("a") => _, log.manager("b").slow_exit(if in_exit { LONG } else { Duration::ZERO }) => _, log.manager("c") => _ {
            log.push("body");
            if !in_exit {
                tokio::time::sleep(LONG).await;
            }
        })
    }
}

#[test]
fn cancelling_in_the_body_or_an_inner_exit_cancels_as_nested_blocks_do() {
    for in_exit in [false, true] {
        on_both_runtimes(move |_| async move {
            let (events, end) = same(
                |log| tokio::time::timeout(Duration::from_millis(5), parked::one(log, in_exit)),
                |log| tokio::time::timeout(Duration::from_millis(5), parked::nested(log, in_exit)),
            )
            .await;
            assert_eq!(end, "value Err(Elapsed(()))");
            let expected: &[&str] = match in_exit {
                false => &[
                    "enter a", "enter b", "enter c", "body", "cancel c", "cancel b", "cancel a",
                ],
                true => &[
                    "enter a",
                    "enter b",
                    "enter c",
                    "body",
                    "exit c completed",
                    "exited c",
                    "exit b completed",
                    "cancel b",
                    "cancel a",
                ],
            };
            assert_eq!(events, expected, "cancelled in exit: {in_exit}");
        });
    }
}

one_and_nested! {
    async fn stalled(log: Log, in_enter: bool) {
        let (enter, exit) = match in_enter {
            true => (LONG, Duration::ZERO),
            false => (Duration::ZERO, LONG),
        };
        async_with!(log.manager("a").slow_exit(exit) => _, log.manager("b").slow_enter(enter) => _, log.manager("c") => _ {
            panic!("body broke")
        })
    }
}

#[test]
fn cancelling_in_an_inner_enter_or_the_outer_exit_during_a_panic_cancels_as_nested_blocks_do() {
    for in_enter in [true, false] {
        on_both_runtimes(move |_| async move {
            let (events, end) = same(
                |log| tokio::time::timeout(Duration::from_millis(5), stalled::one(log, in_enter)),
                |log| {
                    tokio::time::timeout(Duration::from_millis(5), stalled::nested(log, in_enter))
                },
            )
            .await;
            assert_eq!(
                end, "value Err(Elapsed(()))",
                "cancelled in enter: {in_enter}"
            );
            let expected: &[&str] = match in_enter {
                true => &["enter a", "cancel a"],
                false => &[
                    "enter a",
                    "enter b",
                    "enter c",
                    "exit c panicked(body broke)",
                    "exited c",
                    "exit b panicked(body broke)",
                    "exited b",
                    "exit a panicked(body broke)",
                    "cancel a",
                ],
            };
            assert_eq!(events, expected, "cancelled in enter: {in_enter}");
        });
    }
}
