"""``Model.sample(..., sampler="gibbs")``: the exact Gibbs sampler behind the same API and
results layout as NUTS (first part of the user-facing Gibbs sampler).

Oracles: NUTS on the same model (posterior means within Monte Carlo error), the file
format's own checks, and the seed guarantees.
"""

from __future__ import annotations

import warnings

import arviz as az
import numpy as np
import pytest

from models import CuspInputError, FitResult, Model, make_sparse_regression
from priors import gaussian, horseshoe, laplace


@pytest.fixture(scope="module")
def data():
    return make_sparse_regression(60, 4, 2, sigma=1.0, random_seed=4)[:2]


@pytest.fixture(scope="module")
def gibbs_fit(data):
    X, y = data
    return Model("gaussian", laplace(0.5), sigma=1.0).fit(X, y, draws=2000, tune=300, chains=2, random_seed=7,
                                                          sampler="gibbs")


def test_same_layout_as_nuts(gibbs_fit, tmp_path):
    idata = gibbs_fit.idata
    for group in ("posterior", "sample_stats", "observed_data", "constant_data", "log_likelihood", "loo", "map"):
        assert group in idata.groups(), group
    assert dict(idata.posterior["w"].sizes) == {"chain": 2, "draw": 2000, "feature": 4}
    assert idata.posterior["intercept"].shape == (2, 2000)
    assert idata.log_likelihood["y"].shape == (2, 2000, 60)
    assert gibbs_fit.map is not None and gibbs_fit.map.n_zeros >= 0
    gibbs_fit.to_netcdf(tmp_path / "g.nc")
    again = FitResult.from_netcdf(tmp_path / "g.nc")
    np.testing.assert_array_equal(again.draws, gibbs_fit.draws)
    assert again.idata.posterior.attrs["cusp_sampler"] == "gibbs"


def test_divergences_are_not_applicable(gibbs_fit):
    d = gibbs_fit.diagnostics
    assert d.n_divergent is None
    assert "divergences n/a (Gibbs sampling has none)" in gibbs_fit.summary()
    assert np.isfinite(d.max_rhat) and d.min_ess_bulk > 400


def test_gibbs_and_nuts_agree_within_monte_carlo_error(data, gibbs_fit):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nuts = Model("gaussian", laplace(0.5), sigma=1.0).fit(X, y, draws=1000, tune=500, chains=2, random_seed=7)
    for fit_a, fit_b in ((gibbs_fit, nuts),):
        a, b = fit_a.idata.posterior["w"], fit_b.idata.posterior["w"]
        se = np.sqrt(az.mcse(fit_a.idata, var_names=["w"])["w"].values ** 2
                     + az.mcse(fit_b.idata, var_names=["w"])["w"].values ** 2)
        diff = np.abs(a.mean(("chain", "draw")).values - b.mean(("chain", "draw")).values)
        np.testing.assert_array_less(diff, 4 * se)
        sd_a, sd_b = a.std(("chain", "draw")).values, b.std(("chain", "draw")).values
        np.testing.assert_allclose(sd_a, sd_b, rtol=0.15)  # ~2000 effective draws: sd known to a few %


def test_same_seed_same_draws_and_chains_independent_of_their_number(data):
    X, y = data
    model = Model("gaussian", horseshoe(0.5), sigma=1.0)
    one = model.sample(X, y, draws=50, tune=20, chains=1, random_seed=11, sampler="gibbs")
    three = model.sample(X, y, draws=50, tune=20, chains=3, random_seed=11, sampler="gibbs")
    again = model.sample(X, y, draws=50, tune=20, chains=3, random_seed=11, sampler="gibbs")
    np.testing.assert_array_equal(three.posterior["w"].values, again.posterior["w"].values)
    np.testing.assert_array_equal(one.posterior["w"].values[0], three.posterior["w"].values[0])
    np.testing.assert_array_equal(one.posterior["intercept"].values[0], three.posterior["intercept"].values[0])
    assert not np.array_equal(three.posterior["w"].values[0], three.posterior["w"].values[1])


def test_target_accept_is_refused_for_gibbs(data):
    X, y = data
    with pytest.raises(CuspInputError, match="target_accept is a NUTS setting"):
        Model("gaussian", gaussian(1.0), sigma=1.0).sample(X, y, draws=10, tune=10, sampler="gibbs", target_accept=0.9)


def test_normal_means_gibbs_matches_the_exact_laplace_posterior():
    from models.posterior.exact import laplace_posterior

    y = np.array([0.3, -1.2, 2.5, 4.0])
    fit = Model("normal_means", laplace(0.7), sigma=1.0).fit(None, y, draws=4000, tune=200, chains=2, random_seed=3,
                                                             sampler="gibbs")
    assert "constant_data" not in fit.idata.groups() and "intercept" not in fit.idata.posterior
    exact = laplace_posterior(y, sigma=1.0, b=0.7).mean
    mean = fit.idata.posterior["w"].mean(("chain", "draw")).values
    mcse = az.mcse(fit.idata, var_names=["w"])["w"].values
    np.testing.assert_array_less(np.abs(mean - exact), 4 * mcse)
