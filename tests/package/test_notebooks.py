"""Every notebook runs from top to bottom in a fresh kernel, and its saved outputs are what that run gives. Each notebook
is executed once (nbclient, as `make execute` does) and both checks read that run. (nbdev's own test runner, and how
long each notebook takes against its 30-s bar, are `make bench`'s: tools/bench_notebooks.py; a busy machine must not
fail these checks.)"""
import functools
import pytest
import nbformat
from nbclient.exceptions import CellExecutionError
from conftest import ROOT
from nbrun import notebooks, execute, comparable

NOTEBOOKS = notebooks()

@functools.lru_cache(None)
def fresh_run(nb):
    "`(executed notebook, None)` or `(None, the error)` for one execution of `nb`, shared by the checks below."
    try: return execute(nb)[0], None
    except CellExecutionError as e: return None, e

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(nb):
    _, err = fresh_run(nb)
    assert err is None, f"{nb.name} fails in a fresh kernel:\n{str(err)[-6000:]}"

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saved_outputs_are_current(nb):
    fresh_nb, err = fresh_run(nb)
    if err is not None: pytest.fail(f"{nb.name} does not run (see test_notebook_runs), so its outputs cannot be current")
    saved, fresh = comparable(nbformat.read(nb, as_version=4)), comparable(fresh_nb)
    assert len(saved) == len(fresh)
    stale = [src.splitlines()[0] if src else '(empty)' for (src, a), (_, b) in zip(saved, fresh) if a != b]
    assert not stale, f"{nb.name}: saved outputs differ from a fresh run in cells {stale}: run `make execute NB=nbs/{nb.name}`"
