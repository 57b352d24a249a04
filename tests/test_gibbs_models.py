"""The Gibbs samplers on every model they cover, against independent truth.

Oracles: exact enumeration of all 2^p models for the spike-and-slab (known sigma, and
sigma integrated out under Jeffreys' prior with the prior scaled by sigma, both in
closed form); PyMC's NUTS on the same model for every other covered prior, Gaussian
(sigma known, or unknown under the HalfNormal or Jeffreys prior, with and without
``scale_by_sigma``) and logistic (Pólya-Gamma); quadrature for the noise-variance step.
Comparisons allow 4 Monte Carlo standard errors (fixed seeds: deterministic).
"""

from __future__ import annotations

import importlib
import json
import itertools
import warnings

import arviz as az
import numpy as np
import pytest

from models import CuspInputError, Model, make_sparse_regression
from models.posterior.gibbs import gibbs_posterior
from priors import gaussian, horseshoe, laplace, regularized_horseshoe, spike_and_slab, student_t

N_MC_SE = 4.0


@pytest.fixture(scope="module")
def data():
    X, y = make_sparse_regression(50, 3, 1, sigma=1.0, random_seed=8)[:2]
    return X, y


def _logistic_data():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((80, 3))
    y = (X @ np.array([1.5, 0.0, -0.5]) + 0.3 + rng.logistic(size=80) > 0).astype(float)
    return X, y


# ------------------------------------------------------------------ spike-and-slab: enumeration
def _enumerated_inclusion(X, y, *, scale, weight, sigma=None):
    """P(w_j != 0 | y) by summing over all 2^p models, with the flat intercept integrated
    out (centred data).  sigma given: y_c | g ~ N(0, sigma^2 I + scale^2 X_g X_g').
    sigma None: prior scale x sigma and p(sigma^2) ~ 1/sigma^2 integrated out:
    p(y | g) ~ |I + scale^2 X_g X_g'|^(-1/2) (y_c' (I + scale^2 X_g X_g')^-1 y_c)^(-(n-1)/2)."""
    n, p = X.shape
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    logs, models = [], []
    for g in itertools.product([0, 1], repeat=p):
        g = np.array(g, dtype=bool)
        C = np.eye(n) + scale**2 * Xc[:, g] @ Xc[:, g].T
        if sigma is not None:
            C = sigma**2 * np.eye(n) + scale**2 * Xc[:, g] @ Xc[:, g].T
        _, logdet = np.linalg.slogdet(C)
        quad = yc @ np.linalg.solve(C, yc)
        log_lik = -0.5 * logdet - 0.5 * quad if sigma is not None else -0.5 * logdet - 0.5 * (n - 1) * np.log(quad)
        logs.append(log_lik + g.sum() * np.log(weight) + (p - g.sum()) * np.log1p(-weight))
        models.append(g)
    logs = np.array(logs)
    post = np.exp(logs - logs.max())
    post /= post.sum()
    return post @ np.array(models, dtype=float)


# the Jeffreys case (~16 s: sigma sampled, 2 x 3000 sweeps) runs in the slow tier, which CI runs
@pytest.mark.parametrize("case", ["sigma known", pytest.param("sigma Jeffreys, prior scaled by sigma", marks=pytest.mark.slow)])
def test_spike_and_slab_inclusion_probabilities_equal_enumeration(case):
    rng = np.random.default_rng(11)
    n, p = 40, 6
    z = rng.standard_normal((n, 1))
    X = rng.standard_normal((n, p)) + 0.6 * z  # correlated columns: where single-site samplers mix badly
    y = X @ np.array([1.0, 0.0, 0.0, -0.6, 0.0, 0.3]) + 2.0 + rng.standard_normal(n)
    scale, weight = 1.0, 0.3
    if case == "sigma known":
        exact = _enumerated_inclusion(X, y, scale=scale, weight=weight, sigma=1.0)
        kw = dict(sigma=1.0)
    else:
        exact = _enumerated_inclusion(X, y, scale=scale, weight=weight)
        kw = dict(sigma_prior="jeffreys", scale_by_sigma=True)
    out = gibbs_posterior(X, y, spike_and_slab(scale, weight), draws=3000, burn=300, chains=2, random_seed=4, **kw)
    inc = out["w_included"].astype(float)
    assert np.all((out["w"] == 0.0) == (inc == 0))  # excluded draws are exactly 0.0, included never
    se = np.maximum(az.mcse(az.convert_to_dataset({"g": inc}))["g"].values, 2e-3)
    np.testing.assert_array_less(np.abs(inc.mean(axis=(0, 1)) - exact), N_MC_SE * se)
    assert exact.min() < 0.2 and exact.max() > 0.9  # the test sees both regimes


# ------------------------------------------------------------------ Gibbs against NUTS
GAUSSIAN_CASES = [
    (gaussian(1.0), dict()),
    (laplace(0.5), dict(sigma_prior="jeffreys", scale_by_sigma=True)),
    (laplace(0.5, hyper_shape=2.0, hyper_rate=2.0), dict(sigma=1.0)),
    (student_t(0.5, 3.0), dict(scale_by_sigma=True)),
    (horseshoe(0.5), dict(sigma_prior="jeffreys")),
    (horseshoe(0.5, global_df=1.0), dict(scale_by_sigma=True)),
]


def _mcse_sd(idata, name):
    """Monte Carlo SE of the posterior sd, per coordinate: ArviZ's formula (the variance of
    the squared deviations over their effective sample size, by the delta method), written
    out because ``az.mcse(method="sd")`` fails on vector variables with numba installed."""
    x = idata.posterior[name].values
    x = x.reshape(x.shape[:2] + (-1,))
    out = []
    for j in range(x.shape[2]):
        sq = (x[..., j] - x[..., j].mean()) ** 2
        ess = float(az.ess(az.convert_to_dataset({"s": sq}), method="mean")["s"])
        varvar = ((sq**2).mean() - sq.mean() ** 2) / ess
        out.append(np.sqrt(varvar / sq.mean() / 4))
    return np.array(out).reshape(idata.posterior[name].shape[2:])


def _agree(gibbs, nuts, names):
    for name in names:
        a, b = gibbs.posterior[name], nuts.posterior[name]
        dims = ("chain", "draw")
        se_mean = np.hypot(az.mcse(gibbs, var_names=[name])[name].values, az.mcse(nuts, var_names=[name])[name].values)
        np.testing.assert_array_less(np.abs(a.mean(dims).values - b.mean(dims).values), N_MC_SE * se_mean, err_msg=name)
        se_sd = np.hypot(_mcse_sd(gibbs, name), _mcse_sd(nuts, name))
        np.testing.assert_array_less(np.abs(a.std(dims).values - b.std(dims).values), N_MC_SE * se_sd, err_msg=name)


@pytest.mark.slow
@pytest.mark.parametrize("case", GAUSSIAN_CASES, ids=lambda c: f"{c[0].describe()} {c[1]}" if isinstance(c, tuple) else "")
def test_gaussian_gibbs_agrees_with_nuts(data, case):
    the_prior, kwargs = case
    X, y = data
    model = Model("gaussian", the_prior, **kwargs)
    gibbs = model.sample(X, y, draws=4000, tune=500, chains=2, random_seed=1, sampler="gibbs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nuts = model.sample(X, y, draws=1000, tune=600, chains=2, random_seed=1, sampler="pymc", target_accept=0.95)
    names = ["w", "intercept"] + (["sigma"] if "sigma" not in kwargs else [])
    names += [v for v in ("w_rate", "w_tau") if v in gibbs.posterior]
    _agree(gibbs, nuts, names)


@pytest.mark.slow
@pytest.mark.parametrize("case", [gaussian(1.0), laplace(1.0), student_t(1.0, 3.0), horseshoe(1.0, global_df=1.0)],
                         ids=lambda c: c.describe())
def test_logistic_polya_gamma_gibbs_agrees_with_nuts(case):
    X, y = _logistic_data()
    model = Model("logistic", case)
    gibbs = model.sample(X, y, draws=4000, tune=500, chains=2, random_seed=3, sampler="gibbs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nuts = model.sample(X, y, draws=1000, tune=600, chains=2, random_seed=3, sampler="pymc", target_accept=0.95)
    _agree(gibbs, nuts, ["w", "intercept"])


def test_logistic_spike_and_slab_has_exact_zeros_and_finds_the_signal():
    X, y = _logistic_data()
    out = gibbs_posterior(X, y, spike_and_slab(2.0, 0.5), likelihood="logistic", draws=1500, burn=300, chains=2,
                          random_seed=6)
    inc = out["w_included"].mean(axis=(0, 1))
    assert np.all((out["w"] == 0) == (out["w_included"] == 0))
    assert inc[0] > 0.95 and inc[1] < 0.5  # a strong coefficient and a null one


# ------------------------------------------------------------------ the noise step
@pytest.mark.parametrize("sigma_prior", ["halfnormal", "jeffreys"])
def test_noise_variance_draws_follow_their_density(sigma_prior):
    """The conditional of sigma^2, (sigma^2)^(-k/2) exp(-chi / (2 sigma^2)) x prior, against
    its CDF by quadrature (Kolmogorov-Smirnov on 20000 draws)."""
    from scipy import integrate, stats

    G = importlib.import_module("models.posterior.gibbs")
    noise = G._Noise(None, sigma_prior, 1.3)
    k, chi = 9, 14.0
    rng = np.random.default_rng(0)
    draws = np.array([noise.draw_variance(k, chi, rng) for _ in range(20000)])

    def log_dens(x):
        prior = -0.5 * np.log(x) - x / (2 * 1.3**2) if sigma_prior == "halfnormal" else -np.log(x)
        return -0.5 * k * np.log(x) - chi / (2 * x) + prior

    z = integrate.quad(lambda x: np.exp(log_dens(x)), 0, np.inf, limit=200)[0]
    cdf = np.vectorize(lambda t: integrate.quad(lambda x: np.exp(log_dens(x)), 0, t, limit=200)[0] / z)
    assert stats.kstest(draws, cdf).pvalue > 1e-3


# ------------------------------------------------------------------ seeds, chains, processes
def test_chains_in_processes_give_the_serial_draws(data, monkeypatch):
    G = importlib.import_module("models.posterior.gibbs")
    X, y = data
    kw = dict(draws=40, burn=10, chains=3, random_seed=5)
    monkeypatch.setattr(G, "PARALLEL_WORK", 10**18)  # serial
    serial = gibbs_posterior(X, y, horseshoe(0.5, global_df=1.0), **kw)
    one = gibbs_posterior(X, y, horseshoe(0.5, global_df=1.0), **{**kw, "chains": 1})
    monkeypatch.setattr(G, "PARALLEL_WORK", 0)  # processes
    parallel = gibbs_posterior(X, y, horseshoe(0.5, global_df=1.0), **kw)
    assert serial.keys() == parallel.keys() == {"w", "w_lam", "w_tau", "sigma", "intercept"}
    for name in serial:
        np.testing.assert_array_equal(serial[name], parallel[name])
        np.testing.assert_array_equal(serial[name][0], one[name][0])


# ~12 s from a cold cache (its NUTS half compiles a PyMC model): the slow tier, which CI runs;
# every default-tier Gibbs test runs through sampler='auto', and the NUTS branch is tested below
@pytest.mark.slow
# ------------------------------------------------------------------ sampler="auto"
def test_auto_runs_gibbs_where_it_applies_and_says_so(data):
    X, y = data
    idata = Model("gaussian", laplace(0.5)).sample(X, y, draws=20, tune=10, random_seed=1)
    assert idata.posterior.attrs["cusp_sampler"] == "gibbs"
    assert "sampler 'auto' ran the exact Gibbs sampler" in idata.posterior.attrs["cusp_notes"]
    counts = np.round(np.exp(np.clip(y, -3, 3)))
    with warnings.catch_warnings():  # a Poisson model: the cheapest NUTS graph to compile from a cold cache
        warnings.simplefilter("ignore")
        idata = Model("poisson", laplace(0.5)).sample(X, counts, draws=20, tune=20, random_seed=1)
    assert idata.posterior.attrs["cusp_sampler"] == "pymc"
    notes = idata.posterior.attrs["cusp_notes"]
    assert "sampler 'auto' ran NUTS (PyMC)" in notes and "covers the gaussian and logistic likelihoods, not poisson" in notes


def test_auto_with_a_nuts_setting_runs_nuts(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = Model("gaussian", laplace(0.5), sigma=1.0).sample(X, y, draws=20, tune=20, random_seed=1,
                                                                   target_accept=0.9)
    assert idata.posterior.attrs["cusp_sampler"] == "pymc"
    assert "target_accept is a NUTS setting" in idata.posterior.attrs["cusp_notes"]


@pytest.mark.parametrize("likelihood, the_prior, match", [
    ("poisson", laplace(1.0), "covers the gaussian and logistic likelihoods, not poisson"),
    ("gaussian", regularized_horseshoe(0.5), "no exact Gibbs step"),
])
def test_gibbs_refuses_what_it_does_not_cover(data, likelihood, the_prior, match):
    X, y = data
    if likelihood == "poisson":
        y = np.round(np.exp(np.clip(y, -3, 3)))
    with pytest.raises(CuspInputError, match=match):
        Model(likelihood, the_prior).sample(X, y, draws=10, tune=10, sampler="gibbs")


def test_unknown_sampler_and_scale_by_sigma_misuse_are_refused(data):
    X, y = data
    with pytest.raises(CuspInputError, match="unknown sampler 'metropolis'; choose one of auto, gibbs, pymc, nutpie"):
        Model("gaussian", laplace(1.0)).sample(X, y, sampler="metropolis")
    with pytest.raises(CuspInputError, match="the logistic likelihood does not have; remove it"):
        Model("logistic", laplace(1.0), scale_by_sigma=True)
    with pytest.raises(CuspInputError, match="sigma_prior must be one of halfnormal, jeffreys"):
        Model("gaussian", laplace(1.0), sigma_prior="flat")


def test_scale_by_sigma_map_is_the_map_at_scale_times_sigma(data):
    X, y = data
    scaled = Model("gaussian", laplace(0.4), sigma=2.0, scale_by_sigma=True).map(X, y)
    plain = Model("gaussian", laplace(0.8), sigma=2.0).map(X, y)
    np.testing.assert_array_equal(scaled.coef, plain.coef)
    assert scaled.prior == laplace(0.8)
    assert any("0.4 x sigma (2) = 0.8" in note for note in scaled.notes)
    with pytest.raises(CuspInputError, match="unknown sigma: the MAP needs a value"):
        Model("gaussian", laplace(0.4), scale_by_sigma=True).map(X, y)


def test_thinning_keeps_every_kth_sweep_of_the_same_chain():
    """The same seed with thin=3 keeps sweeps 3, 6, 9, ... of the unthinned chain: the
    same w, sigma and scales exactly (the intercept's independent noise is drawn after
    the sweeps, so only its count differs)."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 5))
    y = X @ np.array([1.0, 0.0, -0.5, 0.0, 0.0]) + rng.standard_normal(40)
    model = Model("gaussian", laplace(0.5))
    full = model.sample(X, y, draws=30, tune=7, chains=2, random_seed=11, sampler="gibbs")
    thinned = model.sample(X, y, draws=10, tune=7, chains=2, random_seed=11, sampler="gibbs", thin=3)
    for name in ("w", "sigma"):
        np.testing.assert_array_equal(thinned.posterior[name].values, full.posterior[name].values[:, 2::3])
    np.testing.assert_array_equal(thinned.sample_stats["gibbs_sweep"].values[0], 7 + np.arange(2, 30, 3))
    assert any("last of 3 Gibbs sweeps" in note for note in json.loads(thinned.posterior.attrs["cusp_notes"]))
    with pytest.raises(CuspInputError, match="takes no thinning"):
        model.sample(X, y, draws=10, tune=7, sampler="pymc", thin=3)
