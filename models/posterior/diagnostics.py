"""Sampler health: divergences, r_hat, ESS and tree depth, each with plain advice."""

from __future__ import annotations

import dataclasses

import numpy as np

RHAT_LIMIT = 1.01
#: Minimum bulk/tail ESS per chain below which estimates are flagged (Vehtari et al. 2021).
ESS_PER_CHAIN = 100


@dataclasses.dataclass(frozen=True)
class Diagnostics:
    """Sampler health, with a plain warning and advice for each problem found."""

    n_draws: int
    n_chains: int
    n_divergent: int | None  # None: not applicable (a Gibbs sampler has no divergences)
    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    n_max_treedepth: int
    warnings: tuple = ()
    #: PSIS-LOO reliability (high Pareto k): about the comparison of models, not about
    #: whether the sampler worked, so kept apart from ``warnings`` and ``ok``.
    loo_warnings: tuple = ()

    @property
    def divergences_text(self) -> str:
        """``"3 divergences"``, or ``"divergences n/a (Gibbs sampling has none)"``."""
        if self.n_divergent is None:
            return "divergences n/a (Gibbs sampling has none)"
        return f"{self.n_divergent} divergence{'' if self.n_divergent == 1 else 's'}"

    @property
    def ok(self) -> bool:
        """The sampler showed no problem (LOO's reliability is :attr:`loo_warnings`)."""
        return not self.warnings

    @property
    def all_warnings(self) -> tuple:
        return tuple(self.warnings) + tuple(self.loo_warnings)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"warnings": list(self.warnings), "loo_warnings": list(self.loo_warnings)}


def diagnose(idata, var_names=("w",), *, loo=None) -> Diagnostics:
    """Divergences, max r_hat, min ESS and tree-depth saturation, with advice; and, given
    ``loo`` (PSIS-LOO as ``arviz.loo`` returns it), observations with a high Pareto k."""
    import arviz as az

    post = idata.posterior
    n_chains, n_draws = post.sizes["chain"], post.sizes["draw"]
    var_names = [v for v in var_names if v in post]
    stats = idata.sample_stats if "sample_stats" in idata.groups() else None
    # no divergence statistic (Gibbs): not applicable, not "zero divergences"
    n_div = int(stats["diverging"].sum()) if stats is not None and "diverging" in stats else None
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
    loo_warnings = ()
    if loo is not None:
        from .loo import pareto_warnings

        loo_warnings = tuple(pareto_warnings(loo))
    return Diagnostics(n_draws, n_chains, n_div, max_rhat, min_bulk, min_tail, n_depth, tuple(warnings), loo_warnings)
