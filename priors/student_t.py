"""Student-t prior: heavy tails, a smooth (nonconvex) penalty, and no exact MAP zeros."""

import dataclasses
import math

import numpy as np
from scipy.special import gammaln

from .validation import check_scale
from .base import Prior, as_float_array, unwrap
from .mixture import InverseGammaVariance, ScaleMixture


@dataclasses.dataclass(frozen=True)
class StudentT(Prior):
    r"""Student-t prior with ``nu`` degrees of freedom and scale ``s``.

    Penalty :math:`\frac{\nu+1}{2}\log(1 + w^2/(\nu s^2))`, smooth at 0 (so
    ``zero_threshold`` is 0) but nonconvex for large ``|w|``.  ``prox`` solves the cubic
    stationarity equation exactly and returns the global minimizer among its real roots.
    """

    family = "student_t"
    convex = False

    nu: float = 3.0

    def __post_init__(self):
        object.__setattr__(self, "scale", check_scale("student_t scale", self.scale))
        object.__setattr__(self, "nu", check_scale("student_t nu", self.nu))

    def logpdf(self, w):
        nu, s = self.nu, self.scale
        log_norm = gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * math.log(nu * math.pi) - math.log(s)
        return unwrap(log_norm - self.penalty(w))

    def penalty(self, w):
        w = as_float_array(w)
        return unwrap(0.5 * (self.nu + 1) * np.log1p(w**2 / (self.nu * self.scale**2)))

    def penalty_grad(self, w):
        w = as_float_array(w)
        return unwrap((self.nu + 1) * w / (self.nu * self.scale**2 + w**2))

    def penalty_hess(self, w):
        # (nu + 1) (nu s^2 - w^2) / (nu s^2 + w^2)^2, written as products of ratios (no w^4)
        w = as_float_array(w)
        c2 = self.nu * self.scale**2
        r = c2 + w * w
        return unwrap((self.nu + 1) * ((c2 - w * w) / r) / r)

    def prox(self, v, step):
        # Stationarity x - v + step (nu+1) x / (nu s^2 + x^2) = 0, times (nu s^2 + x^2):
        #   x^3 - v x^2 + (nu s^2 + step (nu+1)) x - v nu s^2 = 0.
        v, step = np.broadcast_arrays(as_float_array(v), as_float_array(step))
        shape = v.shape
        v, step = v.ravel(), step.ravel()
        c2 = self.nu * self.scale**2
        companion = np.zeros((v.size, 3, 3))
        companion[:, 0, 0] = v
        companion[:, 0, 1] = -(c2 + step * (self.nu + 1))
        companion[:, 0, 2] = v * c2
        companion[:, 1, 0] = 1.0
        companion[:, 2, 1] = 1.0
        roots = np.linalg.eigvals(companion)
        # A cubic has at least one real root; complex pairs are discarded.
        tol = 1e-7 * (1.0 + np.abs(roots))
        real = np.abs(roots.imag) <= tol
        cand = np.where(real, roots.real, np.nan)
        cand = self._newton_polish(cand, v[:, None], step[:, None], c2)
        obj = 0.5 * (cand - v[:, None]) ** 2 + step[:, None] * self.penalty(cand)
        obj = np.where(np.isnan(obj), np.inf, obj)
        best = cand[np.arange(v.size), np.argmin(obj, axis=1)]
        return unwrap(best.reshape(shape))

    def _newton_polish(self, x, v, step, c2):
        # Two Newton steps on the cubic remove the eigenvalue solver's rounding.
        for _ in range(2):
            f = x**3 - v * x**2 + (c2 + step * (self.nu + 1)) * x - v * c2
            fp = 3 * x**2 - 2 * v * x + (c2 + step * (self.nu + 1))
            with np.errstate(invalid="ignore", divide="ignore"):
                x_new = x - f / fp
            x = np.where(np.isfinite(x_new), x_new, x)
        return x

    @property
    def zero_threshold(self) -> float:
        return 0.0

    @property
    def scale_mixture(self):
        # Gibbs only: NUTS samples the t density directly, which needs no latent scales
        if not self.density_is(StudentT):
            return None
        return ScaleMixture("v ~ InvGamma(nu/2, nu s^2/2)", gibbs=lambda: InverseGammaVariance(self.scale, self.nu))

    def to_pymc(self, name, *, dims=None, shape=None):
        import pymc as pm

        return pm.StudentT(name, nu=self.nu, mu=0.0, sigma=self.scale, dims=dims, shape=shape)


def student_t(scale: float = 1.0, nu: float = 3.0) -> StudentT:
    """Student-t prior with scale ``scale`` and ``nu`` degrees of freedom."""
    return StudentT(scale, nu)
