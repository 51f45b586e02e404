"""Lesson 1 against the reference workbook: the `basic` sheet's cached cells, its formulas, its macros."""
import math
import numpy as np
import pytest
from conftest import WORKBOOK
from gd_notebooks.all import graddesc_data, Linear, SGD, fit, numeric_grad, Sheet

COLUMNS = ['x', 'y', 'intercept', 'slope', 'y_pred', 'err^2', 'errb1', 'est de/db',
           'erra1', 'est de/da', 'de/db', 'de/da', 'new a', 'new b']

def _cached_rows(ws):
    return np.array([[ws.cell(r, c).value for c in range(1, 15)] for r in range(4, 33)], dtype=float)

def test_header_is_the_table_columns(workbook):
    ws = workbook['basic']
    assert [ws.cell(3, c).value for c in range(1, 15)] == COLUMNS
    assert list(Sheet('basic').table.columns) == COLUMNS

def test_saved_inputs(workbook):
    "The sheet is saved as Reset leaves it: a = b = 1, lr 0.0001."
    ws = workbook['basic']
    assert (ws['C1'].value, ws['C2'].value, ws['F1'].value) == (1, 1, 0.0001)
    sh = Sheet('basic')
    assert sh.params == {'a': 1.0, 'b': 1.0} and sh.lr == 0.0001

def test_first_epoch_bit_for_bit(workbook):
    "Every one of the 29 x 14 cached cells of the first epoch, exactly (same order of operations as Excel)."
    cached, table = _cached_rows(workbook['basic']), Sheet('basic').table
    for j, col in enumerate(COLUMNS):
        np.testing.assert_array_equal(table[col].to_numpy(), cached[:, j], err_msg=col)
    assert list(table.index) == list(range(4, 33))

def test_error_cell_bit_for_bit(workbook):
    ws = workbook['basic']
    assert Sheet('basic').error == ws['F33'].value == 150.75521153771854
    # the gradient norms under the derivative columns, K33 = SQRT(SUMSQ(K4:K32)), L33 likewise, exactly
    t = Sheet('basic').table
    assert math.sqrt(sum(v * v for v in t['de/db'])) == ws['K33'].value
    assert math.sqrt(sum(v * v for v in t['de/da'])) == ws['L33'].value

def test_fit_matches_sheet_first_epoch(workbook):
    "fit's arithmetic is the sheet's: weights, errors and gradients of the first epoch are identical."
    cached = _cached_rows(workbook['basic'])
    x, y = graddesc_data()
    t = fit(Linear(), {'a': 1., 'b': 1.}, x, y, SGD(1e-4))
    np.testing.assert_array_equal(t.history['b'][:-1], cached[:, 2])
    np.testing.assert_array_equal(t.history['a'][:-1], cached[:, 3])
    np.testing.assert_array_equal(t.sq_errs, cached[:, 5])
    np.testing.assert_array_equal(t.grads['b'], cached[:, 10])
    np.testing.assert_array_equal(t.grads['a'], cached[:, 11])
    assert (t.params['a'], t.params['b']) == (cached[-1, 12], cached[-1, 13])
    assert t.epoch_errors[0] == workbook['basic']['F33'].value

def test_numeric_grad_matches_est_columns(workbook):
    """numeric_grad's forward difference is the sheet's "est" columns bit for bit: (b + h) + a·x and
    b + (a + h)·x are the sheet's ((C+0.01)+A*D) and ((D+0.01)*A+C) (addition commutes exactly)."""
    cached = _cached_rows(workbook['basic'])
    x, y = graddesc_data()
    g = numeric_grad(Linear(), {'a': cached[:, 3], 'b': cached[:, 2]}, x, y)
    np.testing.assert_array_equal(g['b'], cached[:, 7])
    np.testing.assert_array_equal(g['a'], cached[:, 9])

def test_est_minus_analytic_is_h_and_h_x2(workbook):
    "The cached est columns exceed the analytic ones by h = 0.01 (b) and h·x² (a), up to rounding."
    c = _cached_rows(workbook['basic'])
    x = c[:, 0]
    np.testing.assert_allclose(c[:, 7] - c[:, 10], 0.01, rtol=0, atol=1e-8)
    np.testing.assert_allclose(c[:, 9] - c[:, 11], 0.01 * x ** 2, rtol=0, atol=1e-7)

def test_carry_over_rule(workbook_formulas):
    """The Run macro copies lastslope/lastconst into slope/const; those names point at D32/C32 (the
    weights entering the last row) and slope/const at C2/C1. Sheet.step starts the next epoch there."""
    wb = workbook_formulas
    ws = wb['basic']
    names = {k: v.attr_text for k, v in ws.defined_names.items()}
    assert names['lastslope'] == 'basic!$D$32' and names['lastconst'] == 'basic!$C$32'
    assert names['slope'] == 'basic!$C$2' and names['const'] == 'basic!$C$1'
    assert names['rmse'] == 'basic!$F$33' and names['rmses'] == 'basic!$C$38:$C$106'
    sh = Sheet('basic')
    entering_last = sh.table.iloc[-1]
    sh.step()
    assert sh.params == {'a': entering_last['slope'], 'b': entering_last['intercept']}
    assert sh.table['slope'].iloc[0] == entering_last['slope']

def test_macros_say_so():
    "The VBA of the basic sheet, read with olevba: the carry-over, the log and what Reset touches."
    from oletools.olevba import VBA_Parser
    vba = VBA_Parser(str(WORKBOOK))
    code = {name: src for _, _, name, src in vba.extract_macros()}
    basic = code['basic.cls']
    assert 'Range("lastslope").Copy\n    Range("slope").PasteSpecial' in basic.replace('\r\n', '\n')
    assert 'Range("lastconst").Copy\n    Range("const").PasteSpecial' in basic.replace('\r\n', '\n')
    assert 'Range("rmse").Copy' in basic and 'Range("rmsestart").End(xlDown).Offset(1, 0)' in basic
    assert 'For i = 1 To 5: onestep: Next' in basic
    reset = basic[basic.index('Sub reset()'):]
    assert 'Range("rmses").Clear' in reset and 'lr' not in reset.lower().replace('clear', '')

def test_log_is_empty_as_reset_leaves_it(workbook):
    """The saved workbook's error log (C38..., the chart "Error by epoch") is empty, as Reset leaves
    it, so there are no logged later epochs to compare with; the chart's cache holds no points either."""
    ws = workbook['basic']
    assert ws['C36'].value == 'Paste error here:' and ws['C37'].value == 'rmse'
    assert all(ws.cell(r, 3).value is None for r in range(38, 107))

def test_run_logs_what_onestep_pastes():
    "Run = 5 x onestep; each appends the new error cell, so the log is errors[1:], one per press."
    sh = Sheet('basic')
    first = sh.error
    sh.run()
    assert len(sh.errors) == 6 and sh.errors[0] == first
    # each logged error is the error of an epoch entering with the previous epoch's D32/C32
    x, y = graddesc_data()
    a, b = 1., 1.
    for e in sh.errors:
        t = fit(Linear(), {'a': a, 'b': b}, x, y, SGD(1e-4))
        assert t.epoch_errors[0] == e
        a, b = t.history['a'][-2], t.history['b'][-2]
    assert 103.9 < sh.errors[5] < 104.0

def test_fit_record_epochs_keeps_the_sheet_numbers(workbook):
    "record='epochs' keeps only epoch boundaries, yet the error and the weights after row 29 are the sheet's, exactly."
    cached = _cached_rows(workbook['basic'])
    x, y = graddesc_data()
    t = fit(Linear(), {'a': 1., 'b': 1.}, x, y, SGD(1e-4), record='epochs')
    assert t.epoch_errors[0] == workbook['basic']['F33'].value
    assert (t.history['a'][1], t.history['b'][1]) == (cached[-1, 12], cached[-1, 13])
    assert t.grads is None and t.sq_errs is None and t.history['a'].shape == (2,)

def test_show_draws_the_sheet(workbook):
    "Sheet.show(): the workbook's column names, Excel row numbers 4..32 and the cached values in fixed formats."
    ws = workbook['basic']
    html = Sheet('basic').show().to_html()
    for name in COLUMNS: assert f'>{name}</th>' in html
    assert '>Excel row</th>' in html and '>4</th>' in html and '>32</th>' in html
    assert f">{ws['F4'].value:,.4f}<" in html and f">{ws['A21'].value:.0f}<" in html
