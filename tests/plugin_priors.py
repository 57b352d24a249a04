"""A prior family defined only here, outside the package, and registered with one call
(``tests/conftest.py``): every registry-parametrized test then runs on it.

Its density ``p(w) = |w|^(-1/2) exp(-|w|/s) / (2 sqrt(pi s))`` has a pole at 0, like the
horseshoe's, but it is not a horseshoe: cusp must learn that from the prior's declared
capabilities (its infinite density at 0), never from its class.  ``|w|`` is
Gamma(1/2, scale s), which gives the normalizing constant and exact random draws.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from priors import Prior, check_positive


@dataclasses.dataclass(frozen=True)
class RootPole(Prior):
    family = "root_pole"
    convex = False

    def __post_init__(self):
        object.__setattr__(self, "scale", check_positive("root_pole scale", self.scale))

    def logpdf(self, w):
        a = np.abs(np.asarray(w, dtype=float))
        with np.errstate(divide="ignore"):
            out = -0.5 * np.log(a) - a / self.scale - math.log(2 * math.sqrt(math.pi * self.scale))
        return float(out) if out.ndim == 0 else out

    @property
    def density_at_zero(self) -> float:
        return math.inf

    def penalty(self, w):
        a = np.abs(np.asarray(w, dtype=float))
        with np.errstate(divide="ignore"):
            out = 0.5 * np.log(a) + a / self.scale
        return float(out) if out.ndim == 0 else out

    def penalty_grad(self, w):
        w = np.asarray(w, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = 0.5 / w + np.sign(w) / self.scale
        out = np.where(w == 0, 0.0, g)
        return float(out) if out.ndim == 0 else out

    def prox(self, v, step):
        # The objective is -inf at 0: the global minimizer is always 0.
        out = np.zeros(np.broadcast(np.asarray(v, dtype=float), np.asarray(step, dtype=float)).shape)
        return float(out) if out.ndim == 0 else out

    @property
    def zero_threshold(self) -> float:
        return math.inf

    def to_pymc(self, name, *, dims=None, shape=None):
        import pymc as pm
        import pytensor.tensor as pt
        from scipy import stats

        s = self.scale
        log_norm = -math.log(2 * math.sqrt(math.pi * s))

        def logp(value, s_):
            a = pt.abs(value)
            return log_norm - 0.5 * pt.log(a) - a / s_

        def random(s_, rng=None, size=None):
            a = stats.gamma.rvs(0.5, scale=s_, size=size, random_state=rng)
            return np.where(rng.uniform(size=size) < 0.5, -a, a)

        return pm.CustomDist(name, s, logp=logp, random=random, dims=dims, shape=shape)


def root_pole(scale: float = 1.0) -> RootPole:
    return RootPole(scale)


def register() -> None:
    from priors import REGISTRY, register_prior

    if "root_pole" not in REGISTRY:
        register_prior("root_pole", root_pole, "|w|^(-1/2) exp(-|w|/s): a pole at 0 (test plug-in)",
                       ({"scale": 1.0}, {"scale": 0.3}))
