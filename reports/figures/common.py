"""What every figure module shares: the colours of exact zeros, non-zeros and bands, and
the blank constrained-layout Figure each plotting function starts from."""

from __future__ import annotations

from matplotlib.figure import Figure

__all__ = ["ZERO_COLOR", "NONZERO_COLOR", "BAND_COLOR", "new_figure"]

ZERO_COLOR = "C3"
NONZERO_COLOR = "C0"
BAND_COLOR = "0.85"


def new_figure(figsize, default) -> Figure:
    """A pyplot-free Figure of size ``figsize`` (``default`` when None); constrained layout
    keeps long feature names and outside legends inside the canvas."""
    return Figure(figsize=default if figsize is None else figsize, layout="constrained")
