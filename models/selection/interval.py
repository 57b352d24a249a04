r"""Credible-interval selection: keep a coefficient when 0 lies outside its HDI.

With :math:`[l_j, h_j]` the highest-density interval of mass ``prob`` of the draws of
``w_j`` (ArviZ's ``hdi``), coefficient ``j`` is kept when :math:`0 \notin [l_j, h_j]`,
i.e. when

.. math:: d_j = \max(l_j, -h_j) > 0

(``d_j`` is the distance from 0 to the interval, negative when 0 is inside).  A kept
coefficient takes its posterior mean :math:`\bar w_j`; a dropped one is exactly 0.0.
The intercept is re-centred so that the mean linear predictor is the posterior mean's
(:func:`models.selection.savs.recentred_intercept`).

This is the decision rule whose frequentist coverage van der Pas, Szabó and van der
Vaart (2017) study for the horseshoe: a marginal rule, one coefficient at a time, with
no control of how the dropped coefficients act together.

References: van der Pas, S., Szabó, B. and van der Vaart, A. (2017). Uncertainty
quantification for the horseshoe (with discussion). Bayesian Analysis 12(4), 1221-1274.
"""

from __future__ import annotations

import numpy as np

from priors.validation import check_probability

from models.selection.base import Reference, Selection
from models.selection.savs import check_reference, recentred_intercept

__all__ = ["interval_selection", "chain_draws"]

#: Default HDI mass.
DEFAULT_PROB = 0.95


def chain_draws(reference: Reference) -> np.ndarray:
    """The draws of ``w`` as ``(n_chains, draws per chain, p)`` (chain-major, as stored);
    one chain when the number of draws does not split evenly."""
    S, p = reference.coef_draws.shape
    chains = int(reference.n_chains) if reference.n_chains and S % int(reference.n_chains) == 0 else 1
    return reference.coef_draws.reshape(chains, S // chains, p)


def interval_selection(reference, *, prob=DEFAULT_PROB) -> Selection:
    """Keep ``w_j`` when 0 lies outside its ``prob`` HDI; kept ones get their posterior mean.

    Parameters
    ----------
    reference : Reference
    prob : float
        Mass of the highest-density interval, strictly between 0 and 1 (default 0.95).

    Returns
    -------
    Selection
        ``method="interval"``.  Each reason holds ``interval_low``, ``interval_high``,
        ``posterior_mean``; ``statistic`` is the distance from 0 to the interval
        (``max(low, -high)``, <= 0 when 0 is inside) and ``threshold`` is 0.
    """
    import arviz as az

    reference = check_reference(reference)
    prob = check_probability("prob", prob)
    hdi = np.atleast_2d(az.hdi(chain_draws(reference), hdi_prob=prob))
    low, high = hdi[:, 0].astype(float), hdi[:, 1].astype(float)
    distance = np.maximum(low, -high)
    excludes = distance > 0
    mean = reference.coef_mean
    coef = np.where(excludes & (mean != 0.0), mean, 0.0)
    selected = coef != 0.0
    notes = []
    # 0 outside the interval but a mean of exactly 0.0 (impossible for continuous draws;
    # possible for a few repeated values with outliers): it cannot be kept non-zero.
    lost = excludes & ~selected
    if np.any(lost):
        notes.append(f"{_names(reference, lost)}: 0 lies outside the HDI but the posterior mean is exactly 0.0, "
                     "which cannot be a kept (non-zero) coefficient: dropped")
    outside = selected & ((mean < low) | (mean > high))
    if np.any(outside):
        notes.append(f"{_names(reference, outside)}: the posterior mean lies outside the HDI (a skewed posterior); "
                     "kept at the mean")
    reasons = [_reason(name, bool(selected[j]), bool(excludes[j]), float(low[j]), float(high[j]), float(mean[j]), prob)
               for j, name in enumerate(reference.feature_names)]
    return Selection(method="interval", coef=coef, intercept=recentred_intercept(reference, coef), selected=selected,
                     feature_names=list(reference.feature_names), options={"prob": prob}, reasons=reasons,
                     notes=tuple(notes))


def _names(reference, mask) -> str:
    return ", ".join(str(reference.feature_names[j]) for j in np.flatnonzero(mask))


def _reason(name, kept, excludes, low, high, mean, prob) -> dict:
    interval = f"{prob:.0%} HDI [{low:.4g}, {high:.4g}]"
    if kept:
        text = f"{interval} excludes 0: kept at the posterior mean {mean:.4g}"
    elif excludes:
        text = f"{interval} excludes 0, but the posterior mean is exactly 0.0: dropped"
    else:
        text = f"{interval} contains 0: dropped"
    return {"feature": str(name), "kept": kept, "statistic": max(low, -high), "threshold": 0.0, "text": text,
            "interval_low": low, "interval_high": high, "posterior_mean": mean}
