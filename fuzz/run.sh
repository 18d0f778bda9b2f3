#!/usr/bin/env bash
# Run the heap-script fuzzer for SECONDS (default 60).
#   fuzz/run.sh SECONDS [extra libFuzzer flags...]
# Configures and builds build-fuzz with clang if needed, then fuzzes with the seeds in
# fuzz/corpus/ (read-only) and a working corpus in fuzz/corpus-run/ (gitignored, kept between
# runs). Crashes, leaks and timeouts are written to fuzz/artifacts/ (gitignored). Prints the
# number of executions at the end; the exit status is the fuzzer's (0: nothing found).
set -euo pipefail

# Everything is in a function so that bash has parsed the whole file before running it: editing
# this script while a long run is in progress cannot derail that run.
main() {
  local seconds="${1:-60}"
  shift || true
  local here root build fuzzer work artifacts log status execs
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  root="$(dirname "$here")"
  build="${PYHEAP_FUZZ_BUILD_DIR:-$root/build-fuzz}"
  fuzzer="$build/fuzz/pyheap_script_fuzzer"

  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DPYHEAP_BUILD_FUZZ=ON -DPYHEAP_BUILD_TESTS=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  cmake --build "$build" --target pyheap_script_fuzzer -j"$(nproc)"

  work="$here/corpus-run"
  artifacts="$here/artifacts"
  mkdir -p "$work" "$artifacts"

  # LeakSanitizer on; UBSan reports are fatal (the code is also built with -fno-sanitize-recover).
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

  # New inputs go to the first directory; the others are read-only seeds. The examples and the
  # CPython scenarios are read in place too, so scripts added there later are picked up.
  local seeds=("$here/corpus")
  for d in "$root/examples" "$root/tests/cpython/scenarios"; do
    if [[ -d "$d" ]]; then seeds+=("$d"); fi
  done

  # One process, one worker: the fuzzer runs in-process (-jobs=1 -workers=1 would fork a single
  # child logging to ./fuzz-0.log: the same fuzzing, harder to follow).
  log="$(mktemp /tmp/pyheap-fuzz.XXXXXX.log)"
  echo "fuzzing for ${seconds}s from $(date -u +%FT%TZ); log also in $log"
  set +e
  "$fuzzer" "$work" "${seeds[@]}" \
    -dict="$here/heap-script.dict" \
    -max_len=4096 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -detect_leaks=1 \
    -max_total_time="$seconds" \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1 \
    "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)"
  echo "finished at $(date -u +%FT%TZ)"
  echo "exit status: $status"
  echo "executions: ${execs:-unknown}"
  echo "files in $artifacts: $(find "$artifacts" -type f | wc -l)"
  return "$status"
}

main "$@"
exit $?
