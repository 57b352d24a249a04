"""Tests for models/posterior/exact against independent numerical truth.

Every reference value is computed here by brute-force quadrature of the
unnormalised posterior (or, for the horseshoe, of the joint over ``w`` and
``lambda``), never hard-coded.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, optimize, stats
from scipy.special import hyp1f1

from models.posterior import exact as ep
from priors import CuspInputError


QUAD = dict(epsabs=0.0, epsrel=1e-12, limit=500)


# ---------------------------------------------------------------------------
# brute-force Laplace reference
# ---------------------------------------------------------------------------


class LaplaceBrute:
    """Quadrature of exp(-(y-w)^2/(2 sigma^2) - |w|/b), split at 0 and at the mode."""

    def __init__(self, y, sigma, b):
        self.y, self.sigma, self.b = y, sigma, b
        self.mode = math.copysign(max(abs(y) - sigma**2 / b, 0.0), y)
        # integration window: 40 sigma of Gaussian tail beyond the mode, or 60 decay
        # lengths of the exponential rate 1/b -+ y/sigma^2 on a side with no interior mode
        r_pos = 1.0 / b - y / sigma**2
        r_neg = 1.0 / b + y / sigma**2
        width_pos = 40.0 * sigma if self.mode > 0 else min(40.0 * sigma, 60.0 / r_pos if r_pos > 0 else np.inf)
        width_neg = 40.0 * sigma if self.mode < 0 else min(40.0 * sigma, 60.0 / r_neg if r_neg > 0 else np.inf)
        self.lo = min(self.mode, 0.0) - width_neg
        self.hi = max(self.mode, 0.0) + width_pos
        self.z_neg = self._int(lambda w: 1.0, self.lo, 0.0)
        self.z_pos = self._int(lambda w: 1.0, 0.0, self.hi)
        self.z = self.z_neg + self.z_pos
        self.mean = (self._int(lambda w: w, self.lo, 0.0) + self._int(lambda w: w, 0.0, self.hi)) / self.z
        m = self.mean
        sq = lambda w: (w - m) ** 2  # noqa: E731
        self.var = (self._int(sq, self.lo, 0.0) + self._int(sq, 0.0, self.hi)) / self.z

    def _ell(self, w):
        return -((self.y - w) ** 2) / (2 * self.sigma**2) - abs(w) / self.b

    def _int(self, g, lo, hi):
        lo, hi = max(lo, self.lo), min(hi, self.hi)  # outside the window the mass is < 1e-300
        if hi <= lo:
            return 0.0
        pts = [p for p in (self.mode,) if lo < p < hi]
        val, _ = integrate.quad(lambda w: g(w) * math.exp(self._rel_ell(w)), lo, hi, points=pts or None, **QUAD)
        return val

    def _rel_ell(self, w):
        """``_ell(w) - _ell(mode)`` written without cancellation for large ``|y|``."""
        m, y = self.mode, self.y
        return -(w - m) * (w + m - 2 * y) / (2 * self.sigma**2) - (abs(w) - abs(m)) / self.b

    def cdf(self, w):
        if w <= 0:
            return self._int(lambda v: 1.0, self.lo, w) / self.z
        return (self.z_neg + self._int(lambda v: 1.0, 0.0, w)) / self.z

    def sf(self, w):
        if w >= 0:
            return self._int(lambda v: 1.0, w, self.hi) / self.z
        return (self.z_pos + self._int(lambda v: 1.0, w, 0.0)) / self.z

    def prob_abs_below(self, eps):
        return (self._int(lambda v: 1.0, -eps, 0.0) + self._int(lambda v: 1.0, 0.0, eps)) / self.z

    def median(self):
        f = lambda w: self.cdf(w) - 0.5  # noqa: E731
        sd = math.sqrt(self.var)
        lo, hi = max(self.lo, self.mean - 10 * sd), min(self.hi, self.mean + 10 * sd)
        return optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-15)


LAPLACE_GRID = [
    (y, sigma, b)
    for y in (-7.0, -1.3, 0.0, 0.4, 2.0, 9.0)
    for sigma in (0.5, 1.0, 3.0)
    for b in (0.1, 1.0, 5.0)
]
# small b / large |y|: the continued-fraction (far-tail) branches
LAPLACE_TAIL = [
    (2.0, 1.0, 0.01),
    (-30.0, 1.0, 0.05),
    (150.0, 2.0, 0.05),
    (1e3, 1.0, 1e-3),
    (0.5, 1.0, 1e-4),
    (-40.0, 1.0, 100.0),
]


def _rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


@pytest.mark.parametrize("y,sigma,b", LAPLACE_GRID + LAPLACE_TAIL)
def test_laplace_matches_quadrature(y, sigma, b):
    post = ep.laplace_posterior(y, sigma=sigma, b=b)
    ref = LaplaceBrute(y, sigma, b)
    scale = math.sqrt(ref.var)
    # mean: relative, with an absolute floor for means that are ~0 by symmetry
    assert abs(post.mean - ref.mean) <= 1e-7 * max(abs(ref.mean), 1e-3 * scale)
    assert _rel(post.var, ref.var) < 1e-7
    assert _rel(post.prob_negative, ref.z_neg / ref.z) < 1e-7
    assert post.prob_negative + post.prob_positive == pytest.approx(1.0, abs=1e-15)
    for k in (-3.0, -1.0, -0.2, 0.0, 0.5, 2.0):
        w = ref.mean + k * scale
        assert _rel(post.cdf(w), ref.cdf(w)) < 1e-7
        assert _rel(post.sf(w), ref.sf(w)) < 1e-7
    assert post.cdf(0.0) == pytest.approx(ref.cdf(0.0), rel=1e-7)
    for eps in (0.01 * scale, 0.3 * scale, 2.0 * scale):
        assert _rel(post.prob_abs_below(eps), ref.prob_abs_below(eps)) < 1e-7
    assert abs(post.median - ref.median()) <= 1e-7 * scale
    # the density integrates to one and matches the normalised integrand
    for w in (ref.mean - scale, ref.mean, 0.0, ref.mean + 0.7 * scale):
        expect = ref._rel_ell(w) - math.log(ref.z)
        assert post.logpdf(w) == pytest.approx(expect, rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("sigma,b", [(1.0, 1.0), (534.0, 0.0187), (2.0, 1e4), (1.0, 1e-3)])
@pytest.mark.parametrize("y", [1e-9, -3e-6, 1e-3])
def test_laplace_mean_tiny_y_relative_accuracy(y, sigma, b):
    """For |y| << sigma the mean is ~ c y; the brute force avoids cancellation by folding
    the integral onto w > 0: E[w] = int w (p(w) - p(-w)) / int (p(w) + p(-w)), with
    p(w) +- p(-w) = 2 exp(-w/b - (w^2 + y^2)/(2 sigma^2)) {sinh, cosh}(w y / sigma^2)."""
    rate = 1.0 / b - abs(y) / sigma**2
    hi = 40.0 * sigma + abs(y) if rate <= 0 else min(40.0 * sigma + abs(y), 60.0 / rate)
    base = lambda w: math.exp(-w / b - w * w / (2 * sigma**2))  # noqa: E731
    num = integrate.quad(lambda w: w * base(w) * math.sinh(w * y / sigma**2), 0.0, hi, **QUAD)[0]
    den = integrate.quad(lambda w: base(w) * math.cosh(w * y / sigma**2), 0.0, hi, **QUAD)[0]
    post = ep.laplace_posterior(y, sigma=sigma, b=b)
    assert post.mean == pytest.approx(num / den, rel=1e-8)
    assert math.copysign(1.0, post.mean) == math.copysign(1.0, y)
    assert abs(post.mean) <= abs(y)


def test_laplace_vectorised_matches_scalar():
    ys = np.array([-7.0, -0.3, 0.0, 2.5, 40.0])
    post = ep.laplace_posterior(ys, sigma=1.3, b=0.7)
    ws = np.array([-1.0, 0.0, 0.2, 3.0, 39.0])
    for i, y in enumerate(ys):
        one = ep.laplace_posterior(y, sigma=1.3, b=0.7)
        assert isinstance(one.mean, float)
        assert post.mean[i] == one.mean
        assert post.var[i] == one.var
        assert post.cdf(ws)[i] == one.cdf(ws[i])
        assert post.median[i] == pytest.approx(one.median, rel=1e-14, abs=1e-300)
    # broadcasting an outer grid of w against the vector of y
    grid = post.cdf(ws[:, None])
    assert grid.shape == (5, 5)
    assert np.all(np.diff(grid, axis=0) >= 0)


def test_laplace_mode_is_soft_threshold():
    post = ep.laplace_posterior(np.array([-3.0, -0.5, 0.5, 3.0]), sigma=1.0, b=1.0)
    np.testing.assert_array_equal(post.mode, [-2.0, 0.0, 0.0, 2.0])


# ---------------------------------------------------------------------------
# Laplace: extreme parameters
# ---------------------------------------------------------------------------


EXTREME = [(y, b) for y in (-1e6, 1e6) for b in (1e-6, 1e6)] + [(0.0, 1e-6), (0.0, 1e6), (5.0, 1e-6)]


@pytest.mark.parametrize("y,b", EXTREME)
def test_laplace_extremes_finite_and_no_warnings(y, b):
    sigma = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        post = ep.laplace_posterior(y, sigma=sigma, b=b)
        vals = [post.mean, post.var, post.median, post.prob_negative, post.prob_positive]
        vals += list(post.cdf(np.array([-2e6, -1.0, 0.0, 1.0, 2e6])))
        vals += list(post.ppf(np.array([1e-12, 0.25, 0.5, 0.75, 1 - 1e-12])))
        vals += [post.prob_abs_below(1e-3), post.prob_abs_below(10.0), post.logpdf(post.median)]
        vals += list(post.sample(50, random_seed=1))
    assert np.all(np.isfinite(vals))
    assert 0.0 <= post.prob_negative <= 1.0
    assert post.var > 0
    assert post.cdf(post.median) == pytest.approx(0.5, abs=1e-9)


def test_laplace_extreme_limits():
    # |y| >> sigma^2/b: essentially N(y - sign(y) sigma^2/b, sigma^2)
    for y in (1e6, -1e6):
        post = ep.laplace_posterior(y, sigma=1.0, b=1e6)
        shift = math.copysign(1e-6, y)
        assert post.mean == pytest.approx(y - shift, rel=1e-15)
        assert post.var == pytest.approx(1.0, rel=1e-12)
        assert post.median == pytest.approx(y - shift, rel=1e-15)
        assert post.prob_negative == (0.0 if y > 0 else 1.0)
        post = ep.laplace_posterior(y, sigma=0.1, b=1e-6)  # sigma^2/b = 1e4 < |y|
        assert post.mean == pytest.approx(y - math.copysign(1e4, y), rel=1e-14)
        assert post.var == pytest.approx(0.01, rel=1e-10)
    # y = sigma^2/b exactly: the positive piece is a half-normal N(0, sigma^2) on w >= 0
    post = ep.laplace_posterior(1e6, sigma=1.0, b=1e-6)
    assert post.mean == pytest.approx(math.sqrt(2 / math.pi), rel=1e-6)
    assert post.var == pytest.approx(1 - 2 / math.pi, rel=1e-6)
    assert post.median == pytest.approx(stats.norm.ppf(0.75), rel=1e-6)
    # tiny b, moderate y: asymmetric Laplace with rates 1/b -+ y/sigma^2
    y, b = 5.0, 1e-6
    r_pos, r_neg = 1 / b - y, 1 / b + y
    post = ep.laplace_posterior(y, sigma=1.0, b=b)
    assert post.mean == pytest.approx(1 / r_pos - 1 / r_neg, rel=1e-6)
    assert post.prob_negative == pytest.approx(r_pos / (r_pos + r_neg), rel=1e-9)
    assert post.var == pytest.approx((2 / r_pos**3 + 2 / r_neg**3) / (1 / r_pos + 1 / r_neg) - (1 / r_pos - 1 / r_neg) ** 2, rel=1e-5)
    eps = 1e-6
    expect = (-math.expm1(-r_pos * eps) / r_pos + -math.expm1(-r_neg * eps) / r_neg) / (1 / r_pos + 1 / r_neg)
    assert post.prob_abs_below(eps) == pytest.approx(expect, rel=1e-5)
    # huge b: prior is flat, posterior ~ N(y, sigma^2)
    post = ep.laplace_posterior(0.0, sigma=2.0, b=1e6)
    assert post.var == pytest.approx(4.0, rel=1e-5)
    assert post.prob_negative == pytest.approx(0.5, abs=1e-15)


def test_laplace_mean_monotone_and_odd():
    ys = np.linspace(-20, 20, 81)
    post = ep.laplace_posterior(ys, sigma=1.0, b=0.5)
    assert np.all(np.diff(post.mean) > 0)
    np.testing.assert_allclose(post.mean, -post.mean[::-1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(post.var, post.var[::-1], rtol=1e-12)


# ---------------------------------------------------------------------------
# Laplace: quantiles and sampling
# ---------------------------------------------------------------------------


ROUND_TRIP = [
    (0.0, 1.0, 1.0),
    (2.5, 1.0, 0.3),
    (-4.0, 2.0, 5.0),
    (1e3, 1.0, 1e-3),
    (5.0, 1.0, 1e-6),
    (-1e6, 1.0, 1e6),
    (1e6, 1.0, 1e-6),
    (3.0, 1e-3, 1e2),
]


@pytest.mark.parametrize("y,sigma,b", ROUND_TRIP)
def test_laplace_ppf_cdf_round_trip(y, sigma, b):
    post = ep.laplace_posterior(y, sigma=sigma, b=b)
    sd = post.std
    ws = post.mean + sd * np.linspace(-4, 4, 17)
    ws = ws[post.cdf(ws) > 1e-300]  # skip points whose cdf underflows (far beyond the kink)
    assert ws.size >= 9
    back = post.ppf(post.cdf(ws))
    np.testing.assert_allclose(back, ws, rtol=1e-11, atol=1e-8 * sd)
    qs = np.array([1e-10, 1e-4, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-6])
    wq = post.ppf(qs)
    assert np.all(np.diff(wq) >= 0)
    c = post.cdf(wq)
    np.testing.assert_allclose(c, qs, rtol=1e-8, atol=1e-13)
    # cdf(median) = 1/2 up to the conditioning of w -> cdf(w) at |median| ~ 1e6
    tol = 1e-10 + 8 * np.spacing(abs(post.median)) * post.pdf(post.median)
    assert post.cdf(post.median) == pytest.approx(0.5, abs=tol)
    assert post.ppf(0.0) == -np.inf and post.ppf(1.0) == np.inf
    assert np.isnan(post.ppf(1.5)) and np.isnan(post.ppf(-0.1))
    # the quantile at P(w < 0) is the kink at zero
    if 0.0 < post.prob_negative < 1.0:
        assert post.ppf(post.prob_negative) == pytest.approx(0.0, abs=1e-9 * sd)


@pytest.mark.parametrize("y,sigma,b", [(0.0, 1.0, 1.0), (2.5, 1.0, 0.3), (-1.5, 0.5, 2.0), (5.0, 1.0, 1e-6), (1e3, 1.0, 1e-3)])
def test_laplace_sample_moments(y, sigma, b):
    post = ep.laplace_posterior(y, sigma=sigma, b=b)
    draws = post.sample(20000, random_seed=12345)
    assert draws.shape == (20000,)
    se = math.sqrt(post.var / draws.size)
    assert abs(draws.mean() - post.mean) < 5 * se
    assert np.mean(draws < 0) == pytest.approx(post.prob_negative, abs=5 * math.sqrt(0.25 / draws.size))
    ks = stats.kstest(draws, post.cdf)
    assert ks.pvalue > 1e-4


def test_laplace_sample_shapes():
    post = ep.laplace_posterior(np.array([0.0, 3.0]), sigma=1.0, b=1.0)
    assert post.sample(7, random_seed=0).shape == (7, 2)
    assert post.sample((3, 4), random_seed=0).shape == (3, 4, 2)
    assert post.sample(random_seed=0).shape == (2,)
    np.testing.assert_array_equal(post.sample(5, random_seed=3), post.sample(5, random_seed=3))
    assert isinstance(ep.laplace_posterior(1.0, sigma=1.0, b=1.0).sample(random_seed=0), float)


# ---------------------------------------------------------------------------
# Gaussian
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("y,sigma,s", [(0.0, 1.0, 1.0), (3.0, 1.0, 0.5), (-2.0, 0.3, 4.0), (10.0, 2.0, 0.1)])
def test_gaussian_matches_quadrature(y, sigma, s):
    post = ep.gaussian_posterior(y, sigma=sigma, s=s)
    ell = lambda w: -((y - w) ** 2) / (2 * sigma**2) - w**2 / (2 * s**2)  # noqa: E731
    m0 = y * s**2 / (s**2 + sigma**2)  # only used to centre the integration window
    sd0 = math.sqrt(s**2 * sigma**2 / (s**2 + sigma**2))
    lo, hi = m0 - 40 * sd0, m0 + 40 * sd0
    f = lambda w: math.exp(ell(w) - ell(m0))  # noqa: E731

    def integral(g, a=lo, b=hi, epsabs=0.0):
        return integrate.quad(lambda w: g(w) * f(w), a, b, **{**QUAD, "epsabs": epsabs})[0]

    z = integral(lambda w: 1.0)
    # m0 + E[w - m0]: the second term is ~0, so it gets an absolute tolerance
    mean = m0 + integral(lambda w: w - m0, epsabs=1e-14 * sd0 * z) / z
    var = integral(lambda w: (w - mean) ** 2) / z
    assert post.mean == pytest.approx(mean, rel=1e-9, abs=1e-12)
    assert post.var == pytest.approx(var, rel=1e-9)
    assert post.median == post.mean
    assert post.prob_negative == pytest.approx(integral(lambda w: 1.0, lo, min(0.0, hi)) / z if lo < 0 else 0.0, rel=1e-8, abs=1e-300)
    for k in (-2.0, 0.0, 1.5):
        w = mean + k * sd0
        assert post.cdf(w) == pytest.approx(integral(lambda v: 1.0, lo, w) / z, rel=1e-9)
        assert post.logpdf(w) == pytest.approx(ell(w) - ell(m0) - math.log(z), rel=1e-9, abs=1e-10)
    for eps in (1e-3, 0.5, 3.0):
        expect = integral(lambda v: 1.0, -eps, eps) / z
        assert post.prob_abs_below(eps) == pytest.approx(expect, rel=1e-8)
    qs = np.array([1e-6, 0.1, 0.5, 0.9])
    np.testing.assert_allclose(post.cdf(post.ppf(qs)), qs, rtol=1e-10)


def test_gaussian_extremes_and_sampling():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        post = ep.gaussian_posterior(np.array([-1e6, 0.0, 1e6]), sigma=1.0, s=np.array([1e-6, 1.0, 1e6]))
        assert np.all(np.isfinite(post.mean)) and np.all(post.var > 0)
        assert post.mean[2] == pytest.approx(1e6, rel=1e-11)
        # tiny interval around a far-off mean: relative accuracy without cancellation
        p = ep.gaussian_posterior(40.0, sigma=1.0, s=1e6)
        assert p.prob_abs_below(1e-8) == pytest.approx(2e-8 * p.pdf(0.0), rel=1e-6)
    post = ep.gaussian_posterior(1.5, sigma=1.0, s=2.0)
    draws = post.sample(20000, random_seed=7)
    assert abs(draws.mean() - post.mean) < 5 * math.sqrt(post.var / draws.size)


# ---------------------------------------------------------------------------
# Horseshoe
# ---------------------------------------------------------------------------


_GL64 = np.polynomial.legendre.leggauss(64)


def _hs_brute(y, sigma, tau):
    """E[w|y], Var[w|y] and log p(y) by nested quadrature over (t, x) with
    t = log lambda, w = exp(t) tau x and x ~ N(0, 1): joint density
    N(y; w, sigma^2) phi(x) / (pi cosh t).  The inner integral over x is a composite
    64-point Gauss-Legendre rule with breaks at +-10 and around the likelihood's
    centre y / (lambda tau) (width sigma / (lambda tau)); the outer one is quad."""
    nodes, weights = _GL64

    def inner(t):
        lt = math.exp(t) * tau
        xc, xw = y / lt, sigma / lt
        brk = np.clip([-40.0, -10.0, 10.0, 40.0, xc - 10 * xw, xc, xc + 10 * xw], -40.0, 40.0)
        brk = np.unique(brk)
        lo, hi = brk[:-1, None], brk[1:, None]
        x = (0.5 * (hi - lo) * nodes + 0.5 * (hi + lo)).ravel()
        wts = (0.5 * (hi - lo) * weights).ravel()
        w = lt * x
        d = wts * np.exp(-0.5 * x * x - 0.5 * ((y - w) / sigma) ** 2) / (2 * math.pi * sigma)
        return np.array([d.sum(), (d * w).sum(), (d * w * w).sum()]) / (math.pi * math.cosh(t))

    feats = [0.0, math.log(sigma / tau)] + ([math.log(abs(y) / tau)] if y else [])
    lo, hi = min(feats) - 38.0, max(feats) + 30.0
    def integral(k, epsabs=0.0):
        return integrate.quad(lambda t: inner(t)[k], lo, hi, points=sorted(feats), epsabs=epsabs, epsrel=1e-11, limit=500)[0]

    z = integral(0)
    m1 = integral(1, epsabs=1e-14 * z * sigma)  # E[w|y] = 0 at y = 0: absolute tolerance
    m2 = integral(2)
    mean = m1 / z
    return mean, m2 / z - mean**2, math.log(z)


HS_CASES = [(0.7, 1.0, 1.0), (3.0, 1.0, 0.3), (-2.0, 0.5, 2.0), (6.0, 1.0, 0.05), (0.0, 1.0, 0.5), (40.0, 1.0, 0.1), (1.0, 2.0, 10.0)]


@pytest.mark.parametrize("y,sigma,tau", HS_CASES)
def test_horseshoe_matches_2d_quadrature(y, sigma, tau):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean, var = ep.horseshoe_posterior_moments(y, sigma=sigma, tau=tau)
        logm = ep.horseshoe_marginal_logpdf(y, sigma=sigma, tau=tau)
    b_mean, b_var, b_logm = _hs_brute(y, sigma, tau)
    assert mean == pytest.approx(b_mean, rel=1e-9, abs=1e-12)
    assert var == pytest.approx(b_var, rel=1e-8)
    assert logm == pytest.approx(b_logm, rel=1e-10, abs=1e-10)


def test_horseshoe_marginal_direct_lambda_integral():
    for y, sigma, tau in [(0.0, 1.0, 1.0), (2.0, 0.5, 0.1), (-25.0, 1.0, 3.0)]:
        f = lambda lam: 2 / (math.pi * (1 + lam**2)) * stats.norm.pdf(y, scale=math.sqrt(sigma**2 + lam**2 * tau**2))  # noqa: E731
        brk = sorted({1.0, sigma / tau, abs(y) / tau or 1.0})
        pieces = [0.0, *brk]
        val = sum(integrate.quad(f, a, b, **QUAD)[0] for a, b in zip(pieces[:-1], pieces[1:]))
        val += integrate.quad(f, pieces[-1], np.inf, epsabs=0.0, epsrel=1e-12, limit=500)[0]
        assert ep.horseshoe_marginal_logpdf(y, sigma=sigma, tau=tau) == pytest.approx(math.log(val), rel=1e-9, abs=1e-9)


def test_horseshoe_beta_case_kummer():
    """tau = sigma: kappa | y has density prop. to (1-kappa)^(-1/2) exp(-kappa s), s = y^2/(2 sigma^2),
    so E[kappa^k | y] are ratios of Kummer functions 1F1."""
    sigma = 1.7
    ys = np.array([0.0, 0.4, 1.5, 4.0, 9.0])
    mean, var = ep.horseshoe_posterior_moments(ys, sigma=sigma, tau=sigma)
    s = ys**2 / (2 * sigma**2)
    den = hyp1f1(1.0, 1.5, -s)
    e_k = (2.0 / 3.0) * hyp1f1(2.0, 2.5, -s) / den
    e_k2 = (8.0 / 15.0) * hyp1f1(3.0, 3.5, -s) / den
    np.testing.assert_allclose(mean, (1 - e_k) * ys, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(var, sigma**2 * (1 - e_k) + ys**2 * (e_k2 - e_k**2), rtol=1e-8)


def test_horseshoe_limits_and_symmetry():
    ys = np.array([0.5, 2.0, 10.0, 100.0, 1e4, 1e6])
    mean, var = ep.horseshoe_posterior_moments(ys, sigma=1.0, tau=0.1)
    neg_mean, neg_var = ep.horseshoe_posterior_moments(-ys, sigma=1.0, tau=0.1)
    np.testing.assert_array_equal(neg_mean, -mean)
    np.testing.assert_array_equal(neg_var, var)
    assert ep.horseshoe_posterior_moments(0.0, sigma=1.0, tau=0.1).mean == 0.0
    # shrinkage fraction 1 - E[w|y]/y decreases to 0 and the posterior sd -> sigma
    frac = 1 - mean / ys
    assert np.all(np.diff(frac) < 0)
    assert frac[-1] < 1e-10
    assert abs(ys[-1] - mean[-1]) < 1e-4
    assert var[-1] == pytest.approx(1.0, rel=1e-6)
    assert np.all(np.isfinite(var)) and np.all(var > 0)
    # small tau shrinks small signals hard
    assert ep.horseshoe_posterior_moments(0.5, sigma=1.0, tau=1e-3).mean < 1e-3 * 0.5


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan, [1.0, -2.0]])
def test_invalid_scales_raise(bad):
    with pytest.raises(CuspInputError, match="sigma"):
        ep.laplace_posterior(1.0, sigma=bad, b=1.0)
    with pytest.raises(CuspInputError, match="b must"):
        ep.laplace_posterior(1.0, sigma=1.0, b=bad)
    with pytest.raises(CuspInputError, match="s must"):
        ep.gaussian_posterior(1.0, sigma=1.0, s=bad)
    with pytest.raises(CuspInputError, match="tau"):
        ep.horseshoe_posterior_moments(1.0, sigma=1.0, tau=bad)
    with pytest.raises(CuspInputError, match="sigma"):
        ep.horseshoe_marginal_logpdf(1.0, sigma=bad, tau=1.0)


def test_invalid_y_raises():
    with pytest.raises(CuspInputError, match="y"):
        ep.laplace_posterior(np.nan, sigma=1.0, b=1.0)
    with pytest.raises(CuspInputError, match="y"):
        ep.gaussian_posterior([0.0, np.inf], sigma=1.0, s=1.0)
    with pytest.raises(CuspInputError, match="y"):
        ep.horseshoe_posterior_moments("abc", sigma=1.0, tau=1.0)
