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
//! return __AsyncWithFlow0::Site2($p::typed(__async_with_hint_0.dup(), Ok(1)))
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
//! A value sent to the function (`return`) or to a loop or labelled block
//! outside the body (`break value`) goes through that target's hint, which
//! the expansion ties to the target's type before the body is
//! type-checked, so the value coerces as it would inline.
//!
//! Closures, async blocks, const blocks and items keep their own control
//! flow and are not entered. Loops and labelled blocks inside the body keep
//! the `break`/`continue` that target them.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident, Lifetime, Macro, Stmt, Token};

use crate::classify::{is_async_with, type_is_anchored};
use crate::names;

mod hidden;

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
#[derive(Clone)]
struct Scope {
    label: Option<Lifetime>,
    is_loop: bool,
}

pub(crate) struct Rewriter<'a> {
    krate: &'a TokenStream,
    /// The flow enum's name.
    flow: &'a Ident,
    /// What this block's hints are named after: its own depth, while the
    /// flow enum may be shared by the managers of one invocation.
    pub(crate) hint_key: Ident,
    /// Expands a nested `async_with!`'s tokens (`expand::invocation`, at a
    /// depth deeper than every flow enum around it, whose variants its
    /// expansion will name; siblings may share a depth, since each
    /// expansion is its own block).
    nested: &'a dyn Fn(TokenStream) -> TokenStream,
    scopes: Vec<Scope>,
    pub(crate) sites: Vec<Site>,
    /// The hints that type the values leaving through `return` and
    /// `break value`, one per target (see [`Target`]).
    pub(crate) hints: Vec<(Target, Ident)>,
    /// The first `return` found in another macro's tokens (reported there;
    /// read by [`Self::hidden_return`] when it probes a macro around them).
    hidden: Option<Token![return]>,
    /// Whether a `yield` was seen outside closures, `async` blocks and
    /// items: the tokens are a generator's body (`stream! { .. }`).
    yields: bool,
    /// Whether the body holds an inner manager of the same invocation: its
    /// async block then leaves with `Ok(flow)`, or with `Err(payload)` for
    /// a panic that manager hands out (`CatchUnwindNest`).
    pub(crate) nest: bool,
}

/// Where a value leaving the body goes: the function (`return`) or a loop
/// or labelled block outside the body (`break 'label value`, `break value`).
/// Every value sent to one target has that target's type.
#[derive(Clone, PartialEq)]
pub(crate) enum Target {
    Return,
    Break(Option<Lifetime>),
}

impl<'a> Rewriter<'a> {
    pub(crate) fn new(
        krate: &'a TokenStream,
        flow: &'a Ident,
        nested: &'a dyn Fn(TokenStream) -> TokenStream,
    ) -> Self {
        Rewriter {
            krate,
            flow,
            hint_key: flow.clone(),
            nested,
            scopes: Vec::new(),
            sites: Vec::new(),
            hints: Vec::new(),
            hidden: None,
            yields: false,
            nest: false,
        }
    }

    /// The hint for values sent to `target`, named after this block's
    /// depth (`hint_key`) so that the hints of nested blocks and of the
    /// managers of one invocation stay apart.
    fn hint(&mut self, target: Target) -> Ident {
        if let Some((_, hint)) = self.hints.iter().find(|(known, _)| *known == target) {
            return hint.clone();
        }
        let hint = names::hint(&self.hint_key, self.hints.len());
        self.hints.push((target, hint.clone()));
        hint
    }

    fn site(&mut self, kind: SiteKind, value: Option<&Expr>) -> TokenStream {
        let variant = names::site(self.sites.len());
        let flow = self.flow;
        let keyword_span = kind.span();
        let target = match &kind {
            SiteKind::Return { .. } => Some(Target::Return),
            SiteKind::Break { label, .. } => Some(Target::Break(label.clone())),
            _ => None,
        };
        let (krate, nest) = (self.krate, self.nest);
        let wrap = |leave: TokenStream| match nest {
            true => quote_spanned!(keyword_span=> return #krate::__private::Ok(#leave)),
            false => quote_spanned!(keyword_span=> return #leave),
        };
        let tokens = match (value, target) {
            // The value is checked against the target's type, known by now:
            // it coerces as it would inline (`&String` to `&str`, a closure
            // to a `fn` pointer, `Box<E>` to `Box<dyn Error>`).
            (Some(value), Some(target)) => {
                let hint = self.hint(target);
                let krate = self.krate;
                wrap(
                    quote_spanned!(keyword_span=> #flow::#variant(#krate::__private::typed(#hint.dup(), #value))),
                )
            }
            (Some(value), None) => wrap(quote_spanned!(keyword_span=> #flow::#variant(#value))),
            (None, _) => wrap(quote_spanned!(keyword_span=> #flow::#variant)),
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
    /// arguments are expressions evaluated inline. Any other macro's tokens
    /// are opaque: when they hold a way out of the body anyway, returns the
    /// compile error that replaces the macro (see [`Self::hidden_return`]).
    fn visit_macro_args(&mut self, mac: &mut Macro) -> Option<TokenStream> {
        let name = mac.path.segments.last()?.ident.to_string();
        if !EXPR_MACROS.contains(&name.as_str()) {
            let keyword = self.hidden_return(mac, &name)?;
            self.hidden.get_or_insert(keyword);
            return Some(hidden::hidden_return_error(keyword, &name));
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
        None
    }

    /// Expands a nested `async_with!` here, so that its own exits (a
    /// `return` replayed after its `exit`, its manager's `?`) are rewritten
    /// as sites of this body.
    fn expand_nested(&mut self, mac: &Macro) -> Option<Expr> {
        if !is_async_with(mac) {
            return None;
        }
        let tokens = (self.nested)(mac.tokens.clone());
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

/// `$crate::__private::propagate_panic(payload)`, as an inner manager's
/// expansion writes it (see [`Rewriter::nest`]).
fn is_panic_propagation(call: &syn::ExprCall) -> bool {
    let Expr::Path(path) = &*call.func else {
        return false;
    };
    let mut names = path
        .path
        .segments
        .iter()
        .rev()
        .map(|segment| &segment.ident);
    call.args.len() == 1
        && names.next().is_some_and(|name| name == "propagate_panic")
        && names.next().is_some_and(|name| name == "__private")
}

/// Whether `operand` is the residual an inner block's dispatch replays
/// (`match __async_with_residual? {}`, see `expand::dispatch_arms`). The
/// name is the expansion's (`mixed_site`); a user's variable of that name
/// that is not a residual makes the replayed `match value? {}` a type error
/// (non-exhaustive), never a different run.
fn is_residual(operand: &Expr) -> bool {
    matches!(operand, Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none()
        && path.path.is_ident(names::RESIDUAL))
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their own `return`, `?`, `break` and `continue`.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            // An inner manager of this invocation handing out a panic.
            //
            // Input:  $crate::__private::propagate_panic(payload)
            // Output: return $crate::__private::Err(payload)
            Expr::Call(call) if self.nest && is_panic_propagation(call) => {
                let krate = self.krate;
                let payload = &call.args[0];
                *expr = reparse(quote!(return #krate::__private::Err(#payload)));
            }
            Expr::Yield(_) => {
                self.yields = true;
                visit_mut::visit_expr_mut(self, expr);
            }
            Expr::Return(ret) => {
                if let Some(value) = &mut ret.expr {
                    self.visit_expr_mut(value);
                }
                let keyword = ret.return_token;
                let tokens = self.site(SiteKind::Return { keyword }, ret.expr.as_deref());
                *expr = reparse(tokens);
            }
            // A `?` replayed by an inner block's dispatch (see
            // [`is_residual`]): its operand is already a residual, so it
            // leaves this body as one, without branching on it again.
            //
            // Input:  match __async_with_residual? {}
            // Output: match return Flow::Site3(__async_with_residual) {}
            Expr::Try(try_expr) if is_residual(&try_expr.expr) => {
                let question = try_expr.question_token;
                let residual = (*try_expr.expr).clone();
                *expr = reparse(self.site(SiteKind::Try { question }, Some(&residual)));
            }
            Expr::Try(try_expr) => {
                self.visit_expr_mut(&mut try_expr.expr);
                let question = try_expr.question_token;
                let krate = self.krate;
                let operand = &try_expr.expr;
                let residual = names::ident(names::RESIDUAL);
                let leave = self.site(
                    SiteKind::Try { question },
                    Some(&Expr::Verbatim(quote!(#residual))),
                );
                let span = question.spans[0];
                let krate = names::krate_at(krate, span);
                // `(a / b)?` is common; as a call argument its parentheses
                // would trip `unused_parens`.
                let operand = match &**operand {
                    Expr::Paren(paren) if paren.attrs.is_empty() => &paren.expr,
                    operand => operand,
                };
                let value = names::ident(names::VALUE);
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
                } else if let Some(error) = self.visit_macro_args(&mut mac.mac) {
                    *expr = Expr::Verbatim(error);
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
            } else if let Some(error) = self.visit_macro_args(&mut stmt_mac.mac) {
                // In braces: a statement either way, as `first! { .. }`
                // without a `;` before the next statement was.
                *stmt = Stmt::Expr(Expr::Verbatim(quote!({ #error })), stmt_mac.semi_token);
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
