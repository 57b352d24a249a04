"""Gaussian prior N(0, s^2): a smooth log density, so the MAP never has exact zeros."""

import dataclasses
import math

import numpy as np

from .validation import check_scale
from .mixture import FixedVariance, ScaleMixture
from .base import Prior, as_float_array, unwrap


@dataclasses.dataclass(frozen=True)
class Gaussian(Prior):
    r"""Gaussian prior :math:`p(w) = \exp(-w^2 / 2s^2) / (s\sqrt{2\pi})`.

    Penalty :math:`w^2 / (2 s^2)` (ridge).  Its derivative at 0 is 0, so
    ``zero_threshold`` is 0: a MAP coefficient is 0 only when the likelihood's slope
    there is exactly 0.
    """

    family = "gaussian"
    convex = True

    def __post_init__(self):
        object.__setattr__(self, "scale", check_scale("gaussian scale", self.scale))

    def logpdf(self, w):
        w = as_float_array(w)
        s = self.scale
        return unwrap(-0.5 * (w / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi))

    def penalty(self, w):
        w = as_float_array(w)
        return unwrap(0.5 * (w / self.scale) ** 2)

    def penalty_grad(self, w):
        return unwrap(as_float_array(w) / self.scale**2)

    def penalty_hess(self, w):
        return np.full(np.shape(w), 1.0 / self.scale**2)

    def prox(self, v, step):
        # argmin 0.5 (x - v)^2 + step x^2 / (2 s^2): a pure rescaling, never 0 for v != 0.
        return unwrap(as_float_array(v) / (1.0 + as_float_array(step) / self.scale**2))

    @property
    def zero_threshold(self) -> float:
        return 0.0

    @property
    def elastic_net_form(self):
        return (0.0, 1.0 / self.scale**2) if self.density_is(Gaussian) else None

    def conjugate(self, u):
        return unwrap(0.5 * (self.scale * as_float_array(u)) ** 2)

    def fenchel_young(self, w, v):
        # w^2 / (2 s^2) + s^2 v^2 / 2 - w v as one square: no cancellation of two terms
        # of size s^2 v^2 (1e70 for a slope's rounding at s = 1e50).
        w, v = as_float_array(w), as_float_array(v)
        return unwrap(0.5 * (w / self.scale - self.scale * v) ** 2)

    @property
    def scale_mixture(self):
        # A degenerate mixture: v = s^2 fixed (the Gibbs draw of w is then already exact).
        if not self.density_is(Gaussian):
            return None
        return ScaleMixture("v = s^2 (fixed)", gibbs=lambda: FixedVariance(self.scale))

    @property
    def normal_means_form(self):
        # conjugate (models.posterior.exact.gaussian); declared for this density only
        if not self.density_is(Gaussian):
            return None
        return ("gaussian", {"s": self.scale})

    def to_pymc(self, name, *, dims=None, shape=None):
        import pymc as pm

        return pm.Normal(name, mu=0.0, sigma=self.scale, dims=dims, shape=shape)


def gaussian(scale: float = 1.0) -> Gaussian:
    """Gaussian prior N(0, scale^2)."""
    return Gaussian(scale)
