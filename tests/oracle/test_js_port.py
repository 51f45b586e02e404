"""The JS port that moves the explorers on the static site (gd_notebooks/js/train.js) against the
package's `fit`, under Node: a grid of models, optimizers, derivatives, learning rates, starts and
epochs, runs that overflow included. The operations are the same, in the same order, so with
analytic derivatives the parameters must be equal bit for bit. One operation cannot be: numpy squares
a scalar with C's `pow(r, 2)`, which can differ from `r * r` in the last bit (seen at 2.1 and near
1e67), while the JS port squares with `r * r` as numpy does for arrays. So squared errors agree to
2 ulp, epoch errors (numpy's pairwise sum is reproduced) to 1e-15 relative, and runs driven by the
finite-difference derivatives (which square inside the derivative, then divide by h = 0.01) to 1e-8 relative while they
converge; once such a run takes off, the difference quotient of huge errors cancels catastrophically
and only the verdict (diverged, and when) is compared."""
import itertools, json, shutil, subprocess
import numpy as np
import pytest
from conftest import ROOT
from gd_notebooks.all import graddesc_data, fit, Linear, TwoLinear, ReLUSandwich, SGD, Momentum

MODELS = {'Linear': Linear, 'TwoLinear': TwoLinear, 'ReLUSandwich': ReLUSandwich}
OPTS = [{'kind': 'SGD'}, {'kind': 'Momentum', 'beta': 0.9, 'dampening': True}, {'kind': 'Momentum', 'beta': 0.5, 'dampening': False}]

def _cases():
    x, y = graddesc_data()
    out = []
    for (name, model), opt, grad, lr, start, epochs in itertools.product(
            MODELS.items(), OPTS, ('analytic', 'numeric'), (1e-5, 1e-4, 3e-3), (1., -0.5), (1, 3)):
        params = {n: start for n in model.names}
        out.append({'model': name, 'params': params, 'x': x.tolist(), 'y': y.tolist(), 'opt': {**opt, 'lr': lr},
                    'epochs': epochs, 'grad': grad})
    return out

def _py(case):
    opt = case['opt']
    o = SGD(opt['lr']) if opt['kind'] == 'SGD' else Momentum(opt['lr'], opt['beta'], dampening=opt['dampening'])
    return fit(MODELS[case['model']](), case['params'], case['x'], case['y'], o, epochs=case['epochs'], grad=case['grad'])

def _dec(v): return np.array([float(t) for t in v])

@pytest.fixture(scope='module')
def runs():
    node = shutil.which('node')
    if node is None: pytest.fail("node not found: the JS port is checked under Node (Debian's nodejs)")
    cases = _cases()
    r = subprocess.run([node, str(ROOT/'tools'/'js_fit.mjs')], input=json.dumps(cases), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return cases, json.loads(r.stdout)

def test_grid_is_wide(runs):
    cases, js = runs
    assert len(cases) == 216
    assert sum(j['diverged'] for j in js) >= 15, "the grid must include runs that overflow"
    assert sum(not j['diverged'] for j in js) >= 100

def test_js_equals_fit(runs):
    for case, js in zip(*runs):
        t = _py(case)
        where = f"{case['model']} {case['opt']} {case['grad']} start {case['params']} epochs {case['epochs']}"
        assert js['diverged'] == bool(t.diverged), where
        if case['grad'] == 'numeric' and (t.diverged or max(np.abs(h).max() for h in t.history.values()) > 1e6): continue  # took off
        assert js['first_bad'] == int(t.first_bad), where
        for k, h in t.history.items():
            if case['grad'] == 'analytic': np.testing.assert_array_equal(_dec(js['history'][k]), h, err_msg=f"{where}: history[{k}]")
            else: np.testing.assert_allclose(_dec(js['history'][k]), h, rtol=1e-8, atol=0, err_msg=f"{where}: history[{k}]")
        ok = np.isfinite(t.sq_errs)
        np.testing.assert_array_equal(np.isfinite(_dec(js['sq_errs'])), ok, err_msg=where)
        np.testing.assert_allclose(_dec(js['sq_errs'])[ok], t.sq_errs[ok], rtol=4.5e-16 if case['grad'] == 'analytic' else 1e-8, atol=0, err_msg=f"{where}: sq_errs")
        ok = np.isfinite(t.epoch_errors)
        np.testing.assert_array_equal(np.isfinite(_dec(js['epoch_errors'])), ok, err_msg=where)
        np.testing.assert_allclose(_dec(js['epoch_errors'])[ok], t.epoch_errors[ok], rtol=1e-15 if case['grad'] == 'analytic' else 1e-8, atol=0, err_msg=where)

def test_a_wrong_port_is_caught(runs):
    "The comparison can fail: one ulp off in a single parameter is seen."
    cases, js = runs
    h = _dec(js[0]['history']['a']); h[5] = np.nextafter(h[5], np.inf)
    assert not np.array_equal(h, _py(cases[0]).history['a'])
