#!/usr/bin/env bash
# run.sh - the kernel test tier: builds the static test binary
# (tests/kernel/guest, package async-with-kernel-tests) and the spotlight
# tool (package spotlight in examples/spotlight, which the binary runs too) and runs them inside a
# real Debian kernel under QEMU with simulated GPIO chips and LEDs, laid out
# like a Raspberry Pi 4 on kernel 6.6+ (see tests/kernel/guest/src/layout.rs).
#
# Usage: tests/kernel/run.sh [--arch x86_64|aarch64] [--kernel 6.1|6.12|7.3]
#                            [run-kernel-gpio-test.sh options...]
# One cell of the kernel matrix per run (CI runs every cell, .ci/run):
#   x86_64  6.1  (bookworm, the default), 6.12 (trixie: what Raspberry Pi OS
#           runs), 7.3 (trixie-backports: the newest)
#   aarch64 6.12 (Debian arm64 under qemu-system-aarch64 -M virt)
#   e.g. tests/kernel/run.sh --arch aarch64 --kernel 6.12
#        tests/kernel/run.sh --verbose        (all kernel messages)
#        KEEP_RUN=1 tests/kernel/run.sh       (keep initramfs + console.log)
#        tests/kernel/run.sh --kernel 7.3 --prepare  (fetch and build into the
#                                             cache only: kernel, modules)
#        tests/kernel/run.sh --arch aarch64 --build  (build the guest binaries
#                                             for the arch only, no boot)
#        tests/kernel/run.sh --arch aarch64 --kernel 7.3 --check  (only check
#                                             the flags: exit 0, or 2 saying why)
#
# As root it installs what it needs (apt packages via --install-deps); as
# another user it stops and names the missing packages.  The kernel and the
# simulator modules are cached in $ASYNC_WITH_KERNEL_CACHE (default
# target/kernel-vm): a cold run downloads ~250 MB of Debian packages.
#
# Exit status: 2 for a bad flag (said before anything is built), 0 only
# if the VM booted, every driver loaded, and the binary
# reported exactly EXPECTED_CHECKS checks, all passed.  Anything else is a
# failure, never a skip.
set -euo pipefail

# Number of checks the guest binary must report.  A check that is removed,
# skipped or never reached changes the count and fails the tier.
EXPECTED_CHECKS=80
# Checks of the per-chip sysfs interface (/sys/class/gpio/chipN, kernel
# 6.17+) that run-kernel-gpio-test.sh makes before the binary runs; a
# kernel of 6.17 or later must have that interface.
PERCHIP_CHECKS=6

# The matrix's kernel series (Debian's): 6.1 is bookworm's and runs on
# x86_64 only, 6.12 is trixie's, 7.3 trixie-backports' (add the next
# backport here when Debian publishes it).
KERNELS_X86_64="6.1 6.12 7.3"
KERNELS_AARCH64="6.12 7.3"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
# A bad flag: said before anything is installed, built or booted.
usage_error() {
    echo "kernel tier: error: $*" >&2
    echo "(tests/kernel/run.sh --help lists the cells and options)" >&2
    exit 2
}

arch=x86_64 kernel="" mode=run
runner_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --arch | --kernel)
            [ $# -ge 2 ] && [ -n "$2" ] && [[ $2 != -* ]] || case $1 in
                --arch) usage_error "--arch needs a value: --arch x86_64 or --arch aarch64" ;;
                *) usage_error "--kernel needs a value: a series such as --kernel 6.12" ;;
            esac
            case $1 in --arch) arch=$2 ;; *) kernel=$2 ;; esac
            shift 2 ;;
        --arch=* | --kernel=*) usage_error "write '${1%%=*} ${1#*=}', not '$1'" ;;
        --build) mode=build; shift ;;
        --check) mode=check; shift ;;
        -h | --help)
            usage
            echo
            echo "Other options are run-kernel-gpio-test.sh's (tests/kernel/run-kernel-gpio-test.sh --help)."
            exit 0 ;;
        *) runner_args+=("$1"); shift ;;
    esac
done
case $arch in
    x86_64) kernels=$KERNELS_X86_64 ;;
    aarch64) kernels=$KERNELS_AARCH64 ;;
    arm64) usage_error "--arch arm64: write '--arch aarch64' (Debian's arm64)" ;;
    armv7 | armhf | arm) usage_error "--arch $arch: the kernel tier has no 32-bit ARM cell; use --arch aarch64 or x86_64 (the armv7 build is tested under qemu-user, .ci/stages/arm.sh)" ;;
    *) usage_error "--arch $arch: unknown architecture; use --arch x86_64 or --arch aarch64" ;;
esac
[ -n "$kernel" ] || { [ "$arch" = x86_64 ] && kernel=6.1 || kernel=6.12; }
case " $kernels " in
    *" $kernel "*) ;;
    *) usage_error "--kernel $kernel: not a kernel series of the matrix for $arch; use --kernel ${kernels// / or --kernel }" ;;
esac
cell="$arch $kernel"
# The runner's options, from its usage text: a misspelt one is refused
# here rather than after the guest binaries are built.
# Those that take a value show it in capitals or as choices (`a|b`).
runner=$(dirname "${BASH_SOURCE[0]}")/run-kernel-gpio-test.sh
runner_options=$(sed -n 's/^#   \(--[a-z-]*\).*/\1/p' "$runner")
runner_valued=$(sed -nE 's/^#   (--[a-z-]+) ([A-Z]|[a-z0-9]+\|).*/\1/p' "$runner")
for ((i = 0; i < ${#runner_args[@]}; i++)); do
    arg=${runner_args[i]}
    [ "$arg" != -- ] || break
    case $arg in
        --*) grep -qx -- "$arg" <<< "$runner_options" ||
                 usage_error "unknown option $arg (run.sh takes --arch, --kernel, --build, --check, --help and run-kernel-gpio-test.sh's options)"
             if grep -qx -- "$arg" <<< "$runner_valued"; then
                 [ $((i + 1)) -lt ${#runner_args[@]} ] && [[ ${runner_args[i + 1]} != --* ]] ||
                     usage_error "$arg needs a value (tests/kernel/run-kernel-gpio-test.sh --help says which)"
                 i=$((i + 1))
             fi ;;
    esac
done
[ "$mode" != check ] || exit 0
# Debian compiles gpio-mockup out of its 7.x kernels: there the Pi-like
# chips are gpio-sim ones (same labels, line names and bases).
case $kernel in
    6.*) ;;
    *) runner_args=(--mockup-via-gpio-sim ${runner_args[@]+"${runner_args[@]}"}) ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "kernel tier ($cell): FAILED: $*" >&2; exit 1; }

[ "$(uname -m)" = x86_64 ] || fail "needs an x86_64 host, not $(uname -m)"
case $arch in
    x86_64) target=x86_64-unknown-linux-gnu; libc=/usr/lib/x86_64-linux-gnu/libc.a; libc_pkg=libc6-dev ;;
    aarch64) target=aarch64-unknown-linux-gnu; libc=/usr/aarch64-linux-gnu/lib/libc.a; libc_pkg=libc6-dev-arm64-cross
             export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc ;;
    *) fail "--arch must be x86_64 or aarch64, not '$arch'" ;;
esac
deps=()
if [ "$(id -u)" = 0 ]; then
    deps=(--install-deps)
    # glibc's static libc.a, for the +crt-static guest binary.
    pkgs=("$libc_pkg")
    [ "$arch" = aarch64 ] && pkgs+=(gcc-aarch64-linux-gnu)
    if [ ! -f "$libc" ] || { [ "$arch" = aarch64 ] && ! command -v aarch64-linux-gnu-gcc >/dev/null; }; then
        apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2 ||
            { apt-get update -qq && apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2; } ||
            fail "cannot install ${pkgs[*]}"
    fi
fi
[ -f "$libc" ] || fail "no $libc: install $libc_pkg"
# --prepare: only the kernel, its modules and the rest of the VM's parts,
# into the cache; no guest binary, no boot (CI runs it in the background).
for arg in ${runner_args[@]+"${runner_args[@]}"}; do
    if [ "$arg" = --prepare ]; then
        "$here/run-kernel-gpio-test.sh" ${deps[@]+"${deps[@]}"} --arch "$arch" --kernel "$kernel" \
            ${runner_args[@]+"${runner_args[@]}"} || fail "preparing the kernel and its modules failed"
        exit 0
    fi
done
# Rustup cannot download targets on CI's machines: when the toolchain has
# no standard library for the guest, use Debian's rustc of the MSRV with
# libstd-rust-web-dev for that architecture (.ci/lib/debian-rust.sh), in
# the MSRV stages' target dir with their flags (ci_msrv_build_env): the arm
# stage has built the same crates for aarch64 with that compiler there, so
# only what differs is compiled again.
target_dir=${CARGO_TARGET_DIR:-$repo/target}
if [ ! -d "$(rustc --print target-libdir --target "$target" 2>/dev/null)" ]; then
    # shellcheck source=../../.ci/lib/common.sh
    . "$repo/.ci/lib/common.sh"
    ci_apt_sources >&2
    ci_debian_rust "$(ci_msrv)" "${arch/aarch64/arm64}" >&2
    ci_msrv_build_env
    target_dir=$CARGO_TARGET_DIR
    cd "$repo"
fi

# glibc with +crt-static rather than musl: the musl target would need a
# rustup download, and CI reaches only package registries.  The static link
# and the stripping are flags of the two binaries' own final link (`cargo
# rustc -- FLAGS`), not RUSTFLAGS: the crates they depend on are then the
# same as in an ordinary build for $target (shared with the arm stage for
# aarch64), and the standard library, prebuilt without crt-static, shows
# that such rlibs link statically.  The binaries are copied out at once: a
# later ordinary build relinks them in place, dynamically.
echo "== kernel tier ($cell): building the static guest binary and the spotlight tool for $target" >&2
t_build=$SECONDS
out="$target_dir/kernel-tier/$target"
mkdir -p "$out"
# Debug info stripped: it would triple the initramfs the guest unpacks.
# (Package and binary have the same name.)  Copied under a name of this
# process, then renamed: cells booting at once each see a whole binary.
for binary in async-with-kernel-tests spotlight; do
    (cd "$repo" && cargo rustc -q -p "$binary" --bin "$binary" --target "$target" -- \
        -C target-feature=+crt-static -C strip=debuginfo) ||
        fail "cargo build of $binary for $target failed"
    cp "$target_dir/$target/debug/$binary" "$out/$binary.$$" && mv "$out/$binary.$$" "$out/$binary"
    # The initramfs has no libc: a dynamic binary would only fail inside the VM.
    ! readelf -l "$out/$binary" | grep -q 'program interpreter' ||
        fail "$out/$binary is dynamically linked; it must be static (+crt-static)"
done
bin="$out/async-with-kernel-tests"
demo="$out/spotlight"
echo "== kernel tier ($cell): built in $((SECONDS - t_build)) s" >&2
[ "$mode" != build ] || exit 0

log=$(mktemp "${TMPDIR:-/tmp}/kernel-tier.XXXXXX")
trap 'rm -f "$log"' EXIT
echo "== kernel tier ($cell): booting the VM" >&2
set +e
"$here/run-kernel-gpio-test.sh" "${deps[@]}" --arch "$arch" --kernel "$kernel" \
    --mockup-ranges 512,570,570,578 \
    --led spot:white=255 --led spot:trigger=7 \
    --gpio-led ACT@554 \
    --sim-chip pinctrl-bcm2711=58 \
    --file "$demo:/test/spotlight" \
    ${runner_args[@]+"${runner_args[@]}"} -- "$bin" 2>&1 | tee "$log"
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
pc_pass=$(grep -ac '^\[vm\] per-chip: PASS' "$log" || true)
pc_fail=$(grep -ac '^\[vm\] per-chip: FAIL' "$log" || true)
if grep -aq '^\[vm\] per-chip sysfs: present' "$log"; then
    [ "$pc_fail" = 0 ] || fail "$pc_fail per-chip sysfs checks failed (see [vm] per-chip lines above)"
    [ "$pc_pass" = "$PERCHIP_CHECKS" ] || fail "ran $pc_pass per-chip sysfs checks, expected $PERCHIP_CHECKS"
elif [ "$(printf '%s\n' 6.17 "$kernel" | sort -V | head -n1)" = 6.17 ]; then
    fail "kernel $kernel should have the per-chip sysfs interface (/sys/class/gpio/chipN), the VM has none"
else
    pc_pass=0
fi
echo "kernel-tier $arch $kernel: $((passed + pc_pass)) passed, 0 failed ($passed by the guest binary, $pc_pass of the per-chip sysfs)"
