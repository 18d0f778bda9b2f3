// pyheap run --view: steps through a heap script's recording (the JSON block written by
// tools/view/page.cpp). Positions come from the recording (laid out by Graphviz when the page was
// written); this script only rebuilds each step's picture from the recorded changes and draws it.
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('pyheap-view-data').textContent);
  const SVG = 'http://www.w3.org/2000/svg';
  const PHASES = ['statement', 'examined', 'gc_refs', 'reachable', 'unreachable', 'weakrefs', 'finalizers', 'resurrected', 'freed'];
  const KIND = { node: 0, final: 1, resurrect: 2, weak: 3, weakCallback: 4 };
  const WEAK = -1, BINDING = -2;
  const KEYFRAME_EVERY = 32;

  // ---- pictures: objects id -> {rc, g, f}; references "from,slot,to"; bindings variable -> id ----
  const emptyPicture = () => ({ o: new Map(), e: new Set(), b: new Map(), many: 0 });
  const copy = (p) => ({ o: new Map(p.o), e: new Set(p.e), b: new Map(p.b), many: p.many });
  function apply(p, d) {
    if (d.x) for (const id of d.x) p.o.delete(id);
    if (d.o) for (const [id, rc, g, f] of d.o) p.o.set(id, { rc, g, f: f === 1 });
    if (d.ex) for (const e of d.ex) p.e.delete(e.join(','));
    if (d.e) for (const e of d.e) p.e.add(e.join(','));
    if (d.bx) for (const v of d.bx) p.b.delete(v);
    if (d.b) for (const [v, id] of d.b) p.b.set(v, id);
    p.many = d.many || 0;
    return p;
  }
  // Every KEYFRAME_EVERY-th step's picture is kept; others are rebuilt from the one before them.
  const keyframes = new Map();
  {
    const running = emptyPicture();
    D.steps.forEach((s, i) => {
      apply(running, s.d);
      if (i % KEYFRAME_EVERY === 0) keyframes.set(i, copy(running));
    });
  }
  let cached = { step: -2, picture: null };
  function pictureAfter(step) {
    if (step < 0) return emptyPicture();
    if (cached.step === step) return cached.picture;
    let p;
    if (cached.step === step - 1 && cached.picture) p = apply(copy(cached.picture), D.steps[step].d);
    else {
      const base = step - (step % KEYFRAME_EVERY);
      p = copy(keyframes.get(base));
      for (let i = base + 1; i <= step; ++i) apply(p, D.steps[i].d);
    }
    cached = { step, picture: p };
    return p;
  }

  // ---- scenes: boxes and routes by id / key ----
  const scenes = D.scenes.map((s) => {
    const o = new Map(s.o.map(([id, x, y, w, h]) => [id, { x, y, w, h }]));
    const v = new Map(s.v.map(([id, x, y, w, h]) => [id, { x, y, w, h }]));
    const r = new Map(s.r.map(([from, slot, to, path, lx, ly]) => [`${from},${slot},${to}`, { from, slot, to, path, lx, ly }]));
    let frame = null;
    if (v.size) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const b of v.values()) {
        x0 = Math.min(x0, b.x - b.w / 2); x1 = Math.max(x1, b.x + b.w / 2);
        y0 = Math.min(y0, b.y - b.h / 2); y1 = Math.max(y1, b.y + b.h / 2);
      }
      frame = { x: x0 - 8, y: y0 - 22, w: x1 - x0 + 16, h: y1 - y0 + 30 };
    }
    return { w: s.w, h: s.h, o, v, r, frame };
  });

  // ---- the page's parts ----
  const $ = (id) => document.getElementById(id);
  const svg = $('graph'), slider = $('slider'), code = $('code'), drawing = $('drawing');
  $('title').textContent = D.title;
  const lines = D.source.map((text, i) => {
    const li = document.createElement('li');
    const n = document.createElement('span');
    n.className = 'n';
    n.textContent = String(i + 1);
    li.append(n, text);
    li.dataset.line = String(i + 1);
    if (/^\s*#/.test(text)) li.classList.add('comment');
    code.appendChild(li);
    return li;
  });
  slider.max = String(Math.max(0, D.frames.length - 1));
  let highlighted = null;
  // Every line has the same height: where a line is needs no layout of the whole list.
  const lineHeight = lines.length ? lines[0].getBoundingClientRect().height : 20;
  const codePadding = lines.length ? lines[0].offsetTop : 0;
  // The drawing panel's size and scroll position, kept up to date by events: reading them from
  // the DOM after drawing would lay out the new drawing once more on every step.
  const panel = { width: drawing.clientWidth, height: drawing.clientHeight, left: 0, top: 0 };
  window.addEventListener('resize', () => { panel.width = drawing.clientWidth; panel.height = drawing.clientHeight; });
  drawing.addEventListener('scroll', () => { panel.left = drawing.scrollLeft; panel.top = drawing.scrollTop; });
  const codeView = { height: code.parentElement.clientHeight, top: 0 };
  window.addEventListener('resize', () => { codeView.height = code.parentElement.clientHeight; });
  code.parentElement.addEventListener('scroll', () => { codeView.top = code.parentElement.scrollTop; });

  function el(name, attrs, parent, text) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function defs() {
    const d = el('defs', {}, svg);
    for (const [id, colour] of [['arrow', '#333'], ['arrow-chain', '#D55E00'], ['arrow-cleared', '#bbb']]) {
      const m = el('marker', { id, viewBox: '0 0 8 6', refX: '0', refY: '3', markerWidth: '8', markerHeight: '6', markerUnits: 'userSpaceOnUse', orient: 'auto' }, d);
      el('path', { d: 'M0,0 L8,3 L0,6 z', fill: colour }, m);
    }
  }

  const kindTag = (id, state) => {
    const k = D.kinds[id];
    if (k === KIND.final) return state.f ? ['final ✓', true] : ['final', false];
    if (k === KIND.resurrect) return state.f ? ['resurrect ✓', true] : ['resurrect', false];
    if (k === KIND.weak) return ['weak', false];
    if (k === KIND.weakCallback) return ['weak callback', false];
    return ['', false];
  };
  const isWeak = (id) => D.kinds[id] === KIND.weak || D.kinds[id] === KIND.weakCallback;

  function drawObject(layer, id, state, box, classes) {
    const gen = state.g >= 0 ? `gen${state.g}` : 'untracked';
    const g = el('g', { class: `obj ${gen} ${classes.join(' ')}`, transform: `translate(${box.x},${box.y})`, 'data-id': id,
      'data-label': D.objects[id], 'data-refs': state.rc, 'data-gen': state.g, 'data-weak': isWeak(id) ? '1' : '0' }, layer);
    const w = box.w, h = box.h, r = isWeak(id) ? 12 : 4;
    el('rect', { class: 'mark', x: -w / 2 - 4, y: -h / 2 - 4, width: w + 8, height: h + 8, rx: r + 3 }, g);
    el('rect', { class: 'box', x: -w / 2, y: -h / 2, width: w, height: h, rx: r }, g);
    el('text', { class: 'label', x: 0, y: -8 }, g, D.objects[id]);
    el('text', { class: 'rc', x: -w / 2 + 7, y: 10 }, g, `refs ${state.rc}`);
    const [tag, done] = kindTag(id, state);
    if (tag) el('text', { class: done ? 'tag done' : 'tag', x: w / 2 - 6, y: 10 }, g, tag);
    const title = el('title', {}, g);
    title.textContent = `${D.objects[id]}: reference count ${state.rc}, ` +
      (state.g < 0 ? 'untracked' : state.g === 3 ? 'frozen' : `generation ${state.g}`) + (state.f ? ', finalized' : '');
    return g;
  }
  function badge(layer, id, box, text, zero) {
    const g = el('g', { class: zero ? 'badge zero' : 'badge', 'data-label': D.objects[id], transform: `translate(${box.x + box.w / 2 - 30},${box.y - box.h / 2 - 9})` }, layer);
    el('rect', { x: -30, y: -8, width: 60, height: 16, rx: 8 }, g);
    el('text', { x: 0, y: 0 }, g, text);
  }
  function orderMark(layer, box, n) {
    const g = el('g', { class: 'order', transform: `translate(${box.x - box.w / 2},${box.y - box.h / 2})` }, layer);
    el('circle', { r: 9 }, g);
    el('text', {}, g, String(n));
  }
  function note(layer, id, box, text, kind) {
    el('text', { class: `note ${kind}`, 'data-label': D.objects[id], x: box.x, y: box.y + box.h / 2 + 12, 'text-anchor': 'middle' }, layer, text);
  }

  // ---- what a frame shows ----
  function frameModel(f) {
    const [stepIndex, phaseName, ci, text] = D.frames[f];
    const step = D.steps[stepIndex];
    const phase = PHASES.indexOf(phaseName);
    const before = pictureAfter(stepIndex - 1);
    const m = { f, step, stepIndex, phase, text, scene: scenes[step.scene], classes: new Map(), ghosts: [], ghostVars: [],
      chainLinks: new Set(), cleared: new Set(), badges: [], notes: [], order: new Map(), events: [] };
    const add = (id, c) => { if (!m.classes.has(id)) m.classes.set(id, []); m.classes.get(id).push(c); };
    if (phase === 0) {
      m.picture = pictureAfter(stepIndex);
      for (const id of m.picture.o.keys()) if (!before.o.has(id) && stepIndex > 0 || stepIndex === 0) add(id, 'appear');
      const chain = step.chain || { order: [], links: [], vars: [] };
      chain.order.forEach((id, i) => m.order.set(id, i + 1));
      for (const [id, state] of before.o) if (!m.picture.o.has(id)) m.ghosts.push([id, state]);
      for (const l of chain.links) m.chainLinks.add(l.join(','));
      for (const v of chain.vars) if (before.b.has(v)) m.ghostVars.push([v, before.b.get(v), !m.picture.b.has(v)]);
      m.freedByCollector = (step.c || []).flatMap((c) => c.free);
      m.focus = [...(step.d.o || []).map((o) => o[0]), ...m.ghosts.map(([id]) => id)];
      m.events = step.out.filter((line) => !line.startsWith('> ')).map((line) => [line, eventClass(line)]);
      if (step.error) m.events.push([`error: ${step.error}`, 'error']);
      return m;
    }
    const c = step.c[ci];
    m.picture = apply(copy(before), c.pic);
    const set = (ids) => new Set(ids);
    m.focus = phase >= 4 && c.u.length ? c.u : c.ex;
    const examined = set(c.ex), reachable = set(c.r), unreachable = set(c.u), resurrected = set(c.res), freed = set(c.free);
    const finalized = set(c.fin);
    for (const id of m.picture.o.keys()) {
      if (!examined.has(id)) { add(id, 'outside-set'); continue; }
      if (phase < 3) add(id, 'examined');
      if (phase >= 3 && reachable.has(id)) add(id, 'reachable');
      if (phase >= 4 && unreachable.has(id)) add(id, phase >= 7 && resurrected.has(id) ? 'resurrected' : 'unreachable');
      if (phase === 6 && finalized.has(id)) add(id, 'finalizing');
      if (phase === 8 && freed.has(id)) add(id, 'freed');
    }
    if (phase >= 6) for (const id of finalized) { const s = m.picture.o.get(id); if (s) m.picture.o.set(id, { ...s, f: true }); }
    if (phase >= 2 && phase <= 4) for (const [id, refs] of c.refs) m.badges.push([id, `gc_refs ${refs}`, refs === 0]);
    if (phase >= 5) {
      const clearedWeak = [...c.wg, ...c.wo];
      for (const key of m.picture.e) {
        const [from, slot, to] = key.split(',').map(Number);
        if (slot === WEAK && unreachable.has(to) && clearedWeak.includes(from)) m.cleared.add(key);
      }
      if (phase === 5) {
        const called = set(c.wc);
        for (const id of c.wo) m.notes.push([id, called.has(id) ? 'callback runs' : 'no callback', called.has(id) ? 'runs' : 'none']);
        for (const id of c.wg) m.notes.push([id, 'garbage: no callback', 'skipped']);
        for (const id of c.wc) m.events.push([`callback ${D.objects[id]}`, 'callback']);
      }
    }
    if (phase === 6) for (const id of c.fin) m.events.push([`final ${D.objects[id]}`, 'final']);
    if (phase === 8) m.events.push([`collected ${c.n}`, 'collected']);
    return m;
  }
  function eventClass(line) {
    if (line.startsWith('final ')) return 'final';
    if (line.startsWith('callback ')) return 'callback';
    if (line.startsWith('collected ')) return 'collected';
    if (line.startsWith('#')) return 'comment';
    return '';
  }

  // ---- drawing ----
  let shown = { scene: -1, positions: new Map() };
  function draw(m) {
    const scene = m.scene;
    svg.textContent = '';
    const tooMany = $('too-many');
    if (m.picture.many) {
      svg.setAttribute('width', '0'); svg.setAttribute('height', '0');
      tooMany.hidden = false;
      tooMany.textContent = `${m.picture.many} live objects at this step: too many to draw (the viewer draws up to 300).`;
      return;
    }
    tooMany.hidden = true;
    svg.setAttribute('viewBox', `0 0 ${scene.w} ${scene.h}`);
    // Small scenes are enlarged to the panel's width (up to 1.5 times); large ones keep their size
    // and the panel scrolls, so that labels stay readable.
    const zoom = Math.max(1, Math.min(1.5, (panel.width - 2) / scene.w));
    svg.setAttribute('width', String(Math.floor(scene.w * zoom)));
    svg.setAttribute('height', String(Math.floor(scene.h * zoom)));
    defs();
    const frameLayer = el('g', {}, svg), refLayer = el('g', {}, svg), objLayer = el('g', {}, svg), markLayer = el('g', {}, svg);
    if (scene.frame) {
      const fr = scene.frame;
      el('rect', { class: 'frame-box', x: fr.x, y: fr.y, width: fr.w, height: fr.h, rx: 6 }, frameLayer);
      el('text', { class: 'frame-title', x: fr.x + 6, y: fr.y + 13 }, frameLayer, 'variables');
    }
    const route = (key) => scene.r.get(key);
    const path = (r, cls, marker) => {
      const p = el('path', { class: cls, d: r.path }, refLayer);
      if (marker) p.setAttribute('marker-end', `url(#${marker})`);
      return p;
    };
    // references of the picture before that the chain went along, and the bindings it dropped
    for (const key of m.chainLinks) {
      const r = route(key);
      if (r) path(r, r.slot === BINDING ? 'ref binding chain ghost' : 'ref strong chain ghost', 'arrow-chain');
    }
    for (const [v, id] of m.ghostVars) {
      const r = route(`${v},${BINDING},${id}`);
      if (r) path(r, 'ref binding chain ghost', 'arrow-chain');
    }
    for (const key of m.picture.e) {
      if (m.chainLinks.has(key)) continue;
      const r = route(key);
      if (!r) continue;
      if (r.slot === WEAK) path(r, m.cleared.has(key) ? 'ref weak cleared' : 'ref weak', m.cleared.has(key) ? 'arrow-cleared' : 'arrow');
      else path(r, 'ref strong', 'arrow');
      if (r.slot >= 0) el('text', { class: 'field', x: r.lx, y: r.ly }, refLayer, String(r.slot));
    }
    for (const [v, id] of m.picture.b) {
      const r = route(`${v},${BINDING},${id}`);
      if (r) path(r, 'ref binding', 'arrow');
    }
    for (const [v] of m.picture.b) drawVariable(objLayer, scene, v, false);
    for (const [v, , unbound] of m.ghostVars) if (unbound) drawVariable(objLayer, scene, v, true);
    const positions = new Map();
    for (const [id, state] of m.picture.o) {
      const box = scene.o.get(id);
      if (!box) continue;
      const g = drawObject(objLayer, id, state, box, ['live', ...(m.classes.get(id) || [])]);
      positions.set(id, [box.x, box.y, g]);
    }
    for (const [id, state] of m.ghosts) {
      const box = scene.o.get(id);
      if (!box) continue;
      drawObject(objLayer, id, m.order.has(id) ? { ...state, rc: 0 } : state, box, ['ghost']);
      if (m.order.has(id)) orderMark(markLayer, box, m.order.get(id));
    }
    for (const [id, text, zero] of m.badges) { const box = scene.o.get(id); if (box) badge(markLayer, id, box, text, zero); }
    for (const [id, text, kind] of m.notes) { const box = scene.o.get(id); if (box) note(markLayer, id, box, text, kind); }
    bringIntoView(m, zoom);
    // A new scene: boxes that were drawn before glide from their old places.
    if (shown.scene !== m.step.scene && shown.scene !== -1 && !reducedMotion) {
      for (const [id, [x, y, g]] of positions) {
        const old = shown.positions.get(id);
        if (old && (old[0] !== x || old[1] !== y)) {
          g.animate([{ transform: `translate(${old[0]}px,${old[1]}px)` }, { transform: `translate(${x}px,${y}px)` }],
            { duration: 450, easing: 'ease-in-out' });
        }
      }
    }
    shown = { scene: m.step.scene, positions: new Map([...positions].map(([id, [x, y]]) => [id, [x, y]])) };
  }
  // A large drawing scrolls: show the objects this frame is about when they are out of sight.
  function bringIntoView(m, zoom) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const id of m.focus || []) {
      const b = m.scene.o.get(id);
      if (!b) continue;
      x0 = Math.min(x0, b.x - b.w / 2); x1 = Math.max(x1, b.x + b.w / 2);
      y0 = Math.min(y0, b.y - b.h / 2); y1 = Math.max(y1, b.y + b.h / 2);
    }
    if (x0 === Infinity) return;
    [x0, x1, y0, y1] = [x0, x1, y0, y1].map((v) => v * zoom);
    const clamp = (v, size, view) => Math.max(0, Math.min(v, size - view));
    if (x0 < panel.left || x1 > panel.left + panel.width)
      drawing.scrollLeft = panel.left = clamp((x0 + x1) / 2 - panel.width / 2, m.scene.w * zoom, panel.width);
    if (y0 < panel.top || y1 > panel.top + panel.height)
      drawing.scrollTop = panel.top = clamp((y0 + y1) / 2 - panel.height / 2, m.scene.h * zoom, panel.height);
  }
  function drawVariable(layer, scene, v, ghost) {
    const box = scene.v.get(v);
    if (!box) return;
    const g = el('g', { class: ghost ? 'var ghost' : 'var', transform: `translate(${box.x},${box.y})`, 'data-var': D.variables[v] }, layer);
    el('rect', { x: -box.w / 2, y: -box.h / 2, width: box.w, height: box.h, rx: 3 }, g);
    el('text', { x: 0, y: 0 }, g, D.variables[v]);
  }
  const reducedMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  // ---- the text around the drawing ----
  function tell(m) {
    const phaseEl = $('phase');
    phaseEl.className = '';
    phaseEl.textContent = '';
    const statement = D.source[m.step.line - 1] || '';
    if (m.phase === 0) {
      const say = /^\s*say\s+(.*)$/.exec(statement);
      if (say) {
        phaseEl.className = 'say';
        phaseEl.textContent = say[1].replace(/\s+#.*$/, '');
      } else {
        phaseEl.append(`Line ${m.step.line}: `);
        const c = document.createElement('code');
        c.textContent = statement.replace(/\s*#.*$/, '').trim();
        phaseEl.append(c);
      }
    } else {
      phaseEl.textContent = m.text;
    }
    const events = $('events');
    events.textContent = '';
    for (const [text, cls] of m.events) {
      if (cls === '' && text.startsWith('|')) continue;  // narration and statistics: shown as the phase text
      const li = document.createElement('li');
      li.textContent = text;
      if (cls) li.className = cls;
      events.appendChild(li);
    }
    const said = [];
    if (m.phase === 0 && m.text) said.push(`Freed by reference counting: ${m.text}.`);
    if (m.phase === 0 && m.freedByCollector.length)
      said.push(`The collector freed ${names(m.freedByCollector)} (step back with ← to see how).`);
    $('chain').textContent = said.join(' ');
    // Only the line that was highlighted changes back: a long script has thousands of lines.
    if (highlighted) highlighted.classList.remove('current', 'failed');
    highlighted = lines[m.step.line - 1];
    if (highlighted) {
      highlighted.classList.add(m.step.error ? 'failed' : 'current');
      const top = (m.step.line - 1) * lineHeight + codePadding;
      if (top < codeView.top || top + lineHeight > codeView.top + codeView.height)
        code.parentElement.scrollTop = codeView.top = Math.max(0, Math.min(top - codeView.height / 3, lines.length * lineHeight - codeView.height));
    }
    const sub = m.phase === 0 ? '' : `, collection step ${m.phase} of ${collectionSteps(m)}`;
    $('position').textContent = `Step ${m.stepIndex + 1} of ${D.steps.length}${sub} (frame ${m.f + 1} of ${D.frames.length})`;
  }
  function names(ids) {
    const n = ids.map((id) => D.objects[id]);
    if (n.length > 8) return `${n.slice(0, 7).join(', ')}, … and ${n.length - 7} more`;
    return n.length < 2 ? n.join('') : `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`;
  }
  function collectionSteps(m) {
    let n = 0;
    for (const fr of D.frames) if (fr[0] === m.stepIndex && fr[2] === D.frames[m.f][2] && fr[1] !== 'statement') ++n;
    return n;
  }

  // ---- stepping ----
  let current = 0;
  function show(f) {
    if (!D.frames.length) return;
    current = Math.max(0, Math.min(D.frames.length - 1, f));
    slider.value = String(current);
    const m = frameModel(current);
    draw(m);
    tell(m);
    $('prev').disabled = $('first').disabled = current === 0;
    $('next').disabled = $('last').disabled = current === D.frames.length - 1;
    document.body.dataset.frame = String(current);
    document.body.dataset.step = String(m.stepIndex);
    document.body.dataset.phase = PHASES[m.phase];
  }
  // The next frame that is a statement (skipping a collection's sub-steps), forwards or backwards.
  function statementFrame(from, dir) {
    for (let f = from + dir; f >= 0 && f < D.frames.length; f += dir) if (D.frames[f][1] === 'statement') return f;
    return dir > 0 ? D.frames.length - 1 : 0;
  }
  $('first').addEventListener('click', () => show(0));
  $('prev').addEventListener('click', () => show(current - 1));
  $('next').addEventListener('click', () => show(current + 1));
  $('last').addEventListener('click', () => show(D.frames.length - 1));
  slider.addEventListener('input', () => show(Number(slider.value)));
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const keys = {
      ArrowRight: () => current + 1, ArrowDown: () => current + 1, ArrowLeft: () => current - 1, ArrowUp: () => current - 1,
      PageDown: () => statementFrame(current, 1), PageUp: () => statementFrame(current, -1),
      Home: () => 0, End: () => D.frames.length - 1,
    };
    if (!(e.key in keys)) return;
    e.preventDefault();  // the slider, when focused, would step a second time
    show(keys[e.key]());
  });
  show(0);
  // Read-only access to the recording for tests and tools: the objects of the picture after a
  // statement step, as the page would draw them ({label, refs, weak}), or null when too many.
  window.pyheapView = Object.freeze({
    steps: D.steps.length,
    picture(step) {
      const p = pictureAfter(step);
      if (p.many) return null;
      return [...p.o].map(([id, s]) => ({ label: D.objects[id], refs: s.rc, weak: isWeak(id) }));
    },
  });
})();
