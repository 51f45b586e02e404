"""Speed bar of lesson 3: the ReLU explorer's redraw (simulation + figure update + PNG) at the 95th
percentile over 40 redraws with the Agg backend, every control moved in turn. The machine is shared,
so the round of 40 is run 3 times (a fresh explorer and an empty run cache each time) and the best
round's p95 is reported."""
import numpy as np
from bench import redraw_rows

N = 40

def _moves(n=N):
    "Control changes cycling through the explorer's four controls, over their whole ranges."
    lrs = 10 ** np.linspace(-5, -1, 17)
    for i in range(n):
        yield [dict(step=(i * 37) % 175), dict(lr=float(lrs[(i * 5) % 17])),
               dict(b0=-3 + 0.25 * ((i * 7) % 33)), dict(scale=('raw', 'standardized')[(i // 4) % 2])][i % 4]

def _explorer():
    from gd_notebooks.relu import relu_explorer
    return relu_explorer()

def _clear_cache():
    from gd_notebooks.relu import _relu_run
    _relu_run.cache_clear()

def bench(quick=False):
    return redraw_rows('03_relu', _explorer, list(_moves()), setup=_clear_cache, quick=quick)

if __name__ == '__main__':
    for r in bench(): print(r)
