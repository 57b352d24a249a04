r"""SAVS: the signal adaptive variable selector (Ray & Bhattacharya 2018).

A soft threshold of the posterior mean with a coefficient-specific threshold:

.. math::

    \gamma_j = \operatorname{sign}(\bar w_j)\,
        \frac{\left(|\bar w_j|\,\|x_j\|^2 - \mu_j\right)_+}{\|x_j\|^2},
    \qquad \mu_j = \bar w_j^{-2},

one step of coordinate descent from ``w̄`` on the adaptive-lasso loss
:math:`\tfrac12\|X\bar w - X\gamma\|^2 + \sum_j \mu_j |\gamma_j|` (their default penalty
``mu_j = |w̄_j|^-2``).  A coefficient is kept when :math:`|\bar w_j|\,\|x_j\|^2 > \mu_j`,
and the soft threshold makes every other one exactly 0.0.  ``||x_j||`` is the norm of the
column as fitted (not re-centred): the paper's design is the design of the regression.

Reference: Ray, P. and Bhattacharya, A. (2018). Signal adaptive variable selector for
the horseshoe prior. arXiv:1810.09004.
"""

from __future__ import annotations

import numpy as np

from priors import CuspInputError

from models.selection.base import Reference, Selection

__all__ = ["savs_selection", "recentred_intercept", "check_reference"]


def check_reference(reference) -> Reference:
    """``reference`` itself, or one clear error when it is not a :class:`Reference`."""
    if not isinstance(reference, Reference):
        raise CuspInputError(
            f"a selection needs a models.selection.Reference (e.g. reference_from_fit(fit)), "
            f"got {type(reference).__name__}")
    return reference


def recentred_intercept(reference: Reference, coef) -> float:
    r"""The intercept that keeps the mean linear predictor of the posterior mean:

    .. math:: c = \operatorname{mean}_i\left(\bar\eta_i - x_i^\top \gamma\right)
        = \bar c + \bar x^\top (\bar w - \gamma),

    with :math:`\bar\eta = X\bar w + \bar c`.  Dropping a coefficient whose column has a
    non-zero mean would otherwise shift every prediction by :math:`\bar x_j \bar w_j`;
    the re-centred intercept is the least-squares intercept of :math:`\bar\eta` given
    ``gamma``.  0.0 for a reference without an intercept.
    """
    if not reference.fit_intercept:
        return 0.0
    coef = np.asarray(coef, dtype=float)
    x_mean = reference.X.mean(axis=0)
    return float(reference.intercept_mean + x_mean @ (reference.coef_mean - coef))


def savs_selection(reference) -> Selection:
    r"""Sparsify the posterior mean by SAVS (Ray & Bhattacharya 2018).

    .. math::

        \gamma_j = \operatorname{sign}(\bar w_j)\,
            \left(|\bar w_j|\,\|x_j\|^2 - \bar w_j^{-2}\right)_+ / \|x_j\|^2.

    Parameters
    ----------
    reference : Reference

    Returns
    -------
    Selection
        ``method="savs"``, no options.  Each reason compares ``statistic`` =
        :math:`|\bar w_j|\,\|x_j\|^2` with ``threshold`` = :math:`\mu_j = \bar w_j^{-2}`
        (infinite when ``w̄_j = 0``), and also holds ``posterior_mean`` and
        ``column_norm_sq``.  The intercept is re-centred (:func:`recentred_intercept`).
    """
    reference = check_reference(reference)
    w_bar = reference.coef_mean
    norm_sq = np.einsum("ij,ij->j", reference.X, reference.X)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        mu = 1.0 / w_bar**2  # inf where the mean is 0 (or its square underflows): never kept
        signal = np.abs(w_bar) * norm_sq
        excess = np.where(signal > mu, signal - mu, 0.0)
        coef = np.where(norm_sq > 0, np.sign(w_bar) * excess / np.where(norm_sq > 0, norm_sq, 1.0), 0.0)
    # The quotient can underflow to 0.0 (a tiny excess over a huge norm): such a
    # coefficient cannot be kept non-zero, so it counts as dropped.
    coef = np.where(coef != 0.0, coef, 0.0)  # no -0.0
    selected = coef != 0.0
    notes = []
    underflow = (signal > mu) & ~selected
    if np.any(underflow):
        notes.append(f"{int(underflow.sum())} coefficient(s) passed the threshold by less than the float range "
                     "resolves after division by ||x_j||^2 and were dropped")
    reasons = [_reason(name, bool(selected[j]), float(w_bar[j]), float(norm_sq[j]), float(signal[j]), float(mu[j]))
               for j, name in enumerate(reference.feature_names)]
    return Selection(method="savs", coef=coef, intercept=recentred_intercept(reference, coef), selected=selected,
                     feature_names=list(reference.feature_names), options={}, reasons=reasons, notes=tuple(notes))


def _reason(name, kept, mean, norm_sq, signal, mu) -> dict:
    if norm_sq == 0:
        text = "its column is all zero (||x_j||^2 = 0): the data say nothing about it"
    elif mean == 0:
        text = "posterior mean exactly 0.0: the threshold 1/w̄^2 is infinite"
    elif kept:
        text = f"|w̄| ||x||^2 = {signal:.4g} > mu = 1/w̄^2 = {mu:.4g}: soft-thresholded, kept"
    elif signal > mu:
        text = (f"|w̄| ||x||^2 = {signal:.4g} > mu = 1/w̄^2 = {mu:.4g}, but the thresholded value underflows "
                "to 0.0: dropped")
    else:
        text = f"|w̄| ||x||^2 = {signal:.4g} <= mu = 1/w̄^2 = {mu:.4g}: soft-thresholded to exactly 0"
    return {"feature": str(name), "kept": kept, "statistic": signal, "threshold": mu, "text": text,
            "posterior_mean": mean, "column_norm_sq": norm_sq}
