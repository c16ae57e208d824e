//! Several managers in one invocation against the same managers written as
//! nested blocks (the shape `async_with!(a, b { .. })` stands for): for
//! every way a body a user writes can end (`?`, `return`, labelled
//! `break`/`continue`, a panic with any payload, a caught panic, a closure
//! or async block that panics or returns, a nested invocation, a
//! cancellation), both shapes give the same events in the same order, the
//! same outcome told to each exit, and the same value, error or payload.

use crate::support;

use std::future::Future;
use std::time::Duration;

use async_with::async_with;
use support::{Log, ManagerError, on_both_runtimes};

/// How a run ended, in a form both shapes can be compared by.
async fn ending<T: std::fmt::Debug>(future: impl Future<Output = T>) -> String {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(future).catch_unwind().await {
        Ok(value) => format!("value {value:?}"),
        Err(payload) => match (
            payload.downcast_ref::<&str>(),
            payload.downcast_ref::<String>(),
            payload.downcast_ref::<u32>(),
        ) {
            (Some(text), _, _) => format!("panic {text}"),
            (_, Some(text), _) => format!("panic {text}"),
            (_, _, Some(number)) => format!("panic u32 {number}"),
            _ => "panic of another type".to_owned(),
        },
    }
}

/// Runs both shapes of a case, each on its own log, and returns the one
/// invocation's (events, ending) after checking the nested blocks agree.
async fn same<F1, F2, T>(
    one: impl FnOnce(Log) -> F1,
    nested: impl FnOnce(Log) -> F2,
) -> (Vec<String>, String)
where
    F1: Future<Output = T>,
    F2: Future<Output = T>,
    T: std::fmt::Debug,
{
    let (one_log, nested_log) = (Log::new(), Log::new());
    let one_ending = ending(one(one_log.clone())).await;
    let nested_ending = ending(nested(nested_log.clone())).await;
    let one_run = (one_log.events(), one_ending);
    assert_eq!(
        one_run,
        (nested_log.events(), nested_ending),
        "one invocation against nested blocks"
    );
    one_run
}

fn strings(events: &[&str]) -> Vec<String> {
    events.iter().map(|event| (*event).to_owned()).collect()
}

// `?` on an `Err` in the body, with marked (fallible) managers.

async fn question_one(log: Log, fail: bool) -> Result<u8, ManagerError> {
    let value = async_with!(log.fallible("a")? => _, log.manager("b") => _, log.fallible("c")? => _ {
        let checked: Result<u8, ManagerError> = match fail {
            true => Err(ManagerError("body refused".into())),
            false => Ok(4),
        };
        checked? + 1
    });
    Ok(value)
}

async fn question_nested(log: Log, fail: bool) -> Result<u8, ManagerError> {
    let value = async_with!(log.fallible("a")? => _ {
        async_with!(log.manager("b") => _ {
            async_with!(log.fallible("c")? => _ {
                let checked: Result<u8, ManagerError> = match fail {
                    true => Err(ManagerError("body refused".into())),
                    false => Ok(4),
                };
                checked? + 1
            })
        })
    });
    Ok(value)
}

#[test]
fn question_mark_in_the_body_fails_every_exit_and_returns_the_error() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(
            |log| question_one(log, true),
            |log| question_nested(log, true),
        )
        .await;
        assert_eq!(end, r#"value Err(ManagerError("body refused"))"#);
        let failed = r#"failed(ManagerError("body refused"))"#;
        assert_eq!(
            events,
            strings(&[
                "enter a",
                "enter b",
                "enter c",
                &format!("exit c {failed}"),
                "exited c",
                &format!("exit b {failed}"),
                "exited b",
                &format!("exit a {failed}"),
                "exited a",
            ])
        );
        let (_, end) = same(
            |log| question_one(log, false),
            |log| question_nested(log, false),
        )
        .await;
        assert_eq!(end, "value Ok(5)");
    });
}

// An inner exit error replaces the body's value; the outer exits are told it.

async fn exit_error_one(log: Log) -> Result<u8, ManagerError> {
    Ok(async_with!(log.fallible("a")? => _, log.fallible("b").failing_exit()? => _ { 7 }))
}

async fn exit_error_nested(log: Log) -> Result<u8, ManagerError> {
    Ok(async_with!(log.fallible("a")? => _ {
        async_with!(log.fallible("b").failing_exit()? => _ { 7 })
    }))
}

#[test]
fn an_inner_exit_error_replaces_the_value_and_is_told_to_the_outer_exit() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(exit_error_one, exit_error_nested).await;
        assert_eq!(end, r#"value Err(ManagerError("exit b failed"))"#);
        assert_eq!(
            events[..5],
            strings(&[
                "enter a",
                "enter b",
                "exit b completed",
                "exited b",
                r#"exit a failed(ManagerError("exit b failed"))"#
            ])
        );
    });
}

// `return` from the enclosing function, and labelled `break`/`continue`.

async fn leave_one(log: Log) -> Vec<u32> {
    let mut seen = Vec::new();
    'outer: for round in 0..4u32 {
        for step in 0..3u32 {
            async_with!(log.manager("a") => _, log.manager("b") => _, log.manager("c") => _, log.manager("d") => _ {
                log.push(format!("body {round}.{step}"));
                match (round, step) {
                    (0, 1) => continue 'outer,
                    (1, 0) => break,
                    (2, 1) => break 'outer,
                    _ => seen.push(round * 10 + step),
                }
            });
        }
    }
    async_with!(log.manager("a") => _, log.manager("b") => _ {
        if seen.len() == 2 {
            return seen;
        }
    });
    Vec::new()
}

async fn leave_nested(log: Log) -> Vec<u32> {
    let mut seen = Vec::new();
    'outer: for round in 0..4u32 {
        for step in 0..3u32 {
            async_with!(log.manager("a") => _ {
                async_with!(log.manager("b") => _ {
                    async_with!(log.manager("c") => _ {
                        async_with!(log.manager("d") => _ {
                            log.push(format!("body {round}.{step}"));
                            match (round, step) {
                                (0, 1) => continue 'outer,
                                (1, 0) => break,
                                (2, 1) => break 'outer,
                                _ => seen.push(round * 10 + step),
                            }
                        })
                    })
                })
            });
        }
    }
    async_with!(log.manager("a") => _ {
        async_with!(log.manager("b") => _ {
            if seen.len() == 2 {
                return seen;
            }
        })
    });
    Vec::new()
}

#[test]
fn return_and_labelled_break_or_continue_leave_through_every_exit() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(leave_one, leave_nested).await;
        assert_eq!(end, "value [0, 20]");
        let bodies: Vec<&String> = events.iter().filter(|e| e.starts_with("body")).collect();
        assert_eq!(
            bodies,
            ["body 0.0", "body 0.1", "body 1.0", "body 2.0", "body 2.1"]
        );
        // Every body left through all four exits, completed, innermost first.
        let exits: Vec<&String> = events.iter().filter(|e| e.starts_with("exit ")).collect();
        assert_eq!(exits.len(), 5 * 4 + 2);
        assert!(exits.iter().all(|e| e.ends_with("completed")), "{exits:?}");
    });
}

// Panics with a payload that is not a string, caught panics, and closures
// or async blocks in the body that panic or return: a `return` inside them
// leaves them, not the block.

async fn payload_one(log: Log, how: u32) -> u32 {
    async_with!(log.manager("a") => _, log.manager("b") => _, log.manager("c") => _ {
        log.push(format!("body {how}"));
                match how {
                    0 => std::panic::panic_any(42u32),
                    1 => {
                        // A panic caught inside the body is the body's business.
                        let caught = std::panic::catch_unwind(|| -> u32 { panic!("caught inside") });
                        log.push(format!("caught: {}", caught.is_err()));
                        1
                    }
                    2 | 3 => {
                        let closure = |x: u32| -> u32 {
                            if x > 1 {
                                return x * 2;
                            }
                            panic!("closure broke")
                        };
                        closure(3) + closure(how - 1)
                    }
                    _ => {
                        let inner = async {
                            if how == 4 {
                                return 40u32;
                            }
                            panic!("async block broke")
                        };
                        inner.await + 1
                    }
                }
    })
}

async fn payload_nested(log: Log, how: u32) -> u32 {
    async_with!(log.manager("a") => _ {
        async_with!(log.manager("b") => _ {
            async_with!(log.manager("c") => _ {
                log.push(format!("body {how}"));
                match how {
                    0 => std::panic::panic_any(42u32),
                    1 => {
                        // A panic caught inside the body is the body's business.
                        let caught = std::panic::catch_unwind(|| -> u32 { panic!("caught inside") });
                        log.push(format!("caught: {}", caught.is_err()));
                        1
                    }
                    2 | 3 => {
                        let closure = |x: u32| -> u32 {
                            if x > 1 {
                                return x * 2;
                            }
                            panic!("closure broke")
                        };
                        closure(3) + closure(how - 1)
                    }
                    _ => {
                        let inner = async {
                            if how == 4 {
                                return 40u32;
                            }
                            panic!("async block broke")
                        };
                        inner.await + 1
                    }
                }
            })
        })
    })
}

#[test]
fn panics_of_any_payload_closures_and_async_blocks_end_as_with_nested_blocks() {
    let told = |outcome: &str| {
        let mut events = Vec::new();
        for name in ["c", "b", "a"] {
            events.push(format!("exit {name} {outcome}"));
            events.push(format!("exited {name}"));
        }
        events
    };
    let cases: [(u32, &str, &[&str], &str); 6] = [
        (0, "panic u32 42", &["body 0"], "panicked(?)"),
        (1, "value 1", &["body 1", "caught: true"], "completed"),
        (
            2,
            "panic closure broke",
            &["body 2"],
            "panicked(closure broke)",
        ),
        (3, "value 10", &["body 3"], "completed"),
        (4, "value 41", &["body 4"], "completed"),
        (
            5,
            "panic async block broke",
            &["body 5"],
            "panicked(async block broke)",
        ),
    ];
    for (how, expected_end, body_events, outcome) in cases {
        on_both_runtimes(move |_| async move {
            let (events, end) =
                same(|log| payload_one(log, how), |log| payload_nested(log, how)).await;
            assert_eq!(end, expected_end, "case {how}");
            let mut expected = strings(&["enter a", "enter b", "enter c"]);
            expected.extend(strings(body_events));
            expected.extend(told(outcome));
            assert_eq!(events, expected, "case {how}");
        });
    }
}

// An invocation of several managers nested in the body of another, the
// inner body panicking or returning; and a body panicking while an inner
// exit panics too.

async fn inside_one(log: Log, how: u32) -> u32 {
    async_with!(log.manager("a") => _, log.manager("b") => _ {
        let inner = async_with!(log.manager("c") => _, log.manager("d") => _, log.manager("e") => _ {
            match how {
                0 => panic!("innermost broke"),
                1 => return 11,
                _ => 2,
            }
        });
        inner + 1
    })
}

async fn inside_nested(log: Log, how: u32) -> u32 {
    async_with!(log.manager("a") => _ {
        async_with!(log.manager("b") => _ {
            let inner = async_with!(log.manager("c") => _ {
                async_with!(log.manager("d") => _ {
                    async_with!(log.manager("e") => _ {
                        match how {
                            0 => panic!("innermost broke"),
                            1 => return 11,
                            _ => 2,
                        }
                    })
                })
            });
            inner + 1
        })
    })
}

#[test]
fn an_invocation_nested_in_the_body_ends_as_with_nested_blocks() {
    for (how, expected_end, outcome) in [
        (0, "panic innermost broke", "panicked(innermost broke)"),
        (1, "value 11", "completed"),
        (2, "value 3", "completed"),
    ] {
        on_both_runtimes(move |_| async move {
            let (events, end) =
                same(|log| inside_one(log, how), |log| inside_nested(log, how)).await;
            assert_eq!(end, expected_end, "case {how}");
            let mut expected = strings(&["enter a", "enter b", "enter c", "enter d", "enter e"]);
            for name in ["e", "d", "c", "b", "a"] {
                expected.push(format!("exit {name} {outcome}"));
                expected.push(format!("exited {name}"));
            }
            assert_eq!(events, expected, "case {how}");
        });
    }
}

async fn double_one(log: Log) {
    async_with!(log.manager("a") => _, log.manager("b").panicking_exit() => _, log.manager("c") => _ {
        panic!("body broke")
    })
}

async fn double_nested(log: Log) {
    async_with!(log.manager("a") => _ {
        async_with!(log.manager("b").panicking_exit() => _ {
            async_with!(log.manager("c") => _ {
                panic!("body broke")
            })
        })
    })
}

#[test]
fn an_inner_exit_panicking_during_a_body_panic_ends_as_with_nested_blocks() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(double_one, double_nested).await;
        assert_eq!(end, "panic exit of b panicked");
        assert_eq!(
            events,
            [
                "enter a",
                "enter b",
                "enter c",
                "exit c panicked(body broke)",
                "exited c",
                "exit b panicked(body broke)",
                "cancel b",
                "exit a panicked(exit of b panicked)",
                "exited a",
            ],
        );
    });
}

// A manager expression that fails with the `?` of its constructor, and a
// cancellation while the innermost body (or an exit) is pending.

fn make(log: &Log, name: &'static str, ok: bool) -> Result<support::Fallible, ManagerError> {
    match ok {
        true => Ok(log.fallible(name)),
        false => Err(ManagerError(format!("no {name}"))),
    }
}

async fn constructor_one(log: Log) -> Result<(), ManagerError> {
    async_with!(log.fallible("a")? => _, (make(&log, "b", false)?)? => _ { log.push("body") });
    Ok(())
}

async fn constructor_nested(log: Log) -> Result<(), ManagerError> {
    async_with!(log.fallible("a")? => _ {
        async_with!((make(&log, "b", false)?)? => _ { log.push("body") })
    });
    Ok(())
}

#[test]
fn a_constructor_error_in_an_inner_manager_expression_exits_the_outer_ones() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(constructor_one, constructor_nested).await;
        assert_eq!(end, r#"value Err(ManagerError("no b"))"#);
        assert_eq!(
            events,
            [
                "enter a",
                r#"exit a failed(ManagerError("no b"))"#,
                "exited a"
            ]
        );
    });
}

const LONG: Duration = Duration::from_secs(3600);

async fn parked_one(log: Log, in_exit: bool) {
    async_with!(log.manager("a") => _, log.manager("b").slow_exit(if in_exit { LONG } else { Duration::ZERO }) => _, log.manager("c") => _ {
        log.push("body");
        if !in_exit {
            tokio::time::sleep(LONG).await;
        }
    })
}

async fn parked_nested(log: Log, in_exit: bool) {
    async_with!(log.manager("a") => _ {
        async_with!(log.manager("b").slow_exit(if in_exit { LONG } else { Duration::ZERO }) => _ {
            async_with!(log.manager("c") => _ {
                log.push("body");
                if !in_exit {
                    tokio::time::sleep(LONG).await;
                }
            })
        })
    })
}

#[test]
fn cancelling_in_the_body_or_an_inner_exit_cancels_as_nested_blocks_do() {
    for in_exit in [false, true] {
        on_both_runtimes(move |_| async move {
            let (events, end) = same(
                |log| tokio::time::timeout(Duration::from_millis(5), parked_one(log, in_exit)),
                |log| tokio::time::timeout(Duration::from_millis(5), parked_nested(log, in_exit)),
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

// `?` on `None` in a function returning `Option`, and a marked manager's
// error converted with `From` into the function's `Box<dyn Error>`.

async fn option_one(log: Log, give: Option<u8>) -> Option<u8> {
    Some(async_with!(log.manager("a") => _, log.manager("b") => _ { give? * 2 }))
}

async fn option_nested(log: Log, give: Option<u8>) -> Option<u8> {
    Some(async_with!(log.manager("a") => _ {
        async_with!(log.manager("b") => _ { give? * 2 })
    }))
}

type Boxed = Box<dyn std::error::Error + Send + Sync>;

async fn boxed_one(log: Log) -> Result<u8, Boxed> {
    Ok(
        async_with!(log.manager("a") => _, log.fallible("b").failing_exit()? => _, log.manager("c") => _ { 1 }),
    )
}

async fn boxed_nested(log: Log) -> Result<u8, Boxed> {
    Ok(async_with!(log.manager("a") => _ {
        async_with!(log.fallible("b").failing_exit()? => _ {
            async_with!(log.manager("c") => _ { 1 })
        })
    }))
}

#[test]
fn question_mark_on_none_and_a_converted_exit_error_end_as_with_nested_blocks() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(|log| option_one(log, None), |log| option_nested(log, None)).await;
        assert_eq!(end, "value None");
        assert_eq!(
            events,
            [
                "enter a",
                "enter b",
                "exit b failed",
                "exited b",
                "exit a failed",
                "exited a"
            ]
        );
        let (_, end) = same(
            |log| option_one(log, Some(4)),
            |log| option_nested(log, Some(4)),
        )
        .await;
        assert_eq!(end, "value Some(8)");
        let (events, end) = same(boxed_one, boxed_nested).await;
        assert_eq!(end, r#"value Err(ManagerError("exit b failed"))"#);
        assert_eq!(events.last().map(String::as_str), Some("exited a"));
        assert!(
            events.contains(&r#"exit a failed(ManagerError("exit b failed"))"#.to_owned()),
            "{events:?}"
        );
    });
}

// Bodies that diverge as a whole (`return`, `break` with a value out of a
// labelled block, `continue`, `Err(..)?`), spliced in as statements.

async fn diverging_one(log: Log, how: u32) -> Result<u32, ManagerError> {
    let mut rounds = 0;
    let value = 'block: {
        for round in 0..3 {
            rounds = round;
            match how {
                0 => async_with!(log.manager("a") => _, log.fallible("b")? => _ { return Ok(70) }),
                1 => {
                    async_with!(log.manager("a") => _, log.fallible("b")? => _ { break 'block 71 })
                }
                2 => async_with!(log.manager("a") => _, log.fallible("b")? => _ { continue }),
                _ => async_with!(log.manager("a") => _, log.fallible("b")? => _ {
                    Err(ManagerError("diverged".into()))?
                }),
            }
        }
        rounds
    };
    Ok(value)
}

async fn diverging_nested(log: Log, how: u32) -> Result<u32, ManagerError> {
    let mut rounds = 0;
    let value = 'block: {
        for round in 0..3 {
            rounds = round;
            match how {
                0 => async_with!(log.manager("a") => _ {
                    async_with!(log.fallible("b")? => _ { return Ok(70) })
                }),
                1 => async_with!(log.manager("a") => _ {
                    async_with!(log.fallible("b")? => _ { break 'block 71 })
                }),
                2 => async_with!(log.manager("a") => _ {
                    async_with!(log.fallible("b")? => _ { continue })
                }),
                _ => async_with!(log.manager("a") => _ {
                    async_with!(log.fallible("b")? => _ {
                        Err(ManagerError("diverged".into()))?
                    })
                }),
            }
        }
        rounds
    };
    Ok(value)
}

#[test]
fn a_body_that_diverges_as_a_whole_ends_as_with_nested_blocks() {
    for (how, expected_end, blocks, outcome) in [
        (0, "value Ok(70)", 1, "completed"),
        (1, "value Ok(71)", 1, "completed"),
        (2, "value Ok(2)", 3, "completed"),
        (
            3,
            r#"value Err(ManagerError("diverged"))"#,
            1,
            r#"failed(ManagerError("diverged"))"#,
        ),
    ] {
        on_both_runtimes(move |_| async move {
            let (events, end) = same(
                |log| diverging_one(log, how),
                |log| diverging_nested(log, how),
            )
            .await;
            assert_eq!(end, expected_end, "case {how}");
            let one_block = [
                "enter a".to_owned(),
                "enter b".to_owned(),
                format!("exit b {outcome}"),
                "exited b".to_owned(),
                format!("exit a {outcome}"),
                "exited a".to_owned(),
            ];
            let expected: Vec<String> = (0..blocks).flat_map(|_| one_block.clone()).collect();
            assert_eq!(events, expected, "case {how}");
        });
    }
}

// An inner manager's expression that returns, continues or awaits: it is
// part of the outer manager's body, as in the nested blocks.

async fn expression_one(log: Log, give: Option<u32>) -> u32 {
    let mut total = 0;
    for round in 0..2 {
        total += async_with!(log.manager("a") => _, match give {
            Some(0) => continue,
            Some(_) => support::equivalence::ready(log.manager("b")).await,
            None => return 90 + round,
        } => b {
            log.push(format!("body {b}"));
            give.unwrap_or(0)
        });
    }
    total
}

async fn expression_nested(log: Log, give: Option<u32>) -> u32 {
    let mut total = 0;
    for round in 0..2 {
        total += async_with!(log.manager("a") => _ {
            async_with!(match give {
                Some(0) => continue,
                Some(_) => support::equivalence::ready(log.manager("b")).await,
                None => return 90 + round,
            } => b {
                log.push(format!("body {b}"));
                give.unwrap_or(0)
            })
        });
    }
    total
}

#[test]
fn an_inner_manager_expression_that_returns_continues_or_awaits_ends_as_with_nested_blocks() {
    for (give, expected_end, expected) in [
        (
            None,
            "value 90",
            &["enter a", "exit a completed", "exited a"][..],
        ),
        (
            Some(0),
            "value 0",
            &[
                "enter a",
                "exit a completed",
                "exited a",
                "enter a",
                "exit a completed",
                "exited a",
            ][..],
        ),
        (
            Some(4),
            "value 8",
            &[
                "enter a",
                "enter b",
                "body b",
                "exit b completed",
                "exited b",
                "exit a completed",
                "exited a",
                "enter a",
                "enter b",
                "body b",
                "exit b completed",
                "exited b",
                "exit a completed",
                "exited a",
            ][..],
        ),
    ] {
        on_both_runtimes(move |_| async move {
            let (events, end) = same(
                |log| expression_one(log, give),
                |log| expression_nested(log, give),
            )
            .await;
            assert_eq!(end, expected_end, "given {give:?}");
            assert_eq!(events, expected, "given {give:?}");
        });
    }
}

// A panic caught by the body around an invocation of its own, and a
// cancellation while an inner `enter` is pending, or while the outermost
// exit is pending with a panic on its way out.

async fn catching_one(log: Log) -> bool {
    use futures::FutureExt;
    async_with!(log.manager("a") => _, log.manager("b") => _ {
        let caught = std::panic::AssertUnwindSafe(async {
            async_with!(log.manager("c") => _, log.manager("d") => _ { panic!("inner broke") })
        })
        .catch_unwind()
        .await;
        log.push(format!("caught: {}", caught.is_err()));
        caught.is_err()
    })
}

async fn catching_nested(log: Log) -> bool {
    use futures::FutureExt;
    async_with!(log.manager("a") => _ {
        async_with!(log.manager("b") => _ {
            let caught = std::panic::AssertUnwindSafe(async {
                async_with!(log.manager("c") => _ {
                    async_with!(log.manager("d") => _ { panic!("inner broke") })
                })
            })
            .catch_unwind()
            .await;
            log.push(format!("caught: {}", caught.is_err()));
            caught.is_err()
        })
    })
}

#[test]
fn a_panic_the_body_catches_from_its_own_invocation_completes_the_outer_managers() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(catching_one, catching_nested).await;
        assert_eq!(end, "value true");
        assert_eq!(
            events,
            [
                "enter a",
                "enter b",
                "enter c",
                "enter d",
                "exit d panicked(inner broke)",
                "exited d",
                "exit c panicked(inner broke)",
                "exited c",
                "caught: true",
                "exit b completed",
                "exited b",
                "exit a completed",
                "exited a",
            ]
        );
    });
}

async fn stalled_one(log: Log, in_enter: bool) {
    let (enter, exit) = match in_enter {
        true => (LONG, Duration::ZERO),
        false => (Duration::ZERO, LONG),
    };
    async_with!(log.manager("a").slow_exit(exit) => _, log.manager("b").slow_enter(enter) => _, log.manager("c") => _ {
        panic!("body broke")
    })
}

async fn stalled_nested(log: Log, in_enter: bool) {
    let (enter, exit) = match in_enter {
        true => (LONG, Duration::ZERO),
        false => (Duration::ZERO, LONG),
    };
    async_with!(log.manager("a").slow_exit(exit) => _ {
        async_with!(log.manager("b").slow_enter(enter) => _ {
            async_with!(log.manager("c") => _ {
                panic!("body broke")
            })
        })
    })
}

#[test]
fn cancelling_in_an_inner_enter_or_the_outer_exit_during_a_panic_cancels_as_nested_blocks_do() {
    for in_enter in [true, false] {
        on_both_runtimes(move |_| async move {
            let (events, end) = same(
                |log| tokio::time::timeout(Duration::from_millis(5), stalled_one(log, in_enter)),
                |log| tokio::time::timeout(Duration::from_millis(5), stalled_nested(log, in_enter)),
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
