"""Compact HTML for notebooks (``_repr_html_`` of the result objects).

A notebook shows ``_repr_html_()`` when a result is the value of a cell: a caption, one
line of counts and a table with each coefficient's certificate.  Every string that comes
from a user or a result (feature names, prior descriptions, notes) goes through
:func:`html.escape`; numbers are formatted here.  The full reports are
:mod:`reports`'s; this is the quick look, so it lives with the results it shows (the
imports flow one way: reports -> models)."""

from __future__ import annotations

import html

__all__ = ["html_table", "map_result_html", "map_path_html", "fit_result_html", "selection_html"]

_STYLE = "border-collapse:collapse;font-size:90%"
#: Rows shown before the table says how many more there are (a notebook is not a report).
MAX_ROWS = 60


def _cell(value, tag="td"):
    if isinstance(value, float):
        text = f"{value:.4g}"
    elif value is None:
        text = ""
    else:
        text = str(value)
    align = "right" if isinstance(value, (int, float)) and not isinstance(value, bool) else "left"
    return f'<{tag} style="text-align:{align};padding:1px 6px">{html.escape(text)}</{tag}>'


def html_table(caption, lines, header, rows) -> str:
    """A captioned table: ``lines`` (plain text) under the caption, then ``header`` and
    ``rows`` (lists of values), at most :data:`MAX_ROWS` of them."""
    parts = [f'<div class="cusp-result"><strong>{html.escape(caption)}</strong>']
    parts += [f"<div>{html.escape(line)}</div>" for line in lines]
    parts.append(f'<table style="{_STYLE}"><thead><tr>' + "".join(_cell(h, "th") for h in header) + "</tr></thead><tbody>")
    for row in rows[:MAX_ROWS]:
        parts.append("<tr>" + "".join(_cell(v) for v in row) + "</tr>")
    parts.append("</tbody></table>")
    if len(rows) > MAX_ROWS:
        parts.append(f"<div>... {len(rows) - MAX_ROWS} more rows (see .summary())</div>")
    return "".join(parts) + "</div>"


def _verdict(row):
    if row["is_zero"]:
        return "zero: certified" if row["certified"] else "zero: NOT certified"
    return "non-zero: stationary" if row["certified"] else "non-zero: NOT stationary"


def map_result_html(result) -> str:
    lines = [f"exact zeros: {result.n_zeros} of {result.coef.size}; intercept {result.intercept:.6g}; "
             f"objective {result.objective:.10g}",
             f"converged: {result.converged} ({result.message}); duality gap: {result.gap_text()}"]
    lines += [f"note: {n}" for n in result.notes]
    threshold = result.certificate.threshold
    rows = [[r["feature"], float(r["coef"]), None if r["slope_at_solution"] is None else abs(r["slope_at_solution"]),
             float(threshold), r["margin"], _verdict(r)] for r in result.rows()]
    return html_table(f"{result.mode}: {result.likelihood} likelihood x {result.prior.describe()} prior", lines,
                      ["feature", "coef", "|slope|", "threshold", "margin", "verdict"], rows)


def map_path_html(path) -> str:
    rows = []
    for scale, coef, objective, converged in zip(path.scales, path.coefs, path.objectives, path.converged):
        kept = [name for name, w in zip(path.feature_names, coef) if w != 0]
        rows.append([float(scale), int(sum(coef == 0)), float(objective), bool(converged), ", ".join(kept)])
    prior = path.results[0].prior.family if path.results else "prior"
    return html_table(f"MAP path of the {prior} prior over {len(path.scales)} scales",
                      [f"{len(path.feature_names)} coefficients; exact zeros from {int(path.n_zeros.max())} to "
                       f"{int(path.n_zeros.min())}"],
                      ["scale", "exact zeros", "objective", "converged", "non-zero coefficients"], rows)


def fit_result_html(fit) -> str:
    d = fit.diagnostics
    lines = [f"posterior: {d.n_chains} chains x {d.n_draws} draws ({fit.sampler}); {d.divergences_text}; "
             f"max r_hat {d.max_rhat:.3f}; min ESS bulk {d.min_ess_bulk:.0f}"]
    if fit.map is not None:
        lines.append(f"{fit.map.mode}: {fit.map.n_zeros} exact zeros of {fit.map.coef.size}; converged {fit.map.converged}")
    lines += [f"WARNING: {w}" for w in d.all_warnings] + [f"note: {n}" for n in fit.notes]
    rows = []
    for r in fit.zero_statistics():
        verdict = "n/a" if r["map"] is None else (
            ("certified" if r["map_certified"] else "NOT certified") if r["map_is_zero"] else "non-zero")
        rows.append([r["feature"], None if r["map"] is None else float(r["map"]), verdict, float(r["mean"]),
                     float(r["median"]), float(r["hdi_low"]), float(r["hdi_high"]), float(r["p_near_zero"]),
                     int(r["n_exact_zero"])])
    return html_table(f"{fit.likelihood} likelihood x {fit.prior.describe()} prior", lines,
                      ["feature", "MAP", "MAP zero?", "mean", "median", "94% HDI low", "94% HDI high", "P(|w|<eps)",
                       "draws == 0"], rows)


def selection_html(selection) -> str:
    rows = [[r["feature"], "kept" if r["kept"] else "0.0 (dropped)", float(c), r["text"]]
            for r, c in zip(selection.reasons, selection.coef)]
    lines = [f"keeps {int(selection.selected.sum())} of {selection.coef.size}"] + [f"note: {n}" for n in selection.notes]
    return html_table(f"decision: {selection.method}", lines, ["feature", "decision", "coef", "why"], rows)
