#!/usr/bin/env bash
# ARM, as Raspberry Pi OS runs it: the demo cross-built for aarch64 (64-bit
# Pi OS) and armv7 (32-bit Pi OS) with Debian's toolchain (rustc-web and
# libstd-rust-web-dev:arm64/armhf of the MSRV, the gcc cross linkers), then
# run under qemu-user on the simulated Pi by the demo's own process tests
# (examples/spotlight/tests/: the default run, every stopping signal exits
# 128+N with the light off, the capture command's process group stopped,
# a failing command's status passed through, closed output, bad flags and
# bad input, ...), and the library's test suite run for
# aarch64 under qemu-user through CARGO_TARGET_..._RUNNER (UI tests excepted:
# they compare the host compiler's messages).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

ci_apt_sources
ci_apt_install file gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross \
    libc6-dev-armhf-cross qemu-user-static
ci_debian_rust "$(ci_msrv)" arm64 armhf
# The MSRV stage's target dir and flags (host side built once for both).
ci_msrv_build_env
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER=arm-linux-gnueabihf-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64-static -L /usr/aarch64-linux-gnu"
export CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_RUNNER="qemu-arm-static -L /usr/arm-linux-gnueabihf"

# The host build of the process tests, run once per ARM build below: the
# MSRV stage's packages, so nothing is rebuilt (the tool they drive is the
# ARM build, through SPOTLIGHT_EXE).
mapfile -t process_tests < <(ci_package_tests examples/spotlight)
cargo test --locked "${msrv_packages[@]}" "${process_tests[@]}" --no-run

for spec in aarch64-unknown-linux-gnu:qemu-aarch64-static:aarch64-linux-gnu:aarch64 \
            armv7-unknown-linux-gnueabihf:qemu-arm-static:arm-linux-gnueabihf:"ARM, EABI5"; do
    IFS=: read -r target qemu sysroot machine <<< "$spec"
    echo "arm: building spotlight for $target"
    cargo build --locked -p spotlight --target "$target"
    bin=$CARGO_TARGET_DIR/$target/debug/spotlight
    file -L "$bin" | grep -q "$machine" || { echo "arm: $bin is not an $machine binary: $(file -L "$bin")" >&2; exit 1; }
    # `exec` keeps the process id, so the tests' signals reach qemu, which
    # hands them to the tool.
    wrapper=$CARGO_TARGET_DIR/$target/spotlight-under-qemu
    printf '#!/bin/sh\nexec %s -L /usr/%s %s "$@"\n' "$qemu" "$sysroot" "$bin" > "$wrapper"
    chmod +x "$wrapper"
    "$wrapper" --version
    echo "arm: the demo's process tests against the $target build under $qemu"
    # Under qemu-user a command that cannot be started is not reported as
    # such: glibc's posix_spawn relies on CLONE_VFORK sharing memory, which
    # qemu-user turns into a plain fork, so the child itself exits 127 and the
    # tool says "ended with exit status 127" instead of "could not run". That
    # one test is checked here instead, on what does not depend on it.
    SPOTLIGHT_EXE=$wrapper cargo test --locked "${msrv_packages[@]}" "${process_tests[@]}" -- \
        --skip a_capture_command_that_does_not_exist_exits_127_with_the_light_off
    # GPIO 588 (BCM 17 on the simulated Pi 5) exported beforehand, so its
    # value file stays readable after the run (the tool unexports only what
    # it exported itself).
    tree=$(mktemp -d)
    mkdir -p "$tree/class/gpio/gpio588"
    printf 'out\n' > "$tree/class/gpio/gpio588/direction"
    printf '0\n' > "$tree/class/gpio/gpio588/value"
    printf '0\n' > "$tree/class/gpio/gpio588/active_low"
    printf 'none\n' > "$tree/class/gpio/gpio588/edge"
    set +e
    "$wrapper" --sysfs-root "$tree" -- no-such-capture-command > "$tree/out" 2>&1
    rc=$?
    set -e
    value=$(cat "$tree/class/gpio/gpio588/value" 2>/dev/null || echo missing)
    if [ "$rc" != 127 ] || [ "$value" != 0 ] || ! grep -q 'light off; exit 127' "$tree/out"; then
        cat "$tree/out"
        echo "arm: $target: a missing capture command gave exit $rc and light value '$value', expected 127 and 0" >&2
        exit 1
    fi
    echo "arm: $target: a missing capture command: exit 127, light off"
    rm -rf "$tree"
done

echo "arm: the library's tests for aarch64 under qemu-aarch64 (all but the UI tests)"
mapfile -t facade_tests < <(ci_facade_tests compiletest)
cargo test --locked --target aarch64-unknown-linux-gnu -p async-with -p async-with-core --lib "${facade_tests[@]}"
