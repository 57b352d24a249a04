"""Laplace prior: the kink of |w|/b at 0 is what makes exact MAP zeros possible."""

import dataclasses
import math

import numpy as np

from .validation import check_scale
from .mixture import ExponentialVariance, ScaleMixture
from .base import Prior, as_float_array, unwrap


def soft_threshold(v, threshold):
    """``sign(v) * max(|v| - threshold, 0)`` with an exact ``0.0`` (never ``-0.0``)
    whenever ``|v| <= threshold``."""
    if isinstance(v, float) and isinstance(threshold, float):
        # Scalar path: coordinate descent calls this once per coordinate and sweep.
        return v - threshold if v > threshold else (v + threshold if v < -threshold else 0.0)
    v = as_float_array(v)
    threshold = as_float_array(threshold)
    shrunk = v - np.sign(v) * threshold
    return unwrap(np.where(np.abs(v) <= threshold, 0.0, shrunk))


@dataclasses.dataclass(frozen=True)
class Laplace(Prior):
    r"""Laplace prior :math:`p(w) = \exp(-|w|/b) / (2b)` with scale ``b``.

    Penalty :math:`|w|/b`; its subdifferential at 0 is :math:`[-1/b, 1/b]`, so a MAP
    coefficient is exactly 0 whenever the likelihood's slope at 0 lies in that band.
    """

    family = "laplace"
    convex = True

    def __post_init__(self):
        object.__setattr__(self, "scale", check_scale("laplace scale", self.scale))

    def logpdf(self, w):
        b = self.scale
        return unwrap(-np.abs(as_float_array(w)) / b - math.log(2 * b))

    def penalty(self, w):
        return unwrap(np.abs(as_float_array(w)) / self.scale)

    def penalty_grad(self, w):
        return unwrap(np.sign(as_float_array(w)) / self.scale)

    def penalty_hess(self, w):
        return np.zeros(np.shape(w))

    def prox(self, v, step):
        threshold = step / self.scale if isinstance(step, float) else as_float_array(step) / self.scale
        return soft_threshold(v, threshold)

    @property
    def zero_threshold(self) -> float:
        return 1.0 / self.scale

    def conjugate(self, u):
        # Indicator of [-1/b, 1/b]; a relative slack absorbs rounding in the dual point.
        u = np.abs(as_float_array(u))
        return unwrap(np.where(u <= self.conjugate_radius * (1 + 1e-12), 0.0, np.inf))

    @property
    def conjugate_radius(self) -> float:
        return 1.0 / self.scale

    @property
    def scale_mixture(self):
        if not self.density_is(Laplace):
            return None
        return ScaleMixture("v ~ Exp(rate 1/(2 b^2)) (Park & Casella 2008)", gibbs=lambda: ExponentialVariance(self.scale))

    @property
    def normal_means_form(self):
        # Hans (2009), models.posterior.exact.laplace; declared for this density only
        if not self.density_is(Laplace):
            return None
        return ("laplace", {"b": self.scale})

    def to_pymc(self, name, *, dims=None, shape=None):
        import pymc as pm

        return pm.Laplace(name, mu=0.0, b=self.scale, dims=dims, shape=shape)


def laplace(scale: float = 1.0) -> Laplace:
    """Laplace prior with scale ``b`` (density ``exp(-|w|/b) / (2b)``)."""
    return Laplace(scale)
