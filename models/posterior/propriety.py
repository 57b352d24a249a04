r"""When Jeffreys' prior on the noise makes the posterior improper, said before sampling.

With :math:`p(\sigma^2) \propto 1/\sigma^2` (flat in :math:`\log\sigma`) the posterior
is proper only if :math:`p(y \mid \sigma)` vanishes as :math:`\sigma \to 0`.  When the
design can fit the data exactly (``p >= n - 1`` with an integrated intercept, ``p >= n``
without; normal means always) it does not:

* a prior on ``w`` that does not involve ``sigma``: :math:`p(y \mid \sigma)` tends to
  the prior density of :math:`Xw` at ``y``, a positive constant, and
  :math:`\int_0 d\sigma / \sigma` diverges;
* a prior scaled by sigma (``scale_by_sigma``) with a sampled global scale ``tau``
  whose prior decays like :math:`\tau^{-(\kappa + 1)}`: along :math:`\sigma\tau = c`
  the likelihood again stays put, and the density of ``sigma`` there behaves like
  :math:`\sigma^{\kappa - 2}`, integrable at 0 only for :math:`\kappa > 1`.  So the
  half-Cauchy global scale (:math:`\kappa = 1`) is improper and a half-t with more than
  one degree of freedom is not; for the Laplace rate, :math:`\lambda^2 \sim
  \mathrm{Gamma}(r, \delta)` gives :math:`\kappa = 2r`.

A sampler run on an improper posterior returns numbers all the same (its chains drift
towards :math:`\sigma = 0`, slowly, as the divergence is logarithmic); cusp refuses.
"""

from __future__ import annotations

import math

__all__ = ["improper_posterior_reason"]


def improper_posterior_reason(prior, *, sigma_prior, sigma_known, n_obs, n_features, fit_intercept,
                              scale_by_sigma) -> str | None:
    """Why the posterior is improper (one sentence saying what to change), or None.

    ``n_features`` is None for normal means (one mean per observation)."""
    if sigma_known or sigma_prior != "jeffreys":
        return None
    n_eff = n_obs - 1 if (fit_intercept and n_features is not None) else n_obs
    p = n_obs if n_features is None else n_features
    if p < n_eff:
        return None
    fits_exactly = (f"with Jeffreys' prior on sigma and {p} coefficients for {n_obs} observations the model fits the "
                    "data exactly as sigma -> 0, so the posterior is improper")
    if not scale_by_sigma:
        return f"{fits_exactly}; use sigma_prior='halfnormal' (the default), give sigma, or scale_by_sigma=True"
    mixture = prior.scale_mixture
    mixing = mixture.gibbs() if mixture is not None and mixture.gibbs is not None else None
    tail = getattr(mixing, "global_tail", math.inf) if getattr(mixing, "samples_global", False) else math.inf
    if tail <= 1.0:
        return (f"{fits_exactly} (the prior of the global scale has too heavy a tail for a prior scaled by sigma); "
                "use sigma_prior='halfnormal' (the default), give sigma, or a lighter-tailed global scale "
                "(horseshoe global_df > 1, laplace hyper_shape > 1/2)")
    return None
