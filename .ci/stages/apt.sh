#!/usr/bin/env bash
# The Debian side of CI, up front so its time is one figure: the extra
# suites (trixie, trixie-backports, pinned so that bookworm is never
# upgraded from them), the arm64/armhf architectures, and every package the
# later stages install. Each stage still installs what it needs itself
# (idempotently), so it also runs alone. The kernel tier's packages are here
# too (mmdebstrap, the bookworm kernel's headers): its preparation runs in
# the background beside the other stages and must not wait for dpkg's lock.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

ci_apt_sources
ci_apt_install file xz-utils zstd cpio bc busybox-static binutils make \
    gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev libc6-dev-arm64-cross \
    libc6-dev-armhf-cross qemu-user-static qemu-system-x86 qemu-system-arm \
    libllvm19 libpcre3 mmdebstrap linux-headers-amd64
echo "apt: $(dpkg --print-foreign-architectures | tr '\n' ' ')foreign architectures; trixie suites pinned at priority 1"
