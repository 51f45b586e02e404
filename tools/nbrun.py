"""Execute notebooks the way the committed outputs are made, and compare outputs.

`python tools/nbrun.py [NB ...]` executes the given notebooks (default: all in nbs/) in a fresh
kernel with the working directory nbs/, stores their outputs and widget state, and cleans them with
nbdev_clean. The staleness check in tests/ calls `execute` and `comparable` from here."""
import copy, json, re, subprocess, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'

def notebooks():
    "The course notebooks in nbs/, in order (scratch notebooks excluded)."
    return sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith('_'))

def execute(path, timeout=120):
    "Execute the notebook at `path` in a fresh kernel; returns `(nb, seconds)`."
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(NBS)}},
                            store_widget_state=True, record_timing=False)
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start

_MODEL_ID = re.compile(r'"?model_id"?\s*[:=]\s*"?[0-9a-f]{32}"?')

def _out(o):
    "What of one output must not change between runs: text and images, not widget model ids."
    kind = o.get('output_type')
    if kind == 'stream': return (kind, o.get('name'), o.get('text'))
    if kind == 'error': return (kind, o.get('ename'), o.get('evalue'))
    data = dict(o.get('data', {}))
    data.pop('application/vnd.jupyter.widget-view+json', None)
    return (kind, {k: _MODEL_ID.sub('model_id', v if isinstance(v, str) else ''.join(v)) if k.startswith('text/') else v
                   for k, v in data.items()})

def comparable(nb):
    "Per code cell, its source and the parts of its outputs that a rerun must reproduce."
    return [(c.source, [_out(o) for o in c.get('outputs', [])]) for c in nb.cells if c.cell_type == 'code']

VIEW, STATE = 'application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json'

def prune_widget_state(nb):
    """Keep in the notebook's saved widget state only the models some output shows, and the models they refer
    to: widgets made only for checks (an explorer built to assert on, never shown) stay out of the page."""
    state = nb.metadata.get('widgets', {}).get(STATE, {}).get('state')
    if not state: return nb
    todo = [o['data'][VIEW]['model_id'] for c in nb.cells for o in c.get('outputs', []) if VIEW in o.get('data', {})]
    keep = set()
    while todo:
        m = todo.pop()
        if m in keep or m not in state: continue
        keep.add(m)
        todo += re.findall(r'IPY_MODEL_([0-9a-f]{32})', json.dumps(state[m]))
    nb.metadata['widgets'][STATE]['state'] = {k: v for k, v in state.items() if k in keep}
    return nb

RUNNER = """
import json, sys
from pathlib import Path
from nbdev.test import test_nb as run_notebook
ok, secs = run_notebook(Path(sys.argv[1]), skip_flags=['notest', 'slow'], showerr=True)
print(json.dumps({'ok': ok, 'secs': secs}))
"""

def run_tests(path):
    """Run the notebook at `path` under nbdev's test runner (as `nbdev_test` does) in a fresh process with the working
    directory nbs/: returns `(ok, seconds, stderr)`; `ok` is False when a cell fails or the runner crashes."""
    import os
    r = subprocess.run([sys.executable, '-c', RUNNER, str(path)], capture_output=True, text=True, cwd=NBS,
                       env={'MPLBACKEND': 'Agg', **os.environ})
    try: res = json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError): return False, float('nan'), r.stderr
    return bool(res['ok']) and r.returncode == 0, float(res['secs']), r.stderr

def main(argv):
    paths = [Path(a).resolve() for a in argv] or notebooks()
    for p in paths:
        nb, secs = execute(p)
        nbformat.write(prune_widget_state(nb), p)
        print(f"{p.name}: executed in {secs:.1f} s", flush=True)
    subprocess.run([str(Path(sys.executable).parent/'nbdev_clean')], cwd=ROOT, check=True)

if __name__ == '__main__': main(sys.argv[1:])
