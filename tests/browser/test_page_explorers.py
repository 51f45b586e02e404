"""The page explorers as a reader meets them, in headless Chromium: every explorer the notebooks save, mounted in a bare
page with its own saved module (what the site serves), the way the site's renderer mounts it.

- Truth: every control set to both its ends (a slider's first and last position, a choice's first and last option, a
  box both ways), alone and all together; at each setting the page's run (`el.gdRun`) equals `fit` (the package's,
  through `fit_recipe`) as tests/oracle/test_js_port.py states it, and its status line equals the status the package's
  rules give for that run and drawing (`page_drawing`); no text of the explorer says nan or inf; every text stays
  inside its panel; controls that do nothing for the choice made are disabled.
- Access: each drawing has role="img" and a label that ends with the status; each slider's `aria-valuetext` is the
  value it shows, in the page's own units; axe-core finds no serious or critical violation inside an explorer, on a
  laptop and on a phone.
- A phone (390 px): the panels stack, each shown at 80% of its own size or more (its 9-pt text at 9 CSS px or more;
  a panel wider than that scrolls sideways and takes the keyboard), the controls stay on the screen, and a slider is
  at least 44 px tall; End and Home on a focused box do not scroll the page."""
import json, os, tempfile
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT, launch
from explorers import saved_explorers, explorer_notebooks, bare_page, serve

import gd_notebooks.all  # noqa: F401  (the lessons' models and optimizers, which fit_recipe finds by name)
from gd_notebooks.pageexplorer import fit_recipe, resolve_run, page_drawing, page_esm

EXPLORERS = [e for nb in explorer_notebooks() for e in saved_explorers(nb)]
IDS = [f"{e['notebook'][:-6]}-{e['id']}" for e in EXPLORERS]
ADAM_RTOL = 1e-12  # tests/oracle/test_js_port.py: debiased Adam's beta ** t, V8 against C's pow

def _axe_path():
    p = Path(os.environ.get('GD_AXE', ROOT/'tools'/'site'/'node_modules'/'axe-core'/'axe.min.js'))
    if not p.exists():
        from build_site import npm_assets  # tools/site's pinned npm packages, axe-core among them
        npm_assets()
    if not p.exists(): pytest.fail(f"axe-core not found at {p}: it comes with tools/site's npm packages (`npm ci` in tools/site), or set GD_AXE")
    return p

@pytest.fixture(scope='module')
def page_url():
    assert EXPLORERS, "no notebook saves a page explorer: execute the lessons (python tools/nbrun.py)"
    with tempfile.TemporaryDirectory(prefix='gd-explorers-') as d:
        bare_page(d, EXPLORERS)
        with serve(d) as url: yield url

@pytest.fixture(scope='module')
def browser(chromium):
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix='gd-explorers-chromium-') as profile, sync_playwright() as pw:
        ctx = launch(pw, profile, chromium, viewport={'width': 1366, 'height': 900})
        try: yield ctx
        finally: ctx.close()

def _open(browser, url, width=1366, mobile=False):
    tab = browser.new_page()
    tab.set_viewport_size({'width': width, 'height': 900 if width > 600 else 844})
    errors = []
    tab.on('pageerror', lambda e: errors.append(str(e)))
    tab.on('console', lambda m: errors.append(m.text) if m.type == 'error' and 'favicon' not in m.text and '404' not in m.text else None)
    tab.goto(url); tab.wait_for_function('window.ready === true', timeout=30000)
    tab.wait_for_function(f"document.querySelectorAll('.gd-explorer[data-draws]').length >= {len(EXPLORERS)}", timeout=30000)
    tab.errors = errors
    return tab

# JavaScript run in the page: set one control of explorer `i` as a reader would (the input's own events), read what it shows.
SET = """([i, name, value]) => {
  const root = document.querySelectorAll('.gd-explorer')[i], input = root.querySelector(`[data-control="${name}"]`);
  if (input.type === 'checkbox') { input.checked = value; input.dispatchEvent(new Event('change', {bubbles: true})); }
  else if (input.tagName === 'SELECT') { input.value = value; input.dispatchEvent(new Event('change', {bubbles: true})); }
  else { input.value = value; input.dispatchEvent(new Event('input', {bubbles: true})); }
}"""
READ = """(i) => {
  const root = document.querySelectorAll('.gd-explorer')[i], stage = root.querySelector('.gd-stage');
  const texts = Array.from(root.querySelectorAll('svg text'), t => {
    const b = t.getBBox(), crop = t.closest('g.gd-panel').dataset.crop.split(' ').map(Number);
    return {text: t.textContent, box: [b.x, b.y, b.width, b.height], view: crop}; });
  return {run: root.gdRun, status: root.querySelector('.gd-status').textContent, label: stage.getAttribute('aria-label'), role: stage.getAttribute('role'),
          texts, sliders: Array.from(root.querySelectorAll('input[type=range]'), s => [s.dataset.control, s.getAttribute('aria-valuetext'), s.parentElement.querySelector('output').textContent]),
          disabled: Array.from(root.querySelectorAll('[data-control]'), s => [s.dataset.control, s.disabled]), all: root.innerText};
}"""

def _ends(c):
    "A control's two ends, as the value the page's input takes (a slider's position index) and the value the run gets."
    if c['kind'] == 'check': return [(False, False), (True, True)]
    if c['kind'] == 'select': return [(c['options'][0], c['options'][0]), (c['options'][-1], c['options'][-1])]
    return [(0, c['grid'][0]), (len(c['grid']) - 1, c['grid'][-1])]

def _settings(spec):
    "Each control at each end alone, then all at their first ends, then all at their last: [(name, (input value, value)), ...] per setting."
    cs = spec['controls']
    alone = [[(c['name'], end)] for c in cs for end in _ends(c)]
    return alone + [[(c['name'], _ends(c)[0]) for c in cs], [(c['name'], _ends(c)[1]) for c in cs]]

def _same_run(got, t, rr, where):
    "The page's run equals the package's (bit for bit; debiased Adam within ADAM_RTOL while finite)."
    if getattr(t, 'lstsq', False):  # a least-squares line: the page solves the normal equations, numpy an SVD
        for k in ('a', 'b'): np.testing.assert_allclose(got['history'][k], t.history[k], rtol=1e-9, err_msg=where)
        return
    adam = rr['opt']['kind'] == 'Adam' and rr['opt'].get('debias', True)
    for k, h in t.history.items():
        g = np.array(got['history'][k], dtype=float)
        if adam:
            if np.isfinite(h).all(): np.testing.assert_allclose(g, h, rtol=ADAM_RTOL, atol=0, err_msg=f"{where}: history[{k}]")
        else: np.testing.assert_array_equal(g, h, err_msg=f"{where}: history[{k}]")
    e = np.array(got['epoch_errors'], dtype=float)
    if adam: np.testing.assert_allclose(e[np.isfinite(t.epoch_errors)], t.epoch_errors[np.isfinite(t.epoch_errors)], rtol=ADAM_RTOL, atol=0)
    else: np.testing.assert_array_equal(e, t.epoch_errors, err_msg=f"{where}: epoch_errors")

def _check_setting(tab, i, e, where):
    "What the page shows for its current values, against the package."
    got = tab.evaluate(READ, i)
    spec, values = e['spec'], got['run']['values']
    runs = spec.get('runs') or [spec['run']]
    traces = []
    for r, g in zip(runs, got['run']['runs']):
        rr = resolve_run(r, values); t = fit_recipe(rr); traces.append(t)
        _same_run(g, t, rr, where)
    d = page_drawing(spec, values, traces)
    main = spec.get('main', len(runs) - 1)
    bad = []
    if [g['status'] for g in got['run']['runs']] != [s[1] for s in d['statuses']]:
        bad.append(f"status {[g['status'] for g in got['run']['runs']]} in the page, {[s[1] for s in d['statuses']]} by the package's rules")
    if got['status'] != d['statuses'][main][1]: bad.append(f"status line {got['status']!r}, rules {d['statuses'][main][1]!r}")
    if got['role'] != 'img' or not got['label'] or (d['statuses'][main][1] and not got['label'].endswith(d['statuses'][main][1])):
        bad.append(f"drawing role {got['role']!r}, label {got['label']!r}")
    low = got['all'].lower() + ' ' + ' '.join(t['text'].lower() for t in got['texts'])
    for word in ('nan', 'inf', 'undefined'):
        if any(w.strip('.,:;()') == word for w in low.split()): bad.append(f"the explorer prints {word!r}: {low[:300]}")
    for t in got['texts']:
        x, y, w, h = t['box']; vx, vy, vw, vh = t['view']
        if w and (x < vx - 1 or x + w > vx + vw + 1): bad.append(f"text {t['text']!r} leaves its panel: x {x:.0f}..{x + w:.0f}, panel {vx:.0f}..{vx + vw:.0f}")
    for name, valuetext, shown in got['sliders']:
        if not valuetext or valuetext != shown: bad.append(f"slider {name}: aria-valuetext {valuetext!r}, shows {shown!r}")
    cs = {c['name']: c for c in spec['controls']}
    for name, disabled in got['disabled']:
        when = cs[name].get('enabled_when') or {}
        on = all(values[k] in vs for k, vs in when.items())
        if disabled == on: bad.append(f"control {name} {'disabled' if disabled else 'enabled'} at {values}")
    assert not bad, f"{where}:\n  " + '\n  '.join(bad)

@pytest.mark.parametrize('i', range(len(EXPLORERS)), ids=IDS)
def test_explorer_tells_the_truth_at_every_end(browser, page_url, i):
    e = EXPLORERS[i]
    spec = e['spec']
    assert e['esm'] == page_esm(), f"{e['notebook']}: its saved explorer has another module than the package's: re-execute it (python tools/nbrun.py nbs/{e['notebook']})"
    for c in spec['controls']:
        if 'grid' in c: assert spec['values'][c['name']] in c['grid'], f"{e['id']}: {c['name']} starts off its slider's grid"
    tab = _open(browser, page_url)
    try:
        _check_setting(tab, i, e, f"{e['id']} at its start")
        for setting in _settings(spec):
            tab.evaluate("(i) => window.gdModels[i].set('values', {...window.gdModels[i].get('spec').values})", i)  # back to the start
            for name, (inp, _) in setting: tab.evaluate(SET, [i, name, inp])
            want = {**spec['values'], **{n: v for n, (_, v) in setting}}
            got = tab.evaluate("(i) => document.querySelectorAll('.gd-explorer')[i].gdRun.values", i)
            assert got == want, f"{e['id']}: the page holds {got} after setting {setting}"
            _check_setting(tab, i, e, f"{e['id']} at {want}")
        assert not tab.errors, tab.errors
    finally: tab.close()

def test_axe_finds_nothing_serious_inside_the_explorers(browser, page_url):
    axe = _axe_path()
    bad = []
    for width in (1366, 390):
        tab = _open(browser, page_url, width)
        try:
            tab.add_script_tag(path=str(axe))
            found = tab.evaluate("async () => (await axe.run(document.querySelectorAll('.gd-explorer'))).violations"
                                 ".map(v => [v.id, v.impact, v.nodes.length, v.nodes[0].html.slice(0, 120), v.help])")
            bad += [f"{width} px: {v}" for v in found if v[1] in ('serious', 'critical')]
        finally: tab.close()
    assert not bad, '\n'.join(bad)

def test_on_a_phone_panels_stack_and_sliders_take_a_finger(browser, page_url):
    tab = _open(browser, page_url, 390)
    try:
        got = tab.evaluate("""() => Array.from(document.querySelectorAll('.gd-explorer'), r => {
            const spec = r.gdSpec, stage = r.querySelector('.gd-stage');
            const svgs = Array.from(stage.querySelectorAll('svg.gd-figure'));
            const sizes = Array.from(r.querySelectorAll('svg text'), t => {
              const svg = t.ownerSVGElement, k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return +t.getAttribute('font-size') * k; });
            return {id: r.dataset.spec, panels: +r.dataset.panels, stacked: stage.classList.contains('gd-stacked'), svgs: svgs.length,
                    wide: stage.scrollWidth > stage.clientWidth + 1, tab: stage.tabIndex,
                    text: sizes.length ? Math.min(...sizes) : null, right: Math.max(...Array.from(r.querySelectorAll('*'), e => (e instanceof SVGElement && e.tagName !== 'svg') || e.closest('.gd-stage') && e.tagName === 'svg' ? 0 : e.getBoundingClientRect().right)),
                    sliders: Array.from(r.querySelectorAll('input[type=range]'), s => s.getBoundingClientRect().height)}; })""")
        bad = []
        for g in got:
            if not (g['stacked'] and g['svgs'] == g['panels']): bad.append(f"{g['id']}: {g['panels']} panels not one under the other on a phone")
            if g['wide'] and g['tab'] != 0: bad.append(f"{g['id']}: its drawing scrolls sideways on a phone but takes no keyboard")
            if g['text'] is not None and g['text'] < 9: bad.append(f"{g['id']}: text at {g['text']:.1f} CSS px on a phone")
            if g['right'] > 390: bad.append(f"{g['id']}: reaches {g['right']:.0f} px, past the phone's 390")
            if any(h < 44 for h in g['sliders']): bad.append(f"{g['id']}: sliders {g['sliders']} px tall")
        assert not bad, '\n'.join(bad)
    finally: tab.close()

def test_end_and_home_on_a_box_do_not_scroll(browser, page_url):
    tab = _open(browser, page_url)
    try:
        boxes = tab.locator('.gd-explorer input[type=checkbox]')
        if boxes.count() == 0: pytest.skip("no explorer has a box to tick")
        box = boxes.first; box.scroll_into_view_if_needed(); box.focus()
        before = tab.evaluate('window.scrollY')
        for key in ('End', 'Home', 'End', 'PageDown'): box.press(key)
        assert tab.evaluate('window.scrollY') == before
        assert tab.evaluate("document.activeElement.type") == 'checkbox'
    finally: tab.close()
