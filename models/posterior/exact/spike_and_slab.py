r"""Exact posterior of the normal-means model under a spike-and-slab prior.

:math:`y \mid w \sim N(w, \sigma^2)`, :math:`w \sim (1 - \pi)\,\delta_0 + \pi\, N(0, s^2)`.
The posterior is the same two-component mixture: a point mass at 0 with probability

.. math::

    P(w = 0 \mid y) = \frac{(1 - \pi)\, N(y; 0, \sigma^2)}
        {(1 - \pi)\, N(y; 0, \sigma^2) + \pi\, N(y; 0, s^2 + \sigma^2)},

and otherwise the conjugate slab posterior
:math:`N(y s^2/(s^2+\sigma^2),\; s^2\sigma^2/(s^2+\sigma^2))`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import expit, logit

from .common import checked_array, checked_observation, ret

__all__ = ["SpikeAndSlabPosterior", "spike_and_slab_posterior"]


class SpikeAndSlabPosterior(NamedTuple):
    """Posterior mean, variance and ``P(w = 0 | y)`` under the spike-and-slab prior."""

    mean: float | np.ndarray
    var: float | np.ndarray
    p_zero: float | np.ndarray


def spike_and_slab_posterior(y, *, sigma, s, weight):
    r"""Exact posterior of ``w`` under ``y ~ N(w, sigma^2)`` and the spike-and-slab prior
    ``P(w = 0) = 1 - weight``, ``w | w != 0 ~ N(0, s^2)``.

    With :math:`r = \operatorname{hypot}(s, \sigma)` and the shrinkage
    :math:`c = s^2/r^2`, the log posterior odds of a non-zero are

    .. math::

        L = \operatorname{logit}(\pi) - \log(r/\sigma) + \tfrac12 (y/\sigma)^2 c,

    so :math:`P(w = 0 \mid y) = \operatorname{expit}(-L)` never over- or underflows
    before the end; :math:`E[w \mid y] = \operatorname{expit}(L)\, c\, y` and
    :math:`Var[w \mid y] = (1 - p_0)\, c\sigma^2 + p_0 (1 - p_0) (c y)^2`.

    Parameters
    ----------
    y : array_like
        Observation(s); finite, |y| <= DATA_LIMIT (1e50).
    sigma, s : array_like
        Noise standard deviation and slab standard deviation, inside SCALE_RANGE (1e-50 .. 1e50).
    weight : array_like
        Prior probability of a non-zero, strictly between 0 and 1.  All broadcast.

    Returns
    -------
    SpikeAndSlabPosterior
        Named tuple ``(mean, var, p_zero)`` (floats for scalar input, arrays otherwise).

    Raises
    ------
    priors.CuspInputError
        If a scale is outside SCALE_RANGE, ``weight`` is not in (0, 1) or ``y`` is
        not finite.
    """
    y, sigma, s = checked_observation(y, sigma, s=s)
    weight = checked_array("weight", weight, low=0.0, high=1.0, high_inclusive=False)
    y, sigma, s, weight = np.broadcast_arrays(y, sigma, s, weight)
    r = np.hypot(s, sigma)
    shrink = (s / r) ** 2  # s^2 / (s^2 + sigma^2)
    z = y / sigma
    log_odds = logit(weight) - np.log(r / sigma) + 0.5 * z * z * shrink
    p_zero = expit(-log_odds)
    p_slab = expit(log_odds)
    slab_mean = shrink * y
    mean = p_slab * slab_mean
    var = p_slab * (s * (sigma / r)) ** 2 + p_zero * p_slab * slab_mean**2
    return SpikeAndSlabPosterior(ret(mean), ret(var), ret(p_zero))
