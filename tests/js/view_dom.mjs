// view_dom.mjs — what a `pyheap run --view` page shows at its current frame, read from the DOM
// (the drawing and the text around it), for the viewer's browser checks.
export async function readFrame(page) {
  return page.evaluate(() => {
    const all = (sel) => [...document.querySelectorAll(sel)];
    const labels = (sel) => all(sel).map((e) => e.dataset.label).sort();
    const current = document.querySelector('#code li.current, #code li.failed');
    return {
      frame: Number(document.body.dataset.frame),
      step: Number(document.body.dataset.step),
      phase: document.body.dataset.phase,
      line: current ? Number(current.dataset.line) : 0,
      boxes: all('#graph g.obj.live').map((g) => ({
        label: g.dataset.label,
        weak: g.dataset.weak === '1',
        gen: Number(g.dataset.gen),
        refs: g.querySelector('text.rc').textContent,
        tag: g.querySelector('text.tag') ? g.querySelector('text.tag').textContent : '',
        classes: [...g.classList],
      })),
      ghosts: labels('#graph g.obj.ghost'),
      arrows: all('#graph path.ref:not(.weak):not(.chain)').length,
      dashed: all('#graph path.ref.weak:not(.cleared)').length,
      cleared: all('#graph path.ref.weak.cleared').length,
      chainArrows: all('#graph path.ref.chain').length,
      order: all('#graph g.order').length,
      gcRefs: Object.fromEntries(all('#graph g.badge').map((g) => [g.dataset.label, g.textContent])),
      notes: Object.fromEntries(all('#graph text.note').map((t) => [t.dataset.label, t.textContent])),
      text: document.getElementById('phase').textContent,
      events: all('#events li').map((li) => li.textContent),
      chain: document.getElementById('chain').textContent,
      tooMany: document.getElementById('too-many').hidden ? '' : document.getElementById('too-many').textContent,
    };
  });
}

// The recording embedded in the page.
export async function pageData(page) {
  return page.evaluate(() => JSON.parse(document.getElementById('pyheap-view-data').textContent));
}
