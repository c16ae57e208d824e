//! The proc macro behind [`async-with`](https://docs.rs/async-with)'s
//! `async_with!`. An implementation detail: depend on `async-with`, which
//! pins this crate exactly and hands it `$crate`.
//!
//! The modules form a one-way pipeline (each imports only those before it):
//!
//! 1. `parse.rs`: the invocation's grammar.
//! 2. `classify.rs`: what can be read from the body's shape without types
//!    (does it diverge, is a value's type known early enough to classify).
//! 3. `names.rs`: every name the expansion introduces (a leaf).
//! 4. `rewrite.rs`: the control-flow rewriter for `return`, `?`, `break`
//!    and `continue` in the body; nested blocks are expanded through a
//!    function it is handed, not by importing `expand`. `rewrite/hidden.rs`:
//!    its check for a `return` in another macro's tokens.
//! 5. `fallback.rs`: error recovery, when an invocation does not parse.
//! 6. `expand.rs`: emission, one guarded block per manager; the one
//!    "parse, else fall back" dispatch and the one recursion.
//!
//! # Diagnostics
//!
//! - A parse error is one `compile_error!` at the user's token, reached
//!   through `$crate`; the expansion then fails softly (`fallback::fallback`):
//!   it still contains the body, with the pattern's names bound to the error
//!   (so their uses add no errors) and the manager expressions type-checked.
//! - Type errors about the manager (not a manager, fallible but unmarked, an
//!   error `?` cannot convert, `.await` outside `async`) are located at the
//!   manager expression; errors inside the body keep the user's spans.
//! - Generated names use `Span::mixed_site()` and the `__async_with` prefix.
//!
//! `tests/ui/` in the facade crate holds one case per mistake.
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

// The pipeline, in the order its modules import each other: grammar,
// analysis of the body, rewrite, emission (which alone imports its
// siblings); `names` and `fallback` serve emission.
mod classify;
mod expand;
mod fallback;
#[cfg(test)]
mod fuzz_tests;
mod names;
mod parse;
mod rewrite;
#[cfg(test)]
mod snapshot_tests;

use proc_macro::TokenStream;

/// Expands `async_with!`. Called as `async_with_inner!(($crate) ...)` by the
/// facade's `macro_rules!` wrapper; not meant to be called directly.
#[proc_macro]
pub fn async_with_inner(input: TokenStream) -> TokenStream {
    expand(input.into()).into()
}

/// Expands; on a parse error, fails softly (see [`fallback::fallback`]).
/// Never panics on any input.
fn expand(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    match parse::split_krate(input) {
        Ok((krate, tokens)) => expand::invocation(&krate, tokens, 0),
        Err(error) => error.to_compile_error(),
    }
}
