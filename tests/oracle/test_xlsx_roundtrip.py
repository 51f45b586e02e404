"""Lesson 7 against a real spreadsheet engine: the exported workbooks, recalculated by LibreOffice
(headless, driven through UNO by tools/lo_recalc.py), give `fit`'s numbers; typing another learning
rate into the `lr` cell and recalculating gives `fit`'s run at that rate. The stored values cannot
pass these checks on their own: after the lr change the engine's values must move away from them.
The exported `basic` and `momentum` sheets equal the reference workbook's cells."""
import json, math, os, shutil, subprocess
import numpy as np
import pytest
from conftest import ROOT
import copy
from gd_notebooks.all import graddesc_data, Linear, TwoLinear, ReLUSandwich, SGD, Momentum, RMSProp, Adam, fit, Sheet
from gd_notebooks.workbook import to_workbook, sheet_to_workbook, read_cells, lesson_workbooks, lesson_runs, SHEET_LAYOUTS

UNO_PYTHON = '/usr/bin/python3'  # Debian's interpreter: the only one with LibreOffice's `uno` module
ONE, ONES = {'a': 1., 'b': 1.}, dict.fromkeys('abcd', 1.)

# name -> (model, params, opt, epochs, grad, the lr typed into the file afterwards)
RUNS = {
    'linear-sgd-analytic': (Linear(), ONE, SGD(1e-4), 3, 'analytic', 3e-4),
    'linear-sgd-numeric': (Linear(), ONE, SGD(1e-4), 2, 'numeric', 5e-5),
    'linear-momentum-analytic': (Linear(), ONE, Momentum(1e-4, 0.9), 3, 'analytic', 2e-4),
    'linear-momentum-undampened-numeric': (Linear(), ONE, Momentum(1e-5, 0.9, dampening=False), 2, 'numeric', 2e-5),
    'twolinear-sgd-numeric': (TwoLinear(), ONES, SGD(1e-4), 1, 'numeric', 5e-5),
    'twolinear-sgd-overflows': (TwoLinear(), ONES, SGD(1e-4), 2, 'analytic', 2e-5),
    'twolinear-momentum-analytic': (TwoLinear(), ONES, Momentum(2e-5, 0.9), 2, 'analytic', 1e-5),
    'relu-sgd-analytic': (ReLUSandwich(), ONES, SGD(1e-4), 3, 'analytic', 5e-5),
    'relu-momentum-numeric': (ReLUSandwich(), ONES, Momentum(1e-4, 0.5), 2, 'numeric', 5e-5),
    'relu-momentum-undampened-analytic': (ReLUSandwich(), ONES, Momentum(1e-5, 0.9, dampening=False), 2, 'analytic', 3e-6),
    'linear-rmsprop-sheet-form': (Linear(), ONE, RMSProp(0.02, 0.9, eps=0., lagged=True, init=1e4), 2, 'analytic', 0.01),
    'linear-adam-library-form': (Linear(), ONE, Adam(0.1), 2, 'analytic', 0.05),
    'twolinear-adam-sheet-form-numeric': (TwoLinear(), ONES, Adam(0.01, 0.9, 0.95, eps=0., debias=False, init=1e4), 1, 'numeric', 0.02),
}

def engine_available():
    return shutil.which('soffice') is not None and os.path.exists(UNO_PYTHON) and \
        subprocess.run([UNO_PYTHON, '-c', 'import uno'], capture_output=True).returncode == 0

def recalculate(jobs, tmp):
    "Run tools/lo_recalc.py on `jobs` ([{'path': ..., 'set': {name: value}}]); its results, one per job."
    if not engine_available():
        msg = "LibreOffice with python3-uno is needed: run tools/install_libreoffice.sh (as root)"
        if os.environ.get('GD_REQUIRE_LIBREOFFICE'): pytest.fail(msg)
        pytest.skip(msg)
    spec, out = tmp/'jobs.json', tmp/'results.json'
    spec.write_text(json.dumps([{**j, 'path': str(j['path'])} for j in jobs]))
    subprocess.run([UNO_PYTHON, str(ROOT/'tools'/'lo_recalc.py'), str(spec), str(out)], check=True, timeout=600)
    return json.loads(out.read_text())

def stored(path):
    "The file's formulas and stored values, cell by cell: {'F7': (formula, value)} for every formula cell."
    f, v = read_cells(path, formulas=True), read_cells(path)
    return {f'{c}{r}': (f.loc[r, c], v.loc[r, c]) for r in f.index for c in f.columns
            if isinstance(f.loc[r, c], str) and f.loc[r, c].startswith('=')}

def engine_cells(result):
    "One sheet of an engine result as {'F7': value}, None for an error cell such as #NUM!."
    (sheet,) = result.values()
    cells = {}
    for i, row in enumerate(sheet['values']):
        for j, v in enumerate(row):
            col = ''.join(chr(65 + k) for k in _digits(j))
            cells[f'{col}{i + 1}'] = v
    return cells, set(sheet['errors'])

def _digits(j):
    out, j = [], j + 1
    while j: j, r = divmod(j - 1, 26); out.insert(0, r)
    return out

def compare(expected, engine, heads, rel=1e-12):
    """Cells whose engine value differs from the expected one: errors where the file says #NUM!, numbers
    equal to `rel` relative elsewhere. A finite difference (err(w+0.01) - err^2)/0.01 magnifies the
    last bit of its two operands, so it is compared to `rel` of the operands' size instead; this also
    covers an engine habit: LibreOffice rounds the difference of two numbers that agree to about 15
    digits to exactly 0, which shows in the finite-difference columns of an exploding run."""
    got, errors = engine
    bad = []
    for cell, (formula, want) in expected.items():
        have = got.get(cell)
        if want == '#NUM!' or cell in errors:
            if not (want == '#NUM!' and cell in errors): bad.append((cell, formula, want, have))
            continue
        if have is None: bad.append((cell, formula, want, have)); continue
        scale = abs(want)
        if heads.get(cell, '').startswith('est '): scale = max(scale, _operands(expected, cell) / 0.01)
        if have != want and abs(have - want) > rel * scale: bad.append((cell, formula, want, have))
    return bad

def _operands(expected, cell):
    "The larger of the two squared errors a finite-difference cell =(Kr-Hr)/0.01 subtracts."
    a, b = expected[cell][0][2:-6].split('-')
    return max(abs(expected[a][1]), abs(expected[b][1]))

def headers(path):
    "Each formula cell's column header (row 2 of an exported run)."
    f = read_cells(path, formulas=True)
    return {f'{c}{r}': str(f.loc[2, c]) for r in f.index for c in f.columns}

@pytest.fixture(scope='module')
def recalculated(tmp_path_factory):
    "Every run written twice (at its lr and at the new lr), then recalculated: as written, and with `lr` retyped."
    tmp = tmp_path_factory.mktemp('xlsx')
    x, y = graddesc_data()
    files, jobs = {}, []
    for name, (model, params, opt, epochs, grad, new_lr) in RUNS.items():
        again = copy.copy(opt); again.lr = new_lr
        files[name] = (tmp/f'{name}.xlsx', tmp/f'{name}-new-lr.xlsx')
        traces = (to_workbook(files[name][0], model, params, x, y, opt, epochs, grad),
                  to_workbook(files[name][1], model, params, x, y, again, epochs, grad))
        files[name] += traces
        jobs += [{'path': files[name][0]}, {'path': files[name][0], 'set': {'lr': new_lr}}]
    results = recalculate(jobs, tmp)
    return {name: (files[name], results[2 * i], results[2 * i + 1]) for i, name in enumerate(RUNS)}

def test_stored_values_are_fits(tmp_path):
    "Without any engine: the cached values are fit's numbers exactly, #NUM! where fit went non-finite."
    x, y = graddesc_data()
    for name, (model, params, opt, epochs, grad, _) in RUNS.items():
        path = tmp_path/f'{name}.xlsx'
        t = to_workbook(path, model, params, x, y, opt, epochs, grad)
        v = read_cells(path)
        head = list(v.loc[2])
        col = lambda h: [u for u in v[v.columns[head.index(h)]].iloc[3:]]
        as_float = lambda cells: np.array([np.nan if u == '#NUM!' else u for u in cells], float)
        np.testing.assert_array_equal(as_float(col('err^2')), np.where(np.isfinite(t.sq_errs), t.sq_errs, np.nan), err_msg=name)
        for n in model.names:
            np.testing.assert_array_equal(as_float(col(f'new {n}')), np.where(np.isfinite(t.history[n][1:]), t.history[n][1:], np.nan), err_msg=name)
            used = col(('est de/d' if grad == 'numeric' else 'de/d') + n)
            np.testing.assert_array_equal(as_float(used), np.where(np.isfinite(t.grads[n]), t.grads[n], np.nan), err_msg=name)
        ep = [u for u in col('epoch error') if u is not None]
        np.testing.assert_array_equal(as_float(ep), np.where(np.isfinite(t.epoch_errors), t.epoch_errors, np.nan), err_msg=name)

@pytest.mark.parametrize('name', list(RUNS))
def test_engine_recalculates_fit(recalculated, name):
    "LibreOffice's values of every formula cell equal fit's (1e-12 relative), errors exactly where fit overflowed."
    (path, _, trace, _), same, _ = recalculated[name]
    expected = stored(path)
    bad = compare(expected, engine_cells(same), headers(path))
    assert not bad, f"{name}: {len(bad)} cells differ, e.g. {bad[:3]}"
    assert len(expected) > 29 * 8
    if name == 'twolinear-sgd-overflows':
        assert trace.diverged and sum(v == '#NUM!' for _, v in expected.values()) > 100

@pytest.mark.parametrize('name', list(RUNS))
def test_typing_a_new_lr(recalculated, name):
    "Retype `lr` in the file and recalculate: the engine gives fit's run at the new rate, not the stored numbers."
    (path, path_new, _, trace_new), _, retyped = recalculated[name]
    before, after = stored(path), stored(path_new)
    got = engine_cells(retyped)
    bad = compare(after, got, headers(path_new))
    assert not bad, f"{name}: {len(bad)} cells differ from fit at the new lr, e.g. {bad[:3]}"
    # the check that fails if the engine had not recalculated: the values moved away from the stored ones
    moved = [c for c, (_, v) in before.items() if isinstance(v, float) and isinstance(got[0].get(c), float)
             and abs(got[0][c] - v) > 1e-6 * abs(v)]
    assert len(moved) > len(before) / 2, f"{name}: only {len(moved)} of {len(before)} cells changed after the lr change"
    assert compare(before, got, headers(path)), "the stored values pass for the new lr: the check could not see a missing recalculation"

def test_the_check_sees_stale_values(recalculated):
    "A result that kept the stored numbers (no recalculation) fails the lr-change comparison."
    (path, path_new, _, _), same, _ = recalculated['linear-sgd-analytic']
    assert compare(stored(path_new), engine_cells(same), headers(path_new))

@pytest.fixture(scope='module')
def sheets_recalculated(tmp_path_factory):
    "The basic and momentum sheets exported as Reset leaves them and after some epochs, recalculated, and with lr retyped."
    tmp = tmp_path_factory.mktemp('sheets')
    cases = {'basic': Sheet('basic'), 'momentum': Sheet('momentum'), 'basic-after-3': Sheet('basic').run(3),
             'momentum-after-2': Sheet('momentum').run(2)}
    paths = {k: sheet_to_workbook(sh, tmp/f'{k}.xlsx') for k, sh in cases.items()}
    jobs = [{'path': p} for p in paths.values()] + [{'path': p, 'set': {'lr': 3e-4}} for p in paths.values()]
    res = recalculate(jobs, tmp)
    n = len(paths)
    return {k: (cases[k], paths[k], res[i], res[n + i]) for i, k in enumerate(paths)}

@pytest.mark.parametrize('name', ['basic', 'momentum'])
def test_sheet_export_is_the_reference(workbook, workbook_formulas, tmp_path, name):
    "Every filled cell of the reference sheet, formula and stored value, is in the export, and nothing else is."
    path = Sheet(name).to_workbook(tmp_path/f'{name}.xlsx')
    mine_f, mine_v = read_cells(path, True), read_cells(path)
    ref_f, ref_v = workbook_formulas[name], workbook[name]
    ref = {c.coordinate: (c.value, ref_v[c.coordinate].value) for row in ref_f.iter_rows() for c in row if c.value is not None}
    mine = {f'{c}{r}': (mine_f.loc[r, c], mine_v.loc[r, c]) for r in mine_f.index for c in mine_f.columns if mine_f.loc[r, c] is not None}
    assert set(mine) == set(ref), (sorted(set(mine) - set(ref)), sorted(set(ref) - set(mine)))
    for cell, (f, v) in ref.items():
        assert mine[cell] == (f, v), (cell, mine[cell], (f, v))

@pytest.mark.parametrize('name', ['basic', 'momentum', 'basic-after-3', 'momentum-after-2'])
def test_sheet_export_recalculates(sheets_recalculated, name):
    "LibreOffice recalculates the exported sheet to the Sheet's table; with lr retyped, to the Sheet with that lr."
    sheet, path, same, retyped = sheets_recalculated[name]
    heads = {f'{c}{r}': t for r in range(4, 33) for c, t in zip(SHEET_LAYOUTS[sheet.name]['rows'], sheet.table.columns)}
    assert not compare(stored(path), engine_cells(same), heads)
    sheet.lr = 3e-4  # the Sheet recalculates the epoch on display, as the spreadsheet does
    want = sheet.table
    got, _ = engine_cells(retyped)
    for col, src in zip(SHEET_LAYOUTS[sheet.name]['rows'], want.columns):
        have = np.array([got[f'{col}{r}'] for r in range(4, 33)], float)
        scale = np.abs(want[src].to_numpy())
        if src.startswith('est '):  # a finite difference magnifies its operands' last bit (see `compare`)
            scale = np.maximum(scale, np.maximum(want['err^2'], want['errb1' if src.endswith('b') else 'erra1']) / 0.01)
        assert (np.abs(have - want[src].to_numpy()) <= 1e-12 * scale).all(), f"{name} {col}"
    err_cell = 'F33' if sheet.name == 'basic' else 'L33'
    assert math.isclose(got[err_cell], sheet.error, rel_tol=1e-12)
    assert not math.isclose(got[err_cell], read_cells(path).loc[33, err_cell[0]], rel_tol=1e-6), "lr change did not recalculate"

def test_downloads_recalculate(tmp_path):
    "The site's downloads: each file recalculates to its stored values."
    paths = lesson_workbooks(tmp_path/'downloads')
    assert len(paths) == len(lesson_runs()) + 2
    results = recalculate([{'path': p} for p in paths], tmp_path)
    for p, res in zip(paths, results):
        heads = headers(p) if p.stem.endswith('_run') else {}
        bad = compare(stored(p), engine_cells(res), heads)
        assert not bad, f"{p.name}: {bad[:3]}"
