// The explorer on the page: controls, a backdrop image rendered once by matplotlib, and an SVG layer
// where each run is drawn. It needs no kernel: a control's move reruns `fit` (train.js) in the browser.
// Joined after train.js into one ES module (the widget's `_esm`), so `fit` and `MODELS` are in scope.

const SVGNS = 'http://www.w3.org/2000/svg';

function resolve(v, values) {
  if (typeof v === 'string' && v.startsWith('$')) return values[v.slice(1)];
  // {$select: control, cases: {value: recipe}}: the recipe of the control's current value (e.g. the optimizer chosen)
  if (v && typeof v === 'object' && '$select' in v) return resolve(v.cases[String(values[v.$select])], values);
  // {$affine: [[coef, control], ...]}: 0 + coef·value + ..., in that order (a start given on another scale)
  if (v && typeof v === 'object' && '$affine' in v) return v.$affine.reduce((acc, [c, n]) => acc + c * values[n], 0);
  if (Array.isArray(v)) return v.map(w => resolve(w, values));
  if (v && typeof v === 'object') { const o = {}; for (const k in v) o[k] = resolve(v[k], values); return o; }
  return v;
}

// The runs a spec asks for, from the controls' values: `$name` refers to a control. A spec has one
// `run` or a list of `runs`; a series names the run it draws (`run`, default 0).
// Seeded rows y = a·x + b + noise·z (the seed's draws come in the recipe) and their least-squares line,
// shaped like a run: the line as the one entry of its history, the root of the summed squared residuals as its error.
export function lstsqRun({x, z, a, b, noise}) {
  const n = x.length, y = x.map((xi, i) => a * xi + b + noise * z[i]);
  const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0; for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  const fa = sxy / sxx, fb = my - fa * mx;
  const err = Math.sqrt(y.reduce((s, yi, i) => s + (yi - (fa * x[i] + fb)) ** 2, 0));
  return {x, y, params: {a: fa, b: fb}, history: {a: [fa], b: [fb]}, sq_errs: [], epoch_errors: [err], diverged: false, first_bad: -1};
}

export function runsFor(spec, values) {
  return (spec.runs || [spec.run]).map(r => {
    const rr = resolve(r, values), out = rr.kind === 'lstsq' ? lstsqRun(rr) : fit(rr);
    out.x = out.x || rr.x; out.y = out.y || rr.y; return out;
  });
}

function source(run, name, spec, s = {}) {
  if (name === 'step_len') {  // length of each update in the (a, b) plane, clipped; non-finite as a gap
    const a = run.history.a, b = run.history.b, out = [];
    for (let i = 1; i < a.length; i++) {
      const v = Math.hypot(a[i] - a[i - 1], b[i] - b[i - 1]);
      out.push(Number.isFinite(v) ? Math.min(Math.max(v, s.clip ? s.clip[0] : v), s.clip ? s.clip[1] : v) : NaN);
    }
    return out;
  }
  if (name === 'max_abs_weight' || name === 'max_abs_grad') {  // the largest |weight| entering each step, or |derivative| used
    const src = name === 'max_abs_grad' ? run.grads : run.history, ks = Object.keys(src);
    return Array.from(run.sq_errs, (_, i) => Math.max(...ks.map(k => Math.abs(src[k][i]))));
  }
  if (name === 'dead_fraction') {  // share of the rows on which the ReLU is inactive (a·x + b <= 0), entering each step
    const a = run.history.a, b = run.history.b, n = run.x.length;
    return Array.from(a, (ai, i) => (Number.isFinite(ai) && Number.isFinite(b[i]) ? run.x.filter(x => ai * x + b[i] <= 0).length / n : NaN));
  }
  if (name === 'epoch_frac') { const n = run.x.length; return Array.from(run.history.a, (_, i) => i / n); }  // step i as a fraction of epochs
  if (name === 'rows.x') return run.x;
  if (name === 'rows.y') return run.y;
  if (name === 'step') return Array.from(run.sq_errs, (_, i) => i);
  if (name === 'row') return Array.from(run.sq_errs, (_, i) => i + 1);
  if (name === 'epoch') return Array.from(run.epoch_errors, (_, i) => i + 1);
  if (name === 'sq_errs') return run.sq_errs;
  if (name === 'abs_errs') return Array.from(run.sq_errs, Math.sqrt);
  if (name === 'epoch_errors') return run.epoch_errors;
  if (name.startsWith('history.')) return run.history[name.slice(8)];
  if (name.startsWith('epochs.')) { const h = run.history[name.slice(7)], n = run.sq_errs.length / run.epoch_errors.length; return h.filter((_, i) => i % n === 0); }
  throw new Error(`unknown series source ${name}`);
}

// The model's prediction line at the run's final weights, across the panel's x range (200 points).
function predictionLine(run, spec, panel, step, un) {
  const m = MODELS[(spec.runs || [spec.run])[0].model], n = 200, xs = [], ys = [];
  const p = {}; for (const k in run.history) { const h = run.history[k]; p[k] = h[step === undefined ? h.length - 1 : step]; }
  for (let i = 0; i < n; i++) {
    const x = panel.xlim[0] + (panel.xlim[1] - panel.xlim[0]) * i / (n - 1);
    xs.push(x); ys.push(m.predict(p, un ? (x - un[0]) / un[1] : x));  // a model trained on z = (x − mean)/std
  }
  return [xs, ys];
}

// Weights of a line fitted on z = (x − mean)/std, expressed on x (as the package's `unstandardize`).
function rawWeights(run, un) {
  const a = run.history.a, b = run.history.b;
  return {a: Array.from(a, v => v / un[1]), b: Array.from(b, (v, i) => v - a[i] * un[0] / un[1])};
}

// An axis that follows the numbers drawn on it, as the package's explorers do: linear from 0 while they
// span less than a decade, log decades otherwise. Returns {lim, log, ticks}.
export function autoScale(values) {
  const ok = Array.from(values).filter(v => Number.isFinite(v) && v > 0);
  const lo = ok.length ? Math.min(...ok) : 1, hi = ok.length ? Math.max(...ok) : 10;
  if (hi <= 10 * lo) {
    const top = hi * 1.1, raw = top / 4, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map(k => k * mag).find(k => k >= raw);
    const ticks = []; for (let t = 0; t <= top + 1e-9 * top; t += step) ticks.push(+t.toPrecision(12));
    return {lim: [0, top], log: false, ticks};
  }
  const l0 = Math.floor(Math.log10(lo)), l1 = Math.ceil(Math.log10(hi)), every = Math.ceil((l1 - l0) / 5), ticks = [];
  for (let l = l0; l <= l1; l += every) ticks.push(10 ** l);
  return {lim: [10 ** l0, 10 ** l1], log: true, ticks};
}

function scale(v, lim, log) { return log ? (Math.log10(v) - Math.log10(lim[0])) / (Math.log10(lim[1]) - Math.log10(lim[0])) : (v - lim[0]) / (lim[1] - lim[0]); }

// Pixel coordinates of the points of a series in its panel; non-finite points (and non-positive ones on a
// log axis) break the line into pieces.
export function pieces(xs, ys, panel) {
  const [x0, y0, w, h] = panel.bbox, out = [];
  let cur = [];
  for (let i = 0; i < xs.length; i++) {
    const ok = Number.isFinite(xs[i]) && Number.isFinite(ys[i]) && !(panel.xlog && xs[i] <= 0) && !(panel.ylog && ys[i] <= 0);
    if (!ok) { if (cur.length) out.push(cur); cur = []; continue; }
    const px = x0 + w * scale(xs[i], panel.xlim, panel.xlog), py = y0 + h * (1 - scale(ys[i], panel.ylim, panel.ylog));
    // far outside the panel the exact position no longer matters (and SVG dislikes huge numbers)
    cur.push([Math.max(-1e5, Math.min(1e5, px)), Math.max(-1e5, Math.min(1e5, py))]);
  }
  if (cur.length) out.push(cur);
  return out;
}

function fmt(v, f) {
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  const m = /^\.(\d+)([efg])$/.exec(f || '.3g');
  if (!m) return String(v);
  const d = +m[1];
  if (m[2] === 'f') return v.toFixed(d);
  if (m[2] === 'e') return v.toExponential(d).replace(/e([+-])(\d)$/, 'e$10$2');
  return Number(v.toPrecision(Math.max(d, 1))).toString();
}

// A lookup table computed in Python for every position of a control (e.g. the epoch radius per lr):
// {control, keys, values}; the value at the key nearest the control's value.
function lookup(table, values) {
  const v = values[table.control]; let best = 0;
  table.keys.forEach((k, i) => { if (Math.abs(Math.log(k / v)) < Math.abs(Math.log(table.keys[best] / v))) best = i; });
  return table.values[best];
}

// A single number of a series: '$name' a control's value, '@name' a lookup, or a number.
function scalar(v, values, spec) {
  if (typeof v === 'string' && v.startsWith('$')) return values[v.slice(1)];
  if (typeof v === 'string' && v.startsWith('@')) return lookup(spec.lookups[v.slice(1)], values);
  return v;
}

// Numbers a caption can show: {final_error}, {a}, {b}, ..., {diverged_epoch} and the controls' values.
function numbers(runs, values, spec) {
  const run = runs[runs.length - 1], out = {...values}, n = run.sq_errs.length / run.epoch_errors.length, e = run.epoch_errors;
  runs.forEach((r, i) => {
    const ee = r.epoch_errors; out[`final_error_${i}`] = ee[ee.length - 1];
    out[`status_${i}`] = r.diverged ? `diverged at row ${(r.first_bad % n) + 1} of epoch ${Math.floor(r.first_bad / n) + 1}` : 'trained';
  });
  out.final_error = e[e.length - 1]; out.first_error = e[0]; out.epochs_run = e.length;
  for (const k in run.params) out[k] = run.params[k];
  for (const k in spec.lookups || {}) out[k] = lookup(spec.lookups[k], values);
  if (run.x && run.history.a.length === 1) { out.slope_off = run.params.a - values.slope; out.intercept_off = run.params.b - 30; }
  out.status = run.diverged ? `diverged in epoch ${Math.floor(run.first_bad / n) + 1}` : 'trained';
  return out;
}

function caption(template, nums) {
  return template.replace(/\{(\w+)(?::([^}]+))?\}/g, (_, k, f) => (k in nums ? (typeof nums[k] === 'number' ? fmt(nums[k], f) : String(nums[k])) : `{${k}}`));
}

function control(c, value, onchange) {
  const row = document.createElement('label'), name = document.createElement('span'), out = document.createElement('output');
  row.className = 'gd-control'; name.textContent = c.label || c.name; name.className = 'gd-label';
  let input;
  if (c.kind === 'check') {
    input = document.createElement('input'); input.type = 'checkbox'; input.checked = !!value;
    input.gdValue = () => input.checked;
  } else if (c.kind === 'select') {
    input = document.createElement('select');
    for (const o of c.options) { const op = document.createElement('option'); op.value = o; op.textContent = o; input.appendChild(op); }
    input.value = value;
  } else {
    input = document.createElement('input'); input.type = 'range';
    const toPos = v => (c.kind === 'log' ? Math.log10(v) : v), fromPos = p => (c.kind === 'log' ? 10 ** p : p);
    input.min = toPos(c.min); input.max = toPos(c.max); input.step = c.step; input.value = toPos(value);
    input.gdValue = () => { const p = +input.value; return c.kind === 'int' ? Math.round(p) : fromPos(p); };
  }
  input.setAttribute('aria-label', c.label || c.name);
  input.dataset.control = c.name;
  const read = () => (input.gdValue ? input.gdValue() : input.value);
  const show = () => { out.textContent = (c.kind === 'select' || c.kind === 'check') ? '' : fmt(read(), c.format); };
  input.addEventListener(c.kind === 'check' ? 'change' : 'input', () => { show(); onchange(c.name, read()); });
  show(); row.append(name, input, out);
  return row;
}

// The part of the x range where the ReLU of a sandwich is inactive (a·x + b <= 0) at step `at`, shaded.
function drawInactive(g, run, panel, at, un, s) {
  const a = run.history.a[at], b = run.history.b[at], [x0, y0, w, h] = panel.bbox;
  const toX = z => (un ? z * un[1] + un[0] : z);  // the model reads z = (x − mean)/std: its boundary, on raw x
  let lo = panel.xlim[0], hi = panel.xlim[1];
  if (!(Number.isFinite(a) && Number.isFinite(b))) { g.replaceChildren(); return; }
  if (a === 0) { if (b > 0) { g.replaceChildren(); return; } }
  else if (a > 0) hi = Math.min(hi, toX(-b / a)); else lo = Math.max(lo, toX(-b / a));
  if (hi <= lo) { g.replaceChildren(); return; }
  const r = document.createElementNS(SVGNS, 'rect'), p0 = x0 + w * scale(lo, panel.xlim, false), p1 = x0 + w * scale(hi, panel.xlim, false);
  [['x', p0], ['y', y0], ['width', p1 - p0], ['height', h], ['fill', s.color || '#999999'], ['fill-opacity', 0.25]].forEach(([k, v]) => r.setAttribute(k, v));
  g.replaceChildren(r);
}

function drawTicks(g, panel, a, spec) {
  const [x0, y0, w, h] = panel.bbox, size = spec.tickSize || 25, label = v => (a.log ? `1e${Math.round(Math.log10(v))}` : fmt(v, '.4g'));
  g.replaceChildren(...a.ticks.flatMap(v => {
    const y = y0 + h * (1 - scale(v, a.lim, a.log)), line = document.createElementNS(SVGNS, 'line'), t = document.createElementNS(SVGNS, 'text');
    [['x1', x0], ['x2', x0 + w], ['y1', y], ['y2', y], ['stroke', '#dddddd'], ['stroke-width', 2]].forEach(([k, v2]) => line.setAttribute(k, v2));
    [['x', x0 - size * 0.35], ['y', y + size * 0.35], ['text-anchor', 'end'], ['font-size', size], ['font-family', 'DejaVu Sans, sans-serif']].forEach(([k, v2]) => t.setAttribute(k, v2));
    t.textContent = label(v);
    return [line, t];
  }));
}

function render({model, el}) {
  const spec = model.get('spec'), root = document.createElement('div');
  root.className = 'gd-explorer'; root.dataset.spec = spec.id;
  // in JupyterLab, keys pressed on a control move the control, not the notebook (its shortcuts stay out)
  root.setAttribute('data-lm-suppress-shortcuts', 'true');
  root.addEventListener('keydown', e => e.stopPropagation());
  const values = {...spec.values, ...(model.get('values') || {})};
  const controls = document.createElement('div'); controls.className = 'gd-controls';
  const stage = document.createElement('div'); stage.className = 'gd-stage';
  stage.style.position = 'relative'; stage.style.maxWidth = `${spec.width}px`;
  const img = document.createElement('img'); img.src = `data:image/png;base64,${model.get('backdrop')}`;
  img.style.width = '100%'; img.style.display = 'block'; img.alt = spec.alt || '';
  const svg = document.createElementNS(SVGNS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${spec.width} ${spec.height}`);
  Object.assign(svg.style, {position: 'absolute', left: 0, top: 0, width: '100%', height: '100%', overflow: 'hidden'});
  const defs = document.createElementNS(SVGNS, 'defs'); svg.appendChild(defs);
  spec.panels.forEach((p, i) => {
    const cp = document.createElementNS(SVGNS, 'clipPath'); cp.id = `gd-clip-${spec.id}-${i}`;
    const r = document.createElementNS(SVGNS, 'rect');
    [['x', p.bbox[0]], ['y', p.bbox[1]], ['width', p.bbox[2]], ['height', p.bbox[3]]].forEach(([k, v]) => r.setAttribute(k, v));
    cp.appendChild(r); defs.appendChild(cp);
  });
  const axisGroups = spec.panels.map(() => { const g = document.createElementNS(SVGNS, 'g'); svg.appendChild(g); return g; });
  const groups = spec.series.map(s => {
    const g = document.createElementNS(SVGNS, 'g'); g.setAttribute('clip-path', `url(#gd-clip-${spec.id}-${s.panel})`);
    svg.appendChild(g); return g;
  });
  const texts = (spec.texts || []).map(t => {
    const e = document.createElementNS(SVGNS, 'text');
    e.setAttribute('x', t.x); e.setAttribute('y', t.y); e.setAttribute('text-anchor', t.anchor || 'middle');
    e.setAttribute('font-size', t.size || 22); e.setAttribute('font-family', 'DejaVu Sans, sans-serif');
    svg.appendChild(e); return e;
  });
  stage.append(img, svg);
  const draw = () => {
    const runs = runsFor(spec, values);
    spec.series.forEach((s, i) => {
      let panel = spec.panels[s.panel];
      const run = runs[s.run || 0], un = s.unstd ? resolve(s.unstd, values) : null;
      const raw = un && s.kind !== 'prediction' ? rawWeights(run, un) : null;
      const src = name => (raw && (name === 'history.a' || name === 'history.b') ? raw[name.slice(8)] : source(run, name, spec, s));
      const at = s.at === undefined ? undefined : Math.max(0, Math.min(run.history.a.length - 1, Math.round(scalar(s.at, values, spec))));
      if (s.kind === 'inactive') { drawInactive(groups[i], run, panel, at, un, s); return; }
      if (s.kind === 'abline') {  // a fixed line y = a·x + b across the panel (a and b may be controls)
        const la = scalar(s.a, values, spec), lb = scalar(s.b, values, spec), xs2 = panel.xlim, ys2 = xs2.map(v => la * v + lb);
        const l = document.createElementNS(SVGNS, 'polyline');
        l.setAttribute('points', pieces(xs2, ys2, panel)[0].map(([u, v]) => `${u.toFixed(2)},${v.toFixed(2)}`).join(' '));
        l.setAttribute('fill', 'none'); l.setAttribute('stroke', s.color || '#4d4d4d'); l.setAttribute('stroke-width', s.width || 3);
        if (s.dash) l.setAttribute('stroke-dasharray', s.dash);
        groups[i].replaceChildren(l); return;
      }
      if (s.kind === 'vline') {
        const v = scalar(s.x, values, spec) * (s.xscale || 1), [x0, y0, w, h] = panel.bbox, px = x0 + w * scale(v, panel.xlim, panel.xlog);
        const l = document.createElementNS(SVGNS, 'line');
        [['x1', px], ['x2', px], ['y1', y0], ['y2', y0 + h], ['stroke', s.color || 'black'], ['stroke-width', 2]].forEach(([k, v2]) => l.setAttribute(k, v2));
        groups[i].replaceChildren(l); return;
      }
      let [xs, ys] = s.kind === 'prediction' ? predictionLine(run, spec, panel, at, un)
        : s.kind === 'point' ? [[scalar(s.x, values, spec)], [scalar(s.y, values, spec)]] : [src(s.x), src(s.y)];
      if (panel.autoscale) {  // this panel's y axis follows the run: scale, ticks and grid drawn here
        const a = autoScale(ys); panel = {...panel, ylim: a.lim, ylog: a.log};
        drawTicks(axisGroups[s.panel], panel, a, spec);
      }
      const g = groups[i], pts = pieces(xs, ys, panel);
      if (s.kind === 'point' || s.kind === 'scatter' || s.marker) {
        g.replaceChildren(...pts.flat().map(([a, b]) => {
          const c = document.createElementNS(SVGNS, 'circle');
          c.setAttribute('cx', a.toFixed(2)); c.setAttribute('cy', b.toFixed(2)); c.setAttribute('r', s.size || 9);
          c.setAttribute('fill', s.color || '#ff7f0e'); return c;
        }));
        if (s.kind === 'point' || s.kind === 'scatter') return;
      }
      const dots = s.marker ? Array.from(g.childNodes) : [];
      g.replaceChildren(...dots, ...pts.map(piece => {
        const pl = document.createElementNS(SVGNS, 'polyline');
        pl.setAttribute('points', piece.map(([a, b]) => `${a.toFixed(2)},${b.toFixed(2)}`).join(' '));
        pl.setAttribute('fill', 'none'); pl.setAttribute('stroke', s.color || '#1f77b4');
        pl.setAttribute('stroke-width', s.width || 3); if (s.dash) pl.setAttribute('stroke-dasharray', s.dash);
        return pl;
      }));
    });
    const nums = numbers(runs, values, spec);
    (spec.texts || []).forEach((t, i) => { texts[i].textContent = caption(t.template, nums); });
    const plain = r => { const h = {}; for (const k in r.history) h[k] = Array.from(r.history[k]); return {history: h, epoch_errors: Array.from(r.epoch_errors)}; };
    const all = runs.map(plain), last = all[all.length - 1];
    el.gdRun = root.gdRun = {values: {...values}, history: last.history, epoch_errors: last.epoch_errors, runs: all};
    el.dataset.draws = root.dataset.draws = String(+(root.dataset.draws || 0) + 1);
  };
  // latency of a move: from the key press (or pointer) to the frame after the redraw, kept for `make bench`
  let t0 = null; root.gdLatency = [];
  root.addEventListener('keydown', () => { t0 = performance.now(); }, true);
  root.addEventListener('pointerdown', () => { t0 = performance.now(); }, true);
  spec.controls.forEach(c => controls.appendChild(control(c, values[c.name], (k, v) => {
    values[k] = v; draw();
    if (t0 !== null) { const s0 = t0; t0 = null; requestAnimationFrame(() => root.gdLatency.push(performance.now() - s0)); }
    try { model.set('values', {...values}); model.save_changes(); } catch (e) { /* a page without a kernel has no one to tell */ }
  })));
  root.append(controls, stage);
  el.appendChild(root);
  draw();
}

export default {render};
