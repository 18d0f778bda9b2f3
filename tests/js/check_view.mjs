// check_view.mjs — steps through a `pyheap run --view` page in headless Chromium with the keyboard
// and checks what it draws.
//
//   node check_view.mjs PAGE.html SPEC.json SHOT_PREFIX
//
// Presses Home, then → through every frame (a statement, or a sub-step of a collection), checking
// at each that the page moved one frame and highlights the statement's line. SPEC.json lists
// checks, each for the frame of a line and phase ("statement", "examined", "gc_refs", "reachable",
// "unreachable", "weakrefs", "finalizers", "resurrected", "freed"):
//   boxes, arrows, dashed          numbers of live object boxes, solid arrows (references and
//                                  variables), dashed arrows (live weak references)
//   refs {label: n}                the live boxes and the counts they show, exactly
//   ghosts [labels]                objects drawn fading out (freed at this step)
//   outlined / reachable [labels]  boxes outlined as unreachable / marked reachable
//   gc_refs {label: n}             the gc_refs written on the examined boxes
//   tags {label: text}             the kind tags ("final ✓")
//   gens {label: n}                the generations the boxes are coloured by (3: frozen)
//   notes {label: text}            notes under weak references (callbacks)
//   events [lines], text, chain    the events listed; substrings of the sentence and the chain
//   shot NAME                      keep SHOT_PREFIX-NAME.png
// Fails on any console error, page error or network request, and on a check whose frame never
// came. Screenshots are taken after the page's animations (0.8 s).
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openPage } from './open_page.mjs';
import { readFrame, pageData } from './view_dom.mjs';

const [pagePath, specPath, shotPrefix] = process.argv.slice(2);
if (!pagePath || !specPath || !shotPrefix) {
  console.error('usage: node check_view.mjs PAGE.html SPEC.json SHOT_PREFIX');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const sorted = (a) => [...a].sort();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const { browser, page, problems } = await openPage(pagePath, { width: 1280, height: 860 });
const done = new Set();
try {
  mkdirSync(dirname(shotPrefix), { recursive: true });
  const data = await pageData(page);
  await page.keyboard.press('Home');
  for (let f = 0; f < data.frames.length; ++f) {
    if (f > 0) await page.keyboard.press('ArrowRight');
    const s = await readFrame(page);
    const where = `frame ${f} (line ${s.line}, ${s.phase})`;
    if (s.frame !== f) problems.push(`${where}: the page shows frame ${s.frame}`);
    const expectedLine = data.steps[data.frames[f][0]].line;
    if (s.line !== expectedLine) problems.push(`${where}: line ${s.line} is highlighted, expected ${expectedLine}`);
    spec.checks.forEach((c, i) => {
      if (done.has(i) || c.line !== s.line || c.phase !== s.phase) return;
      done.add(i);
      const fail = (what) => problems.push(`${where}: ${what}`);
      const liveLabels = (cls) => sorted(s.boxes.filter((b) => b.classes.includes(cls)).map((b) => b.label));
      if ('boxes' in c && s.boxes.length !== c.boxes) fail(`${s.boxes.length} boxes, expected ${c.boxes}`);
      if ('arrows' in c && s.arrows !== c.arrows) fail(`${s.arrows} arrows, expected ${c.arrows}`);
      if ('dashed' in c && s.dashed !== c.dashed) fail(`${s.dashed} dashed arrows, expected ${c.dashed}`);
      if ('refs' in c) {
        const shown = Object.fromEntries(s.boxes.map((b) => [b.label, b.refs]));
        const wanted = Object.fromEntries(Object.entries(c.refs).map(([l, n]) => [l, `refs ${n}`]));
        if (!same(Object.entries(shown).sort(), Object.entries(wanted).sort())) fail(`counts ${JSON.stringify(shown)}, expected ${JSON.stringify(wanted)}`);
      }
      if ('ghosts' in c && !same(s.ghosts, sorted(c.ghosts))) fail(`fading ${s.ghosts}, expected ${sorted(c.ghosts)}`);
      if ('outlined' in c && !same(liveLabels('unreachable'), sorted(c.outlined))) fail(`outlined ${liveLabels('unreachable')}, expected ${sorted(c.outlined)}`);
      if ('reachable' in c && !same(liveLabels('reachable'), sorted(c.reachable))) fail(`reachable ${liveLabels('reachable')}, expected ${sorted(c.reachable)}`);
      if ('gc_refs' in c) {
        const wanted = Object.fromEntries(Object.entries(c.gc_refs).map(([l, n]) => [l, `gc_refs ${n}`]));
        if (!same(Object.entries(s.gcRefs).sort(), Object.entries(wanted).sort())) fail(`gc_refs ${JSON.stringify(s.gcRefs)}, expected ${JSON.stringify(wanted)}`);
      }
      for (const [label, tag] of Object.entries(c.tags || {})) {
        const b = s.boxes.find((x) => x.label === label);
        if (!b || b.tag !== tag) fail(`${label}'s tag is '${b ? b.tag : '(no box)'}', expected '${tag}'`);
      }
      for (const [label, gen] of Object.entries(c.gens || {})) {
        const b = s.boxes.find((x) => x.label === label);
        if (!b || b.gen !== gen || !b.classes.includes(`gen${gen}`)) fail(`${label} is drawn in generation ${b ? b.gen : '(no box)'}, expected ${gen}`);
      }
      if ('notes' in c && !same(Object.entries(s.notes).sort(), Object.entries(c.notes).sort())) fail(`notes ${JSON.stringify(s.notes)}, expected ${JSON.stringify(c.notes)}`);
      if ('events' in c && !same(s.events, c.events)) fail(`events ${JSON.stringify(s.events)}, expected ${JSON.stringify(c.events)}`);
      if ('text' in c && !s.text.includes(c.text)) fail(`the sentence '${s.text}' lacks '${c.text}'`);
      if ('chain' in c && !s.chain.includes(c.chain)) fail(`the chain '${s.chain}' lacks '${c.chain}'`);
      if (c.shot) done.add(`shot:${i}`);
    });
    for (const [i, c] of spec.checks.entries()) {
      if (c.shot && done.has(`shot:${i}`) && !done.has(`taken:${i}`)) {
        done.add(`taken:${i}`);
        await page.waitForTimeout(800);
        await page.screenshot({ path: `${shotPrefix}-${c.shot}.png` });
        console.log(`screenshot: ${shotPrefix}-${c.shot}.png (line ${c.line}, ${c.phase})`);
      }
    }
  }
  spec.checks.forEach((c, i) => { if (!done.has(i)) problems.push(`no frame for the check of line ${c.line}, ${c.phase}`); });
  console.log(`check_view.mjs: stepped through ${data.frames.length} frames of ${data.steps.length} statements; ${spec.checks.length} checks`);
} finally {
  await browser.close();
}
if (problems.length) {
  for (const p of problems) console.error(`check_view.mjs: ${p}`);
  process.exit(1);
}
console.log('check_view.mjs: page OK');
