"""Normal means: NUTS against the exact posterior, one observation per coefficient.

The model ``y_j ~ N(w_j, sigma^2)`` (identity design, no intercept) on a grid of
observations (default y = -4, -3, ..., 4).  Here everything is known in closed form:
the MAP is the prior's proximal map of ``y_j`` (soft thresholding for the Laplace:
exactly 0.0 whenever ``|y_j| <= sigma^2 / b``; linear shrinkage for the Gaussian: never
0 unless ``y_j = 0``), and the exact posterior means come from
``models.posterior.exact.normal_means_posterior`` (Laplace, Gaussian, horseshoe, and the
two-component mixture of the spike-and-slab).  The script prints them next to the NUTS estimates, so one
sees that the sampler is right, that the Laplace's posterior mean is never exactly 0
where its MAP is, and that only the spike-and-slab puts posterior mass on w = 0.

Run: ``python -m models.scripts.normal_means [--y=-4,-2,0,2,4] [--sigma 1] [--scale 1] [--priors laplace,gaussian]``
"""

from __future__ import annotations

import numpy as np

from priors import CuspInputError, gaussian, horseshoe, laplace, spike_and_slab

from models.posterior.exact import normal_means_posterior
from models.model import Model
from models.runs import RunResult
from models.scripts.common import (add_sampling_arguments, fit_priors, map_claims, scale_float, script_entry_point,
                                   script_parser, select_priors)

TITLE = "Normal means: exact posterior means next to NUTS, and where the MAP is exactly zero"
PRIORS = ("laplace", "gaussian", "horseshoe", "spike_and_slab")
DEFAULT_Y = "-4,-3,-2,-1,0,1,2,3,4"


def parse_y(text) -> np.ndarray:
    """Observations from ``"a,b,c"`` or a grid ``"START:STOP:NUM"`` (``numpy.linspace``)."""
    text = str(text).strip()
    try:
        if ":" in text:
            start, stop, num = text.split(":")
            num = int(num)
            if num < 1:
                raise ValueError
            y = np.linspace(float(start), float(stop), num)
        else:
            y = np.array([float(t) for t in text.split(",") if t.strip()], dtype=float)
    except ValueError:
        raise CuspInputError(f"--y takes numbers separated by commas (e.g. -4,0,4) or START:STOP:NUM, got {text!r}") from None
    if y.size == 0:
        raise CuspInputError("--y is empty: give at least one observation")
    if not np.all(np.isfinite(y)):
        raise CuspInputError(f"--y must be finite numbers, got {text!r}")
    return y


def add_arguments(parser):
    parser.add_argument("--y", default=DEFAULT_Y, metavar="LIST",
                        help=f"observations, comma-separated or START:STOP:NUM (default {DEFAULT_Y}; "
                             "write --y=-4,0,4 when the first is negative)")
    parser.add_argument("--sigma", type=scale_float, default=1.0, help="noise sd, known (default 1)")
    parser.add_argument("--scale", type=scale_float, default=1.0, help="Laplace scale b (default 1)")
    parser.add_argument("--gaussian-scale", type=scale_float, default=1.0, help="sd of the Gaussian prior (default 1)")
    parser.add_argument("--tau", type=scale_float, default=1.0, help="horseshoe global scale (default 1)")
    parser.add_argument("--slab-scale", type=scale_float, default=2.0, help="sd of the spike-and-slab's slab (default 2)")
    parser.add_argument("--slab-weight", type=float, default=0.5,
                        help="spike-and-slab prior probability of a non-zero, in (0, 1) (default 0.5)")
    add_sampling_arguments(parser, priors=PRIORS)
    return parser


def build_parser():
    return script_parser(__name__)


def _feature_names(y):
    names, seen = [], {}
    for v in y:
        name = f"y={v:.4g}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return names


def exact_posterior(prior, y, sigma) -> dict:
    """Exact posterior mean (and ``P(w = 0 | y)``) of each ``w_j`` under ``prior``, from
    :func:`models.posterior.exact.normal_means_posterior`; ``{}`` when the prior has no
    exact form."""
    return normal_means_posterior(prior, np.asarray(y, dtype=float), sigma=sigma) or {}


def comparison(run: RunResult, sigma: float) -> list[dict]:
    """Per fit and observation: MAP, exact posterior mean, NUTS mean and its Monte-Carlo
    standard error (and ``P(w = 0 | y)`` for the spike-and-slab)."""
    import arviz as az

    rows = []
    for label, fit in run.fits.items():
        y = np.asarray(fit.idata.observed_data["y"].values, dtype=float)
        exact = exact_posterior(fit.prior, y, sigma)
        draws = fit.draws
        mcse = np.asarray(az.mcse(fit.idata.posterior, var_names=["w"])["w"].values, dtype=float)
        for j, yj in enumerate(y):
            row = {"prior": label, "y": float(yj), "map": None if fit.map is None else float(fit.map.coef[j]),
                   "exact_mean": float(exact["mean"][j]) if "mean" in exact else None,
                   "nuts_mean": float(draws[:, j].mean()), "mcse": float(mcse[j])}
            if "p_zero" in exact:
                row["exact_p_zero"] = float(exact["p_zero"][j])
                row["nuts_p_zero"] = float(np.mean(draws[:, j] == 0.0))
            rows.append(row)
    return rows


def comparison_table(run: RunResult, sigma: float) -> str:
    """:func:`comparison` as plain text, one block per prior."""
    rows = comparison(run, sigma)
    lines = [f"Exact posterior vs NUTS (sigma = {sigma:g}); z = (NUTS - exact) / MC s.e."]
    for label, fit in run.fits.items():
        block = [r for r in rows if r["prior"] == label]
        exact = exact_posterior(fit.prior, np.array([r["y"] for r in block]), sigma)
        lines += ["", f"== {label}: {fit.prior.describe()}; exact from {exact.get('source', 'n/a')}"]
        ss = "exact_p_zero" in block[0]
        head = f"{'y':>8}{'MAP':>11}{'exact mean':>12}{'NUTS mean':>12}{'MC s.e.':>10}{'z':>7}"
        if ss:
            head += f"{'P(w=0) exact':>14}{'NUTS':>8}"
        lines += [head, "-" * len(head)]
        for r in block:
            map_txt = "n/a" if r["map"] is None else ("0.0" if r["map"] == 0 else f"{r['map']:.4g}")
            z = (r["nuts_mean"] - r["exact_mean"]) / r["mcse"] if r["mcse"] > 0 else float("nan")
            line = f"{r['y']:>8.4g}{map_txt:>11}{r['exact_mean']:>12.4f}{r['nuts_mean']:>12.4f}{r['mcse']:>10.4f}{z:>7.2f}"
            if ss:
                line += f"{r['exact_p_zero']:>14.3f}{r['nuts_p_zero']:>8.3f}"
            lines.append(line)
    return "\n".join(lines)


def run(args) -> RunResult:
    labels = select_priors(args.priors, PRIORS)
    y = parse_y(args.y)
    if not 0 < args.slab_weight < 1:
        raise CuspInputError(f"--slab-weight must be in (0, 1), got {args.slab_weight:g}")
    priors = {
        "laplace": laplace(args.scale),
        "gaussian": gaussian(args.gaussian_scale),
        "horseshoe": horseshoe(args.tau),
        "spike_and_slab": spike_and_slab(args.slab_scale, weight=args.slab_weight),
    }
    models = {label: Model("normal_means", priors[label], sigma=args.sigma) for label in labels}
    fits = fit_priors(models, None, y, _feature_names(y), args)
    run = RunResult("normal_means", TITLE, "", fits)
    rows = comparison(run, args.sigma)
    z = np.array([(r["nuts_mean"] - r["exact_mean"]) / r["mcse"] for r in rows if r["mcse"] > 0])
    worst = max(rows, key=lambda r: abs(r["nuts_mean"] - r["exact_mean"]))
    intro = (
        f"Normal means y_j ~ N(w_j, sigma^2), sigma = {args.sigma:g}, one observation per coefficient at y = "
        f"{', '.join(f'{v:g}' for v in y)}. The Laplace MAP is soft thresholding: exactly 0.0 when |y_j| <= sigma^2/b = "
        f"{args.sigma**2 / args.scale:.4g}. NUTS posterior means against the exact ones: largest difference "
        f"{abs(worst['nuts_mean'] - worst['exact_mean']):.3g} ({worst['prior']}, y = {worst['y']:g}); "
        f"{int(np.sum(np.abs(z) <= 3))} of {z.size} within 3 Monte-Carlo standard errors."
    )
    run.description = intro + "\n" + "\n".join(map_claims(fits))
    return run


def main(args) -> int:
    result = run(args)
    print(result.summary())
    print()
    print(comparison_table(result, args.sigma))
    return 0


if __name__ == "__main__":
    script_entry_point(__name__)
