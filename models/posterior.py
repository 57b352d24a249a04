"""Posterior sampling: a PyMC model built from the same Likelihood and Prior objects
that the exact MAP uses, sampled with NUTS, with its diagnostics.

The PyMC model is

.. math::

    w_j \\sim \\text{prior}, \\qquad c \\sim N(c_0, s_c^2), \\qquad
    y_i \\sim \\text{likelihood}(x_i^T w + c)

where ``c0`` is the intercept-only maximum-likelihood value and ``s_c`` is wide
(``10 sd(y)`` for Gaussian data, 10 on the logit / log scale): effectively the flat prior
that the MAP puts on the intercept, but proper, so that NUTS cannot drift off to infinity
on separable data.  An unknown Gaussian ``sigma`` gets ``HalfNormal(sd(y))``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os

import numpy as np

from priors import CuspInputError

from .likelihoods import Gaussian, sigma_prior_scale

SAMPLERS = ("pymc", "nutpie")
#: Wide sd of the intercept's prior on the logit / log scale (GLMs).
_GLM_INTERCEPT_SD = 10.0
_INTERCEPT_SD_FACTOR = 10.0


def intercept_prior(likelihood, y) -> tuple[float, float]:
    """``(mean, sd)`` of the intercept's (nearly flat) normal prior."""
    c0 = likelihood.null_intercept(y)
    sd = _INTERCEPT_SD_FACTOR * sigma_prior_scale(y) if isinstance(likelihood, Gaussian) else _GLM_INTERCEPT_SD
    return c0, sd


def build_pymc_model(likelihood, prior, X, y, feature_names, *, fit_intercept):
    """The ``pymc.Model`` for ``likelihood x prior`` on data ``(X, y)``.

    ``X=None`` means the identity design (normal means).  Variables: ``w`` (dim
    ``feature``), ``intercept`` when fitted, ``sigma`` when the Gaussian noise scale is
    unknown, the prior's auxiliaries (e.g. ``w_lam``), and the observed ``y`` (dim ``obs``).
    """
    import pymc as pm

    coords = {"feature": list(feature_names), "obs": np.arange(y.size)}
    with pm.Model(coords=coords) as pymc_model:
        w = prior.to_pymc("w", dims="feature")
        if X is None:
            eta = w
        else:
            X_data = pm.Data("X", X, dims=("obs", "feature"))
            eta = pm.math.dot(X_data, w)
            if fit_intercept:
                mu, sd = intercept_prior(likelihood, y)
                eta = eta + pm.Normal("intercept", mu=mu, sigma=sd)
        likelihood.to_pymc(eta, y, name="y", dims="obs")
    return pymc_model


def check_sampler(sampler: str, pymc_model) -> None:
    """Refuse an unknown sampler, a missing nutpie, or nutpie on discrete variables."""
    if sampler not in SAMPLERS:
        raise CuspInputError(f"unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}")
    if sampler == "nutpie":
        if importlib.util.find_spec("nutpie") is None:
            raise CuspInputError(
                "sampler='nutpie' needs the nutpie package, which is not installed: "
                "pip install 'cusp[nutpie]' (or pip install nutpie), or use sampler='pymc'"
            )
        if pymc_model.discrete_value_vars:
            names = ", ".join(v.name for v in pymc_model.discrete_value_vars)
            raise CuspInputError(
                f"nutpie samples continuous variables only, and this model has discrete ones ({names}); use sampler='pymc'"
            )


def run_sampler(pymc_model, *, draws, tune, chains, random_seed, sampler="pymc", target_accept=None, progressbar=False):
    """Sample ``pymc_model`` and return an ``arviz.InferenceData`` (posterior, sample_stats,
    observed_data, constant_data).  The same ``random_seed`` gives the same draws."""
    import pymc as pm

    for name, value in (("draws", draws), ("tune", tune), ("chains", chains)):
        if not isinstance(value, (int, np.integer)) or value < (0 if name == "tune" else 1):
            raise CuspInputError(f"{name} must be a whole number >= {0 if name == 'tune' else 1}, got {value!r}")
    if target_accept is not None and not 0 < target_accept < 1:
        raise CuspInputError(f"target_accept must be in (0, 1), got {target_accept!r}")
    check_sampler(sampler, pymc_model)
    kwargs = {}
    if target_accept is not None:
        kwargs["target_accept"] = float(target_accept)
    with pymc_model:
        return pm.sample(
            draws=int(draws),
            tune=int(tune),
            chains=int(chains),
            cores=min(int(chains), os.cpu_count() or 1),
            random_seed=random_seed,
            nuts_sampler=sampler,
            progressbar=progressbar,
            compute_convergence_checks=False,  # cusp reports its own diagnostics
            **kwargs,
        )


# ---------------------------------------------------------------------- diagnostics
RHAT_LIMIT = 1.01
#: Minimum bulk/tail ESS per chain below which estimates are flagged (Vehtari et al. 2021).
ESS_PER_CHAIN = 100


@dataclasses.dataclass(frozen=True)
class Diagnostics:
    """Sampler health, with a plain warning and advice for each problem found."""

    n_draws: int
    n_chains: int
    n_divergent: int
    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    n_max_treedepth: int
    warnings: tuple = ()

    @property
    def ok(self) -> bool:
        return not self.warnings

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"warnings": list(self.warnings)}


def diagnose(idata, var_names=("w",)) -> Diagnostics:
    """Divergences, max r_hat, min ESS and tree-depth saturation, with advice."""
    import arviz as az

    post = idata.posterior
    n_chains, n_draws = post.sizes["chain"], post.sizes["draw"]
    var_names = [v for v in var_names if v in post]
    stats = idata.sample_stats if "sample_stats" in idata.groups() else None
    n_div = int(stats["diverging"].sum()) if stats is not None and "diverging" in stats else 0
    n_depth = 0
    if stats is not None:
        if "reached_max_treedepth" in stats:
            n_depth = int(stats["reached_max_treedepth"].sum())
        elif "maxdepth_reached" in stats:  # nutpie's name
            n_depth = int(stats["maxdepth_reached"].sum())

    def _extreme(ds, reducer):
        vals = np.concatenate([np.ravel(ds[v].values) for v in ds.data_vars]) if ds.data_vars else np.array([np.nan])
        vals = vals[np.isfinite(vals)]
        return float(reducer(vals)) if vals.size else float("nan")

    constant = [v for v in var_names if np.ptp(post[v].values) == 0]  # e.g. spike-and-slab stuck at 0
    checked = [v for v in var_names if v not in constant]
    if checked and n_chains > 1:
        max_rhat = _extreme(az.rhat(post, var_names=checked), np.max)
    else:
        max_rhat = float("nan")
    if checked:
        min_bulk = _extreme(az.ess(post, var_names=checked, method="bulk"), np.min)
        min_tail = _extreme(az.ess(post, var_names=checked, method="tail"), np.min)
    else:
        min_bulk = min_tail = float("nan")
    warnings = []
    total = n_chains * n_draws
    if n_div:
        warnings.append(
            f"{n_div} of {total} draws diverged: the sampler missed part of the posterior. "
            "Try a higher target_accept (e.g. 0.99), more tuning, or a stronger prior on the scales."
        )
    if max_rhat > RHAT_LIMIT:
        warnings.append(
            f"max r_hat = {max_rhat:.3f} > {RHAT_LIMIT}: the chains disagree. Run more tuning and draws, or more chains."
        )
    if n_chains == 1:
        warnings.append("only one chain: r_hat cannot be computed; use chains >= 2 to check convergence")
    if np.isfinite(min_bulk) and min(min_bulk, min_tail) < ESS_PER_CHAIN * n_chains:
        warnings.append(
            f"low effective sample size (bulk {min_bulk:.0f}, tail {min_tail:.0f}; want >= {ESS_PER_CHAIN * n_chains}): "
            "the Monte-Carlo error of means and intervals is large; draw more."
        )
    if n_depth:
        warnings.append(
            f"{n_depth} of {total} draws hit the maximum tree depth: sampling is slow and may be incomplete; "
            "rescale the predictors or reparameterize."
        )
    return Diagnostics(n_draws, n_chains, n_div, max_rhat, min_bulk, min_tail, n_depth, tuple(warnings))
