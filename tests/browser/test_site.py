"""The course site, built by tools/build_site.py, checked page by page in headless Chromium.

The site is built once per session and served from _docs/ on 127.0.0.1 at a free port. Every
notebook page must load with no console error, no failed request and no request to any other host;
its maths must be typeset by the local KaTeX, its pictures loaded, and its saved widgets drawn.
The navbar and sidebar must reach every notebook page, and every link inside the site (nbdev's
links to show_doc sections included) must land on an existing page and id.
Needs Debian's chromium at /usr/bin/chromium (never `playwright install`)."""
import functools, http.server, json, re, shutil, subprocess, sys, tempfile, threading, time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT/'_docs'
from conftest import launch
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'

def expected_pages():
    "The page each notebook becomes (nbdev's output-file: 00_data.ipynb -> data.html), known before the build."
    from nbdev.doclinks import nbglob
    from nbdev.frontmatter import _nbpath2html
    nbs = ROOT/'nbs'
    return {p.relative_to(nbs).as_posix(): _nbpath2html(p.relative_to(nbs)).as_posix() for p in sorted(nbglob(nbs, as_path=True))}

PAGES = expected_pages()

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

@pytest.fixture(scope='session')
def site():
    "Build the site once, serve _docs/ on 127.0.0.1 at a free port; yields (base url, build report, build seconds)."
    start = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_site.py')], cwd=ROOT, capture_output=True, text=True)
    secs = time.perf_counter() - start
    assert r.returncode == 0, f"tools/build_site.py failed:\n{r.stdout}\n{r.stderr}"
    report = json.loads((DOCS/'.build-report.json').read_text())
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(DOCS)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}/', report, secs
    srv.shutdown()
    srv.server_close()

@pytest.fixture(scope='session')
def browser_context(chromium):
    "Headless Chromium through the venv's playwright, with a fresh profile, kept off the network."
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix='gd-site-chromium-') as profile, sync_playwright() as p:
        ctx = launch(p, profile, chromium, viewport={'width': 1280, 'height': 900})
        yield ctx
        ctx.close()

# Text outside code that still reads like TeX between dollars ($x$, $\\eta = 10^{-4}$): maths that was never typeset
RAW_TEX_JS = r'''() => {
  const out = [], walk = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  const tex = /\$\$?([^$\n]{1,200})\$\$?/g;
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement.closest('code, pre, script, style, .katex, .widget-subarea')) continue;
    for (const m of n.textContent.matchAll(tex)) if (/^[A-Za-z]$|[\\^_={}]/.test(m[1].trim())) out.push(m[0]);
  }
  return out;
}'''

def _wait(tab, condition, message, timeout=15000):
    "Wait until the JavaScript condition holds; fail with `message` if it does not in time."
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try: tab.wait_for_function(condition, timeout=timeout)
    except PlaywrightTimeout: pytest.fail(message)

@functools.lru_cache(None)  # the site is built once per session; pages are only read
def _soup(page): return BeautifulSoup((DOCS/page).read_text(), 'html.parser')

def test_build_makes_every_notebook_page(site):
    "Each notebook of nbs/ has its page (named after nbdev's output-file) and nothing else became a page."
    _, report, secs = site
    built = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob('*.html') if 'site_libs' not in p.parts)
    assert built == sorted(PAGES.values()), f"pages built {built}, expected from nbs/ {sorted(PAGES.values())}"
    assert {p['notebook']: p['page'] for p in report['pages']} == PAGES
    assert secs < 90, f"the site build took {secs:.0f} s"

def test_nbdev_processing_clean(site):
    "nbdev's docs processing (what nbdev_docs runs before Quarto) went through every notebook without an error."
    problems = site[1]['problems']
    assert not problems, "notebooks that nbdev_docs would stop on (split imports into their own cell):\n" + '\n'.join(problems)

@pytest.mark.parametrize('page', sorted(PAGES.values()))
def test_page_in_browser(site, browser_context, page):
    "The page loads cleanly from the local server only, with its maths typeset, pictures loaded and widgets drawn."
    base, _, _ = site
    host = urlparse(base).netloc
    if not (DOCS/page).exists(): pytest.fail(f"{page} was not built")
    errors, failed, off_host = [], [], []
    tab = browser_context.new_page()
    tab.on('console', lambda m: errors.append(m.text) if m.type == 'error' else None)
    tab.on('pageerror', lambda e: errors.append(f'uncaught: {e}'))
    tab.on('requestfailed', lambda r: failed.append(f'{r.url} ({r.failure})'))
    tab.on('response', lambda r: failed.append(f'{r.url} (HTTP {r.status})') if r.status >= 400 else None)
    def request(r):
        u = urlparse(r.url)
        if u.scheme not in ('data', 'blob', 'about') and u.netloc != host: off_host.append(r.url)
    tab.on('request', request)
    try:
        tab.goto(base + page, wait_until='networkidle')
        src = (DOCS/page).read_text()
        soup = BeautifulSoup(src, 'html.parser')
        # saved widgets: every view of a saved model is drawn, sliders as sliders
        state = soup.find('script', type=WIDGET_STATE)
        models = json.loads(state.string)['state'] if state else {}
        views = [json.loads(s.string)['model_id'] for s in soup.find_all('script', type=WIDGET_VIEW)]
        drawn_views = [v for v in views if v in models]
        assert len(drawn_views) == len(views), f"{page}: widget views without saved state: {set(views) - set(models)}"
        if drawn_views:
            # ipywidgets draw as .jupyter-widgets; a page explorer (anywidget) draws its own .gd-explorer
            _wait(tab, f"document.querySelectorAll('.widget-subarea > .jupyter-widgets, .widget-subarea > * > .gd-explorer').length >= {len(drawn_views)}",
                  f"{page}: {len(drawn_views)} saved widget(s) not drawn")
            sliders = sum(1 for m in models.values() if m.get('model_name', '').endswith('SliderModel'))
            if sliders:
                n = tab.locator('.widget-slider .noUi-handle').count()
                assert n >= 1, f"{page}: the saved state has {sliders} slider model(s) but no slider is drawn"
                box = tab.locator('.widget-slider').first.bounding_box()
                assert box and box['width'] > 50 and box['height'] > 5, f"{page}: the slider is not visible: {box}"
        # maths: every math span of the page source is typeset by KaTeX, without errors
        n_math = len(soup.select('span.math'))
        if n_math:
            _wait(tab, "document.querySelectorAll('span.math').length === "
                       "document.querySelectorAll('span.math .katex, span.math .katex-error').length",
                  f"{page}: KaTeX did not typeset the page's {n_math} maths span(s)")
            bad_math = tab.eval_on_selector_all('.katex-error', 'els => els.map(e => e.getAttribute("title") || e.textContent)')
            assert not bad_math, f"{page}: KaTeX cannot typeset: {bad_math}"
        left = tab.evaluate("document.querySelectorAll('span.math').length - document.querySelectorAll('span.math .katex').length")
        assert left == 0, f"{page}: {left} maths span(s) left untypeset"
        raw = tab.evaluate(RAW_TEX_JS)
        assert not raw, f"{page}: TeX shown raw, not typeset: {raw[:5]}"
        # pictures: every <img> (outputs, widgets' outputs) loaded
        _wait(tab, "Array.from(document.images).every(i => i.complete)", f"{page}: pictures still loading")
        broken = tab.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                              ".map(i => (i.getAttribute('src') || '').slice(0, 80))")
        assert not broken, f"{page}: pictures not loaded: {broken}"
        # the theme's font is the local copy
        assert tab.evaluate("document.fonts.check('16px \"Source Sans Pro\"')"), f"{page}: the theme's font did not load"
    finally:
        tab.close()
    assert not off_host, f"{page}: requests to other hosts: {off_host}"
    assert not failed, f"{page}: failed requests: {failed}"
    assert not errors, f"{page}: console errors: {errors}"

def _links(page):
    "The <a href> targets of a page that stay inside the site, as (href, page they land on, fragment)."
    out = []
    for a in _soup(page).find_all('a', href=True):
        href = a['href']
        u = urlparse(href)
        if u.scheme or u.netloc or href.startswith(('mailto:', 'javascript:')): continue
        target = urlparse(urljoin('http://site/' + page, href))
        out.append((href, unquote(target.path.lstrip('/')) or 'index.html', unquote(target.fragment)))
    return out

@functools.lru_cache(None)
def _ids(page): return frozenset(e['id'] for e in _soup(page).find_all(id=True))

def test_navigation_reaches_every_notebook_page(site):
    "On every page, the navbar and the sidebar together link to every notebook page, and each of their links works."
    for page in sorted(PAGES.values()):
        soup = _soup(page)
        nav = soup.select('#quarto-header a[href], #quarto-sidebar a[href]')
        assert nav, f"{page}: no navbar or sidebar"
        reached = set()
        for a in nav:
            if urlparse(a['href']).scheme: continue
            target = unquote(urlparse(urljoin('http://site/' + page, a['href'])).path.lstrip('/')) or 'index.html'
            assert (DOCS/target).is_file(), f"{page}: navigation link {a['href']!r} leads to no page"
            reached.add(target)
        missing = {nb: p for nb, p in PAGES.items() if p not in reached}
        assert not missing, (f"{page}: no navbar/sidebar link to {sorted(missing.values())}; "
                             f"add {sorted(missing)} to the sidebar in _quarto.yml")

def test_links_inside_the_site_resolve(site):
    "Every link between pages (nbdev's symbol links, the table of contents, prose links) lands on an existing page and id."
    host = re.compile(r'^https?://127\.0\.0\.1:4000/')
    bad, ids = [], {}
    for page in sorted(PAGES.values()):
        for a in _soup(page).find_all('a', href=True):
            if host.match(a['href']): bad.append(f"{page}: {a['href']} is absolute to the doc host, not relative")
        for href, target, frag in _links(page):
            if not (DOCS/target).is_file():
                bad.append(f"{page}: {href} -> no page {target}")
            elif frag and target.endswith('.html'):
                if target not in ids: ids[target] = _ids(target)
                if frag not in ids[target]: bad.append(f"{page}: {href} -> {target} has no id {frag!r}")
    assert not bad, 'broken links:\n' + '\n'.join(bad)

def test_show_doc_anchors_match_nbdev(site):
    "Each symbol a notebook documents with show_doc sits at the anchor nbdev links it to (its _modidx entry)."
    from nbdev.processors import FilterDefaults  # noqa: F401  (nbdev importable)
    ns = {}
    exec((ROOT/'gd_notebooks'/'_modidx.py').read_text(), ns)
    by_page = {v: k for k, v in PAGES.items()}
    checked, bad = 0, []
    for mod, syms in ns['d']['syms'].items():
        for full, (link, _py) in syms.items():
            name = full.removeprefix(mod + '.')
            page, _, anchor = link.partition('#')
            nb = by_page.get(page)
            if nb is None:
                bad.append(f"{name}: nbdev links it to {page}, which no notebook builds")
                continue
            src = (ROOT/'nbs'/nb).read_text()
            documented = re.search(r'show_doc\(\s*' + re.escape(name) + r'\s*[,)]', src.replace('\\n', '\n'))
            if not documented: continue
            checked += 1
            if anchor not in _ids(page): bad.append(f"{name}: nbdev's link {link} has no such id on the page")
    assert checked > 0, "no show_doc found in the notebooks"
    assert not bad, '\n'.join(bad)

def test_search_finds_a_lesson(site, browser_context):
    "The search box of the navbar finds text from a lesson and links to its page."
    base = site[0]
    tab = browser_context.new_page()
    try:
        tab.goto(base + 'index.html', wait_until='networkidle')
        tab.fill('#quarto-search input', 'standardize')
        tab.wait_for_selector('#quarto-search .search-result', timeout=10000)
        hrefs = tab.eval_on_selector_all('#quarto-search .search-result', 'els => els.map(e => e.getAttribute("href"))')
        landed = [urlparse(urljoin(base + 'index.html', h)).path.lstrip('/') for h in hrefs]
        assert PAGES['00_data.ipynb'] in landed, f"searching 'standardize' gave {hrefs}"
        assert all((DOCS/p).is_file() for p in landed), f"search results lead to missing pages: {hrefs}"
    finally:
        tab.close()

def test_going_deeper_is_folded(site, browser_context):
    "Each lesson with a `## Going deeper` section shows it folded; a link into it opens it."
    folded = [p for p in sorted(PAGES.values()) if _soup(p).select_one('details.going-deeper')]
    deeper_nbs = [nb for nb in sorted(PAGES) if '## Going deeper' in (ROOT/'nbs'/nb).read_text()]
    assert len(folded) == len(deeper_nbs), f"folded pages {folded} vs notebooks with a Going deeper section {deeper_nbs}"
    if not folded: return
    page = folded[0]
    inner = _soup(page).select_one('details.going-deeper [id]')['id']
    base = site[0]
    tab = browser_context.new_page()
    try:
        tab.goto(f"{base}{page}")
        assert tab.evaluate("document.querySelector('details.going-deeper').open") is False
        tab.goto(f"{base}{page}#{inner}")
        tab.wait_for_function("document.querySelector('details.going-deeper').open === true", timeout=5000)
    finally: tab.close()

def _page_explorer_specs(page):
    "The specs of the page explorers (anywidget models) saved in a page's widget state, by spec id."
    tag = _soup(page).find('script', type=WIDGET_STATE)
    if tag is None: return {}
    state = json.loads(tag.string)['state']
    return {m['state']['spec']['id']: m['state']['spec'] for m in state.values() if 'spec' in m.get('state', {})}

def _same_run(js, spec):
    "The browser's last run equals the package's `fit` at the values the page holds."
    import numpy as np
    from gd_notebooks.pageexplorer import fit_recipe, resolve_run
    runs = spec.get('runs', [spec.get('run')])
    assert len(js['runs']) == len(runs)
    for r, got in zip(runs, js['runs']):
        rr = resolve_run(r, js['values']); t = fit_recipe(rr)
        if rr.get('kind') == 'lstsq':  # a least-squares line: the page solves the normal equations, numpy an SVD
            for k in ('a', 'b'): np.testing.assert_allclose(got['history'][k], t.history[k], rtol=1e-9, err_msg=f"{spec['id']} at {js['values']}")
            np.testing.assert_allclose(got['epoch_errors'], t.epoch_errors, rtol=1e-9); continue
        # PyTorch's Adam debiases with beta ** t, where C's pow and the browser's may differ in the last bit
        pow_t = rr['opt']['kind'] == 'Adam' and rr['opt'].get('debias', True)
        same = (lambda a, b, err_msg: np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=err_msg)) if pow_t else np.testing.assert_array_equal
        for k, h in t.history.items():
            if pow_t and not np.isfinite(h).all(): continue  # a run that takes off amplifies that last bit
            same(np.array(got['history'][k], dtype=float), h, err_msg=f"{spec['id']}: history[{k}] at {js['values']}")
        e = np.array(got['epoch_errors'], dtype=float)
        if not (pow_t and not np.isfinite(t.epoch_errors).all()):
            np.testing.assert_array_equal(np.isfinite(e), np.isfinite(t.epoch_errors))
            np.testing.assert_allclose(e[np.isfinite(e)], t.epoch_errors[np.isfinite(e)], rtol=1e-12 if pow_t else 1e-15, atol=0)

def test_page_explorers_move_and_match_fit(site, browser_context):
    "On every page with page explorers: each control, moved with the keyboard, redraws, and the run equals fit's."
    base = site[0]
    pages = {p: _page_explorer_specs(p) for p in sorted(PAGES.values())}
    pages = {p: s for p, s in pages.items() if s}
    assert pages, "no page explorer on the site"
    for page, specs in pages.items():
        tab = browser_context.new_page()
        try:
            tab.goto(f"{base}{page}")
            tab.wait_for_function(f"document.querySelectorAll('.gd-explorer').length >= {len(specs)}", timeout=15000)
            for sid, spec in specs.items():
                root = f".gd-explorer[data-spec='{sid}']"
                _same_run(tab.evaluate(f"document.querySelector(\"{root}\").gdRun"), spec)
                for c in sorted(spec['controls'], key=lambda c: c['kind'] == 'select'):  # a choice last: the others act on the first case
                    sel = f"{root} [data-control='{c['name']}']"
                    draws, lines = tab.evaluate(f"[+document.querySelector(\"{root}\").dataset.draws, Array.from(document.querySelectorAll(\"{root} svg g > *\"), e => e.outerHTML).join('|')]")
                    tab.focus(sel)
                    if c['kind'] == 'check': tab.keyboard.press('Space')
                    else:
                        at_end = (spec['values'][c['name']] == c['options'][-1]) if c['kind'] == 'select' else spec['values'][c['name']] >= c.get('max', float('inf'))
                        key = ('ArrowUp' if at_end else 'ArrowDown') if c['kind'] == 'select' else ('ArrowLeft' if at_end else 'ArrowRight')
                        tab.keyboard.press(key); tab.keyboard.press(key)
                    tab.wait_for_function(f"+document.querySelector(\"{root}\").dataset.draws > {draws}", timeout=5000)
                    now = tab.evaluate(f"Array.from(document.querySelectorAll(\"{root} svg g > *\"), e => e.outerHTML).join('|')")
                    assert now != lines, f"{page} {sid}: moving {c['name']} did not change the drawing"
                    _same_run(tab.evaluate(f"document.querySelector(\"{root}\").gdRun"), spec)
        finally: tab.close()
