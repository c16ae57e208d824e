#!/usr/bin/env bash
# Runs the kernel matrix's cells (tests/kernel/run.sh), two VMs at a time:
# each QEMU TCG boot keeps one core busy for ~20 s, and CI has two. First
# every cell's kernel and modules are checked in the cache (made by
# kernel-prepare.sh in the background; one cell after another, as their
# module builds share the trixie chroot), then the guest binaries are built
# once per architecture (cargo builds one thing at a time anyway), then the
# cells boot, each with its own log. Each cell's whole output follows,
# in the order given, then one line per cell with its count of checks and
# time; the stage fails if any cell fails, and says which.
#
# usage: .ci/stages/kernel-cells.sh "x86_64 6.1" "aarch64 6.12" ...
# KERNEL_CELL_JOBS: how many cells boot at once (default 2).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

jobs=${KERNEL_CELL_JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "kernel-cells: KERNEL_CELL_JOBS must be a positive number, not '$jobs'" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: $0 \"ARCH KERNEL\"... (e.g. \"x86_64 6.1\")" >&2; exit 2; }
# Every cell is checked before any is prepared: a typo in the last one
# would otherwise show only after the first ones' kernels were built.
for cell in "$@"; do
    read -r arch kernel extra <<< "$cell"
    [ -n "${kernel:-}" ] && [ -z "${extra:-}" ] ||
        { echo "kernel-cells: a cell is \"ARCH KERNEL\" (e.g. \"x86_64 6.1\"), not \"$cell\"" >&2; exit 2; }
    tests/kernel/run.sh --arch "$arch" --kernel "$kernel" --check ||
        { echo "kernel-cells: cell \"$cell\" is not in the kernel matrix (see the error above)" >&2; exit 2; }
done
logs=target/ci-logs/kernel-cells
rm -rf "$logs"
mkdir -p "$logs"

for cell in "$@"; do
    read -r arch kernel <<< "$cell"
    echo "== kernel-cells: $arch $kernel: kernel and modules"
    tests/kernel/run.sh --arch "$arch" --kernel "$kernel" --prepare
done
built=" "
for cell in "$@"; do
    read -r arch kernel <<< "$cell"
    case $built in *" $arch "*) continue ;; esac
    tests/kernel/run.sh --arch "$arch" --kernel "$kernel" --build
    built="$built$arch "
done

# boot CELL: one cell in the background, its output and exit status and
# wall time in $logs.
boot() {
    local arch kernel name t0
    read -r arch kernel <<< "$1"
    name="$logs/$arch-$kernel"
    t0=$(date +%s)
    echo "== kernel-cells: $arch $kernel: booting (log: $name.log)"
    (
        set +e
        tests/kernel/run.sh --arch "$arch" --kernel "$kernel" > "$name.log" 2>&1
        echo "$?" > "$name.rc"
        echo "$(($(date +%s) - t0))" > "$name.time"
    ) &
}
running=0
for cell in "$@"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    boot "$cell"
    running=$((running + 1))
done
wait || true

failed=()
summary=()
for cell in "$@"; do
    read -r arch kernel <<< "$cell"
    name="$logs/$arch-$kernel"
    printf '\n== kernel %s %s\n' "$arch" "$kernel"
    cat "$name.log"
    rc=$(cat "$name.rc" 2>/dev/null || echo "?")
    result=$(grep -a "^kernel-tier $arch $kernel: " "$name.log" | tail -n1 || true)
    if [ "$rc" = 0 ] && [ -n "$result" ]; then
        summary+=("$result in $(cat "$name.time") s")
    else
        reason=$(grep -a "^kernel tier ($arch $kernel): FAILED: " "$name.log" | tail -n1 || true)
        summary+=("kernel-tier $arch $kernel: FAILED (exit $rc) in $(cat "$name.time" 2>/dev/null || echo "?") s: ${reason:-see $name.log}")
        failed+=("$arch $kernel")
    fi
done
printf '\n== kernel-cells: %s cells, %s at a time\n' "$#" "$jobs"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "kernel-cells: ${#failed[@]} of $# cells failed: $(printf '%s, ' "${failed[@]}" | sed 's/, $//')" >&2
    exit 1
fi
