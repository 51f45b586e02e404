"""Speed bar of the page explorers (the explorers that move on the static site): in headless
Chromium, the time from a key press on a control to the frame after the redraw (the JS run of `fit`
plus the SVG update), p95 over 40 moves per explorer; bar 50 ms. Every page explorer saved in a
notebook is mounted in a bare page with the same module the site serves (the embed manager is not in
a move's path, so it is left out)."""
import functools, http.server, json, tempfile, threading
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N, BAR = 40, 50.0

def specs():
    "`(notebook, spec, backdrop)` of every page explorer saved in the notebooks' widget state."
    out = []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        state = json.loads(nb.read_text()).get('metadata', {}).get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
        out += [(nb.stem, m['state']['spec'], m['state']['backdrop']) for m in state.values() if 'spec' in m.get('state', {})]
    return out

PAGE = """<!doctype html><html><body><div id="host"></div><script type="module">
const mod = await import(URL.createObjectURL(new Blob([await (await fetch('esm.js')).text()], {type: 'text/javascript'})));
const data = await (await fetch('data.json')).json();
for (const d of data) {
  const el = document.createElement('div'); document.getElementById('host').appendChild(el);
  const model = {get: k => d[k], set() {}, save_changes() {}};
  mod.default.render({model, el});
}
window.ready = true;
</script></body></html>"""

def _serve(d):
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(d)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

def measure(n=N):
    "p95 latency in ms per page explorer: `{(notebook, spec id): p95}`."
    from playwright.sync_api import sync_playwright
    from gd_notebooks.pageexplorer import page_esm
    sys_path = str(ROOT/'tests'); import sys; sys.path.insert(0, sys_path)
    from conftest import chromium_path, launch
    found = specs()
    with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as prof:
        Path(d, 'index.html').write_text(PAGE); Path(d, 'esm.js').write_text(page_esm())
        Path(d, 'data.json').write_text(json.dumps([{'spec': s, 'backdrop': b, 'values': s['values']} for _, s, b in found]))
        srv = _serve(d)
        try:
            with sync_playwright() as pw:
                ctx = launch(pw, prof, chromium_path()); tab = ctx.new_page()
                tab.goto(f'http://127.0.0.1:{srv.server_address[1]}/index.html'); tab.wait_for_function('window.ready === true')
                out = {}
                for (nb, spec, _), root in zip(found, tab.locator('.gd-explorer').all()):
                    ctrl = root.locator('input[type=range]').first; ctrl.focus()
                    key = 'ArrowLeft' if ctrl.evaluate('e => +e.value > (+e.min + +e.max) / 2') else 'ArrowRight'
                    for i in range(3 * n):  # presses at an end of the slider move nothing: turn round there
                        if len(root.evaluate('e => e.gdLatency')) >= n: break
                        before = ctrl.evaluate('e => e.value')
                        tab.keyboard.press(key); tab.wait_for_timeout(5)
                        if ctrl.evaluate('e => e.value') == before: key = 'ArrowRight' if key == 'ArrowLeft' else 'ArrowLeft'
                    tab.wait_for_timeout(100)
                    lat = root.evaluate('e => e.gdLatency')
                    out[(nb, spec['id'])] = (float(np.percentile(lat, 95)), len(lat))
                ctx.close()
        finally: srv.shutdown(); srv.server_close()
    return out

def bench(quick=False):
    "`quick`: 5 moves per explorer."
    rows, n = [], 5 if quick else N
    for (nb, sid), (p95, moves) in measure(n).items():
        rows.append({'name': f'{nb} page explorer {sid}: key press to redrawn frame, p95 of {moves} moves (Chromium)',
                     'value': round(p95, 1), 'unit': 'ms', 'bar': BAR, 'ok': bool(p95 < BAR and moves >= n)})
    return rows

if __name__ == '__main__':
    for r in bench(): print(r)
