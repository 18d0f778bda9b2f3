// check_page.mjs — opens a report page in headless Chromium and checks that it rendered.
//
//   node check_page.mjs PAGE.html SCREENSHOT.png [SELECTOR=MIN_COUNT ...]
//
// Fails (exit 1, reasons on stderr) when: the page logs a console error or throws; it requests
// anything over the network (a report is one self-contained file); a selector matches fewer
// elements than asked; a chart (svg.pyheap-chart) has no size on screen. Always takes a
// full-page screenshot first when the page loaded, so a failure can be looked at.
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM), driven by playwright-core, which
// downloads no browser of its own.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openPage } from './open_page.mjs';

function usage(message) {
  console.error(`check_page.mjs: ${message}\nusage: node check_page.mjs PAGE.html SCREENSHOT.png [SELECTOR=MIN_COUNT ...]`);
  process.exit(2);
}

const [page_path, screenshot_path, ...expectations] = process.argv.slice(2);
if (!page_path || !screenshot_path) usage('missing arguments');
if (!existsSync(page_path)) usage(`no such page: ${page_path}`);
const selectors = expectations.map((e) => {
  const at = e.lastIndexOf('=');
  const min = Number(e.slice(at + 1));
  if (at <= 0 || !Number.isInteger(min) || min < 0) usage(`expected SELECTOR=MIN_COUNT, got '${e}'`);
  return { selector: e.slice(0, at), min };
});

const { browser, page, problems } = await openPage(page_path).catch((e) => usage(e.message));
try {
  mkdirSync(dirname(resolve(screenshot_path)), { recursive: true });
  await page.screenshot({ path: screenshot_path, fullPage: true });

  for (const { selector, min } of selectors) {
    const n = await page.locator(selector).count();
    console.log(`${selector}: ${n} (at least ${min})`);
    if (n < min) problems.push(`'${selector}' matches ${n} elements, expected at least ${min}`);
  }
  const charts = page.locator('svg.pyheap-chart');
  const count = await charts.count();
  for (let i = 0; i < count; ++i) {
    const box = await charts.nth(i).boundingBox();
    const name = await charts.nth(i).getAttribute('aria-label');
    if (!box || box.width < 1 || box.height < 1) problems.push(`chart ${i} ('${name}') has no size on screen`);
  }
  console.log(`charts with a size on screen: ${count}; screenshot: ${screenshot_path}`);
} finally {
  await browser.close();
}

if (problems.length) {
  for (const p of problems) console.error(`check_page.mjs: ${p}`);
  process.exit(1);
}
console.log('check_page.mjs: page OK');
