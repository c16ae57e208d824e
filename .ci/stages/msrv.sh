#!/usr/bin/env bash
# MSRV, checked with that exact compiler: Debian's rustc-web/cargo-web of the
# declared rust-version (1.85, bookworm), unpacked from the .debs. Builds the
# three library crates and the demo and runs every test that does not
# compare compiler output: all but the UI tests (tests/compiletest.rs),
# whose .stderr files are the current compiler's wording. Then checks the
# core with no features, and with the one feature not in the defaults.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

msrv=$(ci_msrv)
ci_apt_sources
ci_debian_rust "$msrv"
rustc --version | grep -q "^rustc $msrv\." ||
    { echo "msrv: expected rustc $msrv, got $(rustc --version)" >&2; exit 1; }
ci_msrv_build_env

mapfile -t tests < <(ci_facade_tests compiletest; ci_package_tests examples/spotlight)
echo "msrv: building and testing async-with-macros, async-with-core, async-with and spotlight with rustc $msrv (all but the UI tests)"
cargo test --locked "${msrv_packages[@]}" --lib --bins "${tests[@]}"
cargo test --locked "${msrv_packages[@]}" --doc
# The default features include `tracing`; `defmt` is the one feature left
# (the facade's features only forward to the core's). Checked alone, the
# core's dependencies are only embedded-hal's and defmt.
echo "msrv: the core alone, and with defmt"
cargo check --locked -p async-with-core --no-default-features
cargo check --locked -p async-with-core --no-default-features --features defmt
