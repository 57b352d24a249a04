"""Diabetes regression: exact MAP and posterior under Laplace, Gaussian and horseshoe priors.

Shows the central claim of cusp on real data (Efron et al. 2004, scikit-learn's copy;
X standardized, y centred, Gaussian noise sigma): the Laplace prior's MAP sets some
coefficients to exactly 0.0, each certified by |slope at 0| <= 1/b, while a Gaussian
prior with far more density at zero (``--gaussian-factor`` times the Laplace's) gives
no exact zero at all, only small numbers.  The horseshoe's global MAP is degenerate at
0; its non-zero local mode is reported and labelled as such.  Next to each MAP: the
full posterior (NUTS), in which no draw is ever exactly 0.0 under these continuous priors.

Run: ``python -m models.scripts.diabetes [--scale 1.0] [--sigma 54] [--gaussian-factor 100] [--priors laplace,gaussian]``
"""

from __future__ import annotations

import math

import numpy as np

from priors import CuspInputError, gaussian, horseshoe, laplace

from models.conversions import gaussian_scale_for_density
from models.data import DIABETES_SIGMA, load_diabetes
from models.likelihoods import noise_guess
from models.model import Model
from models.runs import RunResult
from models.results import threshold_label
from models.scripts.common import (add_sampling_arguments, fit_priors, horseshoe_tau, map_claims, positive_float, scale_float,
                                   script_entry_point, script_parser, select_priors, sigma_or_estimate, summary_main)

TITLE = "Diabetes: exact zeros come from the Laplace prior's kink, not from its concentration"
PRIORS = ("laplace", "gaussian", "horseshoe")


def add_arguments(parser):
    parser.add_argument("--scale", type=scale_float, default=1.0, help="Laplace scale b (default 1.0)")
    parser.add_argument("--sigma", type=sigma_or_estimate, default=DIABETES_SIGMA,
                        help="Gaussian noise sd, or 'estimate' (HalfNormal prior; MAP at its posterior median) "
                             f"(default {DIABETES_SIGMA:g})")
    parser.add_argument("--gaussian-factor", type=scale_float, default=100.0,
                        help="the Gaussian prior gets this many times the Laplace's density at 0 (default 100)")
    parser.add_argument("--tau", type=scale_float, default=None,
                        help="horseshoe global scale (default: Piironen & Vehtari's tau0 for --expected-nonzeros)")
    parser.add_argument("--expected-nonzeros", type=positive_float, default=3.0,
                        help="prior guess of the number of non-zero coefficients, sets the default tau (default 3)")
    add_sampling_arguments(parser, priors=PRIORS)
    return parser


def build_parser():
    return script_parser(__name__)


def run(args) -> RunResult:
    labels = select_priors(args.priors, PRIORS)
    X, y, names = load_diabetes()
    n, p = X.shape
    lap = laplace(args.scale)
    factor = args.gaussian_factor
    if not (factor > 0 and math.isfinite(factor)):
        raise CuspInputError("--gaussian-factor must be a positive number")
    # N(0, s^2) has density 1 / (sqrt(2 pi) s) at 0: pick s for factor x the Laplace's 1 / (2b).
    gauss = gaussian(gaussian_scale_for_density(factor * lap.density_at_zero))
    sigma_txt = "estimated (HalfNormal prior)" if args.sigma is None else f"{args.sigma:g}"
    tau, tau_txt = horseshoe_tau(
        args.tau, args.expected_nonzeros, n_features=p, n_obs=n,
        sigma=noise_guess(X, y) if args.sigma is None else args.sigma,
        sigma_text="the least-squares residual sd" if args.sigma is None else "sigma")
    priors = {"laplace": lap, "gaussian": gauss, "horseshoe": horseshoe(tau)}
    models = {label: Model("gaussian", priors[label], sigma=args.sigma) for label in labels}
    fits = fit_priors(models, X, y, names, args)
    parts = [
        f"Diabetes data (n = {n}, p = {p}; X standardized, y centred), Gaussian noise sigma = {sigma_txt}.",
        f"Laplace scale b = {args.scale:g}: density {lap.density_at_zero:.4g} at 0 and a kink there (zero threshold "
        f"{threshold_label(lap)}).",
        f"The Gaussian has {factor:g}x that density at 0 (sd {gauss.scale:.4g}) but is smooth: zero threshold "
        f"{threshold_label(gauss)}.",
        f"Horseshoe: {tau_txt}; its density is infinite at 0, so the global MAP is 0 and the local mode is reported.",
    ]
    return RunResult("diabetes", TITLE, " ".join(parts) + "\n" + "\n".join(map_claims(fits)), fits)


main = summary_main(run)


if __name__ == "__main__":
    script_entry_point(__name__)
