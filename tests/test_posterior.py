"""Posterior sampling: the PyMC model is the MAP's model, NUTS agrees with exact
posteriors, and MAP + posterior survive a netCDF round trip.

Sampling runs are small (a few hundred draws); every Monte-Carlo comparison allows
4 Monte-Carlo standard errors, so with fixed seeds the tests are deterministic and a
correct sampler fails them with probability < 1e-4 per check.
"""

import math

import arviz as az
import numpy as np
import pytest
from scipy import stats

from conftest import PRIORS, sampled_through_scales
from models import CuspInputError, Model, load_diabetes
from models.posterior.exact import horseshoe_posterior_moments, laplace_posterior
from models.fit import FitResult, zero_statistics
from models.posterior import diagnose, intercept_prior
from priors import gaussian, horseshoe, laplace, spike_and_slab

Y_MEANS = np.array([-2.6, -0.7, 0.3, 0.9, 1.5, 3.2])  # |y| below and above sigma^2 / b = 1
SIGMA = 1.0
N_MC_SE = 4.0


def _draws(idata, var="w"):
    v = idata.posterior[var]
    return v.values.reshape(-1, v.sizes["feature"])


def _mcse(idata, method, var="w"):
    return az.mcse(idata, var_names=[var], method=method)[var].values


def _mcse_of_probability(idata, event):
    """Monte-Carlo SE of the frequency of ``event`` (chain, draw, feature) booleans."""
    ind = az.convert_to_dataset({"x": event.astype(float)})
    ess = az.ess(ind, method="mean")["x"].values
    p = event.mean(axis=(0, 1))
    return np.sqrt(np.maximum(p * (1 - p), 1e-12) / ess)


# ----------------------------------------------------------------------- the PyMC model
LIKELIHOODS = ["gaussian", "logistic", "poisson", "normal_means"]


def _data(lik):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((12, 3))
    if lik == "gaussian":
        return X, X @ [1.0, 0.0, -2.0] + rng.standard_normal(12)
    if lik == "logistic":
        return X, np.tile([0.0, 1.0], 6)
    if lik == "poisson":
        return X, rng.poisson(2.0, 12).astype(float)
    return None, np.array([0.4, -1.2, 2.5])


# every directly-written prior with the Gaussian likelihood, every likelihood with the Laplace
_DIRECT = [p for p in PRIORS if not sampled_through_scales(p)]
_CASES = [(p, "gaussian") for p in _DIRECT] + [(laplace(0.5), lik) for lik in LIKELIHOODS if lik != "gaussian"]


@pytest.mark.parametrize("direct, lik", _CASES, ids=[f"{p.describe()}-{lik}" for p, lik in _CASES])
def test_pymc_model_log_density_is_the_map_objective(direct, lik):
    """log p(w, c | y) in PyMC = -(negative log-likelihood) + sum log prior + intercept prior."""
    X, y = _data(lik)
    model = Model(lik, direct, sigma=1.3 if lik in ("gaussian", "normal_means") else None)
    pymc_model = model.pymc_model(X, y)
    p = 3
    w = np.array([0.3, -0.05, 1.1])[:p]
    point = {"w": w}
    eta = w if X is None else X @ w
    want = -model.likelihood.value(eta + (0.4 if X is not None else 0.0), y) + np.sum(direct.logpdf(w))
    if X is not None:
        point["intercept"] = 0.4
        mu, sd = intercept_prior(model.likelihood, y)
        want += stats.norm.logpdf(0.4, mu, sd)
    # untransformed values: compare with the model's logp on the natural scale
    logp = pymc_model.compile_logp(jacobian=False)
    ip = pymc_model.initial_point()
    ip.update({k: v for k, v in point.items()})
    got = logp(ip)
    # PyMC folds some constants at float32 precision (see test_priors_pymc.py).
    assert got == pytest.approx(want, abs=1e-6 * max(1.0, abs(want)))


def test_unknown_sigma_gets_a_half_normal_prior_and_the_map_refuses_it():
    X, y = _data("gaussian")
    model = Model("gaussian", laplace(1.0))
    assert "sigma" in model.pymc_model(X, y).named_vars
    with pytest.raises(CuspInputError, match="unknown sigma"):
        model.map(X, y)


# ----------------------------------------------------------------------- exact oracles
@pytest.fixture(scope="module")
def laplace_means():
    model = Model("normal_means", laplace(1.0), sigma=SIGMA)
    return model.fit(y=Y_MEANS, draws=1500, tune=700, chains=2, random_seed=11, sampler="pymc")


# a NUTS sampler against an exact posterior with thousands of draws: the slow tier (CI runs it)
@pytest.mark.slow
def test_nuts_matches_the_exact_laplace_posterior(laplace_means):
    idata = laplace_means.idata
    exact = laplace_posterior(Y_MEANS, sigma=SIGMA, b=1.0)
    draws = _draws(idata)
    assert np.all(np.abs(draws.mean(0) - exact.mean) < N_MC_SE * _mcse(idata, "mean"))
    assert np.all(np.abs(np.median(draws, 0) - exact.median) < N_MC_SE * _mcse(idata, "median"))
    neg = idata.posterior["w"].values < 0
    assert np.all(np.abs(neg.mean(axis=(0, 1)) - exact.prob_negative) < N_MC_SE * _mcse_of_probability(idata, neg))
    assert laplace_means.diagnostics.n_divergent == 0


def test_laplace_map_has_zeros_and_the_posterior_has_none(laplace_means):
    fit = laplace_means
    # the MAP is the soft threshold at sigma^2 / b = 1
    np.testing.assert_array_equal(fit.map.coef, np.sign(Y_MEANS) * np.maximum(np.abs(Y_MEANS) - 1.0, 0.0))
    assert fit.map.n_zeros == 3
    rows = fit.zero_statistics(eps=0.1)
    assert [r["n_exact_zero"] for r in rows] == [0] * Y_MEANS.size
    assert all(r["map_is_zero"] == (abs(y) <= 1) for r, y in zip(rows, Y_MEANS))
    exact = laplace_posterior(Y_MEANS, sigma=SIGMA, b=1.0)
    got = np.array([r["p_near_zero"] for r in rows])
    se = np.sqrt(exact.prob_abs_below(0.1) * (1 - exact.prob_abs_below(0.1)) / fit.diagnostics.min_ess_bulk)
    assert np.all(np.abs(got - exact.prob_abs_below(0.1)) < N_MC_SE * se + 1e-3)


# a NUTS sampler against an exact posterior with thousands of draws: the slow tier (CI runs it)
@pytest.mark.slow
def test_nuts_matches_the_exact_horseshoe_posterior_mean():
    y = np.array([0.4, 1.8, 4.5])
    tau = 1.0
    fit = Model("normal_means", horseshoe(tau), sigma=SIGMA).fit(y=y, draws=1500, tune=1000, chains=2, random_seed=5, sampler="pymc")
    mean, var = horseshoe_posterior_moments(y, sigma=SIGMA, tau=tau)
    draws = _draws(fit.idata)
    assert np.all(np.abs(draws.mean(0) - mean) < N_MC_SE * _mcse(fit.idata, "mean"))
    assert np.all(np.abs(draws.var(0) / var - 1) < 0.25)  # a loose check on the spread
    assert all(r["n_exact_zero"] == 0 for r in fit.zero_statistics())
    assert fit.diagnostics.n_divergent == 0


# a NUTS sampler against an exact posterior with thousands of draws: the slow tier (CI runs it)
@pytest.mark.slow
def test_spike_and_slab_puts_exact_zeros_where_the_exact_posterior_does():
    """P(w = 0 | y) for one normal mean has a closed form (Bayes factor of N(0, sigma^2)
    against N(0, sigma^2 + s^2))."""
    y = np.array([0.2, 0.8, 4.0])
    prior = spike_and_slab(2.0, weight=0.5)
    fit = Model("normal_means", prior, sigma=SIGMA).fit(y=y, draws=2000, tune=500, chains=2, random_seed=2, sampler="pymc")
    assert fit.map is None and "no MAP" in fit.notes[0]
    null = (1 - prior.weight) * stats.norm.pdf(y, 0, SIGMA)
    alt = prior.weight * stats.norm.pdf(y, 0, math.hypot(SIGMA, prior.scale))
    exact = null / (null + alt)
    zero = fit.idata.posterior["w"].values == 0.0
    got = zero.mean(axis=(0, 1))
    assert np.all(np.abs(got - exact) < N_MC_SE * _mcse_of_probability(fit.idata, zero) + 1e-3)
    rows = fit.zero_statistics()
    assert rows[0]["n_exact_zero"] > 0 and rows[1]["n_exact_zero"] > 0  # weak data: exact zeros
    assert rows[0]["p_exact_zero"] == pytest.approx(got[0])


# ----------------------------------------------------------------------- regression, storage
@pytest.fixture(scope="module")
def diabetes_fit():
    X, y, names = load_diabetes()
    names = names[:4] + ["<script>alert(1)</script>"]
    return Model("gaussian", laplace(1.0)).fit(X[:, :5], y, feature_names=names, draws=200, tune=200, chains=2,
                                               random_seed=7, sampler="pymc")


def test_inference_data_layout(diabetes_fit):
    idata = diabetes_fit.idata
    assert {"posterior", "sample_stats", "observed_data", "map"} <= set(idata.groups())
    assert idata.posterior["w"].dims == ("chain", "draw", "feature")
    assert list(idata.posterior["feature"].values) == diabetes_fit.map.feature_names
    assert {"intercept", "sigma"} <= set(idata.posterior.data_vars)
    assert "diverging" in idata.sample_stats
    sigma_hat = float(np.median(idata.posterior["sigma"].values))
    assert diabetes_fit.map.likelihood == f"gaussian(sigma={sigma_hat:g})"
    assert "posterior median" in diabetes_fit.notes[0]
    # the stored MAP is the MAP at that sigma, recomputed here independently
    X, y, names = load_diabetes()
    again = Model("gaussian", laplace(1.0), sigma=sigma_hat).map(X[:, :5], y)
    np.testing.assert_allclose(diabetes_fit.map.coef, again.coef, rtol=1e-9, atol=1e-12)


def test_netcdf_round_trip_is_lossless(diabetes_fit, tmp_path):
    path = tmp_path / "fit.nc"
    diabetes_fit.to_netcdf(path)
    back = FitResult.from_netcdf(path)
    np.testing.assert_array_equal(back.draws, diabetes_fit.draws)
    np.testing.assert_array_equal(back.map.coef, diabetes_fit.map.coef)
    np.testing.assert_array_equal(back.map.certificate.slope, diabetes_fit.map.certificate.slope)
    np.testing.assert_array_equal(back.map.certificate.margin, diabetes_fit.map.certificate.margin)
    assert back.map.to_dict() == diabetes_fit.map.to_dict()
    assert back.map.prior == diabetes_fit.map.prior
    assert back.zero_statistics() == diabetes_fit.zero_statistics()
    assert back.diagnostics == diabetes_fit.diagnostics
    assert back.feature_names[-1] == "<script>alert(1)</script>"


def test_saving_never_overwrites_silently(diabetes_fit, tmp_path):
    path = tmp_path / "fit.nc"
    path.write_text("the user's file")
    with pytest.raises(CuspInputError, match="already exists"):
        diabetes_fit.to_netcdf(path)
    assert path.read_text() == "the user's file"
    diabetes_fit.to_netcdf(path, overwrite=True)
    assert FitResult.from_netcdf(path).map.n_zeros == diabetes_fit.map.n_zeros
    assert [p.name for p in tmp_path.iterdir()] == ["fit.nc"]  # no temporary file left


def test_same_seed_same_draws(diabetes_fit):
    X, y, names = load_diabetes()
    names = names[:4] + ["<script>alert(1)</script>"]
    again = Model("gaussian", laplace(1.0)).fit(X[:, :5], y, feature_names=names, draws=200, tune=200, chains=2,
                                                random_seed=7, sampler="pymc")
    np.testing.assert_array_equal(again.draws, diabetes_fit.draws)


def test_zero_statistics_against_numpy():
    rng = np.random.default_rng(0)
    draws = np.column_stack([rng.normal(1.0, 0.5, 4000), np.where(rng.uniform(size=4000) < 0.3, 0.0, rng.normal(0, 1, 4000))])
    rows = zero_statistics(draws, ["a", "b"], eps=0.25)
    assert rows[0]["mean"] == pytest.approx(draws[:, 0].mean())
    assert rows[1]["n_exact_zero"] == int(np.sum(draws[:, 1] == 0))
    assert rows[1]["p_near_zero"] == pytest.approx(np.mean(np.abs(draws[:, 1]) < 0.25))
    assert rows[0]["p_positive"] == pytest.approx(np.mean(draws[:, 0] > 0))
    lo, hi = rows[0]["hdi_low"], rows[0]["hdi_high"]
    inside = np.mean((draws[:, 0] >= lo) & (draws[:, 0] <= hi))
    assert inside == pytest.approx(0.94, abs=0.002)
    # the HDI is the shortest interval holding 94% of the sorted draws (brute force)
    d = np.sort(draws[:, 0])
    k = int(np.floor(0.94 * d.size))
    i = int(np.argmin(d[k:] - d[: d.size - k]))
    assert (lo, hi) == (d[i], d[i + k])
    with pytest.raises(CuspInputError, match=r"^eps must be a finite number > 0, got 0\.0$"):
        zero_statistics(draws, ["a", "b"], eps=0.0)


# ----------------------------------------------------------------------- diagnostics, samplers
def _fake_idata(shift=0.0, diverging=0, depth=0, n_draws=500, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((2, n_draws, 3))
    w[1] += shift
    div = np.zeros((2, n_draws), bool)
    div.flat[:diverging] = True
    deep = np.zeros((2, n_draws), bool)
    deep.flat[:depth] = True
    return az.from_dict(posterior={"w": w}, sample_stats={"diverging": div, "reached_max_treedepth": deep},
                        dims={"w": ["feature"]}, coords={"feature": ["a", "b", "c"]})


def test_diagnostics_flag_each_fault():
    assert diagnose(_fake_idata()).ok
    d = diagnose(_fake_idata(diverging=7))
    assert d.n_divergent == 7 and "7 of 1000 draws diverged" in d.warnings[0] and "target_accept" in d.warnings[0]
    d = diagnose(_fake_idata(shift=1.0))
    assert d.max_rhat > 1.01 and any("r_hat" in w for w in d.warnings)
    d = diagnose(_fake_idata(n_draws=40))
    assert any("effective sample size" in w for w in d.warnings)
    d = diagnose(_fake_idata(depth=3))
    assert d.n_max_treedepth == 3 and any("tree depth" in w for w in d.warnings)


def test_nutpie_missing_gives_one_clear_error(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nutpie" else real(name, *a))
    with pytest.raises(CuspInputError, match="pip install"):
        Model("normal_means", laplace(1.0), sigma=1.0).sample(y=Y_MEANS, sampler="nutpie", draws=10, tune=10)


@pytest.mark.parametrize("kwargs, match", [({"sampler": "stan"}, "unknown sampler"), ({"draws": 0}, "draws"),
                                           ({"chains": 1.5}, "chains"), ({"target_accept": 1.2}, "target_accept")])
def test_bad_sampling_arguments(kwargs, match):
    with pytest.raises(CuspInputError, match=match):
        Model("normal_means", gaussian(1.0), sigma=1.0).sample(y=Y_MEANS, **kwargs)


# ----------------------------------------------------------------------- the horseshoe, collapsed
def test_horseshoe_global_scale_formula():
    from models import horseshoe_global_scale

    assert horseshoe_global_scale(5, n_features=50, n_obs=100) == pytest.approx(5 / 45 / 10)
    assert horseshoe_global_scale(2, n_features=12, n_obs=25, sigma=3.0) == pytest.approx(2 / 10 * 3 / 5)
    with pytest.raises(CuspInputError, match="expected_nonzeros"):
        horseshoe_global_scale(50, n_features=50, n_obs=100)


def test_collapsed_model_is_the_gaussian_marginal_and_conditional():
    """The horseshoe regression with w integrated out: at fixed scales, the Potential is
    log N(y; c, sigma^2 I + X D^2 X^T) (scipy), and w(z) = mean + J z with the exact
    conditional mean and covariance of w given the scales."""
    from models.posterior import collapses

    rng = np.random.default_rng(1)
    X = rng.standard_normal((15, 4))
    y = X @ [2.0, 0.0, 0.0, -1.0] + 0.7 * rng.standard_normal(15)
    sigma, c = 0.7, 0.3
    model = Model("gaussian", horseshoe(0.5), sigma=sigma)
    assert collapses(model.likelihood, model.prior, X)
    m = model.pymc_model(X, y)
    lam = np.array([0.2, 3.0, 1.1, 0.05])
    d = 0.5 * lam
    f = m.compile_fn([m["y_marginal"], m["w"]], inputs=[m["w_lam"], m["intercept"], m["w_z"]], point_fn=False)
    cov_y = sigma**2 * np.eye(15) + (X * d**2) @ X.T
    pot, w0 = f(lam, c, np.zeros(4))
    assert pot == pytest.approx(stats.multivariate_normal(np.full(15, c), cov_y).logpdf(y), rel=1e-10)
    precision = X.T @ X / sigma**2 + np.diag(1 / d**2)
    np.testing.assert_allclose(w0, np.linalg.solve(precision, X.T @ (y - c) / sigma**2), rtol=1e-9)
    J = np.column_stack([f(lam, c, e)[1] - w0 for e in np.eye(4)])
    np.testing.assert_allclose(J @ J.T, np.linalg.inv(precision), rtol=1e-8, atol=1e-14)


def test_logistic_horseshoe_is_not_collapsed_and_samples():
    from models.posterior import collapses

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (rng.uniform(size=60) < 1 / (1 + np.exp(-X @ [2.0, 0.0, 0.0]))).astype(float)
    model = Model("logistic", horseshoe(0.5))
    assert not collapses(model.likelihood, model.prior, X)
    fit = model.fit(X, y, draws=300, tune=300, chains=2, random_seed=4, sampler="pymc")
    assert {"w", "w_z", "w_lam", "intercept"} <= set(fit.idata.posterior.data_vars)
    assert fit.map.mode == "local mode"
    assert all(r["n_exact_zero"] == 0 for r in fit.zero_statistics())
    assert (fit.diagnostics.n_divergent > 0) == any("diverged" in w for w in fit.diagnostics.warnings)


@pytest.mark.slow
def test_regularized_horseshoe_regression_samples_cleanly():
    """The issue's problem: n = 100, p = 50, 5 non-zeros, PyMC's default tuning, draws and
    chains (as benchmarks/posterior.py runs it).

    1000 draws, not 500: the seeded run is deterministic (same draws serially, under
    xdist and with any BLAS thread setting), but with 2 x 500 draws the max over 50
    coefficients of split-r_hat is ~1.008 even for independent draws (simulated: 24% of
    samplers with ESS/N = 0.74 exceed 1.01), so the seed, and any change of the model's
    floating-point path, decided pass or fail (1.0126 here).  With 2 x 1000 none of 300
    simulated runs exceeded 1.01 (99th percentile 1.008); this seed gives 1.0044."""
    from models import horseshoe_global_scale, make_sparse_regression
    from priors import regularized_horseshoe

    X, y, true = make_sparse_regression(100, 50, 5, sigma=1.0, random_seed=0)
    prior = regularized_horseshoe(horseshoe_global_scale(5, n_features=50, n_obs=100))
    fit = Model("gaussian", prior).fit(X, y, draws=1000, random_seed=1)
    d = fit.diagnostics
    assert d.n_divergent == 0 and d.max_rhat <= 1.01 and d.ok
    rows = fit.zero_statistics()
    hdi_covers = [r["hdi_low"] <= t <= r["hdi_high"] for r, t in zip(rows, true)]
    assert all(hdi_covers[:5])  # the five real signals are inside their 94% intervals
    assert sum(hdi_covers) >= 45
    assert all(r["n_exact_zero"] == 0 for r in rows)
