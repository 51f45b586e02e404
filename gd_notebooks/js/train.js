// Per-row training of the course's models in the browser: the same arithmetic as the package's `fit`,
// operation for operation and in the same order (the epoch errors too: summed row by row, as `fit` does),
// so that an explorer on a page without a kernel shows the package's numbers.
// Models: 'Linear' a·x + b, 'TwoLinear' c·(a·x + b) + d, 'ReLUSandwich' c·max(a·x + b, 0) + d.
// Optimizers: {kind: 'SGD', lr}, {kind: 'Momentum', lr, beta, dampening}, {kind: 'RMSProp', lr, beta, eps, lagged, init}
// and {kind: 'Adam', lr, beta1, beta2, eps, debias, init}, with the package's defaults.

export const MODELS = {
  Linear: {
    names: ['a', 'b'],
    predict: (p, x) => p.b + p.a * x,
    grad(p, x, y) { const d = 2 * ((p.b + p.a * x) - y); return {a: d * x, b: d}; },
  },
  TwoLinear: {
    names: ['a', 'b', 'c', 'd'],
    predict: (p, x) => p.c * (p.a * x + p.b) + p.d,
    grad(p, x, y) {
      const r2 = 2 * ((p.c * (p.a * x + p.b) + p.d) - y), h = p.a * x + p.b;
      return {a: r2 * (p.c * x), b: r2 * p.c, c: r2 * h, d: r2 * 1};
    },
  },
  ReLUSandwich: {
    names: ['a', 'b', 'c', 'd'],
    predict: (p, x) => p.c * relu(p.a * x + p.b) + p.d,
    grad(p, x, y) {
      const h = p.a * x + p.b, on = h > 0, r = 2 * (p.c * relu(h) + p.d - y);
      return {a: on ? r * (p.c * x) : 0, b: on ? r * p.c : 0, c: on ? r * h : 0, d: r};
    },
  },
};

// numpy's maximum: NaN wins
function relu(h) { return Number.isNaN(h) ? h : (h > 0 ? h : 0); }

function sq(v) { return v * v; }

// The workbook's forward difference (err(w + h) − err(w)) / h, or the central one.
export function numericGrad(model, p, x, y, h = 0.01, central = false) {
  const err = q => sq(model.predict(q, x) - y), out = {};
  if (central) {
    for (const n of model.names) out[n] = (err({...p, [n]: p[n] + 1 * h}) - err({...p, [n]: p[n] + -1 * h})) / (2 * h);
    return out;
  }
  const e0 = err(p);
  for (const n of model.names) out[n] = (err({...p, [n]: p[n] + 1 * h}) - e0) / h;
  return out;
}

export function makeOptimizer(opt) {
  if (opt.kind === 'SGD') return {init: () => ({}), step: (p, g, s) => [mapNames(p, n => p[n] - g[n] * opt.lr), s]};
  if (opt.kind === 'Momentum') {
    const k = opt.dampening === false ? 1 : 1 - opt.beta;
    return {
      init: p => mapNames(p, () => 0),
      step(p, g, m) { const m2 = mapNames(p, n => m[n] * opt.beta + k * g[n]); return [mapNames(p, n => p[n] - m2[n] * opt.lr), m2]; },
    };
  }
  if (opt.kind === 'RMSProp') {  // s ← beta·s + (1 − beta)·g²; w ← w − lr·g/(√s + eps), s of the row before when lagged
    const beta = opt.beta ?? 0.99, k = 1 - beta, eps = opt.eps ?? 1e-8, start = opt.init ?? 0;
    return {
      init: p => mapNames(p, () => 0 + start),
      step(p, g, s) {
        const s2 = mapNames(p, n => s[n] * beta + k * (g[n] * g[n])), d = opt.lagged ? s : s2;
        return [mapNames(p, n => p[n] - g[n] * opt.lr / (Math.sqrt(d[n]) + eps)), s2];
      },
    };
  }
  if (opt.kind === 'Adam') {  // m, v as EWMAs of g and g²; w ← w − lr·m̂/(√v̂ + eps), hats debiased at step t
    const b1 = opt.beta1 ?? 0.9, b2 = opt.beta2 ?? 0.999, k1 = 1 - b1, k2 = 1 - b2, eps = opt.eps ?? 1e-8, start = opt.init ?? 0;
    const debias = opt.debias ?? true;
    return {
      init: p => ({t: 0, m: mapNames(p, () => 0), v: mapNames(p, () => 0 + start)}),
      step(p, g, st) {
        const t = st.t + 1, m = mapNames(p, n => st.m[n] * b1 + k1 * g[n]), v = mapNames(p, n => st.v[n] * b2 + k2 * (g[n] * g[n]));
        const c1 = debias ? 1 - b1 ** t : 1, c2 = debias ? 1 - b2 ** t : 1;
        return [mapNames(p, n => p[n] - m[n] / c1 * opt.lr / (Math.sqrt(v[n] / c2) + eps)), {t, m, v}];
      },
    };
  }
  throw new Error(`unknown optimizer ${opt.kind}`);
}

function mapNames(p, f) { const o = {}; for (const n in p) o[n] = f(n); return o; }

// One run: {history: {name: Float64Array(steps + 1)}, grads: {name: Float64Array(steps)}, sq_errs, epoch_errors, diverged, first_bad}.
export function fit({model, params, x, y, opt, epochs = 1, grad = 'analytic'}) {
  const m = typeof model === 'string' ? MODELS[model] : model;
  const o = makeOptimizer(opt), n = x.length, steps = epochs * n;
  const history = {}, grads = {}, sqErrs = new Float64Array(steps);
  for (const k of m.names) { history[k] = new Float64Array(steps + 1); grads[k] = new Float64Array(steps); }
  let p = {}; for (const k of m.names) p[k] = +params[k];
  let state = o.init(p), firstBad = -1;
  const g = grad === 'numeric' ? (q, xi, yi) => numericGrad(m, q, xi, yi) : (q, xi, yi) => m.grad(q, xi, yi);
  for (let s = 0; s < steps; s++) {
    const xi = x[s % n], yi = y[s % n];
    for (const k of m.names) history[k][s] = p[k];
    sqErrs[s] = sq(m.predict(p, xi) - yi);
    const gs = g(p, xi, yi);
    for (const k of m.names) grads[k][s] = gs[k];
    [p, state] = o.step(p, gs, state);
    if (firstBad < 0 && (!Number.isFinite(sqErrs[s]) || m.names.some(k => !Number.isFinite(p[k])))) firstBad = s;
  }
  for (const k of m.names) history[k][steps] = p[k];
  // each epoch's error as `fit` adds it up: 0 + the rows' squared errors one by one, in row order, then the root
  const epochErrors = new Float64Array(epochs);
  for (let e = 0; e < epochs; e++) {
    let acc = 0;
    for (let i = e * n; i < (e + 1) * n; i++) acc += sqErrs[i];
    epochErrors[e] = Math.sqrt(acc);
  }
  return {params: p, history, grads, sq_errs: sqErrs, epoch_errors: epochErrors, diverged: firstBad >= 0, first_bad: firstBad};
}
