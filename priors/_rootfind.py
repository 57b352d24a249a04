"""Vectorized safeguarded Newton for the 1-D equations behind nonlinear proximal maps.

Every prox of a symmetric penalty reduces to a scalar equation ``f(x) = 0`` on a bracket
``[lo, hi]`` where ``f`` is increasing.  Newton converges in a handful of steps; the
bracket keeps it safe where the penalty's curvature blows up (near 0 for bridge p < 1).
"""

import math

import numpy as np


def solve_increasing(f, fprime, lo, hi, *, max_iter=200):
    """Root of an increasing function on ``[lo, hi]`` for each element (vectorized).

    ``f(lo) <= 0 <= f(hi)`` is assumed.  The iteration stops when every bracket has
    collapsed to adjacent floating-point numbers or Newton's steps have converged.
    """
    lo = np.array(lo, dtype=float, copy=True)
    hi = np.array(hi, dtype=float, copy=True)
    x = 0.5 * (lo + hi)
    active = np.ones(x.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_iter):
            fx = f(x)
            lo = np.where(active & (fx <= 0), x, lo)
            hi = np.where(active & (fx >= 0), x, hi)
            step = fx / fprime(x)
            newton = x - step
            inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
            x_new = np.where(inside, newton, 0.5 * (lo + hi))
            done = (x_new == x) | (hi - lo <= 4 * np.spacing(np.maximum(np.abs(hi), 1e-300)))
            # An element stops where it is done: iterating it further while others finish
            # (two adjacent floats can alternate) made a vectorized prox differ in the last
            # bit from the same prox called on each element.
            x = np.where(active, x_new, x)
            active &= ~done
            if not np.any(active):
                break
    return x


def solve_increasing_scalar(f, fprime, lo, hi, *, max_iter=200):
    """:func:`solve_increasing` for one root, on Python floats (same steps and stopping rule)."""
    x = 0.5 * (lo + hi)
    for _ in range(max_iter):
        fx = f(x)
        if fx <= 0:
            lo = x
        if fx >= 0:
            hi = x
        try:
            newton = x - fx / fprime(x)
        except (ZeroDivisionError, OverflowError):
            newton = math.nan
        x_new = newton if (math.isfinite(newton) and lo < newton < hi) else 0.5 * (lo + hi)
        done = x_new == x or hi - lo <= 4 * math.ulp(max(abs(hi), 1e-300))
        x = x_new
        if done:
            break
    return x


def solve_increasing_log(f, fprime, lo, hi):
    """Root of an increasing ``f`` on ``[lo, hi]`` with ``0 < lo <= hi`` (vectorized),
    solved for ``log x``, then one Newton step in ``x`` (which removes the rounding of
    ``log x``, relative ``|log x| eps``).

    For roots far from 0 relative to their bracket's width in ``x`` (a tiny prior scale
    puts a prox ~1e-150 from 0 in a bracket ``[0, |v|]``), where 200 bisections in ``x``
    cannot reach them.  Elements with a non-finite or non-positive bracket get 0.
    """
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        log_lo, log_hi = np.log(lo), np.log(hi)
        live = np.isfinite(log_lo) & np.isfinite(log_hi)
        t = solve_increasing(lambda t: f(np.exp(t)), lambda t: np.exp(t) * fprime(np.exp(t)),
                             np.where(live, log_lo, 0.0), np.where(live, log_hi, 0.0))
        x = np.exp(t)
        polished = x - f(x) / fprime(x)
        x = np.where(np.isfinite(polished) & (polished >= lo) & (polished <= hi), polished, x)
    return np.where(live, x, 0.0)
