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

def test_y_is_the_data_sheets_formula(workbook_formulas, workbook):
    "The sheet `data` makes y as const C1 + x * slope C2 with x = RANDBETWEEN(1,100), rows 5 to 33; the training x are such draws."
    ws, cached = workbook_formulas['data'], workbook['data']
    assert (ws['B1'].value, ws['C1'].value, ws['B2'].value, ws['C2'].value) == ('const', 30, 'slope', 2)
    assert [ws.cell(r, 3).value for r in range(5, 34)] == [f'=$C$1+B{r}*$C$2' for r in range(5, 34)]
    assert {ws.cell(r, 2).value for r in range(5, 34)} == {'=RANDBETWEEN(1,100)'}
    assert all(cached.cell(r, 3).value == 30 + 2 * cached.cell(r, 2).value for r in range(5, 34))
    x, _ = graddesc_data()
    assert np.all((x == np.round(x)) & (x >= 1) & (x <= 100))
