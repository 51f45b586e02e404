"""The wheel builds cleanly (isolated, nothing left in the source tree, no stale modules), carries the metadata
settings.ini declares, and installs and works in a fresh venv that has none of the development tools."""
import configparser, re, shutil, subprocess, sys, venv, zipfile
from email.parser import Parser
from pathlib import Path
import pytest
from conftest import ROOT

SCRATCH = ('build', 'dist', '*.egg-info', '.venv', '.git', '_docs', '_proc', '_site', '__pycache__', '.pytest_cache',
           '.bench', '.test-artifacts', 'node_modules', '.ipynb_checkpoints')

def _source_copy(dst):
    "A copy of the source tree without anything a build or a run leaves behind, plus a stale build/lib from an older build."
    shutil.copytree(ROOT, dst, ignore=shutil.ignore_patterns(*SCRATCH), symlinks=True)
    stale = dst/'build'/'lib'/'gd_notebooks'
    stale.mkdir(parents=True)
    (stale/'deleted_lesson.py').write_text('"A module deleted from the package since the last build."\n')
    return dst

def _leftovers(src):
    "What a build left in the source tree: build/ (other than the planted stale one), dist/, *.egg-info."
    found = [p.name for p in src.iterdir() if p.name.endswith('.egg-info') or p.name == 'dist']
    found += [str(p.relative_to(src)) for p in (src/'build').rglob('*') if p.is_file() and p.name != 'deleted_lesson.py']
    return sorted(found)

def _modules(wheel):
    return sorted(n.split('/', 1)[1] for n in zipfile.ZipFile(wheel).namelist() if n.startswith('gd_notebooks/'))

def _package_modules():
    "The package's modules and the JS the page explorers run (gd_notebooks/js/*.js)."
    pkg = ROOT/'gd_notebooks'
    return sorted([p.name for p in pkg.glob('*.py')] + [p.relative_to(pkg).as_posix() for p in (pkg/'js').glob('*.js')])

def test_build_system_is_declared():
    "pyproject.toml has the build-system table, so pip builds in an isolated environment with setuptools' PEP 517 backend."
    import tomllib
    bs = tomllib.loads((ROOT/'pyproject.toml').read_text())['build-system']
    assert bs['build-backend'] == 'setuptools.build_meta'
    assert any(r.startswith('setuptools') for r in bs['requires'])
    assert 'settings.ini' in (ROOT/'MANIFEST.in').read_text().split()

@pytest.mark.parametrize('how', ['build', 'pip-isolated'])
def test_build_leaves_the_tree_clean(tmp_path, how):
    """`python -m build` (sdist, then the wheel from it, as `make wheel` does; offline) and `pip wheel .` (isolated, as
    `pip install .` builds; fetches setuptools through pip's cache) leave no build/, dist/ or *.egg-info in the source,
    and the wheel holds exactly the modules of gd_notebooks/ (a stale build/lib adds none)."""
    src, out = _source_copy(tmp_path/'src'), tmp_path/'out'
    cmd = ([sys.executable, '-m', 'build', '--no-isolation', '--outdir', out, '.'] if how == 'build' else
           [sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--disable-pip-version-check', '-w', out, '.'])
    r = subprocess.run(cmd, cwd=src, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert _leftovers(src) == []
    wheel, = out.glob('gd_notebooks-*.whl')
    assert _modules(wheel) == _package_modules()

def test_editable_build_works_offline_and_leaves_the_tree_clean(tmp_path):
    """`make install`'s `pip install --no-build-isolation -e .` (offline, the venv's setuptools): setuptools' editable
    hook, called here directly so no venv changes, builds a wheel pointing at the source and leaves nothing behind."""
    src, out = _source_copy(tmp_path/'src'), tmp_path/'out'
    out.mkdir()
    r = subprocess.run([sys.executable, '-c', f"import setuptools.build_meta as b; print(b.build_editable({str(out)!r}))"],
                       cwd=src, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    wheel = out/r.stdout.split()[-1]
    with zipfile.ZipFile(wheel) as z:
        mapped = ' '.join(z.read(n).decode() for n in z.namelist() if n.endswith(('.pth', '_finder.py')))
    assert str(src/'gd_notebooks') in mapped
    assert _leftovers(src) == []

def test_the_check_sees_a_stale_module(tmp_path):
    "The module comparison can fail: a wheel built by copying build/lib as a whole shows the stale module."
    src = _source_copy(tmp_path/'src')
    whl = tmp_path/'x.whl'
    with zipfile.ZipFile(whl, 'w') as z:
        for p in [*(ROOT/'gd_notebooks').glob('*.py'), src/'build'/'lib'/'gd_notebooks'/'deleted_lesson.py']:
            z.write(p, f'gd_notebooks/{p.name}')
    assert _modules(whl) != _package_modules() and _leftovers(src) == []

@pytest.fixture(scope='module')
def built_wheel(tmp_path_factory):
    "The wheel `make wheel` builds (offline, from a clean copy of the tree), built once for the checks below."
    tmp = tmp_path_factory.mktemp('built')
    src = _source_copy(tmp/'src')
    subprocess.run([sys.executable, '-m', 'build', '--no-isolation', '--wheel', '--outdir', tmp/'dist', '.'],
                   cwd=src, check=True, capture_output=True)
    wheel, = (tmp/'dist').glob('gd_notebooks-*.whl')
    return wheel

@pytest.fixture(scope='module')
def wheel_metadata(built_wheel):
    with zipfile.ZipFile(built_wheel) as z:
        name, = [n for n in z.namelist() if n.endswith('.dist-info/METADATA')]
        return Parser().parsestr(z.read(name).decode())

def _settings():
    c = configparser.ConfigParser(delimiters=['=']); c.read(ROOT/'settings.ini')
    return c['DEFAULT']

def test_metadata_status_and_audience(wheel_metadata):
    "The classifiers say what settings.ini says: status 3 is '3 - Alpha', and a course's audience is Education."
    cls, cfg = wheel_metadata.get_all('Classifier'), _settings()
    status = {'1': 'Planning', '2': 'Pre-Alpha', '3': 'Alpha', '4': 'Beta', '5': 'Production/Stable'}[cfg['status']]
    assert [c for c in cls if c.startswith('Development Status')] == [f"Development Status :: {cfg['status']} - {status}"]
    assert [c for c in cls if c.startswith('Intended Audience')] == ['Intended Audience :: Education']
    assert cfg['audience'] == 'Education'

def test_metadata_requirements_and_license(wheel_metadata):
    cfg = _settings()
    assert sorted(r for r in wheel_metadata.get_all('Requires-Dist') if 'extra ==' not in r) == sorted(cfg['requirements'].split())
    assert wheel_metadata['Requires-Python'] == '>=' + cfg['min_python']
    assert wheel_metadata['License-Expression'] == 'Apache-2.0'
    assert wheel_metadata['Version'] == cfg['version']

@pytest.fixture(scope='module')
def installed(tmp_path_factory, built_wheel):
    tmp, wheel = tmp_path_factory.mktemp('wheel'), built_wheel
    venv.create(tmp/'venv', with_pip=True)
    py = tmp/'venv'/'bin'/'python'
    subprocess.run([py, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', wheel], check=True)
    return py

def _run(py, code):
    return subprocess.run([py, '-c', code], capture_output=True, text=True, cwd='/', env={'MPLBACKEND': 'Agg', 'PATH': '/usr/bin:/bin'})

def test_no_dev_tools_in_fresh_venv(installed):
    r = _run(installed, "import importlib.util as u; print([m for m in ('nbdev','execnb','jupyterlab') if u.find_spec(m)])")
    assert r.stdout.strip() == '[]', r.stdout + r.stderr

def test_package_imports_and_gives_the_data(installed):
    r = _run(installed, "from gd_notebooks.all import *; x, y = graddesc_data(); print(len(x), x[0], y[-1], x.dtype)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ['29', '14.0', '46.0', 'float64']

def test_import_touches_no_network(installed):
    code = ("import socket\n"
            "def deny(*a, **k): raise RuntimeError('network touched on import')\n"
            "socket.socket.connect = deny; socket.create_connection = deny; socket.getaddrinfo = deny\n"
            "import gd_notebooks.all\nprint('ok')")
    r = _run(installed, code)
    assert r.returncode == 0 and r.stdout.strip() == 'ok', r.stderr

def test_readme_usage_runs(installed):
    "The README's 'Use the package' example works as printed."
    readme = (ROOT/'README.md').read_text()
    usage = readme.split('## Use the package', 1)[1]
    usage = usage.split('\n## ', 1)[0]
    code = '\n'.join(re.findall(r"```python\n(.*?)```", usage, re.S))
    r = _run(installed, code)
    assert r.returncode == 0, r.stderr

def test_help_shows_the_docments_when_installed(installed):
    "help() reads the parameter comments from the installed source, without nbdev or fastcore."
    r = _run(installed, "import pydoc, gd_notebooks as gd\nt = pydoc.render_doc(gd.fit, renderer=pydoc.plaintext)\n"
                        "print('Parameters' in t, 'passes over the rows' in t, 'Returns' in t)")
    assert r.stdout.split() == ['True', 'True', 'True'], r.stdout + r.stderr

def test_every_public_name_works_with_only_the_declared_requirements(installed, tmp_path):
    """tests/package/tour.py uses every name of `gd_notebooks.all` once (functions called, classes built and their
    methods called), in the fresh venv that holds the wheel and what its metadata requires, nothing else: a module the
    package needs but does not declare (jinja2 for Sheet.show, openpyxl for read_cells) fails here."""
    tour = ROOT/'tests'/'package'/'tour.py'
    r = subprocess.run([installed, str(tour)], capture_output=True, text=True, cwd=tmp_path,
                       env={'MPLBACKEND': 'Agg', 'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path)})
    assert r.returncode == 0 and r.stdout.strip().startswith('tour ok'), r.stdout[-3000:] + r.stderr[-3000:]

def test_the_tour_sees_an_undeclared_dependency(installed, tmp_path):
    "The tour can fail: with openpyxl hidden from the venv, read_cells is reported."
    shim = tmp_path/'shim'; shim.mkdir()
    (shim/'openpyxl.py').write_text("raise ModuleNotFoundError(\"No module named 'openpyxl'\")\n")
    r = subprocess.run([installed, str(ROOT/'tests'/'package'/'tour.py')], capture_output=True, text=True, cwd=tmp_path,
                       env={'MPLBACKEND': 'Agg', 'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path), 'PYTHONPATH': str(shim)})
    assert r.returncode == 1 and 'read_cells: ModuleNotFoundError' in r.stdout, r.stdout[-2000:]
