#!/usr/bin/env bash
# Installs the programs the test suite drives besides the project's own (not needed to build or run
# SwiftPilot): Debian's `prometheus`, which MetricsEndToEndTests starts to scrape a live manager,
# and curl. Debian 12; run as root or with sudo. Idempotent and quick when everything is present.
set -euo pipefail
PKGS=(prometheus curl)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo -E"
    echo "test-tools: installing ${missing[*]}" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    # --no-install-recommends: the package's own service is never started here; tests run their own server.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
