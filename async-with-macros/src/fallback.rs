//! Error recovery: when an invocation does not parse, the expansion still
//! contains the user's body and managers, so that the body's own errors
//! show, rust-analyzer keeps completing in it, and nothing cascades.
//!
//! The tokens may not parse, so they are read by one scanner: the head is
//! cut into clauses at top-level commas ([`clauses`]); a clause's manager
//! is what comes before its first `=>`, and its names are those the
//! patterns after each `=>` would bind.

use proc_macro2::{Ident, Spacing, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::Expr;
use syn::parse::{Parse, Parser};
use syn::visit_mut::{self, VisitMut};

use crate::names;
use crate::parse::{Manager, Split};

/// Fails softly: the error, and the user's body as a plain block, so that
/// the body's own errors still show and rust-analyzer still completes in it.
/// The names the patterns would have bound are bound to the error
/// expression, whose type is `{type error}`, so their uses add no errors.
///
/// ```text
/// // Input (a `,` is missing):
/// async_with!(open() => conn log() => out { conn.send(out).await })
/// // Output:
/// {
///     let error = { $crate::__private::core::compile_error!("expected `,` ...") };
///     let _ = open();                       // still type-checked, never run
///     let conn = error;
///     let out = error;
///     { conn.send(out).await }              // no further errors from here
/// }
/// ```
pub(crate) fn fallback(krate: &TokenStream, split: &Split, error: &syn::Error) -> TokenStream {
    let error = compile_error(krate, error);
    let clauses = clauses(&split.head);
    let mut names = Vec::new();
    for clause in &clauses {
        clause_names(clause, &mut names);
    }
    // Never run (the crate does not compile): only type-checked.
    let managers = clauses.iter().filter_map(|clause| manager_expr(clause));
    let poisoned = names::ident(names::ERROR);
    let Some(body) = &split.body else {
        return quote! {
            {
                let #poisoned = #error;
                #(let #names = #poisoned;)*
                #(let _ = #managers;)*
                #poisoned
            }
        };
    };
    quote! {
        {
            let #poisoned = #error;
            #(let _ = #managers;)*
            #(let #names = #poisoned;)*
            #body
        }
    }
}

/// `compile_error!` through `$crate`, one per message, each at its span;
/// the last is the block's value, so a binding of it has the type
/// `{type error}` and its uses add no errors.
///
/// ```text
/// // Input: an error "expected ..." spanning the user's tokens `a b`
/// // Output:
/// { $crate::__private::core::compile_error!("expected ...") }
/// //  ^ located at `a`                                   ^ located at `b`
/// ```
pub(crate) fn compile_error(krate: &TokenStream, error: &syn::Error) -> TokenStream {
    use proc_macro2::TokenTree;

    // syn renders each message as `::core::compile_error! { "..." }` with
    // the path at the error's first token and the group at its last one;
    // keep those locations, but reach `core` through `$crate`.
    let trees: Vec<TokenTree> = error.to_compile_error().into_iter().collect();
    let mut errors = Vec::new();
    for window in trees.windows(8) {
        let (TokenTree::Ident(core), TokenTree::Ident(name), TokenTree::Group(group)) =
            (&window[2], &window[5], &window[7])
        else {
            continue;
        };
        if core != "core" || name != "compile_error" {
            continue;
        }
        let start = core.span();
        let path = names::krate_at(krate, start);
        let bang = quote_spanned!(start=> ::__private::core::compile_error!);
        let mut args = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, group.stream());
        args.set_span(group.span());
        errors.push(quote!(#path #bang #args));
    }
    if errors.is_empty() {
        // syn rendered its errors some other way: never lose them.
        return error.to_compile_error();
    }
    quote!({ #(#errors);* })
}

/// The head's clauses: its tokens cut at every top-level `,`.
///
/// ```text
/// // Input (head of an invocation that failed to parse):
/// a() => (x, mut y), b() => z w
/// // Output:
/// [`a() => (x, mut y)`, `b() => z w`]
/// ```
fn clauses(head: &TokenStream) -> Vec<Vec<TokenTree>> {
    let mut clauses = vec![Vec::new()];
    for tree in head.clone() {
        match &tree {
            TokenTree::Punct(punct) if punct.as_char() == ',' => clauses.push(Vec::new()),
            _ => clauses.last_mut().expect("never empty").push(tree),
        }
    }
    clauses
}

/// Whether `clause[index..]` starts with `=>`.
fn is_arrow(clause: &[TokenTree], index: usize) -> bool {
    matches!(clause.get(index), Some(TokenTree::Punct(p)) if p.as_char() == '=' && p.spacing() == Spacing::Joint)
        && matches!(clause.get(index + 1), Some(TokenTree::Punct(p)) if p.as_char() == '>')
}

/// A clause's manager expression, as far as it parses on its own: the
/// fallback evaluates it, so that its own errors still show and its
/// imports count as used.
fn manager_expr(clause: &[TokenTree]) -> Option<Expr> {
    let end = (0..clause.len())
        .find(|&index| is_arrow(clause, index))
        .unwrap_or(clause.len());
    let tokens: TokenStream = clause[..end].iter().cloned().collect();
    Manager::parse
        .parse2(tokens)
        .ok()
        .map(|manager| manager.expr)
}

/// The names bound by the pattern after `=>` in one manager clause.
fn clause_names(clause: &[TokenTree], names: &mut Vec<Ident>) {
    // Every `=>`: with a `,` missing, one clause holds several patterns.
    let arrows = (0..clause.len()).filter(|&index| is_arrow(clause, index));
    for arrow in arrows {
        pattern_names(clause[arrow + 2..].iter().cloned().collect(), names);
    }
}

/// The names bound by the pattern at the start of `rest`.
fn pattern_names(rest: TokenStream, names: &mut Vec<Ident>) {
    // The pattern, followed by whatever made the invocation fail.
    let pattern = |input: syn::parse::ParseStream<'_>| {
        let pat = syn::Pat::parse_single(input)?;
        input.parse::<TokenStream>()?;
        Ok(pat)
    };
    match pattern.parse2(rest.clone()) {
        Ok(mut pat) => {
            let mut collector = Bindings(names);
            collector.visit_pat_mut(&mut pat);
        }
        // Not even a pattern: take a leading `name` or `mut name`.
        Err(_) => {
            let mut trees = rest.into_iter().peekable();
            if matches!(trees.peek(), Some(TokenTree::Ident(ident)) if ident == "mut") {
                trees.next();
            }
            if let Some(TokenTree::Ident(ident)) = trees.next() {
                if is_binding(&ident) && syn::parse2::<Ident>(ident.to_token_stream()).is_ok() {
                    names.push(ident);
                }
            }
        }
    }
}

/// Whether an identifier in a pattern binds a name (rather than naming a
/// unit struct, a variant or a constant).
fn is_binding(ident: &Ident) -> bool {
    ident
        .to_string()
        .starts_with(|c: char| c.is_lowercase() || c == '_')
}

/// Collects the names a pattern binds.
struct Bindings<'a>(&'a mut Vec<Ident>);

impl VisitMut for Bindings<'_> {
    fn visit_pat_ident_mut(&mut self, pat: &mut syn::PatIdent) {
        if is_binding(&pat.ident) && pat.ident != "_" {
            self.0.push(pat.ident.clone());
        }
        visit_mut::visit_pat_ident_mut(self, pat);
    }
}
