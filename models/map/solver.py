"""Exact MAP solver: proximal Newton with working sets and coordinate descent.

Minimizes ``nll(X w + c) + sum_j penalty(w_j)``.  Each outer iteration

1. computes the full gradient and the optimality violation of every coordinate (the
   certificate); it stops when the largest violation is below the tolerance;
2. picks a working set: the current support plus the worst violators;
3. builds the Newton (IRLS) quadratic model of the likelihood on the working set with
   the intercept eliminated exactly (weighted centring), and minimizes it plus the
   penalty by coordinate descent with the prior's proximal operator.  Because each
   coordinate update is an exact prox, zeros are floating-point 0.0;
4. for non-quadratic likelihoods, takes the step with a backtracking line search.

For a Gaussian likelihood the quadratic model is exact, so one outer iteration solves
the working-set problem.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from models.map.certificate import optimality_violation
from models.map.compiled import elastic_net_sweep

_MIN_WORKING_SET = 10
# Local mode (horseshoe): how many Newton steps may be taken without a decrease (see solve).
_MAX_LOCAL_JUMPS = 5
# Coordinate sweeps before the first Newton polish (see coordinate_descent).
_POLISH_AFTER_SWEEPS = 5
# Halvings of a Newton polish step that stops where a coefficient reaches 0 (see _polish_step).
_POLISH_HALVINGS = 10
# A step may leave the objective this many ulps higher and still count as no rise (see _raises).
_ROUNDING_ULPS = 4
_EPS = float(np.finfo(float).eps)


@dataclasses.dataclass
class SolverOutput:
    coef: np.ndarray
    intercept: float
    converged: bool
    n_iter: int
    message: str
    #: ``X @ coef + intercept`` and ``X.T @ grad`` at the returned point when the last
    #: check computed them there (None otherwise): the certificate reuses them.
    eta: np.ndarray | None = None
    slope: np.ndarray | None = None


def penalty_sum(prior, w, local_mode):
    """Sum of penalties; in local mode (horseshoe) only over the non-zeros, i.e. the
    objective on the face ``{w_j = 0 for the zeros}`` where ``-inf`` is a constant."""
    if local_mode:
        w = w[w != 0]
    return float(np.sum(prior.penalty(w)))


def solve(X, y, likelihood, prior, *, fit_intercept, coef0, intercept0, tol, max_iter, local_mode=False, gram=None):
    """Minimize the MAP objective; stop when the certificate holds within ``tol``.

    ``gram``: a :class:`GramCache` of ``X`` shared over a path (quadratic likelihoods);
    one is made here when None."""
    # Resolved once, outside the coordinate loop: the local prox for a pole at 0 (local mode).
    prox = prior.prox_local if local_mode else prior.prox
    if likelihood.quadratic and gram is None:
        gram = GramCache(X, fit_intercept)
    w = np.array(coef0, dtype=float)
    c = float(intercept0)
    p = X.shape[1]
    jumps = 0
    for it in range(1, max_iter + 1):
        eta = X @ w + c
        g = likelihood.grad(eta, y)
        slope = X.T @ g
        viol = optimality_violation(prior, w, slope)
        viol_c = abs(float(g.sum())) if fit_intercept else 0.0
        worst = max(float(viol.max(initial=0.0)), viol_c)
        if not np.isfinite(worst):
            return SolverOutput(w, c, False, it, "the objective's gradient is not finite (overflow): check the data scale")
        if worst <= tol:
            return SolverOutput(w, c, True, it - 1, f"certificate holds: largest violation {worst:.3g} <= tol {tol:.3g}",
                                eta=eta, slope=slope)
        ws = _working_set(w, viol, p)
        step = _newton_step(X, y, likelihood, prior, prox, w, c, ws, eta, g, fit_intercept, tol, gram)
        if likelihood.quadratic:
            if _same_point(w[ws], c, *step):
                return SolverOutput(w, c, False, it, _stalled_message(worst, tol))
            w[ws], c = step
            continue
        accepted = _line_search(X, y, likelihood, prior, w, c, ws, step, eta, g, local_mode)
        if not prior.convex and not local_mode and not _lowers(X, y, likelihood, prior, w, c, accepted):
            # The prox of a nonconvex penalty is its *global* minimizer; on a nearly flat
            # likelihood (separable logistic data: tiny curvature weights) it jumps to the
            # basin at 0, which can be an ascent direction for the true objective.  Then
            # take a descent step on the current support instead (zeros held at 0).
            support = _support_newton_step(X, y, likelihood, prior, w, c, eta, g, fit_intercept)
            # Where that does not lower it either, a step that leaves the objective equal
            # to rounding is kept: at a tiny prior scale (student_t(1e-50)) the MAP is
            # ~1e-98, no step changes the objective's digits, and demanding a decrease
            # stalled at w = 0.0.
            if _lowers(X, y, likelihood, prior, w, c, support) or _raises(X, y, likelihood, prior, w, c, accepted):
                accepted = support
        if accepted is None and local_mode and jumps < _MAX_LOCAL_JUMPS:
            # In local mode the objective falls to -inf towards 0, so a coefficient that
            # starts in the pole's basin (e.g. the ridge start of a tiny tau, |w| ~ 1e-13)
            # cannot reach the non-zero local mode the Newton step found by descent: the
            # penalty rises on the way.  Take the full step then, as the Gaussian
            # likelihood always does; the certificate still decides convergence.
            accepted = _full_step(X, y, likelihood, prior, w, c, ws, step, local_mode)
            jumps += 1
        if accepted is None:
            return SolverOutput(w, c, False, it, f"line search stalled with largest violation {worst:.3g} > tol {tol:.3g}")
        if _same_point(w, c, *accepted):
            return SolverOutput(w, c, False, it, _stalled_message(worst, tol))
        w, c = accepted
    return SolverOutput(w, c, False, max_iter, f"stopped after max_iter={max_iter} outer iterations before the certificate held")


def _same_point(w, c, new_w, new_c):
    """True when a step leaves every coefficient and the intercept bit for bit as they were."""
    return bool(np.array_equal(w, new_w) and c == new_c)


def _stalled_message(worst, tol):
    # At a floating-point fixed point another iteration repeats the same step; without
    # this stop a MAP whose coefficients underflow (bridge(scale=1e-50, p=1.1): |w| ~
    # 1e-750) ran max_iter outer iterations of max_sweeps sweeps each.
    return (f"stalled: no floating-point step changes the solution, largest violation {worst:.3g} > tol {tol:.3g} "
            "(the exact MAP may not be representable in double precision at these scales)")


def _working_set(w, viol, p):
    support = np.flatnonzero(w)
    size = min(p, max(_MIN_WORKING_SET, 2 * support.size))
    candidates = np.flatnonzero((w == 0) & (viol > 0))
    n_new = max(size - support.size, 0)
    if candidates.size > n_new:
        candidates = candidates[np.argpartition(-viol[candidates], n_new - 1)[:n_new]] if n_new > 0 else candidates[:0]
    return np.sort(np.concatenate([support, candidates]))


def _newton_step(X, y, likelihood, prior, prox, w, c, ws, eta, g, fit_intercept, tol, gram=None):
    """Minimize the quadratic model of the likelihood plus the penalty on ``ws``."""
    h = np.maximum(likelihood.hess(eta, y), 1e-12)
    z = eta - g / h  # working response: the model is 0.5 sum h (z - X w - c)^2
    block = None if gram is None else gram.block(ws)
    if block is not None:
        # quadratic likelihood: constant weights, and the working response z is y itself
        # whatever the point, so the (cached) centred Gram and X'h(z - zbar) are all it needs
        z_mean = float(h @ z) / float(h.sum()) if fit_intercept else 0.0
        q = gram.rhs(h * (z - z_mean))[ws]  # the x_mean term vanishes: sum h (z - z_mean) = 0
        ws_coef = coordinate_descent(h[0] * block, q, w[ws].copy(), prox, prior, tol=0.1 * tol)
        return ws_coef, (z_mean - float(gram.means(ws) @ ws_coef) if fit_intercept else 0.0)
    Xs = X[:, ws]
    if sp.issparse(Xs):
        G, q, x_mean, z_mean = _sparse_weighted_gram(Xs, h, z, fit_intercept)
        ws_coef = coordinate_descent(G, q, w[ws].copy(), prox, prior, tol=0.1 * tol)
        return ws_coef, (z_mean - float(x_mean @ ws_coef) if fit_intercept else 0.0)
    if fit_intercept:
        x_mean = (h @ Xs) / h.sum()
        z_mean = float(h @ z) / h.sum()
        Xs = Xs - x_mean
        zc = z - z_mean
    else:
        zc = z
    HX = Xs * h[:, None]
    G = Xs.T @ HX
    q = HX.T @ zc
    ws_coef = coordinate_descent(G, q, w[ws].copy(), prox, prior, tol=0.1 * tol)
    new_c = z_mean - float(x_mean @ ws_coef) if fit_intercept else 0.0
    return ws_coef, new_c


class GramCache:
    """``Xc' Xc`` (``Xc``: the centred design with an intercept, else ``X``) over the columns
    asked for so far, grown a few columns at a time and reused over a whole path: for a
    quadratic likelihood the working set's Gram matrix does not depend on the point, so a
    column's products with the others are computed once per path, not once per outer
    iteration (measured: tall n = 20,000, p = 500 path, where they were most of the time).
    A sparse design is centred implicitly, ``Xc_a' Xc_b = X_a' X_b - n m_a m_b'``.  Past
    :data:`GRAM_CACHE_COLUMNS` columns the cache stops growing (``block`` returns None
    and the caller computes the block directly)."""

    def __init__(self, X, fit_intercept):
        self.X = X
        self.n = X.shape[0]
        self.mean = np.asarray(X.mean(axis=0)).ravel() if fit_intercept else None
        self.position = np.full(X.shape[1], -1)
        self.columns = np.empty(0, dtype=int)
        self.G = np.empty((0, 0))
        self._rhs = None

    def means(self, ws):
        return self.mean[ws]

    def rhs(self, weighted_response):
        """``X' weighted_response`` for every column, computed on the first call and reused:
        a quadratic likelihood's working response is the same at every point."""
        if self._rhs is None:
            self._rhs = np.asarray(self.X.T @ weighted_response).ravel()
        return self._rhs

    def block(self, ws):
        """``Xc[:, ws]' Xc[:, ws]``, or None when the cache would pass its size limit."""
        new = ws[self.position[ws] < 0]
        if new.size:
            if self.columns.size + new.size > GRAM_CACHE_COLUMNS:
                return None
            cols = np.concatenate([self.columns, new])
            if sp.issparse(self.X):  # implicit centring: the centred columns would be dense
                cross = (self.X[:, cols].T @ self.X[:, new]).toarray()
                if self.mean is not None:
                    cross -= self.n * np.outer(self.mean[cols], self.mean[new])
            elif self.mean is None:
                cross = self.X[:, cols].T @ self.X[:, new]
            else:  # explicit centring: no cancellation for columns far from 0 (a year, say)
                cross = (self.X[:, cols] - self.mean[cols]).T @ (self.X[:, new] - self.mean[new])
            k = self.columns.size
            G = np.empty((cols.size, cols.size))
            G[:k, :k] = self.G
            G[:, k:] = cross
            G[k:, :k] = cross[:k].T
            self.G, self.columns = G, cols
            self.position[new] = np.arange(k, cols.size)
        at = self.position[ws]
        return self.G[np.ix_(at, at)]


#: The most columns a :class:`GramCache` holds (4096: 128 MiB of float64).
GRAM_CACHE_COLUMNS = 4096


def _sparse_weighted_gram(Xs, h, z, fit_intercept):
    """The working set's weighted Gram matrix and right-hand side from sparse columns,
    centred implicitly (the centred columns would be dense): with the h-weighted means
    ``m`` and total ``H``, ``sum h (x - m)(x - m)' = X' diag(h) X - H m m'`` and
    ``sum h (x - m)(z - zbar) = X' h (z - zbar)`` (its ``m`` term vanishes)."""
    HX = Xs.multiply(h[:, None]).tocsc()
    G = (Xs.T @ HX).toarray()
    if not fit_intercept:
        return G, np.asarray(HX.T @ z).ravel(), None, 0.0
    total = float(h.sum())
    x_mean = np.asarray(HX.sum(axis=0)).ravel() / total
    z_mean = float(h @ z) / total
    G -= total * np.outer(x_mean, x_mean)
    return G, np.asarray(HX.T @ (z - z_mean)).ravel(), x_mean, z_mean


def coordinate_descent(G, q, w, prox, prior, *, tol, max_sweeps=20000, anderson_every=5):
    """Minimize ``0.5 w'Gw - q'w + sum_j penalty(w_j)`` by exact coordinate updates.

    Each update is ``w_j <- prox(w_j - grad_j / G_jj, 1 / G_jj)``; a coordinate whose
    column is constant (``G_jj = 0``) is set to the penalty's minimizer, 0.  Every
    ``anderson_every`` sweeps the last iterates are extrapolated (Anderson acceleration,
    as in skglm) and the extrapolation is kept when it keeps the same zeros and lowers
    the objective: correlated columns otherwise make plain sweeps crawl.
    """
    diag = np.diag(G).copy()
    Gw = G @ w
    history = [w.copy()]
    # The prior's closed-form prox, compiled, where it declares one (never in local mode:
    # a pole at 0 has no such form); else one Python call of its prox per coordinate.
    form = prior.elastic_net_form if prox == prior.prox else None
    if form is not None:
        G = np.ascontiguousarray(G)
    since_polish = 0
    for _ in range(max_sweeps):
        if form is not None:
            moved = elastic_net_sweep(G, q, w, Gw, float(form[0]), float(form[1]))
        else:
            moved = _python_sweep(G, q, w, Gw, diag, prox)
        if optimality_violation(prior, w, Gw - q).max(initial=0.0) <= tol:
            break
        history.append(w.copy())
        # Sweeps are cheap (size^2) and usually settle the support in a few; the Newton
        # polish factorizes the support's Gram (s^3 / 3) and lands on the solution once the
        # support is right: try it after the first few sweeps, then after every sweep.
        # Compiled sweeps are ~100x cheaper than Python ones: with them the polish waits
        # until the sweeps since the last one have cost as much as a factorization (a
        # support of 3000 took 0.4 s per polish, 5 per working set, on the sparse path).
        since_polish += 1
        wait = _POLISH_AFTER_SWEEPS
        if form is not None:
            wait = max(wait, np.count_nonzero(w) ** 3 / (3.0 * w.size**2))
        polished = since_polish >= wait and _newton_polish(G, q, w, prior)
        if polished:
            since_polish = 0
        if not (moved or polished):
            # Every exact coordinate update returned its input: further sweeps repeat it
            # (e.g. a coefficient whose minimizer underflows to 0.0); the outer loop judges.
            break
        if polished:
            Gw = G @ w
            history = [w.copy()]
            # The polished point may already be the solution.  Under a pole at 0 the next
            # sweep could otherwise revive a coefficient the polish sent to 0 (a 1-D local
            # mode along a valley that descends to 0), and the two undo each other for
            # max_sweeps sweeps.
            if optimality_violation(prior, w, Gw - q).max(initial=0.0) <= tol:
                break
            continue
        if len(history) > anderson_every:
            extrapolated = _anderson(history)
            history = [w.copy()]
            if extrapolated is not None and np.array_equal(extrapolated == 0, w == 0):
                if _quadratic_objective(G, q, extrapolated, prior) < _quadratic_objective(G, q, w, prior):
                    w[:] = extrapolated
                    Gw = G @ w
    return w


def _python_sweep(G, q, w, Gw, diag, prox):
    """One sweep of exact coordinate updates with the prior's own prox (any penalty)."""
    moved = False
    for j in range(w.size):
        old = w[j]
        d = diag[j]
        new = float(prox(old - (Gw[j] - q[j]) / d, 1.0 / d)) if d > 0 else 0.0
        if new != old:
            Gw += G[:, j] * (new - old)
            w[j] = new
            moved = True
    return moved


def _newton_polish(G, q, w, prior):
    """Newton steps on the current support (see :func:`_newton_polish_once`), repeated
    on the smaller support while a step ends where a coefficient reaches 0: the step was
    cut short there, and the other coefficients are not yet where the Newton step on the
    new support puts them.  True when anything was changed."""
    changed = False
    for _ in range(w.size):
        n_before = np.count_nonzero(w)
        if not _newton_polish_once(G, q, w, prior):
            break
        changed = True
        if np.count_nonzero(w) == n_before:
            break
    return changed


def _newton_polish_once(G, q, w, prior):
    """One Newton step on the current support with the zeros held at 0.

    Away from 0 every penalty is smooth, so once coordinate descent has found the
    support a Newton step lands on the solution (for the Laplace, exactly: one linear
    solve).  It is kept only if the objective drops.  A step that changes a sign is
    taken whole when the penalty is smooth at 0, and otherwise only up to the first
    coefficient that reaches 0 (see :func:`_polish_step`).  When that fails and the
    Hessian is indefinite (a nonconvex penalty), the step with the absolute values of
    its eigenvalues is tried instead ("saddle-free" Newton), which descends.
    """
    s = np.flatnonzero(w)
    if s.size == 0:
        return False
    ws = w[s]
    H = G[np.ix_(s, s)]  # a copy: the penalty's curvature is added to its diagonal below
    grad = H @ ws - q[s] + prior.penalty_grad(ws)
    H[np.diag_indices_from(H)] += np.atleast_1d(prior.penalty_hess(ws))
    if not (np.all(np.isfinite(H)) and np.all(np.isfinite(grad))):
        return False
    step = _newton_direction(H, grad, prior.convex)
    if step is not None and _polish_step(G, q, w, prior, s, ws - step):
        return True
    if prior.convex:
        return False
    # Along a valley of nearly collinear columns, a concave penalty (horseshoe, Student-t)
    # makes H indefinite: the Newton step then climbs, is refused, and coordinate descent
    # alone slides down the valley by ~1e-3 per sweep (hours for cond(X'X) ~ 1e10).
    direction = _saddle_free_direction(H, grad, only_if_indefinite=True)
    if direction is None:
        return False
    return _polish_step(G, q, w, prior, s, ws + direction)


def _newton_direction(H, grad, convex):
    """``H^-1 grad``, or None when ``H`` is singular.  A convex penalty leaves ``H`` positive
    semi-definite, so a Cholesky factorization (half the work of LU) is tried first."""
    if convex:
        try:
            return scipy.linalg.cho_solve(scipy.linalg.cho_factor(H, check_finite=False), grad, check_finite=False)
        except np.linalg.LinAlgError:
            pass  # singular (collinear columns on the support): LU decides
    try:
        return np.linalg.solve(H, grad)
    except np.linalg.LinAlgError:
        return None


def _polish_step(G, q, w, prior, s, new):
    """Replace ``w[s]`` by ``new`` if that lowers the objective; True when done.

    A step that changes a sign used to be refused.  With nearly collinear columns the
    solution often lies across 0 from where coordinate descent is, which then crawls
    (thousands of sweeps per outer iteration, minutes per fit).  Where the penalty is
    smooth at 0 the step is tried whole; otherwise, or if that fails (a smoothed kink),
    it is taken up to the first coefficient that reaches 0, which becomes exactly 0
    (within one orthant the penalty is smooth).
    """
    if not np.all(np.isfinite(new)):
        return False
    ws = w[s]
    crossed = np.sign(new) != np.sign(ws)
    if not np.any(crossed):
        return _keep_if_lower(G, q, w, prior, s, new)
    if prior.is_smooth_at_zero and _keep_if_lower(G, q, w, prior, s, new):
        return True
    t_cross = ws[crossed] / (ws[crossed] - new[crossed])
    k = int(np.argmin(t_cross))
    step = t_cross[k] * (new - ws)
    new = ws + step
    new[np.flatnonzero(crossed)[k]] = 0.0
    new[np.sign(new) != np.sign(ws)] = 0.0  # ties at the same crossing, and rounding
    if _keep_if_lower(G, q, w, prior, s, new):
        return True
    # A smoothed kink (smoothed Laplace, small delta) costs ~delta / b more at 0 than its
    # linear asymptote, so the way to 0 can end uphill: halve the step instead.
    for _ in range(_POLISH_HALVINGS):
        step = 0.5 * step
        if _keep_if_lower(G, q, w, prior, s, ws + step):
            return True
    return False


def _keep_if_lower(G, q, w, prior, s, new):
    trial = w.copy()
    trial[s] = new
    reference = w
    if prior.density_at_zero == np.inf:
        # A pole at 0 (horseshoe, local mode): a coefficient that reaches 0 leaves the
        # face at once, as in _line_search; compare on the new face.
        reference = np.where(trial == 0, 0.0, w)
    if _quadratic_objective(G, q, trial, prior) > _quadratic_objective(G, q, reference, prior):
        return False
    w[s] = new
    return True


def _anderson(history):
    W = np.array(history)
    U = np.diff(W, axis=0)
    C = U @ U.T
    try:
        z = np.linalg.solve(C + 1e-12 * np.trace(C) * np.eye(len(C)), np.ones(len(C)))
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(z)) or z.sum() == 0:
        return None
    c = z / z.sum()
    return c @ W[1:]


def _quadratic_objective(G, q, w, prior):
    # Penalties summed over the non-zeros: the zero sets compared are identical, and the
    # horseshoe's penalty is -inf at 0.
    return 0.5 * float(w @ G @ w) - float(q @ w) + float(np.sum(prior.penalty(w[w != 0])))


def _objective(X, y, likelihood, prior, w, c):
    with np.errstate(over="ignore", invalid="ignore"):
        return likelihood.value(X @ w + c, y) + penalty_sum(prior, w, False)


def _lowers(X, y, likelihood, prior, w, c, accepted):
    """True when ``accepted`` strictly lowers the objective below ``(w, c)``."""
    if accepted is None:
        return False
    return _objective(X, y, likelihood, prior, *accepted) < _objective(X, y, likelihood, prior, w, c)


def _raises(X, y, likelihood, prior, w, c, accepted):
    """True when there is no ``accepted`` step, or it raises the objective above ``(w, c)``
    by more than a few ulps (``_ROUNDING_ULPS``), or makes it non-finite.

    The allowance is the rounding of evaluating the objective, no more: at a prior scale
    of 1e-50 the step to the MAP changes the objective by ~1e-22 of itself, and the
    intercept's re-rounding moved it by 0.7 ulp (bridge(1e-50, p=0.5) on breast-cancer
    data stalled), while the ascent this check exists for (separable data, a jump to the
    basin at 0) rises by ~350 ulps per step and ping-pongs if allowed."""
    if accepted is None:
        return True
    old = _objective(X, y, likelihood, prior, w, c)
    return not _objective(X, y, likelihood, prior, *accepted) <= old + _ROUNDING_ULPS * _EPS * abs(old)


def _saddle_free_direction(H, grad, *, only_if_indefinite=False):
    """``-|H|^-1 grad``, with ``|H|`` the Hessian with its eigenvalues replaced by their
    absolute values: a descent direction even where a nonconvex penalty makes ``H``
    indefinite.  None when ``H`` is zero (or, with ``only_if_indefinite``, positive
    definite: the plain Newton step was the one to take).

    ``H`` is first scaled to unit diagonal (``D H D`` with ``D = |diag H|^-1/2``; the
    direction ``-D |DHD|^-1 D grad`` still descends).  Unscaled, coefficients in the basin
    of a tiny prior scale (student_t(1e-20): curvature 2e40 at |w| ~ 1e-39) set the
    eigenvalue floor, 1e-12 of the largest, far above the curvature of the others, whose
    steps then vanished (2e-24 for a coefficient 4 away from stationary).
    """
    diag = np.abs(np.diag(H))
    d = np.where(diag > 0, 1.0 / np.sqrt(np.where(diag > 0, diag, 1.0)), 1.0)
    lam, V = np.linalg.eigh(H * d[:, None] * d[None, :])
    if not np.any(lam) or (only_if_indefinite and lam.min() > 0):
        return None
    abs_lam = np.maximum(np.abs(lam), 1e-12 * np.abs(lam).max())
    return -d * (V @ ((V.T @ (d * grad)) / abs_lam))


def _support_newton_step(X, y, likelihood, prior, w, c, eta, g, fit_intercept):
    """A descent step on the support of ``w`` and the intercept, zeros held at 0.

    The Hessian's eigenvalues are replaced by their absolute values ("saddle-free"
    Newton), so the direction descends even where a nonconvex penalty makes the Hessian
    indefinite; the step stops short of any coefficient reaching 0 (off 0 every penalty
    is smooth) and is backtracked until the objective drops (Armijo).
    """
    s = np.flatnonzero(w)
    A = X[:, s]
    if sp.issparse(A):
        A = A.toarray()  # the support's columns only
    if fit_intercept:
        A = np.column_stack([A, np.ones(X.shape[0])])
    extra = np.zeros(int(fit_intercept))
    grad = A.T @ g + np.r_[np.atleast_1d(prior.penalty_grad(w[s])), extra]
    H = A.T @ (A * likelihood.hess(eta, y)[:, None]) + np.diag(np.r_[np.atleast_1d(prior.penalty_hess(w[s])), extra])
    if grad.size == 0 or not (np.all(np.isfinite(H)) and np.all(np.isfinite(grad))):
        return None
    d = _saddle_free_direction(H, grad)
    if d is None:
        return None
    d_w, d_c = d[: s.size], (d[-1] if fit_intercept else 0.0)
    t = 1.0
    crossing = np.sign(w[s] + d_w) != np.sign(w[s])
    if crossing.any():
        t = 0.5 * float(np.min(-w[s][crossing] / d_w[crossing]))
    f_old = _objective(X, y, likelihood, prior, w, c)
    slope = float(grad @ d)  # < 0: the direction descends
    while t > 1e-12:
        trial = w.copy()
        trial[s] = w[s] + t * d_w
        f_new = _objective(X, y, likelihood, prior, trial, c + t * d_c)
        if np.isfinite(f_new) and f_new <= f_old + 1e-4 * t * slope and f_new < f_old:
            return trial, c + t * d_c
        if t == 1.0 and np.isfinite(f_new) and f_new <= f_old + 1e-13 * abs(f_old):
            # At the optimum the objective is flat to rounding: a full Newton step that
            # does not rise above that noise is the step that makes the certificate hold.
            return trial, c + d_c
        t *= 0.5
    return None


def _full_step(X, y, likelihood, prior, w, c, ws, step, local_mode):
    ws_coef, new_c = step
    w_new = w.copy()
    w_new[ws] = ws_coef
    with np.errstate(over="ignore", invalid="ignore"):
        f_new = likelihood.value(X @ w_new + new_c, y) + penalty_sum(prior, w_new, local_mode)
    return (w_new, new_c) if np.isfinite(f_new) else None


def _line_search(X, y, likelihood, prior, w, c, ws, step, eta, g, local_mode):
    ws_coef, new_c = step
    w_new = w.copy()
    w_new[ws] = ws_coef
    if local_mode:
        # A coordinate the step sets to 0 leaves the face at once (its penalty, -inf at
        # 0, is not compared along the way); the rest is compared on the new face.
        dropped = (w_new == 0) & (w != 0)
        w = w.copy()
        w[dropped] = 0.0
        eta = X @ w + c
        g = likelihood.grad(eta, y)
    d_w = ws_coef - w[ws]
    d_c = new_c - c
    d_eta = X[:, ws] @ d_w + d_c
    f_old = likelihood.value(eta, y) + penalty_sum(prior, w, local_mode)
    # Predicted decrease of the prox-Newton step (Lee, Sun & Saunders 2014).
    delta = float(g @ d_eta) + penalty_sum(prior, w_new, local_mode) - penalty_sum(prior, w, local_mode)
    t = 1.0
    while t > 1e-12:
        trial = w.copy()
        trial[ws] = w[ws] + t * d_w
        with np.errstate(over="ignore", invalid="ignore"):
            f_new = likelihood.value(eta + t * d_eta, y) + penalty_sum(prior, trial, local_mode)
        if np.isfinite(f_new) and f_new <= f_old + 1e-4 * t * min(delta, 0.0) + 1e-13 * abs(f_old):
            return trial, c + t * d_c
        t *= 0.5
    return None
