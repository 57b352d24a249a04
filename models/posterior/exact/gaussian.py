r"""Exact posterior of the normal-means model under a Gaussian prior: conjugate,
:math:`w \mid y \sim N(y s^2/(s^2+\sigma^2), s^2\sigma^2/(s^2+\sigma^2))`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

from .common import LOG_SQRT_2PI, checked_observation, frozen, ret, sample_shape, set_frozen
from .truncated_normal import normal_interval_prob

__all__ = ["GaussianPosterior", "gaussian_posterior"]


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
        y, sigma, s = frozen(*checked_observation(self.y, self.sigma, s=self.s))
        r = np.hypot(s, sigma)
        shrink = (s / r) ** 2  # s^2 / (s^2 + sigma^2)
        loc = y * shrink
        scale = s * (sigma / r)
        set_frozen(self, y=y, sigma=sigma, s=s, _loc=loc, _scale=scale)

    @property
    def shape(self):
        """Common (broadcast) shape of ``y``, ``sigma`` and ``s``."""
        return self.y.shape

    @property
    def mean(self):
        r""":math:`E[w \mid y] = y s^2/(s^2 + \sigma^2)`."""
        return ret(self._loc)

    @property
    def median(self):
        """Posterior median (equal to the mean)."""
        return ret(self._loc)

    @property
    def mode(self):
        """Posterior mode (equal to the mean; never exactly zero unless ``y = 0``)."""
        return ret(self._loc)

    @property
    def var(self):
        r""":math:`Var[w \mid y] = s^2\sigma^2/(s^2 + \sigma^2)`."""
        return ret(self._scale**2)

    @property
    def std(self):
        r"""Posterior standard deviation :math:`s\sigma/\sqrt{s^2 + \sigma^2}`."""
        return ret(self._scale)

    def logpdf(self, w):
        r"""Log posterior density :math:`\log N(w; \mu, v)`."""
        z = (np.asarray(w, dtype=float) - self._loc) / self._scale
        return ret(-0.5 * z * z - LOG_SQRT_2PI - np.log(self._scale))

    def pdf(self, w):
        """Posterior density at ``w``."""
        return ret(np.exp(self.logpdf(w)))

    def cdf(self, w):
        r""":math:`\Phi((w - \mu)/\sqrt v)`."""
        return ret(ndtr((np.asarray(w, dtype=float) - self._loc) / self._scale))

    def sf(self, w):
        r""":math:`\Phi(-(w - \mu)/\sqrt v)`."""
        return ret(ndtr(-(np.asarray(w, dtype=float) - self._loc) / self._scale))

    def ppf(self, q):
        r"""Quantile :math:`\mu + \sqrt v\,\Phi^{-1}(q)`."""
        return ret(self._loc + self._scale * ndtri(np.asarray(q, dtype=float)))

    @property
    def prob_negative(self):
        r""":math:`P(w < 0 \mid y) = \Phi(-\mu/\sqrt v)`."""
        return ret(ndtr(-self._loc / self._scale))

    @property
    def prob_positive(self):
        r""":math:`P(w > 0 \mid y) = \Phi(\mu/\sqrt v)`."""
        return ret(ndtr(self._loc / self._scale))

    def prob_abs_below(self, eps):
        r""":math:`P(|w| < \varepsilon \mid y) = \Phi((\varepsilon-\mu)/\sqrt v) -
        \Phi((-\varepsilon-\mu)/\sqrt v)`, evaluated without cancellation; 0 for
        :math:`\varepsilon \le 0`."""
        eps = np.maximum(np.asarray(eps, dtype=float), 0.0)
        finite = np.isfinite(eps)
        e = np.where(finite, eps, 0.0)
        lower = (-e - self._loc) / self._scale
        width = 2.0 * e / self._scale
        p = normal_interval_prob(lower, width)
        return ret(np.where(finite, p, np.where(np.isnan(eps), np.nan, 1.0)))

    def sample(self, size=None, random_seed=None):
        """Exact draws, shape ``size + self.shape`` (see :meth:`LaplacePosterior.sample`)."""
        rng = np.random.default_rng(random_seed)
        shape = sample_shape(size, self.shape)
        return ret(self._loc + self._scale * rng.standard_normal(shape))


def gaussian_posterior(y, *, sigma, s):
    r"""Posterior of ``w`` under ``y ~ N(w, sigma^2)``, ``w ~ N(0, s^2)``.

    :math:`w \mid y \sim N\big(y s^2/(s^2+\sigma^2),\; s^2\sigma^2/(s^2+\sigma^2)\big)`.

    Parameters
    ----------
    y : array_like
        Observation(s); finite, |y| <= DATA_LIMIT (1e50).
    sigma : array_like
        Noise standard deviation, inside SCALE_RANGE (1e-50 .. 1e50).
    s : array_like
        Prior standard deviation, inside SCALE_RANGE (1e-50 .. 1e50).

    Returns
    -------
    GaussianPosterior

    Raises
    ------
    priors.CuspInputError
        If ``sigma`` or ``s`` is outside SCALE_RANGE or ``y`` is not finite (or beyond DATA_LIMIT).
    """
    return GaussianPosterior(y, sigma, s)
