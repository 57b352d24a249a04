r"""The linear algebra of the Gibbs samplers: exact draws of coefficients whose
conditional posterior is Gaussian, and the collapsed indicator step of a spike-and-slab.

Every sampler in :mod:`models.posterior.gibbs` reduces its model, given the latent
variables, to *Gaussian pseudo-data*

.. math:: \alpha \sim N(\Phi \theta, I_n), \qquad \theta_j \sim N(0, d_j),

(Gaussian noise: :math:`\Phi = X/\sigma`, :math:`\alpha = y/\sigma`; Pólya-Gamma
logistic: :math:`\Phi = \Omega^{1/2} X`, :math:`\alpha = \Omega^{-1/2}(y - 1/2)`), whose
posterior is :math:`N(A^{-1}\Phi^\top\alpha, A^{-1})` with
:math:`A = \Phi^\top\Phi + D^{-1}`.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas, lapack


def draw_coefficients(phi, alpha, d, rng, gram=None):
    """One exact draw from ``N(A^-1 phi' alpha, A^-1)``, ``A = phi' phi + diag(1/d)``.

    ``gram = (phi' phi, phi' alpha)`` given (the caller does so when ``n >= p``): Rue's
    (2001) Cholesky draw on the ``p x p`` system, written with ``S = diag(sqrt(d))`` as
    ``M = I + S phi' phi S = L L'`` and ``w = S (M^-1 S phi' alpha + L'^-1 z)``, which has
    covariance ``S M^-1 S = A^-1`` and never forms ``1/d`` (a horseshoe's ``d`` can be
    tiny).  Otherwise (``p > n``) Bhattacharya, Chakraborty & Mallick (2016, algorithm 2),
    an ``n x n`` system: memory ``O(np + n^2)``, time ``O(n^2 p)``.
    """
    s = np.sqrt(d)
    if gram is not None:
        G, b = gram
        M = s[:, None] * G * s[None, :]
        M.flat[:: M.shape[0] + 1] += 1.0  # + I_p
        U = _cholesky_upper(M)
        mean = _cho_solve_upper(U, s * b)
        noise = blas.dtrsv(U, rng.standard_normal(d.size))  # U^-1 z: covariance M^-1
        return s * (mean + noise)
    n, p = phi.shape
    u = s * rng.standard_normal(p)
    v = phi @ u + rng.standard_normal(n)
    B = phi * s
    # B B' through the symmetric rank-k update: half the flops of B @ B.T, the step
    # that dominates at p >> n
    M = blas.dsyrk(1.0, B.T, trans=1, lower=0)
    M.flat[:: n + 1] += 1.0  # + I_n
    z = _cho_solve_upper(_cholesky_upper(M), alpha - v)
    return u + s * (B.T @ z)


def draw_diagonal(phi_diag, alpha, d, rng):
    """The same draw when ``phi`` is diagonal (normal means): independent coordinates."""
    precision = phi_diag**2 + 1.0 / d
    return (phi_diag * alpha) / precision + rng.standard_normal(d.size) / np.sqrt(precision)


def _cholesky_upper(M):
    U, info = lapack.dpotrf(M, lower=0, clean=1, overwrite_a=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"Gibbs step: the conditional precision is not positive definite (dpotrf info {info})")
    return U


def _cho_solve_upper(U, b):
    x, info = lapack.dpotrs(U, b, lower=0)
    if info != 0:  # pragma: no cover - dpotrs fails only on invalid arguments
        raise np.linalg.LinAlgError(f"Gibbs step: dpotrs info {info}")
    return x


def _factor(G, b, d, idx):
    """For the subset ``idx``: the upper Cholesky factor ``U`` of ``M = I + S G_S S``,
    ``r = U'^-1 S b_S`` and the log marginal ``|r|^2 / 2 - log|M| / 2`` (see
    :func:`log_marginal`)."""
    if idx.size == 0:
        return None, np.empty(0), 0.0
    s = np.sqrt(d[idx])
    M = s[:, None] * G[np.ix_(idx, idx)] * s[None, :]
    M.flat[:: M.shape[0] + 1] += 1.0
    U = _cholesky_upper(M)
    r = blas.dtrsv(U, s * b[idx], trans=1)  # U'^-1 S b
    return U, r, 0.5 * float(r @ r) - float(np.sum(np.log(np.diag(U))))


def log_marginal(G, b, d, active):
    r"""``log N(alpha; 0, I + Phi_S D_S Phi_S')`` up to the constant ``-alpha'alpha / 2``
    shared by every subset ``S`` (``active``): with ``M = I + S G_S S``,
    ``= (S b)' M^{-1} (S b) / 2 - log|M| / 2`` (matrix determinant lemma and Woodbury)."""
    return _factor(G, b, d, np.flatnonzero(active))[2]


def _gains_of_adding(G, b, d, idx, U, r, candidates):
    """``log_marginal(S + {j}) - log_marginal(S)`` for every ``j`` in ``candidates`` at
    once, by extending the Cholesky factor of ``S`` by one row: with
    ``l = U'^-1 S_S G_{S,j} s_j`` and ``delta^2 = 1 + d_j G_jj - l'l``, the new entry of
    ``r`` is ``(s_j b_j - l'r) / delta`` and ``log|M|`` grows by ``log delta^2``."""
    s_c = np.sqrt(d[candidates])
    own = 1.0 + d[candidates] * G[candidates, candidates]
    if idx.size == 0:
        return 0.5 * (s_c * b[candidates]) ** 2 / own - 0.5 * np.log(own)
    s_s = np.sqrt(d[idx])
    cross = (s_s[:, None] * G[np.ix_(idx, candidates)]) * s_c[None, :]
    L = lapack.dtrtrs(U, cross, lower=0, trans=1)[0]  # U'^-1 cross, k x |candidates|
    delta2 = np.maximum(own - np.einsum("ij,ij->j", L, L), 1e-300)
    new_r = (s_c * b[candidates] - L.T @ r) / np.sqrt(delta2)
    return 0.5 * new_r**2 - 0.5 * np.log(delta2)


def indicator_sweep(G, b, d, included, log_odds, rng, fixed=None):
    """One sweep of single-site collapsed Gibbs on the inclusion indicators.

    Coefficient ``j`` is in the model with prior odds ``exp(log_odds)`` and then has
    variance ``d[j]``; the coefficients are integrated out, so each indicator is drawn
    from its exact conditional ``P(included_j | others, alpha)`` (Smith & Kohn 1996;
    George & McCulloch 1997), in a random order.  ``fixed`` marks coefficients always in
    the model (an intercept).  Returns the new indicators (a copy; ``fixed`` ones True).

    The gains of adding each excluded coefficient are computed together from the active
    set's Cholesky factor, and again only after an indicator changes; removing one
    refactors the (small) active set.  A sweep costs ``O(k^2 p)`` per change plus
    ``O(k^3)`` per active coefficient, for ``k`` active coefficients.
    """
    included = included.copy()
    fixed = np.zeros(included.size, dtype=bool) if fixed is None else fixed
    active = included | fixed
    idx = np.flatnonzero(active)
    U, r, current = _factor(G, b, d, idx)
    gains = None  # log_marginal(S + j) - log_marginal(S) for every j, while S is unchanged
    u = np.log(rng.uniform(size=included.size))
    for j in rng.permutation(np.flatnonzero(~fixed)):
        if active[j]:
            without = np.flatnonzero(active & (np.arange(active.size) != j))
            U_o, r_o, other = _factor(G, b, d, without)
            delta = other - current - log_odds  # log odds of leaving j out against keeping it
            if u[j] < -np.logaddexp(0.0, -delta):  # with probability sigmoid(delta)
                active[j] = False
                idx, U, r, current, gains = without, U_o, r_o, other, None
        else:
            if gains is None:
                gains = np.zeros(active.size)
                out = np.flatnonzero(~active)
                gains[out] = _gains_of_adding(G, b, d, idx, U, r, out)
            delta = gains[j] + log_odds
            if u[j] < -np.logaddexp(0.0, -delta):
                active[j] = True
                idx = np.flatnonzero(active)
                U, r, current = _factor(G, b, d, idx)
                gains = None
    return active


def draw_included(G, b, d, active, rng):
    """``theta`` given the indicators: the Gaussian draw on the active coefficients and
    exact 0.0 elsewhere."""
    theta = np.zeros(d.size)
    if np.any(active):
        idx = np.flatnonzero(active)
        theta[idx] = draw_coefficients(None, None, d[idx], rng, gram=(G[np.ix_(idx, idx)], b[idx]))
    return theta
