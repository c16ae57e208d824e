#!/usr/bin/env bash
# Issue 17's CI stage: the `core`-only build for microcontrollers, the
# seed's example as firmware under QEMU (LED observed from outside), and
# the Raspberry Pi Pico example.
#
#  1. installs Debian's rustc-web/cargo-web/rust-web-src (1.96, from
#     bookworm-security: rustup has no thumb targets here), lld (Debian's
#     rustc ships no rust-lld) and qemu-system-arm;
#  2. checks the facade with `default-features = false`, `defmt` and
#     `-Zbuild-std=core` (no `alloc`: a use of it fails the check) for
#     thumbv7em-none-eabihf; the two firmware builds below build it without
#     `defmt` the same way, for thumbv7em-none-eabihf (Cortex-M7) and
#     thumbv6m-none-eabi (Cortex-M0+, Raspberry Pi Pico);
#  3. builds examples/mps2-firmware, runs it on `qemu-system-arm -M
#     mps2-an500` with the mps2_fpgaio_write trace, and checks the trace with
#     examples/mps2-firmware/check-trace.py (light on only after the settle,
#     on for the body, off after it, off when a timer cancels the body or the
#     settle);
#  4. builds examples/embassy-pico for thumbv6m-none-eabi.
#
# The host side (Spotlight on Tokio, smol, futures and Embassy's executor)
# is tests/led/executors.rs, run by `cargo test --workspace`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$SECONDS
section() { printf '\n== embedded: %s\n' "$*"; }

section "toolchain (Debian rustc-web 1.96 with its library sources, lld, qemu-system-arm)"
want=(rustc-web cargo-web rust-web-src lld qemu-system-arm python3)
security_version() {
    apt-cache madison "$1" 2>/dev/null | awk -F'|' '$3 ~ /bookworm-security/ { gsub(/ /, "", $2); print $2; exit }'
}
if [ -z "$(security_version rustc-web)" ]; then
    apt-get update -q >/dev/null
fi
if [ -z "$(security_version rustc-web)" ]; then
    # Only these packages come from bookworm-security; the base system keeps
    # its own versions (priority 100 for everything else there).
    cat >/etc/apt/sources.list.d/async-with-embedded-security.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    cat >/etc/apt/preferences.d/async-with-embedded <<'PIN'
Package: *
Pin: release n=bookworm-security
Pin-Priority: 100

Package: rustc-web cargo-web rust-web-src libstd-rust-web-dev libstd-rust-web-1.96
Pin: release n=bookworm-security
Pin-Priority: 990
PIN
    apt-get update -q >/dev/null
fi
rust_version=$(security_version rustc-web)
[ -n "$rust_version" ] || { echo "rustc-web is not in bookworm-security: cannot cross-compile for thumb" >&2; exit 1; }
installed() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null; }
missing=()
for pkg in "${want[@]}"; do
    case $pkg in
        rustc-web | cargo-web | rust-web-src)
            [ "$(installed "$pkg")" = "install ok installed $rust_version" ] || missing+=("$pkg=$rust_version") ;;
        *)
            installed "$pkg" | grep -q '^install ok installed' || missing+=("$pkg") ;;
    esac
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's toolchain, not rustup's, for every thumb build below.
export PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=$root/target/thumb
# No debug info in CI's firmware builds (the examples' release profiles ask
# for it, for a debugger): nothing here reads it, and it only costs time.
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_TARGET_THUMBV6M_NONE_EABI_LINKER=ld.lld CARGO_TARGET_THUMBV7EM_NONE_EABIHF_LINKER=ld.lld
cargo=/usr/bin/cargo
$cargo --version
rustc --version
qemu-system-arm --version | head -n1

section "core only (default-features = false, -Zbuild-std=core: no alloc, no std)"
# The firmware builds below compile the facade that way for both targets
# (their async-with dependency has default-features = false, and the
# standard library is core alone, so a use of alloc or std fails them);
# here only the defmt feature, which neither enables, is checked.
echo "-- async-with with defmt for thumbv7em-none-eabihf (cargo check)"
$cargo check -q -p async-with --no-default-features --features defmt -Zbuild-std=core --target thumbv7em-none-eabihf

section "the seed as firmware on QEMU mps2-an500 (Cortex-M7), LED read from QEMU's trace"
(cd examples/mps2-firmware && $cargo build -q --release -Zbuild-std=core --target thumbv7em-none-eabihf)
firmware=$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/async-with-mps2-firmware
trace=$CARGO_TARGET_DIR/mps2-fpgaio.trace
rm -f "$trace"
status=0
timeout 60 qemu-system-arm -M mps2-an500 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native \
    -msg timestamp=on -d trace:mps2_fpgaio_write -D "$trace" \
    -kernel "$firmware" </dev/null || status=$?
echo "QEMU's trace of the FPGAIO writes (offset 0x0 = LED, 0x4c = the firmware's scenario/snapshot marks):"
sed 's/^[0-9]*@//' "$trace"
[ "$status" -eq 0 ] || { echo "the firmware exited with status $status (1 = a block did not end as expected or it panicked, 124 = hung)" >&2; exit 1; }
python3 examples/mps2-firmware/check-trace.py "$trace"

section "examples/embassy-pico for thumbv6m-none-eabi (Raspberry Pi Pico)"
(cd examples/embassy-pico && $cargo build -q --release -Zbuild-std=core --target thumbv6m-none-eabi)
ls -l "$CARGO_TARGET_DIR/thumbv6m-none-eabi/release/async-with-embassy-pico"

echo
echo "embedded: all checks passed in $((SECONDS - started)) s"
