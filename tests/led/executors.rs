//! Spotlight behaves the same on every executor: the suite in
//! `tests/support/spotlight_suite.rs`, run on Tokio (current-thread and
//! multi-thread), smol, `futures::executor` and Embassy's host executor,
//! each settling on its own timer through `DelayNs`.

use crate::support::spotlight_suite::spotlight_suite;

mod tokio_current_thread {
    super::spotlight_suite!(crate::support::executors::TokioCurrentThread);
}

mod tokio_multi_thread {
    super::spotlight_suite!(crate::support::executors::TokioMultiThread);
}

mod smol {
    super::spotlight_suite!(crate::support::executors::Smol);
}

mod futures_executor {
    super::spotlight_suite!(crate::support::executors::FuturesExecutor);
}

mod embassy {
    super::spotlight_suite!(crate::support::executors::Embassy);
}
