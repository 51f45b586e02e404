"""Time bar of the notebooks (design.md, "Quality bars"): each notebook executes under nbdev's test runner in under
30 s here, timed by the runner itself in a fresh process (tools/nbrun.py's `run_tests`, the same run as
tests/package/test_notebooks.py, which checks only that it passes)."""
from nbrun import notebooks, run_tests

BAR_S = 30

def bench(quick=False):
    "`quick`: only the smallest notebook (the figures appendix), to check that the measurement works."
    nbs = [p for p in notebooks() if p.stem == '93_plotting'] if quick else notebooks()
    rows = []
    for nb in nbs:
        ok, secs, err = run_tests(nb)
        rows.append({'name': f'{nb.stem}: executes under nbdev\'s test runner' + ('' if ok else ' (FAILED: see make test)'),
                     'value': round(secs, 1), 'unit': 's', 'bar': BAR_S, 'ok': ok and secs < BAR_S})
    return rows

if __name__ == '__main__':
    for r in bench(): print(r)
