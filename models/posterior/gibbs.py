r"""Gibbs samplers for Gaussian regression under scale-mixture priors.

Gaussian, Laplace and horseshoe priors are all scale mixtures of normals,
:math:`w_j \mid v_j \sim N(0, v_j)`, so with a Gaussian likelihood and known noise
``sigma`` the posterior can be sampled by alternating two exact conditional draws:

1. ``w | v, y``: a Gaussian, :math:`N(A^{-1} X^\top y / \sigma^2, A^{-1})` with
   :math:`A = X^\top X / \sigma^2 + \mathrm{diag}(1 / v)`.  For ``p > n`` it is drawn
   with the algorithm of Bhattacharya, Chakraborty & Mallick (2016), which costs
   :math:`O(n^2 p)` instead of :math:`O(p^3)`: this is the step that makes the study's
   horseshoe posterior mean (``n = 50, p = 200``) take seconds where NUTS takes
   minutes; for ``n >= p`` by Rue's Cholesky draw on the ``p x p`` system, with the
   Gram matrix formed once;
2. ``v | w``: independent per coordinate, with a closed form for each prior:

   * Gaussian(``s``): ``v = s^2`` is fixed (one draw of step 1 is already exact);
   * Laplace(``b``) (Park & Casella 2008): ``v ~ Exp(rate = 1 / (2 b^2))`` a priori,
     and :math:`1 / v \mid w \sim \mathrm{InverseGaussian}(\text{mean} = 1/(b |w|),
     \text{shape} = 1/b^2)`;
   * horseshoe(``tau``) with ``tau`` fixed (Makalic & Schmidt 2016):
     ``v = tau^2 lam^2`` with ``lam^2 | nu ~ InvGamma(1/2, 1/nu)``,
     ``nu ~ InvGamma(1/2, 1)``, whose conditionals are
     ``lam^2 | w, nu ~ InvGamma(1, 1/nu + w^2 / (2 tau^2))`` and
     ``nu | lam^2 ~ InvGamma(1, 1 + 1/lam^2)``.

An intercept with a flat prior is integrated out exactly by centring ``X`` and ``y``;
its draws are then ``mean(y) - mean(X) w + sigma / sqrt(n) z``.

This is a numerical engine for the study and the tests (its inputs are checked with the
same rules as :class:`models.Model`'s); the user-facing sampler is NUTS through
:meth:`models.Model.sample`.  The tests compare these draws with the exact normal-means
posteriors (Hans 2009; horseshoe by quadrature) and with brute-force quadrature in two
dimensions.
"""

from __future__ import annotations

import os

import numpy as np

from priors import CuspInputError, Prior
from priors.validation import check_bool, check_scale, check_seed, check_whole

from models.data import as_design, check_lengths, describe_value
from models.likelihoods import Gaussian

#: Below this much work (n * p * iterations) chains run one after the other: starting
#: threads would cost more than it saves.
_PARALLEL_WORK = 10**8

__all__ = ["gibbs_posterior", "supports_gibbs", "gibbs_inference_data", "gibbs_unavailable"]


def supports_gibbs(prior) -> bool:
    """True when the prior declares a scale-mixture form with an exact Gibbs step for its
    mixing variables (``prior.scale_mixture.gibbs``)."""
    mixture = prior.scale_mixture
    return mixture is not None and mixture.gibbs is not None


def gibbs_posterior(X, y, prior, *, sigma, draws=1000, burn=500, chains=2, fit_intercept=True, random_seed=None):
    """Posterior draws of ``(w, intercept)`` for ``y ~ N(X w + c, sigma^2)``.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
    prior : Prior with ``prior.scale_mixture.gibbs`` (Gaussian, Laplace, horseshoe with
        its ``scale`` as the fixed global scale ``tau``; see :func:`supports_gibbs`)
    sigma : float
        Known noise standard deviation.
    draws, burn, chains : int
        Kept draws per chain, discarded warm-up iterations per chain, and independent
        chains (each started from a draw of the prior's scales).
    fit_intercept : bool
        Flat-prior intercept, integrated out by centring.
    random_seed : int, optional

    Returns
    -------
    w : ndarray of shape (chains, draws, p)
    intercept : ndarray of shape (chains, draws) (zeros without an intercept)
    """
    random_seed = check_seed("random_seed", random_seed)
    draws, burn, chains = check_whole("draws", draws), check_whole("burn", burn, low=0), check_whole("chains", chains)
    sigma = check_scale("sigma", sigma)
    fit_intercept = check_bool("fit_intercept", fit_intercept)
    if not isinstance(prior, Prior):
        raise CuspInputError(f"prior must be a Prior from the priors package (e.g. laplace(1.0)), got {describe_value(prior)}")
    if not supports_gibbs(prior):
        raise CuspInputError(
            f"{prior.describe()} has no scale-mixture form with an exact Gibbs step, so the Gibbs sampler cannot "
            "sample it; use NUTS (Model.sample)"
        )
    X, _ = as_design(X)
    y = Gaussian(sigma).check_y(y)
    check_lengths(X, y, fit_intercept=fit_intercept)
    n, p = X.shape
    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), y.mean()
        X, y = X - x_mean, y - y_mean
    # one stream per chain, spawned from the seed: chain k's draws do not depend on how
    # many chains run (or, later, on which process runs them)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(random_seed).spawn(chains)]
    phi, alpha = X / sigma, y / sigma
    local = prior.scale_mixture.gibbs()
    # n >= p: the p x p Cholesky draw on the Gram matrix, computed once (O(np^2) once,
    # O(p^3) per draw); n < p: the n x n draw (O(n^2 p) per draw)
    gram = (phi.T @ phi, phi.T @ alpha) if n >= p else None
    w_out = np.empty((chains, draws, p))
    intercept = np.zeros((chains, draws))

    def run_chain(chain):
        rng = rngs[chain]
        state = local.initial(p, rng)
        for it in range(burn + draws):
            w = _draw_coefficients(phi, alpha, local.variances(state), rng, gram)
            state = local.update(state, w, rng)
            if it >= burn:
                w_out[chain, it - burn] = w
        if fit_intercept:
            noise = sigma / np.sqrt(n) * rng.standard_normal(draws)
            intercept[chain] = y_mean - w_out[chain] @ x_mean + noise

    workers = min(chains, os.cpu_count() or 1)
    if workers > 1 and n * p * (burn + draws) > _PARALLEL_WORK:
        # chains in threads: the linear algebra releases the GIL, each chain has its own
        # stream and its own rows of the output, so the draws are those of a serial run;
        # one BLAS thread per chain keeps the cores from being oversubscribed
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1), ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run_chain, range(chains)))
    else:
        for chain in range(chains):
            run_chain(chain)
    return w_out, intercept


def _draw_coefficients(phi, alpha, d, rng, gram=None):
    """One exact draw from ``N(A^-1 phi' alpha, A^-1)``, ``A = phi' phi + diag(1/d)``.

    ``n < p``: Bhattacharya, Chakraborty & Mallick (2016, algorithm 2), an ``n x n``
    solve.  ``n >= p`` (``gram = (phi' phi, phi' alpha)`` given): Rue's (2001) Cholesky
    draw on the ``p x p`` system, written with ``S = diag(sqrt(d))`` as
    ``M = I + S phi' phi S = L L'`` and ``w = S (M^-1 S phi' alpha + L'^-1 z)``, which
    has covariance ``S M^-1 S = A^-1`` and never forms ``1/d`` (the horseshoe's ``d`` can
    be tiny)."""
    if gram is not None:
        G, b = gram
        s = np.sqrt(d)
        M = s[:, None] * G * s[None, :]
        M.flat[:: M.shape[0] + 1] += 1.0  # + I_p
        L = np.linalg.cholesky(M)
        mean = _cho_solve(L, s * b)
        noise = _solve_upper(L.T, rng.standard_normal(d.size))
        return s * (mean + noise)
    n, p = phi.shape
    u = np.sqrt(d) * rng.standard_normal(p)
    v = phi @ u + rng.standard_normal(n)
    phi_d = phi * d
    M = phi_d @ phi.T
    M.flat[:: n + 1] += 1.0  # + I_n
    z = np.linalg.solve(M, alpha - v)
    return u + phi_d.T @ z


def _cho_solve(L, b):
    from scipy.linalg import cho_solve

    return cho_solve((L, True), b, check_finite=False)


def _solve_upper(U, b):
    from scipy.linalg import solve_triangular

    return solve_triangular(U, b, lower=False, check_finite=False)


def gibbs_unavailable(likelihood, prior) -> str | None:
    """Why ``Model.sample(..., sampler="gibbs")`` cannot sample this model (None when it can)."""
    if not isinstance(likelihood, Gaussian):
        return f"the Gibbs sampler covers the Gaussian likelihood, not {likelihood.name}; use sampler='pymc'"
    if likelihood.sigma is None:
        return ("the Gibbs sampler needs a known noise sigma in this version (pass sigma=...); "
                "with sigma estimated use sampler='pymc'")
    if not supports_gibbs(prior):
        return (f"{prior.describe()} has no scale-mixture form with an exact Gibbs step; use sampler='pymc'")
    return None


def gibbs_inference_data(X, y, prior, *, sigma, feature_names, fit_intercept, draws, tune, chains, random_seed):
    """:func:`gibbs_posterior` as an InferenceData in the layout NUTS results have:
    ``posterior`` (``w`` over ``feature``, ``intercept``), ``observed_data`` (``y`` over
    ``obs``), ``constant_data`` (``X``; absent for normal means, ``X=None``) and
    ``sample_stats`` holding ``gibbs_sweep`` (each draw's iteration number) and no
    divergence statistic (a Gibbs sampler has none: the diagnostics report divergences
    as not applicable).  ``tune`` iterations are
    discarded per chain."""
    import arviz as az
    import xarray as xr

    design = np.eye(np.size(y)) if X is None else X
    w, c = gibbs_posterior(design, y, prior, sigma=sigma, draws=draws, burn=tune, chains=chains,
                           fit_intercept=fit_intercept and X is not None, random_seed=random_seed)
    y = np.asarray(y, dtype=float)
    posterior = {"w": w}
    if fit_intercept and X is not None:
        posterior["intercept"] = c
    coords = {"feature": list(feature_names), "obs": np.arange(y.size)}
    dims = {"w": ["feature"], "y": ["obs"], "X": ["obs", "feature"]}
    idata = az.from_dict(posterior=posterior, observed_data={"y": y},
                         constant_data=None if X is None else {"X": np.asarray(X, dtype=float)},
                         coords=coords, dims=dims)
    # the iteration number of each kept draw (warm-up included): a Gibbs sweep has no
    # tree depth, step size or divergence to record
    sweep = np.broadcast_to(tune + np.arange(draws), (chains, draws)).copy()
    idata.add_groups({"sample_stats": xr.Dataset({"gibbs_sweep": (("chain", "draw"), sweep)},
                                                 coords={"chain": np.arange(chains), "draw": np.arange(draws)},
                                                 attrs={"sampler": "gibbs"})})
    return idata
