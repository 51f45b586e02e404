"""The course site, built by tools/build_site.py, checked page by page in headless Chromium.

The site is built once per session and served from _docs/ on 127.0.0.1 at a free port. Every
notebook page must load with no console error, no failed request and no request to any other host;
its maths must be typeset by KaTeX, its pictures loaded, and its page explorers drawn and live.
The navbar and sidebar must reach every notebook page, and every link inside the site (nbdev's
links to show_doc sections included) must land on an existing page and id.
Then the page as a reader meets it, measured (tools/site_measure.py): weight, layout shift, time to
a live explorer, figure text size, accessibility (axe-core), the phone and the dark theme, folded
checks, tables, downloads, ids (see the section "the site as a reader meets it" below).
Needs Debian's chromium at /usr/bin/chromium (never `playwright install`)."""
import functools, http.server, json, os, posixpath, re, shutil, subprocess, sys, tempfile, threading, time
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
    """Build the site once, serve _docs/ on 127.0.0.1 at a free port; yields (base url, build report, build seconds).
    GD_SITE_BUILT=1 checks the _docs/ already built instead (while working on the checks themselves)."""
    start = time.perf_counter()
    if os.environ.get('GD_SITE_BUILT') != '1' or not (DOCS/'.build-report.json').exists():
        r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_site.py')], cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0, f"tools/build_site.py failed:\n{r.stdout}\n{r.stderr}"
    secs = time.perf_counter() - start
    report = json.loads((DOCS/'.build-report.json').read_text())
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(DOCS)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}/', report, secs
    srv.shutdown()
    srv.server_close()

@pytest.fixture(scope='session')
def playwright_session():
    "One playwright for the session (its sync API allows one at a time)."
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p: yield p

@pytest.fixture(scope='session')
def browser_context(chromium, playwright_session):
    "Headless Chromium through the venv's playwright, with a fresh profile, kept off the network."
    with tempfile.TemporaryDirectory(prefix='gd-site-chromium-') as profile:
        ctx = launch(playwright_session, profile, chromium, viewport={'width': 1280, 'height': 900})
        yield ctx
        ctx.close()

# Text outside code that still reads like TeX between dollars ($x$, $\\eta = 10^{-4}$): maths that was never typeset
RAW_TEX_JS = r'''() => {
  const out = [], walk = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  const tex = /\$\$?([^$\n]{1,200})\$\$?/g;
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement.closest('code, pre, script, style, .katex, .widget-subarea')) continue;
    for (const m of n.textContent.matchAll(tex)) {
      const after = n.textContent[m.index + m[0].length] || '';
      if (/^[A-Z]{1,3}$/.test(m[1]) && /[0-9]/.test(after)) continue;  // a spreadsheet's absolute reference ($F$1), not TeX
      if (/^[A-Za-z]$|[\\^_={}]/.test(m[1].trim())) out.push(m[0]);
    }
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
        # page explorers: every placeholder has its saved model and is drawn by the site's renderer
        state = soup.find('script', type=WIDGET_STATE)
        models = json.loads(state.string)['state'] if state else {}
        views = [d['data-model-id'] for d in soup.select('.gd-widget[data-model-id]')]
        missing = [v for v in views if v not in models]
        assert not missing, f"{page}: explorers without saved state: {missing}"
        if views:
            _wait(tab, f"document.querySelectorAll('.gd-widget[data-model-id] .gd-explorer[data-draws]').length >= {len(views)}",
                  f"{page}: {len(views)} page explorer(s) not drawn")
        assert not soup.find('script', type=WIDGET_VIEW), f"{page}: a widget view the site's renderer does not draw"
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
        # pictures: every <img> (outputs, explorers' backdrops) loads, the lazy ones too once asked for
        tab.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
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
    import gd_notebooks.all  # noqa: F401  (the recipes name every lesson's models and optimizers, which fit_recipe finds among the imported modules)
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

# ---------------------------------------------------------------- the site as a reader meets it (measured in the browser)
#
# Each page is opened in a fresh browser context (nothing cached) at 1366x900 (a laptop), at 390x844 (a phone) and
# at 1366x900 in the dark theme, and measured with tools/site_measure.py (the same numbers `python
# tools/site_measure.py` prints). The bars: the page transfers at most 1.5 MB until its load event settles; its
# layout shifts sum to less than 0.1 from navigation until 2 s after its explorers are live; its explorers are live
# within 1 s of the load event; every figure is shown at least at its own size at 1366 px (its 9-pt text at 9 pt or
# more) and fills the width on a phone; axe-core finds no serious or critical violation outside the explorers' own
# DOM (the explorers' markup is drawn by the package's view.js; its violations are listed as warnings for the
# explorer issue, never dropped from the run).
import warnings
from site_measure import (DESKTOP, PHONE, axe, expected_explorers, figure_scales, full_weight, launch_browser, load_numbers,
                          open_page, png_info, serious)

WEIGHT_BAR, CLS_BAR = 1.5 * 1024 * 1024, 0.1

@pytest.fixture(scope='session')
def fresh_browser(chromium, playwright_session):
    "A headless Chromium (the course's flags) whose contexts start empty: each page is measured as a first visit."
    b = launch_browser(playwright_session)
    yield b
    b.close()

def _expected_figures(page):
    "The content figures a page must show: the PNG outputs of its notebook that are not a widget's picture."
    nb = {v: k for k, v in PAGES.items()}[page]
    n = 0
    for c in json.loads((ROOT/'nbs'/nb).read_text())['cells']:
        if c['cell_type'] != 'code': continue
        for o in c.get('outputs', []):
            d = o.get('data') or {}
            if 'image/png' in d and WIDGET_VIEW not in d and 'text/html' not in d: n += 1
    return n

SCROLL_BOXES_JS = '''() => Array.from(document.querySelectorAll('main *')).filter(e => {
    if (e.closest('.gd-explorer, .gd-widget-reserve, details:not([open]) > :not(summary)')) return false;
    const s = getComputedStyle(e);
    return /(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0;
  }).map(e => ({what: e.tagName.toLowerCase() + '.' + Array.from(e.classList).join('.'), tab: e.getAttribute('tabindex'),
                label: e.getAttribute('aria-label') || '', shadow: getComputedStyle(e).backgroundImage.includes('gradient'),
                marked: e.classList.contains('gd-scrolls')}))'''

def _scroll_box_problems(tab, page, where):
    out = []
    for b in tab.evaluate(SCROLL_BOXES_JS):
        if not (b['marked'] and b['shadow']): out.append(f"{page} ({where}): {b['what']} scrolls sideways with no sign of it")
        if b['tab'] != '0' or not b['label']: out.append(f"{page} ({where}): {b['what']} scrolls sideways but is not reachable by keyboard (tabindex {b['tab']}, label {b['label']!r})")
    return out

# axe's whole default rule set runs on every page at 1366 px in the light theme; the dark theme changes colours only, so
# there its colour-contrast rule runs; the phone changes the layout, so there every rule but colour contrast runs
# (the colours are the laptop's). On these 2-core machines one full run takes 5-30 s on a lesson page.
AXE_DARK = {'runOnly': ['color-contrast']}
AXE_PHONE = {'rules': {'color-contrast': {'enabled': False}}}

def _axe_problems(tab, page, where, options=None):
    found = axe(tab, options)
    mine = serious(found)
    theirs = serious(found, explorer=True)
    if theirs:
        warnings.warn(f"{page} ({where}): {len(theirs)} serious/critical axe findings inside the explorers (view.js, the explorer issue): "
                      + '; '.join(sorted({f'{i} {t}' for i, _, t, _, _ in theirs})[:6]))
    return [f"{page} ({where}): axe {i} ({imp}) at {t}: {html_[:100]} | {why[:160]}" for i, imp, t, html_, why in mine]

def _ids_problems(tab, page, where):
    dup = tab.evaluate('''() => { const seen = new Map();
      document.querySelectorAll('[id]').forEach(e => { const k = e.id; seen.set(k, (seen.get(k) || []).concat([!!e.closest('.gd-explorer')])); });
      return Array.from(seen).filter(([k, v]) => v.length > 1).map(([k, v]) => [k, v.every(x => x)]); }''')
    out = [f"{page} ({where}): id {k!r} used more than once" for k, inside in dup if not inside]
    theirs = [k for k, inside in dup if inside]
    if theirs: warnings.warn(f"{page} ({where}): ids repeated inside the explorers (view.js): {theirs[:6]}")
    return out

@pytest.mark.parametrize('page', sorted(PAGES.values()))
def test_reader_on_a_laptop(site, fresh_browser, page):
    """At 1366x900, a first visit: weight at load <= 1.5 MB, CLS < 0.1, every explorer live (how soon: `make bench`),
    every figure at least at its own size (9-pt text at >= 9 pt) and linked to its full-size file, every figure with
    an alt text, no scroll box without its shadow and keyboard access, no repeated id, axe: 0 serious or critical
    outside the explorers. The weight with every lazy picture loaded is measured too, and reported."""
    base = site[0]
    html_ = (DOCS/page).read_text()
    n = expected_explorers(html_)
    ctx = fresh_browser.new_context(viewport=DESKTOP, color_scheme='light')
    bad = []
    try:
        tab = open_page(ctx, base + page, n)
        r = load_numbers(tab, n)
        if r['bytes_load'] > WEIGHT_BAR:
            bad.append(f"{page}: {r['bytes_load'] / 1048576:.2f} MB transferred by the load event (bar 1.5 MB); biggest: {r['biggest']}")
        if r['cls'] >= CLS_BAR: bad.append(f"{page}: CLS {r['cls']:.3f} (bar 0.1): {r['shifts']}")
        if n and r['live_ms'] is None:  # how soon is `make bench`'s (tools/bench_site.py): it depends on the machine's load
            bad.append(f"{page}: its {n} explorers did not all draw")
        # each explorer's picture once: its backdrop file, fetched by the renderer; its no-JavaScript still is not fetched
        names = tab.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        backdrops, stills = [u for u in names if '-backdrop' in u], [u for u in names if '-explorer' in u and u.endswith('.png')]
        if n and (len(backdrops) != n or len(set(backdrops)) != n or stills):
            bad.append(f"{page}: {n} explorers fetched backdrops {backdrops} and stills {stills}")
        figs = figure_scales(tab, page)
        want = _expected_figures(page)
        if len([f for f in figs if not f['still']]) != want: bad.append(f"{page}: {len(figs)} figures shown for the notebook's {want} PNG outputs")
        for f in figs:
            if f['scale'] < 1 - 1e-3:
                bad.append(f"{page}: {f['png']} shown {f['shown']:.0f} px wide, under its own size {f['one_x']:.0f} px: "
                           f"its 9-pt text reads {9 * f['scale']:.1f} pt")
            if not f['alt'].strip(): bad.append(f"{page}: {f['png']} has no alt text")
        links = tab.evaluate('''() => Array.from(document.querySelectorAll('main img.gd-fig'), i => {
            const a = i.closest('a'); return [i.getAttribute('src'), a ? a.getAttribute('href') : null]; })''')
        bad += [f"{page}: figure {s} does not open at full size (link {h!r})" for s, h in links if h != s]
        no_own = [f['png'] for f in figs if f['altFrom'] != 'fig-alt']
        if no_own: warnings.warn(f"{page}: {len(no_own)} of {len(figs)} figures have no `#| fig-alt:` (their alt text is their title or the next sentence): {no_own}")
        bad += _scroll_box_problems(tab, page, '1366 px')
        bad += _ids_problems(tab, page, '1366 px')
        bad += _axe_problems(tab, page, '1366 px, light')
        r.update(full_weight(tab))
        _record(page, r)
    finally: ctx.close()
    assert not bad, '\n'.join(bad)

@pytest.mark.parametrize('page', sorted(PAGES.values()))
def test_reader_on_a_phone(site, fresh_browser, page):
    """At 390x844: figures fill the text's width, the page has its "On this page" (when it has a table of contents) with
    working links, wide boxes show that they scroll and take the keyboard, axe: 0 serious or critical outside the explorers."""
    base = site[0]
    n = expected_explorers((DOCS/page).read_text())
    ctx = fresh_browser.new_context(viewport=PHONE, color_scheme='light', is_mobile=True, has_touch=True)
    bad = []
    try:
        tab = open_page(ctx, base + page, n, settle_ms=500)
        widths = tab.evaluate('''() => Array.from(document.querySelectorAll('main img.gd-fig'), i => {
            const box = i.closest('.cell-output, .gd-widget, figure, p') || i.parentElement;
            const cs = getComputedStyle(box), inner = box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
            return [i.getAttribute('src'), i.getBoundingClientRect().width, inner]; })''')
        bad += [f"{page}: on a phone {s} is {w:.0f} px wide in a {col:.0f}-px column" for s, w, col in widths if w < col - 14]
        toc = _soup(page).select('#TOC a[href^="#"]')
        if toc:
            vis = tab.evaluate('''() => { const d = document.querySelector('.gd-toc-phone');
                if (!d) return null; const r = d.getBoundingClientRect(); return [r.width > 0 && r.height > 0, d.textContent.trim().slice(0, 12),
                Array.from(d.querySelectorAll('a'), a => a.getAttribute('href'))]; }''')
            if not vis or not vis[0]: bad.append(f"{page}: no 'On this page' on a phone")
            else:
                ids = _ids(page)
                hrefs = [a['href'] for a in toc]
                if vis[2] != hrefs: bad.append(f"{page}: the phone's 'On this page' links {vis[2][:5]}... differ from the table of contents {hrefs[:5]}...")
                bad += [f"{page}: the phone's 'On this page' links to {h}, no such id" for h in vis[2] if h[1:] not in ids]
        bad += _scroll_box_problems(tab, page, '390 px')
        bad += _axe_problems(tab, page, '390 px, light', AXE_PHONE)
    finally: ctx.close()
    assert not bad, '\n'.join(bad)

@pytest.mark.parametrize('page', sorted(PAGES.values()))
def test_reader_in_the_dark(site, fresh_browser, page):
    """With the system set to dark: the page turns dark before it paints (no light flash, no shift), its figures sit on
    their white paper in a padded box and keep their size, axe: 0 serious or critical (contrast included) outside the explorers."""
    base = site[0]
    n = expected_explorers((DOCS/page).read_text())
    ctx = fresh_browser.new_context(viewport=DESKTOP, color_scheme='dark')
    bad = []
    try:
        tab = open_page(ctx, base + page, n, settle_ms=500)
        r = load_numbers(tab, n)
        if r['cls'] >= CLS_BAR: bad.append(f"{page} (dark): CLS {r['cls']:.3f}: {r['shifts']}")
        theme = tab.evaluate('''() => [document.documentElement.getAttribute('data-bs-theme'), getComputedStyle(document.body).backgroundColor]''')
        rgb = [int(v) for v in re.findall(r'\d+', theme[1])[:3]]
        if theme[0] != 'dark' or sum(rgb) > 3 * 80: bad.append(f"{page}: the dark preference gives theme {theme[0]!r} on {theme[1]}")
        for src, bg, pad in tab.evaluate('''() => Array.from(document.querySelectorAll('main img.gd-fig'), i => {
                const a = i.closest('a'), s = getComputedStyle(a); return [i.getAttribute('src'), s.backgroundColor, parseFloat(s.paddingLeft)]; })'''):
            if bg != 'rgb(255, 255, 255)' or pad < 2: bad.append(f"{page} (dark): figure {src} not on a white padded box ({bg}, padding {pad})")
        bad += [f"{page} (dark): {f['png']} shown at {f['scale']:.3f} of its own size" for f in figure_scales(tab, page) if f['scale'] < 1 - 1e-3]
        bad += _axe_problems(tab, page, '1366 px, dark', AXE_DARK)
    finally: ctx.close()
    assert not bad, '\n'.join(bad)

MEASURED = ROOT/'.test-artifacts'/'site-measurements.json'

def _record(page, r):
    "Keep the per-page numbers of the laptop check (weight at load and with every picture, CLS, time to live explorers) for the record."
    MEASURED.parent.mkdir(exist_ok=True)
    have = json.loads(MEASURED.read_text()) if MEASURED.exists() else {}
    have[page] = {k: r[k] for k in ('bytes_load', 'bytes_full', 'requests_load', 'requests_full', 'cls', 'live_ms', 'explorers')}
    MEASURED.write_text(json.dumps(have, indent=1, sort_keys=True) + '\n')

# In every tab: the verdict's position after each painted frame (measured just after the frame), until 1 s after the load event
LANDING_JS = '''(() => { const h = decodeURIComponent(location.hash.slice(1)); if (!h) return;
  const land = window.__land = {frames: [], load: null, done: false};
  addEventListener('load', () => { land.load = performance.now(); });
  const frame = () => setTimeout(() => {
    const t = document.getElementById(h);
    if (t) land.frames.push(Math.round(t.getBoundingClientRect().top * 10) / 10);
    if (land.load !== null && performance.now() > land.load + 1000) { land.done = true; land.header = document.querySelector('#quarto-header').getBoundingClientRect().bottom; return; }
    requestAnimationFrame(frame);
  }, 0);
  requestAnimationFrame(frame);
})();'''

def test_verdict_links_land_where_they_stay(site, fresh_browser):
    """Every verdict link of the home page lands on its verdict, in view below the sticky header, from the first frame
    the reader sees to 1 s after the load event: in every painted frame the verdict is within 1 px of where it ends."""
    base = site[0]
    links = sorted({(t, f) for _, t, f in _links('index.html') if f.startswith('verdict-')})
    assert links, "no verdict link on the home page"
    ctx = fresh_browser.new_context(viewport=DESKTOP)
    ctx.add_init_script(LANDING_JS)
    bad, batch = [], 4  # a few tabs at once: each waits mostly for its own parsing
    try:
        tabs = [ctx.new_page() for _ in range(batch)]
        for i in range(0, len(links), batch):
            group = list(zip(tabs, links[i:i + batch]))
            for tab, (target, frag) in group: tab.goto(f"{base}{target}#{frag}", wait_until='commit')
            for tab, (target, frag) in group:
                tab.wait_for_function('window.__land && window.__land.done', timeout=60000)
                land = tab.evaluate('window.__land')
                frames, height = land['frames'], DESKTOP['height']
                if not frames: bad.append(f"{target}#{frag}: no such verdict"); continue
                end = frames[-1]
                moved = [f for f in frames if abs(f - end) > 1]
                if moved: bad.append(f"{target}#{frag}: shown at {moved[:4]} px before it settled at {end} px ({len(frames)} frames)")
                if not (land['header'] - 1 <= end <= height - 40): bad.append(f"{target}#{frag}: at {end} px, not in view below the header ({land['header']:.0f} px)")
    finally: ctx.close()
    assert not bad, '\n'.join(bad)

def test_check_cells_are_folded(site, browser_context):
    """Each cell that only checks (build_site's rule) is folded on its page as "✓ n checks", closed, its code inside, and n
    is the number of checks of that code; the notebooks themselves keep every cell as it was (nothing in nbs/ is touched)."""
    from build_site import check_count
    folded, bad = 0, []
    for page in sorted(PAGES.values()):
        soup = _soup(page)
        nb = json.loads((ROOT/'nbs'/{v: k for k, v in PAGES.items()}[page]).read_text())
        want = sum(1 for c in nb['cells'] if check_count(c))
        got = soup.select('details.gd-checks')
        if len(got) != want: bad.append(f"{page}: {len(got)} folded check cells for the notebook's {want}")
        for d in got:
            folded += 1
            summary, code = d.find('summary').get_text(), d.find('code')
            m = re.fullmatch(r'✓ (\d+) checks?', summary.strip())
            if not m or code is None: bad.append(f"{page}: folded cell with summary {summary!r} and code {code is not None}"); continue
            if d.has_attr('open'): bad.append(f"{page}: a check cell is open")
            n = check_count({'cell_type': 'code', 'outputs': [], 'source': code.get_text()})
            if n != int(m.group(1)): bad.append(f"{page}: '{summary}' over code with {n} checks")
    assert folded, "no check cell folded anywhere"
    assert not bad, '\n'.join(bad)
    # in the browser: closed, and a click opens it
    page = next(p for p in sorted(PAGES.values()) if _soup(p).select_one('details.gd-checks'))
    tab = browser_context.new_page()
    try:
        tab.goto(site[0] + page)
        d = tab.locator('details.gd-checks:not(details.going-deeper details)').first
        assert d.evaluate('e => !e.open && !e.querySelector("pre").checkVisibility()'), f"{page}: a check cell shows its code before it is opened"
        d.locator('summary').click()
        assert d.evaluate('e => e.open && e.querySelector("pre").checkVisibility()'), f"{page}: a click does not open a check cell" 
    finally: tab.close()

def test_tables_have_their_cells_and_links(site):
    """Every row of every table on the site has as many cells as its header, none of them cut; a column that links
    (the home page's verdict table) links in every row."""
    bad = []
    for page in sorted(PAGES.values()):
        for t in _soup(page).select('main table'):
            if t.find_parent(class_='katex'): continue
            rows = t.find_all('tr')
            if not rows: continue
            width = lambda tr: sum(int(c.get('colspan', 1)) for c in tr.find_all(['td', 'th'], recursive=False))
            head = width(rows[0])
            body = [r for r in rows[1:] if r.find_parent('thead') is None]
            bad += [f"{page}: a row with {width(r)} cells under a {head}-cell header: {r.get_text(' ', strip=True)[:80]}" for r in body if width(r) != head]
            for col in range(head):
                cells = [r.find_all(['td', 'th'], recursive=False) for r in body]
                linked = [bool(c[col].find('a', href=True)) for c in cells if len(c) > col]
                if linked and sum(linked) >= len(linked) / 2 and not all(linked):
                    bad += [f"{page}: row {i + 1} of a linking column has no link: {body[i].get_text(' ', strip=True)[:80]}" for i, ok in enumerate(linked) if not ok]
    assert not site[1]['table_rows'], '\n'.join(site[1]['table_rows'])
    assert not bad, '\n'.join(bad)

def test_downloads_are_linked(site):
    "Every file in _docs/downloads is linked from the page that lists the downloads, and no page names a download without linking it."
    files = site[1]['downloads']
    assert files, "no downloads built"
    bad = []
    lists = [p for p in sorted(PAGES.values()) if _soup(p).select_one('section[id="downloads"]')]
    assert lists, "no page has a Downloads section"
    for page in lists:
        hrefs = {posixpath.normpath(posixpath.join(posixpath.dirname(page), a['href'])) for a in _soup(page).select('section[id="downloads"] a[href]')}
        bad += [f"{page}: its Downloads section does not link {f}" for f in files if f'downloads/{f}' not in hrefs]
    for page in sorted(PAGES.values()):
        for s in _soup(page).select('main')[0].find_all(string=re.compile('|'.join(map(re.escape, files)))):
            if s.find_parent('a') is None and s.find_parent('script') is None:
                bad.append(f"{page}: names a download without a link: {str(s).strip()[:80]!r}")
    assert not bad, '\n'.join(bad)

def test_ids_are_unique_and_docments_are_text(site):
    "No id is used twice on a page, and no rendered text shows Markdown link syntax ([`fit`](neuron.html#fit))."
    bad = [f"{p}: ids used more than once: {ids}" for p, ids in site[1]['repeated_ids'].items()]
    raw = re.compile(r'\[`[^`\]]+`\]\([^)\s]+\)')
    for page in sorted(PAGES.values()):
        soup = _soup(page)
        seen = {}
        for e in soup.find_all(id=True): seen[e['id']] = seen.get(e['id'], 0) + 1
        bad += [f"{page}: id {k!r} used {v} times" for k, v in seen.items() if v > 1]
        bad += [f"{page}: raw Markdown link shown: {m.group(0)}" for s in soup.select('main')[0].find_all(string=raw) for m in [raw.search(s)]]
    assert not bad, '\n'.join(bad)

def test_no_page_shows_a_control_that_needs_a_kernel(site, browser_context):
    """Every explorer on the site is a page explorer: no page carries plain ipywidgets (a slider that needs a kernel
    would look live and do nothing), none loads the ipywidgets bundle; a saved one would be shown as its picture."""
    for page in sorted(PAGES.values()):
        soup = _soup(page)
        assert not soup.select('.gd-widget-still'), f"{page}: saved ipywidgets shown as a picture; the course's explorers are page explorers"
        assert not [t for t in soup.select('script[src]') if 'embed-amd' in t['src'] or 'html-manager' in t['src']], f"{page}: loads the ipywidgets bundle"
    tab = browser_context.new_page()
    try:
        for page in ('neuron.html', 'adaptive.html'):
            tab.goto(site[0] + page, wait_until='load')
            assert tab.evaluate("document.querySelectorAll('.jupyter-widgets, .widget-slider').length") == 0, page
    finally: tab.close()

def test_icon_font_has_every_icon_used(site):
    "The cut icon font holds a glyph for every icon class the pages use and every icon code point the stylesheets name."
    import io
    from fontTools.ttLib import TTFont
    css = (DOCS/'site_libs'/'bootstrap-icons'/'bootstrap-icons.min.css').read_text()
    import base64 as b64
    font = TTFont(io.BytesIO(b64.b64decode(re.search(r'base64,([^)]+)\)', css).group(1))))
    have = set(font.getBestCmap())
    rules = dict(re.findall(r'\.bi-([a-z0-9-]+)::before\{content:"\\(f[0-9a-f]+)"\}', css))
    texts = [f.read_text(errors='replace') for f in DOCS.rglob('*') if f.suffix in ('.html', '.css', '.js') and 'bootstrap-icons' not in f.parts]
    used = {n for t in texts for n in re.findall(r'\bbi-([a-z0-9-]+)', t)}
    missing = [n for n in used if n not in rules or int(rules[n], 16) not in have]
    points = {int(c, 16) for t in texts for c in re.findall(r'content:\s*"\\(f[0-9a-f]{3})"', t)}
    assert not missing and points <= have, f"icons without a glyph: {missing}, code points {sorted(map(hex, points - have))}"

# ---------------------------------------------------------------- the build's rules, on made-up cells and rows

def _cell(src, outputs=()):
    return {'cell_type': 'code', 'source': src, 'outputs': list(outputs), 'metadata': {}}

def test_check_count_rule():
    from build_site import check_count
    assert check_count(_cell("test_eq(f(1), 2)\ntest_close(g(2), 3.5, eps=0.05)")) == 2
    assert check_count(_cell("t = fit(m, p, x, y, SGD(1e-4))\nassert t.epoch_errors[-1] < 200\nnp.testing.assert_allclose(a, b)")) == 2
    assert check_count(_cell("for lr in (1e-4, 1e-3):\n    test_close(h(lr), 1, eps=0.1)\nplt.close('all')")) == 1
    assert check_count(_cell("with np.errstate(all='ignore'):\n    r = run()\n    test_eq(r, 1)")) == 1
    assert check_count(_cell("test_eq(1, 1)", [{'output_type': 'stream', 'name': 'stdout', 'text': '1'}])) is None  # it shows something
    assert check_count(_cell("def f(x): return x\ntest_eq(f(1), 1)")) is None  # it defines something
    assert check_count(_cell("t = fit(m, p, x, y, opt)\nplot(t)")) is None  # no check
    assert check_count(_cell("#| echo: false\ntest_eq(1, 1)")) is None
    assert check_count(_cell("#| code-fold: show\ntest_eq(1, 1)")) is None
    assert check_count(_cell("test_eq(1,")) is None  # not Python
    assert check_count({'cell_type': 'markdown', 'source': 'test_eq(1, 1)'}) is None

def test_pipe_rows_repaired():
    from build_site import repair_pipe_tables, table_cells
    md = ("| question | answer | where |\n|---|---|---|\n"
          "| Where is the x = 99 row? | the miss |ŷ − y| is 187 there | [Back](workbook.html#verdict-workbook-99) |\n"
          "| Math? | $|x - 1|$ at most 2 | [Here](a.html) |\n| Fine? | yes | [There](b.html) |")
    problems = []
    out = repair_pipe_tables(md, 'test', problems)
    rows = out.split('\n')[2:]
    assert not problems and all(len(table_cells(r)) == 3 for r in rows), rows
    assert 'the miss \\|ŷ − y\\| is 187' in rows[0] and '$\\vert x - 1\\vert $' in rows[1] and rows[2] == '| Fine? | yes | [There](b.html) |'
    bad = repair_pipe_tables("| a | b |\n|---|---|\n| 1 | 2 | 3 |", 'test', problems)
    assert problems and '3 cells for 2 columns' in problems[0] and bad.endswith('| 1 | 2 | 3 |')

def test_unique_ids_rule():
    from build_site import unique_ids
    html_ = ('<nav id="TOC"><a href="#adam" id="toc-adam" class="nav-link" data-scroll-target="#adam">Adam</a>'
             '<ul><li><a href="#adam" id="toc-adam" class="nav-link" data-scroll-target="#adam">Adam</a></li></ul></nav>'
             '<p><a id="verdict-x"></a><a id="verdict-x"></a><strong>Q? A.</strong></p>'
             '<section id="adam" class="level2"><h2 class="anchored" data-anchor-id="adam">Adam</h2>'
             '<h3 id="adam" class="anchored" data-anchor-id="adam">Adam</h3></section>')
    out, notes, dup = unique_ids(html_, 'p.html')
    assert not dup and len(notes) == 2
    assert out.count('id="verdict-x"') == 1 and '<section id="adam-1"' in out and 'data-anchor-id="adam-1"' in out and '<h3 id="adam"' in out
    assert '<a href="#adam-1" id="toc-adam-1" class="nav-link" data-scroll-target="#adam-1">' in out and '<a href="#adam" id="toc-adam"' in out

def test_png_info_reads_size_and_dpi(tmp_path):
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(2, 1)); fig.savefig(tmp_path/'f.png', dpi=192); plt.close(fig)
    w, h, dpi = png_info((tmp_path/'f.png').read_bytes())
    assert (w, h) == (384, 192) and abs(dpi - 192) < 0.1
    from build_site import one_x
    assert one_x((tmp_path/'f.png').read_bytes()) == (192, 96)

def test_explorer_reserve_is_the_explorer_size(site, fresh_browser):
    "Until the renderer draws it, each explorer's reserve holds exactly its room (controls, status line, picture): nothing below it moves."
    heights = "Array.from(document.querySelectorAll('.gd-widget[data-model-id]')).map(e => e.getBoundingClientRect().height)"
    bad = []
    for page in ('neuron.html', 'learning_rate.html', 'adaptive.html'):
        got = {}
        for live in (False, True):
            ctx = fresh_browser.new_context(viewport=DESKTOP)
            try:
                tab = ctx.new_page()
                if not live: tab.route('**/gd-widgets.js', lambda r: r.abort())
                tab.goto(site[0] + page, wait_until='load')
                if live: tab.wait_for_function("document.querySelectorAll('.gd-widget-live .gd-explorer').length > 0", timeout=30000)
                got[live] = tab.evaluate(heights)
            finally: ctx.close()
        if not got[False] or len(got[False]) != len(got[True]) or any(abs(a - b) > 0.5 for a, b in zip(got[False], got[True])):
            bad.append(f"{page}: reserve {got[False]} px, drawn {got[True]} px")
    assert not bad, '\n'.join(bad)
