//! Parsing an `async_with!` invocation.
//!
//! Grammar (after the facade's `($crate)` prefix):
//!
//! ```text
//! invocation := manager ( "," manager )* ","? body
//! manager    := expr "?"? ( "=>" pattern )?
//! body       := "{" ... "}"            // always the invocation's last token
//! ```
//!
//! `s { ... }` parses as a struct pattern and `lock { ... }` as a struct
//! literal, so the body is split off first, as the last brace group, and
//! the managers are parsed from what comes before it.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Block, Expr, Pat, Token};

/// A parsed invocation.
pub(crate) struct Invocation {
    pub(crate) managers: Vec<Manager>,
    pub(crate) body: Block,
}

/// One `expr? => pattern` clause.
pub(crate) struct Manager {
    pub(crate) expr: Expr,
    /// The `?` that marks a fallible manager.
    pub(crate) mark: Option<Token![?]>,
    pub(crate) pat: Option<Pat>,
}

/// Splits the facade's `($crate)` prefix from the user's tokens.
pub(crate) fn split_krate(input: TokenStream) -> syn::Result<(TokenStream, TokenStream)> {
    let mut tokens = input.into_iter();
    match tokens.next() {
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
            Ok((group.stream(), tokens.collect()))
        }
        _ => Err(syn::Error::new(
            Span::call_site(),
            "`async_with_inner!` is an implementation detail; use `async_with!`",
        )),
    }
}

/// The parts of an invocation that exist even when it does not parse: used
/// to fail softly.
pub(crate) struct Split {
    pub(crate) head: TokenStream,
    pub(crate) body: Option<Group>,
}

/// Splits off the body: the last top-level brace group.
pub(crate) fn split_body(tokens: TokenStream) -> Split {
    let mut trees: Vec<TokenTree> = tokens.into_iter().collect();
    match trees.last() {
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
            let body = group.clone();
            trees.pop();
            Split {
                head: trees.into_iter().collect(),
                body: Some(body),
            }
        }
        _ => Split {
            head: trees.into_iter().collect(),
            body: None,
        },
    }
}

impl Invocation {
    pub(crate) fn parse(split: &Split) -> syn::Result<Self> {
        let Some(body_group) = &split.body else {
            return Err(missing_body(&split.head));
        };
        if split.head.is_empty() {
            return Err(syn::Error::new(
                body_group.span_open(),
                "`async_with!` needs a context manager before the body: `async_with!(manager => target { ... })`",
            ));
        }
        let managers = parse_managers
            .parse2(split.head.clone())
            .map_err(|error| misplaced_body(&split.head, body_group).unwrap_or(error))?;
        let body = Block::parse.parse2(TokenTree::Group(body_group.clone()).into())?;
        Ok(Invocation { managers, body })
    }
}

fn missing_body(head: &TokenStream) -> syn::Error {
    let Some(last) = head.clone().into_iter().last() else {
        return syn::Error::new(
            Span::call_site(),
            "`async_with!` needs a context manager and a body: `async_with!(manager => target { ... })`",
        );
    };
    // A brace group followed by more tokens: the body is not last.
    let trees: Vec<TokenTree> = head.clone().into_iter().collect();
    if let Some(index) = trees.iter().rposition(
        |tree| matches!(tree, TokenTree::Group(group) if group.delimiter() == Delimiter::Brace),
    ) {
        let trailing: TokenStream = trees[index + 1..].iter().cloned().collect();
        if !trailing.is_empty() && !ends_in_braced_expr(&trees[..=index]) {
            return syn::Error::new_spanned(
                trailing,
                "unexpected tokens after the body of `async_with!`; the body `{ ... }` must come last",
            );
        }
    }
    // `async_with!(m => t, println!(..))`: the last "manager" is the body,
    // written without braces.
    if let Ok(managers) = parse_managers.parse2(head.clone()) {
        if let [_, .., body] = managers.as_slice() {
            if body.mark.is_none() && body.pat.is_none() {
                return syn::Error::new_spanned(
                    &body.expr,
                    "the body of `async_with!` must be a block: write `{ ... }` around it, without a `,` before it",
                );
            }
        }
    }
    syn::Error::new(
        last.span(),
        "expected the body of `async_with!` after this, a block: `async_with!(manager => target { ... })`",
    )
}

/// `async_with!(m => t { ... } else { ... })`: the body came before other
/// tokens (the last brace group was taken as the body, and the real body
/// made the managers fail to parse).
fn misplaced_body(head: &TokenStream, last: &Group) -> Option<syn::Error> {
    let trees: Vec<TokenTree> = head.clone().into_iter().collect();
    let index = trees.iter().enumerate().position(|(index, tree)| {
        // A struct literal or pattern is followed by what continues the
        // manager (`=>`, `,`, `.`, `?`) or is not a block (`{ x: 1 }`).
        let continues = matches!(
            trees.get(index + 1),
            Some(TokenTree::Punct(p)) if matches!(p.as_char(), '=' | ',' | '.' | '?')
        );
        matches!(tree, TokenTree::Group(group) if group.delimiter() == Delimiter::Brace
            && Block::parse.parse2(tree.clone().into()).is_ok())
            && index > 0
            && !continues
            && parse_managers
                .parse2(trees[..index].iter().cloned().collect())
                .is_ok()
    })?;
    let mut trailing: TokenStream = trees[index + 1..].iter().cloned().collect();
    trailing.extend([TokenTree::Group(last.clone())]);
    Some(syn::Error::new_spanned(
        trailing,
        "unexpected tokens after the body of `async_with!`; the body `{ ... }` must come last",
    ))
}

/// Whether the brace group ending `trees` belongs to an expression (a struct
/// literal, `async { }`, a closure body) rather than being a misplaced body.
fn ends_in_braced_expr(trees: &[TokenTree]) -> bool {
    let before = trees.len().checked_sub(2).map(|index| &trees[index]);
    matches!(before, Some(TokenTree::Ident(ident)) if ident == "async" || ident == "move")
}

fn parse_managers(input: ParseStream<'_>) -> syn::Result<Vec<Manager>> {
    let managers = Punctuated::<Manager, Token![,]>::parse_terminated(input)?;
    Ok(managers.into_iter().collect())
}

impl Parse for Manager {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let expr: Expr = input.parse().map_err(|error| {
            if input.is_empty() || input.peek(Token![,]) {
                syn::Error::new(
                    error.span(),
                    "expected a context manager expression before the body of `async_with!`",
                )
            } else {
                error
            }
        })?;
        // A top-level `?` is always the mark; to unwrap a constructor's
        // `Result` first, bind it before the macro or write `(make()?)?`.
        let (expr, mark) = match expr {
            Expr::Try(try_expr) if try_expr.attrs.is_empty() => {
                (*try_expr.expr, Some(try_expr.question_token))
            }
            // `&sem?` is `&(sem?)`: the `?` is not the mark the user meant.
            Expr::Reference(reference) if matches!(&*reference.expr, Expr::Try(_)) => {
                let Expr::Try(try_expr) = &*reference.expr else {
                    unreachable!("matched above")
                };
                let operand = &try_expr.expr;
                let mutability = &reference.mutability;
                return Err(syn::Error::new(
                    try_expr.question_token.span,
                    format!(
                        "this `?` applies to `{}`, not to the reference: to mark a borrowed manager as fallible, write `(&{}{})?`",
                        quote::ToTokens::to_token_stream(operand),
                        mutability.map_or("", |_| "mut "),
                        quote::ToTokens::to_token_stream(operand),
                    ),
                ));
            }
            expr => (expr, None),
        };
        let pat = if input.peek(Token![=>]) {
            let arrow: Token![=>] = input.parse()?;
            if input.is_empty() || input.peek(Token![,]) {
                return Err(syn::Error::new(
                    arrow.span(),
                    "expected a pattern after `=>`: `async_with!(manager => target { ... })`, or drop the `=>`",
                ));
            }
            let pat = Pat::parse_single(input)?;
            if let Some(refutable) = obviously_refutable(&pat) {
                return Err(syn::Error::new_spanned(
                    refutable,
                    "the pattern after `=>` must match every target, and this one may not: bind a name (`=> target`) and use `let ... else` or `match` in the body",
                ));
            }
            Some(pat)
        } else {
            None
        };
        if pat.is_some() && input.peek(Token![?]) {
            let question: Token![?] = input.parse()?;
            return Err(syn::Error::new(
                question.span(),
                "the `?` mark goes right after the manager, before `=>`: `async_with!(manager? => target { ... })`",
            ));
        }
        if !input.is_empty() && !input.peek(Token![,]) {
            let span = input
                .cursor()
                .token_tree()
                .map_or(input.span(), |(tree, _)| tree.span());
            return Err(syn::Error::new(
                span,
                match &pat {
                    Some(_) => {
                        "expected `,` and another manager, or the body `{ ... }`, after the pattern"
                    }
                    None => {
                        "expected `=> pattern`, `,` or the body `{ ... }` after the manager: `async_with!(manager => target { ... })`"
                    }
                },
            ));
        }
        Ok(Manager { expr, mark, pat })
    }
}

/// A part of `pat` that is refutable whatever the target's type: `Some(_)`,
/// `None` or a literal. Other refutable patterns are left to rustc, which
/// knows the type (`Ok(x)` is irrefutable on a `Result<T, Infallible>`, a
/// range or an or-pattern may cover every value).
fn obviously_refutable(pat: &Pat) -> Option<&Pat> {
    let names_variant = |path: &syn::Path| {
        path.segments
            .last()
            .is_some_and(|segment| matches!(segment.ident.to_string().as_str(), "Some" | "None"))
    };
    match pat {
        Pat::Lit(_) => Some(pat),
        Pat::TupleStruct(tuple) if names_variant(&tuple.path) => Some(pat),
        Pat::Path(path) if names_variant(&path.path) => Some(pat),
        Pat::Ident(ident) if ident.ident == "None" => Some(pat),
        Pat::Ident(ident) => ident
            .subpat
            .as_ref()
            .and_then(|(_, sub)| obviously_refutable(sub)),
        Pat::Tuple(tuple) => tuple.elems.iter().find_map(obviously_refutable),
        Pat::TupleStruct(tuple) => tuple.elems.iter().find_map(obviously_refutable),
        Pat::Struct(strukt) => strukt
            .fields
            .iter()
            .find_map(|field| obviously_refutable(&field.pat)),
        Pat::Reference(reference) => obviously_refutable(&reference.pat),
        Pat::Paren(paren) => obviously_refutable(&paren.pat),
        Pat::Type(typed) => obviously_refutable(&typed.pat),
        _ => None,
    }
}
