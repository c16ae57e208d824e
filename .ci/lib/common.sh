# shellcheck shell=bash
# Sourced by every CI stage: the repository root as the working directory,
# and the one cache every stage shares (downloaded .debs, unpacked
# toolchains, kernels and their built modules). .ci/run exports CI_CACHE; a
# stage run by hand gets the same default.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${CI_CACHE:=$PWD/target/ci-cache}"
export CI_CACHE
export ASYNC_WITH_KERNEL_CACHE="${ASYNC_WITH_KERNEL_CACHE:-$CI_CACHE/kernel-vm}"
mkdir -p "$CI_CACHE"
# shellcheck source=apt.sh
. .ci/lib/apt.sh
# shellcheck source=debian-rust.sh
. .ci/lib/debian-rust.sh

# The MSRV declared in the workspace.
ci_msrv() { sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n1; }

# The target dir, flags and packages of every build with Debian's rustc of
# the MSRV (the msrv and arm stages): one dir, so the host side (proc
# macros, build scripts, host test binaries) is built once; the same flags
# and the same set of packages (cargo unifies features over the packages it
# builds), or cargo would rebuild Tokio and everything above it. Warnings
# are errors: some are only that compiler's (an `Infallible` error's `?` in
# the expansion was one).
ci_msrv_build_env() {
    export CARGO_TARGET_DIR=$PWD/target/msrv RUSTFLAGS="-D warnings"
    msrv_packages=(-p async-with-macros -p async-with-core -p async-with -p spotlight)
}

# The test targets of the facade as --test flags, less the ones named: the
# stand-alone files (tests/*.rs) and the grouped test crates
# (tests/GROUP/main.rs, one module per concern), as cargo discovers them.
# tests/kernel, tests/reexporter and tests/ui are not test targets of the
# facade. E.g. `ci_facade_tests compiletest` leaves out the UI tests, which
# compare the compiler's own messages with the blessed .stderr files.
ci_facade_tests() {
    local f name skip keep
    for f in tests/*.rs tests/*/main.rs; do
        [ -e "$f" ] || continue
        case "$f" in
            */main.rs) name=$(basename "$(dirname "$f")") ;;
            *) name=$(basename "$f" .rs) ;;
        esac
        case "$name" in kernel | reexporter | ui) continue ;; esac
        keep=1
        for skip in "$@"; do [ "$name" = "$skip" ] && keep=0; done
        [ "$keep" = 1 ] && printf -- '--test\n%s\n' "$name"
    done
}

# The integration tests of the package in DIR (DIR/tests/*.rs) as --test
# flags, e.g. `ci_package_tests examples/spotlight`.
ci_package_tests() {
    local f
    for f in "$1"/tests/*.rs; do
        [ -e "$f" ] || continue
        printf -- '--test\n%s\n' "$(basename "$f" .rs)"
    done
}
