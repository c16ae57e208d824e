#!/usr/bin/env bash
# Fetches and builds, into the shared cache, what each cell of the kernel
# matrix needs before it can boot: the Debian kernel, the simulator modules
# built for it (bookworm's gcc-12, or gcc-14 in a trixie chroot made with
# mmdebstrap), the arm64 busybox and toolchain (286 s on a cold cache, most
# of it unpacking and module builds, i.e. CPU on a 2-core machine): .ci/run
# starts it in the background after the apt stage, beside the cargo stages,
# and waits for it before the first kernel cell. Cells of one kernel
# version share its driver sources (x86_64 and aarch64 6.12), and every
# apt call reads one binary cache of the package lists (see
# run-kernel-gpio-test.sh), so the order of the cells does not matter.
#
# usage: .ci/stages/kernel-prepare.sh "x86_64 6.1" "aarch64 6.12" ...
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

for cell in "$@"; do
    read -r arch kernel <<< "$cell"
    t0=$SECONDS
    tests/kernel/run.sh --arch "$arch" --kernel "$kernel" --prepare
    echo "kernel-prepare: $arch $kernel ready in $((SECONDS - t0)) s"
done
