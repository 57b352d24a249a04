"""Table cells and the wording of numbers that every page shares.

A :class:`Cell` is what a template's ``td`` macro shows: display text, the full-precision
value for ``data-value`` and a CSS class.  :func:`fmt` is the one number format of the
pages (4 significant digits, ``0`` for zero, ``∞``, ``n/a``), :func:`num` a numeric cell.

>>> num(1234.5678)
Cell(text='1235', value='1234.5678', cls='')
>>> map_cell(0.0).text
'0 (exact)'
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from models.data import shorten_list
from models.results import threshold_label as _threshold_label

__all__ = ["Cell", "fmt", "full_value", "num", "map_cell", "threshold_label", "threshold_cell", "names"]


class Cell(NamedTuple):
    """A table cell: display text and the full-precision value (``data-value``)."""

    text: str
    value: str | None = None
    cls: str = ""


def fmt(x) -> str:
    """4 significant digits; ``0`` for zero, ``∞`` for infinity, ``n/a`` for NaN."""
    if x is None:
        return "—"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return f"{int(x):d}"
    x = float(x)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    return f"{x:.4g}"


def full_value(x) -> str | None:
    """The ``data-value`` of a number: the integer, or the ``repr`` of the float."""
    if x is None:
        return None
    if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
        return str(int(x))
    return repr(float(x))


def num(x, cls="") -> Cell:
    """A numeric cell: :func:`fmt` text, :func:`full_value` value."""
    return Cell(fmt(x), full_value(x), cls)


def map_cell(x) -> Cell:
    """A MAP coefficient: ``0 (exact)`` (class ``exact``) for an exact zero, else :func:`num`."""
    x = float(x)
    return Cell("0 (exact)", repr(x), "exact") if x == 0 else num(x)


def threshold_label(prior) -> str:
    """A prior's zero threshold in words: ``0 (smooth)``, ``∞``, ``1/b = 2`` or the number."""
    return _threshold_label(prior, fmt)


def threshold_cell(prior) -> Cell:
    """:func:`threshold_label` with the threshold's full value."""
    return Cell(threshold_label(prior), repr(float(prior.zero_threshold)))


def names(items, limit=12) -> str:
    """``a, b, c and 5 more`` (``none`` for no names)."""
    return shorten_list(items, limit)
