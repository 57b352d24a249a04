r"""Standard-normal and truncated-normal numerics (Mills' ratio and friends) used by the
exact Laplace posterior (and, for interval probabilities, the Gaussian one).

Numerical notes
---------------
Everything that can under- or overflow is done in log space or with scaled
functions.  Write :math:`\Phi`, :math:`\varphi` for the standard normal cdf and
density and :math:`m(a) = \Phi(-a)/\varphi(a)` for Mills' ratio, evaluated as
``sqrt(pi/2) * erfcx(a / sqrt(2))`` for :math:`a \ge 0`.  A normal truncated to
``Z > a`` has mean :math:`a + r_1(a)` and variance :math:`v(a)`, with
:math:`r_1(a) = 1/m(a) - a` and :math:`v(a) = 1 - r_1(a)(a + r_1(a))`.  Both
differences cancel catastrophically for large :math:`a`; there they are evaluated
through Laplace's continued fraction :math:`m(a) = 1/(a + 1/(a + 2/(a + 3/(a +
\dots))))`: with tails :math:`T_k = k/(a + T_{k+1})`,
:math:`r_1 = T_1` and :math:`v = (a + 2T_2 - T_3) / ((a + T_3)(a + T_2)^2)`, which
involves no subtraction of nearly equal numbers.  Tail probabilities of a truncated
normal use :math:`\log\Phi(-(a+t)) - \log\Phi(-a) = -t(a + t/2) + \log m(a+t) -
\log m(a)` (and Gauss-Legendre quadrature of the hazard for very short intervals),
so the Laplace posterior stays accurate for :math:`|y|` up to :math:`10^6\sigma`
and :math:`b` from :math:`10^{-6}\sigma` to :math:`10^6\sigma`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf, erfcx, log_ndtr, ndtri_exp

from .common import LOG_SQRT_2PI

__all__ = [
    "GL_SHORT",
    "GL_W",
    "GL_X",
    "hazard",
    "log1mexp",
    "log_cdf_trunc",
    "log_dens_trunc",
    "log_mills",
    "log_sf_trunc",
    "normal_interval_prob",
    "trunc_moments",
    "trunc_ppf",
]

_LOG_SQRT_HALF_PI = 0.5 * math.log(0.5 * math.pi)
_SQRT2 = math.sqrt(2.0)
_LOG_HALF = math.log(0.5)
# Above this truncation point the continued fraction replaces the direct formulas.
_CF_THRESHOLD = 3.0
_CF_TERMS = 80
# Gauss-Legendre rule for the log survival ratio over short intervals.
GL_X, GL_W = np.polynomial.legendre.leggauss(8)
GL_SHORT = 0.1
_NEWTON_MAXITER = 60


def log_mills(x):
    r"""``log m(x) = log(Phi(-x) / phi(x))`` (log Mills' ratio), stable for all ``x``.

    For ``x >= 0`` this is ``log(sqrt(pi/2) erfcx(x/sqrt 2))``; for ``x < 0`` it is
    ``log Phi(-x) + x^2/2 + log sqrt(2 pi)`` (no cancellation, ``log Phi(-x)`` is in
    ``(log 1/2, 0)``).
    """
    x = np.asarray(x, dtype=float)
    pos = x >= 0
    xp = np.where(pos, x, 0.0)
    xn = np.where(pos, 0.0, x)
    with np.errstate(divide="ignore"):
        out_p = _LOG_SQRT_HALF_PI + np.log(erfcx(xp / _SQRT2))
    out_n = log_ndtr(-xn) + 0.5 * xn * xn + LOG_SQRT_2PI
    return np.where(pos, out_p, out_n)


def hazard(x):
    """Normal hazard ``phi(x) / Phi(-x)`` (inverse Mills ratio)."""
    return np.exp(-log_mills(x))


def _cf_tails(a):
    """Tails ``T_1, T_2, T_3`` of Laplace's continued fraction for Mills' ratio."""
    t = np.zeros_like(a)
    t2 = t3 = t
    for k in range(_CF_TERMS, 0, -1):
        t = k / (a + t)
        if k == 3:
            t3 = t
        elif k == 2:
            t2 = t
    return t, t2, t3


def trunc_moments(a):
    r"""Mean offset and variance of ``Z | Z > a`` for ``Z ~ N(0, 1)``.

    Returns ``(r1, v)`` with ``E[Z - a | Z > a] = r1 = 1/m(a) - a`` and
    ``Var[Z | Z > a] = v = 1 - r1 (a + r1)``.  For ``a > 3`` the continued-fraction
    forms ``r1 = T_1`` and ``v = (a + 2 T_2 - T_3) / ((a + T_3)(a + T_2)^2)`` are used.
    """
    a = np.asarray(a, dtype=float)
    big = a > _CF_THRESHOLD
    ad = np.where(big, 0.0, a)
    h = hazard(ad)
    r1_d = h - ad
    v_d = 1.0 - h * r1_d
    ac = np.where(big, a, 2.0 * _CF_THRESHOLD)
    t1, t2, t3 = _cf_tails(ac)
    r1_c = t1
    v_c = (ac + 2.0 * t2 - t3) / ((ac + t3) * (ac + t2) ** 2)
    return np.where(big, r1_c, r1_d), np.where(big, v_c, v_d)


def log_sf_trunc(a, t):
    r"""``G(a, t) = log P(Z > a + t | Z > a) = log Phi(-(a+t)) - log Phi(-a)``, ``t >= 0``.

    Three evaluations, chosen for accuracy:

    * short intervals, ``t (1 + |a|) <= 0.1``: ``G = -int_0^t h(a + u) du`` by an
      8-point Gauss-Legendre rule on the hazard ``h`` (relative accuracy even when
      ``G`` is tiny);
    * ``a >= 0``: ``G = -t (a + t/2) + log m(a + t) - log m(a)``;
    * ``a < 0``: ``G = log Phi(-a - t) - log Phi(-a)`` (both terms moderate).
    """
    a, t = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(t, dtype=float))
    with np.errstate(over="ignore", invalid="ignore"):
        short = t * (1.0 + np.abs(a)) <= GL_SHORT
    ts = np.where(short, t, 0.0)
    nodes = a[..., None] + ts[..., None] * (0.5 * (1.0 + GL_X))
    g_short = -0.5 * ts * np.sum(GL_W * hazard(nodes), axis=-1)
    tl = np.where(short, 1.0, t)
    with np.errstate(over="ignore"):
        g_pos = -tl * (a + 0.5 * tl) + log_mills(a + tl) - log_mills(a)
    g_neg = log_ndtr(-a - tl) - log_ndtr(-a)
    return np.where(short, g_short, np.where(a >= 0, g_pos, g_neg))


def log1mexp(g):
    """``log(1 - exp(g))`` for ``g <= 0``, accurate on both sides of ``-log 2``."""
    g = np.asarray(g, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(g > -math.log(2.0), np.log(-np.expm1(g)), np.log1p(-np.exp(g)))


def log_cdf_trunc(a, t):
    """``log P(a < Z < a + t | Z > a)`` for ``t >= 0`` (``-inf`` at ``t = 0``)."""
    return log1mexp(log_sf_trunc(a, t))


def log_dens_trunc(a, t):
    r"""``log(phi(a + t) / Phi(-a))``: log density of ``Z - a`` given ``Z > a`` at ``t``.

    Evaluated as ``-t (a + t/2) - log m(a)`` for ``a >= 0`` and as
    ``-(a+t)^2/2 - log sqrt(2 pi) - log Phi(-a)`` for ``a < 0``.
    """
    a, t = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(t, dtype=float))
    ap = np.where(a >= 0, a, 0.0)
    an = np.where(a >= 0, 0.0, a)
    with np.errstate(over="ignore"):
        d_pos = -t * (ap + 0.5 * t) - log_mills(ap)
        d_neg = -0.5 * (an + t) ** 2 - LOG_SQRT_2PI - log_ndtr(-an)
    return np.where(a >= 0, d_pos, d_neg)


def trunc_ppf(a, log_c, log_s):
    r"""Quantile of ``Z - a`` given ``Z > a``.

    Solves for ``t >= 0`` with ``P(a < Z < a + t | Z > a) = c``; ``log_c = log c`` and
    ``log_s = log(1 - c)`` are both supplied so that whichever of ``c`` and ``1 - c``
    is the smaller can be matched in relative terms.  Starts from a closed form
    (``ndtri_exp``) or, deep in the tail, from the quadratic approximation
    ``t (a + t/2) = -log(1 - c)`` (or ``t = c m(a)`` for tiny ``c``), then polishes
    with Newton's method: on the log survival ``G(a, t)`` (concave, so the iterates
    converge monotonically) when ``c > 1/2``, and on the log cdf ``log C(a, t)``
    (steps damped in ``log t`` so ``t`` stays positive) when ``c <= 1/2``.
    """
    a, log_c, log_s = (
        np.array(x, dtype=float)
        for x in np.broadcast_arrays(
            np.asarray(a, dtype=float), np.asarray(log_c, dtype=float), np.asarray(log_s, dtype=float)
        )
    )
    log_c = np.minimum(log_c, 0.0)
    log_s = np.minimum(log_s, 0.0)
    at_zero = log_c == -np.inf
    at_inf = (log_s == -np.inf) & ~at_zero
    bad = np.isnan(a) | np.isnan(log_c) | np.isnan(log_s)
    done = at_zero | at_inf | bad
    # dummy finite values where the answer is already known
    log_c = np.where(done, _LOG_HALF, log_c)
    log_s = np.where(done, _LOG_HALF, log_s)
    a = np.where(bad, 0.0, a)
    use_sf = log_s < log_c

    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # quadratic tail guess t(a + t/2) = -log_s, i.e. t = -2 log_s / (a + sqrt(a^2 - 2 log_s))
        apos = np.maximum(a, 0.0)
        t_quad = -2.0 * log_s / (apos + np.sqrt(apos * apos - 2.0 * log_s))
        # closed form through the upper tail: Phi(-(a+t)) = Phi(-a) (1 - c)
        t_sf = -ndtri_exp(log_ndtr(-a) + log_s) - a
        # closed form through the lower tail: Phi(a+t) = Phi(a) + Phi(-a) c
        t_cdf = ndtri_exp(np.logaddexp(log_ndtr(a), log_ndtr(-a) + log_c)) - a
        # tiny c: C(t) ~ h(a) t
        log_t_lin = log_c + log_mills(a)

    # --- upper half (c > 1/2): start for Newton on G(a, t) = log_s
    t0 = np.where(a > 5.0, t_quad, t_sf)
    t0 = np.where(np.isfinite(t0), np.maximum(t0, 0.0), 0.0)
    # --- lower half (c <= 1/2): start for Newton on log C(a, t) = log_c
    tl = np.where(a < 0.0, t_cdf, np.where(a > 5.0, t_quad, t_sf))
    with np.errstate(divide="ignore"):
        u0 = np.where((a >= 0.0) & (log_c < math.log(1e-4)), log_t_lin, np.log(np.maximum(tl, 0.0)))
    u0 = np.where(np.isfinite(u0), u0, log_t_lin)
    with np.errstate(over="ignore", under="ignore"):
        t = np.where(use_sf, t0, np.exp(u0))

    flat_t = t.reshape(-1)
    idx = np.flatnonzero(~done.reshape(-1))
    a_f, lc_f, ls_f, sf_f = (x.reshape(-1) for x in (a, log_c, log_s, use_sf))
    for _ in range(_NEWTON_MAXITER):
        if idx.size == 0:
            break
        ai, ti, sfi = a_f[idx], flat_t[idx], sf_f[idx]
        with np.errstate(all="ignore"):
            # upper half: G(a, t) = log_s with G' = -h(a + t); G is concave, so after
            # the first step the iterates decrease monotonically to the root.
            step_sf = (log_sf_trunc(ai, ti) - ls_f[idx]) / hazard(ai + ti)
            # lower half: log C(a, t) = log_c with (log C)' = phi(a+t) / (Phi(-a) C).
            # The step is taken as a step du = dt / t in log t, applied additively
            # when small (plain Newton in t) and multiplicatively when large, so
            # t stays positive even from a poor start.
            lc = log_cdf_trunc(ai, ti)
            du = -(lc - lc_f[idx]) / (ti * np.exp(log_dens_trunc(ai, ti) - lc))
            t_cdf_new = np.where(np.abs(du) < 0.5, ti + ti * du, ti * np.exp(np.clip(du, -700.0, 700.0)))
            t_new = np.where(sfi, np.maximum(ti + step_sf, 0.0), t_cdf_new)
        ok = np.isfinite(t_new)
        t_new = np.where(ok, t_new, ti)
        flat_t[idx] = t_new
        conv = ~ok | (np.abs(t_new - ti) <= 1e-12 * t_new)
        idx = idx[~conv]
    out = flat_t.reshape(t.shape)
    out = np.where(at_zero, 0.0, out)
    out = np.where(at_inf, np.inf, out)
    return np.where(bad, np.nan, out)


def normal_interval_prob(lower, width):
    r"""``P(lower < Z < lower + width)`` for ``Z ~ N(0,1)``, ``width >= 0``, accurate
    in relative terms: via the truncated tail ``Phi(-l) C(l, width)`` when the
    interval lies on one side of 0 and via a sum of ``erf`` terms when it straddles 0.
    """
    lower, width = np.broadcast_arrays(np.asarray(lower, dtype=float), np.asarray(width, dtype=float))
    upper = lower + width
    right = lower >= 0
    left = upper <= 0
    with np.errstate(under="ignore"):
        p_right = np.exp(log_ndtr(-lower) + log_cdf_trunc(np.where(right, lower, 0.0), width))
        p_left = np.exp(log_ndtr(upper) + log_cdf_trunc(np.where(left, -upper, 0.0), width))
    p_mid = 0.5 * (erf(upper / _SQRT2) - erf(lower / _SQRT2))
    return np.where(right, p_right, np.where(left, p_left, p_mid))
