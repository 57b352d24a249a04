"""Optimality certificates: why each MAP coefficient is zero, or why it is where it is.

At a (local) MAP ``w`` of ``nll(Xw + c) + sum_j penalty(w_j)``:

* a non-zero ``w_j`` satisfies stationarity ``slope_j + penalty'(w_j) = 0`` where
  ``slope_j = d nll / d w_j``;
* a zero ``w_j`` satisfies ``|slope_j| <= zero_threshold`` (the slope at 0 lies inside the
  penalty's subdifferential).  For a smooth prior the threshold is 0, so only an exact
  ``slope_j = 0`` certifies a zero; for the Laplace it is ``1/b``.

The solver stops on the user's tolerance, but a zero is called *certified* only when its
slope is inside the band to a fixed relative precision (:data:`ZERO_RTOL`), so a loose
tolerance can speed the solve up, never widen the band.  The duality gap (convex priors)
is computed as a sum of Fenchel-Young terms, each >= 0 and small near the optimum, so
it has no cancellation of the two large objectives; where the slopes' rounding alone
could move it by more than :data:`GAP_RTOL` of the objective (and more than
:data:`GAP_DIGITS_RTOL` of itself) it is not reported, and ``gap_note`` says why.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import scipy.sparse as sp

#: A zero is certified only if ``|slope| <= threshold * (1 + ZERO_RTOL)``, whatever the
#: solver's tolerance (which may be as loose as 1e-2 of the slopes' scale).
ZERO_RTOL = 1e-6
#: The duality gap is reported only when the slopes' rounding can move it by at most this
#: fraction of ``max(1, |objective|)``, or by at most GAP_DIGITS_RTOL of the gap itself
#: (its three printed digits are then right: a large gap far from the optimum);
#: otherwise it is absent, with the reason.
GAP_RTOL = 1e-9
GAP_DIGITS_RTOL = 1e-3
_EPS = float(np.finfo(float).eps)


def optimality_violation(prior, w, slope):
    """Per-coordinate violation of the optimality conditions (0 when satisfied).

    ``|slope + penalty'(w)|`` for non-zeros, ``max(|slope| - zero_threshold, 0)`` for zeros.
    """
    w = np.asarray(w, dtype=float)
    slope = np.asarray(slope, dtype=float)
    nonzero = w != 0
    viol = np.empty_like(w)
    viol[nonzero] = np.abs(slope[nonzero] + prior.penalty_grad(w[nonzero]))
    viol[~nonzero] = np.maximum(np.abs(slope[~nonzero]) - prior.zero_threshold, 0.0)
    return viol


@dataclasses.dataclass(frozen=True)
class Certificate:
    """Per-coefficient evidence that a MAP estimate is optimal.

    Attributes
    ----------
    slope : ndarray
        ``d(-log likelihood)/d w_j`` at the solution (for zeros: the slope at 0).
    threshold : float
        The prior's ``zero_threshold`` (``1/b`` for the Laplace, 0 for smooth priors).
    is_zero : ndarray of bool
        Which coefficients are exactly 0.0.
    margin : ndarray
        ``threshold - |slope|`` for zeros (>= 0 certifies the zero), NaN for non-zeros.
    residual : ndarray
        Violation of the optimality condition: stationarity residual for non-zeros,
        ``max(|slope| - threshold, 0)`` for zeros.
    intercept_residual : float
        ``|d(-log likelihood)/dc|`` (0 without an intercept).
    tol : float
        The absolute tolerance the solver stopped on.
    duality_gap : float or None
        Primal minus dual objective (convex problems only; intercept held at its value).
        None for nonconvex problems, and where it cannot be computed to useful precision
        (``gap_note`` says why).
    gap_note : str
        Why a convex problem has no duality gap ("" otherwise).
    """

    slope: np.ndarray
    threshold: float
    is_zero: np.ndarray
    margin: np.ndarray
    residual: np.ndarray
    intercept_residual: float
    tol: float
    duality_gap: float | None
    gap_note: str = ""

    @property
    def max_violation(self) -> float:
        """Largest violation over all coefficients and the intercept."""
        return float(max(np.max(self.residual, initial=0.0), self.intercept_residual))

    @property
    def holds(self) -> bool:
        """True when every optimality condition is met within ``tol``."""
        return self.max_violation <= self.tol

    @property
    def certified(self) -> np.ndarray:
        """Per coefficient: its condition is met within ``tol``; for a zero under a finite
        positive threshold (a kink), also ``|slope| <= threshold * (1 + ZERO_RTOL)``.

        The recheck makes "certified" independent of the user's tolerance: the solver's
        ``tol`` is relative to the slopes' scale and may be ~1e-2 of it, which would
        otherwise let a zero whose slope is past the threshold by that much through."""
        ok = self.residual <= self.tol
        if 0 < self.threshold < math.inf:
            inside = np.abs(np.asarray(self.slope, dtype=float)) <= self.threshold * (1 + ZERO_RTOL)
            ok = ok & (~np.asarray(self.is_zero, dtype=bool) | inside)
        return ok

    def rows(self, coef, feature_names):
        """One dict per coefficient (for tables, JSON and reports)."""
        out = []
        for j, name in enumerate(feature_names):
            out.append(
                {
                    "feature": name,
                    "coef": float(coef[j]),
                    "is_zero": bool(self.is_zero[j]),
                    "slope_at_solution": float(self.slope[j]),
                    "threshold": float(self.threshold),
                    "margin": None if math.isnan(self.margin[j]) else float(self.margin[j]),
                    "residual": float(self.residual[j]),
                    "certified": bool(self.certified[j]),
                }
            )
        return out


def matvec(X, w):
    """``X @ w``, with ``X=None`` meaning the identity (normal means)."""
    return np.asarray(w, dtype=float).copy() if X is None else X @ w


def abs_design(X):
    """``|X|`` elementwise (None for the identity): what the slopes' rounding bound needs.
    For a scipy.sparse (CSC) design, an object that multiplies by ``|X|`` from ``X``'s own
    arrays, so the design is not stored twice."""
    if X is None:
        return None
    if sp.issparse(X):
        from models.map.compiled import AbsoluteCSC

        return AbsoluteCSC(X)
    return np.abs(X)


def rmatvec(X, r):
    """``X.T @ r``, with ``X=None`` meaning the identity."""
    return np.asarray(r, dtype=float).copy() if X is None else X.T @ r


def certify(likelihood, prior, X, y, coef, intercept, *, fit_intercept, tol, local_mode=False, eta=None, slope=None,
            abs_X=None):
    """Build the :class:`Certificate` of ``(coef, intercept)``.

    ``eta`` (``X @ coef + intercept``) and ``slope`` (``X.T @ grad``) may be given when
    the caller has just computed them at this very point, the same way (the solver's
    last check); ``abs_X`` (``|X|``) when it is reused over a path.  They only save the
    products: the certificate is the same to the bit."""
    eta = matvec(X, coef) + intercept if eta is None else eta
    g = likelihood.grad(eta, y)
    slope = rmatvec(X, g) if slope is None else slope
    residual = optimality_violation(prior, coef, slope)
    is_zero = coef == 0
    margin = np.where(is_zero, prior.zero_threshold - np.abs(slope), np.nan)
    intercept_residual = float(abs(g.sum())) if fit_intercept else 0.0
    gap, note = None, ""
    if prior.convex and not local_mode:
        gap, note = duality_gap(likelihood, prior, X, y, coef, intercept, g, slope, eta=eta, abs_X=abs_X)
    return Certificate(slope, prior.zero_threshold, is_zero, margin, residual, intercept_residual, tol, gap, note)


def slope_rounding(likelihood, X, y, coef, intercept, g, *, eta=None, abs_X=None):
    """A bound on the rounding error of each computed slope ``X^T g``.

    Two sources: the error of ``g`` (its own rounding, and that of ``eta = Xw + c``
    carried through the likelihood's curvature) and the error of the sum over the ``n``
    observations (``n eps`` times the sum of the absolute summands).
    """
    n, p = y.size, (1 if X is None else X.shape[1])
    absX = None if X is None else (abs_design(X) if abs_X is None else abs_X)
    eta = matvec(X, coef) + intercept if eta is None else eta
    with np.errstate(over="ignore", invalid="ignore"):
        eta_size = matvec(absX, np.abs(coef)) + abs(intercept)
        g_err = (p + 2) * np.abs(likelihood.hess(eta, y)) * eta_size + (n + 2) * np.abs(g)
        return _EPS * rmatvec(absX, g_err)


def _rescaling(top, radius):
    """``s <= 1`` that brings the largest slope ``top`` into the conjugate's domain."""
    return 1.0 if top <= radius else radius / top


def _gap_at(likelihood, prior, y, coef, eta, g, slope):
    """The duality gap for the dual point ``s * g`` as a sum of Fenchel-Young terms:
    ``[l(eta) + l*(s g) - s g.eta] + sum_j [R(w_j) + R*(-s u_j) + s w_j u_j]`` with
    ``u = X^T g`` (the primal minus the dual objective, term by term; the intercept
    terms cancel)."""
    s = _rescaling(float(np.max(np.abs(slope), initial=0.0)), prior.conjugate_radius)
    with np.errstate(over="ignore", invalid="ignore"):
        data_term = likelihood.fenchel_young(eta, s * g, y)
        prior_terms = np.asarray(prior.fenchel_young(coef, -s * slope), dtype=float)
    return float(data_term + np.sum(prior_terms))


def duality_gap(likelihood, prior, X, y, coef, intercept, g, slope, *, eta=None, abs_X=None):
    r"""Fenchel duality gap with the intercept held at its fitted value, or None (and why).

    Primal :math:`P(w) = \sum_i \ell_i(x_i^T w + c) + \sum_j R(w_j)`; dual at
    :math:`\theta = s\,\nabla\ell` (``s <= 1`` rescales into the conjugate's domain):
    :math:`D = -\sum_i [\ell_i^*(\theta_i) - c\,\theta_i] - \sum_j R^*(-(X^T\theta)_j)`.

    ``P - D`` is summed from its Fenchel-Young terms (:func:`_gap_at`), each >= 0, never
    as the difference of two objectives of ~2400 whose last digits cancel.  The gap is
    then recomputed with every slope moved by its rounding bound
    (:func:`slope_rounding`), outwards and inwards.  Where that moves it by more than
    :data:`GAP_RTOL` of the objective and more than :data:`GAP_DIGITS_RTOL` of the gap,
    the number is rounding, and None is returned with the reason: a conjugate domain
    narrower than the slopes' rounding (the Laplace's ``|u| <= 1/b`` at ``b = 1e20``,
    where slopes of 1e-15 forced ``s = 1e-5`` and a "gap" of 217 at the least-squares
    solution), or ``s^2 u^2 / 2`` of a huge Gaussian scale ``s``.
    """
    eta = matvec(X, coef) + intercept if eta is None else eta
    try:
        gap = _gap_at(likelihood, prior, y, coef, eta, g, slope)
    except NotImplementedError:
        return None, f"the {prior.family} prior declares no convex conjugate"
    if not math.isfinite(gap):
        return None, "not computable: a term of the dual objective overflows"
    with np.errstate(over="ignore", invalid="ignore"):
        objective = likelihood.value(eta, y) + float(np.sum(prior.penalty(coef)))
        err = slope_rounding(likelihood, X, y, coef, intercept, g, eta=eta, abs_X=abs_X)
        direction = np.where(slope < 0, -1.0, 1.0)
        outwards = slope + direction * err
        inwards = np.where(np.abs(slope) > err, slope - direction * err, 0.0)
        spread = max(abs(_gap_at(likelihood, prior, y, coef, eta, g, moved) - gap) for moved in (outwards, inwards))
    allowed = GAP_RTOL * max(1.0, abs(objective)) if math.isfinite(objective) else 0.0
    if not spread <= max(allowed, GAP_DIGITS_RTOL * gap):  # (a NaN spread is not allowed either)
        return None, (f"not computable to useful precision: the slopes' rounding alone could move it by {spread:.3g}, "
                      f"more than {GAP_RTOL:g} x |objective| = {allowed:.3g}")
    return max(gap, 0.0), ""
