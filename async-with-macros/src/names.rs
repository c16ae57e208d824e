//! Every name the expansion introduces, in one place.
//!
//! Each is built with `Span::mixed_site()`, so the user's code can neither
//! name nor shadow it, and starts with `__async_with` / `__AsyncWith`. The
//! names that must stay apart when blocks nest carry the block's depth.

use proc_macro2::{Ident, Span, TokenStream};
use quote::format_ident;

/// The guard that owns the manager and its armed flag (`__private::Held`).
pub(crate) const GUARD: &str = "__async_with_guard";
/// `enter`'s result, bound before it is unwrapped (unmarked managers).
pub(crate) const ENTERED: &str = "__async_with_entered";
/// The target, moved into the body's `async` block.
pub(crate) const TARGET: &str = "__async_with_target";
/// A value leaving the body (its tail, a `return`, a `break`).
pub(crate) const VALUE: &str = "__async_with_value";
/// The body's tail, passed through its type hint.
pub(crate) const TAIL: &str = "__async_with_tail";
/// The `?` residual leaving the body.
pub(crate) const RESIDUAL: &str = "__async_with_residual";
/// The body's result: its flow, or the payload of its panic.
pub(crate) const CAUGHT: &str = "__async_with_caught";
/// The body's flow once its panic (if any) is handled.
pub(crate) const FLOW: &str = "__async_with_flow";
/// A caught panic's payload.
pub(crate) const PAYLOAD: &str = "__async_with_payload";
/// The outcome told to `exit`.
pub(crate) const OUTCOME: &str = "__async_with_outcome";
/// `exit`'s result.
pub(crate) const EXIT: &str = "__async_with_exit";
/// The type hint of the macro's value, as the context sees it.
pub(crate) const OUTER_HINT: &str = "__async_with_outer_hint";
/// The same hint, moved into the body.
pub(crate) const INNER_HINT: &str = "__async_with_inner_hint";
/// The flow enum's type parameter for the body's value.
pub(crate) const VALUE_TYPE: &str = "__AsyncWithValue";
/// The flow enum's type parameter shared by every `return value`.
pub(crate) const RETURN_TYPE: &str = "__AsyncWithReturn";
/// The fallback's stand-in for names a broken invocation would bind.
pub(crate) const ERROR: &str = "__async_with_error";

/// An identifier the user's code cannot name.
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// The flow enum of the block at `depth`: one variant per way out.
pub(crate) fn flow(depth: usize) -> Ident {
    format_ident!("__AsyncWithFlow{}", depth, span = Span::mixed_site())
}

/// The flow enum's variant for the `index`th way out of a body.
pub(crate) fn site(index: usize) -> Ident {
    format_ident!("Site{}", index, span = Span::mixed_site())
}

/// The flow enum's type parameter for a variant's value.
pub(crate) fn site_type(variant: &Ident) -> Ident {
    format_ident!("__AsyncWith{}", variant, span = Span::mixed_site())
}

/// The type hint for values sent to the `index`th target of the block
/// keyed `flow` (its depth, spelled as a flow enum's name; see
/// `rewrite::Target`).
pub(crate) fn hint(flow: &Ident, index: usize) -> Ident {
    format_ident!(
        "__async_with_hint_{}_{}",
        flow,
        index,
        span = Span::mixed_site()
    )
}

/// `$crate`, resolved where the facade wrote it but located at `span`, so
/// that a diagnostic about a path starting with it points at the user's
/// token rather than at the whole invocation.
pub(crate) fn krate_at(krate: &TokenStream, span: Span) -> TokenStream {
    krate
        .clone()
        .into_iter()
        .map(|mut tree| {
            tree.set_span(tree.span().located_at(span));
            tree
        })
        .collect()
}
