// open_page.mjs — opens a local page in Debian's headless Chromium (playwright-core downloads no
// browser of its own) and collects what a self-contained page must never do: log a console error,
// throw, or request anything over the network. Shared by the browser checks.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

// A new page of `browser` (one browser can open many pages, which saves its start-up).
export async function openIn(browser, pagePath, viewport = { width: 1100, height: 900 }) {
  const problems = [];
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('file:') && !url.startsWith('data:')) problems.push(`network request: ${url}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  const url = pathToFileURL(resolve(pagePath)).href;
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || !response.ok()) problems.push(`could not load ${url}`);
  return { page, problems };
}

// A browser of its own for one page; close the browser when done.
export async function openPage(pagePath, viewport) {
  const browser = await launchBrowser();
  return { browser, ...(await openIn(browser, pagePath, viewport)) };
}
