// check_view_counts.mjs — the counts a `pyheap run --view` page draws, against the heap's own.
//
//   node check_view_counts.mjs EXPECT.json...
//
// Each EXPECT.json (tests/view/scenario_counts.py) names a page and, for statement lines, the
// live nodes as `live` printed them or every live object's reference count as `refs` printed
// it. At each such line's frame, the page must draw exactly those objects (weak reference
// objects are not in `live`), each showing that count; a frame with too many objects to draw
// must say how many there are. Checked for every line in the page's data (what its drawing is
// made from, window.pyheapView), and in the drawing itself (the DOM) for up to 40 lines per page,
// spread evenly (all of them in a short script): drawing 300-object frames thousands of times
// would take minutes. One browser for all pages; each page is walked from inside it (the
// slider's own event). Fails on any console error, page error or network request.
import { readFileSync } from 'node:fs';
import { launchBrowser, openIn } from './open_page.mjs';

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node check_view_counts.mjs EXPECT.json...');
  process.exit(2);
}
let failed = 0, frames = 0;
const browser = await launchBrowser();
for (const file of files) {
  const expect = JSON.parse(readFileSync(file, 'utf8'));
  const started = Date.now();
  const { page, problems } = await openIn(browser, expect.page, { width: 1280, height: 860 });
  try {
    const found = await page.evaluate((checks) => {
      const D = JSON.parse(document.getElementById('pyheap-view-data').textContent);
      const slider = document.getElementById('slider');
      const frameOf = new Map(), stepOf = new Map();
      D.frames.forEach(([step, phase], f) => { if (phase === 'statement') frameOf.set(D.steps[step].line, f); });
      D.steps.forEach((s, i) => stepOf.set(s.line, i));
      const bad = [];
      const compare = (c, objects, where) => {
        if (c.live) {
          const drawn = objects.filter((o) => !o.weak).map((o) => o.label).sort();
          const live = [...c.live].sort();
          if (JSON.stringify(drawn) !== JSON.stringify(live)) bad.push(`line ${c.line}: ${where} has nodes ${drawn}, live says ${live}`);
        }
        if (c.refs) {
          const shown = JSON.stringify(objects.map((o) => [o.label, o.refs]).sort());
          const heap = JSON.stringify(Object.entries(c.refs).sort());
          if (shown !== heap) bad.push(`line ${c.line}: ${where} has ${shown}, the heap holds ${heap}`);
        }
      };
      const stride = Math.ceil(checks.length / 40);
      checks.forEach((c, i) => {
        const step = stepOf.get(c.line);
        if (step === undefined) { bad.push(`line ${c.line}: no step`); return; }
        const data = window.pyheapView.picture(step);
        if (data) compare(c, data, 'the data');
        if (i % stride === 0) drawn(c);
      });
      function drawn(c) {
        const f = frameOf.get(c.line);
        slider.value = String(f);
        slider.dispatchEvent(new Event('input'));
        const current = document.querySelector('#code li.current');
        if (!current || Number(current.dataset.line) !== c.line) bad.push(`line ${c.line}: not highlighted`);
        const tooMany = document.getElementById('too-many');
        if (!tooMany.hidden) {
          const n = Number(tooMany.textContent.split(' ')[0]);
          if (c.refs && n !== Object.keys(c.refs).length) bad.push(`line ${c.line}: the page says ${n} objects, the heap has ${Object.keys(c.refs).length}`);
          return;
        }
        const boxes = [...document.querySelectorAll('#graph g.obj.live')].map((g) => {
          const rc = /^refs (\d+)$/.exec(g.querySelector('text.rc').textContent);
          return { label: g.dataset.label, refs: rc ? Number(rc[1]) : NaN, weak: g.dataset.weak === '1' };
        });
        compare(c, boxes, 'the drawing');
      }
      return bad;
    }, expect.checks);
    problems.push(...found.slice(0, 20));
    frames += expect.checks.length;
    if (process.env.VERBOSE) console.log(`${expect.script}: ${Date.now() - started} ms`);
  } finally {
    await page.close();
  }
  if (problems.length) {
    failed += 1;
    for (const p of problems) console.error(`check_view_counts.mjs: ${expect.script}: ${p}`);
  }
}
await browser.close();
console.log(`check_view_counts.mjs: ${files.length} pages, ${frames} frames checked against live and refs; ${failed} failed`);
process.exit(failed ? 1 : 0);
