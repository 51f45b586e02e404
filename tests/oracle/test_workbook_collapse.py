"Lesson 2 against the reference workbook: the learners' finite differences are the `basic` sheet's, generalized."
import re
import numpy as np
import pytest
from gd_notebooks.all import TwoLinear, numeric_grad, forward_bias, collapse

ROWS = range(4, 33)

def _col(ws, c): return np.array([ws.cell(r, c).value for r in ROWS], dtype=float)

@pytest.fixture(scope='module')
def sheet(workbook):
    "The `basic` sheet's cached columns, and its weights as a TwoLinear with c = 1, d = 0."
    ws = workbook['basic']
    cols = dict(x=1, y=2, b=3, a=4, pred=5, err2=6, est_b=8, est_a=10, db=11, da=12)
    v = {k: _col(ws, c) for k, c in cols.items()}
    v['p'] = {'a': v['a'], 'b': v['b'], 'c': np.ones(29), 'd': np.zeros(29)}
    return v

def test_est_columns_are_forward_differences_with_step_001(workbook_formulas):
    ws = workbook_formulas['basic']
    for r in ROWS:
        assert ws.cell(r, 7).value.replace(' ', '') == f'=(((C{r}+0.01)+A{r}*D{r})-B{r})^2'
        assert ws.cell(r, 8).value == f'=(G{r}-F{r})/0.01'
        assert ws.cell(r, 9).value.replace(' ', '') == f'=(((D{r}+0.01)*A{r}+C{r})-B{r})^2'
        assert ws.cell(r, 10).value == f'=(I{r}-F{r})/0.01'

def test_two_linear_with_c1_d0_is_the_sheet(sheet):
    m = TwoLinear()
    np.testing.assert_allclose(m.predict(sheet['p'], sheet['x']), sheet['pred'], rtol=1e-12)
    g = m.grad(sheet['p'], sheet['x'], sheet['y'])
    np.testing.assert_allclose(g['a'], sheet['da'], rtol=1e-12)
    np.testing.assert_allclose(g['b'], sheet['db'], rtol=1e-12)

def test_learners_formulas_reduce_to_the_sheets_estimates(sheet):
    "numeric_grad(TwoLinear(), h=0.01) on a and b is the sheet's 'est' columns, cell for cell (to rounding)."
    ng = numeric_grad(TwoLinear(), sheet['p'], sheet['x'], sheet['y'], h=0.01)
    np.testing.assert_allclose(ng['a'], sheet['est_a'], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(ng['b'], sheet['est_b'], rtol=1e-9, atol=1e-6)

def test_sheet_gap_is_the_forward_bias(sheet):
    "The sheet's est − analytic is h·x² for a and h for b: forward_bias with c = 1."
    bias = forward_bias(TwoLinear(), sheet['p'], sheet['x'])
    np.testing.assert_allclose(sheet['est_a'] - sheet['da'], bias['a'], atol=1e-6)
    np.testing.assert_allclose(sheet['est_b'] - sheet['db'], bias['b'], atol=1e-6)
    np.testing.assert_allclose(bias['a'], 0.01 * sheet['x'] ** 2, rtol=1e-12)

def test_collapse_of_the_sheet_is_the_sheet(sheet):
    c = collapse(sheet['p'])
    np.testing.assert_array_equal(c['a'], sheet['a']); np.testing.assert_array_equal(c['b'], sheet['b'])
