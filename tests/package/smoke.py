"""The package's smoke test, run as a script by any Python that can import `gd_notebooks` (no pytest, no
development tools): import the API, fit, read a Sheet, and draw every plot helper and explorer of
`gd_notebooks.all` on Agg. Prints `smoke ok: N figures` and exits 0, or exits 1 listing what failed.
`tests/package/test_floors.py` runs it against the declared minimum versions of the dependencies."""
import os, sys, tempfile, traceback
os.environ.setdefault('MPLBACKEND', 'Agg')
import numpy as np
import gd_notebooks.all as api
from gd_notebooks.all import *

x, y = graddesc_data()
t1 = fit(Linear(), {'a': 1., 'b': 1.}, x, y, SGD(lr=1e-4), epochs=6)
assert abs(float(t1.epoch_errors[0]) - 150.75521154) < 1e-6, t1.epoch_errors
sheet = Sheet('basic')
sheet.run(2)
assert len(sheet.errors) == 3 and len(sheet.table) == 29
two = {'a': 1., 'b': 1., 'c': 1., 'd': 1.}
t2 = fit(TwoLinear(), two, x, y, SGD(lr=1e-4), epochs=2)
t3 = fit(ReLUSandwich(), two, x, y, SGD(lr=1e-4), epochs=2)
tm = fit(Linear(), {'a': 1., 'b': 1.}, x, y, Momentum(1e-4, 0.9), epochs=2)
lrs = np.geomspace(1e-6, 1e-2, 9)
sweep = fit(Linear(), {'a': 1., 'b': 1.}, x, y, SGD(lrs), epochs=3).epoch_errors[-1]
betas = np.linspace(0, 0.9, 4)

# One call per plot helper and explorer; a name of the API missing here fails the smoke test.
CALLS = {
    'plot_data': lambda: plot_data(x, y, line={'a': 2, 'b': 30}),
    'plot_errors': lambda: plot_errors(t1),
    'plot_contour': lambda: plot_contour(x, y),
    'plot_path': lambda: plot_path(t1.history['a'], t1.history['b'], plot_contour(x, y)),
    'plot_blowup': lambda: plot_blowup(t2),
    'plot_curvature': lambda: plot_curvature(t2, 1e-4),
    'plot_sandwich': lambda: plot_sandwich(two, x, y),
    'plot_dead': lambda: plot_dead(t3),
    'plot_lr_sweep': lambda: plot_lr_sweep(lrs, sweep),
    'plot_radius': lambda: plot_radius(x),
    'plot_lr_multiples': lambda: plot_lr_multiples(x, y, {'small': 1e-5, 'large': 1e-3}, epochs=5),
    'plot_ewma': lambda: plot_ewma(np.arange(20), np.sin(np.arange(20.)), 0.9),
    'plot_grads': lambda: plot_grads(tm),
    'plot_rate_map': lambda: plot_rate_map(betas, lrs, epoch_radius(x, lrs[None, :], betas[:, None])),
    'plot_stability': lambda: plot_stability(betas, lrs, np.ones((len(betas), len(lrs)), bool)),
    'data_page_explorer': lambda: data_page_explorer(seed=3),
    'neuron_page_explorer': lambda: neuron_page_explorer(epochs=2),
    'collapse_page_explorer': lambda: collapse_page_explorer(epochs=1),
    'relu_page_explorer': lambda: relu_page_explorer(epochs=2, step=3),
    'lr_page_explorer': lambda: lr_page_explorer(x, y, epochs=5),
    'momentum_page_explorer': lambda: momentum_page_explorer(x, y, epochs=2),
    'race_page_explorer': lambda: race_page_explorer(epochs=3),
}

def figure_of(obj):
    "The figure a helper drew on: from axes or an array of axes."
    for o in (obj, getattr(obj, 'flat', [None])[0] if hasattr(obj, 'flat') else None):
        fig = getattr(o, 'fig', None) or getattr(o, 'figure', None)
        if fig is not None: return fig
    import matplotlib.pyplot as plt
    return plt.gcf()

def main():
    import matplotlib
    import matplotlib.pyplot as plt
    names = [n for n in api.__all__ if n.startswith('plot_') or n.endswith('_explorer')]
    failed, drawn = [f"{n}: no smoke call (add one to tests/package/smoke.py)" for n in names if n not in CALLS], 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name not in CALLS: continue
            try:
                obj = CALLS[name]()
                if hasattr(obj, 'picture'): assert obj.picture() and obj.status, name  # a page explorer: its still and its status line
                else: figure_of(obj).canvas.draw()
                drawn += 1
            except Exception as e:
                failed.append(f"{name}: {type(e).__name__}: {e}")
                traceback.print_exc()
            finally: plt.close('all')
        try: to_workbook(os.path.join(tmp, 'run.xlsx'), Linear(), WORKBOOK_START, x, y, SGD(1e-4), epochs=1)  # XlsxWriter's floor
        except Exception as e: failed.append(f"to_workbook: {type(e).__name__}: {e}"); traceback.print_exc()
        try:  # openpyxl's floor: the workbook reads back
            cells = read_cells(os.path.join(tmp, 'run.xlsx'))
            assert cells.shape[0] > 29, cells.shape
        except Exception as e: failed.append(f"read_cells: {type(e).__name__}: {e}"); traceback.print_exc()
    try:  # Jinja2's floor: pandas' Styler draws the sheet
        view = sheet.show(3)
        html = view._repr_html_() if hasattr(view, '_repr_html_') else str(view)
        assert '<table' in html, html[:200]
    except Exception as e: failed.append(f"Sheet.show: {type(e).__name__}: {e}"); traceback.print_exc()
    versions = ', '.join(f"{m.__name__} {m.__version__}" for m in (np, matplotlib, __import__('pandas'), __import__('ipywidgets'),
                                                                 __import__('jinja2'), __import__('openpyxl')))
    if failed:
        print(f"smoke FAILED with {versions}:\n  " + '\n  '.join(failed)); return 1
    print(f"smoke ok: {drawn} figures with {versions}"); return 0

if __name__ == '__main__': sys.exit(main())
