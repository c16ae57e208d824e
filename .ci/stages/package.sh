#!/usr/bin/env bash
# The crates stay publishable: package in dependency order (macros, core,
# facade) and build each from its packaged sources.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
# The verify step unpacks our own crates into cargo's registry cache as
# version 0.1.0, and cargo never re-checks registry sources or the builds
# made from them: on a rerun it would verify the first run's code. Start
# both afresh (a fresh CI machine has neither).
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/async-with-* target/package-verify
CARGO_TARGET_DIR=target/package-verify cargo package -p async-with-macros -p async-with-core -p async-with
