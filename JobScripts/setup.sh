#!/usr/bin/env bash
# Installs what SwiftPilot builds against (hwloc, SQLite, libslurm) when missing; with
# --with-test-tools also the programs the test suite drives: Debian's prometheus (scraping a live
# manager), chromium and chromium-driver (the dashboard in a headless browser), tmux (`pilot top`),
# curl (the event stream), tcpdump (a loopback capture proving the token never crosses in clear)
# and python3-venv (the Python package's tests). Debian 12; run as root or
# with sudo. Idempotent and quick when everything is present.
set -euo pipefail
PKGS=(libhwloc-dev hwloc libsqlite3-dev libslurm-dev pkg-config zlib1g-dev)
if [[ "${1:-}" == "--with-test-tools" ]]; then
    PKGS+=(prometheus chromium chromium-driver tmux curl tcpdump python3 python3-venv)
fi
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo -E"
    echo "setup: installing ${missing[*]}" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    # --no-install-recommends: a package's own service is never started here; tests run their own.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
