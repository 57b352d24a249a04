"""Optimality certificates: why each MAP coefficient is zero, or why it is where it is.

At a (local) MAP ``w`` of ``nll(Xw + c) + sum_j penalty(w_j)``:

* a non-zero ``w_j`` satisfies stationarity ``slope_j + penalty'(w_j) = 0`` where
  ``slope_j = d nll / d w_j``;
* a zero ``w_j`` satisfies ``|slope_j| <= zero_threshold`` (the slope at 0 lies inside the
  penalty's subdifferential).  For a smooth prior the threshold is 0, so only an exact
  ``slope_j = 0`` certifies a zero; for the Laplace it is ``1/b``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np


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
    """

    slope: np.ndarray
    threshold: float
    is_zero: np.ndarray
    margin: np.ndarray
    residual: np.ndarray
    intercept_residual: float
    tol: float
    duality_gap: float | None

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
        """Per coefficient: its condition is met within ``tol``."""
        return self.residual <= self.tol

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


def rmatvec(X, r):
    """``X.T @ r``, with ``X=None`` meaning the identity."""
    return np.asarray(r, dtype=float).copy() if X is None else X.T @ r


def certify(likelihood, prior, X, y, coef, intercept, *, fit_intercept, tol, local_mode=False):
    """Build the :class:`Certificate` of ``(coef, intercept)``."""
    eta = matvec(X, coef) + intercept
    g = likelihood.grad(eta, y)
    slope = rmatvec(X, g)
    residual = optimality_violation(prior, coef, slope)
    is_zero = coef == 0
    margin = np.where(is_zero, prior.zero_threshold - np.abs(slope), np.nan)
    intercept_residual = float(abs(g.sum())) if fit_intercept else 0.0
    gap = None
    if prior.convex and not local_mode:
        gap = duality_gap(likelihood, prior, X, y, coef, intercept, g, slope)
    return Certificate(slope, prior.zero_threshold, is_zero, margin, residual, intercept_residual, tol, gap)


def duality_gap(likelihood, prior, X, y, coef, intercept, g, slope):
    r"""Fenchel duality gap with the intercept held at its fitted value.

    Primal :math:`P(w) = \sum_i \ell_i(x_i^T w + c) + \sum_j R(w_j)`; dual at
    :math:`\theta = s\,\nabla\ell` (``s <= 1`` rescales into the conjugate's domain):
    :math:`D = -\sum_i [\ell_i^*(\theta_i) - c\,\theta_i] - \sum_j R^*((X^T\theta)_j)`.
    """
    try:
        radius = prior.conjugate_radius
        top = float(np.max(np.abs(slope), initial=0.0))
        s = 1.0 if top <= radius else radius / top
        theta = s * g
        eta = matvec(X, coef) + intercept
        primal = likelihood.value(eta, y) + float(np.sum(prior.penalty(coef)))
        dual = -(likelihood.conjugate(theta, y) - intercept * float(theta.sum())) - float(np.sum(prior.conjugate(s * slope)))
    except NotImplementedError:
        return None
    return float(primal - dual)
