"""Speed bar of lesson 6: the race explorer's redraw (one run of 20 epochs + figure update + PNG) at
the 95th percentile over 40 redraws with the Agg backend, the optimizer, lr and both betas moved in
turn over their whole ranges (diverging runs included). Best of 3 rounds, as for the other lessons."""
import numpy as np
from bench import redraw_rows

N = 40

def _moves(n=N):
    "Control changes cycling through optimizer, lr, beta and beta2 over their whole ranges."
    opts = ['SGD', 'momentum', 'RMSProp', 'Adam']
    lrs = 10 ** np.linspace(-6, 1, 15)
    betas = np.linspace(0, 0.99, 12)
    beta2s = np.linspace(0.9, 0.999, 10)
    for i in range(n):
        yield [dict(opt=opts[i // 4 % 4]), dict(lr=float(lrs[(i * 7) % 15])),
               dict(beta=float(betas[(i * 5) % 12])), dict(beta2=float(beta2s[(i * 3) % 10]))][i % 4]

def _explorer():
    from gd_notebooks.adaptive import race_explorer
    return race_explorer()

def bench(quick=False):
    return redraw_rows('06_adaptive', _explorer, list(_moves()), quick=quick)

if __name__ == '__main__':
    for r in bench(): print(r)
