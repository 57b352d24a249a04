"""cusp's posterior samplers against their peers, on the cases of issue 13.

Cases (``--case``, default all; medians over ``--seeds``):

* ``small``: the regression PyMC users report divergences on, n = 100, p = 50, 5
  non-zeros (``models.make_sparse_regression``), under the plain horseshoe with a fixed
  global scale (from 5 expected non-zeros) and the regularized horseshoe (Piironen &
  Vehtari 2017; slab scale 2, df 4).  Samplers: **cusp Gibbs** (``sampler="gibbs"``,
  horseshoe only: the regularized horseshoe has no exact Gibbs step), **cusp NUTS**
  (``sampler="pymc"``: w integrated out of the likelihood, the collapsed model) and
  **plain PyMC** (the textbook non-centred model, ``w = z * tau * lam``, ``pm.sample()``
  defaults).  Targets: Gibbs min-ESS(w)/s >= 10x plain PyMC and >= 3x cusp NUTS.
* ``wide``: n = 200, p = 2000 (``--wide-p`` for more), 10 non-zeros: the horseshoe with
  ``tau ~ C+(0, tau0)`` sampled (sigma ~ HalfNormal) and Park & Casella's Bayesian lasso
  (scaled by sigma, Jeffreys' prior on sigma^2, ``lambda^2 ~ Gamma(1, 1)``), the Gibbs
  sampler alone, 2 chains x 1000 draws after 1000 warm-up.  Targets: <= 60 s wall, min
  bulk ESS(w) >= 400, max r_hat(w) <= 1.01.  Then (``--profile``) where the time goes.
* ``logistic``: n = 500, p = 200, 10 non-zeros, horseshoe (fixed global scale):
  Pólya-Gamma Gibbs against cusp's NUTS, min-ESS(w)/s.
* ``demo``: the wall time of ``cusp demo`` (target <= 60 s).

Every sampler runs with one BLAS thread per chain (set below, for all), 2 chains, the
same seed.  Printed per run: divergences (n/a for Gibbs), max r_hat over w, min bulk ESS
over w, sampling time (tuning + draws, without PyMC's compilation), min-ESS per second.

Run: ``python benchmarks/posterior.py [--case small wide logistic demo] [--seeds 0 1 2] [--quick]``
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
from priors import horseshoe, laplace, regularized_horseshoe  # noqa: E402

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


def timed_sample(model, X, y, **kwargs):
    t0 = time.perf_counter()
    idata = model.sample(X, y, **kwargs)
    return summarize(idata, time.perf_counter() - t0)


def print_row(case, seed, label, r, reference=None):
    div = "n/a" if r["divergences"] is None else str(r["divergences"])
    ratio = "" if reference is None else f"{r['ess_per_s'] / reference['ess_per_s']:7.2f}"
    print(f"{case:<24}{seed:>5}  {label:<10}{div:>5}{r['max_rhat']:>10.4f}{r['min_ess']:>9.0f}"
          f"{r['sampling_s']:>8.1f}{r['wall_s']:>8.1f}{r['ess_per_s']:>9.1f}{ratio}", flush=True)


HEAD = f"{'case':<24}{'seed':>5}  {'sampler':<10}{'div':>5}{'max r_hat':>10}{'min ESS':>9}{'samp s':>8}{'wall s':>8}{'ESS/s':>9}"


# ------------------------------------------------------------------ small: n = 100, p = 50
def run_small(prior_name, seed, draws, tune, known_sigma=False):
    X, y, _ = make_sparse_regression(N, P, K, sigma=1.0, random_seed=seed)
    tau0 = horseshoe_global_scale(K, n_features=P, n_obs=N)
    prior = regularized_horseshoe(tau0) if prior_name == "regularized_horseshoe" else horseshoe(tau0)
    sample_kw = dict(draws=draws, tune=tune, chains=2, random_seed=seed + 1000)
    sigma = 1.0 if known_sigma else None
    model = Model("gaussian", prior, sigma=sigma)
    out = {}
    if prior_name == "horseshoe":
        out["gibbs"] = timed_sample(model, X, y, **sample_kw, sampler="gibbs")
    out["cusp NUTS"] = timed_sample(model, X, y, **sample_kw, sampler="pymc")
    t0 = time.perf_counter()
    with plain_pymc_model(X, y, prior, sigma):
        plain_idata = pm.sample(**sample_kw, cores=2, progressbar=False, compute_convergence_checks=False)
    out["plain PyMC"] = summarize(plain_idata, time.perf_counter() - t0)
    return out


def case_small(args, draws, tune):
    ratios = {"cusp NUTS / plain": [], "gibbs / plain": [], "gibbs / cusp NUTS": []}
    for prior_name in args.prior:
        for seed in args.seeds:
            rows = run_small(prior_name, seed, draws, tune, args.known_sigma)
            plain = rows["plain PyMC"]
            for label, r in rows.items():
                print_row(f"small {prior_name}", seed, label, r, plain)
            ratios["cusp NUTS / plain"].append(rows["cusp NUTS"]["ess_per_s"] / plain["ess_per_s"])
            if "gibbs" in rows:
                ratios["gibbs / plain"].append(rows["gibbs"]["ess_per_s"] / plain["ess_per_s"])
                ratios["gibbs / cusp NUTS"].append(rows["gibbs"]["ess_per_s"] / rows["cusp NUTS"]["ess_per_s"])
    targets = {"cusp NUTS / plain": 2, "gibbs / plain": 10, "gibbs / cusp NUTS": 3}
    for name, values in ratios.items():
        if values:
            print(f"small: min-ESS/s ratio {name}: median {np.median(values):.2f}, min {np.min(values):.2f} "
                  f"(target >= {targets[name]})")
    return ratios


# ------------------------------------------------------------------ wide: p >> n
def wide_models(n, p):
    """The two p >> n models of the issue: ``(prior, sigma_prior, scale_by_sigma)``."""
    return {
        # Piironen & Vehtari's tau0 for 10 expected non-zeros as the half-Cauchy's scale;
        # sigma ~ HalfNormal, cusp's default (Jeffreys' prior would make this posterior
        # improper at p >= n: models.posterior.propriety)
        "horseshoe, tau ~ C+(0, tau0)": (horseshoe(horseshoe_global_scale(10, n_features=p, n_obs=n), global_df=1.0),
                                         "halfnormal", False),
        # Park & Casella: w_j | sigma ~ Laplace(sigma / lam), lam^2 ~ Gamma(1, 1), p(sigma^2) ~ 1/sigma^2
        "Bayesian lasso": (laplace(1.0, hyper_shape=1.0, hyper_rate=1.0), "jeffreys", True),
    }


def time_gibbs(X, y, spec, draws, tune, seed, thin=1):
    """The Gibbs sampler alone (``Model.sample`` adds the MAP beside the draws, whose time
    belongs to the MAP solver, not the sampler)."""
    from models.likelihoods import Gaussian
    from models.posterior.gibbs import gibbs_inference_data

    prior, sigma_prior, scaled = spec
    t0 = time.perf_counter()
    idata = gibbs_inference_data(X, y, prior, likelihood=Gaussian(None, sigma_prior),
                                 feature_names=[f"x{j}" for j in range(X.shape[1])], fit_intercept=True, draws=draws,
                                 tune=tune, chains=2, random_seed=seed, scale_by_sigma=scaled, thin=thin)
    return summarize(idata, time.perf_counter() - t0)


def case_wide(args, draws, tune):
    results = []
    for p in args.wide_p:
        for seed in args.seeds:
            X, y, _ = make_sparse_regression(args.wide_n, p, 10, sigma=1.0, random_seed=seed)
            for name, spec in wide_models(args.wide_n, p).items():
                r = time_gibbs(X, y, spec, draws, tune, seed + 1000, args.thin)
                print_row(f"wide p={p} {name}", seed, f"gibbs thin={args.thin}", r)
                results.append((p, name, r))
    for p in args.wide_p:
        for name in wide_models(args.wide_n, p):
            rows = [r for q, m, r in results if q == p and m == name]
            print(f"wide n={args.wide_n} p={p} {name}: median wall {np.median([r['wall_s'] for r in rows]):.1f} s "
                  f"(target <= 60), min bulk ESS {min(r['min_ess'] for r in rows):.0f} (>= 400), "
                  f"max r_hat {max(r['max_rhat'] for r in rows):.4f} (<= 1.01)")
    if args.profile:
        profile_wide(args, tune)
    return results


def profile_wide(args, iterations):
    """Where one chain's time goes (cProfile, internal time), for each p."""
    import cProfile
    import pstats

    from models.posterior.gibbs import gibbs_posterior

    for p in args.wide_p:
        X, y, _ = make_sparse_regression(args.wide_n, p, 10, sigma=1.0, random_seed=0)
        for name, (prior, sigma_prior, scaled) in wide_models(args.wide_n, p).items():
            profiler = cProfile.Profile()
            profiler.enable()
            gibbs_posterior(X, y, prior, sigma_prior=sigma_prior, scale_by_sigma=scaled, draws=iterations, burn=0,
                            chains=1, random_seed=0)
            profiler.disable()
            stats = pstats.Stats(profiler)
            total = stats.total_tt
            top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:6]
            parts = ", ".join(f"{func[2]} {100 * tt / total:.0f}%" for func, (_, _, tt, _, _) in top)
            print(f"where the time goes, p={p} {name}, one chain x {iterations} iterations ({total:.1f} s): {parts}")


# ------------------------------------------------------------------ logistic
def case_logistic(args, draws, tune):
    ratios = []
    for seed in args.seeds:
        X, y, _ = make_sparse_regression(500, 200, 10, likelihood="logistic", random_seed=seed)
        model = Model("logistic", horseshoe(horseshoe_global_scale(10, n_features=200, n_obs=500)))
        rows = {"gibbs": timed_sample(model, X, y, draws=draws, tune=tune, chains=2, random_seed=seed + 1000,
                                      sampler="gibbs"),
                "cusp NUTS": timed_sample(model, X, y, draws=draws, tune=tune, chains=2, random_seed=seed + 1000,
                                          sampler="pymc")}
        for label, r in rows.items():
            print_row("logistic n=500 p=200", seed, label, r, rows["cusp NUTS"])
        ratios.append(rows["gibbs"]["ess_per_s"] / rows["cusp NUTS"]["ess_per_s"])
    print(f"logistic horseshoe: min-ESS/s ratio Gibbs / NUTS: median {np.median(ratios):.2f}, min {np.min(ratios):.2f}")
    return ratios


# ------------------------------------------------------------------ demo
def case_demo(args):
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "reports", "demo", "--out", os.path.join(tmp, "demo"), "--no-progress"]
        command += ["--draws", "50", "--tune", "50", "--quick-study"] if args.quick else []
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - t0
    print(f"cusp demo: {wall:.1f} s wall (target <= 60)")
    return wall


def warm_up():
    """Load the Gibbs sampler's compiled kernels once (numba's cache), as PyMC's
    compilation is left out of NUTS's sampling time: a user pays either once per process."""
    X, y, _ = make_sparse_regression(20, 5, 2, random_seed=0)
    Model("gaussian", horseshoe(0.5)).sample(X, y, draws=5, tune=5, chains=1, random_seed=0, sampler="gibbs")


def main(args):
    draws, tune = (100, 100) if args.quick else (args.draws, args.tune)
    warm_up()
    print(HEAD)
    print("-" * len(HEAD))
    out = {}
    for case in args.case:
        if case == "demo":
            out[case] = case_demo(args)
        else:
            out[case] = {"small": case_small, "wide": case_wide, "logistic": case_logistic}[case](args, draws, tune)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", nargs="+", default=["small", "wide", "logistic", "demo"],
                        choices=["small", "wide", "logistic", "demo"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--prior", nargs="+", default=["horseshoe", "regularized_horseshoe"],
                        choices=["regularized_horseshoe", "horseshoe"], help="small case: the priors")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--known-sigma", action="store_true", help="small case: sigma = 1 known in every model")
    parser.add_argument("--wide-n", type=int, default=200)
    parser.add_argument("--wide-p", type=int, nargs="+", default=[2000])
    parser.add_argument("--profile", action="store_true", help="wide case: profile one chain per p")
    parser.add_argument("--thin", type=int, default=1, help="wide case: keep every thin-th Gibbs sweep (draws * thin sweeps)")
    parser.add_argument("--quick", action="store_true", help="100 draws and 100 tuning steps (a smoke test)")
    main(parser.parse_args())
