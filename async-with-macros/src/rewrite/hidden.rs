//! The check for a `return` in another macro's tokens, which the rewriter
//! cannot rewrite (they are opaque until that macro expands, after
//! `async_with!`): where it would leave the body, it becomes a compile
//! error at the keyword instead of a type mismatch with the flow enum.
//!
//! ```text
//! // Input (in the body):
//! passthrough!(if n > 1 { return n; } else { 0 })
//! // Output:
//! ::core::compile_error!("`return` inside `passthrough!(..)` is not seen by `async_with!`, ...")
//! ```
//!
//! Tokens are read as expressions, statements or `select!`-style arms
//! and probed with a throwaway rewriter, which skips what has a control
//! flow of its own (closures, `async` blocks, items) as the real one does.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote_spanned;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Macro, Token};

use super::{Rewriter, SiteKind, is_async_with};
use crate::names;

impl Rewriter<'_> {
    /// A `return` in another macro's arguments (`passthrough!(return 5)`)
    /// would leave the body's `async` block, not the body: rustc then
    /// reports a type mismatch with the expansion's flow enum. When the
    /// arguments read as expressions, statements or `select!`-style arms
    /// with a `return` outside closures, `async` blocks and items (which
    /// have their own), this is the `return` to report instead, at the
    /// keyword, naming the way around it. Also found through macros and
    /// `async_with!` blocks nested in the arguments. Not reported: a
    /// generator's body (a `yield` beside the `return`, `stream! { .. }`,
    /// also a `yield` in a macro there, `select! { .. => yield v }`), whose
    /// `return` ends the generator.
    pub(super) fn hidden_return(&mut self, mac: &Macro, name: &str) -> Option<Token![return]> {
        if TOKEN_MACROS.contains(&name) || OWN_FUNCTION_MACROS.contains(&name) || is_async_with(mac)
        {
            return None;
        }
        let flow = names::ident("__AsyncWithHidden");
        // A nested block's `return` is replayed after its `exit`, in these
        // tokens: its body is probed as a block of them.
        let nested = |tokens: TokenStream| match tokens.into_iter().last() {
            Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
                TokenTree::Group(body).into()
            }
            _ => TokenStream::new(),
        };
        let mut probe = Rewriter::new(self.krate, &flow, &nested);
        probe.scopes = self.scopes.clone();
        let tokens = mac.tokens.clone();
        if let Ok(mut exprs) =
            Punctuated::<Expr, Token![,]>::parse_terminated.parse2(tokens.clone())
        {
            exprs.iter_mut().for_each(|expr| probe.visit_expr_mut(expr));
        } else if let Ok(mut stmts) = syn::Block::parse_within.parse2(tokens.clone()) {
            stmts.iter_mut().for_each(|stmt| probe.visit_stmt_mut(stmt));
        } else if let Ok(mut exprs) = parse_arms.parse2(tokens.clone()) {
            exprs.iter_mut().for_each(|expr| probe.visit_expr_mut(expr));
        } else {
            // Some other grammar: only a `return` with no closure, `async`
            // block, `fn` or `yield` around can be told.
            self.yields |= mentions_yield(tokens.clone());
            return bare_return(tokens);
        }
        if probe.yields {
            // Seen by the probe around this one too: these tokens may be
            // that generator's (a `stream!` whose `yield` is in a `select!`).
            self.yields = true;
            return None;
        }
        // Only a `return` is reported. rustc's own errors for the others
        // name the `async` block (a `?` "in an async block", "`break`
        // inside `async` block"), and they are right where a macro wraps
        // its argument in a closure (a `try` block of its own) or a loop
        // (a `retry!`), which this cannot tell from here.
        let own = probe.sites.iter().find_map(|site| match site.kind {
            SiteKind::Return { keyword } => Some(keyword),
            _ => None,
        });
        own.or(probe.hidden)
    }
}

/// The compile error for a `return` in `name!`'s arguments, at the keyword.
pub(super) fn hidden_return_error(keyword: Token![return], name: &str) -> TokenStream {
    let message = format!(
        "`return` inside `{name}!(..)` is not seen by `async_with!`, which cannot look into \
         another macro's tokens: it would leave only the `async` block the body runs in; \
         compute the value first (`let value = {name}!(..);`), then `return` in the body itself"
    );
    quote_spanned!(keyword.span=> ::core::compile_error!(#message))
}

/// The arms of `tokio::select!` and `futures::select!` (and macros with
/// their grammar), as the expressions they run where the macro is written:
/// futures, `if` preconditions and handlers.
///
/// ```text
/// // Input:
/// biased; Some(v) = rx.recv(), if open => { return v } _ = stop => break, else => 0
/// // Output:
/// [rx.recv(), open, { return v }, stop, break, 0]
/// ```
fn parse_arms(input: syn::parse::ParseStream<'_>) -> syn::Result<Vec<Expr>> {
    let mut exprs = Vec::new();
    if input.peek(Ident) && input.peek2(Token![;]) {
        input.parse::<Ident>()?; // `biased`
        input.parse::<Token![;]>()?;
    }
    while !input.is_empty() {
        if input.peek(Token![else]) {
            input.parse::<Token![else]>()?;
        } else if input.peek(Ident) && input.peek2(Token![=>]) {
            input.parse::<Ident>()?; // `complete`, `default`
        } else {
            syn::Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            exprs.push(input.parse()?);
            if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                exprs.push(input.parse()?);
            }
        }
        input.parse::<Token![=>]>()?;
        exprs.push(Expr::parse_with_earlier_boundary_rule(input)?);
        input.parse::<Option<Token![,]>>()?;
    }
    Ok(exprs)
}

/// The `return` keyword in `tokens`, if there is one and nothing there
/// could give it a function of its own (`|`, `async`, `fn`) or make the
/// tokens a generator's body (`yield`).
fn bare_return(tokens: TokenStream) -> Option<Token![return]> {
    let mut found = None;
    let mut stack = vec![tokens];
    while let Some(tokens) = stack.pop() {
        for tree in tokens {
            match tree {
                TokenTree::Group(group) => stack.push(group.stream()),
                TokenTree::Punct(punct) if punct.as_char() == '|' => return None,
                TokenTree::Ident(ident)
                    if ident == "async" || ident == "fn" || ident == "yield" =>
                {
                    return None;
                }
                TokenTree::Ident(ident) if ident == "return" && found.is_none() => {
                    found = Some(Token![return](ident.span()));
                }
                _ => {}
            }
        }
    }
    found
}

/// Whether `tokens` hold a `yield` anywhere (a keyword: never a name).
fn mentions_yield(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Group(group) => mentions_yield(group.stream()),
        TokenTree::Ident(ident) => ident == "yield",
        _ => false,
    })
}

/// Macros that only read their tokens (or a path, a literal) and never
/// run them where they are written: a `return` in them is not a way out.
const TOKEN_MACROS: &[&str] = &[
    "cfg",
    "column",
    "compile_error",
    "concat",
    "env",
    "file",
    "include",
    "include_bytes",
    "include_str",
    "line",
    "module_path",
    "option_env",
    "parse_quote",
    "parse_quote_spanned",
    "quote",
    "quote_spanned",
    "stringify",
];

/// Macros that run their tokens in a closure of their own, later: a
/// `return` there leaves that closure. scopeguard's `defer!` (at the end
/// of the scope).
const OWN_FUNCTION_MACROS: &[&str] = &["defer"];
