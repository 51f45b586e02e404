"""Lesson 7 against a real spreadsheet engine: the exported workbooks, recalculated by LibreOffice
(headless, driven through UNO by tools/lo_recalc.py), give `fit`'s numbers; typing another learning
rate (and beta) into the input cells and recalculating gives `fit`'s run at those values. The stored
values cannot pass these checks on their own: after a retyped value the engine's values must move away
from them. The five exported sheets equal the reference workbook's cells, and recalculate to the
`Sheet`'s table (or to a plain-Python transcription of the sheet's formulas when beta is retyped).
Runs that overflow show LibreOffice's error cells exactly where the file stores #NUM!, also where
numpy's own run kept a number.

Engine habits the comparisons allow for: LibreOffice's SUM adds with compensation, so an epoch error
can differ from a running sum in the last digit; and it rounds the difference of two numbers that agree
to within 2^-48 to exactly 0, which shows in the finite-difference columns of an exploding run (the
tolerance for those columns admits that 0; lesson 7 shows where it makes a run at lr 0.001 part)."""
import json, math, os, shutil, subprocess
import numpy as np
import pytest
from conftest import ROOT
import copy
from gd_notebooks.all import graddesc_data, Linear, TwoLinear, ReLUSandwich, SGD, Momentum, RMSProp, Adam, fit, Sheet
from gd_notebooks.workbook import (to_workbook, sheet_to_workbook, read_cells, lesson_workbooks, lesson_runs, SHEET_LAYOUTS,
                                   SHEET_FILES, _spreadsheet)

UNO_PYTHON = '/usr/bin/python3'  # Debian's interpreter: the only one with LibreOffice's `uno` module
ONE, ONES = {'a': 1., 'b': 1.}, dict.fromkeys('abcd', 1.)
LR17 = 2.0000000000000003e-06  # needs 17 significant digits: 16 read back as 2e-06

# name -> (model, params, opt, epochs, grad, carry_over, what is typed into the file afterwards)
RUNS = {
    'linear-sgd-analytic': (Linear(), ONE, SGD(1e-4), 3, 'analytic', False, {'lr': 3e-4}),
    'linear-sgd-numeric': (Linear(), ONE, SGD(1e-4), 2, 'numeric', False, {'lr': 5e-5}),
    'linear-sgd-carry-over': (Linear(), ONE, SGD(1e-4), 3, 'analytic', True, {'lr': 3e-4}),
    'linear-sgd-17-digits': (Linear(), {'a': 0.1 + 0.2, 'b': 1.}, SGD(LR17), 2, 'analytic', False, {'lr': 1.0000000000000002e-05}),
    'linear-momentum-analytic': (Linear(), ONE, Momentum(1e-4, 0.9), 3, 'analytic', False, {'lr': 2e-4, 'beta': 0.8}),
    'linear-momentum-carry-over-numeric': (Linear(), ONE, Momentum(1e-4, 0.9), 3, 'numeric', True, {'beta': 0.5}),
    'linear-momentum-undampened-numeric': (Linear(), ONE, Momentum(1e-5, 0.9, dampening=False), 2, 'numeric', False, {'lr': 2e-5}),
    'twolinear-sgd-numeric': (TwoLinear(), ONES, SGD(1e-4), 1, 'numeric', False, {'lr': 5e-5}),
    'twolinear-sgd-overflows': (TwoLinear(), ONES, SGD(1e-4), 2, 'analytic', False, {'lr': 2e-5}),
    'twolinear-momentum-analytic': (TwoLinear(), ONES, Momentum(2e-5, 0.9), 2, 'analytic', False, {'lr': 1e-5, 'beta': 0.7}),
    'relu-sgd-analytic': (ReLUSandwich(), ONES, SGD(1e-4), 3, 'analytic', False, {'lr': 5e-5}),
    'relu-momentum-numeric': (ReLUSandwich(), ONES, Momentum(1e-4, 0.5), 2, 'numeric', False, {'lr': 5e-5}),
    'relu-momentum-undampened-analytic': (ReLUSandwich(), ONES, Momentum(1e-5, 0.9, dampening=False), 2, 'analytic', False, {'lr': 3e-6}),
    'twolinear-rmsprop-sheet-form-numeric': (TwoLinear(), ONES, RMSProp(1e-3, 0.9, eps=0., lagged=True, init=1e4), 1, 'numeric', False, {'lr': 2e-3, 'beta': 0.8}),
    'relu-adam-library-form': (ReLUSandwich(), ONES, Adam(0.01), 2, 'analytic', False, {'lr': 0.02, 'beta1': 0.5}),
    'relu-rmsprop-library-form': (ReLUSandwich(), ONES, RMSProp(1e-3), 2, 'analytic', False, {'lr': 3e-3, 'beta': 0.9, 'eps': 1e-6}),
    'linear-rmsprop-sheet-form': (Linear(), ONE, RMSProp(0.02, 0.9, eps=0., lagged=True, init=1e4), 2, 'analytic', False, {'lr': 0.01}),
    'linear-adam-library-form': (Linear(), ONE, Adam(0.1), 2, 'analytic', False, {'lr': 0.05, 'beta1': 0.8, 'beta2': 0.99}),
    'linear-adam-sheet-form-carry-over': (Linear(), ONE, Adam(1., 0.9, 0.95, eps=0., debias=False, init=1e4), 3, 'analytic', True, {'lr': 0.5}),
    'twolinear-adam-sheet-form-numeric': (TwoLinear(), ONES, Adam(0.01, 0.9, 0.95, eps=0., debias=False, init=1e4), 1, 'numeric', False, {'lr': 0.02}),
}

# runs that overflow where `fit`'s numpy keeps numbers a spreadsheet shows as errors (max(-inf, 0) = 0, -inf > 0 is False,
# w - g·lr/inf = w): name -> (model, params, opt, epochs)
OVERFLOWS = {
    'relu-sgd-weights-to-minus-inf': (ReLUSandwich(), {'a': 1e150, 'b': 1e150, 'c': 1e150, 'd': 0.}, SGD(1.), 1),
    'relu-sgd-hidden-unit-overflows': (ReLUSandwich(), {'a': -1e307, 'b': 1., 'c': 1., 'd': 1.}, SGD(1e-4), 1),
    'linear-rmsprop-mean-square-overflows': (Linear(), {'a': 1e154, 'b': 1.}, RMSProp(1e-3), 1),
    'linear-adam-second-moment-overflows': (Linear(), {'a': 1e154, 'b': 1.}, Adam(0.1), 1),
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
    cols, F, V = list(f.columns), f.to_numpy(), v.to_numpy()
    return {f'{cols[j]}{i + 1}': (F[i, j], V[i, j]) for i in range(F.shape[0]) for j in range(F.shape[1])
            if isinstance(F[i, j], str) and F[i, j].startswith('=')}

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
    covers the engine's habit of rounding a difference of nearly equal numbers to exactly 0."""
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
    "Each cell's column header (row 3 of an exported run)."
    f = read_cells(path, formulas=True)
    head = [str(h) for h in f.loc[3]]
    return {f'{c}{r}': h for c, h in zip(f.columns, head) for r in f.index}

def retyped(opt, values):
    "A copy of `opt` with `values` ({'lr': ..., 'beta': ...}) set, as typing them into the file does."
    again = copy.copy(opt)
    for k, v in values.items(): setattr(again, k, v)
    return again

def _run_jobs(tmp):
    "Every run written twice (as given, and with the retyped values); jobs: each first file as written, and with the values typed in."
    x, y = graddesc_data()
    files, jobs = {}, []
    for name, (model, params, opt, epochs, grad, carry, typed) in RUNS.items():
        files[name] = (tmp/f'{name}.xlsx', tmp/f'{name}-typed.xlsx')
        traces = (to_workbook(files[name][0], model, params, x, y, opt, epochs, grad, carry),
                  to_workbook(files[name][1], model, params, x, y, retyped(opt, typed), epochs, grad, carry))
        files[name] += traces
        jobs += [{'path': files[name][0]}, {'path': files[name][0], 'set': typed}]
    return files, jobs

@pytest.fixture(scope='module')
def engine(tmp_path_factory):
    "One LibreOffice session for the module: the runs, the sheets and the downloads, each group's files and its results."
    tmp = tmp_path_factory.mktemp('engine')
    groups = {}
    for k, make in (('runs', _run_jobs), ('sheets', _sheet_jobs), ('downloads', _download_jobs), ('overflows', _overflow_jobs)):
        (tmp/k).mkdir(); groups[k] = make(tmp/k)
    res = iter(recalculate([j for _, jobs in groups.values() for j in jobs], tmp))
    return {k: (meta, [next(res) for _ in jobs]) for k, (meta, jobs) in groups.items()}

@pytest.fixture(scope='module')
def recalculated(engine):
    "name -> ((file, file with the retyped values, their traces), the engine's result as written, with the values typed in)."
    files, res = engine['runs']
    return {name: (files[name], res[2 * i], res[2 * i + 1]) for i, name in enumerate(RUNS)}

def cell_tables(path):
    "The file's formula cells {'F7': '=...'}, its number cells {'A4': 14.0} and every cell's stored value."
    f, v = read_cells(path, formulas=True), read_cells(path)
    cols = list(f.columns)
    cells = [(f'{cols[j]}{i + 1}', F, V) for i, (fr, vr) in enumerate(zip(f.to_numpy(), v.to_numpy())) for j, (F, V) in enumerate(zip(fr, vr))]
    return ({c: F for c, F, _ in cells if isinstance(F, str) and F.startswith('=')},
            {c: float(F) for c, F, _ in cells if isinstance(F, (int, float))}, {c: V for c, _, V in cells})

def test_formulas_evaluate_to_the_stored_values(tmp_path):
    "Without any engine: the formulas, evaluated step by step in IEEE doubles (the writers' own rule for errors), give the stored values bit for bit."
    x, y = graddesc_data()
    paths = [(to_workbook(tmp_path/f'{n}.xlsx', m, p, x, y, o, e, g, c), tmp_path/f'{n}.xlsx')[1] for n, (m, p, o, e, g, c, _) in RUNS.items()]
    paths += [sheet_to_workbook(f(), tmp_path/f'sheet-{k}.xlsx') for k, f in SHEET_CASES.items()]
    for path in paths:
        formulas, numbers, stored = cell_tables(path)
        lay = SHEET_LAYOUTS[path.stem[6:].split('-')[0]] if path.stem.startswith('sheet-') else {'names': {}, 'local': {}}
        names = {**lay['names'], **lay['local']}
        got = _spreadsheet(formulas, numbers, names)
        assert {c: got[c] for c in formulas} == {c: stored[c] for c in formulas}, path.name

def _overflow_jobs(tmp):
    "The overflowing runs; jobs: each file as written."
    x, y = graddesc_data()
    files = {n: (tmp/f'{n}.xlsx', to_workbook(tmp/f'{n}.xlsx', m, p, x, y, o, e)) for n, (m, p, o, e) in OVERFLOWS.items()}
    return files, [{'path': path} for path, _ in files.values()]

@pytest.mark.parametrize('name', list(OVERFLOWS))
def test_error_cells_are_the_spreadsheets(engine, name):
    "Where numpy keeps a number from an overflow, the file stores the error LibreOffice shows: its error cells are exactly the file's."
    files, results = engine['overflows']
    path, trace = files[name]
    expected = stored(path)
    got = engine_cells(results[list(OVERFLOWS).index(name)])
    assert not compare(expected, got, headers(path)), name
    errors = {c for c, (_, v) in expected.items() if isinstance(v, str)}
    assert errors == got[1] and len(errors) > 100
    # teeth: some of these cells hold a finite number in fit's run (a writer that stored fit's numbers would fail here)
    v = read_cells(path); head = list(v.loc[3])
    kept = [(n, s) for n in trace.grads for s in range(len(trace.sq_errs))
            if np.isfinite(trace.grads[n][s]) and v.loc[s + 4, v.columns[head.index(f'de/d{n}')]] == '#NUM!']
    assert kept, name

def test_charts_follow_the_cells(tmp_path):
    "The charts read the cells and leave their axes to the spreadsheet: no fixed range in the file; err^2 on a log axis."
    import zipfile
    x, y = graddesc_data()
    for model, params in ((Linear(), ONE), (TwoLinear(), ONES)):
        path = tmp_path/'run.xlsx'
        to_workbook(path, model, params, x, y, SGD(1e-4), epochs=2)
        with zipfile.ZipFile(path) as z: charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith('xl/charts/chart')]
        assert len(charts) == 2 and not any(('<c:min ' in c or '<c:max ' in c) for c in charts)
        assert '<c:logBase val="10"/>' in charts[0] and '$4:$' in charts[0] and '$61</c:f>' in charts[1]

def test_stored_values_are_fits(tmp_path):
    "Without any engine: the cached values are fit's numbers exactly, #NUM! where fit went non-finite (in these runs, the only error cells)."
    x, y = graddesc_data()
    for name, (model, params, opt, epochs, grad, carry, _) in RUNS.items():
        path = tmp_path/f'{name}.xlsx'
        t = to_workbook(path, model, params, x, y, opt, epochs, grad, carry)
        v = read_cells(path)
        head = list(v.loc[3])
        col = lambda h: [u for u in v[v.columns[head.index(h)]].iloc[3:]]
        as_float = lambda cells: np.array([np.nan if u == '#NUM!' else u for u in cells], float)
        fin = lambda a: np.where(np.isfinite(a), a, np.nan)
        np.testing.assert_array_equal(as_float(col('err^2')), fin(t.sq_errs), err_msg=name)
        kept = np.ones(len(t.sq_errs), bool)
        if carry: kept[len(x) - 1::len(x)] = False  # the Run button drops each epoch's last update (the cell still shows it)
        for n in model.names:
            w = col({'a': 'slope', 'b': 'intercept'}[n] if isinstance(model, Linear) else n)
            np.testing.assert_array_equal(as_float(w), fin(t.history[n][:-1]), err_msg=name)
            np.testing.assert_array_equal(as_float(col(f'new {n}'))[kept], fin(t.history[n][1:])[kept], err_msg=name)
            used = col(('est de/d' if grad == 'numeric' else 'de/d') + n)
            np.testing.assert_array_equal(as_float(used), fin(t.grads[n]), err_msg=name)
        ep = [u for u in col('epoch error') if u is not None]
        np.testing.assert_array_equal(as_float(ep), fin(t.epoch_errors), err_msg=name)

@pytest.mark.parametrize('name', list(RUNS))
def test_engine_recalculates_fit(recalculated, name):
    "LibreOffice's values of every formula cell equal fit's (1e-12 relative), errors exactly where the file stores them."
    (path, _, trace, _), same, _ = recalculated[name]
    expected = stored(path)
    bad = compare(expected, engine_cells(same), headers(path))
    assert not bad, f"{name}: {len(bad)} cells differ, e.g. {bad[:3]}"
    assert len(expected) > 29 * 8
    if name == 'twolinear-sgd-overflows':
        assert trace.diverged and sum(v == '#NUM!' for _, v in expected.values()) > 100

@pytest.mark.parametrize('name', list(RUNS))
def test_typing_new_values(recalculated, name):
    "Retype lr (and beta...) in the file and recalculate: the engine gives fit's run at the new values, not the stored numbers."
    (path, path_new, _, trace_new), _, typed = recalculated[name]
    before, after = stored(path), stored(path_new)
    got = engine_cells(typed)
    bad = compare(after, got, headers(path_new))
    assert not bad, f"{name}: {len(bad)} cells differ from fit at the new values, e.g. {bad[:3]}"
    # the check that fails if the engine had not recalculated: the values moved away from the stored ones
    moved = [c for c, (_, v) in before.items() if isinstance(v, float) and isinstance(got[0].get(c), float)
             and abs(got[0][c] - v) > 1e-6 * abs(v)]
    assert len(moved) > len(before) / 2, f"{name}: only {len(moved)} of {len(before)} cells changed after the new values"
    assert compare(before, got, headers(path)), "the stored values pass for the new values: the check could not see a missing recalculation"

def test_the_check_sees_stale_values(recalculated):
    "A result that kept the stored numbers (no recalculation) fails the comparison with the retyped run."
    (path, path_new, _, _), same, _ = recalculated['linear-sgd-analytic']
    assert compare(stored(path_new), engine_cells(same), headers(path_new))

def test_numbers_read_back_exactly(tmp_path):
    "Every number written reads back as the same double in openpyxl; XlsxWriter's own 16 digits would not."
    assert float(f"{LR17:.16g}") != LR17 and float(f"{0.1 + 0.2:.16g}") != 0.1 + 0.2
    x, y = graddesc_data()
    to_workbook(tmp_path/'r.xlsx', Linear(), {'a': 0.1 + 0.2, 'b': 1.}, x, y, SGD(LR17))
    v = read_cells(tmp_path/'r.xlsx')
    assert (v.loc[1, 'F'], v.loc[2, 'C']) == (LR17, 0.1 + 0.2)
    # doubles of every size, through a Sheet's input cells (write_number) and the cells' stored values (write_formula)
    rng = np.random.default_rng(0)
    for p in rng.uniform(-1, 1, 20) * 10.0 ** rng.integers(-300, 300, 20):
        sh = Sheet('basic'); sh.params = {'a': 1., 'b': float(p)}; sh.lr = 1e-4
        cells = read_cells(sh.to_workbook(tmp_path/'b.xlsx'))
        assert cells.loc[1, 'C'] == float(p) and cells.loc[4, 'C'] == float(p)

def test_engine_reads_the_numbers_exactly(recalculated):
    "LibreOffice reads the 17-digit inputs as the same doubles."
    (path, _, _, _), same, _ = recalculated['linear-sgd-17-digits']
    engine, _ = engine_cells(same)
    assert (engine['F1'], engine['C2']) == (LR17, 0.1 + 0.2)

def test_run_button_rule_is_the_sheets(tmp_path):
    "carry_over=True: each epoch starts from the weights entering the previous epoch's last row; the errors are Sheet.run's bit for bit."
    x, y = graddesc_data()
    for lr in (1e-4, 3e-4):
        path = tmp_path/'run.xlsx'
        t = to_workbook(path, Linear(), ONE, x, y, SGD(lr), epochs=6, carry_over=True)
        sh = Sheet('basic', lr=lr).run(5)
        assert t.epoch_errors.tolist() == sh.errors
        f = read_cells(path, formulas=True)
        assert [f.loc[r, c] for r in (33, 62) for c in 'CD'] == ['=C32', '=D32', '=C61', '=D61']
        assert [f.loc[r, c] for r in (32, 34) for c in 'CD'] == ['=N31', '=M31', '=N33', '=M33']
        # the last epoch's rows are the sheet's table after five Run presses
        v = read_cells(path)
        got = np.array([[v.loc[r, c] for c in 'CDEFKLMN'] for r in range(3 + 29 * 5 + 1, 3 + 29 * 6 + 1)], float)
        want = sh.table[['intercept', 'slope', 'y_pred', 'err^2', 'de/db', 'de/da', 'new a', 'new b']].to_numpy()
        np.testing.assert_array_equal(got, want)

def test_run_layout_is_the_basic_sheets(workbook, workbook_formulas, tmp_path):
    "Lesson 1's run: cells A1:N32 are the saved basic sheet's labels, formulas and values, but for the notes I1, H2, I2."
    x, y = graddesc_data()
    path = tmp_path/'run.xlsx'
    to_workbook(path, Linear(), ONE, x, y, SGD(1e-4), epochs=2)
    mine_f, mine_v = read_cells(path, True), read_cells(path)
    ref_f, ref_v = workbook_formulas['basic'], workbook['basic']
    differ = [f'{c}{r}' for r in range(1, 33) for c in 'ABCDEFGHIJKLMN'
              if (mine_f.loc[r, c], mine_v.loc[r, c]) != (ref_f[f'{c}{r}'].value, ref_v[f'{c}{r}'].value)]
    assert differ == ['I1', 'H2', 'I2']
    assert mine_f.loc[33, 'C'] == '=N32' and mine_f.loc[33, 'D'] == '=M32'  # then the run goes on, as fit does

def test_inputs_sit_in_rows_1_and_2(tmp_path):
    "Two weights in C1:C2, lr in F1, then the other inputs in pairs of label and value: E2:F2, H1:I1, ...; hyperparameters named."
    import openpyxl
    x, y = graddesc_data()
    path = tmp_path/'adam.xlsx'
    to_workbook(path, TwoLinear(), ONES, x, y, Adam(0.01, 0.8, 0.99, eps=1e-7), epochs=1)
    v = read_cells(path)
    labels = [v.loc[r, c] for c in 'BEHKNQTWZ' for r in (1, 2)]
    assert labels[:8] == ['a', 'b', 'learn', 'beta1', 'beta2', 'eps', 'c', 'd']
    assert labels[8:] == ['m_a', 'm_b', 'm_c', 'm_d', 'v_a', 'v_b', 'v_c', 'v_d', None, None]
    assert [v.loc[r, c] for c, r in (('F', 1), ('F', 2), ('I', 1), ('I', 2))] == [0.01, 0.8, 0.99, 1e-7]
    names = {n: d.attr_text for n, d in openpyxl.load_workbook(path).defined_names.items()}
    assert names == {'lr': "'run'!$F$1", 'beta1': "'run'!$F$2", 'beta2': "'run'!$I$1", 'eps': "'run'!$I$2"}

def test_path_errors(tmp_path, monkeypatch):
    "None or a number is a TypeError naming `path`, not a file called 'None'; a folder or an unwritable place an OSError naming the path."
    x, y = graddesc_data()
    monkeypatch.chdir(tmp_path)
    run = lambda p: to_workbook(p, Linear(), ONE, x, y, SGD(1e-4))
    for bad in (None, 123, 1.5, b'run.xlsx', ['run.xlsx']):
        with pytest.raises(TypeError, match='`path` must be a file path'): run(bad)
    assert not list(tmp_path.iterdir())
    with pytest.raises(IsADirectoryError, match='is a folder'): run(tmp_path)
    with pytest.raises(FileNotFoundError, match='does not exist'): run(tmp_path/'no'/'run.xlsx')
    with pytest.raises(TypeError, match='`path`'): Sheet('basic').to_workbook(None)
    with pytest.raises(TypeError, match='`path`'): sheet_to_workbook(Sheet('adam'), 7)
    with pytest.raises(TypeError, match='`outdir`'): lesson_workbooks(None)
    with pytest.raises(TypeError, match='`sheet` must be a Sheet'): sheet_to_workbook('basic', tmp_path/'s.xlsx')
    assert not list(tmp_path.iterdir())
    # a place no one can create files in, root included; then a FileCreateError from XlsxWriter, whatever the reason
    if os.path.isdir('/proc'):
        with pytest.raises(OSError, match=r"cannot write `path` '/proc/gd_run.xlsx'"): run('/proc/gd_run.xlsx')
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError
    def refuse(self): raise FileCreateError(PermissionError(13, 'Permission denied'))
    monkeypatch.setattr(xlsxwriter.Workbook, 'close', refuse)
    with pytest.raises(PermissionError, match=r"cannot write `path` '.*locked.xlsx': Permission denied") as e: run(tmp_path/'locked.xlsx')
    assert not isinstance(e.value, FileCreateError)
    with pytest.raises(PermissionError, match='cannot write `path`'): Sheet('rmsprop').to_workbook(tmp_path/'locked.xlsx')

# ---- the five sheets ----
SHEETS = ['basic', 'momentum', 'rmsprop', 'adam', 'adam_ann']
STATE_CELLS = {'rmsprop': dict(zip(('s_b', 's_a'), 'JK')), 'adam': dict(zip(('m_b', 'm_a', 'v_b', 'v_a'), 'JKLM'))}
STATE_CELLS['adam_ann'] = STATE_CELLS['adam']

def _r16(d): return {k: float(f'{v:.16g}') for k, v in d.items()}

def pressed(name):
    "The Sheet after the button presses that lead to the saved workbook (tests/oracle/test_workbook_adaptive.py)."
    sh = Sheet(name)
    if name == 'rmsprop': sh.run(5)
    elif name == 'adam': sh.run(15); sh.lr = 0.1; sh.run(5)
    elif name == 'adam_ann':
        sh.run(5); sh.params, sh.state = _r16(sh.params), _r16(sh.state); sh.lr = sh.lr; sh.run(20)
    return sh

def typed_in(name, ws):
    "The Sheet with the saved sheet's inputs typed in: C1:C2, D2, the state in row 33 (and adam_ann's N3)."
    sh = Sheet(name)
    if name in ('basic', 'momentum'): return sh
    sh.params = {'a': ws['C2'].value, 'b': ws['C1'].value}
    sh.state = {k: ws[f'{c}33'].value for k, c in STATE_CELLS[name].items()} | ({'prev_grad2': ws['N3'].value} if name == 'adam_ann' else {})
    sh.lr = ws['D2'].value
    return sh

def _same_as_reference(path, ref_f, ref_v):
    mine_f, mine_v = read_cells(path, True), read_cells(path)
    ref = {c.coordinate: (c.value, ref_v[c.coordinate].value) for row in ref_f.iter_rows() for c in row if c.value is not None}
    mine = {f'{c}{r}': (mine_f.loc[r, c], mine_v.loc[r, c]) for r in mine_f.index for c in mine_f.columns if mine_f.loc[r, c] is not None}
    assert set(mine) == set(ref), (sorted(set(mine) - set(ref)), sorted(set(ref) - set(mine)))
    for cell, (f, v) in ref.items():
        assert mine[cell] == (f, v), (cell, mine[cell], (f, v))
    return len(ref)

@pytest.mark.parametrize('name', SHEETS)
def test_sheet_export_is_the_reference(workbook, workbook_formulas, tmp_path, name):
    "Every filled cell of the reference sheet, formula and stored value, is in the export, and nothing else is."
    path = typed_in(name, workbook[name]).to_workbook(tmp_path/f'{name}.xlsx')
    n = _same_as_reference(path, workbook_formulas[name], workbook[name])
    assert n == {'basic': 435, 'momentum': 372, 'rmsprop': 340, 'adam': 405, 'adam_ann': 412}[name]

@pytest.mark.parametrize('name', ['rmsprop', 'adam', 'adam_ann'])
def test_pressed_sheet_export_is_the_reference(workbook, workbook_formulas, tmp_path, name):
    "The adaptive sheets after the button presses that led to the saved workbook export to its cells too."
    _same_as_reference(pressed(name).to_workbook(tmp_path/f'{name}.xlsx'), workbook_formulas[name], workbook[name])

def test_sheet_names(tmp_path):
    "Each sheet's inputs carry the defined names the tests type into; the sheet's own local names are kept."
    import openpyxl
    want = {'basic': {'lr': 'F1'}, 'momentum': {'lr': 'D2', 'beta': 'J1'}, 'rmsprop': {'lr': 'D2', 'beta': 'J1'},
            'adam': {'lr': 'D2', 'beta1': 'J1', 'beta2': 'L1'}, 'adam_ann': {'lr': 'D2', 'beta1': 'J1', 'beta2': 'L1'}}
    for name in SHEETS:
        book = openpyxl.load_workbook(Sheet(name).to_workbook(tmp_path/f'{name}.xlsx'))
        got = {n: d.attr_text for n, d in book.defined_names.items()}
        assert got == {n: f"{name}!${c[0]}${c[1:]}" for n, c in want[name].items()}
        local = {n: d.attr_text for n, d in book[name].defined_names.items()}
        assert local['lastslope'] == f'{name}!$D$32' and local['lastconst'] == f'{name}!$C$32'

# plain-Python transcriptions of each sheet's formulas for one epoch (Excel rows 4-32), independent of the package
def _momentum_epoch(a, b, s, lr, beta):
    J, K, rows = s['m_b'], s['m_a'], {}
    for r, (A, B) in enumerate(zip(*[v.tolist() for v in graddesc_data()]), 4):
        C, D = b, a
        E = C + D * A; F = 2 * (D * A + C - B); G = F * A
        J = J * beta + (1 - beta) * F; K = K * beta + (1 - beta) * G
        H = C - J * lr; I = D - K * lr; L = (B - E) ** 2
        rows[r] = dict(C=C, D=D, E=E, F=F, G=G, H=H, I=I, J=J, K=K, L=L)
        b, a = H, I
    return rows

def _rmsprop_epoch(a, b, s, lr, beta):
    J, K, rows = s['s_b'], s['s_a'], {}
    for r, (A, B) in enumerate(zip(*[v.tolist() for v in graddesc_data()]), 4):
        C, D = b, a
        E = C + D * A; F = 2 * (D * A + C - B); G = F * A
        H = C - F * lr / math.sqrt(J); I = D - G * lr / math.sqrt(K)
        J = J * beta + (1 - beta) * F ** 2; K = K * beta + (1 - beta) * G ** 2
        rows[r] = dict(C=C, D=D, E=E, F=F, G=G, H=H, I=I, J=J, K=K)
        b, a = H, I
    return rows

def _adam_epoch(a, b, s, lr, beta1, beta2):
    J, K, L, M, rows = s['m_b'], s['m_a'], s['v_b'], s['v_a'], {}
    for r, (A, B) in enumerate(zip(*[v.tolist() for v in graddesc_data()]), 4):
        C, D = b, a
        E = C + D * A; F = 2 * (D * A + C - B); G = F * A
        J = J * beta1 + (1 - beta1) * F; K = K * beta1 + (1 - beta1) * G
        L = L * beta2 + (1 - beta2) * F ** 2; M = M * beta2 + (1 - beta2) * G ** 2
        H = C - J * lr / math.sqrt(L); I = D - K * lr / math.sqrt(M)
        rows[r] = dict(C=C, D=D, E=E, F=F, G=G, H=H, I=I, J=J, K=K, L=L, M=M)
        b, a = H, I
    return rows

BETA_TYPED = {'momentum': {'lr': 2e-4, 'beta': 0.8}, 'rmsprop': {'lr': 0.01, 'beta': 0.8},
              'adam': {'lr': 0.05, 'beta2': 0.99}, 'adam_ann': {'lr': 0.002, 'beta1': 0.8, 'beta2': 0.9}}

def _formula_epoch(sh, typed):
    "The displayed epoch with `typed` values, by the transcriptions above."
    a, b, s = sh.params['a'], sh.params['b'], sh.state
    if sh.name == 'momentum': return _momentum_epoch(a, b, s, typed['lr'], typed['beta'])
    if sh.name == 'rmsprop': return _rmsprop_epoch(a, b, s, typed['lr'], typed['beta'])
    o = sh.spec.opt(sh.lr)
    return _adam_epoch(a, b, s, typed['lr'], typed.get('beta1', o.beta1), typed.get('beta2', o.beta2))

def test_transcriptions_are_the_sheets():
    "At the sheets' own settings the transcriptions give each Sheet's table exactly (so they can judge retyped betas)."
    for name in BETA_TYPED:
        sh = pressed(name)
        own = {'lr': sh.lr, 'beta': sh.spec.beta if name == 'momentum' else sh.spec.opt(sh.lr).beta} if name in ('momentum', 'rmsprop') else {'lr': sh.lr}
        rows, t = _formula_epoch(sh, own), sh.table
        for col, key in zip(SHEET_LAYOUTS[name]['rows'], t.columns):
            if col in 'AB': continue
            assert [rows[r][col] for r in range(4, 33)] == t[key].tolist(), (name, col)

SHEET_CASES = {'basic': lambda: Sheet('basic'), 'momentum': lambda: Sheet('momentum'), 'rmsprop': lambda: Sheet('rmsprop'),
               'adam': lambda: Sheet('adam'), 'adam_ann': lambda: Sheet('adam_ann'), 'basic-after-3': lambda: Sheet('basic').run(3),
               'momentum-after-2': lambda: Sheet('momentum').run(2), 'rmsprop-saved': lambda: pressed('rmsprop'),
               'adam-saved': lambda: pressed('adam'), 'adam_ann-saved': lambda: pressed('adam_ann')}
LR_TYPED = {'basic': 3e-4, 'momentum': 3e-4, 'rmsprop': 0.01, 'adam': 0.3, 'adam_ann': 0.3}

def _sheet_jobs(tmp):
    "Each sheet case exported; jobs: as written, with lr retyped, and (beyond basic) with lr and a beta retyped."
    cases = {k: f() for k, f in SHEET_CASES.items()}
    paths = {k: sheet_to_workbook(sh, tmp/f'{k}.xlsx') for k, sh in cases.items()}
    jobs = [j for k, p in paths.items() for j in ({'path': p}, {'path': p, 'set': {'lr': LR_TYPED[cases[k].name]}},
                                                  {'path': p, 'set': BETA_TYPED.get(cases[k].name, {})})]
    return (cases, paths), jobs

@pytest.fixture(scope='module')
def sheets_recalculated(engine):
    "case -> (the Sheet, its file, the engine's results: as written, lr retyped, lr and beta retyped)."
    (cases, paths), res = engine['sheets']
    return {k: (cases[k], paths[k], *res[3 * i:3 * i + 3]) for i, k in enumerate(paths)}

def _est_scale(want, src):
    return np.maximum(np.abs(want[src].to_numpy()), np.maximum(want['err^2'], want['errb1' if src.endswith('b') else 'erra1']) / 0.01)

@pytest.mark.parametrize('name', list(SHEET_CASES))
def test_sheet_export_recalculates(sheets_recalculated, name):
    "LibreOffice recalculates the exported sheet to the Sheet's table; with lr retyped, to the Sheet with that lr."
    sheet, path, same, typed_lr, _ = sheets_recalculated[name]
    lay = SHEET_LAYOUTS[sheet.name]
    heads = {f'{c}{r}': t for r in range(4, 33) for c, t in zip(lay['rows'], sheet.table.columns)}
    assert not compare(stored(path), engine_cells(same), heads)
    before = read_cells(path)
    sheet = copy.deepcopy(sheet)
    sheet.lr = LR_TYPED[sheet.name]  # the Sheet recalculates the epoch on display, as the spreadsheet does
    want = sheet.table
    got, errors = engine_cells(typed_lr)
    assert not errors
    for col, src in zip(lay['rows'], want.columns):
        have = np.array([got[f'{col}{r}'] for r in range(4, 33)], float)
        scale = _est_scale(want, src) if src.startswith('est ') else np.abs(want[src].to_numpy())  # see `compare`
        assert (np.abs(have - want[src].to_numpy()) <= 1e-12 * scale).all(), f"{name} {col}"
    err_cell = {'basic': 'F33', 'momentum': 'L33'}.get(sheet.name)
    if err_cell:
        assert math.isclose(got[err_cell], sheet.error, rel_tol=1e-12)
        assert not math.isclose(got[err_cell], before.loc[33, err_cell[0]], rel_tol=1e-6), "lr change did not recalculate"
    else:
        assert not math.isclose(got['H32'], before.loc[32, 'H'], rel_tol=1e-9), "lr change did not recalculate"
    if sheet.name == 'adam_ann':  # the cells Run's annealing reads: F33:G33 follow the rows; N33, N34 the pasted averages
        g = want['de/db'].to_numpy()
        assert math.isclose(got['F33'], math.sqrt(float(g @ g)) / 29, rel_tol=1e-12)
        assert got['N34'] == before.loc[34, 'N']

@pytest.mark.parametrize('name', [k for k in SHEET_CASES if not k.startswith('basic')])
def test_sheet_export_retyped_beta(sheets_recalculated, name):
    "Retype lr and a beta (beta, beta1, beta2) in the exported sheet: the engine follows the sheet's formulas at those values."
    sheet, path, _, _, typed = sheets_recalculated[name]
    rows = _formula_epoch(sheet, BETA_TYPED[sheet.name])
    got, errors = engine_cells(typed)
    assert not errors
    before = read_cells(path)
    for col in rows[4]:
        want = np.array([rows[r][col] for r in range(4, 33)])
        have = np.array([got[f'{col}{r}'] for r in range(4, 33)], float)
        assert (np.abs(have - want) <= 1e-12 * np.abs(want)).all(), f"{name} {col}"
    assert not math.isclose(got['H32'], before.loc[32, 'H'], rel_tol=1e-9), "the retyped values did not recalculate"

def _download_jobs(tmp):
    "The site's downloads; jobs: each file as written."
    paths = lesson_workbooks(tmp)
    return paths, [{'path': p} for p in paths]

def test_downloads_recalculate(engine):
    "The site's downloads: each file recalculates to its stored values."
    paths, results = engine['downloads']
    assert len(paths) == len(lesson_runs()) + len(SHEET_FILES) == 11
    for p, res in zip(paths, results):
        heads = headers(p) if p.stem.endswith('_run') else {}
        bad = compare(stored(p), engine_cells(res), heads)
        assert not bad, f"{p.name}: {bad[:3]}"
