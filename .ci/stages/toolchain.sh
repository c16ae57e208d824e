#!/usr/bin/env bash
# The rustup toolchain the other stages use (no downloads: rustfmt and
# clippy are part of it or were installed with it).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo --version
rustc --version
