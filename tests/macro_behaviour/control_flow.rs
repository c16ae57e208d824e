//! The body behaves as if written inline: `?`, `return`, `break`,
//! `continue` (labelled or not, with values), borrows and mutation of
//! locals, and exit is awaited before control leaves.

use crate::support;

use async_with::async_with;
use support::{Log, ManagerError, on_both_runtimes};

fn completed(name: &str) -> [String; 2] {
    [format!("exit {name} completed"), format!("exited {name}")]
}

#[test]
fn value_of_the_block_is_the_value_of_the_body() {
    on_both_runtimes(|log| async move {
        let doubled = async_with!(log.manager("a") => name {
            log.push(format!("body {name}"));
            21 * 2
        });
        assert_eq!(doubled, 42);
        let mut expected = vec!["enter a".to_owned(), "body a".to_owned()];
        expected.extend(completed("a"));
        assert_eq!(log.events(), expected);
    });
}

#[test]
fn block_without_binding_runs_the_body_inside_the_manager() {
    on_both_runtimes(|log| async move {
        async_with!(log.manager("a") {
            log.push("body");
        });
        assert_eq!(
            log.events(),
            ["enter a", "body", "exit a completed", "exited a"]
        );
    });
}

#[test]
fn awaits_in_the_body_run_between_enter_and_exit() {
    on_both_runtimes(|log| async move {
        async_with!(log.manager("a") => _ {
            tokio::task::yield_now().await;
            log.push("after await");
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            log.push("after sleep");
        });
        assert_eq!(
            log.events(),
            [
                "enter a",
                "after await",
                "after sleep",
                "exit a completed",
                "exited a"
            ]
        );
    });
}

async fn question_mark_on_result(log: &Log, fail: bool) -> Result<u32, ManagerError> {
    let value: Result<u32, ManagerError> = if fail {
        Err(ManagerError("boom".into()))
    } else {
        Ok(5)
    };
    let out = async_with!(log.manager("a") => _ {
        let v = value?;
        log.push(format!("got {v}"));
        v + 1
    });
    log.push("after block");
    Ok(out)
}

#[test]
fn question_mark_on_err_exits_with_failed_then_returns_the_error() {
    on_both_runtimes(|log| async move {
        let result = question_mark_on_result(&log, true).await;
        assert_eq!(result, Err(ManagerError("boom".into())));
        assert_eq!(
            log.events(),
            [
                "enter a",
                "exit a failed(ManagerError(\"boom\"))",
                "exited a"
            ]
        );
    });
}

#[test]
fn question_mark_on_ok_continues_with_the_value() {
    on_both_runtimes(|log| async move {
        assert_eq!(question_mark_on_result(&log, false).await, Ok(6));
        assert_eq!(
            log.events(),
            [
                "enter a",
                "got 5",
                "exit a completed",
                "exited a",
                "after block"
            ]
        );
    });
}

#[derive(Debug, PartialEq)]
struct Wide(String);

impl From<ManagerError> for Wide {
    fn from(error: ManagerError) -> Self {
        Wide(format!("wide: {error}"))
    }
}

async fn question_mark_converts_with_from(log: &Log) -> Result<(), Wide> {
    async_with!(log.manager("a") {
        Err::<(), _>(ManagerError("narrow".into()))?;
    });
    Ok(())
}

#[test]
fn question_mark_converts_the_error_with_from_like_inline() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            question_mark_converts_with_from(&log).await,
            Err(Wide("wide: narrow".into()))
        );
        assert_eq!(log.events()[1], "exit a failed(ManagerError(\"narrow\"))");
    });
}

async fn question_mark_on_option(log: &Log, value: Option<u8>) -> Option<u8> {
    let doubled = async_with!(log.manager("a") => _ { value? * 2 });
    Some(doubled + 1)
}

#[test]
fn question_mark_on_none_exits_with_failed_and_returns_none() {
    on_both_runtimes(|log| async move {
        assert_eq!(question_mark_on_option(&log, None).await, None);
        assert_eq!(log.events(), ["enter a", "exit a failed", "exited a"]);
        assert_eq!(question_mark_on_option(&log, Some(4)).await, Some(9));
    });
}

async fn early_return(log: &Log, early: bool) -> &'static str {
    async_with!(log.manager("a") => _ {
        if early {
            return "early";
        }
        log.push("not early");
    });
    "late"
}

#[test]
fn return_leaves_the_function_after_exit() {
    on_both_runtimes(|log| async move {
        assert_eq!(early_return(&log, true).await, "early");
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
        assert_eq!(early_return(&log, false).await, "late");
    });
}

async fn return_err(log: &Log) -> Result<(), ManagerError> {
    async_with!(log.manager("a") {
        return Err(ManagerError("returned".into()));
    });
}

#[test]
fn returning_an_err_is_a_failure() {
    on_both_runtimes(|log| async move {
        assert_eq!(return_err(&log).await, Err(ManagerError("returned".into())));
        assert_eq!(log.events()[1], "exit a failed(ManagerError(\"returned\"))");
    });
}

async fn evaluates_to_err(log: &Log) -> Result<u8, ManagerError> {
    async_with!(log.manager("a") {
        log.push("body");
        Err(ManagerError("tail".into()))
    })
}

#[test]
fn a_body_evaluating_to_an_err_is_a_failure() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            evaluates_to_err(&log).await,
            Err(ManagerError("tail".into()))
        );
        assert_eq!(log.events()[2], "exit a failed(ManagerError(\"tail\"))");
    });
}

async fn returns_unit(log: &Log) {
    async_with!(log.manager("a") {
        return;
    });
}

#[test]
fn bare_return_in_a_unit_function() {
    on_both_runtimes(|log| async move {
        returns_unit(&log).await;
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

#[test]
fn break_and_continue_reach_the_loop_outside_the_macro() {
    on_both_runtimes(|log| async move {
        let mut seen = Vec::new();
        for i in 0..10 {
            async_with!(log.manager("a") {
                if i % 2 == 0 {
                    continue;
                }
                if i > 4 {
                    break;
                }
                seen.push(i);
            });
        }
        assert_eq!(seen, [1, 3]);
        // Six blocks (i = 0..=5), each exited once, before the loop moved on.
        let events = log.events();
        assert_eq!(events.iter().filter(|e| *e == "enter a").count(), 6);
        assert_eq!(
            events.iter().filter(|e| *e == "exit a completed").count(),
            6
        );
        assert_eq!(events.last().map(String::as_str), Some("exited a"));
    });
}

#[test]
fn labelled_break_and_continue_reach_outer_loops() {
    on_both_runtimes(|log| async move {
        let mut pairs = Vec::new();
        'outer: for i in 0..3 {
            for j in 0..3 {
                async_with!(log.manager("a") {
                    if j == 1 {
                        continue 'outer;
                    }
                    if i == 2 {
                        break 'outer;
                    }
                    pairs.push((i, j));
                });
            }
        }
        assert_eq!(pairs, [(0, 0), (1, 0)]);
        assert_eq!(log.events().len(), 5 * 3);
    });
}

#[test]
fn break_with_a_value_leaves_the_loop_with_it() {
    on_both_runtimes(|log| async move {
        let mut n = 0;
        let found = loop {
            n += 1;
            async_with!(log.manager("a") => _ {
                if n == 3 {
                    break n * 10;
                }
            });
        };
        assert_eq!(found, 30);
        assert_eq!(log.events().len(), 3 * 3);
    });
}

#[test]
fn break_out_of_a_labelled_block() {
    on_both_runtimes(|log| async move {
        let leave = log.events().is_empty();
        let value = 'block: {
            async_with!(log.manager("a") {
                if leave {
                    break 'block 1;
                }
            });
            2
        };
        assert_eq!(value, 1);
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

#[test]
fn loops_inside_the_body_keep_their_own_break_and_continue() {
    on_both_runtimes(|log| async move {
        let total = async_with!(log.manager("a") {
            let mut total = 0;
            for i in 0..10 {
                if i == 5 {
                    break;
                }
                if i == 1 {
                    continue;
                }
                total += i;
            }
            let mut k = 0;
            'inner: loop {
                k += 1;
                for _ in 0..2 {
                    if k < 3 {
                        continue 'inner;
                    }
                }
                break 'inner;
            }
            total + k
        });
        assert_eq!(total, 2 + 3 + 4 + 3);
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

#[test]
fn borrows_and_mutation_of_locals_work_as_inline() {
    on_both_runtimes(|log| async move {
        let mut counter = 0;
        let mut names = vec![String::from("x")];
        let borrowed = &names[0];
        let length = async_with!(log.manager("a") {
            counter += 1;
            borrowed.len()
        });
        names.push("y".into());
        async_with!(log.manager("b") {
            names.push("z".into());
            counter += 1;
        });
        assert_eq!((counter, length), (2, 1));
        assert_eq!(names, ["x", "y", "z"]);
    });
}

#[test]
fn closures_and_async_blocks_in_the_body_keep_their_own_return_and_question_mark() {
    on_both_runtimes(|log| async move {
        let out = async_with!(log.manager("a") => _ {
            let parse = |s: &str| -> Result<u32, std::num::ParseIntError> {
                let n: u32 = s.parse()?;
                if n > 100 {
                    return Ok(100);
                }
                Ok(n)
            };
            let inner = async {
                let n: Option<u32> = None;
                let _ = n?;
                Some(1)
            };
            fn helper(x: u32) -> u32 {
                if x == 0 {
                    return 1;
                }
                x
            }
            (parse("7").unwrap(), parse("x").is_err(), inner.await, helper(0))
        });
        assert_eq!(out, (7, true, None, 1));
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}

async fn question_mark_inside_format_macros(
    log: &Log,
    value: Result<u32, ManagerError>,
) -> Result<String, ManagerError> {
    let text = async_with!(log.manager("a") {
        let text = format!("v={}", value.clone()?);
        println!("{}", value.clone()?);
        assert!(value.clone()? > 0, "positive {}", value.clone()?);
        let mut list = vec![value.clone()?];
        list.push(1);
        let mut out = String::new();
        use std::fmt::Write as _;
        write!(out, "{text}/{}", list.len()).unwrap();
        out
    });
    Ok(text)
}

#[test]
fn question_mark_inside_macro_arguments_leaves_the_block() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            question_mark_inside_format_macros(&log, Ok(3)).await,
            Ok("v=3/2".into())
        );
        let failed = question_mark_inside_format_macros(&log, Err(ManagerError("m".into()))).await;
        assert_eq!(failed, Err(ManagerError("m".into())));
        assert_eq!(
            log.events()[3..],
            ["enter a", "exit a failed(ManagerError(\"m\"))", "exited a"]
        );
    });
}

async fn return_inside_macro_arguments(log: &Log) -> u32 {
    async_with!(log.manager("a") {
        println!("{}", if log.events().len() == 1 { return 9 } else { 0 });
    });
    0
}

#[test]
fn return_inside_macro_arguments_leaves_the_function() {
    on_both_runtimes(|log| async move {
        assert_eq!(return_inside_macro_arguments(&log).await, 9);
        assert_eq!(log.events(), ["enter a", "exit a completed", "exited a"]);
    });
}
