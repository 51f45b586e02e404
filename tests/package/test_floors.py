"""The dependency floors settings.ini declares are true: the package's smoke test (tests/package/smoke.py: import,
fit, a Sheet, every plot helper and explorer drawn on Agg) passes with exactly the declared minimum versions, installed
from PyPI into a fresh venv. The venv is cached (keyed by the floors and the Python version) under
$GD_FLOORS_CACHE, else ~/.cache/gd_notebooks: the first run downloads about 60 MB (pip's cache keeps the wheels),
later runs take a few seconds."""
import configparser, fcntl, hashlib, json, os, re, shutil, subprocess, sys, venv
from pathlib import Path
import pytest
from conftest import ROOT

DEPS = ('numpy', 'matplotlib', 'pandas', 'ipywidgets', 'xlsxwriter', 'anywidget', 'jinja2', 'openpyxl')

def floors(text=None):
    "settings.ini's `requirements` as {name: floor version}; a requirement without a `>=` floor is an error."
    if text is None:
        c = configparser.ConfigParser(delimiters=['=']); c.read(ROOT/'settings.ini')
        text = c['DEFAULT']['requirements']
    out = {}
    for req in text.split():
        m = re.fullmatch(r'([A-Za-z0-9_.-]+)>=([0-9][0-9A-Za-z.]*)(,<[0-9][0-9A-Za-z.]*)?', req)
        if not m: raise ValueError(f"requirement {req!r} must declare a floor as name>=version")
        out[m.group(1).lower()] = m.group(2)
    return out

def pins(fl):
    "The exact minimum versions: numpy>=1.24 -> numpy==1.24.0."
    return [f"{n}=={v if v.count('.') >= 2 else v + '.0'}" for n, v in sorted(fl.items())]

def test_every_requirement_has_a_floor():
    fl = floors()
    assert set(DEPS) <= set(fl), f"settings.ini's requirements lack {sorted(set(DEPS) - set(fl))}"
    assert pins({'numpy': '1.24', 'x': '2.0.1'}) == ['numpy==1.24.0', 'x==2.0.1']
    with pytest.raises(ValueError, match='floor'): floors('numpy matplotlib>=3.9')

def _cache():
    return Path(os.environ.get('GD_FLOORS_CACHE') or Path(os.environ.get('XDG_CACHE_HOME', Path.home()/'.cache'))/'gd_notebooks')

@pytest.fixture(scope='module')
def floor_python():
    "The Python of a venv holding exactly the declared minimum versions (and whatever they pull in), built once and cached."
    want = pins(floors())
    key = hashlib.sha256(json.dumps([want, sys.version_info[:2]]).encode()).hexdigest()[:12]
    root = _cache(); root.mkdir(parents=True, exist_ok=True)
    env_dir, py = root/f'floors-{key}', root/f'floors-{key}'/'bin'/'python'
    with open(root/f'floors-{key}.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX) # one builder at a time; the others wait and reuse its venv
        if not (env_dir/'.complete').exists():
            shutil.rmtree(env_dir, ignore_errors=True)
            venv.create(env_dir, with_pip=True)
            r = subprocess.run([py, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--only-binary=:all:', *want],
                               capture_output=True, text=True)
            if r.returncode:
                shutil.rmtree(env_dir, ignore_errors=True)
                pytest.fail(f"could not install the declared floors {want} from PyPI (needs the package index once):\n{r.stderr[-2000:]}")
            (env_dir/'.complete').write_text('\n'.join(want) + '\n')
    return py, want

def test_floor_venv_has_the_floors(floor_python):
    py, want = floor_python
    r = subprocess.run([py, '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], capture_output=True, text=True, check=True)
    have = {p['name'].lower(): p['version'] for p in json.loads(r.stdout)}
    assert [f"{n}=={have.get(n)}" for n in (w.split('==')[0] for w in want)] == want
    r = subprocess.run([py, '-m', 'pip', 'check', '--disable-pip-version-check'], capture_output=True, text=True)
    assert r.returncode == 0, f"the floors do not fit together:\n{r.stdout}"

def _smoke(py, tmp_path, mplconfig):
    "Run the smoke test with `py` on the package as it is in this tree (PYTHONPATH), outside the tree."
    env = {'PATH': '/usr/bin:/bin', 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg', 'HOME': str(tmp_path), 'MPLCONFIGDIR': str(mplconfig)}
    return subprocess.run([py, ROOT/'tests'/'package'/'smoke.py'], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)

def test_smoke_passes_here(tmp_path):
    "With the development versions (so a failure at the floors below is the floors' doing, not the smoke test's)."
    r = _smoke(sys.executable, tmp_path, _cache()/'mplconfig') # matplotlib's font cache is kept between runs
    assert r.returncode == 0 and r.stdout.startswith('smoke ok'), r.stdout + r.stderr[-3000:]

def test_smoke_passes_at_the_floors(floor_python, tmp_path):
    py, want = floor_python
    r = _smoke(py, tmp_path, _cache()/'mplconfig')
    assert r.returncode == 0, f"the package fails with its declared floors {want}:\n{r.stdout}\n{r.stderr[-3000:]}"
    assert r.stdout.startswith('smoke ok')
