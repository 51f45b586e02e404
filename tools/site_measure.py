"""Measure the built course site as a reader gets it, in headless Chromium (tests/browser/test_site.py asserts
its bars on these numbers; this script prints them).

    python tools/site_measure.py [page.html ...]      (default: every page of _docs/)

Per page, in a fresh browser context (nothing cached) at 1366x900:
- weight: the bytes the page transfers until its load event settles (the Performance API's `transferSize` of
  the navigation and every resource; `python -m http.server` does not compress, so these are the bytes on
  disk), and the same with every lazy picture loaded (the page scrolled to its end);
- CLS: the sum of every `layout-shift` entry without recent input, from navigation until 2 s after the
  page's explorers are live (a stricter number than web-vitals' largest session window);
- live: milliseconds from the load event to the moment the last explorer of the page has drawn its first
  run (`.gd-explorer` with `data-draws`), negative when it was live before the load event;
- figures: each content figure's shown width against its 1x width (PNG pixels x 96 / the PNG's dpi from its
  pHYs chunk), so its 9-pt text reads at 9 pt x shown / 1x;
- axe: axe-core's violations by impact, split into those inside the explorers' DOM (`.gd-explorer`, drawn by
  the package's view.js) and those in the rest of the page.
Nothing here changes the site; the server is `http.server` on 127.0.0.1 at a free port."""
import contextlib, functools, http.server, json, struct, sys, tempfile, threading, zlib
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT/'_docs'
AXE = ROOT/'tools'/'site'/'node_modules'/'axe-core'/'axe.min.js'
DESKTOP, PHONE = {'width': 1366, 'height': 900}, {'width': 390, 'height': 844}
SETTLE_MS = 2000

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

@contextlib.contextmanager
def serve(docs=DOCS):
    "Serve `docs` on 127.0.0.1 at a free port; yields the base URL."
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(docs)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try: yield f'http://127.0.0.1:{srv.server_address[1]}/'
    finally: srv.shutdown(); srv.server_close()

def png_info(data: bytes):
    "`(width, height, dpi)` of a PNG: dpi from its pHYs chunk (pixels per metre), 96 when it has none."
    if data[:8] != b'\x89PNG\r\n\x1a\n': raise ValueError('not a PNG')
    w, h = struct.unpack('>II', data[16:24])
    i, dpi = 8, 96.0
    while i < len(data):
        n, kind = struct.unpack('>I4s', data[i:i + 8])
        if kind == b'pHYs':
            px, _py, unit = struct.unpack('>IIB', data[i + 8:i + 17])
            if unit == 1: dpi = px * 0.0254
            break
        if kind == b'IDAT': break
        i += 12 + n
    return w, h, dpi

# Installed before any page script: layout shifts, the explorers' first draws, the load event's time.
INIT_JS = r'''(() => {
  const gd = window.__gd = {cls: 0, shifts: [], drawn: [], load: null};
  const describe = n => {
    if (!n || !n.tagName) return String(n && n.nodeName);
    const id = n.id ? '#' + n.id : '', cls = n.classList && n.classList.length ? '.' + Array.from(n.classList).slice(0, 2).join('.') : '';
    const sec = n.closest && n.closest('section[id]');
    return n.tagName.toLowerCase() + id + cls + (sec ? ' in #' + sec.id : '');
  };
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        gd.cls += e.value;
        gd.shifts.push({t: Math.round(e.startTime), value: +e.value.toFixed(4),
                        sources: (e.sources || []).map(s => `${describe(s.node)} ${Math.round(s.previousRect.y)}->${Math.round(s.currentRect.y)} (h ${Math.round(s.previousRect.height)}->${Math.round(s.currentRect.height)})`)});
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (e) {}
  const seen = new WeakSet();
  new MutationObserver(muts => {
    for (const m of muts) {
      const t = m.target;
      if (t.nodeType === 1 && t.classList.contains('gd-explorer') && t.dataset.draws && !seen.has(t)) { seen.add(t); gd.drawn.push(performance.now()); }
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-draws']});
  addEventListener('load', () => { gd.load = performance.now(); });
})();'''

WEIGHT_JS = '''() => {
  const nav = performance.getEntriesByType('navigation')[0], res = performance.getEntriesByType('resource');
  const all = [nav, ...res].filter(Boolean);
  return {bytes: all.reduce((s, e) => s + (e.transferSize || 0), 0), requests: all.length,
          biggest: all.map(e => [e.name, e.transferSize || 0]).sort((a, b) => b[1] - a[1]).slice(0, 5)};
}'''

FIGURES_JS = '''() => Array.from(document.querySelectorAll('main img.gd-fig'), i => ({
  src: i.getAttribute('src'), shown: i.getBoundingClientRect().width, alt: i.getAttribute('alt') || '',
  altFrom: i.dataset.altFrom || '', attrW: +i.getAttribute('width') || 0, still: !!i.closest('.gd-widget')}))'''

def expected_explorers(html: str) -> int:
    "How many page explorers a built page holds (its explorer placeholders)."
    return html.count('class="gd-widget gd-widget-explorer"')

def open_page(ctx, url, explorers=0, settle_ms=SETTLE_MS, timeout=30000):
    "Open `url` in a new tab of `ctx`, wait for load, networkidle, the explorers and `settle_ms`; returns the tab."
    tab = ctx.new_page()
    tab.add_init_script(INIT_JS)
    tab.goto(url, wait_until='load', timeout=timeout)
    with contextlib.suppress(Exception): tab.wait_for_load_state('networkidle', timeout=timeout)
    if explorers:
        tab.wait_for_function(f'window.__gd.drawn.length >= {explorers}', timeout=timeout)
    tab.wait_for_timeout(settle_ms)
    return tab

def load_numbers(tab, explorers):
    "Weight at load, CLS, shifts and the explorers' time to live, from a tab `open_page` prepared."
    gd = tab.evaluate('() => ({cls: __gd.cls, shifts: __gd.shifts, drawn: __gd.drawn, load: __gd.load})')
    w = tab.evaluate(WEIGHT_JS)
    live = (sorted(gd['drawn'])[explorers - 1] - gd['load']) if explorers and len(gd['drawn']) >= explorers else None
    return {'bytes_load': w['bytes'], 'requests_load': w['requests'], 'biggest': w['biggest'], 'cls': gd['cls'],
            'shifts': gd['shifts'], 'live_ms': live, 'explorers': explorers, 'load_ms': gd['load']}

def full_weight(tab):
    "The bytes transferred once every lazy picture has loaded: scroll to the end and back, wait for pictures."
    tab.evaluate('''async () => {
      const step = innerHeight * 0.8;
      for (let y = 0; y < document.documentElement.scrollHeight; y += step) { scrollTo(0, y); await new Promise(r => setTimeout(r, 30)); }
      document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; });
      await Promise.all(Array.from(document.images, i => i.complete ? 0 : new Promise(r => { i.onload = i.onerror = r; })));
      scrollTo(0, 0);
    }''')
    with contextlib.suppress(Exception): tab.wait_for_load_state('networkidle', timeout=15000)
    w = tab.evaluate(WEIGHT_JS)
    return {'bytes_full': w['bytes'], 'requests_full': w['requests']}

def figure_scales(tab, page, docs=DOCS):
    "Each content figure: its shown width, its 1x width from the PNG file, the ratio (>= 1: 9-pt text at >= 9 pt)."
    out = []
    for f in tab.evaluate(FIGURES_JS):
        path = docs/Path(page).parent/unquote(urlparse(f['src']).path)
        w, h, dpi = png_info(path.read_bytes())
        one_x = w * 96 / dpi
        out.append({**f, 'png': str(path.relative_to(docs)), 'one_x': one_x, 'dpi': dpi, 'scale': f['shown'] / one_x})
    return out

def axe(tab, options=None):
    """axe-core's violations, each `{id, impact, help, nodes: [{target, explorer}]}`, `explorer` true inside `.gd-explorer`.
    `options` are axe.run's (say `{'runOnly': ['color-contrast']}`); by default every rule of axe's default set."""
    tab.add_script_tag(path=str(AXE))
    res = tab.evaluate('''async (opts) => {
      const r = await axe.run(document, Object.assign({resultTypes: ['violations']}, opts));
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => {
        let el = null; try { el = document.querySelector(n.target[0]); } catch (e) {}
        return {target: n.target.join(' '), html: n.html.slice(0, 160), explorer: !!(el && el.closest('.gd-explorer')), summary: (n.failureSummary || '').slice(0, 200)};
      })}));
    }''', options or {})
    return res

def serious(violations, explorer=False):
    "The serious and critical violation nodes outside (or, with explorer=True, inside) the explorers."
    return [(v['id'], v['impact'], n['target'], n['html'], n['summary']) for v in violations if v['impact'] in ('serious', 'critical')
            for n in v['nodes'] if n['explorer'] == explorer]

def launch_browser(pw):
    "A headless Chromium with the course's flags (tests/conftest.py's), no persistent profile."
    sys.path.insert(0, str(ROOT/'tests'))
    from conftest import FLAGS, chromium_path
    return pw.chromium.launch(executable_path=str(chromium_path()), headless=True, args=FLAGS)

def measure(pages=None, docs=DOCS, with_axe=True):
    "The numbers above for each page (default every page of `docs`), as a dict page -> numbers."
    from playwright.sync_api import sync_playwright
    pages = pages or sorted(p.relative_to(docs).as_posix() for p in docs.rglob('*.html') if 'site_libs' not in p.parts)
    out = {}
    with serve(docs) as base, sync_playwright() as pw:
        browser = launch_browser(pw)
        for page in pages:
            n = expected_explorers((docs/page).read_text())
            ctx = browser.new_context(viewport=DESKTOP)
            tab = open_page(ctx, base + page, n)
            r = load_numbers(tab, n)
            r['figures'] = figure_scales(tab, page, docs)
            if with_axe: r['axe'] = axe(tab)
            r.update(full_weight(tab))
            ctx.close()
            out[page] = r
        browser.close()
    return out

def table(results):
    rows = [f"{'page':20} {'KB load':>8} {'KB all':>8} {'req':>4} {'CLS':>6} {'live ms':>8} {'fig min scale':>13} {'axe s/c':>8} {'in expl':>8}"]
    for page, r in results.items():
        scales = [f['scale'] for f in r['figures']]
        ax = r.get('axe', [])
        live = '' if r['live_ms'] is None else f"{r['live_ms']:.0f}"
        rows.append(f"{page:20} {r['bytes_load'] / 1024:8.0f} {r['bytes_full'] / 1024:8.0f} {r['requests_full']:4d} {r['cls']:6.3f} "
                    f"{live:>8} {min(scales) if scales else float('nan'):13.2f} "
                    f"{len(serious(ax)):8d} {len(serious(ax, True)):8d}")
    return '\n'.join(rows)

if __name__ == '__main__':
    res = measure(sys.argv[1:] or None)
    print(table(res))
    for page, r in res.items():
        for s in r['shifts']: print(page, 'shift', s)
        for v in r.get('axe', []):
            print(page, 'axe', v['impact'], v['id'], len(v['nodes']), 'nodes', sum(n['explorer'] for n in v['nodes']), 'in explorers;', v['nodes'][0]['target'])
