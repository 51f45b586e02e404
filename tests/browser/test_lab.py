"""The page explorers in a real JupyterLab, run as the course runs it (`make lab`, tools/lab: widget state saved
with the notebook, notebooks saved as nbdev_clean leaves them). For each notebook that saves a page explorer:

1. open it and save it: its bytes stay as committed; trust it and save: the same;
2. run all cells (no error output): every page explorer moves under the keyboard, and `ex.trace` in the kernel (the
   package's `fit` for the values the page sent back) equals the run the page drew;
3. save, reopen: the explorers are drawn from the saved widget state, without running anything, and still move.

One JupyterLab 4 server (from the venv) serves a copy of nbs/ from a temporary directory, with its own settings
(autosave off), workspaces and data directory; headless Debian Chromium is driven by playwright."""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT, WORKBOOK, launch
from explorers import explorer_notebooks, saved_explorers

SETTINGS = {  # JupyterLab user settings for the test: never autosave, no news, every cell in the DOM
    '@jupyterlab/docmanager-extension/plugin': {'autosave': False},
    '@jupyterlab/apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False},
    '@jupyterlab/notebook-extension/tracker': {'windowingMode': 'none'},
}
NOTEBOOKS = explorer_notebooks()
ADAM_RTOL = 1e-12  # tests/oracle/test_js_port.py

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _write_settings(d):
    for plugin, values in SETTINGS.items():
        f = d/(plugin + '.jupyterlab-settings')
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(values))

class Lab:
    "A JupyterLab server with the course's configuration (tools/lab) on a copy of nbs/ in `tmp`; `url(path)` gives a page's address with the token."
    def __init__(self, tmp:Path):
        self.tmp, self.port, self.token = tmp, _free_port(), os.urandom(16).hex()
        shutil.copytree(ROOT/'nbs', tmp/'nbs', symlinks=True)
        for f in ('settings.ini', '_quarto.yml'): shutil.copy(ROOT/f, tmp/f)  # nbdev_export cells write into tmp
        self.bytes = {p.name: p.read_bytes() for p in (tmp/'nbs').glob('*.ipynb')}
        _write_settings(tmp/'settings')
        env = {k: v for k, v in os.environ.items() if k != 'MPLBACKEND'}  # the kernel picks its own backend
        env.update(JUPYTER_CONFIG_DIR=str(tmp/'config'), JUPYTER_RUNTIME_DIR=str(tmp/'runtime'), JUPYTER_DATA_DIR=str(tmp/'data'),
                   GD_WORKBOOK=str(WORKBOOK))  # the served copy of nbs/ is elsewhere: lesson 0 finds the workbook by this
        cmd = [str(Path(sys.executable).parent/'jupyter'), 'lab', '--no-browser', '--ip=127.0.0.1', f'--port={self.port}',
               f'--config={ROOT/"tools"/"lab"/"jupyter_server_config.py"}',  # what `make lab` runs
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
  return !!(w && w.content && w.content.widgets && w.context?.isReady && w.sessionContext?.session?.kernel?.status === 'idle'); }"""
RUN_DONE = """() => { const w = window.jupyterapp.shell.currentWidget;
  const code = w.content.widgets.filter(c => c.model.type === 'code');
  const err = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return w.sessionContext.session.kernel.status === 'idle' && (err || code.every(c => c.model.executionCount !== null)); }"""
ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets.filter(c => c.model.type === 'code')
  .flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error')
  .map(o => `${c.model.sharedModel.getSource().split('\\n')[0]} -> ${o.ename}: ${o.evalue}`))"""
SAVE = "async () => { await window.jupyterapp.commands.execute('docmanager:save'); return window.jupyterapp.shell.currentWidget.context.model.dirty; }"
AUTOSAVE = """async () => { await window.jupyterapp.started; await window.jupyterapp.restored;
  const s = await window.jupyterapp.serviceManager.settings.fetch('@jupyterlab/docmanager-extension:plugin');
  const w = await window.jupyterapp.serviceManager.settings.fetch('@jupyter-widgets/jupyterlab-manager:plugin');
  const u = JSON.parse(w.raw || '{}');  // the user's setting, else the default (tools/lab/overrides.json sets it)
  return [JSON.parse(s.raw).autosave, 'saveState' in u ? u.saveState : w.schema.properties.saveState.default]; }"""
# each page explorer on the page, in the notebook's order, with the model id its output names
EXPLORERS = """() => window.jupyterapp.shell.currentWidget.content.widgets.filter(c => c.model.type === 'code').flatMap(c => {
  const ids = c.model.outputs.toJSON().map(o => (o.data || {})['application/vnd.jupyter.widget-view+json']).filter(Boolean).map(v => v.model_id);
  const roots = Array.from(c.node.querySelectorAll('.gd-explorer'));
  return roots.map((r, i) => ({model: ids[i], id: r.dataset.spec, draws: +r.dataset.draws, run: r.gdRun})); })"""
KERNEL = """async (code) => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const f = k.requestExecute({code, silent: false, store_history: false}); let out = '';
  f.onIOPub = m => { if (m.header.msg_type === 'stream') out += m.content.text;
                     if (m.header.msg_type === 'error') out += `ERROR ${m.content.ename}: ${m.content.evalue}`; };
  await f.done; return out; }"""
TRACES = """import json as _json
from ipywidgets.widgets.widget import _instances as _widgets
def _gd_trace(mid):
    w = _widgets[mid]; out = []
    for t in w.traces: out.append({'history': {k: [float(v) for v in h] for k, h in t.history.items()}, 'epoch_errors': [float(v) for v in t.epoch_errors]})
    return {'values': w.values, 'runs': out, 'status': w.status}
print(_json.dumps({m: _gd_trace(m) for m in %s}))"""

def _open(page, lab, name, timeout=90_000):
    page.goto(lab.url(f'lab/tree/{name}') + '&reset')
    page.wait_for_function(NB_READY, timeout=timeout)

SETTLED = """async () => { const c = window.jupyterapp.shell.currentWidget.context;
  const m = await window.jupyterapp.serviceManager.contents.get(c.path, {content: false});
  return !c.model.dirty && c.contentsModel && c.contentsModel.last_modified === m.last_modified; }"""

def _settled(page, timeout=30):
    "Wait until the notebook on disk is the one the page last saved or loaded (no save of its own still in flight)."
    end, calm = time.monotonic() + timeout, 0
    while time.monotonic() < end:
        calm = calm + 1 if page.evaluate(SETTLED) else 0
        if calm >= 3: return  # three polls in a row, half a second apart
        time.sleep(0.5)
    pytest.fail(f"the notebook did not settle on disk within {timeout} s")

def _run_all(page, timeout=180_000):
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(RUN_DONE, timeout=timeout, polling=250)

def _move_each(page, explorers):
    "Press ArrowRight (ArrowLeft at the end) twice on the first slider of each explorer; wait for it to redraw."
    roots = page.locator('.gd-explorer')
    for i in range(roots.count()):
        root = roots.nth(i); root.scroll_into_view_if_needed()
        draws = int(root.get_attribute('data-draws'))
        ctrl = root.locator('input[type=range]').first; ctrl.focus()
        key = 'ArrowLeft' if ctrl.evaluate('e => +e.value >= +e.max') else 'ArrowRight'
        for _ in range(2): ctrl.press(key)
        page.wait_for_function("([e, n]) => +e.dataset.draws > n", arg=[root.element_handle(), draws], timeout=10_000)

def _same(js, py, where):
    for g, p in zip(js['runs'], py['runs']):
        for k in p['history']:
            a, b = np.array(g['history'][k], dtype=float), np.array(p['history'][k], dtype=float)
            if not np.array_equal(a, b, equal_nan=True): np.testing.assert_allclose(a[np.isfinite(b)], b[np.isfinite(b)], rtol=ADAM_RTOL, err_msg=f"{where}: {k}")
        np.testing.assert_allclose(np.array(g['epoch_errors'], float), np.array(p['epoch_errors'], float), rtol=ADAM_RTOL, err_msg=where)

def test_lab_runs_as_the_course_runs_it(lab, browser):
    "The test's JupyterLab has autosave off and the course's saveState on (tools/lab)."
    page = browser.new_page()
    try:
        page.goto(lab.url('lab'))
        page.wait_for_function("() => window.jupyterapp?.started", timeout=60_000)
        assert page.evaluate(AUTOSAVE) == [False, True]
    finally: page.close()

@pytest.mark.parametrize('name', NOTEBOOKS)
def test_explorers_run_save_reopen(lab, browser, name):
    page = browser.new_page()
    served, start = lab.tmp/'nbs'/name, time.monotonic()
    try:
        # 1. open and save, trust and save: nothing changes
        _open(page, lab, name)
        page.evaluate(SAVE)
        assert served.read_bytes() == lab.bytes[name], f"{name}: saving it unchanged rewrote the file (see {served})"
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:trust'); }")  # not awaited: it resolves when its dialog closes
        page.locator('.jp-Dialog .jp-mod-accept').click(timeout=10_000)
        _settled(page)  # trusting saves the notebook itself: saving again before that save lands asks "File Changed"
        page.evaluate(SAVE)
        assert served.read_bytes() == lab.bytes[name], f"{name}: trusting and saving it rewrote the file"
        # 2. run all: every explorer moves, and the kernel's trace is the drawing
        _run_all(page)
        assert page.evaluate(ERRORS) == [], f"{name}: error output after running all cells"
        n = len(saved_explorers(name))
        page.wait_for_function(f"document.querySelectorAll('.gd-explorer[data-draws]').length >= {n}", timeout=30_000)
        _move_each(page, n)
        shown = page.evaluate(EXPLORERS)
        assert len(shown) == n and all(s['model'] for s in shown), f"{name}: {len(shown)} explorers drawn, {n} saved"
        deadline = time.monotonic() + 15
        while True:  # the page sends its values back to the kernel; wait until they are there
            py = json.loads(page.evaluate(KERNEL, TRACES % json.dumps([s['model'] for s in shown])).strip() or '{}')
            if all(py[s['model']]['values'] == s['run']['values'] for s in shown) or time.monotonic() > deadline: break
            time.sleep(0.5)
        for s in shown:
            p = py[s['model']]
            assert p['values'] == s['run']['values'], f"{name} {s['id']}: the kernel holds {p['values']}, the page {s['run']['values']}"
            _same(s['run'], p, f"{name} {s['id']} at {p['values']}")
            assert p['status'] == s['run']['status'], f"{name} {s['id']}: ex.status {p['status']!r}, the page {s['run']['status']!r}"
        # 3. save and reopen: the explorers are drawn from the saved state, without running, and move
        page.evaluate(SAVE)
        page.reload(); page.wait_for_function(NB_READY, timeout=90_000)
        page.wait_for_function(f"document.querySelectorAll('.gd-explorer[data-draws]').length >= {n}", timeout=30_000)
        assert 'model not found' not in page.locator('.jp-Notebook').inner_text()
        _move_each(page, n)
        print(f"{name}: {time.monotonic() - start:.1f} s")
    finally: page.close()

def test_repository_notebooks_untouched(lab):
    "The checks ran on a copy: nbs/ itself is as it was."
    assert {p.name: p.read_bytes() for p in (ROOT/'nbs').glob('*.ipynb')} == {k: v for k, v in lab.bytes.items()}
