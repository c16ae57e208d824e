//! The body keeps the user's spans: `line!()`, `column!()` and
//! `std::panic::Location` report where the user wrote them, as they would
//! without the macro.

use crate::support;

use async_with::async_with;
use support::{Log, on_both_runtimes};

#[test]
fn line_and_column_inside_the_body_are_the_users() {
    on_both_runtimes(|log| async move {
        let outside = line!();
        let inside = async_with!(log.manager("a") => _name {
            (line!(), column!())
        });
        // Two lines below `outside`, and `column!()` is the 23rd column of
        // its line (12 spaces, then `(line!(), `).
        assert_eq!(inside, (outside + 2, 23));
    });
}

#[test]
fn nested_blocks_keep_spans_too() {
    on_both_runtimes(|log| async move {
        let outside = line!();
        let inside = async_with!(log.manager("a") => _a, log.manager("b") => _b {
            async_with!(log.manager("c") {
                line!()
            })
        });
        assert_eq!(inside, outside + 3);
    });
}

#[track_caller]
fn caller_line() -> u32 {
    std::panic::Location::caller().line()
}

async fn lines_around_a_question_mark(log: &Log) -> Option<(u32, u32, u32)> {
    let outside = line!();
    async_with!(log.manager("a") => _name {
        let called = caller_line();
        let doubled: Option<u32> = Some(2);
        let after = (doubled?, line!()).1;
        Some((outside, called, after))
    })
}

#[test]
fn track_caller_and_question_mark_keep_the_users_lines() {
    on_both_runtimes(|log| async move {
        let (outside, called, after) = lines_around_a_question_mark(&log).await.unwrap();
        assert_eq!((called, after), (outside + 2, outside + 4));
    });
}
