//! What `async_with!` writes for the simplest block: one manager, a
//! pattern, a body that evaluates to a value. Hand-simplified from the real
//! expansion (`async-with-macros/src/expand.rs`); it compiles and runs:
//! `cargo run --example basic-expanded`.
//!
//! ```text
//! // Input:
//! async_with!(&mut *door => door {
//!     door.knocks += 1;
//!     door.knocks
//! })
//! ```
//!
//! `async_with::__private` is the expansion's runtime support: not public
//! API, named here only to show what the macro writes.

use std::convert::Infallible;

use async_with::__private as p;
use async_with::{AsyncContextManager, Outcome};

struct Door {
    name: &'static str,
    knocks: u32,
    log: Vec<String>,
}

impl Door {
    fn new(name: &'static str) -> Self {
        Door {
            name,
            knocks: 0,
            log: Vec::new(),
        }
    }
}

impl AsyncContextManager for Door {
    type Target<'a> = &'a mut Door;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<&mut Door, Infallible> {
        self.log.push(format!("open {}", self.name));
        Ok(self)
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
        let completed = outcome.is_completed();
        self.log
            .push(format!("close {} (completed: {completed})", self.name));
        Ok(())
    }

    fn cancel(&mut self) {
        self.log.push(format!("slam {}", self.name));
    }
}

async fn expanded(door: &mut Door) -> u32 {
    // Output (simplified from the snapshot
    // `async-with-macros/src/snapshots/*tail_value.snap`), the function's tail:
    {
        // The manager is evaluated once and owned by a guard. From a
        // successful `enter` on, dropping the guard runs `cancel`.
        let mut guard = p::Held::new(&mut *door);
        // No `?` mark: the manager's error must be `Infallible`.
        use p::UnmarkedResult as _;
        // `enter` is awaited on the guard's manager field; the guard is armed
        // through its own field once it succeeded, so the target may go on
        // borrowing the manager (a cancelled `enter` is the manager's own
        // business).
        let entered = p::arm(
            p::AsyncContextManager::enter(&mut guard.manager).await,
            &mut guard.armed,
        );
        let target = entered.__async_with_unmarked();
        // Wrapped so that the body's async block moves it in: a `Copy`
        // target (`()`, `&T`) would be captured by reference, a pointer in
        // the block's future.
        let target = p::ByValue(target);

        // One variant per way out of the body; this body has only its value.
        enum Flow<V> {
            Value(V),
        }

        // The type the context expects of the block (here the function's
        // `u32`) is tied to the hint first, so that the body's value is
        // checked against it as inline code would be.
        let (outer_hint, inner_hint) = p::Hint::pair();
        p::typed(outer_hint, {
            // The body runs in an async block so that a panic can be caught
            // and `exit` still awaited; `CatchUnwindBody` yields `Err(payload)`.
            let mut caught = p::CatchUnwindBody::new(async {
                let door = target.into_inner();
                let value = {
                    door.knocks += 1;
                    p::typed(inner_hint, door.knocks)
                };
                Flow::Value(value)
            })
            .await;

            // What exit is told: an `Err` value is a failure (found by
            // autoref specialization on `Probe`); a `u32` completed.
            let exit = {
                // As in the expansion: only the impl that applies is used.
                #[allow(unused_imports)]
                use p::probe::{Any as _, Err as _, ErrDebug as _, ErrError as _, ErrRef as _};
                // Autoref specialization: the number of `&` picks the impl.
                #[allow(clippy::needless_borrow)]
                let outcome = match &mut caught {
                    p::Ok(Flow::Value(value)) => {
                        (&&&&&p::probe::Probe(&*value)).__async_with_outcome()
                    }
                    p::Err(payload) => p::panicked(payload),
                };
                // `exit` awaited directly; the guard stays armed until it
                // completed, so dropping this future mid-exit runs `cancel`.
                let exit = p::AsyncContextManager::exit(&mut guard.manager, outcome).await;
                guard.armed = false;
                exit
            };

            // A caught panic resumes after exit.
            let flow = match caught {
                p::Ok(flow) => flow,
                p::Err(payload) => p::resume(payload, None),
            };
            exit.__async_with_unmarked();
            match flow {
                Flow::Value(value) => value,
            }
        })
    }
}

fn main() {
    let mut door = Door::new("front");
    let knocks = futures::executor::block_on(expanded(&mut door));
    assert_eq!(knocks, 1);
    assert_eq!(door.log, ["open front", "close front (completed: true)"]);
    println!("{:?}", door.log);
}
