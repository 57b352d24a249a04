"""The Prior interface shared by every family.

A prior on one coefficient is used two ways in cusp:

* as a **penalty** for the exact MAP: ``penalty(w) = -log p(w) + const`` with its
  proximal operator and the half-width of its subdifferential at zero
  (``zero_threshold``), which decides whether a MAP coefficient can be exactly 0;
* as a **PyMC random variable** for posterior sampling (``to_pymc``).

Both views come from the same frozen object, so the MAP and the posterior can never
disagree about which prior was used.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np


@dataclasses.dataclass(frozen=True)
class Prior(ABC):
    """A symmetric prior on one coefficient, centred at 0, with a scale parameter.

    Subclasses are frozen dataclasses whose first field is ``scale``.
    """

    family: ClassVar[str] = "prior"
    #: True when ``penalty`` is convex (then the MAP is global and a duality gap exists).
    convex: ClassVar[bool] = False
    #: NUTS target acceptance that samples this prior cleanly (None: PyMC's default 0.8).
    pymc_target_accept: ClassVar[float | None] = None
    #: Probability mass at exactly 0 (only point-mass priors such as spike-and-slab).
    point_mass: ClassVar[float] = 0.0
    #: False for priors whose "MAP" is not defined (a point mass mixed with a density).
    has_map_view: ClassVar[bool] = True
    no_map_reason: ClassVar[str] = ""

    scale: float

    # ----------------------------------------------------------------- densities
    @abstractmethod
    def logpdf(self, w):
        """Normalized log density ``log p(w)`` (vectorized)."""

    def pdf(self, w):
        """Density ``p(w)``."""
        return np.exp(self.logpdf(w))

    @property
    def density_at_zero(self) -> float:
        """``p(0)``; ``inf`` where the density has a pole at 0."""
        return float(np.exp(self.logpdf(0.0)))

    # ----------------------------------------------------------------- penalty view
    @abstractmethod
    def penalty(self, w):
        """``-log p(w)`` up to an additive constant, chosen so that ``penalty(0) = 0``
        wherever the density at 0 is finite."""

    @abstractmethod
    def penalty_grad(self, w):
        """Derivative of ``penalty`` at ``w != 0`` (vectorized; the value at 0 is 0 by
        convention and never used: zeros are judged by ``zero_threshold``)."""

    def penalty_hess(self, w):
        """Second derivative of ``penalty`` at ``w != 0`` (central differences of
        ``penalty_grad`` unless a family gives it in closed form)."""
        w = as_float_array(w)
        h = 1e-6 * np.maximum(np.abs(w), 1e-12)
        return (as_float_array(self.penalty_grad(w + h)) - as_float_array(self.penalty_grad(w - h))) / (2 * h)

    @abstractmethod
    def prox(self, v, step):
        """Proximal operator ``argmin_x 0.5 (x - v)^2 + step * penalty(x)`` (vectorized).

        For nonconvex penalties this returns the **global** minimizer (ties go to 0).
        """

    @property
    @abstractmethod
    def zero_threshold(self) -> float:
        """Half-width of the subdifferential of ``penalty`` at 0.

        ``w_j = 0`` can be a (local) MAP only if the slope of the negative
        log-likelihood there satisfies ``|slope| <= zero_threshold``: 0 for smooth
        priors (an equation, probability zero), ``1/b`` for the Laplace (an inequality,
        an open set of data), ``inf`` where the penalty's slope is unbounded at 0.
        """

    @property
    def is_smooth_at_zero(self) -> bool:
        """True when the log density is differentiable at 0 (no exact MAP zeros)."""
        return self.zero_threshold == 0.0

    # ----------------------------------------------------------------- duality (convex only)
    def conjugate(self, u):
        """Convex conjugate ``penalty*(u)`` (``inf`` outside its domain).

        Only defined for convex penalties; used for the duality gap.
        """
        raise NotImplementedError(f"{self.family} prior has no convex conjugate")

    @property
    def conjugate_radius(self) -> float:
        """Largest ``|u|`` where ``conjugate(u)`` is finite (``inf`` when unbounded)."""
        return float("inf")

    # ----------------------------------------------------------------- PyMC
    @abstractmethod
    def to_pymc(self, name: str, *, dims=None, shape=None):
        """Create the PyMC random variable ``name`` inside the current ``pm.Model``.

        Returns the tensor of coefficients (a Deterministic for non-centred forms).
        """

    # ----------------------------------------------------------------- helpers
    def with_scale(self, scale: float) -> Prior:
        """The same family and shape parameters with another scale."""
        return dataclasses.replace(self, scale=scale)

    @property
    def params(self) -> dict:
        """The parameters as a plain dict (for reports and JSON)."""
        return dataclasses.asdict(self)

    def describe(self) -> str:
        """Short label such as ``laplace(scale=1)``."""
        args = ", ".join(f"{k}={v:g}" if v is not None else f"{k}=None" for k, v in self.params.items())
        return f"{self.family}({args})"


def as_float_array(w):
    """Float array view of ``w`` (no copy when possible)."""
    return np.asarray(w, dtype=float)


def unwrap(x):
    """Return a Python float for 0-d results, the array otherwise."""
    x = np.asarray(x)
    return float(x) if x.ndim == 0 else x
