"""`make bench`: measure the course's speed bars and print them as one table.

Every module tools/bench_*.py defines `bench(quick=False)` returning a list of dicts with keys
'name', 'value', 'unit', 'bar' and 'ok' (whether the value meets the bar). This script imports each
module, calls `bench()` and prints one line per measurement, then lists the bars missed; it exits with
status 1 if a bar is missed or a module fails. `python tools/bench.py 01_neuron 04` runs only the
modules whose names contain one of the given words; `--quick` runs each measurement on a small sample
(what `make test` does to check that every benchmark runs and reports well-formed rows: a busy machine
may miss a bar, so `make test` never asserts one)."""
import importlib.util, os, sys, time, traceback
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

def run(path, quick=False):
    "`(rows, seconds)` for one module; a failing module gives one row with ok=False and the error."
    start = time.perf_counter()
    try: rows = check_rows(load(path).bench(quick=quick), path.name)
    except Exception as e:
        traceback.print_exc()
        rows = [{'name': f'{path.stem}: {type(e).__name__}: {e}', 'value': float('nan'), 'unit': '', 'bar': '', 'ok': False}]
    return rows, time.perf_counter() - start

def fresh_process_times(code, runs=7, warmup=1):
    """Seconds that `code` takes in each of `runs` fresh Python processes (after `warmup` discarded runs, so the files are
    in the OS cache: "warm"), timed inside the process, so the interpreter's own start-up is left out. `code` runs as
    the body of a timed block; a process that fails raises RuntimeError with its stderr. Also returns the modules of
    LIBRARIES that the last process had loaded after `code`."""
    import subprocess
    prog = ("import sys, time\nt0 = time.perf_counter()\n" + code + "\ndt = time.perf_counter() - t0\n"
            f"print(dt, ' '.join(m for m in {LIBRARIES!r} if m in sys.modules))")
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, [str(TOOLS.parent), os.environ.get('PYTHONPATH')])),
           'MPLBACKEND': 'Agg'}
    times, loaded = [], []
    for i in range(warmup + runs):
        r = subprocess.run([sys.executable, '-c', prog], capture_output=True, text=True, env=env, cwd=TOOLS.parent)
        if r.returncode: raise RuntimeError(f"{code!r} failed in a fresh process:\n{r.stderr[-2000:]}")
        first, *loaded = r.stdout.split()
        if i >= warmup: times.append(float(first))
    return times, loaded

LIBRARIES = ('matplotlib.pyplot', 'pandas', 'ipywidgets') # what the computational API must not load

def table(results):
    "Format `[(module stem, rows, seconds)]` as a fixed-width table."
    lines = [f"{'measurement':<72} {'value':>10} {'unit':<4} {'bar':>8}  ok"]
    for stem, rows, secs in results:
        for r in rows:
            lines.append(f"{r['name'][:72]:<72} {r['value']:>10} {r['unit']:<4} {r['bar']:>8}  {'yes' if r['ok'] else 'NO'}")
    return '\n'.join(lines)

def main(argv):
    quick = '--quick' in argv
    argv = [a for a in argv if a != '--quick']
    results = []
    for p in modules(argv):
        rows, secs = run(p, quick)
        results.append((p.stem, rows, secs))
    if not results:
        print(f"no bench modules match {argv}"); return 1
    print(table(results))
    failed = [r['name'] for _, rows, _ in results for r in rows if not r['ok']]
    total = sum(s for *_, s in results)
    print(f"{sum(len(r) for _, r, _ in results) - len(failed)} of {sum(len(r) for _, r, _ in results)} bars met "
          f"in {total:.1f} s ({', '.join(f'{stem} {s:.1f} s' for stem, _, s in results)})")
    if failed: print('bars missed:\n  ' + '\n  '.join(failed))
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
