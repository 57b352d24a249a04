"""Input a user can get wrong, and data that fits but deserves a warning.

Errors are one :class:`CuspInputError` whose message says what to fix; degenerate but
fittable columns give a :class:`CuspDataWarning` whose claim about the MAP is checked
here against the MAP itself.  (Shape, NaN, label and count errors:
tests/test_map_glm.py; CSV errors through the command line: tests/test_scripts.py.)
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from models import CuspDataWarning, CuspInputError, Model, laplace_scale_to_lasso_alpha
from priors import bridge, gaussian, laplace

SIGMA = 0.5


def _data(n=30, p=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, 0] - 0.8 * X[:, 1] + SIGMA * rng.standard_normal(n)
    return X, y


def _map(prior, X, y, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = Model("gaussian", prior, sigma=SIGMA, **kwargs).map(X, y)
    return result, [str(w.message) for w in caught if issubclass(w.category, CuspDataWarning)]


# ---------------------------------------------------------------------- errors
def test_one_row_with_an_intercept_is_refused_and_without_is_fitted():
    X, y = _data()
    with pytest.raises(CuspInputError, match="at least 2 rows"):
        Model("gaussian", laplace(1.0), sigma=SIGMA).map(X[:1], y[:1])
    res = Model("gaussian", laplace(1.0), sigma=SIGMA, fit_intercept=False).map(X[:1], y[:1])
    assert res.converged


@pytest.mark.parametrize("kwargs, match", [
    ({"tol": "small"}, "tol must be a finite number > 0"), ({"tol": -1.0}, "tol must be a finite number > 0"),
    ({"max_iter": 0}, "max_iter must be a whole number"), ({"max_iter": 2.5}, "max_iter"),
    ({"fit_intercept": "no"}, "fit_intercept must be True or False"),
])
def test_bad_model_settings(kwargs, match):
    with pytest.raises(CuspInputError, match=match):
        Model("gaussian", laplace(1.0), sigma=SIGMA, **kwargs)


@pytest.mark.parametrize("X, y, kwargs, match", [
    ([[1.0, 2.0], [3.0]], [1.0, 2.0], {}, "X has rows of different lengths"),
    ([[1.0], [2.0]], [[1.0], [2.0, 3.0]], {}, "y has rows of different lengths"),
    ([[1.0], [2.0], [4.0]], [1.0, 2.0, 2.5], {"coef_init": [np.nan]}, "must be finite"),
])
def test_bad_arrays(X, y, kwargs, match):
    with pytest.raises(CuspInputError, match=match):
        Model("gaussian", laplace(1.0), sigma=SIGMA).map(X, y, **kwargs)


def test_dataframe_with_a_text_column_names_it():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(city=["x"] * len(y))
    with pytest.raises(CuspInputError, match=r"non-numeric columns \['city'\]"):
        Model("gaussian", laplace(1.0), sigma=SIGMA).map(df, y)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_non_positive_or_non_finite_sigma_is_refused(bad):
    with pytest.raises(CuspInputError, match="sigma"):
        Model("gaussian", laplace(1.0), sigma=bad)


def test_dataframe_with_category_and_boolean_columns():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    with pytest.raises(CuspInputError, match=r"non-numeric columns \['kind'\]"):
        Model("gaussian", laplace(1.0), sigma=SIGMA).map(df.assign(kind=pd.Categorical(["u", "v"] * 15)), y)
    res = Model("gaussian", laplace(1.0), sigma=SIGMA).map(df.assign(flag=X[:, 0] > 0), y)
    assert res.feature_names[-1] == "flag"


def test_boolean_columns_are_zero_one_features():
    X, y = _data()
    B = X > 0
    a = Model("gaussian", laplace(1.0), sigma=SIGMA).map(B, y)
    b = Model("gaussian", laplace(1.0), sigma=SIGMA).map(B.astype(float), y)
    np.testing.assert_array_equal(a.coef, b.coef)


def test_many_more_features_than_rows_matches_sklearn():
    """p = 3000 >> n = 15 must work, and give scikit-learn's lasso."""
    from sklearn.linear_model import Lasso

    rng = np.random.default_rng(1)
    n, p, b = 15, 3000, 0.05
    X = rng.standard_normal((n, p))
    y = 2 * X[:, 0] - X[:, 1] + 0.1 * rng.standard_normal(n)
    res = Model("gaussian", laplace(b), sigma=1.0).map(X, y)
    assert res.converged and res.n_zeros > p - n
    ref = Lasso(alpha=laplace_scale_to_lasso_alpha(b, sigma=1.0, n=n), tol=1e-12, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(res.coef, ref.coef_, atol=1e-6)
    np.testing.assert_array_equal(res.coef == 0, ref.coef_ == 0)


# ---------------------------------------------------------------------- degenerate columns
def test_constant_column_warns_and_its_coefficient_is_the_prior_mode():
    X, y = _data()
    X[:, 2] = 3.0
    for prior in (gaussian(1.0), laplace(1.0)):
        res, caught = _map(prior, X, y)
        assert len(caught) == 1 and "'x2' is constant" in caught[0] and "prior's mode, 0" in caught[0]
        assert res.coef[2] == 0.0
        assert any("'x2' is constant" in note for note in res.notes)  # the report shows the notes


def test_zero_column_without_intercept_warns():
    X, y = _data()
    X[:, 3] = 0.0
    res, caught = _map(laplace(1.0), X, y, fit_intercept=False)
    assert len(caught) == 1 and "'x3' is all zero" in caught[0]
    assert res.coef[3] == 0.0
    # A constant non-zero column is an ordinary regressor when there is no intercept.
    X[:, 3] = 2.0
    assert not _map(laplace(1.0), X, y, fit_intercept=False)[1]


def test_duplicate_columns_gaussian_splits_equally():
    X, y = _data()
    Xd = np.column_stack([X, X[:, 1]])
    res, caught = _map(gaussian(1.0), Xd, y)
    assert len(caught) == 1 and "'x1', 'x4' are identical" in caught[0] and "splits it equally" in caught[0]
    assert res.coef[1] == pytest.approx(res.coef[4], rel=1e-9)


def test_duplicate_columns_laplace_is_not_unique_but_its_sum_is():
    """Any same-sign split of the sum has the same objective; the sum equals the
    coefficient of the single column in the de-duplicated problem."""
    X, y = _data()
    Xd = np.column_stack([X, X[:, 1]])
    res, caught = _map(laplace(0.5), Xd, y)
    assert "not unique" in caught[0]
    single = Model("gaussian", laplace(0.5), sigma=SIGMA).map(X, y)
    assert res.coef[1] + res.coef[4] == pytest.approx(single.coef[1], rel=1e-7)
    model = Model("gaussian", laplace(0.5), sigma=SIGMA)
    total = res.coef[1] + res.coef[4]
    for share in (0.0, 0.3, 1.0):
        other = res.coef.copy()
        other[1], other[4] = share * total, (1 - share) * total
        assert model.objective(Xd, y, other, res.intercept) == pytest.approx(res.objective, rel=1e-12)


def test_duplicate_columns_nonconvex_prior_says_keep_one():
    X, y = _data()
    _, caught = _map(bridge(1.0, 0.5), np.column_stack([X, X[:, 0]]), y)
    assert "not convex" in caught[0] and "keep one of the columns" in caught[0]


def test_clean_data_gives_no_warning():
    X, y = _data()
    assert _map(laplace(1.0), X, y)[1] == []


# ---------------------------------------------------------------------- the command line
TINY = ("--draws", "20", "--tune", "20", "--chains", "1", "--seed", "1", "--no-progress")


def test_cli_duplicate_and_hostile_column_names(tmp_path):
    """A CSV whose column names look like paths, with two identical columns: one
    warning line each, exit 0, and every file written inside the output folder."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(25), rng.standard_normal(25)
    y = a - b + 0.3 * rng.standard_normal(25)
    rows = ["../../escape,/etc/passwd,copy,y"] + [f"{u},{v},{v},{w}" for u, v, w in zip(a, b, y)]
    data = tmp_path / "data.csv"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    before = set(os.listdir(tmp_path))
    done = subprocess.run([sys.executable, "-m", "reports", "run", "regression", "--data", str(data), "--target", "y",
                           "--prior", "laplace", "--sigma", "0.3", *TINY, "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    warned = [line for line in done.stderr.splitlines() if line.startswith("cusp: warning: ")]
    assert len(warned) == 1 and "'/etc/passwd', 'copy' are identical" in warned[0]
    assert set(os.listdir(tmp_path)) == before | {"out"}
    assert sorted(os.listdir(out)) == [".cusp-output", "index.html", "laplace.nc", "summary.json"]
    html = (out / "index.html").read_text()
    assert "are identical" in html  # the note reaches the report
