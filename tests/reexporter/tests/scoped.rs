//! `async_with!` used under another name, from a crate that does not
//! depend on `async-with` itself: the expansion must reach its runtime
//! through `$crate`, never through a hard-coded `::async_with`.

use std::cell::RefCell;
use std::convert::Infallible;

use async_with_reexporter::{AsyncContextManager, Outcome, scoped};

/// Records what happened to it.
struct Tape<'a>(&'a RefCell<Vec<String>>);

impl AsyncContextManager for Tape<'_> {
    type Target<'t>
        = usize
    where
        Self: 't;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<usize, Infallible> {
        self.0.borrow_mut().push("enter".into());
        Ok(self.0.borrow().len())
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
        let told = match outcome {
            Outcome::Completed => "completed",
            Outcome::Failed(_) => "failed",
            _ => "other",
        };
        self.0.borrow_mut().push(format!("exit {told}"));
        Ok(())
    }

    fn cancel(&mut self) {
        self.0.borrow_mut().push("cancel".into());
    }
}

async fn first_even(tape: &RefCell<Vec<String>>, numbers: &[u32]) -> Option<u32> {
    for &number in numbers {
        scoped!(Tape(tape) => entered {
            tape.borrow_mut().push(format!("body {entered} {number}"));
            if number % 2 == 0 {
                return Some(number);
            }
        });
    }
    None
}

#[test]
fn reexported_macro_runs_exit_on_return() {
    let tape = RefCell::new(Vec::new());
    let found = futures::executor::block_on(first_even(&tape, &[3, 4, 5]));
    assert_eq!(found, Some(4));
    assert_eq!(
        tape.into_inner(),
        [
            "enter",
            "body 1 3",
            "exit completed",
            "enter",
            "body 4 4",
            "exit completed",
        ]
    );
}

#[test]
fn reexported_macro_reports_a_failed_question_mark() {
    let tape = RefCell::new(Vec::new());
    let result: Result<u32, String> = futures::executor::block_on(async {
        let value = scoped!(Tape(&tape) {
            let parsed: u32 = "x".parse::<u32>().map_err(|e| e.to_string())?;
            parsed
        });
        Ok(value)
    });
    assert_eq!(result, Err("invalid digit found in string".to_string()));
    assert_eq!(tape.into_inner(), ["enter", "exit failed"]);
}
