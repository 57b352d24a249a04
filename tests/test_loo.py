"""Pointwise log-likelihood, PSIS-LOO and comparison (models.posterior.loo), and sparse
decisions stored with a fit (netCDF round trip).

Oracles: scipy.stats densities, PyMC's own ``compute_log_likelihood`` on the same draws,
``arviz.loo`` / ``arviz.compare`` on the stored file.
"""

from __future__ import annotations

import math
import warnings

import arviz as az
import numpy as np
import pytest
from scipy import stats
from scipy.special import expit

from models import CuspInputError, FitResult, Model, compare, make_sparse_regression
from models.likelihoods import Gaussian, Logistic, NormalMeans, Poisson
from models.posterior import diagnose, log_likelihood_draws, loo, pareto_warnings
from priors import gaussian, horseshoe, laplace, spike_and_slab

SMALL = dict(draws=200, tune=200, chains=2, random_seed=3, progressbar=False)


def _fit(likelihood, prior, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Model(likelihood, prior, **kwargs).fit(X, y, **SMALL)


# --------------------------------------------------------------------------- densities
@pytest.mark.parametrize("sigma", [0.3, 54.0])
def test_gaussian_log_density_is_scipy_norm(sigma):
    rng = np.random.default_rng(0)
    eta, y = rng.normal(size=(5, 7)), rng.normal(size=7)
    np.testing.assert_allclose(Gaussian(sigma).log_density(eta, y), stats.norm.logpdf(y, eta, sigma), rtol=1e-13)
    per_draw = rng.uniform(0.5, 2.0, size=(5, 1))
    np.testing.assert_allclose(Gaussian(None).log_density(eta, y, per_draw), stats.norm.logpdf(y, eta, per_draw),
                               rtol=1e-13)


def test_logistic_log_density_is_scipy_bernoulli_even_far_out():
    eta = np.array([[-40.0, -3.0, 0.0, 2.5, 40.0]])
    for y in (np.zeros(5), np.ones(5)):
        got = Logistic().log_density(eta, y)
        # log expit computed by scipy's log_expit is the oracle (the Bernoulli pmf itself
        # rounds expit(40) to 1 and gives log 0 = -inf for y = 0)
        from scipy.special import log_expit
        want = np.where(y == 1, log_expit(eta), log_expit(-eta))
        np.testing.assert_allclose(got, want, rtol=1e-13)
        mid = slice(1, 4)
        np.testing.assert_allclose(got[:, mid], stats.bernoulli.logpmf(y[mid], expit(eta[:, mid])), rtol=1e-12)


def test_poisson_log_density_is_scipy_poisson():
    rng = np.random.default_rng(1)
    eta, y = rng.normal(size=(4, 6)), rng.poisson(2.0, size=6).astype(float)
    np.testing.assert_allclose(Poisson().log_density(eta, y), stats.poisson.logpmf(y, np.exp(eta)), rtol=1e-12)


# --------------------------------------------------------------------------- against PyMC
def _pymc_log_likelihood(model, X, y, idata):
    import pymc as pm

    post = az.InferenceData(posterior=idata.posterior.drop_vars([v for v in idata.posterior.data_vars
                                                                  if v.endswith("_log__")], errors="ignore"))
    with model.pymc_model(X, y):
        return pm.compute_log_likelihood(post, extend_inferencedata=False, progressbar=False)["y"].values


def test_log_likelihood_equals_pymc_gaussian_sigma_estimated():
    X, y, _ = make_sparse_regression(30, 4, 2, sigma=1.0, random_seed=0)
    fit = _fit("gaussian", laplace(1.0), X, y)
    mine = fit.idata.log_likelihood["y"].values
    assert mine.shape == (2, 200, 30)
    np.testing.assert_allclose(mine, _pymc_log_likelihood(Model("gaussian", laplace(1.0)), X, y, fit.idata), rtol=1e-10)


def test_log_likelihood_equals_pymc_logistic():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 3))
    y = (rng.uniform(size=40) < expit(X @ [1.5, 0.0, -1.0])).astype(float)
    fit = _fit("logistic", gaussian(1.0), X, y)
    np.testing.assert_allclose(fit.idata.log_likelihood["y"].values,
                               _pymc_log_likelihood(Model("logistic", gaussian(1.0)), X, y, fit.idata), rtol=1e-10)


def test_collapsed_horseshoe_log_likelihood_from_exact_w_draws():
    """The collapsed model has no observed variable; its log-likelihood is the Gaussian
    density at each exact draw of w (checked with scipy, independently)."""
    X, y, _ = make_sparse_regression(25, 5, 2, sigma=1.0, random_seed=1)
    fit = _fit("gaussian", horseshoe(1.0), X, y, sigma=1.0)
    post = fit.idata.posterior
    eta = np.einsum("cdp,np->cdn", post["w"].values, X) + post["intercept"].values[..., None]
    np.testing.assert_allclose(fit.idata.log_likelihood["y"].values, stats.norm.logpdf(y, eta, 1.0), rtol=1e-12)


def test_normal_means_log_likelihood_uses_the_identity_design():
    y = np.array([0.2, -1.5, 3.0])
    fit = _fit(NormalMeans(1.0), laplace(1.0), None, y)
    w = fit.idata.posterior["w"].values
    np.testing.assert_allclose(log_likelihood_draws(fit.idata, NormalMeans(1.0)), stats.norm.logpdf(y, w, 1.0),
                               rtol=1e-12)


# --------------------------------------------------------------------------- LOO and compare
@pytest.fixture(scope="module")
def two_fits():
    """A correct model and a clearly wrong one (a prior that pins w at ~0) on data with
    strong signals."""
    X, y, _ = make_sparse_regression(60, 4, 3, sigma=1.0, random_seed=7)
    good = _fit("gaussian", laplace(1.0), X, y, sigma=1.0)
    bad = _fit("gaussian", gaussian(1e-3), X, y, sigma=1.0)
    return good, bad


def test_stored_loo_equals_arviz_loo_after_a_round_trip(two_fits, tmp_path):
    good, _ = two_fits
    good.to_netcdf(tmp_path / "fit.nc")
    loaded = FitResult.from_netcdf(tmp_path / "fit.nc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = az.loo(loaded.idata, pointwise=True)
    got = loaded.loo()
    for key in ("elpd_loo", "se", "p_loo", "n_samples", "n_data_points", "good_k"):
        assert got[key] == want[key], key
    np.testing.assert_array_equal(got["loo_i"].values, want["loo_i"].values)
    np.testing.assert_array_equal(got["pareto_k"].values, want["pareto_k"].values)
    assert got["scale"] == want["scale"] == "log"


def test_compare_ranks_the_correct_model_first(two_fits):
    good, bad = two_fits
    table = compare({"wrong": bad, "laplace": good})
    assert list(table.index) == ["laplace", "wrong"]
    # by many standard errors, not by luck
    assert table.loc["wrong", "elpd_diff"] > 3 * table.loc["wrong", "dse"]
    # the table is ArviZ's own on the same data
    want = az.compare({"wrong": bad.idata, "laplace": good.idata}, ic="loo")
    np.testing.assert_allclose(table["elpd_loo"].values, want["elpd_loo"].values, rtol=1e-12)


def test_compare_refuses_bad_input(two_fits):
    good, _ = two_fits
    with pytest.raises(CuspInputError, match="at least two"):
        compare({"only": good})
    with pytest.raises(CuspInputError, match="dict"):
        compare([good, good])


def test_pareto_k_warning_is_a_diagnostic():
    """A log-likelihood with one wildly varying observation: ArviZ's Pareto k for it is
    high, and cusp says so once, with advice, among the diagnostics."""
    rng = np.random.default_rng(0)
    ll = rng.normal(-1.0, 0.1, size=(2, 500, 20))
    ll[:, :, 0] = -np.abs(rng.standard_cauchy(size=(2, 500))) * 30
    idata = az.from_dict(posterior={"w": rng.normal(size=(2, 500, 1))}, log_likelihood={"y": ll},
                         observed_data={"y": np.zeros(20)}, dims={"w": ["feature"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # cusp's loo does not let ArviZ's own warning through
        elpd = loo(idata)
    assert float(elpd["pareto_k"][0]) > float(elpd["good_k"])
    msgs = pareto_warnings(elpd)
    assert len(msgs) == 1 and "1 of 20 observations" in msgs[0] and "K-fold" in msgs[0]
    d = diagnose(idata, loo=elpd)
    assert d.loo_warnings == (msgs[0],) and msgs[0] in d.all_warnings
    assert not any("Pareto" in w for w in d.warnings)  # the sampler's health is another matter
    assert not diagnose(idata).loo_warnings


def test_results_without_log_likelihood_say_so(two_fits):
    good, _ = two_fits
    stripped = az.InferenceData(posterior=good.idata.posterior, observed_data=good.idata.observed_data)
    with pytest.raises(CuspInputError, match="no pointwise log-likelihood"):
        loo(stripped)


# --------------------------------------------------------------------------- selections stored with the fit
def _same_record(a, b):
    """Equal dicts, NaN equal to NaN."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_record(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same_record(x, z) for x, z in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


def test_selections_round_trip_through_netcdf(two_fits, tmp_path):
    good, _ = two_fits
    made = {m: good.select(m, **opts) for m, opts in
            [("dss", {}), ("savs", {}), ("interval", {"prob": 0.9}), ("projection", {"max_size": 3})]}
    again = good.select("savs")  # the same method replaces, it does not duplicate
    assert list(good.selections) == ["dss", "savs", "interval", "projection"]
    good.to_netcdf(tmp_path / "sel.nc")
    loaded = FitResult.from_netcdf(tmp_path / "sel.nc").selections
    assert list(loaded) == list(made)
    for method, sel in made.items():
        got = loaded[method]
        assert _same_record(got.to_dict(), sel.to_dict()), method
        np.testing.assert_array_equal(got.coef, sel.coef)  # bit for bit
        assert np.all(got.coef[~got.selected] == 0.0) and np.all(got.coef[got.selected] != 0.0)
    np.testing.assert_array_equal(loaded["savs"].coef, again.coef)
    # the xarray view holds the same numbers
    ds = FitResult.from_netcdf(tmp_path / "sel.nc").idata.selections
    np.testing.assert_array_equal(ds["coef"].sel(decision="dss").values, made["dss"].coef)


def test_select_store_false_leaves_the_fit_alone(two_fits):
    _, bad = two_fits
    before = dict(bad.selections)
    bad.select("savs", store=False)
    assert bad.selections.keys() == before.keys()


def test_mpm_selection_round_trips_with_inclusion_probabilities(tmp_path):
    y = np.array([0.1, -0.3, 3.5, -2.8, 0.4])
    fit = _fit(NormalMeans(1.0), spike_and_slab(2.0, 0.5), None, y)
    sel = fit.select("mpm")
    fit.to_netcdf(tmp_path / "mpm.nc")
    got = FitResult.from_netcdf(tmp_path / "mpm.nc").selections["mpm"]
    assert _same_record(got.to_dict(), sel.to_dict())
    assert got.selected[2] and got.selected[3]


def test_a_log_likelihood_too_large_is_not_stored_and_the_fit_says_so(monkeypatch):
    import importlib

    L = importlib.import_module("models.posterior.loo")  # the module (models.posterior.loo is also a function)

    X, y, _ = make_sparse_regression(30, 3, 1, sigma=1.0, random_seed=0)
    assert L.log_likelihood_too_large(400, 30) is None  # the real limit is far away
    monkeypatch.setattr(L, "MAX_LOG_LIKELIHOOD_VALUES", 400 * 30 - 1)
    fit = _fit("gaussian", laplace(1.0), X, y, sigma=1.0)
    assert "log_likelihood" not in fit.idata.groups() and fit.loo_data is None
    assert any("no pointwise log-likelihood stored: 400 draws x 30 observations" in n for n in fit.notes)
    with pytest.raises(CuspInputError, match="no pointwise log-likelihood"):
        fit.loo()
