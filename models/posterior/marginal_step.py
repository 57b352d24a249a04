r"""The Gibbs sampler's blocked step for a Gaussian likelihood: the noise sd and the
prior's global scale drawn with the coefficients integrated out, then the coefficients.

Why: given ``w``, ``sigma`` and the global scale ``tau`` are pinned by ``w`` (the
residual, ``sum w_j^2 / lam_j^2``), so at ``p >> n`` a sampler that alternates them with
``w`` crawls; drawn from ``p(sigma, tau | local scales, y)`` they move freely (Johndrow,
Orenstein & Bhattacharya 2020 for ``tau``; Rajaratnam & Sparks 2015 for ``sigma^2``).
One eigendecomposition per iteration makes that density cheap for *every* ``(sigma,
tau)``, so both are drawn by slice steps (Neal 2003) along ``log sigma``, ``log tau``
and their difference (the direction along which ``sigma`` and ``tau`` trade off).

With ``B`` the prior variances at ``tau = 1`` (the local scales; times ``sigma^2``
when the prior is scaled by sigma) and ``K = X B X'`` (``X`` centred when the intercept
is integrated out), ``y ~ N(0, C)``:

* prior not scaled: ``C = sigma^2 I + tau^2 K``;
* scaled by sigma: ``C = sigma^2 (I + tau^2 K)``.

With ``K``'s eigenvalues ``mu`` (``n x n`` when ``p > n``; when ``n >= p`` the same
non-zero spectrum from the ``p x p`` matrix ``S X'X S``, ``S = B^(1/2)``, and
Woodbury's identity for the quadratic form) both ``log det C`` and ``y' C^-1 y`` are
sums over ``mu``: O(n) per evaluation.  The same decomposition gives the exact draw of
``w`` afterwards (Bhattacharya et al. 2016 for ``p > n``, Rue 2001 for ``n >= p``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import blas

__all__ = ["MarginalSpectrum", "slice_step"]


class MarginalSpectrum:
    """``p(y | sigma, tau, B)`` for one ``B`` (one eigendecomposition), and the draw of
    ``w`` given ``(sigma, tau)``.

    Parameters
    ----------
    X, y : centred design and response (intercept integrated out) or raw ones
    gram : ``(X'X, X'y)`` or None (needed when ``n >= p``)
    B : prior variances at ``tau = 1`` on the prior's own scale (not times sigma^2)
    n_eff : observations' worth of noise (``n - 1`` with an integrated intercept)
    scaled : the prior's variances are multiplied by ``sigma^2``
    """

    def __init__(self, X, y, gram, B, n_eff, scaled):
        self.X, self.y, self.gram, self.B, self.n_eff, self.scaled = X, y, gram, B, n_eff, scaled
        n, p = X.shape
        self.wide = p > n
        if self.wide:
            R = X * np.sqrt(B)
            # R R' through the symmetric rank-k update: half the flops of R @ R.T
            mu, self.Q = np.linalg.eigh(blas.dsyrk(1.0, R.T, trans=1, lower=0), UPLO="U")
            self.r2 = (self.Q.T @ y) ** 2
            self.zero_terms = n - n_eff  # the direction of the constant: mu = 0, r = 0
        else:
            S = np.sqrt(B)
            G, b = gram
            mu, self.Q = np.linalg.eigh(S[:, None] * G * S[None, :])
            self.c2 = (self.Q.T @ (S * b)) ** 2
            self.yy = float(y @ y)
            self.zero_terms = p - n_eff  # the ld sum below has p terms; n_eff - p are sigma^2's
        # positive semi-definite: rounding may leave -1e-17
        self.mu = np.maximum(mu, 0.0)

    def log_likelihood(self, log_sigma, log_tau):
        """``log p(y | sigma, tau, B)`` up to a constant."""
        s2, t = math.exp(2.0 * log_sigma), math.exp(2.0 * log_tau)
        if self.scaled:
            D = 1.0 + t * self.mu
            log_det = self.n_eff * 2.0 * log_sigma + float(np.sum(np.log(D)))
            quad = float(np.sum(self.r2 / D)) if self.wide else self.yy - t * float(np.sum(self.c2 / D))
            return -0.5 * log_det - 0.5 * quad / s2
        D = s2 + t * self.mu
        log_det = float(np.sum(np.log(D))) - self.zero_terms * 2.0 * log_sigma
        quad = float(np.sum(self.r2 / D)) if self.wide else (self.yy - t * float(np.sum(self.c2 / D))) / s2
        return -0.5 * log_det - 0.5 * quad

    def draw_w(self, sigma, tau, rng):
        """An exact draw of ``w | sigma, tau, B, y``."""
        s2, t = sigma * sigma, tau * tau
        d = t * self.B * (s2 if self.scaled else 1.0)  # the prior variances
        # eigenvalues of Phi D Phi' (p > n) or of St Phi'Phi St (n >= p), Phi = X / sigma
        lam = t * self.mu * (1.0 if self.scaled else 1.0 / s2)
        scale = 1.0 / (1.0 + lam)
        Q = self.Q
        if self.wide:
            phi = self.X / sigma
            n, p = phi.shape
            u = np.sqrt(d) * rng.standard_normal(p)
            v = phi @ u + rng.standard_normal(n)
            x = Q @ (scale * (Q.T @ (self.y / sigma - v)))
            return u + d * (phi.T @ x)
        st = np.sqrt(d)
        b = self.gram[1]
        mean = Q @ (scale * (Q.T @ (st * b / s2)))
        noise = Q @ (np.sqrt(scale) * rng.standard_normal(st.size))
        return st * (mean + noise)


def slice_step(log_density, x0, rng, width=1.0, max_steps=30):
    """One slice-sampling update of a scalar (Neal 2003: stepping out, then shrinkage)."""
    level = log_density(x0) + math.log(rng.uniform())
    left = x0 - width * rng.uniform()
    right = left + width
    steps = max_steps
    while steps > 0 and log_density(left) > level:
        left -= width
        steps -= 1
    steps = max_steps
    while steps > 0 and log_density(right) > level:
        right += width
        steps -= 1
    while True:
        x = left + (right - left) * rng.uniform()
        if log_density(x) > level:
            return x
        if x < x0:
            left = x
        else:
            right = x
