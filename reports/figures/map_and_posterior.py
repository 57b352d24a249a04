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
import warnings

import matplotlib
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from models import FitResult, MapPath, MapResult
from priors import CuspInputError, Prior

from reports.cells import threshold_label
from reports.figures.common import BAND_COLOR, NONZERO_COLOR, ZERO_COLOR, new_figure

__all__ = [
    "plot_prior_densities",
    "plot_certificate",
    "plot_coefficients",
    "plot_path",
    "plot_forest",
    "plot_diagnostics",
    "figure_to_svg",
    "figure_to_png_data_uri",
]



# --------------------------------------------------------------------------- helpers
def _colors(n):
    # The default cycle has 10 colours; beyond that lines would repeat colours and the
    # legend would become ambiguous, so switch to a 20-colour map.
    if n <= 10:
        return [f"C{i}" for i in range(n)]
    cmap = matplotlib.colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def _threshold_text(prior):
    """``threshold 1/b = 1``, ``threshold 0 (smooth)`` or ``threshold ∞``."""
    return f"threshold {threshold_label(prior)}"


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


# --------------------------------------------------------------------------- priors
def plot_prior_densities(priors, *, w_max=None, n_points=801, penalty=True, title=None, figsize=None):
    """Prior densities near zero (log scale) and, optionally, their penalties.

    Parameters
    ----------
    priors : Prior or sequence of Prior
        One line per prior, labelled by :meth:`Prior.describe`, its density at zero and
        its zero threshold.
    w_max : float, optional
        The densities are drawn on ``[-w_max, w_max]``; default three times the largest
        prior scale (3 for unit scales), so that a prior of scale 1e-50 or 1e50 is drawn
        where its density is, not on a range where it underflows to 0 or looks flat.
    n_points : int, default 801
        Approximate number of grid points.  The grid never contains 0 (so infinite
        densities such as the horseshoe's can be drawn) but comes within
        ``1e-4 * w_max`` of it.
    penalty : bool, default True
        Add a lower panel with ``penalty(w) = -log p(w) + const``: a kink at 0 (Laplace)
        or a pole (horseshoe) is what makes exact zeros, not the height of ``p(0)``.
        Priors without a penalty (a point mass) have no line there.
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 holds the densities (one labelled line per prior; ``p(0)`` as a marker at
        ``w = 0``, or an arrow marked "∞" when infinite); axes 1 the penalties.  A prior
        whose density underflows to 0 on the whole grid (a scale far below the others')
        gets a legend entry that says so instead of a curve.
    """
    priors = [priors] if isinstance(priors, Prior) else list(priors)
    if not priors or not all(isinstance(p, Prior) for p in priors):
        raise CuspInputError("priors must be a non-empty list of Prior objects, e.g. [laplace(1.0), gaussian(1.0)]")
    if w_max is None:
        w_max = 3.0 * max(float(p.scale) for p in priors)
    if not (w_max > 0 and math.isfinite(w_max)):
        raise CuspInputError(f"w_max must be a finite positive number, got {w_max!r}")
    if n_points < 8:
        raise CuspInputError(f"n_points must be at least 8, got {n_points!r}")

    w = _density_grid(float(w_max), int(n_points))
    # The legend sits below the axes: one line per prior.
    fig = new_figure(figsize, (7.0, (5.2 if penalty else 3.2) + 0.18 * len(priors)))
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
        visible = np.isfinite(dens) & (dens > 0)
        if not visible.any():
            # Underflow on the whole grid: an empty log-scale curve (and max() of nothing)
            # would be all the figure could say; the legend says it in words.
            near = 1e-4 * w_max
            ax.add_line(Line2D([], [], color=color, lw=1.6, ls="--",
                               label=f"{label}; not drawn: its density is below 1e-308 (0 in double precision) "
                                     f"for {near:.3g} <= |w| <= {w_max:.3g}"))
        else:
            # values that underflow to 0 cannot be drawn on a log scale: gaps, not zeros
            ax.plot(w, np.where(visible, dens, np.nan), color=color, lw=1.6, label=label)
            good = dens[visible]
            peaks.append(good.max())
            floors.append(good.min())
        if math.isinf(p0):
            # An infinite density cannot be plotted: an arrow rises from the curve's
            # highest grid value to the top edge; labels stack when several priors
            # have a pole.
            if visible.any():
                ax.annotate("", xy=(0.0, 1.0), xycoords=("data", "axes fraction"), xytext=(0.0, dens[visible].max()),
                            textcoords="data", arrowprops={"arrowstyle": "->", "color": color, "lw": 1.2})
            ax.annotate("p(0) = ∞", xy=(0.0, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(6, -4 - 11 * n_infinite), textcoords="offset points",
                        color=color, fontsize=8, ha="left", va="top")
            n_infinite += 1
        elif p0 > 0:
            ax.plot([0.0], [p0], "o", color=color, ms=5, mec="white", mew=0.8, zorder=3, label="_p0")
            peaks.append(p0)
            floors.append(p0)
        if penalty and prior.has_map_view:
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                pen = np.asarray(prior.penalty(w), dtype=float)
            axes[1].plot(w, pen, color=color, lw=1.6, label=prior.describe())
            finite = pen[np.isfinite(pen)]
            if finite.size:
                pen_tops.append(finite.max())
                pen_lows.append(finite.min())

    # Log-scale limits: leave headroom for the "∞" arrows, and do not let a very narrow
    # prior (whose tails underflow to 1e-300) squash every other line into the top band.
    ax.set_yscale("log")
    if peaks:
        top = 3.0 * max(peaks)
        ax.set_ylim(max(min(floors) / 2.0, top * 1e-5), top)
    ax.set_ylabel("density p(w), log scale")
    ax.grid(True, which="major", color="0.92")
    ax.set_title(title if title is not None else "Prior densities near zero")
    if penalty:
        pax = axes[1]
        if pen_tops:
            # Cap the range at 3x the median so one very narrow prior does not flatten the rest.
            hi = min(max(pen_tops), 3.0 * float(np.median(pen_tops)))
            lo = min(0.0, min(pen_lows))
            pad = 0.05 * (hi - lo) or 1.0  # a flat penalty (all 0) still gets a visible range
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

    fig = new_figure(figsize, (6.8, 1.6 + 0.3 * p))
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

    fig = new_figure(figsize, (6.4, 1.5 + 0.3 * p))
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


def plot_path(paths, *, marks=None, title=None, figsize=None):
    """Coefficient paths over the prior scale, one column per prior, with zero counts.

    Parameters
    ----------
    paths : dict of str to MapPath
        E.g. ``{"laplace": ..., "gaussian": ...}``; the key titles the column.
    marks : dict of str to float, optional
        A scale per column to mark with a dashed vertical line (``gid``
        ``"mark"``), e.g. the scale that was fitted.
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
    fig = new_figure(figsize, (3.6 * ncol + 1.6, 4.6))
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
        if marks and label in marks:
            for ax, gid in ((top, "mark"), (bottom, "mark")):
                ax.axvline(float(marks[label]), color="0.35", lw=1.0, ls="--", gid=gid)
        bottom.grid(True, color="0.92")
    axes[0, 0].set_ylabel("MAP coefficient")
    axes[1, 0].set_ylabel("exact zeros")
    fig.legend(handles=axes[0, 0].get_lines()[: len(names)], loc="outside right upper", fontsize=8,
               frameon=False, title="feature", title_fontsize=8)
    fig.suptitle(title if title is not None else "MAP paths: exact zeros along the prior scale", fontsize=11)
    return fig


# --------------------------------------------------------------------------- posterior
#: Colours for priors in figures that compare them; C3 (red) is kept for exact zeros.
_PRIOR_COLORS = ["C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9", "C7"]


def _prior_colors(n):
    return [_PRIOR_COLORS[i % len(_PRIOR_COLORS)] for i in range(n)]


def as_fits(run_or_fits):
    """``dict label -> FitResult`` from a RunResult, a dict, or one FitResult."""
    if isinstance(run_or_fits, FitResult):
        return {run_or_fits.prior.family: run_or_fits}
    fits = getattr(run_or_fits, "fits", run_or_fits)
    if not isinstance(fits, dict) or not fits or not all(isinstance(f, FitResult) for f in fits.values()):
        raise CuspInputError("expected a RunResult or a non-empty dict of label -> FitResult (from Model(...).fit)")
    names = None
    for label, fit in fits.items():
        if names is None:
            names = fit.feature_names
        elif fit.feature_names != names:
            raise CuspInputError(f"fit {label!r} has other features than the first fit: compare fits of the same data")
    return fits


def coefficient_diagnostics(fit):
    """Per-coefficient ``r_hat`` and bulk / tail ESS of the posterior of ``w``.

    Returns a dict of float arrays over the features (``rhat``, ``ess_bulk``,
    ``ess_tail``).  ``r_hat`` is NaN with a single chain and for a coefficient whose
    draws are all equal (e.g. always exactly 0 under a spike-and-slab prior).
    """
    import arviz as az

    if not isinstance(fit, FitResult):
        raise CuspInputError(f"expected a FitResult from Model(...).fit, got {type(fit).__name__}")
    post = fit.idata.posterior[["w"]]
    p = post.sizes["feature"]
    draws = post["w"].values  # chain, draw, feature
    constant = np.ptp(draws.reshape(-1, p), axis=0) == 0
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # arviz warns on constant or single-chain input
        rhat = az.rhat(post)["w"].values.astype(float) if post.sizes["chain"] > 1 else np.full(p, np.nan)
        out["ess_bulk"] = az.ess(post, method="bulk")["w"].values.astype(float)
        out["ess_tail"] = az.ess(post, method="tail")["w"].values.astype(float)
    rhat[constant] = np.nan
    out["ess_bulk"][constant] = np.nan
    out["ess_tail"][constant] = np.nan
    out["rhat"] = rhat
    return out


def plot_forest(run_or_fits, *, eps=None, title=None, figsize=None):
    """MAP next to the posterior, per coefficient and per prior.

    For every coefficient (one row) and every prior (one colour, offset within the row):
    the 94% highest-density interval as a line, the posterior mean (circle) and median
    (vertical tick), and the MAP (diamond; a red cross when it is exactly 0.0).  Where
    posterior draws are exactly 0.0 (only a point-mass prior such as spike-and-slab can
    do that) their count is written at the right edge of the row.

    Parameters
    ----------
    run_or_fits : RunResult or dict of str to FitResult
        Fits of the same data (same features).
    eps : float, optional
        When given, the band ``|w| < eps`` ("practically zero") is shaded.
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes; feature ``j`` sits at ``y = j`` (first on top), prior ``k`` of ``K`` at
        ``y = j + offset_k``.  Artists per fit label ``L``: ``"hdi:L"`` (LineCollection,
        one segment ``[(low, y), (high, y)]`` per feature), ``"mean:L"``,
        ``"median:L"`` (Line2D over all features), ``"map:L"`` / ``"map-zero:L"``
        (Line2D of the non-zero / exactly-zero MAP coefficients; absent without a MAP),
        texts ``"exact-zero:L"`` (one per feature with exactly-zero draws, text
        ``"n/N draws = 0"``).
    """
    fits = as_fits(run_or_fits)
    if eps is not None and not (eps > 0 and math.isfinite(eps)):
        raise CuspInputError(f"eps must be a finite positive number, got {eps!r}")
    labels = list(fits)
    names = next(iter(fits.values())).feature_names
    p, K = len(names), len(labels)
    step = 0.8 / K
    offsets = (np.arange(K) - (K - 1) / 2) * step
    colors = _prior_colors(K)

    fig = new_figure(figsize, (9.0, 1.9 + max(0.55, 0.2 * K) * p))
    ax = fig.subplots()
    ax.axvline(0.0, color="0.45", lw=0.9, zorder=1)
    if eps is not None:
        ax.axvspan(-eps, eps, color=BAND_COLOR, lw=0, gid="eps-band", zorder=0)
    for j in range(1, p):
        ax.axhline(j - 0.5, color="0.9", lw=0.8, zorder=0)
    handles = []
    for label, off, color in zip(labels, offsets, colors):
        fit = fits[label]
        rows = fit.zero_statistics(eps)
        y = np.arange(p) + off
        lo = np.array([r["hdi_low"] for r in rows])
        hi = np.array([r["hdi_high"] for r in rows])
        ax.hlines(y, lo, hi, color=color, lw=2.2, gid=f"hdi:{label}", zorder=2)
        ax.plot([r["mean"] for r in rows], y, ls="", marker="o", ms=5, color=color, mec="white", mew=0.6,
                gid=f"mean:{label}", zorder=3)
        ax.plot([r["median"] for r in rows], y, ls="", marker="|", ms=11, mew=1.8, color="black",
                gid=f"median:{label}", zorder=3)
        if fit.map is not None:
            coef = np.asarray(fit.map.coef, dtype=float)
            z = coef == 0
            ax.plot(coef[~z], y[~z], ls="", marker="D", ms=6, color=color, mec="black", mew=0.8,
                    gid=f"map:{label}", zorder=4)
            ax.plot(coef[z], y[z], ls="", marker="X", ms=9, color=ZERO_COLOR, mec="white", mew=0.6,
                    gid=f"map-zero:{label}", zorder=5)
        for j, r in enumerate(rows):
            if r["n_exact_zero"] > 0:
                ax.annotate(f"{r['n_exact_zero']}/{r['n_draws']} draws = 0", xy=(1.0, y[j]),
                            xycoords=("axes fraction", "data"), xytext=(4, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=7.5, color=color, gid=f"exact-zero:{label}",
                            annotation_clip=False)
        desc = fit.prior.describe()
        handles.append(Line2D([], [], color=color, lw=2.2, label=desc if desc.startswith(label) else f"{label}: {desc}"))
    handles += [
        Line2D([], [], ls="", marker="o", color="0.4", mec="white", label="posterior mean"),
        Line2D([], [], ls="", marker="|", ms=11, mew=1.8, color="black", label="posterior median"),
        Line2D([], [], ls="", marker="D", color="0.6", mec="black", label="MAP (non-zero)"),
        Line2D([], [], ls="", marker="X", ms=9, color=ZERO_COLOR, mec="white", label="MAP exactly 0.0"),
    ]
    ax.set_yticks(np.arange(p), [str(n) for n in names])
    ax.set_ylim(p - 0.5, -0.5)
    ax.set_xlabel("coefficient w (lines: 94% highest-density interval of the posterior)")
    ax.grid(True, axis="x", color="0.92")
    ax.set_axisbelow(True)
    ax.set_title(title if title is not None else "MAP vs posterior: the MAP can be exactly 0, posterior draws are not",
                 fontsize=10)
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def _rank_histograms(draws, n_bins):
    """Per chain, counts of the pooled ranks of ``draws`` (chain, draw) in ``n_bins`` bins."""
    from scipy.stats import rankdata

    n_chains, n_draws = draws.shape
    ranks = rankdata(draws.ravel(), method="average").reshape(draws.shape)
    edges = np.linspace(0.5, n_chains * n_draws + 0.5, n_bins + 1)
    counts = np.array([np.histogram(ranks[c], bins=edges)[0] for c in range(n_chains)])
    return edges, counts


def plot_diagnostics(fit, *, n_rank=4, title=None, figsize=None):
    """Sampler health of one fit: r_hat and ESS per coefficient, and rank plots.

    Parameters
    ----------
    fit : FitResult
    n_rank : int, default 4
        Rank plots are drawn for this many coefficients, those with the largest r_hat
        first (the ones most likely to show a problem).
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0]``: r_hat per coefficient (points ``gid`` ``"rhat"`` at
        ``(r_hat_j, j)`` for finite values, limit line ``"rhat-limit"`` at 1.01);
        ``fig.axes[1]``: bulk and tail ESS (``"ess-bulk"``, ``"ess-tail"``; line
        ``"ess-limit"`` at 100 per chain); ``fig.axes[2:]``: rank histograms, one per
        chosen coefficient (title = feature name; step patches ``"rank-chain<c>"``
        hold each chain's counts; ``"rank-uniform"`` marks the count expected when the
        chains agree).  The title states the number of divergences.
    """
    from models.posterior import ESS_PER_CHAIN, RHAT_LIMIT

    stats = coefficient_diagnostics(fit)
    if not isinstance(n_rank, (int, np.integer)) or n_rank < 0:
        raise CuspInputError(f"n_rank must be a whole number >= 0, got {n_rank!r}")
    d = fit.diagnostics
    names = fit.feature_names
    p = len(names)
    draws = fit.idata.posterior["w"].values  # chain, draw, feature
    n_chains, n_draws = draws.shape[:2]
    rhat = stats["rhat"]
    # Worst r_hat first; NaN (constant or one chain) last; ties keep the feature order.
    key = np.where(np.isfinite(rhat), -rhat, np.inf)
    chosen = [int(j) for j in np.argsort(key, kind="stable")[: min(int(n_rank), p)]]
    n_cols = max(len(chosen), 1)

    fig = new_figure(figsize, (max(7.6, 2.2 * n_cols), 2.4 + 0.24 * p + (2.3 if chosen else 0.0)))
    top, bottom = (fig.subfigures(2, 1, height_ratios=[1.0 + 0.24 * p, 2.3]) if chosen else (fig, None))
    rax, eax = top.subplots(1, 2, sharey=True)
    y = np.arange(p)
    ok = np.isfinite(rhat)
    rax.axvline(RHAT_LIMIT, color=ZERO_COLOR, lw=1, ls="--", gid="rhat-limit", label=f"limit {RHAT_LIMIT}")
    bad = ok & (rhat > RHAT_LIMIT)
    rax.scatter(rhat[ok], y[ok], color=np.where(bad[ok], ZERO_COLOR, NONZERO_COLOR), s=28, zorder=3, gid="rhat")
    for j in y[~ok]:
        rax.annotate("n/a", (1.0, j), xytext=(0, 0), textcoords="offset points", va="center", ha="center",
                     fontsize=7.5, color="0.4", gid="rhat-na")
    hi = max(RHAT_LIMIT + 0.01, float(np.max(rhat[ok], initial=1.0)) + 0.005)
    lo = min(0.995, float(np.min(rhat[ok], initial=1.0)) - 0.005)
    rax.set_xlim(lo, hi)
    rax.set_yticks(y, [str(n) for n in names])
    rax.set_ylim(p - 0.5, -0.5)
    rax.set_xlabel("r_hat (want ≤ 1.01)")
    rax.grid(True, axis="x", color="0.92")
    rax.set_axisbelow(True)

    limit = ESS_PER_CHAIN * n_chains
    eax.axvline(limit, color=ZERO_COLOR, lw=1, ls="--", gid="ess-limit")
    eok = np.isfinite(stats["ess_bulk"])
    eax.scatter(stats["ess_bulk"][eok], y[eok], color=NONZERO_COLOR, s=28, zorder=3, gid="ess-bulk", label="bulk ESS")
    eax.scatter(stats["ess_tail"][eok], y[eok], color="C1", marker="s", s=22, zorder=3, gid="ess-tail", label="tail ESS")
    top_ess = float(np.nanmax(np.r_[stats["ess_bulk"][eok], stats["ess_tail"][eok], limit]))
    eax.set_xlim(0, 1.08 * top_ess)
    eax.set_xlabel(f"effective sample size (want ≥ {limit}: {ESS_PER_CHAIN} per chain)")
    eax.grid(True, axis="x", color="0.92")
    eax.set_axisbelow(True)
    eax.legend(fontsize=7.5, loc="lower right", framealpha=0.9)

    if chosen:
        n_bins = int(min(20, max(4, n_draws // 10)))
        raxes = bottom.subplots(1, n_cols, sharey=True, squeeze=False)[0]
        chain_colors = _colors(n_chains)
        for ax, j in zip(raxes, chosen):
            edges, counts = _rank_histograms(draws[:, :, j], n_bins)
            for c in range(n_chains):
                ax.stairs(counts[c], edges, baseline=None, color=chain_colors[c], lw=1.4, gid=f"rank-chain{c}",
                          label=f"chain {c}")
            ax.axhline(n_draws / n_bins, color="0.3", lw=0.9, ls=":", gid="rank-uniform")
            ax.set_title(str(names[j]), fontsize=9)
            ax.set_xticks([])
            ax.set_xlabel("rank of draw (all chains)", fontsize=8)
        raxes[0].set_ylabel("draws per bin", fontsize=8)
        raxes[0].set_ylim(bottom=0)
        raxes[0].legend(fontsize=7, loc="lower left", framealpha=0.9)
        bottom.suptitle("Rank plots: flat and overlapping when the chains agree", fontsize=9)

    rmax = float(np.max(rhat[ok])) if ok.any() else float("nan")
    head = (f"Sampler diagnostics: {fit.prior.describe()} — {d.divergences_text}, "
            f"{n_chains} chains × {n_draws} draws, max r_hat {rmax:.3f}")
    fig.suptitle(title if title is not None else head, fontsize=10)
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
