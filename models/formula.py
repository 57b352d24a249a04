"""Model formulas (``"y ~ bmi + bp + C(sex)"``) to a design matrix, with ``formulae``
(Bambi's formula engine): categorical and text columns are encoded instead of refused,
interactions and transformations as formulae supports them.

cusp fits its own unpenalized intercept, so the formula's ``Intercept`` column is dropped
and becomes ``fit_intercept=True``; ``0 +`` or ``- 1`` in the formula turns it off.
Group-specific terms (``(1|g)``) have no place in these models and are refused."""

from __future__ import annotations

import dataclasses

import numpy as np

from priors import CuspInputError

__all__ = ["FormulaDesign", "design_from_formula"]


@dataclasses.dataclass(frozen=True)
class FormulaDesign:
    """What a formula gives: ``X`` (n, p), ``y`` (n,), the column names, whether the
    formula has an intercept, and one sentence per encoded (non-numeric) term."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list
    fit_intercept: bool
    encodings: list


def design_from_formula(formula, data) -> FormulaDesign:
    """The design of ``formula`` on ``data`` (a pandas DataFrame, or a dict of columns).

    Raises :class:`~priors.CuspInputError` with formulae's reason for a formula it cannot
    read, a missing column, no response, or group-specific terms."""
    import pandas as pd
    from formulae import design_matrices

    if not isinstance(formula, str) or "~" not in formula:
        raise CuspInputError(f"a formula needs a response and terms, e.g. 'y ~ x1 + C(group)'; got {formula!r}")
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    try:
        dm = design_matrices(formula, frame, na_action="error")
    except KeyError as exc:  # a name that is no column
        raise CuspInputError(f"cannot use the formula {formula!r}: {exc.args[0]!r} is not a column of the data; "
                             f"its columns are {', '.join(map(str, frame.columns))}") from None
    except Exception as exc:  # formulae raises many types (ScanError, ParseError, ValueError...)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise CuspInputError(f"cannot use the formula {formula!r}: {reason}") from None
    if dm.response is None:
        raise CuspInputError(f"the formula {formula!r} has no response: write it as 'target ~ terms'")
    if dm.group is not None:
        raise CuspInputError(f"the formula {formula!r} has group-specific terms ('(... | ...)'); cusp's models have "
                             "common effects only")
    common = np.array(np.asarray(dm.common), dtype=float)  # formulae's __array__ takes no dtype
    names, keep, encodings, fit_intercept = [], [], [], False
    column = 0
    for name, term in dm.common.terms.items():
        labels = list(term.labels)
        width = len(labels)
        if term.kind == "intercept":
            fit_intercept = True
        else:
            keep.extend(range(column, column + width))
            names.extend(labels)
            if term.kind != "numeric":
                encodings.append(f"{name} is encoded as {width} column{'s' if width != 1 else ''}: {', '.join(labels)}")
        column += width
    if not names:
        raise CuspInputError(f"the formula {formula!r} has no terms besides the intercept")
    y = np.array(np.asarray(dm.response), dtype=float)
    if y.ndim == 2 and y.shape[1] != 1:
        raise CuspInputError(f"the formula {formula!r} gives {y.shape[1]} response columns; give one")
    return FormulaDesign(common[:, keep], y.reshape(-1), names, fit_intercept, encodings)
