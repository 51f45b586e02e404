"""Import cost (issue "The package as its users meet it"): `import gd_notebooks`, and the course's API with the
computation a learner starts with (fit, the three models, both optimizers, two sheets, the lr bounds), take under
0.3 s warm, median of 7 fresh processes (timed inside each, after one discarded run that warms the OS file cache),
and load neither matplotlib.pyplot, pandas nor ipywidgets: those come with the first plot or explorer.
The help() sections the API builds at import (gd_notebooks/helptext.py, from nbs/95_help.ipynb) are measured beside them (CPU time, bar 50 ms), and fastcore's `docments` over the
same names for comparison: the reason the package builds them itself (nbs/95_help.ipynb)."""
import statistics, time
from bench import fresh_process_times, LIBRARIES

BAR_S, RUNS, DOC_BAR_MS = 0.3, 7, 50
API = ("import gd_notebooks as gd\n"
       "x, y = gd.graddesc_data()\n"
       "gd.fit(gd.Linear(), {'a': 1., 'b': 1.}, x, y, gd.SGD(1e-4), epochs=2)\n"
       "p4 = {'a': 1., 'b': 1., 'c': 1., 'd': 1.}\n"
       "gd.fit(gd.TwoLinear(), p4, x, y, gd.Momentum(1e-4), epochs=1); gd.fit(gd.ReLUSandwich(), p4, x, y, gd.SGD(1e-4))\n"
       "gd.Sheet('basic').run(1); gd.Sheet('momentum')\n"
       "gd.critical_lr(gd.Linear(), {'a': 1., 'b': 1.}, x); gd.epoch_radius(x, 1e-4)")
FASTCORE = ("import inspect\nimport gd_notebooks.all as api\nfrom fastcore.docments import docments\n"
            "for n in api.__all__:\n    o = getattr(api, n)\n    if inspect.isfunction(o) or inspect.isclass(o): docments(o, full=True)")
CASES = {'import gd_notebooks': 'import gd_notebooks',
         'from gd_notebooks.all import *': 'from gd_notebooks.all import *',
         'gd.fit, models, optimizers, Sheets, bounds': API}

def docments_cpu_ms(rounds=3):
    "CPU time of building the help() sections of the whole API once more (best of `rounds`), in ms."
    import linecache
    import gd_notebooks.all as api
    from gd_notebooks.helptext import document
    best = float('inf')
    for _ in range(rounds):
        linecache.clearcache()
        t = time.process_time(); document(vars(api), api.__all__); best = min(best, time.process_time() - t)
    return best * 1000

def bench(quick=False):
    "`quick`: one warm process per case, one round of help()."
    rows, runs = [], 1 if quick else RUNS
    for label, code in CASES.items():
        times, loaded = fresh_process_times(code, runs)
        med = statistics.median(times)
        rows.append({'name': f'{label}: median of {runs} warm processes', 'value': round(med * 1000, 1),
                     'unit': 'ms', 'bar': BAR_S * 1000, 'ok': med < BAR_S})
        rows.append({'name': f"{label}: loads {' '.join(loaded) or 'no plotting/widget library'}", 'value': len(loaded),
                     'unit': 'libs', 'bar': 0, 'ok': not loaded})
    times, _ = fresh_process_times(FASTCORE, runs)
    rows.append({'name': f"for comparison: fastcore's docments over the same names, import included (median of {runs})",
                 'value': round(statistics.median(times) * 1000, 1), 'unit': 'ms', 'bar': '', 'ok': True})
    doc = docments_cpu_ms(1 if quick else 3)
    rows.append({'name': "help() sections built at import (CPU time)", 'value': round(doc, 1), 'unit': 'ms', 'bar': DOC_BAR_MS, 'ok': doc < DOC_BAR_MS})
    return rows
