#!/usr/bin/env bash
# bench.sh [run.py options, e.g. --repeat 7]
# Installs the peers (mimalloc, jemalloc, tcmalloc, Boehm GC, CPython, valgrind for callgrind's
# counts) if missing, unpacks V8's cppgc (below), builds the benchmark programs in Release into
# build-bench/ (the library -O3, the programs -O2, as clients), and runs bench/run.py: every
# benchmark, every peer, one table, then the verdict on every target of issue 20
# (docs/performance.md explains the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
# libbrotli1 .. zlib1g: what libnode108 (cppgc's library) loads, since it is unpacked, not installed.
scripts/deps.sh libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev libgc-dev python3 valgrind \
  libbrotli1 libc-ares2 libicu72 libnghttp2-14 libssl3 libuv1 zlib1g

# V8's cppgc (Oilpan) comes with Debian 12's libnode-dev (headers) and libnode108 (the library),
# which conflict with the machine's other nodejs packages: they are downloaded and unpacked into
# build-bench/cppgc (bench/CMakeLists.txt finds them there), never installed.
cppgc=build-bench/cppgc
if [ ! -f "$cppgc/unpacked.txt" ]; then
  tmp=$(mktemp -d)
  chmod a+rwx "$tmp"  # apt-get download writes as its sandbox user
  download() { (cd "$tmp" && apt-get download -qq libnode-dev libnode108); }
  if ! download; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    download
  fi
  rm -rf "$cppgc"
  mkdir -p "$cppgc"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$cppgc"; done
  (cd "$tmp" && ls ./*.deb) > "$cppgc/unpacked.txt"
  rm -rf "$tmp"
fi

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DPYHEAP_BUILD_BENCH=ON -DPYHEAP_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j2 --target alloc_pyheap alloc_glibc alloc_mimalloc alloc_jemalloc \
  alloc_tcmalloc ref_copy gc_pyheap gc_boehm gc_cppgc footprint tracing_overhead trees_pyheap trees_shared_ptr \
  trees_boehm trees_cppgc object_model threads_check pyheap-cli \
  shapes_pyheap shapes_shared_ptr shapes_by_hand shapes_boehm shapes_cppgc
exec /usr/bin/python3 bench/run.py --build build-bench "$@"
