"""One function per figure; each takes results (not models) and returns a Figure.

Figures are built as :class:`matplotlib.figure.Figure` objects directly, never through
``pyplot``, so they need no display, hold no global state and are garbage collected
like any object.  :func:`figure_to_svg` and :func:`figure_to_png_data_uri` turn them
into text that a self-contained HTML report can inline.

>>> from priors import gaussian, laplace, horseshoe
>>> fig = plot_prior_densities([gaussian(0.05), laplace(1.0), horseshoe(1.0)])
>>> figure_to_png_data_uri(fig).startswith("data:image/png;base64,")
True
"""

from __future__ import annotations

import base64
import io
import math

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from models import MapPath, MapResult
from priors import CuspInputError, Prior

__all__ = [
    "plot_prior_densities",
    "plot_certificate",
    "plot_coefficients",
    "plot_path",
    "figure_to_svg",
    "figure_to_png_data_uri",
]

ZERO_COLOR = "C3"
NONZERO_COLOR = "C0"
BAND_COLOR = "0.85"


# --------------------------------------------------------------------------- helpers
def _colors(n):
    # The default cycle has 10 colours; beyond that lines would repeat colours and the
    # legend would become ambiguous, so switch to a 20-colour map.
    if n <= 10:
        return [f"C{i}" for i in range(n)]
    cmap = matplotlib.colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def _threshold_text(prior):
    """``threshold 1/scale = 1``, ``threshold 0 (smooth)`` or ``threshold ∞``."""
    thr = prior.zero_threshold
    if thr == 0:
        return "threshold 0 (smooth)"
    if math.isinf(thr):
        return "threshold ∞"
    if math.isclose(thr, 1.0 / prior.scale):
        return f"threshold 1/scale = {thr:g}"
    return f"threshold {thr:g}"


def _density_grid(w_max, n_points):
    """Symmetric grid that excludes 0 (the horseshoe is infinite there) but reaches
    within ``1e-4 * w_max`` of it, so a pole or a kink at 0 is drawn, not skipped."""
    half = n_points // 2
    near = np.geomspace(1e-4 * w_max, w_max, half // 2)
    even = np.linspace(0.0, w_max, half - half // 2 + 1)[1:]
    pos = np.unique(np.concatenate([near, even]))
    return np.concatenate([-pos[::-1], pos])


def _check_result(result):
    if not isinstance(result, MapResult):
        raise CuspInputError(f"expected a MapResult from Model(...).map(X, y), got {type(result).__name__}")


def _figure(figsize, default):
    # constrained layout keeps long feature names and outside legends inside the canvas.
    return Figure(figsize=default if figsize is None else figsize, layout="constrained")


# --------------------------------------------------------------------------- priors
def plot_prior_densities(priors, *, w_max=3.0, n_points=801, penalty=True, title=None, figsize=None):
    """Prior densities near zero (log scale) and, optionally, their penalties.

    Parameters
    ----------
    priors : Prior or sequence of Prior
        One line per prior, labelled by :meth:`Prior.describe`, its density at zero and
        its zero threshold.
    w_max : float, default 3.0
        The densities are drawn on ``[-w_max, w_max]``.
    n_points : int, default 801
        Approximate number of grid points.  The grid never contains 0 (so infinite
        densities such as the horseshoe's can be drawn) but comes within
        ``1e-4 * w_max`` of it.
    penalty : bool, default True
        Add a lower panel with ``penalty(w) = -log p(w) + const``: a kink at 0 (Laplace)
        or a pole (horseshoe) is what makes exact zeros, not the height of ``p(0)``.
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 holds the densities (one labelled line per prior; ``p(0)`` as a marker at
        ``w = 0``, or an arrow marked "∞" when infinite); axes 1 the penalties.
    """
    priors = [priors] if isinstance(priors, Prior) else list(priors)
    if not priors or not all(isinstance(p, Prior) for p in priors):
        raise CuspInputError("priors must be a non-empty list of Prior objects, e.g. [laplace(1.0), gaussian(1.0)]")
    if not (w_max > 0 and math.isfinite(w_max)):
        raise CuspInputError(f"w_max must be a finite positive number, got {w_max!r}")
    if n_points < 8:
        raise CuspInputError(f"n_points must be at least 8, got {n_points!r}")

    w = _density_grid(float(w_max), int(n_points))
    # The legend sits below the axes: one line per prior.
    fig = _figure(figsize, (7.0, (5.2 if penalty else 3.2) + 0.18 * len(priors)))
    axes = fig.subplots(2 if penalty else 1, 1, sharex=True, squeeze=False)[:, 0]
    ax = axes[0]
    colors = _colors(len(priors))
    n_infinite = 0
    peaks, floors, pen_tops, pen_lows = [], [], [], []
    for prior, color in zip(priors, colors):
        with np.errstate(divide="ignore", over="ignore", under="ignore"):
            dens = np.asarray(prior.pdf(w), dtype=float)
        p0 = prior.density_at_zero
        p0_text = "∞" if math.isinf(p0) else f"{p0:.3g}"
        label = f"{prior.describe()}: p(0) = {p0_text}, {_threshold_text(prior)}"
        ax.plot(w, dens, color=color, lw=1.6, label=label)
        good = dens[np.isfinite(dens) & (dens > 0)]
        peaks.append(good.max())
        floors.append(good.min())
        if math.isinf(p0):
            # An infinite density cannot be plotted: an arrow rises from the curve's
            # highest grid value to the top edge; labels stack when several priors
            # have a pole.
            ax.annotate("", xy=(0.0, 1.0), xycoords=("data", "axes fraction"), xytext=(0.0, good.max()),
                        textcoords="data", arrowprops={"arrowstyle": "->", "color": color, "lw": 1.2})
            ax.annotate("p(0) = ∞", xy=(0.0, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(6, -4 - 11 * n_infinite), textcoords="offset points",
                        color=color, fontsize=8, ha="left", va="top")
            n_infinite += 1
        else:
            ax.plot([0.0], [p0], "o", color=color, ms=5, mec="white", mew=0.8, zorder=3, label="_p0")
            peaks.append(p0)
        if penalty:
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                pen = np.asarray(prior.penalty(w), dtype=float)
            axes[1].plot(w, pen, color=color, lw=1.6, label=prior.describe())
            finite = pen[np.isfinite(pen)]
            pen_tops.append(finite.max())
            pen_lows.append(finite.min())

    # Log-scale limits: leave headroom for the "∞" arrows, and do not let a very narrow
    # prior (whose tails underflow to 1e-300) squash every other line into the top band.
    top = 3.0 * max(peaks)
    ax.set_yscale("log")
    ax.set_ylim(max(min(floors) / 2.0, top * 1e-5), top)
    ax.set_ylabel("density p(w), log scale")
    ax.grid(True, which="major", color="0.92")
    ax.set_title(title if title is not None else "Prior densities near zero")
    if penalty:
        pax = axes[1]
        # Cap the range at 3x the median so one very narrow prior does not flatten the rest.
        hi = min(max(pen_tops), 3.0 * float(np.median(pen_tops)))
        lo = min(0.0, min(pen_lows))
        pad = 0.05 * (hi - lo)
        pax.set_ylim(lo - pad, hi + pad)
        pax.axvline(0.0, color="0.6", lw=0.8, ls=":")
        pax.set_ylabel("penalty −log p(w) + c")
        pax.grid(True, color="0.92")
    axes[-1].set_xlabel("w")
    axes[-1].set_xlim(-w_max, w_max)
    fig.legend(handles=[ln for ln in ax.get_lines() if not ln.get_label().startswith("_")],
               loc="outside lower center", ncols=1, fontsize=8, frameon=False)
    return fig


# --------------------------------------------------------------------------- MAP results
def plot_certificate(result, *, title=None, figsize=None):
    """Per-coefficient slope of the negative log-likelihood against the zero threshold.

    A zero ``w_j`` is a (local) MAP iff its slope lies inside ``[-t, t]`` with ``t`` the
    prior's ``zero_threshold``; a non-zero's slope equals ``-penalty'(w_j)``.  The band
    is shaded for a finite ``t > 0`` (Laplace: ``1/b``), a line at 0 for smooth priors
    (``t = 0``: only an exact slope of 0 would allow a zero) and absent for ``t = ∞``,
    which the title states instead.

    Parameters
    ----------
    result : MapResult
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes; points with ``gid`` ``"zero"`` and ``"nonzero"`` at
        ``(slope_j, j)``, the band with ``gid`` ``"threshold-band"`` (or the line
        ``"threshold-line"``), feature ``j`` at ``y = j``.
    """
    _check_result(result)
    cert = result.certificate
    slope = np.asarray(cert.slope, dtype=float)
    is_zero = np.asarray(cert.is_zero, dtype=bool)
    thr = float(cert.threshold)
    p = slope.size
    y = np.arange(p)

    fig = _figure(figsize, (6.8, 1.6 + 0.3 * p))
    ax = fig.subplots()
    if thr == 0:
        ax.axvline(0.0, color="0.45", lw=1.2, gid="threshold-line", label="threshold 0: zero needs slope = 0 exactly")
    elif math.isfinite(thr):
        ax.axvspan(-thr, thr, color=BAND_COLOR, lw=0, gid="threshold-band", label=f"zero allowed: |slope| ≤ {thr:g}")
        ax.axvline(0.0, color="0.6", lw=0.6)
    else:
        ax.axvline(0.0, color="0.6", lw=0.6)
    # Connect each point to 0 so the eye reads the slope as a length against the band.
    ax.hlines(y, 0.0, slope, color="0.7", lw=0.8)
    ax.scatter(slope[~is_zero], y[~is_zero], color=NONZERO_COLOR, s=36, zorder=3, gid="nonzero",
               label=f"non-zero ({int((~is_zero).sum())}): slope = −penalty′(w)")
    ax.scatter(slope[is_zero], y[is_zero], color=ZERO_COLOR, s=36, marker="D", zorder=3, gid="zero",
               label=f"exact zero ({int(is_zero.sum())}): slope at w = 0")
    bad = ~np.asarray(cert.certified, dtype=bool)
    if bad.any():
        # Honesty over looks: flag any coefficient whose optimality condition fails.
        ax.scatter(slope[bad], y[bad], s=140, facecolors="none", edgecolors="black", zorder=4, gid="violated",
                   label=f"condition violated ({int(bad.sum())})")

    ax.set_yticks(y, [str(n) for n in result.feature_names])
    ax.set_ylim(p - 0.5, -0.5)  # first feature on top
    xmax = max(float(np.max(np.abs(slope), initial=0.0)), thr if math.isfinite(thr) else 0.0) or 1.0
    ax.set_xlim(-1.12 * xmax, 1.12 * xmax)
    ax.set_xlabel("slope of −log likelihood, ∂(−log lik)/∂w_j at the MAP")
    ax.grid(True, axis="x", color="0.92")
    ax.set_axisbelow(True)
    head = f"Zero certificate: {result.prior.describe()}, {result.mode}"
    if math.isinf(thr):
        head += "\nthreshold ∞: w = 0 is a local MAP for every coefficient"
    else:
        head += f"\n{_threshold_text(result.prior)}"
    ax.set_title(title if title is not None else head, fontsize=10)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def plot_coefficients(result, *, title=None, figsize=None):
    """MAP coefficients as a lollipop chart; exact zeros are open markers labelled "0.0".

    Non-zeros smaller than 1% of the largest are labelled with their value, so that a
    tiny Gaussian-prior coefficient is not mistaken for an exact zero.

    Parameters
    ----------
    result : MapResult
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes; filled points (``gid`` ``"nonzero"``) at ``(coef_j, j)``, open
        points (``gid`` ``"zero"``) at ``(0, j)`` for exact zeros.
    """
    _check_result(result)
    coef = np.asarray(result.coef, dtype=float)
    is_zero = coef == 0
    p = coef.size
    y = np.arange(p)
    big = float(np.max(np.abs(coef), initial=0.0)) or 1.0

    fig = _figure(figsize, (6.4, 1.5 + 0.3 * p))
    ax = fig.subplots()
    ax.axvline(0.0, color="0.5", lw=0.8)
    ax.hlines(y[~is_zero], 0.0, coef[~is_zero], color=NONZERO_COLOR, lw=2)
    ax.scatter(coef[~is_zero], y[~is_zero], color=NONZERO_COLOR, s=40, zorder=3, gid="nonzero",
               label=f"non-zero ({int((~is_zero).sum())})")
    ax.scatter(np.zeros(int(is_zero.sum())), y[is_zero], facecolors="white", edgecolors=ZERO_COLOR, linewidths=1.6,
               s=48, zorder=3, gid="zero", label=f"exact 0.0 ({int(is_zero.sum())})")
    for j in y[is_zero]:
        ax.annotate("0.0", (0.0, j), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8,
                    color=ZERO_COLOR, gid="zero-label")
    for j in y[~is_zero & (np.abs(coef) < 0.01 * big)]:
        side = 1 if coef[j] >= 0 else -1
        ax.annotate(f"{coef[j]:.2g}", (coef[j], j), xytext=(7 * side, 0), textcoords="offset points",
                    va="center", ha="left" if side > 0 else "right", fontsize=8, color=NONZERO_COLOR)

    ax.set_yticks(y, [str(n) for n in result.feature_names])
    ax.set_ylim(p - 0.5, -0.5)
    ax.set_xlim(-1.18 * big, 1.18 * big)  # room for the "0.0" and value labels
    ax.set_xlabel("MAP coefficient")
    ax.grid(True, axis="x", color="0.92")
    ax.set_axisbelow(True)
    head = f"MAP coefficients: {result.prior.describe()}, {result.mode}\n{int(is_zero.sum())} of {p} exactly 0.0"
    ax.set_title(title if title is not None else head, fontsize=10)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def plot_path(paths, *, title=None, figsize=None):
    """Coefficient paths over the prior scale, one column per prior, with zero counts.

    Parameters
    ----------
    paths : dict of str to MapPath
        E.g. ``{"laplace": ..., "gaussian": ...}``; the key titles the column.
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        Axes ``[0, k]`` (top row): one line per feature against the scale (log x,
        sorted ascending); axes ``[1, k]``: the number of exact zeros (line ``gid``
        ``"n_zeros"``).  Axes are stored row-major in ``fig.axes``.
    """
    if not isinstance(paths, dict) or not paths or not all(isinstance(v, MapPath) for v in paths.values()):
        raise CuspInputError("paths must be a non-empty dict of label -> MapPath (from Model(...).map_path)")
    ncol = len(paths)
    fig = _figure(figsize, (3.6 * ncol + 1.6, 4.6))
    axes = fig.subplots(2, ncol, sharex="col", sharey="row", squeeze=False, height_ratios=[3, 1])
    names = next(iter(paths.values())).feature_names
    colors = _colors(len(names))
    for k, (label, path) in enumerate(paths.items()):
        # map_path keeps the caller's order of scales; lines need them sorted.
        order = np.argsort(path.scales, kind="stable")
        s = np.asarray(path.scales, dtype=float)[order]
        top, bottom = axes[0, k], axes[1, k]
        for j, name in enumerate(path.feature_names):
            top.plot(s, path.coefs[order, j], color=colors[j % len(colors)], lw=1.3, label=str(name))
        top.axhline(0.0, color="0.5", lw=0.6)
        top.set_xscale("log")
        top.set_title(str(label), fontsize=10)
        top.grid(True, color="0.92")
        bottom.plot(s, np.asarray(path.n_zeros)[order], color="black", marker="o", ms=3, lw=1.2,
                    drawstyle="steps-mid", gid="n_zeros")
        bottom.set_ylim(-0.5, len(path.feature_names) + 0.5)
        bottom.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        bottom.set_xlabel("prior scale")
        bottom.grid(True, color="0.92")
    axes[0, 0].set_ylabel("MAP coefficient")
    axes[1, 0].set_ylabel("exact zeros")
    fig.legend(handles=axes[0, 0].get_lines()[: len(names)], loc="outside right upper", fontsize=8,
               frameon=False, title="feature", title_fontsize=8)
    fig.suptitle(title if title is not None else "MAP paths: exact zeros along the prior scale", fontsize=11)
    return fig


# --------------------------------------------------------------------------- export
def figure_to_svg(fig):
    """The figure as an ``<svg>`` element (no XML prolog), ready to inline in HTML.

    The date stamp is dropped and element ids are salted with a fixed string, so the
    same figure always gives the same text (re-rendering a report is reproducible).
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "cusp"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    # The XML declaration and DOCTYPE are invalid inside an HTML document.
    return text[text.index("<svg"):]


def figure_to_png_data_uri(fig, *, dpi=None):
    """The figure as a ``data:image/png;base64,...`` URI for an ``<img src=...>``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : float, optional
        Defaults to the figure's own dpi, so the PNG has the figure's pixel size.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi if dpi is None else dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
