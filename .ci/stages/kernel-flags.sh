#!/usr/bin/env bash
# The kernel tier's bad flags are refused with a clear error before
# anything is installed, built or booted (tests/kernel/flags.sh: 25 cases,
# ~1 s, no packages needed). Runs before the kernel stages, so that a typo
# in the matrix fails in a second, not after the kernels are prepared.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
tests/kernel/flags.sh
