"""Lesson 5's momentum conventions against independent references: torch.optim.SGD itself (PyTorch CPU,
float64, row by row on the workbook's rows; a dev requirement, never skipped), PyTorch's documented SGD update
(torch.optim.SGD docs: b_1 = g_1, b_t = mu*b_{t-1} + (1 - tau)*g_t, theta_t = theta_{t-1} - lr*b_t),
fastai's documented test values for average_grad and SGD (docs.fast.ai/optimizer.html), the
closed form of an EWMA, and the eigenvalues of the heavy-ball recursion for the stability bound."""
import warnings
import numpy as np
import pytest
from gd_notebooks.all import graddesc_data, Linear, SGD, fit, ewma, Momentum, run_1d, momentum_max_lr

def _torch_documented(grads, lr, mu, tau=0.):
    "PyTorch's documented update for a given sequence of gradients (no weight decay, no nesterov); the steps."
    b, steps = None, []
    for g in grads:
        b = g if b is None else mu * b + (1 - tau) * g
        steps.append(lr * b)
    return np.array(steps)

def _ours(grads, lr, beta, dampening):
    "Momentum's steps for the same gradient sequence (gradients not depending on the weights)."
    seq = iter(grads)
    w = run_1d(Momentum(lr, beta, dampening), lambda w: next(seq), w0=np.zeros(np.shape(grads[0])), steps=len(grads))
    return -np.diff(w, axis=0)

@pytest.mark.parametrize('beta', [0.0, 0.5, 0.9, 0.99])
def test_undampened_is_pytorch_default(beta):
    g = np.random.default_rng(0).normal(size=(50, 3)) * 100
    np.testing.assert_allclose(_ours(g, 0.01, beta, False), _torch_documented(g, 0.01, beta), rtol=1e-13, atol=0)

@pytest.mark.parametrize('beta', [0.5, 0.9, 0.99])
def test_pytorch_dampening_beta_differs_from_workbook_by_the_first_buffer(beta):
    """With PyTorch's dampening = beta, (1 - tau) = (1 - beta) as in the workbook, but b_1 = g_1 instead
    of (1 - beta) g_1: the buffers differ by exactly beta^t * g_1."""
    g = np.random.default_rng(1).normal(size=(40,))
    torch_b = _torch_documented(g, 1., beta, tau=beta)
    ours_m = _ours(g, 1., beta, True)
    t = np.arange(1, 41)
    np.testing.assert_allclose(torch_b - ours_m, beta ** t * g[0], rtol=1e-9, atol=1e-12)
    assert torch_b[0] == g[0] and ours_m[0] == pytest.approx((1 - beta) * g[0], rel=1e-15)

def test_undampened_matches_pytorch_on_the_workbook_rows():
    "Row-by-row training on the workbook's data: PyTorch's documented update and Momentum, bit for bit."
    x, y = graddesc_data()
    p, b, out = {'a': 1., 'b': 1.}, None, []
    for xi, yi in zip(np.tile(x, 3), np.tile(y, 3)):
        g = Linear().grad(p, xi, yi)
        b = g if b is None else {n: 0.9 * b[n] + g[n] for n in g}
        p = {n: p[n] - 1e-5 * b[n] for n in p}
        out.append((p['a'], p['b']))
    t = fit(Linear(), {'a': 1., 'b': 1.}, x, y, Momentum(1e-5, 0.9, dampening=False), epochs=3)
    np.testing.assert_array_equal(np.array(out), np.stack([t.history['a'][1:], t.history['b'][1:]], 1))

def test_fastai_documented_values():
    "fastai's optimizer notebook: average_grad with mom=0.9 (dampening or not), and SGD(lr=0.1, mom=0.9)."
    g = np.array([4., 5., 6.])
    steps = lambda d: _ours([g, g], 1., 0.9, d)
    np.testing.assert_allclose(steps(False), [g, g * 1.9], rtol=1e-15)
    np.testing.assert_allclose(steps(True), [0.1 * g, (0.1 * 0.9 + 0.1) * g], rtol=1e-14)
    i = np.arange(4.)
    w = run_1d(Momentum(0.1, 0.9, dampening=False), lambda w: 0.1 * i, w0=i, steps=2)
    np.testing.assert_allclose(w[1], i * 0.99, rtol=1e-15)
    np.testing.assert_allclose(w[2], i * (1 - 0.1 * (0.1 + 0.1 * 1.9)), rtol=1e-15)

@pytest.mark.parametrize('beta', [0.0, 0.3, 0.9, 0.999])
def test_ewma_closed_form(beta):
    "m_t = beta^t * init + (1 - beta) * sum_k beta^(t-k) v_k, and debiasing a constant gives it back."
    v = np.random.default_rng(2).normal(size=60)
    t = np.arange(1, 61)
    closed = np.array([beta ** n * 2. + (1 - beta) * sum(beta ** (n - k) * v[k - 1] for k in range(1, n + 1)) for n in t])
    np.testing.assert_allclose(ewma(v, beta, init=2.), closed, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ewma(np.full(60, 3.), beta, debias=True), 3., rtol=1e-12)

def test_lr_scaling_equivalence_batch():
    "Undampened at lr*(1-beta) = dampened at lr, for many (lr, beta) at once on the workbook's rows."
    x, y = graddesc_data()
    rng = np.random.default_rng(3)
    lr, beta = 10 ** rng.uniform(-6, -4, 50), rng.uniform(0, 0.95, 50)
    d = fit(Linear(), {'a': 1., 'b': 1.}, x, y, Momentum(lr, beta), epochs=3)
    u = fit(Linear(), {'a': 1., 'b': 1.}, x, y, Momentum(lr * (1 - beta), beta, dampening=False), epochs=3)
    for n in 'ab': np.testing.assert_allclose(u.history[n], d.history[n], rtol=1e-11)

def test_stability_bound_against_eigenvalues():
    """The heavy-ball recursion w_t = (1 + beta - lr*lam) w_{t-1} - beta w_{t-2} is stable iff the
    companion matrix's spectral radius is < 1; that happens exactly below momentum_max_lr."""
    rng = np.random.default_rng(4)
    for _ in range(2000):
        beta, lam, damp = rng.uniform(0, 0.99), 10 ** rng.uniform(-2, 2), bool(rng.integers(2))
        lr = momentum_max_lr(lam, beta, damp) * 10 ** rng.uniform(-0.5, 0.5)
        eff = lr * (1 - beta) if damp else lr
        rho = max(abs(np.linalg.eigvals([[1 + beta - eff * lam, -beta], [1., 0.]])))
        ratio = lr / momentum_max_lr(lam, beta, damp)
        if abs(ratio - 1) > 1e-6: assert (rho < 1) == (ratio < 1), (beta, lam, damp, ratio, rho)

def test_no_warnings_when_diverging():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        w = run_1d(Momentum(np.array([1., 100.]), 0.9, dampening=False), lambda w: 1e200 * w, w0=1., steps=50)
        t = fit(Linear(), {'a': 1., 'b': 1.}, *graddesc_data(), Momentum(1., 0.9), epochs=6)
    assert not np.isfinite(w[-1]).any() and t.diverged

# --- PyTorch itself (torch.optim.SGD, CPU, float64), row by row on the workbook's rows -------------
import torch

def _torch_rows(p, lr, beta, dampening=0., epochs=3):
    "torch.optim.SGD with momentum on a·x + b, one update per row in sheet order; (a, b) after each row."
    x, y = graddesc_data()
    a, b = (torch.tensor(p[n], dtype=torch.float64, requires_grad=True) for n in 'ab')
    opt = torch.optim.SGD([a, b], lr=lr, momentum=beta, dampening=dampening)
    out = []
    for xi, yi in zip(np.tile(x, epochs).tolist(), np.tile(y, epochs).tolist()):
        opt.zero_grad()
        ((a * xi + b - yi) ** 2).backward()
        opt.step()
        out.append((a.item(), b.item()))
    return np.array(out)

def _ours_rows(p, lr, beta, dampening, m0=None, epochs=3):
    "Momentum row by row, its momentum starting at `m0` (a dict of gradients) or at 0."
    x, y = graddesc_data()
    opt, model = Momentum(lr, beta, dampening), Linear()
    state = opt.init(p) if m0 is None else {f'm_{n}': np.float64(v) for n, v in m0.items()}
    out = []
    for xi, yi in zip(np.tile(x, epochs), np.tile(y, epochs)):
        p, state = opt.step(p, model.grad(p, xi, yi), state)
        out.append((float(p['a']), float(p['b'])))
    return np.array(out)

@pytest.mark.parametrize('lr,beta', [(1e-5, 0.9), (1e-4, 0.5), (2e-4, 0.0), (3e-5, 0.99)])
def test_undampened_equals_torch_sgd(lr, beta):
    "PyTorch's default (dampening=0) is Momentum(dampening=False) to rounding (rtol 1e-13, atol 1e-14), row by row; fit agrees."
    p0 = {'a': 1., 'b': 1.}
    ref = _torch_rows(p0, lr, beta)
    np.testing.assert_allclose(_ours_rows(p0, lr, beta, False), ref, rtol=1e-13, atol=1e-14)
    t = fit(Linear(), p0, *graddesc_data(), Momentum(lr, beta, dampening=False), epochs=3)
    np.testing.assert_allclose(np.stack([t.history['a'][1:], t.history['b'][1:]], 1), ref, rtol=1e-13, atol=1e-14)

@pytest.mark.parametrize('lr,beta', [(1e-4, 0.9), (2e-4, 0.5), (1e-4, 0.99)])
def test_torch_dampening_beta_is_the_workbook_form_started_at_the_first_gradient(lr, beta):
    """torch's dampening=beta: b_1 = g_1, then b = beta*b + (1 - beta)*g. That is the workbook's dampened
    momentum with m_0 = g_1 instead of 0; with m_0 = 0 the first step is 1/(1 - beta) times smaller."""
    p0, x, y = {'a': 1., 'b': 1.}, *graddesc_data()
    ref = _torch_rows(p0, lr, beta, dampening=beta)
    g1 = Linear().grad(p0, x[0], y[0])
    np.testing.assert_allclose(_ours_rows(p0, lr, beta, True, m0=g1), ref, rtol=1e-13, atol=0)
    ours0 = _ours_rows(p0, lr, beta, True)
    np.testing.assert_allclose(ref[0] - 1, (ours0[0] - 1) / (1 - beta), rtol=1e-12)
    assert not np.allclose(ours0, ref, rtol=1e-6)
