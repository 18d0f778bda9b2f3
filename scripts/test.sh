#!/usr/bin/env bash
# test.sh: installs what is missing (Debian packages, then tests/js's npm packages), then builds
# and runs every test twice: a Release build (build/) and an AddressSanitizer +
# UndefinedBehaviorSanitizer build with internal consistency checks at debug level 2
# (build-asan/). Ends with ctest's summary of the latter. The browser tests' screenshots of the
# reports and of the viewer's pages are kept in build/artifacts/ (tour-report.png,
# run-report.png, view-*.png).
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser tests open HTML reports in headless Chromium, driven from node (as is the memlab
# snapshot check). Asked for by command, not package name: a machine whose Node.js comes with its
# own npm (NodeSource's nodejs provides npm) must not get Debian's npm package on top of it.
browser_deps=()
[ -x /usr/bin/chromium ] || browser_deps+=(chromium)
command -v node >/dev/null || browser_deps+=(nodejs)
command -v npm >/dev/null || browser_deps+=(npm)
scripts/deps.sh "${browser_deps[@]}"
jobs=$(nproc)

# The browser and snapshot tests' npm packages (pinned by tests/js/package-lock.json), installed again
# whenever the lock file changed since the last install.
lock_sum=$(sha256sum tests/js/package-lock.json | cut -d' ' -f1)
if [ "$(cat tests/js/node_modules/.pyheap-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  echo "=== npm ci (tests/js)"
  # No install scripts: @memlab/cli pulls in puppeteer, whose install script downloads a Chrome
  # of its own: not reachable here, and not needed (memlab only reads snapshot files; the browser
  # tests use Debian's chromium through playwright-core).
  (cd tests/js && npm ci --ignore-scripts --no-audit --no-fund)
  echo "$lock_sum" > tests/js/node_modules/.pyheap-lock-sha256
fi

echo "=== Release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPYHEAP_BUILD_TESTS=ON -DPYHEAP_TESTS_REQUIRE_ALL=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest -j"$jobs" --output-on-failure)

echo "=== Sanitizer build (ASan + UBSan, debug level 2)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPYHEAP_SANITIZE=ON -DPYHEAP_BUILD_TESTS=ON -DPYHEAP_TESTS_REQUIRE_ALL=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j"$jobs" --output-on-failure)
