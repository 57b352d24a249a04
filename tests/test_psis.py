"""Vectorized PSIS against ArviZ's ``psislw`` (the oracle: the same algorithm, one
observation at a time): the smoothed weights, Pareto k and PSIS-LOO ELPD agree to rounding,
with ties at the cutoff, constant rows, heavy tails, reff != 1 and several blocks."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest
from scipy.special import logsumexp

import models.posterior.psis as psis


def _log_likelihoods(n_draws, seed):
    rng = np.random.default_rng(seed)
    n = 60
    ll = -0.5 * (rng.standard_normal((n_draws, n)) * rng.gamma(1.0, 1.0, n)) ** 2
    ll[:, 0] = -np.repeat(rng.standard_normal(n_draws // 8), 8)  # tied values, ties at the cutoff
    ll[:, 1] = 0.0  # every weight equal: no tail above the cutoff (k = inf)
    ll[:, 2] = -rng.standard_cauchy(n_draws) ** 2  # a heavy tail
    ll[:, 3] = rng.standard_normal(n_draws) * 8.0  # a large spread (k > 0.7)
    ll[: n_draws // 2, 4] = -1.0  # half the draws tied
    return ll


@pytest.mark.parametrize("n_draws, reff, seed", [(400, 1.0, 0), (1000, 1.0, 1), (800, 0.3, 2), (40, 1.0, 3)])
def test_psis_equals_arviz(n_draws, reff, seed, monkeypatch):
    monkeypatch.setattr(psis, "_CHUNK", 16)  # several blocks, the last one short
    ll = _log_likelihoods(n_draws, seed)
    lw_ref, k_ref = az.psislw(-ll.T, reff=reff)
    lw, k = psis.psis_log_weights(-ll.T, reff=reff)
    assert np.array_equal(np.isinf(k), np.isinf(k_ref)) and np.isinf(k[1])
    np.testing.assert_allclose(k[np.isfinite(k)], k_ref[np.isfinite(k_ref)], rtol=1e-12, atol=1e-13)
    # tied draws may swap their (equal-valued) weights: compare each row's sorted weights
    np.testing.assert_allclose(np.sort(lw, axis=1), np.sort(lw_ref, axis=1), rtol=1e-12, atol=1e-12)
    elpd, k_loo = psis.psis_loo_pointwise(ll, reff=reff)
    np.testing.assert_allclose(elpd, logsumexp(ll.T + lw_ref, axis=1), rtol=1e-12, atol=1e-12)
    assert np.array_equal(k_loo, k)
    assert k[3] > 0.7 and np.all(np.abs(logsumexp(lw, axis=1)) < 1e-12)  # normalized
