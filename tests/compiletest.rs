//! The compile errors users see when they misuse `async_with!`: one mistake
//! per file under `tests/ui/`, each with the `.stderr` it must produce.
//! Bless with `TRYBUILD=overwrite cargo test --test compiletest`, then read
//! every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
