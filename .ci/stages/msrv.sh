#!/usr/bin/env bash
# MSRV, checked with that exact compiler: Debian's rustc-web/cargo-web of the
# declared rust-version (1.85, bookworm), unpacked from the .debs. Builds the
# three library crates and the demo (every feature, and the core with none),
# then runs every test that does not compare compiler output: all but the
# UI tests (tests/compiletest.rs), whose .stderr files are the current
# compiler's wording.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

msrv=$(ci_msrv)
ci_apt_sources
ci_debian_rust "$msrv"
rustc --version | grep -q "^rustc $msrv\." ||
    { echo "msrv: expected rustc $msrv, got $(rustc --version)" >&2; exit 1; }
ci_msrv_build_env

echo "msrv: building async-with-macros, async-with-core, async-with and spotlight with rustc $msrv"
cargo build --locked -p async-with-macros -p async-with-core -p async-with -p spotlight --all-features
cargo build --locked -p async-with-core --no-default-features
mapfile -t facade_tests < <(ci_facade_tests compiletest)
echo "msrv: testing with rustc $msrv (all but the UI tests)"
cargo test --locked -p async-with --lib "${facade_tests[@]}"
cargo test --locked -p async-with-core -p async-with-macros -p spotlight --lib --bins --tests
cargo test --locked -p async-with -p async-with-core --doc
