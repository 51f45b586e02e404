"""The wheel builds, and installs and works in a fresh venv that has none of the development tools."""
import re, subprocess, sys, venv
from pathlib import Path
import pytest
from conftest import ROOT

@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('wheel')
    subprocess.run([sys.executable, '-m', 'build', '--no-isolation', '--wheel', '--outdir', tmp/'dist', ROOT],
                   check=True, capture_output=True)
    wheel, = (tmp/'dist').glob('gd_notebooks-*.whl')
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
