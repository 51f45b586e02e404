"""Speed bar of lesson 2: the collapse explorer's redraw (five epochs of per-row SGD on the two
neurons + figure update + PNG) at the 95th percentile over 40 redraws with the Agg backend, every
control moved in turn and no run served from the cache, best of three. The CPU time of this process is reported
beside the wall-clock bar, to show how much other load on the machine added."""
import numpy as np
from bench import redraw_rows

N = 40

def _moves(n=N):
    "Control changes cycling through the explorer's four controls over their whole ranges."
    lrs = 10 ** np.linspace(-6, -3, 13)
    for i in range(n):
        yield [dict(lr=float(lrs[(i * 5) % 13])), dict(ac=round(-3 + 0.2 * ((i * 7) % 31), 1)),
               dict(bd=float(-50 + 5 * ((i * 3) % 21))), dict(grad=('analytic', 'numeric')[(i // 4) % 2])][i % 4]

def _explorer():
    from gd_notebooks.collapse import collapse_explorer
    return collapse_explorer()

def _clear_cache():
    from gd_notebooks.collapse import _collapse_run
    _collapse_run.cache_clear()

def bench(quick=False):
    return redraw_rows('02_collapse', _explorer, list(_moves()), setup=_clear_cache, quick=quick)

if __name__ == '__main__':
    for r in bench(): print(r)
