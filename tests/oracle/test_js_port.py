"""The JS port that moves the explorers on the static site (gd_notebooks/js/train.js) against the
package's `fit`, under Node: a grid of models, optimizers, derivatives, learning rates, starts and
epochs, runs that overflow included.

The port does the same operations in the same order, so it must equal `fit` bit for bit: parameters
and squared errors. One numpy detail decides the comparison: numpy squares a single model's scalar
residual with C's `pow(r, 2)`, which can differ from `r * r` in the last bit (seen at 2.1 and near
1e67), but squares arrays with `r * r`, as the port does. So the reference is `fit` on a batch of one
model (the same run, array arithmetic): bit for bit everywhere, finite-difference and overflowing runs
included, with one exception: PyTorch's Adam debiases with beta ** t, where C's `pow` and V8's can differ
in the last bit, so there the port agrees to 1e-12 relative while the run converges. Against the scalar run, analytic-derivative parameters are still equal bit for bit. Epoch
errors agree to 1e-15 relative (numpy sums in pairwise blocks; the port reproduces that sum)."""
import itertools, json, shutil, subprocess
import numpy as np
import pytest
from conftest import ROOT
from gd_notebooks.all import graddesc_data, fit, Linear, TwoLinear, ReLUSandwich, SGD, Momentum, RMSProp, Adam

MODELS = {'Linear': Linear, 'TwoLinear': TwoLinear, 'ReLUSandwich': ReLUSandwich}
OPTS = [{'kind': 'SGD'}, {'kind': 'Momentum', 'beta': 0.9, 'dampening': True}, {'kind': 'Momentum', 'beta': 0.5, 'dampening': False},
        {'kind': 'RMSProp', 'beta': 0.9, 'eps': 0., 'lagged': True, 'init': 1e4},   # the workbook's rmsprop sheet
        {'kind': 'Adam', 'beta1': 0.9, 'beta2': 0.95, 'eps': 0., 'debias': False, 'init': 1e4}]  # its adam_ann sheet
LIBRARY = [{'kind': 'RMSProp'}, {'kind': 'Adam'}]  # PyTorch's forms: debiasing takes beta ** t, where C's pow and V8's may differ by an ulp

def _cases():
    x, y = graddesc_data()
    out = []
    for (name, model), opt, grad, lr, start, epochs in itertools.product(
            MODELS.items(), OPTS + LIBRARY, ('analytic', 'numeric'), (1e-5, 1e-4, 3e-3), (1., -0.5), (1, 3)):
        params = {n: start for n in model.names}
        out.append({'model': name, 'params': params, 'x': x.tolist(), 'y': y.tolist(), 'opt': {**opt, 'lr': lr},
                    'epochs': epochs, 'grad': grad})
    return out

def _py(case, batch=False):
    "`fit` on the case; `batch=True` trains it as a batch of one, where numpy squares with `r * r` as JS does."
    opt = case['opt']
    kw = {k: v for k, v in opt.items() if k not in ('kind', 'lr')}
    o = {'SGD': SGD, 'Momentum': Momentum, 'RMSProp': RMSProp, 'Adam': Adam}[opt['kind']](opt['lr'], **kw)
    params = {k: np.array([v]) for k, v in case['params'].items()} if batch else case['params']
    t = fit(MODELS[case['model']](), params, case['x'], case['y'], o, epochs=case['epochs'], grad=case['grad'])
    if batch: t.history, t.sq_errs, t.epoch_errors = ({k: v[:, 0] for k, v in t.history.items()}, t.sq_errs[:, 0], t.epoch_errors[:, 0])
    return t

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
    assert len(cases) == 504
    assert sum(j['diverged'] for j in js) >= 15, "the grid must include runs that overflow"
    assert sum(not j['diverged'] for j in js) >= 100

def test_js_equals_fit(runs):
    for case, js in zip(*runs):
        t = _py(case, batch=True)
        where = f"{case['model']} {case['opt']} {case['grad']} start {case['params']} epochs {case['epochs']}"
        assert (js['diverged'], js['first_bad']) == (bool(t.diverged[0]), int(t.first_bad[0])), where
        pow_t = case['opt']['kind'] == 'Adam' and case['opt'].get('debias', True)  # beta ** t: C's pow against V8's
        same = (lambda a, b, msg: np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=msg)) if pow_t and not t.diverged[0] else np.testing.assert_array_equal
        if pow_t and t.diverged[0]: continue  # a run that takes off amplifies that ulp: only the verdict is compared
        for k, h in t.history.items():
            same(_dec(js['history'][k]), h, f"{where}: history[{k}]")
        same(_dec(js['sq_errs']), t.sq_errs, f"{where}: sq_errs")
        e = _dec(js['epoch_errors'])
        np.testing.assert_array_equal(np.isfinite(e), np.isfinite(t.epoch_errors), err_msg=where)
        ok = np.isfinite(e)
        np.testing.assert_allclose(e[ok], t.epoch_errors[ok], rtol=1e-12 if pow_t else 1e-15, atol=0, err_msg=f"{where}: epoch_errors")

def test_js_equals_a_single_run(runs):
    "Against one model's run (scalar arithmetic): the same parameters, bit for bit, with analytic derivatives."
    for case, js in zip(*runs):
        if case['grad'] != 'analytic' or case['opt']['kind'] in ('RMSProp', 'Adam'): continue  # these square the gradient
        t = _py(case)
        for k, h in t.history.items(): np.testing.assert_array_equal(_dec(js['history'][k]), h)
        assert js['diverged'] == bool(t.diverged)

def test_a_wrong_port_is_caught(runs):
    "The comparison can fail: one ulp off in a single parameter is seen."
    cases, js = runs
    h = _dec(js[0]['history']['a']); h[5] = np.nextafter(h[5], np.inf)
    assert not np.array_equal(h, _py(cases[0]).history['a'])
