"""How long each sparse decision of ``models.selection`` takes, given the posterior draws.

Each method turns a reference posterior (draws of ``w``, the data) into a decision with
exact zeros.  Timed here, for the diabetes data (n = 442, p = 10) and a synthetic problem
(``models.make_sparse_regression``, n = 200, p = 1000, 10 non-zeros, sigma = 1):

* ``dss`` with ``alpha=None`` (the 50-point path and the posterior-loss rule) and with a
  given ``alpha`` (``--dss-alpha-ratio`` times the ``alpha`` that zeroes everything);
* ``savs``, ``interval`` (95% HDI);
* ``mpm`` on a spike-and-slab reference (the one prior with exact zeros in its draws);
* ``projection`` with the forward search to size 20 (10 = p for diabetes) and with the
  L1 search to the same size.

The reference draws are made first and timed separately (they are not part of a
method's time): a horseshoe posterior from cusp's exact Gibbs sampler
(``models.posterior.gibbs.gibbs_posterior``; ``tau`` = 1 for diabetes, Piironen and
Vehtari's ``tau0`` for 10 expected non-zeros otherwise) and, for ``mpm``, a
spike-and-slab posterior from the same module's collapsed Gibbs step on the indicators.
Both with known ``sigma`` and a flat intercept.  Printed: the median over ``--repeats`` runs
of each call to ``models.selection.select``, the target from the issue (every method
but projection under 1 s; the projection forward search to size 20 at p = 1000 under
30 s) and pass/fail, then whether kulprit's projection could be compared.

Run: ``python benchmarks/selection.py [--repeats 3] [--draws 500] [--n 200 --p 1000 --k 10]``
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import arviz  # noqa: F401  (imported by interval and mpm on first use: not timed)
import numpy as np

import models.selection.projection  # noqa: F401  (imported by select on first use: not timed)
from models import horseshoe_global_scale, load_diabetes, make_likelihood, make_sparse_regression
from models.data import DIABETES_SIGMA
from models.posterior.gibbs import gibbs_posterior
from models.selection import Reference, select
from models.selection.dss import dss_alpha_max
from priors import horseshoe, spike_and_slab
from timing import median_time  # benchmarks/timing.py (this folder is on sys.path)

#: Seconds: every method but projection, and the projection forward search at p = 1000.
TARGET_FAST = 1.0
TARGET_FORWARD = 30.0


def reference(X, y, w, intercept, *, sigma, point_mass):
    chains, draws, p = w.shape
    return Reference(
        X=X, y=y, likelihood=make_likelihood("gaussian", sigma=sigma), coef_draws=w.reshape(-1, p),
        intercept_draws=intercept.reshape(-1), sigma_draws=np.full(chains * draws, float(sigma)), fit_intercept=True,
        feature_names=[f"x{j}" for j in range(p)], point_mass=point_mass, n_chains=chains,
    )


def make_case(name, X, y, *, sigma, tau, slab_scale, weight, args, seed):
    """The case's horseshoe and spike-and-slab references, each timed."""
    kw = dict(draws=args.draws, burn=args.draws, chains=args.chains)
    t0 = time.perf_counter()
    hs_draws = gibbs_posterior(X, y, horseshoe(tau), sigma=sigma, random_seed=seed, **kw)
    w, c = hs_draws["w"], hs_draws["intercept"]
    t_hs = time.perf_counter() - t0
    t0 = time.perf_counter()
    ss_draws = gibbs_posterior(X, y, spike_and_slab(slab_scale, weight), sigma=sigma, random_seed=seed + 1, **kw)
    w_ss, c_ss = ss_draws["w"], ss_draws["intercept"]
    t_ss = time.perf_counter() - t0
    print(f"{name}: reference draws ({args.chains} chains x {args.draws} draws after {args.draws} burn-in, "
          f"not timed below): horseshoe(tau={tau:.3g}) Gibbs {t_hs:.1f} s; "
          f"spike_and_slab(scale={slab_scale:g}, weight={weight:.3g}) Gibbs {t_ss:.1f} s", flush=True)
    return (reference(X, y, w, c, sigma=sigma, point_mass=False),
            reference(X, y, w_ss, c_ss, sigma=sigma, point_mass=True))


def run_case(name, hs, ss, args, forward_target):
    p = hs.X.shape[1]
    size = min(args.max_size, p)
    alpha = args.dss_alpha_ratio * dss_alpha_max(hs)
    jobs = [
        ("dss (alpha=None, path)", hs, "dss", {}, TARGET_FAST),
        (f"dss (alpha={alpha:.3g})", hs, "dss", {"alpha": alpha}, TARGET_FAST),
        ("savs", hs, "savs", {}, TARGET_FAST),
        ("interval", hs, "interval", {}, TARGET_FAST),
        ("mpm (spike-and-slab)", ss, "mpm", {}, TARGET_FAST),
        (f"projection forward {size}", hs, "projection", {"search": "forward", "max_size": size}, forward_target),
        (f"projection l1 {size}", hs, "projection", {"search": "l1", "max_size": size}, None),
    ]
    rows = []
    for label, ref, method, options, target in jobs:
        seconds, sel = median_time(lambda: select(ref, method, **options), args.repeats)
        if target is None:
            shown, verdict = "-", "(no target)"
        else:
            shown, verdict = f"< {target:g} s", "pass" if seconds < target else "FAIL"
        rows.append({"case": name, "method": label, "seconds": seconds, "kept": sel.n_selected, "target": target,
                     "passed": None if target is None else seconds < target})
        print(f"{name:<24}{label:<26}{seconds:>10.4f}{sel.n_selected:>6}{shown:>10}  {verdict}", flush=True)
    return rows


def kulprit_status() -> str:
    """Why kulprit's projection was not compared (or that it could be)."""
    if importlib.util.find_spec("kulprit") is None:
        return ("kulprit not compared: it is not installed here.  kulprit 0.6 needs arviz_plots>=1.1, which needs "
                "Python>=3.12 (this is Python 3.11); pip falls back to kulprit 0.5.1 (with arviz_plots 0.8), which "
                "fails at import with this matplotlib (module 'matplotlib.style' has no attribute 'core').")
    try:
        import kulprit
    except Exception as exc:  # noqa: BLE001 - any import failure is the answer
        return f"kulprit not compared: it is installed but fails at import ({type(exc).__name__}: {exc})"
    return (f"kulprit {getattr(kulprit, '__version__', '?')} imports, but this benchmark does not yet run its "
            "projection (it needs a bambi model of the same reference): not compared")


def main(args):
    rng_seed = args.seed
    X, y, _ = load_diabetes()
    diabetes = make_case("diabetes (442 x 10)", X, y, sigma=DIABETES_SIGMA, tau=1.0, slab_scale=25.0, weight=0.5,
                         args=args, seed=rng_seed)
    Xs, ys, _ = make_sparse_regression(args.n, args.p, args.k, sigma=1.0, random_seed=rng_seed)
    tau0 = horseshoe_global_scale(args.k, n_features=args.p, n_obs=args.n)
    name = f"synthetic ({args.n} x {args.p})"
    synthetic = make_case(name, Xs, ys, sigma=1.0, tau=tau0, slab_scale=2.0, weight=args.k / args.p, args=args,
                          seed=rng_seed)

    print(f"\nmedian of {args.repeats} run(s) of models.selection.select; 'kept' = coefficients not exactly 0.0")
    head = f"{'case':<24}{'method':<26}{'seconds':>10}{'kept':>6}{'target':>10}  result"
    print(head)
    print("-" * len(head))
    rows = run_case("diabetes (442 x 10)", *diabetes, args, None)
    rows += run_case(name, *synthetic, args, TARGET_FORWARD)
    failed = [r for r in rows if r["passed"] is False]
    print(f"\n{len(rows) - len(failed) - sum(r['passed'] is None for r in rows)} pass, {len(failed)} fail"
          + (f" ({', '.join(r['case'] + ': ' + r['method'] for r in failed)})" if failed else ""))
    print(kulprit_status())
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--draws", type=int, default=500, help="kept draws per chain (as many burn-in)")
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--n", type=int, default=200, help="synthetic observations")
    parser.add_argument("--p", type=int, default=1000, help="synthetic features")
    parser.add_argument("--k", type=int, default=10, help="synthetic non-zeros (and the priors' expected number)")
    parser.add_argument("--max-size", type=int, default=20, help="largest projection submodel searched")
    parser.add_argument("--dss-alpha-ratio", type=float, default=0.1, help="the given DSS alpha over alpha_max")
    parser.add_argument("--seed", type=int, default=0)
    main(parser.parse_args())
