"""Lesson 6's RMSProp and Adam in their library forms against PyTorch's own optimizers (CPU, float64):
`torch.optim.RMSprop` and `torch.optim.Adam` step the neuron a*x + b row by row over the workbook's
rows, with the gradient of the squared error computed by autograd, and every weight after every row
must equal the package's `fit` to rounding. Also fastai's documented test values
(docs.fast.ai/optimizer.html) for its RMSProp and Adam, fastai's decoupled weight decay (its `Adam`'s default)
against `torch.optim.AdamW`, and the defaults the lesson's table gives for PyTorch."""
import math
import numpy as np
import pytest
import torch
from gd_notebooks.all import graddesc_data, Linear, fit
from gd_notebooks.adaptive import RMSProp, Adam, WeightDecay

def _torch_run(make_opt, epochs, a=1., b=1.):
    "Per-row training with a torch optimizer; the (a, b) after every row, shape (steps, 2)."
    x, y = graddesc_data()
    w = torch.tensor([a, b], dtype=torch.float64, requires_grad=True)
    opt, out = make_opt([w]), []
    for _ in range(epochs):
        for xi, yi in zip(x.tolist(), y.tolist()):
            opt.zero_grad()
            loss = (w[0] * xi + w[1] - yi) ** 2
            loss.backward()
            opt.step()
            out.append(w.detach().numpy().copy())
    return np.array(out)

def _ours(opt, epochs, a=1., b=1.):
    x, y = graddesc_data()
    t = fit(Linear(), {'a': a, 'b': b}, x, y, opt, epochs)
    return np.stack([t.history['a'][1:], t.history['b'][1:]], 1)

@pytest.mark.parametrize('lr,beta', [(1e-2, 0.99), (0.1, 0.9), (0.3, 0.999)])
def test_rmsprop_equals_torch(lr, beta):
    ref = _torch_run(lambda p: torch.optim.RMSprop(p, lr=lr, alpha=beta, eps=1e-8), epochs=5)
    np.testing.assert_allclose(_ours(RMSProp(lr, beta), 5), ref, rtol=1e-12, atol=1e-12)

@pytest.mark.parametrize('lr,b1,b2', [(1e-2, 0.9, 0.999), (0.1, 0.9, 0.99), (0.5, 0.5, 0.999), (1., 0., 0.9)])
def test_adam_equals_torch(lr, b1, b2):
    ref = _torch_run(lambda p: torch.optim.Adam(p, lr=lr, betas=(b1, b2), eps=1e-8), epochs=5)
    np.testing.assert_allclose(_ours(Adam(lr, b1, b2), 5), ref, rtol=1e-11, atol=1e-11)

def test_torch_gradient_is_the_course_gradient():
    x, y = graddesc_data()
    w = torch.tensor([1.5, 3.], dtype=torch.float64, requires_grad=True)
    ((w[0] * float(x[3]) + w[1] - float(y[3])) ** 2).backward()
    g = Linear().grad({'a': 1.5, 'b': 3.}, x[3], y[3])
    assert w.grad.tolist() == [g['a'], g['b']]

def test_workbook_forms_differ_from_torch():
    "The sheets' settings (lagged, no eps, no debiasing) are not what torch computes: the runs part."
    ref = _torch_run(lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.9, 0.9), eps=1e-8), epochs=1)
    ours = _ours(Adam(0.1, 0.9, 0.9, eps=0., debias=False), 1)
    assert np.abs(ours - ref).max() > 1e-3
    ref = _torch_run(lambda p: torch.optim.RMSprop(p, lr=0.02, alpha=0.9, eps=1e-8), epochs=1)
    ours = _ours(RMSProp(0.02, 0.9, eps=1e-8, lagged=True, init=1e4), 1)
    assert np.abs(ours - ref).max() > 1e-3

def _two_steps(opt, w=np.array([1., 2., 3.]), g=np.array([0.1, 0.2, 0.3])):
    p, s, out = {'w': w}, opt.init({'w': w}), []
    for _ in range(2):
        p, s = opt.step(p, {'w': g}, s)
        out.append(p['w'])
    return out

def test_fastai_rmsprop_documented_values():
    "fastai: RMSProp(params, lr=0.1) on [1,2,3] with grads [0.1,0.2,0.3]: [0,1,2], then + step."
    one, two = _two_steps(RMSProp(0.1))
    step = -0.1 * 0.1 / (math.sqrt((0.01 * 0.99 + 0.01) * 0.1 ** 2) + 1e-8)
    np.testing.assert_allclose(one, [0., 1., 2.], atol=1e-5)
    np.testing.assert_allclose(two, np.array([0., 1., 2.]) + step, atol=1e-5)

def test_fastai_adam_documented_values():
    "fastai: Adam(params, lr=0.1, wd=0) (mom 0.9, sqr_mom 0.99, eps 1e-5): one step, then about two steps."
    one, two = _two_steps(Adam(0.1, 0.9, 0.99, eps=1e-5))
    step = -0.1 * 0.1 / (math.sqrt(0.1 ** 2) + 1e-8)
    np.testing.assert_allclose(one, np.array([1., 2., 3.]) + step, atol=1e-5)
    np.testing.assert_allclose(two, np.array([1., 2., 3.]) + 2 * step, atol=1e-3)

@pytest.mark.parametrize('lr,b2,eps,wd', [(0.3, 0.99, 1e-5, 0.01), (0.1, 0.999, 1e-8, 0.1), (1., 0.9, 1e-8, 0.5)])
def test_weight_decay_equals_torch_adamw(lr, b2, eps, wd):
    "fastai's Adam (decay, then the Adam step with the gradient taken before it) is PyTorch's AdamW, row by row."
    ref = _torch_run(lambda p: torch.optim.AdamW(p, lr=lr, betas=(0.9, b2), eps=eps, weight_decay=wd), epochs=5)
    np.testing.assert_allclose(_ours(WeightDecay(Adam(lr, 0.9, b2, eps=eps), wd), 5), ref, rtol=1e-11, atol=1e-11)

def test_weight_decay_changes_fastai_adam():
    "The lesson's numbers: after 3 epochs at lr 0.3, b is 9.03 with fastai's default Adam (AdamW here), 9.64 without decay."
    with_wd = _torch_run(lambda p: torch.optim.AdamW(p, lr=0.3, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01), epochs=3)[-1]
    without = _torch_run(lambda p: torch.optim.Adam(p, lr=0.3, betas=(0.9, 0.99), eps=1e-5), epochs=3)[-1]
    assert abs(with_wd[1] - 9.03) < 0.005 and abs(without[1] - 9.64) < 0.005

def test_library_defaults_are_torch_defaults():
    "RMSProp's and Adam's defaults in the package are torch's (the table's PyTorch column): beta 0.99, betas (0.9, 0.999), eps 1e-8, no decay."
    import inspect
    tr = {k: v.default for k, v in inspect.signature(torch.optim.RMSprop).parameters.items()}
    ta = {k: v.default for k, v in inspect.signature(torch.optim.Adam).parameters.items()}
    ours_r, ours_a = RMSProp(0.1), Adam(0.1)
    assert (tr['alpha'], tr['eps'], tr['weight_decay'], tr['centered'], tr['momentum']) == (ours_r.beta, ours_r.eps, 0, False, 0)
    assert (ta['betas'], ta['eps'], ta['weight_decay'], ta['amsgrad']) == ((ours_a.beta1, ours_a.beta2), ours_a.eps, 0, False)
    assert ours_a.debias is True and ours_r.lagged is False and ours_r.start == 0 == ours_a.start
