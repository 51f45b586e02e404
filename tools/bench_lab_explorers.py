"""Latency of the kernel-backed explorer in a real JupyterLab, reported beside the page explorers' bar:
the time from a key press on a slider to the redrawn image, p95 over 40 moves, for the library's
`Explorer` (92_explorer's line explorer: Python redraws the figure and sends a PNG). The lessons' own
explorers run in the page (bench_page_explorers.py) and need no kernel; this row is for comparison and
has no bar."""
import re, sys, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N = 40

def measure(name='92_explorer.ipynb', description='a', n=N):
    "Milliseconds from each key press to the changed image, in JupyterLab."
    sys.path[:0] = [str(ROOT/'tests'), str(ROOT/'tests'/'browser')]
    from playwright.sync_api import sync_playwright
    from conftest import chromium_path, launch
    from test_lab import Lab, open_and_run
    times = []
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as prof:
        lab = Lab(Path(tmp))
        try:
            with sync_playwright() as pw:
                ctx = launch(pw, prof, chromium_path(), viewport={'width': 1280, 'height': 1000}); page = ctx.new_page()
                open_and_run(page, lab, name)
                label = page.locator('.widget-label', has_text=re.compile(rf'^\s*{re.escape(description)}\s*$'))
                box = page.locator('.widget-vbox', has=page.locator('.widget-slider', has=label)).first
                img, handle = box.locator('.widget-output img').first, box.locator('.widget-slider', has=label).first.locator('.noUi-handle').first
                img.wait_for(); box.scroll_into_view_if_needed(); handle.focus()
                for i in range(n):
                    before = img.get_attribute('src')
                    t0 = time.perf_counter()
                    handle.press('ArrowRight' if (i // 10) % 2 == 0 else 'ArrowLeft')
                    while img.get_attribute('src') == before:  # the output widget puts a new <img> in: read it afresh
                        if time.perf_counter() - t0 > 10: raise TimeoutError(f"{name}: the image did not change within 10 s of a key press")
                    times.append((time.perf_counter() - t0) * 1000)
                ctx.close()
        finally: lab.stop()
    return times

def bench(quick=False):
    "`quick`: 5 moves."
    n = 5 if quick else N
    t = measure(n=n)
    return [{'name': f'92_explorer in JupyterLab (kernel-backed Explorer): key press to new image, p95 of {len(t)} moves (reported, no bar)',
             'value': round(float(np.percentile(t, 95)), 1), 'unit': 'ms', 'bar': 'none', 'ok': len(t) >= n}]

if __name__ == '__main__':
    for r in bench(): print(r)
