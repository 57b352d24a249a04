"""The local proximal map of a penalty with a pole at 0 (density infinite there).

Such a penalty falls to -inf at 0, so the *global* minimizer of
``0.5 (x - v)^2 + step * penalty(x)`` is always 0 and the MAP is degenerate.  What cusp
reports instead is the non-zero local minimizer, found from the stationarity function
``F(x) = x + step * penalty'(x)`` on ``x > 0``: it falls from ``+inf`` at 0 to a minimum
and then rises, so a local minimum exists iff ``|v| > min F``, and it is the root of
``F(x) = |v|`` right of that minimum.  Any prior with a pole gets this from
:meth:`priors.Prior.prox_local` through its ``penalty_grad``; it may override it.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._rootfind import solve_increasing


def local_prox_by_stationarity(prior, v, step):
    """Non-zero local minimizer of ``0.5 (x - v)^2 + step * prior.penalty(x)``, or 0."""
    v, step = np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(step, dtype=float))
    a = np.abs(v)
    shape = a.shape
    a, step = a.ravel(), step.ravel()
    F = lambda x: x + step * np.asarray(prior.penalty_grad(x), dtype=float)  # noqa: E731
    if step.size and np.all(step == step[0]):
        x_min = np.full(a.shape, _argmin_stationarity(prior, float(step[0])))
    else:
        x_min = _argmin_on_log_grid(F, prior.scale, step)
    has_root = (a > 0) & (F(x_min) < a)
    lo = np.where(has_root, x_min, 0.0)
    hi = np.where(has_root, a, 0.0)
    h = 1e-7
    root = solve_increasing(
        lambda x: F(x) - a,
        lambda x: (F(x * (1 + h)) - F(x * (1 - h))) / (2 * h * x),
        lo,
        hi,
    )
    out = np.where(has_root, np.sign(v.ravel()) * root, 0.0)
    out = out.reshape(shape)
    return float(out) if out.ndim == 0 else out


def _argmin_on_log_grid(F, tau, step):
    # F(x) = x + step * penalty'(x) is unimodal on x > 0 with its minimum near
    # sqrt(step); golden-section search in log x over a bracket that surely holds it.
    root = np.sqrt(step)
    lo = np.log(1e-12 * np.minimum(tau, root))
    hi = np.log(1e4 * np.maximum(tau, root))
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(80):
        m1 = hi - ratio * (hi - lo)
        m2 = lo + ratio * (hi - lo)
        left_better = F(np.exp(m1)) < F(np.exp(m2))
        hi = np.where(left_better, m2, hi)
        lo = np.where(left_better, lo, m1)
    return np.exp(0.5 * (lo + hi))


@functools.lru_cache(maxsize=4096)
def _argmin_stationarity(prior, step):
    # Coordinate descent calls prox_local with the same step for a coordinate on every
    # sweep; the minimum of F depends only on (prior, step), so it is cached.
    F = lambda x: x + step * np.asarray(prior.penalty_grad(x), dtype=float)  # noqa: E731
    return float(_argmin_on_log_grid(F, prior.scale, np.array([step]))[0])
