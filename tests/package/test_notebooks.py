"""Every notebook passes nbdev's test runner within the time bar, and its saved outputs are current."""
import subprocess, sys, json
import pytest
import nbformat
from conftest import ROOT
from nbrun import notebooks, execute, comparable

NOTEBOOKS = notebooks()
TIME_BAR = 30  # seconds per notebook

RUNNER = """
import json, sys
from pathlib import Path
from nbdev.test import test_nb as run_notebook
ok, secs = run_notebook(Path(sys.argv[1]), skip_flags=['notest', 'slow'], showerr=True)
print(json.dumps({'ok': ok, 'secs': secs}))
"""

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(nb):
    r = subprocess.run([sys.executable, '-c', RUNNER, str(nb)], capture_output=True, text=True,
                       cwd=ROOT/'nbs', env={'MPLBACKEND': 'Agg', **__import__('os').environ})
    assert r.returncode == 0, r.stderr[-4000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res['ok'], f"{nb.name} failed under nbdev's test runner:\n{r.stderr[-6000:]}"
    assert res['secs'] < TIME_BAR, f"{nb.name} took {res['secs']:.1f} s (bar: {TIME_BAR} s)"

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saved_outputs_are_current(nb):
    saved = comparable(nbformat.read(nb, as_version=4))
    fresh_nb, secs = execute(nb)
    fresh = comparable(fresh_nb)
    assert len(saved) == len(fresh)
    stale = [src.splitlines()[0] if src else '(empty)' for (src, a), (_, b) in zip(saved, fresh) if a != b]
    assert not stale, f"{nb.name}: saved outputs differ from a fresh run in cells {stale}: run `make execute NB=nbs/{nb.name}`"
