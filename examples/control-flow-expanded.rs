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
        // Output (simplified):
        {
            let mut guard = p::Guard::new(Tape(log));
            // The `?` mark: an `enter` error propagates like `?`.
            let target = guard.enter().await?;

            // One variant per way out; values are generic so that their
            // types are inferred as the inline code's would be.
            enum Flow<V, S1, S3> {
                Value(V),
                Site0,     // continue
                Site1(S1), // the residual of `input.parse()?`
                Site2,     // break
                Site3(S3), // return Ok(n)
            }

            let mut caught = p::CatchUnwind::new(async {
                let tape = target;
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
                        return Flow::Site3(Ok(n));
                    }
                    tape.borrow_mut().push(format!("kept {n}"));
                }
                Flow::Value(())
            })
            .await;

            // What exit is told: a `?` that left is a failure, with the
            // error's `Debug` form; a returned `Ok` completed.
            let exit = {
                let outcome = match &mut caught {
                    Ok(Flow::Value(())) | Ok(Flow::Site0) | Ok(Flow::Site2) => Outcome::Completed,
                    Ok(Flow::Site1(p::Err(error))) => Outcome::Failed(p::Failure::new(&*error)),
                    Ok(Flow::Site1(p::Ok(never))) => match *never {},
                    Ok(Flow::Site3(value)) => match value {
                        Ok(_) => Outcome::Completed,
                        Err(error) => Outcome::Failed(p::Failure::new(&*error)),
                    },
                    Err(payload) => p::panicked(payload),
                };
                guard.exit(outcome).await
            };
            let flow = match caught {
                Ok(flow) => flow,
                Err(payload) => p::resume(payload, None),
            };
            // An `exit` error replaces whatever the body was doing.
            exit?;

            // Each way out is replayed here, with the user's own tokens, so
            // `break` and `continue` reach the `for` loop and `?` converts
            // with `From` exactly as inline.
            match flow {
                Flow::Value(value) => value,
                Flow::Site0 => continue,
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
