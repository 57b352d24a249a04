"""Data sets that ship with cusp's dependencies (no download)."""

from __future__ import annotations

import numpy as np


def standardize(X):
    """Centre each column and scale it to unit standard deviation (ddof=0).

    Constant columns are only centred (they stay all-zero)."""
    X = np.asarray(X, dtype=float)
    sd = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def load_diabetes():
    """Diabetes data (Efron et al. 2004; scikit-learn's bundled copy).

    Returns ``(X, y, feature_names)`` with the 10 columns of ``X`` standardized and the
    disease-progression response ``y`` centred; n = 442.
    """
    from sklearn.datasets import load_diabetes as _load

    data = _load(scaled=False)
    y = np.asarray(data.target, dtype=float)
    return standardize(data.data), y - y.mean(), list(data.feature_names)


def load_breast_cancer():
    """Wisconsin breast cancer data (scikit-learn's bundled copy): ``(X, y, names)``,
    ``X`` standardized (30 columns), ``y`` = 1 for malignant, 0 for benign; n = 569."""
    from sklearn.datasets import load_breast_cancer as _load

    data = _load()
    # scikit-learn codes malignant as 0; recode so that 1 means malignant.
    return standardize(data.data), 1.0 - np.asarray(data.target, dtype=float), [str(n) for n in data.feature_names]


def make_sparse_regression(n=100, p=50, k=5, *, likelihood="gaussian", sigma=1.0, signal=2.0, random_seed=0):
    """Synthetic data with a known sparse truth: ``k`` of ``p`` coefficients non-zero.

    Returns ``(X, y, true_coef)``; ``X`` is standard normal, the non-zeros are
    ``+-signal`` on the first ``k`` columns.  ``likelihood`` picks the response:
    Gaussian (noise ``sigma``), logistic (0/1) or Poisson (counts, with the signal scaled
    down so the counts stay moderate).
    """
    rng = np.random.default_rng(random_seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:k] = signal * rng.choice([-1.0, 1.0], size=k)
    if likelihood == "gaussian":
        y = X @ w + sigma * rng.standard_normal(n)
    elif likelihood == "logistic":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(X @ w)))).astype(float)
    elif likelihood == "poisson":
        w *= 0.25
        y = rng.poisson(np.exp(1.0 + X @ w)).astype(float)
    else:
        raise ValueError(f"unknown likelihood {likelihood!r}")
    return X, y, w
