"""Speed bars of lesson 4: the learning-rate sweep (10,000 single neurons with 10,000 learning rates,
29 rows, 10 epochs) in one `fit` call against the same models fitted one by one. (The explorer's latency
is bench_page_explorers.py's and bench_lab_explorers.py's.)"""
import time
import numpy as np

SWEEP_BAR_S, SPEEDUP_BAR = 1.0, 30
K, EPOCHS, ONE_BY_ONE = 10_000, 10, 200

def _sweep(k=K, one_by_one=ONE_BY_ONE, repeats=3):
    "Seconds for the batched sweep of `k` rates (best of `repeats`), and for fitting them one by one (from a sample)."
    from gd_notebooks.data import graddesc_data
    from gd_notebooks.neuron import Linear, SGD, fit
    x, y = graddesc_data()
    lrs, one = np.geomspace(1e-6, 1e-2, k), {'a': 1., 'b': 1.}
    batched = []
    for _ in range(repeats):
        t = time.perf_counter(); tr = fit(Linear(), one, x, y, SGD(lrs), epochs=EPOCHS); batched.append(time.perf_counter() - t)
    assert tr.epoch_errors.shape == (EPOCHS, k)
    single = []
    for _ in range(repeats):
        t = time.perf_counter()
        for lr in lrs[::k // one_by_one]: fit(Linear(), one, x, y, SGD(float(lr)), epochs=EPOCHS)
        single.append((time.perf_counter() - t) / one_by_one)
    return min(batched), min(single) * k

def bench(quick=False):
    "`quick`: 1,000 rates, 20 of them one by one, one repeat."
    k = 1_000 if quick else K
    batched, single = _sweep(k, 20, 1) if quick else _sweep()
    return [{'name': f'04_learning_rate sweep: {k:,} lrs x 29 rows x {EPOCHS} epochs in one fit', 'value': round(batched, 3),
             'unit': 's', 'bar': SWEEP_BAR_S, 'ok': batched < SWEEP_BAR_S},
            {'name': '04_learning_rate sweep speed-up over one by one', 'value': round(single / batched, 1),
             'unit': 'x', 'bar': SPEEDUP_BAR, 'ok': single / batched >= SPEEDUP_BAR}]

if __name__ == '__main__':
    for r in bench(): print(r)
