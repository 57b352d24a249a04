r"""The median probability model (Barbieri & Berger 2004).

Under a prior with a point mass at 0 (spike-and-slab) the posterior gives each
coefficient an inclusion probability :math:`\pi_j = P(w_j \neq 0 \mid y)`, estimated by
the fraction of draws with ``w_j != 0.0``.  The median probability model keeps

.. math:: \{\, j : \pi_j \ge 1/2 \,\},

which Barbieri and Berger show is the optimal predictive model under squared-error
loss when, e.g., the design is orthogonal and each submodel's posterior mean is the
corresponding part of the full model's (more generally: the models form a "graphical"
structure and the posterior means are projections); they argue it is a better default
than the highest probability model beyond those conditions too.

Kept coefficients take the mean of ``w_j`` over the draws in which it is non-zero,
:math:`E[w_j \mid w_j \neq 0, y]`: the MPM is a model, and within it a coefficient is
not shrunk by the probability of the models that leave it out (the unconditional mean
:math:`\pi_j E[w_j \mid w_j \ne 0, y]` would be).  This is an approximation of the
posterior mean of ``w_j`` *within* the median model (which conditions on the other
coefficients too), cheap and computed from the same draws.  The intercept is re-centred
(:func:`models.selection.savs.recentred_intercept`).

Monte Carlo error of :math:`\hat\pi_j`: :math:`\sqrt{\hat\pi_j (1 - \hat\pi_j) / \mathrm{ESS}_j}`
with :math:`\mathrm{ESS}_j` the effective sample size of the indicator
``1{w_j != 0}`` for the mean (``arviz.ess(method="mean")``, Vehtari et al. 2021), which
accounts for the autocorrelation of the draws; where it is not available (fewer than 4
draws per chain, or not finite) the binomial :math:`\sqrt{\hat\pi_j(1-\hat\pi_j)/S}` of
independent draws is used instead.  Each reason says which.

References: Barbieri, M. M. and Berger, J. O. (2004). Optimal predictive model
selection. The Annals of Statistics 32(3), 870-897.  Vehtari, A., Gelman, A., Simpson,
D., Carpenter, B. and Bürkner, P.-C. (2021). Rank-normalization, folding, and
localization: an improved R-hat for assessing convergence of MCMC. Bayesian Analysis
16(2), 667-718.
"""

from __future__ import annotations

import numpy as np

from priors import CuspInputError

from models.selection.base import Selection
from models.selection.interval import chain_draws
from models.selection.savs import check_reference, recentred_intercept

__all__ = ["mpm_selection", "inclusion_probabilities"]

#: The median: a coefficient is in the model when its inclusion probability is at least this.
MEDIAN = 0.5
#: Fewest draws per chain for which ArviZ's ESS is used.
_MIN_DRAWS_FOR_ESS = 4

NO_POINT_MASS = ("the median probability model needs inclusion probabilities, which only a prior with a point mass "
                 "at 0 (spike_and_slab) gives; this fit's prior has none (its posterior puts probability 0 on "
                 "w_j = 0 exactly): use dss, savs or interval")


def inclusion_probabilities(reference):
    """``(pi, mc_se, ess, how)``: per coefficient, the fraction of draws with ``w_j != 0.0``,
    its Monte Carlo standard error, the ESS used (NaN for the binomial error) and
    ``"ess"`` or ``"binomial"`` (see the module docstring)."""
    draws = chain_draws(reference)
    indicator = (draws != 0.0).astype(float)
    S = indicator.shape[0] * indicator.shape[1]
    pi = indicator.mean(axis=(0, 1))
    ess = _indicator_ess(indicator)
    use_ess = np.isfinite(ess) & (ess > 0)
    how = np.where(use_ess, "ess", "binomial")
    n_eff = np.where(use_ess, ess, float(S))
    mc_se = np.sqrt(pi * (1.0 - pi) / n_eff)
    return pi, mc_se, np.where(use_ess, ess, np.nan), how


def _indicator_ess(indicator) -> np.ndarray:
    """ArviZ's ESS for the mean of each indicator, or NaN where it cannot be computed."""
    import arviz as az

    p = indicator.shape[2]
    if indicator.shape[1] < _MIN_DRAWS_FOR_ESS:
        return np.full(p, np.nan)
    dataset = az.convert_to_dataset({"indicator": indicator})
    with np.errstate(invalid="ignore", divide="ignore"):
        ess = np.asarray(az.ess(dataset, method="mean")["indicator"].values, dtype=float).reshape(p)
    return ess


def mpm_selection(reference) -> Selection:
    r"""The median probability model: keep ``j`` when :math:`P(w_j \ne 0 \mid y) \ge 1/2`.

    Parameters
    ----------
    reference : Reference
        Draws under a prior with a point mass at 0 (``reference.point_mass``).

    Returns
    -------
    Selection
        ``method="mpm"``, no options.  Each reason holds ``inclusion_probability``
        (also ``statistic``, against ``threshold`` 0.5), ``mc_se``, ``ess`` (NaN for the
        binomial error), ``mc_se_method`` (``"ess"`` or ``"binomial"``),
        ``conditional_mean`` (:math:`E[w_j \mid w_j \ne 0, y]`, NaN when never non-zero)
        and ``posterior_mean``.

    Raises
    ------
    priors.CuspInputError
        If the reference's prior has no point mass at 0.
    """
    reference = check_reference(reference)
    if not reference.point_mass:
        raise CuspInputError(NO_POINT_MASS)
    pi, mc_se, ess, how = inclusion_probabilities(reference)
    draws = reference.coef_draws
    count = np.sum(draws != 0.0, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        conditional = np.where(count > 0, draws.sum(axis=0) / np.maximum(count, 1), np.nan)
    in_model = pi >= MEDIAN
    coef = np.where(in_model & (conditional != 0.0), conditional, 0.0)
    coef = np.where(np.isfinite(coef), coef, 0.0)  # (count > 0 for every kept j: finite)
    selected = coef != 0.0
    notes = [_error_note(how)]
    lost = in_model & ~selected
    if np.any(lost):
        notes.append(f"{_names(reference, lost)}: in the median model but the mean of the non-zero draws is exactly "
                     "0.0, which cannot be a kept coefficient: dropped")
    close = np.abs(pi - MEDIAN) < 2 * mc_se
    if np.any(close):
        notes.append(f"{_names(reference, close)}: inclusion probability within 2 Monte Carlo errors of 1/2; "
                     "more draws could change the decision")
    mean = reference.coef_mean
    reasons = [_reason(name, bool(selected[j]), bool(in_model[j]), float(pi[j]), float(mc_se[j]), float(ess[j]),
                       str(how[j]), float(conditional[j]), float(mean[j]))
               for j, name in enumerate(reference.feature_names)]
    return Selection(method="mpm", coef=coef, intercept=recentred_intercept(reference, coef), selected=selected,
                     feature_names=list(reference.feature_names), options={}, reasons=reasons, notes=tuple(notes))


def _error_note(how) -> str:
    n_ess = int(np.sum(how == "ess"))
    if n_ess == how.size:
        return ("inclusion probabilities are fractions of draws with w_j != 0.0; Monte Carlo errors "
                "sqrt(p(1-p)/ESS) with the ESS of the indicator (arviz.ess, method 'mean')")
    return (f"inclusion probabilities are fractions of draws with w_j != 0.0; Monte Carlo errors sqrt(p(1-p)/S) "
            f"(independent draws) for {how.size - n_ess} coefficient(s) whose indicator ESS is not available, "
            "sqrt(p(1-p)/ESS) for the others")


def _names(reference, mask) -> str:
    return ", ".join(str(reference.feature_names[j]) for j in np.flatnonzero(mask))


def _reason(name, kept, in_model, pi, se, ess, how, conditional, mean) -> dict:
    head = f"P(w != 0 | y) = {pi:.3g} ± {se:.2g} (MC se)"
    if kept:
        text = f"{head} >= 1/2: in the median probability model, kept at E[w | w != 0, y] = {conditional:.4g}"
    elif in_model:
        text = f"{head} >= 1/2, but E[w | w != 0, y] is exactly 0.0: dropped"
    else:
        text = f"{head} < 1/2: not in the median probability model"
    return {"feature": str(name), "kept": kept, "statistic": pi, "threshold": MEDIAN, "text": text,
            "inclusion_probability": pi, "mc_se": se, "ess": ess, "mc_se_method": how,
            "conditional_mean": conditional, "posterior_mean": mean}
