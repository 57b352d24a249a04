"""Data: the data sets that ship with cusp's dependencies (no download), and the checks on
user data (one clear CuspInputError per problem, nothing coerced silently)."""

from __future__ import annotations

import datetime
import math
import numbers

import numpy as np

from priors import CuspInputError
from priors.validation import DATA_LIMIT


def standardize(X):
    """Centre each column and scale it to unit standard deviation (ddof=0).

    Constant columns are only centred (they stay all-zero)."""
    X = np.asarray(X, dtype=float)
    sd = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


#: The diabetes data's Gaussian noise sd used throughout cusp (about the residual sd of
#: least squares on the standardized features).
DIABETES_SIGMA = 54.0


def load_diabetes():
    """Diabetes data (Efron et al. 2004; scikit-learn's bundled copy).

    Returns ``(X, y, feature_names)`` with the 10 columns of ``X`` standardized and the
    disease-progression response ``y`` centred; n = 442.
    """
    from sklearn.datasets import load_diabetes as _load

    data = _load(scaled=False)
    y = np.asarray(data.target, dtype=float)
    return standardize(data.data), y - y.mean(), list(data.feature_names)


def load_breast_cancer():
    """Wisconsin breast cancer data (scikit-learn's bundled copy): ``(X, y, names)``,
    ``X`` standardized (30 columns), ``y`` = 1 for malignant, 0 for benign; n = 569."""
    from sklearn.datasets import load_breast_cancer as _load

    data = _load()
    # scikit-learn codes malignant as 0; recode so that 1 means malignant.
    return standardize(data.data), 1.0 - np.asarray(data.target, dtype=float), [str(n) for n in data.feature_names]


def make_sparse_regression(n=100, p=50, k=5, *, likelihood="gaussian", sigma=1.0, signal=2.0, random_seed=0,
                           correlation=0.0):
    """Synthetic data with a known sparse truth: ``k`` of ``p`` coefficients non-zero.

    Returns ``(X, y, true_coef)``; the rows of ``X`` are standard normal, the non-zeros
    are ``+-signal`` on the first ``k`` columns.  ``correlation`` ``rho`` in [0, 1) makes
    the columns an AR(1) sequence, ``corr(x_i, x_j) = rho**|i - j|`` (made from the same
    draws, so ``rho = 0`` gives the independent design).  ``likelihood`` picks the
    response: Gaussian (noise ``sigma``), logistic (0/1) or Poisson (counts, with the
    signal scaled down so the counts stay moderate).
    """
    rng = np.random.default_rng(random_seed)
    X = _ar1_columns(rng.standard_normal((n, p)), correlation)
    w = np.zeros(p)
    w[:k] = signal * rng.choice([-1.0, 1.0], size=k)
    if likelihood == "poisson":
        w *= 0.25
    return X, _response(X, w, likelihood, sigma, rng), w


def make_test_rows(true_coef, n, *, likelihood="gaussian", sigma=1.0, random_seed=0, correlation=0.0):
    """``(X, y)``: ``n`` fresh rows drawn as :func:`make_sparse_regression` draws its
    data, for the coefficients ``true_coef`` it returned (held-out data with a known truth)."""
    rng = np.random.default_rng(random_seed)
    X = _ar1_columns(rng.standard_normal((n, np.asarray(true_coef).size)), correlation)
    return X, _response(X, np.asarray(true_coef, dtype=float), likelihood, sigma, rng)


def _ar1_columns(Z, rho):
    """Columns ``x_0 = z_0``, ``x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j``: unit variance,
    ``corr(x_i, x_j) = rho^|i - j|``."""
    if rho == 0.0:
        return Z
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, Z.shape[1]):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1.0 - rho**2) * Z[:, j]
    return X


def _response(X, w, likelihood, sigma, rng):
    if likelihood == "gaussian":
        return X @ w + sigma * rng.standard_normal(X.shape[0])
    if likelihood == "logistic":
        return (rng.uniform(size=X.shape[0]) < 1 / (1 + np.exp(-(X @ w)))).astype(float)
    if likelihood == "poisson":
        return rng.poisson(np.exp(1.0 + X @ w)).astype(float)
    raise ValueError(f"unknown likelihood {likelihood!r}")


# ---------------------------------------------------------------------- checks on user data


def as_design(X, feature_names=None, *, sparse_ok=False):
    """Return ``(X as a 2-D float array, feature names)``.

    Accepts numpy arrays, nested lists and pandas DataFrames (whose column names are kept);
    the values are checked by :func:`as_array`.  With ``sparse_ok`` (the MAP) a
    scipy.sparse matrix is kept sparse, as a CSC matrix of floats (:func:`as_sparse_design`)."""
    if sparse_ok and _is_sparse(X):
        X = as_sparse_design(X)
        return X, [f"x{j}" for j in range(X.shape[1])] if feature_names is None else check_names(
            feature_names, X.shape[1], "columns of X")
    names = None
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # pandas DataFrame, without importing pandas
        _check_columns(X)
        names = [str(c) for c in X.columns]
        X = X.to_numpy(dtype=float, na_value=np.nan)  # missing cells become NaN, refused below
    X = as_array(X, "X")
    if X.ndim != 2:
        raise CuspInputError(f"X must be a 2-D array (rows = observations), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise CuspInputError(f"X is empty (shape {X.shape}): give at least one row and one column")
    if feature_names is not None:
        names = feature_names
    if names is None:
        return X, [f"x{j}" for j in range(X.shape[1])]
    return X, check_names(names, X.shape[1], "columns of X")


def as_sparse_design(X):
    """A scipy.sparse design as a CSC matrix of float64, its stored values checked as
    :func:`as_array` checks dense ones.  A canonical CSC float64 matrix is used as it is
    (read, never written); any other is converted into a new one (duplicate entries
    summed), so the caller's matrix is never changed."""
    import scipy.sparse as sp

    if X.ndim != 2:
        raise CuspInputError(f"X must be a 2-D matrix (rows = observations), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise CuspInputError(f"X is empty (shape {X.shape}): give at least one row and one column")
    as_array(X.data, "X (its stored values)")  # the one check of data values
    if X.format == "csc" and X.dtype == np.float64 and X.has_canonical_format:
        return X  # used as it is (cusp never writes into it): no second copy of a large design
    X = sp.csc_matrix(X, dtype=np.float64, copy=True)
    X.sum_duplicates()
    return X


def is_sparse_design(X) -> bool:
    """True for a scipy.sparse design (the MAP takes one; the samplers do not)."""
    return _is_sparse(X)


def check_names(names, count, what) -> list[str]:
    """``names`` (a list, tuple, array or pandas Index of strings or numbers) as a list of
    ``count`` unique strings; ``what`` says what they name (``"columns of X"``, ``"means"``)."""
    if hasattr(names, "tolist") and not isinstance(names, np.ndarray):  # pandas Index or Series
        names = names.tolist()
    if not isinstance(names, (list, tuple, np.ndarray)):
        raise CuspInputError(f"feature_names must be a list of names, one for each of the {what}, got {describe_value(names)}")
    names = np.asarray(names, dtype=object).ravel().tolist() if isinstance(names, np.ndarray) else list(names)
    for name in names:
        if isinstance(name, (bool, np.bool_)) or not isinstance(name, (str, numbers.Real)):
            raise CuspInputError(f"feature_names must be strings (or numbers), got {describe_value(name)}")
    if len(names) != count:
        raise CuspInputError(f"{len(names)} feature names for {count} {what}: give one name each")
    names = [str(n) for n in names]
    if len(set(names)) != len(names):
        raise CuspInputError("feature names must be unique")
    return names


def as_array(value, name) -> np.ndarray:
    """``value`` as a float array of checked data values, or one :class:`CuspInputError`
    saying what to fix.  The one check of every data value cusp takes (``X``, ``y``, the
    normal-means observations): nothing is coerced silently.

    Refused: scipy.sparse matrices; masked arrays with masked entries (their hidden values
    would be used); complex numbers; datetimes and durations; text; ``None`` and other
    objects that are not real numbers; ragged nested lists; NaN and infinities; and
    magnitudes above :data:`~priors.validation.DATA_LIMIT`.  Booleans are 0/1 indicators.
    """
    if _is_sparse(value):
        raise CuspInputError(
            f"{name} is a scipy.sparse matrix (shape {value.shape}): only the MAP takes a sparse design (Model.map, "
            f"map_path); here densify it with {name}.toarray() if it fits in memory")
    if isinstance(value, np.ma.MaskedArray):
        hidden = int(np.count_nonzero(np.ma.getmaskarray(value)))
        if hidden:
            raise CuspInputError(
                f"{name} is a masked array with {hidden} masked entr{'y' if hidden == 1 else 'ies'}: cusp would use "
                f"the hidden values, so fill or drop the masked entries first ({name}.filled(value), or drop the "
                "rows that hold them from X and y alike)")
        value = value.data
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):  # ragged nested lists
        raise CuspInputError(f"{name} has rows of different lengths: every row needs the same number of values") from None
    problem = _dtype_problem(array.dtype)
    if problem == "object":
        array = _object_to_float(array, name)
    elif problem is not None:
        example = f", e.g. {describe_value(array.flat[0].item(), typed=False)}" if problem == "text" and array.size else ""
        raise CuspInputError(f"{name} holds {problem} (dtype {array.dtype}{example}): {_ADVICE[problem]}")
    finite = np.isfinite(array)
    if not finite.all():
        raise CuspInputError(f"{name} has NaN or infinite values ({_where(~finite)}); remove or impute them")
    too_large = np.abs(array) > DATA_LIMIT
    if too_large.any():
        biggest = np.max(np.abs(array))
        raise CuspInputError(
            f"{name} has values too large for cusp (|value| up to {biggest:.3g}, {_where(too_large)}); cusp takes "
            f"data with |value| <= {DATA_LIMIT:g}: rescale it (other units, or standardize)")
    return array.astype(float)


_ADVICE = {
    "complex numbers": "cusp needs real numbers; pass the real part, or real and imaginary parts as separate columns",
    "datetimes": "cusp needs plain numbers; convert them explicitly, e.g. days since a start date "
                 "((t - t0) / np.timedelta64(1, 'D'))",
    "durations": "cusp needs plain numbers; convert them explicitly to a unit, e.g. d / np.timedelta64(1, 's')",
    "text": "cusp needs numbers and never parses text; convert the values explicitly (e.g. float(v)), or encode "
            "categories as 0/1 columns",
    "other": "give real numbers (an array of floats, ints or booleans)",
}


def _dtype_problem(dtype):
    """What is wrong with data of this dtype: None (real numbers or booleans), ``"object"``
    (check the values one by one), or a key of :data:`_ADVICE`.  pandas extension dtypes
    (e.g. Int64) expose their numpy dtype as ``numpy_dtype``."""
    kind = getattr(getattr(dtype, "numpy_dtype", dtype), "kind", None)
    if kind in ("b", "i", "u", "f"):
        return None
    return {"O": "object", "c": "complex numbers", "M": "datetimes", "m": "durations", "U": "text",
            "S": "text"}.get(kind, "other")


def _check_columns(frame):
    """Refuse a DataFrame's columns that do not hold real numbers or booleans, naming them."""
    problems = {str(c): _dtype_problem(t) for c, t in zip(frame.columns, frame.dtypes)}
    bad = [c for c, p in problems.items() if p is not None]
    if bad:
        kinds = sorted({problems[c] for c in bad} & {"complex numbers", "datetimes", "durations"})
        what = f" ({', '.join(kinds)})" if kinds else ""
        advice = "; ".join(_ADVICE[k] for k in kinds) or "encode or drop them"
        raise CuspInputError(f"X has non-numeric columns {bad}{what}: {advice}")


def _object_to_float(array, name):
    """An object array (mixed Python values) as floats, if every value is a real number."""
    for index, v in np.ndenumerate(array):
        if isinstance(v, (bool, np.bool_)) or (isinstance(v, numbers.Real) and not isinstance(v, np.ma.MaskedArray)):
            if not isinstance(v, (bool, np.bool_)) and math.inf != abs(v) > DATA_LIMIT:
                raise CuspInputError(
                    f"{name} has values too large for cusp ({describe_value(v)} at {_at(index)}); cusp takes data with "
                    f"|value| <= {DATA_LIMIT:g}: rescale it (other units, or standardize)")
            continue
        if isinstance(v, (datetime.date, datetime.timedelta, np.datetime64, np.timedelta64)):
            problem = "durations" if isinstance(v, (datetime.timedelta, np.timedelta64)) else "datetimes"
            raise CuspInputError(f"{name} holds {problem} ({describe_value(v)} at {_at(index)}): {_ADVICE[problem]}")
        if isinstance(v, (str, bytes)):
            raise CuspInputError(f"{name} holds text ({describe_value(v)} at {_at(index)}): {_ADVICE['text']}")
        if isinstance(v, numbers.Complex):
            raise CuspInputError(f"{name} holds complex numbers ({describe_value(v)} at {_at(index)}): "
                                 f"{_ADVICE['complex numbers']}")
        if array.ndim == 0:
            raise CuspInputError(f"{name} must be an array of numbers, got {describe_value(v)}")
        raise CuspInputError(f"{name} must hold numbers only; found {describe_value(v)} at {_at(index)}")
    return np.array([float(v) for v in array.flat], dtype=float).reshape(array.shape)


def _at(index) -> str:
    index = tuple(int(i) for i in index)
    if len(index) == 2:
        return f"row {index[0]}, column {index[1]}"
    if len(index) == 1:
        return f"position {index[0]}"
    return f"index {index}"


def _where(bad) -> str:
    """Where the flagged entries of a boolean array are, e.g. ``first at row 3, column 0``."""
    if bad.ndim == 1:
        return f"positions {np.flatnonzero(bad)[:5].tolist()}" if bad.sum() > 1 else f"position {int(np.flatnonzero(bad)[0])}"
    return f"first at {_at(np.argwhere(bad)[0])}" if bad.ndim else "the value itself"


def describe_value(value, limit=60, *, typed=True) -> str:
    """``repr(value)`` on one line, cut to ``limit`` characters, with its type (unless
    ``typed=False``): what a message shows of a value the user passed."""
    text = " ".join(repr(value).split())
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return f"{text} ({type(value).__name__})" if typed else text


def _is_sparse(value) -> bool:
    if not (type(value).__module__ or "").startswith("scipy.sparse"):
        return False  # scipy.sparse is imported only for its own objects
    from scipy.sparse import issparse

    return issparse(value)


def check_lengths(X, y, *, fit_intercept):
    if X.shape[0] != y.shape[0]:
        raise CuspInputError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values: they must match")
    if fit_intercept and X.shape[0] < 2:
        raise CuspInputError("one observation: the intercept alone fits it exactly, so the data say nothing about the "
                             "coefficients; give at least 2 rows (or use fit_intercept=False)")


def column_notes(X, names, prior, *, fit_intercept) -> list[str]:
    """Plain-language notes on columns the data cannot identify, and what the prior does
    with them: all-zero (or, with an intercept, constant) columns and identical columns."""
    notes = []
    if _is_sparse(X):  # the implicit zeros count: scipy's max/min over a column include them
        high, low = X.max(axis=0).toarray().ravel(), X.min(axis=0).toarray().ravel()
        spread = high - low if fit_intercept else np.maximum(np.abs(high), np.abs(low))
    else:
        spread = np.ptp(X, axis=0) if fit_intercept else np.max(np.abs(X), axis=0)
    flat = [names[j] for j in np.flatnonzero(spread == 0)]
    if flat:
        what = "constant" if fit_intercept else "all zero"
        notes.append(
            f"column{'s' if len(flat) > 1 else ''} {shorten_list(flat, quote=True)} {'are' if len(flat) > 1 else 'is'} "
            f"{what}: the likelihood "
            "does not depend on its coefficient, so the MAP puts it at the prior's mode, 0, and its posterior is the prior; "
            "drop such columns")
    for members in _identical_columns(X, np.flatnonzero(spread != 0)):
        notes.append(f"columns {shorten_list([names[j] for j in members], quote=True)} are identical: the likelihood sees only the sum "
                     f"of their coefficients, and the prior decides how it is split ({_split_rule(prior)})")
    return notes


def _identical_columns(X, candidates):
    """Groups (lists of column indices, two or more) of identical columns among
    ``candidates``.  A random projection of each column ranks them; only neighbours
    whose projections agree to rounding are compared in full.  (``np.unique(axis=1)``
    took 0.8 s at 1000 x 5000; this takes milliseconds.)"""
    if candidates.size < 2:
        return []
    signature = (X.T @ np.random.default_rng(0).standard_normal(X.shape[0]))[candidates]  # no copy of X
    order = np.argsort(signature, kind="stable")
    close = np.abs(np.diff(signature[order])) <= 1e-9 * (1.0 + np.abs(signature[order][1:]))
    groups, current = [], [int(candidates[order[0]])]
    for k, is_close in enumerate(close, start=1):
        j = int(candidates[order[k]])
        if is_close and _same_column(X, current[0], j):
            current.append(j)
            continue
        if len(current) > 1:
            groups.append(sorted(current))
        current = [j]
    if len(current) > 1:
        groups.append(sorted(current))
    return groups


def _same_column(X, a, b) -> bool:
    if _is_sparse(X):
        return (X[:, a] != X[:, b]).nnz == 0
    return np.array_equal(X[:, a], X[:, b])


def _split_rule(prior) -> str:
    if prior.convex and prior.is_smooth_at_zero:
        return "this strictly convex penalty splits it equally"
    if prior.convex:
        return "this penalty is linear on each side of 0, so every same-sign split has the same objective: the MAP " \
               "is not unique and cusp returns one of them"
    return "this penalty is not convex, so the fit can depend on where the solver starts, and an equal split can be a " \
           "saddle point rather than a minimum: keep one of the columns"


def shorten_list(items, limit=8, *, quote=False, empty="none") -> str:
    """``a, b, c and 5 more``: the first ``limit`` items (as ``repr`` strings when
    ``quote``, so hostile or blank names stay visible), or ``empty`` for no items."""
    items = [str(x) for x in items]
    if not items:
        return empty
    shown = ", ".join(repr(x) if quote else x for x in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
