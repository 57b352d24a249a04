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
import math
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from .errors import CuspInputError
from .local_prox import local_prox_by_stationarity


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
        # A step relative to |w| (the scale where w = 0, whose value is never used).  An
        # absolute floor (1e-12) stepped over the whole curvature of a tiny prior scale:
        # student_t(1e-20) at w = 1e-39 got -5e19 instead of +2e40, and the solver stalled.
        h = np.where(w != 0, 1e-6 * np.abs(w), 1e-6 * self.scale)
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

    # ----------------------------------------------------------------- capabilities
    # Engines (solver, samplers, exact posteriors, CLI, reports) ask these; none of them
    # checks a prior's class.  A plug-in prior gets correct defaults from its density.
    @property
    def has_pole_at_zero(self) -> bool:
        """True when the density is infinite at 0 (a point mass does not count).

        Then the penalty falls to ``-inf`` at 0, the global MAP is 0 for every data set,
        and cusp reports the non-zero local mode found with :meth:`prox_local`.
        """
        return self.point_mass == 0 and math.isinf(self.density_at_zero)

    def prox_local(self, v, step):
        """The proximal step the MAP solver uses.

        For a prior without a pole at 0 this is :meth:`prox` (the global minimizer).  With
        a pole the global minimizer is always 0, so this returns the non-zero *local*
        minimizer where one exists (see :mod:`priors.local_prox`), else 0.
        """
        if not self.has_pole_at_zero:
            return self.prox(v, step)
        return local_prox_by_stationarity(self, v, step)

    @property
    def map_kind(self) -> str:
        """``"global MAP"`` (convex penalty), ``"local MAP"`` (nonconvex) or
        ``"local mode"`` (pole at 0: the global MAP is degenerate)."""
        if self.has_pole_at_zero:
            return "local mode"
        return "global MAP" if self.convex else "local MAP"

    @property
    def elastic_net_form(self):
        """``(l1, l2)`` when the penalty is exactly ``l1 |w| + l2 w^2 / 2`` (the Laplace:
        ``(1/b, 0)``; the Gaussian: ``(0, 1/s^2)``), else None.  Its prox is then the
        closed form ``soft(v, step l1) / (1 + step l2)``, and the MAP solver runs its
        compiled coordinate descent (:mod:`models.map.compiled`).  Default: None."""
        return None

    @property
    def scale_mixture(self):
        """The prior as a scale mixture of normals, ``w | v ~ N(0, v)``, or None.

        A :class:`priors.mixture.ScaleMixture` says what the collapsed NUTS model needs
        (``pymc_scales``) and what the Gibbs sampler needs (``gibbs``: the conditional
        draw of ``v`` given ``w``); either may be None.  Default: None.
        """
        return None

    @property
    def point_mass_mixture(self):
        """The prior as ``(1 - weight) delta_0 + weight N(0, variance)``
        (:class:`priors.mixture.PointMassMixture`), or None: the collapsed Gibbs sampler
        on inclusion indicators needs it.  Default: None."""
        return None

    @property
    def normal_means_form(self):
        """(kind, params) of the exact normal-means posterior this density has, or None;
        the engines in models.posterior.exact look the kind up."""
        return None

    @property
    def has_pymc_form(self) -> bool:
        """True when :meth:`to_pymc` is implemented (the prior can be sampled)."""
        return type(self).to_pymc is not Prior.to_pymc

    def density_is(self, owner) -> bool:
        """True when this object's density is ``owner``'s (not overridden by a subclass).

        Forms derived from a density (its scale mixture, its exact posterior) are
        declared by the class that defines the density; a subclass that changes the
        density must declare its own, so it never inherits a wrong one silently.
        """
        return type(self).logpdf is owner.logpdf and type(self).penalty is owner.penalty

    def capabilities(self) -> dict:
        """What this prior offers, by name (for ``cusp priors`` and error messages)."""
        mixture = self.scale_mixture
        return {
            "map": self.has_map_view,
            "pole_at_zero": self.has_pole_at_zero,
            "map_kind": self.map_kind if self.has_map_view else None,
            "scale_mixture": mixture is not None,
            "collapsed_nuts": mixture is not None and mixture.pymc_scales is not None,
            "gibbs": (mixture is not None and mixture.gibbs is not None) or self.point_mass_mixture is not None,
            "pymc": self.has_pymc_form,
            "exact_normal_means": self.normal_means_form is not None,
            "elastic_net_form": self.elastic_net_form is not None,
        }

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

    def fenchel_young(self, w, v):
        """``penalty(w) + conjugate(v) - w v`` (vectorized): >= 0, and 0 exactly when
        ``v`` is a subgradient of the penalty at ``w``.  The duality gap is a sum of these
        terms; a family may override this with a form free of cancellation."""
        w, v = as_float_array(w), as_float_array(v)
        return unwrap(as_float_array(self.penalty(w)) + as_float_array(self.conjugate(v)) - w * v)

    # ----------------------------------------------------------------- PyMC
    def to_pymc(self, name: str, *, dims=None, shape=None):
        """Create the PyMC random variable ``name`` inside the current ``pm.Model``.

        Returns the tensor of coefficients (a Deterministic for non-centred forms).
        A prior without a PyMC form (``has_pymc_form`` False) cannot be sampled.
        """
        raise CuspInputError(f"{self.describe()} has no PyMC form, so it cannot be sampled; use its MAP (Model.map)")

    # ----------------------------------------------------------------- helpers
    def with_scale(self, scale: float) -> Prior:
        """The same family and shape parameters with another scale."""
        return dataclasses.replace(self, scale=scale)

    @property
    def params(self) -> dict:
        """The parameters as a plain dict (for reports and JSON)."""
        return dataclasses.asdict(self)

    @property
    def given_params(self) -> dict:
        """:attr:`params` without the optional ones left at their default None (a
        hyperprior not asked for): what labels and saved results list."""
        unset = {f.name for f in dataclasses.fields(self) if f.default is None and getattr(self, f.name) is None}
        return {k: v for k, v in self.params.items() if k not in unset}

    def describe(self) -> str:
        """Short label such as ``laplace(scale=1)`` (the :attr:`given_params`)."""
        args = ", ".join(f"{k}={v:g}" if v is not None else f"{k}=None" for k, v in self.given_params.items())
        return f"{self.family}({args})"


def as_float_array(w):
    """Float array view of ``w`` (no copy when possible)."""
    return np.asarray(w, dtype=float)


def unwrap(x):
    """Return a Python float for 0-d results, the array otherwise."""
    x = np.asarray(x)
    return float(x) if x.ndim == 0 else x
