"""HTML reports: one self-contained page per run, readable with or without its figures.

A page holds everything it shows: CSS inline, figures as PNG ``data:`` URIs, no script
and no URL to anything outside the file, so it can be mailed, archived or projected
offline.  Pages are rendered with Jinja2 templates (``reports/templates/*.html.j2``)
with autoescaping on: titles, descriptions and feature names are text, never markup.

Every table cell that shows a result number carries ``data-value`` with the full
``repr`` of that number, and its row / table carry ``data-feature``, ``data-key``,
``data-table`` and ``data-fit`` attributes, so the page can be checked against the
results it was made from.

Rendering never samples nor solves: it reads the fits (MAP, draws, data, and the MAP
paths computed when fitting and stored with each fit).

>>> from reports.html import render_index
>>> "<table" in render_index([("Diabetes", "diabetes/index.html", "Laplace vs Gaussian")], title="Runs")
True
"""

from __future__ import annotations

import math
import numbers
import os
import re

import numpy as np

from models.fit import HDI_PROB
from models.fit import PATH_FACTORS as PATH_FACTORS  # re-exported: the factors of the stored paths
from models.posterior import ESS_PER_CHAIN, RHAT_LIMIT
from priors import CuspInputError

import reports.figures.map_and_posterior as F
from reports.decisions import decisions_context, decisions_narrative
from reports.cells import Cell, fmt, map_cell, names, num, threshold_cell, threshold_label
from reports.pages import environment, image, target, write_page

__all__ = ["render_run", "render_index", "write_report", "write_index"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# --------------------------------------------------------------------------- words
def _who(label, prior) -> str:
    """``laplace(scale=1)`` for a fit labelled ``laplace``, else ``label (prior)``."""
    desc = prior.describe()
    return desc if desc.startswith(str(label)) else f"{label} ({desc})"


def _plural(n, word, many=None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


# The path functions below name these as they did before reports.cells / reports.pages.
_num, _image = num, image


# --------------------------------------------------------------------------- paths
def _compute_paths(run):
    """``(paths, marks, skipped)``: the MAP paths stored with each fit that has a MAP
    (computed when fitting, never solved here), the fitted scales, and ``label ->
    reason`` for fits with a MAP but no stored path (or one over other scale factors)."""
    paths, marks, skipped = {}, {}, {}
    factors = None
    for label, fit in run.fits.items():
        if fit.map is None:
            continue
        if fit.path is None:
            skipped[label] = ("no MAP path is stored with this fit (fit it with path_factors=PATH_FACTORS, "
                              "as the model scripts do)")
            continue
        if factors is None:
            factors = fit.path_factors
        elif not np.array_equal(fit.path_factors, factors):
            skipped[label] = "its stored path is over other factors of the prior scale than the other fits' paths"
            continue
        paths[label] = fit.path
        marks[label] = fit.prior.scale
    return paths, marks, skipped


# --------------------------------------------------------------------------- narrative
def _map_sentence(label, fit, laplace_density):
    res, prior = fit.map, fit.prior
    p = res.coef.size
    k = res.n_zeros
    zero_names = [n for n, w in zip(res.feature_names, res.coef) if w == 0]
    thr = float(prior.zero_threshold)
    head = f"{_who(label, prior)}: the {res.mode} has {k} exact zeros of {p}"
    head += f" ({names(zero_names)})." if k else "."
    cert = res.certificate
    uncertified = [n for n, z, c in zip(res.feature_names, cert.is_zero, cert.certified) if z and not c]
    if thr == 0:
        small = float(np.min(np.abs(res.coef))) if p else float("nan")
        text = (f"{head} The prior is smooth at 0 (zero threshold 0): a zero would need the slope of "
                f"−log likelihood at 0 to be exactly 0, which data never give.")
        if k == 0 and p:
            text += f" The smallest |coefficient| is {fmt(small)}: small, but not 0.0."
        d0 = prior.density_at_zero
        if laplace_density and math.isfinite(d0) and d0 > laplace_density:
            text += (f" This holds although its density at 0 is {d0 / laplace_density:.3g} times the Laplace's: "
                     "exact zeros come from a kink at 0, not from concentration.")
        return text
    if math.isinf(thr):
        text = (f"{head} Its density is infinite at 0 (zero threshold ∞), so w = 0 is a local MAP for every "
                "coefficient whatever the data; the global MAP is degenerate.")
        if res.mode != "global MAP":
            text += f" Reported here: the {res.mode}, labelled as such."
        return text
    if k == 0:
        return (f"{head} No coefficient is zero at this scale: every |slope at 0| exceeds the threshold "
                f"{threshold_label(prior)}; a smaller b (see the paths) zeroes some.")
    margins = np.asarray(cert.margin, dtype=float)[np.asarray(cert.is_zero, dtype=bool)]
    text = (f"{head} Each zero is certified by |slope at 0| ≤ threshold "
            f"{threshold_label(prior)} (smallest margin {fmt(float(np.min(margins)))}): an inequality, so small "
            "changes of the data keep these zeros.")
    if uncertified:
        text += f" NOT certified: {names(uncertified)} (the solver did not converge there)."
    return text


def _narrative(run, stats, diags):
    items = []
    # The reference for "times the density at 0": a fit whose prior has a finite kink at 0
    # (a finite, non-zero zero threshold, as the Laplace's 1/b), asked of the prior.
    laplace_density = next((f.prior.density_at_zero for f in run.fits.values()
                            if 0 < f.prior.zero_threshold < math.inf and math.isfinite(f.prior.density_at_zero)), None)
    for label, fit in run.fits.items():
        if fit.map is not None:
            items.append(_map_sentence(label, fit, laplace_density))
        else:
            items.append(f"{_who(label, fit.prior)}: no MAP is reported ({_no_map_reason(fit)}).")
    continuous, with_zero = [], []
    for label in run.fits:
        n0 = sum(r["n_exact_zero"] for r in stats[label])
        (with_zero if n0 else continuous).append(label)
    if continuous:
        n_draws = stats[continuous[0]][0]["n_draws"] if stats[continuous[0]] else 0
        items.append(
            f"Posterior: under {names(continuous)} no posterior draw of any coefficient is exactly 0.0 "
            f"({n_draws} draws each): a continuous prior gives P(w = 0 | y) = 0, even where the MAP is exactly 0."
        )
    for label in with_zero:
        rows = stats[label]
        parts = [f"{r['feature']} {fmt(r['p_exact_zero'])}" for r in rows]
        n0 = sum(r["n_exact_zero"] for r in rows)
        items.append(
            f"Posterior: under {_who(label, run.fits[label].prior)} {n0} draws are exactly 0.0 (a point mass at 0); "
            f"P(w = 0 | y) per coefficient: {', '.join(parts)}."
        )
    bad = [label for label in run.fits if diags[label].warnings]
    if bad:
        items.append(f"Sampler warnings for {names(bad)}: their posterior numbers are less reliable (see the warnings above).")
    return items


def _no_map_reason(fit):
    reason = getattr(fit.prior, "no_map_reason", "")
    return reason or "this prior has no MAP view"


# --------------------------------------------------------------------------- context
def _map_context(label, fit):
    res = fit.map
    cert = res.certificate
    rows = []
    for r in res.rows():
        if r["is_zero"]:
            verdict = ("zero: certified", "ok") if r["certified"] else ("zero: NOT certified", "bad")
            margin = num(r["margin"])
        else:
            verdict = ("non-zero: stationary", "ok") if r["certified"] else ("non-zero: NOT stationary", "bad")
            margin = Cell("—")
        rows.append({
            "feature": r["feature"],
            "zero": r["is_zero"],
            "cells": [
                ("map", map_cell(r["coef"])),
                ("abs_slope", num(abs(r["slope_at_solution"]))),
                ("threshold", threshold_cell(fit.prior)),
                ("margin", margin),
            ],
            "verdict": verdict,
        })
    facts = [
        ("mode", Cell(res.mode)),
        ("exact zeros", Cell(f"{res.n_zeros} of {res.coef.size}", str(res.n_zeros))),
        ("intercept", num(res.intercept)),
        ("objective", num(res.objective)),
        ("converged", Cell(f"{'yes' if res.converged else 'NO'} ({res.message})")),
        ("largest violation / tolerance", Cell(f"{fmt(cert.max_violation)} / {fmt(cert.tol)}")),
    ]
    if cert.duality_gap is not None:
        facts.append(("duality gap", num(cert.duality_gap)))
    thr = cert.threshold
    alt_cert = (f"Zero certificate for {label}: for each coefficient, the slope of −log likelihood "
                f"({'at 0 for zeros' if res.n_zeros else 'at the MAP'}) against the zero threshold {fmt(thr)}; "
                f"{res.n_zeros} of {res.coef.size} coefficients are exactly 0.")
    alt_coef = (f"MAP coefficients for {label} as a lollipop chart; exact zeros "
                f"({names([n for n, w in zip(res.feature_names, res.coef) if w == 0])}) are open red circles labelled 0.0.")
    return {
        "rows": rows,
        "facts": facts,
        "notes": list(res.notes),
        "figures": [
            image(F.plot_certificate(res), alt_cert),
            image(F.plot_coefficients(res), alt_coef),
        ],
    }


def _posterior_context(fit, rows):
    out = []
    for r in rows:
        out.append({
            "feature": r["feature"],
            "zero": bool(r["map_is_zero"]),
            "cells": [
                ("map", map_cell(r["map"]) if r["map"] is not None else Cell("—")),
                ("mean", num(r["mean"])),
                ("median", num(r["median"])),
                ("hdi_low", num(r["hdi_low"])),
                ("hdi_high", num(r["hdi_high"])),
                ("p_positive", num(r["p_positive"])),
                ("p_near_zero", num(r["p_near_zero"])),
                ("n_exact_zero", Cell(f"{r['n_exact_zero']} of {r['n_draws']}", str(r["n_exact_zero"]),
                                      "exact" if r["n_exact_zero"] else "")),
                ("p_exact_zero", num(r["p_exact_zero"], "exact" if r["n_exact_zero"] else "")),
            ],
        })
    return out


def _diagnostics_context(label, fit):
    d = fit.diagnostics
    per = F.coefficient_diagnostics(fit)
    rows = []
    for j, name in enumerate(fit.feature_names):
        rhat, bulk, tail = per["rhat"][j], per["ess_bulk"][j], per["ess_tail"][j]
        limit = ESS_PER_CHAIN * d.n_chains
        rows.append({
            "feature": name,
            "cells": [
                ("rhat", num(rhat, "bad" if rhat > RHAT_LIMIT else "")),
                ("ess_bulk", num(bulk, "bad" if bulk < limit else "")),
                ("ess_tail", num(tail, "bad" if tail < limit else "")),
            ],
        })
    facts = [
        ("chains × draws", Cell(f"{d.n_chains} × {d.n_draws}")),
        ("divergences", num(d.n_divergent, "bad" if d.n_divergent else "") if d.n_divergent is not None
         else Cell(d.divergences_text)),
        ("max r_hat", num(d.max_rhat, "bad" if d.max_rhat > RHAT_LIMIT else "")),
        ("min bulk ESS", num(d.min_ess_bulk)),
        ("min tail ESS", num(d.min_ess_tail)),
        ("draws at max tree depth", num(d.n_max_treedepth, "bad" if d.n_max_treedepth else "")),
    ]
    alt = (f"Sampler diagnostics for {label}: r_hat and effective sample size per coefficient with the limits "
           f"{RHAT_LIMIT} and {ESS_PER_CHAIN} per chain, and rank plots; {d.divergences_text}.")
    return {"rows": rows, "facts": facts, "warnings": list(d.warnings),
            "figure": image(F.plot_diagnostics(fit), alt)}


def _overview_row(label, fit, rows):
    prior = fit.prior
    p = len(rows)
    total = sum(r["n_draws"] for r in rows)
    n0 = sum(r["n_exact_zero"] for r in rows)
    d0 = prior.density_at_zero
    if fit.map is None:
        zeros_cell = Cell("no MAP")
    else:
        zeros_cell = Cell(f"{fit.map.n_zeros} of {p}", str(fit.map.n_zeros), "exact" if fit.map.n_zeros else "")
    warn = fit.diagnostics.warnings
    return {
        "label": label,
        "anchor": f"fit-{label}",
        "prior": prior.describe(),
        "cells": [
            ("density_at_zero", num(d0)),
            ("threshold", threshold_cell(prior)),
            ("map_zeros", zeros_cell),
            ("draws_exact_zero", Cell(f"{n0} of {total}", str(n0), "exact" if n0 else "")),
            ("sampler", Cell("OK" if not warn else _plural(len(warn), "warning"), str(len(warn)), "bad" if warn else "ok")),
        ],
    }


def _check_run(run):
    fits = getattr(run, "fits", None)
    if not isinstance(fits, dict) or not fits or not all(hasattr(f, "zero_statistics") for f in fits.values()):
        raise CuspInputError("expected a RunResult with at least one fit (models.runs.RunResult or load_run(folder))")


def _run_context(run, eps, paths):
    _check_run(run)
    if eps is not None and not (isinstance(eps, numbers.Real) and not isinstance(eps, bool) and eps > 0 and math.isfinite(eps)):
        raise CuspInputError(f"eps must be a finite positive number, got {eps!r}")
    F.as_fits(run.fits)  # same features in every fit
    stats = {label: fit.zero_statistics(eps) for label, fit in run.fits.items()}
    diags = {label: fit.diagnostics for label, fit in run.fits.items()}
    warnings = [(label, w) for label, d in diags.items() for w in d.warnings]
    warnings += [(label, w) for label, d in diags.items() for w in d.loo_warnings]
    warnings += [(label, f"MAP not converged: {fit.map.message}") for label, fit in run.fits.items()
                 if fit.map is not None and not fit.map.converged]
    sections = []
    for label, fit in run.fits.items():
        rows = stats[label]
        eps_used = rows[0]["eps"] if rows else eps
        sections.append({
            "label": label,
            "anchor": f"fit-{label}",
            "prior": fit.prior.describe(),
            "likelihood": fit.likelihood,
            "notes": list(fit.notes),
            "no_map_reason": None if fit.map is not None else _no_map_reason(fit),
            "map": None if fit.map is None else _map_context(label, fit),
            "posterior": _posterior_context(fit, rows),
            "eps": num(eps_used),
            "point_mass": any(r["n_exact_zero"] for r in rows),
            "diagnostics": _diagnostics_context(label, fit),
        })
    forest_alt = ("MAP versus posterior for every coefficient and prior: 94% highest-density intervals, posterior "
                  "means and medians, MAP values with exact zeros as red crosses, and counts of exactly-zero draws.")
    ctx = {
        "title": run.title,
        "description": run.description,
        "name": run.name,
        "narrative": _narrative(run, stats, diags) + decisions_narrative(run),
        "warnings": warnings,
        "overview": [_overview_row(label, fit, stats[label]) for label, fit in run.fits.items()],
        "sections": sections,
        "forest": image(F.plot_forest(run.fits, eps=eps), forest_alt),
        "priors_figure": image(
            F.plot_prior_densities([fit.prior for fit in run.fits.values() if fit.prior.has_map_view] or
                                   [fit.prior for fit in run.fits.values()], penalty=False),
            "The priors' densities near zero on a log scale, with each density at 0 and zero threshold in the legend."),
        "hdi_percent": f"{100 * HDI_PROB:g}",
        "rhat_limit": RHAT_LIMIT,
        "ess_per_chain": ESS_PER_CHAIN,
        "paths": None,
        "decisions": decisions_context(run),
    }
    if paths:
        ctx["paths"] = _paths_context(run)
    return ctx


def _paths_context(run):
    paths, marks, skipped = _compute_paths(run)
    out = {"skipped": sorted(skipped.items()), "figure": None, "rows": [], "labels": list(paths)}
    if not paths:
        return out
    factors = run.fits[next(iter(paths))].path_factors  # the same for every path shown
    alt = ("MAP coefficient paths over the prior scale (from 0.01 to 100 times the fitted scale, dashed line) for "
           + ", ".join(paths) + ", with the number of exact zeros at each scale underneath.")
    out["figure"] = _image(F.plot_path(paths, marks=marks, title="MAP paths: exact zeros along the prior scale"), alt)
    for k, factor in enumerate(factors):
        cells = []
        for label, path in paths.items():
            cells.append((f"scale:{label}", _num(float(path.scales[k]))))
            nz = int(path.n_zeros[k])
            cells.append((f"n_zeros:{label}", Cell(str(nz), str(nz), "exact" if nz else "")))
        out["rows"].append({"factor": _num(float(factor)), "fitted": bool(np.isclose(factor, 1.0)), "cells": cells})
    return out


# --------------------------------------------------------------------------- public
def render_run(run, *, eps=None, paths=True) -> str:
    """One self-contained HTML page for a run: narrative, tables, figures.

    Parameters
    ----------
    run : models.runs.RunResult
        E.g. from a model script or :func:`models.runs.load_run` (no sampling here).
    eps : float, optional
        Radius of "practically zero" for ``P(|w| < eps | y)``; default per fit:
        5% of its largest |posterior median|.
    paths : bool, default True
        Add MAP regularization paths (25 scales from 0.01 to 100 times the fitted one)
        for the priors that have a MAP, as stored in the fits when they were fitted
        (``Model.fit(..., path_factors=PATH_FACTORS)``, as the model scripts do); fits
        without a stored path are listed as skipped.

    Returns
    -------
    str
        The HTML document.  No external URL, no script; figures are PNG data URIs.
    """
    return environment().get_template("run.html.j2").render(**_run_context(run, eps, paths))


def _check_entries(entries):
    out = []
    try:
        items = list(entries)
    except TypeError:
        raise CuspInputError("entries must be a list of (title, relative link, description)") from None
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 3 and all(isinstance(x, str) for x in item)):
            raise CuspInputError(f"each index entry must be (title, relative link, description) strings, got {item!r}")
        title, link, desc = item
        if not link or _SCHEME.match(link) or link.startswith(("/", "\\")) or "\\" in link:
            raise CuspInputError(f"index links must be relative paths inside the report folder, got {link!r}")
        out.append({"title": title, "link": link, "description": desc})
    return out


def render_index(entries, *, title) -> str:
    """An index page linking to reports in a folder.

    Parameters
    ----------
    entries : list of (title, link, description)
        ``link`` is a relative path (``"diabetes/index.html"``); absolute paths and
        URLs with a scheme (``http:``, ``javascript:``...) are refused.
    title : str
    """
    if not isinstance(title, str):
        raise CuspInputError(f"title must be a string, got {title!r}")
    return environment().get_template("index.html.j2").render(title=title, entries=_check_entries(entries))


def write_report(run, folder, *, force=False, filename="index.html", eps=None, paths=True) -> str:
    """Render :func:`render_run` and write it to ``folder/filename`` atomically.

    The folder is created if missing.  An existing file is replaced only with
    ``force=True``; ``filename`` must be a plain name (no ``/``, ``..`` or absolute
    path), so nothing is written outside ``folder``.  Returns the path written.
    """
    target(folder, filename)  # refuse a bad name before the (slower) rendering
    if os.path.lexists(os.path.join(os.fspath(folder), filename)) and not force:
        raise CuspInputError(f"{os.path.join(os.fspath(folder), filename)} already exists; "
                             "choose another name or allow overwriting (--force)")
    return write_page(render_run(run, eps=eps, paths=paths), folder, filename, force)


def write_index(entries, folder, *, title, force=False, filename="index.html") -> str:
    """Render :func:`render_index` and write it to ``folder/filename`` (same rules as
    :func:`write_report`).  Returns the path written."""
    target(folder, filename)
    return write_page(render_index(entries, title=title), folder, filename, force)
