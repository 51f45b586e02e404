"The course's public API in one import: `from gd_notebooks.all import *`. The library's plumbing stays in its own modules."
from .data import graddesc_data, WORKBOOK_START, WORKBOOK_LR, synthetic, standardize, unstandardize, plot_data, data_page_explorer
from .neuron import Linear, numeric_grad, SGD, Trace, fit, Sheet, basic_rows, plot_errors, loss_grid, plot_contour, plot_path, sheet_path, run_neuron, neuron_page_explorer
from .collapse import TwoLinear, collapse, forward_bias, takeoff, plot_blowup, collapse_metric, path_curvature, plot_curvature, collapsed_radius, collapse_page_explorer
from .relu import ReLUSandwich, plot_sandwich, dead_fraction, death_step, plot_dead, relu_page_explorer
from .learning_rate import (mark_lrs, plot_lr_sweep, row_jacobian, row_curvature, critical_lr, gauss_newton, full_batch_lr,
                            epoch_matrix, epoch_radius, sgd_edge_lr, product_edge_lr, plot_radius, ewma, LRFind, lr_find, lr_suggestions, SUGGESTION_RULES, lr_page_explorer, plot_lr_multiples)
from .momentum import plot_ewma, Momentum, run_1d, momentum_rows, plot_grads, momentum_max_lr, plot_stability, momentum_runs, momentum_page_explorer, momentum_edge_lr, plot_rate_map
from .adaptive import RMSProp, Adam, WeightDecay, Scheduled, sheet_anneal, adaptive_rows, race_run, race_page_explorer
from .workbook import to_workbook, sheet_to_workbook, read_cells, lesson_workbooks

__all__ = [n for n in dir() if not n.startswith('_')]

from .helptext import document as _document
_document(globals(), __all__) # help(fit) shows the parameters' comments (nbdev docments) and what comes back
