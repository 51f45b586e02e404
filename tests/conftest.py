"Shared fixtures: paths, the reference workbook, and the notebooks of the course."
import os, sys
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
