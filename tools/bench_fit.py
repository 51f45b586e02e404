"""Speed and memory bar of `fit` at scale (design.md, "Quality bars"):
- `fit(..., record='epochs')` on 1,000,000 single neurons at once (29 rows, 10 epochs; each model its own
  start and learning rate) within 2.5x the time of a bare in-place numpy loop doing the same arithmetic
  (prediction, squared error summed per epoch, gradient, SGD update, weights kept at epoch boundaries),
  both measured here in the same run, best of 2, alternating so that other load on the machine hits both;
- its peak memory (numpy's buffers, counted by tracemalloc in a separate untimed run) under 2 GB.
The loop and `fit` must agree bit for bit, or the comparison is void.
(The 10,000-model bar, under 1 s and >= 30x faster than one by one, is measured in bench_01_neuron.py.)"""
import time, tracemalloc
import numpy as np

K, EPOCHS, REPEATS = 1_000_000, 10, 2
RATIO_BAR, MEMORY_BAR_GB = 2.5, 2.0

def models(k=K, seed=0):
    "`k` seeded single-neuron starts (a, b) and learning rates, all stable."
    rng = np.random.default_rng(seed)
    return rng.uniform(-2, 6, k), rng.uniform(-20, 80, k), np.geomspace(1e-6, 1e-4, k)

def bare_loop(x, y, a, b, lr, epochs=EPOCHS):
    "The same per-row SGD written by hand, in place: (a, b, history of a and b at epoch boundaries, epoch errors)."
    a, b = a.copy(), b.copy()
    r, t = np.empty_like(a), np.empty_like(a)
    ha, hb, acc = np.empty((epochs + 1, len(a))), np.empty((epochs + 1, len(a))), np.zeros((epochs, len(a)))
    ha[0], hb[0] = a, b
    with np.errstate(all='ignore'):
        for e in range(epochs):
            for xi, yi in zip(x, y):
                np.multiply(a, xi, out=r); r += b; r -= yi # the residual a·x + b − y
                np.multiply(r, r, out=t); acc[e] += t # its square, summed over the epoch
                r *= 2; np.multiply(r, xi, out=t) # de/db = 2r, de/da = 2r·x
                t *= lr; a -= t; r *= lr; b -= r # the SGD update
            ha[e + 1], hb[e + 1] = a, b
        np.sqrt(acc, out=acc)
    return a, b, (ha, hb), acc

def run_fit(x, y, a, b, lr, epochs=EPOCHS):
    from gd_notebooks.all import Linear, SGD, fit
    return fit(Linear(), {'a': a, 'b': b}, x, y, SGD(lr), epochs=epochs, record='epochs')

def timings(k=K, repeats=REPEATS):
    "Best-of-`repeats` seconds of the bare loop and of fit on `k` models, after checking that they agree bit for bit."
    from gd_notebooks.all import graddesc_data
    x, y = graddesc_data()
    a, b, lr = models(k)
    bare, fitted = [], []
    for _ in range(repeats):
        t0 = time.perf_counter(); ref = bare_loop(x, y, a, b, lr); bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); tr = run_fit(x, y, a, b, lr); fitted.append(time.perf_counter() - t0)
        assert np.array_equal(tr.params['a'], ref[0]) and np.array_equal(tr.params['b'], ref[1]), "fit and the bare loop disagree"
        assert np.array_equal(tr.epoch_errors, ref[3]) and np.array_equal(tr.history['a'], ref[2][0]), "fit and the bare loop disagree"
        del tr, ref
    return min(bare), min(fitted)

def peak_gb(k=K):
    "Peak of numpy's buffers (tracemalloc) during one fit of `k` models, in GB (inputs included)."
    from gd_notebooks.all import graddesc_data
    x, y = graddesc_data()
    tracemalloc.start()
    a, b, lr = models(k)
    tr = run_fit(x, y, a, b, lr)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert tr.epoch_errors.shape == (EPOCHS, k)
    return peak / 1e9

def bench(quick=False):
    "`quick`: 10,000 models, one repeat."
    k = 10_000 if quick else K
    bare, fitted = timings(k, 1 if quick else REPEATS)
    peak = peak_gb(k)
    return [
        {'name': f"fit record='epochs': {k:,} models x 29 rows x {EPOCHS} epochs", 'value': round(fitted, 2), 'unit': 's', 'bar': '', 'ok': True},
        {'name': 'bare in-place numpy loop, same arithmetic, same run', 'value': round(bare, 2), 'unit': 's', 'bar': '', 'ok': True},
        {'name': "fit record='epochs' / bare loop", 'value': round(fitted / bare, 2), 'unit': 'x', 'bar': RATIO_BAR, 'ok': fitted / bare <= RATIO_BAR},
        {'name': f"fit record='epochs': peak memory, {k:,} models (tracemalloc)", 'value': round(peak, 3), 'unit': 'GB', 'bar': MEMORY_BAR_GB, 'ok': peak < MEMORY_BAR_GB},
    ]

if __name__ == '__main__':
    for r in bench(): print(r)
