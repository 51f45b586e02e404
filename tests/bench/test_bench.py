"""The speed bars: every tools/bench_*.py module's `bench()` meets each of its bars, and
tools/bench.py prints them as one table."""
import math
import pytest
import bench  # tools/bench.py (conftest puts tools/ on the path)

MODULES = bench.modules()

def test_there_are_bench_modules():
    assert any(p.stem == 'bench_01_neuron' for p in MODULES)

@pytest.mark.parametrize('path', MODULES, ids=[p.stem for p in MODULES])
def test_bars_met(path):
    rows = bench.check_rows(bench.load(path).bench(), path.name)
    for r in rows:
        assert isinstance(r['ok'], bool) or type(r['ok']).__name__ == 'bool_', f"{r['name']}: `ok` must be a bool"
        assert not (isinstance(r['value'], float) and math.isnan(r['value'])), f"{r['name']}: no value"
    missed = [f"{r['name']}: {r['value']} {r['unit']} (bar {r['bar']})" for r in rows if not r['ok']]
    assert not missed, "speed bars missed:\n" + "\n".join(missed)

def test_table_and_exit_status(capsys):
    "The table has a line per row and a summary; a failing module is reported, not raised."
    ok = [{'name': 'fast thing', 'value': 1.0, 'unit': 's', 'bar': 2.0, 'ok': True}]
    bad = [{'name': 'slow thing', 'value': 3.0, 'unit': 's', 'bar': 2.0, 'ok': False}]
    text = bench.table([('bench_a', ok, 0.1), ('bench_b', bad, 0.2)])
    assert 'fast thing' in text and 'yes' in text and 'slow thing' in text and 'NO' in text
    with pytest.raises(ValueError, match='lacks'): bench.check_rows([{'name': 'x'}], 'bench_x.py')
    with pytest.raises(ValueError, match='non-empty'): bench.check_rows([], 'bench_x.py')
