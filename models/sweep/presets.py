"""Ready-made sweeps (``cusp sweep --preset NAME``), as the dicts a TOML spec reads into.

* ``cv-diabetes``: 5-fold cross-validation (scikit-learn's ``KFold`` without shuffling)
  of the diabetes data with sigma = :data:`models.data.DIABETES_SIGMA` (54), Laplace and
  Gaussian priors, exact MAP paths over 50 scales from the Laplace's all-zero scale up
  to 1000 times it.  The Laplace curve is ``LassoCV``'s on the same folds (tested).
* ``overfitting``: the study's p > n experiment (:func:`reports.study.experiments.overfitting`:
  n = 50, p = 200, 5 non-zeros of size 2, sigma = 1, 1000 fresh test rows) over 20
  seeds: MAP paths under Gaussian, Laplace and horseshoe (local mode) priors on the
  study's grids, and the Laplace and horseshoe posterior means (Gibbs, 2 chains of 2000
  draws after 1000) at each scale.
"""

from __future__ import annotations

import copy

import numpy as np

from priors import CuspInputError

from models.data import DIABETES_SIGMA

__all__ = ["PRESETS", "preset"]


def _grid(low, high, n):
    return [float(v) for v in np.logspace(low, high, n)]


PRESETS = {
    "cv-diabetes": {
        "name": "cv-diabetes",
        "likelihood": "gaussian",
        "sigma": DIABETES_SIGMA,
        "seeds": [0],
        "datasets": [{"builtin": "diabetes"}],
        "priors": [{"family": "laplace"}, {"family": "gaussian"}],
        "scales": {"n": 50, "eps": 1e-3},
        "cv": {"folds": 5, "shuffle": False},
        "compute": {"map_path": True, "posterior": False},
    },
    "overfitting": {
        "name": "overfitting",
        "likelihood": "gaussian",
        "sigma": 1.0,
        "seeds": 20,
        "datasets": [{"name": "p > n", "synthetic": {"n": 50, "p": 200, "sparsity": 5, "noise": 1.0, "signal": 2.0,
                                                     "n_test": 1000}}],
        "priors": [
            {"family": "gaussian", "scales": _grid(-3, 1, 9), "map_path": True, "posterior": False},
            {"family": "laplace", "scales": _grid(-3, 0, 9), "map_path": True, "posterior": True},
            # from tau = 1e-3 up, as the study: below it the Gibbs sampler can hold a true
            # signal at 0 for thousands of iterations
            {"family": "horseshoe", "scales": _grid(-3, 0, 6), "map_path": True, "posterior": True},
        ],
        "posterior": {"sampler": "gibbs", "draws": 2000, "tune": 1000, "chains": 2},
    },
}


def preset(name) -> dict:
    """A copy of the preset ``name``'s spec dict."""
    if name not in PRESETS:
        raise CuspInputError(f"unknown preset {name!r}; the presets are: {', '.join(PRESETS)}")
    return copy.deepcopy(PRESETS[name])
