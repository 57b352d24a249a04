"""scipy.sparse designs for the exact MAP: the same MAP, certificate and path as the dense
design (X.toarray()), scikit-learn's Lasso on the same sparse matrix as an oracle, the
intercept handled by implicit centring (memory stays O(nnz)), and one clear error where a
sparse design is not taken (the samplers)."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Lasso

from models import CuspDataWarning, CuspInputError, Model, laplace_scale_to_lasso_alpha
from priors import gaussian, laplace


def _sparse_data(n=400, p=1500, density=0.01, likelihood="gaussian", seed=0):
    rng = np.random.default_rng(seed)
    # power-law column frequencies, as in text data: a few common features, many rare
    share = 1.0 / (np.arange(p) + 5.0)
    nnz = int(density * n * p)
    X = sp.csc_matrix((rng.standard_normal(nnz) + 0.5, (rng.integers(0, n, nnz), rng.choice(p, nnz, p=share / share.sum()))),
                      shape=(n, p))
    w = np.zeros(p)
    w[:8] = [1.5, -1.0, 0.8, 1.2, -0.7, 0.9, -1.1, 0.6]
    eta = X @ w + 0.3
    y = {"gaussian": eta + rng.standard_normal(n),
         "logistic": (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float),
         "poisson": rng.poisson(np.exp(0.5 * eta)).astype(float)}[likelihood]
    return X, y


def _model(likelihood, prior, **kwargs):
    return Model(likelihood, prior, **({"sigma": 1.0} if likelihood == "gaussian" else {}), **kwargs)


@pytest.mark.parametrize("likelihood", ["gaussian", "logistic", "poisson"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_design_gives_the_dense_designs_map_and_certificate(likelihood, fit_intercept):
    X, y = _sparse_data(likelihood=likelihood)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CuspDataWarning)  # columns without entries are all zero
        b = 3.0 * _model(likelihood, laplace(1.0), fit_intercept=fit_intercept).all_zero_scale(X, y)
        model = _model(likelihood, laplace(b), fit_intercept=fit_intercept)
        sparse, dense = model.map(X, y), model.map(X.toarray(), y)
    assert sparse.converged and dense.converged
    assert np.array_equal(sparse.coef == 0, dense.coef == 0) and 0 < np.count_nonzero(sparse.coef) < 100
    np.testing.assert_allclose(sparse.coef, dense.coef, rtol=1e-7, atol=1e-9)
    assert sparse.intercept == pytest.approx(dense.intercept, rel=1e-8, abs=1e-10)
    assert sparse.objective == pytest.approx(dense.objective, rel=1e-12)
    np.testing.assert_allclose(sparse.certificate.slope, dense.certificate.slope, rtol=1e-6, atol=1e-8)
    assert sparse.certificate.duality_gap is not None and sparse.certificate.duality_gap < 1e-6


def test_sparse_lasso_equals_scikit_learns_on_the_same_sparse_matrix():
    X, y = _sparse_data(n=600, p=3000)
    b = 4.0 * Model("gaussian", laplace(1.0), sigma=1.0).all_zero_scale(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CuspDataWarning)
        res = Model("gaussian", laplace(b), sigma=1.0).map(X.tocsr(), y)  # CSR is taken too (converted)
    ref = Lasso(alpha=laplace_scale_to_lasso_alpha(b, sigma=1.0, n=600), tol=1e-12, max_iter=100_000).fit(X, y)
    assert np.array_equal(res.coef == 0, ref.coef_ == 0)
    np.testing.assert_allclose(res.coef, ref.coef_, rtol=1e-6, atol=1e-8)
    assert res.intercept == pytest.approx(ref.intercept_, rel=1e-7)


def test_sparse_path_equals_the_dense_path():
    X, y = _sparse_data()
    model = Model("gaussian", laplace(1.0), sigma=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CuspDataWarning)
        scales = model.all_zero_scale(X, y) * np.logspace(0, 2, 15)
        sparse, dense = model.map_path(X, y, scales), model.map_path(X.toarray(), y, scales)
    assert sparse.converged.all() and np.array_equal(sparse.coefs == 0, dense.coefs == 0)
    np.testing.assert_allclose(sparse.coefs, dense.coefs, rtol=1e-7, atol=1e-9)
    assert (sparse.coefs[0] == 0).all() and np.count_nonzero(sparse.coefs[-1]) > 8


def test_a_large_sparse_design_is_never_densified():
    """n = 5000, p = 100,000, 0.02 % filled: dense it would take 4 GB; the fit with an
    intercept (implicit centring) stays within a few times the matrix's own 1.6 MB."""
    rng = np.random.default_rng(1)
    n, p, nnz = 5000, 100_000, 100_000
    X = sp.csc_matrix((rng.standard_normal(nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))), shape=(n, p))
    y = X[:, :5] @ np.full(5, 2.0) + rng.standard_normal(n)
    model = Model("gaussian", laplace(1.0), sigma=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CuspDataWarning)
        b = 2.0 * model.all_zero_scale(X, y)
        tracemalloc.start()
        try:
            res = Model("gaussian", laplace(b), sigma=1.0).map(X, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert res.converged and 0 < np.count_nonzero(res.coef) < 1000
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_sparse_column_notes_find_constant_and_identical_columns():
    X = sp.csc_matrix(np.array([[1.0, 0, 2, 2], [0, 0, 3, 3], [2, 0, 0, 0], [0, 0, 1, 1], [1, 0, 5, 5]]))
    y = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    with pytest.warns(CuspDataWarning) as caught:
        res = Model("gaussian", gaussian(1.0), sigma=1.0).map(X, y, feature_names=["a", "empty", "c", "c2"])
    messages = [str(w.message) for w in caught]
    assert any("'empty'" in m and "constant" in m for m in messages)
    assert any("'c', 'c2'" in m and "identical" in m for m in messages)
    assert res.coef[1] == 0.0 and res.coef[2] == pytest.approx(res.coef[3], rel=1e-10)


def test_sparse_design_errors_are_one_clear_message():
    X, y = _sparse_data(n=50, p=20)
    with pytest.raises(CuspInputError, match=r"only the MAP takes a sparse design .* X.toarray\(\)"):
        Model("gaussian", laplace(1.0)).sample(X, y, draws=10, tune=10)
    bad = X.copy()
    bad.data[3] = np.nan
    with pytest.raises(CuspInputError, match="NaN or infinite"):
        Model("gaussian", laplace(1.0), sigma=1.0).map(bad, y)
    original = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CuspDataWarning)
        Model("gaussian", laplace(1.0), sigma=1.0).map(X, y)
    assert (X != original).nnz == 0 and X.format == "csc"  # the caller's matrix is untouched


def test_cached_gram_keeps_columns_far_from_zero_exact():
    """A column of years (mean 2000, sd 3): the path's cached Gram centres dense columns
    explicitly, so the MAP still equals scikit-learn's Lasso (X'X - n m m' would lose ~7 digits)."""
    rng = np.random.default_rng(5)
    X = np.column_stack([2000.0 + 3.0 * rng.standard_normal(300), rng.standard_normal((300, 4))])
    y = 0.8 * (X[:, 0] - 2000.0) + X[:, 1] + rng.standard_normal(300)
    scales = [0.05, 0.2, 1.0]
    path = Model("gaussian", laplace(1.0), sigma=1.0).map_path(X, y, scales)
    for b, coef in zip(scales, path.coefs):
        ref = Lasso(alpha=laplace_scale_to_lasso_alpha(b, sigma=1.0, n=300), tol=1e-14, max_iter=100_000).fit(X, y)
        np.testing.assert_allclose(coef, ref.coef_, rtol=1e-8, atol=1e-10)
    assert path.converged.all()


@pytest.mark.parametrize("net_prior", [laplace(0.3), gaussian(0.7)])
def test_compiled_sweep_makes_the_python_prox_updates(net_prior):
    """The numba sweep for priors with an elastic-net form against the generic sweep
    through the prior's own prox, sweep by sweep, exact zeros included."""
    from models.map.compiled import elastic_net_sweep
    from models.map.solver import _python_sweep

    rng = np.random.default_rng(2)
    A = rng.standard_normal((60, 12))
    G, q = A.T @ A, A.T @ rng.standard_normal(60) * 3.0
    w1, w2 = np.zeros(12), np.zeros(12)
    Gw1, Gw2 = G @ w1, G @ w2
    l1, l2 = net_prior.elastic_net_form
    for _ in range(30):
        moved = elastic_net_sweep(G, q, w1, Gw1, l1, l2)
        assert moved == _python_sweep(G, q, w2, Gw2, np.diag(G).copy(), net_prior.prox)
        np.testing.assert_allclose(w1, w2, rtol=1e-12, atol=1e-14)
        assert np.array_equal(w1 == 0.0, w2 == 0.0)
    assert (w1 == 0.0).any() == (net_prior.zero_threshold > 0)


def test_absolute_products_of_a_sparse_design_equal_those_of_its_stored_absolute_value():
    from models.map.certificate import abs_design

    X, _ = _sparse_data(n=80, p=300)
    X.data[::3] *= -1.0
    A, rng = abs_design(X), np.random.default_rng(0)
    v, r = rng.standard_normal(300), rng.standard_normal(80)
    np.testing.assert_allclose(A @ v, abs(X) @ v, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(A.T @ r, abs(X).T @ r, rtol=1e-13, atol=1e-13)
