"""Posterior engines: the PyMC model built from the same prior and likelihood objects as the
MAP (NUTS, collapsed where the prior is a scale mixture), the Gibbs sampler, the exact
normal-means posteriors, the diagnostics every sampled result carries, and its pointwise
log-likelihood with PSIS-LOO (:mod:`.loo`)."""

from .diagnostics import ESS_PER_CHAIN, RHAT_LIMIT, Diagnostics, diagnose
from .gibbs import gibbs_posterior, supports_gibbs
from .loo import add_log_likelihood, compare, log_likelihood_draws, loo, pareto_warnings
from .pymc_model import (COLLAPSE_MAX_FEATURES, SAMPLERS, build_pymc_model, check_complete, check_sampling_size, collapses,
                         intercept_prior, run_sampler)

__all__ = [
    "Diagnostics", "diagnose", "RHAT_LIMIT", "ESS_PER_CHAIN",
    "gibbs_posterior", "supports_gibbs",
    "build_pymc_model", "collapses", "intercept_prior", "run_sampler", "SAMPLERS", "COLLAPSE_MAX_FEATURES",
    "check_sampling_size", "check_complete",
    "add_log_likelihood", "log_likelihood_draws", "loo", "compare", "pareto_warnings",
]
