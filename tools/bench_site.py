"""Speed bars of the course site (issue "The site as a reader meets it"): the build of the whole site
(tools/build_site.py) in under 90 s, and on every page with explorers, the explorers live (each has drawn its first
run) within 1 s of the load event, in headless Chromium at 1366x900 with nothing cached (tools/site_measure.py's
numbers). The browser check (tests/browser/test_site.py) asserts the page's weight, CLS, figure sizes and
accessibility, which do not depend on the machine's load; these two times do, so they are measured here."""
import subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_BAR_S, LIVE_BAR_MS = 90, 1000

def build():
    "Seconds of one full build of the site into _docs/."
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_site.py')], cwd=ROOT, capture_output=True, text=True)
    if r.returncode: raise RuntimeError(f"tools/build_site.py failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t0

def bench(quick=False):
    "`quick`: the site already in _docs/ when there is one (no timed build), and one page with explorers."
    import site_measure
    rows = []
    if not (quick and (ROOT/'_docs'/'.build-report.json').exists()):
        secs = build()
        rows.append({'name': 'the whole site built (tools/build_site.py)', 'value': round(secs, 1), 'unit': 's', 'bar': BUILD_BAR_S, 'ok': secs < BUILD_BAR_S})
    docs = site_measure.DOCS
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.glob('*.html') if site_measure.expected_explorers(p.read_text()))
    for page, r in site_measure.measure(pages[:1] if quick else pages, with_axe=False).items():
        live = r['live_ms']
        rows.append({'name': f'{page}: its {r["explorers"]} explorer(s) live after the load event (Chromium, 1366 px, no cache)',
                     'value': round(float('nan') if live is None else live, 1), 'unit': 'ms', 'bar': LIVE_BAR_MS,
                     'ok': live is not None and live < LIVE_BAR_MS})
    return rows

if __name__ == '__main__':
    for r in bench(): print(r)
