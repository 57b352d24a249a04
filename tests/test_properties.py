"""Property-based tests (hypothesis) of the prox and the MAP, on every example prior.

Four properties, each checked against quantities recomputed here, never read from the
objects under test:

1. ``prox`` minimizes ``0.5 (x - v)^2 + step * penalty(x)`` (against a brute-force
   search), is exactly ``+0.0`` precisely where the penalty's kink says it must be, and
   never ``0.0`` for a smooth prior and ``v != 0``;
2. at the returned MAP, the optimality conditions hold (slope of the negative
   log-likelihood recomputed here from ``X``, ``y`` and the coefficients);
3. permuting the columns of ``X`` permutes the MAP;
4. multiplying the columns of ``X`` by ``s`` and dividing the prior's scale by ``s``
   divides the MAP by ``s`` and leaves the intercept and the zeros unchanged.

Every test runs a fixed, derandomized set of examples, so CI is deterministic; the
number of examples per prior follows its cost (the horseshoes' penalties are
quadratures or special functions) so the file stays within ~40 s on two cores.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.special import expit

from conftest import brute_force_prox
from models import Model

EPS = np.finfo(float).eps
LIKELIHOODS = ("gaussian", "logistic", "poisson")

# Examples per prior and property: (prox, certificate, permutation, rescaling).  The
# horseshoe's prox_local is a root search over E1; the regularized horseshoe's penalty
# is a 192-node quadrature per point, so one of its MAP fits costs ~0.5 s.
_BUDGET = {
    "cheap": (40, 20, 12, 10),
    "moderate": (30, 10, 6, 6),
    "horseshoe": (20, 8, 6, 4),
    "regularized_horseshoe": (6, 4, 4, 3),
}


def _budget(prior, which):
    if prior.family == "regularized_horseshoe":
        kind = "regularized_horseshoe"
    elif prior.family == "horseshoe":
        kind = "horseshoe"
    elif prior.family in ("gaussian", "laplace") or (prior.family == "bridge" and prior.p == 1) or \
            (prior.family == "smoothed_laplace" and prior.delta == 0):
        kind = "cheap"  # closed-form prox
    else:
        kind = "moderate"  # prox by a vectorized root search or a cubic
    return _BUDGET[kind][("prox", "certificate", "permutation", "rescaling").index(which)]


def _settings(prior, which):
    # derandomize: the examples are a function of the test's source only (no database).
    return settings(max_examples=_budget(prior, which), deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _max_p(prior):
    # The horseshoes' coordinate updates are root searches over special functions or
    # quadratures (~1 ms each): fewer columns buy them more examples in the same time.
    return 6 if prior.has_pole_at_zero else 12


# Signal strength (for the orthogonal designs, a signal-to-noise ratio).  Drawn as
# strong-or-weak so that hypothesis's first, simplest example (the lower end of the
# first branch) already has a clear signal: with few examples for the expensive priors,
# an all-noise first draw would test little (the horseshoe has a non-zero local mode
# only beyond about 2 sqrt(2) noise sd: F(x) = x + step penalty'(x) ~ x + 2 step / x).
SIGNAL = st.one_of(st.floats(4.0, 10.0), st.floats(0.0, 4.0))


# ==================================================================== 1. the prox
def global_prox_threshold(prior, step):
    """Largest ``|v|`` whose global prox is exactly 0, from first principles.

    * A penalty with a kink of half-width ``k = zero_threshold`` at 0 and convex
      elsewhere (Laplace, bridge p = 1, smoothed Laplace with delta = 0): 0 is optimal
      iff ``v`` lies in ``step * [-k, k]``, so the threshold is ``step * k``.
    * Bridge ``p < 1`` (``lam = step / s^p``): 0 is always a *local* minimizer (infinite
      slope, ``zero_threshold = inf``) but the global one only while the non-zero
      stationary point ``x`` does not beat it.  At the threshold ``a`` both tie:
      ``x - a + lam p x^(p-1) = 0`` and ``0.5 (x - a)^2 + lam x^p = 0.5 a^2``; eliminating
      ``a`` gives ``x = beta = (2 lam (1 - p))^(1/(2-p))`` and
      ``a = beta + lam p beta^(p-1)`` (Marjanovic & Solo 2012, l_q thresholding).
    * Smooth priors: 0 (the prox is 0 only at ``v = 0``).
    * Horseshoe: ``inf`` -- the density has a pole at 0, so the global prox is always 0.
    """
    if prior.family == "bridge" and prior.p < 1:
        p = prior.p
        lam = step / prior.scale**p
        beta = (2 * lam * (1 - p)) ** (1 / (2 - p))
        return beta + lam * p * beta ** (p - 1)
    return step * prior.zero_threshold


# Where |v| equals the threshold up to rounding, either answer is right: prox computes
# its threshold in another order (soft thresholding uses step / b; step * (1/b) differs
# from it by an ulp in ~30% of draws), and for bridge p < 1 it compares two objective
# values that tie exactly at the threshold, whose difference, linear in |v| - threshold
# with slope beta, is rounded at ~eps * v^2: 1e-12 relative leaves 1000x room.
_BOUNDARY_BAND = {"soft": 1e-14, "bridge": 1e-12}


@st.composite
def prox_inputs(draw, prior):
    """``(v, step)`` with ``step / scale^2`` and ``|v| / scale`` across 1e-3 .. 1e3, and
    half of the draws placed around the exact-zero threshold when there is a finite one."""
    s = prior.scale
    step = s**2 * 10 ** draw(st.floats(-3, 3), label="log10(step / scale^2)")
    t = global_prox_threshold(prior, step)
    if 0 < t < math.inf and draw(st.booleans(), label="near the zero threshold"):
        factor = draw(st.one_of(
            st.just(1.0),
            st.floats(0.0, 2.0),
            st.floats(-15, -1).map(lambda e: 1 - 10**e),
            st.floats(-15, -1).map(lambda e: 1 + 10**e),
        ), label="|v| / threshold")
        a = t * factor
    else:
        a = draw(st.one_of(st.just(0.0), st.floats(-3, 3).map(lambda e: s * 10**e)), label="|v|")
    sign = draw(st.sampled_from([1.0, -1.0]), label="sign")
    return sign * a, step


def test_prox_is_the_minimizer_and_exactly_zero_where_it_must_be(prior):
    local = prior.has_pole_at_zero  # the horseshoe MAP uses its local prox
    prox = prior.prox_local
    t_kind = "bridge" if prior.family == "bridge" and prior.p < 1 else "soft"

    @_settings(prior, "prox")
    @given(prox_inputs(prior))
    def check(v_step):
        v, step = v_step
        got = float(prox(v, step))
        f = lambda x: 0.5 * (x - v) ** 2 + step * float(prior.penalty(x))  # noqa: E731

        # Shrinkage towards 0 on v's side: every penalty here is symmetric and
        # non-decreasing in |x|, so the minimizer lies in [0, v] (or [v, 0]).
        assert math.isfinite(got)
        assert 0.0 <= got * math.copysign(1.0, v) <= abs(v), (v, step, got)
        if got == 0.0 and v != 0.0:
            assert not math.copysign(1.0, got) < 0, f"prox({v}, {step}) is -0.0, not +0.0"

        if local:
            # The global prox of the horseshoe is 0 for every v (zero_threshold = inf:
            # the objective is -inf there), and prox_local finds the non-zero local
            # minimizer exactly when the brute force finds one.
            assert float(prior.prox(v, step)) == 0.0
            want = brute_force_prox(prior, v, step, local=True)
            assert (got == 0.0) == (want == 0.0), f"prox_local({v}, {step}) = {got}, brute force {want}"
            if got == 0.0:
                return
        else:
            want = float(brute_force_prox(prior, v, step))

        # Optimality by objective value (a tie between two minimizers is legitimate).
        # Both values are sums of two terms, each computed to a few ulps; 1e-12 of their
        # size is ~5000 ulps, room for the regularized horseshoe's penalty (a quadrature
        # accurate to ~1e-13 relative; 1500 draws per prior showed at most 2e-14) and far
        # below any suboptimality the brute force resolves (grid step 2.5e-4 |v|, then a
        # 2001-point grid and a bounded polish to 1e-13 |v|).
        size = max(0.5 * (x - v) ** 2 + step * abs(float(prior.penalty(x))) for x in (got, want))
        assert f(got) <= f(want) + 1e-12 * size, (v, step, got, want, f(got) - f(want))
        if prior.convex:
            # 0.5 (x - v)^2 + step * penalty is 1-strongly convex: f(x) >= f(x*) + 0.5 (x - x*)^2,
            # so prox must also be close to the brute force's point *in location*.
            assert 0.5 * (got - want) ** 2 <= f(want) - f(got) + 1e-12 * size, (v, step, got, want)

        # Exact zeros: where the penalty's kink says, and nowhere for a smooth prior.
        # (The horseshoe's were checked above: its global threshold is infinite.)
        t = global_prox_threshold(prior, step)
        if local:
            pass
        elif prior.is_smooth_at_zero:
            assert (got == 0.0) == (v == 0.0), (v, step, got)
        elif abs(abs(v) - t) <= _BOUNDARY_BAND[t_kind] * t:
            assert got == 0.0 or t_kind == "bridge" or abs(got) <= 1e-13 * abs(v), (v, step, got, t)
        else:
            assert (got == 0.0) == (abs(v) <= t), f"prox({v}, {step}) = {got}; zero threshold {t}"

    check()


# ==================================================================== MAP helpers
@dataclasses.dataclass(frozen=True, eq=False)
class Problem:
    """A GLM data set; ``recipe`` (how it was drawn) is its short repr for reproducers."""

    likelihood: str
    X: np.ndarray
    y: np.ndarray
    sigma: float | None = None
    recipe: str = ""

    def __repr__(self):
        if self.recipe:
            return self.recipe
        return f"Problem({self.likelihood!r}, X={self.X.tolist()}, y={self.y.tolist()}, sigma={self.sigma})"

    def model(self, prior) -> Model:
        return Model(self.likelihood, prior, sigma=self.sigma)

    def with_X(self, X, recipe) -> Problem:
        return dataclasses.replace(self, X=X, recipe=f"{self.recipe} {recipe}")


def nll_grad(problem, eta):
    """d(-log likelihood)/d eta_i, written out here (not the likelihood object's)."""
    y = problem.y
    if problem.likelihood == "gaussian":
        return (eta - y) / problem.sigma**2
    if problem.likelihood == "logistic":
        return expit(eta) - y
    return np.exp(eta) - y


def nll_hess(problem, eta):
    if problem.likelihood == "gaussian":
        return np.full(eta.shape, 1.0 / problem.sigma**2)
    if problem.likelihood == "logistic":
        q = expit(eta)
        return q * (1 - q)
    return np.exp(eta)


def solver_tolerance(problem, model):
    """The documented stopping rule, recomputed: ``tol * max(1, |slope at the null model|_inf)``
    where the null model is the intercept-only maximum likelihood fit."""
    y = problem.y
    m = float(np.mean(y))
    if problem.likelihood == "gaussian":
        c0 = m
    elif problem.likelihood == "logistic":
        c0 = math.log(m / (1 - m))
    else:
        c0 = math.log(m)
    ref = np.max(np.abs(problem.X.T @ nll_grad(problem, np.full(y.size, c0))))
    return model.tol * max(1.0, float(ref))


def optimality_residuals(problem, prior, coef, intercept):
    """Per coordinate, recomputed from the data: ``slope_j``, the stationarity residual
    ``slope_j + penalty'(w_j)`` (non-zeros), the intercept's ``sum_i g_i``, and for each a
    bound on its floating-point rounding (``gamma_n sum |terms|``, Higham's bound for a
    sum of n products)."""
    X = problem.X
    g = nll_grad(problem, X @ coef + intercept)
    slope = X.T @ g
    n = X.shape[0]
    slope_err = 2 * n * EPS * (np.abs(X).T @ np.abs(g))
    nz = coef != 0
    stat = np.zeros_like(coef)
    stat[nz] = slope[nz] + prior.penalty_grad(coef[nz])
    stat_err = slope_err + 4 * EPS * np.abs(stat - slope)  # + rounding of penalty_grad
    return slope, stat, slope_err, stat_err, float(g.sum()), 2 * n * EPS * float(np.abs(g).sum())


def coefficient_uncertainty(problem, prior, results):
    """How far two certified solutions of the same problem can be apart (Euclidean norm
    over the non-zeros and the intercept), from the certificate alone.

    Each result ``z_k = (w_S, c)`` (same support ``S``) has stationarity residual ``r_k``,
    recomputed here in the original problem.  Near a strict local minimum ``z*`` with
    objective Hessian ``H`` (likelihood curvature on ``[X_S, 1]`` plus ``penalty''`` on the
    diagonal), ``z_k - z* ~= H^-1 r_k``, so ``|z_1 - z_2| <= (|r_1| + |r_2|) / lambda_min(H)``.
    A factor 4 covers the Hessian's change between the two points (they are within the
    bound of each other, far inside the region where it is constant to a few percent).
    Returns ``inf`` when ``H`` is not positive definite (the certificate cannot bound it).
    """
    coef0, c0 = results[0]
    S = coef0 != 0
    X = problem.X
    A = np.column_stack([X[:, S], np.ones(X.shape[0])])
    H = A.T @ (nll_hess(problem, X @ coef0 + c0)[:, None] * A)
    H[np.arange(S.sum()), np.arange(S.sum())] += np.atleast_1d(prior.penalty_hess(coef0[S]))
    lam_min = float(np.linalg.eigvalsh(H)[0])
    if not lam_min > 0:
        return math.inf
    total = 0.0
    for coef, c in results:
        _, stat, _, stat_err, g_sum, g_err = optimality_residuals(problem, prior, coef, c)
        r = np.append(np.abs(stat[S]) + stat_err[S], abs(g_sum) + g_err)
        total += float(np.linalg.norm(r))
    return 4 * total / lam_min


def assert_same_solution(problem, prior, first, second, what):
    """``first`` and ``second``: (coef, intercept) in the original problem's coordinates."""
    (w1, c1), (w2, c2) = first, second
    assert np.array_equal(w1 == 0, w2 == 0), f"{what}: zero sets differ\n{w1}\n{w2}"
    bound = coefficient_uncertainty(problem, prior, [first, second])
    # plus the rounding of the transformation itself (a product by s: half an ulp)
    atol = bound + 4 * EPS * max(float(np.max(np.abs(w1), initial=0.0)), abs(c1))
    diff = max(float(np.max(np.abs(w1 - w2), initial=0.0)), abs(c1 - c2))
    assert diff <= atol, f"{what}: max |difference| {diff:.3g} > {atol:.3g} (certificate bound)\n{w1}, {c1}\n{w2}, {c2}"


def fit(problem, prior):
    res = problem.model(prior).map(problem.X, problem.y)
    assert res.converged, f"{problem!r}: not converged: {res.message}"
    assert np.all(np.isfinite(res.coef)) and math.isfinite(res.intercept)
    return res


def _response(likelihood, rng, eta, sigma):
    """y drawn from the likelihood at linear predictor eta; None when the MAP would not
    exist (one logistic class only, all Poisson counts 0: the intercept diverges)."""
    if likelihood == "gaussian":
        return eta + sigma * rng.normal(size=eta.size)
    if likelihood == "logistic":
        y = (rng.random(eta.size) < expit(eta)).astype(float)
        return y if 0 < y.sum() < y.size else None
    y = rng.poisson(np.exp(np.clip(eta, -5.0, 5.0))).astype(float)
    return y if y.sum() > 0 else None


@st.composite
def problems(draw, *, likelihoods=LIKELIHOODS, designs=("normal",), max_p=12):
    """Small GLM problems: n in 5..30, p in 1..max_p (p > n included).

    Hard cases are kept: columns correlated up to 0.99, column scales spread over up to
    four decades, a signal from none to strong (logistic data then often separable,
    Poisson means up to e^5),
    p > n, and with ``designs`` including "binary", 0/1 columns (duplicate and constant
    columns appear).  Only all-zero columns are rejected: they test nothing (their
    coefficient is the prior's mode whatever the solver does).

    The design is drawn from a seed rather than element by element: continuous columns
    keep X in general position, which the uniqueness arguments of the permutation and
    rescaling properties need (a Laplace MAP is unique for X in general position).
    """
    likelihood = draw(st.sampled_from(likelihoods), label="likelihood")
    design = draw(st.sampled_from(designs), label="design")
    n = draw(st.integers(5, 30), label="n")
    p = draw(st.integers(1, max_p), label="p")
    rho = draw(st.sampled_from([0.0, 0.5, 0.9, 0.99]), label="column correlation")
    spread = draw(st.floats(0.0, 2.0), label="log10 column-scale spread")
    signal = draw(SIGNAL, label="signal")
    log_sigma = draw(st.floats(-1.0, 1.0), label="log10 sigma") if likelihood == "gaussian" else None
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if design == "binary":
        X = (rng.random((n, p)) < rng.uniform(0.1, 0.9, p)).astype(float)
    else:
        X = math.sqrt(1 - rho) * rng.normal(size=(n, p)) + math.sqrt(rho) * rng.normal(size=(n, 1))
    scales = 10 ** rng.uniform(-spread, spread, p)
    X = X * scales
    assume(np.all(np.any(X != 0, axis=0)))
    k = int(rng.integers(0, p + 1))
    w = np.zeros(p)
    w[rng.permutation(p)[:k]] = rng.normal(size=k) * signal / math.sqrt(max(k, 1))
    eta = X @ (w / scales) + rng.normal()
    sigma = None if log_sigma is None else 10**log_sigma
    y = _response(likelihood, rng, eta, sigma)
    assume(y is not None)
    recipe = (f"problems(likelihood={likelihood!r}, design={design!r}, n={n}, p={p}, rho={rho}, spread={spread!r}, "
              f"signal={signal!r}, sigma={sigma!r}, seed={seed})")
    return Problem(likelihood, X, y, sigma, recipe)


# ==================================================================== 2. the certificate
def check_certificate(problem, prior):
    model = problem.model(prior)
    res = model.map(problem.X, problem.y)
    assert res.converged, f"not converged: {res.message}"
    coef, c = res.coef, res.intercept
    assert np.all(np.isfinite(coef)) and math.isfinite(c)
    tol = solver_tolerance(problem, model)
    slope, stat, slope_err, stat_err, g_sum, g_err = optimality_residuals(problem, prior, coef, c)
    # The solver stops when its own floating-point residuals are <= tol; ours are the
    # same quantities, perhaps summed in another order: + their rounding bound.
    nz = coef != 0
    assert np.all(np.abs(stat[nz]) <= tol + stat_err[nz]), f"non-zeros not stationary: coef {coef}, residual {stat}, tol {tol}"
    assert np.all(np.abs(slope[~nz]) <= prior.zero_threshold + tol + slope_err[~nz]), \
        f"zeros not certified: coef {coef}, slope {slope}, threshold {prior.zero_threshold}, tol {tol}"
    assert abs(g_sum) <= tol + g_err, f"intercept not stationary: sum of gradients {g_sum}, tol {tol}"


# Binary designs can have constant or identical columns, legitimate input that Model
# warns about (the certificate must hold for them all the same).
@pytest.mark.filterwarnings("ignore:columns? .* (is|are) (constant|identical)")
def test_map_certificate_holds_at_the_returned_solution(prior):
    @_settings(prior, "certificate")
    @given(problems(designs=("normal", "binary"), max_p=_max_p(prior)))
    def check(problem):
        check_certificate(problem, prior)

    check()


# Minimal reproducers of solver failures this property found, now fixed (see
# models/_solver.py, _support_newton_step).  Both are separable logistic data: the MAP
# exists (the penalty grows without bound) and is a clean local minimum.  The solver
# applied a nonconvex prior's *global* prox to the IRLS model, whose tiny curvature
# weights sent the coefficient to the basin at 0, an ascent direction: for bridge p = 0.5
# (separable-3) it ran 1000 iterations of ~1e-12 steps (local MAP w = 1.6417,
# c = -0.1185); for student_t(0.3, nu=1) (separable-13) the line search stalled at
# w = 5.714 (local MAP w = 8.501, c = -0.3303).
_X13 = np.array([0.66, -0.27, 0.34, 0.6, 0.14, -0.19, -0.12, -0.27, -0.37, 0.33, -0.56, 0.34, -0.37])
REPRODUCERS = {
    "separable-3": Problem("logistic", np.array([[-2.0], [-1.0], [1.0]]), np.array([0.0, 0.0, 1.0])),
    "separable-13": Problem("logistic", _X13[:, None], (_X13 > 0).astype(float)),
}


@pytest.mark.parametrize("name", list(REPRODUCERS))
def test_map_certificate_holds_on_reproducers(prior, name):
    check_certificate(REPRODUCERS[name], prior)


# ==================================================================== 3. permutations
@st.composite
def orthogonal_gaussian_problems(draw, max_p=12):
    """Gaussian likelihood, centred orthogonal columns (scales over four decades).

    With an intercept the MAP objective then separates: ``sum_j [0.5 d_j (w_j - z_j)^2 +
    penalty(w_j)] + const``, so coordinate descent's first update of each coordinate is
    the prior's (global, or for the horseshoe local) prox, whatever the order.
    """
    n = draw(st.integers(5, 30), label="n")
    p = draw(st.integers(1, min(max_p, n - 1)), label="p")
    spread = draw(st.floats(0.0, 2.0), label="log10 column-scale spread")
    signal = draw(SIGNAL, label="signal-to-noise ratio")
    sigma = 10 ** draw(st.floats(-1.0, 1.0), label="log10 sigma")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, p))
    Q, _ = np.linalg.qr(Z - Z.mean(axis=0))  # orthonormal columns, each orthogonal to 1
    scales = 10 ** rng.uniform(-spread, spread, p)
    X = Q * scales
    # y's coordinate along column j is (signal N(0, 1) + N(0, 1)) sigma: for a signal of
    # a few units, around the bridge's zero threshold and the horseshoe's local-mode one
    w = rng.normal(size=p) * signal * sigma / scales
    y = X @ w + rng.normal() + sigma * rng.normal(size=n)
    recipe = f"orthogonal_gaussian_problems(n={n}, p={p}, spread={spread!r}, signal={signal!r}, sigma={sigma!r}, seed={seed})"
    return Problem("gaussian", X, y, sigma, recipe)


@st.composite
def strictly_convex_student_t_problems(draw, prior):
    """Gaussian likelihood, general correlated designs with n >= p + 2, and a noise level
    that makes the MAP objective strictly convex despite the Student-t's nonconvexity.

    ``penalty''(w) = (nu+1)(nu s^2 - w^2) / (nu s^2 + w^2)^2 >= -(nu+1) / (8 nu s^2)``
    (at ``w^2 = 3 nu s^2``); with the intercept profiled out the Hessian is at least
    ``Xc' Xc / sigma^2 - (nu+1) / (8 nu s^2)``, positive definite when
    ``sigma^2 < lambda_min(Xc' Xc) 8 nu s^2 / (nu + 1)``.  sigma is drawn below that.
    """
    n = draw(st.integers(5, 30), label="n")
    p = draw(st.integers(1, n - 2), label="p")
    rho = draw(st.sampled_from([0.0, 0.5, 0.9, 0.99]), label="column correlation")
    margin = draw(st.floats(0.05, 0.95), label="sigma^2 / convexity bound")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X = math.sqrt(1 - rho) * rng.normal(size=(n, p)) + math.sqrt(rho) * rng.normal(size=(n, 1))
    Xc = X - X.mean(axis=0)
    lam_min = float(np.linalg.eigvalsh(Xc.T @ Xc)[0])
    assume(lam_min > 1e-8)  # n >= p + 2 continuous columns: only fails by bad luck
    nu, s = prior.nu, prior.scale
    sigma = math.sqrt(margin * lam_min * 8 * nu * s**2 / (nu + 1))
    w = rng.standard_t(nu, size=p) * s * 3
    y = X @ w + rng.normal() + sigma * rng.normal(size=n)
    recipe = f"strictly_convex_student_t_problems(n={n}, p={p}, rho={rho}, margin={margin!r}, seed={seed})"
    return Problem("gaussian", X, y, sigma, recipe)


def permutation_problems(prior, max_p):
    """Which problems have a MAP that does not depend on the order of the columns.

    * Convex penalty: the MAP is unique (strictly convex penalty, or a Laplace-type
      penalty with X in general position), so every design and likelihood qualifies.
    * Nonconvex penalty (Student-t, bridge p < 1, horseshoe local mode): the objective
      can have several local minima, and which one the solver reaches depends on the
      order in which coordinate descent visits the columns (a sweep in another order is
      another path; each update is the global, or local, prox given the *current* other
      coordinates).  The solver's start does not rescue it: for bridge p < 1 and the
      horseshoe it is the ridge MAP, which does permute with the columns, but the
      descent from there does not.  (Random correlated designs show it: of 30 GLM
      problems like ``problems()``'s, a permutation changed the local mode reached
      in 5 for bridge p = 0.5 and in 1 or 2 for each horseshoe.)  So
      the property is restricted to problems whose answer is order-free:
        - separable ones (orthogonal columns, Gaussian likelihood), where each
          coefficient is a 1-D prox whatever the order;
        - for the Student-t, also general correlated designs where the objective is
          provably strictly convex (then its stationary point is unique).
    """
    if prior.convex:
        return problems(max_p=max_p)
    if prior.family == "student_t":
        return st.one_of(orthogonal_gaussian_problems(max_p), strictly_convex_student_t_problems(prior))
    return orthogonal_gaussian_problems(max_p)


def test_column_permutation_permutes_the_map(prior):
    @_settings(prior, "permutation")
    @given(permutation_problems(prior, _max_p(prior)), st.data())
    def check(problem, data):
        p = problem.X.shape[1]
        perm = np.array(data.draw(st.permutations(range(p)), label="permutation"))
        first = fit(problem, prior)
        second = fit(problem.with_X(problem.X[:, perm], f"X[:, {perm.tolist()}]"), prior)
        # second.coef[k] belongs to column perm[k]: undo the permutation
        w2 = np.empty(p)
        w2[perm] = second.coef
        assert_same_solution(problem, prior, (first.coef, first.intercept), (w2, second.intercept), "permuted")

    check()


# ==================================================================== 4. rescaling
# Parameters measured in units of w besides ``scale``: with_scale keeps them fixed (they
# are "shape" parameters to it), so a change of units must rescale them too.
_LENGTH_PARAMS = {"smoothed_laplace": ("delta",), "regularized_horseshoe": ("slab_scale",)}


def in_units_of(prior, s):
    """The prior of ``w / s`` when ``w ~ prior``: ``scale / s`` (``prior.with_scale``) and
    every other length parameter divided by ``s``."""
    out = prior.with_scale(prior.scale / s)
    extra = {name: getattr(prior, name) / s for name in _LENGTH_PARAMS.get(prior.family, ())}
    return dataclasses.replace(out, **extra) if extra else out


def test_in_units_of_is_a_change_of_units(prior):
    # p_{w/s}(u) = s p_w(s u): guards the helper above against a family with another
    # length parameter (the rescaling property would then fail for the wrong reason).
    w = np.array([-40.0, -3.0, -0.7, -0.01, 0.002, 0.3, 1.1, 25.0]) * prior.scale
    for s in (1e-2, 0.37, 1.0, 8.0, 1e2):
        np.testing.assert_allclose(in_units_of(prior, s).logpdf(w / s), prior.logpdf(w) + math.log(s), rtol=1e-10, atol=1e-10)


def test_rescaling_columns_and_prior_scale_rescales_the_map(prior):
    r"""Equivariance: ``X -> s X`` with the prior in units ``w / s`` gives ``w -> w / s``,
    the same intercept and the same zeros.

    Why.  Every prior here is a scale family, ``p(w; b) = g(w / b) / b``, so its penalty is
    ``penalty(w; b) = f(w / b) + log b`` with ``f = -log g`` (cusp drops the constant
    ``log b``: it normalizes ``penalty(0) = 0``).  With ``X' = s X``, ``b' = b / s``
    (and the other length parameters over ``s``, see :func:`in_units_of`), and
    ``w' = u / s``,

    .. math::  \mathrm{nll}(X' w' + c) + \sum_j f(w'_j / b') + p \log b'
               = \mathrm{nll}(X u + c) + \sum_j f(u_j / b) + \text{const},

    the original objective in ``u``.  So its minimizers, local ones included, are
    ``w' = w / s`` with the same ``c``, and ``w'_j = 0`` iff ``w_j = 0``; slopes scale by
    ``s`` and so does the zero threshold ``1/b'``, so the certificate is the same too.

    Unlike the permutation, this holds for the nonconvex priors as well: the solver
    itself is equivariant in exact arithmetic (its start, the zero vector or the ridge
    MAP of a ``gaussian(10 b')`` prior, is; each coordinate update
    ``prox'(v / s, t / s^2) = prox(v, t) / s``; the line search compares objective
    values that are equal), so it follows the same path to the same local mode.  Only
    its stopping tolerance, ``tol * max(1, |slope at the null|)``, is not equivariant,
    so the two results agree to the accuracy their certificates guarantee.  (Rounding
    could still tip a near-tie of a global prox, e.g. bridge p < 1 at its threshold,
    towards another local mode; that has probability ~1e-15 per update.)

    One shared prior: the Model has one prior for all coefficients, so every column is
    rescaled by the same ``s``.  Rescaling a single column would need a per-coefficient
    prior scale, which Model does not support.
    """
    @_settings(prior, "rescaling")
    @given(problems(max_p=_max_p(prior)), st.floats(-2.0, 2.0))
    def check(problem, log_s):
        s = 10**log_s
        first = fit(problem, prior)
        second = fit(problem.with_X(problem.X * s, f"X * {s!r}"), in_units_of(prior, s))
        assert_same_solution(problem, prior, (first.coef, first.intercept),
                             (second.coef * s, second.intercept), f"rescaled by s={s!r}")

    check()
