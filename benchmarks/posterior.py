"""cusp's horseshoe posterior against the same model written plainly in PyMC.

The problem is the one PyMC users report divergences on: a linear regression with
n = 100, p = 50 and 5 non-zero coefficients (``models.make_sparse_regression``), a
regularized horseshoe prior (Piironen & Vehtari 2017; global scale from 5 expected
non-zeros, slab scale 2, slab df 4) or the plain horseshoe with a fixed global scale.

* **cusp**: ``Model("gaussian", prior).sample(...)``: w is integrated out of the
  likelihood and drawn exactly given the scales (see ``models.posterior``).
* **plain PyMC**: the textbook non-centred model, ``w = z * tau * lam~``, sampled with
  ``pm.sample()`` defaults.

* **cusp Gibbs** (``--known-sigma`` only, plain horseshoe only): ``sampler="gibbs"``, the
  exact Gibbs sampler; sigma = 1 is then known in all three models.

All run with 2 chains of 1000 draws after 1000 tuning steps (Gibbs: warm-up sweeps), one
BLAS thread per chain (set below, for all), the same seed.  Printed per seed: divergences, max r_hat over w,
min bulk ESS over w, sampling time (tuning + draws, without compilation), min-ESS per
second, and the ratio cusp / plain of min-ESS/s.

Run: ``python benchmarks/posterior.py [--seeds 0 1 2] [--prior regularized_horseshoe horseshoe] [--known-sigma] [--quick]``
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # before numpy: the same thread budget for both sides

import argparse  # noqa: E402
import time  # noqa: E402

import arviz as az  # noqa: E402
import numpy as np  # noqa: E402
import pymc as pm  # noqa: E402

from models import Model, horseshoe_global_scale, make_sparse_regression  # noqa: E402
from models.likelihoods import sigma_prior_scale  # noqa: E402
from models.posterior import intercept_prior  # noqa: E402
from models.likelihoods import Gaussian  # noqa: E402
from priors import horseshoe, regularized_horseshoe  # noqa: E402

N, P, K = 100, 50, 5


def plain_pymc_model(X, y, prior, sigma=None):
    """The same priors as cusp's model, written the way PyMC users write them."""
    mu, sd = intercept_prior(Gaussian(), y)
    with pm.Model() as model:
        intercept = pm.Normal("intercept", mu=mu, sigma=sd)
        if sigma is None:
            sigma = pm.HalfNormal("sigma", sigma=sigma_prior_scale(y))
        lam = pm.HalfCauchy("lam", beta=1.0, shape=X.shape[1])
        if prior.family == "regularized_horseshoe":
            tau = pm.HalfStudentT("tau", nu=prior.global_df, sigma=prior.scale)
            c2 = pm.InverseGamma("c2", alpha=prior.slab_df / 2, beta=prior.slab_df * prior.slab_scale**2 / 2)
            scales = tau * pm.math.sqrt(c2 * lam**2 / (c2 + tau**2 * lam**2))
        else:
            scales = prior.scale * lam
        z = pm.Normal("z", 0.0, 1.0, shape=X.shape[1])
        w = pm.Deterministic("w", z * scales)
        pm.Normal("y", mu=intercept + pm.math.dot(X, w), sigma=sigma, observed=y)
    return model


def summarize(idata, wall):
    # Gibbs has no compilation: its wall time is its sampling time
    sampling = float(idata.posterior.attrs.get("sampling_time", wall))
    ess = float(az.ess(idata, var_names=["w"], method="bulk")["w"].min())
    rhat = float(az.rhat(idata, var_names=["w"])["w"].max())
    return {
        "divergences": int(idata.sample_stats["diverging"].sum()) if "diverging" in idata.sample_stats else None,
        "max_rhat": rhat,
        "min_ess": ess,
        "sampling_s": sampling,
        "wall_s": wall,
        "ess_per_s": ess / sampling,
    }


def run_one(prior_name, seed, draws, tune, known_sigma=False):
    X, y, _ = make_sparse_regression(N, P, K, sigma=1.0, random_seed=seed)
    tau0 = horseshoe_global_scale(K, n_features=P, n_obs=N)
    prior = regularized_horseshoe(tau0) if prior_name == "regularized_horseshoe" else horseshoe(tau0)
    sample_kw = dict(draws=draws, tune=tune, chains=2, random_seed=seed + 1000)

    sigma = 1.0 if known_sigma else None
    t0 = time.perf_counter()
    idata = Model("gaussian", prior, sigma=sigma).sample(X, y, **sample_kw)
    out = {"cusp": summarize(idata, time.perf_counter() - t0)}

    if known_sigma and prior_name == "horseshoe":
        t0 = time.perf_counter()
        idata = Model("gaussian", prior, sigma=sigma).sample(X, y, **sample_kw, sampler="gibbs")
        out["gibbs"] = summarize(idata, time.perf_counter() - t0)

    t0 = time.perf_counter()
    with plain_pymc_model(X, y, prior, sigma):
        plain_idata = pm.sample(**sample_kw, cores=2, progressbar=False, compute_convergence_checks=False)
    out["plain"] = summarize(plain_idata, time.perf_counter() - t0)
    return out


def main(args):
    draws, tune = (100, 100) if args.quick else (args.draws, args.tune)
    head = f"{'prior':<22}{'seed':>5}  {'sampler':<8}{'div':>5}{'max r_hat':>10}{'min ESS':>9}{'time s':>8}{'ESS/s':>8}{'ratio':>7}"
    print(head)
    print("-" * len(head))
    ratios, gibbs_vs_plain, gibbs_vs_cusp = [], [], []
    for prior_name in args.prior:
        for seed in args.seeds:
            rows = run_one(prior_name, seed, draws, tune, args.known_sigma)
            plain = rows["plain"]
            ratios.append(rows["cusp"]["ess_per_s"] / plain["ess_per_s"])
            if "gibbs" in rows:
                gibbs_vs_plain.append(rows["gibbs"]["ess_per_s"] / plain["ess_per_s"])
                gibbs_vs_cusp.append(rows["gibbs"]["ess_per_s"] / rows["cusp"]["ess_per_s"])
            for label, r in rows.items():
                div = "n/a" if r["divergences"] is None else str(r["divergences"])
                print(f"{prior_name:<22}{seed:>5}  {label:<8}{div:>5}{r['max_rhat']:>10.4f}{r['min_ess']:>9.0f}"
                      f"{r['sampling_s']:>8.1f}{r['ess_per_s']:>8.1f}{r['ess_per_s'] / plain['ess_per_s']:7.2f}",
                      flush=True)
    print(f"\nmin-ESS/s ratio cusp NUTS / plain PyMC: median {np.median(ratios):.2f}, min {np.min(ratios):.2f} (target >= 2)")
    if gibbs_vs_plain:
        print(f"min-ESS/s ratio cusp Gibbs / plain PyMC: median {np.median(gibbs_vs_plain):.2f} (target >= 10); "
              f"Gibbs / cusp NUTS: median {np.median(gibbs_vs_cusp):.2f} (target >= 3)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--prior", nargs="+", default=["regularized_horseshoe", "horseshoe"],
                        choices=["regularized_horseshoe", "horseshoe"])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--known-sigma", action="store_true",
                        help="sigma = 1 known in every model, and the Gibbs sampler beside NUTS (horseshoe)")
    parser.add_argument("--quick", action="store_true", help="100 draws and 100 tuning steps (a smoke test)")
    main(parser.parse_args())
