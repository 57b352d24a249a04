"""The study page: eight experiments, each with its question, measured answer and figure.

Every number the text states is generated from the :class:`reports.study.Study` data and
carries ``data-key`` and ``data-value`` (full precision), so tests can check the prose
against the data.  The page is self-contained (figures as PNG ``data:`` URIs, CSS
inline, no scripts, no external URL) and rendered with the autoescaped templates of
:mod:`reports.pages`.

>>> from reports.study.page import render_study  # doctest: +SKIP
"""

from __future__ import annotations

import os

import numpy as np

from priors import CuspInputError

import reports.figures.study as SF
from reports.cells import Cell, fmt, full_value, map_cell, num
from reports.pages import environment, image, target, write_page
from reports.study import Study, run_study

__all__ = ["render_study", "write_study", "study_numbers"]


class _Say:
    """Collects sentences made of text and numbers; every number is also recorded in
    ``numbers`` (``key -> value``) so the page can be checked against the data."""

    def __init__(self, numbers):
        self.numbers = numbers

    def n(self, key, value, text=None):
        if key in self.numbers and self.numbers[key] != value:
            raise AssertionError(f"number {key} stated twice with different values")
        self.numbers[key] = value
        cell = num(value) if text is None else Cell(text, full_value(value))
        return {"key": key, "text": cell.text, "value": cell.value}


def _fraction(x):
    return f"{100 * x:.0f}%"


def _table(rows):
    return [[c if isinstance(c, Cell) else Cell(str(c)) for c in r] for r in rows]


# --------------------------------------------------------------------------- sections
def _shrinkage(d, say):
    lap_zero = d["laplace_map_zero"]
    dead = d["dead_zone"]
    answer = [
        ["With σ = ", say.n("shrinkage.sigma", d["sigma"]), " and a Laplace scale b = ", say.n("shrinkage.b", d["b"]),
         ", the Laplace MAP is exactly 0.0 at ", say.n("shrinkage.laplace_map_zeros", int(lap_zero.sum())),
         " of the ", say.n("shrinkage.n_y", int(d["y"].size)), " grid values of y: precisely those with |y| ≤ σ²/b = ",
         say.n("shrinkage.dead_zone", d["dead_zone_halfwidth"]), " (",
         say.n("shrinkage.dead_zone_points", int(dead.sum())), " grid points), and nowhere else."],
        ["The posterior mean and median have no dead zone: off y = 0 the smallest |posterior mean| on the grid is ",
         say.n("shrinkage.laplace_min_abs_mean", d["min_abs_mean_off_zero"]["Laplace"]),
         " under the Laplace and ", say.n("shrinkage.min_abs_mean_all",
                                          min(d["min_abs_mean_off_zero"].values())),
         " over all six priors — small near y = 0, but never 0."],
        ["The bridge (p = 0.5) and the horseshoe's local mode have dead zones too (",
         say.n("shrinkage.bridge_map_zeros", d["n_map_zeros"]["bridge p=0.5"]), " and ",
         say.n("shrinkage.horseshoe_map_zeros", d["n_map_zeros"]["horseshoe"]),
         " zero grid points), because their penalties are singular at 0; the Gaussian, Student-t and smoothed "
         "Laplace MAPs are 0 only at y = 0 itself (", say.n("shrinkage.gaussian_map_zeros", d["n_map_zeros"]["Gaussian"]),
         " grid point)."],
    ]
    if "horseshoe_grid_mean_error" in d:
        answer.append(["Check of the numerical integration: the grid's horseshoe posterior mean differs from the exact "
                       "one-dimensional quadrature by at most ",
                       say.n("shrinkage.horseshoe_grid_error", d["horseshoe_grid_mean_error"]), "."])
    rows = []
    for label in d["labels"]:
        rows.append([Cell(label), Cell(d["priors"][label]), Cell(d["method"][label]),
                     num(d["n_map_zeros"][label]), num(d["min_abs_mean_off_zero"][label]),
                     num(d["min_abs_median_off_zero"][label])])
    return {"answer": answer, "table": {
        "head": ["Prior", "Parameters", "How mean/median/P(|w|<ε) were computed", "MAP zeros on the grid",
                 "min |mean|, y ≠ 0", "min |median|, y ≠ 0"],
        "num": [False, False, False, True, True, True], "rows": _table(rows), "name": "shrinkage"}}


def _concentration(d, say):
    answer = []
    rows = []
    for ds, r in d["datasets"].items():
        fam = r["families"]
        lap = r["matched"][0]
        g100, g1000 = r["matched"][1], r["matched"][2]
        answer.append([
            f"{ds.capitalize()} data: across densities at zero spanning ",
            say.n(f"concentration.{ds}.orders", r["smooth_density_orders"], f"{r['smooth_density_orders']:.1f}"),
            " orders of magnitude, the Gaussian, Student-t and smoothed Laplace MAPs have at most ",
            say.n(f"concentration.{ds}.smooth_max_zeros", r["smooth_max_zeros"]),
            " exact zeros; their smallest |coefficient| goes down to ",
            say.n(f"concentration.{ds}.smooth_min_smallest", r["smooth_min_smallest_abs"]),
            " but not to 0. The Laplace with b = ", say.n(f"concentration.{ds}.b", r["reference_b"]),
            " (density at zero ", say.n(f"concentration.{ds}.laplace_density", lap["density"]), ") has ",
            say.n(f"concentration.{ds}.laplace_zeros", lap["n_zeros"]), " exact zeros of ",
            say.n(f"concentration.{ds}.p", r["n_features"]), " coefficients. A Gaussian with 100× that density at zero has ",
            say.n(f"concentration.{ds}.gauss100_zeros", g100["n_zeros"]), " exact zeros (smallest |coefficient| ",
            say.n(f"concentration.{ds}.gauss100_smallest", g100["smallest_abs"]), "), and one with 1000× has ",
            say.n(f"concentration.{ds}.gauss1000_zeros", g1000["n_zeros"]), " (smallest |coefficient| ",
            say.n(f"concentration.{ds}.gauss1000_smallest", g1000["smallest_abs"]), ")."])
        for label, f in fam.items():
            dens = f["density"]
            dtxt = "∞" if not np.all(np.isfinite(dens)) else f"{fmt(dens.min())} – {fmt(dens.max())}"
            rows.append([Cell(ds), Cell(label), Cell("yes" if f["smooth"] else "no"), Cell(dtxt),
                         Cell(f"{int(f['n_zeros'].min())} – {int(f['n_zeros'].max())}"),
                         num(float(np.min(f["smallest_abs"])))])
    return {"answer": answer, "table": {
        "head": ["Data", "Prior family", "Smooth at 0", "Density at 0 (range)", "Exact zeros (range)",
                 "Smallest |coef| seen"],
        "num": [False, False, False, True, True, True], "rows": _table(rows), "name": "concentration"}}


def _singularity(d, say):
    delta = d["delta"]
    pos = delta > 0
    answer = [[
        "For every δ > 0 from ", say.n("singularity.delta_max", float(delta[pos].max())), " down to ",
        say.n("singularity.delta_min", float(delta[pos].min())), " the MAP has at most ",
        say.n("singularity.max_zeros_positive", d["max_zeros_positive_delta"]),
        " exact zeros; at δ = 0 (the Laplace) it has ", say.n("singularity.zeros_at_zero", d["zeros_at_zero"]),
        ". The density at zero moves smoothly, from ", say.n("singularity.density_first", float(d["density"][0])),
        " to ", say.n("singularity.density_last_positive", float(d["density"][pos][-1])), " at the smallest δ and ",
        say.n("singularity.density_zero", float(d["density"][-1])),
        " at δ = 0, while the smallest |coefficient| falls from ",
        say.n("singularity.smallest_first", float(d["smallest_abs"][0])), " to ",
        say.n("singularity.smallest_last_positive", float(d["smallest_abs"][pos][-1])),
        " and only becomes exactly 0 at δ = 0. The coefficients that become zero are: ",
        ", ".join(d["laplace_zero_features"]) or "none", "."]]
    rows = [[num(float(x)) if x > 0 else Cell("0 (Laplace)", "0.0"), num(float(de)), num(int(z)), num(float(s))]
            for x, de, z, s in zip(delta, d["density"], d["n_zeros"], d["smallest_abs"])]
    return {"answer": answer, "table": {"head": ["δ", "Density at 0", "Exact zeros", "Smallest |coef|"],
                                        "num": [True] * 4, "rows": _table(rows), "name": "singularity"}}


def _threshold(d, say):
    names = d["feature_names"]
    agree = bool(np.array_equal(d["is_zero"], d["inside_band"]))
    answer = [[
        "With b = ", say.n("threshold.b", d["b"]), " the band is |slope| ≤ 1/b = ", say.n("threshold.t", d["threshold"]),
        ". ", say.n("threshold.n_zeros", d["n_zeros"]), " coefficients are exactly 0 and ",
        say.n("threshold.n_inside", int(d["inside_band"].sum())), " slopes lie inside the band; the two sets are ",
        "identical" if agree else "NOT identical",
        ". The non-zero coefficients' slopes at 0 clear the band by at least ",
        say.n("threshold.min_margin_nonzero", d["min_margin_nonzero"]), "."],
        ["Along the sweep of ", say.n("threshold.n_scales", int(d["scales"].size)), " scales b from ",
         say.n("threshold.scale_min", float(d["scales"].min())), " to ", say.n("threshold.scale_max", float(d["scales"].max())),
         ", 'exact zero' and 'slope inside ±1/b' agree for ",
         say.n("threshold.path_agreement", d["path_agreement"], _fraction(d["path_agreement"])),
         " of all (scale, coefficient) pairs: each coefficient leaves zero at the scale where its slope at 0 "
         "crosses the falling threshold 1/b."]]
    rows = []
    for j, name in enumerate(names):
        rows.append([Cell(name), map_cell(d["coef"][j]), num(float(d["slope_at_zero"][j])),
                     Cell("yes" if d["inside_band"][j] else "no"),
                     num(d["leave_scale"][name])])
    return {"answer": answer, "table": {
        "head": ["Feature", f"MAP (b = {fmt(d['b'])})", "Slope at 0", "Inside ±1/b", "Smallest b with a non-zero MAP"],
        "num": [False, True, True, False, True], "rows": _table(rows), "name": "threshold"}}


def _geometry(d, say):
    p1, p2 = d["points"]["(10, 5)"], d["points"]["(1, 1000)"]
    reg = d["regression"]
    answer = [
        ["Point (10, 5): the smallest L1 ball touches the line c = 5 − 10a at (a, c) = (",
         say.n("geometry.p1.l1_a", p1["L1"]["a"]), ", ", say.n("geometry.p1.l1_c", p1["L1"]["c"]),
         "), a corner where the intercept is exactly 0; the L0.5 ball touches at the same corner (",
         say.n("geometry.p1.l05_a", p1["L0.5"]["a"]), ", ", say.n("geometry.p1.l05_c", p1["L0.5"]["c"]),
         "); the round L2 ball touches at (", say.n("geometry.p1.l2_a", p1["L2"]["a"]), ", ",
         say.n("geometry.p1.l2_c", p1["L2"]["c"]), "), where both are non-zero (exact: 50/101, 5/101)."],
        ["Point (1, 1000): the line c = 1000 − a is parallel to a face of the L1 ball, so every a from ",
         say.n("geometry.p2.l1_a_min", p2["L1"]["tie_a_min"]), " to ", say.n("geometry.p2.l1_a_max", p2["L1"]["tie_a_max"]),
         " gives the same L1 norm ", say.n("geometry.p2.l1_norm", p2["L1"]["norm"]),
         ": the L1 minimizer is not unique. The L0.5 ball, spikier, touches only at the two corners a = ",
         say.n("geometry.p2.l05_a_min", p2["L0.5"]["tie_a_min"]), " and a = ",
         say.n("geometry.p2.l05_a_max", p2["L0.5"]["tie_a_max"]), "."],
        ["2-D regression (", say.n("geometry.reg.n", int(reg["y"].size)), " rows, two correlated features): the Laplace MAP (b = ",
         say.n("geometry.reg.b", reg["b"]), ") has ", say.n("geometry.reg.laplace_zeros", reg["n_zeros_laplace"]),
         " exact zero, at the kink of the contours on the axis; the Gaussian MAP (same prior variance) has ",
         say.n("geometry.reg.gaussian_zeros", reg["n_zeros_gaussian"]), " — its contours are smooth ellipses."],
    ]
    rows = []
    for key, pt in d["points"].items():
        for norm in ("L1", "L2", "L0.5"):
            t = pt[norm]
            where = f"a ∈ [{fmt(t['tie_a_min'])}, {fmt(t['tie_a_max'])}]" if not t["unique"] else \
                f"({fmt(t['a'])}, {fmt(t['c'])})"
            rows.append([Cell(key), Cell(norm), Cell(where), num(t["norm"]), Cell("yes" if t["unique"] else "no")])
    return {"answer": answer, "table": {"head": ["Point", "Norm", "Touching point(s) (a, c)", "Smallest radius", "Unique"],
                                        "num": [False, False, False, True, False], "rows": _table(rows),
                                        "name": "geometry"}}


def _overfitting(d, say):
    fam = d["families"]
    g, lap, hs = fam["Gaussian"], fam["Laplace"], fam["horseshoe (local mode)"]
    lap_mean, hs_mean = fam["Laplace (posterior mean)"], fam["horseshoe (posterior mean)"]
    min_ess = float(min(lap_mean["min_ess"].min(), hs_mean["min_ess"].min()))
    b = lap["best"]
    answer = [
        ["n = ", say.n("overfitting.n", d["n"]), " rows, p = ", say.n("overfitting.p", d["p"]), " features, ",
         say.n("overfitting.k", d["k"]), " truly non-zero. Predicting the mean gives test MSE ",
         say.n("overfitting.null_mse", d["null_test_mse"]), "; the true coefficients give ",
         say.n("overfitting.oracle_mse", d["oracle_test_mse"]), "."],
        ["Best test MSE over the scales tried, MAP: Gaussian ", say.n("overfitting.gaussian_best", g["best_mse"]),
         " (s = ", say.n("overfitting.gaussian_best_scale", g["best_scale"]), "), Laplace ",
         say.n("overfitting.laplace_best", lap["best_mse"]), " (b = ", say.n("overfitting.laplace_best_scale", lap["best_scale"]),
         "), horseshoe local mode ", say.n("overfitting.horseshoe_best", hs["best_mse"]),
         " (τ = ", say.n("overfitting.horseshoe_best_scale", hs["best_scale"]), ")."],
        ["Posterior mean: Laplace ", say.n("overfitting.laplace_mean_best", lap_mean["best_mse"]),
         " (b = ", say.n("overfitting.laplace_mean_best_scale", lap_mean["best_scale"]), "), horseshoe ",
         say.n("overfitting.horseshoe_mean_best", hs_mean["best_mse"]),
         " (τ = ", say.n("overfitting.horseshoe_mean_best_scale", hs_mean["best_scale"]), "). ",
         *_mean_vs_map_claims(d, say), "The smallest effective sample size of any coefficient was ",
         say.n("overfitting.min_ess", min_ess), " draws",
         "." if min_ess >= 100 else " (below 100: treat those posterior means as rough; the quick mode's short chains "
         "are for testing, not for reading)."],
        ["The Gaussian MAP never drops a feature, so its support precision is ",
         say.n("overfitting.gaussian_precision", float(g["precision"][g["best"]])),
         "; neither does any posterior mean (all ", say.n("overfitting.p_again", d["p"]),
         " coefficients non-zero): a posterior mean is an average over a density and is never exactly 0. "
         "At its best scale the Laplace MAP keeps ", say.n("overfitting.laplace_nnz", int(lap["n_nonzero"][b])),
         " features: precision ", say.n("overfitting.laplace_precision", float(lap["precision"][b])),
         ", recall ", say.n("overfitting.laplace_recall", float(lap["recall"][b])),
         " — the prediction-optimal Laplace keeps many false positives, a known weakness of the lasso. "
         "The horseshoe's local mode at its best scale: precision ",
         say.n("overfitting.horseshoe_precision", float(hs["precision"][hs["best"]])), ", recall ",
         say.n("overfitting.horseshoe_recall", float(hs["recall"][hs["best"]])), "."],
    ]
    rows = []
    for label, f in fam.items():
        for j, s in enumerate(f["scales"]):
            ess = num(float(f["min_ess"][j])) if "min_ess" in f else Cell("—")
            rows.append([Cell(label), num(float(s)), num(float(f["test_mse"][j])), num(int(f["n_nonzero"][j])),
                         num(float(f["precision"][j])), num(float(f["recall"][j])), ess])
    head = ["Estimate", "Scale", "Test MSE", "Non-zeros", "Precision", "Recall", "Min ESS"]
    return {"answer": answer, "draws": d["draws"], "burn": d["burn"], "chains": d["chains"],
            "table": {"head": head, "num": [False] + [True] * 6, "rows": _table(rows), "name": "overfitting"}}


def _mean_vs_map_claims(d, say):
    """Sentences comparing the posterior means with the MAPs, chosen by the numbers."""
    fam = d["families"]
    lap, lap_mean, hs_mean = fam["Laplace"], fam["Laplace (posterior mean)"], fam["horseshoe (posterior mean)"]
    out = []
    if lap_mean["best_mse"] > lap["best_mse"]:
        out += ["The Laplace's posterior mean predicts worse than its own MAP: the Bayesian lasso shrinks the ",
                say.n("overfitting.n_noise", d["p"] - d["k"]), " noise coefficients only part of the way, and their "
                "small non-zero values add up. "]
    else:
        out += ["The Laplace's posterior mean predicts at least as well as its MAP. "]
    if hs_mean["best_mse"] <= min(f["best_mse"] for f in fam.values()):
        out += ["The horseshoe's posterior mean, whose heavy tails leave the signals nearly unshrunk while its pole "
                "pulls the noise to near 0, is the best predictor here. "]
    return out


def _posterior(d, say):
    answer = []
    for label in d["labels"]:
        r = d["priors"][label]
        key = label.replace(" ", "_")
        parts = [f"{label} ({r['prior']}): "]
        if r["map"] is not None:
            parts += ["MAP has ", say.n(f"posterior.{key}.map_zeros", int(r["map_is_zero"].sum())), " exact zeros; "]
        else:
            parts += ["no MAP (a point mass has no mode in the usual sense); "]
        parts += ["posterior draws exactly 0.0: ", say.n(f"posterior.{key}.exact_draws", int(r["n_exact_zero"].sum())),
                  " of ", say.n(f"posterior.{key}.total_draws", int(r["n_draws"] * len(d["feature_names"]))),
                  "; largest P(|w| < ε) ", say.n(f"posterior.{key}.max_p_near", float(r["p_near_zero"].max())),
                  *(["; sampled by exact Gibbs (no divergences to count)."] if r["divergences"] is None else
                    ["; NUTS divergences ", say.n(f"posterior.{key}.divergences", r["divergences"]), "."])]
        answer.append(parts)
    rows = []
    for j, name in enumerate(d["feature_names"]):
        row = [Cell(name)]
        for label in d["labels"]:
            r = d["priors"][label]
            if r["map"] is None:
                row.append(Cell("—"))
            else:
                row.append(map_cell(r["map"][j]))
            row.append(num(float(r["p_near_zero"][j])))
            n0 = int(r["n_exact_zero"][j])
            row.append(Cell(f"{n0} of {r['n_draws']}", str(n0), "exact" if n0 else ""))
        rows.append(row)
    head = ["Feature"]
    for label in d["labels"]:
        head += [f"{label}: MAP", f"{label}: P(|w|<ε)", f"{label}: draws = 0"]
    return {"answer": answer, "table": {"head": head, "num": [False] + [True] * (len(head) - 1),
                                        "rows": _table(rows), "name": "posterior"}}


_METHOD_LABEL = {"dss": "DSS", "savs": "SAVS", "interval": "credible interval", "mpm": "median probability model",
                 "projection": "projection"}


def _selection(d, say):
    syn, dia = d["datasets"]["synthetic"], d["datasets"]["diabetes"]
    answer = [
        ["Synthetic data (n = ", say.n("selection.synthetic.n", syn["n"]), ", p = ", say.n("selection.synthetic.p", syn["p"]),
         ", ", say.n("selection.synthetic.k", syn["k"]), " true signals): the Laplace MAP at b = ",
         say.n("selection.synthetic.map_b", syn["map"]["b"]), " (", syn["map"]["rule"], ", which favours it) keeps ",
         say.n("selection.synthetic.map.n_selected", syn["map"]["n_selected"]), " features, precision ",
         say.n("selection.synthetic.map.precision", syn["map"]["precision"]), ", recall ",
         say.n("selection.synthetic.map.recall", syn["map"]["recall"]), ", test MSE ",
         say.n("selection.synthetic.map.test_mse", syn["map"]["test_mse"]), "."],
        ["Diabetes (", say.n("selection.diabetes.n", dia["n"]), " training rows, ",
         say.n("selection.diabetes.n_test", dia["n_test"]), " test rows, no known truth): the Laplace MAP at b = ",
         say.n("selection.diabetes.map_b", dia["map"]["b"]), " keeps ",
         say.n("selection.diabetes.map.n_selected", dia["map"]["n_selected"]), " of ",
         say.n("selection.diabetes.p", dia["p"]), " features, test MSE ",
         say.n("selection.diabetes.map.test_mse", dia["map"]["test_mse"]),
         "; each decision's support is compared with it."],
    ]
    for ds, r in (("synthetic", syn), ("diabetes", dia)):
        for label, post in r["posteriors"].items():
            key = f"selection.{ds}.{label}"
            parts = [f"{ds.capitalize()}, {post['prior']} posterior: draws exactly 0.0: ",
                     say.n(f"{key}.exact_zero_draws", post["n_exact_zero_draws"]), "; its mean keeps all ",
                     say.n(f"{key}.mean.n_selected", post["mean"]["n_selected"]), " coefficients (test MSE ",
                     say.n(f"{key}.mean.test_mse", post["mean"]["test_mse"]), "). Decisions: "]
            done = []
            for method, row in post["methods"].items():
                if not row["applicable"]:
                    continue
                m = f"{key}.{method}"
                bit = [_METHOD_LABEL[method], " keeps ", say.n(f"{m}.n_selected", row["n_selected"])]
                if "recall" in row:
                    bit += [" (recall ", say.n(f"{m}.recall", row["recall"]), ")"]
                else:
                    bit += [" (same decision as the MAP on ", say.n(f"{m}.agreement", row["agreement"]), ")"]
                done.append(bit)
            for i, bit in enumerate(done):
                parts += ([", "] if i else []) + bit
            parts += ["; smallest effective sample size ", say.n(f"{key}.min_ess", post["min_ess"]),
                      "." if post["min_ess"] >= 100 else " (below 100: a rough posterior; quick mode is for testing)."]
            answer.append(parts)
    mpm = d["datasets"]["synthetic"]["posteriors"]["horseshoe"]["methods"]["mpm"]
    if not mpm["applicable"]:
        answer.append(["The median probability model is not applicable to these posteriors: ", mpm["reason"], "."])
    tables = []
    for ds, r in (("synthetic", syn), ("diabetes", dia)):
        rows = [_selection_row(ds, "—", "Laplace MAP", r["map"])]
        for label, post in r["posteriors"].items():
            rows.append(_selection_row(ds, post["prior"], "posterior mean (no decision)", post["mean"]))
            for method, row in post["methods"].items():
                rows.append(_selection_row(ds, post["prior"], _METHOD_LABEL[method], row))
        if ds == "synthetic":
            head = ["Posterior", "Estimate", "Selected", "Precision", "Recall", "Test MSE", "Time (s)"]
        else:
            head = ["Posterior", "Estimate", "Selected", "Same decision as the MAP", "Jaccard with the MAP",
                    "Test MSE", "Time (s)"]
        tables.append({"head": head, "num": [False, False] + [True] * 5, "rows": _table(rows),
                       "name": f"selection-{ds}"})
    return {"answer": answer, "tables": tables, "draws": d["draws"], "burn": d["burn"], "chains": d["chains"],
            "p0": d["p0"]}


def _selection_row(ds, posterior, label, row):
    if not row["applicable"]:
        return [Cell(posterior), Cell(label), Cell("not applicable"), Cell("—"), Cell("—"), Cell("—"), Cell("—")]
    if ds == "synthetic":
        mid = [num(float(row["precision"])), num(float(row["recall"]))]
    else:
        mid = [num(int(row["agreement"])), num(float(row["jaccard"]))]
    seconds = Cell("—") if label.startswith("posterior mean") else num(float(row["seconds"]))
    return [Cell(posterior), Cell(label), num(int(row["n_selected"])), *mid, num(float(row["test_mse"])), seconds]


# --------------------------------------------------------------------------- page
_SECTIONS = [
    ("shrinkage", "1. Shrinkage profiles", _shrinkage, SF.plot_shrinkage),
    ("concentration", "2. Concentration does not make zeros", _concentration, SF.plot_concentration),
    ("singularity", "3. The singularity does", _singularity, SF.plot_singularity),
    ("threshold", "4. The threshold law", _threshold, SF.plot_threshold_law),
    ("geometry", "5. Geometry", _geometry, SF.plot_geometry),
    ("overfitting", "6. Over-fitting with p > n", _overfitting, SF.plot_overfitting),
    ("posterior", "7. Posterior vs MAP", _posterior, SF.plot_posterior_vs_map),
    ("selection", "8. From the posterior to exact zeros", _selection, SF.plot_selection),
]

_ALT = {
    "shrinkage": "Four panels against the observation y: MAP, posterior mean, posterior median and P(|w|<ε) for six priors; "
                 "the Laplace MAP is flat at 0 on the shaded dead zone, the means and medians are not.",
    "concentration": "Exact MAP zeros against prior density at zero (log axis) for two data sets: smooth families stay at 0 "
                     "zeros at every density; Laplace, bridge and horseshoe have zeros.",
    "singularity": "Smoothed Laplace against delta: zeros stay 0 for delta > 0 and jump at delta = 0; density at zero "
                   "changes smoothly; the smallest coefficient shrinks with delta.",
    "threshold": "Slopes at zero against the band ±1/b: zeros inside, non-zeros outside; and along a sweep of b.",
    "geometry": "L1, L2 and L0.5 balls touching the line of exact fits for two points; log-posterior contours under "
                "Gaussian and Laplace priors with the MAP.",
    "overfitting": "Test error, support precision and recall against prior scale for the MAP under Gaussian, Laplace and "
                   "horseshoe priors and the posterior mean under Laplace and horseshoe.",
    "posterior": "Per coefficient, P(|w|<ε) and the fraction of draws exactly zero for each prior; only spike-and-slab "
                 "has exact-zero draws.",
    "selection": "Per decision method and posterior (horseshoe, Laplace): support precision and recall and test error "
                 "on the synthetic data, and test error on the diabetes data, beside the Laplace MAP and the "
                 "posterior mean; the median probability model is marked not applicable.",
}


def study_numbers(study: Study) -> dict:
    """``key -> value`` of every number the page's prose states (as rendered)."""
    numbers = {}
    say = _Say(numbers)
    for key, _, build, _ in _SECTIONS:
        build(getattr(study, key), say)
    return numbers


def render_study(study: Study | None = None, *, quick=False) -> str:
    """The study page as one self-contained HTML string (runs the study when ``study`` is
    None, in quick mode when ``quick``)."""
    if study is None:
        study = run_study(quick=quick)
    numbers = {}
    say = _Say(numbers)
    sections = []
    for key, title, build, plot in _SECTIONS:
        ctx = build(getattr(study, key), say)
        fig = plot(getattr(study, key))
        ctx.update({"key": key, "title": title, "image": image(fig, _ALT[key]),
                    "seconds": Cell(f"{study.seconds.get(key, float('nan')):.1f} s")})
        sections.append(ctx)
    total = sum(study.seconds.values())
    return environment().get_template("study.html.j2").render(
        title="Why the Laplace prior gives exact zeros and the Gaussian never does",
        sections={s["key"]: s for s in sections}, order=[s["key"] for s in sections],
        quick=study.quick, random_seed=study.random_seed, total_seconds=f"{total:.1f}",
        eps=study.posterior["eps"], draws=study.posterior["draws"], tune=study.posterior["tune"],
        chains=study.posterior["chains"])


def write_study(folder, *, quick=False, force=False, study: Study | None = None) -> str:
    """Run the study (unless given), render it and write ``folder/index.html``
    atomically.  An existing file is replaced only with ``force=True``.  Returns the path."""
    _, path = target(folder, "index.html")
    if os.path.lexists(path) and not force:  # refuse before the (slow) experiments
        raise CuspInputError(f"{path} already exists; choose another folder or allow overwriting (force=True)")
    return write_page(render_study(study, quick=quick), folder, "index.html", force)


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(write_study(sys.argv[1] if len(sys.argv) > 1 else "study", quick="--quick" in sys.argv,
                      force="--force" in sys.argv))
