r"""Pareto-smoothed importance sampling (PSIS) for many observations at once.

The algorithm is ArviZ's ``psislw`` (Vehtari, Simpson, Gelman, Yao & Gabry 2024): per
observation, the largest :math:`M = \lceil \min(S/5, 3\sqrt{S / r_\text{eff}}) \rceil`
of the :math:`S` log importance ratios are replaced by the expected order statistics of a
generalized Pareto distribution fitted to them (Zhang & Stephens' 2009 empirical-Bayes
estimate, with a weak prior pulling the shape towards 0.5), truncated at the largest raw
weight, and the weights are normalized.  ArviZ runs that in a Python loop over
observations (a few milliseconds each); the projection search evaluates PSIS-LOO for
every submodel of every size, so here the loop is over groups of observations that share
a tail length, and each group is one set of array operations.  The results equal
ArviZ's to rounding (tested).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

__all__ = ["psis_log_weights", "psis_loo_pointwise"]

_PRIOR_B, _PRIOR_K = 3.0, 10.0  # Zhang & Stephens' prior on b; the shape's prior weight
_CHUNK = 2048  # observations per block: bounds the (rows, m, M) work array


def psis_log_weights(log_ratios, reff=1.0):
    """Smoothed, normalized log weights and Pareto ``k`` of each row of ``log_ratios``.

    Parameters
    ----------
    log_ratios : array, shape (n_obs, S)
        Log importance ratios per observation and draw (for LOO: ``-log p(y_i | theta_s)``).
    reff : float, default 1
        Relative MCMC efficiency, ``ESS / S``.

    Returns
    -------
    log_weights : array, shape (n_obs, S)
    k : array, shape (n_obs,)
        The fitted shape; ``inf`` where the tail has 4 draws or fewer (no fit, no smoothing).
    """
    lr = np.array(log_ratios, dtype=float, ndmin=2)
    n_obs, n_draws = lr.shape
    tail_size = int(np.ceil(min(n_draws / 5.0, 3.0 * (n_draws / reff) ** 0.5)))
    out, k = np.empty_like(lr), np.empty(n_obs)
    for start in range(0, n_obs, _CHUNK):
        rows = slice(start, min(start + _CHUNK, n_obs))
        out[rows], k[rows] = _smooth_block(lr[rows], tail_size)
    return out, k


def psis_loo_pointwise(loglik, reff=1.0):
    """PSIS-LOO ``elpd_i`` and Pareto ``k`` from draws of ``log p(y_i | theta_s)``, shape (S, n)."""
    loglik = np.asarray(loglik, dtype=float)
    lw, k = psis_log_weights(-loglik.T, reff=reff)
    return logsumexp(loglik.T + lw, axis=1), k


def _smooth_block(lr, tail_size):
    x = lr - lr.max(axis=1, keepdims=True)  # the largest raw log weight is 0
    order = np.argsort(x, axis=1)
    x_sorted = np.take_along_axis(x, order, axis=1)
    cutoff = np.maximum(x_sorted[:, -tail_size - 1], np.log(np.finfo(float).tiny))
    # the tail: every value above the cutoff (ties at the cutoff make it shorter)
    tail_len = np.count_nonzero(x > cutoff[:, None], axis=1)
    k = np.full(x.shape[0], np.inf)
    for length in np.unique(tail_len):
        if length <= 4:  # too few draws to fit: k = inf, no smoothing
            continue
        rows = np.flatnonzero(tail_len == length)
        exp_cutoff = np.exp(cutoff[rows])[:, None]
        excess = np.exp(x_sorted[rows, -length:]) - exp_cutoff  # ascending, > 0
        k_rows, sigma = _gpd_fit(excess)
        k[rows] = k_rows
        smooth = np.isfinite(k_rows)
        if not smooth.any():
            continue
        rows, k_rows, sigma, exp_cutoff = rows[smooth], k_rows[smooth], sigma[smooth], exp_cutoff[smooth]
        probs = (np.arange(length) + 0.5) / length
        tail = np.log(_gpd_quantiles(probs, k_rows, sigma) + exp_cutoff)
        block = x[rows]
        np.put_along_axis(block, order[rows, -length:], tail, axis=1)
        block[block > 0] = 0.0  # truncated at the largest raw weight
        x[rows] = block
    x -= logsumexp(x, axis=1, keepdims=True)
    return x, k


def _gpd_fit(excess):
    """Zhang & Stephens' estimate of the generalized Pareto shape and scale, row by row
    of ``excess`` (n_rows, n), each row sorted ascending and positive."""
    n = excess.shape[1]
    m = 30 + int(n**0.5)
    grid = 1.0 - np.sqrt(m / (np.arange(1, m + 1, dtype=float) - 0.5))
    b = grid[None, :] / (_PRIOR_B * excess[:, int(n / 4 + 0.5) - 1])[:, None] + 1.0 / excess[:, -1:]
    k_grid = np.log1p(-b[:, :, None] * excess[:, None, :]).mean(axis=2)
    profile = n * (np.log(-(b / k_grid)) - k_grid - 1.0)
    weights = 1.0 / np.exp(profile[:, None, :] - profile[:, :, None]).sum(axis=2)
    weights = np.where(weights >= 10 * np.finfo(float).eps, weights, 0.0)  # negligible ones dropped
    weights /= weights.sum(axis=1, keepdims=True)
    b_post = np.sum(b * weights, axis=1)
    k_post = np.log1p(-b_post[:, None] * excess).mean(axis=1)
    sigma = -k_post / b_post
    return (n * k_post + _PRIOR_K * 0.5) / (n + _PRIOR_K), sigma


def _gpd_quantiles(probs, k, sigma):
    """Generalized Pareto quantiles at ``probs`` (in (0, 1)) for each row's ``k``, ``sigma``;
    NaN where ``sigma <= 0`` (as ArviZ)."""
    k, sigma = k[:, None], sigma[:, None]
    tiny = np.abs(k) < np.finfo(float).eps
    with np.errstate(divide="ignore", invalid="ignore"):
        general = np.expm1(-k * np.log1p(-probs)) / np.where(tiny, 1.0, k)
    q = np.where(tiny, -np.log1p(-probs), general) * sigma
    return np.where(sigma > 0, q, np.nan)
