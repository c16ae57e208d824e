//! What `async_with!` writes for several managers in one invocation, and
//! how a panic in the body reaches every `exit` with one unwind to catch it
//! and one to resume it. Hand-simplified from the real expansion (snapshot
//! `async-with-macros/src/snapshots/*several_managers.snap`); it compiles
//! and runs: `cargo run --example several-expanded`.
//!
//! ```text
//! // Input:
//! async_with!(Door { name: "outer", log } => _, Door { name: "inner", log } => inner {
//!     if log.borrow().len() == 2 { panic!("{inner} stuck") }
//!     7
//! })
//! ```
//!
//! The managers nest as blocks do: `inner` is entered inside `outer`'s
//! body, so a failure to enter it still exits `outer`. Only the outermost
//! manager resumes a caught panic: `inner` hands it out as the
//! `Err(payload)` its enclosing body leaves with, which
//! `CatchUnwindNest` passes on as if it had caught it itself.
//!
//! `async_with::__private` is the expansion's runtime support: not public
//! API, named here only to show what the macro writes.

use std::cell::RefCell;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;

use async_with::__private as p;
use async_with::{AsyncContextManager, Outcome};

struct Door<'l> {
    name: &'static str,
    log: &'l RefCell<Vec<String>>,
}

impl AsyncContextManager for Door<'_> {
    type Target<'a>
        = &'static str
    where
        Self: 'a;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<&'static str, Infallible> {
        self.log.borrow_mut().push(format!("open {}", self.name));
        Ok(self.name)
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
        let panicked = matches!(outcome, Outcome::Panicked(_));
        let name = self.name;
        self.log
            .borrow_mut()
            .push(format!("close {name} (panicked: {panicked})"));
        Ok(())
    }

    fn cancel(&mut self) {
        self.log.borrow_mut().push(format!("slam {}", self.name));
    }
}

// The hints that type the body as inline code are left out (see
// `basic-expanded.rs`), and so are the outcome probes: neither body has a
// value that could be an error.
async fn expanded(log: &RefCell<Vec<String>>) -> u32 {
    use p::UnmarkedResult as _;
    let mut outer_guard = p::Held::new(Door { name: "outer", log });
    let entered = p::arm(
        p::AsyncContextManager::enter(&mut outer_guard.manager).await,
        &mut outer_guard.armed,
    );
    let outer_target = entered.__async_with_unmarked();
    let outer_target = p::ByValue(outer_target); // moved in by value, as in `basic-expanded.rs`
    // One flow enum for the whole invocation, defined by the outermost
    // manager: the inner manager's block ends in the body's flow, which the
    // outer manager passes on as it is.
    enum Flow0<V> {
        Value(V),
    }
    // The outer body holds the inner manager: it leaves with `Ok(flow)`, or
    // with the `Err(payload)` the inner manager hands out.
    let mut outer_caught = p::CatchUnwindNest::new(async {
        let _ = outer_target.into_inner();
        let flow = {
            let mut inner_guard = p::Held::new(Door { name: "inner", log });
            let entered = p::arm(
                p::AsyncContextManager::enter(&mut inner_guard.manager).await,
                &mut inner_guard.armed,
            );
            let inner_target = entered.__async_with_unmarked();
            let inner_target = p::ByValue(inner_target);
            let mut inner_caught = p::CatchUnwindBody::new(async {
                let inner = inner_target.into_inner();
                let value = {
                    if log.borrow().len() == 2 {
                        panic!("{inner} stuck")
                    }
                    7
                };
                Flow0::Value(value)
            })
            .await;
            let exit = {
                let outcome = match &mut inner_caught {
                    p::Ok(Flow0::Value(_)) => Outcome::Completed,
                    p::Err(payload) => p::panicked(payload),
                };
                let exit = p::AsyncContextManager::exit(&mut inner_guard.manager, outcome).await;
                inner_guard.armed = false;
                exit
            };
            // Not resumed here: handed to the outer manager as a value.
            // The macro writes `p::propagate_panic(p::log_exit_error(..))`,
            // which the outer manager's rewriter turns into this `return`;
            // `log_exit_error` reports an `exit` error the panic would
            // otherwise lose (`Door`'s cannot fail: `None`).
            let flow = match inner_caught {
                p::Err(payload) => return p::Err(p::log_exit_error(payload, None)),
                p::Ok(flow) => flow,
            };
            exit.__async_with_unmarked();
            // Not matched here: only the outermost manager replays a way out.
            flow
        };
        p::Ok(flow)
    })
    .await;
    let exit = {
        let outcome = match &mut outer_caught {
            p::Ok(Flow0::Value(_)) => Outcome::Completed,
            p::Err(payload) => p::panicked(payload),
        };
        let exit = p::AsyncContextManager::exit(&mut outer_guard.manager, outcome).await;
        outer_guard.armed = false;
        exit
    };
    // The outermost manager resumes the panic, once.
    let flow = match outer_caught {
        p::Err(payload) => p::resume(payload, None),
        p::Ok(flow) => flow,
    };
    exit.__async_with_unmarked();
    match flow {
        Flow0::Value(value) => value,
    }
}

fn main() {
    let log = RefCell::new(Vec::new());
    // The body panics on purpose: say so, rather than print the default
    // hook's message and backtrace, which read like a failure.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload().downcast_ref::<String>();
        println!(
            "the body panicked, on purpose: {}",
            message.map_or("?", String::as_str)
        );
    }));
    let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
        futures::executor::block_on(expanded(&log));
    }));
    std::panic::set_hook(default_hook);
    let payload = caught.expect_err("the body's panic resumes after both exits");
    let message = payload.downcast_ref::<String>().map(String::as_str);
    assert_eq!(message, Some("inner stuck"));
    assert_eq!(
        *log.borrow(),
        [
            "open outer",
            "open inner",
            "close inner (panicked: true)",
            "close outer (panicked: true)",
        ]
    );
    println!("{:?}", log.borrow());
}
