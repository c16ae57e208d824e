//! The `async_with!` block's behaviour, one concern per module: control
//! flow through the body, cancellation, panics, several and nested
//! managers, what `exit` is told, spans, compile equivalence with the
//! inline block, and the size of its future.
//!
//! One test binary for all of them (issue 16: each binary re-monomorphises
//! Tokio and the crate). `cargo test --test macro_behaviour control_flow`
//! runs one module. The tests run in parallel threads of one process:
//! nothing here sets a panic hook, an allocator, the environment or the
//! working directory, or counts the process's threads or fds; those tests
//! are binaries of their own (tests/*.rs).

#[path = "../support/mod.rs"]
mod support;
// What `future_size` measures, shared with the benchmarks and the
// `future_size` example; its macros reach it as `$crate::common`, so it sits
// at the crate root.
#[path = "../../benches/common/mod.rs"]
mod common;
#[path = "../../benches/common/sizes.rs"]
mod sizes;

mod cancellation;
mod control_flow;
mod diverging;
mod equivalence_exits;
mod equivalence_macros;
mod equivalence_nesting;
mod equivalence_returns;
mod equivalence_several_cancel;
mod equivalence_several_flow;
mod equivalence_several_panics;
mod equivalence_tails;
mod future_size;
mod manager_errors;
mod multiple_managers;
mod nested;
mod outcome_errors;
mod outcomes_generic;
mod panics;
mod panics_several;
mod repeated_use;
mod runtime_edges;
mod spans;
