"""The benchmarks run and report: every tools/bench_*.py module's `bench(quick=True)` returns well-formed rows (a name,
a finite number, a unit, a bar, an ok flag), and tools/bench.py prints them as one table and says which bars are
missed. Whether a bar is met is what `make bench` reports: speed depends on the machine's load, so no check here
asserts a wall-clock figure."""
import json, math, numbers, subprocess, sys
import pytest
import bench  # tools/bench.py (conftest puts tools/ on the path)

MODULES = bench.modules()

def well_formed(row):
    "What is wrong with one bench row, or None."
    if not isinstance(row['name'], str) or not row['name'].strip(): return 'no name'
    v = row['value']
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v): return f'value {v!r} is not a finite number'
    if not isinstance(row['unit'], str): return f"unit {row['unit']!r} is not a string"
    b = row['bar']
    if not (b in ('', 'none') or (isinstance(b, numbers.Real) and not isinstance(b, bool) and math.isfinite(b))): return f'bar {b!r}'
    if not isinstance(row['ok'], bool) and type(row['ok']).__name__ != 'bool_': return '`ok` is not a bool'
    return None

def test_there_are_bench_modules():
    names = {p.stem for p in MODULES}
    assert {'bench_fit', 'bench_import', 'bench_notebooks', 'bench_page_explorers'} <= names

def test_the_row_check_can_fail():
    good = {'name': 'x', 'value': 1.5, 'unit': 's', 'bar': 2, 'ok': False}
    assert well_formed(good) is None and well_formed({**good, 'bar': ''}) is None
    assert well_formed({**good, 'value': float('nan')}) and well_formed({**good, 'ok': 'yes'}) and well_formed({**good, 'name': ''})

# Each module runs in its own process, as `make bench` would run it alone: a browser bench drives Playwright's sync API,
# which refuses to start while another check's Playwright (a session fixture of the browser checks) is still open.
RUN_ONE = """import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import bench
rows = bench.load(Path(sys.argv[1])).bench(quick=True)
print('ROWS=' + json.dumps(rows, default=lambda v: v.item() if hasattr(v, 'item') else str(v)))"""

def run_quick(path):
    "`path`'s `bench(quick=True)` rows, from a process of its own."
    r = subprocess.run([sys.executable, '-c', RUN_ONE, str(path), str(path.parent)], capture_output=True, text=True, cwd=path.parent.parent)
    out = [l for l in r.stdout.splitlines() if l.startswith('ROWS=')]
    assert r.returncode == 0 and out, f"{path.name} failed (exit {r.returncode}):\n{r.stderr[-3000:]}"
    return json.loads(out[-1][5:])

@pytest.mark.parametrize('path', MODULES, ids=[p.stem for p in MODULES])
def test_benchmark_runs_and_reports(path):
    rows = bench.check_rows(run_quick(path), path.name)
    bad = [f"{r.get('name')!r}: {why}" for r in rows if (why := well_formed(r))]
    assert not bad, f"{path.name} reports malformed rows:\n" + "\n".join(bad)

def test_table_and_exit_status(capsys, monkeypatch):
    "The table has a line per row and a summary; a missed bar is listed and gives exit status 1; a failing module is reported, not raised."
    ok = [{'name': 'fast thing', 'value': 1.0, 'unit': 's', 'bar': 2.0, 'ok': True}]
    bad = [{'name': 'slow thing', 'value': 3.0, 'unit': 's', 'bar': 2.0, 'ok': False}]
    text = bench.table([('bench_a', ok, 0.1), ('bench_b', bad, 0.2)])
    assert 'fast thing' in text and 'yes' in text and 'slow thing' in text and 'NO' in text
    with pytest.raises(ValueError, match='lacks'): bench.check_rows([{'name': 'x'}], 'bench_x.py')
    with pytest.raises(ValueError, match='non-empty'): bench.check_rows([], 'bench_x.py')
    from pathlib import Path
    monkeypatch.setattr(bench, 'modules', lambda words=(): [Path('bench_a.py'), Path('bench_b.py')])
    monkeypatch.setattr(bench, 'run', lambda p, quick=False: ({'bench_a': ok, 'bench_b': bad}[p.stem], 0.1))
    assert bench.main([]) == 1
    assert 'bars missed:\n  slow thing' in capsys.readouterr().out
