r"""Exact posterior of the normal-means model under a Laplace prior (Hans 2009).

:math:`y \mid w \sim N(w, \sigma^2)`, :math:`w \sim` Laplace(0, b) with density
:math:`e^{-|w|/b} / (2b)`: a two-piece mixture of truncated normals, evaluated with the
stable truncated-normal numerics of :mod:`.truncated_normal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from priors.laplace import soft_threshold

from .common import checked_observation, frozen, ret, sample_shape, set_frozen
from .truncated_normal import (
    GL_SHORT,
    GL_W,
    GL_X,
    log_cdf_trunc,
    log_dens_trunc,
    log_mills,
    log_sf_trunc,
    trunc_moments,
    trunc_ppf,
)

__all__ = ["LaplacePosterior", "laplace_posterior"]


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
        y, sigma, b = frozen(*checked_observation(self.y, self.sigma, b=self.b))
        a_pos = sigma / b - y / sigma
        a_neg = sigma / b + y / sigma
        # log(pi_+/pi_-) = log m(a_+) - log m(a_-) = int_{a_+}^{a_-} r_1(a) da and
        # r_1(a_+) - r_1(a_-) = int_{a_+}^{a_-} v(a) da (as d log m/da = -r_1 and
        # dr_1/da = -v).  When a_- - a_+ = 2y/sigma is short on the scale on which
        # r_1 and v vary, the differences cancel, so use Gauss-Legendre instead.
        r_pos, _ = trunc_moments(a_pos)
        r_neg, _ = trunc_moments(a_neg)
        delta = 2.0 * y / sigma
        a_mid = sigma / b
        short = np.abs(delta) <= GL_SHORT * np.maximum(1.0, a_mid)
        half = np.where(short, 0.5 * delta, 0.0)
        r_nodes, v_nodes = trunc_moments(a_mid[..., None] + half[..., None] * GL_X)
        int_r = half * np.sum(GL_W * r_nodes, axis=-1)
        int_v = half * np.sum(GL_W * v_nodes, axis=-1)
        log_odds = np.where(short, int_r, log_mills(a_pos) - log_mills(a_neg))
        r_diff = np.where(short, int_v, r_pos - r_neg)
        log_w_pos = -np.logaddexp(0.0, -log_odds)
        log_w_neg = -np.logaddexp(0.0, log_odds)
        set_frozen(self, y=y, sigma=sigma, b=b, _a_pos=a_pos, _a_neg=a_neg, _log_w_pos=log_w_pos,
                   _log_w_neg=log_w_neg, _log_odds=log_odds, _r_pos=r_pos, _r_neg=r_neg, _r_diff=r_diff)

    # -- basic quantities ---------------------------------------------------
    @property
    def shape(self):
        """Common (broadcast) shape of ``y``, ``sigma`` and ``b``."""
        return self.y.shape

    @property
    def prob_positive(self):
        r""":math:`P(w \ge 0 \mid y) = \pi_+`."""
        return ret(np.exp(self._log_w_pos))

    @property
    def prob_negative(self):
        r""":math:`P(w < 0 \mid y) = \pi_- = 1 / (1 + m(a_+)/m(a_-))`."""
        return ret(np.exp(self._log_w_neg))

    @property
    def log_prob_negative(self):
        r""":math:`\log P(w < 0 \mid y)`, finite even when the probability underflows."""
        return ret(self._log_w_neg)

    @property
    def mode(self):
        r"""Posterior mode (the lasso / MAP estimate): soft thresholding,
        :math:`\operatorname{sign}(y)\max(|y| - \sigma^2/b, 0)`, exactly ``0.0`` when
        :math:`|y| \le \sigma^2/b` (:func:`priors.laplace.soft_threshold`)."""
        return ret(soft_threshold(self.y, self.sigma**2 / self.b))

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
        return ret(0.5 * self.sigma * (self._r_diff + diff * (self._r_pos + self._r_neg)))

    @property
    def var(self):
        r"""Posterior variance.

        Mixture formula with no cancellation:
        :math:`\sigma^2\{\pi_+ v(a_+) + \pi_- v(a_-) + \pi_+\pi_- (r_1(a_+) + r_1(a_-))^2\}`,
        with :math:`v(a) = Var[Z \mid Z > a]`.
        """
        _, v_pos = trunc_moments(self._a_pos)
        _, v_neg = trunc_moments(self._a_neg)
        w_pos = np.exp(self._log_w_pos)
        w_neg = np.exp(self._log_w_neg)
        jump = self._r_pos + self._r_neg
        return ret(self.sigma**2 * (w_pos * v_pos + w_neg * v_neg + w_pos * w_neg * jump * jump))

    @property
    def std(self):
        """Posterior standard deviation, ``sqrt(var)``."""
        return ret(np.sqrt(self.var))

    # -- distribution functions ------------------------------------------
    def logpdf(self, w):
        r"""Log posterior density at ``w`` (broadcast against the parameters).

        For :math:`w \ge 0`:
        :math:`\log\pi_+ - \log\sigma + \log\varphi(a_+ + w/\sigma) - \log\Phi(-a_+)`;
        for :math:`w < 0` the same with :math:`\pi_-, a_-` and :math:`|w|`.
        """
        w = np.asarray(w, dtype=float)
        t = np.abs(w) / self.sigma
        lp = self._log_w_pos + log_dens_trunc(self._a_pos, t)
        ln = self._log_w_neg + log_dens_trunc(self._a_neg, t)
        return ret(np.where(w >= 0, lp, ln) - np.log(self.sigma))

    def pdf(self, w):
        """Posterior density at ``w``."""
        return ret(np.exp(self.logpdf(w)))

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
            c_pos = np.exp(self._log_w_neg) + np.exp(self._log_w_pos + log_cdf_trunc(self._a_pos, t))
            c_neg = np.exp(self._log_w_neg + log_sf_trunc(self._a_neg, t))
        return ret(np.where(w >= 0, c_pos, c_neg))

    def sf(self, w):
        r"""Posterior survival function :math:`P(W > w \mid y) = 1 - \mathrm{cdf}(w)`,
        computed directly (accurate in the upper tail)."""
        w = np.asarray(w, dtype=float)
        t = np.abs(w) / self.sigma
        with np.errstate(under="ignore"):
            s_pos = np.exp(self._log_w_pos + log_sf_trunc(self._a_pos, t))
            s_neg = np.exp(self._log_w_pos) + np.exp(self._log_w_neg + log_cdf_trunc(self._a_neg, t))
        return ret(np.where(w >= 0, s_pos, s_neg))

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
        t = trunc_ppf(a, log_c, log_s)
        w = np.where(neg, -sigma * t, sigma * t)
        w = np.where(q == 0, -np.inf, np.where(q == 1, np.inf, w))
        return ret(np.where(invalid, np.nan, w))

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
            p = np.exp(self._log_w_pos + log_cdf_trunc(self._a_pos, t)) + np.exp(
                self._log_w_neg + log_cdf_trunc(self._a_neg, t)
            )
        return ret(np.where(np.isnan(eps), np.nan, p))

    def sample(self, size=None, random_seed=None):
        r"""Exact posterior draws.

        A sign is drawn with :math:`P(w < 0) = \pi_-`, then the magnitude by
        inversion of the truncated-normal piece (:func:`trunc_ppf` on a uniform), so
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
        shape = sample_shape(size, self.shape)
        u_sign = rng.random(shape)
        u_mag = 1.0 - rng.random(shape)  # in (0, 1]
        lwn = np.broadcast_to(self._log_w_neg, shape)
        neg = u_sign < np.exp(lwn)
        a = np.where(neg, np.broadcast_to(self._a_neg, shape), np.broadcast_to(self._a_pos, shape))
        with np.errstate(divide="ignore"):
            t = trunc_ppf(a, np.log1p(-u_mag), np.log(u_mag))
        sigma = np.broadcast_to(self.sigma, shape)
        return ret(np.where(neg, -sigma * t, sigma * t))


def laplace_posterior(y, *, sigma, b):
    r"""Exact posterior of ``w`` under ``y ~ N(w, sigma^2)``, ``w ~ Laplace(0, b)``.

    The prior density is :math:`e^{-|w|/b}/(2b)`.  The posterior is the two-piece
    truncated-normal mixture described in :class:`LaplacePosterior` (Hans 2009):
    on :math:`w \ge 0` it is proportional to :math:`N(w \mid y - \sigma^2/b,
    \sigma^2)`, on :math:`w < 0` to :math:`N(w \mid y + \sigma^2/b, \sigma^2)`.

    Parameters
    ----------
    y : array_like
        Observation(s); finite, |y| <= DATA_LIMIT (1e50).
    sigma : array_like
        Noise standard deviation, inside SCALE_RANGE (1e-50 .. 1e50).
    b : array_like
        Laplace scale, inside SCALE_RANGE (1e-50 .. 1e50).  ``y``, ``sigma`` and ``b`` broadcast.

    Returns
    -------
    LaplacePosterior

    Raises
    ------
    priors.CuspInputError
        If ``sigma`` or ``b`` is outside SCALE_RANGE or ``y`` is not finite (or beyond DATA_LIMIT).
    """
    return LaplacePosterior(y, sigma, b)
