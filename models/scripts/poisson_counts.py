"""Poisson counts: does the exact MAP recover a known sparse truth?

Synthetic counts ``y_i ~ Poisson(exp(1 + x_i^T w))`` with ``k`` of ``p`` coefficients
non-zero (``models.datasets.make_sparse_regression(likelihood="poisson")``).  The
Laplace MAP's exact zeros are compared with the true zeros (support recovery: which true
zeros are exactly 0.0, which true signals survive, which noise features slip in); the
Gaussian MAP has no exact zero, so it "recovers" no zero at all; the horseshoe's
local mode is the non-zero local minimum next to its degenerate global MAP at 0.  The
posterior draws (NUTS) sit next to each MAP: none of them is exactly 0.0.

Run: ``python -m models.scripts.poisson_counts [--n 100] [--p 50] [--k 5] [--scale 0.01] [--priors laplace]``
"""

from __future__ import annotations

import numpy as np

from priors import CuspInputError, gaussian, horseshoe, laplace

from models.conversions import pseudo_sigma
from models.data import make_sparse_regression
from models.model import Model
from models.runs import RunResult
from models.results import threshold_label
from models.scripts.common import (add_sampling_arguments, fit_priors, horseshoe_tau, map_claims, scale_float,
                                   positive_int, script_entry_point, seed_int, script_parser, select_priors, summary_main)

TITLE = "Poisson counts: exact zeros of the Laplace MAP against a known sparse truth"
PRIORS = ("laplace", "gaussian", "horseshoe")
#: The design is dense: 1e8 values are 0.8 GB, beyond what an example should take.
MAX_SYNTHETIC_VALUES = 10**8


def add_arguments(parser):
    parser.add_argument("--n", type=positive_int, default=100, help="number of observations (default 100)")
    parser.add_argument("--p", type=positive_int, default=50, help="number of features (default 50)")
    parser.add_argument("--k", type=positive_int, default=5, help="number of truly non-zero coefficients (default 5)")
    parser.add_argument("--data-seed", type=seed_int, default=0, help="seed of the synthetic data (default 0)")
    parser.add_argument("--scale", type=scale_float, default=0.01, help="Laplace scale b (default 0.01)")
    parser.add_argument("--gaussian-scale", type=scale_float, default=0.25,
                        help="sd of the Gaussian prior (default 0.25, the size of the true signals)")
    parser.add_argument("--tau", type=scale_float, default=None,
                        help="horseshoe global scale (default: Piironen & Vehtari's tau0 with p0 = k)")
    add_sampling_arguments(parser, priors=PRIORS)
    return parser


def build_parser():
    return script_parser(__name__)


def support_recovery(coef, true_coef, names) -> dict:
    """How the exact zeros of ``coef`` match the zeros of ``true_coef``."""
    coef, true_coef = np.asarray(coef), np.asarray(true_coef)
    true_zero, est_zero = true_coef == 0, coef == 0
    pick = lambda mask: [names[j] for j in np.flatnonzero(mask)]
    return {
        "true_zeros": int(true_zero.sum()),
        "true_zeros_exactly_zero": int((true_zero & est_zero).sum()),
        "signals_kept": int((~true_zero & ~est_zero).sum()),
        "signals": int((~true_zero).sum()),
        "false_positives": pick(true_zero & ~est_zero),
        "false_negatives": pick(~true_zero & est_zero),
        "exact": bool(np.array_equal(true_zero, est_zero)),
    }


def recovery_sentence(label, rec) -> str:
    text = (f"{label}: {rec['true_zeros_exactly_zero']} of {rec['true_zeros']} true zeros are exactly 0.0 at the MAP; "
            f"{rec['signals_kept']} of {rec['signals']} true signals are non-zero")
    if rec["exact"]:
        return text + " (the support is recovered exactly)."
    extra = []
    if rec["false_positives"]:
        shown = ", ".join(rec["false_positives"][:8]) + (" ..." if len(rec["false_positives"]) > 8 else "")
        extra.append(f"{len(rec['false_positives'])} noise features non-zero ({shown})")
    if rec["false_negatives"]:
        extra.append(f"signals set to 0: {', '.join(rec['false_negatives'])}")
    return text + "; " + "; ".join(extra) + "."


def run(args) -> RunResult:
    labels = select_priors(args.priors, PRIORS)
    if not args.k < args.p:
        raise CuspInputError(f"--k ({args.k}) must be smaller than --p ({args.p}): some coefficients must be truly zero")
    if args.n < 2:
        raise CuspInputError("--n must be at least 2")
    if args.n * args.p > MAX_SYNTHETIC_VALUES:
        raise CuspInputError(f"--n {args.n} x --p {args.p} = {args.n * args.p} values; this synthetic example makes "
                             f"at most {MAX_SYNTHETIC_VALUES:.0e} (use your own data with `cusp run regression`)")
    X, y, true_coef = make_sparse_regression(n=args.n, p=args.p, k=args.k, likelihood="poisson", random_seed=args.data_seed)
    names = [f"x{j}" for j in range(args.p)]
    tau, tau_txt = horseshoe_tau(args.tau, args.k, n_features=args.p, n_obs=args.n, sigma=pseudo_sigma("poisson", y),
                                 sigma_text="the Poisson pseudo-sigma 1/sqrt(mean y)")
    priors = {"laplace": laplace(args.scale), "gaussian": gaussian(args.gaussian_scale), "horseshoe": horseshoe(tau)}
    models = {label: Model("poisson", priors[label]) for label in labels}
    fits = fit_priors(models, X, y, names, args)
    signal = float(np.max(np.abs(true_coef)))
    intro = (
        f"Synthetic counts: n = {args.n}, p = {args.p}, y ~ Poisson(exp(1 + x^T w)) with the first k = {args.k} "
        f"coefficients +-{signal:g} and the other {args.p - args.k} exactly 0 (data seed {args.data_seed}; mean count "
        f"{np.mean(y):.3g}). Priors: Laplace b = {args.scale:g} (zero threshold {threshold_label(priors['laplace'])}), "
        f"Gaussian sd {args.gaussian_scale:g} (zero threshold {threshold_label(priors['gaussian'])}), horseshoe {tau_txt}."
    )
    recovery = [recovery_sentence(label, support_recovery(fit.map.coef, true_coef, names))
                for label, fit in fits.items() if fit.map is not None]
    return RunResult("poisson_counts", TITLE, intro + "\n" + "\n".join(map_claims(fits) + ["Support recovery:"] + recovery), fits)


main = summary_main(run)


if __name__ == "__main__":
    script_entry_point(__name__)
