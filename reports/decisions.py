"""The run page's section "From the posterior to exact zeros": the sparse decisions stored
with each fit, side by side with the MAP, their agreement, their paths, and the LOO
comparison of the priors fitted.

Everything shown was computed when fitting (``FitResult.select``, the stored ``loo``
group); this module only arranges it.  Counting agreements and ranking stored ELPDs
(``models.compare`` on the stored PSIS-LOO) is arithmetic on stored numbers, not a solve.
"""

from __future__ import annotations

import numpy as np

from models.fit import compare
from models.selection import METHODS, not_applicable

import reports.figures.selection as SF
from reports.cells import Cell, fmt, map_cell, num
from reports.pages import image

__all__ = ["decisions_context", "decisions_narrative", "agreement_matrix", "METHOD_NAMES"]

#: How the page names each method, and the singular loss its zeros come from.
METHOD_NAMES = {
    "dss": ("DSS", "an L1 penalty on the summary (Hahn & Carvalho 2015)"),
    "savs": ("SAVS", "a soft threshold of the posterior mean (Ray & Bhattacharya 2018)"),
    "interval": ("Interval", "0 inside the coefficient's highest-density interval"),
    "mpm": ("Median model", "a 0-1 loss on inclusion (Barbieri & Berger 2004)"),
    "projection": ("Projection", "the smallest submodel that predicts as well (Piironen et al. 2020)"),
}


def agreement_matrix(decisions: dict) -> np.ndarray:
    """``A[a, b]``: the number of coefficients on which decisions ``a`` and ``b`` (boolean
    "kept" arrays, in the dict's order) agree, zero against non-zero."""
    kept = np.array([np.asarray(v, dtype=bool) for v in decisions.values()])
    return (kept[:, None, :] == kept[None, :, :]).sum(axis=2)


def _why_missing(fit, method):
    reason = not_applicable(method, point_mass=float(fit.prior.point_mass) > 0, likelihood=fit.likelihood_model)
    return reason or "not computed for this run (cusp run ... --select)"


def _fit_context(label, fit):
    stored = fit.selections
    methods = [m for m in METHODS if m in stored]
    if not methods:
        return None
    res = fit.map
    rows = []
    for j, feature in enumerate(fit.feature_names):
        cells = []
        if res is not None:
            cert = res.certificate
            cells.append(("map", map_cell(res.coef[j])))
            verdict = ("certified" if cert.certified[j] else "NOT certified") if res.coef[j] == 0 else "non-zero"
            cells.append(("map_verdict", Cell(verdict, None, "bad" if verdict == "NOT certified" else "")))
        for m in methods:
            cells.append((m, map_cell(stored[m].coef[j])))
        rows.append({"feature": feature, "cells": cells})
    decisions = {}
    if res is not None:
        decisions["MAP"] = res.coef != 0
    decisions.update({METHOD_NAMES[m][0]: stored[m].selected for m in methods})
    A = agreement_matrix(decisions)
    p = len(fit.feature_names)
    labels = list(decisions)
    agreement = [{"label": a, "cells": [(f"agree:{b}", Cell(f"{int(A[i, k])}", str(int(A[i, k])),
                                                             "" if A[i, k] == p else "bad"))
                                        for k, b in enumerate(labels)]} for i, a in enumerate(labels)]
    methods_ctx = []
    for m in methods:
        sel = stored[m]
        options = ", ".join(f"{k} = {fmt(v) if isinstance(v, float) else v}" for k, v in sel.options.items())
        methods_ctx.append({
            "key": m, "name": METHOD_NAMES[m][0], "loss": METHOD_NAMES[m][1],
            "kept": Cell(f"{sel.n_selected} of {p}", str(sel.n_selected)),
            "zeros": Cell(f"{sel.n_zeros} of {p}", str(sel.n_zeros), "exact" if sel.n_zeros else ""),
            "options": options or "defaults", "notes": list(sel.notes),
            "reasons": [(r["feature"], "kept" if r["kept"] else "0.0", r["text"]) for r in sel.reasons],
        })
    figures = []
    if "dss" in stored and stored["dss"].path is not None:
        figures.append(image(SF.plot_dss_path(stored["dss"], title=f"{label}: DSS path"),
                             f"DSS coefficients for {label} along the penalty alpha, and the posterior mean loss of "
                             f"each point against the full model's interval; {stored['dss'].n_selected} of {p} kept."))
    if "projection" in stored:
        figures.append(image(SF.plot_projection_path(stored["projection"], title=f"{label}: projection"),
                             f"ELPD of each projected submodel of {label} minus the reference's, with one standard "
                             f"error, features added in search order; suggested size {stored['projection'].n_selected}."))
    return {
        "label": label, "anchor": f"decisions-{label}", "prior": fit.prior.describe(),
        "methods": methods_ctx, "rows": rows, "has_map": res is not None,
        "skipped": [(METHOD_NAMES[m][0], _why_missing(fit, m)) for m in METHODS if m not in stored],
        "agreement": agreement, "agreement_labels": labels, "n_features": p, "figures": figures,
    }


def _loo_context(run):
    with_loo = {label: fit for label, fit in run.fits.items() if fit.loo_data is not None}
    missing = [label for label in run.fits if label not in with_loo]
    out = {"rows": [], "missing": missing, "warnings": [], "single": None}
    for label, fit in with_loo.items():
        out["warnings"] += [(label, w) for w in fit.diagnostics.loo_warnings]
    if len(with_loo) == 1:
        label, fit = next(iter(with_loo.items()))
        elpd = fit.loo_data
        out["single"] = {"label": label, "elpd": num(float(elpd["elpd_loo"])), "se": num(float(elpd["se"]))}
    elif len(with_loo) >= 2:
        table = compare(with_loo)
        for label, r in table.iterrows():
            out["rows"].append({"label": str(label), "cells": [
                ("rank", num(int(r["rank"]))), ("elpd_loo", num(float(r["elpd_loo"]))), ("se", num(float(r["se"]))),
                ("elpd_diff", num(float(r["elpd_diff"]))), ("dse", num(float(r["dse"]))),
                ("p_loo", num(float(r["p_loo"]))), ("weight", num(float(r["weight"]))),
                ("warning", Cell("yes" if bool(r["warning"]) else "no", None, "bad" if bool(r["warning"]) else "")),
            ]})
    return out


def decisions_context(run) -> dict | None:
    """The section's context, or None when no fit of ``run`` holds a decision or a LOO."""
    fits = [c for c in (_fit_context(label, fit) for label, fit in run.fits.items()) if c is not None]
    loo = _loo_context(run)
    if not fits and not loo["rows"] and loo["single"] is None:
        return None
    return {"fits": fits, "loo": loo, "methods": METHOD_NAMES}


def decisions_narrative(run) -> list[str]:
    """One sentence per fit holding decisions, for the page's "In brief"."""
    items = []
    for label, fit in run.fits.items():
        stored = fit.selections
        if not stored:
            continue
        p = len(fit.feature_names)
        parts = [f"{METHOD_NAMES[m][0]} keeps {stored[m].n_selected}" for m in METHODS if m in stored]
        items.append(f"Decisions from the {label} posterior (of {p} coefficients): {', '.join(parts)}; "
                     "their dropped coefficients are exactly 0.0 because each decision's loss is singular at 0.")
    return items
