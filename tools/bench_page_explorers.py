"""Speed bar of the page explorers on the site: in headless Chromium, the time from a key press on a control to the
frame after the redraw (the JS run of `fit`, the SVG update and the status line), p95 over 40 moves per explorer; bar
50 ms. Every page explorer the notebooks save is mounted in a bare page with its own saved module, as the site's
renderer mounts it (tools/explorers.py)."""
import sys, tempfile
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N, BAR = 40, 50.0

def measure(n=N):
    "p95 latency in ms per page explorer: `{(notebook, spec id): (p95, moves)}`."
    sys.path[:0] = [str(ROOT/'tests'), str(ROOT/'tools')]
    from playwright.sync_api import sync_playwright
    from conftest import chromium_path, launch
    from explorers import saved_explorers, explorer_notebooks, bare_page, serve
    found = [e for nb in explorer_notebooks() for e in saved_explorers(nb)]
    with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as prof:
        bare_page(d, found)
        with serve(d) as url, sync_playwright() as pw:
            ctx = launch(pw, prof, chromium_path()); tab = ctx.new_page()
            tab.goto(url); tab.wait_for_function('window.ready === true', timeout=30000)
            out = {}
            for e, root in zip(found, tab.locator('.gd-explorer').all()):
                ctrl = root.locator('input[type=range]').first; root.scroll_into_view_if_needed(); ctrl.focus()
                key = 'ArrowLeft' if ctrl.evaluate('e => +e.value > (+e.min + +e.max) / 2') else 'ArrowRight'
                for i in range(3 * n):  # presses at an end of the slider move nothing: turn round there
                    if len(root.evaluate('e => e.gdLatency')) >= n: break
                    before = ctrl.evaluate('e => e.value')
                    tab.keyboard.press(key); tab.wait_for_timeout(5)
                    if ctrl.evaluate('e => e.value') == before: key = 'ArrowRight' if key == 'ArrowLeft' else 'ArrowLeft'
                tab.wait_for_timeout(100)
                lat = root.evaluate('e => e.gdLatency')
                out[(e['notebook'][:-6], e['id'])] = (float(np.percentile(lat, 95)), len(lat))
            ctx.close()
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
