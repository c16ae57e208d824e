#!/usr/bin/env bash
# run.sh - the kernel test tier: builds the static test binary
# (tests/kernel/guest, package async-with-kernel-tests) and the spotlight
# tool (package spotlight in examples/spotlight, which the binary runs too) and runs them inside a
# real Debian kernel under QEMU with simulated GPIO chips and LEDs, laid out
# like a Raspberry Pi 4 on kernel 6.6+ (see tests/kernel/guest/src/layout.rs).
#
# Usage: tests/kernel/run.sh [run-kernel-gpio-test.sh options...]
#   e.g. tests/kernel/run.sh --verbose        (all kernel messages)
#        KEEP_RUN=1 tests/kernel/run.sh       (keep initramfs + console.log)
#
# As root it installs what it needs (apt packages via --install-deps); as
# another user it stops and names the missing packages.  The kernel and the
# simulator modules are cached in $ASYNC_WITH_KERNEL_CACHE (default
# target/kernel-vm): a cold run downloads ~250 MB of Debian packages.
#
# Exit status: 0 only if the VM booted, every driver loaded, and the binary
# reported exactly EXPECTED_CHECKS checks, all passed.  Anything else is a
# failure, never a skip.
set -euo pipefail

# Number of checks the guest binary must report.  A check that is removed,
# skipped or never reached changes the count and fails the tier.
EXPECTED_CHECKS=80

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "kernel tier: FAILED: $*" >&2; exit 1; }

[ "$(uname -m)" = x86_64 ] || fail "needs an x86_64 host (the guest is Debian amd64), not $(uname -m)"
deps=()
if [ "$(id -u)" = 0 ]; then
    deps=(--install-deps)
    # glibc's static libc.a, for the +crt-static guest binary.
    if [ ! -f /usr/lib/x86_64-linux-gnu/libc.a ]; then
        apt-get install -y -q --no-install-recommends libc6-dev >&2 ||
            { apt-get update -qq && apt-get install -y -q --no-install-recommends libc6-dev >&2; } ||
            fail "cannot install libc6-dev"
    fi
fi
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || fail "no /usr/lib/x86_64-linux-gnu/libc.a: install libc6-dev"

# glibc with +crt-static rather than musl: the musl target would need a
# rustup download, and CI reaches only package registries.  --target keeps
# RUSTFLAGS off build scripts and proc macros.
echo "== kernel tier: building the static guest binary and the spotlight tool" >&2
target=x86_64-unknown-linux-gnu
# Debug info stripped: it would triple the initramfs the guest unpacks.
flags="${RUSTFLAGS:-} -C target-feature=+crt-static -C strip=debuginfo"
(cd "$repo" && RUSTFLAGS=$flags cargo build -q -p async-with-kernel-tests --target "$target" &&
    RUSTFLAGS=$flags cargo build -q -p spotlight --target "$target") ||
    fail "cargo build of tests/kernel/guest or examples/spotlight failed"
bin="$repo/target/$target/debug/async-with-kernel-tests"
demo="$repo/target/$target/debug/spotlight"

log=$(mktemp "${TMPDIR:-/tmp}/kernel-tier.XXXXXX")
trap 'rm -f "$log"' EXIT
echo "== kernel tier: booting the VM" >&2
set +e
"$here/run-kernel-gpio-test.sh" "${deps[@]}" \
    --mockup-ranges 512,570,570,578 \
    --sim-lines 58 --sim-label pinctrl-bcm2711 \
    --led spot:white=255 --led spot:trigger=7 \
    --gpio-led ACT@554 \
    --file "$demo:/test/spotlight" \
    "$@" -- "$bin" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

case $rc in
    0) ;;
    2) fail "host setup error (see above)" ;;
    3) fail "the VM died without a result: kernel did not boot or panicked" ;;
    9[0-8]) fail "a driver failed to load or a simulated device is missing in the VM (code $rc, see --help of run-kernel-gpio-test.sh)" ;;
    124) fail "the VM timed out" ;;
esac
counts=$(grep -a '^kernel-checks: [0-9]* passed, [0-9]* failed$' "$log" | tail -n1 || true)
[ -n "$counts" ] || fail "the guest binary printed no check count (exit $rc)"
passed=$(echo "$counts" | sed 's/^kernel-checks: \([0-9]*\) passed.*/\1/')
failed=$(echo "$counts" | sed 's/.*passed, \([0-9]*\) failed$/\1/')
[ "$rc" = 0 ] || fail "$failed of $((passed + failed)) kernel checks failed (exit $rc)"
[ "$failed" = 0 ] || fail "$failed kernel checks failed but the VM reported success"
[ $((passed + failed)) = "$EXPECTED_CHECKS" ] ||
    fail "ran $((passed + failed)) kernel checks, expected $EXPECTED_CHECKS (update EXPECTED_CHECKS in $0 if a check was added or removed on purpose)"
echo "kernel-tier: $passed passed, 0 failed"
