"""Gaussian likelihood: cusp's exact MAP against closed forms and scikit-learn."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso, lasso_path

from models import (
    Model,
    gaussian_scale_to_ridge_alpha,
    lasso_alpha_to_laplace_scale,
    laplace_scale_to_lasso_alpha,
)
from priors import gaussian, laplace

SIGMA = 54.0


@pytest.mark.parametrize("b", [0.05, 0.3, 1.0, 5.0, 50.0])
def test_laplace_map_equals_sklearn_lasso(diabetes, b):
    X, y, names = diabetes
    res = Model("gaussian", laplace(b), sigma=SIGMA).map(X, y, feature_names=names)
    alpha = laplace_scale_to_lasso_alpha(b, sigma=SIGMA, n=len(y))
    ref = Lasso(alpha=alpha, tol=1e-15, max_iter=1_000_000).fit(X, y)
    assert res.converged
    assert np.array_equal(res.coef == 0, ref.coef_ == 0)
    nz = ref.coef_ != 0
    np.testing.assert_allclose(res.coef[nz], ref.coef_[nz], rtol=1e-6)
    assert res.intercept == pytest.approx(ref.intercept_, abs=1e-6 * np.abs(y).max())
    assert res.certificate.duality_gap < 1e-6


def test_path_equals_sklearn_lasso_path(diabetes):
    X, y, _ = diabetes
    n = len(y)
    alphas, ref_coefs, _ = lasso_path(X, y, alphas=30, eps=1e-3, tol=1e-15, max_iter=1_000_000)
    scales = np.array([lasso_alpha_to_laplace_scale(a, sigma=SIGMA, n=n) for a in alphas])
    path = Model("gaussian", laplace(1.0), sigma=SIGMA, fit_intercept=False).map_path(X, y, scales)
    assert path.converged.all()
    assert np.array_equal(path.coefs == 0, ref_coefs.T == 0)
    np.testing.assert_allclose(path.coefs, ref_coefs.T, rtol=1e-6, atol=1e-7 * np.abs(ref_coefs).max())
    # n_zeros falls as the prior widens (scales ascend as alphas descend)
    assert path.n_zeros[0] == X.shape[1] and path.n_zeros[-1] == 0


def test_path_order_does_not_matter(diabetes):
    X, y, _ = diabetes
    scales = np.array([3.0, 0.1, 1.0])
    model = Model("gaussian", laplace(1.0), sigma=SIGMA)
    path = model.map_path(X, y, scales)
    for k, s in enumerate(scales):
        single = Model("gaussian", laplace(s), sigma=SIGMA).map(X, y)
        np.testing.assert_allclose(path.coefs[k], single.coef, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("s", [0.01, 1.0, 30.0])
def test_gaussian_prior_equals_ridge_closed_form(diabetes, s):
    X, y, _ = diabetes
    res = Model("gaussian", gaussian(s), sigma=SIGMA).map(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    alpha = gaussian_scale_to_ridge_alpha(s, sigma=SIGMA)
    want = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    np.testing.assert_allclose(res.coef, want, rtol=1e-7)
    assert res.n_zeros == 0


@pytest.mark.parametrize("b", [0.1, 0.5, 2.0])
def test_zero_set_is_where_the_slope_is_inside_the_threshold(diabetes, b):
    """The certificate's law: w_j = 0 exactly when |d nll / d w_j at 0| <= 1/b.

    Checked against an independent slope: refit each zero's slope from the residual of
    the non-zeros alone, with numpy, not with cusp's certificate."""
    X, y, _ = diabetes
    res = Model("gaussian", laplace(b), sigma=SIGMA).map(X, y)
    resid = y - X @ res.coef - res.intercept
    slope = -(X.T @ resid) / SIGMA**2
    inside = np.abs(slope) <= 1 / b + 1e-9
    assert np.array_equal(res.coef == 0, inside & (res.coef == 0))
    assert np.array_equal(res.coef == 0, np.abs(slope) < 1 / b * (1 - 1e-9))
    np.testing.assert_allclose(res.certificate.slope, slope, rtol=1e-9, atol=1e-12)


def test_central_claim_gaussian_with_100x_density_gives_no_zeros(diabetes):
    """A Gaussian prior far more concentrated at 0 than the Laplace: no exact zeros."""
    X, y, _ = diabetes
    lap = laplace(1.0)
    lap_res = Model("gaussian", lap, sigma=SIGMA).map(X, y)
    for factor in (100.0, 1000.0):
        # density at 0 of N(0, s^2) is 1/(s sqrt(2 pi)); match factor x Laplace's 1/(2b)
        s = 1.0 / (np.sqrt(2 * np.pi) * factor * lap.density_at_zero)
        g = gaussian(s)
        assert g.density_at_zero == pytest.approx(factor * lap.density_at_zero)
        res = Model("gaussian", g, sigma=SIGMA).map(X, y)
        assert res.n_zeros == 0
        smallest = np.min(np.abs(res.coef))
        assert 0 < smallest < 1e-2  # tiny, never zero
    assert lap_res.n_zeros > 0


def test_stops_on_certificate_and_reports_non_convergence(diabetes):
    X, y, _ = diabetes
    res = Model("gaussian", laplace(1.0), sigma=SIGMA, max_iter=1).map(X, y)
    assert not res.converged
    assert "max_iter" in res.message
    assert any("NOT converged" in n for n in res.notes)


def test_feature_names_from_dataframe(diabetes):
    pd = pytest.importorskip("pandas")
    X, y, names = diabetes
    df = pd.DataFrame(X, columns=names)
    res = Model("gaussian", laplace(1.0), sigma=SIGMA).map(df, y)
    assert res.feature_names == names
    assert set(res.support) <= set(names)


def test_conversions_round_trip():
    a = laplace_scale_to_lasso_alpha(2.5, sigma=3.0, n=40)
    assert a == pytest.approx(9.0 / (40 * 2.5))
    assert lasso_alpha_to_laplace_scale(a, sigma=3.0, n=40) == pytest.approx(2.5)
