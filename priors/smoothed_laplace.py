"""Smoothed Laplace prior: density proportional to exp(-sqrt(w^2 + delta^2) / b).

For every delta > 0 the log density is differentiable at 0, so the MAP has no exact
zeros however small delta is; at delta = 0 it is the Laplace and zeros appear.  Its
density at 0 changes continuously with delta, so the jump in sparsity at delta = 0 can
only come from the singularity, never from concentration.
"""

import dataclasses
import math

import numpy as np
from scipy.special import kve

from .validation import check_number, check_positive
from ._rootfind import solve_increasing
from .base import Prior, as_float_array, unwrap
from .laplace import soft_threshold


@dataclasses.dataclass(frozen=True)
class SmoothedLaplace(Prior):
    r"""Smoothed Laplace prior :math:`p(w) = e^{-\sqrt{w^2+\delta^2}/b} / Z`.

    The normalizing constant is exact:
    :math:`Z = \int e^{-\sqrt{w^2+\delta^2}/b}\,dw = 2\delta K_1(\delta/b)`
    (modified Bessel function of the second kind), which tends to :math:`2b` as
    :math:`\delta \to 0`.  Penalty :math:`(\sqrt{w^2+\delta^2} - \delta)/b`: convex,
    smooth at 0 for :math:`\delta > 0` (``zero_threshold`` 0) and equal to the Laplace
    penalty at :math:`\delta = 0` (``zero_threshold`` ``1/b``).
    """

    family = "smoothed_laplace"
    convex = True

    delta: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "scale", check_positive("smoothed_laplace scale", self.scale))
        object.__setattr__(self, "delta", check_number("smoothed_laplace delta", self.delta, low=0.0, low_inclusive=True))

    @property
    def log_normalizer(self) -> float:
        """``log Z`` computed with the exponentially scaled Bessel function (no overflow)."""
        b, d = self.scale, self.delta
        if d == 0:
            return math.log(2 * b)
        return math.log(2 * d) + math.log(kve(1, d / b)) - d / b

    def logpdf(self, w):
        w = as_float_array(w)
        return unwrap(-np.hypot(w, self.delta) / self.scale - self.log_normalizer)

    def penalty(self, w):
        w = as_float_array(w)
        # sqrt(w^2 + d^2) - d written as w^2 / (sqrt(w^2 + d^2) + d): the difference
        # cancels to 0.0 for |w| < 1e-8 d (the penalty is then w^2 / (2 d b), not 0).
        # At d = 0 the denominator is |w|, and w = 0 is taken care of separately.
        r = np.hypot(w, self.delta) + self.delta
        with np.errstate(divide="ignore", invalid="ignore"):
            val = w * (w / r)  # w * (w / r), not w**2 / r: w**2 overflows for |w| > 1e154
        return unwrap(np.where(w == 0, 0.0, val) / self.scale)

    def penalty_grad(self, w):
        w = as_float_array(w)
        if self.delta == 0:
            return unwrap(np.sign(w) / self.scale)
        return unwrap(w / (self.scale * np.hypot(w, self.delta)))

    def prox(self, v, step):
        v, step = np.broadcast_arrays(as_float_array(v), as_float_array(step))
        c = step / self.scale
        if self.delta == 0:
            return soft_threshold(v, c)
        a, d = np.abs(v), self.delta
        # x + c x / sqrt(x^2 + d^2) = |v| is increasing in x: one root in [0, |v|].
        x = solve_increasing(
            lambda x: x + c * x / np.hypot(x, d) - a,
            lambda x: 1 + c * d**2 / np.hypot(x, d) ** 3,
            np.zeros_like(a),
            a,
        )
        return unwrap(np.sign(v) * np.where(a == 0, 0.0, x))

    @property
    def zero_threshold(self) -> float:
        return 1.0 / self.scale if self.delta == 0 else 0.0

    def conjugate(self, u):
        u = np.abs(as_float_array(u))
        r = self.conjugate_radius
        inside = u <= r * (1 + 1e-12)
        val = self.delta * (r - np.sqrt(np.maximum(r**2 - u**2, 0.0)))
        return unwrap(np.where(inside, val, np.inf))

    @property
    def conjugate_radius(self) -> float:
        return 1.0 / self.scale

    def to_pymc(self, name, *, dims=None, shape=None):
        import pymc as pm
        import pytensor.tensor as pt

        b, d, log_z = self.scale, self.delta, self.log_normalizer

        def logp(value, b_, d_):
            if d == 0:
                # PyTensor 2.38 rewrites sqrt(x**2) to switch(x >= 0, x, nan), which is NaN
                # for negative x (pymc-devs/pytensor#1952): use |x| for the plain Laplace.
                return -pt.abs(value) / b_ - log_z
            return -pt.sqrt(value**2 + d_**2) / b_ - log_z

        def random(b_, d_, rng=None, size=None):
            return _sample_smoothed_laplace(float(b_), float(d_), rng, size)

        return pm.CustomDist(name, b, d, logp=logp, random=random, dims=dims, shape=shape)


def _sample_smoothed_laplace(b, d, rng, size):
    # Rejection from the Laplace(b) envelope: the target ratio is
    # exp(-(sqrt(w^2+d^2) - |w|)/b) <= 1, always at least exp(-d/b).
    rng = np.random.default_rng(rng)
    n = int(np.prod(size)) if size is not None else 1
    out = np.empty(0)
    while out.size < n:
        w = rng.laplace(0.0, b, size=2 * n + 16)
        keep = rng.uniform(size=w.size) < np.exp(-(np.hypot(w, d) - np.abs(w)) / b)
        out = np.concatenate([out, w[keep]])
    return out[:n].reshape(size) if size is not None else out[0]


def smoothed_laplace(scale: float = 1.0, delta: float = 0.1) -> SmoothedLaplace:
    """Smoothed Laplace prior with scale ``b`` and smoothing ``delta`` (>= 0)."""
    return SmoothedLaplace(scale, delta)
