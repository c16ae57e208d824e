#!/usr/bin/env bash
# flags.sh - the kernel tier's bad flags: tests/kernel/run.sh and
# .ci/stages/kernel-cells.sh must refuse each with exit 2 and a message
# naming what was wrong and what to write, before anything is installed,
# built or booted (each case has a few seconds; a build would take longer
# and print its "== kernel tier" banner, which fails the case); --help
# prints the usage without building. Run from anywhere; takes a few seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

failures=0 checks=0
# expect STATUS PATTERN COMMAND...: COMMAND exits STATUS and its output
# matches the extended regex PATTERN, and builds nothing.
expect() {
    local status=$1 pattern=$2 out rc
    shift 2
    checks=$((checks + 1))
    set +e
    out=$(timeout 20 "$@" 2>&1)
    rc=$?
    set -e
    if [ "$rc" != "$status" ] || ! grep -qE -- "$pattern" <<< "$out" ||
        grep -q '^== kernel tier' <<< "$out" || grep -q 'unbound variable\|line [0-9]*:' <<< "$out"; then
        echo "FAIL: $* exited $rc (want $status), output:" >&2
        sed 's/^/    /' <<< "$out" >&2
        failures=$((failures + 1))
    else
        echo "ok: $* -> $rc: $(head -n1 <<< "$out")"
    fi
}

run=tests/kernel/run.sh
expect 2 "--arch riscv64: unknown architecture; use --arch x86_64 or --arch aarch64" $run --arch riscv64
expect 2 "write '--arch aarch64'" $run --arch arm64
expect 2 "no 32-bit ARM cell" $run --arch armhf
expect 2 "--kernel 5.10: not a kernel series of the matrix for x86_64; use --kernel 6.1 or --kernel 6.12 or --kernel 7.3" $run --kernel 5.10
expect 2 "--kernel 6.1: not a kernel series of the matrix for aarch64; use --kernel 6.12 or --kernel 7.3" $run --arch aarch64 --kernel 6.1
expect 2 "--kernel latest: not a kernel series" $run --kernel latest
expect 2 "--arch needs a value: --arch x86_64 or --arch aarch64" $run --arch
expect 2 "--kernel needs a value" $run --kernel
expect 2 "--kernel needs a value" $run --kernel ""
expect 2 "--arch needs a value" $run --arch --kernel 6.12
expect 2 "write '--kernel 6.12', not '--kernel=6.12'" $run --kernel=6.12
expect 2 "unknown option --kernal" $run --kernal 6.12
expect 2 "unknown option --verbos" $run --arch aarch64 --verbos
expect 2 "--timeout needs a value" $run --timeout
expect 2 "--led needs a value" $run --led --verbose
expect 0 "^Usage: tests/kernel/run.sh" $run --help
expect 0 "run-kernel-gpio-test.sh's" $run -h
expect 0 "" $run --arch aarch64 --kernel 6.12 --check
expect 0 "" $run --arch x86_64 --kernel 7.3 --check
expect 2 "--arch needs a value \(see --help\)" tests/kernel/run-kernel-gpio-test.sh --arch
expect 2 "--kernel takes a series such as 6.12, not '6'" tests/kernel/run-kernel-gpio-test.sh --kernel 6 --prepare --arch x86_64
# The generic runner, asked directly for a series apt has no kernel of:
# it names the series apt has (or the sources to add), before any download.
work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-flags.XXXXXX")
trap 'rm -rf "$work"' EXIT
expect 2 "apt knows no (Debian 5.10 kernel for amd64; the series it has: .*6\.12.* and bookworm's 6\.1|trixie kernel for amd64: add trixie)" \
    env WORK_DIR="$work" tests/kernel/run-kernel-gpio-test.sh --arch x86_64 --kernel 5.10 --prepare

cells=.ci/stages/kernel-cells.sh
expect 2 "KERNEL_CELL_JOBS must be a positive number, not '0'" env KERNEL_CELL_JOBS=0 $cells "x86_64 6.1"
expect 2 "usage: .*ARCH KERNEL" $cells
expect 2 "a cell is \"ARCH KERNEL\" \(e.g. \"x86_64 6.1\"\), not \"x86_64\"" $cells x86_64
expect 2 "cell \"x86_64 5.10\" is not in the kernel matrix" $cells "x86_64 6.1" "x86_64 5.10"

echo "kernel-flags: $((checks - failures)) of $checks passed"
[ "$failures" = 0 ]
