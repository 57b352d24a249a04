"""Argument checks and array plumbing shared by the exact normal-means posteriors.

Every engine here is vectorised over ``y`` and its scale parameters, so the checks are
too: :func:`checked_array` accepts scalars and arrays and, on the first offending element,
lets :func:`priors.validation.check_number` word the refusal, so the messages (and the
:class:`priors.CuspInputError`) are the ones used everywhere else in cusp::

    sigma must be a finite number > 0, got -2.0
"""

from __future__ import annotations

import math

import numpy as np

from priors import CuspInputError, check_number
from priors.validation import DATA_LIMIT, SCALE_RANGE

__all__ = [
    "LOG_SQRT_2PI",
    "checked_array",
    "checked_positive",
    "checked_scale",
    "checked_finite",
    "frozen",
    "set_frozen",
    "ret",
    "sample_shape",
]

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _refuse(name, value, bounds):
    """Raise through :func:`check_number` (its text, its exception)."""
    check_number(name, value, **bounds)
    # check_number accepted what this module refuses: should not happen, but never pass silently
    raise CuspInputError(f"{name} is not valid, got {value!r}")  # pragma: no cover


def checked_array(name, value, *, low=None, high=None, low_inclusive=False, high_inclusive=True):
    """``value`` (a number or an array of numbers) as a float ndarray, every element
    checked as :func:`priors.validation.check_number` would check it (same bounds, same
    message naming the first offending element, same :class:`CuspInputError`)."""
    bounds = dict(low=low, high=high, low_inclusive=low_inclusive, high_inclusive=high_inclusive)
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):  # ragged nesting
        raise CuspInputError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if raw.ndim == 0 and not isinstance(value, np.ndarray):
        # a scalar (or something that is not a number at all): exactly check_number
        return np.asarray(check_number(name, value, **bounds), dtype=float)
    if raw.size == 0:
        _refuse(name, value, bounds)  # check_number refuses an empty array, in its own words
    if raw.dtype.kind not in "iuf":
        # booleans, strings, complex, None ...: check_number refuses each in its own words
        for element in raw.flat:
            check_number(name, element, **bounds)
    try:
        arr = raw.astype(float)
    except (TypeError, ValueError):
        raise CuspInputError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(arr)
        if low is not None:
            bad |= (arr < low) | ((arr == low) & (not low_inclusive))
        if high is not None:
            bad |= (arr > high) | ((arr == high) & (not high_inclusive))
    if np.any(bad):
        _refuse(name, arr.flat[int(np.flatnonzero(bad)[0])].item(), bounds)
    return arr


def checked_positive(name, value):
    """Finite and > 0 elementwise (scales): :func:`priors.check_positive`, vectorised."""
    return checked_array(name, value, low=0.0)


def checked_finite(name, value):
    """Finite elementwise (observations)."""
    return checked_array(name, value)


def checked_scale(name, value):
    """Inside :data:`priors.validation.SCALE_RANGE` elementwise (scales, noise sds):
    :func:`priors.validation.check_scale`, vectorised."""
    return checked_array(name, value, low=SCALE_RANGE[0], high=SCALE_RANGE[1], low_inclusive=True)


def checked_observation(y, sigma, **scales):
    """The normal-means arguments every exact posterior takes, checked once: ``y`` finite
    with ``|y| <= DATA_LIMIT``, ``sigma`` and each prior scale (by keyword, in order)
    inside ``SCALE_RANGE`` (the ranges the MAP accepts, where these engines stay finite)."""
    return [checked_array("y", y, low=-DATA_LIMIT, high=DATA_LIMIT, low_inclusive=True), checked_scale("sigma", sigma),
            *(checked_scale(name, value) for name, value in scales.items())]


def frozen(*arrays):
    """Broadcast to a common shape, copy and make read-only."""
    out = []
    for arr in np.broadcast_arrays(*arrays):
        arr = np.array(arr, dtype=float, copy=True)
        arr.flags.writeable = False
        out.append(arr)
    return out


def set_frozen(obj, **values):
    """Set attributes of a frozen dataclass to read-only arrays."""
    for name, value in values.items():
        value = np.asarray(value)
        value.flags.writeable = False
        object.__setattr__(obj, name, value)


def ret(x):
    """Return a Python float for 0-d results, the array otherwise."""
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def sample_shape(size, batch_shape):
    """``size`` (None, an int or a tuple) prepended to ``batch_shape``."""
    if size is None:
        return tuple(batch_shape)
    if np.ndim(size) == 0:
        return (int(size),) + tuple(batch_shape)
    return tuple(int(s) for s in size) + tuple(batch_shape)
