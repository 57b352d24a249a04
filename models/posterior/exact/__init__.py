"""Exact posteriors of the one-coordinate normal-means model, the ground truth that the
samplers and solvers are checked against."""

from .closed_forms import (
    GaussianPosterior,
    HorseshoeMoments,
    LaplacePosterior,
    gaussian_posterior,
    horseshoe_marginal_logpdf,
    horseshoe_posterior_moments,
    laplace_posterior,
)

__all__ = [
    "GaussianPosterior", "HorseshoeMoments", "LaplacePosterior", "gaussian_posterior",
    "horseshoe_marginal_logpdf", "horseshoe_posterior_moments", "laplace_posterior",
]
