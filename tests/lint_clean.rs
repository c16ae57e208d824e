//! The expansion is lint-clean: every way out of a body compiles under
//! `deny(warnings)` here, and under `clippy::all` in `.ci/run`'s clippy
//! pass, without the user writing a single `allow`.
#![deny(warnings, clippy::all)]

mod support;

use async_with::async_with;
use futures::FutureExt;
use support::{Log, ManagerError, on_both_runtimes};

async fn tail_value(log: &Log) -> u32 {
    async_with!(log.manager("a") => name { name.len() as u32 })
}

async fn unit_body(log: &Log) {
    async_with!(log.manager("a") {
        log.push("unit");
    });
}

async fn empty_body(log: &Log) {
    async_with!(log.manager("a") {});
}

async fn early_return(log: &Log, early: bool) -> u32 {
    async_with!(log.manager("a") => _name {
        if early {
            return 1;
        }
    });
    2
}

async fn return_as_last_statement(log: &Log) -> u32 {
    async_with!(log.manager("a") => _name {
        return 3;
    })
}

async fn question_marks(log: &Log, input: &str) -> Result<u32, ManagerError> {
    async_with!(log.fallible("a")? => _name {
        let parsed: u32 = input.parse().map_err(|_| ManagerError("parse".into()))?;
        Ok(parsed)
    })
}

async fn option_question_mark(log: &Log, input: Option<u32>) -> Option<u32> {
    let value = async_with!(log.manager("a") {
        input? + 1
    });
    Some(value)
}

async fn loops(log: &Log) -> u32 {
    let mut sum = 0;
    'outer: for i in 0..10 {
        for j in 0..10 {
            async_with!(log.manager("a") {
                if j == 1 {
                    continue 'outer;
                }
                if i == 3 {
                    break 'outer;
                }
                if i == 1 {
                    continue;
                }
                sum += i;
            });
        }
    }
    sum
}

async fn break_with_value(log: &Log) -> u32 {
    let mut count = 0;
    loop {
        count += 1;
        async_with!(log.manager("a") {
            if count == 3 {
                break count * 10;
            }
        });
    }
}

async fn labelled_block(log: &Log, found: bool) -> u32 {
    'found: {
        async_with!(log.manager("a") {
            if found {
                break 'found 5;
            }
        });
        6
    }
}

async fn diverging_body(log: &Log) -> u32 {
    'found: {
        async_with!(log.manager("a") {
            break 'found 7;
        })
    }
}

async fn nested_and_several(log: &Log) -> Result<u32, ManagerError> {
    let total = async_with!(log.manager("a") => a, log.fallible("b")? => b {
        let inner = async_with!(log.manager("c") => c {
            if c.is_empty() {
                return Ok(0);
            }
            c.len()
        });
        a.len() + b.len() + inner
    });
    Ok(total as u32)
}

// The inner block's type is `!`: as the outer tail it is a diverging
// sub-expression of the expansion's own call (clippy's
// `diverging_sub_expression`, which once fired here).
async fn nested_block_that_panics(log: &Log) -> bool {
    let caught = std::panic::AssertUnwindSafe(async {
        async_with!(log.manager("a") => _ {
            async_with!(log.manager("b") => _ { panic!("nested body broke") })
        })
    })
    .catch_unwind()
    .await;
    caught.is_err()
}

#[test]
fn every_way_out_compiles_without_warnings_and_behaves() {
    on_both_runtimes(|log| async move {
        assert_eq!(tail_value(&log).await, 1);
        unit_body(&log).await;
        empty_body(&log).await;
        assert_eq!(early_return(&log, true).await, 1);
        assert_eq!(early_return(&log, false).await, 2);
        assert_eq!(return_as_last_statement(&log).await, 3);
        assert_eq!(question_marks(&log, "4").await, Ok(4));
        assert_eq!(
            question_marks(&log, "x").await,
            Err(ManagerError("parse".into()))
        );
        assert_eq!(option_question_mark(&log, Some(1)).await, Some(2));
        assert_eq!(option_question_mark(&log, None).await, None);
        assert_eq!(loops(&log).await, 2);
        assert_eq!(break_with_value(&log).await, 30);
        assert_eq!(labelled_block(&log, true).await, 5);
        assert_eq!(labelled_block(&log, false).await, 6);
        assert_eq!(diverging_body(&log).await, 7);
        assert_eq!(nested_and_several(&log).await, Ok(3));
        assert!(nested_block_that_panics(&log).await);
        let enters = log
            .events()
            .iter()
            .filter(|e| e.starts_with("enter"))
            .count();
        let exits = log
            .events()
            .iter()
            .filter(|e| e.starts_with("exited"))
            .count();
        assert_eq!(enters, exits);
    });
}
