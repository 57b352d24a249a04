"""The Gibbs sampler's blocked step at p >= n (sigma and the global scale drawn with w
integrated out, the global-local rescaling move) and the propriety rule for Jeffreys'
prior on sigma.

Oracles: scipy's multivariate normal density for the marginal likelihood the step uses;
the closed-form marginal ``y ~ N(0, sigma^2 I + s^2 X X')`` of a Gaussian prior for the
impropriety argument; PyMC's NUTS on the same model for the draws.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from models import CuspInputError, Model, make_sparse_regression
from models.posterior.gibbs import gibbs_posterior
from models.posterior.marginal_step import MarginalSpectrum
from priors import gaussian, horseshoe, laplace

from test_gibbs_models import _agree


@pytest.mark.parametrize("n, p", [(12, 30), (30, 8)], ids=["p > n", "n >= p"])
@pytest.mark.parametrize("scaled", [False, True], ids=["prior alone", "prior scaled by sigma"])
def test_marginal_likelihood_is_the_multivariate_normal_density(n, p, scaled):
    """``log p(y | sigma, tau, B)`` from one eigendecomposition equals scipy's density of
    ``N(0, sigma^2 I + tau^2 X B X')`` (or ``sigma^2 (I + tau^2 X B X')``), up to one
    constant, at many (sigma, tau)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    B = rng.exponential(size=p)
    spectrum = MarginalSpectrum(X, y, (X.T @ X, X.T @ y), B, n, scaled)
    ours, scipys = [], []
    for log_sigma, log_tau in rng.uniform(-1.5, 1.0, size=(8, 2)):
        s2, t2 = math.exp(2 * log_sigma), math.exp(2 * log_tau)
        K = t2 * (X * B) @ X.T
        C = s2 * (np.eye(n) + K) if scaled else s2 * np.eye(n) + K
        ours.append(spectrum.log_likelihood(log_sigma, log_tau))
        scipys.append(multivariate_normal(np.zeros(n), C).logpdf(y))
    np.testing.assert_allclose(np.diff(ours), np.diff(scipys), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("n, p", [(12, 30), (30, 8)], ids=["p > n", "n >= p"])
def test_draw_of_w_has_the_conditional_mean_and_covariance(n, p):
    """The draw given (sigma, tau) is N(A^-1 X'y / s2, A^-1), A = X'X / s2 + D^-1: the
    mean and covariance of 20000 draws against the closed form."""
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    B, sigma, tau = rng.exponential(size=p), 0.7, 0.4
    spectrum = MarginalSpectrum(X, y, (X.T @ X, X.T @ y), B, n, False)
    draws = np.array([spectrum.draw_w(sigma, tau, rng) for _ in range(20000)])
    A = X.T @ X / sigma**2 + np.diag(1.0 / (tau**2 * B))
    cov = np.linalg.inv(A)
    mean = cov @ X.T @ y / sigma**2
    se = np.sqrt(np.diag(cov) / len(draws))
    np.testing.assert_array_less(np.abs(draws.mean(axis=0) - mean), 4.5 * se)
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=6 * np.sqrt(2.0 / len(draws)) * np.diag(cov).max())


def _log_marginal_gaussian_prior(X, y, sigma, s):
    """``log N(y; 0, sigma^2 I + s^2 X X')`` through the eigenvalues of ``X X'`` (scipy's
    density refuses the near-singular matrices of sigma -> 0)."""
    mu, Q = np.linalg.eigh(s**2 * X @ X.T)
    d = sigma**2 + np.maximum(mu, 0.0)
    return -0.5 * (np.sum(np.log(2 * np.pi * d)) + np.sum((Q.T @ y) ** 2 / d))


def test_jeffreys_prior_with_p_at_least_n_is_refused_because_the_posterior_is_improper():
    """The argument checked on the closed form: with p >= n, p(y | sigma) under a fixed
    Gaussian prior tends to a positive constant as sigma -> 0 (so the integral of
    1/sigma diverges); with p < n it vanishes.  cusp refuses the first, for either
    sampler, with the way out in the message, and accepts the proper alternatives."""
    rng = np.random.default_rng(2)
    for p, bounded in ((12, True), (5, False)):
        X, y = rng.standard_normal((10, p)), rng.standard_normal(10)
        drop = _log_marginal_gaussian_prior(X, y, 1e-3, 1.0) - _log_marginal_gaussian_prior(X, y, 1e-6, 1.0)
        assert (abs(drop) < 1e-3) if bounded else (drop > 100), (p, drop)
    X, y = make_sparse_regression(10, 12, 2, random_seed=0)[:2]
    for sampler in ("gibbs", "pymc"):
        with pytest.raises(CuspInputError, match="improper.*sigma_prior='halfnormal'"):
            Model("gaussian", gaussian(1.0), sigma_prior="jeffreys").sample(X, y, draws=10, tune=10, sampler=sampler)
        with pytest.raises(CuspInputError, match="improper.*global_df > 1"):
            Model("gaussian", horseshoe(1.0, global_df=1.0), sigma_prior="jeffreys", scale_by_sigma=True).sample(
                X, y, draws=10, tune=10, sampler=sampler)
    with pytest.raises(CuspInputError, match="improper"):
        gibbs_posterior(X, y, laplace(1.0, hyper_shape=0.5, hyper_rate=1.0), sigma_prior="jeffreys", scale_by_sigma=True)
    with pytest.raises(CuspInputError, match="improper"):  # normal means: one mean per observation
        gibbs_posterior(None, y, laplace(1.0), sigma_prior="jeffreys")
    # proper: a prior scaled by sigma with a fixed or light-tailed global scale, the
    # HalfNormal prior, or fewer coefficients than observations
    for model in (Model("gaussian", laplace(1.0, hyper_shape=1.0, hyper_rate=1.0), sigma_prior="jeffreys", scale_by_sigma=True),
                  Model("gaussian", horseshoe(1.0, global_df=3.0), sigma_prior="jeffreys", scale_by_sigma=True),
                  Model("gaussian", horseshoe(1.0, global_df=1.0))):
        model.sample(X, y, draws=10, tune=10, chains=1, sampler="gibbs", random_seed=0)
    Model("gaussian", gaussian(1.0), sigma_prior="jeffreys").sample(X[:, :5], y, draws=10, tune=10, chains=1,
                                                                     sampler="gibbs", random_seed=0)


@pytest.mark.slow
@pytest.mark.parametrize("the_prior, kwargs", [
    (horseshoe(0.3, global_df=1.0), dict()),
    (laplace(1.0, hyper_shape=1.0, hyper_rate=1.0), dict(scale_by_sigma=True, sigma_prior="jeffreys")),
], ids=["horseshoe tau ~ C+, sigma ~ HalfNormal", "Bayesian lasso, lambda^2 ~ Gamma, Jeffreys"])
def test_p_greater_than_n_blocked_steps_agree_with_nuts(the_prior, kwargs):
    """p > n: sigma and the global scale drawn with w integrated out through the n x n
    spectrum, the global-local rescaling move, w by Bhattacharya et al.'s draw, then the
    collapsed sweep; NUTS on the same model.  The samplers alone (no MAP beside them:
    the horseshoe's local-mode MAP at p > n is the slow part of Model.sample)."""
    from models.likelihoods import Gaussian
    from models.posterior import build_pymc_model, run_sampler
    from models.posterior.gibbs import gibbs_inference_data

    n, p = (20, 30) if the_prior.family == "horseshoe" else (12, 16)  # NUTS is slow on the Bayesian lasso's funnel
    X, y = make_sparse_regression(n, p, 2, sigma=0.5, random_seed=3)[:2]
    names = [f"x{j}" for j in range(X.shape[1])]
    likelihood = Gaussian(None, kwargs.get("sigma_prior", "halfnormal"))
    scaled = kwargs.get("scale_by_sigma", False)
    gibbs = gibbs_inference_data(X, y, the_prior, likelihood=likelihood, feature_names=names, fit_intercept=True,
                                 draws=3000, tune=300, chains=2, random_seed=2, scale_by_sigma=scaled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pymc_model = build_pymc_model(likelihood, the_prior, X, y, names, fit_intercept=True, scale_by_sigma=scaled)
        nuts = run_sampler(pymc_model, draws=600, tune=500, chains=2, random_seed=2, target_accept=0.95)
    if scaled:  # the prior's variables were built under w_std (w = sigma w_std)
        nuts.posterior = nuts.posterior.rename({v: "w_" + v[len("w_std_"):] for v in nuts.posterior.data_vars
                                                if v.startswith("w_std_")})
    _agree(gibbs, nuts, ["w", "sigma"] + [v for v in ("w_tau", "w_rate") if v in gibbs.posterior])
