"""Projection predictive selection, each piece checked against a computation written here
from its definition: least squares per draw and candidate set, scipy's minimizer on the
KL objective, arviz's ``loo``, scikit-learn's LARS, and a simulated sparse truth."""

import json
import time
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit

from models.likelihoods import Gaussian, Logistic, NormalMeans, Poisson
from models.selection.base import Reference, Selection
from models.selection.projection import (
    _cluster_targets,
    _Logistic,
    project_gaussian,
    project_glm,
    projection_selection,
)
from priors import CuspInputError


# -- references ------------------------------------------------------------------------


def gaussian_reference(n=100, p=20, S=1000, *, sigma=1.0, tau=1.0, signals=None, seed=0, fit_intercept=True,
                       sigma_spread=0.0):
    """Draws from the exact posterior of ``y = c + X w + N(0, sigma^2)`` under
    ``w_j ~ N(0, tau^2)`` and a nearly flat ``c ~ N(0, 100^2)``: plain numpy, no sampler."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    for j, v in (signals or {}).items():
        w[j] = v
    y = (0.5 if fit_intercept else 0.0) + X @ w + sigma * rng.normal(size=n)
    Z = np.column_stack([np.ones(n), X]) if fit_intercept else X
    prior_prec = np.r_[[1e-4] if fit_intercept else [], np.full(p, 1 / tau**2)]
    prec = Z.T @ Z / sigma**2 + np.diag(prior_prec)
    mean = np.linalg.solve(prec, Z.T @ y / sigma**2)
    draws = mean + np.linalg.solve(np.linalg.cholesky(prec).T, rng.normal(size=(Z.shape[1], S))).T
    coef, intercept = (draws[:, 1:], draws[:, 0]) if fit_intercept else (draws, np.zeros(S))
    # sigma_spread > 0: draws with different noise sds (as when sigma is estimated; log-sd
    # spread sigma_spread), so the per-draw weights of the divergence matter below
    sig = sigma * np.exp(sigma_spread * rng.normal(size=S))
    return Reference(X=X, y=y, likelihood=Gaussian(None if sigma_spread else sigma), coef_draws=coef,
                     intercept_draws=intercept, sigma_draws=sig, fit_intercept=fit_intercept,
                     feature_names=[f"x{j}" for j in range(p)], point_mass=False)


def glm_reference(family, n=150, p=8, S=200, seed=1):
    """Draws from the Laplace (normal) approximation of a GLM posterior under N(0, 1)
    coefficient priors: enough for the projection machinery, which only sees draws."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[[0, 3]] = [1.2, -0.8] if family == "logistic" else [0.6, -0.4]
    eta = 0.2 + X @ w
    y = (rng.uniform(size=n) < expit(eta)).astype(float) if family == "logistic" else rng.poisson(np.exp(eta)) * 1.0
    Z = np.column_stack([np.ones(n), X])
    prior = np.r_[1e-4, np.ones(p)]
    b = np.zeros(p + 1)
    for it in range(100):
        m = expit(Z @ b) if family == "logistic" else np.exp(Z @ b)
        v = m * (1 - m) if family == "logistic" else m
        H = (Z.T * v) @ Z + np.diag(prior)
        b = b - (0.5 if it < 10 else 1.0) * np.linalg.solve(H, Z.T @ (m - y) + prior * b)
    draws = b + np.linalg.solve(np.linalg.cholesky(H).T, rng.normal(size=(p + 1, S))).T
    return Reference(X=X, y=y, likelihood=Logistic() if family == "logistic" else Poisson(),
                     coef_draws=draws[:, 1:], intercept_draws=draws[:, 0], sigma_draws=None, fit_intercept=True,
                     feature_names=[f"v{j}" for j in range(p)], point_mass=False)


@pytest.fixture(scope="module")
def sparse_reference():
    # n=100, p=20, 3 strong signals, sigma=1
    return gaussian_reference(signals={3: 2.0, 8: -1.5, 15: 1.2}, seed=3)


# -- (1) Gaussian forward search against least squares per draw -------------------------


def direct_gaussian_search(ref, max_size):
    """The forward search written from its definition: for every candidate set, least
    squares of each draw's fit ``X w_s + c_s`` on the submodel's columns (+ intercept),
    the projected noise ``sigma_s^2 + RSS_s / n``, and the summed divergence
    ``sum_s n/2 log(1 + RSS_s / (n sigma_s^2))``; the candidate with the smallest wins."""
    X, n = ref.X, ref.X.shape[0]
    F = ref.linear_predictor_draws()
    s2 = ref.sigma_draws**2

    def fit(cols):
        D = np.column_stack([np.ones(n)] * ref.fit_intercept + [X[:, cols]])
        if D.shape[1] == 0:
            return np.zeros((F.shape[0], 0)), np.sum(F**2, axis=1)
        beta = np.stack([np.linalg.lstsq(D, f, rcond=None)[0] for f in F])
        return beta, np.sum((F - beta @ D.T) ** 2, axis=1)

    def kl(rss):
        return np.sum(0.5 * n * np.log(1 + rss / (n * s2)))

    order, coefs, kls = [], [], []
    for k in range(max_size + 1):
        beta, rss = fit(order)
        mean = np.zeros(X.shape[1])
        mean[order] = beta[:, int(ref.fit_intercept):].mean(axis=0)
        coefs.append(mean)
        kls.append(kl(rss) / F.shape[0])
        if k == max_size:
            break
        scores = {j: kl(fit(order + [j])[1]) for j in range(X.shape[1]) if j not in order}
        order.append(min(scores, key=scores.get))
    return order, np.array(coefs), np.array(kls)


def summed_residual_order(ref):
    """Greedy order by the residual summed over draws, ``sum_s RSS_s`` (projpred's
    surrogate): the divergence's first-order term when every draw has the same sigma."""
    X, n, F = ref.X, ref.X.shape[0], ref.linear_predictor_draws()

    def total(cols):
        D = np.column_stack([np.ones(n), X[:, cols]])
        return np.sum((F.T - D @ np.linalg.lstsq(D, F.T, rcond=None)[0]) ** 2)

    order = []
    for _ in range(X.shape[1]):
        order.append(min((j for j in range(X.shape[1]) if j not in order), key=lambda j: total(order + [j])))
    return order


@pytest.mark.parametrize("fit_intercept, spread", [(True, 0.1), (False, 0.1), (True, 1.5)])
def test_gaussian_forward_equals_least_squares_per_draw(fit_intercept, spread):
    ref = gaussian_reference(n=40, p=7, S=30, tau=0.7, signals={1: 1.0, 4: -0.6, 5: 0.3}, seed=0 if spread > 1 else 11,
                             sigma=0.3 if spread > 1 else 1.0, fit_intercept=fit_intercept, sigma_spread=spread)
    order, coefs, kls = direct_gaussian_search(ref, max_size=7)
    if spread > 1:
        # noise sds spread over draws: the divergence weighs the precise draws more, and
        # its order is not the summed residual's (so this case tells the two apart)
        assert order != summed_residual_order(ref)
    sel = projection_selection(ref, max_size=7, n_draws=30)  # every draw projected and searched
    assert sel.path["order"].tolist() == order
    np.testing.assert_allclose(sel.path["coefs"], coefs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sel.path["kl"], kls, rtol=1e-9, atol=1e-12)
    assert sel.path["kl"][-1] == pytest.approx(0.0, abs=1e-9)  # the full submodel is the reference


def test_one_cluster_search_is_smallest_residual_of_the_mean_fit():
    # One cluster pools all draws into the mean fit: the divergence is then increasing in
    # that fit's residual, so the search is greedy least squares on the mean fit.
    ref = gaussian_reference(n=50, p=9, S=40, tau=0.5, signals={0: 1.0, 6: 0.7}, seed=5, sigma_spread=0.1)
    X, n = ref.X, ref.X.shape[0]
    target = ref.linear_predictor_draws().mean(axis=0)
    order = []
    for _ in range(9):
        def rss(cols):
            D = np.column_stack([np.ones(n), X[:, cols]])
            return np.sum((target - D @ np.linalg.lstsq(D, target, rcond=None)[0]) ** 2)
        order.append(min((j for j in range(9) if j not in order), key=lambda j: rss(order + [j])))
    sel = projection_selection(ref, max_size=9, n_clusters=1)
    assert sel.path["order"].tolist() == order


def test_pooled_cluster_targets_minimize_the_summed_divergence():
    ref = gaussian_reference(n=30, p=5, S=25, seed=2, sigma_spread=0.1)
    F, s2, n = ref.linear_predictor_draws(), ref.sigma_draws**2, 30
    D = np.column_stack([np.ones(n), ref.X[:, [0, 2]]])
    t = _cluster_targets(F, s2, None, 1, 0)
    beta, tau2, _ = project_gaussian(D, t.center, t.var)
    # shared (beta, tau) minimizing sum_s sum_i KL(N(f_si, s2_s) || N((D beta)_i, tau^2))
    b_direct = np.linalg.lstsq(D, F.mean(axis=0), rcond=None)[0]
    tau2_direct = np.mean(s2 + np.sum((F - D @ b_direct) ** 2, axis=1) / n)
    np.testing.assert_allclose(beta[0], b_direct, rtol=1e-10)
    np.testing.assert_allclose(tau2[0], tau2_direct, rtol=1e-10)
    # the GLM pooled target: the cluster's average mean, minimizing the summed loss
    mu = expit(F / 3)
    t = _cluster_targets(F / 3, None, _Logistic, 1, 0)
    b_glm, _, _ = project_glm(D, t.center, "logistic")
    summed = lambda b: np.sum(np.logaddexp(0, D @ b) * len(mu) - mu.sum(axis=0) * (D @ b))  # noqa: E731
    direct = minimize(summed, np.zeros(3), method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(b_glm[0], direct.x, atol=1e-6)


# -- (2) a known sparse truth ----------------------------------------------------------


@pytest.mark.parametrize("search", ["forward", "l1"])
def test_sparse_truth_recovered(sparse_reference, search):
    sel = projection_selection(sparse_reference, search=search)
    assert sel.n_selected == 3
    assert sorted(np.flatnonzero(sel.selected).tolist()) == [3, 8, 15]
    assert sorted(sel.path["order"][:3].tolist()) == [3, 8, 15]
    # the rule: size 3 is within one SE of the reference, sizes 0-2 are not
    diff, se = sel.path["elpd_diff"], sel.path["elpd_diff_se"]
    assert diff[3] >= -se[3] and np.all(diff[:3] < -se[:3])
    assert sel.reasons[3]["threshold"] == 3 and sel.reasons[3]["kept"]


# -- (3) IRLS against scipy on the KL objective ----------------------------------------


@pytest.mark.parametrize("family", ["logistic", "poisson"])
def test_irls_projection_equals_scipy_minimizer(family):
    ref = glm_reference(family)
    cols = [0, 2, 5]
    D = np.column_stack([np.ones(ref.X.shape[0]), ref.X[:, cols]])
    f = ref.linear_predictor_draws()[17]  # one draw
    mu = expit(f) if family == "logistic" else np.exp(f)

    def objective(b):  # -sum_i [mu_i eta_i - b(eta_i)]: the KL up to a constant
        eta = D @ b
        cumulant = np.logaddexp(0, eta) if family == "logistic" else np.exp(eta)
        return np.sum(cumulant - mu * eta)

    def gradient(b):
        eta = D @ b
        return D.T @ ((expit(eta) if family == "logistic" else np.exp(eta)) - mu)

    direct = minimize(objective, np.zeros(4), jac=gradient, method="BFGS", options={"gtol": 1e-11, "maxiter": 1000})
    beta, loss, converged = project_glm(D, mu[None], family)
    assert converged
    np.testing.assert_allclose(beta[0], direct.x, atol=1e-7)
    assert loss[0] == pytest.approx(direct.fun, rel=1e-12)


def test_glm_path_coefficients_are_means_of_per_draw_minimizers():
    ref = glm_reference("logistic", S=50)
    sel = projection_selection(ref, max_size=3, n_draws=5)
    keep = np.floor(np.arange(5) * 10).astype(int)  # the 5 evenly thinned draws of 50
    F = ref.linear_predictor_draws()[keep]
    order = sel.path["order"].tolist()
    for k in range(4):
        D = np.column_stack([np.ones(ref.X.shape[0]), ref.X[:, order[:k]]])
        sols = []
        for f in F:
            mu = expit(f)
            obj = lambda b: np.sum(np.logaddexp(0, D @ b) - mu * (D @ b))  # noqa: E731
            jac = lambda b: D.T @ (expit(D @ b) - mu)  # noqa: E731
            sols.append(minimize(obj, np.zeros(k + 1), jac=jac, method="BFGS", options={"gtol": 1e-10}).x)
        sols = np.mean(sols, axis=0)
        np.testing.assert_allclose(sel.path["intercepts"][k], sols[0], atol=1e-6)
        np.testing.assert_allclose(sel.path["coefs"][k][order[:k]], sols[1:], atol=1e-6)


# -- ELPD against arviz.loo; L1 order against LARS -------------------------------------


def test_elpd_equals_arviz_loo_of_the_projected_draws():
    import arviz as az

    ref = gaussian_reference(n=60, p=6, S=200, signals={2: 1.0}, seed=9)
    sel = projection_selection(ref, n_draws=200)
    X, y, n = ref.X, ref.y, 60
    F, s2 = ref.linear_predictor_draws(), ref.sigma_draws**2

    def loo(loglik):
        idata = az.from_dict(posterior={"c": np.zeros((1, loglik.shape[0]))}, log_likelihood={"y": loglik[None]})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return az.loo(idata, pointwise=True, reff=1.0)

    ref_loo = loo(-0.5 * np.log(2 * np.pi * s2)[:, None] - 0.5 * (y - F) ** 2 / s2[:, None])
    order = sel.path["order"].tolist()
    for k in (0, 1, 3):
        D = np.column_stack([np.ones(n), X[:, order[:k]]])
        beta = np.linalg.lstsq(D, F.T, rcond=None)[0].T
        fit = beta @ D.T
        tau2 = s2 + np.sum((F - fit) ** 2, axis=1) / n
        sub = loo(-0.5 * np.log(2 * np.pi * tau2)[:, None] - 0.5 * (y - fit) ** 2 / tau2[:, None])
        d = sub.loo_i.values - ref_loo.loo_i.values
        assert sel.path["elpd"][k] == pytest.approx(sub.elpd_loo, rel=1e-9)
        assert sel.path["elpd_se"][k] == pytest.approx(sub.se, rel=1e-9)
        assert sel.path["elpd_diff"][k] == pytest.approx(sub.elpd_loo - ref_loo.elpd_loo, abs=1e-8)
        assert sel.path["elpd_diff_se"][k] == pytest.approx(np.sqrt(n * np.var(d)), rel=1e-9)


def test_l1_order_equals_lars_lasso_entry_order(sparse_reference):
    from sklearn.linear_model import lars_path

    ref = sparse_reference
    sel = projection_selection(ref, search="l1", max_size=8)
    target = ref.linear_predictor_draws().mean(axis=0)
    Xc = ref.X - ref.X.mean(axis=0)
    Xc = Xc / np.linalg.norm(Xc, axis=0)
    _, _, coefs = lars_path(Xc, target - target.mean(), method="lasso")
    first = [int(np.flatnonzero(row)[0]) if row.any() else np.inf for row in coefs != 0]
    lars_order = sorted(range(ref.X.shape[1]), key=lambda j: first[j])
    assert sel.path["order"].tolist() == lars_order[:8]


# -- (4) the invariant: dropped exactly 0.0, kept never ---------------------------------


@pytest.mark.parametrize("kind", ["gaussian", "logistic", "poisson", "l1-logistic", "normal_means"])
def test_dropped_exactly_zero_kept_nonzero(kind):
    if kind == "gaussian":
        ref = gaussian_reference(n=60, p=10, S=300, signals={0: 1.0, 5: 0.5}, seed=4, sigma_spread=0.1)
        sel = projection_selection(ref)
    elif kind == "normal_means":
        rng = np.random.default_rng(0)
        theta = np.r_[3.0, -2.5, np.zeros(10)]
        y = theta + rng.normal(size=12)
        draws = (y / 2 + rng.normal(size=(400, 12)) / np.sqrt(2))  # exact posterior under N(0, 1) priors
        ref = Reference(X=np.eye(12), y=y, likelihood=NormalMeans(1.0), coef_draws=draws, intercept_draws=np.zeros(400),
                        sigma_draws=np.ones(400), fit_intercept=False, feature_names=[f"t{j}" for j in range(12)],
                        point_mass=False)
        sel = projection_selection(ref)
    else:
        ref = glm_reference(kind.split("-")[-1])
        sel = projection_selection(ref, search="l1" if kind.startswith("l1") else "forward")
    assert isinstance(sel, Selection) and sel.method == "projection"
    assert np.all(sel.coef[~sel.selected] == 0.0) and np.all(sel.coef[sel.selected] != 0.0)
    size = sel.reasons[0]["threshold"]
    order = sel.path["order"].tolist()
    assert set(np.flatnonzero(sel.selected)) == set(order[:size])
    np.testing.assert_array_equal(sel.coef[sel.selected], sel.path["coefs"][size][sel.selected])
    assert np.all(sel.path["coefs"][size][order[size:]] == 0.0)
    assert sel.intercept == sel.path["intercepts"][size]
    for j, r in enumerate(sel.reasons):
        assert r["statistic"] == (order.index(j) + 1 if j in order else None)
        assert r["kept"] == (r["statistic"] is not None and r["statistic"] <= size)
    data = json.loads(json.dumps(sel.to_dict()))
    back = Selection.from_dict(data)
    np.testing.assert_array_equal(back.coef, sel.coef)
    assert len(sel.path["elpd"]) == len(order) + 1


# -- (5) options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_size": -1}, "max_size must be a whole number >= 0 and <= 5"),
        ({"max_size": 6}, "max_size must be a whole number >= 0 and <= 5"),
        ({"max_size": 2.5}, "max_size must be a whole number"),
        ({"max_size": True}, "max_size must be a whole number"),
        ({"max_size": "3"}, "max_size must be a whole number"),
        ({"search": "backward"}, "unknown projection search 'backward'; choose one of 'forward', 'l1'"),
        ({"search": None}, "unknown projection search None"),
        ({"n_clusters": 0}, "n_clusters must be a whole number >= 1 and <= 40"),
        ({"n_clusters": 41}, "n_clusters must be a whole number >= 1 and <= 40"),
        ({"n_clusters": 1.5}, "n_clusters must be a whole number"),
        ({"n_draws": 1}, "n_draws must be a whole number >= 2 and <= 40"),
        ({"n_draws": 41}, "n_draws must be a whole number >= 2 and <= 40"),
        ({"random_seed": -1}, "random_seed must be a whole number"),
    ],
)
def test_options_validated(kwargs, message):
    ref = gaussian_reference(n=20, p=5, S=40)
    with pytest.raises(CuspInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        projection_selection(ref, **kwargs)


def test_reference_validated():
    with pytest.raises(CuspInputError, match="needs a Reference"):
        projection_selection({"X": 1})
    ref = gaussian_reference(n=20, p=5, S=40)
    bad = Reference(X=ref.X, y=ref.y, likelihood=ref.likelihood, coef_draws=ref.coef_draws[:, :4],
                    intercept_draws=ref.intercept_draws, sigma_draws=ref.sigma_draws, fit_intercept=True,
                    feature_names=ref.feature_names, point_mass=False)
    with pytest.raises(CuspInputError, match="shapes disagree"):
        projection_selection(bad)
    no_sigma = Reference(X=ref.X, y=ref.y, likelihood=Gaussian(None), coef_draws=ref.coef_draws,
                         intercept_draws=ref.intercept_draws, sigma_draws=None, fit_intercept=True,
                         feature_names=ref.feature_names, point_mass=False)
    with pytest.raises(CuspInputError, match="needs sigma_draws"):
        projection_selection(no_sigma)


def test_defaults_recorded_and_edge_sizes():
    ref = gaussian_reference(n=30, p=5, S=40, signals={1: 2.0}, seed=1)
    sel = projection_selection(ref)
    assert sel.options == {"max_size": 5, "search": "forward", "n_clusters": None, "n_draws": 40, "random_seed": 0}
    assert projection_selection(glm_reference("logistic", S=40)).options["n_clusters"] == 20
    empty = projection_selection(ref, max_size=0)
    assert empty.n_selected == 0 and empty.path["order"].size == 0 and empty.path["coefs"].shape == (1, 5)
    # a duplicated column can never enter after its twin: the search stops at the rank
    X = np.column_stack([ref.X, ref.X[:, 1]])
    twin = Reference(X=X, y=ref.y, likelihood=ref.likelihood, coef_draws=np.column_stack([ref.coef_draws,
                     np.zeros(40)]), intercept_draws=ref.intercept_draws, sigma_draws=ref.sigma_draws,
                     fit_intercept=True, feature_names=ref.feature_names + ["dup"], point_mass=False)
    sel = projection_selection(twin, max_size=6)
    assert sel.path["order"].size == 5 and any("stopped at size 5" in n for n in sel.notes)


# -- speed -----------------------------------------------------------------------------


@pytest.mark.slow
def test_forward_search_p1000_is_fast():
    # n=200, p=1000, 1000 draws: the rank-one scoring makes the exact per-draw search cheap
    ref = gaussian_reference(n=200, p=1000, S=1000, tau=0.1, signals={0: 3.0, 1: -2.0, 2: 2.0}, seed=1)
    projection_selection(gaussian_reference(n=20, p=3, S=20))  # imports (arviz, scipy) outside the timing
    start = time.perf_counter()
    sel = projection_selection(ref, max_size=20)
    elapsed = time.perf_counter() - start
    assert sel.path["order"].size == 20 and set(sel.path["order"][:3]) == {0, 1, 2}
    assert elapsed < 30.0


def test_a_reference_no_better_than_the_empty_model_is_flagged(sparse_reference):
    """A prior that pins w near 0 (tau = 1e-4): the reference predicts as the intercept alone,
    ELPD differences are tiny, and the note says the suggested size rests on them."""
    flat = gaussian_reference(p=6, S=400, tau=1e-4, signals={1: 2.0}, seed=5)
    sel = projection_selection(flat)
    assert -sel.path["elpd_diff"][0] < 1.0  # the premise, measured
    assert any("barely better than the empty submodel" in n for n in sel.notes)
    strong = projection_selection(sparse_reference)
    assert -strong.path["elpd_diff"][0] > 1.0
    assert not any("barely better" in n for n in strong.notes)
