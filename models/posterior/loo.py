"""Pointwise log-likelihood of every posterior draw, PSIS-LOO and model comparison.

Every posterior cusp samples carries a ``log_likelihood`` group (variable ``y`` over
``chain, draw, obs``), so that ``arviz.loo(idata)`` runs on it.  It is computed here from
the draws and the data, not by PyMC: the collapsed horseshoe model enters ``y`` through a
``Potential`` (``w`` integrated out), which PyMC cannot split into observations, yet its
draws of ``w`` are exact, so ``log p(y_i | w_s, c_s, sigma_s)`` is the same quantity.

Pareto-k diagnostics are turned into one plain warning with advice (ArviZ's own is
silenced where cusp reports it), as the sampler's diagnostics are.
"""

from __future__ import annotations

import warnings

import numpy as np

from priors import CuspInputError

__all__ = ["log_likelihood_draws", "add_log_likelihood", "loo", "compare", "pareto_warnings", "LOG_LIKELIHOOD_GROUP",
           "log_likelihood_too_large", "MAX_LOG_LIKELIHOOD_VALUES"]

LOG_LIKELIHOOD_GROUP = "log_likelihood"
#: Largest number of (draw x observation) values computed at once (memory, not speed).
_CHUNK_VALUES = 2**22
#: Largest pointwise log-likelihood stored with a fit (draws x observations; 8 bytes each:
#: 400 MB).  Beyond it the fit says so in its notes and holds no LOO.
MAX_LOG_LIKELIHOOD_VALUES = 5 * 10**7


def log_likelihood_too_large(n_draws, n_obs) -> str | None:
    """The note for a fit whose pointwise log-likelihood would exceed
    :data:`MAX_LOG_LIKELIHOOD_VALUES` (None when it fits)."""
    size = int(n_draws) * int(n_obs)
    if size <= MAX_LOG_LIKELIHOOD_VALUES:
        return None
    return (f"no pointwise log-likelihood stored: {n_draws} draws x {n_obs} observations = {size:,} values "
            f"(over {MAX_LOG_LIKELIHOOD_VALUES:,}, {8 * MAX_LOG_LIKELIHOOD_VALUES / 1e6:.0f} MB), so no LOO for this fit; "
            "fit with fewer draws to compare it by LOO")


def log_likelihood_draws(idata, likelihood) -> np.ndarray:
    """``log p(y_i | eta_s,i)`` for every draw ``s`` (chain, draw) and observation ``i``.

    ``eta = X w + intercept`` with ``X`` from ``constant_data`` (the identity for normal
    means, whose results hold no ``X``) and ``sigma`` per draw when it was estimated.

    Returns
    -------
    ndarray of shape (chains, draws, n)
    """
    post = idata.posterior
    w = post["w"].transpose("chain", "draw", "feature").values.astype(float)
    n_chains, n_draws, p = w.shape
    y = idata.observed_data["y"].values.astype(float).reshape(-1)
    constant = idata.constant_data if "constant_data" in idata.groups() else None
    X = constant["X"].values.astype(float) if constant is not None and "X" in constant else None
    if X is None and y.size != p:
        raise CuspInputError(f"these results hold no design X and {y.size} observations for {p} coefficients")
    c = post["intercept"].transpose("chain", "draw").values.astype(float) if "intercept" in post else None
    s = post["sigma"].transpose("chain", "draw").values.astype(float) if "sigma" in post else None
    flat_w = w.reshape(-1, p)
    out = np.empty((flat_w.shape[0], y.size))
    step = max(1, _CHUNK_VALUES // max(y.size, 1))
    for start in range(0, flat_w.shape[0], step):
        rows = slice(start, start + step)
        eta = flat_w[rows] if X is None else flat_w[rows] @ X.T
        if c is not None:
            eta = eta + c.reshape(-1)[rows, None]
        sigma = None if s is None else s.reshape(-1)[rows, None]
        out[rows] = likelihood.log_density(eta, y, sigma)
    return out.reshape(n_chains, n_draws, y.size)


def add_log_likelihood(idata, likelihood):
    """Add the ``log_likelihood`` group (variable ``y``, dims as ``observed_data.y``)."""
    import xarray as xr

    values = log_likelihood_draws(idata, likelihood)
    obs = idata.observed_data["y"]
    dims = ("chain", "draw", *obs.dims)
    coords = {"chain": idata.posterior["chain"].values, "draw": idata.posterior["draw"].values,
              **{d: obs[d].values for d in obs.dims if d in obs.coords}}
    ds = xr.Dataset({"y": xr.DataArray(values.reshape(values.shape[:2] + obs.shape), dims=dims, coords=coords)})
    idata.add_groups({LOG_LIKELIHOOD_GROUP: ds})


def _quiet_arviz(fn, *args, **kwargs):
    # ArviZ warns about Pareto k itself; cusp reports it once, with advice (pareto_warnings)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Pareto.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*shape parameter.*", category=UserWarning)
        return fn(*args, **kwargs)


def loo(idata):
    """PSIS-LOO of a posterior with a ``log_likelihood`` group: ``arviz.loo(idata,
    pointwise=True)`` (an ``ELPDData``: ``elpd_loo``, ``se``, ``p_loo``, ``loo_i``,
    ``pareto_k``, ``good_k``, ...)."""
    import arviz as az

    if LOG_LIKELIHOOD_GROUP not in idata.groups():
        raise CuspInputError("these results hold no pointwise log-likelihood (written by cusp before LOO existed): "
                             "fit the model again")
    return _quiet_arviz(az.loo, idata, pointwise=True)


def pareto_warnings(elpd) -> list[str]:
    """One warning (with advice) when some observations' Pareto k exceeds ArviZ's
    reliability threshold ``good_k`` (0.7 for 2200 draws or more, lower for fewer)."""
    k = np.asarray(elpd["pareto_k"], dtype=float)
    good = float(elpd["good_k"])
    bad = int(np.sum(k > good))
    if not bad:
        return []
    return [f"PSIS-LOO is unreliable for {bad} of {k.size} observations (Pareto k > {good:.2f}, max {np.nanmax(k):.2f}): "
            "they are influential; draw more, or use K-fold cross-validation for this comparison."]


def compare(elpds: dict):
    """``arviz.compare`` of ``{name: ELPDData}`` (ranked by ELPD, with differences and their
    standard errors); names must be distinct strings and the data the same observations."""
    import arviz as az

    if len(elpds) < 2:
        raise CuspInputError(f"compare needs at least two fits, got {len(elpds)}")
    sizes = {name: int(np.asarray(e["loo_i"]).size) for name, e in elpds.items()}
    if len(set(sizes.values())) > 1:
        raise CuspInputError(f"compare needs fits to the same observations; got sizes {sizes}")
    return _quiet_arviz(az.compare, dict(elpds), ic="loo")
