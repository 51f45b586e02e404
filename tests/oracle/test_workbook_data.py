"The data of lesson 0 against the reference workbook's cells."
import numpy as np
import pytest
from gd_notebooks.all import graddesc_data

TRAINING_SHEETS = ['basic', 'momentum', 'rmsprop', 'adam', 'adam_ann']

@pytest.mark.parametrize('sheet', TRAINING_SHEETS)
def test_rows_match_sheet(workbook, sheet):
    ws = workbook[sheet]
    xs = [ws.cell(r, 1).value for r in range(4, 33)]
    ys = [ws.cell(r, 2).value for r in range(4, 33)]
    x, y = graddesc_data()
    np.testing.assert_array_equal(x, np.array(xs, dtype=float))
    np.testing.assert_array_equal(y, np.array(ys, dtype=float))
    assert ws.cell(33, 1).value is None or not isinstance(ws.cell(33, 1).value, (int, float)), "a 30th row?"

def test_rows_are_values_not_formulas(workbook_formulas):
    ws = workbook_formulas['basic']
    assert all(isinstance(ws.cell(r, c).value, (int, float)) for r in range(4, 33) for c in (1, 2))
