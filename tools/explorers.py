"""The course's page explorers as the notebooks save them, for the browser checks (tests/browser/test_page_explorers.py,
tests/browser/test_lab.py) and `make bench` (bench_page_explorers.py, bench_lab_explorers.py).

`saved_explorers(nb)` reads the anywidget models a notebook's outputs show (their spec, backdrop, values and module);
`explorer_notebooks()` lists the notebooks that save at least one; `bare_page(d, explorers)` writes a page that mounts
them with the contract the site's renderer keeps (a model with get, set, on, off and save_changes; `render({model, el})`),
and `serve(d)` serves it on 127.0.0.1."""
import contextlib, functools, http.server, json, threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
STATE, VIEW = 'application/vnd.jupyter.widget-state+json', 'application/vnd.jupyter.widget-view+json'

def saved_explorers(nb):
    "The page explorers notebook `nb` (a path or a name in nbs/) shows, in the order its outputs show them: dicts with notebook, id, spec, backdrop, values, esm, css."
    path = Path(nb) if Path(nb).exists() else NBS/nb
    doc = json.loads(path.read_text())
    state = doc.get('metadata', {}).get('widgets', {}).get(STATE, {}).get('state', {})
    shown = [o['data'][VIEW]['model_id'] for c in doc['cells'] for o in c.get('outputs', []) if VIEW in (o.get('data') or {})]
    out = []
    for mid in dict.fromkeys(shown):
        s = state.get(mid, {}).get('state', {})
        if 'spec' in s and '_esm' in s:
            out.append({'notebook': path.name, 'model_id': mid, 'id': s['spec']['id'], 'spec': s['spec'], 'backdrop': s.get('backdrop', ''),
                        'values': s.get('values') or s['spec']['values'], 'esm': s['_esm'], 'css': s.get('_css', '')})
    return out

def explorer_notebooks():
    "Names of the notebooks in nbs/ that save a page explorer, in order."
    return [p.name for p in sorted(NBS.glob('[0-9]*.ipynb')) if saved_explorers(p)]

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>page explorers</title><style>body { font-family: sans-serif; max-width: 644px; margin: 1rem auto; padding: 0 16px; color: #212529; }
.gd-tall { height: 1800px; }</style></head>
<body><main><h1>Page explorers</h1><div id="host"></div><div class="gd-tall"></div></main><script type="module">
const data = await (await fetch('data.json')).json();
const modules = {}, styles = new Set();
window.gdModels = [];
for (const d of data) {
  if (!modules[d.esm_key]) modules[d.esm_key] = await import(URL.createObjectURL(new Blob([d.esm], {type: 'text/javascript'})));
  if (!styles.has(d.esm_key)) { const s = document.createElement('style'); s.textContent = d.css; document.head.appendChild(s); styles.add(d.esm_key); }
  const el = document.createElement('div'); el.className = 'gd-host'; el.dataset.notebook = d.notebook; document.getElementById('host').appendChild(el);
  const attrs = {spec: d.spec, backdrop: d.backdrop, values: d.values}, handlers = {};
  const model = {get: k => attrs[k], set(k, v) { attrs[k] = v; (handlers['change:' + k] || []).forEach(f => f()); }, save_changes() {},
                 on(n, f) { (handlers[n] = handlers[n] || []).push(f); }, off(n, f) { handlers[n] = (handlers[n] || []).filter(g => g !== f); }, send() {}};
  modules[d.esm_key].default.render({model, el});
  window.gdModels.push(model);
}
window.ready = true;
</script></body></html>"""

def bare_page(d, explorers):
    "Write into directory `d` a page that mounts `explorers` (from `saved_explorers`), one after another."
    import hashlib
    data = [{**e, 'esm_key': hashlib.sha256(e['esm'].encode()).hexdigest()[:12]} for e in explorers]
    (Path(d)/'data.json').write_text(json.dumps(data)); (Path(d)/'index.html').write_text(PAGE)

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

@contextlib.contextmanager
def serve(d):
    "Serve directory `d` on 127.0.0.1 at a free port; yields the page's URL."
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(d)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try: yield f'http://127.0.0.1:{srv.server_address[1]}/index.html'
    finally: srv.shutdown(); srv.server_close()
