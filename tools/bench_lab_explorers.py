"""Latency of the page explorers in a real JupyterLab (the course's `make lab` configuration): each notebook that saves
one is opened and run, then each explorer's first slider is moved with the keyboard 40 times; the explorer measures
from the key press to the frame after its redraw (anywidget runs the same module in Lab, with Lab's own keys and
layout around it). p95 per explorer, bar 50 ms (the course's redraw bar)."""
import sys, tempfile
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N, BAR = 40, 50.0

def measure(n=N, notebooks=None):
    "`{(notebook, spec id): (p95 ms, moves)}` in JupyterLab."
    sys.path[:0] = [str(ROOT/'tests'), str(ROOT/'tests'/'browser'), str(ROOT/'tools')]
    from playwright.sync_api import sync_playwright
    from conftest import chromium_path, launch
    from explorers import explorer_notebooks, saved_explorers
    from test_lab import Lab, _open, _run_all, ERRORS
    out = {}
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as prof:
        lab = Lab(Path(tmp))
        try:
            with sync_playwright() as pw:
                ctx = launch(pw, prof, chromium_path(), viewport={'width': 1280, 'height': 1000})
                for name in notebooks or explorer_notebooks():
                    page = ctx.new_page()
                    _open(page, lab, name); _run_all(page)
                    if page.evaluate(ERRORS): raise RuntimeError(f"{name}: {page.evaluate(ERRORS)}")
                    k = len(saved_explorers(name))
                    page.wait_for_function(f"document.querySelectorAll('.gd-explorer[data-draws]').length >= {k}", timeout=30000)
                    for root in page.locator('.gd-explorer').all():
                        root.scroll_into_view_if_needed()
                        ctrl = root.locator('input[type=range]').first; ctrl.focus()
                        key = 'ArrowLeft' if ctrl.evaluate('e => +e.value > (+e.min + +e.max) / 2') else 'ArrowRight'
                        root.evaluate('e => { e.gdLatency.length = 0; }')
                        for i in range(3 * n):
                            if len(root.evaluate('e => e.gdLatency')) >= n: break
                            before = ctrl.evaluate('e => e.value')
                            ctrl.press(key); page.wait_for_timeout(20)
                            if ctrl.evaluate('e => e.value') == before: key = 'ArrowRight' if key == 'ArrowLeft' else 'ArrowLeft'
                        page.wait_for_timeout(100)
                        lat = root.evaluate('e => e.gdLatency')
                        out[(name[:-6], root.get_attribute('data-spec'))] = (float(np.percentile(lat, 95)), len(lat))
                    page.close()
                ctx.close()
        finally: lab.stop()
    return out

def bench(quick=False):
    "`quick`: 5 moves per explorer, in the first notebook only."
    from explorers import explorer_notebooks
    n, nbs = (5, explorer_notebooks()[:1]) if quick else (N, None)
    return [{'name': f'{nb} page explorer {sid} in JupyterLab: key press to redrawn frame, p95 of {moves} moves',
             'value': round(p95, 1), 'unit': 'ms', 'bar': BAR, 'ok': bool(p95 < BAR and moves >= n)}
            for (nb, sid), (p95, moves) in measure(n, nbs).items()]

if __name__ == '__main__':
    for r in bench(): print(r)
