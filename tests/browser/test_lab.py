"""The explorers work in a real JupyterLab: for each notebook in `lab_explorers.EXPLORERS`, open it,
run all cells, press ArrowRight on the named slider and see the figure change, with no error output.

One JupyterLab 4 server (from the venv) serves a copy of nbs/ from a temporary directory, with its
own settings (autosave off) and workspaces; headless Debian Chromium is driven by playwright."""
import json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
import pytest
from conftest import ROOT, WORKBOOK
from explorers import EXPLORERS

from conftest import launch
SETTINGS = {  # JupyterLab user settings for the test: never save, no news, every cell in the DOM
    '@jupyterlab/docmanager-extension/plugin': {'autosave': False},
    '@jupyterlab/apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False},
    '@jupyterlab/notebook-extension/tracker': {'windowingMode': 'none'},
}
CASES = sorted(EXPLORERS.items())

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _write_settings(d):
    for plugin, values in SETTINGS.items():
        f = d/(plugin + '.jupyterlab-settings')
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(values))

class Lab:
    "A JupyterLab server on a copy of nbs/ in `tmp`; `url(path)` gives a page's address with the token."
    def __init__(self, tmp:Path):
        self.tmp, self.port, self.token = tmp, _free_port(), os.urandom(16).hex()
        shutil.copytree(ROOT/'nbs', tmp/'nbs', symlinks=True)
        for f in ('settings.ini', '_quarto.yml'): shutil.copy(ROOT/f, tmp/f)  # nbdev_export cells write into tmp
        self.bytes = {p.name: p.read_bytes() for p in (tmp/'nbs').glob('*.ipynb')}
        _write_settings(tmp/'settings')
        env = {k: v for k, v in os.environ.items() if k != 'MPLBACKEND'}  # the kernel picks its own backend
        env.update(JUPYTER_CONFIG_DIR=str(tmp/'config'), JUPYTER_RUNTIME_DIR=str(tmp/'runtime'),
                   GD_WORKBOOK=str(WORKBOOK))  # the served copy of nbs/ is elsewhere: lesson 0 finds the workbook by this
        cmd = [str(Path(sys.executable).parent/'jupyter'), 'lab', '--no-browser', '--ip=127.0.0.1', f'--port={self.port}',
               '--ServerApp.port_retries=0', f'--IdentityProvider.token={self.token}', f'--ServerApp.root_dir={tmp/"nbs"}',
               '--LabApp.expose_app_in_browser=True', f'--LabApp.user_settings_dir={tmp/"settings"}',
               f'--LabApp.workspaces_dir={tmp/"workspaces"}', '--LabApp.news_url=None']
        if os.geteuid() == 0: cmd.append('--allow-root')
        self.log = open(tmp/'lab.log', 'wb')
        self.proc = subprocess.Popen(cmd, cwd=tmp/'nbs', env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def url(self, path): return f'http://127.0.0.1:{self.port}/{path}?token={self.token}'

    def _wait_ready(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None: break
            try:
                with urllib.request.urlopen(self.url('api/status'), timeout=2) as r:
                    if r.status == 200: return
            except OSError: time.sleep(0.2)
        self.stop()
        pytest.fail(f"JupyterLab did not start within {timeout} s:\n{(self.tmp/'lab.log').read_text()[-3000:]}")

    def changed_notebooks(self):
        "Names of the served notebooks whose bytes differ from when the server started."
        return sorted(n for n, b in self.bytes.items() if (self.tmp/'nbs'/n).read_bytes() != b)

    def stop(self):
        if self.proc.poll() is None:
            try:
                req = urllib.request.Request(self.url('api/shutdown'), method='POST')
                urllib.request.urlopen(req, timeout=5).close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired): pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try: self.proc.wait(10)
            except subprocess.TimeoutExpired: os.killpg(self.proc.pid, signal.SIGKILL); self.proc.wait()
        self.log.close()

@pytest.fixture(scope='module')
def lab(chromium):
    with tempfile.TemporaryDirectory(prefix='gd_lab_') as tmp:
        server = Lab(Path(tmp))
        try: yield server
        finally: server.stop()

@pytest.fixture(scope='module')
def browser(lab, chromium):
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix='gd_chromium_') as profile, sync_playwright() as pw:
        ctx = launch(pw, profile, chromium, viewport={'width': 1280, 'height': 1000})
        try: yield ctx
        finally: ctx.close()

# JavaScript run in the page (window.jupyterapp is there thanks to expose_app_in_browser).
NB_READY = """() => { const w = window.jupyterapp?.shell.currentWidget;
  return !!(w && w.content && w.content.widgets && w.sessionContext?.session?.kernel?.status === 'idle'); }"""
RUN_DONE = """() => { const w = window.jupyterapp.shell.currentWidget;
  const code = w.content.widgets.filter(c => c.model.type === 'code');
  const err = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return w.sessionContext.session.kernel.status === 'idle' && (err || code.every(c => c.model.executionCount !== null)); }"""
ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets.filter(c => c.model.type === 'code')
  .flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error')
  .map(o => `${c.model.sharedModel.getSource().split('\\n')[0]} -> ${o.ename}: ${o.evalue}`))"""

AUTOSAVE = """async () => { await window.jupyterapp.started; await window.jupyterapp.restored;
  const s = await window.jupyterapp.serviceManager.settings.fetch('@jupyterlab/docmanager-extension:plugin');
  return JSON.parse(s.raw).autosave; }"""

def _figure(explorer):
    "The element showing the explorer's figure: the inline PNG or ipympl's canvas."
    return explorer.locator('.widget-output img, .jupyter-matplotlib-canvas-div canvas').first

def _snapshot(fig):
    src = fig.get_attribute('src')
    return src if src else fig.screenshot()

def _settled(fig, page, timeout=10):
    "The figure's image once two looks 300 ms apart agree (an ipympl canvas paints after it appears)."
    end, last = time.monotonic() + timeout, _snapshot(fig)
    while time.monotonic() < end:
        page.wait_for_timeout(300)
        now = _snapshot(fig)
        if now == last: return now
        last = now
    return last

def open_and_run(page, lab, name, timeout=60_000):
    "Open notebook `name` alone in the lab, clear its saved outputs, run all cells and wait until done."
    page.goto(lab.url(f'lab/tree/{name}') + '&reset')
    page.wait_for_function(NB_READY, timeout=timeout)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(RUN_DONE, timeout=timeout, polling=200)

def nudge(page, description, presses=3, timeout=10_000):
    "Press ArrowRight on the slider labelled `description`; returns (figure before, figure after)."
    label = page.locator('.widget-label', has_text=re.compile(rf'^\s*{re.escape(description)}\s*$'))
    explorer = page.locator('.widget-vbox', has=page.locator('.widget-slider', has=label)).first
    fig = _figure(explorer)
    fig.wait_for(timeout=timeout)
    explorer.scroll_into_view_if_needed()
    before = _settled(fig, page)
    handle = explorer.locator('.widget-slider', has=label).first.locator('.noUi-handle').first
    handle.focus()
    for _ in range(presses): handle.press('ArrowRight')
    end = time.monotonic() + timeout / 1000
    while time.monotonic() < end:
        after = _snapshot(fig)
        if after != before: return before, after
        page.wait_for_timeout(100)
    return before, after

@pytest.mark.parametrize('name,description', CASES, ids=[n for n, _ in CASES])
def test_explorer_reacts(lab, browser, name, description):
    page = browser.new_page()
    try:
        start = time.monotonic()
        open_and_run(page, lab, name)
        test_errors = page.evaluate(ERRORS)
        assert not test_errors, f"{name}: error output after running all cells: {test_errors}"
        before, after = nudge(page, description)
        assert after != before, f"{name}: the figure did not change within 10 s of moving slider '{description}'"
        print(f"{name}: {time.monotonic() - start:.1f} s")
    finally: page.close()

def test_notebooks_unchanged(lab, browser):
    "Nothing the check did rewrote a served notebook (autosave is off), so it can never touch nbs/."
    page = browser.new_page()
    try:
        page.goto(lab.url('lab'))
        page.wait_for_function("() => window.jupyterapp?.started", timeout=60_000)
        autosave = page.evaluate(AUTOSAVE)
    finally: page.close()
    assert autosave is False, f"JupyterLab's autosave setting is {autosave!r}: the test settings were not applied"
    assert lab.changed_notebooks() == []

IPYMPL_NB = {'cells': [{'cell_type': 'code', 'metadata': {}, 'outputs': [], 'execution_count': None, 'source': src} for src in [
    '%matplotlib widget',
    'import numpy as np, matplotlib.pyplot as plt, ipywidgets as widgets\nfrom gd_notebooks.explorer import Explorer',
    "fig, ax = plt.subplots(figsize=(6, 3))\nxx = np.linspace(0, 10, 200)\nline, = ax.plot(xx, np.sin(xx))\n"
    "ex = Explorer(fig, lambda freq: ax.set_title(f'freq {freq:.2f}') or line.set_ydata(np.sin(freq * xx)),\n"
    "              freq=widgets.FloatSlider(value=1, min=0.5, max=3, step=0.25))\nex",
    'assert ex.live, "with %matplotlib widget the explorer should show an ipympl canvas"']],
    'metadata': {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}},
    'nbformat': 4, 'nbformat_minor': 5}

def test_ipympl_explorer(lab, browser):
    "With `%matplotlib widget` an explorer shows one live ipympl canvas that repaints when its slider moves."
    name = '_ipympl_check.ipynb'  # written into the served copy only; nbdev ignores '_' notebooks
    (lab.tmp/'nbs'/name).write_text(json.dumps(IPYMPL_NB))
    page = browser.new_page()
    try:
        open_and_run(page, lab, name)
        assert page.evaluate(ERRORS) == []
        before, after = nudge(page, 'freq')
        assert isinstance(before, bytes), "the explorer showed an image, not an ipympl canvas"
        assert after != before, "the ipympl canvas did not repaint within 10 s of moving the slider"
        assert page.locator('.jupyter-matplotlib-figure').count() == 1, "the figure is shown more than once"
    finally:
        page.close(); (lab.tmp/'nbs'/name).unlink()


@pytest.mark.parametrize('name,description', CASES, ids=[n for n, _ in CASES])
def test_saved_explorer_image(name, description):
    "The committed notebook's widget state holds the explorer's slider and a PNG in an Output widget: what a page without a kernel draws."
    nb = json.loads((ROOT/'nbs'/name).read_text())
    state = nb.get('metadata', {}).get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    assert state, f"{name}: no saved widget state; execute it with `python tools/nbrun.py nbs/{name}`"
    models = [m['state'] for m in state.values()]
    assert any(m.get('description') == description for m in models), f"{name}: no saved control described '{description}'"
    assert any('image/png' in o.get('data', {}) for m in models for o in m.get('outputs', [])), \
        f"{name}: no saved Output widget holds a PNG, so the docs site would show an empty explorer"

def _page_explorer_notebooks():
    "Notebooks that save page explorers (anywidget models with a spec)."
    out = []
    for nb in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')):
        state = json.loads(nb.read_text()).get('metadata', {}).get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
        if any('spec' in m.get('state', {}) for m in state.values()): out.append(nb.name)
    return out

@pytest.mark.parametrize('name', _page_explorer_notebooks())
def test_page_explorer_in_lab(lab, browser, name):
    "A page explorer runs live in JupyterLab too (anywidget's extension): its controls rerun the training in the page."
    page = browser.new_page()
    try:
        open_and_run(page, lab, name)
        assert page.evaluate(ERRORS) == []
        root = page.locator('.gd-explorer').first
        root.wait_for(timeout=30_000); root.scroll_into_view_if_needed()
        before = root.evaluate('e => JSON.stringify(e.gdRun.epoch_errors)')
        ctrl = root.locator('input[type=range]').first; ctrl.focus()
        for _ in range(3): ctrl.press('ArrowRight')
        page.wait_for_function("e => JSON.stringify(e.gdRun.epoch_errors) !== " + json.dumps(before), arg=root.element_handle(), timeout=10_000)
    finally: page.close()
