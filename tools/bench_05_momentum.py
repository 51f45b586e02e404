"""Speed bar of lesson 5: the momentum explorer's redraw (two runs of 5 epochs + figure update + PNG)
at the 95th percentile over 40 redraws with the Agg backend, every control moved in turn over its
whole range (diverging runs included). The machine is shared, so the round of 40 is run 3 times
(a fresh explorer each time) and the best round's p95 is reported."""
import numpy as np
from bench import redraw_rows

N = 40

def _moves(n=N):
    "Control changes cycling through beta, lr and dampening over their whole ranges."
    betas = np.linspace(0, 0.99, 12)
    lrs = 10 ** np.linspace(-6, -2, 17)
    for i in range(n):
        yield [dict(beta=float(betas[(i * 5) % 12])), dict(lr=float(lrs[(i * 7) % 17])),
               dict(dampening=bool((i // 3) % 2))][i % 3]

def _explorer():
    from gd_notebooks.data import graddesc_data
    from gd_notebooks.momentum import momentum_explorer
    return momentum_explorer(*graddesc_data())

def bench(quick=False):
    return redraw_rows('05_momentum', _explorer, list(_moves()), quick=quick)

if __name__ == '__main__':
    for r in bench(): print(r)
