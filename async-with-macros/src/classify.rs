//! Reading the body's shape without types: whether it diverges, and
//! whether a value's type is known early enough to classify it.
//!
//! The expansion decides some things before type inference has seen the
//! body's context, so it must not guess: what it cannot see syntactically,
//! it leaves alone.

use syn::{Expr, Macro, Stmt};

use crate::parse;

/// Whether `block` cannot complete normally because its last statement
/// leaves it (`return`, `break`, `continue`, `panic!`, ...). The body then
/// diverges inline, so the expansion's value arm must diverge too.
pub(crate) fn block_diverges(block: &syn::Block) -> bool {
    match block.stmts.last() {
        Some(Stmt::Expr(expr, _)) => expr_diverges(expr),
        Some(Stmt::Macro(stmt)) => is_diverging_macro(&stmt.mac),
        _ => false,
    }
}

/// Whether `expr` never completes: it leaves (`return`, `break`,
/// `continue`, `panic!`), every branch of it does, or it loops forever.
/// A wrong "yes" is a type error, never a miscompilation: the spliced body
/// would then end in a value where the flow enum is expected.
fn expr_diverges(expr: &Expr) -> bool {
    match expr {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(mac) => is_diverging_macro(&mac.mac),
        Expr::Call(call) => is_diverging_call(&call.func),
        Expr::Block(inner) if inner.label.is_none() => block_diverges(&inner.block),
        Expr::Unsafe(inner) => block_diverges(&inner.block),
        Expr::Paren(inner) => expr_diverges(&inner.expr),
        Expr::If(if_expr) => {
            block_diverges(&if_expr.then_branch)
                && if_expr
                    .else_branch
                    .as_ref()
                    .is_some_and(|(_, else_expr)| expr_diverges(else_expr))
        }
        Expr::Match(match_expr) => match_expr.arms.iter().all(|arm| expr_diverges(&arm.body)),
        Expr::Loop(loop_expr) => !breaks_out_of(&loop_expr.body, loop_expr.label.as_ref()),
        _ => false,
    }
}

/// Whether `body` (of a `loop` labelled `label`) contains a `break` that
/// leaves that loop.
fn breaks_out_of(body: &syn::Block, label: Option<&syn::Label>) -> bool {
    use syn::visit::{self, Visit};

    struct Breaks<'a> {
        label: Option<&'a syn::Lifetime>,
        nested_loops: usize,
        found: bool,
    }

    impl<'ast> Visit<'ast> for Breaks<'_> {
        fn visit_expr_break(&mut self, brk: &'ast syn::ExprBreak) {
            let ours = match (&brk.label, self.label) {
                (Some(target), Some(label)) => target == label,
                (Some(_), None) => false,
                (None, _) => self.nested_loops == 0,
            };
            self.found |= ours;
            visit::visit_expr_break(self, brk);
        }

        fn visit_expr(&mut self, expr: &'ast Expr) {
            match expr {
                // Their own control flow.
                Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
                Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => {
                    self.nested_loops += 1;
                    visit::visit_expr(self, expr);
                    self.nested_loops -= 1;
                }
                _ => visit::visit_expr(self, expr),
            }
        }

        fn visit_item(&mut self, _item: &'ast syn::Item) {}

        // A `break` inside a macro's tokens cannot be seen: assume one.
        fn visit_macro(&mut self, mac: &'ast Macro) {
            self.found |= mac.tokens.to_string().contains("break");
        }
    }

    let mut breaks = Breaks {
        label: label.map(|label| &label.name),
        nested_loops: 0,
        found: false,
    };
    breaks.visit_block(body);
    breaks.found
}

/// The standard library's functions that return `!`, named with their
/// module (`process::exit`, `std::process::abort`), so that a function of
/// the user's that happens to be called `exit` is not mistaken for one.
/// Other `-> !` calls are seen by the type checker instead, where the
/// block's context gives the body a type (see the Limitations).
fn is_diverging_call(func: &Expr) -> bool {
    let Expr::Path(path) = func else {
        return false;
    };
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    matches!(
        names.iter().map(String::as_str).collect::<Vec<_>>()[..],
        [.., "process", "exit" | "abort"]
            | [.., "panic", "panic_any" | "resume_unwind"]
            | [.., "hint", "unreachable_unchecked"]
    )
}

fn is_diverging_macro(mac: &Macro) -> bool {
    mac.path.segments.last().is_some_and(|segment| {
        match segment.ident.to_string().as_str() {
            "panic" | "unreachable" | "todo" | "unimplemented" => true,
            // A nested block diverges when its body does, as the same
            // managers in one invocation do (there the inner managers'
            // expansion is the body, and is seen to diverge).
            //
            // Input:  async_with!(a => x { async_with!(b => y { return 5 }) })
            // Output: the outer body diverges, so its value arm does too
            "async_with" => nested_body(mac).is_some_and(|body| block_diverges(&body)),
            _ => false,
        }
    })
}

/// The body of a nested `async_with!`: the invocation's last brace group,
/// as the expansion itself splits it ([`parse::split_body`]).
fn nested_body(mac: &Macro) -> Option<syn::Block> {
    let body = parse::split_body(mac.tokens.clone()).body?;
    syn::parse2(proc_macro2::TokenTree::Group(body).into()).ok()
}

/// Whether `mac` is a nested `async_with!` (any path ending in
/// `async_with`, as the macro's docs say).
pub(crate) fn is_async_with(mac: &Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "async_with")
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
            Expr::Path(path) => match path.path.segments.last() {
                // `Ok(..)` and `Some(..)` never fail, and their other type
                // parameter is often still unknown: nothing to classify.
                Some(segment) if segment.ident == "Ok" || segment.ident == "Some" => false,
                // `Err(e)` is as known as `e` is.
                Some(segment) if segment.ident == "Err" => {
                    call.args.len() == 1 && call.args.first().is_some_and(type_is_anchored)
                }
                Some(segment) => !matches!(
                    segment.ident.to_string().as_str(),
                    "default" | "from" | "into" | "try_from" | "try_into" | "from_iter" | "parse"
                ),
                None => false,
            },
            _ => false,
        },
        // A nested block's value is its body's, as known as that is; so the
        // block around it tells its `exit` what the same managers in one
        // invocation do.
        //
        // Input:  async_with!(a { async_with!(b { let e = r.clone(); e }) })
        // Output: `a` classifies the value as `b` does (failed on an `Err`)
        Expr::Macro(mac) => {
            is_async_with(&mac.mac)
                && nested_body(&mac.mac).is_some_and(|body| block_is_anchored(&body))
        }
        // A turbofish names the type a context-typed method would take from
        // later code (`collect::<Result<Vec<_>, _>>()`, `parse::<u8>()`),
        // as the Limitations tell users to write.
        Expr::MethodCall(call) => call.turbofish.is_some(),
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
