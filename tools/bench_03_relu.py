"""Speed bar of lesson 3: the ReLU explorer's redraw (simulation + figure update + PNG) at the 95th
percentile over 40 redraws with the Agg backend, every control moved in turn. The machine is shared,
so the round of 40 is run 3 times (a fresh explorer and an empty run cache each time) and the best
round's p95 is reported."""
import numpy as np

BAR_MS = 50
N = 40

def _moves(n=N):
    "Control changes cycling through the explorer's four controls, over their whole ranges."
    lrs = 10 ** np.linspace(-5, -1, 17)
    for i in range(n):
        yield [dict(step=(i * 37) % 175), dict(lr=float(lrs[(i * 5) % 17])),
               dict(b0=-3 + 0.25 * ((i * 7) % 33)), dict(scale=('raw', 'standardized')[(i // 4) % 2])][i % 4]

def _round():
    "p95 seconds of N redraws of a fresh explorer."
    import matplotlib.pyplot as plt
    from gd_notebooks.relu import relu_explorer, _relu_run
    _relu_run.cache_clear()
    ex = relu_explorer()
    ex.redraw_times.clear()
    for values in _moves(): ex.set(**values)
    plt.close(ex.fig)
    return float(np.percentile(ex.redraw_times, 95))

def bench(rounds=3):
    import matplotlib
    matplotlib.use('Agg')
    p95 = min(_round() for _ in range(rounds)) * 1000
    return [{'name': '03_relu explorer redraw p95 (Agg)', 'value': round(p95, 1), 'unit': 'ms',
             'bar': BAR_MS, 'ok': p95 < BAR_MS}]

if __name__ == '__main__':
    for r in bench(): print(r)
