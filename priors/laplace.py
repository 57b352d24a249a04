"""Laplace prior: the kink of |w|/b at 0 is what makes exact MAP zeros possible."""

import dataclasses
import math

import numpy as np

from .errors import CuspInputError
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

    ``hyper_shape`` and ``hyper_rate`` (both or neither) sample the rate
    :math:`\lambda = 1/b` when sampling, with Park & Casella's (2008) conjugate prior
    :math:`\lambda^2 \sim \mathrm{Gamma}(r, \delta)` (shape ``hyper_shape``, rate
    ``hyper_rate``); the posterior then holds ``w_rate`` (:math:`\lambda`).  The
    density, penalty and MAP describe ``b = scale``, as for the horseshoe's ``global_df``.
    """

    family = "laplace"
    convex = True

    hyper_shape: float | None = None
    hyper_rate: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "scale", check_scale("laplace scale", self.scale))
        if (self.hyper_shape is None) != (self.hyper_rate is None):
            raise CuspInputError("laplace: give both hyper_shape and hyper_rate (lambda^2 ~ Gamma(shape, rate)) "
                                 "or neither")
        if self.hyper_shape is not None:
            object.__setattr__(self, "hyper_shape", check_scale("laplace hyper_shape", self.hyper_shape))
            object.__setattr__(self, "hyper_rate", check_scale("laplace hyper_rate", self.hyper_rate))

    @property
    def samples_rate(self) -> bool:
        """True when the rate ``1 / b`` has a hyperprior (sampled, not fixed)."""
        return self.hyper_shape is not None

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

    @property
    def elastic_net_form(self):
        # a subclass that changes the density declares its own form
        return (1.0 / self.scale, 0.0) if self.density_is(Laplace) else None

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
        return ScaleMixture("v ~ Exp(rate 1/(2 b^2)) (Park & Casella 2008)",
                            gibbs=lambda: ExponentialVariance(self.scale, self.hyper_shape, self.hyper_rate))

    @property
    def normal_means_form(self):
        # Hans (2009), models.posterior.exact.laplace; declared for this density only,
        # with a fixed rate (a sampled one couples the coefficients)
        if not self.density_is(Laplace) or self.samples_rate:
            return None
        return ("laplace", {"b": self.scale})

    def to_pymc(self, name, *, dims=None, shape=None):
        import pymc as pm

        if not self.samples_rate:
            return pm.Laplace(name, mu=0.0, b=self.scale, dims=dims, shape=shape)
        rate2 = pm.Gamma(f"{name}_rate2", alpha=self.hyper_shape, beta=self.hyper_rate)
        rate = pm.Deterministic(f"{name}_rate", pm.math.sqrt(rate2))
        return pm.Laplace(name, mu=0.0, b=1.0 / rate, dims=dims, shape=shape)


def laplace(scale: float = 1.0, hyper_shape: float | None = None, hyper_rate: float | None = None) -> Laplace:
    """Laplace prior with scale ``b`` (density ``exp(-|w|/b) / (2b)``); with
    ``hyper_shape`` and ``hyper_rate``, ``1/b^2 ~ Gamma(hyper_shape, hyper_rate)`` is
    sampled (Park & Casella's Bayesian lasso hyperprior)."""
    return Laplace(scale, hyper_shape, hyper_rate)
