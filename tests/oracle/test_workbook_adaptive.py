"""Lesson 6 against the reference workbook: the `rmsprop`, `adam` and `adam_ann` sheets' formulas, the
named ranges and macros they use, and every cached cell, reproduced by the button presses that lead
to the saved state:

- rmsprop:  Reset, Run (the learning rate 0.02 that D2 holds is kept by Reset);
- adam:     Reset (it sets lr 1), Run x 3, lr 0.1 typed into D2, Run;
- adam_ann: Reset, Run, the value cells rounded to 16 significant digits, Run x 4.

The one-off rounding in adam_ann is what saving and reopening the workbook in a format that writes 16
significant digits would do; without it the same presses agree with the saved cells only to 1.5e-11 (the weights),
1.7e-9 of their values (the mean squares) and 3.7e-7 of theirs (the derivatives and momenta, near 0 by then).
"""
import math
import numpy as np
import pytest
from conftest import WORKBOOK
from gd_notebooks.all import graddesc_data, Sheet
from gd_notebooks.adaptive import RMSPropSheet, AdamSheet, AdamAnnSheet, grad_size

RMS_CELLS = dict(zip('ABCDEFGHIJK', RMSPropSheet.columns))
ADAM_CELLS = dict(zip('ABCDEFGHIJKLM', AdamSheet.columns))
ROWS = range(4, 33)

def _cached(ws, col): return np.array([ws[f'{col}{r}'].value for r in ROWS], dtype=float)

def _r16(d): return {k: float(f'{v:.16g}') for k, v in d.items()}

def _pressed(name):
    "The sheet after the presses that lead to the saved workbook (see the module docstring)."
    sh = Sheet(name)
    if name == 'rmsprop': sh.run(5)
    elif name == 'adam':
        sh.run(15); sh.lr = 0.1; sh.run(5)
    else:
        sh.run(5)
        sh.params, sh.state = _r16(sh.params), _r16(sh.state)
        sh.lr = sh.lr  # typing the same value recalculates the displayed epoch from the rounded cells
        sh.run(20)
    return sh

# transcriptions of the cells' formulas in plain Python floats, independent of the package
def _rms_formula_epoch(a, b, J, K, lr, J1=0.9):
    K1, rows = 1 - J1, []
    for A, B in zip(*[v.tolist() for v in graddesc_data()]):
        C, D = b, a
        E = C + D * A; F = 2 * (D * A + C - B); G = F * A
        H = C - F * lr / math.sqrt(J); I = D - G * lr / math.sqrt(K)
        J = J * J1 + K1 * F ** 2; K = K * J1 + K1 * G ** 2
        rows.append(dict(C=C, D=D, E=E, F=F, G=G, H=H, I=I, J=J, K=K))
        b, a = H, I
    return rows

def _adam_formula_epoch(a, b, J, K, L, M, lr, L1, J1=0.9):
    K1, M1, rows = 1 - J1, 1 - L1, []
    for A, B in zip(*[v.tolist() for v in graddesc_data()]):
        C, D = b, a
        E = C + D * A; F = 2 * (D * A + C - B); G = F * A
        J = J * J1 + K1 * F; K = K * J1 + K1 * G
        L = L * L1 + M1 * F ** 2; M = M * L1 + M1 * G ** 2
        H = C - J * lr / math.sqrt(L); I = D - K * lr / math.sqrt(M)
        rows.append(dict(C=C, D=D, E=E, F=F, G=G, H=H, I=I, J=J, K=K, L=L, M=M))
        b, a = H, I
    return rows

def test_saved_constants(workbook):
    r, a, n = workbook['rmsprop'], workbook['adam'], workbook['adam_ann']
    assert (r['J1'].value, r['K1'].value, r['D2'].value) == (0.9, 1 - 0.9, 0.02)
    assert (a['J1'].value, a['K1'].value, a['L1'].value, a['M1'].value, a['D2'].value) == (0.9, 1 - 0.9, 0.9, 1 - 0.9, 0.1)
    assert (n['L1'].value, n['M1'].value, n['D2'].value) == (0.95, 0.050000000000000044, 1 / 256)

def test_formulas(workbook_formulas):
    "The update rules the lesson states, as the sheets write them, in every row."
    r = workbook_formulas['rmsprop']
    assert (r['K1'].value, r['J3'].value, r['K3'].value) == ('=1-J1', '=J33', '=K33')
    for row in ROWS:
        p = row - 1
        assert r[f'F{row}'].value == f'=2*(D{row}*A{row}+C{row}-B{row})' and r[f'G{row}'].value == f'=F{row}*A{row}'
        assert r[f'H{row}'].value == f'=C{row}-F{row}*$D$2/SQRT(J{p})'   # the previous row's mean square: lagged
        assert r[f'I{row}'].value == f'=D{row}-G{row}*$D$2/SQRT(K{p})'
        assert r[f'J{row}'].value == f'=J{p}*$J$1+$K$1*F{row}^2' and r[f'K{row}'].value == f'=K{p}*$J$1+$K$1*G{row}^2'
    for name in ('adam', 'adam_ann'):
        ws = workbook_formulas[name]
        assert (ws['K1'].value, ws['M1'].value) == ('=1-J1', '=1-L1')
        assert [ws[f'{c}3'].value for c in 'JKLM'] == ['=J33', '=K33', '=L33', '=M33']
        for row in ROWS:
            p = row - 1
            assert ws[f'J{row}'].value == f'=J{p}*$J$1+$K$1*F{row}'
            assert ws[f'L{row}'].value == f'=L{p}*$L$1+$M$1*F{row}^2' and ws[f'M{row}'].value == f'=M{p}*$L$1+$M$1*G{row}^2'
            assert ws[f'H{row}'].value == f'=C{row}-J{row}*$D$2/SQRT(L{row})'   # the updated mean square, no epsilon
            assert ws[f'I{row}'].value == f'=D{row}-K{row}*$D$2/SQRT(M{row})'
            if row > 4: assert (ws[f'C{row}'].value, ws[f'D{row}'].value) == (f'=H{p}', f'=I{p}')
    n = workbook_formulas['adam_ann']
    assert n['N33'].value == '=SQRT(L33)+SQRT(M33)' and n['N34'].value == '=avg_grad2/prev_grad2'
    assert isinstance(n['N3'].value, float), "prev_grad2 is a pasted value"

def test_named_ranges(workbook_formulas):
    "What the macros copy and paste."
    got = {s: {k: v.attr_text for k, v in workbook_formulas[s].defined_names.items()} for s in ('rmsprop', 'adam', 'adam_ann')}
    assert {k: got['rmsprop'][k] for k in ('ms_last', 'gradtarget', 'lastslope', 'lastconst')} == {
        'ms_last': 'rmsprop!$J$32:$K$32', 'gradtarget': 'rmsprop!$J$33:$K$33', 'lastslope': 'rmsprop!$D$32', 'lastconst': 'rmsprop!$C$32'}
    for s in ('adam', 'adam_ann'):
        assert {k: got[s][k] for k in ('ms_last', 'gradtarget', 'momlast', 'momtarget', 'lr')} == {
            'ms_last': f'{s}!$L$32:$M$32', 'gradtarget': f'{s}!$L$33:$M$33', 'momlast': f'{s}!$J$32:$K$32',
            'momtarget': f'{s}!$J$33:$K$33', 'lr': f'{s}!$D$2'}
    assert (got['adam_ann']['avg_grad2'], got['adam_ann']['prev_grad2'], got['adam_ann']['gradrat']) == (
        'adam_ann!$N$33', 'adam_ann!$N$3', 'adam_ann!$N$34')

def test_macros_say_so():
    "The VBA read with olevba: the warm-ups the specs model, Run's annealing rule."
    from oletools.olevba import VBA_Parser
    code = {name: src.replace('\r\n', '\n') for _, _, name, src in VBA_Parser(str(WORKBOOK)).extract_macros()}
    rms_reset = code['rmsprop.cls'].split('Sub reset()')[1]
    assert rms_reset.count('Range("ms_last").Copy') == 2 and 'lr' not in rms_reset and 'xlCalculationManual' not in rms_reset
    adam_reset = code['adam.cls'].split('Sub reset()')[1]
    assert 'Range("lr").Value = 1' in adam_reset and 'xlCalculationManual' not in adam_reset
    order = [l.strip().split('"')[1] for l in adam_reset.splitlines() if l.strip().endswith('.Copy')]
    assert order == ['ms_last', 'momlast', 'ms_last', 'momlast']
    ann = code['adam_ann.cls']
    reset = ann.split('Sub reset()')[1]
    assert 'Application.Calculation = xlCalculationManual' in reset and reset.count('ActiveSheet.Calculate') == 2
    run = ann.split('Sub somesteps()')[1].split('End Sub')[0]
    assert 'If Range("gradrat") > 2 Then' in run and 'Range("lr").Value = Range("lr").Value / 4' in run
    assert 'If Range("avg_grad2").Value < Range("prev_grad2").Value Then' in run

@pytest.mark.parametrize('name', ['rmsprop', 'adam', 'adam_ann'])
def test_every_cell_bit_for_bit(workbook, name):
    "All cached cells of the displayed epoch, the weights entering it (C1:C2), lr (D2) and row 33, exactly."
    ws, sh = workbook[name], _pressed(name)
    cells = RMS_CELLS if name == 'rmsprop' else ADAM_CELLS
    table = sh.table
    assert list(table.index) == list(ROWS)
    for col, key in cells.items():
        np.testing.assert_array_equal(table[key].to_numpy(), _cached(ws, col), err_msg=f'{name}!{col} ({key})')
    assert (sh.params, sh.lr) == ({'a': ws['C2'].value, 'b': ws['C1'].value}, ws['D2'].value)
    state = {k: ws[f'{c}33'].value for c, k in list(cells.items())[9:]}
    assert {k: sh.state[k] for k in state} == state
    assert [ws[f'{c}3'].value for c in list(cells)[9:]] == list(state.values())

def test_adam_ann_summary_cells(workbook):
    ws, sh = workbook['adam_ann'], _pressed('adam_ann')
    assert sh.state['prev_grad2'] == ws['N3'].value
    assert grad_size(sh.state) == ws['N33'].value
    assert grad_size(sh.state) / sh.state['prev_grad2'] == ws['N34'].value
    t = sh.table
    assert math.sqrt(sum(v * v for v in t['de/db'].tolist())) / 29 == pytest.approx(ws['F33'].value, rel=1e-14)

def test_adam_ann_without_the_rounding_is_close_not_exact(workbook):
    "The same presses with no rounding: the same lr sequence, weights equal to 1e-12 but not bit for bit."
    ws, sh = workbook['adam_ann'], Sheet('adam_ann').run(25)
    assert sh.lr == ws['D2'].value
    b = _cached(ws, 'C')
    assert not np.array_equal(sh.table['b'].to_numpy(), b)
    np.testing.assert_allclose(sh.table['b'].to_numpy(), b, rtol=1e-12)
    np.testing.assert_allclose(sh.table['v_a'].to_numpy(), _cached(ws, 'M'), rtol=1e-8)

@pytest.mark.parametrize('name', ['rmsprop', 'adam', 'adam_ann'])
def test_displayed_epoch_against_the_formula_transcription(workbook, name):
    "From the saved C1:C2, D2 and row 33, the transcribed formulas give every cached cell, bit for bit."
    ws = workbook[name]
    a, b, lr = ws['C2'].value, ws['C1'].value, ws['D2'].value
    if name == 'rmsprop': rows = _rms_formula_epoch(a, b, ws['J33'].value, ws['K33'].value, lr)
    else: rows = _adam_formula_epoch(a, b, *[ws[f'{c}33'].value for c in 'JKLM'], lr, L1=ws['L1'].value)
    for col in rows[0]:
        np.testing.assert_array_equal([r[col] for r in rows], _cached(ws, col), err_msg=f'{name}!{col}')

def test_warm_ups():
    "Reset's warm-ups, from the transcription: rmsprop two epochs; adam v, m, v, m pasted in turn; adam_ann two full epochs."
    last = lambda rows: rows[-1]
    s = last(_rms_formula_epoch(1., 1., 1e4, 1e4, 0.02))
    s = last(_rms_formula_epoch(1., 1., s['J'], s['K'], 0.02))
    assert Sheet('rmsprop').state == {'s_b': s['J'], 's_a': s['K']}
    J = K = 0.; L = M = 1e4
    for part in 'vmvm':
        r = last(_adam_formula_epoch(1., 1., J, K, L, M, 1., L1=0.9))
        if part == 'v': L, M = r['L'], r['M']
        else: J, K = r['J'], r['K']
    assert Sheet('adam').state == {'m_b': J, 'm_a': K, 'v_b': L, 'v_a': M} and Sheet('adam').lr == 1
    r0 = last(_adam_formula_epoch(1., 1., 0., 0., 1e4, 1e4, 1., L1=0.95))
    r1 = last(_adam_formula_epoch(1., 1., r0['J'], r0['K'], r0['L'], r0['M'], 1., L1=0.95))
    assert Sheet('adam_ann').state == {'m_b': r1['J'], 'm_a': r1['K'], 'v_b': r1['L'], 'v_a': r1['M'],
                                       'prev_grad2': math.sqrt(r0['L']) + math.sqrt(r0['M'])}

def test_reset_lr_rules():
    """`Sheet(name, lr)` is Reset, then lr typed into the cell, on every sheet. Typing first and pressing Reset
    (`.lr = ...; .reset()`): rmsprop's Reset keeps the cell, so its warm-up runs at it; adam's and adam_ann's write 1."""
    s = Sheet('rmsprop', lr=0.01)
    assert s.lr == 0.01 and s.state == Sheet('rmsprop').state
    typed = Sheet('rmsprop'); typed.lr = 0.01; typed.reset()
    assert typed.lr == 0.01 and typed.state != Sheet('rmsprop').state
    a = Sheet('adam'); a.lr = 0.01; a.reset()
    assert a.lr == 1 and a.state == Sheet('adam').state and Sheet('adam', lr=0.01).lr == 0.01
    b = Sheet('adam_ann'); b.lr = 0.5; b.reset()
    assert b.lr == 1

def test_annealing_happens_in_run_only():
    "step() never anneals; run() does, after each epoch, and lr only ever shrinks by 4."
    stepped = Sheet('adam_ann')
    for _ in range(25): stepped.step()
    assert stepped.lr == 1
    run = Sheet('adam_ann').run(25)
    assert run.lr == 1 / 256 and len(run.errors) == 26
