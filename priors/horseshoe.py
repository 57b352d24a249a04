"""Horseshoe prior (Carvalho, Polson & Scott 2010): w | lam ~ N(0, lam^2 tau^2), lam ~ C+(0, 1).

Its marginal density has a pole at 0, so its penalty goes to -infinity there: the global
MAP is w = 0 for every data set.  cusp reports that honestly and offers the non-zero
local mode (``prox_local``) where one exists.
"""

import dataclasses
import math

import numpy as np
from scipy.special import exp1, factorial

from .validation import check_scale
from .mixture import HalfCauchyVariance, ScaleMixture
from .base import Prior, as_float_array, unwrap

_ASYMPTOTIC_FROM = 50.0
_ASYMPTOTIC_TERMS = np.arange(16)
_ASYMPTOTIC_COEFS = (-1.0) ** _ASYMPTOTIC_TERMS * factorial(_ASYMPTOTIC_TERMS)


def log_exp_e1(u):
    """``log(exp(u) E1(u))`` for ``u >= 0`` without overflow or underflow.

    Direct for ``u <= 50``; beyond that the asymptotic series
    ``exp(u) E1(u) = sum_k (-1)^k k! / u^(k+1)`` (16 terms: relative error < 1e-15).
    """
    u = as_float_array(u)
    small = u <= _ASYMPTOTIC_FROM
    with np.errstate(divide="ignore", over="ignore"):
        us = np.where(small, u, 1.0)
        direct = us + np.log(exp1(us))
        ul = np.where(small, _ASYMPTOTIC_FROM + 1, u)
        series = np.sum(_ASYMPTOTIC_COEFS / ul[..., None] ** (_ASYMPTOTIC_TERMS + 1), axis=-1)
    return np.where(small, direct, np.log(series))


def u_exp_e1_and_complement(u):
    """``(r, 1 - r)`` with ``r = u exp(u) E1(u)`` for ``u > 0``, each without cancellation.

    ``r`` is computed directly for ``u <= 50`` (where ``1 - r >= 0.019``), and ``1 - r``
    from the asymptotic series ``sum_{k>=1} (-1)^(k+1) k! / u^k`` beyond.
    """
    u = as_float_array(u)
    small = u <= _ASYMPTOTIC_FROM
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        us = np.where(small, u, 1.0)
        r_direct = us * np.exp(log_exp_e1(us))
        ul = np.where(small, _ASYMPTOTIC_FROM + 1, u)
        k = _ASYMPTOTIC_TERMS[1:]
        tail = np.sum(-_ASYMPTOTIC_COEFS[1:] / ul[..., None] ** k, axis=-1)
    r = np.where(small, r_direct, 1.0 - tail)
    return r, np.where(small, 1.0 - r_direct, tail)


def _penalty_grad_scalar(w: float, tau: float) -> float:
    """:meth:`Horseshoe.penalty_grad` at one float: the formulas of
    :func:`u_exp_e1_and_complement`, agreeing with the array path to rounding."""
    if w == 0.0:
        return 0.0
    u = 0.5 * (w / tau) ** 2
    if u <= _ASYMPTOTIC_FROM:
        e1 = float(exp1(u))
        if e1 == 0.0 or math.isinf(e1):
            return float(Horseshoe(tau).penalty_grad(np.asarray(w)))  # the array path's limits
        r = u * math.exp(u + math.log(e1))
        one_minus_r = 1.0 - r
    else:
        inv = 1.0 / u  # powers of 1/u underflow to 0 where u**k would overflow
        one_minus_r = sum(-c * inv**k for c, k in zip(_ASYMPTOTIC_SERIES_COEFS, range(1, _ASYMPTOTIC_TERMS.size)))
        r = 1.0 - one_minus_r
    return (w / tau**2) * one_minus_r / r


_ASYMPTOTIC_SERIES_COEFS = tuple(float(c) for c in _ASYMPTOTIC_COEFS[1:])


@dataclasses.dataclass(frozen=True)
class Horseshoe(Prior):
    r"""Horseshoe prior with global scale ``tau`` (``scale``).

    Marginal density (closed form through the exponential integral :math:`E_1`):

    .. math:: p(w) = \frac{1}{\tau\sqrt{2\pi^3}}\, e^{u} E_1(u), \quad u = \frac{w^2}{2\tau^2}.

    It is infinite at 0, so ``penalty(w) = -log(e^u E_1(u))`` (the normalizing
    constant dropped) tends to :math:`-\infty` and ``zero_threshold`` is ``inf``.

    * ``prox`` returns the **global** minimizer of ``0.5 (x - v)^2 + step penalty(x)``,
      which is always 0 (the objective is :math:`-\infty` there): the horseshoe MAP is
      degenerate.
    * ``prox_local`` returns the non-zero **local** minimizer when one exists (the larger
      root of the stationarity equation), and 0 otherwise.  cusp's MAP for the
      horseshoe uses it and labels the result a local mode.

    ``global_df`` (default None) samples the global scale when sampling:
    ``tau ~ HalfStudentT(global_df, scale)``, so ``global_df=1`` is Carvalho, Polson &
    Scott's ``tau ~ C+(0, scale)``.  The density, penalty and MAP always describe
    ``tau = scale`` (with ``tau`` free the joint mode would collapse to ``tau = 0``), as
    for the regularized horseshoe.
    """

    family = "horseshoe"
    convex = False
    pymc_target_accept = 0.95

    global_df: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "scale", check_scale(f"{self.family} scale (tau)", self.scale))
        if self.global_df is not None:
            object.__setattr__(self, "global_df", check_scale(f"{self.family} global_df", self.global_df))

    def _u(self, w):
        return 0.5 * (as_float_array(w) / self.scale) ** 2

    def logpdf(self, w):
        tau = self.scale
        return unwrap(-math.log(tau) - 0.5 * math.log(2 * math.pi**3) + log_exp_e1(self._u(w)))

    @property
    def density_at_zero(self) -> float:
        return float("inf")

    def penalty(self, w):
        return unwrap(-log_exp_e1(self._u(w)))

    def penalty_grad(self, w):
        # d/dw [-log(e^u E1(u))] = (w / tau^2) (1 - r) / r with r = u e^u E1(u).
        if isinstance(w, float):
            # the MAP's coordinate sweeps call this on one float at a time (through
            # prox_local's root search): scalar arithmetic is ~50x faster than 0-d arrays
            return _penalty_grad_scalar(w, self.scale)
        w = as_float_array(w)
        u = self._u(w)
        with np.errstate(divide="ignore", invalid="ignore"):
            r, one_minus_r = u_exp_e1_and_complement(u)
            g = (w / self.scale**2) * one_minus_r / r
        return unwrap(np.where(w == 0, 0.0, g))

    def prox(self, v, step):
        v, _ = np.broadcast_arrays(as_float_array(v), as_float_array(step))
        return unwrap(np.zeros_like(v))

    @property
    def zero_threshold(self) -> float:
        return float("inf")

    @property
    def scale_mixture(self):
        # Declared for this density only: a subclass with another density (a horseshoe+,
        # say) must declare its own mixture, never be sampled as a plain horseshoe.
        if not self.density_is(Horseshoe):
            return None
        return ScaleMixture("v = tau^2 lam^2, lam ~ C+(0, 1)", pymc_scales=self.pymc_scales,
                            gibbs=lambda: HalfCauchyVariance(self.scale, self.global_df))

    @property
    def normal_means_form(self):
        # 1-D quadrature (models.posterior.exact.horseshoe); a subclass with another
        # density (RegularizedHorseshoe) gets None, never the plain horseshoe's answer;
        # nor does a sampled tau (its posterior couples the coefficients)
        if not self.density_is(Horseshoe) or self.global_df is not None:
            return None
        return ("horseshoe", {"tau": self.scale})

    def pymc_scales(self, name, *, dims=None, shape=None):
        """The prior sd of each coefficient given its local scale: ``tau * lam`` with
        ``{name}_lam ~ HalfCauchy(1)`` and ``tau = scale``, or ``{name}_tau ~
        HalfStudentT(global_df, scale)``.  ``w | scales ~ N(0, scales^2)``, which lets a
        Gaussian likelihood integrate ``w`` out (see :mod:`models.posterior`)."""
        import pymc as pm

        if self.global_df is None:
            tau = self.scale
        else:
            tau = pm.HalfStudentT(f"{name}_tau", nu=self.global_df, sigma=self.scale)
        return tau * pm.HalfCauchy(f"{name}_lam", beta=1.0, dims=dims, shape=shape)

    def to_pymc(self, name, *, dims=None, shape=None, centered=False):
        """Non-centred by default: ``w = z * scales`` with ``{name}_z ~ N(0, 1)``; the
        funnel of the centred form ``w ~ N(0, scales^2)`` makes NUTS diverge."""
        import pymc as pm

        scales = self.pymc_scales(name, dims=dims, shape=shape)
        if centered:
            return pm.Normal(name, mu=0.0, sigma=scales, dims=dims, shape=shape)
        z = pm.Normal(f"{name}_z", mu=0.0, sigma=1.0, dims=dims, shape=shape)
        return pm.Deterministic(name, z * scales, dims=dims)


def horseshoe(scale: float = 1.0, global_df: float | None = None) -> Horseshoe:
    """Horseshoe prior with global scale ``tau`` (``scale``); ``global_df=1`` samples
    ``tau ~ C+(0, scale)`` (any ``global_df``: a half-Student-t) when sampling."""
    return Horseshoe(scale, global_df)
