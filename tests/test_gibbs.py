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
from models.posterior.exact import laplace_posterior
from models.posterior.gibbs import gibbs_posterior, supports_gibbs
from priors import gaussian, horseshoe, laplace, regularized_horseshoe, student_t

N_MC_SE = 4.0
Y = np.array([-3.2, -1.5, -0.7, 0.3, 0.9, 1.5, 2.6, 4.0])


def _mean_and_mcse(draws):
    """Posterior mean and its Monte-Carlo standard error per coordinate."""
    ds = az.convert_to_dataset({"w": draws})
    return draws.mean(axis=(0, 1)), az.mcse(ds, method="mean")["w"].values


def _horseshoe_exact(y, sigma, tau):
    """Posterior mean, median and P(w < 0) of one normal mean under the horseshoe, by
    quadrature of N(y; w, sigma^2) x the closed-form marginal prior (its pole at 0 is
    integrable; quad is told about it)."""
    from scipy import integrate, optimize

    prior = horseshoe(tau)
    dens = lambda w: np.exp(-0.5 * ((y - w) / sigma) ** 2 + prior.logpdf(w))
    lo, hi = min(y, 0) - 12 * sigma, max(y, 0) + 12 * sigma
    part = lambda a, b: integrate.quad(dens, a, b, limit=400, epsabs=0, epsrel=1e-11)[0]
    neg, pos = part(lo, 0.0), part(0.0, hi)
    z = neg + pos
    mean = (integrate.quad(lambda w: w * dens(w), lo, 0.0, limit=400)[0]
            + integrate.quad(lambda w: w * dens(w), 0.0, hi, limit=400)[0]) / z
    cdf = lambda t: (part(lo, t) if t < 0 else neg + part(0.0, t)) / z
    median = optimize.brentq(lambda t: cdf(t) - 0.5, lo, hi, xtol=1e-10)
    return mean, median, neg / z


def _exact_normal_means(prior, y):
    if prior.family == "laplace":
        post = laplace_posterior(y, sigma=1.0, b=prior.scale)
        return post.mean, post.median, post.prob_negative
    rows = np.array([_horseshoe_exact(v, 1.0, prior.scale) for v in y])
    return rows[:, 0], rows[:, 1], rows[:, 2]


def _mcse(draws, method):
    return az.mcse(az.convert_to_dataset({"w": draws}), method=method)["w"].values


@pytest.mark.parametrize("mixing_prior", [laplace(1.0), horseshoe(0.5)], ids=["laplace", "horseshoe"])
def test_normal_means_mean_median_and_sign_probability(mixing_prior):
    """The issue's oracle: Hans (2009) for the Laplace, quadrature for the horseshoe with
    fixed tau; mean, median and P(w < 0) each within 4 Monte Carlo standard errors."""
    out = gibbs_posterior(None, Y, mixing_prior, sigma=1.0, draws=20000, burn=500, chains=2, random_seed=3)
    assert "intercept" not in out
    w = out["w"]
    mean, median, p_neg = _exact_normal_means(mixing_prior, Y)
    np.testing.assert_array_less(np.abs(w.mean(axis=(0, 1)) - mean), N_MC_SE * _mcse(w, "mean"))
    np.testing.assert_array_less(np.abs(np.median(w, axis=(0, 1)) - median), N_MC_SE * _mcse(w, "median"))
    neg = (w < 0).astype(float)
    se_neg = np.maximum(az.mcse(az.convert_to_dataset({"n": neg}), method="mean")["n"].values, 1e-4)
    np.testing.assert_array_less(np.abs(neg.mean(axis=(0, 1)) - p_neg), N_MC_SE * se_neg)


def _mixture_mean(y, sigma, density, lo, hi):
    """E[w | y] for one normal mean under w | v ~ N(0, v), v ~ density: 1-D quadrature
    over log v of p(v) N(y; 0, v + sigma^2) v / (v + sigma^2) y."""
    from scipy import integrate

    def weight(t):
        v = np.exp(t)
        return density(v) * v * np.exp(-0.5 * y**2 / (v + sigma**2)) / np.sqrt(v + sigma**2)

    z = integrate.quad(weight, lo, hi, limit=500)[0]
    return integrate.quad(lambda t: weight(t) * np.exp(t) / (np.exp(t) + sigma**2), lo, hi, limit=500)[0] * y / z


@pytest.mark.parametrize("case", ["laplace rate ~ Gamma", "horseshoe tau ~ C+"])
def test_sampled_global_scales_against_quadrature(case):
    """One normal mean, so the global scale's prior can be integrated into the mixing
    density of v in closed form: v ~ Exp(lam^2 / 2) with lam^2 ~ Gamma(r, delta) is the
    Lomax p(v) = r / (2 delta) (1 + v / (2 delta))^-(r + 1); v = (lam tau)^2 with lam ~
    C+(0, 1), tau ~ C+(0, A) has s = lam tau with density 4 log(s/A) / (pi^2 A ((s/A)^2 - 1))."""
    y = np.array([2.2])
    if case.startswith("laplace"):
        r, delta = 1.5, 0.8
        prior = laplace(1.0, hyper_shape=r, hyper_rate=delta)
        density = lambda v: r / (2 * delta) * (1 + v / (2 * delta)) ** (-(r + 1))
        name = "w_rate"
    else:
        A = 0.7
        prior = horseshoe(A, global_df=1.0)

        def density(v):
            s = np.sqrt(v) / A
            f = np.where(np.abs(s - 1) < 1e-8, 2 / np.pi**2, 4 * np.log(s) / (np.pi**2 * (s**2 - 1)))
            return f / A / (2 * np.sqrt(v))  # ds/dv = 1 / (2 sqrt(v))
        name = "w_tau"
    exact = _mixture_mean(y[0], 1.0, density, -40.0, 40.0)
    out = gibbs_posterior(None, y, prior, sigma=1.0, draws=40000, burn=500, chains=2, random_seed=5)
    assert out[name].shape == (2, 40000) and np.all(out[name] > 0)
    w = out["w"]
    assert abs(w.mean() - exact) < N_MC_SE * _mcse(w, "mean")[0]


@pytest.mark.parametrize("n, p", [(6, 9), (30, 4)], ids=["p>n: Bhattacharya", "n>=p: Rue"])
def test_gaussian_prior_regression_and_intercept(n, p):
    """Flat intercept, w ~ N(0, s^2 I): w | y ~ N(A^-1 Xc' yc / sigma^2, A^-1) on the
    centred data, A = Xc'Xc / sigma^2 + I / s^2; c | w, y ~ N(ybar - xbar'w, sigma^2/n).
    Both w-draws (n x n for p > n, p x p Cholesky for n >= p) are checked."""
    rng = np.random.default_rng(0)
    sigma, s = 0.7, 1.3
    X = rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1))  # correlated columns
    y = X[:, 0] - 2 * X[:, 3] + 3.0 + sigma * rng.standard_normal(n)
    out = gibbs_posterior(X, y, gaussian(s), sigma=sigma, draws=4000, burn=10, chains=2, random_seed=1)
    w, c = out["w"], out["intercept"]
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


@pytest.mark.parametrize("mixing_prior", [laplace(0.8), horseshoe(0.3), student_t(0.5, 2.0)],
                         ids=["laplace", "horseshoe", "student_t"])
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
    w = gibbs_posterior(X, y, prior, sigma=sigma, draws=4000, burn=500, chains=2, fit_intercept=False,
                        random_seed=2)["w"]
    mean, mcse = _mean_and_mcse(w)
    # The grid's own error (mass beyond +-4 and the cells next to the pole) is far below
    # the Monte-Carlo error; 2e-3 covers it.
    np.testing.assert_array_less(np.abs(mean - exact), N_MC_SE * mcse + 2e-3)


def test_same_seed_same_draws_and_no_zeros():
    X = np.random.default_rng(0).standard_normal((5, 12))
    y = X[:, 0]
    a = gibbs_posterior(X, y, horseshoe(0.1), sigma=1.0, draws=50, burn=5, random_seed=7)
    b = gibbs_posterior(X, y, horseshoe(0.1), sigma=1.0, draws=50, burn=5, random_seed=7)
    assert a.keys() == b.keys() == {"w", "w_lam", "intercept"}
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert np.all(a["w"] != 0)  # a continuous posterior: no draw is exactly 0


def test_the_regularized_horseshoe_is_refused_with_the_way_out():
    prior = regularized_horseshoe(0.1)
    assert not supports_gibbs(prior)
    with pytest.raises(CuspInputError, match="no scale-mixture form with an exact Gibbs step.*use NUTS"):
        gibbs_posterior(np.eye(2), np.ones(2), prior, sigma=1.0)
