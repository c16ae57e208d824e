//! Reading the body's shape without types: whether it diverges, and
//! whether a value's type is known early enough to classify it.
//!
//! The expansion decides some things before type inference has seen the
//! body's context, so it must not guess: what it cannot see syntactically,
//! it leaves alone.

use syn::{Expr, Macro, Stmt};

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
