r"""Exact posteriors for the one-coordinate normal-means model.

The model is a single observation of a single coefficient,

.. math::

    y \mid w \sim N(w, \sigma^2),

under one of three priors on :math:`w`:

* Laplace(0, b), density :math:`e^{-|w|/b} / (2b)`  ->  :func:`laplace_posterior`;
* Gaussian :math:`N(0, s^2)`  ->  :func:`gaussian_posterior`;
* horseshoe with global scale :math:`\tau`,
  :math:`w \mid \lambda \sim N(0, \lambda^2\tau^2)`, :math:`\lambda \sim C^+(0, 1)`
  ->  :func:`horseshoe_posterior_moments`, :func:`horseshoe_marginal_logpdf`.

These closed forms (or one-dimensional quadratures) are the ground truth that
samplers and MAP solvers elsewhere in the package are checked against.  The module
is self-contained (numpy and scipy only) and every routine is vectorised over ``y``
(and over the scale parameters, with numpy broadcasting).

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
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import integrate
from scipy.special import erf, erfcx, log_ndtr, ndtr, ndtri, ndtri_exp

__all__ = [
    "GaussianPosterior",
    "HorseshoeMoments",
    "LaplacePosterior",
    "gaussian_posterior",
    "horseshoe_marginal_logpdf",
    "horseshoe_posterior_moments",
    "laplace_posterior",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_SQRT_HALF_PI = 0.5 * math.log(0.5 * math.pi)
_SQRT2 = math.sqrt(2.0)
_LOG_HALF = math.log(0.5)
_LOG_2_OVER_PI = math.log(2.0 / math.pi)
# Above this truncation point the continued fraction replaces the direct formulas.
_CF_THRESHOLD = 3.0
_CF_TERMS = 80
# Gauss-Legendre rule for the log survival ratio over short intervals.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
_GL_SHORT = 0.1
_NEWTON_MAXITER = 60


# ---------------------------------------------------------------------------
# validation and output helpers
# ---------------------------------------------------------------------------


def _as_float_array(name, value):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {value!r}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    return arr


def _check_scale(name, value):
    """Return ``value`` as a float array after checking it is positive and finite."""
    arr = _as_float_array(name, value)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be strictly positive, got {value!r}")
    return arr


def _check_y(value):
    arr = _as_float_array("y", value)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"y must be finite (no NaN or inf), got {value!r}")
    return arr


def _frozen(*arrays):
    """Broadcast to a common shape, copy and make read-only."""
    out = []
    for arr in np.broadcast_arrays(*arrays):
        arr = np.array(arr, dtype=float, copy=True)
        arr.flags.writeable = False
        out.append(arr)
    return out


def _ret(x):
    """Return a Python float for 0-d results, the array otherwise."""
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def _sample_shape(size, batch_shape):
    if size is None:
        return tuple(batch_shape)
    if np.ndim(size) == 0:
        return (int(size),) + tuple(batch_shape)
    return tuple(int(s) for s in size) + tuple(batch_shape)


# ---------------------------------------------------------------------------
# stable standard-normal primitives
# ---------------------------------------------------------------------------


def _log_mills(x):
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
    out_n = log_ndtr(-xn) + 0.5 * xn * xn + _LOG_SQRT_2PI
    return np.where(pos, out_p, out_n)


def _hazard(x):
    """Normal hazard ``phi(x) / Phi(-x)`` (inverse Mills ratio)."""
    return np.exp(-_log_mills(x))


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


def _trunc_moments(a):
    r"""Mean offset and variance of ``Z | Z > a`` for ``Z ~ N(0, 1)``.

    Returns ``(r1, v)`` with ``E[Z - a | Z > a] = r1 = 1/m(a) - a`` and
    ``Var[Z | Z > a] = v = 1 - r1 (a + r1)``.  For ``a > 3`` the continued-fraction
    forms ``r1 = T_1`` and ``v = (a + 2 T_2 - T_3) / ((a + T_3)(a + T_2)^2)`` are used.
    """
    a = np.asarray(a, dtype=float)
    big = a > _CF_THRESHOLD
    ad = np.where(big, 0.0, a)
    h = _hazard(ad)
    r1_d = h - ad
    v_d = 1.0 - h * r1_d
    ac = np.where(big, a, 2.0 * _CF_THRESHOLD)
    t1, t2, t3 = _cf_tails(ac)
    r1_c = t1
    v_c = (ac + 2.0 * t2 - t3) / ((ac + t3) * (ac + t2) ** 2)
    return np.where(big, r1_c, r1_d), np.where(big, v_c, v_d)


def _log_sf_trunc(a, t):
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
        short = t * (1.0 + np.abs(a)) <= _GL_SHORT
    ts = np.where(short, t, 0.0)
    nodes = a[..., None] + ts[..., None] * (0.5 * (1.0 + _GL_X))
    g_short = -0.5 * ts * np.sum(_GL_W * _hazard(nodes), axis=-1)
    tl = np.where(short, 1.0, t)
    with np.errstate(over="ignore"):
        g_pos = -tl * (a + 0.5 * tl) + _log_mills(a + tl) - _log_mills(a)
    g_neg = log_ndtr(-a - tl) - log_ndtr(-a)
    return np.where(short, g_short, np.where(a >= 0, g_pos, g_neg))


def _log1mexp(g):
    """``log(1 - exp(g))`` for ``g <= 0``, accurate on both sides of ``-log 2``."""
    g = np.asarray(g, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(g > -math.log(2.0), np.log(-np.expm1(g)), np.log1p(-np.exp(g)))


def _log_cdf_trunc(a, t):
    """``log P(a < Z < a + t | Z > a)`` for ``t >= 0`` (``-inf`` at ``t = 0``)."""
    return _log1mexp(_log_sf_trunc(a, t))


def _log_dens_trunc(a, t):
    r"""``log(phi(a + t) / Phi(-a))``: log density of ``Z - a`` given ``Z > a`` at ``t``.

    Evaluated as ``-t (a + t/2) - log m(a)`` for ``a >= 0`` and as
    ``-(a+t)^2/2 - log sqrt(2 pi) - log Phi(-a)`` for ``a < 0``.
    """
    a, t = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(t, dtype=float))
    ap = np.where(a >= 0, a, 0.0)
    an = np.where(a >= 0, 0.0, a)
    with np.errstate(over="ignore"):
        d_pos = -t * (ap + 0.5 * t) - _log_mills(ap)
        d_neg = -0.5 * (an + t) ** 2 - _LOG_SQRT_2PI - log_ndtr(-an)
    return np.where(a >= 0, d_pos, d_neg)


def _trunc_ppf(a, log_c, log_s):
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
        log_t_lin = log_c + _log_mills(a)

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
            step_sf = (_log_sf_trunc(ai, ti) - ls_f[idx]) / _hazard(ai + ti)
            # lower half: log C(a, t) = log_c with (log C)' = phi(a+t) / (Phi(-a) C).
            # The step is taken as a step du = dt / t in log t, applied additively
            # when small (plain Newton in t) and multiplicatively when large, so
            # t stays positive even from a poor start.
            lc = _log_cdf_trunc(ai, ti)
            du = -(lc - lc_f[idx]) / (ti * np.exp(_log_dens_trunc(ai, ti) - lc))
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


def _normal_interval_prob(lower, width):
    r"""``P(lower < Z < lower + width)`` for ``Z ~ N(0,1)``, ``width >= 0``, accurate
    in relative terms: via the truncated tail ``Phi(-l) C(l, width)`` when the
    interval lies on one side of 0 and via a sum of ``erf`` terms when it straddles 0.
    """
    lower, width = np.broadcast_arrays(np.asarray(lower, dtype=float), np.asarray(width, dtype=float))
    upper = lower + width
    right = lower >= 0
    left = upper <= 0
    with np.errstate(under="ignore"):
        p_right = np.exp(log_ndtr(-lower) + _log_cdf_trunc(np.where(right, lower, 0.0), width))
        p_left = np.exp(log_ndtr(upper) + _log_cdf_trunc(np.where(left, -upper, 0.0), width))
    p_mid = 0.5 * (erf(upper / _SQRT2) - erf(lower / _SQRT2))
    return np.where(right, p_right, np.where(left, p_left, p_mid))


# ---------------------------------------------------------------------------
# Laplace prior
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LaplacePosterior:
    r"""Exact posterior of ``w`` given ``y ~ N(w, sigma^2)`` and ``w ~ Laplace(0, b)``.

    The unnormalised posterior is
    :math:`\exp\{-(y - w)^2 / (2\sigma^2) - |w| / b\}`.  Completing the square on
    each half line gives Hans' (2009) "lasso distribution", a two-piece mixture of
    truncated normals:

    .. math::

        p(w \mid y) = \pi_+ \, TN(w; \mu_+, \sigma^2, [0, \infty))
                    + \pi_- \, TN(w; \mu_-, \sigma^2, (-\infty, 0)),
        \qquad \mu_\pm = y \mp \sigma^2 / b,

    with :math:`\pi_+ \propto e^{-y/b}\Phi(\mu_+/\sigma)` and
    :math:`\pi_- \propto e^{y/b}\Phi(-\mu_-/\sigma)` (common factor
    :math:`e^{\sigma^2/(2b^2)}\sqrt{2\pi}\sigma` dropped).  In terms of the
    standardised truncation points :math:`a_+ = \sigma/b - y/\sigma` and
    :math:`a_- = \sigma/b + y/\sigma` the log odds are exactly
    :math:`\log(\pi_+/\pi_-) = \log m(a_+) - \log m(a_-)` with Mills' ratio
    :math:`m(a) = \Phi(-a)/\varphi(a)` (equivalently
    :math:`\int_{a_+}^{a_-} r_1(a)\,da`, integrated by Gauss-Legendre when
    :math:`a_- - a_+ = 2y/\sigma` is short), so the weights never over- or
    underflow before the final exponentiation and stay accurate as :math:`y \to 0`.  On the positive piece
    :math:`w = \sigma (Z - a_+)` with :math:`Z \sim N(0,1)` conditioned on
    :math:`Z > a_+`; on the negative piece :math:`w = -\sigma (Z - a_-)` with
    :math:`Z > a_-`.

    Construct it with :func:`laplace_posterior`.  All attributes broadcast over the
    common shape of ``y``, ``sigma`` and ``b``; 0-d results are returned as floats.

    Attributes
    ----------
    y, sigma, b : ndarray
        The observation, noise scale and Laplace scale (broadcast, read-only).
    """

    y: np.ndarray
    sigma: np.ndarray
    b: np.ndarray
    _a_pos: np.ndarray = field(init=False, repr=False)
    _a_neg: np.ndarray = field(init=False, repr=False)
    _log_w_pos: np.ndarray = field(init=False, repr=False)
    _log_w_neg: np.ndarray = field(init=False, repr=False)
    _log_odds: np.ndarray = field(init=False, repr=False)
    _r_pos: np.ndarray = field(init=False, repr=False)
    _r_neg: np.ndarray = field(init=False, repr=False)
    _r_diff: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        y = _check_y(self.y)
        sigma = _check_scale("sigma", self.sigma)
        b = _check_scale("b", self.b)
        y, sigma, b = _frozen(y, sigma, b)
        a_pos = sigma / b - y / sigma
        a_neg = sigma / b + y / sigma
        # log(pi_+/pi_-) = log m(a_+) - log m(a_-) = int_{a_+}^{a_-} r_1(a) da and
        # r_1(a_+) - r_1(a_-) = int_{a_+}^{a_-} v(a) da (as d log m/da = -r_1 and
        # dr_1/da = -v).  When a_- - a_+ = 2y/sigma is short on the scale on which
        # r_1 and v vary, the differences cancel, so use Gauss-Legendre instead.
        r_pos, _ = _trunc_moments(a_pos)
        r_neg, _ = _trunc_moments(a_neg)
        delta = 2.0 * y / sigma
        a_mid = sigma / b
        short = np.abs(delta) <= _GL_SHORT * np.maximum(1.0, a_mid)
        half = np.where(short, 0.5 * delta, 0.0)
        r_nodes, v_nodes = _trunc_moments(a_mid[..., None] + half[..., None] * _GL_X)
        int_r = half * np.sum(_GL_W * r_nodes, axis=-1)
        int_v = half * np.sum(_GL_W * v_nodes, axis=-1)
        log_odds = np.where(short, int_r, _log_mills(a_pos) - _log_mills(a_neg))
        r_diff = np.where(short, int_v, r_pos - r_neg)
        log_w_pos = -np.logaddexp(0.0, -log_odds)
        log_w_neg = -np.logaddexp(0.0, log_odds)
        for name, value in (
            ("y", y),
            ("sigma", sigma),
            ("b", b),
            ("_a_pos", a_pos),
            ("_a_neg", a_neg),
            ("_log_w_pos", log_w_pos),
            ("_log_w_neg", log_w_neg),
            ("_log_odds", log_odds),
            ("_r_pos", r_pos),
            ("_r_neg", r_neg),
            ("_r_diff", r_diff),
        ):
            value = np.asarray(value)
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    # -- basic quantities ---------------------------------------------------
    @property
    def shape(self):
        """Common (broadcast) shape of ``y``, ``sigma`` and ``b``."""
        return self.y.shape

    @property
    def prob_positive(self):
        r""":math:`P(w \ge 0 \mid y) = \pi_+`."""
        return _ret(np.exp(self._log_w_pos))

    @property
    def prob_negative(self):
        r""":math:`P(w < 0 \mid y) = \pi_- = 1 / (1 + m(a_+)/m(a_-))`."""
        return _ret(np.exp(self._log_w_neg))

    @property
    def log_prob_negative(self):
        r""":math:`\log P(w < 0 \mid y)`, finite even when the probability underflows."""
        return _ret(self._log_w_neg)

    @property
    def mode(self):
        r"""Posterior mode (the lasso / MAP estimate): soft thresholding,
        :math:`\operatorname{sign}(y)\max(|y| - \sigma^2/b, 0)`."""
        return _ret(np.sign(self.y) * np.maximum(np.abs(self.y) - self.sigma**2 / self.b, 0.0))

    @property
    def mean(self):
        r"""Posterior mean.

        :math:`E[w \mid y] = \sigma\{\pi_+ r_1(a_+) - \pi_- r_1(a_-)\}` with
        :math:`r_1(a) = E[Z - a \mid Z > a] = 1/m(a) - a`, rearranged (using
        :math:`\pi_\pm = (1 \pm \tanh(L/2))/2`, :math:`L = \log(\pi_+/\pi_-)`) as

        .. math::

            E[w \mid y] = \frac{\sigma}{2}\Big\{[r_1(a_+) - r_1(a_-)]
                + \tanh(L/2)\,[r_1(a_+) + r_1(a_-)]\Big\},

        where both terms have the sign of ``y``.  When
        :math:`a_- - a_+ = 2y/\sigma` is short, :math:`r_1(a_+) - r_1(a_-) =
        \int_{a_+}^{a_-} v(a)\,da` and :math:`L = \int_{a_+}^{a_-} r_1(a)\,da` are
        computed by Gauss-Legendre quadrature, so the mean keeps full relative
        accuracy even for :math:`|y| \ll \sigma` (where it is proportional to ``y``).
        Equivalently :math:`E[w \mid y] = y - (\sigma^2/b)(\pi_+ - \pi_-)`; for
        :math:`y \gg \sigma^2/b` it tends to :math:`y - \sigma^2/b`.
        """
        diff = np.tanh(0.5 * self._log_odds)  # pi_+ - pi_-
        return _ret(0.5 * self.sigma * (self._r_diff + diff * (self._r_pos + self._r_neg)))

    @property
    def var(self):
        r"""Posterior variance.

        Mixture formula with no cancellation:
        :math:`\sigma^2\{\pi_+ v(a_+) + \pi_- v(a_-) + \pi_+\pi_- (r_1(a_+) + r_1(a_-))^2\}`,
        with :math:`v(a) = Var[Z \mid Z > a]`.
        """
        _, v_pos = _trunc_moments(self._a_pos)
        _, v_neg = _trunc_moments(self._a_neg)
        w_pos = np.exp(self._log_w_pos)
        w_neg = np.exp(self._log_w_neg)
        jump = self._r_pos + self._r_neg
        return _ret(self.sigma**2 * (w_pos * v_pos + w_neg * v_neg + w_pos * w_neg * jump * jump))

    @property
    def std(self):
        """Posterior standard deviation, ``sqrt(var)``."""
        return _ret(np.sqrt(self.var))

    # -- distribution functions ------------------------------------------
    def logpdf(self, w):
        r"""Log posterior density at ``w`` (broadcast against the parameters).

        For :math:`w \ge 0`:
        :math:`\log\pi_+ - \log\sigma + \log\varphi(a_+ + w/\sigma) - \log\Phi(-a_+)`;
        for :math:`w < 0` the same with :math:`\pi_-, a_-` and :math:`|w|`.
        """
        w = np.asarray(w, dtype=float)
        t = np.abs(w) / self.sigma
        lp = self._log_w_pos + _log_dens_trunc(self._a_pos, t)
        ln = self._log_w_neg + _log_dens_trunc(self._a_neg, t)
        return _ret(np.where(w >= 0, lp, ln) - np.log(self.sigma))

    def pdf(self, w):
        """Posterior density at ``w``."""
        return _ret(np.exp(self.logpdf(w)))

    def cdf(self, w):
        r"""Posterior cdf :math:`P(W \le w \mid y)`.

        For :math:`w < 0`: :math:`\pi_- \Phi(-(a_- + |w|/\sigma))/\Phi(-a_-)`;
        for :math:`w \ge 0`:
        :math:`\pi_- + \pi_+ \{1 - \Phi(-(a_+ + w/\sigma))/\Phi(-a_+)\}`, the ratios
        evaluated with the stable log survival ratio of the module notes.
        """
        w = np.asarray(w, dtype=float)
        t = np.abs(w) / self.sigma
        with np.errstate(under="ignore"):
            c_pos = np.exp(self._log_w_neg) + np.exp(self._log_w_pos + _log_cdf_trunc(self._a_pos, t))
            c_neg = np.exp(self._log_w_neg + _log_sf_trunc(self._a_neg, t))
        return _ret(np.where(w >= 0, c_pos, c_neg))

    def sf(self, w):
        r"""Posterior survival function :math:`P(W > w \mid y) = 1 - \mathrm{cdf}(w)`,
        computed directly (accurate in the upper tail)."""
        w = np.asarray(w, dtype=float)
        t = np.abs(w) / self.sigma
        with np.errstate(under="ignore"):
            s_pos = np.exp(self._log_w_pos + _log_sf_trunc(self._a_pos, t))
            s_neg = np.exp(self._log_w_pos) + np.exp(self._log_w_neg + _log_cdf_trunc(self._a_neg, t))
        return _ret(np.where(w >= 0, s_pos, s_neg))

    def ppf(self, q):
        r"""Posterior quantile function (inverse of :meth:`cdf`).

        For :math:`q < \pi_-` the quantile is on the negative piece,
        :math:`w = -\sigma t` with :math:`P(Z > a_- + t \mid Z > a_-) = q/\pi_-`;
        otherwise :math:`w = \sigma t` with
        :math:`P(a_+ < Z < a_+ + t \mid Z > a_+) = (q - \pi_-)/\pi_+`.  ``t`` is found
        by a closed-form start (``ndtri_exp``) polished with Newton's method.
        ``q`` outside ``[0, 1]`` gives NaN; ``q = 0, 1`` give ``-inf, inf``.
        """
        q = np.asarray(q, dtype=float)
        q, lwp, lwn, a_pos, a_neg, sigma = np.broadcast_arrays(
            q, self._log_w_pos, self._log_w_neg, self._a_pos, self._a_neg, self.sigma
        )
        invalid = ~((q >= 0) & (q <= 1))
        qs = np.where(invalid, 0.5, q)
        w_neg = np.exp(lwn)
        neg = qs < w_neg
        with np.errstate(divide="ignore", invalid="ignore"):
            # negative piece, mirrored: survival of |w| is q / pi_-
            ls_n = np.log(qs) - lwn
            lc_n = np.log(np.maximum(w_neg - qs, 0.0)) - lwn
            # positive piece: cdf is (q - pi_-) / pi_+, survival (1 - q) / pi_+
            lc_p = np.log(np.maximum(qs - w_neg, 0.0)) - lwp
            ls_p = np.log1p(-qs) - lwp
        a = np.where(neg, a_neg, a_pos)
        log_c = np.where(neg, lc_n, lc_p)
        log_s = np.where(neg, ls_n, ls_p)
        t = _trunc_ppf(a, log_c, log_s)
        w = np.where(neg, -sigma * t, sigma * t)
        w = np.where(q == 0, -np.inf, np.where(q == 1, np.inf, w))
        return _ret(np.where(invalid, np.nan, w))

    @property
    def median(self):
        """Posterior median, ``ppf(0.5)``."""
        return self.ppf(0.5)

    def prob_abs_below(self, eps):
        r""":math:`P(|w| < \varepsilon \mid y)`.

        :math:`\pi_+ P(a_+ < Z < a_+ + \varepsilon/\sigma \mid Z > a_+) +
        \pi_- P(a_- < Z < a_- + \varepsilon/\sigma \mid Z > a_-)`; 0 for
        :math:`\varepsilon \le 0`.
        """
        eps = np.asarray(eps, dtype=float)
        t = np.maximum(eps, 0.0) / self.sigma
        with np.errstate(under="ignore"):
            p = np.exp(self._log_w_pos + _log_cdf_trunc(self._a_pos, t)) + np.exp(
                self._log_w_neg + _log_cdf_trunc(self._a_neg, t)
            )
        return _ret(np.where(np.isnan(eps), np.nan, p))

    def sample(self, size=None, random_seed=None):
        r"""Exact posterior draws.

        A sign is drawn with :math:`P(w < 0) = \pi_-`, then the magnitude by
        inversion of the truncated-normal piece (:func:`_trunc_ppf` on a uniform), so
        the draws are exact up to floating point even far in the tails.

        Parameters
        ----------
        size : int or tuple of int, optional
            Number of draws; prepended to the batch shape of the posterior.
        random_seed : int, numpy.random.Generator or None
            Passed to :func:`numpy.random.default_rng`.

        Returns
        -------
        ndarray of shape ``size + self.shape`` (a float when both are empty).
        """
        rng = np.random.default_rng(random_seed)
        shape = _sample_shape(size, self.shape)
        u_sign = rng.random(shape)
        u_mag = 1.0 - rng.random(shape)  # in (0, 1]
        lwn = np.broadcast_to(self._log_w_neg, shape)
        neg = u_sign < np.exp(lwn)
        a = np.where(neg, np.broadcast_to(self._a_neg, shape), np.broadcast_to(self._a_pos, shape))
        with np.errstate(divide="ignore"):
            t = _trunc_ppf(a, np.log1p(-u_mag), np.log(u_mag))
        sigma = np.broadcast_to(self.sigma, shape)
        return _ret(np.where(neg, -sigma * t, sigma * t))


def laplace_posterior(y, *, sigma, b):
    r"""Exact posterior of ``w`` under ``y ~ N(w, sigma^2)``, ``w ~ Laplace(0, b)``.

    The prior density is :math:`e^{-|w|/b}/(2b)`.  The posterior is the two-piece
    truncated-normal mixture described in :class:`LaplacePosterior` (Hans 2009):
    on :math:`w \ge 0` it is proportional to :math:`N(w \mid y - \sigma^2/b,
    \sigma^2)`, on :math:`w < 0` to :math:`N(w \mid y + \sigma^2/b, \sigma^2)`.

    Parameters
    ----------
    y : array_like
        Observation(s); must be finite.
    sigma : array_like
        Noise standard deviation, positive and finite.
    b : array_like
        Laplace scale, positive and finite.  ``y``, ``sigma`` and ``b`` broadcast.

    Returns
    -------
    LaplacePosterior

    Raises
    ------
    ValueError
        If ``sigma`` or ``b`` is not positive and finite or ``y`` is not finite.
    """
    return LaplacePosterior(y, sigma, b)


# ---------------------------------------------------------------------------
# Gaussian prior
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GaussianPosterior:
    r"""Posterior of ``w`` given ``y ~ N(w, sigma^2)`` and ``w ~ N(0, s^2)``.

    :math:`w \mid y \sim N(\mu, v)` with :math:`\mu = y s^2/(s^2 + \sigma^2)` and
    :math:`v = s^2\sigma^2/(s^2 + \sigma^2)`; the standard deviation is computed as
    :math:`s\sigma/\operatorname{hypot}(s, \sigma)` so nothing overflows.
    Construct it with :func:`gaussian_posterior`.

    Attributes
    ----------
    y, sigma, s : ndarray
        Observation, noise scale and prior scale (broadcast, read-only).
    """

    y: np.ndarray
    sigma: np.ndarray
    s: np.ndarray
    _loc: np.ndarray = field(init=False, repr=False)
    _scale: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        y = _check_y(self.y)
        sigma = _check_scale("sigma", self.sigma)
        s = _check_scale("s", self.s)
        y, sigma, s = _frozen(y, sigma, s)
        r = np.hypot(s, sigma)
        shrink = (s / r) ** 2  # s^2 / (s^2 + sigma^2)
        loc = y * shrink
        scale = s * (sigma / r)
        for name, value in (("y", y), ("sigma", sigma), ("s", s), ("_loc", loc), ("_scale", scale)):
            value = np.asarray(value)
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @property
    def shape(self):
        """Common (broadcast) shape of ``y``, ``sigma`` and ``s``."""
        return self.y.shape

    @property
    def mean(self):
        r""":math:`E[w \mid y] = y s^2/(s^2 + \sigma^2)`."""
        return _ret(self._loc)

    @property
    def median(self):
        """Posterior median (equal to the mean)."""
        return _ret(self._loc)

    @property
    def mode(self):
        """Posterior mode (equal to the mean; never exactly zero unless ``y = 0``)."""
        return _ret(self._loc)

    @property
    def var(self):
        r""":math:`Var[w \mid y] = s^2\sigma^2/(s^2 + \sigma^2)`."""
        return _ret(self._scale**2)

    @property
    def std(self):
        r"""Posterior standard deviation :math:`s\sigma/\sqrt{s^2 + \sigma^2}`."""
        return _ret(self._scale)

    def logpdf(self, w):
        r"""Log posterior density :math:`\log N(w; \mu, v)`."""
        z = (np.asarray(w, dtype=float) - self._loc) / self._scale
        return _ret(-0.5 * z * z - _LOG_SQRT_2PI - np.log(self._scale))

    def pdf(self, w):
        """Posterior density at ``w``."""
        return _ret(np.exp(self.logpdf(w)))

    def cdf(self, w):
        r""":math:`\Phi((w - \mu)/\sqrt v)`."""
        return _ret(ndtr((np.asarray(w, dtype=float) - self._loc) / self._scale))

    def sf(self, w):
        r""":math:`\Phi(-(w - \mu)/\sqrt v)`."""
        return _ret(ndtr(-(np.asarray(w, dtype=float) - self._loc) / self._scale))

    def ppf(self, q):
        r"""Quantile :math:`\mu + \sqrt v\,\Phi^{-1}(q)`."""
        return _ret(self._loc + self._scale * ndtri(np.asarray(q, dtype=float)))

    @property
    def prob_negative(self):
        r""":math:`P(w < 0 \mid y) = \Phi(-\mu/\sqrt v)`."""
        return _ret(ndtr(-self._loc / self._scale))

    @property
    def prob_positive(self):
        r""":math:`P(w > 0 \mid y) = \Phi(\mu/\sqrt v)`."""
        return _ret(ndtr(self._loc / self._scale))

    def prob_abs_below(self, eps):
        r""":math:`P(|w| < \varepsilon \mid y) = \Phi((\varepsilon-\mu)/\sqrt v) -
        \Phi((-\varepsilon-\mu)/\sqrt v)`, evaluated without cancellation; 0 for
        :math:`\varepsilon \le 0`."""
        eps = np.maximum(np.asarray(eps, dtype=float), 0.0)
        finite = np.isfinite(eps)
        e = np.where(finite, eps, 0.0)
        lower = (-e - self._loc) / self._scale
        width = 2.0 * e / self._scale
        p = _normal_interval_prob(lower, width)
        return _ret(np.where(finite, p, np.where(np.isnan(eps), np.nan, 1.0)))

    def sample(self, size=None, random_seed=None):
        """Exact draws, shape ``size + self.shape`` (see :meth:`LaplacePosterior.sample`)."""
        rng = np.random.default_rng(random_seed)
        shape = _sample_shape(size, self.shape)
        return _ret(self._loc + self._scale * rng.standard_normal(shape))


def gaussian_posterior(y, *, sigma, s):
    r"""Posterior of ``w`` under ``y ~ N(w, sigma^2)``, ``w ~ N(0, s^2)``.

    :math:`w \mid y \sim N\big(y s^2/(s^2+\sigma^2),\; s^2\sigma^2/(s^2+\sigma^2)\big)`.

    Parameters
    ----------
    y : array_like
        Observation(s); must be finite.
    sigma : array_like
        Noise standard deviation, positive and finite.
    s : array_like
        Prior standard deviation, positive and finite.

    Returns
    -------
    GaussianPosterior

    Raises
    ------
    ValueError
        If ``sigma`` or ``s`` is not positive and finite or ``y`` is not finite.
    """
    return GaussianPosterior(y, sigma, s)


# ---------------------------------------------------------------------------
# horseshoe prior
# ---------------------------------------------------------------------------


class HorseshoeMoments(NamedTuple):
    """Posterior mean and variance of ``w`` under the horseshoe prior."""

    mean: float | np.ndarray
    var: float | np.ndarray


def _log_add(x, y):
    if x < y:
        x, y = y, x
    return x + math.log1p(math.exp(y - x))


def _hs_log_terms(t, ay, log_sig2, log_tau2):
    r"""Log joint ``log p(t) + log N(y; 0, sigma^2 + e^{2t} tau^2)`` at ``t = log lambda``,
    together with ``log(1 - kappa)`` and ``log kappa``."""
    lt2 = 2.0 * t + log_tau2
    log_v = _log_add(log_sig2, lt2)
    # log p(t) = log(2/pi) + t - log(1 + e^{2t}),  p(t) = 1 / (pi cosh t)
    log_prior = _LOG_2_OVER_PI + t - (2.0 * t + math.log1p(math.exp(-2.0 * t)) if t > 0 else math.log1p(math.exp(2.0 * t)))
    loglik = -_LOG_SQRT_2PI - 0.5 * log_v
    if ay > 0:
        loglik -= 0.5 * math.exp(2.0 * math.log(ay) - log_v)
    return log_prior + loglik, lt2 - log_v, log_sig2 - log_v


def _hs_scalar(ay, sigma, tau, moments):
    """Horseshoe quadrature for one ``|y|``: ``(log p(y), E[1-kappa], Var[w] / y^2 part)``."""
    log_sig2 = 2.0 * math.log(sigma)
    log_tau2 = 2.0 * math.log(tau)
    feats = [0.0, math.log(sigma / tau)]
    if ay > 0:
        # where e^{2t} tau^2 ~ y^2 / 2 (the likelihood peak in lambda for large |y|)
        feats.append(math.log(ay / tau) - 0.5 * math.log(2.0))
    lo = min(feats) - 50.0
    hi = max(feats) + 50.0
    grid = np.linspace(lo, hi, 1001)
    ell_grid = np.array([_hs_log_terms(float(t), ay, log_sig2, log_tau2)[0] for t in grid])
    k = int(np.argmax(ell_grid))
    shift = float(ell_grid[k])
    pts = sorted({p for p in feats + [float(grid[k])] if lo < p < hi})

    def integral(fn):
        val, _ = integrate.quad(fn, lo, hi, points=pts, epsabs=0.0, epsrel=1e-11, limit=400)
        return val

    def dens(t):
        ell, lq, lk = _hs_log_terms(t, ay, log_sig2, log_tau2)
        return math.exp(ell - shift), lq, lk

    z = integral(lambda t: dens(t)[0])
    log_marg = shift + math.log(z)
    if not moments:
        return log_marg, math.nan, math.nan, math.nan

    def first(t):
        d, lq, _ = dens(t)
        return d * math.exp(lq)

    def first_k(t):
        d, _, lk = dens(t)
        return d * math.exp(lk)

    e_q = integral(first) / z
    e_k = integral(first_k) / z
    # centre on whichever of kappa, 1-kappa is small, so the second pass is accurate
    use_q = e_q <= 0.5
    centre = e_q if use_q else e_k

    def second(t):
        d, lq, lk = dens(t)
        r = math.exp(lq) if use_q else math.exp(lk)
        return d * (r - centre) ** 2

    var_k = integral(second) / z
    return log_marg, e_q, var_k, e_k


def _hs_broadcast(y, sigma, tau):
    y = _check_y(y)
    sigma = _check_scale("sigma", sigma)
    tau = _check_scale("tau", tau)
    return np.broadcast_arrays(y, sigma, tau)


def horseshoe_posterior_moments(y, *, sigma, tau):
    r"""Posterior mean and variance of ``w`` under the horseshoe prior.

    Model: :math:`y \mid w \sim N(w, \sigma^2)`, :math:`w \mid \lambda \sim N(0,
    \lambda^2\tau^2)`, :math:`\lambda \sim C^+(0, 1)`.  With the shrinkage coefficient
    :math:`\kappa = 1/(1 + \lambda^2\tau^2/\sigma^2)`,
    :math:`w \mid y, \kappa \sim N((1-\kappa) y, (1-\kappa)\sigma^2)` and
    :math:`y \mid \kappa \sim N(0, \sigma^2/\kappa)`.  The prior of :math:`\kappa`
    follows from :math:`\lambda = (\sigma/\tau)\sqrt{(1-\kappa)/\kappa}` and
    :math:`p(\lambda) = 2/(\pi(1+\lambda^2))`:

    .. math::

        p(\kappa) = \frac{A}{\pi}\,
            \frac{\kappa^{-1/2}(1-\kappa)^{-1/2}}{\kappa + A^2(1-\kappa)},
        \qquad A = \sigma/\tau,

    which is Beta(1/2, 1/2) only when :math:`\tau = \sigma`.  Hence

    .. math::

        p(\kappa \mid y) \propto \frac{(1-\kappa)^{-1/2}\, e^{-\kappa y^2/(2\sigma^2)}}
            {\kappa + A^2(1-\kappa)},

    :math:`E[w \mid y] = (1 - E[\kappa \mid y])\, y` (Carvalho, Polson & Scott 2010)
    and :math:`Var[w \mid y] = \sigma^2 E[1-\kappa \mid y] + y^2 Var[\kappa \mid y]`.

    The expectations are computed by :func:`scipy.integrate.quad` in
    :math:`t = \log\lambda`, where the integrand
    :math:`p(t)\,N(y; 0, \sigma^2 + e^{2t}\tau^2)`, :math:`p(t) = 1/(\pi\cosh t)`, is
    smooth with exponentially decaying tails (the substitution removes the
    :math:`(1-\kappa)^{-1/2}` endpoint singularity).  The log integrand is shifted by
    its maximum, so any :math:`|y|` is safe; the variance uses a second, centred pass
    on whichever of :math:`\kappa`, :math:`1-\kappa` has mean below 1/2.

    Parameters
    ----------
    y : array_like
        Observation(s); must be finite.
    sigma : array_like
        Noise standard deviation, positive and finite.
    tau : array_like
        Global scale, positive and finite.

    Returns
    -------
    HorseshoeMoments
        Named tuple ``(mean, var)`` (floats for scalar input, arrays otherwise).
        The mean is exactly odd in ``y``.

    Raises
    ------
    ValueError
        If ``sigma`` or ``tau`` is not positive and finite or ``y`` is not finite.
    """
    y, sigma, tau = _hs_broadcast(y, sigma, tau)
    mean = np.empty(y.shape)
    var = np.empty(y.shape)
    for idx in np.ndindex(y.shape):
        yi, si, ti = float(y[idx]), float(sigma[idx]), float(tau[idx])
        ay = abs(yi)
        _, e_q, var_k, _ = _hs_scalar(ay, si, ti, moments=True)
        mean[idx] = math.copysign(ay * e_q, yi) if yi != 0 else 0.0
        var[idx] = si * si * e_q + ay * ay * var_k
    return HorseshoeMoments(_ret(mean), _ret(var))


def horseshoe_marginal_logpdf(y, *, sigma, tau):
    r"""Log marginal density of ``y`` under the horseshoe prior.

    .. math::

        \log p(y) = \log \int_{-\infty}^{\infty} \frac{1}{\pi\cosh t}\,
            N(y; 0, \sigma^2 + e^{2t}\tau^2)\, dt,
        \qquad t = \log\lambda,

    equivalently :math:`\int_0^1 p(\kappa)\, N(y; 0, \sigma^2/\kappa)\, d\kappa`,
    evaluated by shifted quadrature as in :func:`horseshoe_posterior_moments`.

    Parameters
    ----------
    y : array_like
        Observation(s); must be finite.
    sigma, tau : array_like
        Noise standard deviation and global scale, positive and finite.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        If ``sigma`` or ``tau`` is not positive and finite or ``y`` is not finite.
    """
    y, sigma, tau = _hs_broadcast(y, sigma, tau)
    out = np.empty(y.shape)
    for idx in np.ndindex(y.shape):
        out[idx] = _hs_scalar(abs(float(y[idx])), float(sigma[idx]), float(tau[idx]), moments=False)[0]
    return _ret(out)
