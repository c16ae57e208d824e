//! Snapshots of the real expansion, pretty-printed: every change to the
//! generated code shows up in review as a diff of `src/snapshots/`.
//! `cargo insta review` (or `INSTA_UPDATE=always`) accepts a change; the
//! hand-written `examples/*-expanded.rs` in the facade follow these.

use std::str::FromStr;

use proc_macro2::TokenStream;

/// Expands `invocation` (the tokens inside `async_with!(...)`, with `$crate`
/// spelled `::async_with`) and pretty-prints it as the body of a function.
fn expanded(invocation: &str) -> String {
    let input = TokenStream::from_str(&format!("(::async_with) {invocation}")).unwrap();
    let output = crate::expand(input);
    let file = syn::parse_file(&format!("fn expansion() {{ {output} }}"))
        .unwrap_or_else(|error| panic!("the expansion does not parse: {error}\n{output}"));
    prettyplease::unparse(&file)
}

macro_rules! snapshots {
    ($($name:ident: $invocation:literal,)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(expanded($invocation));
            }
        )*
    };
}

snapshots! {
    unmarked_with_pattern: "lock.clone() => guard { guard.push(1); }",
    marked_without_pattern: "open()? { send().await }",
    tail_value: "m() => t { t.len() }",
    return_question_mark_break_continue: "m() => t {
        if t.done() { break; }
        if t.skip() { continue 'outer; }
        let n = t.step().await?;
        if n > 3 { return Ok(n); }
        n
    }",
    break_with_value: "m() { if ready { break 'search 7; } }",
    diverging_tail: "m() { panic!(\"boom\") }",
    several_managers: "a() => x, b()? => mut y { y.push(x) }",
    several_managers_question_mark: "a(), b(), c() { let value = fallible()?; Ok(value) }",
    nested_block: "a() => x { async_with!(b() => y { return y; }); x }",
    parse_error_falls_back: "open() => conn log() => out { conn.send(out).await }",
}
