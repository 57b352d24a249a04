"""One figure per study experiment (see :mod:`reports.study`).

Same conventions as :mod:`reports.figures`: each function takes the experiment's data
first, options keyword-only, builds a :class:`matplotlib.figure.Figure` without
``pyplot`` and returns it; key artists carry a ``gid`` so tests can find them.

>>> from reports.study import threshold_law
>>> fig = plot_threshold_law(threshold_law(quick=True))
>>> len(fig.axes)
2
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

from reports.figures.common import BAND_COLOR, NONZERO_COLOR, ZERO_COLOR, new_figure

__all__ = [
    "plot_shrinkage",
    "plot_concentration",
    "plot_singularity",
    "plot_threshold_law",
    "plot_geometry",
    "plot_overfitting",
    "plot_posterior_vs_map",
    "plot_selection",
]

_FAMILY_STYLE = {
    "Gaussian": ("C0", "o"),
    "Student-t (nu=3)": ("C1", "s"),
    "smoothed Laplace (delta=0.01 b)": ("C2", "^"),
    "Laplace": ("C3", "D"),
    "bridge p=0.5": ("C4", "v"),
    "horseshoe (local mode)": ("C5", "P"),
}


# --------------------------------------------------------------------------- 1
def plot_shrinkage(data, *, figsize=None):
    """Experiment 1: MAP, posterior mean, median and P(|w| < eps) against y, one panel
    per statistic, one line per prior; the Laplace MAP's dead zone shaded
    (``gid`` ``"dead-zone"``); lines ``gid`` ``"<stat>:<prior>"``."""
    fig = new_figure(figsize, (11.0, 7.6))
    axes = fig.subplots(2, 2, sharex=True)
    y = data["y"]
    stats = [("map", "MAP (prox)"), ("mean", "posterior mean"), ("median", "posterior median"),
             ("p_near_zero", f"P(|w| < {data['eps']:g} | y)")]
    for ax, (key, name) in zip(axes.ravel(), stats):
        h = data["dead_zone_halfwidth"]
        ax.axvspan(-h, h, color=BAND_COLOR, lw=0, gid="dead-zone", zorder=0,
                   label=f"Laplace MAP dead zone |y| ≤ σ²/b = {h:g}")
        for i, label in enumerate(data["labels"]):
            ax.plot(y, data[key][label], color=f"C{i}", lw=1.6, gid=f"{key}:{label}", label=label)
        if key != "p_near_zero":
            ax.plot(y, y, color="0.6", lw=0.8, ls=":", gid="identity", label="no shrinkage (w = y)")
            ax.axhline(0, color="0.3", lw=0.6)
        ax.set_title(name)
        ax.set_ylabel("estimate of w" if key != "p_near_zero" else "probability")
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel(f"observation y  (y ~ N(w, σ²), σ = {data['sigma']:g})")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8.5)
    return fig


# --------------------------------------------------------------------------- 2
def plot_concentration(data, *, figsize=None):
    """Experiment 2: exact MAP zeros (top) and the smallest |coefficient| (bottom)
    against the density at zero, one column per data set.  The horseshoe (density ∞) is
    drawn at the right edge.  Points ``gid`` ``"zeros:<dataset>:<family>"``."""
    names = list(data["datasets"])
    fig = new_figure(figsize, (11.0, 7.0))
    axes = fig.subplots(2, len(names), squeeze=False)
    for col, ds in enumerate(names):
        d = data["datasets"][ds]
        top, bot = axes[0, col], axes[1, col]
        finite = np.concatenate([r["density"][np.isfinite(r["density"])] for r in d["families"].values()])
        x_inf = finite.max() * 30
        for label, r in d["families"].items():
            color, marker = _FAMILY_STYLE.get(label, ("k", "o"))
            x = np.where(np.isfinite(r["density"]), r["density"], x_inf)
            jitter = 1.0 + 0.06 * (list(d["families"]).index(label) - 2)
            top.plot(x * jitter, r["n_zeros"], color=color, marker=marker, lw=1.2, ms=5, label=label,
                     gid=f"zeros:{ds}:{label}")
            small = np.where(r["smallest_abs"] > 0, r["smallest_abs"], np.nan)
            if r["smooth"]:
                bot.plot(x, small, color=color, marker=marker, lw=1.2, ms=5, label=label, gid=f"smallest:{ds}:{label}")
        ref = d["matched"][0]["density"]
        for ax in (top, bot):
            ax.set_xscale("log")
            ax.axvline(ref, color=ZERO_COLOR, lw=0.8, ls="--", gid="laplace-reference")
            ax.axvline(x_inf / 3, color="0.5", lw=0.6, ls=":")
            ax.grid(alpha=0.3)
        top.text(x_inf, d["n_features"] * 1.02, "∞\n(pole)", ha="center", va="bottom", fontsize=8)
        m100, m1000 = d["matched"][1], d["matched"][2]
        top.annotate(f"Gaussian with {m100['multiple']:g}× and {m1000['multiple']:g}×\nthe Laplace's density:"
                     f" {m100['n_zeros']} and {m1000['n_zeros']} zeros",
                     (m100["density"], m100["n_zeros"]), xytext=(-10, 40), textcoords="offset points", ha="center",
                     fontsize=7.5, arrowprops={"arrowstyle": "->", "color": "0.4"}, gid="matched")
        top.annotate("", (m1000["density"], m1000["n_zeros"]), xytext=(-10 - 0, 40), textcoords="offset points",
                     arrowprops={"arrowstyle": "->", "color": "0.4"})
        top.set_ylim(-0.5, d["n_features"] * 1.2)
        top.set_title(f"{ds}: exact MAP zeros (of {d['n_features']})")
        top.set_ylabel("exact zeros")
        bot.set_yscale("log")
        bot.set_title(f"{ds}: smallest |coefficient| of the smooth priors")
        bot.set_ylabel("min_j |w_j| (never 0)")
        bot.set_xlabel("prior density at zero p(0)  (log scale)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8.5)
    return fig


# --------------------------------------------------------------------------- 3
def plot_singularity(data, *, figsize=None):
    """Experiment 3: against delta (log axis; delta = 0 drawn at the left edge):
    exact zeros (``gid`` ``"n_zeros"``), density at zero (``"density"``) and the
    smallest |coefficient| (``"smallest"``)."""
    fig = new_figure(figsize, (11.0, 3.8))
    axes = fig.subplots(1, 3)
    delta = data["delta"]
    pos = delta > 0
    x0 = delta[pos].min() / 30
    x = np.where(pos, delta, x0)
    a, b, c = axes
    a.plot(x[pos], data["n_zeros"][pos], "o-", color=NONZERO_COLOR, gid="n_zeros", label="δ > 0")
    a.plot(x[~pos], data["n_zeros"][~pos], "D", color=ZERO_COLOR, ms=9, gid="n_zeros-laplace", label="δ = 0 (Laplace)")
    a.set_ylabel("exact MAP zeros")
    a.legend(fontsize=8)
    b.plot(x, data["density"], "o-", color="C2", gid="density")
    b.set_ylabel("density at zero p(0)")
    small = data["smallest_abs"]
    c.plot(x[pos], small[pos], "o-", color=NONZERO_COLOR, gid="smallest")
    c.set_yscale("log")
    c.set_ylabel("smallest |coefficient|")
    c.annotate("δ = 0: exact 0.0", (x0, small[pos].min()), fontsize=8, color=ZERO_COLOR, ha="left")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("smoothing δ  (δ = 0 at left edge)")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Smoothed Laplace, b = {data['b']:g}, diabetes data (σ = {data['sigma']:g})", fontsize=10)
    return fig


# --------------------------------------------------------------------------- 4
def plot_threshold_law(data, *, figsize=None):
    """Experiment 4.  Left: each coefficient's slope at 0 against the band ±1/b
    (``gid`` ``"band"``; points ``"zero"`` / ``"nonzero"``).  Right: |slope at 0| along
    the scale sweep with the curve 1/b (``"threshold-curve"``); crosses mark exact zeros."""
    fig = new_figure(figsize, (11.0, 4.4))
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
    names = data["feature_names"]
    slope = data["slope_at_zero"]
    zero = data["is_zero"]
    yy = np.arange(len(names))
    t = data["threshold"]
    left.axvspan(-t, t, color=BAND_COLOR, gid="band", label=f"|slope| ≤ 1/b = {t:g}: zero")
    left.scatter(slope[~zero], yy[~zero], color=NONZERO_COLOR, s=36, gid="nonzero", label="non-zero MAP")
    left.scatter(slope[zero], yy[zero], color=ZERO_COLOR, marker="D", s=36, gid="zero", label="exact 0.0")
    left.set_yticks(yy, names)
    left.set_xscale("symlog", linthresh=t)
    left.set_xlabel("slope of −log likelihood at w_j = 0")
    left.set_title(f"Laplace b = {data['b']:g}: {int(zero.sum())} zeros, all inside the band")
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    left.grid(alpha=0.3, axis="x")
    s = data["scales"]
    order = np.argsort(s)
    s = s[order]
    sl = np.abs(data["path_slopes"][order])
    zp = data["path_zero"][order]
    for j, name in enumerate(names):
        right.plot(s, sl[:, j], color=f"C{j % 10}", lw=1.2, gid=f"slope:{name}", label=name)
        right.scatter(s[zp[:, j]], sl[zp[:, j], j], color=f"C{j % 10}", marker="x", s=18, zorder=3)
    right.plot(s, 1.0 / s, color="k", lw=2, ls="--", gid="threshold-curve", label="threshold 1/b")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("Laplace scale b")
    right.set_ylabel("|slope at 0|")
    right.set_title("Below the dashed line: exact zero (×); above: non-zero")
    right.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    right.grid(alpha=0.3)
    return fig


# --------------------------------------------------------------------------- 5
def plot_geometry(data, *, figsize=None):
    """Experiment 5.  Top: for each observed point, the line of exact fits and the
    smallest L1, L2 and L0.5 balls touching it (``gid`` ``"line:<pt>"``,
    ``"ball:<norm>:<pt>"``, touching points ``"touch:<norm>:<pt>"``).  Bottom:
    log-posterior contours of a 2-D regression under a Gaussian and a Laplace prior
    with the exact MAP (``"map:gaussian"``, ``"map:laplace"``)."""
    fig = new_figure(figsize, (11.0, 9.2))
    axes = fig.subplots(2, 2)
    colors = {"L1": "C3", "L2": "C0", "L0.5": "C4"}
    powers = {"L1": 1.0, "L2": 2.0, "L0.5": 0.5}
    t = np.linspace(0, 2 * np.pi, 721)
    for ax, (key, pt) in zip(axes[0], data["points"].items()):
        x, yobs = pt["x"], pt["y"]
        R = pt["L1"]["norm"]
        lim = 1.25 * R
        a = np.linspace(-lim, lim, 400)
        ax.plot(a, yobs - x * a, color="k", lw=2, gid=f"line:{key}", label=f"exact fits c = {yobs:g} − {x:g}a")
        for name, p in powers.items():
            r = pt[name]["norm"]
            ca, sa = np.cos(t), np.sin(t)
            rad = r / (np.abs(ca) ** p + np.abs(sa) ** p) ** (1 / p)
            ax.plot(rad * ca, rad * sa, color=colors[name], lw=1.5, gid=f"ball:{name}:{key}",
                    label=f"smallest {name} ball (radius {r:.4g})")
            for f in (0.5, 0.75):
                ax.plot(f * rad * ca, f * rad * sa, color=colors[name], lw=0.6, alpha=0.5)
            if pt[name]["unique"]:
                ax.plot(pt[name]["a"], pt[name]["c"], "o", color=colors[name], ms=7, mec="k", gid=f"touch:{name}:{key}")
        if not pt["L1"]["unique"]:
            lo, hi = pt["L1"]["tie_a_min"], pt["L1"]["tie_a_max"]
            ax.plot([lo, hi], [yobs - x * lo, yobs - x * hi], color="C3", lw=6, alpha=0.35, gid=f"touch:L1:{key}",
                    label="L1 minimizers: a whole segment")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.axvline(0, color="0.6", lw=0.5)
        ax.set_xlabel("slope a")
        ax.set_ylabel("intercept c")
        ax.set_title(f"one point {key}")
        ax.legend(fontsize=7, loc="lower left")
    reg = data["regression"]
    g = reg["grid"]
    for ax, key, label in ((axes[1, 0], "gaussian", f"Gaussian prior s = {reg['s']:.3g}"),
                           (axes[1, 1], "laplace", f"Laplace prior b = {reg['b']:.3g}")):
        lp = reg[f"logpost_{key}"]
        lp = lp - lp.max()
        ax.contour(g, g, lp, levels=-np.array([30, 15, 8, 4, 2, 1, 0.5, 0.1]), cmap="viridis")
        w = reg[f"map_{key}"]
        zero = np.asarray(w) == 0
        ax.plot(w[0], w[1], marker="X" if zero.any() else "o", color=ZERO_COLOR if zero.any() else NONZERO_COLOR,
                ms=11, mec="k", gid=f"map:{key}",
                label=f"MAP ({w[0]:.3g}, {w[1]:.3g})" + (" — exact zero" if zero.any() else ""))
        ax.axhline(0, color="0.5", lw=0.6)
        ax.axvline(0, color="0.5", lw=0.6)
        ax.set_aspect("equal")
        ax.set_xlabel("w1")
        ax.set_ylabel("w2")
        ax.set_title(f"log posterior, {label}")
        ax.legend(fontsize=8, loc="lower left")
    return fig


# --------------------------------------------------------------------------- 6
def plot_overfitting(data, *, figsize=None):
    """Experiment 6: test MSE (``gid`` ``"mse:<family>"``), support precision and recall
    (``"precision:<family>"``, ``"recall:<family>"``) against the prior scale; posterior
    means dashed in their prior's colour."""
    fig = new_figure(figsize, (11.0, 4.3))
    axes = fig.subplots(1, 3)
    colors = {}
    for label, r in data["families"].items():
        # One colour per prior; the posterior mean dashed with open markers beside its MAP.
        prior = label.split(" (")[0]
        color = colors.setdefault(prior, f"C{len(colors)}")
        style = dict(color=color, ls="--", mfc="white") if "posterior mean" in label else dict(color=color, ls="-")
        for ax, key in zip(axes, ("mse", "precision", "recall")):
            values = r["test_mse"] if key == "mse" else r[key]
            ax.plot(r["scales"], values, marker="o", gid=f"{key}:{label}", label=label, **style)
    axes[0].axhline(data["null_test_mse"], color="0.5", ls=":", lw=1, gid="null", label="predict the mean")
    axes[0].axhline(data["oracle_test_mse"], color="k", ls="--", lw=1, gid="oracle", label="true coefficients")
    axes[0].set_yscale("log")
    for ax, t in zip(axes, ("test mean squared error", "support precision", "support recall")):
        ax.set_xscale("log")
        ax.set_xlabel("prior scale (s, b or τ)")
        ax.set_title(t)
        ax.grid(alpha=0.3)
    axes[1].set_ylim(-0.05, 1.05)
    axes[2].set_ylim(-0.05, 1.05)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8)
    return fig


# --------------------------------------------------------------------------- 7
def plot_posterior_vs_map(data, *, figsize=None):
    """Experiment 7: per coefficient and prior, P(|w| < eps | y) (bars, ``gid``
    ``"p_near:<prior>"``) and the fraction of draws exactly 0.0 (``"p_exact:<prior>"``);
    MAP exact zeros are marked with a red diamond (``"map-zero:<prior>"``)."""
    fig = new_figure(figsize, (11.0, 4.8))
    left, right = fig.subplots(1, 2, sharey=True)
    names = data["feature_names"]
    labels = data["labels"]
    yy = np.arange(len(names))
    h = 0.8 / len(labels)
    for i, label in enumerate(labels):
        r = data["priors"][label]
        off = yy - 0.4 + h * (i + 0.5)
        left.barh(off, r["p_near_zero"], height=h, color=f"C{i}", gid=f"p_near:{label}", label=label)
        right.barh(off, r["n_exact_zero"] / r["n_draws"], height=h, color=f"C{i}", gid=f"p_exact:{label}", label=label)
        if r["map_is_zero"] is not None and np.any(r["map_is_zero"]):
            z = r["map_is_zero"]
            left.scatter(np.full(int(z.sum()), -0.04), off[z], marker="D", color=ZERO_COLOR, s=18, zorder=3,
                         gid=f"map-zero:{label}", label=f"{label} MAP exactly 0" if i == 1 else None)
    left.set_yticks(yy, names)
    left.set_xlim(-0.08, 1.02)
    right.set_xlim(-0.02, 1.02)
    left.set_xlabel(f"posterior P(|w| < {data['eps']:g} | y)")
    right.set_xlabel("fraction of posterior draws exactly 0.0")
    left.set_title("near zero: every prior has some mass")
    right.set_title("exactly zero: only the spike-and-slab")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=8)
    left.grid(alpha=0.3, axis="x")
    right.grid(alpha=0.3, axis="x")
    return fig


# --------------------------------------------------------------------------- 8
def plot_selection(data, *, figsize=None):
    """Experiment 8.  Left: support precision and recall on the synthetic data per
    estimate (bars ``gid`` ``"precision:<posterior>"`` / ``"recall:<posterior>"``, the
    Laplace MAP ``"precision:map"`` / ``"recall:map"``).  Middle and right: test MSE per
    estimate on the synthetic and diabetes data (``"mse:<dataset>:<posterior>"``,
    ``"mse:<dataset>:map"``).  The median probability model, not applicable to a
    continuous prior, is labelled so (``gid`` ``"not-applicable"``)."""
    fig = new_figure(figsize, (11.0, 4.6))
    axes = fig.subplots(1, 3)
    names = ["posterior mean", *data["methods"]]
    yy = np.arange(len(names) + 1)  # row 0: the Laplace MAP
    labels = ["Laplace MAP", *names]

    def rows(post):
        return [post["mean"], *(post["methods"][m] for m in data["methods"])]

    syn = data["datasets"]["synthetic"]
    posts = list(syn["posteriors"])
    h = 0.8 / (len(posts) + 1)
    left = axes[0]
    m = syn["map"]
    left.barh(-0.4 + h / 2, m["precision"], height=h / 2, color=ZERO_COLOR, gid="precision:map", label="MAP precision")
    left.barh(-0.4 + h, m["recall"], height=h / 2, color=ZERO_COLOR, alpha=0.45, gid="recall:map", label="MAP recall")
    for i, label in enumerate(posts):
        r = rows(syn["posteriors"][label])
        off = yy[1:] - 0.4 + h * (i + 0.5)
        prec = [x["precision"] if x["applicable"] and np.isfinite(x["precision"]) else 0.0 for x in r]
        rec = [x["recall"] if x["applicable"] else 0.0 for x in r]
        left.barh(off - h / 4, prec, height=h / 2, color=f"C{i}", gid=f"precision:{label}", label=f"{label}: precision")
        left.barh(off + h / 4, rec, height=h / 2, color=f"C{i}", alpha=0.45, gid=f"recall:{label}",
                  label=f"{label}: recall")
    left.set_xlim(0, 1.05)
    left.set_xlabel("support precision / recall")
    left.set_title(f"synthetic (p = {syn['p']}, {syn['k']} true)")
    for ax, ds in zip(axes[1:], ("synthetic", "diabetes")):
        d = data["datasets"][ds]
        ax.barh(0, d["map"]["test_mse"], height=0.6, color=ZERO_COLOR, gid=f"mse:{ds}:map", label="Laplace MAP")
        for i, label in enumerate(d["posteriors"]):
            r = rows(d["posteriors"][label])
            off = yy[1:] - 0.4 + 0.8 / len(d["posteriors"]) * (i + 0.5)
            vals = [x["test_mse"] if x["applicable"] else np.nan for x in r]
            ax.barh(off, vals, height=0.8 / len(d["posteriors"]), color=f"C{i}", gid=f"mse:{ds}:{label}",
                    label=label)
        if ds == "synthetic":
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("test mean squared error (log scale)")
        else:  # the values differ by a few per cent: a linear axis from just below the smallest
            vals = [d["map"]["test_mse"]] + [x["test_mse"] for post in d["posteriors"].values() for x in rows(post)
                                             if x["applicable"]]
            ax.set_xlim(0.97 * min(vals), 1.02 * max(vals))
            ax.set_xlabel("test mean squared error (axis not from 0)")
        ax.set_title(f"{ds}: test error")
    for ax in axes:
        ax.set_yticks(yy, labels if ax is axes[0] else [""] * len(labels))
        ax.invert_yaxis()
        ax.grid(alpha=0.3, axis="x")
        if "mpm" in data["methods"]:
            j = 2 + data["methods"].index("mpm")
            ax.text(0.5, j, "not applicable (no point mass)", transform=ax.get_yaxis_transform(), ha="center",
                    va="center", fontsize=7.5, color="0.35", gid="not-applicable")
    handles, hl = axes[0].get_legend_handles_labels()
    fig.legend(handles, hl, loc="outside lower center", ncol=3, fontsize=8)
    return fig
