//! The proc macro behind [`async-with`](https://docs.rs/async-with)'s
//! `async_with!`. An implementation detail: depend on `async-with`, which
//! pins this crate exactly and hands it `$crate`.
//!
//! - `parse.rs`: the invocation's grammar.
//! - `expand.rs`: one guarded block per manager.
//! - `rewrite.rs`: the control-flow rewriter for `return`, `?`, `break`
//!   and `continue` in the body.
//! - `classify.rs`: what can be read from the body's shape without types
//!   (does it diverge, is a value's type known early enough to classify).
//! - `names.rs`: the names a pattern binds, for the soft-failure fallback.
//!
//! # Diagnostics
//!
//! - A parse error is one `compile_error!` at the user's token, reached
//!   through `$crate`; the expansion then fails softly (`expand::fallback`):
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

mod classify;
mod expand;
#[cfg(test)]
mod fuzz_tests;
mod names;
mod parse;
mod rewrite;

use proc_macro::TokenStream;

/// Expands `async_with!`. Called as `async_with_inner!(($crate) ...)` by the
/// facade's `macro_rules!` wrapper; not meant to be called directly.
#[proc_macro]
pub fn async_with_inner(input: TokenStream) -> TokenStream {
    expand(input.into()).into()
}

/// Parses and expands; on a parse error, fails softly (see
/// [`expand::fallback`]). Never panics on any input.
fn expand(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let (krate, tokens) = match parse::split_krate(input) {
        Ok(parts) => parts,
        Err(error) => return error.to_compile_error(),
    };
    let split = parse::split_body(tokens);
    match parse::Invocation::parse(krate.clone(), &split) {
        Ok(invocation) => expand::expand(invocation, 0),
        Err(error) => expand::fallback(&krate, &split, &error),
    }
}
