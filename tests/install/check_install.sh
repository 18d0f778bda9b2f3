#!/usr/bin/env bash
# check_install.sh BUILD_DIR CONSUMER_SRC SCRATCH
# Installs BUILD_DIR into SCRATCH/prefix, then builds and runs CONSUMER_SRC twice: with CMake's
# find_package and with pkg-config. Fails on the first step that fails.
set -euo pipefail
build=$1 consumer=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
prefix=$scratch/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null

echo "== find_package(pyheap CONFIG)"
cmake -S "$consumer" -B "$scratch/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
"$scratch/cmake-build/consumer"

echo "== pkg-config pyheap"
libdir=$(find "$prefix" -name pyheap.pc -printf '%h\n' | head -n1)
flags=$(PKG_CONFIG_PATH=$libdir pkg-config --cflags --libs pyheap)
# shellcheck disable=SC2086  # the flags are a word list by design
${CXX:-c++} "$consumer/consumer.cpp" -o "$scratch/consumer-pc" $flags
"$scratch/consumer-pc"
