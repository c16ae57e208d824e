//! The proc macro behind [`async-with`](https://docs.rs/async-with)'s
//! `async_with!`. An implementation detail: depend on `async-with`, which
//! pins this crate exactly and hands it `$crate`.
//!
//! - `parse.rs`: the invocation's grammar.
//! - `expand.rs`: one guarded block per manager.
//! - `rewrite.rs`: the control-flow rewriter for `return`, `?`, `break`
//!   and `continue` in the body.
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

mod expand;
#[cfg(test)]
mod fuzz_tests;
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
