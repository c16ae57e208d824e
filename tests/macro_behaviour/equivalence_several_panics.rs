//! Several managers in one invocation against the same managers written as
//! nested blocks, for panics a user's body raises or catches: a
//! `panic_any` payload that is not a string, `catch_unwind` in the body,
//! closures and async blocks that panic or return, an invocation nested in
//! the body, an inner exit panicking during a body panic. Same events, same
//! outcome told to each exit, same payload resumed.

use crate::support;

use support::several::{one_and_nested, same, strings};
use support::{Log, on_both_runtimes};

// Panics with a payload that is not a string, caught panics, and closures
// or async blocks in the body that panic or return: a `return` inside them
// leaves them, not the block.

one_and_nested! {
    async fn payload(log: Log, how: u32) -> u32 {
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
            let (events, end) = same(
                |log| payload::one(log, how),
                |log| payload::nested(log, how),
            )
            .await;
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

one_and_nested! {
    async fn inside(log: Log, how: u32) -> u32 {
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
                same(|log| inside::one(log, how), |log| inside::nested(log, how)).await;
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

one_and_nested! {
    async fn double(log: Log) {
        async_with!(log.manager("a") => _, log.manager("b").panicking_exit() => _, log.manager("c") => _ {
            panic!("body broke")
        })
    }
}

#[test]
fn an_inner_exit_panicking_during_a_body_panic_ends_as_with_nested_blocks() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(double::one, double::nested).await;
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

// A panic caught by the body around an invocation of its own, and a
// cancellation while an inner `enter` is pending, or while the outermost
// exit is pending with a panic on its way out.

one_and_nested! {
    async fn catching(log: Log) -> bool {
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
}

#[test]
fn a_panic_the_body_catches_from_its_own_invocation_completes_the_outer_managers() {
    on_both_runtimes(|_| async move {
        let (events, end) = same(catching::one, catching::nested).await;
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
