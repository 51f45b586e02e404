"""A tour of the public API for a pip user's Python: every name of `gd_notebooks.all` is used once (each function
called, each class built and each of its public methods called, each constant read), on the workbook's rows.
Run as a script by any Python that can import the package (no pytest, no development tools); tests/package/
test_wheel.py runs it in a fresh venv holding only the wheel and its declared requirements, so an undeclared
dependency fails there. Prints `tour ok: N names` or exits 1 listing every name that failed or has no entry here."""
import inspect, os, sys, tempfile, traceback
os.environ.setdefault('MPLBACKEND', 'Agg')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import gd_notebooks.all as api
from gd_notebooks.all import *
from smoke import CALLS as DRAWN, figure_of  # the plot helpers and explorers, one call each

x, y = graddesc_data()
one, two = {'a': 1., 'b': 1.}, {'a': 1., 'b': 1., 'c': 1., 'd': 1.}
TMP = tempfile.mkdtemp(prefix='gd-tour-')

def methods(obj, *calls):
    "Call each `(method name, args)` on `obj`; returns the results."
    return [getattr(obj, m)(*args) for m, args in calls]

def optimizer(opt, params=one):
    state = opt.init(params)
    p, s = opt.step(params, {k: 0.5 for k in params}, state)
    assert set(p) == set(params), p
    return opt

def sheet():
    sh = Sheet('basic'); sh.lr = 1e-4
    sh.step(); sh.run(1); sh.reset()
    assert len(sh.table) == 29 and '<table' in sh.show(3)._repr_html_()
    sh.to_workbook(os.path.join(TMP, 'basic.xlsx'))
    return sh

def lr_find_record():
    rec = lr_find(Linear(), one, x, y, steps=30)
    float(rec.suggestion); rec.plot()
    return rec

CALLS = {
    'graddesc_data': lambda: graddesc_data(),
    'WORKBOOK_START': lambda: dict(WORKBOOK_START),
    'WORKBOOK_LR': lambda: float(WORKBOOK_LR),
    'SUGGESTION_RULES': lambda: dict(SUGGESTION_RULES),
    'synthetic': lambda: synthetic(29, noise=1., seed=0),
    'standardize': lambda: standardize(x),
    'unstandardize': lambda: unstandardize(one, *standardize(x)[1:]),
    'Linear': lambda: methods(Linear(), ('predict', (one, x)), ('grad', (one, x, y)), ('loss_grad', (one, x[0], y[0]))),
    'TwoLinear': lambda: methods(TwoLinear(), ('predict', (two, x)), ('dpredict', (two, x)), ('grad', (two, x, y)), ('hessian', (two, x, y))),
    'ReLUSandwich': lambda: methods(ReLUSandwich(), ('hidden', (two, x)), ('predict', (two, x)), ('grad', (two, x, y))),
    'numeric_grad': lambda: numeric_grad(Linear(), one, x, y),
    'SGD': lambda: optimizer(SGD(1e-4)),
    'Momentum': lambda: optimizer(Momentum(1e-4, 0.9)),
    'RMSProp': lambda: optimizer(RMSProp(0.01)),
    'Adam': lambda: optimizer(Adam(0.01)),
    'WeightDecay': lambda: optimizer(WeightDecay(Adam(0.01))),
    'Scheduled': lambda: fit(Linear(), one, x, y, Scheduled(SGD(1e-4), lambda e, lr, s, m: lr), epochs=2),
    'fit': lambda: fit(Linear(), one, x, y, SGD(1e-4), epochs=2),
    'Trace': lambda: fit(Linear(), one, x, y, SGD(1e-4)) == fit(Linear(), one, x, y, SGD(1e-4)),
    'Sheet': sheet,
    'basic_rows': lambda: basic_rows(1., 1., x, y, 1e-4),
    'loss_grid': lambda: loss_grid(x, y, np.linspace(0, 4, 5), np.linspace(0, 40, 5)),
    'sheet_path': lambda: sheet_path(Sheet('basic'), epochs=2),
    'run_neuron': lambda: run_neuron(epochs=2),
    'collapse': lambda: collapse(two),
    'collapse_metric': lambda: collapse_metric(two),
    'collapsed_radius': lambda: collapsed_radius(two, x, 1e-5),
    'forward_bias': lambda: forward_bias(TwoLinear(), two, x),
    'takeoff': lambda: takeoff(fit(TwoLinear(), two, x, y, SGD(1e-4), epochs=2)),
    'path_curvature': lambda: path_curvature(TwoLinear(), fit(TwoLinear(), two, x, y, SGD(1e-5))),
    'dead_fraction': lambda: dead_fraction(two, x),
    'death_step': lambda: death_step(fit(ReLUSandwich(), two, x, y, SGD(1e-4), epochs=2)),
    'row_jacobian': lambda: row_jacobian(TwoLinear(), two, x),
    'row_curvature': lambda: row_curvature(Linear(), one, x),
    'critical_lr': lambda: critical_lr(Linear(), one, x),
    'gauss_newton': lambda: gauss_newton(Linear(), one, x),
    'full_batch_lr': lambda: full_batch_lr(Linear(), one, x),
    'epoch_matrix': lambda: epoch_matrix(x, 1e-4),
    'epoch_radius': lambda: epoch_radius(x, 1e-4, 0.9),
    'sgd_edge_lr': lambda: sgd_edge_lr(x),
    'product_edge_lr': lambda: product_edge_lr(x),
    'ewma': lambda: ewma(np.sin(np.arange(10.)), 0.9, debias=True),
    'lr_find': lr_find_record,
    'LRFind': lambda: type(lr_find_record()) is LRFind,
    'lr_suggestions': lambda: lr_suggestions(np.geomspace(1e-6, 1e-2, 40), np.linspace(10, 1, 40), 40),
    'mark_lrs': lambda: mark_lrs(plot_lr_sweep(np.geomspace(1e-6, 1e-2, 5), np.arange(1., 6.)), {'edge': 4.38e-4}),
    'momentum_rows': lambda: momentum_rows(one, {'m_a': 0., 'm_b': 0.}, x, y, 1e-4),
    'momentum_max_lr': lambda: momentum_max_lr(100., 0.9),
    'momentum_edge_lr': lambda: momentum_edge_lr(x, 0.5),
    'momentum_runs': lambda: momentum_runs(x, y, 1e-4, 0.9, epochs=2),
    'run_1d': lambda: run_1d(SGD(0.1), lambda w: 2 * w, w0=1., steps=5),
    'race_run': lambda: race_run('Adam', 0.1, epochs=2),
    'sheet_anneal': lambda: fit(Linear(), one, x, y, Scheduled(Adam(1., beta2=0.95, eps=0., debias=False), sheet_anneal), epochs=2),
    'adaptive_rows': lambda: Sheet('adam').table,  # the adam sheet's epoch is computed by adaptive_rows
    'to_workbook': lambda: to_workbook(os.path.join(TMP, 'run.xlsx'), Linear(), one, x, y, SGD(1e-4), epochs=1),
    'read_cells': lambda: (to_workbook(os.path.join(TMP, 'r.xlsx'), Linear(), one, x, y, SGD(1e-4)), read_cells(os.path.join(TMP, 'r.xlsx')))[1],
    'sheet_to_workbook': lambda: sheet_to_workbook(Sheet('momentum'), os.path.join(TMP, 'momentum.xlsx')),
    'lesson_workbooks': lambda: lesson_workbooks(os.path.join(TMP, 'downloads')),
    **DRAWN,
}

def main():
    import matplotlib.pyplot as plt
    missing = [n for n in api.__all__ if n not in CALLS]
    failed = [f"{n}: no entry in tests/package/tour.py" for n in missing]
    for n in api.__all__:
        if n in missing: continue
        try:
            out = CALLS[n]()
            if n in DRAWN: figure_of(out).canvas.draw()
        except Exception as e:
            failed.append(f"{n}: {type(e).__name__}: {e}"); traceback.print_exc()
        finally: plt.close('all')
    if failed:
        print("tour FAILED:\n  " + "\n  ".join(failed)); return 1
    print(f"tour ok: {len(api.__all__)} names"); return 0

if __name__ == '__main__': sys.exit(main())
