r"""The partially collapsed Gibbs sweep: each ``(v_j, w_j)`` pair drawn with ``w_j``
integrated out, compiled with numba.

Why: under a scale-mixture prior the plain Gibbs sampler alternates ``w | v`` and
``v | w``.  Where the data say little about a coefficient (the null ones of a sparse
problem), ``w_j`` and its variance ``v_j`` move together in a funnel, each step only a
little (``v_j | w_j`` is concentrated near ``w_j^2``), and the chain crawls: at n = 100,
p = 50 with a horseshoe of global scale 0.011, min bulk ESS(w) was 103 of 2000 draws.
Drawing ``v_j`` from ``p(v_j | w_{-j}, y)`` instead, then ``w_j`` from ``p(w_j | v_j,
w_{-j}, y)``, moves the pair jointly (van Dyk & Park's partially collapsed Gibbs; a valid
block update of ``(v_j, w_j)``) and removed the funnel: min ESS 1488 of 2000 on the same
chains, at twice the cost of a plain sweep.  The Gibbs sampler composes this sweep with
the joint draw of ``w`` (which handles correlated columns), so it is robust to both.

Given ``w_{-j}`` and ``sigma^2``, with ``g_j = x_j' x_j`` and the residual ``r`` of
the other coefficients, the data enter through ``z_j = x_j' r / g_j ~ N(w_j, q_j)``,
``q_j = sigma^2 / g_j``, and with ``w_j ~ N(0, f v_j)``:

.. math:: p(v_j \mid w_{-j}, y) \propto p(v_j)\, N(z_j; 0, q_j + f v_j),

drawn by a slice step on ``log v_j`` (Neal 2003: stepping out, then shrinkage) for
``log p(v) = a log v - b v - c / v - d log(1 + v / e)`` (what the prior's mixing
conditional declares: :class:`priors.mixture.CollapsibleMixing`).  Then
``w_j | v_j ~ N(f v_j z_j / (f v_j + q_j), f v_j q_j / (f v_j + q_j))``.

The loops are sequential by nature (each pair sees the others' new values), so they are
compiled: one sweep at p = 50, n = 100 takes tens of microseconds, not milliseconds.
Random numbers come from numba's generator, seeded per call from the chain's own
``numpy.random.Generator``, so the same seed gives the same draws in any process or
thread (numba keeps one generator per thread).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["collapsed_sweep", "collapsed_sweep_diagonal", "sweep_seed"]

#: Width of the slice's initial interval on log v, and the most steps out on each side.
_WIDTH, _MAX_STEPS = 2.0, 40


def sweep_seed(rng) -> int:
    """A seed for numba's generator drawn from the chain's own stream."""
    return int(rng.integers(2**32))


@njit(cache=True, nogil=True)
def _log_target(x, a, b, c, d, e, q, f, z2):
    """``log p(log v | z)`` up to a constant, ``v = exp(x)`` (the ``+ x`` is the Jacobian)."""
    v = math.exp(x)
    t = q + f * v
    out = (a + 1.0) * x - b * v - 0.5 * math.log(t) - 0.5 * z2 / t
    if c != 0.0:
        out -= c / v
    if d != 0.0:
        out -= d * math.log1p(v / e)
    return out


@njit(cache=True, nogil=True)
def _slice_log_variance(x0, a, b, c, d, e, q, f, z2):
    level = _log_target(x0, a, b, c, d, e, q, f, z2) + math.log(np.random.random())
    left = x0 - _WIDTH * np.random.random()
    right = left + _WIDTH
    k = 0
    while k < _MAX_STEPS and _log_target(left, a, b, c, d, e, q, f, z2) > level:
        left -= _WIDTH
        k += 1
    k = 0
    while k < _MAX_STEPS and _log_target(right, a, b, c, d, e, q, f, z2) > level:
        right += _WIDTH
        k += 1
    while True:
        x = left + (right - left) * np.random.random()
        if _log_target(x, a, b, c, d, e, q, f, z2) > level:
            return x
        if x < x0:
            left = x
        else:
            right = x


@njit(cache=True, nogil=True)
def _pair(z, q, vj, f, a, b, c, d, e):
    """The new ``(v_j, w_j)`` given the data summary ``z ~ N(w_j, q)``."""
    # log v is kept within the floating-point range: exp(+-700) stays finite
    x = _slice_log_variance(min(max(math.log(vj), -700.0), 700.0), a, b, c, d, e, q, f, z * z)
    v = math.exp(x)
    pv = f * v
    w = pv * z / (pv + q) + math.sqrt(pv * q / (pv + q)) * np.random.standard_normal()
    return v, w


@njit(cache=True, nogil=True)
def collapsed_sweep(X, g, resid, w, v, f, s2, a, b, c, d, e, seed):
    """One sweep over the coefficients of ``y ~ N(X w, s2)`` (``X`` centred when there is
    an intercept), in place: ``w``, ``v`` and ``resid = y - X w`` are updated.

    ``X`` is read by columns (pass it Fortran-ordered), ``g`` its column sums of
    squares, ``f`` the factor of the prior variances (``sigma^2`` when the prior is
    scaled by sigma, else 1)."""
    np.random.seed(seed)
    n, p = X.shape
    for j in range(p):
        if g[j] <= 0.0:  # a zero column: the data say nothing, the pair keeps its prior draw
            continue
        dot = 0.0
        for i in range(n):
            dot += X[i, j] * resid[i]
        z = dot / g[j] + w[j]
        vj, wj = _pair(z, s2 / g[j], v[j], f, a, b, c, d, e)
        v[j] = vj
        delta = wj - w[j]
        for i in range(n):
            resid[i] -= X[i, j] * delta
        w[j] = wj


@njit(cache=True, nogil=True)
def collapsed_sweep_diagonal(y, w, v, f, s2, a, b, c, d, e, seed):
    """The same sweep for normal means (``y_j ~ N(w_j, s2)``): the pairs are independent."""
    np.random.seed(seed)
    for j in range(y.size):
        v[j], w[j] = _pair(y[j], s2, v[j], f, a, b, c, d, e)
