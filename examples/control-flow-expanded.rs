//! What `async_with!` writes when the body leaves early: `?`, `break`,
//! `continue` and `return` become variants of a flow enum, and are replayed
//! after `exit` where the user wrote the macro. Hand-simplified from the
//! real expansion (`async-with-macros/src/rewrite.rs`); it compiles and
//! runs: `cargo run --example control-flow-expanded`.
//!
//! ```text
//! // Input:
//! async fn first_big(log: &Log, inputs: &[&str]) -> Result<u32, Error> {
//!     for input in inputs {
//!         async_with!(Tape(log)? => tape {
//!             if input.is_empty() { continue; }
//!             let n: u32 = input.parse()?;
//!             if n > 100 { break; }
//!             if n > 10 { return Ok(n); }
//!             tape.push(n);
//!         });
//!     }
//!     Ok(0)
//! }
//! ```
//!
//! `async_with::__private` is the expansion's runtime support: not public
//! API, named here only to show what the macro writes.

use std::cell::RefCell;
use std::num::ParseIntError;

use async_with::__private as p;
use async_with::{AsyncContextManager, Outcome};

#[derive(Debug, PartialEq)]
enum Error {
    Parse(ParseIntError),
}

impl From<ParseIntError> for Error {
    fn from(error: ParseIntError) -> Self {
        Error::Parse(error)
    }
}

type Log = RefCell<Vec<String>>;

/// A fallible manager (its error is `Error`), so the block marks it `?`.
struct Tape<'a>(&'a Log);

impl AsyncContextManager for Tape<'_> {
    type Target<'t>
        = &'t Log
    where
        Self: 't;
    type Error = Error;

    async fn enter(&mut self) -> Result<&Log, Error> {
        self.0.borrow_mut().push("enter".into());
        Ok(self.0)
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Error> {
        let told = match outcome {
            Outcome::Completed => "completed".to_string(),
            Outcome::Failed(failure) => format!("failed {:?}", failure.error()),
            _ => "other".to_string(),
        };
        self.0.borrow_mut().push(format!("exit {told}"));
        Ok(())
    }

    fn cancel(&mut self) {
        self.0.borrow_mut().push("cancel".into());
    }
}

async fn first_big(log: &Log, inputs: &[&str]) -> Result<u32, Error> {
    for input in inputs {
        // Output (simplified from the snapshot
        // `async-with-macros/src/snapshots/*return_question_mark_break_continue.snap`):
        {
            let mut guard = p::Held::new(Tape(log));
            // The `?` mark: an `enter` error propagates like `?`.
            let entered = p::arm(
                p::AsyncContextManager::enter(&mut guard.manager).await,
                &mut guard.armed,
            );
            let target = entered?;
            let target = p::ByValue(target); // moved in by value (`basic-expanded.rs`)

            // One variant per way out; values are generic so that their
            // types are inferred as the inline code's would be. Every
            // `return value` shares one parameter: the function's type.
            enum Flow<V, R, S1> {
                Value(V),
                Site0,     // continue
                Site1(S1), // the residual of `input.parse()?`
                Site2,     // break
                Site3(R),  // return Ok(n)
            }

            // The function's return type is tied to the `return` hint
            // before the body is type-checked (rustc checks in source
            // order), so `return value` coerces to it as inline.
            let return_hint = p::Hint::new();
            if false {
                return return_hint.get();
            }

            let mut caught = p::CatchUnwindBody::new(async {
                // Moved in (zero bytes), not borrowed (a pointer).
                let return_hint = return_hint;
                let tape = target.into_inner();
                // The body; its value is `()` here.
                {
                    if input.is_empty() {
                        return Flow::Site0;
                    }
                    let n: u32 = match p::Branch::branch(input.parse()) {
                        p::ControlFlow::Continue(value) => value,
                        p::ControlFlow::Break(residual) => return Flow::Site1(residual),
                    };
                    if n > 100 {
                        return Flow::Site2;
                    }
                    if n > 10 {
                        return Flow::Site3(p::typed(return_hint.dup(), Ok(n)));
                    }
                    tape.borrow_mut().push(format!("kept {n}"));
                }
                Flow::Value(())
            })
            .await;

            // What exit is told: a `?` that left is a failure, with the
            // error itself where it is `Error + Sync + 'static`; a returned
            // `Ok` completed.
            let exit = {
                // As in the expansion: only the impl that applies is used.
                #[allow(unused_imports)]
                use p::probe::{
                    Any as _, Err as _, ErrDebug as _, ErrError as _, ErrRef as _, Residual as _,
                    ResidualDebug as _, ResidualError as _, ResidualRef as _,
                };
                // Autoref specialization: the number of `&` picks the impl.
                #[allow(clippy::needless_borrow)]
                let outcome = match &mut caught {
                    p::Ok(Flow::Value(())) | p::Ok(Flow::Site0) | p::Ok(Flow::Site2) => {
                        Outcome::Completed
                    }
                    p::Ok(Flow::Site1(residual)) => {
                        (&&&&p::probe::Probe(&*residual)).__async_with_failure()
                    }
                    p::Ok(Flow::Site3(value)) => {
                        (&&&&&p::probe::Probe(&*value)).__async_with_outcome()
                    }
                    p::Err(payload) => p::panicked(payload),
                };
                let exit = p::AsyncContextManager::exit(&mut guard.manager, outcome).await;
                guard.armed = false;
                exit
            };
            let flow = match caught {
                p::Ok(flow) => flow,
                p::Err(payload) => p::resume(payload, None),
            };
            // An `exit` error replaces whatever the body was doing.
            exit?;

            // Each way out is replayed here, with the user's own tokens, so
            // `break` and `continue` reach the `for` loop and `?` converts
            // with `From` exactly as inline.
            match flow {
                Flow::Value(value) => value,
                Flow::Site0 => continue,
                // Allowed: were the error `Infallible`, rustc 1.85 would call it unreachable.
                #[allow(unreachable_code)]
                Flow::Site1(residual) => match residual? {},
                Flow::Site2 => break,
                Flow::Site3(value) => return value,
            }
        }
    }
    Ok(0)
}

fn main() {
    let log = Log::default();
    let run = |inputs| futures::executor::block_on(first_big(&log, inputs));

    assert_eq!(run(&["", "3", "42"]), Ok(42));
    assert!(matches!(run(&["x"]), Err(Error::Parse(_))));
    assert_eq!(run(&["500", "42"]), Ok(0));

    let events = log.take();
    assert_eq!(
        events[..7],
        [
            "enter",
            "exit completed", // continue
            "enter",
            "kept 3",
            "exit completed",
            "enter",
            "exit completed", // return Ok(42)
        ]
    );
    assert!(events[8].starts_with("exit failed Some(ParseIntError"));
    assert_eq!(events[9..], ["enter", "exit completed"]); // break
    println!("{events:#?}");
}
