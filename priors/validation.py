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

__all__ = ["check_choices", "check_number", "check_positive", "check_scale", "check_scale_or_zero", "check_probability", "check_whole",
           "check_bool", "check_seed", "SCALE_RANGE", "DATA_LIMIT", "SEED_MAX"]

#: Scales (prior scales, noise sds, slab widths, ...) cusp accepts: wide enough for any
#: unit a user measures in, narrow enough that squares, inverse squares and their products
#: with data inside :data:`DATA_LIMIT` stay finite in double precision (1e50**4 = 1e200),
#: so every number cusp reports is computed, never an overflow.
SCALE_RANGE = (1e-50, 1e50)
#: Largest magnitude of a data value (X, y, a normal-means observation) cusp accepts; see
#: :data:`SCALE_RANGE`.
DATA_LIMIT = 1e50
#: Random seeds are whole numbers in [0, SEED_MAX] (what NumPy and PyMC accept everywhere).
SEED_MAX = 2**32 - 1


def _describe_range(low, high, low_inclusive, high_inclusive, integer=False) -> str:
    def show(bound):
        return str(int(bound)) if integer else f"{bound:g}"

    parts = []
    if low is not None:
        parts.append(f"{'>=' if low_inclusive else '>'} {show(low)}")
    if high is not None:
        parts.append(f"{'<=' if high_inclusive else '<'} {show(high)}")
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
    limits = _describe_range(low, high, low_inclusive, high_inclusive, integer)
    wanted = f"{name} must be {kind}" + (f" {limits}" if limits else "")
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]  # a 0-d array of a real dtype is a number
    # Only real numbers: bools, complex numbers, strings (numpy's too), bytes, dates,
    # durations and arrays are refused, never converted.
    is_real = isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not is_real:
        raise CuspInputError(f"{wanted}, got {_show(value)}")
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):  # an int beyond the float range
        raise CuspInputError(f"{wanted}, got {_show(value)}") from None
    if not math.isfinite(number):
        raise CuspInputError(f"{wanted}, got {_show(value)}")
    if integer:
        if number != int(number):
            raise CuspInputError(f"{wanted}, got {_show(value)}")
        number = int(number)
    too_low = low is not None and (number < low or (number == low and not low_inclusive))
    too_high = high is not None and (number > high or (number == high and not high_inclusive))
    if too_low or too_high:
        raise CuspInputError(f"{wanted}, got {_show(value)}")
    return number


def _show(value, limit=60) -> str:
    """``repr(value)`` on one line and at most ``limit`` characters (an array's repr
    spans lines; a huge int's has hundreds of digits)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} (dtype {value.dtype})"
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_positive(name: str, value) -> float:
    """A finite number > 0 (scales, noise sds, tolerances)."""
    return check_number(name, value, low=0.0)


def check_scale(name: str, value) -> float:
    """A finite number inside :data:`SCALE_RANGE` (prior scales, noise sds)."""
    return check_number(name, value, low=SCALE_RANGE[0], high=SCALE_RANGE[1], low_inclusive=True)


def check_scale_or_zero(name: str, value) -> float:
    """0 (a smoothing switched off: the smoothed Laplace's ``delta = 0`` is the Laplace) or
    a scale inside :data:`SCALE_RANGE`; the message states both."""
    limits = _describe_range(SCALE_RANGE[0], SCALE_RANGE[1], True, True)
    wanted = f"{name} must be 0 or a finite number {limits}, got {_show(value)}"
    try:
        number = check_number(name, value)
    except CuspInputError:
        raise CuspInputError(wanted) from None
    if number == 0:
        return 0.0
    if not SCALE_RANGE[0] <= number <= SCALE_RANGE[1]:
        raise CuspInputError(wanted)
    return number


def check_seed(name: str, value):
    """A random seed: ``None`` (fresh entropy) or a whole number in [0, :data:`SEED_MAX`]."""
    return check_number(name, value, low=0, high=SEED_MAX, low_inclusive=True, integer=True, allow_none=True)


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


def check_choices(text, available, *, what, option, also=()) -> list[str]:
    """Names from a comma-separated list (``"a, b"``), in the order given: at least one,
    each one of ``available``, none twice.  ``what`` names one item (``"prior"``),
    ``option`` the list (``"--priors"``); ``also`` are further accepted words shown in
    the messages (e.g. ``"'all'"``), which the caller handles before this check."""
    choices = ", ".join([*available, *also])
    chosen = [t.strip() for t in str(text).split(",") if t.strip()]
    if not chosen:
        raise CuspInputError(f"{option} is empty; choose from {choices}")
    unknown = [t for t in chosen if t not in available]
    if unknown:
        raise CuspInputError(f"unknown {what} {unknown[0]!r} in {option}; choose from {choices}")
    if len(set(chosen)) != len(chosen):
        raise CuspInputError(f"{option} lists a {what} twice: {text}")
    return chosen
