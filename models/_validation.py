"""Checks on user data: one clear CuspInputError per problem, nothing coerced silently."""

from __future__ import annotations

import numpy as np

from priors import CuspInputError


def as_design(X, feature_names=None):
    """Return ``(X as a 2-D float array, feature names)``.

    Accepts numpy arrays and pandas DataFrames (whose column names are kept)."""
    names = None
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # pandas DataFrame, without importing pandas
        non_numeric = [str(c) for c, t in zip(X.columns, X.dtypes) if not _is_numeric(t)]
        if non_numeric:
            raise CuspInputError(f"X has non-numeric columns {non_numeric}: encode or drop them")
        names = [str(c) for c in X.columns]
        X = X.to_numpy(dtype=float)
    X = np.asarray(X)
    if X.ndim != 2:
        raise CuspInputError(f"X must be a 2-D array (rows = observations), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise CuspInputError(f"X is empty (shape {X.shape}): give at least one row and one column")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise CuspInputError(f"X must be real numbers, got dtype {X.dtype}")
    X = X.astype(float)
    if not np.all(np.isfinite(X)):
        rows, cols = np.nonzero(~np.isfinite(X))
        raise CuspInputError(f"X has NaN or infinite values (first at row {rows[0]}, column {cols[0]}); remove or impute them")
    if feature_names is not None:
        names = [str(n) for n in feature_names]
    if names is None:
        names = [f"x{j}" for j in range(X.shape[1])]
    if len(names) != X.shape[1]:
        raise CuspInputError(f"{len(names)} feature names for {X.shape[1]} columns of X")
    if len(set(names)) != len(names):
        raise CuspInputError("feature names must be unique")
    return X, names


def check_lengths(X, y):
    if X.shape[0] != y.shape[0]:
        raise CuspInputError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values: they must match")


def _is_numeric(dtype) -> bool:
    # pandas extension dtypes (e.g. Int64) expose the numpy dtype as ``numpy_dtype``.
    return np.issubdtype(np.dtype(getattr(dtype, "numpy_dtype", dtype)), np.number)
