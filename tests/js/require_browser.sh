# require_browser.sh JS_DIR [MODULE_DIR] — sourced by the browser and memlab tests' scripts before
# they run node. Checks node, Debian's Chromium (browser tests only: pass MODULE_DIR to check a
# different npm package instead of playwright-core) and tests/js/node_modules.
# When one is missing: under scripts/test.sh (PYHEAP_TEST_PREREQS=require) the test fails with the
# reason, since the script installs all three and a missing one is a broken setup; in a build
# configured by hand (PYHEAP_TEST_PREREQS=skip) it prints "SKIPPED: reason", which ctest reports
# as a skipped test (cmake/TestPrerequisites.cmake).
js_dir=$1
module=${2:-playwright-core}
who=$(basename "${BASH_SOURCE[1]:-$0}")
prereq_missing() {
  if [ "${PYHEAP_TEST_PREREQS:-require}" = skip ]; then
    echo "SKIPPED: $who: $1"
    exit 0
  fi
  echo "$who: $1" >&2
  exit 1
}
command -v node >/dev/null || prereq_missing "node not found (scripts/deps.sh nodejs npm)"
if [ "$module" = playwright-core ]; then
  chromium=${CHROMIUM:-/usr/bin/chromium}
  [ -x "$chromium" ] || prereq_missing "Chromium not found at $chromium (scripts/deps.sh chromium)"
fi
[ -d "$js_dir/node_modules/$module" ] ||
  prereq_missing "$js_dir/node_modules/$module is missing (run 'npm ci --ignore-scripts' there; scripts/test.sh does)"
