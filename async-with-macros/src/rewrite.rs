//! The control-flow rewriter: makes `return`, `?`, `break` and `continue` in
//! the body mean what they mean inline, although the body runs inside an
//! `async` block (so that a panic can be caught and `exit` still awaited).
//!
//! Every place where control would leave the body becomes a *site*: it is
//! rewritten to leave the async block with a variant of the invocation's
//! flow enum, and after `exit` the expansion replays it where the user wrote
//! the macro.
//!
//! ```text
//! // Input (inside a loop, in an async fn returning Result):
//! async_with!(m => t { if t.done() { break; } t.step().await?; return Ok(1) })
//!
//! // Output, inside the body's async block:
//! if t.done() { return __AsyncWithFlow0::Site0; }
//! match Branch::branch(t.step().await) {
//!     ControlFlow::Continue(v) => v,
//!     ControlFlow::Break(r) => return __AsyncWithFlow0::Site1(r),
//! };
//! return __AsyncWithFlow0::Site2(Ok(1))
//!
//! // Output, after `exit`:
//! match flow {
//!     __AsyncWithFlow0::Value(v) => v,
//!     __AsyncWithFlow0::Site0 => break,
//!     __AsyncWithFlow0::Site1(r) => match r? {},
//!     __AsyncWithFlow0::Site2(v) => return v,
//! }
//! ```
//!
//! Closures, async blocks, const blocks and items keep their own control
//! flow and are not entered. Loops and labelled blocks inside the body keep
//! the `break`/`continue` that target them.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident, Lifetime, Macro, Stmt, Token};

use crate::expand;
use crate::parse::{self, Invocation};

/// How control leaves the body at one site.
pub(crate) enum SiteKind {
    /// `return` or `return value`.
    Return { keyword: Token![return] },
    /// `break`, `break 'label`, with or without a value.
    Break {
        keyword: Token![break],
        label: Option<Lifetime>,
    },
    /// `continue` or `continue 'label`.
    Continue {
        keyword: Token![continue],
        label: Option<Lifetime>,
    },
    /// `expr?` on an `Err` or `None`.
    Try { question: Token![?] },
}

impl SiteKind {
    /// The user's token that leaves the body.
    pub(crate) fn span(&self) -> Span {
        match self {
            SiteKind::Return { keyword } => keyword.span,
            SiteKind::Break { keyword, .. } => keyword.span,
            SiteKind::Continue { keyword, .. } => keyword.span,
            SiteKind::Try { question } => question.spans[0],
        }
    }
}

/// One place where control leaves the body.
pub(crate) struct Site {
    pub(crate) kind: SiteKind,
    /// The variant of the flow enum that carries it.
    pub(crate) variant: Ident,
    /// Whether the variant carries a value.
    pub(crate) has_value: bool,
    /// Whether the value's type is known where the expansion classifies it
    /// (see [`type_is_anchored`]).
    pub(crate) anchored: bool,
}

/// A loop or labelled block inside the body.
struct Scope {
    label: Option<Lifetime>,
    is_loop: bool,
}

pub(crate) struct Rewriter<'a> {
    krate: &'a TokenStream,
    /// The flow enum's name.
    flow: &'a Ident,
    /// The depth the next nested `async_with!` expands at.
    nested_depth: usize,
    scopes: Vec<Scope>,
    pub(crate) sites: Vec<Site>,
}

impl<'a> Rewriter<'a> {
    pub(crate) fn new(krate: &'a TokenStream, flow: &'a Ident, nested_depth: usize) -> Self {
        Rewriter {
            krate,
            flow,
            nested_depth,
            scopes: Vec::new(),
            sites: Vec::new(),
        }
    }

    fn site(&mut self, kind: SiteKind, value: Option<&Expr>) -> TokenStream {
        let variant = format_ident!("Site{}", self.sites.len(), span = Span::mixed_site());
        let flow = self.flow;
        let keyword_span = kind.span();
        let tokens = match value {
            Some(value) => quote_spanned!(keyword_span=> return #flow::#variant(#value)),
            None => quote_spanned!(keyword_span=> return #flow::#variant),
        };
        self.sites.push(Site {
            kind,
            variant,
            has_value: value.is_some(),
            anchored: value.is_some_and(type_is_anchored),
        });
        tokens
    }

    fn escapes_break(&self, label: Option<&Lifetime>) -> bool {
        match label {
            Some(label) => !self
                .scopes
                .iter()
                .any(|scope| scope.label.as_ref() == Some(label)),
            None => !self.scopes.iter().any(|scope| scope.is_loop),
        }
    }

    fn escapes_continue(&self, label: Option<&Lifetime>) -> bool {
        match label {
            Some(label) => !self
                .scopes
                .iter()
                .any(|scope| scope.is_loop && scope.label.as_ref() == Some(label)),
            None => !self.scopes.iter().any(|scope| scope.is_loop),
        }
    }

    fn in_scope(&mut self, label: Option<Lifetime>, is_loop: bool, f: impl FnOnce(&mut Self)) {
        self.scopes.push(Scope { label, is_loop });
        f(self);
        self.scopes.pop();
    }

    /// Rewrites the arguments of the formatting and assertion macros, whose
    /// arguments are expressions evaluated inline.
    fn visit_macro_args(&mut self, mac: &mut Macro) {
        let Some(name) = mac
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
        else {
            return;
        };
        if !EXPR_MACROS.contains(&name.as_str()) {
            return;
        }
        let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
        if let Ok(mut args) = parser.parse2(mac.tokens.clone()) {
            for arg in args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            mac.tokens = quote!(#args);
        } else if name == "vec" {
            // `vec![value; count]`
            let parser = |input: syn::parse::ParseStream<'_>| {
                let value: Expr = input.parse()?;
                let semi: Token![;] = input.parse()?;
                let count: Expr = input.parse()?;
                Ok((value, semi, count))
            };
            if let Ok((mut value, semi, mut count)) = parser.parse2(mac.tokens.clone()) {
                self.visit_expr_mut(&mut value);
                self.visit_expr_mut(&mut count);
                mac.tokens = quote!(#value #semi #count);
            }
        }
    }

    /// Expands a nested `async_with!` here, so that its own exits (a
    /// `return` replayed after its `exit`, its manager's `?`) are rewritten
    /// as sites of this body.
    fn expand_nested(&mut self, mac: &Macro) -> Option<Expr> {
        if !is_async_with(mac) {
            return None;
        }
        let split = parse::split_body(mac.tokens.clone());
        let tokens = match Invocation::parse(self.krate.clone(), &split) {
            Ok(invocation) => expand::expand(invocation, self.nested_depth),
            Err(error) => expand::fallback(self.krate, &split, &error),
        };
        self.nested_depth += 64;
        syn::parse2(tokens).ok()
    }
}

/// Macros whose arguments are plain expressions, evaluated where the macro
/// is written.
const EXPR_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "panic",
    "print",
    "println",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

fn is_async_with(mac: &Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "async_with")
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their own `return`, `?`, `break` and `continue`.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(ret) => {
                if let Some(value) = &mut ret.expr {
                    self.visit_expr_mut(value);
                }
                let keyword = ret.return_token;
                let tokens = self.site(SiteKind::Return { keyword }, ret.expr.as_deref());
                *expr = reparse(tokens);
            }
            Expr::Try(try_expr) => {
                self.visit_expr_mut(&mut try_expr.expr);
                let question = try_expr.question_token;
                let krate = self.krate;
                let operand = &try_expr.expr;
                let residual = expand::ident("__async_with_residual");
                let leave = self.site(
                    SiteKind::Try { question },
                    Some(&Expr::Verbatim(quote!(#residual))),
                );
                let span = question.spans[0];
                let value = expand::ident("__async_with_value");
                *expr = reparse(quote_spanned! {span=>
                    match #krate::__private::Branch::branch(#operand) {
                        #krate::__private::ControlFlow::Continue(#value) => #value,
                        #krate::__private::ControlFlow::Break(#residual) => #leave,
                    }
                });
            }
            Expr::Break(brk) => {
                if let Some(value) = &mut brk.expr {
                    self.visit_expr_mut(value);
                }
                if self.escapes_break(brk.label.as_ref()) {
                    let kind = SiteKind::Break {
                        keyword: brk.break_token,
                        label: brk.label.clone(),
                    };
                    *expr = reparse(self.site(kind, brk.expr.as_deref()));
                }
            }
            Expr::Continue(cont) => {
                if self.escapes_continue(cont.label.as_ref()) {
                    let kind = SiteKind::Continue {
                        keyword: cont.continue_token,
                        label: cont.label.clone(),
                    };
                    *expr = reparse(self.site(kind, None));
                }
            }
            Expr::ForLoop(for_loop) => {
                self.visit_expr_mut(&mut for_loop.expr);
                let label = for_loop.label.as_ref().map(|label| label.name.clone());
                self.in_scope(label, true, |this| this.visit_block_mut(&mut for_loop.body));
            }
            Expr::While(while_loop) => {
                let label = while_loop.label.as_ref().map(|label| label.name.clone());
                self.in_scope(label, true, |this| {
                    this.visit_expr_mut(&mut while_loop.cond);
                    this.visit_block_mut(&mut while_loop.body);
                });
            }
            Expr::Loop(loop_expr) => {
                let label = loop_expr.label.as_ref().map(|label| label.name.clone());
                self.in_scope(label, true, |this| {
                    this.visit_block_mut(&mut loop_expr.body)
                });
            }
            Expr::Block(block) if block.label.is_some() => {
                let label = block.label.as_ref().map(|label| label.name.clone());
                self.in_scope(label, false, |this| this.visit_block_mut(&mut block.block));
            }
            Expr::Macro(mac) => {
                if let Some(mut nested) = self.expand_nested(&mac.mac) {
                    self.visit_expr_mut(&mut nested);
                    *expr = nested;
                } else {
                    self.visit_macro_args(&mut mac.mac);
                }
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(stmt_mac) = stmt {
            if let Some(mut nested) = self.expand_nested(&stmt_mac.mac) {
                self.visit_expr_mut(&mut nested);
                *stmt = Stmt::Expr(nested, stmt_mac.semi_token);
            } else {
                self.visit_macro_args(&mut stmt_mac.mac);
            }
            return;
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }

    // Items (nested `fn`, `impl`, ...) have their own control flow.
    fn visit_item_mut(&mut self, _item: &mut syn::Item) {}
}

/// Parses generated tokens back into a syntax tree, so that printing it
/// inside the user's expression adds the parentheses precedence needs
/// (`value? * 2` must not print as `match .. {} * 2`).
fn reparse(tokens: TokenStream) -> Expr {
    match syn::parse2(tokens.clone()) {
        Ok(expr) => expr,
        Err(_) => Expr::Verbatim(quote!((#tokens))),
    }
}

/// Whether `block` cannot complete normally because its last statement
/// leaves it (`return`, `break`, `continue`, `panic!`, ...). The body then
/// diverges inline, so the expansion's value arm must diverge too.
pub(crate) fn block_diverges(block: &syn::Block) -> bool {
    let expr = match block.stmts.last() {
        Some(Stmt::Expr(expr, _)) => expr,
        Some(Stmt::Macro(stmt)) => return is_diverging_macro(&stmt.mac),
        _ => return false,
    };
    match expr {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(mac) => is_diverging_macro(&mac.mac),
        Expr::Block(inner) if inner.label.is_none() => block_diverges(&inner.block),
        _ => false,
    }
}

fn is_diverging_macro(mac: &Macro) -> bool {
    mac.path.segments.last().is_some_and(|segment| {
        matches!(
            segment.ident.to_string().as_str(),
            "panic" | "unreachable" | "todo" | "unimplemented"
        )
    })
}

/// Whether `expr`'s type is known, at least whether it is a `Result`, where
/// the expansion classifies it: before the expression's context (a `let`
/// with a type, the function's return) has been seen by type inference.
///
/// `iter.collect()`, `s.parse().unwrap()` or `Default::default()` get their
/// type from that later context; classifying them earlier would make type
/// inference guess. Such values are reported as `Completed`.
pub(crate) fn type_is_anchored(expr: &Expr) -> bool {
    match expr {
        Expr::Await(_) | Expr::Path(_) | Expr::Field(_) | Expr::Lit(_) | Expr::Tuple(_) => true,
        Expr::Array(_) | Expr::Struct(_) | Expr::Cast(_) | Expr::Reference(_) => true,
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => path.path.segments.last().is_some_and(|segment| {
                !matches!(
                    segment.ident.to_string().as_str(),
                    "default" | "from" | "into" | "try_from" | "try_into" | "from_iter" | "parse"
                )
            }),
            _ => false,
        },
        Expr::Paren(paren) => type_is_anchored(&paren.expr),
        Expr::Group(group) => type_is_anchored(&group.expr),
        Expr::Try(try_expr) => type_is_anchored(&try_expr.expr),
        Expr::Block(block) => block_is_anchored(&block.block),
        Expr::Unsafe(block) => block_is_anchored(&block.block),
        Expr::If(if_expr) => {
            block_is_anchored(&if_expr.then_branch)
                && if_expr
                    .else_branch
                    .as_ref()
                    .is_some_and(|(_, else_expr)| type_is_anchored(else_expr))
        }
        Expr::Match(match_expr) => {
            !match_expr.arms.is_empty()
                && match_expr
                    .arms
                    .iter()
                    .all(|arm| type_is_anchored(&arm.body))
        }
        _ => false,
    }
}

/// Whether a block's value has an anchored type (see [`type_is_anchored`]).
pub(crate) fn block_is_anchored(block: &syn::Block) -> bool {
    match block.stmts.last() {
        Some(Stmt::Expr(expr, None)) => type_is_anchored(expr),
        // A block without a tail is `()` (never an `Err`, nothing to
        // classify) or diverges (its type is not known yet).
        _ => false,
    }
}

/// The names an invocation that failed to parse would have bound: the
/// identifiers in each `=> pattern`, so the fallback can bind them too.
pub(crate) fn bound_names(head: &TokenStream) -> Vec<Ident> {
    use proc_macro2::TokenTree;

    let mut names = Vec::new();
    let mut in_pattern = false;
    let mut previous_eq = false;
    let mut depth_tokens = Vec::new();
    for tree in head.clone() {
        match &tree {
            TokenTree::Punct(punct) if punct.as_char() == '=' => previous_eq = true,
            TokenTree::Punct(punct) if punct.as_char() == '>' && previous_eq => {
                in_pattern = true;
                previous_eq = false;
            }
            TokenTree::Punct(punct) if punct.as_char() == ',' => in_pattern = false,
            _ if in_pattern => depth_tokens.push(tree.clone()),
            _ => previous_eq = false,
        }
    }
    collect_pattern_idents(depth_tokens.into_iter().collect(), &mut names);
    names
}

fn collect_pattern_idents(tokens: TokenStream, names: &mut Vec<Ident>) {
    use proc_macro2::TokenTree;

    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let is_binding = name.starts_with(|c: char| c.is_lowercase() || c == '_')
                    && !matches!(name.as_str(), "mut" | "ref" | "_" | "box");
                if is_binding {
                    names.push(ident);
                }
            }
            TokenTree::Group(group) => collect_pattern_idents(group.stream(), names),
            _ => {}
        }
    }
}
