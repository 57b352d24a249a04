"""The numbers behind ``cusp explore``: everything the interactive page shows, computed here.

:func:`explore` returns an :class:`Exploration`, plain data (lists of floats, ints and
strings, JSON-ready) for four panels:

1. **prior scale**: the exact MAP of a Gaussian regression at >= 200 prior scales for the
   Laplace, Gaussian, horseshoe (its non-zero local mode) and bridge p = 0.5 priors,
   each point with its certificate (the slope of the negative log-likelihood per
   coefficient and the zero threshold), and posterior summaries from the exact Gibbs
   sampler at a few of those scales;
2. **concentration**: the Gaussian prior's MAP at densities at 0 from 1x to 10^4x the
   Laplace's, next to the Laplace's exact zeros;
3. **normal means**: for ``y ~ N(w, 1)`` on a grid of ``y`` and prior scales ``b``, the MAP
   (the prior's prox), posterior mean and median under the Laplace ``(b)``, the Gaussian
   with the Laplace's variance ``(sqrt(2) b)`` and the horseshoe ``(tau = b)``;
4. **geometry**: closed forms, computed in the page (only the starting points are here).

Convex priors (one MAP) are solved as a warm-started path; a nonconvex prior's point at
each scale is :meth:`Model.map` at that scale (the local MAP from the ridge start), so
every point equals what ``Model(...).map`` returns there.  The page renders; it never
solves, except the geometry's closed forms, which it says it computes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import time
import warnings

import numpy as np

from priors import CuspInputError, bridge, gaussian, horseshoe, laplace

from .conversions import gaussian_scale_for_density
from .model import Model
from .posterior.exact import gaussian_posterior, horseshoe_posterior_mean_median, laplace_posterior

__all__ = ["Exploration", "explore", "EXPLORER_PRIORS", "scale_grid"]

#: The priors of the scale panel: key -> (label, factory of the scale, symbol of the scale).
EXPLORER_PRIORS = {
    "laplace": ("Laplace", lambda s: laplace(s), "b"),
    "gaussian": ("Gaussian", lambda s: gaussian(s), "s"),
    "horseshoe": ("horseshoe (local mode)", lambda s: horseshoe(s), "tau"),
    "bridge": ("bridge p = 0.5", lambda s: bridge(s, p=0.5), "s"),
}

#: log10 spacing of the scale grids: 241 points span 3.6 decades.
LOG10_STEP = 0.015
N_SCALES = 241
#: Posterior summaries are sampled at this many scales of each grid (the Gibbs sampler).
N_SAMPLED = 6
#: The concentration panel: log10 of the Gaussian's density at 0 over the Laplace's.
CONCENTRATION_LOG10 = np.round(np.arange(0.0, 4.0 + 1e-9, 0.05), 10)
#: The normal-means panel (noise sd 1): y and log10 b grids.
NORMAL_MEANS_Y = np.round(np.arange(-5.0, 5.0 + 1e-9, 0.1), 10)
NORMAL_MEANS_LOG10_B = np.round(np.arange(-1.0, 1.0 + 1e-9, 0.1), 10)
GEOMETRY_EXAMPLES = ((10.0, 5.0), (1.0, 1000.0))


@dataclasses.dataclass(frozen=True)
class Exploration:
    """What the explorer page shows (``data``: JSON-ready nested dicts and lists) and how
    long computing it took."""

    data: dict
    seconds: float

    def to_json(self) -> str:
        """The data as JSON (non-finite numbers are ``null``; the page says what they mean)."""
        return json.dumps(self.data, allow_nan=False, separators=(",", ":"))


def scale_grid(center_log10: float, *, below: float, n: int = N_SCALES, step: float = LOG10_STEP) -> np.ndarray:
    """``n`` log10 scales ``step`` apart, the first ``below`` decades under
    ``center_log10``, on multiples of ``step`` (so a slider with that step hits each)."""
    start = math.floor((center_log10 - below) / step)
    return np.round((start + np.arange(n)) * step, 10)


def _floats(values) -> list:
    """A list of floats with non-finite values as None (JSON has no inf or NaN)."""
    arr = np.asarray(values, dtype=float)
    out = arr.tolist()
    if np.all(np.isfinite(arr)):
        return out
    return _none_for_nonfinite(out)


def _none_for_nonfinite(obj):
    if isinstance(obj, list):
        return [_none_for_nonfinite(v) for v in obj]
    return obj if math.isfinite(obj) else None


def _grid_for(key, b0, ols_max):
    """Each prior's scales: where its MAP changes, from the all-zero scale of the
    Laplace ``b0`` (the Laplace and Gaussian), and from ``b0`` to beyond the largest least
    squares coefficient for the horseshoe's and the bridge's scale-free local modes."""
    if key in ("laplace", "gaussian"):
        return scale_grid(math.log10(b0), below=0.6)
    return scale_grid(math.log10(max(ols_max, b0)), below=2.4)


def _map_points(model_at, prior_at, X, y, names, scales):
    if prior_at(1.0).convex:
        path = model_at(1.0).map_path(X, y, scales, feature_names=names)
        return list(path.results)
    return [model_at(float(s)).map(X, y, feature_names=names) for s in scales]


def _posterior_summaries(model_at, X, y, names, scales, *, draws, chains, random_seed):
    """Gibbs draws at ``N_SAMPLED`` scales of the grid: mean and 90 % interval of each
    coefficient, the smallest bulk ESS and the largest r_hat."""
    import arviz as az

    index = np.unique(np.linspace(0, scales.size - 1, N_SAMPLED).round().astype(int))
    out = {"index": index.tolist(), "mean": [], "q05": [], "q95": [], "prob_positive": [], "min_ess": [], "max_rhat": [],
           "draws": draws, "chains": chains, "sampler": "exact Gibbs"}
    for k in index:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idata = model_at(float(scales[k])).sample(
                X, y, feature_names=names, draws=draws, tune=draws, chains=chains, sampler="gibbs",
                random_seed=random_seed + int(k))
        w = idata.posterior["w"].values.reshape(-1, len(names))
        out["mean"].append(_floats(w.mean(axis=0)))
        out["q05"].append(_floats(np.quantile(w, 0.05, axis=0)))
        out["q95"].append(_floats(np.quantile(w, 0.95, axis=0)))
        out["prob_positive"].append(_floats((w > 0).mean(axis=0)))
        out["min_ess"].append(float(az.ess(idata, var_names=["w"])["w"].values.min()))
        # r_hat needs two chains: None (shown as "not available") with one
        out["max_rhat"].append(float(az.rhat(idata, var_names=["w"])["w"].values.max()) if chains > 1 else None)
    return out


def _prior_panel(key, X, y, names, sigma, b0, ols_max, *, draws, chains, random_seed):
    label, factory, symbol = EXPLORER_PRIORS[key]
    prior_at = factory
    model_at = lambda s: Model("gaussian", prior_at(s), sigma=sigma)  # noqa: E731
    log10_scales = _grid_for(key, b0, ols_max)
    results = _map_points(model_at, prior_at, X, y, names, 10.0 ** log10_scales)
    prior = prior_at(1.0)
    panel = {
        "key": key, "label": label, "symbol": symbol, "family": prior.family, "map_kind": prior.map_kind,
        "log10_scales": log10_scales.tolist(), "scales": _floats(10.0 ** log10_scales),
        "log10_min": float(log10_scales[0]), "log10_step": LOG10_STEP,
        "coef": [_floats(r.coef) for r in results],
        "intercept": _floats([r.intercept for r in results]),
        "objective": _floats([r.objective for r in results]),
        "n_zeros": [int(r.n_zeros) for r in results],
        "slope": [_floats(r.certificate.slope) for r in results],
        "threshold": _floats([r.certificate.threshold for r in results]),
        "converged": [bool(r.converged) for r in results],
        "notes": sorted({note for r in results for note in r.notes}),
    }
    caps = prior.capabilities()
    if caps["gibbs"]:
        panel["posterior"] = _posterior_summaries(model_at, X, y, names, 10.0 ** log10_scales, draws=draws, chains=chains,
                                                  random_seed=random_seed)
    else:
        panel["posterior"] = {"index": [], "reason": f"not sampled here: cusp has no exact Gibbs sampler for the "
                                                     f"{prior.family} prior, and NUTS needs a PyMC compilation per scale; "
                                                     f"`cusp run` samples it with NUTS"}
    return panel


def _concentration_panel(X, y, names, sigma, b_ref):
    """Gaussian MAPs at densities at 0 from 1x to 10^4x the Laplace(b_ref)'s."""
    lap = laplace(b_ref)
    lap_map = Model("gaussian", lap, sigma=sigma).map(X, y, feature_names=names)
    scales = np.array([gaussian_scale_for_density(lap.density_at_zero * 10.0 ** f) for f in CONCENTRATION_LOG10])
    path = Model("gaussian", gaussian(1.0), sigma=sigma).map_path(X, y, scales, feature_names=names)
    return {
        "laplace_b": b_ref, "laplace_density_at_zero": lap.density_at_zero, "laplace_coef": _floats(lap_map.coef),
        "laplace_n_zeros": int(lap_map.n_zeros), "log10_factor": CONCENTRATION_LOG10.tolist(),
        "log10_min": 0.0, "log10_step": 0.05, "gaussian_scale": _floats(scales),
        "coef": [_floats(c) for c in path.coefs], "n_zeros": [int(z) for z in path.n_zeros],
        "min_abs": _floats(np.min(np.abs(path.coefs), axis=1)),
    }


@functools.lru_cache(maxsize=1)
def _normal_means_panel():
    """MAP, posterior mean and median of ``w`` given ``y ~ N(w, 1)`` on the (b, y) grid
    (the same for every data set: computed once per process; callers only read it)."""
    y = NORMAL_MEANS_Y
    b = 10.0 ** NORMAL_MEANS_LOG10_B
    Y, B = np.meshgrid(y, b)  # rows: b, columns: y
    lap = laplace_posterior(Y, sigma=1.0, b=B)
    gau = gaussian_posterior(Y, sigma=1.0, s=math.sqrt(2.0) * B)
    prox = {
        "laplace": np.array([laplace(bi).prox(y, 1.0) for bi in b]),
        "gaussian": np.array([gaussian(math.sqrt(2.0) * bi).prox(y, 1.0) for bi in b]),
        "horseshoe": np.array([horseshoe(bi).prox_local(y, 1.0) for bi in b]),
    }
    hs = horseshoe_posterior_mean_median(Y, sigma=1.0, tau=B)
    table = {
        "laplace": {"label": "Laplace(b)", "map": prox["laplace"], "mean": lap.mean, "median": lap.median,
                    "method": "exact (Hans 2009)"},
        "gaussian": {"label": "Gaussian(sqrt(2) b), the Laplace's variance", "map": prox["gaussian"], "mean": gau.mean,
                     "median": gau.median, "method": "exact (closed form)"},
        "horseshoe": {"label": "horseshoe(tau = b), MAP = its local mode", "map": prox["horseshoe"], "mean": hs.mean,
                      "median": hs.median, "method": "1-D quadrature in log lambda (601-point trapezoid rule)"},
    }
    out = {"sigma": 1.0, "y": y.tolist(), "log10_b": NORMAL_MEANS_LOG10_B.tolist(), "y_step": 0.1, "log10_b_step": 0.1,
           "dead_zone": _floats(1.0 / b), "priors": {}}
    for key, row in table.items():
        out["priors"][key] = {"label": row["label"], "method": row["method"],
                              **{stat: [_floats(r) for r in np.asarray(row[stat], dtype=float)] for stat in ("map", "mean", "median")}}
    return out


def _least_squares_sigma(X, y):
    n, p = X.shape
    if n <= p + 1:
        raise CuspInputError(f"the noise sd cannot be estimated by least squares with n = {n} rows and p = {p} features; "
                             "give it with --sigma")
    Xc = np.column_stack([np.ones(n), X])
    resid = y - Xc @ np.linalg.lstsq(Xc, y, rcond=None)[0]
    sigma = float(np.sqrt(resid @ resid / (n - p - 1)))
    if not sigma > 0:
        raise CuspInputError("least squares fits y exactly (residual sd 0); give the noise sd with --sigma")
    return sigma


def explore(X, y, feature_names, *, sigma=None, label="data", target="y", draws=500, chains=2, random_seed=0,
            sigma_note=None) -> Exploration:
    """Compute every number of the explorer page for a Gaussian regression of ``y`` on ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        The design (standardized columns, as ``cusp`` uses them).
    y : ndarray of shape (n,)
    feature_names : list of str
    sigma : float, optional
        The noise sd; default: least squares' residual sd.
    label, target : str
        The data set's name and the response's, shown on the page (escaped there).
    draws, chains, random_seed : int
        Gibbs draws per chain (and as many warm-up sweeps) at each sampled scale.
    """
    start = time.perf_counter()
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    names = [str(n) for n in feature_names]
    if sigma is None:
        sigma = _least_squares_sigma(X, y)
        sigma_note = sigma_note or "least squares' residual sd"
    sigma = float(sigma)
    b0 = Model("gaussian", laplace(1.0), sigma=sigma).all_zero_scale(X, y)
    Xc = np.column_stack([np.ones(len(y)), X])
    ols_max = float(np.max(np.abs(np.linalg.lstsq(Xc, y, rcond=None)[0][1:])))
    priors = [_prior_panel(key, X, y, names, sigma, b0, ols_max, draws=draws, chains=chains, random_seed=random_seed)
              for key in EXPLORER_PRIORS]
    data = {
        "version": 1,
        "dataset": {"label": str(label), "target": str(target), "n": int(X.shape[0]), "p": int(X.shape[1]), "sigma": sigma,
                    "sigma_note": sigma_note or "given", "all_zero_scale": b0},
        "features": names,
        "priors": priors,
        "concentration": _concentration_panel(X, y, names, sigma, 2.0 * b0),
        "normal_means": _normal_means_panel(),
        "geometry": {"examples": [list(p) for p in GEOMETRY_EXAMPLES]},
    }
    return Exploration(data=data, seconds=time.perf_counter() - start)
