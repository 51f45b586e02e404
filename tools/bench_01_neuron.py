"""Speed bars of lesson 1 (design.md, "Quality bars"):
- `fit` on 10,000 single neurons at once (29 rows, 10 epochs; each model its own start and learning
  rate) in under 1 s;
- at least 30x faster than fitting the same models one by one. Fitting all 10,000 singly would take
  about a minute, so a sample of 200 of them (every 50th) is fitted singly and the time scaled by
  10,000/200; the per-model cost does not depend on which model it is, so the scaling is linear.
Timings are the best of 3 repeats to damp other load on the machine. (The explorer's latency is
bench_page_explorers.py's, in the browser, and bench_lab_explorers.py's, in JupyterLab.)"""
import time
import numpy as np

K, EPOCHS, SAMPLE, REPEATS = 10_000, 10, 200, 3
FIT_BAR_S, SPEEDUP_BAR = 1.0, 30

def models(k=K, seed=0):
    "`k` seeded single-neuron starts and learning rates: dict a, b (arrays) and lrs."
    rng = np.random.default_rng(seed)
    return {'a': rng.uniform(-2, 6, k), 'b': rng.uniform(-20, 80, k)}, np.geomspace(1e-6, 1e-4, k)

def time_fits(k=K, sample=SAMPLE, repeats=REPEATS):
    "Best-of-3 seconds for the batched fit of K models and for the SAMPLE models fitted singly (scaled to K)."
    from gd_notebooks.all import graddesc_data, Linear, SGD, fit
    x, y = graddesc_data()
    p, lrs = models(k)
    batched, single = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        tb = fit(Linear(), p, x, y, SGD(lrs), epochs=EPOCHS)
        batched.append(time.perf_counter() - t0)
    assert tb.epoch_errors.shape == (EPOCHS, k)
    idx = np.arange(0, k, k // sample)
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in idx:
            ts = fit(Linear(), {'a': float(p['a'][i]), 'b': float(p['b'][i])}, x, y, SGD(float(lrs[i])), epochs=EPOCHS)
        single.append((time.perf_counter() - t0) * k / len(idx))
    assert ts.params['a'] == tb.params['a'][idx[-1]] and ts.params['b'] == tb.params['b'][idx[-1]], "batched and single fits disagree"
    return min(batched), min(single)

def bench(quick=False):
    "`quick`: 1,000 models, 20 of them singly, one repeat."
    k, sample = (1_000, 20) if quick else (K, SAMPLE)
    batched, single = time_fits(k, sample, 1 if quick else REPEATS)
    return [
        {'name': f'01_neuron fit: {k:,} models x 29 rows x {EPOCHS} epochs at once', 'value': round(batched, 3),
         'unit': 's', 'bar': FIT_BAR_S, 'ok': batched < FIT_BAR_S},
        {'name': f'01_neuron fit: same models one by one (from {sample} of them)', 'value': round(single, 1),
         'unit': 's', 'bar': '', 'ok': True},
        {'name': '01_neuron fit: speed-up of fitting them at once', 'value': round(single / batched, 1),
         'unit': 'x', 'bar': SPEEDUP_BAR, 'ok': single / batched >= SPEEDUP_BAR},
    ]

if __name__ == '__main__':
    for r in bench(): print(r)
