# shellcheck shell=bash
# Debian's Rust toolchain, for the MSRV and the ARM stages (sourced).
#
# Rustup cannot download toolchains or targets on CI's machines, but
# Debian's packages carry them: rustc-web/cargo-web 1.85 (bookworm) is
# exactly the MSRV, and libstd-rust-web-dev:arm64/:armhf hold the standard
# library for the Pi's targets. The packages are unpacked into the CI cache,
# not installed: the system's own rustc-web (if any) and the rustup
# toolchain stay as they are, and the armhf standard library does not drag
# in that architecture's LLVM. Needs .ci/lib/apt.sh sourced first.

# ci_debian_rust MINOR [ARCH...]: unpacks rustc/cargo MINOR (e.g. 1.85) and
# the standard library for each Debian ARCH (arm64, armhf), then puts them
# first on PATH and in RUSTC/RUSTDOC. Prints the versions.
ci_debian_rust() {
    local minor=$1; shift
    local dir="$CI_CACHE/rust-$minor" ver arch
    ver=$(apt-cache madison rustc-web | awk -v m="$minor" '$3 ~ "^" m "\\." { print $3; exit }')
    [ -n "$ver" ] || { echo "rust: Debian has no rustc-web $minor (apt-cache madison rustc-web)" >&2; return 1; }
    # rustc links Debian's LLVM 19, cargo libpcre: plain bookworm libraries.
    ci_apt_install libllvm19 libpcre3 libcurl4 libssh2-1 libhttp-parser2.9 libsqlite3-0
    if [ ! -f "$dir/.done-$ver" ]; then
        rm -rf "$dir"
        ci_apt_unpack "$dir" "rustc-web=$ver" "cargo-web=$ver" "libstd-rust-web-$minor=$ver" "libstd-rust-web-dev=$ver"
        mkdir -p "$dir/bin"
        local tool
        for tool in rustc cargo rustdoc; do
            cat > "$dir/bin/$tool" <<WRAP
#!/bin/sh
# Debian's $tool $minor, unpacked by .ci/lib/debian-rust.sh: its
# librustc_driver is not in the system's library path.
here=\$(dirname "\$(readlink -f "\$0")")/..
LD_LIBRARY_PATH="\$here/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$here/usr/bin/$tool" "\$@"
WRAP
            chmod +x "$dir/bin/$tool"
        done
        touch "$dir/.done-$ver"
    fi
    for arch in "$@"; do
        if [ ! -f "$dir/.done-$ver-$arch" ]; then
            ci_apt_unpack "$dir" "libstd-rust-web-dev=$ver:$arch"
            touch "$dir/.done-$ver-$arch"
        fi
    done
    export PATH="$dir/bin:$PATH" RUSTC="$dir/bin/rustc" RUSTDOC="$dir/bin/rustdoc"
    unset RUSTUP_TOOLCHAIN
    echo "rust: $(cargo --version), $(rustc --version)"
    echo "rust: targets $(ls "$dir/usr/lib/rustlib" | grep -v '^etc$' | tr '\n' ' ')"
}
