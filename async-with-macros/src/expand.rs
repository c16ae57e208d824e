//! Code generation: one guarded block per manager.
//!
//! ```text
//! // Input:
//! async_with!(open()? => conn { if conn.done() { return Ok(0); } conn.send(x).await?; Ok(7) })
//!
//! // Output (simplified; `$p` is `$crate::__private`; snapshots of the real
//! // output are in `src/snapshots/`):
//! {
//!     let mut guard = $p::Held::new(open());           // the manager and its flag, disarmed
//!     let target = $p::arm(guard.manager.enter().await, &mut guard.armed)?; // armed once entered; the user's `?`
//!     enum Flow<V, R, S1> { Value(V), Site0(R), Site1(S1) } // one variant per way out
//!     let ret = $p::Hint::new();                       // typed by the function's
//!     if false { return ret.get(); }                   // return type, before the body
//!     let (outer, inner) = $p::Hint::pair();
//!     $p::typed(outer, {                               // typed by the macro's context
//!         let mut caught = $p::CatchUnwindBody::new(async {
//!             let ret = ret;                           // moved in: zero bytes
//!             let target = target;                     // the body owns the target
//!             let conn = target;
//!             let value = {
//!                 if conn.done() { return Flow::Site0($p::typed(ret.dup(), Ok(0))); }
//!                 /* `?` rewritten by `rewrite.rs` into `return Flow::Site1(residual)` */
//!                 let tail = $p::typed(inner, Ok(7));  // checked against the context
//!                 tail
//!             };
//!             Flow::Value(value)
//!         }).await;                                    // Err(payload) if it panicked
//!         let outcome = /* classified from `caught`: completed, failed, panicked */;
//!         let exit = $p::AsyncContextManager::exit(&mut guard.manager, outcome).await;
//!         guard.armed = false;                         // dropped before this: `cancel`
//!         let flow = match caught { Ok(flow) => flow, Err(p) => $p::resume(p, ..) };
//!         exit?;                                       // the user's `?` again
//!         match flow { Flow::Value(v) => v, Flow::Site0(v) => return v, Flow::Site1(r) => match r? {} }
//!     })
//! }
//! ```
//!
//! Several managers nest: `async_with!(a => x, b => y { .. })` expands as
//! `async_with!(a => x { async_with!(b => y { .. }) })`, so `b` is entered
//! inside `a`'s body and a failure to enter `b` still exits `a`.
//! One difference from writing them nested: a panic caught by `b` is not
//! resumed after `b`'s `exit` but handed to `a` as a value (see [`Level`]),
//! so the nest unwinds twice in all rather than once more per manager.
//! Another: the managers of one invocation share one flow enum, and only
//! the outermost replays a way out (see [`Shared`]); an inner manager's
//! block ends in the body's flow, which the next manager out passes on.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Ident, Stmt};

use crate::classify;
use crate::fallback;
use crate::names::{self, ident};
use crate::parse::{self, Invocation, Manager};
use crate::rewrite::{Rewriter, Site, SiteKind, Target};

/// Expands an invocation's tokens (after the facade's `$crate`): the one
/// place that parses an invocation, and falls back softly when it does not
/// parse. Top-level and nested blocks both come through here; `depth`
/// keeps the flow enums of nested blocks apart.
pub(crate) fn invocation(krate: &TokenStream, tokens: TokenStream, depth: usize) -> TokenStream {
    let split = parse::split_body(tokens);
    match Invocation::parse(&split) {
        Ok(Invocation { managers, body }) => {
            let shared = Shared {
                flow: names::flow(depth),
                nested_depth: depth + managers.len(),
                diverges: classify::block_diverges(&body),
                anchored: classify::block_is_anchored(&body),
            };
            let (expr, _) = nest(krate, managers, body, depth, &shared, true);
            expr.to_token_stream()
        }
        Err(error) => fallback::fallback(krate, &split, &error),
    }
}

/// The expansion's one recursion: the first manager is guarded around the
/// expansion of the others, the last one around the body; an `async_with!`
/// nested in a body comes back here through [`invocation`], called by the
/// rewriter, so that its own ways out become sites of the enclosing body.
///
/// ```text
/// // Input:
/// async_with!(a => x, b => y { body })
/// // Output (as written by `guarded`):
/// guarded(a => x, { guarded(b => y, { body }) })
/// ```
fn nest(
    krate: &TokenStream,
    mut managers: Vec<Manager>,
    body: Block,
    depth: usize,
    shared: &Shared,
    outermost: bool,
) -> (Expr, Inner) {
    let manager = managers.remove(0);
    let nests = !managers.is_empty();
    let (body, inner) = if !nests {
        let inner = Inner {
            sites: Vec::new(),
            typed_tail: false,
        };
        (body, inner)
    } else {
        let (expr, inner) = nest(krate, managers, body, depth + 1, shared, false);
        let body = Block {
            brace_token: Default::default(),
            stmts: vec![Stmt::Expr(expr, None)],
        };
        (body, inner)
    };
    let level = Level {
        depth,
        outermost,
        nests,
    };
    guarded(krate, manager, body, level, shared, inner)
}

/// What an inner manager's expansion tells the manager outside it.
struct Inner {
    /// The ways out of the body so far: the body's own, and those of the
    /// managers inside (their `?` marks).
    sites: Vec<Site>,
    /// Whether the body's tail was passed through the invocation's hint,
    /// which the outermost manager then makes (see [`type_tail`]).
    typed_tail: bool,
}

/// What the managers of one invocation share.
///
/// One flow enum serves them all, defined by the outermost manager. An
/// inner manager's block evaluates to its body's flow, which the manager
/// outside takes as its own body's flow as it is (`Ok(flow)`); only the
/// outermost matches it, and replays the way out. With an enum per
/// manager, each manager matched the flow and rebuilt it as its own
/// enum's variant (for `?`, a branch on the residual and a new `Ok(..)`):
/// a compare, a move and a store per manager (`benches/callgrind.sh`,
/// three and eight managers). The body's tail is typed once: the outermost
/// manager makes the hint pair, the innermost passes the tail through it.
///
/// ```text
/// // Input:
/// async_with!(a, b { f()? })
/// // Output (b's part, inside a's body; `Site0` is the body's `?`):
/// let flow = { /* b's guarded block, ending in */ flow };
/// Ok(flow)
/// // (a's part, outermost):
/// match flow { Flow0::Value(v) => v, Flow0::Site0(r) => match r? {} }
/// ```
struct Shared {
    /// The invocation's flow enum.
    flow: Ident,
    /// The depth for an `async_with!` written inside the body.
    nested_depth: usize,
    /// Whether the user's body diverges; an inner manager's expansion,
    /// which passes flows on, no longer shows it.
    diverges: bool,
    /// Whether the user's body's value has a known type
    /// (`classify::block_is_anchored`); every manager of the invocation
    /// classifies that value alike, as the same managers nested do.
    anchored: bool,
}

/// Where one manager sits in its invocation.
///
/// A panic is resumed only by the outermost manager of an invocation: an
/// inner one hands it, after its own `exit`, to the next manager out as
/// the `Err(payload)` its body leaves with (`propagate_panic`, rewritten
/// by that manager's rewriter; `CatchUnwindNest`). The nest then unwinds
/// once to reach the body's catch and once when it resumes, instead of
/// once per manager; each `exit` is told the same outcome, in the same
/// order, as when every manager resumed.
///
/// ```text
/// // Input:
/// async_with!(a => x, b => y { panic!() })
/// // Output (b's part, inside a's body):
/// let flow = match caught { Ok(flow) => flow, Err(payload) => return Err(payload) };
/// // (a's part, outermost):
/// let flow = match caught { Ok(flow) => flow, Err(payload) => $p::resume(payload, ..) };
/// ```
struct Level {
    /// Keeps the hints of the managers apart.
    depth: usize,
    /// The first manager of its invocation: resumes a caught panic.
    outermost: bool,
    /// Its body holds the next manager of the invocation.
    nests: bool,
}

/// One manager around `body`, which is the user's body or `inner`'s
/// expansion; tells the manager outside what it found.
fn guarded(
    krate: &TokenStream,
    manager: Manager,
    mut body: Block,
    level: Level,
    shared: &Shared,
    inner: Inner,
) -> (Expr, Inner) {
    let Level {
        depth,
        outermost,
        nests,
    } = level;
    let p = quote!(#krate::__private);
    let flow = &shared.flow;
    let diverges = shared.diverges;
    // An inner manager's flow carries the user's body's value; every
    // manager classifies it as the innermost does, so that one invocation
    // tells each `exit` what the same managers nested tell theirs (an
    // unanchored tail, `r.clone()` or `parse()`, is `Completed` at every
    // level, not only at the innermost).
    let value_anchored = shared.anchored;
    let nested = |tokens| invocation(krate, tokens, shared.nested_depth);
    let mut rewriter = Rewriter::new(krate, flow, &nested);
    rewriter.hint_key = names::flow(depth);
    rewriter.nest = nests;
    // A value an inner manager passes on is classified here as when it
    // was replayed to this body by name (`break 'a value`): a known type.
    rewriter.sites = inner
        .sites
        .into_iter()
        .map(|site| Site {
            anchored: site.has_value,
            ..site
        })
        .collect();
    rewriter.visit_block_mut(&mut body);
    let sites = rewriter.sites;
    let hints = rewriter.hints;

    let guard = ident(names::GUARD);
    let target = ident(names::TARGET);
    let value = ident(names::VALUE);
    let caught = ident(names::CAUGHT);
    let exit = ident(names::EXIT);
    let outcome = ident(names::OUTCOME);
    let payload = ident(names::PAYLOAD);
    let flow_value = ident(names::FLOW);

    // What can go wrong with the manager (not a manager, unmarked but
    // fallible, an error `?` cannot convert, `.await` outside `async`) is
    // reported once, at the manager: every token that could carry such an
    // error is located there, so rustc's duplicates collapse.
    // Hygiene stays the expansion's (`mixed_site`); only the location
    // moves, and all of these tokens share one context, so that rustc can
    // join their spans instead of falling back to the whole invocation.
    let manager_span = syn::spanned::Spanned::span(&manager.expr);
    let at = Span::mixed_site().located_at(manager_span);
    let at_manager = |name: &str| Ident::new(name, at);
    let p_at = {
        let krate = names::krate_at(krate, manager_span);
        quote_spanned!(at=> #krate::__private)
    };
    let guard_at = at_manager(names::GUARD);
    let exit_at = at_manager(names::EXIT);
    let outcome_at = at_manager(names::OUTCOME);
    // `(make()?)` keeps its `?` from being the mark; as an argument the
    // parentheses are redundant, and would trip `unused_parens`.
    let manager_expr = match &manager.expr {
        Expr::Paren(paren) => &*paren.expr,
        expr => expr,
    };
    let new_guard = quote_spanned!(at=> #p_at::Held::new(#manager_expr));
    let entered_at = at_manager(names::ENTERED);
    // `enter` is awaited on the guard's manager field and the flag written
    // through its own field after the await: a borrow of the flag taken
    // before the await (a wrapping future, or a pointer split off the guard)
    // would be stored in the future and written through after it, and the
    // target may go on borrowing the manager (`benches/callgrind.sh`,
    // BENCHMARKS.md issue 13). `arm` takes the result first for the same
    // reason: its arguments are evaluated in order.
    let enter = quote_spanned!(at=> #p_at::arm(
        #p_at::AsyncContextManager::enter(&mut #guard_at.manager).await,
        &mut #guard_at.armed,
    ));
    let (entered, exited) = match &manager.mark {
        Some(mark) => (quote!(#entered_at #mark), quote!(#exit_at #mark;)),
        None => (
            quote_spanned!(at=> #entered_at.__async_with_unmarked()),
            quote_spanned!(at=> #exit_at.__async_with_unmarked();),
        ),
    };
    let bind = manager.pat.as_ref().map(|pat| quote!(let #pat = #target;));

    // The result is bound first: unmarked, the `Unmarked` error's label
    // then lands on the manager, not on the `.await` desugaring; marked, the
    // `?` applies to a name of this macro's, as the exit's does, so that
    // rustc reports a `?` error on the two once.
    let unmarked_use = manager
        .mark
        .is_none()
        .then(|| quote_spanned!(at=> use #p_at::UnmarkedResult as _;));
    let enter_first = quote_spanned!(at=> #unmarked_use let #entered_at = #enter;);
    let dot_await = quote_spanned!(at=> .await);
    // The manager's own `exit` future, awaited directly: the guard stays
    // armed while it is pending (so dropping it runs `cancel`) and is
    // disarmed once it completed. A wrapping future would keep the guard's
    // flag alive across the await and make the block's future larger.
    let exit_call = quote_spanned! {at=>
        let #exit_at = #p_at::AsyncContextManager::exit(&mut #guard_at.manager, #outcome_at).await;
        #guard_at.armed = false;
        #exit_at
    };

    // The hints, tied to their targets before the body is type-checked
    // (rustc checks in source order), then moved into the body's block.
    let hint_names: Vec<&Ident> = hints.iter().map(|(_, hint)| hint).collect();
    let hint_ties = hints.iter().map(|(target, hint)| {
        let leave = match target {
            Target::Return => quote!(return),
            Target::Break(label) => quote!(break #label),
        };
        quote! {
            let #hint = #p::Hint::new();
            #[allow(unreachable_code)]
            if false { #leave #hint.get(); }
        }
    });
    // The body's value is checked against the type the macro's context
    // expects (a `let` annotation, a parameter, the function's return): the
    // rest of the expansion is the second argument of `typed`, whose first
    // argument ties `outer_hint` (hence `inner_hint`) to that type first.
    let outer_hint = ident(names::OUTER_HINT);
    let inner_hint = ident(names::INNER_HINT);

    // A diverging body is spliced in as the async block's own statements:
    // as a `let` initializer it would be a diverging sub-expression.
    // Only the tail goes through `typed`: a wider wrapper would need a wider
    // `allow` (a diverging argument makes the call unreachable).
    // The pair is made by the outermost manager, the tail typed by the
    // innermost one (in the body), and every manager in between passes the
    // flow on (see [`Shared`]).
    let typed_tail = match nests {
        true => inner.typed_tail,
        false => !diverges && type_tail(&p, &mut body, &inner_hint),
    };
    let catch = match nests {
        true => quote!(#p::CatchUnwindNest),
        false => quote!(#p::CatchUnwindBody),
    };
    let exit_error = quote!((&&#p::probe::Probe(&#exit)).__async_with_exit_error());
    let go_on = match outermost {
        true => quote!(#p::resume(#payload, #exit_error)),
        false => quote!(#p::propagate_panic(#p::log_exit_error(#payload, #exit_error))),
    };
    let run_body = if nests {
        // The inner manager's block evaluates to its flow.
        quote! {
            let #flow_value = #body;
            #p::Ok(#flow_value)
        }
    } else if diverges {
        let stmts = &body.stmts;
        quote!(#(#stmts)*)
    } else {
        quote! {
            let #value = #body;
            #[allow(unreachable_code)]
            let #flow_value = #flow::Value(#value);
            #flow_value
        }
    };
    // Only the outermost manager defines the flow enum and replays the way
    // out; an inner one's block ends in its flow, as it is.
    let (enum_def, leave) = if outermost {
        let enum_def = flow_enum(&p, flow, &sites, diverges);
        let dispatch = dispatch_arms(flow, &sites, diverges);
        (enum_def, quote!(match #flow_value { #dispatch }))
    } else {
        (TokenStream::new(), quote!(#flow_value))
    };
    let classify = classify_arms(&p, flow, &sites, value_anchored, diverges, outermost);

    let rest = quote! {
        let mut #caught = #catch::new(async {
            #(let #hint_names = #hint_names;)*
            let #target = #target.into_inner();
            #bind
            #run_body
        })
        #dot_await;
        let #exit = {
            #[allow(unused_imports)]
            use #p::probe::{Any as _, Err as _, ErrDebug as _, ErrError as _, ErrRef as _, Residual as _, ResidualDebug as _, ResidualError as _, ResidualRef as _};
            let #outcome = match &mut #caught {
                #classify
                #p::Err(#payload) => #p::panicked(#payload),
            };
            #exit_call
        };
        let #flow_value = match #caught {
            #p::Ok(#flow_value) => #flow_value,
            #p::Err(#payload) => {
                #[allow(unused_imports)]
                use #p::probe::{ExitError as _, ExitErrorDebug as _};
                #go_on
            }
        };
        #exited
        #leave
    };
    let value_part = if !(outermost && typed_tail) {
        rest
    } else {
        quote! {
            let (#outer_hint, #inner_hint) = #p::Hint::pair();
            #p::typed(#outer_hint, { #rest })
        }
    };

    // Parsed rather than kept verbatim: an outer manager's rewriter must see
    // this block's own ways out (its replayed `return`, its `?`).
    let tokens = quote! {
        {
            let mut #guard = #new_guard;
            #enter_first
            let #target = #entered;
            let #target = #p::ByValue(#target);
            #enum_def
            #(#hint_ties)*
            #value_part
        }
    };
    let expr = match syn::parse2(tokens.clone()) {
        Ok(expr) => expr,
        Err(_) => Expr::Verbatim(tokens),
    };
    let inner = Inner { sites, typed_tail };
    (expr, inner)
}

/// Passes the body's tail through `typed(hint, tail)`, so that it is checked
/// with the type the macro's context expects; whether it had a tail.
///
/// ```text
/// // Input:
/// { let a = 1; zero() }
/// // Output:
/// { let a = 1; #[allow(..)] let value = $p::typed(hint, zero()); value }
/// ```
fn type_tail(p: &TokenStream, body: &mut Block, hint: &Ident) -> bool {
    let tail = match body.stmts.last() {
        Some(Stmt::Expr(_, None)) => match body.stmts.pop() {
            Some(Stmt::Expr(tail, None)) => tail,
            _ => unreachable!("just matched"),
        },
        Some(Stmt::Macro(mac)) if mac.semi_token.is_none() => {
            let mac = mac.clone();
            body.stmts.pop();
            Expr::Macro(syn::ExprMacro {
                attrs: mac.attrs,
                mac: mac.mac,
            })
        }
        _ => return false,
    };
    let value = ident(names::TAIL);
    // A tail of type `!` (`process::exit(0)`, a nested block whose body
    // panics) makes the call unreachable and its argument a diverging
    // sub-expression (clippy), and a block tail would read as braces
    // around an argument.
    let tied = quote! {
        #[allow(unreachable_code, unused_braces, clippy::diverging_sub_expression)]
        let #value = #p::typed(#hint, #tail);
    };
    // Tokens that do not parse (a broken `$crate` in fuzzing) stay tokens.
    body.stmts
        .push(syn::parse2(tied.clone()).unwrap_or(Stmt::Expr(Expr::Verbatim(tied), None)));
    body.stmts
        .push(Stmt::Expr(Expr::Path(path_of(value)), None));
    true
}

fn path_of(ident: Ident) -> syn::ExprPath {
    syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: ident.into(),
    }
}

/// `enum __AsyncWithFlowN<V, S0, ..> { Value(V), Site0(S0), Site1, .. }`:
/// one variant per way out of the body, each generic so its type is
/// inferred exactly as the inline code's would be.
fn flow_enum(p: &TokenStream, flow: &Ident, sites: &[Site], diverges: bool) -> TokenStream {
    let mut params = Vec::new();
    let mut variants = Vec::new();
    if diverges {
        // Never constructed, so its type could not be inferred.
        variants.push(quote!(Value(#p::Infallible)));
    } else {
        let value_ty = ident(names::VALUE_TYPE);
        variants.push(quote!(Value(#value_ty)));
        params.push(value_ty);
    }
    // Every `return value` has the function's return type: one parameter
    // serves them all, and one hint ties it to that type.
    let returns = sites.iter().any(is_return_with_value);
    let return_ty = ident(names::RETURN_TYPE);
    if returns {
        params.push(return_ty.clone());
    }
    for site in sites {
        let variant = &site.variant;
        if is_return_with_value(site) {
            variants.push(quote!(#variant(#return_ty)));
        } else if site.has_value {
            let param = names::site_type(variant);
            variants.push(quote!(#variant(#param)));
            params.push(param);
        } else {
            variants.push(quote!(#variant));
        }
    }
    quote! {
        enum #flow<#(#params),*> { #(#variants),* }
    }
}

fn is_return_with_value(site: &Site) -> bool {
    site.has_value && matches!(site.kind, SiteKind::Return { .. })
}

/// The outcome `exit` is told, per way out.
fn classify_arms(
    p: &TokenStream,
    flow: &Ident,
    sites: &[Site],
    value_anchored: bool,
    diverges: bool,
    outermost: bool,
) -> TokenStream {
    let value = ident(names::VALUE);
    let classify_value = |anchored: bool| {
        if anchored {
            quote!((&&&&&#p::probe::Probe(&*#value)).__async_with_outcome())
        } else {
            quote!(#p::Outcome::Completed)
        }
    };
    let mut arms = Vec::new();
    let value_outcome = if diverges {
        quote!(match *#value {})
    } else {
        classify_value(value_anchored)
    };
    arms.push(quote!(#p::Ok(#flow::Value(#value)) => #value_outcome,));
    for site in sites {
        let variant = &site.variant;
        let arm = match (&site.kind, site.has_value) {
            (SiteKind::Try { .. }, _) => {
                quote!(#p::Ok(#flow::#variant(#value)) => (&&&&#p::probe::Probe(&*#value)).__async_with_failure(),)
            }
            (SiteKind::Return { .. }, true) => {
                let outcome = classify_value(true);
                quote!(#p::Ok(#flow::#variant(#value)) => #outcome,)
            }
            (_, true) => {
                let outcome = classify_value(site.anchored);
                quote!(#p::Ok(#flow::#variant(#value)) => #outcome,)
            }
            (_, false) => quote!(#p::Ok(#flow::#variant) => #p::Outcome::Completed,),
        };
        arms.push(arm);
    }
    // The ways out that the managers further out add (their inner
    // managers' `?` marks) never reach this manager's `exit`.
    if !outermost {
        arms.push(quote! {
            #[allow(unreachable_patterns)]
            #p::Ok(_) => #p::Outcome::Completed,
        });
    }
    quote!(#(#arms)*)
}

/// Replays each way out where the user wrote the macro, with the user's
/// tokens, so errors (a `break` outside a loop, an unknown label, a `?`
/// that cannot convert) point at them.
fn dispatch_arms(flow: &Ident, sites: &[Site], diverges: bool) -> TokenStream {
    let value = ident(names::VALUE);
    // A body that ends in `return x;` diverges inline; the value arm must
    // diverge too, or `async_with!(..);` as a function's last statement
    // would be `()`.
    let value_arm = if diverges {
        quote!(#flow::Value(#value) => match #value {},)
    } else {
        quote!(#flow::Value(#value) => #value,)
    };
    let mut arms = vec![value_arm];
    for site in sites {
        let variant = &site.variant;
        let pattern = if site.has_value {
            quote!(#flow::#variant(#value))
        } else {
            quote!(#flow::#variant)
        };
        let carried = site.has_value.then(|| quote!(#value));
        let residual = ident(names::RESIDUAL);
        let arm = match &site.kind {
            SiteKind::Return { keyword } => quote!(#pattern => #keyword #carried,),
            SiteKind::Break { keyword, label } => quote!(#pattern => #keyword #label #carried,),
            SiteKind::Continue { keyword, label } => quote!(#pattern => #keyword #label,),
            // When the error type is uninhabited too (`Infallible`), the
            // residual is, and rustc 1.85 calls the `?` "unreachable".
            // Named as the residual, so that an enclosing body's rewriter
            // passes it on as one (`rewrite::is_residual`) rather than
            // branching on it again.
            SiteKind::Try { question } => quote! {
                #[allow(unreachable_code)]
                #flow::#variant(#residual) => match #residual #question {},
            },
        };
        arms.push(arm);
    }
    quote!(#(#arms)*)
}
