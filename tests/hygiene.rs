//! The expansion names nothing the user's crate can shadow: it reaches
//! `core` items through `$crate::__private`, and its own bindings cannot
//! collide with the user's.
#![allow(dead_code, unused_macros, non_camel_case_types)]

mod support;

use support::{Log, ManagerError, on_both_runtimes};

// Everything a careless expansion would name unqualified.
mod core {}
mod std {}
struct Result;
struct Ok;
struct Err;
struct Option;
struct Some;
struct None;
struct Future;
struct ControlFlow;
struct Infallible;
struct Guard;
trait Into {}
trait From {}
macro_rules! compile_error {
    ($($t:tt)*) => {
        ::core::panic!("the expansion used the user's `compile_error!`")
    };
}
macro_rules! unreachable {
    ($($t:tt)*) => {
        ::core::panic!("the expansion used the user's `unreachable!`")
    };
}

// A generated item's name, taken by the user. (Constants named
// `__async_with_*` would turn the expansion's `let`s into constant patterns,
// as with any macro: that prefix is reserved.)
struct __AsyncWithFlow0;

type Outcome = ::core::result::Result<u32, ManagerError>;

async fn every_way_out(log: &Log, turn: u32) -> Outcome {
    let mut sum = 0;
    for i in 0..4 {
        let value: u32 = async_with::async_with!(log.fallible("a")? => name {
            log.push(::std::format!("body {name} {i}"));
            if i == 0 {
                continue;
            }
            if i == turn {
                return ::core::result::Result::Ok(100 + i);
            }
            let checked: ::core::option::Option<u32> = i.checked_add(0);
            let parsed: u32 = ::std::format!("{}", checked.ok_or(ManagerError("none".into()))?)
                .parse()
                .map_err(|_| ManagerError("parse".into()))?;
            if parsed == 3 {
                break;
            }
            parsed
        });
        sum += value;
    }
    ::core::result::Result::Ok(sum)
}

#[test]
fn shadowed_prelude_names_do_not_reach_the_expansion() {
    on_both_runtimes(|log| async move {
        ::std::assert_eq!(
            every_way_out(&log, 2).await,
            ::core::result::Result::Ok(102)
        );
        ::std::assert_eq!(
            log.events(),
            ::std::vec![
                "enter a",
                "body a 0",
                "exit a completed",
                "exited a",
                "enter a",
                "body a 1",
                "exit a completed",
                "exited a",
                "enter a",
                "body a 2",
                "exit a completed",
                "exited a",
            ]
        );
    });
}

#[test]
fn shadowed_names_survive_break_and_value_paths() {
    on_both_runtimes(|log| async move {
        // No early return: values 1 and 2 are summed, then `break` at 3.
        ::std::assert_eq!(every_way_out(&log, 99).await, ::core::result::Result::Ok(3));
        ::std::assert_eq!(log.events().len(), 16);
    });
}
