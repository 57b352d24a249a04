"""Exact posteriors of the one-coordinate normal-means model, the ground truth that the
samplers and solvers are checked against.

One module per prior (:mod:`.laplace`, :mod:`.gaussian`, :mod:`.horseshoe`,
:mod:`.spike_and_slab`), shared numerics in :mod:`.truncated_normal` and :mod:`.common`.
:func:`normal_means_posterior` asks a prior for its ``normal_means_form`` and looks the
kind up here; it never checks the prior's class.
"""

from __future__ import annotations

import numpy as np

from .gaussian import GaussianPosterior, gaussian_posterior
from .horseshoe import (HorseshoeMeanMedian, HorseshoeMoments, horseshoe_marginal_logpdf, horseshoe_posterior_mean_median,
                        horseshoe_posterior_moments)
from .laplace import LaplacePosterior, laplace_posterior
from .spike_and_slab import SpikeAndSlabPosterior, spike_and_slab_posterior

__all__ = [
    "GaussianPosterior", "HorseshoeMeanMedian", "HorseshoeMoments", "LaplacePosterior", "SpikeAndSlabPosterior",
    "gaussian_posterior", "horseshoe_marginal_logpdf", "horseshoe_posterior_mean_median", "horseshoe_posterior_moments",
    "laplace_posterior", "spike_and_slab_posterior", "normal_means_posterior",
]

#: kind (as declared by ``Prior.normal_means_form``) -> engine called as
#: ``engine(y, sigma=sigma, **params)``; the result has ``.mean`` (and ``.p_zero`` when
#: the prior has a point mass at 0).
_NORMAL_MEANS_ENGINES = {
    "laplace": laplace_posterior,
    "gaussian": gaussian_posterior,
    "horseshoe": horseshoe_posterior_moments,
    "spike_and_slab": spike_and_slab_posterior,
}


def normal_means_posterior(prior, y, *, sigma) -> dict | None:
    """Exact posterior of each ``w_j`` under ``y_j ~ N(w_j, sigma^2)`` and ``prior``.

    Returns ``{"mean": ndarray, "source": str}`` (plus ``"p_zero"``: ``P(w_j = 0 | y_j)``,
    for a prior with a point mass at 0), or None when the prior declares no exact form
    (``prior.normal_means_form`` is None) or a kind no engine here knows.
    """
    form = prior.normal_means_form
    if form is None:
        return None
    kind, params = form
    engine = _NORMAL_MEANS_ENGINES.get(kind)
    if engine is None:
        return None
    post = engine(y, sigma=sigma, **params)
    out = {"mean": np.asarray(post.mean, dtype=float), "source": f"{__name__}.{engine.__name__}"}
    p_zero = getattr(post, "p_zero", None)
    if p_zero is not None:
        out["p_zero"] = np.asarray(p_zero, dtype=float)
    return out
