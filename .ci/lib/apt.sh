# shellcheck shell=bash
# Debian package helpers for the CI stages (sourced, not run).
#
# The machine is Debian bookworm. Some stages need packages from other
# suites: rustc 1.85 (bookworm), the newest rustc (bookworm-security), and
# kernels from trixie (6.12, what Raspberry Pi OS runs) and trixie-backports
# (the newest). Those suites are added with pin priority 1, so apt never
# upgrades the base system from them: a package comes from there only when a
# stage asks for that exact version, and most are only downloaded
# (`apt-get download`) and unpacked into the CI cache, never installed.

APT_SOURCES=/etc/apt/sources.list.d/async-with-ci.sources
APT_PINS=/etc/apt/preferences.d/async-with-ci
APT_CONF=/etc/apt/apt.conf.d/zz-async-with-ci

# ci_apt_sources: adds the trixie suites (amd64 + arm64 indexes only) and
# the arm64/armhf architectures (the Pi's standard libraries); runs
# `apt-get update` once when anything changed or the lists are missing.
ci_apt_sources() {
    local changed=0 arch
    local sources
    sources=$(cat <<'SRC'
# Added by async-with's CI (.ci/lib/apt.sh): kernels for the real-kernel tier.
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-backports
Components: main
Architectures: amd64 arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
)
    local pins
    pins=$(cat <<'PIN'
# Added by async-with's CI (.ci/lib/apt.sh): never upgrade bookworm from trixie.
Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: *
Pin: release n=trixie-backports
Pin-Priority: 1
PIN
)
    if [ "$(cat "$APT_SOURCES" 2>/dev/null)" != "$sources" ]; then
        printf '%s\n' "$sources" > "$APT_SOURCES"; changed=1
    fi
    if [ "$(cat "$APT_PINS" 2>/dev/null)" != "$pins" ]; then
        printf '%s\n' "$pins" > "$APT_PINS"; changed=1
    fi
    # One binary cache of the package lists for every apt call of every
    # stage. Debian's container images turn apt's off (Dir::Cache::pkgcache
    # "" in /etc/apt/apt.conf.d/docker-clean), and then each apt-cache or
    # apt-get call parses every list again: ~5 s of CPU with trixie and
    # three architectures added. apt rebuilds the cache when the lists
    # change. Sorted after docker-clean; outside /var/cache/apt/*.bin,
    # which docker-clean deletes after each dpkg run.
    mkdir -p /var/cache/async-with-ci
    local conf='Dir::Cache::pkgcache "/var/cache/async-with-ci/pkgcache.bin";'
    if [ "$(cat "$APT_CONF" 2>/dev/null)" != "$conf" ]; then
        printf '%s\n' "$conf" > "$APT_CONF"
    fi
    for arch in arm64 armhf; do
        if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
            dpkg --add-architecture "$arch"; changed=1
        fi
    done
    if [ "$changed" = 1 ] || ! ls /var/lib/apt/lists/*trixie-backports*arm64*Packages* >/dev/null 2>&1; then
        echo "apt: updating package lists (bookworm, bookworm-security, trixie, trixie-backports)"
        apt-get update -qq -o DPkg::Lock::Timeout=600 || echo "apt: some package lists failed to update (a mirror in sync?); going on: a package that is then missing fails its stage by name"
    fi
}

# ci_apt_install PKG...: installs the packages that are not installed yet.
ci_apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "apt: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
}

# ci_apt_unpack DIR PKG[=VERSION][:ARCH]...: downloads the .debs into
# $CI_CACHE/debs (kept between runs) and unpacks each into DIR, without
# installing them: no dependencies pulled in, nothing of the system changed.
ci_apt_unpack() {
    local dir=$1; shift
    local debs="$CI_CACHE/debs" spec name ver qual file
    mkdir -p "$debs" "$dir"
    for spec in "$@"; do
        name=${spec%%[=:]*}; qual=$name; ver=
        case $spec in *:*) qual=$name:${spec##*:} ;; esac
        case $spec in *=*) ver=${spec#*=}; ver=${ver%%:*} ;; esac
        [ -n "$ver" ] || ver=$(apt-cache policy "$qual" | sed -n 's/^  Candidate: //p')
        [ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "apt: no version of $qual is known" >&2; return 1; }
        file=$(ls "$debs/${name}_${ver//:/%3a}_"*.deb 2>/dev/null | grep -E "_(${spec##*:}|all|amd64)\.deb$" | head -n1 || true)
        case $spec in *:*) file=$(ls "$debs/${name}_${ver//:/%3a}_${spec##*:}.deb" "$debs/${name}_${ver//:/%3a}_all.deb" 2>/dev/null | head -n1 || true) ;; esac
        if [ -z "$file" ]; then
            (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "$qual=$ver" >/dev/null) ||
                { echo "apt: cannot download $qual=$ver" >&2; return 1; }
            file=$(ls -t "$debs/${name}_${ver//:/%3a}_"*.deb | head -n1)
        fi
        dpkg-deb -x "$file" "$dir"
    done
}
