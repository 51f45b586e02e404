"""Every notebook passes nbdev's test runner, and its saved outputs are current. (How long each notebook takes, against
its 30-s bar, is measured by `make bench`: tools/bench_notebooks.py; a busy machine must not fail these checks.)"""
import pytest
import nbformat
from conftest import ROOT
from nbrun import notebooks, execute, comparable, run_tests

NOTEBOOKS = notebooks()

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(nb):
    ok, secs, err = run_tests(nb)
    assert ok, f"{nb.name} failed under nbdev's test runner:\n{err[-6000:]}"

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saved_outputs_are_current(nb):
    saved = comparable(nbformat.read(nb, as_version=4))
    fresh_nb, secs = execute(nb)
    fresh = comparable(fresh_nb)
    assert len(saved) == len(fresh)
    stale = [src.splitlines()[0] if src else '(empty)' for (src, a), (_, b) in zip(saved, fresh) if a != b]
    assert not stale, f"{nb.name}: saved outputs differ from a fresh run in cells {stale}: run `make execute NB=nbs/{nb.name}`"
