"""The Gibbs samplers of models.posterior.gibbs against exact posteriors.

Oracles: the normal-means posterior mean in closed form (Laplace, Hans 2009) and by
quadrature over the shrinkage weight (horseshoe); the Gaussian-prior regression
posterior in closed form, with p > n and an intercept; and two-coefficient
regressions integrated by brute force on a grid.  Monte-Carlo comparisons allow
4 Monte-Carlo standard errors (fixed seeds, so the tests are deterministic).
"""

import arviz as az
import numpy as np
import pytest

from models import CuspInputError
from models.posterior.exact import horseshoe_posterior_moments, laplace_posterior
from models.posterior.gibbs import gibbs_posterior, supports_gibbs
from priors import gaussian, horseshoe, laplace, regularized_horseshoe, student_t

N_MC_SE = 4.0
Y = np.array([-3.2, -1.5, -0.7, 0.3, 0.9, 1.5, 2.6, 4.0])


def _mean_and_mcse(draws):
    """Posterior mean and its Monte-Carlo standard error per coordinate."""
    ds = az.convert_to_dataset({"w": draws})
    return draws.mean(axis=(0, 1)), az.mcse(ds, method="mean")["w"].values


@pytest.mark.parametrize("mixing_prior, exact_mean", [
    (laplace(1.0), lambda y: laplace_posterior(y, sigma=1.0, b=1.0).mean),
    (horseshoe(0.5), lambda y: horseshoe_posterior_moments(y, sigma=1.0, tau=0.5)[0]),
], ids=["laplace", "horseshoe"])
def test_normal_means_posterior_mean(mixing_prior, exact_mean):
    w, c = gibbs_posterior(np.eye(Y.size), Y, mixing_prior, sigma=1.0, draws=20000, burn=500, chains=2,
                           fit_intercept=False, random_seed=3)
    mean, mcse = _mean_and_mcse(w)
    assert np.all(c == 0)
    np.testing.assert_array_less(np.abs(mean - exact_mean(Y)), N_MC_SE * mcse)


@pytest.mark.parametrize("n, p", [(6, 9), (30, 4)], ids=["p>n: Bhattacharya", "n>=p: Rue"])
def test_gaussian_prior_regression_and_intercept(n, p):
    """Flat intercept, w ~ N(0, s^2 I): w | y ~ N(A^-1 Xc' yc / sigma^2, A^-1) on the
    centred data, A = Xc'Xc / sigma^2 + I / s^2; c | w, y ~ N(ybar - xbar'w, sigma^2/n).
    Both w-draws (n x n for p > n, p x p Cholesky for n >= p) are checked."""
    rng = np.random.default_rng(0)
    sigma, s = 0.7, 1.3
    X = rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1))  # correlated columns
    y = X[:, 0] - 2 * X[:, 3] + 3.0 + sigma * rng.standard_normal(n)
    w, c = gibbs_posterior(X, y, gaussian(s), sigma=sigma, draws=4000, burn=10, chains=2, random_seed=1)
    xbar, ybar = X.mean(axis=0), y.mean()
    Xc, yc = X - xbar, y - ybar
    cov = np.linalg.inv(Xc.T @ Xc / sigma**2 + np.eye(p) / s**2)
    mean = cov @ Xc.T @ yc / sigma**2
    flat = w.reshape(-1, p)
    # Draws are independent here (the scales are fixed), so the SE is sd / sqrt(N).
    se = np.sqrt(np.diag(cov) / flat.shape[0])
    np.testing.assert_array_less(np.abs(flat.mean(axis=0) - mean), N_MC_SE * se)
    sample_cov = np.cov(flat.T)
    # Wishart fluctuation of a covariance entry: sqrt((S_ij^2 + S_ii S_jj) / N).
    cov_se = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / flat.shape[0])
    np.testing.assert_array_less(np.abs(sample_cov - cov), N_MC_SE * cov_se)
    c_mean = ybar - xbar @ mean
    c_var = sigma**2 / n + xbar @ cov @ xbar
    assert abs(c.mean() - c_mean) < N_MC_SE * np.sqrt(c_var / c.size)
    assert c.var() == pytest.approx(c_var, rel=0.1)  # 8000 draws: relative SE of a variance ~ 1.6 %


@pytest.mark.parametrize("mixing_prior", [laplace(0.8), horseshoe(0.3)], ids=["laplace", "horseshoe"])
def test_two_coefficient_regression_against_grid_quadrature(mixing_prior):
    prior = mixing_prior
    """Correlated two-column regression, no intercept: the posterior mean by brute-force
    quadrature of likelihood x prior on a 1200^2 grid (midpoints, so the horseshoe's
    integrable pole at 0 is never evaluated) against Gibbs."""
    rng = np.random.default_rng(4)
    n, sigma = 8, 1.0
    z = rng.standard_normal((n, 1))
    X = np.hstack([z + 0.3 * rng.standard_normal((n, 1)), z + 0.3 * rng.standard_normal((n, 1))])
    y = X @ np.array([1.2, 0.0]) + sigma * rng.standard_normal(n)
    edges = np.linspace(-4, 4, 1201)  # an even number of cells: no midpoint at 0
    g = 0.5 * (edges[1:] + edges[:-1])
    W1, W2 = np.meshgrid(g, g, indexing="ij")
    resid = y[None, None, :] - W1[..., None] * X[:, 0] - W2[..., None] * X[:, 1]
    logpost = -0.5 * np.sum(resid**2, axis=-1) / sigma**2 + prior.logpdf(W1) + prior.logpdf(W2)
    weights = np.exp(logpost - logpost.max())
    exact = np.array([np.sum(W1 * weights), np.sum(W2 * weights)]) / weights.sum()
    w, _ = gibbs_posterior(X, y, prior, sigma=sigma, draws=4000, burn=500, chains=2, fit_intercept=False,
                           random_seed=2)
    mean, mcse = _mean_and_mcse(w)
    # The grid's own error (mass beyond +-4 and the cells next to the pole) is far below
    # the Monte-Carlo error; 2e-3 covers it.
    np.testing.assert_array_less(np.abs(mean - exact), N_MC_SE * mcse + 2e-3)


def test_same_seed_same_draws_and_no_zeros():
    X = np.random.default_rng(0).standard_normal((5, 12))
    y = X[:, 0]
    a = gibbs_posterior(X, y, horseshoe(0.1), sigma=1.0, draws=50, burn=5, random_seed=7)
    b = gibbs_posterior(X, y, horseshoe(0.1), sigma=1.0, draws=50, burn=5, random_seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert np.all(a[0] != 0)  # a continuous posterior: no draw is exactly 0


@pytest.mark.parametrize("other_prior", [student_t(1.0, 3.0), regularized_horseshoe(0.1)], ids=["student_t", "rhs"])
def test_unsupported_priors_are_refused(other_prior):
    prior = other_prior
    assert not supports_gibbs(prior)
    with pytest.raises(CuspInputError, match="no scale-mixture form with an exact Gibbs step"):
        gibbs_posterior(np.eye(2), np.ones(2), prior, sigma=1.0)
