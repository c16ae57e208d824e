//! A nested `async_with!` inside a body, with every control-flow path.

use crate::support;

use async_with::async_with;
use support::{Log, ManagerError, on_both_runtimes};

async fn nested(log: &Log, how: &str) -> Result<u32, ManagerError> {
    let mut iterations = 0;
    let out = loop {
        iterations += 1;
        if iterations > 3 {
            break 0;
        }
        let value = async_with!(log.manager("outer") => _ {
            let inner = async_with!(log.manager("inner") => _ {
                match how {
                    "value" => 1,
                    "question" => Err(ManagerError("inner ?".into()))?,
                    "return" => return Ok(2),
                    "break" => break 3,
                    "continue" if iterations == 1 => continue,
                    _ => 4,
                }
            });
            inner * 10
        });
        break value;
    };
    Ok(out + iterations * 1000)
}

fn both(inner: &str, outer: &str) -> Vec<String> {
    vec![
        "enter outer".into(),
        "enter inner".into(),
        format!("exit inner {inner}"),
        "exited inner".into(),
        format!("exit outer {outer}"),
        "exited outer".into(),
    ]
}

#[test]
fn nested_value() {
    on_both_runtimes(|log| async move {
        assert_eq!(nested(&log, "value").await, Ok(1010));
        assert_eq!(log.events(), both("completed", "completed"));
    });
}

#[test]
fn nested_question_mark_fails_both_blocks() {
    on_both_runtimes(|log| async move {
        assert_eq!(
            nested(&log, "question").await,
            Err(ManagerError("inner ?".into()))
        );
        let failed = "failed(ManagerError(\"inner ?\"))";
        assert_eq!(log.events(), both(failed, failed));
    });
}

#[test]
fn nested_return_leaves_both_blocks() {
    on_both_runtimes(|log| async move {
        assert_eq!(nested(&log, "return").await, Ok(2));
        assert_eq!(log.events(), both("completed", "completed"));
    });
}

#[test]
fn nested_break_leaves_both_blocks_with_the_value() {
    on_both_runtimes(|log| async move {
        assert_eq!(nested(&log, "break").await, Ok(1003));
        assert_eq!(log.events(), both("completed", "completed"));
    });
}

#[test]
fn nested_continue_leaves_both_blocks_and_loops_again() {
    on_both_runtimes(|log| async move {
        assert_eq!(nested(&log, "continue").await, Ok(2040));
        let mut expected = both("completed", "completed");
        expected.extend(both("completed", "completed"));
        assert_eq!(log.events(), expected);
    });
}
