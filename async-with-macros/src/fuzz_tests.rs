//! Hostile input: `expand` must return tokens (code or `compile_error!`)
//! for every token stream, never panic.
//!
//! Two generators: random token trees (every delimiter including the
//! invisible one, joint and alone punctuation, lifetimes' apostrophes,
//! keywords, literals), and mutations of valid invocations (deleting,
//! duplicating, swapping, truncating, inserting punctuation, wrapping runs in
//! groups, at any group depth). `PROPTEST_CASES=100000 cargo test -p
//! async-with-macros --release fuzz` runs a longer campaign by hand.

use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::expand;

const IDENTS: &[&str] = &[
    "a",
    "m",
    "x",
    "_",
    "async_with",
    "async",
    "await",
    "move",
    "return",
    "break",
    "continue",
    "loop",
    "for",
    "in",
    "while",
    "if",
    "else",
    "match",
    "let",
    "mut",
    "ref",
    "fn",
    "impl",
    "struct",
    "self",
    "Self",
    "crate",
    "super",
    "dyn",
    "const",
    "static",
    "unsafe",
    "yield",
    "try",
    "macro_rules",
    "Ok",
    "Err",
    "None",
    "Some",
    "panic",
    "vec",
    "assert",
    "format",
];

const PUNCTS: &[char] = &[
    '?', '=', '>', ',', ';', ':', '.', '\'', '!', '#', '$', '&', '|', '*', '+', '-', '/', '<', '@',
    '^', '~', '%',
];

/// Valid invocations, as the proc macro receives them (after the facade's
/// `($crate)` prefix), covering every grammar form and every rewritten site.
const VALID: &[&str] = &[
    "(krate) m => t { t }",
    "(krate) m { }",
    "(krate) m? => mut t { t.run().await?; }",
    "(krate) a => x, b => (y, z), { x + y }",
    "(krate) Lock { inner: 1 } => S { s } { s }",
    "(krate) make(async move { 1 }) => _ { return Some(1); }",
    "(krate) m => t { loop { if t { break; } continue; } }",
    "(krate) m => t { 'outer: for i in 0..3 { if i == 1 { continue 'outer; } break 'outer; } }",
    "(krate) m => t { if t { return Err(e); } let v = f()?; break 'l v }",
    "(krate) m => t { async_with!(n => u { return u; }); async_with!(o? { None? }) }",
    "(krate) m => t { assert_eq!(f()?, 1, \"{}\", g()?); vec![h()?; 2] }",
    "(krate) m => t { let c = || { return 1; }; fn inner() -> u8 { return 2 } c() }",
    "(krate) m => t { 'b: { break 'b 5 } }",
    "(krate) m => t { match t { Ok(v) => v?, Err(e) => return Err(e.into()) } }",
];

fn leaf() -> impl Strategy<Value = TokenTree> {
    prop_oneof![
        4 => prop::sample::select(IDENTS).prop_map(|name| {
            TokenTree::Ident(Ident::new(name, Span::call_site()))
        }),
        1 => "[a-z_][a-z0-9_]{0,6}".prop_map(|name| {
            // Raw identifiers cannot spell every keyword (`r#self`).
            let name = if matches!(name.as_str(), "self" | "super" | "crate" | "_") {
                "r".to_owned()
            } else {
                name
            };
            TokenTree::Ident(Ident::new_raw(&name, Span::call_site()))
        }),
        5 => (prop::sample::select(PUNCTS), any::<bool>()).prop_map(|(ch, joint)| {
            let spacing = if joint { Spacing::Joint } else { Spacing::Alone };
            TokenTree::Punct(Punct::new(ch, spacing))
        }),
        2 => prop_oneof![
            any::<u32>().prop_map(Literal::u32_suffixed),
            any::<i64>().prop_map(Literal::i64_unsuffixed),
            (0.0..1e9f64).prop_map(Literal::f64_unsuffixed),
            ".{0,8}".prop_map(|text| Literal::string(&text)),
            any::<char>().prop_map(Literal::character),
        ]
        .prop_map(TokenTree::Literal),
    ]
}

fn delimiter() -> impl Strategy<Value = Delimiter> {
    prop_oneof![
        Just(Delimiter::Brace),
        Just(Delimiter::Parenthesis),
        Just(Delimiter::Bracket),
        Just(Delimiter::None),
    ]
}

fn tree() -> impl Strategy<Value = TokenTree> {
    leaf().prop_recursive(5, 64, 8, |inner| {
        (delimiter(), prop::collection::vec(inner, 0..8)).prop_map(|(delimiter, trees)| {
            TokenTree::Group(Group::new(delimiter, trees.into_iter().collect()))
        })
    })
}

/// A random stream, usually behind a well-formed `($crate)` prefix so that
/// the parser proper is reached.
fn random_stream() -> impl Strategy<Value = TokenStream> {
    (
        any::<bool>(),
        prop::collection::vec(tree(), 0..12),
        prop::option::of(prop::collection::vec(tree(), 0..6)),
    )
        .prop_map(|(prefixed, trees, body)| {
            let mut stream = TokenStream::new();
            if prefixed {
                stream.extend(TokenStream::from_str("(krate)").unwrap());
            }
            stream.extend(trees);
            if let Some(body) = body {
                // A trailing brace group: the shape `split_body` looks for.
                let body = Group::new(Delimiter::Brace, body.into_iter().collect());
                stream.extend([TokenTree::Group(body)]);
            }
            stream
        })
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete,
    Duplicate,
    Swap(usize),
    Truncate,
    Insert(TokenTree),
    Wrap(Delimiter, usize),
    /// Descend into the group at this position (if it is one).
    Descend(Box<Mutation>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let base = prop_oneof![
        Just(Mutation::Delete),
        Just(Mutation::Duplicate),
        any::<usize>().prop_map(Mutation::Swap),
        Just(Mutation::Truncate),
        leaf().prop_map(Mutation::Insert),
        (delimiter(), 0..4usize).prop_map(|(delimiter, len)| Mutation::Wrap(delimiter, len)),
    ];
    base.prop_recursive(4, 8, 1, |inner| {
        inner.prop_map(|mutation| Mutation::Descend(Box::new(mutation)))
    })
}

fn mutate(stream: TokenStream, mutation: &Mutation, seed: usize) -> TokenStream {
    let mut trees: Vec<TokenTree> = stream.into_iter().collect();
    if trees.is_empty() {
        return match mutation {
            Mutation::Insert(tree) => TokenStream::from(tree.clone()),
            _ => TokenStream::new(),
        };
    }
    let at = seed % trees.len();
    match mutation {
        Mutation::Delete => {
            trees.remove(at);
        }
        Mutation::Duplicate => trees.insert(at, trees[at].clone()),
        Mutation::Swap(other) => {
            let other = other % trees.len();
            trees.swap(at, other);
        }
        Mutation::Truncate => trees.truncate(at),
        Mutation::Insert(tree) => trees.insert(at, tree.clone()),
        Mutation::Wrap(delimiter, len) => {
            let end = (at + len).min(trees.len());
            let inner: TokenStream = trees.drain(at..end).collect();
            trees.insert(at, TokenTree::Group(Group::new(*delimiter, inner)));
        }
        Mutation::Descend(inner) => {
            // Prefer the nearest group at or after `at`, so a descent
            // usually reaches the body.
            let index = (0..trees.len())
                .map(|offset| (at + offset) % trees.len())
                .find(|&index| matches!(trees[index], TokenTree::Group(_)));
            if let Some(index) = index {
                if let TokenTree::Group(group) = &trees[index] {
                    let stream = mutate(group.stream(), inner, seed / 7 + 1);
                    let mut rebuilt = Group::new(group.delimiter(), stream);
                    rebuilt.set_span(group.span());
                    trees[index] = TokenTree::Group(rebuilt);
                }
            }
        }
    }
    trees.into_iter().collect()
}

fn mutated_stream() -> impl Strategy<Value = TokenStream> {
    (
        prop::sample::select(VALID),
        prop::collection::vec((mutation(), any::<usize>()), 1..5),
    )
        .prop_map(|(source, mutations)| {
            let mut stream = TokenStream::from_str(source).unwrap();
            for (mutation, seed) in &mutations {
                stream = mutate(stream, mutation, *seed);
            }
            stream
        })
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

/// Runs `expand` on every generated stream: it must not panic, and (given
/// the facade's prefix) what it returns must be either an expression or
/// carry a `compile_error!`.
fn never_panics(strategy: impl Strategy<Value = TokenStream>, default_cases: u32) {
    let mut runner = TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        ..Config::default()
    });
    let verdict = runner.run(&strategy, |input| {
        let shown = input.to_string();
        // The facade always passes `($crate)`; with a mangled prefix the
        // output names a mangled path, which is fine as long as it is tokens.
        let prefix_intact = matches!(
            input.clone().into_iter().next(),
            Some(TokenTree::Group(group))
                if group.delimiter() == Delimiter::Parenthesis
                    && group.stream().to_string() == "krate"
        );
        let output = std::panic::catch_unwind(|| expand(input))
            .map_err(|_| TestCaseError::fail(format!("`expand` panicked on: {shown}")))?;
        let text = output.to_string();
        let is_expr = syn::parse2::<syn::Expr>(output).is_ok();
        prop_assert!(
            !prefix_intact || is_expr || text.contains("compile_error"),
            "input `{}` expanded to tokens that are neither an expression nor an error: {}",
            shown,
            text
        );
        Ok(())
    });
    if let Err(failure) = verdict {
        panic!("{failure}");
    }
}

#[test]
fn expand_never_panics_on_random_token_trees() {
    never_panics(random_stream(), 3_000);
}

#[test]
fn expand_never_panics_on_mutated_valid_invocations() {
    never_panics(mutated_stream(), 3_000);
}

#[test]
fn valid_invocations_expand_to_an_expression_without_errors() {
    for source in VALID {
        let output = expand(TokenStream::from_str(source).unwrap());
        let text = output.to_string();
        assert!(!text.contains("compile_error"), "{source} -> {text}");
        if let Err(error) = syn::parse2::<syn::Expr>(output) {
            panic!("{source} expanded to tokens that are not an expression ({error}): {text}");
        }
    }
}
