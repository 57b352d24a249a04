"""Scale parameters written so that NUTS samples them without divergences.

A half-Cauchy (or half-Student-t) scale has tails so heavy that NUTS's step size
cannot fit both its bulk and its tail.  Writing it as ``a * sqrt(b)`` with
``a ~ HalfNormal(1)`` and ``b ~ InvGamma(nu/2, nu/2)`` gives the same distribution
(Piironen & Vehtari 2017, appendix C) with two well-behaved pieces.
"""

from __future__ import annotations


def half_student_t(name, nu, scale, *, dims=None, shape=None):
    """``scale * |t_nu|`` as a Deterministic ``name`` built from ``{name}_a`` and ``{name}_b``."""
    import pymc as pm

    a = pm.HalfNormal(f"{name}_a", sigma=1.0, dims=dims, shape=shape)
    b = pm.InverseGamma(f"{name}_b", alpha=0.5 * nu, beta=0.5 * nu, dims=dims, shape=shape)
    return pm.Deterministic(name, scale * a * pm.math.sqrt(b), dims=dims)


def regularized_local_scale(lam, tau, c2):
    """``lam~ = sqrt(c^2 lam^2 / (c^2 + tau^2 lam^2))`` (Piironen & Vehtari 2017, eq. 2.8)."""
    import pymc as pm

    return pm.math.sqrt(c2 * lam**2 / (c2 + tau**2 * lam**2))
