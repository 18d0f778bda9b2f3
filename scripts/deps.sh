#!/usr/bin/env bash
# deps.sh [EXTRA_PACKAGE...]
# Installs, with apt-get, whichever of the Debian 12 packages pyheap builds with are missing.
# Does nothing (and needs no root) when everything is already there. Every header the build and
# the tests include comes from a package listed here (../shared/tools/undeclared-deps.sh checks):
# libgtest-dev/libgmock-dev for the tests, libcli11-dev for the command-line program,
# nlohmann-json3-dev for the tests that parse snapshots and JSON output, graphviz for the layout
# of `pyheap run --view`'s object graphs (its `dot` program, run when a page is written).
set -euo pipefail
packages=(cmake g++ make pkg-config python3 libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev graphviz "$@")
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
