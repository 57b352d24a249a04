r"""Cross-validation of the prior scale on exact MAP paths: the grid, the held-out losses
and the choice, shared by the scikit-learn CV estimators (:mod:`models.estimators`) and
the sweeps (:mod:`models.sweep`), so both compute the same numbers the same way.

* :func:`scale_grid`: ``n_scales`` values evenly spaced in log from the *all-zero scale*
  :math:`b_0` (:meth:`models.Model.all_zero_scale`) up to :math:`b_0 / \text{eps}`.
* :func:`held_out_loss`: per point of a path, the mean held-out loss: squared error
  (Gaussian), log loss (logistic), Poisson deviance (Poisson), as scikit-learn's
  ``mean_squared_error``, ``log_loss`` and ``mean_poisson_deviance`` define them.
* :func:`log_score`: per point, the mean held-out log density of the plug-in predictive.
* :func:`cv_curve` and :func:`choose_scale`: mean and standard error over folds, the
  minimum and the one-standard-error choice.

>>> import numpy as np
>>> mean, se = cv_curve(np.array([[3.0, 5.0], [1.0, 1.2], [2.0, 2.0]]))
>>> choose_scale(mean, se)
(1, 1)
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlogy

from priors import CuspInputError
from priors.validation import check_scale, check_whole

__all__ = ["LOSS_NAMES", "scale_grid", "held_out_loss", "log_score", "cv_curve", "choose_scale"]

#: The held-out loss of each likelihood, by the name it has in tables and attributes.
LOSS_NAMES = {"gaussian": "mse", "logistic": "log_loss", "poisson": "deviance"}


def scale_grid(model, X, y, *, n_scales=100, eps=1e-3, hint="give the grid as scales="):
    """``n_scales`` prior scales from ``model``'s all-zero scale ``b0`` to ``b0 / eps``,
    ascending and evenly spaced in log; ``hint`` ends the error raised when ``model``'s
    prior has no all-zero scale (a smooth prior, or a pole at 0)."""
    n_scales = check_whole("n_scales", n_scales)
    eps = check_scale("eps", eps)
    if not eps < 1.0:
        raise CuspInputError(f"eps must be below 1 (the grid spans b0 to b0 / eps), got {eps:g}")
    try:
        b0 = model.all_zero_scale(X, y)
    except CuspInputError as err:
        raise CuspInputError(f"{err}: {hint}") from None
    return b0 * np.logspace(0.0, np.log10(1.0 / eps), n_scales)


def _linear_predictors(coefs, intercepts, X):
    return np.atleast_2d(coefs) @ X.T + np.atleast_1d(intercepts)[:, None]


def held_out_loss(likelihood, coefs, intercepts, X, y) -> np.ndarray:
    """The mean held-out loss on ``X, y`` of each row of ``coefs`` (with ``intercepts``):
    shape (n_points,).  ``likelihood``: ``"gaussian"`` (squared error), ``"logistic"``
    (log loss, ``y`` coded 0/1) or ``"poisson"`` (deviance ``2 (y log(y / mu) - y + mu)``)."""
    eta = _linear_predictors(coefs, intercepts, X)
    if likelihood == "gaussian":
        return np.mean((eta - y) ** 2, axis=1)
    if likelihood == "logistic":
        return np.mean(np.logaddexp(0.0, eta) - y * eta, axis=1)
    if likelihood == "poisson":
        mu = np.exp(eta)
        return np.mean(2.0 * (xlogy(y, y) - y * eta - y + mu), axis=1)
    raise CuspInputError(f"no held-out loss for the {likelihood!r} likelihood; one of {', '.join(LOSS_NAMES)}")


def pointwise_log_density(likelihood, eta, y, sigma=None) -> np.ndarray:
    """``log p(y_i | eta_i)`` elementwise (``eta`` broadcast against ``y``); ``sigma``:
    the Gaussian noise sd (a number, or an array broadcasting against ``eta``)."""
    if likelihood == "gaussian":
        return -0.5 * np.log(2.0 * np.pi * sigma**2) - 0.5 * ((y - eta) / sigma) ** 2
    if likelihood == "logistic":
        return y * eta - np.logaddexp(0.0, eta)
    if likelihood == "poisson":
        return y * eta - np.exp(eta) - gammaln(y + 1.0)
    raise CuspInputError(f"no log density for the {likelihood!r} likelihood; one of {', '.join(LOSS_NAMES)}")


def log_score(likelihood, coefs, intercepts, X, y, *, sigma=None) -> np.ndarray:
    """The mean held-out log density ``mean_i log p(y_i | x_i, w)`` of each row of
    ``coefs`` (the plug-in predictive of a point estimate): shape (n_points,)."""
    return np.mean(pointwise_log_density(likelihood, _linear_predictors(coefs, intercepts, X), y, sigma), axis=1)


def cv_curve(loss):
    """``(mean, se)`` over folds of ``loss`` (shape (n_scales, n_folds)): the standard
    error is the folds' sd (ddof 1) over ``sqrt(n_folds)``, as ``LassoCV`` users plot it."""
    loss = np.asarray(loss, dtype=float)
    return loss.mean(axis=1), loss.std(axis=1, ddof=1) / np.sqrt(loss.shape[1])


def choose_scale(mean, se) -> tuple[int, int]:
    """``(best, one_se)``: the index of the smallest mean loss, and of the smallest scale
    (the strongest prior, on an ascending grid) whose mean is within one standard error
    of that minimum."""
    mean, se = np.asarray(mean, dtype=float), np.asarray(se, dtype=float)
    best = int(np.argmin(mean))
    within = np.flatnonzero(mean <= mean[best] + se[best])
    return best, int(within.min())
