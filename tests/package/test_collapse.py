"""Lesson 2's step-by-step helpers: they refuse what they cannot read with an error naming the argument, and the
overshoot factor they draw is what a direct numpy loop says a row's step does."""
import numpy as np
import pytest
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
from gd_notebooks.all import (TwoLinear, Linear, SGD, fit, graddesc_data, takeoff, plot_blowup, plot_curvature,
                              path_curvature, forward_bias)

ONES = {n: 1. for n in 'abcd'}

@pytest.fixture(scope='module')
def runs():
    x, y = graddesc_data()
    return {rec: fit(TwoLinear(), ONES, x, y, SGD(1e-4), epochs=2, record=rec) for rec in ('steps', 'epochs')}

HELPERS = {'takeoff': takeoff, 'plot_blowup': plot_blowup, 'plot_curvature': lambda t: plot_curvature(t, 1e-4),
           'path_curvature': lambda t: path_curvature(TwoLinear(), t)}

@pytest.mark.parametrize('name', sorted(HELPERS))
def test_an_epochs_trace_is_refused_by_name(runs, name):
    "A Trace of epoch boundaries (record='epochs') gets a ValueError naming `trace` and the record it needs."
    with pytest.raises(ValueError, match=r"`trace`.*record='steps'"): HELPERS[name](runs['epochs'])
    plt.close('all')

@pytest.mark.parametrize('name', sorted(HELPERS))
def test_a_non_trace_is_refused_by_name(name):
    for bad in (None, {'sq_errs': 1}, np.zeros(3)):
        with pytest.raises(TypeError, match='`trace`'): HELPERS[name](bad)

@pytest.mark.parametrize('name', sorted(HELPERS))
def test_a_steps_trace_is_read(runs, name):
    HELPERS[name](runs['steps']); plt.close('all')

def test_models_without_dpredict_are_refused():
    x, y = graddesc_data()
    t = fit(Linear(), {'a': 1., 'b': 1.}, x, y, SGD(1e-4))
    for call in (lambda: path_curvature(Linear(), t), lambda: forward_bias(Linear(), {'a': 1., 'b': 1.}, x)):
        with pytest.raises(TypeError, match='`model`'): call()
    with pytest.raises(TypeError, match='pass an instance'): forward_bias(TwoLinear, ONES, x)

def test_overshoot_factor_against_a_direct_loop():
    """lr·path_curvature/2 is f = lr·Σ(∂ŷ/∂w)², and a row's error after its own step is (1 − 2f)·r plus
    4·lr²·r²·c·(a·x + b)·(x² + 1), row by row in the learners' first epoch, recomputed here by hand."""
    x, y = graddesc_data()
    t = fit(TwoLinear(), ONES, x, y, SGD(1e-4))
    f = path_curvature(TwoLinear(), t) * 1e-4 / 2
    w = [{n: float(t.history[n][s]) for n in 'abcd'} for s in range(30)] # the weights entering each step, then the last
    for s, (xi, yi) in enumerate(zip(x.tolist(), y.tolist())):
        a, b, c, d = (w[s][n] for n in 'abcd')
        h = a * xi + b; r = c * h + d - yi
        fs = 1e-4 * ((c * xi) ** 2 + c ** 2 + h ** 2 + 1)
        assert abs(f[s] - fs) <= 1e-12 * fs
        a2, b2, c2, d2 = (w[s + 1][n] for n in 'abcd')
        r_new = c2 * (a2 * xi + b2) + d2 - yi
        assert abs(r_new - ((1 - 2 * fs) * r + 4e-8 * r * r * c * h * (xi ** 2 + 1))) <= 1e-9 * max(1., abs(r_new))
