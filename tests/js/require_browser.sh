# require_browser.sh JS_DIR — sourced by the browser tests' scripts before they run check_page.mjs.
# Fails loudly (never skips) when node, Debian's Chromium or tests/js/node_modules is missing:
# scripts/test.sh installs all three, so a missing one is a broken setup, not an optional test.
js_dir=$1
who=$(basename "${BASH_SOURCE[1]:-$0}")
command -v node >/dev/null || { echo "$who: node not found (scripts/deps.sh nodejs npm)" >&2; exit 1; }
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "$who: Chromium not found at $chromium (scripts/deps.sh chromium)" >&2; exit 1; }
[ -d "$js_dir/node_modules/playwright-core" ] ||
  { echo "$who: $js_dir/node_modules is missing (run 'npm ci' there; scripts/test.sh does)" >&2; exit 1; }
