// measure_view_steps.mjs — how fast a `pyheap run --view` page loads and steps, in headless
// Chromium (a measurement for docs/design.md, not a test).
//
//   node measure_view_steps.mjs PAGE.html [FRAMES]
//
// Prints the load time, then the time of FRAMES (default 400) steps with the → key from the
// middle of the page, and of 100 jumps to random frames (the slider), each until the next
// frame was painted: median, 95th percentile and maximum, in milliseconds.
import { openPage } from './open_page.mjs';

const [pagePath, framesArg] = process.argv.slice(2);
const count = Number(framesArg || 400);
const t0 = Date.now();
const { browser, page, problems } = await openPage(pagePath, { width: 1280, height: 860 });
const loaded = Date.now() - t0;
const stats = (t) => {
  t.sort((a, b) => a - b);
  const at = (q) => t[Math.min(t.length - 1, Math.floor(q * t.length))].toFixed(1);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${t[t.length - 1].toFixed(1)} ms`;
};
const result = await page.evaluate(async (count) => {
  const slider = document.getElementById('slider');
  const frames = Number(slider.max) + 1;
  const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const go = (f) => { slider.value = String(f); slider.dispatchEvent(new Event('input')); };
  go(Math.floor(frames / 2));
  await painted();
  const step = [];
  for (let i = 0; i < count; ++i) {
    const t = performance.now();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
    await painted();
    step.push(performance.now() - t);
  }
  const jump = [];
  let seed = 7;
  for (let i = 0; i < 100; ++i) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const t = performance.now();
    go(seed % frames);
    await painted();
    jump.push(performance.now() - t);
  }
  return { frames, step, jump };
}, count);
console.log(`${pagePath}: ${result.frames} frames; loaded in ${loaded} ms (browser start included)`);
console.log(`  step (→, until painted): ${stats(result.step)}`);
console.log(`  jump (slider, until painted): ${stats(result.jump)}`);
if (problems.length) console.log(`  problems: ${problems.join('; ')}`);
await browser.close();
