"""Speed bar of lesson 5: the momentum explorer's redraw (two runs of 5 epochs + figure update + PNG)
at the 95th percentile over 40 redraws with the Agg backend, every control moved in turn over its
whole range (diverging runs included). The machine is shared, so the round of 40 is run 3 times
(a fresh explorer each time) and the best round's p95 is reported."""
import numpy as np

BAR_MS = 50
N = 40

def _moves(n=N):
    "Control changes cycling through beta, lr and dampening over their whole ranges."
    betas = np.linspace(0, 0.99, 12)
    lrs = 10 ** np.linspace(-6, -2, 17)
    for i in range(n):
        yield [dict(beta=float(betas[(i * 5) % 12])), dict(lr=float(lrs[(i * 7) % 17])),
               dict(dampening=bool((i // 3) % 2))][i % 3]

def _round():
    "p95 of one round of N redraws, in seconds."
    import matplotlib.pyplot as plt
    from gd_notebooks.data import graddesc_data
    from gd_notebooks.momentum import momentum_explorer
    ex = momentum_explorer(*graddesc_data())
    ex.redraw_times.clear()
    for values in _moves(): ex.set(**values)
    plt.close(ex.fig)
    return float(np.percentile(ex.redraw_times, 95))

def bench(rounds=3):
    import matplotlib
    matplotlib.use('Agg')
    p95 = min(_round() for _ in range(rounds)) * 1000
    return [{'name': '05_momentum explorer redraw p95 (Agg)', 'value': round(p95, 1), 'unit': 'ms',
             'bar': BAR_MS, 'ok': p95 < BAR_MS}]

if __name__ == '__main__':
    for r in bench(): print(r)
