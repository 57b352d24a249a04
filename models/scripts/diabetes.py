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

import argparse
import math
import sys

import numpy as np

from priors import CuspInputError, gaussian, horseshoe, laplace

from models.conversions import gaussian_scale_for_density, horseshoe_global_scale
from models.data import load_diabetes
from models.model import Model
from models.runs import RunResult
from models.scripts.common import (
    OneLineParser,
    add_sampling_arguments,
    fit_priors,
    map_claims,
    positive_float,
    script_entry_point,
    select_priors,
    sigma_or_estimate,
)

TITLE = "Diabetes: exact zeros come from the Laplace prior's kink, not from its concentration"
PRIORS = ("laplace", "gaussian", "horseshoe")


def add_arguments(parser):
    parser.add_argument("--scale", type=positive_float, default=1.0, help="Laplace scale b (default 1.0)")
    parser.add_argument("--sigma", type=sigma_or_estimate, default=54.0,
                        help="Gaussian noise sd, or 'estimate' (HalfNormal prior; MAP at its posterior median) (default 54)")
    parser.add_argument("--gaussian-factor", type=positive_float, default=100.0,
                        help="the Gaussian prior gets this many times the Laplace's density at 0 (default 100)")
    parser.add_argument("--tau", type=positive_float, default=None,
                        help="horseshoe global scale (default: Piironen & Vehtari's tau0 for --expected-nonzeros)")
    parser.add_argument("--expected-nonzeros", type=positive_float, default=3.0,
                        help="prior guess of the number of non-zero coefficients, sets the default tau (default 3)")
    add_sampling_arguments(parser, priors=PRIORS)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m models.scripts.diabetes", description=__doc__.split("\n\n")[0])
    return add_arguments(parser)


def noise_guess(X, y) -> float:
    """Residual sd of least squares (sd(y) when p >= n - 1): a plug-in for the default tau."""
    n, p = X.shape
    if n > p + 1:
        A = np.column_stack([np.ones(n), X])
        resid = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
        s = float(np.sqrt(resid @ resid / (n - p - 1)))
        if s > 0:
            return s
    return float(np.std(y)) or 1.0


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
    if args.tau is not None:
        tau, tau_txt = args.tau, f"tau = {args.tau:g}"
    else:
        sigma_for_tau = args.sigma if args.sigma is not None else noise_guess(X, y)
        tau = horseshoe_global_scale(args.expected_nonzeros, n_features=p, n_obs=n, sigma=sigma_for_tau)
        tau_txt = (f"tau = {tau:.4g} = p0/(p-p0) sigma/sqrt(n) with p0 = {args.expected_nonzeros:g} expected non-zeros "
                   f"(Piironen & Vehtari 2017)")
    priors = {"laplace": lap, "gaussian": gauss, "horseshoe": horseshoe(tau)}
    models = {label: Model("gaussian", priors[label], sigma=args.sigma) for label in labels}
    fits = fit_priors(models, X, y, names, args)
    parts = [
        f"Diabetes data (n = {n}, p = {p}; X standardized, y centred), Gaussian noise sigma = {sigma_txt}.",
        f"Laplace scale b = {args.scale:g}: density {lap.density_at_zero:.4g} at 0 and a kink there (zero threshold 1/b = "
        f"{lap.zero_threshold:.4g}).",
        f"The Gaussian has {factor:g}x that density at 0 (sd {gauss.scale:.4g}) but is smooth, so its zero threshold is 0.",
        f"Horseshoe: {tau_txt}; its density is infinite at 0, so the global MAP is 0 and the local mode is reported.",
    ]
    return RunResult("diabetes", TITLE, " ".join(parts) + "\n" + "\n".join(map_claims(fits)), fits)


def main(args) -> int:
    print(run(args).summary())
    return 0


if __name__ == "__main__":
    script_entry_point(sys.modules[__name__])
