"""The figures of a sweep's report (:mod:`reports.sweep`), drawn from the stored table
and its summaries (:func:`models.sweep.cv_summary`, :func:`models.sweep.table.replicate_summary`);
nothing here fits.

Same conventions as :mod:`reports.figures`: data first, options keyword-only, a
:class:`matplotlib.figure.Figure` built without ``pyplot``; lines carry a ``gid``
(``"<dataset>:<prior>:<method>"``) and the marked choices ``"min:..."`` and ``"1se:..."``.
"""

from __future__ import annotations

import numpy as np

from reports.figures.common import new_figure

__all__ = ["plot_cv_curves", "plot_held_out_error", "plot_exact_zeros", "plot_support_recovery", "plot_cell_times"]

_LOSS_LABEL = {"mse": "held-out mean squared error", "log_loss": "held-out log loss", "deviance": "held-out Poisson deviance"}


def _datasets(frame):
    return list(dict.fromkeys(frame["dataset"]))


def _panels(fig, n_rows, n_cols):
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    return axes


def _legend(ax):
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize="small", frameon=False)


def plot_cv_curves(cv, *, seed=None, figsize=None):
    """K-fold CV curves: the mean held-out loss over the folds against the prior scale
    (log axis), a band of one standard error, one line per prior and method, one panel
    per data set; the minimum (``gid`` ``min:...``, a star) and the one-standard-error
    choice (``1se:...``, a diamond) marked.  ``cv``: :func:`models.sweep.cv_summary`;
    ``seed``: the replicate shown (default: the first)."""
    seed = cv["seed"].iloc[0] if seed is None else seed
    cv = cv[cv["seed"] == seed]
    datasets = _datasets(cv)
    fig = new_figure(figsize, (5.6 * len(datasets), 4.2))
    for ax, dataset in zip(_panels(fig, 1, len(datasets))[0], datasets):
        here = cv[cv["dataset"] == dataset]
        for k, ((prior, method), curve) in enumerate(here.groupby(["prior", "method"], sort=False)):
            curve = curve.sort_values("scale")
            name = prior if method == "map" else f"{prior} ({method})"
            x, m, s = curve["scale"].to_numpy(), curve["mean"].to_numpy(), curve["se"].to_numpy()
            color = f"C{k % 10}"
            ax.fill_between(x, m - s, m + s, color=color, alpha=0.18, lw=0)
            ax.plot(x, m, color=color, lw=1.6, gid=f"{dataset}:{prior}:{method}", label=name)
            best, one = curve[curve["best"]], curve[curve["one_se"]]
            ax.plot(best["scale"], best["mean"], "*", ms=12, color=color, mec="k", mew=0.6,
                    gid=f"min:{dataset}:{prior}:{method}", label=f"{name}: minimum")
            ax.plot(one["scale"], one["mean"], "D", ms=7, color="white", mec=color, mew=1.8,
                    gid=f"1se:{dataset}:{prior}:{method}", label=f"{name}: one-SE choice")
        ax.set_xscale("log")
        ax.set_xlabel("prior scale")
        ax.set_ylabel(_LOSS_LABEL.get(here["metric"].iloc[0], "held-out loss") + " (± 1 SE over folds)")
        ax.set_title(f"{dataset}: {int(here['n_folds'].iloc[0])}-fold CV, seed {seed}")
        _legend(ax)
    return fig


def _metric_panels(summary, metrics, *, ylabels, figsize, title):
    datasets = _datasets(summary)
    fig = new_figure(figsize, (5.6 * len(datasets), 3.8 * len(metrics)))
    axes = _panels(fig, len(metrics), len(datasets))
    for col, dataset in enumerate(datasets):
        for row, metric in enumerate(metrics):
            ax = axes[row][col]
            here = summary[(summary["dataset"] == dataset) & (summary["metric"] == metric)]
            for k, ((prior, method), curve) in enumerate(here.groupby(["prior", "method"], sort=False)):
                curve = curve.sort_values("scale")
                x, m, s = curve["scale"].to_numpy(), curve["mean"].to_numpy(), curve["se"].to_numpy()
                color = f"C{k % 10}"
                if np.isfinite(s).any():
                    ax.fill_between(x, m - s, m + s, color=color, alpha=0.18, lw=0)
                style = "-" if method == "map" else "--"
                ax.plot(x, m, style, marker="o", ms=3, color=color, lw=1.5, gid=f"{metric}:{dataset}:{prior}:{method}",
                        label=prior if method == "map" else f"{prior} ({method})")
            ax.set_xscale("log")
            ax.set_xlabel("prior scale")
            ax.set_ylabel(ylabels[metric])
            ax.set_title(f"{dataset}: {title(metric)}")
            _legend(ax)
    return fig


def plot_held_out_error(summary, *, metric, figsize=None):
    """Held-out loss (``metric``: ``mse``, ``log_loss`` or ``deviance``) against the
    prior scale, averaged over folds and replicate seeds (band: ± 1 SE over seeds), one
    line per prior and method (dashed: posterior-based), one panel per data set."""
    return _metric_panels(summary, [metric], ylabels={metric: _LOSS_LABEL.get(metric, metric) + " (± 1 SE over seeds)"},
                          figsize=figsize, title=lambda m: "held-out error")


def plot_exact_zeros(summary, *, figsize=None):
    """Exact zeros (coefficients equal to 0.0) against the prior scale, one line per
    prior and method: a singular prior's MAP has them, a smooth prior's MAP and any
    posterior mean have none."""
    return _metric_panels(summary, ["exact_zeros"], ylabels={"exact_zeros": "exact zeros (mean over folds and seeds)"},
                          figsize=figsize, title=lambda m: "exact zeros")


def plot_support_recovery(summary, *, figsize=None):
    """Support recovery against the known truth: precision (top) and recall (bottom) of
    the non-zero coefficients against the prior scale, one line per prior and method."""
    return _metric_panels(summary, ["precision", "recall"],
                          ylabels={"precision": "precision of the support", "recall": "recall of the support"},
                          figsize=figsize, title=lambda m: f"support {m}")


def plot_cell_times(table, *, figsize=None):
    """Wall time of each computed cell (seconds, log axis), in the cells' order, coloured
    by task (MAP path or posterior); ``gid`` ``"times:<task>"``."""
    times = table[table["metric"] == "seconds"]
    fig = new_figure(figsize, (8.0, 3.4))
    ax = fig.subplots()
    cells = list(dict.fromkeys(times["cell"]))
    position = {c: i for i, c in enumerate(cells)}
    for k, (task, group) in enumerate(times.groupby("task", sort=False)):
        ax.plot([position[c] for c in group["cell"]], group["value"], "o", ms=3.5, color=f"C{k}", gid=f"times:{task}",
                label=f"{task}: median {np.median(group['value']):.3g} s, total {group['value'].sum():.3g} s")
    ax.set_yscale("log")
    ax.set_xlabel("cell (in the sweep's order)")
    ax.set_ylabel("wall time per cell (s)")
    _legend(ax)
    return fig
