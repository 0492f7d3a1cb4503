#!/usr/bin/env bash
# Installs the C libraries SwiftPilot builds against (hwloc, SQLite, libslurm) and the tools its
# tests drive (chromium, chromium-driver, tmux) when missing.
# Debian 12; run as root or with sudo. Idempotent and quick when everything is present.
set -euo pipefail
PKGS=(libhwloc-dev hwloc libsqlite3-dev libslurm-dev pkg-config)
# For the test suite: the dashboard is tested in headless Chromium through chromedriver, `pilot top` in tmux.
PKGS+=(chromium chromium-driver tmux)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo -E"
    echo "setup: installing ${missing[*]}" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
