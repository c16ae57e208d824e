//! Spotlight behaves the same on every executor: the suite in
//! `tests/support/spotlight_suite.rs`, run on Tokio (current-thread and
//! multi-thread), smol, `futures::executor` and Embassy's host executor,
//! each settling on its own timer through `DelayNs`.

#[path = "support/executors.rs"]
mod executors;
#[macro_use]
#[path = "support/spotlight_suite.rs"]
mod suite;

mod tokio_current_thread {
    spotlight_suite!(crate::executors::TokioCurrentThread);
}

mod tokio_multi_thread {
    spotlight_suite!(crate::executors::TokioMultiThread);
}

mod smol {
    spotlight_suite!(crate::executors::Smol);
}

mod futures_executor {
    spotlight_suite!(crate::executors::FuturesExecutor);
}

mod embassy {
    spotlight_suite!(crate::executors::Embassy);
}
