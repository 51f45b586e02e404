"""Shared fixtures: paths, the reference workbook, the one Chromium set-up of the browser checks, and
the markers that group the checks by folder (oracle, package, browser, bench): `pytest -m "not browser
and not bench"` runs the fast part alone, `make test` runs everything."""
import os, shutil, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tools'))
WORKBOOK = Path(os.environ.get('GD_WORKBOOK', ROOT.parent/'shared'/'reference'/'graddesc.xlsm'))

def _load(data_only):
    if not WORKBOOK.exists():
        pytest.fail(f"reference workbook not found at {WORKBOOK}: set GD_WORKBOOK to graddesc.xlsm")
    import openpyxl
    return openpyxl.load_workbook(WORKBOOK, data_only=data_only, keep_vba=False)

@pytest.fixture(scope='session')
def workbook():
    "The workbook's cached values (what Excel computed)."
    return _load(True)

@pytest.fixture(scope='session')
def workbook_formulas():
    "The workbook's formulas."
    return _load(False)

# The one Chromium set-up of the browser checks: where the browser is, and the flags that keep it quiet and on this host.
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']

def chromium_path():
    """The Chromium the checks drive: $GD_CHROMIUM, else Debian's, else one on PATH, else the newest one playwright
    installed (~/.cache/ms-playwright); None when there is none. The search is tools/find_browser.py's `find`."""
    from find_browser import find
    return find()

@pytest.fixture(scope='session')
def chromium():
    "The browser binary, or a failure that says how to get one."
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium not found: install Debian's `chromium` (apt-get install chromium) or point GD_CHROMIUM at a Chromium binary")
    return path

def launch(pw, profile, chromium, **kw):
    "A persistent headless Chromium context with the course's flags."
    return pw.chromium.launch_persistent_context(profile, executable_path=str(chromium), headless=True, args=FLAGS, **kw)

GROUPS = ('oracle', 'package', 'browser', 'bench')

def pytest_configure(config):
    for g in GROUPS: config.addinivalue_line('markers', f"{g}: checks in tests/{g}/")

def pytest_collection_modifyitems(items):
    "Mark each check with the folder it lives in; the benchmarks' checks run last (they reuse the site the browser checks built)."
    for item in items:
        group = Path(str(item.fspath)).parent.name
        if group in GROUPS: item.add_marker(getattr(pytest.mark, group))
    items.sort(key=lambda item: Path(str(item.fspath)).parent.name == 'bench')
