#!/usr/bin/env bash
# run-kernel-gpio-test.sh - boot a real Debian kernel in QEMU with simulated
# GPIO chips and LED class devices, optionally run a static binary inside it.
#
# In async-with, tests/kernel/run.sh is the entry point: it builds the guest
# binary (tests/kernel/guest) and picks the options below.  This script is the
# generic runner underneath; use it directly to try other layouts.
#
# What you get inside the VM (Debian kernel, generic "amd64" or "arm64"
# flavour: bookworm 6.1, trixie 6.12, trixie-backports 7.3; see --kernel):
#   * gpio-mockup  : chip "gpio-mockup-A", fixed base (default 0, 32 lines), so
#                    /sys/class/gpio/export with Raspberry-Pi-like numbers works.
#                    Line values are read/"pulled" via
#                    /sys/kernel/debug/gpio-mockup/gpiochipN/<offset>.
#                    Kernels whose source lacks gpio-mockup get the same chips from
#                    gpio-sim (labels, line names, bases of the ranges); values
#                    are then in /sys/bus/gpio/devices/gpiochipN/sim_gpio<offset>/value
#                    and GPIO_MOCKUP_DEBUGFS is not set.
#   * gpio-sim     : one chip created through configfs (dynamic base), line
#                    values/pulls in /sys/devices/platform/gpio-sim.0/gpiochipN/sim_gpioX/{value,pull}.
#   * uleds        : userspace-backed LED class devices, e.g. /sys/class/leds/spot:white
#                    (any name, any max_brightness); brightness changes are logged to
#                    /run/leds/<name>.log inside the VM.
#   * leds-gpio    : optional LED class devices backed by a gpio-mockup line
#                    (like a gpio-leds device-tree overlay on a Raspberry Pi).
#   * /dev/gpiochipN character devices (libgpiod / gpio-cdev v1+v2 work too).
#
# The Debian kernels ship GPIO_SYSFS=y / GPIO_CDEV=y / LEDS_CLASS=y but not
# all of gpio-mockup, gpio-sim, uleds and irq_sim (6.1 and 6.12: none of them;
# 7.3: gpio-sim and irq_sim; gpio-mockup is compiled out, see --mockup-via-gpio-sim).  The missing ones are built out-of-tree from the
# matching linux-source-X.Y package against the matching headers (bookworm:
# the host's gcc-12; trixie: gcc-14 in a trixie chroot), plus a tiny helper
# module (gpio-led-sim) that instantiates leds-gpio from module parameters (no
# device tree needed).
#
# Usage:
#   run-kernel-gpio-test.sh [options] [--] [STATIC_BINARY [ARGS...]]
# Without a binary, a built-in self-test of sysfs GPIO + LED class is run.
#
# Options:
#   --install-deps        apt-get install missing host packages (needs root; runs
#                         "apt-get update" first when apt does not know a package)
#   --accel auto|kvm|tcg  accelerator (default auto: kvm if /dev/kvm is read/writable
#                         AND kvm_intel/kvm_amd is loaded, else tcg)
#   --timeout SEC         wall-clock limit for the whole VM run (default 300)
#   --mem MB              guest RAM (default 512)
#   --mockup-ranges R     gpio_mockup_ranges module param: pairs "BASE,END" with END
#                         EXCLUSIVE (not a count!), e.g. "0,32" (default) = GPIOs
#                         0..31, "512,566" = 512..565 (Raspberry Pi >= 6.6 style),
#                         "-1,8" = 8 lines at a dynamic base; one chip per pair
#                         (only the first gets GPIO_MOCKUP_* vars); "" = none
#   --sim-lines N         lines of the gpio-sim chip (default 8, 0 = no gpio-sim)
#   --mockup-via-gpio-sim make the --mockup-ranges chips with gpio-sim even where
#                         gpio-mockup could be built (as on a kernel without it)
#   --sim-chip LABEL=N    another gpio-sim chip labelled LABEL with N lines (dynamic
#                         base; repeatable), e.g. "pinctrl-bcm2711=58" for a chip a
#                         Raspberry Pi 4 lookup by label finds; the VM fails (93/94)
#                         when one is not created
#   --led NAME[=MAX]      create a uleds LED (repeatable; default "spot:white=255";
#                         "--led none" creates none)
#   --gpio-led NAME@GPIO[@1]  leds-gpio LED on global GPIO number GPIO (must belong
#                         to gpio-mockup; "@1" = active low); repeatable, max 8
#   --pre FILE            busybox-sh snippet sourced inside the VM before the binary
#   --post FILE           busybox-sh snippet sourced after the binary (checks);
#                         set POST_RC=<non-zero> in it to fail the run (never call
#                         "exit": the snippet runs inside PID 1)
#   --file SRC[:DST]      copy an extra file into the initramfs (DST default /test/<name>)
#   --self-test           also run the built-in self-test when a binary is given
#   --verbose             show all kernel messages (default: "quiet")
#   --prepare             only fetch and build what a run needs (the kernel, the
#                         modules, the trixie chroot, the guest's busybox) into
#                         the work dir, then exit 0: CI runs this in the
#                         background while it compiles (.ci/stages/kernel-prepare.sh)
#   --no-pvh              boot the compressed bzImage instead of the extracted
#                         vmlinux via PVH (PVH skips ~4 s of XZ decompression in TCG)
#   --arch ARCH           x86_64 (default; qemu-system-x86_64) or aarch64
#                         (qemu-system-aarch64 -M virt -cpu cortex-a72, Debian arm64)
#   --kernel SERIES       Debian kernel series: 6.1 (bookworm; x86_64 only), 6.12
#                         (trixie, what Raspberry Pi OS runs) or 7.3 (trixie-backports),
#                         the newest of the series apt knows.  Trixie kernels are
#                         built with trixie's gcc-14: their modules are built in a
#                         trixie chroot under the work dir (mmdebstrap, once).
#                         Default: 6.1 on x86_64, 6.12 on aarch64.
#   --kver VER            kernel ABI version, e.g. 6.1.0-56-amd64 (default: newest
#                         installed linux-headers-*-amd64, else what the apt
#                         package linux-image-amd64 currently depends on)
#   --kbuild DIR          kernel headers tree to build against
#                         (default: /lib/modules/<kver>/build from linux-headers-<kver>)
#   --work-dir DIR        cache/build directory, must be writable (default:
#                         $ASYNC_WITH_KERNEL_CACHE, else <repo>/target/kernel-vm);
#                         holds the unpacked kernel (~15 MB, + ~60 MB PVH vmlinux)
#                         and the built modules, keyed by kernel version
#
# Environment: KVER, WORK_DIR, KBUILD_DIR (same as the options), PKGVER (Debian
# package version of image/source, default: version of the installed headers),
# APT_OPTS (extra options for "apt-get download", e.g. a private sources.list),
# KEEP_RUN=1 (keep the per-run dir with initramfs + console.log).
#
# Inside the VM the binary sees these environment variables:
#   GPIO_MOCKUP_BASE GPIO_MOCKUP_NGPIO GPIO_MOCKUP_CHIP (e.g. gpiochip0)
#   GPIO_MOCKUP_DEBUGFS (/sys/kernel/debug/gpio-mockup/gpiochipN)
#   GPIO_SIM_BASE GPIO_SIM_NGPIO GPIO_SIM_CHIP GPIO_SIM_SYSFS (dir with sim_gpioX/)
#
# Exit status: the binary's exit status (or 1 if self-test/post failed),
# 124 on timeout, 2 on usage/host errors, 3 if the VM died without a result,
# 90-98 if a driver failed to load or a simulated device is missing in the VM
# (90/91 gpio-mockup, 92-94 gpio-sim, 95 a uleds LED, 96/98 leds-gpio LEDs,
# 97 another module); the binary is then not run.
#
# Host requirements (Debian): qemu-system-x86 busybox-static cpio binutils
# xz-utils make linux-headers-<kver> (pulls in the gcc the kernel was built with:
# gcc-12 on bookworm, gcc-14 on trixie); zstd (optional, for 6.12 PVH boot);
# plus "apt-get download" access for linux-image-<kver> and linux-source-<X.Y>.
# Root is only needed for --install-deps and for /dev/kvm (kvm group).

set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ----------------------------------------------------------------- defaults
ACCEL=auto
TIMEOUT=300
MEM=512
MOCKUP_RANGES="0,32"
SIM_LINES=8
SIM_CHIPS=()
MOCKUP_VIA_SIM=0
LEDS=()
GPIO_LEDS=()
PRE_FILE=""
POST_FILE=""
EXTRA_FILES=()
SELF_TEST=auto
VERBOSE=0
PVH=1
INSTALL_DEPS=0
PREPARE=0
ARCH=x86_64
KSERIES=""
KVER="${KVER:-}"
KBUILD_DIR="${KBUILD_DIR:-}"
PKGVER="${PKGVER:-}"
WORK_DIR="${WORK_DIR:-${ASYNC_WITH_KERNEL_CACHE:-$script_dir/../../target/kernel-vm}}"
BINARY=""
BIN_ARGS=()

die() { echo "run-kernel-gpio-test: error: $*" >&2; exit 2; }
log() { echo "[host $(date +%T)] $*" >&2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --accel|--timeout|--mem|--mockup-ranges|--sim-lines|--sim-chip|--led|--gpio-led|--pre|--post|--file|--kver|--arch|--kernel|--work-dir|--kbuild)
            [ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;
    esac
    case "$1" in
        --install-deps) INSTALL_DEPS=1 ;;
        --accel) ACCEL=$2; shift ;;
        --timeout) TIMEOUT=$2; shift ;;
        --mem) MEM=$2; shift ;;
        --mockup-ranges) MOCKUP_RANGES=$2; shift ;;
        --sim-lines) SIM_LINES=$2; shift ;;
        --sim-chip) SIM_CHIPS+=("$2"); shift ;;
        --mockup-via-gpio-sim) MOCKUP_VIA_SIM=1 ;;
        --led) LEDS+=("$2"); shift ;;
        --gpio-led) GPIO_LEDS+=("$2"); shift ;;
        --pre) PRE_FILE=$2; shift ;;
        --post) POST_FILE=$2; shift ;;
        --file) EXTRA_FILES+=("$2"); shift ;;
        --self-test) SELF_TEST=1 ;;
        --verbose) VERBOSE=1 ;;
        --no-pvh) PVH=0 ;;
        --prepare) PREPARE=1 ;;
        --kver) KVER=$2; shift ;;
        --arch) ARCH=$2; shift ;;
        --kernel) KSERIES=$2; shift ;;
        --work-dir) WORK_DIR=$2; shift ;;
        --kbuild) KBUILD_DIR=$2; shift ;;
        -h|--help) usage 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) break ;;
    esac
    shift
done
if [ $# -gt 0 ]; then
    BINARY=$1; shift
    BIN_ARGS=("$@")
    [ -f "$BINARY" ] || die "binary '$BINARY' not found"
    # The initramfs has no libc/ld.so: a dynamically linked ELF would fail with
    # a confusing "not found".  (Static-pie is fine; scripts for /bin/sh too.)
    if readelf -l "$BINARY" 2>/dev/null | grep -q 'Requesting program interpreter'; then
        die "'$BINARY' is dynamically linked; build it static (x86_64-unknown-linux-musl, or -C target-feature=+crt-static)"
    fi
fi
[ "$SELF_TEST" = auto ] && { [ -z "$BINARY" ] && SELF_TEST=1 || SELF_TEST=0; }
[ ${#LEDS[@]} -eq 0 ] && LEDS=("spot:white=255")
[ "${LEDS[*]}" = none ] && LEDS=()
[ ${#GPIO_LEDS[@]} -le 8 ] || die "at most 8 --gpio-led"
# Catch the classic gpio_mockup_ranges mistake ("512,54" = 65k lines).
if [ -n "$MOCKUP_RANGES" ]; then
    IFS=, read -r -a _r <<< "$MOCKUP_RANGES"
    [ $(( ${#_r[@]} % 2 )) -eq 0 ] || die "--mockup-ranges needs BASE,END pairs"
    for ((_i = 0; _i < ${#_r[@]}; _i += 2)); do
        _b=${_r[_i]} _e=${_r[_i+1]}
        [[ $_b =~ ^-?[0-9]+$ && $_e =~ ^[0-9]+$ ]] || die "bad --mockup-ranges '$MOCKUP_RANGES'"
        if [ "$_b" -ge 0 ] && { [ "$_e" -le "$_b" ] || [ $((_e - _b)) -gt 1024 ]; }; then
            die "--mockup-ranges $_b,$_e: END is exclusive, not a count (did you mean $_b,$((_b + _e))?)"
        fi
    done
fi

case $ARCH in
    x86_64) DARCH=amd64; QEMU=qemu-system-x86_64; QEMU_PKG=qemu-system-x86 ;;
    aarch64) DARCH=arm64; QEMU=qemu-system-aarch64; QEMU_PKG=qemu-system-arm ;;
    *) die "--arch must be x86_64 or aarch64, not '$ARCH'" ;;
esac
[ -n "$KSERIES" ] || { [ "$ARCH" = x86_64 ] && KSERIES=6.1 || KSERIES=6.12; }
[[ $KSERIES =~ ^[0-9]+\.[0-9]+$ ]] || die "--kernel takes a series such as 6.12, not '$KSERIES'"
# Kernels of bookworm (6.1) build their modules with the host's gcc-12;
# the others come from trixie(-backports) and need its gcc-14 (a chroot).
TRIXIE=0
[ "$KSERIES" = 6.1 ] && [ "$ARCH" = x86_64 ] || TRIXIE=1

# ----------------------------------------------------------- host packages
# Debian package names; binaries we look for.
need_pkgs=()
command -v "$QEMU" >/dev/null || need_pkgs+=("$QEMU_PKG")
[ "$TRIXIE" = 1 ] && ! command -v mmdebstrap >/dev/null && need_pkgs+=(mmdebstrap)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v make >/dev/null || need_pkgs+=(make)
command -v readelf >/dev/null || need_pkgs+=(binutils)
# The guest's /bin/busybox must be static.  Asked of the ELF header (a
# program interpreter or not), not of ldd: Debian's busybox-static is
# static-pie, for which ldd says "statically linked", not "not a dynamic
# executable", and taking that for missing cost an apt-get install a run.
if ! [ -x /bin/busybox ] ||
   { command -v readelf >/dev/null && readelf -l /bin/busybox 2>/dev/null | grep -q 'program interpreter'; }; then
    need_pkgs+=(busybox-static)
fi
command -v xz >/dev/null || need_pkgs+=(xz-utils)
# optional: only used to extract a PVH vmlinux from zstd-compressed (6.12) kernels
[ "$INSTALL_DEPS" = 1 ] && ! command -v zstd >/dev/null && need_pkgs+=(zstd)

if [ -z "$KVER" ]; then
    # Prefer an already installed linux-headers-*-amd64 (fast, and we need the
    # headers anyway); otherwise ask apt what linux-image-amd64 points to,
    # e.g. "linux-image-6.1.0-56-amd64" -> "6.1.0-56-amd64".
    # (not the -cloud-amd64 flavour: it is built without GPIOLIB; not -rt)
    [ "$TRIXIE" = 1 ] ||
    KVER=$(ls -d /lib/modules/*-amd64/build 2>/dev/null | sed 's|^/lib/modules/||; s|/build$||' |
           grep -vE -- '-(cloud|rt)-amd64$' | grep "^$KSERIES\." | sort -V | tail -n1 || true)
fi
mkdir -p "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd)
# Every apt call reads the package lists through one binary cache.
# Debian's container images switch apt's own off (Dir::Cache::pkgcache ""
# in /etc/apt/apt.conf.d/docker-clean), and then each apt-cache or apt-get
# parses all the lists again: ~5 s of CPU a call with trixie and three
# architectures added, 20-45 s a cell.  apt checks the cache against the
# lists itself and rebuilds it when they change.  In the temp dir, not the
# work dir: 120 MB that would be stale by the next apt-get update anyway.
# When apt already keeps one (CI's .ci/lib/apt.sh turns it back on for
# every stage), that one is used rather than a second copy.
APT_CACHE_OPTS=()
eval "$(apt-config shell APT_PKGCACHE Dir::Cache::pkgcache 2>/dev/null || true)"
if [ -z "${APT_PKGCACHE:-}" ]; then
    APT_CACHE_OPTS=(-o "Dir::Cache::pkgcache=${TMPDIR:-/tmp}/async-with-apt-pkgcache.$(id -u).bin")
fi
apt_cache() { apt-cache "${APT_CACHE_OPTS[@]}" "$@"; }
apt_get() { apt-get "${APT_CACHE_OPTS[@]}" "$@"; }
# A fresh machine may have empty apt lists: then apt-cache knows no kernel and
# apt-get install/download find nothing.  Update once, only when needed.
APT_UPDATED=0
apt_update_once() {
    [ "$APT_UPDATED" = 1 ] && return 0
    APT_UPDATED=1
    log "apt-get update"
    apt_get update -qq >&2 || die "apt-get update failed"
}
apt_knows() { apt_cache show "$1" >/dev/null 2>&1; }

if [ -z "$KVER" ] && [ "$INSTALL_DEPS" = 1 ] && ! apt_knows linux-image-amd64; then
    apt_update_once
fi
if [ -z "$KVER" ] && [ "$TRIXIE" = 1 ]; then
    # e.g. linux-image-6.12.117+deb13-arm64 -> 6.12.117+deb13-arm64 (not the
    # -cloud flavour: built without GPIOLIB; not -rt).
    KVER=$(apt_cache pkgnames "linux-image-$KSERIES." 2>/dev/null |
           grep -E "^linux-image-${KSERIES//./\\.}\.[0-9]+\+deb13-$DARCH\$" |
           sed 's/^linux-image-//' | sort -V | tail -n1 || true)
    if [ -z "$KVER" ]; then
        known=$(apt_cache pkgnames linux-image- 2>/dev/null |
                sed -n "s/^linux-image-\([0-9]*\.[0-9]*\)\.[0-9]*+deb13-$DARCH\$/\1/p" | sort -uV | tr '\n' ' ')
        [ -n "$known" ] ||
            die "apt knows no trixie kernel for $DARCH: add trixie and trixie-backports to apt's sources (.ci/lib/apt.sh does) and run apt-get update"
        die "apt knows no Debian $KSERIES kernel for $DARCH; the series it has: ${known% }$([ "$DARCH" = amd64 ] && echo " and bookworm's 6.1") (--kernel SERIES)"
    fi
fi
if [ -z "$KVER" ]; then
    KVER=$(apt_cache depends linux-image-amd64 2>/dev/null |
           sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n1 || true)
    [ -n "$KVER" ] || die "cannot determine kernel version (apt-get update? or pass --kver)"
fi
if [ "$TRIXIE" = 0 ]; then
    KBUILD_DIR=${KBUILD_DIR:-/lib/modules/$KVER/build}
    [ -e "$KBUILD_DIR/Makefile" ] || need_pkgs+=("linux-headers-$KVER")
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
    if [ "$INSTALL_DEPS" = 1 ]; then
        for p in "${need_pkgs[@]}"; do apt_knows "$p" || apt_update_once; done
        log "installing: ${need_pkgs[*]}"
        # Stale lists name versions the mirror no longer has: update, retry.
        # (CI prepares in the background, beside stages that install too:
        # wait for dpkg's lock rather than fail on it.)
        apt_install() { DEBIAN_FRONTEND=noninteractive apt_get install -y -q --no-install-recommends \
                            -o DPkg::Lock::Timeout=600 "$@" >&2; }
        apt_install "${need_pkgs[@]}" || { apt_update_once && apt_install "${need_pkgs[@]}"; } ||
            die "apt-get install ${need_pkgs[*]} failed"
    else
        die "missing host packages: ${need_pkgs[*]} (re-run with --install-deps as root)"
    fi
fi

KMAJ=$(echo "$KVER" | cut -d. -f1-2)        # 6.1
# Package version of the installed headers (e.g. 6.1.192-2); the image and the
# source must be the same version so the ABI / struct layouts match.
[ -n "$PKGVER" ] || PKGVER=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null || true)
[ -n "$PKGVER" ] || PKGVER=$(apt_cache policy "linux-headers-$KVER:$DARCH" 2>/dev/null | sed -n 's/^  Candidate: //p')
[ "$PKGVER" != "(none)" ] || PKGVER=""
# The cache is keyed by package version too: a Debian point release can keep
# the ABI name (6.1.0-56) while the headers move on.
CACHE_KEY="$KVER${PKGVER:+_${PKGVER//[:\/]/_}}"
KDIR="$WORK_DIR/kernel-$CACHE_KEY"          # extracted linux-image deb
MODDIR="$WORK_DIR/modules-$CACHE_KEY"       # out-of-tree build dir

# apt-get download wants to drop privileges to _apt; run it in a dir _apt can write.
apt_download() { # $1=package[=version] $2=destdir
    local tmp; tmp=$(mktemp -d); chmod 777 "$tmp"
    # shellcheck disable=SC2086
    (cd "$tmp" && { apt_get ${APT_OPTS:-} download "$1" >&2 ||
        # stale lists (404) or none at all: update once and retry
        { [ "$(id -u)" = 0 ] && apt_update_once && apt_get ${APT_OPTS:-} download "$1" >&2; }; }) ||
        { rm -rf "$tmp"; return 1; }
    mv "$tmp"/*.deb "$2"/; rm -rf "$tmp"
}

# -------------------------------------------------- 1. kernel image + modules
# We do NOT install linux-image-* (that would run initramfs-tools, bootloader
# hooks...). We just unpack the .deb: vmlinuz + /lib/modules/$KVER/kernel/...
if [ ! -f "$KDIR/.done" ]; then
    log "downloading linux-image-$KVER ${PKGVER:+($PKGVER)}"
    rm -rf "$KDIR"; mkdir -p "$KDIR/deb"
    # 7.x splits the image into -binary (vmlinuz), -modules and -base (config).
    for p in linux-image linux-binary linux-modules linux-base; do
        apt_knows "$p-$KVER:$DARCH" || continue
        apt_download "$p-$KVER:$DARCH${PKGVER:+=$PKGVER}" "$KDIR/deb" ||
            apt_download "$p-$KVER:$DARCH" "$KDIR/deb" || die "cannot download $p-$KVER"
    done
    # Only /boot and the few module dirs we use (~15 MB instead of ~400 MB).
    # bookworm ships /lib/modules/..., trixie (merged /usr) /usr/lib/modules/...
    mkdir -p "$KDIR/root"
    for deb in "$KDIR"/deb/*.deb; do
        dpkg-deb --fsys-tarfile "$deb" |
            tar -x -C "$KDIR/root" --wildcards './boot/*' "*/modules/$KVER/config" "*/modules/$KVER/vmlinuz" \
                "*/modules/$KVER/kernel/fs/configfs/*" "*/modules/$KVER/kernel/drivers/leds/*" \
                "*/modules/$KVER/kernel/drivers/gpio/*" 2>/dev/null || true   # (not all debs have all)
    done
    rm -rf "$KDIR/deb"
    touch "$KDIR/.done"
fi
# bookworm and trixie: /boot/{vmlinuz,config}-KVER; 7.x: /usr/lib/modules/KVER/{vmlinuz,config}
KMODS="$KDIR/root/lib/modules/$KVER/kernel"
[ -d "$KMODS" ] || KMODS="$KDIR/root/usr/lib/modules/$KVER/kernel"
VMLINUZ="$KDIR/root/boot/vmlinuz-$KVER"
[ -f "$VMLINUZ" ] || VMLINUZ="${KMODS%/kernel}/vmlinuz"
KCONFIG="$KDIR/root/boot/config-$KVER"
[ -f "$KCONFIG" ] || KCONFIG="${KMODS%/kernel}/config"
[ -f "$VMLINUZ" ] || die "no $VMLINUZ"
[ -f "$KCONFIG" ] || die "no kernel config for $KVER"
grep -q '^CONFIG_GPIO_SYSFS=y' "$KCONFIG" || die "$KVER has no CONFIG_GPIO_SYSFS (cloud flavour?)"
# PVH boot: QEMU can start an *uncompressed* ELF vmlinux that carries a PVH note
# (CONFIG_PVH=y in Debian) directly in 64-bit mode: no SeaBIOS real-mode setup,
# no in-guest XZ decompression (which costs ~4 s under TCG).  Extract it once.
VMLINUX="$KDIR/vmlinux"
[ "$ARCH" = x86_64 ] || PVH=0   # arm64: QEMU boots the (gzip) Image itself
if [ "$PVH" = 1 ] && [ ! -s "$VMLINUX" ]; then
    # bookworm 6.1: CONFIG_KERNEL_XZ; trixie/backports 6.12: CONFIG_KERNEL_ZSTD
    for fmt in xz zstd; do
        case $fmt in
            xz)   magic=$'\xfd7zXZ';        dec="xz -dc --single-stream" ;;
            zstd) magic=$'\x28\xb5\x2f\xfd'; dec="zstd -qdc" ;;
        esac
        command -v "$fmt" >/dev/null || continue
        off=$(LC_ALL=C grep -abo "$magic" "$VMLINUZ" | head -n1 | cut -d: -f1 || true)
        [ -n "$off" ] || continue
        { tail -c +$((off + 1)) "$VMLINUZ" | $dec > "$VMLINUX.tmp"; } 2>/dev/null || true
        # XEN_ELFNOTE_PHYS32_ENTRY (0x12) = the PVH entry point
        if readelf -n "$VMLINUX.tmp" 2>/dev/null | grep -q '(0x00000012)\|PHYS32_ENTRY'; then
            mv "$VMLINUX.tmp" "$VMLINUX"; break
        fi
        rm -f "$VMLINUX.tmp"
    done
    [ -s "$VMLINUX" ] || log "no PVH-capable vmlinux could be extracted; using bzImage"
fi
BOOT_KERNEL="$VMLINUZ"
[ "$PVH" = 1 ] && [ -s "$VMLINUX" ] && BOOT_KERNEL="$VMLINUX"

# ------------------------------------------- 2. out-of-tree simulator modules
# Sources come from the linux-source-$KMAJ package (a 140 MB tarball); only 5
# files are extracted.  irq_sim.c needs two tweaks to build as a module:
#   - irq_to_desc() is not exported -> use generic_handle_irq() (same effect)
#   - add MODULE_LICENSE
# kconf NAME: y, m or nothing, from the kernel's own config.
kconf() { sed -n "s/^CONFIG_$1=//p" "$KCONFIG"; }
# Which simulator drivers this kernel lacks (built out-of-tree from the
# matching linux-source) and which it ships as modules (copied from it).
BUILD_MODS=(gpio-led-sim) SHIPPED_MODS=()
for m in IRQ_SIM:irq_sim:kernel/irq GPIO_MOCKUP:gpio-mockup:drivers/gpio \
         GPIO_SIM:gpio-sim:drivers/gpio LEDS_USER:uleds:drivers/leds; do
    IFS=: read -r opt mod dir <<< "$m"
    case $(kconf "$opt") in
        y) ;;
        m) SHIPPED_MODS+=("$dir/$mod") ;;
        *) BUILD_MODS+=("$mod") ;;
    esac
done

# A trixie chroot with gcc-14 (+ the aarch64 cross compiler): trixie's
# kernels are built with it, and kbuild's host tools in their headers need
# trixie's glibc.  Made once in the work dir (~250 MB).
TRIXIE_ROOT="$WORK_DIR/trixie-build"
trixie_root() {
    [ -x "$TRIXIE_ROOT/usr/bin/gcc-14" ] && [ -x "$TRIXIE_ROOT/usr/bin/aarch64-linux-gnu-gcc-14" ] &&
        [ -e "$TRIXIE_ROOT/usr/lib/x86_64-linux-gnu/libelf.so.1" ] && return 0
    [ "$(id -u)" = 0 ] || die "building modules for $KVER needs a trixie chroot: run as root"
    log "mmdebstrap trixie (gcc-14, make) into $TRIXIE_ROOT"
    rm -rf "$TRIXIE_ROOT"
    # mmdebstrap rather than debootstrap: apt fetches the packages in
    # parallel and dpkg installs them in a few runs (measured: 89 s and 25 s
    # of CPU instead of 129 s and 43 s).  The essential set plus what kbuild
    # needs.
    mmdebstrap --quiet --mode=root --variant=essential \
        --include=gcc-14,make,libc6-dev,gcc-14-aarch64-linux-gnu,libc6-dev-arm64-cross,xz-utils,zstd,libelf1t64 \
        trixie "$TRIXIE_ROOT" http://deb.debian.org/debian >&2 || die "mmdebstrap trixie failed"
}

# The simulator drivers' sources of linux-source-$KMAJ ($PKGVER), unpacked
# once into the work dir and shared by the cells of that version (x86_64 and
# arm64 6.12 build from the same source): the 140-170 MB tarball inside the
# .deb is xz, ~10 s of CPU to stream through.  Each file the source has is
# kept; which of them a kernel needs, and which it must have, is decided by
# build_modules.
SRCDIR="$WORK_DIR/source-$KMAJ${PKGVER:+_${PKGVER//[:\/]/_}}"
SOURCE_FILES=(kernel/irq/irq_sim.c drivers/gpio/gpio-mockup.c drivers/gpio/gpio-sim.c
              drivers/gpio/gpiolib.h drivers/leds/uleds.c)
driver_sources() {
    [ -f "$SRCDIR/.done" ] && return 0
    local tmp="$SRCDIR.tmp.$$" f members=()
    rm -rf "$tmp"; mkdir -p "$tmp/deb"
    log "downloading linux-source-$KMAJ ${PKGVER:+($PKGVER)}"
    apt_download "linux-source-$KMAJ${PKGVER:+=$PKGVER}" "$tmp/deb" ||
        apt_download "linux-source-$KMAJ" "$tmp/deb" || die "cannot download linux-source-$KMAJ"
    log "extracting the simulator drivers' sources from linux-source-$KMAJ"
    for f in "${SOURCE_FILES[@]}"; do members+=("linux-source-$KMAJ/$f"); done
    # deb -> data tar -> linux-source-X.Y.tar.xz (streamed) -> a few files.
    # --occurrence: tar stops reading once it has found every member (the
    # tarball is sorted, kernel/irq comes at ~80%).  tar fails on a member
    # it cannot find (a source without gpio-mockup.c) but extracts the
    # others: they are checked below, and build_modules checks what it needs.
    dpkg-deb --fsys-tarfile "$tmp"/deb/*.deb 2>/dev/null |
        tar -xO "./usr/src/linux-source-$KMAJ.tar.xz" | xz -dc 2>/dev/null |
        tar -x --occurrence -C "$tmp" --strip-components=3 "${members[@]}" 2>/dev/null || true
    rm -rf "$tmp/deb"
    # Every kernel source since gpio-sim (5.17) has these; gpio-mockup.c only
    # up to 6.x.  A file missing here is a broken download or tarball, not a
    # kernel without the driver: nothing is cached then.
    for f in "${SOURCE_FILES[@]}"; do
        [ -f "$tmp/${f##*/}" ] || [ "$f" = drivers/gpio/gpio-mockup.c ] ||
            { rm -rf "$tmp"; die "linux-source-$KMAJ${PKGVER:+ ($PKGVER)} has no $f (broken download? the package is re-fetched on the next run)"; }
    done
    touch "$tmp/.done"
    rm -rf "$SRCDIR"; mv "$tmp" "$SRCDIR"
}

build_modules() {
    local src="$MODDIR/src"
    rm -rf "$MODDIR"; mkdir -p "$src"
    local files=() m
    for m in "${BUILD_MODS[@]}"; do
        case $m in
            irq_sim) files+=(kernel/irq/irq_sim.c) ;;
            gpio-mockup) files+=(drivers/gpio/gpio-mockup.c) ;;
            gpio-sim) files+=(drivers/gpio/gpio-sim.c) ;;
            uleds) files+=(drivers/leds/uleds.c) ;;
        esac
    done
    # Both gpio drivers include the private gpiolib.h.
    case " ${BUILD_MODS[*]} " in *" gpio-mockup "*|*" gpio-sim "*) files+=(drivers/gpio/gpiolib.h) ;; esac
    if [ ${#files[@]} -gt 0 ]; then
        driver_sources
        log "driver sources for: ${BUILD_MODS[*]}"
        for m in "${files[@]}"; do
            if [ -f "$SRCDIR/${m##*/}" ]; then cp "$SRCDIR/${m##*/}" "$src/"; fi
        done
    fi
    local f keep=()
    for f in "${files[@]}"; do
        [ -f "$src/${f##*/}" ] && continue
        # A source without gpio-mockup: its chips are made with gpio-sim.
        [ "${f##*/}" = gpio-mockup.c ] && { log "linux-source-$KMAJ has no gpio-mockup: its chips will be gpio-sim ones"; continue; }
        die "linux-source-$KMAJ lacks $f"
    done
    for m in "${BUILD_MODS[@]}"; do
        [ "$m" = gpio-mockup ] && [ ! -f "$src/gpio-mockup.c" ] && continue
        keep+=("$m")
    done
    BUILD_MODS=("${keep[@]}")
    printf '%s\n' "${BUILD_MODS[@]}" > "$MODDIR/built"
    if [ -f "$src/irq_sim.c" ]; then
        # (6.1 only: later versions no longer call irq_to_desc.)
        if grep -q 'irq_to_desc' "$src/irq_sim.c"; then
            sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$src/irq_sim.c"
            grep -q 'generic_handle_irq(irqnum)' "$src/irq_sim.c" || die "irq_sim.c patch failed"
        fi
        printf '\n#include <linux/module.h>\nMODULE_LICENSE("GPL");\nMODULE_DESCRIPTION("kernel/irq/irq_sim.c built out-of-tree");\n' >> "$src/irq_sim.c"
    fi

    # Helper: register a "leds-gpio" platform device from module parameters, so
    # LED class devices can be backed by (simulated) GPIO lines without DT/ACPI.
    cat > "$src/gpio-led-sim.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
/* gpio-led-sim: leds=NAME@GPIO[@ACTIVE_LOW],... -> leds-gpio platform device */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/leds.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/err.h>

#define MAX_LEDS 8
static char *leds[MAX_LEDS];
static int nleds;
module_param_array(leds, charp, &nleds, 0444);
MODULE_PARM_DESC(leds, "NAME@GPIO[@1],... e.g. status:green@26 (1 = active low)");

static struct gpio_led gl[MAX_LEDS];
static char *strs[MAX_LEDS];
static struct gpio_led_platform_data pdata;
static struct platform_device *pdev;

static void free_strs(void)
{
	int i;

	for (i = 0; i < MAX_LEDS; i++)
		kfree(strs[i]);
}

static int __init gpio_led_sim_init(void)
{
	int i;

	for (i = 0; i < nleds; i++) {
		char *s, *name, *num;
		unsigned int gpio;

		s = strs[i] = kstrdup(leds[i], GFP_KERNEL);
		if (!s)
			goto err;
		name = strsep(&s, "@");
		num = strsep(&s, "@");
		if (!num || kstrtouint(num, 0, &gpio))
			goto err;
		gl[i].name = name;
		gl[i].gpio = gpio;
		gl[i].active_low = s && *s == '1';
		gl[i].default_state = LEDS_GPIO_DEFSTATE_OFF;
	}
	pdata.num_leds = nleds;
	pdata.leds = gl;
	pdev = platform_device_register_data(NULL, "leds-gpio", PLATFORM_DEVID_AUTO,
					     &pdata, sizeof(pdata));
	if (IS_ERR(pdev)) {
		free_strs();
		return PTR_ERR(pdev);
	}
	return 0;
err:
	free_strs();
	return -EINVAL;
}

static void __exit gpio_led_sim_exit(void)
{
	platform_device_unregister(pdev);
	free_strs();
}

module_init(gpio_led_sim_init);
module_exit(gpio_led_sim_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Instantiate leds-gpio from module parameters (test helper)");
EOF
    echo "obj-m += $(printf '%s.o ' "${BUILD_MODS[@]}")" > "$src/Kbuild"
    log "building out-of-tree modules against $KBUILD_DIR"
    # CONFIG_DEBUG_INFO_BTF_MODULES= : skip BTF generation (needs pahole; the
    # 6.12 headers ship a vmlinux and would otherwise try it).
    if [ "$TRIXIE" = 0 ]; then
        make -s -C "$KBUILD_DIR" M="$src" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2
    else
        # In the trixie chroot, against the headers of this exact kernel
        # (arch headers + common headers + the amd64 kbuild tools).
        trixie_root
        # The common headers and kbuild of a version serve both arches
        # (x86_64 and arm64 6.12): each package is unpacked once, which the
        # stamp under unpacked/ records (~80 MB of small files, 10-30 s).
        local kv=${KVER%-"$DARCH"} hdeb="$MODDIR/hdeb" stamp
        mkdir -p "$hdeb" "$TRIXIE_ROOT/build/unpacked"
        for p in "linux-headers-$KVER:$DARCH" "linux-headers-$kv-common" "linux-kbuild-$kv:amd64"; do
            stamp="$TRIXIE_ROOT/build/unpacked/${p//:/_}${PKGVER:+_${PKGVER//[:\/]/_}}"
            [ -f "$stamp" ] && continue
            apt_download "$p${PKGVER:+=$PKGVER}" "$hdeb" || die "cannot download $p"
            dpkg-deb -x "$hdeb"/*.deb "$TRIXIE_ROOT" || die "cannot unpack $p into $TRIXIE_ROOT"
            rm -f "$hdeb"/*.deb
            touch "$stamp"
        done
        rm -rf "$hdeb" "$TRIXIE_ROOT/build/$CACHE_KEY"
        mkdir -p "$TRIXIE_ROOT/build"; cp -r "$src" "$TRIXIE_ROOT/build/$CACHE_KEY"
        local cross=()
        [ "$ARCH" = aarch64 ] && cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
        # objtool (7.x) reads /proc/self: the chroot needs a /proc.
        local proc_mounted=0
        if ! mountpoint -q "$TRIXIE_ROOT/proc"; then
            mount -t proc proc "$TRIXIE_ROOT/proc" || die "cannot mount /proc in $TRIXIE_ROOT"
            proc_mounted=1
        fi
        local built=0
        chroot "$TRIXIE_ROOT" make -s -C "/usr/src/linux-headers-$KVER" M="/build/$CACHE_KEY" \
            "${cross[@]}" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2 && built=1
        [ "$proc_mounted" = 0 ] || umount "$TRIXIE_ROOT/proc"
        [ "$built" = 1 ] || die "module build for $KVER failed"
        cp "$TRIXIE_ROOT/build/$CACHE_KEY"/*.ko "$src/"
    fi
    touch "$MODDIR/.done"
}
[ -f "$MODDIR/.done" ] || build_modules
[ -f "$MODDIR/built" ] && mapfile -t BUILD_MODS < "$MODDIR/built"   # (older caches: all were built)

# The guest's busybox (arm64: Debian's busybox-static for arm64, unpacked).
if [ "$ARCH" != x86_64 ] && [ ! -x "$WORK_DIR/busybox-$DARCH/bin/busybox" ]; then
    mkdir -p "$WORK_DIR/busybox-$DARCH/deb"
    apt_download "busybox-static:$DARCH" "$WORK_DIR/busybox-$DARCH/deb" || die "cannot download busybox-static:$DARCH"
    dpkg-deb -x "$WORK_DIR/busybox-$DARCH"/deb/*.deb "$WORK_DIR/busybox-$DARCH"
    rm -rf "$WORK_DIR/busybox-$DARCH/deb"
fi
if [ "$PREPARE" = 1 ]; then
    log "prepared $ARCH $KVER in $WORK_DIR (kernel, modules: ${BUILD_MODS[*]})"
    exit 0
fi

# --------------------------------------------------------- 3. the initramfs
RUN_DIR=$(mktemp -d "$WORK_DIR/run.XXXXXX")
[ -n "${KEEP_RUN:-}" ] || trap 'rm -rf "$RUN_DIR"' EXIT
IRD="$RUN_DIR/root"
mkdir -p "$IRD"/{bin,dev,proc,sys,run,tmp,etc/uleds,lib/modules,test}
if [ "$ARCH" = x86_64 ]; then
    cp /bin/busybox "$IRD/bin/busybox"
else
    cp "$WORK_DIR/busybox-$DARCH/bin/busybox" "$IRD/bin/busybox"
fi
# Only the kernel modules we need (their deps were checked with modinfo: the
# Debian ones have none; gpio-sim -> configfs,irq_sim; gpio-mockup -> irq_sim).
# Debian 6.1 modules are plain .ko; 6.12 ones are .ko.xz -> store decompressed
# (busybox insmod then needs no decompression support).
copy_kmod() { # path-without-.ko
    if [ -f "$KMODS/$1.ko" ]; then cp "$KMODS/$1.ko" "$IRD/lib/modules/"
    elif [ -f "$KMODS/$1.ko.xz" ]; then xz -dc "$KMODS/$1.ko.xz" > "$IRD/lib/modules/${1##*/}.ko"
    elif [ -f "$KMODS/$1.ko.zst" ]; then zstd -qdc "$KMODS/$1.ko.zst" > "$IRD/lib/modules/${1##*/}.ko"
    else die "kernel module $1 not found in $KMODS"; fi
}
# Each driver as a module when the kernel builds it as one; built in (=y)
# needs nothing; not built at all fails the run here.
need_kmod() { # CONFIG_NAME path-without-.ko
    case $(kconf "$1") in
        y) ;;
        m) copy_kmod "$2" ;;
        *) die "$KVER is built without CONFIG_$1 (${2##*/})" ;;
    esac
}
need_kmod CONFIGFS_FS fs/configfs/configfs
need_kmod LEDS_GPIO drivers/leds/leds-gpio
for t in timer oneshot heartbeat default-on transient pattern gpio; do
    opt=$(echo "$t" | tr 'a-z-' 'A-Z_')
    need_kmod "LEDS_TRIGGER_$opt" "drivers/leds/trigger/ledtrig-$t"
done
for m in "${BUILD_MODS[@]}"; do
    [ "$m" = gpio-mockup ] && [ "$MOCKUP_VIA_SIM" = 1 ] && continue
    cp "$MODDIR/src/$m.ko" "$IRD/lib/modules/"
done
for m in ${SHIPPED_MODS[@]+"${SHIPPED_MODS[@]}"}; do copy_kmod "$m"; done

# uleds: the LED is created by writing a struct uleds_user_dev
# { char name[64]; int max_brightness; } (68 bytes, one write()) to /dev/uleds
# and exists as long as that fd stays open.  Pre-build those records here.
i=0
for spec in "${LEDS[@]}"; do
    name=${spec%%=*}; max=255
    [ "$name" != "$spec" ] && max=${spec#*=}
    [ ${#name} -lt 64 ] || die "LED name too long: $name"
    {
        printf '%s' "$name"; head -c $((64 - ${#name})) /dev/zero
        printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((max & 255)) $((max >> 8 & 255)) $((max >> 16 & 255)) $((max >> 24 & 255)))"
    } > "$IRD/etc/uleds/$i.bin"
    printf '%s\n' "$name" > "$IRD/etc/uleds/$i.name"
    i=$((i + 1))
done

# Quote for busybox sh: 'abc' with ' -> '\''
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

RESULT_TAG="@@QEMU-GPIO-RESULT-$$-$RANDOM@@"
{
    echo "RESULT_TAG=$(shq "$RESULT_TAG")"
    echo "MOCKUP_RANGES=$(shq "$MOCKUP_RANGES")"
    echo "SIM_LINES=$(shq "$SIM_LINES")"
    echo "SIM_CHIPS=$(shq "${SIM_CHIPS[*]:-}")"
    echo "GPIO_LEDS=$(shq "$(IFS=,; echo "${GPIO_LEDS[*]}")")"
    echo "SELF_TEST=$SELF_TEST"
    printf 'set --'; [ ${#BIN_ARGS[@]} -gt 0 ] && for a in "${BIN_ARGS[@]}"; do printf ' %s' "$(shq "$a")"; done; echo
} > "$IRD/etc/test.conf"
[ -n "$BINARY" ] && { cp "$BINARY" "$IRD/test/prog"; chmod 755 "$IRD/test/prog"; }
[ -n "$PRE_FILE" ] && cp "$PRE_FILE" "$IRD/test/pre.sh"
[ -n "$POST_FILE" ] && cp "$POST_FILE" "$IRD/test/post.sh"
for f in ${EXTRA_FILES[@]+"${EXTRA_FILES[@]}"}; do
    src=${f%%:*}; dst=/test/$(basename "$src"); [ "$src" != "$f" ] && dst=${f#*:}
    mkdir -p "$IRD$(dirname "$dst")"; cp "$src" "$IRD$dst"
done

# /init runs as PID 1 under busybox sh.
cat > "$IRD/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin HOME=/ TERM=dumb
# No /dev/console node in the cpio (creating one needs root) -> mount devtmpfs
# first, then re-attach stdio to the console.
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /run
. /etc/test.conf

say() { echo "[vm] $*"; }
finish() {
    echo "$RESULT_TAG rc=$1"
    sync; poweroff -f; sleep 5   # ACPI power-off -> qemu exits
}
M=/lib/modules
# A driver that does not load ends the run with a 9x code: a test binary
# must never run (and pass) against a VM that lacks what it tests.
need_mod() { # MODULE [PARAMS...]
    m=$1; shift
    insmod "$M/$m.ko" "$@" || { say "insmod $m failed"; finish 97; }
}
[ -f $M/configfs.ko ] && need_mod configfs   # the rest: built in (checked on the host)
mount -t configfs configfs /sys/kernel/config || finish 97
[ -f $M/irq_sim.ko ] && need_mod irq_sim   # built in (=y) on newer kernels
for t in timer oneshot heartbeat default-on transient pattern gpio; do
    [ -f $M/ledtrig-$t.ko ] && need_mod ledtrig-$t
done

# chip_info PLATFORM_DEV_DIR -> sets CHIP (gpiochipN, also /dev name), BASE, NGPIO
chip_info() {
    CHIP=; BASE=; NGPIO=
    for g in "$1"/gpiochip*; do CHIP=${g##*/}; done
    for c in "$1"/gpio/gpiochip*; do BASE=$(cat "$c/base"); NGPIO=$(cat "$c/ngpio"); done
    [ -n "$CHIP" ] && [ -n "$BASE" ]
}

# ---- gpio-mockup: chips gpio-mockup-A, -B, ... one platform device per range.
# With --mockup-via-gpio-sim (run.sh passes it for 7.x, whose Debian build
# compiles gpio-mockup out), or a kernel source without gpio-mockup, the
# same chips come from gpio-sim: labels gpio-mockup-A, -B, ..., lines named
# gpio-mockup-A-0 ..., the bases of the ranges (gpio-sim's dynamic bases
# start at 512 on 6.6+; a chip on another base fails the run), and values
# in /sys/bus/gpio/devices/gpiochipN/sim_gpioOFFSET/value.
if [ -n "$MOCKUP_RANGES" ] && [ -f $M/gpio-mockup.ko ]; then
    insmod $M/gpio-mockup.ko gpio_mockup_ranges="$MOCKUP_RANGES" gpio_mockup_named_lines=1 ||
        finish 90
    chip_info /sys/devices/platform/gpio-mockup.0 || finish 91
    export GPIO_MOCKUP_CHIP=$CHIP GPIO_MOCKUP_BASE=$BASE GPIO_MOCKUP_NGPIO=$NGPIO
    export GPIO_MOCKUP_DEBUGFS=/sys/kernel/debug/gpio-mockup/$CHIP
elif [ -n "$MOCKUP_RANGES" ]; then
    say "no gpio-mockup in this kernel: its chips are made with gpio-sim"
    insmod $M/gpio-sim.ko || finish 90
    rest=$MOCKUP_RANGES; i=0
    while [ -n "$rest" ]; do
        b=${rest%%,*}; rest=${rest#*,}; e=${rest%%,*}
        case $rest in *,*) rest=${rest#*,} ;; *) rest= ;; esac
        letter=$(echo A B C D E F G H | cut -d' ' -f$((i + 1)))
        S=/sys/kernel/config/gpio-sim/mockup$i
        mkdir $S $S/bank0 || finish 90
        echo $((e - b)) > $S/bank0/num_lines
        echo gpio-mockup-$letter > $S/bank0/label
        n=0
        while [ $n -lt $((e - b)) ]; do
            mkdir $S/bank0/line$n && echo gpio-mockup-$letter-$n > $S/bank0/line$n/name
            n=$((n + 1))
        done
        echo 1 > $S/live || finish 90
        chip_info "/sys/devices/platform/$(cat $S/dev_name)" || finish 91
        [ "$b" -lt 0 ] || [ "$BASE" = "$b" ] ||
            { say "gpio-sim chip gpio-mockup-$letter got base $BASE, not $b"; finish 91; }
        [ $i = 0 ] && export GPIO_MOCKUP_CHIP=$CHIP GPIO_MOCKUP_BASE=$BASE GPIO_MOCKUP_NGPIO=$NGPIO
        i=$((i + 1))
    done
fi

# ---- gpio-sim: configure one chip with one bank through configfs
if [ "$SIM_LINES" -gt 0 ] 2>/dev/null; then
    [ -d /sys/kernel/config/gpio-sim ] || insmod $M/gpio-sim.ko || finish 92
    S=/sys/kernel/config/gpio-sim/sim0
    mkdir $S $S/bank0
    echo "$SIM_LINES" > $S/bank0/num_lines
    echo gpio-sim-test > $S/bank0/label
    echo 1 > $S/live || finish 93
    dev=/sys/devices/platform/$(cat $S/dev_name)
    chip_info "$dev" || finish 94
    export GPIO_SIM_CHIP=$CHIP GPIO_SIM_BASE=$BASE GPIO_SIM_NGPIO=$NGPIO
    export GPIO_SIM_SYSFS=$dev/$CHIP
fi

# ---- more gpio-sim chips (--sim-chip LABEL=N): found by label, dynamic base
n=0
for spec in $SIM_CHIPS; do
    [ -d /sys/kernel/config/gpio-sim ] || { insmod $M/gpio-sim.ko || finish 92; }
    n=$((n + 1)); S=/sys/kernel/config/gpio-sim/chip$n
    mkdir $S $S/bank0
    echo "${spec#*=}" > $S/bank0/num_lines
    echo "${spec%=*}" > $S/bank0/label
    echo 1 > $S/live || finish 93
    chip_info "/sys/devices/platform/$(cat $S/dev_name)" || finish 94
    [ "$NGPIO" = "${spec#*=}" ] || { say "gpio-sim chip ${spec%=*} has $NGPIO lines, not ${spec#*=}"; finish 94; }
    say "gpio-sim chip ${spec%=*}: /dev/$CHIP, base $BASE, $NGPIO lines"
    [ $n = 1 ] && PERCHIP_LABEL=${spec%=*} PERCHIP_NGPIO=$NGPIO PERCHIP_SIM=/sys/devices/platform/$(cat $S/dev_name)/$CHIP
done

# ---- the per-chip sysfs interface (kernel 6.17+: /sys/class/gpio/chipN with
# label, ngpio, export; lines as chipN/gpioOFFSET), where the kernel has it:
# one line of the first --sim-chip chip exported, driven and unexported,
# each step read back from gpio-sim.  Lines "[vm] per-chip: PASS|FAIL ...".
perchip() { # DESC EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then say "per-chip: PASS $1"; else say "per-chip: FAIL $1: expected '$2' got '$3'"; fi
}
if ls -d /sys/class/gpio/chip[0-9]* >/dev/null 2>&1 && [ -n "$PERCHIP_SIM" ]; then
    say "per-chip sysfs: present"
    P=
    for c in /sys/class/gpio/chip[0-9]*; do
        [ "$(cat $c/label)" = "$PERCHIP_LABEL" ] && P=$c
    done
    perchip "chip labelled $PERCHIP_LABEL listed" yes "$([ -n "$P" ] && echo yes)"
    if [ -n "$P" ]; then
        perchip "${P##*/}/ngpio" "$PERCHIP_NGPIO" "$(cat $P/ngpio)"
        echo 4 > $P/export
        perchip "export 4 -> ${P##*/}/gpio4" yes "$([ -d $P/gpio4 ] && echo yes)"
        echo out > $P/gpio4/direction; echo 1 > $P/gpio4/value
        perchip "gpio4 value 1 seen by the chip" 1 "$(cat $PERCHIP_SIM/sim_gpio4/value)"
        echo 0 > $P/gpio4/value
        perchip "gpio4 value 0 seen by the chip" 0 "$(cat $PERCHIP_SIM/sim_gpio4/value)"
        echo 4 > $P/unexport
        perchip "unexport 4" no "$([ -d $P/gpio4 ] && echo yes || echo no)"
    fi
else
    say "per-chip sysfs: absent"
fi

# ---- uleds LEDs: one background holder per LED keeps /dev/uleds open and
# logs every brightness change ("<uptime> <brightness>") to /run/leds/NAME.log
need_mod uleds
mkdir -p /run/leds
for rec in /etc/uleds/*.bin; do
    [ -f "$rec" ] || continue
    name=$(cat "${rec%.bin}.name")
    (
        exec 3<>/dev/uleds || exit 1
        dd if="$rec" bs=68 count=1 >&3 2>/dev/null || exit 1
        : > "/run/leds/$name.log"
        while v=$(dd bs=4 count=1 <&3 2>/dev/null | od -An -td4 | tr -d ' '); [ -n "$v" ]; do
            echo "$(cut -d' ' -f1 /proc/uptime) $v" >> "/run/leds/$name.log"
        done
        exec sleep 2147483647 <&3
    ) &
    n=0; while [ ! -e "/sys/class/leds/$name" ] && [ $n -lt 50 ]; do usleep 100000; n=$((n+1)); done
    [ -e "/sys/class/leds/$name" ] || { say "uleds LED $name not created"; finish 95; }
done

# ---- leds-gpio LEDs on gpio-mockup lines
if [ -n "$GPIO_LEDS" ]; then
    [ -f $M/leds-gpio.ko ] && need_mod leds-gpio
    insmod $M/gpio-led-sim.ko leds="$GPIO_LEDS" || finish 96
    # The module loads even when leds-gpio cannot get a line (one outside
    # gpio-mockup): the LED is then just absent, so look for each one.
    for spec in $(echo "$GPIO_LEDS" | tr ',' ' '); do
        [ -e "/sys/class/leds/${spec%%@*}" ] || { say "leds-gpio LED ${spec%%@*} not created"; finish 98; }
    done
fi

say "kernel $(uname -r); GPIO chips (from /sys/kernel/debug/gpio):"
grep '^gpiochip' /sys/kernel/debug/gpio | sed 's/^/[vm]   /'
say "LEDs: $(ls /sys/class/leds | tr '\n' ' ')"
env | grep '^GPIO_' | sort | sed 's/^/[vm]   /'

rc=0
# ---- built-in self test (busybox sh only)
if [ "$SELF_TEST" = 1 ]; then
    fails=0
    check() { # DESC EXPECTED ACTUAL
        if [ "$2" = "$3" ]; then say "PASS $1"; else say "FAIL $1: expected '$2' got '$3'"; fails=$((fails+1)); fi
    }
    G=/sys/class/gpio
    if [ -n "$GPIO_MOCKUP_BASE" ]; then
        off=17; [ "$GPIO_MOCKUP_NGPIO" -gt 17 ] || off=0
        n=$((GPIO_MOCKUP_BASE + off)); D=$GPIO_MOCKUP_DEBUGFS/$off
        echo $n > $G/export
        check "mockup export gpio$n" yes "$([ -d $G/gpio$n ] && echo yes)"
        echo out > $G/gpio$n/direction; echo 1 > $G/gpio$n/value
        check "mockup out=1 seen by chip" 1 "$(cat $D)"
        echo 0 > $G/gpio$n/value
        check "mockup out=0 seen by chip" 0 "$(cat $D)"
        echo high > $G/gpio$n/direction
        check "mockup direction=high" 1 "$(cat $D)"
        echo in > $G/gpio$n/direction; echo 1 > $D
        check "mockup input pulled up" 1 "$(cat $G/gpio$n/value)"
        echo 0 > $D
        check "mockup input pulled down" 0 "$(cat $G/gpio$n/value)"
        echo both > $G/gpio$n/edge 2>/dev/null
        check "mockup edge=both (irq_sim)" both "$(cat $G/gpio$n/edge)"
        echo none > $G/gpio$n/edge
        echo 1 > $G/gpio$n/active_low; echo 1 > $D
        check "mockup active_low input" 0 "$(cat $G/gpio$n/value)"
        echo $n > $G/unexport
        check "mockup unexport" no "$([ -d $G/gpio$n ] && echo yes || echo no)"
        check "chardev /dev/$GPIO_MOCKUP_CHIP" yes "$([ -c /dev/$GPIO_MOCKUP_CHIP ] && echo yes)"
    fi
    if [ -n "$GPIO_SIM_BASE" ]; then
        n=$((GPIO_SIM_BASE + 3)); L=$GPIO_SIM_SYSFS/sim_gpio3
        echo $n > $G/export
        echo out > $G/gpio$n/direction; echo 1 > $G/gpio$n/value
        check "sim out=1 seen by chip" 1 "$(cat $L/value)"
        echo 0 > $G/gpio$n/value
        check "sim out=0 seen by chip" 0 "$(cat $L/value)"
        echo in > $G/gpio$n/direction; echo pull-up > $L/pull
        check "sim input pull-up" 1 "$(cat $G/gpio$n/value)"
        echo pull-down > $L/pull
        check "sim input pull-down" 0 "$(cat $G/gpio$n/value)"
        echo rising > $G/gpio$n/edge 2>/dev/null
        check "sim edge=rising (irq_sim)" rising "$(cat $G/gpio$n/edge)"
        echo $n > $G/unexport
    fi
    for rec in /etc/uleds/*.bin; do
        [ -f "$rec" ] || continue
        name=$(cat "${rec%.bin}.name"); Ld=/sys/class/leds/$name
        echo 0 > $Ld/brightness; echo 42 > $Ld/brightness; usleep 200000
        check "uleds $name brightness r/w" 42 "$(cat $Ld/brightness)"
        check "uleds $name change logged" 42 "$(tail -n1 /run/leds/$name.log | cut -d' ' -f2)"
        echo timer > $Ld/trigger
        check "uleds $name trigger=timer" yes "$(grep -q '\[timer\]' $Ld/trigger && echo yes)"
        sleep 2; echo none > $Ld/trigger
        say "uleds $name log: $(wc -l < /run/leds/$name.log) entries"
    done
    for spec in $(echo "$GPIO_LEDS" | tr ',' ' '); do
        name=${spec%%@*}; rest=${spec#*@}; num=${rest%%@*}; Ld=/sys/class/leds/$name
        off=$((num - GPIO_MOCKUP_BASE)); D=$GPIO_MOCKUP_DEBUGFS/$off
        al=0; [ "$rest" != "$num" ] && [ "${rest#*@}" = 1 ] && al=1
        echo 1 > $Ld/brightness
        check "gpio-led $name on -> line $num" $((1 - al)) "$(cat $D)"
        echo 0 > $Ld/brightness
        check "gpio-led $name off -> line $num" $al "$(cat $D)"
    done
    say "self-test: $fails failure(s)"
    [ $fails -eq 0 ] || rc=1
fi

[ -f /test/pre.sh ] && { say "sourcing pre.sh"; . /test/pre.sh; }
if [ -x /test/prog ]; then
    say "running /test/prog $*"
    /test/prog "$@"
    prc=$?
    say "/test/prog exited with $prc"
    [ $prc -ne 0 ] && rc=$prc
fi
if [ -f /test/post.sh ]; then
    POST_RC=0; say "sourcing post.sh"; . /test/post.sh
    [ "$POST_RC" -ne 0 ] 2>/dev/null && { say "post.sh: POST_RC=$POST_RC"; [ $rc -eq 0 ] && rc=1; }
fi
finish $rc
INIT
chmod 755 "$IRD/init"

# newc cpio, owned by root, uncompressed (the kernel unpacks it fastest).
(cd "$IRD" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$RUN_DIR/initramfs.cpio"

# -------------------------------------------------------------- 4. boot
case "$ACCEL" in
    # KVM only with real hardware virtualisation (kvm_intel/kvm_amd).  Some
    # sandboxes expose /dev/kvm via "kvm_pvm" (PVM, paravirtual nested KVM): a
    # stock kernel hangs there right after "Probing EDD" -> use TCG.
    auto) if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
             { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
              ACCEL=kvm
          else
              ACCEL=tcg
          fi ;;
    kvm|tcg) ;;
    *) die "--accel must be auto, kvm or tcg" ;;
esac
if [ "$ARCH" = aarch64 ]; then
    ACCEL=tcg   # an x86_64 host cannot run arm64 guests with KVM
    machine=(-M virt -cpu cortex-a72); console=ttyAMA0
else
    if [ "$ACCEL" = kvm ]; then cpu=host; else cpu=max; fi
    machine=(-cpu "$cpu"); console=ttyS0
fi
append="console=$console panic=-1 oops=panic rdinit=/init"
# The virt board's PL061 GPIO controller (built into Debian's arm64 kernel)
# would take the first dynamic base, 512, which the Pi-like layout needs.
[ "$ARCH" = aarch64 ] && append="$append initcall_blacklist=pl061_gpio_driver_init"
[ "$VERBOSE" = 1 ] || append="$append quiet"

LOG="$RUN_DIR/console.log"
log "booting $KVER ($(basename "$BOOT_KERNEL")) with $ACCEL (timeout ${TIMEOUT}s)"
t0=$(date +%s.%N)
set +e
# -nodefaults: no VGA/NIC/etc; the only device we use is the ISA serial port.
# -no-reboot: a guest panic/reboot ends qemu instead of looping.
timeout --kill-after=5 "$TIMEOUT" "$QEMU" \
    -accel "$ACCEL" "${machine[@]}" -m "$MEM" -smp 1 \
    -nodefaults -no-user-config -display none -monitor none -serial stdio \
    -no-reboot \
    -kernel "$BOOT_KERNEL" -initrd "$RUN_DIR/initramfs.cpio" -append "$append" \
    </dev/null 2>&1 | tr -d '\r' | tee "$LOG"
qrc=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N)
log "qemu exited ($qrc) after $(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN{print $t1-$t0}") s"

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    log "TIMEOUT after ${TIMEOUT}s"; exit 124
fi
# "|| true": under pipefail a grep without a match would end the script
# with status 1 here instead of the documented 3.
res=$(grep -a "^$RESULT_TAG rc=" "$LOG" | tail -n1 | sed 's/.*rc=//' || true)
if [ -z "$res" ]; then
    log "VM ended without a result (kernel panic? see output above)"; exit 3
fi
log "result: rc=$res"
exit "$res"
