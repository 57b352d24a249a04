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

from .validation import check_scale, check_scale_or_zero
from ._rootfind import solve_increasing_log
from .base import Prior, as_float_array, unwrap
from .laplace import soft_threshold


_KVE_ASYMPTOTIC_FROM = 1e3
# e^x K_1(x) ~ sqrt(pi / (2x)) sum_k a_k / x^k with a_k = prod_{i<=k} (4 - (2i-1)^2) / (i 8):
# eight terms give double precision from x = 1e3 on.
_KVE_COEFS = np.cumprod([1.0] + [(4.0 - (2 * k - 1) ** 2) / (8 * k) for k in range(1, 8)])


def log_kve1(x: float) -> float:
    """``log(e^x K_1(x))`` for ``x > 0``: scipy's ``kve`` below 1e3, the asymptotic series
    above (``kve(1, x)`` is NaN from x ~ 2e9 on, and ``delta / b`` reaches 1e100)."""
    if x < _KVE_ASYMPTOTIC_FROM:
        return math.log(kve(1, x))
    series = float(np.sum(_KVE_COEFS * (1.0 / x) ** np.arange(_KVE_COEFS.size)))  # (1/x)^k: no overflow
    return 0.5 * math.log(math.pi / (2 * x)) + math.log(series)


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
        object.__setattr__(self, "scale", check_scale("smoothed_laplace scale", self.scale))
        object.__setattr__(self, "delta", check_scale_or_zero("smoothed_laplace delta", self.delta))

    @property
    def log_normalizer(self) -> float:
        """``log Z`` computed with the exponentially scaled Bessel function (no overflow)."""
        b, d = self.scale, self.delta
        if d == 0:
            return math.log(2 * b)
        return self._log_normalizer_of_penalty - d / b

    @property
    def _log_normalizer_of_penalty(self) -> float:
        """``log Z + delta / b``: the log normalizer of ``exp(-penalty)``, the density as
        :meth:`logpdf` computes it.  ``-sqrt(w^2 + d^2) / b - log Z`` subtracted two numbers
        of size ``d / b`` (1e49 at b = 1e-50, d = 0.1, ulp 1e33): logpdf was garbage and
        p(0) NaN."""
        b, d = self.scale, self.delta
        if d == 0:
            return math.log(2 * b)
        return math.log(2 * d) + log_kve1(d / b)

    def logpdf(self, w):
        return unwrap(-as_float_array(self.penalty(w)) - self._log_normalizer_of_penalty)

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

    def penalty_hess(self, w):
        # delta^2 / (b (w^2 + delta^2)^(3/2)), as (d / r)^2 / (b r) with r = hypot(w, d)
        w = as_float_array(w)
        if self.delta == 0:
            return np.zeros(np.shape(w))
        r = np.hypot(w, self.delta)
        return unwrap((self.delta / r) ** 2 / (self.scale * r))

    def prox(self, v, step):
        v, step = np.broadcast_arrays(as_float_array(v), as_float_array(step))
        c = step / self.scale
        if self.delta == 0:
            return soft_threshold(v, c)
        a, d = np.abs(v), self.delta
        # x + c x / sqrt(x^2 + d^2) = |v| is increasing in x, with one root in [lo, hi]
        # (see _bound), solved for log x.  In [0, |v|] with a huge c = step / b (1e150
        # for normal means with sigma = 1e50, b = 1e-50) the root, ~ |v| d / c, was too
        # close to 0 for 200 bisection steps, which returned it 1e90 times too large.
        x = solve_increasing_log(
            lambda x: _stationarity(x, a, c, d),
            lambda x: 1 + c * (d / np.hypot(x, d)) ** 2 / np.hypot(x, d),
            _bound(0.5 * a, c, d),
            _bound(a, c, d),
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

        b, d, log_z = self.scale, self.delta, self._log_normalizer_of_penalty

        def logp(value, b_, d_):
            if d == 0:
                # PyTensor 2.38 rewrites sqrt(x**2) to switch(x >= 0, x, nan), which is NaN
                # for negative x (pymc-devs/pytensor#1952): use |x| for the plain Laplace.
                return -pt.abs(value) / b_ - log_z
            # the penalty (sqrt(x^2 + d^2) - d) / b as x^2 / (sqrt(x^2 + d^2) + d) / b, as in
            # SmoothedLaplace.penalty: no cancellation of two terms of size d / b
            return -(value**2 / (pt.sqrt(value**2 + d_**2) + d_)) / b_ - log_z

        def random(b_, d_, rng=None, size=None):
            return _sample_smoothed_laplace(float(b_), float(d_), rng, size)

        return pm.CustomDist(name, b, d, logp=logp, random=random, dims=dims, shape=shape)


def _stationarity(x, a, c, d):
    """``x + c x / h - a`` with ``h = hypot(x, d)``, without cancellation: for ``x >= d`` as
    ``x - (a - c) - c d^2 / (h (h + x))``, since ``c x / h - a`` cancels to nothing once
    ``x / h`` rounds to 1 (``a ~ c ~ 1e50``, ``x > 1e7 d``); below ``d`` directly (the
    other form then subtracts two numbers of size ``c``)."""
    h = np.hypot(x, d)
    return np.where(x < d, x + c * (x / h) - a, x - (a - c) - c * (d / h) * (d / (h + x)))


def _bound(a, c, d):
    """The root of ``x + c x / sqrt(x^2 + d^2) = a`` is below ``_bound(a, c, d)`` and above
    ``_bound(a / 2, c, d)``: each term is below ``a``, and the larger is above ``a / 2``.
    The second term is below ``a`` where ``x / sqrt(x^2 + d^2) < a / c``, i.e.
    ``x < d r / sqrt(1 - r^2)`` with ``r = a / c < 1``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = a / c
        inside = d * r / np.sqrt(np.maximum((1 - r) * (1 + r), 0.0))
    return np.where(r < 1, np.minimum(a, inside), a)


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
