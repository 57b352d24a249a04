"""Figures of sparse decisions from a posterior: the DSS path and the projection path.

Each function takes a stored :class:`models.selection.Selection` (its ``path``), never a
posterior to recompute, and returns a Figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from models.selection import Selection
from priors import CuspInputError

from reports.figures.common import ZERO_COLOR, new_figure

__all__ = ["plot_dss_path", "plot_projection_path"]


def _check(selection, method, keys):
    if not isinstance(selection, Selection) or selection.method != method:
        raise CuspInputError(f"expected a {method} Selection (FitResult.select({method!r}))")
    if selection.path is None or any(k not in selection.path for k in keys):
        raise CuspInputError(f"this {method} selection holds no path (it was made at a fixed setting)")
    return {k: np.asarray(selection.path[k]) for k in keys}


def plot_dss_path(selection, *, title=None, figsize=None):
    """DSS coefficients along the penalty, and the posterior loss that picks the point.

    Parameters
    ----------
    selection : Selection
        ``method="dss"`` made with ``alpha=None`` (it then holds its path).
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        ``axes[0]``: each coefficient's DSS value against ``alpha`` (log x, large
        ``alpha`` left, so coefficients enter from the left); ``axes[1]``: the posterior
        mean loss of each point (line ``gid="loss"``) and the upper end of the full
        model's interval (``gid="interval"``).  The chosen ``alpha`` is a dashed line
        (``gid="chosen"``) on both.
    """
    p = _check(selection, "dss", ("alphas", "coefs", "loss", "full_loss", "chosen"))
    fig = new_figure(figsize, (6.4, 4.6))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    alphas = p["alphas"].astype(float)
    for j, name in enumerate(selection.feature_names):
        top.plot(alphas, p["coefs"][:, j], lw=1.2, label=str(name))
    top.axhline(0.0, color="0.5", lw=0.6)
    top.set_ylabel("DSS coefficient")
    top.grid(True, color="0.92")
    bottom.plot(alphas, p["loss"], color="black", marker="o", ms=2.5, lw=1.0, gid="loss", label="mean loss")
    bottom.axhline(float(p["full_loss"][2]), color=ZERO_COLOR, ls=":", lw=1.2, gid="interval",
                   label="full model: interval's upper end")
    bottom.set_yscale("log")
    bottom.set_ylabel("posterior loss")
    bottom.set_xlabel("alpha (DSS penalty)")
    bottom.grid(True, color="0.92")
    bottom.legend(fontsize=7, frameon=False)
    chosen = float(alphas[np.flatnonzero(p["chosen"])[0]])
    for ax in (top, bottom):
        ax.set_xscale("log")
        ax.axvline(chosen, color="0.3", ls="--", lw=1.0, gid="chosen")
    top.invert_xaxis()
    if len(selection.feature_names) <= 20:
        top.legend(fontsize=7, frameon=False, ncol=2, loc="upper left")
    fig.suptitle(title if title is not None else f"DSS path: {selection.n_selected} kept at alpha = {chosen:.3g}",
                 fontsize=11)
    return fig


def plot_projection_path(selection, *, title=None, figsize=None):
    """ELPD of each projected submodel size against the reference, with the suggested size.

    Parameters
    ----------
    selection : Selection
        ``method="projection"``.
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes: ``elpd_diff`` (submodel minus reference) per size with ±1 standard
        error (``gid="elpd_diff"``), the zero line of the reference (``gid="reference"``)
        and the suggested size dashed (``gid="suggested"``); the x tick labels name the
        feature added at each step.
    """
    p = _check(selection, "projection", ("sizes", "elpd_diff", "elpd_diff_se", "order"))
    fig = new_figure(figsize, (6.4, 3.6))
    ax = fig.subplots()
    sizes = p["sizes"].astype(int)
    diff, se = p["elpd_diff"].astype(float), p["elpd_diff_se"].astype(float)
    ax.errorbar(sizes, diff, yerr=se, color="black", marker="o", ms=3, lw=1.0, capsize=2, gid="elpd_diff")
    ax.axhline(0.0, color="0.5", lw=0.8, gid="reference")
    size = selection.n_selected
    ax.axvline(size, color=ZERO_COLOR, ls="--", lw=1.0, gid="suggested")
    order = [str(selection.feature_names[j]) for j in p["order"].astype(int)]
    ax.set_xticks(sizes, ["none"] + [f"+{name}" for name in order][: sizes.size - 1], rotation=60, ha="right",
                  fontsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.set_xlabel("submodel (features added in search order)")
    ax.set_ylabel("ELPD difference to the reference")
    ax.grid(True, color="0.92")
    fig.suptitle(title if title is not None else f"Projection: suggested size {size}", fontsize=11)
    return fig
