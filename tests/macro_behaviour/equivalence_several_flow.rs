//! Several managers in one invocation against the same managers written as
//! nested blocks (the shape `async_with!(a, b { .. })` stands for), for
//! the ways out of a body: `?` on `Err` and `None`, an exit error replacing
//! the value, `return` and labelled `break`/`continue`, bodies that diverge
//! as a whole, and inner manager expressions that fail, return, continue or
//! await. Same events in the same order, same outcome told to each exit,
//! same value or error.

use crate::support;

use support::several::{one_and_nested, same, strings};
use support::{Log, ManagerError, on_both_runtimes};

// `?` on an `Err` in the body, with marked (fallible) managers.

one_and_nested! {
    async fn question(log: Log, fail: bool) -> Result<u8, ManagerError> {
        let value = async_with!(log.fallible("a")? => _, log.manager("b") => _, log.fallible("c")? => _ {
            let checked: Result<u8, ManagerError> = match fail {
                true => Err(ManagerError("body refused".into())),
                false => Ok(4),
            };
            checked? + 1
        });
        Ok(value)
    }
}

#[test]
fn question_mark_in_the_body_fails_every_exit_and_returns_the_error() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(
            |log| question::one(log, true),
            |log| question::nested(log, true),
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
            |log| question::one(log, false),
            |log| question::nested(log, false),
        )
        .await;
        assert_eq!(end, "value Ok(5)");
    });
}

// An inner exit error replaces the body's value; the outer exits are told it.

one_and_nested! {
    async fn exit_error(log: Log) -> Result<u8, ManagerError> {
        Ok(async_with!(log.fallible("a")? => _, log.fallible("b").failing_exit()? => _ { 7 }))
    }
}

#[test]
fn an_inner_exit_error_replaces_the_value_and_is_told_to_the_outer_exit() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(exit_error::one, exit_error::nested).await;
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

// A body whose value is an `Err`: every exit is told what the same
// managers nested tell theirs, `failed` where the tail's type is known
// where it is written (a local), `Completed` for a call typed by its
// context (the documented limitation), never a mix of the two.

one_and_nested! {
    async fn err_local(log: Log) -> Result<u8, ManagerError> {
        let error = ManagerError("tail".into());
        async_with!(log.manager("a") => _, log.manager("b") => _, log.manager("c") => _ {
            let value: Result<u8, ManagerError> = Err(error);
            value
        })
    }
    async fn err_call(log: Log) -> Result<u8, ManagerError> {
        let value: Result<u8, ManagerError> = Err(ManagerError("tail".into()));
        async_with!(log.manager("a") => _, log.manager("b") => _, log.manager("c") => _ {
            value.clone()
        })
    }
}

#[test]
fn an_err_value_is_told_alike_to_every_exit_as_with_nested_blocks() {
    on_both_runtimes(|_| async move {
        let exits = |outcome: &str| {
            strings(&[
                "enter a",
                "enter b",
                "enter c",
                &format!("exit c {outcome}"),
                "exited c",
                &format!("exit b {outcome}"),
                "exited b",
                &format!("exit a {outcome}"),
                "exited a",
            ])
        };
        let (events, end) = same(err_local::one, err_local::nested).await;
        assert_eq!(end, r#"value Err(ManagerError("tail"))"#);
        assert_eq!(events, exits(r#"failed(ManagerError("tail"))"#));
        let (events, end) = same(err_call::one, err_call::nested).await;
        assert_eq!(end, r#"value Err(ManagerError("tail"))"#);
        assert_eq!(events, exits("completed"));
    });
}

// `return` from the enclosing function, and labelled `break`/`continue`.

one_and_nested! {
    async fn leave(log: Log) -> Vec<u32> {
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
}

#[test]
fn return_and_labelled_break_or_continue_leave_through_every_exit() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(leave::one, leave::nested).await;
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

// A manager expression that fails with the `?` of its constructor, and a
// cancellation while the innermost body (or an exit) is pending.

fn make(log: &Log, name: &'static str, ok: bool) -> Result<support::Fallible, ManagerError> {
    match ok {
        true => Ok(log.fallible(name)),
        false => Err(ManagerError(format!("no {name}"))),
    }
}

one_and_nested! {
    async fn constructor(log: Log) -> Result<(), ManagerError> {
        async_with!(log.fallible("a")? => _, (make(&log, "b", false)?)? => _ { log.push("body") });
        Ok(())
    }
}

#[test]
fn a_constructor_error_in_an_inner_manager_expression_exits_the_outer_ones() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(constructor::one, constructor::nested).await;
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

// `?` on `None` in a function returning `Option`, and a marked manager's
// error converted with `From` into the function's `Box<dyn Error>`.

one_and_nested! {
    async fn option(log: Log, give: Option<u8>) -> Option<u8> {
        Some(async_with!(log.manager("a") => _, log.manager("b") => _ { give? * 2 }))
    }
}

type Boxed = Box<dyn std::error::Error + Send + Sync>;

one_and_nested! {
    async fn boxed(log: Log) -> Result<u8, Boxed> {
        Ok(
            async_with!(log.manager("a") => _, log.fallible("b").failing_exit()? => _, log.manager("c") => _ { 1 }),
        )
    }
}

#[test]
fn question_mark_on_none_and_a_converted_exit_error_end_as_with_nested_blocks() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(
            |log| option::one(log, None),
            |log| option::nested(log, None),
        )
        .await;
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
            |log| option::one(log, Some(4)),
            |log| option::nested(log, Some(4)),
        )
        .await;
        assert_eq!(end, "value Some(8)");
        let (events, end) = same(boxed::one, boxed::nested).await;
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

one_and_nested! {
    async fn diverging(log: Log, how: u32) -> Result<u32, ManagerError> {
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
                |log| diverging::one(log, how),
                |log| diverging::nested(log, how),
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

one_and_nested! {
    async fn expression(log: Log, give: Option<u32>) -> u32 {
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
                |log| expression::one(log, give),
                |log| expression::nested(log, give),
            )
            .await;
            assert_eq!(end, expected_end, "given {give:?}");
            assert_eq!(events, expected, "given {give:?}");
        });
    }
}

// `return` and `break` with a value, replaced by an inner exit's error.

one_and_nested! {
    #[allow(clippy::never_loop)] // the case is a `break` with a value out of a `loop`
    async fn replaced(log: Log, fail: bool) -> Result<u8, ManagerError> {
        let b = |log: &Log| match fail {
            true => log.fallible("b").failing_exit(),
            false => log.fallible("b"),
        };
        let looped = loop {
            async_with!(log.manager("a") => _, b(&log)? => _, log.manager("c") => _ { break 3u8 });
        };
        async_with!(log.manager("a") => _, b(&log)? => _ { return Ok(looped + 2) });
    }
}

#[allow(clippy::never_loop)] // the case is a `break` with a value out of a `loop`
#[test]
fn return_or_break_with_a_value_is_replaced_by_an_inner_exit_error() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(
            |log| replaced::one(log, false),
            |log| replaced::nested(log, false),
        )
        .await;
        assert_eq!(end, "value Ok(5)");
        assert_eq!(
            events.iter().filter(|e| e.ends_with("completed")).count(),
            5
        );
        let (events, end) = same(
            |log| replaced::one(log, true),
            |log| replaced::nested(log, true),
        )
        .await;
        assert_eq!(end, r#"value Err(ManagerError("exit b failed"))"#);
        assert_eq!(
            events,
            [
                "enter a",
                "enter b",
                "enter c",
                "exit c completed",
                "exited c",
                "exit b completed",
                "exited b",
                r#"exit a failed(ManagerError("exit b failed"))"#,
                "exited a",
            ]
        );
    });
}
