"""Lesson 5 against the reference workbook: the `momentum` sheet's cached cells, its formulas, the
named ranges its macros use, and the Reset warm-up and Run carry-over rules."""
import math
import numpy as np
import pytest
from gd_notebooks.all import graddesc_data, Linear, fit, ewma, Momentum, Sheet
from gd_notebooks.momentum import MomentumSheet

# sheet column -> Sheet('momentum').table column
CELLS = {'A': 'x', 'B': 'y', 'C': 'b', 'D': 'a', 'E': 'pred', 'F': 'de/db', 'G': 'de/da',
         'H': 'new b', 'I': 'new a', 'J': 'm_b', 'K': 'm_a', 'L': 'err^2'}

def _cached(ws, col): return np.array([ws[f'{col}{r}'].value for r in range(4, 33)], dtype=float)

def _formula_epoch(a, b, mb, ma, lr=0.0001, J1=0.9):
    """One epoch transcribed from the cells' formulas in plain Python floats, independent of the
    package: F=2*(D*A+C-B), G=F*A, J=J3*J1+K1*F, K=K3*J1+K1*G, H=C-J*lr, I=D-K*lr, L=(B-E)^2."""
    K1 = 1 - J1
    x, y = graddesc_data()
    rows = []
    for A, B in zip(x.tolist(), y.tolist()):
        C, D = b, a
        E = C + D * A; F = 2 * (D * A + C - B); G = F * A
        mb = mb * J1 + K1 * F; ma = ma * J1 + K1 * G
        H = C - mb * lr; I = D - ma * lr; L = (B - E) ** 2
        rows.append((C, D, mb, ma, L))
        b, a = H, I
    return rows

def test_saved_inputs(workbook):
    ws = workbook['momentum']
    assert (ws['C1'].value, ws['C2'].value, ws['D2'].value, ws['J1'].value) == (1, 1, 0.0001, 0.9)
    assert ws['K1'].value == 1 - 0.9 == 0.09999999999999998
    sh = Sheet('momentum')
    assert sh.params == {'a': 1.0, 'b': 1.0} and sh.lr == 0.0001

def test_formulas(workbook_formulas):
    "The update rule the lesson states, as the sheet writes it, in every row."
    ws = workbook_formulas['momentum']
    assert ws['K1'].value == '=1-J1'
    assert (ws['J3'].value, ws['K3'].value) == ('=J33', '=K33')
    assert isinstance(ws['J33'].value, float) and isinstance(ws['K33'].value, float), "J33:K33 are pasted values"
    for r in range(4, 33):
        p = r - 1
        assert ws[f'F{r}'].value == f'=2*(D{r}*A{r}+C{r}-B{r})'
        assert ws[f'G{r}'].value == f'=F{r}*A{r}'
        assert ws[f'J{r}'].value == f'=J{p}*$J$1+$K$1*F{r}'
        assert ws[f'K{r}'].value == f'=K{p}*$J$1+$K$1*G{r}'
        assert ws[f'H{r}'].value == f'=C{r}-J{r}*$D$2'
        assert ws[f'I{r}'].value == f'=D{r}-K{r}*$D$2'
        assert ws[f'L{r}'].value == f'=(B{r}-E{r})^2'
        if r > 4: assert (ws[f'C{r}'].value, ws[f'D{r}'].value) == (f'=H{p}', f'=I{p}')
    assert ws['L33'].value == '=SQRT(SUM(L4:L32))'

def test_named_ranges_of_the_macros(workbook_formulas):
    "Reset pastes momlast into momtarget; onestep also pastes lastslope/lastconst (the weights entering row 32)."
    names = workbook_formulas['momentum'].defined_names
    got = {n: names[n].attr_text for n in ('momlast', 'momtarget', 'lastslope', 'lastconst', 'slope', 'const', 'lr')}
    assert got == {'momlast': 'momentum!$J$32:$K$32', 'momtarget': 'momentum!$J$33:$K$33',
                   'lastslope': 'momentum!$D$32', 'lastconst': 'momentum!$C$32',
                   'slope': 'momentum!$C$2', 'const': 'momentum!$C$1', 'lr': 'momentum!$D$2'}

def test_every_cell_bit_for_bit(workbook):
    "All 29 x 12 cached cells of the displayed epoch, exactly."
    ws, table = workbook['momentum'], Sheet('momentum').table
    assert list(table.index) == list(range(4, 33))
    for col, name in CELLS.items():
        np.testing.assert_array_equal(table[name].to_numpy(), _cached(ws, col), err_msg=f'{col} ({name})')

def test_state_and_error_cells(workbook):
    ws, sh = workbook['momentum'], Sheet('momentum')
    assert sh.state == {'m_a': ws['K33'].value, 'm_b': ws['J33'].value}
    assert (ws['J3'].value, ws['K3'].value) == (ws['J33'].value, ws['K33'].value)
    assert sh.error == ws['L33'].value == 200.9651846012761
    assert sh.errors == [ws['L33'].value]

def test_warm_up_gives_the_pasted_momentum(workbook):
    "Reset's warm-up: one epoch from a = b = 1 with zero momentum; its J32:K32 are the pasted J33:K33."
    ws = workbook['momentum']
    x, y = graddesc_data()
    warm = fit(Linear(), {'a': 1., 'b': 1.}, x, y, Momentum(1e-4, 0.9))
    assert ewma(warm.grads['b'], 0.9)[-1] == ws['J33'].value
    assert ewma(warm.grads['a'], 0.9)[-1] == ws['K33'].value
    last = _formula_epoch(1., 1., 0., 0.)[-1]
    assert (last[2], last[3]) == (ws['J33'].value, ws['K33'].value)

def test_cells_against_the_formula_transcription(workbook):
    ws = workbook['momentum']
    rows = _formula_epoch(1., 1., ws['J33'].value, ws['K33'].value)
    for j, col in enumerate('CDJKL'):
        np.testing.assert_array_equal([r[j] for r in rows], _cached(ws, col), err_msg=col)
    assert math.sqrt(sum(r[4] for r in rows)) == ws['L33'].value

def test_run_carry_over():
    """Run = 5 x onestep: paste momlast (momentum after row 32), lastslope/lastconst (weights entering
    row 32), recalculate. Checked against the formula transcription, bit for bit."""
    sh = Sheet('momentum').run()
    b, a = 1., 1.
    mb, ma = _formula_epoch(1., 1., 0., 0.)[-1][2:4]
    expected = []
    for _ in range(6):
        rows = _formula_epoch(a, b, mb, ma)
        expected.append(math.sqrt(sum(r[4] for r in rows)))
        b, a, mb, ma = rows[-1][:4]
    assert sh.errors == expected
    assert len(sh.errors) == 6 and sh.errors[0] == 200.9651846012761
    assert sh.params == {'a': rows[0][1], 'b': rows[0][0]}

def test_reset_writes_lr_before_the_warm_up():
    """Reset writes 0.0001 into D2 before its warm-up: the starting momentum does not depend on the lr
    given; a given lr is typed in after Reset (one rule for every sheet) and runs the displayed epochs."""
    spec = MomentumSheet()
    assert spec.reset(0.01)[:2] == spec.reset(None)[:2] == spec.reset(1e-4)[:2]
    assert (spec.reset(0.01)[2], spec.reset(None)[2]) == (0.01, 0.0001)
    assert Sheet('momentum', lr=0.01).state == Sheet('momentum').state

@pytest.mark.parametrize('lr', [1e-3, 2e-4, 5e-5])
def test_given_lr_runs_the_displayed_epochs(lr):
    "Sheet('momentum', lr=...) and .reset(lr=...): warm-up at 0.0001, displayed epochs at lr (as typing lr after Reset)."
    warm = Sheet('momentum').state
    expected = math.sqrt(sum(r[4] for r in _formula_epoch(1., 1., warm['m_b'], warm['m_a'], lr=lr)))
    sh = Sheet('momentum', lr=lr)
    assert (sh.lr, sh.state, sh.errors) == (lr, warm, [expected])
    typed = Sheet('momentum'); typed.lr = lr
    assert typed.errors == sh.errors
    other = Sheet('momentum'); other.reset(lr=lr)
    assert (other.lr, other.state, other.errors) == (lr, warm, [expected])
    assert sh.run(2).errors == typed.run(2).errors

def test_typing_lr_recalculates_the_displayed_epoch():
    sh = Sheet('momentum')
    state = dict(sh.state)
    sh.lr = 2e-4
    assert sh.state == state and len(sh.errors) == 1
    expected = math.sqrt(sum(r[4] for r in _formula_epoch(1., 1., state['m_b'], state['m_a'], lr=2e-4)))
    assert sh.error == expected != 200.9651846012761
    sh.lr = 1e-4
    sh.reset()
    assert sh.lr == 0.0001 and sh.errors == [200.9651846012761]

def test_diverging_sheet_is_a_result():
    import warnings
    sh = Sheet('momentum')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        sh.lr = 1.0
        sh.run(3)
    assert not math.isfinite(sh.errors[-1])
