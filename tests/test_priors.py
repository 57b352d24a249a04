"""Every registered prior, against independent truth (quadrature, brute force)."""

import math

import numpy as np
import pytest
from scipy import integrate

from conftest import PRIORS, brute_force_prox
from priors import CuspInputError, REGISTRY, laplace, make_prior


def test_logpdf_integrates_to_one(prior):
    f = lambda w: float(prior.pdf(w))  # noqa: E731
    total = sum(integrate.quad(f, lo, hi, limit=400, epsabs=1e-13, epsrel=1e-11)[0]
                for lo, hi in [(-np.inf, -1), (-1, 0), (0, 1), (1, np.inf)])
    assert total == pytest.approx(1.0, abs=1e-8)


def test_density_at_zero_matches_logpdf(prior):
    if prior.has_pole_at_zero:
        assert prior.density_at_zero == math.inf
        assert prior.pdf(1e-150) > prior.pdf(1e-50) > prior.pdf(1e-5)  # a pole at 0
    else:
        assert prior.density_at_zero == pytest.approx(math.exp(prior.logpdf(0.0)), rel=1e-12)
        assert np.isfinite(prior.density_at_zero)


def test_penalty_is_negative_logpdf_up_to_a_constant(prior):
    w = np.array([-7.0, -1.3, -0.2, 0.05, 0.4, 2.0, 30.0])
    const = prior.penalty(w) + prior.logpdf(w)
    assert np.allclose(const, const[0], rtol=0, atol=1e-10 * max(1.0, abs(const[0])))


def test_penalty_grad_matches_finite_differences(prior):
    w = np.array([-3.0, -0.7, -0.01, 0.02, 0.5, 4.0])
    h = 1e-6 * np.maximum(np.abs(w), 1e-3)
    fd = (prior.penalty(w + h) - prior.penalty(w - h)) / (2 * h)
    assert np.allclose(prior.penalty_grad(w), fd, rtol=1e-5, atol=1e-7)


def test_zero_threshold_is_the_slope_of_the_penalty_at_zero(prior):
    # One-sided slope (penalty(t) - penalty(0)) / t as t -> 0+ approaches the threshold.
    t = 1e-9
    if prior.density_at_zero == math.inf:
        slope = prior.penalty_grad(t)  # penalty(0) = -inf: use the derivative
    else:
        slope = (prior.penalty(t) - prior.penalty(0.0)) / t
    thr = prior.zero_threshold
    if thr == math.inf:
        assert prior.penalty_grad(1e-12) > prior.penalty_grad(1e-9) > prior.penalty_grad(1e-6) > 0
    elif thr == 0:
        assert abs(slope) < 1e-4
    else:
        assert slope == pytest.approx(thr, rel=1e-6)


V_STEP = [(v, s) for v in (-4.0, -1.3, -0.6, -0.05, 0.0, 0.02, 0.3, 0.9, 1.7, 6.0) for s in (0.05, 0.5, 2.0)]


def test_prox_matches_brute_force(prior):
    local = prior.has_pole_at_zero
    prox = prior.prox_local
    v = np.array([vs[0] for vs in V_STEP])
    step = np.array([vs[1] for vs in V_STEP])
    got = prox(v, step)
    for (vi, si), gi in zip(V_STEP, got):
        want = brute_force_prox(prior, vi, si, local=local)
        f = lambda x: 0.5 * (x - vi) ** 2 + si * prior.penalty(x)  # noqa: E731
        if local and (want == 0.0) != (gi == 0.0):
            pytest.fail(f"v={vi}, step={si}: prox_local={gi}, brute force={want}")
        if gi == 0 and want == 0:
            continue
        # Compare objective values (ties between two minimizers are legitimate).
        assert f(gi) <= f(want) + 1e-10 * max(1.0, abs(f(want))), (vi, si, gi, want)
        if not (prior.family == "bridge" and prior.p < 1):
            assert gi == pytest.approx(want, abs=1e-6 * max(1, abs(vi)))


def test_prox_vectorized_equals_scalar(prior):
    prox = prior.prox_local
    v = np.linspace(-3, 3, 13)
    vec = prox(v, 0.7)
    assert np.array_equal(vec, np.array([prox(x, 0.7) for x in v]))


def test_horseshoe_global_prox_is_zero():
    from priors import horseshoe

    assert np.all(horseshoe(1.0).prox(np.array([-100.0, 0.3, 50.0]), 1.0) == 0.0)


@pytest.mark.parametrize("b", [0.1, 1.0, 7.0])
def test_laplace_prox_is_exactly_zero_iff_inside_threshold(b):
    prior = laplace(b)
    rng = np.random.default_rng(0)
    v = rng.uniform(-3, 3, 2000)
    step = rng.uniform(0.01, 3, 2000)
    # include the boundary |v| = step / b exactly
    v[:50] = step[:50] / b * np.sign(v[:50])
    out = prior.prox(v, step)
    assert np.array_equal(out == 0.0, np.abs(v) <= step / b)
    assert not np.any(np.signbit(out[out == 0.0]))  # +0.0, never -0.0


@pytest.mark.parametrize("smooth", [p for p in PRIORS if p.is_smooth_at_zero], ids=lambda p: p.describe())
def test_smooth_priors_never_return_exact_zero(smooth):
    prior = smooth
    v = np.concatenate([-np.logspace(-8, 2, 60), np.logspace(-8, 2, 60)])
    for step in (1e-3, 1.0, 1e3):
        assert np.all(prior.prox(v, step) != 0.0)


def test_registry_names_and_make_prior():
    for name, spec in REGISTRY.items():
        assert make_prior(name, **spec.examples[0]).family == name
    with pytest.raises(CuspInputError, match="unknown prior"):
        make_prior("cauchyish")


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf, "x"])
def test_non_positive_scales_are_refused(bad):
    for name in REGISTRY:
        with pytest.raises(CuspInputError, match="scale"):
            make_prior(name, scale=bad)


def test_horseshoe_density_matches_scale_mixture_by_quadrature():
    # p(w) = int N(w | 0, lam^2 tau^2) 2 / (pi (1 + lam^2)) dlam, independent of E1.
    from scipy.stats import norm

    from priors import horseshoe

    for tau in (0.1, 1.0, 3.0):
        prior = horseshoe(tau)
        for w in (0.01, 0.5, 2.0, 10.0):
            f = lambda lam: norm.pdf(w, scale=lam * tau) * 2 / (math.pi * (1 + lam**2))  # noqa: E731
            want = integrate.quad(f, 0, np.inf, limit=400, epsrel=1e-11)[0]
            assert prior.pdf(w) == pytest.approx(want, rel=1e-8)


def test_horseshoe_logpdf_stable_for_huge_w():
    from priors import horseshoe

    w = np.array([1e3, 1e6, 1e12])
    with np.errstate(all="raise"):
        lp = horseshoe(1.0).logpdf(w)
    # tail ~ 1 / (tau sqrt(2 pi^3) u), u = w^2 / 2
    assert np.allclose(lp, -math.log(math.sqrt(2 * math.pi**3)) - np.log(w**2 / 2), rtol=1e-6)


def test_smoothed_laplace_tends_to_laplace():
    from priors import smoothed_laplace

    w = np.linspace(-3, 3, 7)
    assert np.allclose(smoothed_laplace(0.8, 1e-10).logpdf(w), laplace(0.8).logpdf(w), atol=1e-8)
    assert smoothed_laplace(0.8, 0.0).zero_threshold == laplace(0.8).zero_threshold
