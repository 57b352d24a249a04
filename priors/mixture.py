"""Priors that are scale mixtures of normals, ``w | v ~ N(0, v)``, and what samplers need
of them.

Two engines use the mixture form, each through one field:

* the collapsed NUTS model (``models.posterior.pymc_model``) integrates ``w`` out of a
  Gaussian likelihood given the prior sds ``sqrt(v)``; it needs ``pymc_scales(name, dims=,
  shape=)``, which creates the mixing variables in the current PyMC model and returns the
  tensor of prior sds;
* the Gibbs sampler (``models.posterior.gibbs``) alternates ``w | v, y`` (Gaussian) and
  ``v | w``; it needs ``gibbs()``, a factory of a :class:`MixingConditional`.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Protocol

import numpy as np


class MixingConditional(Protocol):
    """The exact conditional draw of the mixing variables given ``w`` (one Gibbs step)."""

    def initial(self, p: int, rng: np.random.Generator):
        """A starting state for ``p`` coefficients (a draw from the mixing prior)."""

    def variances(self, state) -> np.ndarray:
        """The prior variances ``v`` of the coefficients in this state."""

    def update(self, state, w: np.ndarray, rng: np.random.Generator):
        """A draw of the state given the coefficients ``w``."""


@dataclasses.dataclass(frozen=True)
class ScaleMixture:
    """How a prior is a scale mixture of normals.

    Attributes
    ----------
    description : str
        The mixing distribution in words (``"v ~ Exp(rate 1/(2 b^2))"``).
    pymc_scales : callable or None
        ``(name, dims=None, shape=None) -> tensor`` of prior sds, for collapsed NUTS.
    gibbs : callable or None
        ``() -> MixingConditional``, for the Gibbs sampler.
    """

    description: str
    pymc_scales: Callable | None = None
    gibbs: Callable[[], MixingConditional] | None = None


def inv_gamma(shape, rate, rng):
    """Draws of InverseGamma(shape, rate) (``rate / Gamma(shape, 1)``)."""
    return rate / rng.gamma(shape, size=np.shape(rate))


class FixedVariance:
    """A Gaussian prior: ``v = s^2`` fixed, nothing to update."""

    def __init__(self, scale):
        self.var = float(scale) ** 2

    def initial(self, p, rng):
        return np.full(p, self.var)

    def variances(self, state):
        return state

    def update(self, state, w, rng):
        return state


class ExponentialVariance:
    """Laplace(b) = N(0, v) with v ~ Exp(rate 1/(2 b^2)) (Park & Casella 2008):
    ``1 / v | w ~ InverseGaussian(mean = 1/(b |w|), shape = 1/b^2)``."""

    def __init__(self, scale):
        self.b = float(scale)

    def initial(self, p, rng):
        return rng.exponential(2 * self.b**2, size=p)

    def variances(self, state):
        return state

    def update(self, state, w, rng):
        # |w| = 0 has probability zero for a continuous draw; the floor only keeps the
        # mean finite in floating point.
        mean = 1.0 / (self.b * np.maximum(np.abs(w), 1e-300))
        return 1.0 / rng.wald(mean, 1.0 / self.b**2)


class HalfCauchyVariance:
    """Horseshoe with fixed tau (Makalic & Schmidt 2016): ``v = tau^2 lam^2`` with
    ``lam^2 | nu ~ InvGamma(1/2, 1/nu)``, ``nu ~ InvGamma(1/2, 1)``; conditionals
    ``lam^2 | w, nu ~ InvGamma(1, 1/nu + w^2 / (2 tau^2))``, ``nu | lam^2 ~ InvGamma(1, 1 + 1/lam^2)``."""

    def __init__(self, scale):
        self.tau2 = float(scale) ** 2

    def initial(self, p, rng):
        nu = inv_gamma(0.5, np.ones(p), rng)
        return inv_gamma(0.5, 1.0 / nu, rng), nu

    def variances(self, state):
        return self.tau2 * state[0]

    def update(self, state, w, rng):
        _, nu = state
        lam2 = inv_gamma(1.0, 1.0 / nu + w**2 / (2 * self.tau2), rng)
        nu = inv_gamma(1.0, 1.0 + 1.0 / lam2, rng)
        return lam2, nu
