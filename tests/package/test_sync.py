"""The package is what the notebooks export, the notebooks are clean, the README is current.
Runs nbdev_export and nbdev_clean on a copy, so the working tree is never touched."""
import filecmp, shutil, subprocess, sys
from pathlib import Path
from conftest import ROOT

BIN = Path(sys.executable).parent

def _copy(tmp_path):
    dst = tmp_path/'repo'
    dst.mkdir()
    for name in ('settings.ini', 'setup.py', '_quarto.yml'): shutil.copy(ROOT/name, dst/name)
    shutil.copytree(ROOT/'nbs', dst/'nbs', symlinks=True)
    shutil.copytree(ROOT/'gd_notebooks', dst/'gd_notebooks', ignore=shutil.ignore_patterns('__pycache__'))
    return dst

def _diff(a, b):
    "Files that differ or exist on one side only, recursively."
    c = filecmp.dircmp(a, b, ignore=['__pycache__', '.ipynb_checkpoints'])
    out = [f"{a}/{n}" for n in c.diff_files + c.left_only + c.right_only]
    for sub in c.common_dirs: out += _diff(Path(a)/sub, Path(b)/sub)
    return out

def test_export_leaves_package_unchanged(tmp_path):
    dst = _copy(tmp_path)
    subprocess.run([BIN/'nbdev_export'], cwd=dst, check=True)
    changed = _diff(ROOT/'gd_notebooks', dst/'gd_notebooks')
    assert not changed, f"nbdev_export changes {changed}: run `make export` and commit"

def test_clean_leaves_notebooks_unchanged(tmp_path):
    dst = _copy(tmp_path)
    subprocess.run([BIN/'nbdev_clean'], cwd=dst, check=True)
    changed = [p for p in _diff(ROOT/'nbs', dst/'nbs') if p.endswith('.ipynb')]
    assert not changed, f"nbdev_clean changes {changed}: run `make clean` and commit"

def test_readme_is_generated_from_index():
    r = subprocess.run([sys.executable, ROOT/'tools'/'make_readme.py', '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def _mixes_imports(src):
    "True when a cell has an import beside other statements (nbdev re-runs import cells for the docs)."
    import ast
    try: body = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!')))).body
    except SyntaxError: return False
    imports = [s for s in body if isinstance(s, (ast.Import, ast.ImportFrom))]
    return bool(imports) and len(imports) < len(body) and 'nbdev_export()' not in src

def test_no_cell_mixes_imports_with_code():
    import nbformat
    bad = [(nb.name, i) for nb in sorted((ROOT/'nbs').glob('*.ipynb'))
           for i, c in enumerate(nbformat.read(nb, as_version=4).cells)
           if c.cell_type == 'code' and '#| export' not in c.source and _mixes_imports(c.source)]
    assert not bad, f"cells that mix imports with other code (notebook, cell index): {bad}"

def test_anywidget_pins_agree():
    "The page explorers' Python side (PyPI anywidget) and the site's front-end module (npm anywidget) are the same release."
    import json, re
    pypi = re.search(r'^anywidget==(\S+)$', (ROOT/'requirements-dev.txt').read_text(), re.M).group(1)
    npm = json.loads((ROOT/'tools'/'site'/'package.json').read_text())['dependencies']['anywidget']
    lock = json.loads((ROOT/'tools'/'site'/'package-lock.json').read_text())['packages']['node_modules/anywidget']['version']
    assert pypi == npm == lock, f"anywidget pinned at {pypi} on PyPI, {npm} in package.json, {lock} in the lock file"

def test_saved_page_explorers_run_the_package_js():
    "Every page explorer saved in a notebook carries exactly the package's JS (train.js + view.js): re-execute after changing it."
    import json
    from gd_notebooks.pageexplorer import page_esm
    esm, found, stale = page_esm(), 0, []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        state = json.loads(nb.read_text()).get('metadata', {}).get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
        for m in state.values():
            if '_esm' in m.get('state', {}):
                found += 1
                if m['state']['_esm'] != esm: stale.append(nb.name)
    assert found, "no page explorer saved in any notebook"
    assert not stale, f"saved page explorers with stale JS in {sorted(set(stale))}: run `make execute NB=...`"
