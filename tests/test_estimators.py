"""The scikit-learn estimators: scikit-learn's own estimator checks, and the fits against
scikit-learn's Lasso and L1 logistic regression (the same objective, converted).

Every check scikit-learn yields runs; the only ones reported as skipped are its
array-API checks (one per estimator), which scikit-learn itself skips unless
``SCIPY_ARRAY_API=1`` is set (cusp computes with NumPy and claims no array-API support),
and the only expected failures are the Poisson posterior's, declared with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.linear_model import Lasso, LassoCV, LogisticRegression, LogisticRegressionCV, PoissonRegressor
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from models import CuspInputError, Model, laplace_scale_to_lasso_alpha, laplace_scale_to_logistic_C, load_breast_cancer, load_diabetes
from models.estimators import (SparseClassifier, SparseClassifierCV, SparsePoissonRegressor, SparseRegressor,
                               SparseRegressorCV)
from priors import laplace, make_prior

ESTIMATORS = [
    SparseRegressor(),
    SparseClassifier(),
    # the posterior with tiny draws: the checks are about the API, the draws about nothing
    SparseRegressor(inference="posterior", draws=20, tune=10, random_seed=0),
    SparseClassifier(inference="posterior", draws=20, tune=10, random_seed=0),
    SparseRegressorCV(n_scales=5, cv=3),
    SparseClassifierCV(n_scales=5, cv=3),
    SparsePoissonRegressor(),
]
# The Poisson posterior is NUTS (not Gibbs): each of the checks' 28 fits compiles a PyMC
# model (~1 s each), so its checks run in the slow tier (CI runs both tiers).  One chain:
# PyMC samples it in-process.
SLOW_ESTIMATORS = [SparsePoissonRegressor(inference="posterior", draws=20, tune=10, chains=1, random_seed=0)]

# scikit-learn's regressor checks fit continuous targets (e.g. 0.37); the Poisson
# posterior refuses non-integer counts (PyMC's Poisson has no density between integers,
# and cusp does not sample a quasi-likelihood it cannot vouch for): these checks fail on
# that refusal, declared here and reported as xfail.  The refusal itself is tested below.
_NON_INTEGER_TARGET = ("refuses non-integer counts for the posterior: PyMC's Poisson has no density between integers; "
                       "the MAP takes them (quasi-likelihood)")
_POISSON_POSTERIOR_XFAIL = {name: _NON_INTEGER_TARGET for name in (
    "check_n_features_in_after_fitting", "check_regressors_train", "check_regressor_data_not_an_array",
    "check_regressors_no_decision_function", "check_fit_idempotent", "check_fit_check_is_fitted",
    "check_n_features_in")}


def _expected_failures(estimator):
    posterior_poisson = isinstance(estimator, SparsePoissonRegressor) and estimator.inference == "posterior"
    return _POISSON_POSTERIOR_XFAIL if posterior_poisson else {}


def _without_array_api_check(checks):
    """scikit-learn's checks, less ``check_array_api_input`` when SciPy's array API mode is
    off in this process: scikit-learn then skips it (SciPy reads ``SCIPY_ARRAY_API`` once,
    at import, and cusp runs without it).  It runs in its own process instead, below."""
    if os.environ.get("SCIPY_ARRAY_API") == "1":
        return checks
    def name(param):  # a (estimator, check) pair, or a pytest.param of one (an expected failure)
        check = (param.values if hasattr(param, "values") else param)[1]
        return getattr(check, "func", check).__name__

    params = [p for p in checks.args[1] if name(p) != "check_array_api_input"]
    return pytest.mark.parametrize(checks.args[0], params, **checks.kwargs)


@_without_array_api_check(parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures))
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cusp's data warnings (constant columns...) on the checks' toy data
        check(estimator)


@pytest.mark.slow
def test_scikit_learn_array_api_check_in_a_process_with_scipys_array_api_mode():
    """``check_array_api_input`` (array API dispatch on, NumPy inputs: same results) needs
    ``SCIPY_ARRAY_API=1`` before SciPy is imported: run in a process of its own."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-m", "",
                           f"{__file__}::test_scikit_learn_estimator_checks",
                           f"{__file__}::test_scikit_learn_estimator_checks_on_the_poisson_posterior", "-k", "check_array_api_input"],
                          env={**os.environ, "SCIPY_ARRAY_API": "1"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    n = len(ESTIMATORS) + len(SLOW_ESTIMATORS)
    assert f"{n} passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-3000:]


@pytest.mark.slow
@_without_array_api_check(parametrize_with_checks(SLOW_ESTIMATORS, expected_failed_checks=_expected_failures))
def test_scikit_learn_estimator_checks_on_the_poisson_posterior(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


def test_regressor_map_is_scikit_learns_lasso_with_the_converted_alpha():
    X, y, names = load_diabetes()
    for scale in (0.05, 1.0, 20.0):
        est = SparseRegressor(scale=scale, sigma=54.0).fit(X, y)
        lasso = Lasso(alpha=laplace_scale_to_lasso_alpha(scale, sigma=54.0, n=len(y)), tol=1e-12, max_iter=100_000).fit(X, y)
        np.testing.assert_allclose(est.coef_, lasso.coef_, atol=1e-6 * np.abs(lasso.coef_).max())
        assert est.n_zeros_ == int(np.sum(lasso.coef_ == 0.0)) == int(np.sum(est.coef_ == 0.0))
        np.testing.assert_allclose(est.predict(X), lasso.predict(X), rtol=1e-8, atol=1e-6)
        assert est.certificate_ is est.map_result_.certificate and est.sigma_ == 54.0


def test_classifier_map_is_scikit_learns_l1_logistic_regression():
    X, y, names = load_breast_cancer()
    labels = np.where(y == 1, "malignant", "benign")
    est = SparseClassifier(scale=0.1).fit(X, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn 1.8 deprecates penalty= (and warns on it); l1_ratio alone needs 1.8
        ref = LogisticRegression(penalty="l1", C=laplace_scale_to_logistic_C(0.1), solver="liblinear", tol=1e-10,
                                 max_iter=100_000, intercept_scaling=1e4, random_state=0).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_[0], atol=2e-3)
    assert list(est.classes_) == ["benign", "malignant"]
    np.testing.assert_allclose(est.predict_proba(X)[:, 1], ref.predict_proba(X)[:, 1], atol=2e-3)
    assert est.n_zeros_ > 10 and np.array_equal(est.coef_ == 0.0, ref.coef_[0] == 0.0)


def test_grid_search_over_the_scale_in_a_pipeline_equals_a_loop_over_the_same_folds():
    X, y, _ = load_diabetes()
    scales = [0.3, 3.0, 30.0]
    folds = KFold(5)
    pipe = Pipeline([("scale", StandardScaler()), ("fit", SparseRegressor(sigma=54.0))])
    search = GridSearchCV(pipe, {"fit__scale": scales}, cv=folds).fit(X, y)
    by_hand = []
    for s in scales:
        scores = []
        for train, test in folds.split(X):
            scaler = StandardScaler().fit(X[train])
            est = SparseRegressor(scale=s, sigma=54.0).fit(scaler.transform(X[train]), y[train])
            scores.append(est.score(scaler.transform(X[test]), y[test]))
        by_hand.append(np.mean(scores))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], by_hand, rtol=1e-12)
    assert search.best_params_["fit__scale"] == scales[int(np.argmax(by_hand))]


def test_posterior_inference_predicts_with_the_posterior_mean_and_draws_predictions():
    X, y, _ = load_diabetes()
    est = SparseRegressor(scale=1.0, inference="posterior", draws=300, tune=200, random_seed=3).fit(X, y)
    post = est.idata_.posterior
    np.testing.assert_allclose(est.coef_, post["w"].mean(("chain", "draw")).values)
    draws = est.predict_draws(X[:5])
    assert draws.shape == (600, 5)
    # the predictive mean is the mean prediction, within Monte Carlo error (noise sd / sqrt(600) ~ 2.2)
    np.testing.assert_allclose(draws.mean(axis=0), est.predict(X[:5]), atol=5 * 54 / np.sqrt(600))
    assert est.map_result_ is not None and est.sigma_ == pytest.approx(float(np.median(post["sigma"].values)))
    with pytest.raises(CuspInputError, match="inference='posterior'"):
        SparseRegressor(sigma=54.0).fit(X, y).predict_draws(X)


@pytest.mark.parametrize("kwargs, match", [
    (dict(inference="mcmc"), "inference must be one of map, posterior"),
    (dict(scale=-1.0), "scale"),
    (dict(prior="lasso"), "unknown prior 'lasso'"),
    (dict(prior_params={"scale": 2.0}), "scale="),
])
def test_bad_settings_raise_one_clear_error_at_fit(kwargs, match):
    X, y, _ = load_diabetes()
    est = SparseRegressor(**kwargs)  # __init__ only stores
    with pytest.raises(CuspInputError, match=match):
        est.fit(X, y)


def test_cross_validated_laplace_scale_equals_lasso_cv_on_the_same_folds_and_grid():
    """440 rows, 5 folds: every training fold has 352 rows, so one alpha per scale,
    ``alpha = sigma^2 / (352 b)``; LassoCV's error path and choice equal cusp's."""
    X, y, _ = load_diabetes()
    X, y = X[:440], y[:440]
    est = SparseRegressorCV(sigma=54.0, cv=KFold(5), n_scales=40).fit(X, y)
    alphas = 54.0**2 / (352 * est.scales_)
    ref = LassoCV(alphas=alphas, cv=KFold(5), tol=1e-12, max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(ref.alphas_, alphas, rtol=1e-15)  # the same order: alphas descending, scales ascending
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-8)
    assert 54.0**2 / (352 * est.scale_) == pytest.approx(ref.alpha_, rel=1e-12)
    # the grid starts at the all-zero scale: LassoCV's alpha_max, converted
    assert alphas[0] == pytest.approx(np.max(np.abs((X - X.mean(0)).T @ (y - y.mean()))) / 352, rel=1e-12)
    assert np.array_equal(est.coef_, SparseRegressor(scale=est.scale_, sigma=54.0).fit(X, y).coef_)


def test_one_standard_error_choice_is_the_strongest_prior_within_one_se():
    X, y, _ = load_diabetes()
    est = SparseRegressorCV(sigma=54.0, n_scales=30, one_standard_error=True).fit(X, y)
    mean, se = est.cv_results_["mean_test_mse"], est.cv_results_["se_test_mse"]
    best = int(np.argmin(mean))
    assert est.scale_ == est.scale_1se_ <= est.scale_min_ == est.scales_[best]
    k = int(np.flatnonzero(est.scales_ == est.scale_1se_)[0])
    assert mean[k] <= mean[best] + se[best] and (k == 0 or mean[k - 1] > mean[best] + se[best])
    assert est.n_zeros_ >= SparseRegressor(scale=est.scale_min_, sigma=54.0).fit(X, y).n_zeros_


def test_cv_without_an_all_zero_scale_asks_for_a_grid():
    X, y, _ = load_diabetes()
    with pytest.raises(CuspInputError, match="give the grid as scales="):
        SparseRegressorCV(prior="gaussian", sigma=54.0).fit(X, y)
    est = SparseRegressorCV(prior="gaussian", sigma=54.0, scales=[0.1, 1.0, 10.0]).fit(X, y)
    assert est.scale_ in (0.1, 1.0, 10.0) and est.n_zeros_ == 0


def test_grid_search_over_the_scale_chooses_what_the_cv_estimator_chooses():
    X, y, _ = load_diabetes()
    cv = SparseRegressorCV(sigma=54.0, cv=KFold(5), n_scales=25).fit(X, y)
    search = GridSearchCV(SparseRegressor(sigma=54.0), {"scale": list(cv.scales_)}, cv=KFold(5),
                          scoring="neg_mean_squared_error").fit(X, y)
    np.testing.assert_allclose(-search.cv_results_["mean_test_score"], cv.cv_results_["mean_test_mse"], rtol=1e-8)
    assert search.best_params_["scale"] == cv.scale_


def test_poisson_map_with_a_gaussian_prior_is_scikit_learns_poisson_regressor():
    """PoissonRegressor minimizes mean deviance / 2 + alpha ||w||^2 / 2: cusp's MAP under
    N(0, s^2) with alpha = 1 / (n s^2); non-integer y taken as scikit-learn takes it."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((300, 6))
    y = rng.poisson(np.exp(0.3 + X @ np.array([0.5, -0.4, 0.0, 0.0, 0.2, 0.0]))).astype(float)
    for target in (y, y + 0.25):
        est = SparsePoissonRegressor(prior="gaussian", scale=0.5).fit(X, target)
        ref = PoissonRegressor(alpha=1.0 / (len(y) * 0.5**2), tol=1e-12, max_iter=10_000).fit(X, target)
        np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=1e-6)
        assert est.score(X, target) == pytest.approx(ref.score(X, target), rel=1e-6)
    lasso_like = SparsePoissonRegressor(scale=0.05).fit(X, y)
    assert lasso_like.n_zeros_ > 0 and lasso_like.certificate_ is lasso_like.map_result_.certificate
    with pytest.raises(CuspInputError, match="whole counts"):
        SparsePoissonRegressor(inference="posterior", draws=20, tune=10).fit(X, y + 0.25)
    post = SparsePoissonRegressor(inference="posterior", draws=100, tune=100, random_seed=1).fit(X, y)
    draws = post.predict_draws(X[:3])
    assert draws.shape == (200, 3) and np.all(draws == np.round(draws)) and np.all(draws >= 0)


def _breast_cancer_head():
    X, y, _ = load_breast_cancer()
    return X[:200, :8], y[:200]


def test_cross_validated_classifier_at_the_all_zero_scale_predicts_the_training_base_rate():
    """At b0 every fold's MAP is w = 0 with the intercept at the training fold's logit(mean
    y) (closed form), so the held-out log loss is the base rate's; b0 itself is the largest
    slope at 0, |x_j' (y - mean y)|, inverted."""
    X, y = _breast_cancer_head()
    est = SparseClassifierCV(cv=StratifiedKFold(5), n_scales=6, eps=0.1).fit(X, y)
    assert est.scales_[0] == pytest.approx(1.0 / np.max(np.abs(X.T @ (y - y.mean()))), rel=1e-12)
    for k, (train, test) in enumerate(StratifiedKFold(5).split(X, y)):
        rate = y[train].mean()
        loss = -np.mean(y[test] * np.log(rate) + (1 - y[test]) * np.log1p(-rate))
        assert est.log_loss_path_[0, k] == pytest.approx(loss, rel=1e-9)
    assert est.log_loss_path_[-1].mean() < est.log_loss_path_[0].mean()  # the data do predict


def test_grid_search_over_the_scale_chooses_what_the_cross_validated_classifier_chooses():
    """Separate cold fits scored by scikit-learn's log loss against one warm-started path per fold."""
    X, y, _ = load_breast_cancer()
    labels = np.where(y == 1, "malignant", "benign")
    cv = SparseClassifierCV(cv=StratifiedKFold(4), n_scales=12, eps=1e-2).fit(X, labels)
    search = GridSearchCV(SparseClassifier(), {"scale": list(cv.scales_)}, cv=StratifiedKFold(4),
                          scoring="neg_log_loss").fit(X, labels)
    np.testing.assert_allclose(-search.cv_results_["mean_test_score"], cv.cv_results_["mean_test_log_loss"], rtol=1e-7)
    assert search.best_params_["scale"] == cv.scale_ and list(cv.classes_) == ["benign", "malignant"]
    assert np.array_equal(cv.predict(X), search.best_estimator_.predict(X))


@pytest.mark.slow
def test_cross_validated_laplace_classifier_equals_logistic_regression_cv():
    """LogisticRegressionCV (L1, saga, an unpenalized intercept, C = b) on the same folds and
    grid: same chosen C and held-out log losses.  The grid starts at 2 b0: next to the
    all-zero scale saga's stopping rule (the largest change of the weights) stops with the
    intercept 4e-4 from logit(mean y) (measured); the points there are checked against the
    closed form above.  saga takes ~9 s here, hence the slow tier."""
    X, y = _breast_cancer_head()
    grid = Model("logistic", laplace(1.0)).all_zero_scale(X, y) * np.logspace(np.log10(2), 2, 8)
    est = SparseClassifierCV(cv=StratifiedKFold(5), scales=grid).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # scikit-learn 1.8+: l1_ratios / scores_ layout notices
        ref = LogisticRegressionCV(Cs=grid, l1_ratios=[1.0], solver="saga", scoring="neg_log_loss", cv=StratifiedKFold(5),
                                   tol=1e-10, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(-ref.scores_[1].reshape(5, -1).T, est.log_loss_path_, rtol=1e-7)
    assert ref.C_[0] == pytest.approx(laplace_scale_to_logistic_C(est.scale_), rel=1e-12)


@pytest.mark.parametrize("likelihood", ["gaussian", "logistic", "poisson"])
def test_all_zero_scale_is_where_the_first_coefficient_leaves_zero(likelihood):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((120, 6))
    eta = X @ np.array([0.8, -0.5, 0.0, 0.0, 0.3, 0.0])
    y = {"gaussian": eta + rng.standard_normal(120), "logistic": (rng.uniform(size=120) < 1 / (1 + np.exp(-eta))) * 1.0,
         "poisson": rng.poisson(np.exp(0.2 + 0.5 * eta)) * 1.0}[likelihood]
    kwargs = {"sigma": 1.3} if likelihood == "gaussian" else {}
    b0 = Model(likelihood, laplace(1.0), **kwargs).all_zero_scale(X, y)
    assert Model(likelihood, laplace(b0), **kwargs).map(X, y).n_zeros == 6
    assert Model(likelihood, laplace(b0 * 1.001), **kwargs).map(X, y).n_zeros == 5
    if likelihood == "gaussian":  # the prior scaled by sigma: b0 in units of sigma
        scaled = Model(likelihood, laplace(1.0), scale_by_sigma=True, **kwargs).all_zero_scale(X, y)
        assert scaled == pytest.approx(b0 / 1.3, rel=1e-15)
    with pytest.raises(CuspInputError, match="no scale makes every coefficient 0"):
        Model(likelihood, make_prior("gaussian", scale=1.0), **kwargs).all_zero_scale(X, y)


def test_pipeline_grid_search_chooses_the_scale_the_cv_estimator_chooses():
    """The issue's check: StandardScaler + SparseRegressor in a Pipeline, GridSearchCV over
    the scale on the CV estimator's grid and folds, picks SparseRegressorCV's scale.  The
    pipeline standardizes each training fold, the CV estimator sees the data standardized
    once, so the error curves agree closely (not to the bit) and the choice is the same."""
    X, y, _ = load_diabetes()
    X = X * np.array([1.0, 2.0, 0.5, 3.0, 1.0, 1.0, 4.0, 1.0, 0.2, 1.0]) + 7.0  # not standardized
    cv = SparseRegressorCV(sigma=54.0, cv=KFold(5), n_scales=25).fit(StandardScaler().fit_transform(X), y)
    pipe = Pipeline([("scale", StandardScaler()), ("fit", SparseRegressor(sigma=54.0))])
    search = GridSearchCV(pipe, {"fit__scale": list(cv.scales_)}, cv=KFold(5), scoring="neg_mean_squared_error").fit(X, y)
    assert search.best_params_["fit__scale"] == cv.scale_
    # measured: the curves differ by at most 0.47 % (per-fold against whole-data standardization)
    np.testing.assert_allclose(-search.cv_results_["mean_test_score"], cv.cv_results_["mean_test_mse"], rtol=1e-2)
