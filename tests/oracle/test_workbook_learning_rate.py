"""Lesson 4 against the reference workbook: the `basic` sheet's cached first epoch obeys the per-row
factor 1 − lr·κ and the epoch matrix, and its learning rate sits where the lesson says."""
import numpy as np
from gd_notebooks.all import Linear, critical_lr, epoch_matrix, epoch_radius, sgd_edge_lr

def _basic(ws):
    "x, y, a, b entering each row, and the new a, b after it (columns A, B, D, C, M, N of rows 4-32), and lr."
    rows = np.array([[ws.cell(r, c).value for c in (1, 2, 4, 3, 13, 14)] for r in range(4, 33)], dtype=float)
    return rows.T, float(ws['F1'].value)

def test_lr_against_the_bounds(workbook):
    (x, *_), lr = _basic(workbook['basic'])
    crit = critical_lr(Linear(), {'a': 1., 'b': 1.}, x)
    assert lr == 1e-4 and crit == 1 / (99 ** 2 + 1)
    assert abs(lr / crit - 0.9802) < 1e-12
    assert abs(epoch_radius(x, lr) - 0.99804) < 1e-5
    assert abs(sgd_edge_lr(x) - 4.3806e-4) < 1e-8

def test_each_row_multiplies_its_residual_by_one_minus_lr_kappa(workbook):
    "From the cached cells: the residual of a row after its own update is (1 − 2·lr·(x² + 1)) times the one before."
    (x, y, a, b, a_new, b_new), lr = _basic(workbook['basic'])
    before, after = a * x + b - y, a_new * x + b_new - y
    np.testing.assert_allclose(after / before, 1 - 2 * lr * (x ** 2 + 1), rtol=1e-9)
    assert np.sum(after / before < 0) == 5  # the rows with x > 70.7 overshoot: 72, 84, 86, 99, 99

def test_first_epoch_is_the_epoch_matrix(workbook):
    "The cached weights after the 29th row, minus (2, 30), are the epoch matrix times the start minus (2, 30)."
    (x, y, a, b, a_new, b_new), lr = _basic(workbook['basic'])
    start, end = np.array([a[0] - 2, b[0] - 30]), np.array([a_new[-1] - 2, b_new[-1] - 30])
    np.testing.assert_allclose(epoch_matrix(x, lr) @ start, end, rtol=1e-9)

def test_the_sheet_carries_the_weights_entering_row_29(workbook):
    "Run carries `lastslope`/`lastconst` (D32, C32: the weights entering row 29), so the sheet's epoch map is the product over rows 1-28."
    (x, y, a, b, a_new, b_new), lr = _basic(workbook['basic'])
    assert (workbook['basic']['D32'].value, workbook['basic']['C32'].value) == (a[-1], b[-1])
    start, carried = np.array([a[0] - 2, b[0] - 30]), np.array([a[-1] - 2, b[-1] - 30])
    np.testing.assert_allclose(epoch_matrix(x[:-1], lr) @ start, carried, rtol=1e-9)
    assert abs(sgd_edge_lr(x[:-1]) - 3.889e-4) < 1e-7 and sgd_edge_lr(x[:-1]) < sgd_edge_lr(x)

def test_the_spreadsheet_product_bounds_the_edge(workbook):
    "From the sheet's own x: one column 1 − 2·lr·(x² + 1) and its PRODUCT reach 1 at `product_edge_lr`, 0.03% above the exact edge; every rate where |product| > 1 diverges (ρ ≥ sqrt|det M|), in any row order."
    from gd_notebooks.learning_rate import product_edge_lr
    (x, *_), lr = _basic(workbook['basic'])
    pe = product_edge_lr(x)
    assert abs(abs(np.prod(1 - 2 * pe * (x ** 2 + 1))) - 1) < 1e-9
    assert 2.5e-4 < pe / sgd_edge_lr(x) - 1 < 3.5e-4
    rates = np.geomspace(pe, 1e-2, 2000)
    big = np.abs(np.prod(1 - 2 * rates[:, None] * (x ** 2 + 1), 1)) > 1
    for order in (np.arange(29), np.arange(29)[::-1], np.random.default_rng(5).permutation(29)):
        assert np.all(epoch_radius(x[order], rates[big]) > 1)
        assert sgd_edge_lr(x[order]) <= pe
