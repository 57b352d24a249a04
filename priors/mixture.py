"""Priors that are scale mixtures of normals, ``w | v ~ N(0, v)``, and what samplers need
of them.

Two engines use the mixture form, each through one field:

* the collapsed NUTS model (``models.posterior.pymc_model``) integrates ``w`` out of a
  Gaussian likelihood given the prior sds ``sqrt(v)``; it needs ``pymc_scales(name, dims=,
  shape=)``, which creates the mixing variables in the current PyMC model and returns the
  tensor of prior sds;
* the Gibbs sampler (``models.posterior.gibbs``) alternates ``w | v, y`` (Gaussian) and
  ``v | w``; it needs ``gibbs()``, a factory of a :class:`MixingConditional`, which may
  also declare :class:`CollapsibleMixing` (the partially collapsed sweep) and
  :class:`GlobalLocalMixing` (a sampled global scale drawn with ``w`` integrated out).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable, Protocol

import numpy as np


class MixingConditional(Protocol):
    """The exact conditional draw of the mixing variables given ``w`` (one Gibbs step).

    ``w`` passed to :meth:`update` is on the prior's own scale: a sampler whose prior
    scale is multiplied by the noise sd (``scale_by_sigma``) passes ``w / sigma``.
    """

    def initial(self, p: int, rng: np.random.Generator):
        """A starting state for ``p`` coefficients (a draw from the mixing prior)."""

    def variances(self, state) -> np.ndarray:
        """The prior variances ``v`` of the coefficients in this state."""

    def update(self, state, w: np.ndarray, rng: np.random.Generator):
        """A draw of the state given the coefficients ``w``."""

    def named(self, state) -> dict:
        """The state's interpretable variables, ``{suffix: value}``, recorded per draw as
        posterior variables ``w_<suffix>`` (e.g. ``lam``, one per coefficient, and
        ``tau``, a scalar, for the horseshoe): the same names NUTS gives them."""


class GlobalLocalMixing(MixingConditional, Protocol):
    """A mixing conditional whose variances are ``tau^2 u_j`` with a sampled global
    scale ``tau``: the Gibbs sampler then draws ``tau`` with ``w`` integrated out
    (:mod:`models.posterior.marginal_step`) and the local ``u`` given ``w``.  Optional."""

    samples_global: bool  # tau sampled (else the methods below are not used)
    global_tail: float  # kappa in p(tau) ~ tau^-(kappa + 1) as tau -> inf (inf: fixed tau)

    def unit_variances(self, state) -> np.ndarray:
        """The variances at ``tau = 1``."""

    def global_variance(self, state) -> float:
        """``tau^2``."""

    def log_global_prior(self, log_tau: float) -> float:
        """``log p(log tau)`` up to a constant (Jacobian included)."""

    def with_global(self, state, tau2: float):
        """The state with ``tau^2`` replaced, the unit variances kept."""

    def update_local(self, state, w: np.ndarray, rng: np.random.Generator):
        """A draw of the local variables given ``w`` and ``tau``."""

    def log_unit_prior(self, log_u: np.ndarray) -> np.ndarray:
        """``log p(log u_j)`` up to a constant, elementwise (Jacobian included)."""


class CollapsibleMixing(MixingConditional, Protocol):
    r"""A mixing conditional whose per-coefficient variance has a log density of the form

    .. math:: \log p(v) = a \log v - b v - c / v - d \log(1 + v / e) + \text{const},

    which lets the Gibbs sampler update each ``(v_j, w_j)`` pair with ``w_j`` integrated
    out (:mod:`models.posterior.collapsed_sweep`): exponential (Laplace: ``b``),
    inverse-gamma (Student-t: ``a``, ``c``) and the horseshoe's scaled beta-prime
    (``a = -1/2``, ``d = 1``, ``e = tau^2``) all are.  Optional: a conditional without
    these methods is updated by :meth:`update` alone."""

    def variance_log_density(self, state) -> tuple[float, float, float, float, float]:
        """``(a, b, c, d, e)`` of the variances' log density in this state (the global
        parameters, such as the horseshoe's ``tau`` or the Laplace rate, held fixed)."""

    def with_variances(self, state, v: np.ndarray):
        """The state with the per-coefficient variances replaced by ``v``."""


@dataclasses.dataclass(frozen=True)
class ScaleMixture:
    """How a prior is a scale mixture of normals.

    Attributes
    ----------
    description : str
        The mixing distribution in words (``"v ~ Exp(rate 1/(2 b^2))"``).
    pymc_scales : callable or None
        ``(name, dims=None, shape=None) -> tensor`` of prior sds, for collapsed NUTS.
    gibbs : callable or None
        ``() -> MixingConditional``, for the Gibbs sampler.
    """

    description: str
    pymc_scales: Callable | None = None
    gibbs: Callable[[], MixingConditional] | None = None


@dataclasses.dataclass(frozen=True)
class PointMassMixture:
    """A prior ``(1 - weight) delta_0 + weight N(0, variance)``: what the collapsed
    spike-and-slab Gibbs step needs (``Prior.point_mass_mixture``)."""

    weight: float
    variance: float


def inv_gamma(shape, rate, rng):
    """Draws of InverseGamma(shape, rate) (``rate / Gamma(shape, 1)``); a float for a
    scalar ``rate``."""
    if np.ndim(rate) == 0:
        return float(rate) / rng.gamma(shape)
    return rate / rng.gamma(shape, size=np.shape(rate))


class FixedVariance:
    """A Gaussian prior: ``v = s^2`` fixed, nothing to update."""

    def __init__(self, scale):
        self.var = float(scale) ** 2

    def initial(self, p, rng):
        return np.full(p, self.var)

    def variances(self, state):
        return state

    def update(self, state, w, rng):
        return state

    def named(self, state):
        return {}


class ExponentialVariance:
    """Laplace(b) = N(0, v) with v ~ Exp(rate lam^2 / 2), ``lam = 1 / b`` (Park & Casella
    2008): ``1 / v | w ~ InverseGaussian(mean = lam / |w|, shape = lam^2)``.

    With ``hyper_shape`` and ``hyper_rate`` the rate is sampled too, with Park & Casella's
    prior ``lam^2 ~ Gamma(hyper_shape, hyper_rate)``, which is conjugate:
    ``lam^2 | v ~ Gamma(p + hyper_shape, hyper_rate + sum(v) / 2)``; it is recorded as
    ``rate`` (``lam``)."""

    def __init__(self, scale, hyper_shape=None, hyper_rate=None):
        self.lam2 = 1.0 / float(scale) ** 2
        self.hyper = None if hyper_shape is None else (float(hyper_shape), float(hyper_rate))

    def initial(self, p, rng):
        lam2 = self.lam2 if self.hyper is None else rng.gamma(self.hyper[0], 1.0 / self.hyper[1])
        return rng.exponential(2.0 / lam2, size=p), lam2

    def variances(self, state):
        return state[0]

    def update(self, state, w, rng):
        v, lam2 = self.update_local(state, w, rng)
        if self.hyper is not None:
            shape, rate = self.hyper
            lam2 = rng.gamma(v.size + shape, 1.0 / (rate + 0.5 * v.sum()))
        return v, lam2

    def named(self, state):
        return {} if self.hyper is None else {"rate": np.sqrt(state[1])}

    def variance_log_density(self, state):
        return 0.0, 0.5 * state[1], 0.0, 0.0, 1.0  # Exp(rate lam^2 / 2)

    # the global-local form: v = u / lam^2, u ~ Exp(rate 1/2), global variance 1 / lam^2
    @property
    def samples_global(self) -> bool:
        return self.hyper is not None

    @property
    def global_tail(self) -> float:
        """``tau = 1 / lam`` with ``lam^2 ~ Gamma(r, .)``: ``p(tau) ~ tau^-(2r + 1)``."""
        return math.inf if self.hyper is None else 2.0 * self.hyper[0]

    def unit_variances(self, state):
        return state[0] * state[1]

    def global_variance(self, state):
        return 1.0 / state[1]

    def log_global_prior(self, log_tau):
        # lam^2 = exp(-2 log_tau) ~ Gamma(r, delta), with the Jacobian |d lam^2 / d log_tau|
        shape, rate = self.hyper
        return -2.0 * shape * log_tau - rate * math.exp(-2.0 * log_tau)

    def with_global(self, state, tau2):
        v, lam2 = state
        return v * lam2 * tau2, 1.0 / tau2

    def update_local(self, state, w, rng):
        _, lam2 = state
        # |w| = 0 has probability zero for a continuous draw; the floor only keeps the
        # mean finite in floating point.
        return 1.0 / rng.wald(np.sqrt(lam2) / np.maximum(np.abs(w), 1e-300), lam2), lam2

    def log_unit_prior(self, log_u):
        # u ~ Exp(rate 1/2), times the Jacobian u
        return log_u - 0.5 * np.exp(log_u)

    def with_variances(self, state, v):
        return v, state[1]


class InverseGammaVariance:
    """Student-t(nu, s) = N(0, v) with ``v ~ InvGamma(nu / 2, nu s^2 / 2)``:
    ``v | w ~ InvGamma((nu + 1) / 2, (nu s^2 + w^2) / 2)``."""

    def __init__(self, scale, nu):
        self.nu, self.c = float(nu), float(nu) * float(scale) ** 2

    def initial(self, p, rng):
        return inv_gamma(0.5 * self.nu, np.full(p, 0.5 * self.c), rng)

    def variances(self, state):
        return state

    def update(self, state, w, rng):
        return inv_gamma(0.5 * (self.nu + 1.0), 0.5 * (self.c + w**2), rng)

    def named(self, state):
        return {}

    def variance_log_density(self, state):
        return -0.5 * self.nu - 1.0, 0.0, 0.5 * self.c, 0.0, 1.0  # InvGamma(nu / 2, nu s^2 / 2)

    def with_variances(self, state, v):
        return v


class HalfCauchyVariance:
    """Horseshoe: ``v = tau^2 lam^2``, ``lam ~ C+(0, 1)``; ``tau`` fixed at ``scale`` or,
    with ``global_df``, ``tau ~ HalfStudentT(global_df, scale)`` (half-Cauchy for 1).

    The local step is the slice sampler for ``eta = 1 / lam^2`` (Polson, Scott & Windle
    2014; Johndrow, Orenstein & Bhattacharya 2020): with ``m = w^2 / (2 tau^2)``,
    ``p(eta | w) ~ exp(-m eta) / (1 + eta)``; draw ``u ~ U(0, 1 / (1 + eta))``, then
    ``eta`` from ``Exp(m)`` truncated to ``eta < 1/u - 1`` by inversion.  It mixed
    faster than Makalic & Schmidt's (2016) auxiliary inverse-gamma chain, which adds a
    second latent variable per coefficient (measured in benchmarks/posterior.py).

    The global scale uses the inverse-gamma mixture of the half-t (Wand et al. 2011):
    ``tau^2 | a ~ InvGamma(df / 2, df / a)``, ``a ~ InvGamma(1/2, 1 / scale^2)``, whose
    conditionals are ``tau^2 | eta, w, a ~ InvGamma((p + df) / 2, df / a + sum(eta w^2) / 2)``
    and ``a | tau^2 ~ InvGamma((df + 1) / 2, df / tau^2 + 1 / scale^2)``; with ``df = 1``
    this is Makalic & Schmidt's scheme.
    """

    def __init__(self, scale, global_df=None):
        self.tau2 = float(scale) ** 2
        self.df = None if global_df is None else float(global_df)

    @property
    def samples_global(self) -> bool:
        """True when ``tau`` is sampled (:class:`GlobalLocalMixing`)."""
        return self.df is not None

    @property
    def global_tail(self) -> float:
        """``p(tau) ~ tau^-(df + 1)`` for large ``tau``."""
        return math.inf if self.df is None else self.df

    def unit_variances(self, state):
        return 1.0 / state[0]

    def global_variance(self, state):
        return state[1]

    def log_global_prior(self, log_tau):
        # the half-t density in tau times the Jacobian tau
        tau2 = math.exp(2.0 * log_tau)
        return -0.5 * (self.df + 1.0) * math.log1p(tau2 / (self.df * self.tau2)) + log_tau

    def with_global(self, state, tau2):
        return state[0], tau2, state[2]

    def update_local(self, state, w, rng):
        eta, tau2, a = state
        return _slice_eta(eta, 0.5 * w**2 / tau2, rng), tau2, a

    def log_unit_prior(self, log_u):
        # u = lam^2 with lam ~ C+(0, 1): p(u) ~ u^(-1/2) / (1 + u), times the Jacobian u
        return 0.5 * log_u - np.log1p(np.exp(log_u))

    def initial(self, p, rng):
        lam = np.abs(rng.standard_cauchy(p))
        eta = 1.0 / np.maximum(lam, 1e-150) ** 2
        if self.df is None:
            return eta, self.tau2, None
        a = inv_gamma(0.5, 1.0 / self.tau2, rng)
        return eta, inv_gamma(0.5 * self.df, self.df / a, rng), a

    def variances(self, state):
        eta, tau2, _ = state
        return tau2 / eta

    def update(self, state, w, rng):
        eta, tau2, a = self.update_local(state, w, rng)
        if self.df is not None:
            tau2 = inv_gamma(0.5 * (eta.size + self.df), self.df / a + 0.5 * float(np.sum(eta * w**2)), rng)
            a = inv_gamma(0.5 * (self.df + 1.0), self.df / tau2 + 1.0 / self.tau2, rng)
        return eta, tau2, a

    def variance_log_density(self, state):
        # v = tau^2 lam^2 with lam ~ C+(0, 1): p(v) ~ v^(-1/2) / (1 + v / tau^2)
        return -0.5, 0.0, 0.0, 1.0, state[1]

    def with_variances(self, state, v):
        eta, tau2, a = state
        return tau2 / v, tau2, a

    def named(self, state):
        eta, tau2, _ = state
        out = {"lam": 1.0 / np.sqrt(eta)}
        if self.df is not None:
            out["tau"] = np.sqrt(tau2)
        return out


def _slice_eta(eta, m, rng):
    """One slice-sampling step for ``p(eta) ~ exp(-m eta) / (1 + eta)``, elementwise."""
    u = rng.uniform(size=eta.size) / (1.0 + eta)  # u ~ U(0, 1 / (1 + eta))
    upper = (1.0 - u) / u  # the slice {eta : 1 / (1 + eta) > u} is (0, upper)
    r = rng.uniform(size=eta.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        # inverse CDF of Exp(m) truncated to (0, upper); m -> 0 leaves U(0, upper)
        out = -np.log1p(r * np.expm1(-m * upper)) / m
    out = np.where(m * upper < 1e-12, r * upper, out)
    # eta = 0 would be an infinite variance: the floor is far below any eta a finite w gives
    return np.maximum(out, 1e-280)
