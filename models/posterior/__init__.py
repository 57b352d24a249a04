"""Posterior engines: the PyMC model built from the same prior and likelihood objects as the
MAP (NUTS, collapsed where the prior is a scale mixture), the Gibbs sampler, the exact
normal-means posteriors, and the diagnostics every sampled result carries."""

from .diagnostics import ESS_PER_CHAIN, RHAT_LIMIT, Diagnostics, diagnose
from .gibbs import gibbs_posterior, supports_gibbs
from .pymc_model import (COLLAPSE_MAX_FEATURES, SAMPLERS, build_pymc_model, check_complete, check_sampling_size, collapses,
                         intercept_prior, run_sampler)

__all__ = [
    "Diagnostics", "diagnose", "RHAT_LIMIT", "ESS_PER_CHAIN",
    "gibbs_posterior", "supports_gibbs",
    "build_pymc_model", "collapses", "intercept_prior", "run_sampler", "SAMPLERS", "COLLAPSE_MAX_FEATURES",
    "check_sampling_size", "check_complete",
]
