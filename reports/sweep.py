"""The report of a sweep: one self-contained HTML page rendered from the sweep folder's
stored table (:func:`models.sweep.read_table`) and ``sweep.json``; it never fits.

Sections, each shown when the table has its numbers: the CV curves per prior (mean and
standard error over the folds, the minimum and the one-standard-error choice, and a table
of the choices), the held-out error against the scale (data with test rows, no CV),
exact zeros against the scale, support recovery against the known truth, and the wall
time of each cell.  Failed cells are listed first, with their errors.

>>> from reports.sweep import write_sweep_report  # doctest: +SKIP
>>> write_sweep_report("cusp-sweep")  # doctest: +SKIP
"""

from __future__ import annotations

import os

from priors import CuspInputError

import reports.figures.sweep as SF
from reports.cells import Cell, num
from reports.pages import environment, image, write_page

__all__ = ["render_sweep", "write_sweep_report"]

_LOSSES = ("mse", "log_loss", "deviance")


def _table(name, head, numeric, rows, caption=None):
    return {"name": name, "head": head, "num": numeric, "rows": rows, "caption": caption}


def _choices_table(cv):
    rows = []
    for (dataset, prior, seed, method), curve in cv.groupby(["dataset", "prior", "seed", "method"], sort=False):
        best, one = curve[curve["best"]].iloc[0], curve[curve["one_se"]].iloc[0]
        rows.append([Cell(str(dataset)), Cell(str(prior)), Cell(str(method)), num(int(seed)), num(best["scale"]),
                     num(best["mean"]), num(one["scale"]), num(one["mean"])])
    return _table("cv-choices", ["data set", "prior", "method", "seed", "scale (minimum)", "mean loss", "scale (one SE)",
                                 "mean loss"], [False, False, False, True, True, True, True, True], rows,
                  caption="The scale chosen by cross-validation: the minimum of the mean held-out loss, and the "
                          "strongest prior (smallest scale) within one standard error of it")


def _errors_table(table):
    failed = table[table["metric"] == "error"]
    rows = [[Cell(str(r.cell)[:12]), Cell(str(r.dataset)), Cell(str(r.prior)), Cell(str(r.task)), num(int(r.seed)),
             Cell("" if r.fold is None or str(r.fold) == "<NA>" else str(r.fold)), Cell(str(r.error))]
            for r in failed.itertuples()]
    return _table("errors", ["cell", "data set", "prior", "task", "seed", "fold", "error"],
                  [False, False, False, False, True, False, False], rows)


def render_sweep(table, info) -> str:
    """The page of a sweep: ``table`` (:func:`models.sweep.read_table`) and ``info`` (the
    content of ``sweep.json``, :func:`models.sweep.read_sweep_file`)."""
    from models.sweep.table import cv_summary, replicate_summary

    spec = info.get("spec", {})
    summary = replicate_summary(table)
    cv = cv_summary(table)
    datasets = list(dict.fromkeys(table["dataset"]))
    priors = list(dict.fromkeys(table["prior"]))
    n_cells = int(table["cell"].nunique())
    n_failed = int((table["metric"] == "error").sum())
    seconds = table.loc[table["metric"] == "seconds", "value"]
    setup = [("name", Cell(str(info.get("name", "")))), ("spec hash", Cell(str(info.get("spec_hash", "")))),
             ("likelihood", Cell(str(spec.get("likelihood", "")))), ("data sets", Cell(", ".join(map(str, datasets)))),
             ("priors", Cell(", ".join(map(str, priors)))), ("replicate seeds", num(len(spec.get("seeds", [])))),
             ("folds", Cell(str(spec["cv"]["folds"]) if spec.get("cv") else "none")), ("cells", num(n_cells)),
             ("failed cells", num(n_failed)), ("compute time (sum over cells)", Cell(f"{seconds.sum():.4g} s"))]
    sections = []
    if not cv.empty:
        sections.append({"id": "cv", "title": "Cross-validation curves", "table": _choices_table(cv),
                         "text": "Mean held-out loss over the folds at each prior scale, with a band of one standard error; "
                                 "the star marks the minimum, the diamond the one-standard-error choice.",
                         "image": image(SF.plot_cv_curves(cv), "CV curves: mean held-out loss against the prior scale"),
                         "caption": "Each fold's MAP path is exact (warm-started, every zero certified); the grid is "
                                    "shared by the folds. With several replicate seeds the first is shown; the table "
                                    "lists every seed's choice."})
    losses = [m for m in _LOSSES if m in set(summary["metric"])]
    if losses and cv.empty:
        sections.append({"id": "held-out", "title": "Held-out error", "table": None,
                         "text": "Error on the held-out rows against the prior scale, averaged over the replicate seeds.",
                         "image": image(SF.plot_held_out_error(summary, metric=losses[0]),
                                        "Held-out error against the prior scale"),
                         "caption": "Band: ± 1 standard error over the seeds. Dashed: estimates from the posterior."})
    if "exact_zeros" in set(summary["metric"]):
        sections.append({"id": "zeros", "title": "Exact zeros", "table": None,
                         "text": "How many coefficients are exactly 0.0 at each scale. A prior with a kink or pole at 0 "
                                 "gives exact zeros; a smooth prior's MAP and every posterior mean give none.",
                         "image": image(SF.plot_exact_zeros(summary), "Exact zeros against the prior scale"),
                         "caption": "Mean over folds and seeds."})
    if {"precision", "recall"} <= set(summary["metric"]):
        sections.append({"id": "support", "title": "Support recovery", "table": None,
                         "text": "Precision and recall of the set of non-zero coefficients against the known truth.",
                         "image": image(SF.plot_support_recovery(summary), "Support precision and recall against the "
                                                                            "prior scale"),
                         "caption": "A posterior mean is never exactly 0, so its support is every coefficient."})
    if not seconds.empty:
        sections.append({"id": "time", "title": "Time per cell", "table": None,
                         "text": "Wall time of each cell on its worker (one thread, one BLAS thread).",
                         "image": image(SF.plot_cell_times(table), "Wall time per cell"),
                         "caption": "Timings vary between runs; every other number is identical whatever the number "
                                    "of workers."})
    description = (f"{len(datasets)} data set{'s' if len(datasets) != 1 else ''} × {len(priors)} "
                   f"prior{'s' if len(priors) != 1 else ''}, {n_cells} cells")
    return environment().get_template("sweep.html.j2").render(
        title=f"Sweep: {info.get('name', '')}", description=description, setup=setup, sections=sections,
        errors=_errors_table(table))


def write_sweep_report(folder, *, filename="report.html") -> str:
    """Render the sweep in ``folder`` to ``folder/filename`` (replacing it); returns the path."""
    from models.sweep.table import read_sweep_file, read_table

    info = read_sweep_file(folder)
    if info is None:
        raise CuspInputError(f"{folder} holds no cusp sweep (no sweep.json); run `cusp sweep` first")
    html = render_sweep(read_table(folder), info)
    return write_page(html, os.fspath(folder), filename, True)
