"""The study: eight experiments that separate *singularity* from *concentration*.

Each experiment is one function that computes and returns its data (a dict of numpy
arrays and plain numbers); :func:`run_study` runs them all and returns a :class:`Study`.
Figures live in :mod:`reports.figures.study` and the page in :mod:`reports.study.page`;
neither recomputes anything.

1. :func:`shrinkage_profiles`: normal means, MAP vs posterior mean / median / P(|w| < eps).
2. :func:`concentration_sweep`: exact MAP zeros against density at zero, many families.
3. :func:`singularity_sweep`: smoothed Laplace, delta -> 0.
4. :func:`threshold_law`: Laplace zeros are exactly the slopes inside +-1/b.
5. :func:`geometry`: L1 / L2 / Lp balls touching a line of solutions; 2-D posteriors.
6. :func:`overfitting`: p > n regression, test error and support recovery.
7. :func:`posterior_vs_map`: MAP zeros next to posterior draws (spike-and-slab too).
8. :func:`selection_comparison`: from the posterior to exact zeros, decisions with a singular loss.

>>> data = threshold_law(quick=True)
>>> bool(np.array_equal(data["is_zero"], data["inside_band"]))
True
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings

import arviz as az
import numpy as np

from models import Model, gaussian_scale_for_density, load_diabetes, make_sparse_regression
from models.data import DIABETES_SIGMA
from models.likelihoods import Gaussian
from models.posterior.exact import gaussian_posterior, horseshoe_posterior_moments, laplace_posterior
from models.posterior.gibbs import gibbs_posterior
from models.selection import METHODS, Reference, select
from priors import CuspInputError, bridge, gaussian, horseshoe, laplace, smoothed_laplace, spike_and_slab, student_t
from priors.validation import SEED_MAX, check_seed

__all__ = [
    "Study",
    "run_study",
    "shrinkage_profiles",
    "concentration_sweep",
    "singularity_sweep",
    "threshold_law",
    "geometry",
    "overfitting",
    "posterior_vs_map",
    "selection_comparison",
    "DIABETES_SIGMA",
]

#: Laplace scale used as the reference on the diabetes data.
DIABETES_B = 1.0


@dataclasses.dataclass
class Study:
    """All experiments' data; ``seconds`` holds each experiment's run time."""

    shrinkage: dict
    concentration: dict
    singularity: dict
    threshold: dict
    geometry: dict
    overfitting: dict
    posterior: dict
    selection: dict
    quick: bool
    random_seed: int
    seconds: dict


# --------------------------------------------------------------------------- helpers
def _seed(random_seed) -> int:
    """The study's seed: a whole number in [0, 2**32 - 1] (checked by
    :func:`priors.validation.check_seed`); None is refused, since the study's numbers
    must be reproducible from the seed it records."""
    if random_seed is None:
        raise CuspInputError(f"the study needs a fixed random_seed, a whole number >= 0 and <= {SEED_MAX}, got None")
    return check_seed("random_seed", random_seed)


def _diabetes():
    X, y, names = load_diabetes()
    return X, y, names


def _synthetic(random_seed):
    X, y, w = make_sparse_regression(100, 30, 5, sigma=1.0, random_seed=random_seed)
    return X, y, [f"x{j}" for j in range(X.shape[1])], w


def _slope_at_zero(X, y, coef, intercept, sigma):
    """``d(-log lik)/dw_j`` at ``w_j = 0`` with every other coordinate at the MAP."""
    r = y - X @ coef - intercept
    r0 = r[:, None] + X * coef[None, :]  # residual with column j's contribution removed
    return -(X * r0).sum(axis=0) / sigma**2


def _smallest_abs(coef):
    coef = np.abs(np.asarray(coef, dtype=float))
    return float(coef.min()) if coef.size else float("nan")


# --------------------------------------------------------------------------- 1. shrinkage
def _grid_posterior(prior, y, sigma, eps, n_cells):
    """Posterior mean, median and P(|w| < eps) by integrating on a fine w-grid.

    Cell midpoints on [-W, W] (W = max|y| + 12 sigma); an even cell count keeps w = 0 a
    cell edge, so a pole at 0 (horseshoe) is never evaluated."""
    W = float(np.max(np.abs(y))) + 12.0 * sigma
    edges = np.linspace(-W, W, n_cells + 1)
    w = 0.5 * (edges[1:] + edges[:-1])
    dw = edges[1] - edges[0]
    logp = np.asarray(prior.logpdf(w), dtype=float)
    mean = np.empty(y.size)
    median = np.empty(y.size)
    near = np.empty(y.size)
    inside = np.abs(w) < eps
    for i, yi in enumerate(y):
        lp = -0.5 * ((w - yi) / sigma) ** 2 + logp
        p = np.exp(lp - lp.max())
        p /= p.sum()
        mean[i] = float(np.dot(p, w))
        cdf = np.cumsum(p)
        k = int(np.searchsorted(cdf, 0.5))
        # linear interpolation of the CDF between cell right edges
        c_lo = cdf[k - 1] if k > 0 else 0.0
        median[i] = float(edges[k] + (0.5 - c_lo) / max(p[k], 1e-300) * dw)
        near[i] = float(p[inside].sum())
    return mean, median, near


def shrinkage_profiles(*, quick=False, sigma=1.0, eps=0.1):
    """Experiment 1: normal means ``y ~ N(w, sigma^2)`` with one observation.

    For ``y`` on a grid and six priors: the MAP (the prior's proximal operator with step
    ``sigma^2``), the posterior mean, median and ``P(|w| < eps | y)``.  ``method`` says,
    per prior and statistic, whether the value is exact or from grid integration.

    Priors of comparable scale: Laplace b = 1 (its MAP dead zone is ``|y| <= sigma^2/b``),
    Gaussian with the Laplace's variance (s = sqrt(2)), horseshoe tau = 1, bridge p = 0.5
    and smoothed Laplace (delta = 0.1) with scale 1, Student-t (nu = 3) scale 1.
    """
    n_y = 41 if quick else 161
    y = np.linspace(-4.0, 4.0, n_y)
    if not np.any(y == 0):
        raise AssertionError("the y grid must contain 0")
    n_cells = 4000 if quick else 20000
    b = 1.0
    priors = {
        "Gaussian": gaussian(math.sqrt(2.0) * b),
        "Laplace": laplace(b),
        "horseshoe": horseshoe(1.0),
        "bridge p=0.5": bridge(1.0, p=0.5),
        "smoothed Laplace": smoothed_laplace(1.0, delta=0.1),
        "Student-t": student_t(1.0, nu=3.0),
    }
    out = {"y": y, "sigma": sigma, "eps": eps, "b": b, "n_cells": n_cells, "labels": list(priors),
           "priors": {k: p.describe() for k, p in priors.items()},
           "map": {}, "mean": {}, "median": {}, "p_near_zero": {}, "method": {}}
    step = sigma**2
    for label, prior in priors.items():
        if label == "horseshoe":
            out["map"][label] = np.asarray(prior.prox_local(y, step), dtype=float)
        else:
            out["map"][label] = np.asarray(prior.prox(y, step), dtype=float)
        g_mean, g_median, g_near = _grid_posterior(prior, y, sigma, eps, n_cells)
        if label == "Laplace":
            post = laplace_posterior(y, sigma=sigma, b=b)
            out["mean"][label], out["median"][label] = np.asarray(post.mean, float), np.asarray(post.median, float)
            out["p_near_zero"][label] = np.asarray(post.prob_abs_below(eps), float)
            out["method"][label] = "exact (Hans 2009)"
        elif label == "Gaussian":
            post = gaussian_posterior(y, sigma=sigma, s=prior.scale)
            out["mean"][label], out["median"][label] = np.asarray(post.mean, float), np.asarray(post.median, float)
            out["p_near_zero"][label] = np.asarray(post.prob_abs_below(eps), float)
            out["method"][label] = "exact (closed form)"
        elif label == "horseshoe":
            out["mean"][label] = np.asarray(horseshoe_posterior_moments(y, sigma=sigma, tau=prior.scale).mean, float)
            out["median"][label], out["p_near_zero"][label] = g_median, g_near
            out["method"][label] = "mean exact (1-D quadrature, Carvalho et al. 2010); median and P(|w|<eps) on a w-grid"
            out["horseshoe_grid_mean_error"] = float(np.max(np.abs(g_mean - out["mean"][label])))
        else:
            out["mean"][label], out["median"][label], out["p_near_zero"][label] = g_mean, g_median, g_near
            out["method"][label] = f"numerical integration on a {n_cells}-cell w-grid"
    dead = np.abs(y) <= sigma**2 / b
    out["dead_zone"] = dead
    out["dead_zone_halfwidth"] = sigma**2 / b
    out["laplace_map_zero"] = out["map"]["Laplace"] == 0.0
    nz = y != 0
    out["min_abs_mean_off_zero"] = {k: float(np.min(np.abs(v[nz]))) for k, v in out["mean"].items()}
    out["min_abs_median_off_zero"] = {k: float(np.min(np.abs(v[nz]))) for k, v in out["median"].items()}
    out["n_map_zeros"] = {k: int(np.sum(v == 0.0)) for k, v in out["map"].items()}
    return out


# --------------------------------------------------------------------------- 2. concentration
def _families(reference_b):
    """Smooth families (scale families: density at 0 proportional to 1/scale), the
    Laplace and the bridge; the horseshoe is handled separately (density inf)."""
    return {
        "Gaussian": gaussian(reference_b),
        "Student-t (nu=3)": student_t(reference_b, nu=3.0),
        "smoothed Laplace (delta=0.01 b)": smoothed_laplace(reference_b, delta=0.01 * reference_b),
        "Laplace": laplace(reference_b),
        "bridge p=0.5": bridge(reference_b, p=0.5),
    }


_SMOOTH = ("Gaussian", "Student-t (nu=3)", "smoothed Laplace (delta=0.01 b)")


def _sweep_one(X, y, names, sigma, reference_b, factors, tau_factors):
    d_ref = laplace(reference_b).density_at_zero
    targets = d_ref * factors
    rows = {}
    for label, base in _families(reference_b).items():
        d1 = base.density_at_zero
        scales = base.scale * d1 / targets
        dens, zeros, smallest = [], [], []
        for s in scales:
            prior = base.with_scale(float(s))
            if label.startswith("smoothed"):
                prior = smoothed_laplace(float(s), delta=0.01 * float(s))
            res = Model("gaussian", prior, sigma=sigma).map(X, y, feature_names=names)
            dens.append(prior.density_at_zero)
            zeros.append(res.n_zeros)
            smallest.append(_smallest_abs(res.coef))
        rows[label] = {"scale": np.asarray(scales), "density": np.asarray(dens), "n_zeros": np.asarray(zeros),
                       "smallest_abs": np.asarray(smallest), "smooth": label in _SMOOTH}
    taus = reference_b * tau_factors
    hs_zeros, hs_smallest = [], []
    for tau in taus:
        res = Model("gaussian", horseshoe(float(tau)), sigma=sigma).map(X, y, feature_names=names)
        hs_zeros.append(res.n_zeros)
        hs_smallest.append(_smallest_abs(res.coef))
    rows["horseshoe (local mode)"] = {"scale": np.asarray(taus), "density": np.full(taus.size, np.inf),
                                      "n_zeros": np.asarray(hs_zeros), "smallest_abs": np.asarray(hs_smallest),
                                      "smooth": False}
    # the matched pair: Gaussian with 100x and 1000x the Laplace's density at zero
    lap = Model("gaussian", laplace(reference_b), sigma=sigma).map(X, y, feature_names=names)
    pair = [{"label": f"Laplace b={reference_b:g}", "density": d_ref, "n_zeros": lap.n_zeros,
             "smallest_abs": _smallest_abs(lap.coef)}]
    for mult in (100.0, 1000.0):
        s = gaussian_scale_for_density(mult * d_ref)
        res = Model("gaussian", gaussian(s), sigma=sigma).map(X, y, feature_names=names)
        pair.append({"label": f"Gaussian s={s:.3g} ({mult:g}x density)", "density": gaussian(s).density_at_zero,
                     "multiple": mult, "n_zeros": res.n_zeros, "smallest_abs": _smallest_abs(res.coef)})
    smooth_dens = np.concatenate([rows[k]["density"] for k in _SMOOTH])
    return {"families": rows, "reference_b": reference_b, "sigma": sigma, "n_features": X.shape[1],
            "matched": pair, "smooth_density_orders": float(np.log10(smooth_dens.max() / smooth_dens.min())),
            "smooth_max_zeros": int(max(rows[k]["n_zeros"].max() for k in _SMOOTH)),
            "smooth_min_smallest_abs": float(min(rows[k]["smallest_abs"].min() for k in _SMOOTH))}


def concentration_sweep(*, quick=False, random_seed=0):
    """Experiment 2: exact MAP zeros against the prior's density at zero.

    On the diabetes data (sigma = 54, reference Laplace b = 1) and on a synthetic sparse
    regression (n = 100, p = 30, k = 5, sigma = 1, reference b = 0.05), each family's
    scale is set so its density at zero is ``factor x`` the reference Laplace's, for
    factors spanning 5 orders of magnitude (``10^-2 .. 10^3``)."""
    random_seed = _seed(random_seed)
    factors = np.logspace(-2, 3, 6 if quick else 11)
    tau_factors = np.logspace(-2, 0, 3 if quick else 5)
    X, y, names = _diabetes()
    Xs, ys, names_s, _ = _synthetic(random_seed)
    return {"factors": factors,
            "datasets": {"diabetes": _sweep_one(X, y, names, DIABETES_SIGMA, DIABETES_B, factors, tau_factors),
                         "synthetic": _sweep_one(Xs, ys, names_s, 1.0, 0.05, factors, tau_factors)}}


# --------------------------------------------------------------------------- 3. singularity
def singularity_sweep(*, quick=False, b=DIABETES_B):
    """Experiment 3: smoothed Laplace on the diabetes data, delta from 1 down to 1e-8, then 0."""
    deltas = np.concatenate([np.logspace(0, -8, 5 if quick else 17), [0.0]])
    X, y, names = _diabetes()
    zeros, dens, smallest, coefs = [], [], [], []
    for d in deltas:
        prior = smoothed_laplace(b, delta=float(d))
        res = Model("gaussian", prior, sigma=DIABETES_SIGMA).map(X, y, feature_names=names)
        zeros.append(res.n_zeros)
        dens.append(prior.density_at_zero)
        smallest.append(_smallest_abs(res.coef))
        coefs.append(res.coef)
    zeros = np.asarray(zeros)
    return {"delta": deltas, "b": b, "sigma": DIABETES_SIGMA, "n_zeros": zeros, "density": np.asarray(dens),
            "smallest_abs": np.asarray(smallest), "coefs": np.asarray(coefs), "feature_names": names,
            "laplace_zero_features": [n for n, c in zip(names, coefs[-1]) if c == 0.0],
            "max_zeros_positive_delta": int(zeros[:-1].max()), "zeros_at_zero": int(zeros[-1]),
            "density_change_last_step": float(abs(dens[-1] - dens[-2]))}


# --------------------------------------------------------------------------- 4. threshold law
def threshold_law(*, quick=False, b=DIABETES_B):
    """Experiment 4: Laplace MAP on the diabetes data.  Each coefficient's slope of
    -log likelihood at ``w_j = 0`` (others at the MAP) against the band ``+-1/b``, at
    ``b`` and along a sweep of scales."""
    X, y, names = _diabetes()
    sigma = DIABETES_SIGMA
    res = Model("gaussian", laplace(b), sigma=sigma).map(X, y, feature_names=names)
    slope = _slope_at_zero(X, y, res.coef, res.intercept, sigma)
    scales = np.logspace(-1.5, 1.5, 13 if quick else 61)
    path = Model("gaussian", laplace(b), sigma=sigma).map_path(X, y, scales, feature_names=names)
    path_slopes = np.array([_slope_at_zero(X, y, r.coef, r.intercept, sigma) for r in path.results])
    path_zero = path.coefs == 0.0
    path_inside = np.abs(path_slopes) <= 1.0 / scales[:, None]
    # where each feature first leaves zero as b grows (scales ascending)
    order = np.argsort(scales)
    leave = {}
    for j, name in enumerate(names):
        nz = np.nonzero(~path_zero[order, j])[0]
        leave[name] = float(scales[order][nz[0]]) if nz.size else float("nan")
    return {"b": b, "sigma": sigma, "feature_names": names, "coef": res.coef, "slope_at_zero": slope,
            "threshold": 1.0 / b, "is_zero": res.coef == 0.0, "inside_band": np.abs(slope) <= 1.0 / b,
            "certificate_slope": res.certificate.slope, "n_zeros": res.n_zeros,
            "min_margin_nonzero": float(np.min(np.abs(slope[res.coef != 0]) - 1.0 / b)) if np.any(res.coef != 0) else float("nan"),
            "scales": scales, "path_coefs": path.coefs, "path_slopes": path_slopes,
            "path_zero": path_zero, "path_inside": path_inside, "leave_scale": leave,
            "path_agreement": float(np.mean(path_zero == path_inside))}


# --------------------------------------------------------------------------- 5. geometry
def _lp(a, c, p):
    return (np.abs(a) ** p + np.abs(c) ** p) ** (1.0 / p)


def _touch(x, yobs, p, a_grid):
    c = yobs - x * a_grid
    v = _lp(a_grid, c, p)
    k = int(np.argmin(v))
    best = v[k]
    ties = np.nonzero(v <= best * (1 + 1e-12) + 1e-12)[0]
    return {"a": float(a_grid[k]), "c": float(c[k]), "norm": float(best),
            "tie_a_min": float(a_grid[ties].min()), "tie_a_max": float(a_grid[ties].max()),
            "n_ties": int(ties.size), "unique": bool(a_grid[ties].max() - a_grid[ties].min() < 1e-6)}


def geometry(*, quick=False, random_seed=0):
    """Experiment 5: fit ``y = a x + c`` to one point ``(x, y)``: the solutions form the
    line ``c = y - a x``; the smallest Lp ball touching it is found by a dense 1-D search
    along the line (p = 1, 2, 0.5).  Plus a 2-D regression's log-posterior under a
    Gaussian and a Laplace prior with the exact MAPs."""
    random_seed = _seed(random_seed)
    points = {"(10, 5)": (10.0, 5.0), "(1, 1000)": (1.0, 1000.0)}
    out = {"points": {}}
    for key, (x, yobs) in points.items():
        # the grid holds y/x (the L1 corner) and 0 exactly
        n = 200_001 if quick else 2_000_001
        a_grid = np.unique(np.concatenate([np.linspace(-2 * abs(yobs / x) - 1, 2 * abs(yobs / x) + 1, n),
                                           [0.0, yobs / x]]))
        out["points"][key] = {"x": x, "y": yobs, "L1": _touch(x, yobs, 1.0, a_grid),
                              "L2": _touch(x, yobs, 2.0, a_grid), "L0.5": _touch(x, yobs, 0.5, a_grid),
                              "L2_exact": (x * yobs / (1 + x**2), yobs / (1 + x**2))}
    # 2-D regression: two correlated features, one irrelevant
    rng = np.random.default_rng(random_seed)
    n = 30
    z = rng.standard_normal((n, 2))
    X = np.column_stack([z[:, 0], 0.6 * z[:, 0] + 0.8 * z[:, 1]])
    X = (X - X.mean(0)) / X.std(0)
    sigma = 1.0
    y = 1.0 * X[:, 0] + sigma * rng.standard_normal(n)
    y = y - y.mean()
    # the Laplace scale: 0.8 times the largest b with at least one exact zero
    scales = np.logspace(-3, 1, 81)
    path = Model("gaussian", laplace(1.0), sigma=sigma, fit_intercept=False).map_path(X, y, scales)
    has_zero = path.n_zeros >= 1
    b = float(scales[has_zero].max()) * 0.8 if np.any(has_zero) else 0.05
    lap = Model("gaussian", laplace(b), sigma=sigma, fit_intercept=False).map(X, y)
    gau_prior = gaussian(math.sqrt(2.0) * b)
    gau = Model("gaussian", gau_prior, sigma=sigma, fit_intercept=False).map(X, y)
    m = 121 if quick else 241
    half = 1.6 * float(np.max(np.abs(np.linalg.lstsq(X, y, rcond=None)[0]))) + 0.2
    g1 = np.linspace(-half, half, m)
    W1, W2 = np.meshgrid(g1, g1)
    W = np.stack([W1.ravel(), W2.ravel()], axis=1)
    loglik = -0.5 * np.sum((y[None, :] - W @ X.T) ** 2, axis=1) / sigma**2
    out["regression"] = {
        "X": X, "y": y, "sigma": sigma, "b": b, "s": gau_prior.scale, "grid": g1,
        "logpost_laplace": (loglik + laplace(b).logpdf(W).sum(axis=1)).reshape(m, m),
        "logpost_gaussian": (loglik + gau_prior.logpdf(W).sum(axis=1)).reshape(m, m),
        "map_laplace": lap.coef, "map_gaussian": gau.coef,
        "n_zeros_laplace": lap.n_zeros, "n_zeros_gaussian": gau.n_zeros,
    }
    return out


# --------------------------------------------------------------------------- 6. over-fitting
def _support_scores(coef, truth):
    sel = coef != 0
    true = truth != 0
    tp = int(np.sum(sel & true))
    precision = tp / int(sel.sum()) if sel.any() else float("nan")
    recall = tp / int(true.sum()) if true.any() else float("nan")
    zero_sel, zero_true = ~sel, ~true
    zero_precision = int(np.sum(zero_sel & zero_true)) / int(zero_sel.sum()) if zero_sel.any() else float("nan")
    zero_recall = int(np.sum(zero_sel & zero_true)) / int(zero_true.sum()) if zero_true.any() else float("nan")
    return precision, recall, zero_precision, zero_recall


def overfitting(*, quick=False, random_seed=0):
    """Experiment 6: p > n regression (n = 50, p = 200, 5 true non-zeros of size 2,
    sigma = 1).  Test mean squared error (1000 fresh rows) and support recovery against
    the prior scale, for the MAP under Gaussian, Laplace and horseshoe (local mode) and
    for the posterior mean under Laplace and horseshoe (fixed tau), drawn by the Gibbs
    samplers of :mod:`models.posterior.gibbs`.  The Gaussian's posterior mean *is* its MAP.

    A posterior mean is never exactly 0, so its "support" is all p features; the
    posterior-mean families also record the smallest effective sample size over the
    coefficients at each scale (``min_ess``)."""
    random_seed = _seed(random_seed)
    n, p, k, sigma = 50, 200, 5, 1.0
    X, y, truth = make_sparse_regression(n, p, k, sigma=sigma, random_seed=random_seed)
    rng = np.random.default_rng(random_seed + 1)
    X_test = rng.standard_normal((1000, p))
    y_test = X_test @ truth + sigma * rng.standard_normal(1000)
    n_scales = 5 if quick else 9
    n_hs = 4 if quick else 6
    draws, burn, chains = (200, 100, 2) if quick else (2000, 1000, 2)
    map_grids = {"Gaussian": (gaussian(1.0), np.logspace(-3, 1, n_scales)),
                 "Laplace": (laplace(1.0), np.logspace(-3, 0, n_scales)),
                 "horseshoe (local mode)": (horseshoe(1.0), np.logspace(-3, 0, n_hs))}
    # The horseshoe grid starts at tau = 1e-3: below it this Gibbs sampler can hold a
    # true signal at 0 for thousands of iterations (min ESS < 10), and the mean it
    # reports is then not the posterior mean.
    mean_grids = {"Laplace (posterior mean)": (laplace(1.0), np.logspace(-3, 0, n_scales)),
                  "horseshoe (posterior mean)": (horseshoe(1.0), np.logspace(-3, 0, n_hs))}
    out = {"n": n, "p": p, "k": k, "sigma": sigma, "truth": truth, "families": {},
           "draws": draws, "burn": burn, "chains": chains,
           "null_test_mse": float(np.mean((y_test - y.mean()) ** 2)),
           "oracle_test_mse": float(np.mean((y_test - X_test @ truth) ** 2))}

    def record(label, scales, estimates, extra=None):
        scores = [_support_scores(coef, truth) for coef, _ in estimates]
        mse = np.array([np.mean((y_test - X_test @ coef - c) ** 2) for coef, c in estimates])
        best = int(np.argmin(mse))
        out["families"][label] = {
            "scales": scales, "test_mse": mse, "best": best, "best_scale": float(scales[best]),
            "best_mse": float(mse[best]), "n_nonzero": np.array([int(np.sum(coef != 0)) for coef, _ in estimates]),
            **{key: np.array([s[i] for s in scores]) for i, key in
               enumerate(("precision", "recall", "zero_precision", "zero_recall"))},
            **(extra or {})}

    for label, (base, scales) in map_grids.items():
        path = Model("gaussian", base, sigma=sigma).map_path(X, y, scales)
        record(label, scales, [(r.coef, r.intercept) for r in path.results])
    for label, (base, scales) in mean_grids.items():
        estimates, min_ess = [], []
        for i, scale in enumerate(scales):
            drawn = gibbs_posterior(X, y, base.with_scale(scale), sigma=sigma, draws=draws, burn=burn, chains=chains,
                                    random_seed=(random_seed + i) % (SEED_MAX + 1))
            w, c = drawn["w"], drawn["intercept"]
            estimates.append((w.mean(axis=(0, 1)), float(c.mean())))
            min_ess.append(float(az.ess(az.convert_to_dataset({"w": w}))["w"].min()))
        record(label, scales, estimates, {"min_ess": np.array(min_ess)})
    return out


# --------------------------------------------------------------------------- 7. posterior vs MAP
def posterior_vs_map(*, quick=False, random_seed=0, eps=1.0):
    """Experiment 7: diabetes data (sigma = 54).  Per coefficient: the MAP (exact zero or
    not), the posterior ``P(|w| < eps | y)`` and the number of posterior draws that are
    exactly 0.0, under Gaussian, Laplace, (full mode: horseshoe) and spike-and-slab."""
    random_seed = _seed(random_seed)
    X, y, names = _diabetes()
    priors = {"Gaussian": gaussian(20.0), "Laplace": laplace(DIABETES_B)}
    if not quick:
        priors["horseshoe"] = horseshoe(1.0)
    priors["spike-and-slab"] = spike_and_slab(20.0, 0.5)
    draws, tune, chains = (100, 100, 1) if quick else (500, 500, 2)
    out = {"feature_names": names, "eps": eps, "sigma": DIABETES_SIGMA, "draws": draws, "tune": tune,
           "chains": chains, "priors": {}, "labels": list(priors)}
    for label, prior in priors.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = Model("gaussian", prior, sigma=DIABETES_SIGMA).fit(
                X, y, feature_names=names, draws=draws, tune=tune, chains=chains, random_seed=random_seed,
                progressbar=False)
        rows = fit.zero_statistics(eps)
        m = fit.map
        out["priors"][label] = {
            "prior": prior.describe(), "continuous": prior.point_mass == 0,
            "map": None if m is None else np.asarray(m.coef, dtype=float),
            "map_mode": None if m is None else m.mode,
            "map_is_zero": None if m is None else np.asarray(m.coef) == 0.0,
            "p_near_zero": np.array([r["p_near_zero"] for r in rows]),
            "n_exact_zero": np.array([r["n_exact_zero"] for r in rows]),
            "p_exact_zero": np.array([r["p_exact_zero"] for r in rows]),
            "mean": np.array([r["mean"] for r in rows]),
            "n_draws": int(rows[0]["n_draws"]),
            "sampler": fit.sampler,
            # None: the Gibbs sampler, which has no divergences to count
            "divergences": None if fit.diagnostics.n_divergent is None else int(fit.diagnostics.n_divergent),
        }
    return out


# --------------------------------------------------------------------------- 8. selection
#: The prior guess of the number of relevant features behind the horseshoe's global scale
#: (Piironen & Vehtari 2017): tau = p0 / (p - p0) * sigma / sqrt(n).
SELECTION_P0 = 5


def _selection_tau(p, n, sigma, p0=SELECTION_P0):
    """Piironen & Vehtari's (2017) global scale ``p0 / (p - p0) * sigma / sqrt(n)``."""
    return p0 / (p - p0) * sigma / math.sqrt(n)


def _reference(X, y, w, c, sigma, names):
    """A :class:`models.selection.Reference` of Gibbs draws ``w`` (chains, draws, p)."""
    chains, draws, p = w.shape
    return Reference(X=X, y=y, likelihood=Gaussian(sigma), coef_draws=w.reshape(-1, p),
                     intercept_draws=c.reshape(-1), sigma_draws=np.full(chains * draws, float(sigma)),
                     fit_intercept=True, feature_names=list(names), point_mass=False, n_chains=chains)


def _decision_row(coef, intercept, seconds, X_test, y_test, truth, map_support):
    """The numbers every decision (and the MAP) is scored by."""
    coef = np.asarray(coef, dtype=float)
    row = {"applicable": True, "reason": None, "coef": coef, "intercept": float(intercept),
           "n_selected": int(np.sum(coef != 0)), "n_exact_zero": int(np.sum(coef == 0.0)),
           "test_mse": float(np.mean((y_test - X_test @ coef - intercept) ** 2)), "seconds": float(seconds)}
    if truth is not None:
        row["precision"], row["recall"], _, _ = _support_scores(coef, truth)
    if map_support is not None:
        sel = coef != 0
        union = int(np.sum(sel | map_support))
        row["agreement"] = int(np.sum(sel == map_support))
        row["jaccard"] = int(np.sum(sel & map_support)) / union if union else 1.0
    return row


def _selection_one(X, y, names, X_test, y_test, truth, sigma, map_b, map_rule, map_seconds, lap_map, priors,
                   draws, burn, chains, random_seed):
    map_support = lap_map.coef != 0 if truth is None else None
    out = {"n": X.shape[0], "p": X.shape[1], "n_test": X_test.shape[0], "sigma": sigma, "feature_names": names,
           "X_test": X_test, "y_test": y_test, "truth": truth,
           "map": {**_decision_row(lap_map.coef, lap_map.intercept, map_seconds, X_test, y_test, truth, map_support),
                   "b": map_b, "rule": map_rule, "converged": bool(lap_map.converged)},
           "posteriors": {}}
    for i, (label, prior) in enumerate(priors.items()):
        t0 = time.perf_counter()
        drawn = gibbs_posterior(X, y, prior, sigma=sigma, draws=draws, burn=burn, chains=chains,
                                random_seed=(random_seed + i) % (SEED_MAX + 1))
        w, c = drawn["w"], drawn["intercept"]
        gibbs_seconds = time.perf_counter() - t0
        reference = _reference(X, y, w, c, sigma, names)
        mean = _decision_row(reference.coef_mean, reference.intercept_mean, 0.0, X_test, y_test, truth, map_support)
        post = {"prior": prior.describe(), "scale": float(prior.scale), "gibbs_seconds": gibbs_seconds,
                "min_ess": float(az.ess(az.convert_to_dataset({"w": w}))["w"].min()),
                "n_exact_zero_draws": int(np.sum(w == 0.0)), "n_draws": int(w.shape[0] * w.shape[1]),
                "mean": mean, "methods": {}}
        for method in METHODS:
            options = {"random_seed": random_seed} if method == "projection" else {}
            t0 = time.perf_counter()
            try:
                sel = select(reference, method, **options)
            except CuspInputError as exc:  # MPM: no point mass, no inclusion probabilities
                post["methods"][method] = {"applicable": False, "reason": str(exc)}
                continue
            row = _decision_row(sel.coef, sel.intercept, time.perf_counter() - t0, X_test, y_test, truth, map_support)
            row["notes"] = list(sel.notes)
            post["methods"][method] = row
        out["posteriors"][label] = post
    return out


def selection_comparison(*, quick=False, random_seed=0):
    """Experiment 8: from the posterior to exact zeros.

    A posterior under a continuous prior has no exact zeros (nor has its mean); the
    decisions of :mod:`models.selection` do: DSS (an L1 problem on the posterior's fitted
    values), SAVS (a soft threshold of the posterior mean), the credible interval rule,
    projection predictive selection, and the median probability model -- which needs a
    point mass and is recorded as not applicable, with the refusal's reason.  Each runs
    on Gibbs draws (:mod:`models.posterior.gibbs`; quick 2 x 500 after 250, full 2 x 2000
    after 1000; for diabetes, n > p, by its p x p Cholesky draw)
    under two priors:

    * a horseshoe with fixed ``tau = p0 / (p - p0) * sigma / sqrt(n)``, ``p0 = 5``
      (Piironen & Vehtari 2017's rule, with a prior guess of 5 relevant features);
    * the Laplace with the scale ``b`` of the Laplace MAP it is compared with, so that
      the MAP and the decision come from the same prior.

    Data sets: diabetes (sigma = 54), split once by ``random_seed`` into 342 training
    and 100 test rows (the columns as :func:`models.load_diabetes` standardized them on
    all 442 rows); the Laplace MAP at ``b = DIABETES_B`` (= 1, as in experiments 2-4 and
    7); no truth, so each support is compared with the MAP's.  Synthetic: the data of
    experiment 6 (n = 50, p = 200, k = 5, sigma = 1, 1000 fresh test rows); the Laplace
    MAP at the grid scale with the best *test* MSE (an oracle choice that favours the
    MAP; the decisions choose their sizes from the training data alone).  Every estimate
    records its number selected, test MSE and time (seconds; the Gibbs run separately),
    and on the synthetic data the precision and recall of its support.
    """
    random_seed = _seed(random_seed)
    draws, burn, chains = (500, 250, 2) if quick else (2000, 1000, 2)
    out = {"methods": list(METHODS), "draws": draws, "burn": burn, "chains": chains, "p0": SELECTION_P0,
           "datasets": {}}
    # diabetes: one seeded split
    X, y, names = _diabetes()
    perm = np.random.default_rng(random_seed).permutation(y.size)
    train, test = np.sort(perm[:342]), np.sort(perm[342:])
    t0 = time.perf_counter()
    lap = Model("gaussian", laplace(DIABETES_B), sigma=DIABETES_SIGMA).map(X[train], y[train], feature_names=names)
    map_seconds = time.perf_counter() - t0
    priors = {"horseshoe": horseshoe(_selection_tau(X.shape[1], train.size, DIABETES_SIGMA)),
              "Laplace": laplace(DIABETES_B)}
    d = _selection_one(X[train], y[train], names, X[test], y[test], None, DIABETES_SIGMA, DIABETES_B,
                       f"fixed b = DIABETES_B = {DIABETES_B:g}", map_seconds, lap, priors, draws, burn, chains,
                       random_seed)
    d["train"], d["test"] = train, test
    out["datasets"]["diabetes"] = d
    # synthetic p > n with known truth: experiment 6's data
    n, p, k, sigma = 50, 200, 5, 1.0
    X, y, truth = make_sparse_regression(n, p, k, sigma=sigma, random_seed=random_seed)
    rng = np.random.default_rng(random_seed + 1)
    X_test = rng.standard_normal((1000, p))
    y_test = X_test @ truth + sigma * rng.standard_normal(1000)
    names = [f"x{j}" for j in range(p)]
    scales = np.logspace(-3, 0, 7 if quick else 13)
    t0 = time.perf_counter()
    path = Model("gaussian", laplace(1.0), sigma=sigma).map_path(X, y, scales, feature_names=names)
    map_seconds = time.perf_counter() - t0
    grid_mse = np.array([np.mean((y_test - X_test @ r.coef - r.intercept) ** 2) for r in path.results])
    best = int(np.argmin(grid_mse))
    b = float(scales[best])
    priors = {"horseshoe": horseshoe(_selection_tau(p, n, sigma)), "Laplace": laplace(b)}
    d = _selection_one(X, y, names, X_test, y_test, truth, sigma, b,
                       f"the best test MSE over {scales.size} scales b from {scales[0]:g} to {scales[-1]:g}",
                       map_seconds, path.results[best], priors, draws, burn, chains, random_seed)
    d["k"], d["map"]["grid"], d["map"]["grid_test_mse"] = k, scales, grid_mse
    out["datasets"]["synthetic"] = d
    return out


# --------------------------------------------------------------------------- all
def run_study(*, quick=False, random_seed=0) -> Study:
    """Run every experiment.  ``quick`` uses coarser grids and tiny posterior samples.
    ``random_seed`` (a whole number in [0, 2**32 - 1]) is checked before any experiment runs."""
    random_seed = _seed(random_seed)
    seconds = {}
    results = {}
    steps = [
        ("shrinkage", lambda: shrinkage_profiles(quick=quick)),
        ("concentration", lambda: concentration_sweep(quick=quick, random_seed=random_seed)),
        ("singularity", lambda: singularity_sweep(quick=quick)),
        ("threshold", lambda: threshold_law(quick=quick)),
        ("geometry", lambda: geometry(quick=quick, random_seed=random_seed)),
        ("overfitting", lambda: overfitting(quick=quick, random_seed=random_seed)),
        ("posterior", lambda: posterior_vs_map(quick=quick, random_seed=random_seed)),
        ("selection", lambda: selection_comparison(quick=quick, random_seed=random_seed)),
    ]
    for key, fn in steps:
        t0 = time.perf_counter()
        results[key] = fn()
        seconds[key] = time.perf_counter() - t0
    return Study(quick=bool(quick), random_seed=int(random_seed), seconds=seconds, **results)
