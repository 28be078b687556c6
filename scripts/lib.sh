# Shared by scripts/start, scripts/test and .ci/run: make sure the tools the
# build needs are here, installing what is missing on Debian.
# shellcheck shell=bash

# Cargo from rustup lives in ~/.cargo/bin, which a non-login shell may lack.
if [ -f "$HOME/.cargo/env" ]; then
    # shellcheck source=/dev/null
    . "$HOME/.cargo/env"
fi
export PATH="$HOME/.cargo/bin:$PATH"

# What building and running the desktop app needs (Tauri on Debian 12).
DESKTOP_PACKAGES=(build-essential pkg-config ca-certificates libwebkit2gtk-4.1-dev
    libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev)
# What the end-to-end tests add: a virtual display, the WebKit WebDriver,
# a D-Bus session with a notification daemon and dbus-monitor.
E2E_PACKAGES=(xvfb webkit2gtk-driver dbus-daemon dbus-bin dbus-x11 dunst)

# Installs Debian packages that are not installed yet (as root, or with sudo).
apt_install() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
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

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
        exit 1
    fi
    rustup component add clippy rustfmt >/dev/null 2>&1 || true
}

ensure_desktop_build() {
    apt_install "${DESKTOP_PACKAGES[@]}"
    ensure_rust
}

ensure_e2e() {
    apt_install "${E2E_PACKAGES[@]}"
    if ! command -v tauri-driver >/dev/null 2>&1; then
        cargo install tauri-driver --locked --version "^2"
    fi
}
