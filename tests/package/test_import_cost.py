"""Importing the package and using its computational API (fit, the models, the optimizers, the sheets, the lr bounds)
loads neither matplotlib.pyplot, pandas nor ipywidgets: those come with the first plot or explorer. Each case runs in
a fresh process. (The time bar, 0.3 s warm, is measured by `make bench`: tools/bench_import.py.)"""
import subprocess, sys
import pytest
from conftest import ROOT
import bench_import
from bench import LIBRARIES

def loaded_after(code):
    "The LIBRARIES a fresh Python has loaded after running `code`."
    prog = f"import sys\n{code}\nprint(' '.join(m for m in {LIBRARIES!r} if m in sys.modules))"
    r = subprocess.run([sys.executable, '-c', prog], capture_output=True, text=True, cwd=ROOT, env={'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.split()

def top_level_imports():
    "{module: [plotting/widget/table libraries it imports at its top level]} for the package's modules (to point at the culprits)."
    import ast
    out = {}
    for path in sorted((ROOT/'gd_notebooks').glob('*.py')):
        names = []
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import): names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0: names.append(node.module)
        bad = sorted({n for n in names if n.split('.')[0] in ('matplotlib', 'pandas', 'ipywidgets')})
        if bad: out[path.stem] = bad
    return out

@pytest.mark.parametrize('case', list(bench_import.CASES))
def test_api_loads_no_plotting_or_widget_library(case):
    loaded = loaded_after(bench_import.CASES[case])
    assert not loaded, (f"{case} loads {loaded}: import them inside the functions that draw or build widgets; "
                        f"top-level imports now: {top_level_imports()}")

def test_the_check_sees_a_plot():
    "The check can fail: drawing a plot does load pyplot."
    assert 'matplotlib.pyplot' in loaded_after("import gd_notebooks as gd\nx, y = gd.graddesc_data()\ngd.plot_data(x, y)")
