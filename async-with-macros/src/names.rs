//! The names a pattern binds, read from tokens that may not parse: the
//! fallback binds them so the body's uses of them add no errors.

use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::Parser;
use syn::visit_mut::{self, VisitMut};

/// The names an invocation that failed to parse would have bound: the
/// identifiers in each `=> pattern`, so the fallback can bind them too.
///
/// ```text
/// // Input (head of an invocation that failed to parse):
/// a() => (x, mut y), b() => z w
/// // Output:
/// [x, y, z]
/// ```
pub(crate) fn bound_names(head: &TokenStream) -> Vec<Ident> {
    let mut names = Vec::new();
    let mut clause = Vec::new();
    for tree in head
        .clone()
        .into_iter()
        .chain([TokenTree::Punct(proc_macro2::Punct::new(
            ',',
            proc_macro2::Spacing::Alone,
        ))])
    {
        match &tree {
            TokenTree::Punct(punct) if punct.as_char() == ',' => {
                clause_names(&clause, &mut names);
                clause.clear();
            }
            _ => clause.push(tree),
        }
    }
    names
}

/// The names bound by the pattern after `=>` in one manager clause.
fn clause_names(clause: &[proc_macro2::TokenTree], names: &mut Vec<Ident>) {
    // Every `=>`: with a `,` missing, one clause holds several patterns.
    let arrows = clause.windows(2).enumerate().filter(|(_, pair)| {
        matches!(&pair[0], TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Joint)
            && matches!(&pair[1], TokenTree::Punct(p) if p.as_char() == '>')
    });
    for (arrow, _) in arrows {
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
