"""`make bench`: measure the course's speed bars and print them as one table.

Every module tools/bench_*.py defines `bench()` returning a list of dicts with keys
'name', 'value', 'unit', 'bar' and 'ok' (whether the value meets the bar). This script imports each
module, calls `bench()` and prints one line per measurement; it exits with status 1 if a bar is
missed or a module fails. `python tools/bench.py 01_neuron 04` runs only the modules whose names
contain one of the given words."""
import importlib.util, sys, time, traceback
from pathlib import Path

TOOLS = Path(__file__).resolve().parent

def modules(words=()):
    "The bench modules tools/bench_*.py (optionally only those whose stem contains one of `words`), in name order."
    paths = sorted(TOOLS.glob('bench_*.py'))
    return [p for p in paths if not words or any(w in p.stem for w in words)]

def load(path):
    "Import tools/bench_*.py at `path` as a module."
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

def check_rows(rows, where):
    "The rows of one `bench()`, or a ValueError saying what is malformed."
    if not isinstance(rows, list) or not rows: raise ValueError(f"{where}: bench() must return a non-empty list of dicts")
    for r in rows:
        missing = {'name', 'value', 'unit', 'bar', 'ok'} - set(r)
        if missing: raise ValueError(f"{where}: a row lacks {sorted(missing)}: {r}")
    return rows

def run(path):
    "`(rows, seconds)` for one module; a failing module gives one row with ok=False and the error."
    start = time.perf_counter()
    try: rows = check_rows(load(path).bench(), path.name)
    except Exception as e:
        traceback.print_exc()
        rows = [{'name': f'{path.stem}: {type(e).__name__}: {e}', 'value': float('nan'), 'unit': '', 'bar': '', 'ok': False}]
    return rows, time.perf_counter() - start

def table(results):
    "Format `[(module stem, rows, seconds)]` as a fixed-width table."
    lines = [f"{'measurement':<72} {'value':>10} {'unit':<4} {'bar':>8}  ok"]
    for stem, rows, secs in results:
        for r in rows:
            lines.append(f"{r['name'][:72]:<72} {r['value']:>10} {r['unit']:<4} {r['bar']:>8}  {'yes' if r['ok'] else 'NO'}")
    return '\n'.join(lines)

def main(argv):
    results = []
    for p in modules(argv):
        rows, secs = run(p)
        results.append((p.stem, rows, secs))
    if not results:
        print(f"no bench modules match {argv}"); return 1
    print(table(results))
    failed = [r['name'] for _, rows, _ in results for r in rows if not r['ok']]
    total = sum(s for *_, s in results)
    print(f"{sum(len(r) for _, r, _ in results) - len(failed)} of {sum(len(r) for _, r, _ in results)} bars met "
          f"in {total:.1f} s ({', '.join(f'{stem} {s:.1f} s' for stem, _, s in results)})")
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
