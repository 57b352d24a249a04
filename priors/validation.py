"""One rule for every parameter a user sets: constraints declared once, one message format,
one exception type (:class:`priors.errors.CuspInputError`).

Priors, likelihoods, model settings, the exact posteriors and the command line all call
:func:`check_number` (or its shorthands), so "finite and > 0" is written once and every
message reads the same::

    laplace scale must be a finite number > 0, got -1.0

>>> check_number("tol", 1e-9, low=0, high=1e-2, high_inclusive=False)
1e-09
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import CuspInputError

__all__ = ["check_number", "check_positive", "check_probability", "check_whole", "check_bool"]


def _describe_range(low, high, low_inclusive, high_inclusive) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>=' if low_inclusive else '>'} {low:g}")
    if high is not None:
        parts.append(f"{'<=' if high_inclusive else '<'} {high:g}")
    return " and ".join(parts)


def check_number(name: str, value, *, low=None, high=None, low_inclusive=False, high_inclusive=True,
                 integer=False, allow_none=False):
    """Return ``value`` as a float (an int with ``integer=True``), or raise one
    :class:`CuspInputError` saying what is wrong and what is allowed.

    Parameters
    ----------
    name : str
        How the message names the parameter (``"laplace scale"``, ``"--draws"``).
    value
        A real number; booleans, complex numbers, strings and arrays are refused, never
        coerced (``True`` is not a scale).
    low, high : float, optional
        Bounds; ``low_inclusive`` / ``high_inclusive`` say whether they are allowed.
    integer : bool
        Require a whole number (returned as ``int``).
    allow_none : bool
        Let ``None`` through (returned as ``None``).
    """
    if value is None and allow_none:
        return None
    kind = "a whole number" if integer else "a finite number"
    limits = _describe_range(low, high, low_inclusive, high_inclusive)
    wanted = f"{name} must be {kind}" + (f" {limits}" if limits else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray, np.generic)):
        raise CuspInputError(f"{wanted}, got {value!r}")
    if isinstance(value, np.ndarray):
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            raise CuspInputError(f"{wanted}, got {value!r}")
        value = value.item()
    number = float(value)
    if not math.isfinite(number):
        raise CuspInputError(f"{wanted}, got {value!r}")
    if integer:
        if number != int(number):
            raise CuspInputError(f"{wanted}, got {value!r}")
        number = int(number)
    too_low = low is not None and (number < low or (number == low and not low_inclusive))
    too_high = high is not None and (number > high or (number == high and not high_inclusive))
    if too_low or too_high:
        raise CuspInputError(f"{wanted}, got {value!r}")
    return number


def check_positive(name: str, value) -> float:
    """A finite number > 0 (scales, noise sds, tolerances)."""
    return check_number(name, value, low=0.0)


def check_probability(name: str, value) -> float:
    """A number strictly between 0 and 1."""
    return check_number(name, value, low=0.0, high=1.0, high_inclusive=False)


def check_whole(name: str, value, *, low=1) -> int:
    """A whole number >= ``low`` (draws, chains, iterations)."""
    return check_number(name, value, low=low, low_inclusive=True, integer=True)


def check_bool(name: str, value) -> bool:
    """``True`` or ``False`` (numpy booleans too); anything else is refused."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise CuspInputError(f"{name} must be True or False, got {value!r}")
