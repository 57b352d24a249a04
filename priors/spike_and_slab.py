"""Spike-and-slab: a point mass at 0 plus a Gaussian slab (Mitchell & Beauchamp 1988;
George & McCulloch 1993).

.. math:: p(w) = (1 - \\pi)\\,\\delta_0(w) + \\pi\\, N(w; 0, s^2)

It is the one prior in cusp under which posterior draws are exactly 0.0 with positive
probability, so ``P(w_j = 0 | y)`` is a real posterior probability.  It has no MAP in the
usual sense: the "mode" would compare the probability ``1 - pi`` at 0 with a density
elsewhere, numbers in different units, so the answer would change with the units of
``w``.  cusp therefore offers it for sampling only.
"""

from __future__ import annotations

import dataclasses
import math

from .errors import CuspInputError
from .validation import check_probability, check_scale
from .mixture import PointMassMixture
from .base import Prior, as_float_array, unwrap


@dataclasses.dataclass(frozen=True)
class SpikeAndSlab(Prior):
    """Point mass ``1 - weight`` at 0; with probability ``weight``, ``w ~ N(0, scale^2)``.

    ``logpdf`` is the log density of the continuous part, which integrates to ``weight``;
    ``point_mass`` is the probability of exactly 0.
    """

    family = "spike_and_slab"
    has_map_view = False
    no_map_reason = (
        "a point mass at 0 mixed with a density has no mode independent of the units of w; "
        "use the posterior's P(w = 0 | y) instead"
    )

    weight: float = 0.5

    def __post_init__(self):
        object.__setattr__(self, "scale", check_scale("spike_and_slab scale", self.scale))
        object.__setattr__(self, "weight", check_probability("spike_and_slab weight", self.weight))

    @property
    def point_mass(self) -> float:
        return 1.0 - self.weight

    def logpdf(self, w):
        s = self.scale
        return unwrap(math.log(self.weight) - 0.5 * (as_float_array(w) / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi))

    @property
    def density_at_zero(self) -> float:
        return float("inf")  # a point mass

    def _no_penalty(self, *_):
        raise CuspInputError(f"{self.describe()} has no MAP penalty: {self.no_map_reason}")

    penalty = penalty_grad = _no_penalty

    def prox(self, v, step):
        self._no_penalty()

    @property
    def zero_threshold(self) -> float:
        return float("inf")  # 0 has positive probability whatever the data

    @property
    def point_mass_mixture(self):
        # collapsed Gibbs on the indicators (models.posterior.gibbs); this density only
        if not self.density_is(SpikeAndSlab):
            return None
        return PointMassMixture(self.weight, self.scale**2)

    @property
    def normal_means_form(self):
        # two-component mixture (models.posterior.exact.spike_and_slab); this density only
        if not self.density_is(SpikeAndSlab):
            return None
        return ("spike_and_slab", {"s": self.scale, "weight": self.weight})

    def to_pymc(self, name, *, dims=None, shape=None):
        """Indicators ``{name}_included ~ Bernoulli(weight)`` (sampled by PyMC's binary
        Gibbs step) times a slab ``{name}_slab ~ N(0, scale^2)`` (NUTS): ``w`` is exactly
        0.0 whenever the indicator is 0 (Kuo & Mallick 1998)."""
        import pymc as pm

        included = pm.Bernoulli(f"{name}_included", p=self.weight, dims=dims, shape=shape)
        slab = pm.Normal(f"{name}_slab", mu=0.0, sigma=self.scale, dims=dims, shape=shape)
        return pm.Deterministic(name, included * slab, dims=dims)


def spike_and_slab(scale: float = 1.0, weight: float = 0.5) -> SpikeAndSlab:
    """Spike-and-slab prior: ``P(w = 0) = 1 - weight``, slab ``N(0, scale^2)``."""
    return SpikeAndSlab(scale, weight)


