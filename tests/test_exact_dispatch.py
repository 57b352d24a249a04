"""normal_means_posterior: the prior declares its exact form, the engines look it up."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate

from priors import CuspInputError, Horseshoe, example_priors, gaussian, horseshoe, laplace, spike_and_slab
from models.posterior import exact as ep

Y = np.array([-3.0, -0.4, 0.0, 0.7, 2.5])
SIGMA = 1.3


# (not named ``prior``: conftest parametrizes that over the priors with a MAP view only)
@pytest.mark.parametrize("any_prior", example_priors(include_point_mass=True), ids=lambda p: p.describe())
def test_result_exactly_when_a_form_is_declared(any_prior):
    prior = any_prior
    out = ep.normal_means_posterior(prior, Y, sigma=SIGMA)
    if prior.normal_means_form is None:
        assert out is None
        return
    assert out is not None
    assert isinstance(out["mean"], np.ndarray) and out["mean"].shape == Y.shape
    assert np.all(np.isfinite(out["mean"]))
    assert out["source"].startswith("models.posterior.exact.")
    # posterior means shrink towards 0 and keep the sign of y
    assert np.all(np.abs(out["mean"]) <= np.abs(Y) + 1e-12)
    assert np.all(out["mean"] * Y >= 0)
    assert ("p_zero" in out) == (prior.point_mass > 0)


def test_the_four_families_declare_forms():
    kinds = {p.family: p.normal_means_form for p in (laplace(2.0), gaussian(0.5), horseshoe(0.3), spike_and_slab(2.0, 0.2))}
    assert kinds == {
        "laplace": ("laplace", {"b": 2.0}),
        "gaussian": ("gaussian", {"s": 0.5}),
        "horseshoe": ("horseshoe", {"tau": 0.3}),
        "spike_and_slab": ("spike_and_slab", {"s": 2.0, "weight": 0.2}),
    }


def test_laplace_and_gaussian_equal_the_direct_functions():
    out = ep.normal_means_posterior(laplace(0.7), Y, sigma=SIGMA)
    np.testing.assert_array_equal(out["mean"], ep.laplace_posterior(Y, sigma=SIGMA, b=0.7).mean)
    assert out["source"] == "models.posterior.exact.laplace_posterior"
    out = ep.normal_means_posterior(gaussian(0.7), Y, sigma=SIGMA)
    np.testing.assert_array_equal(out["mean"], ep.gaussian_posterior(Y, sigma=SIGMA, s=0.7).mean)
    assert out["source"] == "models.posterior.exact.gaussian_posterior"
    out = ep.normal_means_posterior(horseshoe(0.7), Y[:2], sigma=SIGMA)
    np.testing.assert_array_equal(out["mean"], ep.horseshoe_posterior_moments(Y[:2], sigma=SIGMA, tau=0.7).mean)


def _spike_and_slab_quad(y, sigma, s, weight):
    """Mixture posterior by quadrature: the slab part integrated over w, the spike exact."""
    lik = lambda w: math.exp(-0.5 * ((y - w) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))  # noqa: E731
    slab = lambda w: math.exp(-0.5 * (w / s) ** 2) / (s * math.sqrt(2 * math.pi))  # noqa: E731
    kw = dict(points=[0.0, y], limit=200, epsabs=0.0, epsrel=1e-12)
    lo, hi = min(0.0, y) - 40 * max(s, sigma), max(0.0, y) + 40 * max(s, sigma)
    z_slab = weight * integrate.quad(lambda w: lik(w) * slab(w), lo, hi, **kw)[0]
    m1 = weight * integrate.quad(lambda w: w * lik(w) * slab(w), lo, hi, **{**kw, "epsabs": 1e-15})[0]  # 0 at y = 0
    m2 = weight * integrate.quad(lambda w: w * w * lik(w) * slab(w), lo, hi, **kw)[0]
    z_spike = (1 - weight) * lik(0.0)
    z = z_slab + z_spike
    mean = m1 / z
    return mean, m2 / z - mean**2, z_spike / z


@pytest.mark.parametrize("y", [-4.0, -1.0, 0.0, 0.3, 2.0, 6.0])
@pytest.mark.parametrize("sigma,s,weight", [(1.0, 2.0, 0.5), (0.5, 3.0, 0.1), (2.0, 0.7, 0.9)])
def test_spike_and_slab_matches_quadrature(y, sigma, s, weight):
    mean, var, p_zero = _spike_and_slab_quad(y, sigma, s, weight)
    post = ep.spike_and_slab_posterior(y, sigma=sigma, s=s, weight=weight)
    assert post.mean == pytest.approx(mean, rel=1e-9, abs=1e-14)
    assert post.var == pytest.approx(var, rel=1e-8)
    assert post.p_zero == pytest.approx(p_zero, rel=1e-9)
    out = ep.normal_means_posterior(spike_and_slab(s, weight), np.array([y]), sigma=sigma)
    assert out["mean"][0] == pytest.approx(mean, rel=1e-9, abs=1e-14)
    assert out["p_zero"][0] == pytest.approx(p_zero, rel=1e-9)
    assert out["source"] == "models.posterior.exact.spike_and_slab_posterior"


def test_spike_and_slab_extremes_and_validation():
    post = ep.spike_and_slab_posterior(np.array([-1e6, 0.0, 1e6]), sigma=1.0, s=1e3, weight=1e-6)
    assert np.all(np.isfinite(post.mean)) and np.all((post.p_zero >= 0) & (post.p_zero <= 1))
    assert post.p_zero[0] == 0.0 and post.p_zero[2] == 0.0 and post.mean[1] == 0.0
    with pytest.raises(CuspInputError, match="weight must be a finite number > 0 and < 1, got 1.0"):
        ep.spike_and_slab_posterior(1.0, sigma=1.0, s=1.0, weight=[0.5, 1.0])
    with pytest.raises(CuspInputError, match="s must be a finite number >= 1e-50 and <= 1e\\+50, got -1.0"):
        ep.spike_and_slab_posterior(1.0, sigma=1.0, s=-1.0, weight=0.5)


def test_subclass_that_changes_the_density_gets_none():
    @dataclasses.dataclass(frozen=True)
    class HeavierHorseshoe(Horseshoe):
        def logpdf(self, w):
            return 2.0 * super().logpdf(w)

    prior = HeavierHorseshoe(1.0)
    assert prior.normal_means_form is None
    assert ep.normal_means_posterior(prior, Y, sigma=SIGMA) is None
    # the plain horseshoe keeps its form
    assert horseshoe(1.0).normal_means_form == ("horseshoe", {"tau": 1.0})


def test_array_checks_name_the_offending_element():
    with pytest.raises(CuspInputError, match=r"^sigma must be a finite number >= 1e-50 and <= 1e\+50, got -2.0$"):
        ep.gaussian_posterior([1.0, 2.0], sigma=[1.0, -2.0], s=1.0)
    with pytest.raises(CuspInputError, match=r"^y must be a finite number >= -1e\+50 and <= 1e\+50, got nan$"):
        ep.laplace_posterior([0.0, np.nan], sigma=1.0, b=1.0)
    with pytest.raises(CuspInputError, match="tau must be a finite number >= 1e-50 and <= 1e\\+50, got True"):
        ep.horseshoe_marginal_logpdf(1.0, sigma=1.0, tau=True)
