"""Park & Casella's (2008) Bayesian lasso on the diabetes data, with cusp's Gibbs sampler.

Their set-up: the ten columns centred and scaled to unit Euclidean norm (scikit-learn's
``load_diabetes(scaled=True)``), ``y`` centred, ``w_j | sigma ~ Laplace(0, sigma / lam)``
(``laplace(1 / lam)`` with ``scale_by_sigma=True``) and ``p(sigma^2) ~ 1 / sigma^2``.

Oracles: the published empirical-Bayes rate, ``lam = 0.237`` (Park & Casella, section 3,
by Monte Carlo EM; reproduced here with their update ``lam <- sqrt(2p / sum E[tau_j^2])``,
the expectation Rao-Blackwellized as ``E|w_j / sigma| / lam + 1 / lam^2``), and PyMC's
NUTS on the same model for the posterior medians at that rate and for the posterior of
``lam`` under their hyperprior ``lam^2 ~ Gamma(1, 1.78)``.  (The paper prints the
medians only as a figure; its numbers could not be read off here, so the medians are
checked against NUTS, an independent sampler of the identical model.)
"""

from __future__ import annotations

import warnings

import arviz as az
import numpy as np
import pytest

from models import Model
from models.posterior.gibbs import gibbs_posterior
from priors import laplace

PUBLISHED_EB_RATE = 0.237


@pytest.fixture(scope="module")
def diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, scaled=True)
    assert np.allclose((X**2).sum(axis=0), 1.0) and np.allclose(X.mean(axis=0), 0.0)
    return X, y - y.mean()


@pytest.mark.slow
def test_monte_carlo_em_reproduces_the_published_rate(diabetes):
    X, y = diabetes
    p = X.shape[1]
    lam, history = 0.3, []
    for k in range(14):
        out = gibbs_posterior(X, y, laplace(1.0 / lam), sigma_prior="jeffreys", scale_by_sigma=True, draws=2500,
                              burn=200, chains=1, random_seed=100 + k)
        expected_tau2 = np.abs(out["w"] / out["sigma"][..., None]).mean(axis=(0, 1)) / lam + 1.0 / lam**2
        lam = float(np.sqrt(2 * p / expected_tau2.sum()))
        history.append(lam)
    # the last iterations fluctuate by Monte Carlo error around the fixed point
    assert abs(np.mean(history[-6:]) - PUBLISHED_EB_RATE) < 0.005, history


def _mcse(idata, name, method):
    """``az.mcse``; its ``sd`` method fails with numba installed (a float() of an array),
    so numba is switched off around it."""
    numba_was_on = az.Numba.numba_flag
    az.Numba.disable_numba()
    try:
        return float(az.mcse(idata, var_names=[name], method=method)[name])
    finally:
        if numba_was_on:
            az.Numba.enable_numba()


def _nuts(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.sample(X, y, draws=1500, tune=800, chains=2, random_seed=2, sampler="pymc")


@pytest.mark.slow
def test_posterior_medians_at_the_published_rate_agree_with_nuts(diabetes):
    X, y = diabetes
    model = Model("gaussian", laplace(1.0 / PUBLISHED_EB_RATE), sigma_prior="jeffreys", scale_by_sigma=True)
    gibbs = model.sample(X, y, draws=5000, tune=500, chains=2, random_seed=1, sampler="gibbs")
    nuts = _nuts(model, X, y)
    a, b = (np.median(i.posterior["w"].values.reshape(-1, 10), axis=0) for i in (gibbs, nuts))
    se = np.hypot(az.mcse(gibbs, var_names=["w"], method="median")["w"].values,
                  az.mcse(nuts, var_names=["w"], method="median")["w"].values)
    np.testing.assert_array_less(np.abs(a - b), 4 * se)
    # the shape of Park & Casella's figure 1: bmi and ltg dominate, age is shrunk to ~0
    assert min(a[2], a[8]) > 400 and abs(a[0]) < 30
    assert np.all(gibbs.posterior["w"].values != 0.0)  # never an exact zero in the draws


@pytest.mark.slow
def test_the_rate_with_the_gamma_hyperprior_agrees_with_nuts(diabetes):
    X, y = diabetes
    model = Model("gaussian", laplace(1.0, hyper_shape=1.0, hyper_rate=1.78), sigma_prior="jeffreys",
                  scale_by_sigma=True)
    gibbs = model.sample(X, y, draws=5000, tune=500, chains=2, random_seed=3, sampler="gibbs")
    nuts = _nuts(model, X, y)
    for stat, method in ((np.mean, "mean"), (np.median, "median"), (np.std, "sd")):
        a, b = float(stat(gibbs.posterior["w_rate"].values)), float(stat(nuts.posterior["w_rate"].values))
        se = np.hypot(_mcse(gibbs, "w_rate", method), _mcse(nuts, "w_rate", method))
        assert abs(a - b) < 4 * se, (method, a, b, se)
    # a proper posterior around the empirical-Bayes value, wider than a point
    lam = gibbs.posterior["w_rate"].values
    assert np.quantile(lam, 0.025) < PUBLISHED_EB_RATE < np.quantile(lam, 0.975)
