#!/usr/bin/env bash
# deps.sh [EXTRA_PACKAGE...]
# Installs, with apt-get, whichever of the Debian 12 packages pyheap builds with are missing.
# Does nothing (and needs no root) when everything is already there.
set -euo pipefail
packages=(cmake g++ make pkg-config python3 libgtest-dev libgmock-dev libcli11-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
