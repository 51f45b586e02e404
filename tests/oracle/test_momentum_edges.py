"""Lesson 5's `momentum_edge_lr` against an independent dense scan: the epoch map of per-row dampened momentum on
a·x + b, built here row by row from the update rule (not from the package's `epoch_matrix`), and the first rate of
a scan far finer than the finder's own at which its spectral radius reaches 1. The betas are those where a plain
scan steps over a band of divergence, both sides of the two cliffs of the dampened edge, and a seeded sample."""
import numpy as np
import pytest
from gd_notebooks.all import graddesc_data
from gd_notebooks.momentum import momentum_edge_lr

X, _ = graddesc_data()

def radius(x, lr, beta):
    "Spectral radius of one epoch of dampened momentum on (a - 2, b - 30, m_a, m_b), for an array of rates."
    l, b = np.asarray(lr, float)[:, None], float(beta)
    cols = np.broadcast_to(np.eye(4), (len(l), 4, 4)).copy()  # the images of the four basis vectors
    da, db, ma, mb = (cols[:, k, :] for k in range(4))
    logs = np.zeros(len(l))
    for i, xi in enumerate(x):
        r = 2 * (da * xi + db)                     # the residual's gradient factor: de/db; de/da = x·de/db
        ma, mb = b * ma + (1 - b) * r * xi, b * mb + (1 - b) * r
        da, db = da - l * ma, db - l * mb
        if i % 4 == 3:                             # rescale now and then, keeping the scale in logs
            s = np.abs(np.stack([da, db, ma, mb])).max((0, 2))[:, None]
            da, db, ma, mb = da / s, db / s, ma / s, mb / s; logs += np.log(s[:, 0])
    M = np.stack([da, db, ma, mb], 1)
    return np.abs(np.linalg.eigvals(M)).max(-1) * np.exp(logs)

def first_crossing(beta, top, ratio):
    "The first rate from 1e-4 up to `top`, `ratio` apart, with radius >= 1 (None if none)."
    grid = 1e-4 * ratio ** np.arange(int(np.log(top / 1e-4) / np.log(ratio)) + 2)
    up = radius(X, grid, beta) >= 1
    return grid[np.argmax(up)] if up.any() else None

HARD = [0.527, 0.5275, 0.71645, 0.7165, 0.717]                 # a 6%-step scan steps over a band here
CLIFFS = [0.52622, 0.52623, 0.52625, 0.52627, 0.716477, 0.716478, 0.71648, 0.716482]  # both sides of each jump
SAMPLE = np.round(np.random.default_rng(0).choice(np.arange(0, 0.9501, 0.0005), 12, replace=False), 4).tolist()

@pytest.mark.parametrize('beta', HARD + CLIFFS + SAMPLE)
def test_edge_is_the_first_crossing_of_a_dense_scan(beta):
    edge = momentum_edge_lr(X, beta, lo=1e-4)
    first = first_crossing(beta, edge * 1.001, 1.0002)         # 0.02% apart: a hundred times finer than the finder
    assert first is not None and edge <= first < edge * 1.0002 + 1e-18

def test_a_coarse_scan_misses_the_band_at_0717():
    "At beta 0.717 divergence starts at 2.185e-4 in a band that ends near 2.295e-4; above it training converges again."
    assert momentum_edge_lr(X, 0.717, lo=1e-4) == pytest.approx(2.185e-4, abs=5e-8)
    assert (radius(X, np.geomspace(2.31e-4, 6.5e-4, 400), 0.717) < 1).all()
    assert (radius(X, np.geomspace(2.19e-4, 2.29e-4, 50), 0.717) >= 1).all()

def test_one_order_per_row():
    "A 2-D `x` holds one row order per row, broadcasting with `beta`: the edges of one call per order, to the bit."
    orders = np.stack([X, X[np.random.default_rng(1).permutation(len(X))]])
    both = momentum_edge_lr(orders[:, None], [0.5, 0.9], lo=1e-4)
    assert both.shape == (2, 2)
    assert both.tolist() == [[momentum_edge_lr(o, b, lo=1e-4) for b in (0.5, 0.9)] for o in orders]
    assert both[0, 0] != both[1, 0]  # the orders differ, so the check can fail
