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

from ._rootfind import solve_increasing_scalar


def local_prox_by_stationarity(prior, v, step):
    """Non-zero local minimizer of ``0.5 (x - v)^2 + step * prior.penalty(x)``, or 0.

    Element by element on floats: the MAP's coordinate sweeps call it one coordinate at
    a time, where float arithmetic is ~100x faster than 1-element arrays, and an array
    gets exactly the values of the same calls one by one."""
    v, step = np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(step, dtype=float))
    out = np.array([_local_prox_scalar(prior, a, s) for a, s in zip(v.ravel().tolist(), step.ravel().tolist())],
                   dtype=float).reshape(v.shape)
    return float(out) if out.ndim == 0 else out


def _local_prox_scalar(prior, v, step):
    # Bracketed Newton on the stationarity function right of its minimum (a prior's
    # penalty_grad may take a float fast path).
    a = abs(v)
    if step == 0.0:  # no penalty: the identity
        return v
    F = lambda x: x + step * float(prior.penalty_grad(x))  # noqa: E731
    x_min = _argmin_stationarity(prior, step)
    if not (a > 0 and F(x_min) < a):
        return 0.0
    h = 1e-7
    root = solve_increasing_scalar(lambda x: F(x) - a, lambda x: (F(x * (1 + h)) - F(x * (1 - h))) / (2 * h * x), x_min, a)
    return math.copysign(root, v)


@functools.lru_cache(maxsize=4096)
def _argmin_stationarity(prior, step):
    # Coordinate descent calls prox_local with the same step for a coordinate on every
    # sweep; the minimum of F depends only on (prior, step), so it is cached.
    # F(x) = x + step * penalty'(x) is unimodal on x > 0 with its minimum near
    # sqrt(step): golden-section search in log x over a bracket that surely holds it.
    F = lambda x: x + step * float(prior.penalty_grad(x))  # noqa: E731
    root = math.sqrt(step)
    lo = math.log(1e-12 * min(prior.scale, root))
    hi = math.log(1e4 * max(prior.scale, root))
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(80):
        m1 = hi - ratio * (hi - lo)
        m2 = lo + ratio * (hi - lo)
        if F(math.exp(m1)) < F(math.exp(m2)):
            hi = m2
        else:
            lo = m1
    return math.exp(0.5 * (lo + hi))
