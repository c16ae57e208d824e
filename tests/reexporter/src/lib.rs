//! Re-exports `async_with!` under another name, as a downstream crate would.
//! Its tests use the macro only through this crate (see `tests/`).

pub use async_with::async_with as scoped;
pub use async_with::{AsyncContextManager, Outcome};
