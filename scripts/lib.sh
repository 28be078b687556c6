# Shared by scripts/start, scripts/test and .ci/run: make sure the tools the
# build needs are here, installing what is missing on Debian.
# shellcheck shell=bash

# Cargo from rustup lives in ~/.cargo/bin, which a non-login shell may lack.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck source=/dev/null
    . "$HOME/.cargo/env"
fi

# Installs Debian packages that are not installed yet (as root, or with sudo).
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_build_tools() {
    if command -v dpkg-query >/dev/null 2>&1; then
        # gcc and make for the bundled SQLite; ca-certificates for crates.io.
        apt_install build-essential ca-certificates
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
        exit 1
    fi
    rustup component add clippy rustfmt >/dev/null 2>&1 || true
}
