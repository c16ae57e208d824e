//! Panics with several managers in one invocation: wherever the panic is
//! raised (the body, an inner manager's expression, `enter` or `exit`),
//! every manager outside it is told `panicked` with that payload, innermost
//! first, and the same payload resumes: exactly what the same managers
//! written as nested blocks do, as Python's `AsyncExitStack` does.
//!
//! The expansion hands a panic from an inner manager to the next one out
//! as a value and resumes it once (BENCHMARKS.md, section 1); these tests
//! pin that nothing observable changed with it.

use crate::support;

use async_with::async_with;
use support::several::{one_and_nested, same};
use support::{Fallible, Log, Recorder, on_both_runtimes, panic_message};

/// Where the panic is raised; the index is the manager's (`a`, `b`, `c`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Raise {
    Body,
    Expression(usize),
    Enter(usize),
    Exit(usize),
}

/// Every place a panic can be raised in a block of three managers.
const EVERYWHERE: [Raise; 10] = [
    Raise::Body,
    Raise::Expression(1),
    Raise::Expression(2),
    Raise::Enter(0),
    Raise::Enter(1),
    Raise::Enter(2),
    Raise::Exit(0),
    Raise::Exit(1),
    Raise::Exit(2),
    Raise::Expression(0),
];

const NAMES: [&str; 3] = ["a", "b", "c"];

fn recorder(log: &Log, raise: Raise, index: usize) -> Recorder {
    let name = NAMES[index];
    match raise {
        Raise::Expression(at) if at == index => panic!("expression of {name} panicked"),
        Raise::Enter(at) if at == index => log.manager(name).panicking_enter(),
        Raise::Exit(at) if at == index => log.manager(name).panicking_exit(),
        _ => log.manager(name),
    }
}

fn body(log: &Log, raise: Raise) {
    log.push("body");
    if raise == Raise::Body {
        panic!("body broke");
    }
}

one_and_nested! {
    async fn three(log: Log, raise: Raise) {
        async_with!(
            recorder(&log, raise, 0) => _,
            recorder(&log, raise, 1) => _,
            recorder(&log, raise, 2) => _ {
            body(&log, raise)
        });
    }
}

/// The events and the ending (`panic {message}`) of one run of the three
/// managers in one invocation, after checking that the same managers
/// written as nested blocks end alike.
async fn run(raise: Raise) -> (Vec<String>, String) {
    same(
        |log| three::one(log, raise),
        |log| three::nested(log, raise),
    )
    .await
}

#[test]
fn a_panic_in_the_body_is_told_to_every_exit_innermost_first_and_resumes_once() {
    on_both_runtimes(|_| async move {
        let (events, message) = run(Raise::Body).await;
        assert_eq!(message, "panic body broke");
        assert_eq!(
            events,
            [
                "enter a",
                "enter b",
                "enter c",
                "body",
                "exit c panicked(body broke)",
                "exited c",
                "exit b panicked(body broke)",
                "exited b",
                "exit a panicked(body broke)",
                "exited a",
            ]
        );
    });
}

#[test]
fn a_panic_in_an_inner_exit_cancels_that_manager_and_is_told_to_the_outer_ones() {
    on_both_runtimes(|_| async move {
        let (events, message) = run(Raise::Exit(1)).await;
        assert_eq!(message, "panic exit of b panicked");
        assert_eq!(
            events,
            [
                "enter a",
                "enter b",
                "enter c",
                "body",
                "exit c completed",
                "exited c",
                "exit b completed",
                "cancel b",
                "exit a panicked(exit of b panicked)",
                "exited a",
            ]
        );
    });
}

#[test]
fn a_panic_in_an_inner_enter_or_expression_is_told_to_the_managers_already_entered() {
    on_both_runtimes(|_| async move {
        let (events, message) = run(Raise::Enter(2)).await;
        assert_eq!(message, "panic enter of c panicked");
        assert_eq!(
            events,
            [
                "enter a",
                "enter b",
                "exit b panicked(enter of c panicked)",
                "exited b",
                "exit a panicked(enter of c panicked)",
                "exited a",
            ]
        );
    });
    on_both_runtimes(|_| async move {
        let (events, message) = run(Raise::Expression(1)).await;
        assert_eq!(message, "panic expression of b panicked");
        assert_eq!(
            events,
            [
                "enter a",
                "exit a panicked(expression of b panicked)",
                "exited a"
            ]
        );
    });
}

#[test]
fn every_panic_position_ends_as_with_nested_blocks() {
    for raise in EVERYWHERE {
        on_both_runtimes(move |_| async move {
            // `run` compares the two shapes' events and endings.
            let (_, end) = run(raise).await;
            assert!(
                end.starts_with("panic "),
                "panic raised at {raise:?}: {end}"
            );
        });
    }
}

async fn fallible_three(log: &Log, failing_exit: usize) -> Result<(), support::ManagerError> {
    let make = |index: usize| -> Fallible {
        let manager = log.fallible(NAMES[index]);
        match index == failing_exit {
            true => manager.failing_exit(),
            false => manager,
        }
    };
    async_with!(make(0)? => _, make(1)? => _, make(2)? => _ {
        body(log, Raise::Body)
    });
    Ok(())
}

#[test]
fn an_inner_exit_error_while_panicking_does_not_replace_the_panic_for_the_outer_exits() {
    for failing_exit in 0..NAMES.len() {
        on_both_runtimes(move |log| async move {
            let message = panic_message(fallible_three(&log, failing_exit)).await;
            assert_eq!(message, "body broke", "exit {failing_exit} failed");
            assert_eq!(
                log.events(),
                [
                    "enter a",
                    "enter b",
                    "enter c",
                    "body",
                    "exit c panicked(body broke)",
                    "exited c",
                    "exit b panicked(body broke)",
                    "exited b",
                    "exit a panicked(body broke)",
                    "exited a",
                ],
                "exit {failing_exit} failed"
            );
        });
    }
}
