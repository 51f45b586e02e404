// The explorer on the page: its controls, a status line that says what the run did, and the drawing: a
// backdrop picture that matplotlib rendered once, with each run drawn over it in SVG. It needs no kernel: a
// control's move reruns `fit` (train.js) in the browser. Joined after train.js and status.js into one ES
// module (the widget's `_esm`), so `fit`, `MODELS`, `fmt`, `numText` and `runStatus` are in scope.
// The spec it reads is made by `page_explorer` (gd_notebooks.pageexplorer), which documents every field.

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

// Seeded rows y = a·x + b + noise·z (the seed's draws come in the recipe) and their least-squares line (from the
// normal equations, summed in row order; `_lstsq_recipe` in Python does the same operations), shaped like a run: the line as the one entry of its history, the root of the summed squared residuals as its error.
export function lstsqRun({x, z, a, b, noise}) {
  const n = x.length, y = x.map((xi, i) => a * xi + b + noise * z[i]);
  let sx = 0, sy = 0; for (let i = 0; i < n; i++) { sx += x[i]; sy += y[i]; }
  const mx = sx / n, my = sy / n;
  let sxy = 0, sxx = 0; for (let i = 0; i < n; i++) { const dx = x[i] - mx; sxy += dx * (y[i] - my); sxx += dx * dx; }
  const fa = sxy / sxx, fb = my - fa * mx;
  let e2 = 0; for (let i = 0; i < n; i++) { const r = y[i] - (fa * x[i] + fb); e2 += r * r; }
  return {x, y, params: {a: fa, b: fb}, history: {a: [fa], b: [fb]}, sq_errs: [], epoch_errors: [Math.sqrt(e2)], diverged: false, first_bad: -1, lstsq: true};
}

// The runs a spec asks for, from the controls' values: `$name` refers to a control. A spec has one
// `run` or a list of `runs`; a series names the run it draws (`run`, default 0).
export function runsFor(spec, values) {
  return (spec.runs || [spec.run]).map(r => {
    const rr = resolve(r, values), out = rr.kind === 'lstsq' ? lstsqRun(rr) : fit(rr);
    out.x = out.x || rr.x; out.y = out.y || rr.y; out.model = rr.model; return out;
  });
}

function source(run, name, s = {}) {
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
  if (name.startsWith('epochs.')) { const h = run.history[name.slice(7)], n = run.x.length; return h.filter((_, i) => i % n === 0); }
  throw new Error(`unknown series source ${name}`);
}

// The weights at step `at` (the last ones when undefined).
function weightsAt(run, at) {
  const p = {}; for (const k in run.history) { const h = run.history[k]; p[k] = h[at === undefined ? h.length - 1 : at]; }
  return p;
}

// The model's prediction line at step `at` (the run's final weights when undefined), across the panel's x range (200 points).
function predictionLine(run, panel, at, un) {
  const m = MODELS[run.model], n = 200, xs = [], ys = [], p = weightsAt(run, at);
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

// An axis that follows the numbers drawn on it: linear from 0 while they span less than a decade, log decades
// otherwise. Returns {lim, log, ticks}. (`autoscale_axis` in Python.)
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

// Where v falls along an axis of limits `lim`: 0 at the first limit, 1 at the second.
export function scale(v, lim, log) { return log ? (Math.log10(v) - Math.log10(lim[0])) / (Math.log10(lim[1]) - Math.log10(lim[0])) : (v - lim[0]) / (lim[1] - lim[0]); }

// How far outside its panel a drawn point may fall (a share of the panel) before the run is "off the chart".
export const OFF_TOLERANCE = 0.01;

// Pixel coordinates of the points of a series in its panel; non-finite points (and non-positive ones on a
// log axis) break the line into pieces. `off` says whether a drawable point lies outside the panel.
export function pieces(xs, ys, panel, checkY = true) {
  const [x0, y0, w, h] = panel.bbox, out = [];
  let cur = [], off = false;
  for (let i = 0; i < xs.length; i++) {
    const ok = Number.isFinite(xs[i]) && Number.isFinite(ys[i]) && !(panel.xlog && xs[i] <= 0) && !(panel.ylog && ys[i] <= 0);
    if (!ok) { if (cur.length) out.push(cur); cur = []; continue; }
    const u = scale(xs[i], panel.xlim, panel.xlog), v = scale(ys[i], panel.ylim, panel.ylog);
    if (u < -OFF_TOLERANCE || u > 1 + OFF_TOLERANCE || (checkY && (v < -OFF_TOLERANCE || v > 1 + OFF_TOLERANCE))) off = true;
    // far outside the panel the exact position no longer matters (and SVG dislikes huge numbers)
    cur.push([Math.max(-1e5, Math.min(1e5, x0 + w * u)), Math.max(-1e5, Math.min(1e5, y0 + h * (1 - v)))]);
  }
  if (cur.length) out.push(cur);
  return {pts: out, off};
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

// Rows on which a ReLU sandwich's unit is inactive (a·x + b <= 0) at the run's final weights, on the rows it reads.
export function deadRows(run) {
  const p = weightsAt(run);
  if (!(Number.isFinite(p.a) && Number.isFinite(p.b))) return null;
  return run.x.filter(x => p.a * x + p.b <= 0).length;
}

// The status of each run: the rules of status.js, given what was drawn of it.
export function statuses(runs, spec, off) {
  const opts = spec.status === false ? null : (spec.status || {});
  return runs.map((r, i) => {
    if (!opts) return {kind: 'none', text: ''};
    if (r.lstsq) return {kind: 'least squares', text: `least-squares line: error ${fmt(r.epoch_errors[0], '.4g')}`};
    const dead = opts.dead ?? r.model === 'ReLUSandwich';  // a ReLU model counts its dead rows unless the spec says not to
    return runStatus({epoch_errors: r.epoch_errors, first_bad: r.first_bad, rows: r.x.length, dead: dead ? deadRows(r) : null, off: !!off[i]});
  });
}

// Numbers a caption can show: the controls' values, {final_error}, {first_error}, {epochs_run}, {a}, {b}, ... of the
// main run, {final_error_i} and {status_i} of run i, {status}, and the lookups.
function numbers(runs, values, spec, stats) {
  const main = spec.main ?? runs.length - 1, run = runs[main], out = {...values}, e = run.epoch_errors;
  runs.forEach((r, i) => { const ee = r.epoch_errors; out[`final_error_${i}`] = ee[ee.length - 1]; out[`status_${i}`] = stats[i].text; });
  out.final_error = e[e.length - 1]; out.first_error = e[0]; out.epochs_run = e.length; out.status = stats[main].text;
  for (const k in run.params) out[k] = run.params[k];
  for (const k in spec.lookups || {}) out[k] = lookup(spec.lookups[k], values);
  if (run.lstsq && 'slope' in values) { out.slope_off = run.params.a - values.slope; out.intercept_off = run.params.b - 30; }
  return out;
}

export function caption(template, nums) {
  return template.replace(/\{(\w+)(?::([^}]+))?\}/g, (_, k, f) => (k in nums ? (typeof nums[k] === 'number' ? fmt(nums[k], f) : String(nums[k])) : `{${k}}`));
}

function svgEl(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

// Whether a control does something for the values of the others (spec option `enabled_when`: {control: [values]}).
export function enabled(c, values) {
  return !c.enabled_when || Object.entries(c.enabled_when).every(([k, vs]) => vs.some(v => v === values[k]));
}

// One control: a slider over its grid of positions (each shown as Python printed it), a choice, or a box to tick.
function control(c, value, onchange) {
  const row = document.createElement('label'), name = document.createElement('span'), out = document.createElement('output');
  row.className = `gd-control gd-control-${c.kind}`; name.textContent = c.label || c.name; name.className = 'gd-label';
  out.setAttribute('aria-hidden', 'true');
  let input, read, show;
  if (c.kind === 'check') {
    input = document.createElement('input'); input.type = 'checkbox';
    read = () => input.checked;
    show = v => { input.checked = !!v; };
    // End, Home and the page keys do nothing to a box: they must not scroll the page under the reader either
    input.addEventListener('keydown', e => { if (['End', 'Home', 'PageUp', 'PageDown'].includes(e.key)) e.preventDefault(); });
  } else if (c.kind === 'select') {
    input = document.createElement('select');
    for (const o of c.options) { const op = document.createElement('option'); op.value = o; op.textContent = o; input.appendChild(op); }
    read = () => input.value;
    show = v => { input.value = v; };
  } else {
    input = document.createElement('input'); input.type = 'range';
    input.min = 0; input.max = c.grid.length - 1; input.step = 1;
    const at = v => { let best = 0; c.grid.forEach((g, i) => { if (Math.abs(g - v) < Math.abs(c.grid[best] - v)) best = i; }); return best; };
    read = () => c.grid[+input.value];
    show = v => { const i = at(v); input.value = i; out.textContent = c.texts[i]; input.setAttribute('aria-valuetext', c.texts[i]); };
  }
  input.setAttribute('aria-label', c.label || c.name);
  input.dataset.control = c.name;
  show(value);
  input.addEventListener(c.kind === 'check' || c.kind === 'select' ? 'change' : 'input', () => { const v = read(); show(v); onchange(c.name, v); });
  row.append(name, input);
  if (c.kind !== 'check' && c.kind !== 'select') row.append(out);
  return {row, input, show, c};
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
  const p0 = x0 + w * scale(lo, panel.xlim, false), p1 = x0 + w * scale(hi, panel.xlim, false);
  g.replaceChildren(svgEl('rect', {x: p0, y: y0, width: p1 - p0, height: h, fill: s.color || '#999999', 'fill-opacity': 0.25}));
}

function drawTicks(g, panel, a, spec) {
  const [x0, y0, w, h] = panel.bbox, size = spec.tickSize || 24, label = v => (a.log ? `1e${Math.round(Math.log10(v))}` : fmt(v, '.4g'));
  g.replaceChildren(...a.ticks.flatMap(v => {
    const y = y0 + h * (1 - scale(v, a.lim, a.log)), t = svgEl('text', {x: x0 - size * 0.35, y: y + size * 0.35, 'text-anchor': 'end', 'font-size': size, 'font-family': 'DejaVu Sans, sans-serif', fill: '#000'});
    t.textContent = label(v);
    return [svgEl('line', {x1: x0, x2: x0 + w, y1: y, y2: y, stroke: '#dddddd', 'stroke-width': 2}), t];
  }));
}

function polyline(piece, s, fallback) {
  return svgEl('polyline', {points: piece.map(([a, b]) => `${a.toFixed(2)},${b.toFixed(2)}`).join(' '), fill: 'none', stroke: s.color || fallback,
                            'stroke-width': s.width || 3, ...(s.dash ? {'stroke-dasharray': s.dash} : {})});
}

// Draw series `s` of run `run` into group `g`; returns whether a drawn point left its panel.
function drawSeries(g, axis, s, run, spec, values) {
  let panel = spec.panels[s.panel];
  const un = s.unstd ? resolve(s.unstd, values) : null;
  const raw = un && s.kind !== 'prediction' && s.kind !== 'inactive' ? rawWeights(run, un) : null;
  const src = name => (raw && (name === 'history.a' || name === 'history.b') ? raw[name.slice(8)] : source(run, name, s));
  const at = s.at === undefined ? undefined : Math.max(0, Math.min(run.history.a.length - 1, Math.round(scalar(s.at, values, spec))));
  if (s.kind === 'inactive') { drawInactive(g, run, panel, at, un, s); return false; }
  if (s.kind === 'abline') {  // a fixed line y = a·x + b across the panel (a and b may be controls)
    const la = scalar(s.a, values, spec), lb = scalar(s.b, values, spec), xs = panel.xlim;
    const {pts} = pieces(xs, xs.map(v => la * v + lb), panel);
    g.replaceChildren(...pts.map(p => polyline(p, s, '#4d4d4d')));
    return false;
  }
  if (s.kind === 'vline') {
    const v = scalar(s.x, values, spec) * (s.xscale || 1), [x0, y0, w, h] = panel.bbox, px = x0 + w * scale(v, panel.xlim, panel.xlog);
    g.replaceChildren(svgEl('line', {x1: px, x2: px, y1: y0, y2: y0 + h, stroke: s.color || 'black', 'stroke-width': 2}));
    return false;
  }
  const [xs, ys] = s.kind === 'prediction' ? predictionLine(run, panel, at, un)
    : s.kind === 'point' ? [[scalar(s.x, values, spec)], [scalar(s.y, values, spec)]] : [src(s.x), src(s.y)];
  if (panel.autoscale) {  // this panel's y axis follows the run: scale, ticks and grid drawn here
    const a = autoScale(ys); panel = {...panel, ylim: a.lim, ylog: a.log};
    drawTicks(axis, panel, a, spec);
  }
  let {pts, off} = pieces(xs, ys, panel, !panel.autoscale);
  if (s.kind === 'prediction') {  // a model's line is off the chart where it leaves the panel over the rows' x
    const m = MODELS[run.model], p = weightsAt(run, at), rx = run.x.map(z => (un ? z * un[1] + un[0] : z));
    off = pieces(rx, rx.map(v => m.predict(p, un ? (v - un[0]) / un[1] : v)), panel).off;
  }
  const dots = (s.kind === 'point' || s.kind === 'scatter' || s.marker)
    ? pts.flat().map(([a, b]) => svgEl('circle', {cx: a.toFixed(2), cy: b.toFixed(2), r: s.size || 9, fill: s.color || '#ff7f0e'})) : [];
  const lines = s.kind === 'point' || s.kind === 'scatter' ? [] : pts.map(p => polyline(p, s, '#1f77b4'));
  g.replaceChildren(...lines, ...dots);
  return s.chart === false ? false : off;
}

// Shrink a text to its room: down to 80% of its size, then squeezed, so it never leaves its panel.
function fitText(e, t) {
  e.setAttribute('font-size', t.size); e.removeAttribute('textLength'); e.removeAttribute('lengthAdjust');
  if (!t.max_width || !e.getComputedTextLength) return;
  let len = 0;
  try { len = e.getComputedTextLength(); } catch (err) { return; }
  if (!(len > t.max_width)) return;  // 0 (not laid out yet) or fits
  const k = Math.max(0.8, t.max_width / len);
  e.setAttribute('font-size', t.size * k);
  if (len * k > t.max_width) { e.setAttribute('textLength', t.max_width); e.setAttribute('lengthAdjust', 'spacingAndGlyphs'); }
}

let mounted = 0;  // explorers mounted in this page: each gets its own element ids

function mount(model, el) {
  const spec = model.get('spec'), uid = `gd-${spec.id}-${++mounted}`, W = spec.width, H = spec.height;
  const values = {...spec.values, ...(model.get('values') || {})};
  const root = document.createElement('div');
  root.className = 'gd-explorer'; root.dataset.spec = spec.id; root.dataset.panels = spec.panels.length; root.id = uid; root.gdSpec = spec;
  // in JupyterLab, keys pressed on a control move the control, not the notebook (its shortcuts stay out)
  root.setAttribute('data-lm-suppress-shortcuts', 'true');
  root.addEventListener('keydown', e => e.stopPropagation());
  const controlsBox = document.createElement('div'); controlsBox.className = 'gd-controls';
  const statusLine = document.createElement('p'); statusLine.className = 'gd-status'; statusLine.id = `${uid}-status`;
  statusLine.setAttribute('role', 'status'); statusLine.setAttribute('aria-live', 'polite');
  const stage = document.createElement('div'); stage.className = 'gd-stage'; stage.setAttribute('role', 'img');
  stage.style.maxWidth = `${W}px`;
  const href = `data:image/png;base64,${model.get('backdrop')}`;
  const backdrop = () => svgEl('image', {href, x: 0, y: 0, width: W, height: H, preserveAspectRatio: 'none'});
  // the whole figure in one SVG; on a narrow screen each panel in its own, one under the other
  const wide = svgEl('svg', {viewBox: `0 0 ${W} ${H}`, class: 'gd-figure', 'aria-hidden': 'true', focusable: 'false'});
  wide.appendChild(backdrop());
  const layers = spec.panels.map((p, i) => {
    const layer = svgEl('g', {class: 'gd-panel', 'data-crop': (p.crop || [0, 0, W, H]).join(' ')}), axis = svgEl('g');
    const [x0, y0, w, h] = p.bbox, clip = svgEl('svg', {x: x0, y: y0, width: w, height: h, viewBox: `${x0} ${y0} ${w} ${h}`, overflow: 'hidden'});
    layer.append(axis, clip);
    return {layer, axis, clip};
  });
  const narrow = spec.panels.map((p, i) => {
    const [cx, cy, cw, ch] = p.crop || [0, 0, W, H];
    const s = svgEl('svg', {viewBox: `${cx} ${cy} ${cw} ${ch}`, class: 'gd-figure gd-panel-alone', 'aria-hidden': 'true', focusable: 'false'});
    const css = cw * 96 / (spec.dpi || 192);  // the panel's width at its own size, in CSS px
    s.style.maxWidth = `${css * 1.6}px`; s.style.minWidth = `${css * 0.8}px`;  // never below 80%: its 9-pt text at 9.6 px or more
    s.appendChild(backdrop());
    return s;
  });
  const groups = spec.series.map(s => { const g = svgEl('g'); layers[s.panel].clip.appendChild(g); return g; });
  const texts = (spec.texts || []).map(t => {
    const e = svgEl('text', {x: t.x, y: t.y, 'text-anchor': t.anchor || 'middle', 'font-size': t.size || 22, 'font-family': 'DejaVu Sans, sans-serif', fill: '#000'});
    layers[t.panel ?? 0].layer.appendChild(e); return e;
  });
  let stacked = null;
  const layout = () => {
    const want = root.clientWidth > 0 && root.clientWidth < 0.8 * W * 96 / (spec.dpi || 192);
    if (want === stacked) return;
    stacked = want;
    if (stacked) { layers.forEach((l, i) => narrow[i].appendChild(l.layer)); stage.replaceChildren(...narrow); }
    else { layers.forEach(l => wide.appendChild(l.layer)); stage.replaceChildren(wide); }
    stage.classList.toggle('gd-stacked', stacked);
    // a panel wider than the screen scrolls sideways: the stage then takes the keyboard too
    if (stacked && stage.scrollWidth > stage.clientWidth + 1) stage.tabIndex = 0; else stage.removeAttribute('tabindex');
    fitTexts();
  };
  const fitTexts = () => (spec.texts || []).forEach((t, i) => fitText(texts[i], t));
  const rows = spec.controls.map(c => control(c, values[c.name], (k, v) => {
    values[k] = v; draw();
    if (t0 !== null) { const s0 = t0; t0 = null; requestAnimationFrame(() => root.gdLatency.push(performance.now() - s0)); }
    try { model.set('values', {...values}); model.save_changes(); } catch (e) { /* a page without a kernel has no one to tell */ }
  }));
  const enable = () => rows.forEach(r => {
    const on = enabled(r.c, values);
    r.input.disabled = !on; r.row.classList.toggle('gd-disabled', !on);
  });
  const draw = () => {
    enable();
    const runs = runsFor(spec, values), off = runs.map(() => false);
    spec.series.forEach((s, i) => { if (drawSeries(groups[i], layers[s.panel].axis, s, runs[s.run || 0], spec, values)) off[s.run || 0] = true; });
    const stats = statuses(runs, spec, off), main = spec.main ?? runs.length - 1, nums = numbers(runs, values, spec, stats);
    (spec.texts || []).forEach((t, i) => { texts[i].textContent = caption(t.template, nums); });
    fitTexts();
    statusLine.textContent = stats[main].text; statusLine.dataset.kind = stats[main].kind;
    stage.setAttribute('aria-label', [spec.label || 'The explorer\'s drawing', stats[main].text].filter(Boolean).join('. '));
    const plain = (r, st) => { const h = {}; for (const k in r.history) h[k] = Array.from(r.history[k]); return {history: h, epoch_errors: Array.from(r.epoch_errors), status: st.text, kind: st.kind, off: off[runs.indexOf(r)]}; };
    const all = runs.map((r, i) => plain(r, stats[i])), last = all[all.length - 1];
    el.gdRun = root.gdRun = {values: {...values}, history: last.history, epoch_errors: last.epoch_errors, runs: all, status: stats[main].text, kind: stats[main].kind};
    el.dataset.draws = root.dataset.draws = String(+(root.dataset.draws || 0) + 1);
  };
  // latency of a move: from the key press (or pointer) to the frame after the redraw, kept for `make bench`
  let t0 = null; root.gdLatency = [];
  root.addEventListener('keydown', () => { t0 = performance.now(); }, true);
  root.addEventListener('pointerdown', () => { t0 = performance.now(); }, true);
  rows.forEach(r => controlsBox.appendChild(r.row));
  root.append(controlsBox, statusLine, stage);
  el.appendChild(root);
  layout();
  draw();
  // values set from Python (`ex.set(lr=...)`, `ex.values = ...`) move the controls and redraw
  const fromKernel = () => {
    const v = model.get('values') || {};
    if (Object.keys(v).every(k => v[k] === values[k])) return;
    Object.assign(values, v); rows.forEach(r => r.show(values[r.c.name])); draw();
  };
  model.on('change:values', fromKernel);
  let ro = null;
  if (typeof ResizeObserver !== 'undefined') { ro = new ResizeObserver(() => layout()); ro.observe(root); }
  return () => { if (ro) ro.disconnect(); model.off('change:values', fromKernel); root.remove(); };
}

function render({model, el}) {
  let destroy = mount(model, el);
  const again = () => { destroy(); destroy = mount(model, el); };
  model.on('change:spec', again);
  return () => { model.off('change:spec', again); destroy(); };
}

export default {render};
