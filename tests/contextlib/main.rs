//! Python's contextlib and what it is built on, one concern per module: the
//! `Guard` state machine, the function API (`with`/`try_with`),
//! `manager_fn`, the exit stack (and its `close()` cut short), the detached
//! exit, the `Send` variant and the Tokio locks as managers.
//!
//! One test binary for all of them (issue 16). `cargo test --test
//! contextlib exit_stack_retry` runs one module. The tests run in parallel
//! threads of one process. `detached_exit` installs, once, the panic hook of
//! `support::panics_on_this_thread`: it passes every panic on to the hook
//! before it and counts panics per thread, so other tests' panics neither
//! change its counts nor lose their report; no other module here sets a
//! hook.

#[path = "../support/mod.rs"]
mod support;

mod detached_exit;
mod exit_stack;
mod exit_stack_equivalence;
mod exit_stack_retry;
mod function_api;
mod guard;
mod locks;
mod manager_fn;
mod send_variant;
