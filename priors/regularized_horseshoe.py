"""Regularized horseshoe (Piironen & Vehtari 2017): a horseshoe whose large coefficients
meet a Gaussian slab of width ``c`` instead of the Cauchy's unbounded tails.

.. math::

    w \\mid \\lambda \\sim N\\!\\left(0, \\tau^2 \\tilde\\lambda^2\\right), \\quad
    \\tilde\\lambda^2 = \\frac{c^2 \\lambda^2}{c^2 + \\tau^2 \\lambda^2}, \\quad
    \\lambda \\sim C^+(0, 1).

Small coefficients are shrunk as by the horseshoe (the pole at 0 stays); large ones see
roughly ``N(0, c^2)``.  When sampling, ``c^2 ~ InvGamma(slab_df/2, slab_df slab_scale^2/2)``
and, unless ``global_df`` is None, ``tau ~ HalfStudentT(global_df, scale)``.  The
penalty view (the MAP) fixes ``tau = scale`` and ``c = slab_scale``: with ``tau`` free,
the joint mode would collapse to ``tau = 0``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.special import logsumexp, roots_legendre

from .validation import check_scale
from .base import as_float_array, unwrap
from .horseshoe import Horseshoe
from .mixture import ScaleMixture

# Gauss-Legendre nodes for the mixing integral over t = log(lambda), on two pieces:
# [t_lo, t_mid] directly, and [t_mid, inf) through s = exp(t_mid - t) in (0, 1], where
# the integrand's exp(-t) tail becomes a smooth function of s.
_N_NODES = 96
_NODES, _WEIGHTS = roots_legendre(_N_NODES)
# Below log(|w| / tau) - _LEFT the normal factor is < exp(-e^8 / 2): nothing left.
_LEFT = 4.0


def _relevant_lambdas(prior, w):
    """Quadrature nodes in t = log(lambda), and the log of their weights, for each |w| > 0."""
    tau, c = prior.scale, prior.slab_scale
    t_w = np.log(np.abs(w) / tau)[..., None]
    t_lo = t_w - _LEFT
    # The substitution s = exp(t_mid - t) suits the tail only where the integrand decays
    # like exp(-t): past the normal factor's peak (t_w), the slab's transition
    # (log(c / tau)) and the Cauchy's own bend at lambda = 1 (t = 0).  Without the 0,
    # tau >> c, |w| put t_mid far below 0, where the integrand still grows like exp(t),
    # and the right piece missed most of the mass (logpdf off by 5 at tau = 1e8).
    t_mid = np.maximum(np.maximum(t_w, math.log(c / tau)), 0.0) + 2.0
    half = 0.5 * (t_mid - t_lo)
    t_left = t_lo + half * (_NODES + 1)
    s = 0.5 * (_NODES + 1)  # in (0, 1)
    t_right = t_mid - np.log(s)
    log_dt_left = np.log(half) + np.log(_WEIGHTS)
    log_dt_right = np.broadcast_to(np.log(0.5 * _WEIGHTS / s), t_right.shape)
    return np.concatenate([t_left, t_right], axis=-1), np.concatenate([np.broadcast_to(log_dt_left, t_left.shape), log_dt_right], axis=-1)


@dataclasses.dataclass(frozen=True)
class RegularizedHorseshoe(Horseshoe):
    r"""Regularized horseshoe with global scale ``tau`` (``scale``) and slab width ``c``.

    Parameters
    ----------
    scale : float
        Global scale ``tau`` (Piironen & Vehtari's ``tau0``; see
        :func:`models.conversions.horseshoe_global_scale` for the value implied by an
        expected number of non-zeros).
    slab_scale : float
        ``c``: the prior sd of coefficients that escape shrinkage.
    slab_df : float
        Degrees of freedom of the slab's inverse-gamma prior when sampling.
    global_df : float or None
        ``tau ~ HalfStudentT(global_df, scale)`` when sampling (1 = half-Cauchy);
        None keeps ``tau`` fixed at ``scale`` (the model the MAP view describes).

    The marginal density has no closed form: it is the 1-D integral over
    ``t = log(lambda)``, done by Gauss-Legendre quadrature with 96 nodes on each of two
    pieces adapted to ``|w|`` (about 1e-10 relative against scipy's adaptive quadrature
    in the tests; 1e-9 or better at tau up to 1e8).  The penalty's derivative is
    ``w E[1 / v | w]`` with ``v = tau^2 lambda~^2``, from the same quadrature.
    """

    family = "regularized_horseshoe"

    slab_scale: float = 2.0
    slab_df: float = 4.0
    global_df: float | None = 1.0

    def __post_init__(self):
        super().__post_init__()  # scale and global_df
        object.__setattr__(self, "slab_scale", check_scale("regularized_horseshoe slab_scale", self.slab_scale))
        object.__setattr__(self, "slab_df", check_scale("regularized_horseshoe slab_df", self.slab_df))

    def _log_terms(self, w):
        """Per node: log of the mixing integrand (without 1/sqrt(2 pi)) and log v."""
        tau, c = self.scale, self.slab_scale
        t, log_dt = _relevant_lambdas(self, w)
        lam2 = np.exp(2 * t)
        v = (tau * c) ** 2 * lam2 / (c**2 + tau**2 * lam2)
        # density of t = log(lambda) under lambda ~ C+(0, 1): 2 e^t / (pi (1 + e^2t))
        log_mix = math.log(2 / math.pi) + t - np.logaddexp(0.0, 2 * t)
        log_normal = -0.5 * np.log(v) - 0.5 * (w[..., None] ** 2) / v
        return log_dt + log_mix + log_normal, np.log(v)

    def logpdf(self, w):
        w = as_float_array(w)
        out = np.full(w.shape, np.inf)
        nz = w != 0
        if np.any(nz):
            terms, _ = self._log_terms(w[nz])
            out[nz] = logsumexp(terms, axis=-1) - 0.5 * math.log(2 * math.pi)
        return unwrap(out)

    def penalty(self, w):
        # -log p(w) shifted by the constant log(tau sqrt(2 pi^3)) that makes it match the
        # horseshoe's penalty for small |w| (where the slab does not matter).
        return unwrap(-as_float_array(self.logpdf(w)) - math.log(self.scale) - 0.5 * math.log(2 * math.pi**3))

    def penalty_grad(self, w):
        w = as_float_array(w)
        out = np.zeros(w.shape)
        nz = w != 0
        if np.any(nz):
            terms, log_v = self._log_terms(w[nz])
            # E[1/v | w] as an average of 1/v under the normalized weights exp(terms - max).
            # Not as exp(logsumexp(terms - log v) - logsumexp(terms)): for large |w| both
            # log-sums are about -w^2 / (2 c^2), and rounding each (ulp 0.25 at |w| = 1e8)
            # made the difference, hence the gradient, wrong by up to a factor 4.
            weights = np.exp(terms - terms.max(axis=-1, keepdims=True))
            out[nz] = w[nz] * np.sum(weights * np.exp(-log_v), axis=-1) / np.sum(weights, axis=-1)
        return unwrap(out)

    @property
    def scale_mixture(self):
        # Collapsed NUTS only: the slab makes lam | w non-conjugate (v = tau^2 c^2 lam^2 /
        # (c^2 + tau^2 lam^2) has no conjugate or invertible slice for lam), so no Gibbs step.
        if not self.density_is(RegularizedHorseshoe):
            return None
        return ScaleMixture("v = tau^2 lam~^2 with a N(0, c^2) slab (Piironen & Vehtari 2017)",
                            pymc_scales=self.pymc_scales)

    def pymc_scales(self, name, *, dims=None, shape=None):
        """``tau * lam~`` with ``{name}_lam ~ HalfCauchy(1)``, the slab
        ``{name}_c2 ~ InvGamma(slab_df / 2, slab_df slab_scale^2 / 2)`` and, unless
        ``global_df`` is None, ``{name}_tau ~ HalfStudentT(global_df, scale)``."""
        import pymc as pm

        if self.global_df is None:
            tau = self.scale
        else:
            tau = pm.HalfStudentT(f"{name}_tau", nu=self.global_df, sigma=self.scale)
        lam = pm.HalfCauchy(f"{name}_lam", beta=1.0, dims=dims, shape=shape)
        c2 = pm.InverseGamma(f"{name}_c2", alpha=0.5 * self.slab_df, beta=0.5 * self.slab_df * self.slab_scale**2)
        # Piironen & Vehtari (2017), eq. 2.8: lam~^2 = c^2 lam^2 / (c^2 + tau^2 lam^2)
        return tau * pm.math.sqrt(c2 * lam**2 / (c2 + tau**2 * lam**2))


def regularized_horseshoe(scale: float = 1.0, slab_scale: float = 2.0, slab_df: float = 4.0,
                          global_df: float | None = 1.0) -> RegularizedHorseshoe:
    """Regularized horseshoe (Piironen & Vehtari 2017) with global scale ``scale``."""
    return RegularizedHorseshoe(scale, slab_scale=slab_scale, slab_df=slab_df, global_df=global_df)
