"""Posterior-to-exact-zeros decisions (models.selection): DSS, SAVS, interval, MPM.

Each method is checked against an independent computation: scikit-learn's Lasso (DSS),
the closed form written out here (SAVS), ArviZ's HDI (interval), exact enumeration of
all 2^p models and the exact normal-means posterior (MPM).  The references are real
posteriors drawn with numpy where a closed form exists (Gaussian prior, known sigma;
spike-and-slab normal means), and two come from PyMC through ``reference_from_fit``.
"""

import dataclasses
import itertools
import json
import math
import sys
import types

import arviz as az
import numpy as np
import pytest
import scipy.linalg
from sklearn.linear_model import Lasso

from models import Model, load_diabetes, make_likelihood
from models.posterior.exact import spike_and_slab_posterior
from models.selection import (METHODS, Reference, Selection, dss_selection, interval_selection, mpm_selection,
                              reference_from_fit, savs_selection, select)
from models.selection.dss import dss_alpha_max
from priors import CuspInputError, horseshoe, spike_and_slab

DIABETES_SIGMA = 54.0


# ---------------------------------------------------------------- references (real posteriors, no PyMC)
def gaussian_reference(X, y, *, sigma, s, draws=1000, chains=2, seed=0, fit_intercept=True):
    """Exact posterior of ``y ~ N(Xw + c, sigma^2)``, ``w ~ N(0, s^2 I)``, flat ``c``:
    with centred ``X, y``, ``w | y ~ N(A^-1 X'y / sigma^2, A^-1)``,
    ``A = X'X / sigma^2 + I / s^2``, and ``c | w, y ~ N(mean(y) - mean(X) w, sigma^2/n)``."""
    rng = np.random.default_rng(seed)
    n, p = X.shape
    x_mean, y_mean = (X.mean(axis=0), y.mean()) if fit_intercept else (np.zeros(p), 0.0)
    Xc, yc = X - x_mean, y - y_mean
    A = Xc.T @ Xc / sigma**2 + np.eye(p) / s**2
    L = np.linalg.cholesky(A)
    mean = np.linalg.solve(A, Xc.T @ yc / sigma**2)
    S = draws * chains
    W = mean + scipy.linalg.solve_triangular(L.T, rng.standard_normal((p, S)), lower=False).T
    c = y_mean - W @ x_mean + sigma / math.sqrt(n) * rng.standard_normal(S) if fit_intercept else np.zeros(S)
    return Reference(X=X, y=y, likelihood=make_likelihood("gaussian", sigma=sigma), coef_draws=W, intercept_draws=c,
                     sigma_draws=np.full(S, sigma), fit_intercept=fit_intercept,
                     feature_names=[f"x{j}" for j in range(p)], point_mass=False, n_chains=chains)


def spike_slab_means_reference(y, *, sigma=1.0, s=2.0, weight=0.5, draws=1000, chains=2, seed=0):
    """Exact posterior of normal means ``y_j ~ N(w_j, sigma^2)`` under the spike-and-slab:
    ``w_j = 0`` with probability ``P(w_j = 0 | y_j)``, otherwise its slab posterior
    ``N(c y_j, c sigma^2)``, ``c = s^2 / (s^2 + sigma^2)``; independent draws."""
    rng = np.random.default_rng(seed)
    y = np.asarray(y, dtype=float)
    p, S = y.size, draws * chains
    post = spike_and_slab_posterior(y, sigma=sigma, s=s, weight=weight)
    shrink = s**2 / (s**2 + sigma**2)
    slab = shrink * y + math.sqrt(shrink) * sigma * rng.standard_normal((S, p))
    W = np.where(rng.random((S, p)) < post.p_zero, 0.0, slab)
    ref = Reference(X=np.eye(p), y=y, likelihood=make_likelihood("normal_means", sigma=sigma), coef_draws=W,
                    intercept_draws=np.zeros(S), sigma_draws=np.full(S, sigma), fit_intercept=False,
                    feature_names=[f"w{j}" for j in range(p)], point_mass=True, n_chains=chains)
    return ref, post


@pytest.fixture(scope="module")
def diabetes_reference():
    X, y, _ = load_diabetes()
    return gaussian_reference(X, y, sigma=DIABETES_SIGMA, s=10.0, draws=1000, chains=2, seed=1)


@pytest.fixture(scope="module")
def wide_reference():
    """p > n, a sparse truth: a Gaussian posterior with every coefficient non-zero."""
    rng = np.random.default_rng(2)
    n, p = 40, 60
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ w + 0.5 + rng.standard_normal(n)
    return gaussian_reference(X, y, sigma=1.0, s=0.5, draws=500, chains=2, seed=3)


@pytest.fixture(scope="module")
def means_reference():
    y = np.array([0.1, -0.4, 3.5, -2.6, 1.9, 0.8, -1.2, 4.4])
    return spike_slab_means_reference(y, draws=1500, chains=2, seed=4)


def lasso_dss(reference, alpha, *, fit_intercept=True):
    """DSS by scikit-learn: Lasso of eta_bar on x_j |w̄_j|, then gamma_j = theta_j |w̄_j|."""
    w_bar = reference.coef_mean
    eta_bar = reference.X @ w_bar + reference.intercept_mean
    lasso = Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=10**6)
    lasso.fit(reference.X * np.abs(w_bar), eta_bar)
    return lasso.coef_ * np.abs(w_bar), float(lasso.intercept_)


def assert_same_dss(sel, gamma, intercept):
    assert np.array_equal(sel.selected, gamma != 0), "DSS and scikit-learn's Lasso give different supports"
    scale = max(np.max(np.abs(gamma)), 1e-300)
    assert np.max(np.abs(sel.coef - gamma)) <= 1e-6 * scale
    assert abs(sel.intercept - intercept) <= 1e-6 * max(1.0, abs(intercept))


# ---------------------------------------------------------------- DSS
@pytest.mark.parametrize("fraction", [0.5, 0.05, 0.005])
@pytest.mark.parametrize("data", ["diabetes", "wide"])
def test_dss_equals_sklearn_lasso(data, fraction, diabetes_reference, wide_reference):
    ref = diabetes_reference if data == "diabetes" else wide_reference
    alpha = fraction * dss_alpha_max(ref)
    sel = dss_selection(ref, alpha=alpha)
    gamma, intercept = lasso_dss(ref, alpha)
    assert 0 < sel.n_selected < ref.X.shape[1] or fraction == 0.005
    assert_same_dss(sel, gamma, intercept)
    assert sel.options == {"alpha": alpha, "prob": 0.9, "n_alphas": 50, "alpha_min_ratio": 1e-3}
    assert sel.path is None


def test_dss_without_intercept_equals_sklearn(means_reference):
    ref, _ = means_reference
    alpha = 0.1 * dss_alpha_max(ref)
    sel = dss_selection(ref, alpha=alpha)
    gamma, _ = lasso_dss(ref, alpha, fit_intercept=False)
    assert_same_dss(sel, gamma, 0.0)
    assert sel.intercept == 0.0


def test_dss_reasons_are_the_lasso_certificate(wide_reference):
    ref = wide_reference
    alpha = 0.05 * dss_alpha_max(ref)
    sel = dss_selection(ref, alpha=alpha)
    n = ref.X.shape[0]
    w_bar = ref.coef_mean
    residual = ref.X @ sel.coef + sel.intercept - (ref.X @ w_bar + ref.intercept_mean)
    slope = (ref.X * np.abs(w_bar)).T @ residual / n  # the lasso's gradient in theta = gamma / |w̄|
    for j, r in enumerate(sel.reasons):
        assert r["certified"] is True
        assert r["threshold"] == pytest.approx(alpha, rel=1e-12)
        assert r["statistic"] == pytest.approx(abs(slope[j]), rel=1e-6, abs=1e-9 * alpha)
        assert r["penalty_weight"] == pytest.approx(1 / abs(w_bar[j]))
        if r["kept"]:
            assert r["statistic"] == pytest.approx(alpha, rel=1e-6) and r["margin"] is None
        else:
            assert r["statistic"] <= alpha * (1 + 1e-6)
            assert r["margin"] == pytest.approx(alpha - r["statistic"])
            assert "exactly 0" in r["text"]


def test_dss_path_rule(diabetes_reference):
    """The path and the chosen point, recomputed here with a loop over path points."""
    ref = diabetes_reference
    sel = dss_selection(ref, prob=0.9)
    path = sel.path
    a_max = dss_alpha_max(ref)
    np.testing.assert_allclose(path["alphas"], np.geomspace(a_max, a_max / 1000, 50), rtol=1e-12)
    assert path["n_selected"][0] == 0 and np.all(path["coefs"][0] == 0.0)
    assert np.all(path["certified"])
    assert np.array_equal(path["n_selected"], np.count_nonzero(path["coefs"], axis=1))
    # a mid-path point (warm-started) is the lasso at its alpha
    k = 30
    gamma, intercept = lasso_dss(ref, path["alphas"][k])
    np.testing.assert_allclose(path["coefs"][k], gamma, rtol=0, atol=1e-6 * np.max(np.abs(gamma)))
    # losses: L_s(k) = mean_i (eta_s,i - (X gamma_k + c_k)_i)^2, the full model's at (w̄, c̄)
    eta_draws = ref.coef_draws @ ref.X.T + ref.intercept_draws[:, None]
    full = np.mean((eta_draws - (ref.X @ ref.coef_mean + ref.intercept_mean)) ** 2, axis=1)
    lo, hi = np.quantile(full, [0.05, 0.95])
    np.testing.assert_allclose(path["full_loss"], [full.mean(), lo, hi], rtol=1e-9)
    for k in range(path["alphas"].size):
        L = np.mean((eta_draws - (ref.X @ path["coefs"][k] + path["intercepts"][k])) ** 2, axis=1)
        np.testing.assert_allclose([path["loss"][k], path["loss_low"][k], path["loss_high"][k]],
                                   [L.mean(), *np.quantile(L, [0.05, 0.95])], rtol=1e-9)
    within = path["loss"] <= hi
    assert np.array_equal(path["within"], within)
    fewest = path["n_selected"][within].min()
    k = int(np.flatnonzero(path["chosen"])[0])
    assert path["chosen"].sum() == 1 and within[k] and path["n_selected"][k] == fewest
    assert path["loss"][k] == path["loss"][within & (path["n_selected"] == fewest)].min()
    # the sparser points all fail the rule, and the selection is the chosen point
    assert not np.any(within & (path["n_selected"] < fewest))
    np.testing.assert_array_equal(sel.coef, path["coefs"][k])
    assert sel.intercept == path["intercepts"][k]
    assert sel.options["alpha"] is None and any("chosen" in note for note in sel.notes)
    assert 0 < sel.n_selected < ref.X.shape[1]


def test_dss_wider_interval_is_sparser(diabetes_reference):
    tight = dss_selection(diabetes_reference, prob=0.5)
    wide = dss_selection(diabetes_reference, prob=0.99)
    assert wide.n_selected <= tight.n_selected


def test_dss_zero_posterior_mean_is_dropped_without_changing_the_rest(wide_reference):
    ref = wide_reference
    W = ref.coef_draws.copy()
    W[:, 5] = 0.0  # a coefficient that is 0.0 in every draw: infinite DSS weight
    zeroed = dataclasses.replace(ref, coef_draws=W)
    alpha = 0.05 * dss_alpha_max(zeroed)
    sel = dss_selection(zeroed, alpha=alpha)
    assert sel.coef[5] == 0.0 and not sel.selected[5]
    reason = sel.reasons[5]
    assert reason["penalty_weight"] == math.inf and "exactly 0.0" in reason["text"] and reason["certified"]
    # the others: DSS of the reference without that column (whose mean contributes nothing)
    keep = np.arange(W.shape[1]) != 5
    reduced = dataclasses.replace(ref, X=ref.X[:, keep], coef_draws=W[:, keep],
                                  feature_names=[f for f, k in zip(ref.feature_names, keep) if k])
    gamma, intercept = lasso_dss(reduced, alpha)
    assert_same_dss(dataclasses.replace(sel, coef=sel.coef[keep], selected=sel.selected[keep],
                                        feature_names=reduced.feature_names, reasons=sel.reasons[:-1]),
                    gamma, intercept)


def test_dss_all_means_zero():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((20, 3))
    ref = Reference(X=X, y=rng.standard_normal(20), likelihood=make_likelihood("gaussian", sigma=1.0),
                    coef_draws=np.zeros((40, 3)), intercept_draws=np.full(40, 0.7), sigma_draws=np.ones(40),
                    fit_intercept=True, feature_names=["a", "b", "c"], point_mass=False, n_chains=2)
    for alpha in (None, 1.0):
        sel = dss_selection(ref, alpha=alpha)
        assert sel.n_selected == 0 and sel.intercept == pytest.approx(0.7)
        assert "nothing to select" in sel.notes[0]


# ---------------------------------------------------------------- SAVS
def test_savs_closed_form(wide_reference, diabetes_reference):
    for ref in (wide_reference, diabetes_reference):
        sel = savs_selection(ref)
        w_bar = ref.coef_draws.mean(axis=0)
        for j in range(w_bar.size):
            xj = ref.X[:, j]
            norm2 = float(xj @ xj)
            mu = 1.0 / w_bar[j] ** 2
            expected = math.copysign(max(abs(w_bar[j]) * norm2 - mu, 0.0) / norm2, w_bar[j])
            assert sel.coef[j] == pytest.approx(expected, rel=1e-12, abs=0.0)
            r = sel.reasons[j]
            assert r["statistic"] == pytest.approx(abs(w_bar[j]) * norm2) and r["threshold"] == pytest.approx(mu)
            assert r["kept"] == (abs(w_bar[j]) * norm2 > mu)
        c = np.mean(ref.X @ w_bar + ref.intercept_draws.mean() - ref.X @ sel.coef)
        assert sel.intercept == pytest.approx(c, rel=1e-10)
    assert 0 < savs_selection(wide_reference).n_selected < wide_reference.X.shape[1]


def test_savs_zero_mean_and_zero_column():
    X = np.array([[1.0, 0.0, 2.0], [2.0, 0.0, -1.0], [3.0, 0.0, 0.5]])
    W = np.tile([0.0, 5.0, 3.0], (10, 1))
    ref = Reference(X=X, y=np.zeros(3), likelihood=make_likelihood("gaussian", sigma=1.0), coef_draws=W,
                    intercept_draws=np.zeros(10), sigma_draws=np.ones(10), fit_intercept=True,
                    feature_names=["zero_mean", "zero_column", "kept"], point_mass=False, n_chains=1)
    sel = savs_selection(ref)
    assert list(sel.selected) == [False, False, True]
    assert sel.reasons[0]["threshold"] == math.inf and "exactly 0.0" in sel.reasons[0]["text"]
    assert "all zero" in sel.reasons[1]["text"]


# ---------------------------------------------------------------- interval
@pytest.mark.parametrize("prob", [0.95, 0.5])
def test_interval_equals_arviz_hdi(prob, wide_reference, diabetes_reference):
    for ref in (wide_reference, diabetes_reference):
        sel = interval_selection(ref, prob=prob)
        S, p = ref.coef_draws.shape
        hdi = az.hdi(ref.coef_draws.reshape(ref.n_chains, S // ref.n_chains, p), hdi_prob=prob)
        keep = (hdi[:, 0] > 0) | (hdi[:, 1] < 0)
        assert np.array_equal(sel.selected, keep)
        np.testing.assert_array_equal(sel.coef[keep], ref.coef_mean[keep])
        for j, r in enumerate(sel.reasons):
            assert (r["interval_low"], r["interval_high"]) == (hdi[j, 0], hdi[j, 1])
            assert r["statistic"] == max(hdi[j, 0], -hdi[j, 1]) and r["threshold"] == 0.0
        assert sel.options == {"prob": prob}
    # a narrower interval excludes 0 at least as often
    assert interval_selection(wide_reference, prob=0.5).n_selected >= interval_selection(wide_reference).n_selected


def test_interval_zero_mean_is_dropped_with_a_note():
    # 98 draws at 1.0 and 2 at -49.0: the 95% HDI is [1, 1] (excludes 0), the mean exactly 0.0
    column = np.array([1.0] * 98 + [-49.0] * 2)
    W = np.column_stack([column, np.linspace(1.0, 2.0, 100)])
    ref = Reference(X=np.eye(2), y=np.zeros(2), likelihood=make_likelihood("normal_means", sigma=1.0),
                    coef_draws=W, intercept_draws=np.zeros(100), sigma_draws=np.ones(100), fit_intercept=False,
                    feature_names=["odd", "fine"], point_mass=False, n_chains=1)
    assert ref.coef_mean[0] == 0.0
    sel = interval_selection(ref)
    assert list(sel.selected) == [False, True]
    assert "exactly 0.0" in sel.reasons[0]["text"] and any("odd" in note for note in sel.notes)


# ---------------------------------------------------------------- MPM
def test_mpm_equals_exact_normal_means(means_reference):
    ref, post = means_reference
    sel = mpm_selection(ref)
    exact = 1.0 - np.asarray(post.p_zero)
    for j, r in enumerate(sel.reasons):
        assert abs(r["inclusion_probability"] - exact[j]) <= 4 * r["mc_se"] + 1e-12
        assert r["mc_se_method"] == "ess"
        assert r["kept"] == (r["inclusion_probability"] >= 0.5)
    assert np.array_equal(sel.selected, exact >= 0.5)  # no exact probability is near 1/2 here
    assert 0 < sel.n_selected < exact.size
    # kept coefficients: the mean of the non-zero draws, E[w | w != 0, y] = c y (slab posterior)
    shrink = 4.0 / 5.0
    kept = sel.selected
    np.testing.assert_allclose(sel.coef[kept], shrink * ref.y[kept], atol=0.1)


def test_mpm_binomial_error_for_short_chains():
    W = np.array([[0.0, 1.0], [2.0, 1.0], [0.0, 1.0]])
    ref = Reference(X=np.eye(2), y=np.zeros(2), likelihood=make_likelihood("normal_means", sigma=1.0),
                    coef_draws=W, intercept_draws=np.zeros(3), sigma_draws=np.ones(3), fit_intercept=False,
                    feature_names=["a", "b"], point_mass=True, n_chains=1)
    sel = mpm_selection(ref)
    assert [r["mc_se_method"] for r in sel.reasons] == ["binomial", "binomial"]
    assert sel.reasons[0]["mc_se"] == pytest.approx(math.sqrt(1 / 3 * 2 / 3 / 3))
    assert list(sel.selected) == [False, True] and sel.coef[1] == 1.0


def test_mpm_refuses_a_prior_without_point_mass(diabetes_reference):
    with pytest.raises(CuspInputError, match="median probability model needs inclusion probabilities.*use dss, "
                                             "savs or interval"):
        select(diabetes_reference, "mpm")


def exact_inclusion(X, y, *, sigma, s, weight):
    """``P(w_j != 0 | y)`` and ``E[w_j | w_j != 0, y]`` by enumerating all 2^p models of
    ``y ~ N(X_g w_g, sigma^2)``, ``w_g ~ N(0, s^2)``, ``P(g) = weight^|g| (1-weight)^(p-|g|)``:
    the marginal likelihood of a model is ``N(y; 0, sigma^2 I + s^2 X_g X_g')``."""
    n, p = X.shape
    log_post, members, means = [], [], []
    for g in itertools.product([False, True], repeat=p):
        g = np.array(g)
        Xg = X[:, g]
        cov = sigma**2 * np.eye(n) + s**2 * Xg @ Xg.T
        _, logdet = np.linalg.slogdet(cov)
        quad = y @ np.linalg.solve(cov, y)
        k = int(g.sum())
        log_post.append(-0.5 * (logdet + quad) + k * math.log(weight) + (p - k) * math.log(1 - weight))
        mean = np.zeros(p)
        if k:
            mean[g] = np.linalg.solve(Xg.T @ Xg / sigma**2 + np.eye(k) / s**2, Xg.T @ y / sigma**2)
        members.append(g)
        means.append(mean)
    prob = np.exp(np.array(log_post) - np.max(log_post))
    prob /= prob.sum()
    members, means = np.array(members, dtype=float), np.array(means)
    inclusion = prob @ members
    return inclusion, (prob @ means) / inclusion


def test_mpm_against_enumeration_with_pymc():
    """Spike-and-slab regression sampled by cusp's PyMC model (Bernoulli indicators by
    binary Gibbs, the slab by NUTS), through reference_from_fit, against the exact
    posterior of all 2^5 models."""
    rng = np.random.default_rng(11)
    n, p, sigma, s, weight = 50, 5, 1.0, 1.0, 0.5
    X = rng.standard_normal((n, p))
    y = X @ np.array([1.0, 0.4, 0.25, 0.0, 0.0]) + sigma * rng.standard_normal(n)
    model = Model("gaussian", spike_and_slab(s, weight), sigma=sigma, fit_intercept=False)
    fit = model.fit(X, y, draws=1000, tune=500, chains=2, random_seed=3)
    ref = reference_from_fit(fit)
    assert ref.point_mass and ref.n_chains == 2 and ref.coef_draws.shape == (2000, p)
    np.testing.assert_array_equal(ref.X, X)
    sel = select(ref, "mpm")
    inclusion, conditional = exact_inclusion(X, y, sigma=sigma, s=s, weight=weight)
    assert np.any((inclusion > 0.1) & (inclusion < 0.9)), "the check needs uncertain inclusions"
    for j, r in enumerate(sel.reasons):
        assert abs(r["inclusion_probability"] - inclusion[j]) <= 4 * r["mc_se"] + 0.01, (j, r, inclusion[j])
    assert np.all(np.abs(inclusion - 0.5) > 0.1)  # so the decision itself is not Monte Carlo noise
    assert np.array_equal(sel.selected, inclusion >= 0.5)
    np.testing.assert_allclose(sel.coef[sel.selected], conditional[sel.selected], atol=0.05)
    assert sel.intercept == 0.0
    # FitResult.select is the same decision on the same draws
    again = fit.select("mpm")
    assert again.to_dict() == sel.to_dict()
    with pytest.raises(CuspInputError, match="unknown selection method|choose"):
        fit.select("lasso")


# ---------------------------------------------------------------- every method
def _references(diabetes_reference, wide_reference, means_reference):
    return {"diabetes": diabetes_reference, "wide": wide_reference, "means": means_reference[0]}


# MPM only where the prior has a point mass (the spike-and-slab normal means)
INVARIANT_CASES = [(m, d) for m in ("dss", "savs", "interval", "mpm") for d in ("diabetes", "wide", "means")
                   if m != "mpm" or d == "means"]


@pytest.mark.parametrize("method, data", INVARIANT_CASES)
def test_dropped_exactly_zero_kept_never(method, data, diabetes_reference, wide_reference, means_reference):
    ref = _references(diabetes_reference, wide_reference, means_reference)[data]
    sel = select(ref, method)
    assert isinstance(sel, Selection) and sel.method == method
    dropped = sel.coef[~sel.selected]
    assert np.all(dropped == 0.0) and not np.any(np.signbit(dropped)), "dropped must be exactly +0.0"
    assert np.all(sel.coef[sel.selected] != 0.0)
    assert len(sel.reasons) == ref.X.shape[1]
    for r, kept, name in zip(sel.reasons, sel.selected, ref.feature_names):
        assert {"feature", "kept", "statistic", "threshold", "text"} <= set(r)
        assert r["kept"] == bool(kept) and r["feature"] == name and isinstance(r["text"], str)
    data_dict = sel.to_dict()
    back = Selection.from_dict(json.loads(json.dumps(data_dict)))
    np.testing.assert_array_equal(back.coef, sel.coef)
    assert back.options == sel.options and back.reasons == json.loads(json.dumps(sel.reasons))
    assert sel.summary().startswith(method)
    if not ref.fit_intercept:
        assert sel.intercept == 0.0


def test_recentred_intercept_keeps_the_mean_prediction(wide_reference):
    ref = wide_reference
    eta_bar = ref.X @ ref.coef_mean + ref.intercept_mean
    for method in ("savs", "interval"):
        sel = select(ref, method)
        assert np.mean(ref.X @ sel.coef + sel.intercept) == pytest.approx(np.mean(eta_bar), rel=1e-12)


# ---------------------------------------------------------------- options and dispatch
@pytest.mark.parametrize("method, options, message", [
    ("dss", {"alpha": 0.0}, "alpha must be a finite number > 0"),
    ("dss", {"alpha": -1.0}, "alpha must be a finite number > 0"),
    ("dss", {"alpha": float("nan")}, "alpha must be"),
    ("dss", {"alpha": True}, "alpha must be"),
    ("dss", {"prob": 1.0}, "prob must be"),
    ("dss", {"n_alphas": 1}, "n_alphas"),
    ("dss", {"alpha_min_ratio": 0.0}, "alpha_min_ratio"),
    ("interval", {"prob": 0.0}, "prob must be"),
    ("interval", {"prob": 1.5}, "prob must be"),
    ("interval", {"prob": "0.9"}, "prob must be"),
    ("dss", {"lambda_": 1.0}, "unknown option 'lambda_' for the dss selection: its options are alpha, prob, "
                              "n_alphas, alpha_min_ratio"),
    ("interval", {"alpha": 1.0, "hdi": 1}, "unknown options 'alpha', 'hdi' for the interval selection: its options "
                                           "are prob"),
    ("savs", {"prob": 0.9}, "unknown option 'prob' for the savs selection: it takes no options"),
])
def test_options_are_validated(method, options, message, diabetes_reference):
    with pytest.raises(CuspInputError, match=message.replace("(", r"\(")):
        select(diabetes_reference, method, **options)


def test_unknown_method_and_reference_are_refused(diabetes_reference):
    with pytest.raises(CuspInputError, match="unknown selection method 'lasso'; choose one of " + ", ".join(METHODS)):
        select(diabetes_reference, "lasso")
    with pytest.raises(CuspInputError, match="unknown selection method a list"):
        select(diabetes_reference, ["dss"])
    with pytest.raises(CuspInputError, match="needs a models.selection.Reference"):
        select({"X": 1}, "savs")


def test_projection_is_dispatched_lazily(monkeypatch, diabetes_reference):
    calls = []

    def projection_selection(reference, *, n_terms=None):
        calls.append((reference, n_terms))
        return "projected"

    fake = types.ModuleType("models.selection.projection")
    fake.projection_selection = projection_selection
    monkeypatch.setitem(sys.modules, "models.selection.projection", fake)
    assert select(diabetes_reference, "projection", n_terms=3) == "projected"
    assert calls == [(diabetes_reference, 3)]
    with pytest.raises(CuspInputError, match="its options are n_terms"):
        select(diabetes_reference, "projection", alpha=1.0)


# ---------------------------------------------------------------- glue through a real fit
def test_reference_from_a_collapsed_fit():
    """Gaussian likelihood x horseshoe: PyMC integrates w out (collapsed NUTS); the
    results must still hold X (constant_data) and y (observed_data) for the selection."""
    rng = np.random.default_rng(7)
    n, p = 30, 4
    X = rng.standard_normal((n, p))
    y = X @ np.array([2.0, 0.0, 0.0, -1.0]) + 1.0 + 0.5 * rng.standard_normal(n)
    fit = Model("gaussian", horseshoe(0.5), sigma=0.5).fit(X, y, draws=200, tune=200, chains=2, random_seed=1)
    ref = reference_from_fit(fit)
    np.testing.assert_array_equal(ref.X, X)
    np.testing.assert_array_equal(ref.y, y)
    assert ref.coef_draws.shape == (400, p) and ref.intercept_draws.shape == (400,) and ref.n_chains == 2
    assert ref.fit_intercept and not ref.point_mass
    np.testing.assert_array_equal(ref.sigma_draws, np.full(400, 0.5))
    np.testing.assert_array_equal(ref.coef_draws[:200], fit.idata.posterior["w"].values[0])
    for method in ("dss", "savs", "interval"):
        sel = select(ref, method)
        assert sel.feature_names == ref.feature_names
        assert sel.selected[0] and sel.selected[3]  # the two real signals survive every method
    with pytest.raises(CuspInputError, match="median probability model"):
        select(ref, "mpm")
