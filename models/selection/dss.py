r"""DSS: decoupled shrinkage and selection (Hahn & Carvalho 2015).

The posterior does the shrinkage; a separate, penalized loss does the selection.  With
the posterior means :math:`\bar w, \bar c` and :math:`\bar\eta = X\bar w + \bar c`, the
DSS summary at penalty ``alpha`` is

.. math::

    (\gamma, c) = \arg\min_{\gamma, c}\ \frac{1}{2n}\,\|\bar\eta - X\gamma - c\|^2
        + \alpha \sum_j \frac{|\gamma_j|}{|\bar w_j|},

an adaptive lasso of the posterior mean's linear predictor (Hahn & Carvalho's DSS
loss with their adaptive-lasso weights, the intercept unpenalized).  With
:math:`\theta_j = \gamma_j / |\bar w_j|` and the rescaled design :math:`\tilde x_j = x_j |\bar w_j|` it is a lasso,

.. math:: \frac{1}{2n}\|\bar\eta - \tilde X\theta - c\|^2 + \alpha \|\theta\|_1,

and a lasso is a Laplace MAP: :math:`\|r\|^2/(2\sigma^2) + \|\theta\|_1/b` is the same
objective times :math:`n/\sigma^2` when :math:`b = \sigma^2/(n\alpha)`
(:func:`models.conversions.lasso_alpha_to_laplace_scale`).  cusp takes
:math:`\sigma = \sqrt n`, so that :math:`b = 1/\alpha` and the certificate is in the
lasso's own units: the slope of coefficient ``j`` at the solution is
:math:`\tilde x_j^\top(\tilde X\theta + c - \bar\eta)/n` and its zero threshold is
``alpha``.  So the solve is cusp's exact solver, ``Model("gaussian", laplace(b),
sigma=sqrt(n))``, and every zero comes with its certificate.  A coefficient whose
posterior mean is exactly 0.0 has an infinite weight: it is 0 without a solve.

For a logistic or Poisson reference the same loss is applied to the linear predictor
(the link scale): a summary of :math:`\bar\eta`, not a refit to ``y``.

Choosing ``alpha`` (``alpha=None``)
-----------------------------------
The path is computed on a grid of ``n_alphas`` values geometrically spaced from
:math:`\alpha_{\max} = \max_j |\tilde x_j^\top(\bar\eta - \operatorname{mean}\bar\eta)|/n`
(all coefficients 0; without an intercept ``\bar\eta`` is not centred) down to
``alpha_min_ratio * alpha_max``, each solve warm-started from the previous one
(:meth:`models.Model.map_path`).  For a path point ``k`` with summary
:math:`\eta_k = X\gamma_k + c_k` and each posterior draw ``s`` with
:math:`\eta_s = X w_s + c_s`, the loss is

.. math:: L_s(k) = \frac1n \|\eta_s - \eta_k\|^2,

and the full model's loss is :math:`L_s(\bar w) = \frac1n\|\eta_s - \bar\eta\|^2` (the
summary that keeps every coefficient at its posterior mean).  The chosen point is the
sparsest one whose posterior mean loss lies inside the central ``prob`` interval (the
:math:`(1-\text{prob})/2` and :math:`(1+\text{prob})/2` quantiles over the draws) of the
full model's loss; among equally sparse points, the one with the smallest loss.  Since

.. math:: \operatorname{mean}_s L_s(k) = \operatorname{mean}_s L_s(\bar w) + \frac1n\|\bar\eta - \eta_k\|^2

(the cross term averages to 0), the mean loss of a point is never below the full model's,
so only the upper end of the interval binds (the lower one could only if the full model's
mean loss fell below its own :math:`(1-\text{prob})/2` quantile): the condition tested is
:math:`\|\bar\eta - \eta_k\|^2/n \le q_{(1+\text{prob})/2} - \operatorname{mean}_s L_s(\bar w)`
(``path["within"]`` is ``loss <= full_loss[2]``), i.e. the sparse summary's predictions
differ from the posterior mean's by less than the posterior's own uncertainty about the regression function.  This
follows Hahn and Carvalho's heuristic of choosing the smallest model whose posterior loss
is compatible with the full model's posterior loss distribution, with the loss above;
their "excess error" also adds the noise variance :math:`\sigma^2` (prediction of a new
``y`` at the same ``X``), which for a known ``sigma`` is the same for every summary and is
omitted here.  If no point qualifies (possible when ``alpha_min_ratio`` is not small
enough) the point with the smallest loss is chosen, with a note.

Reference: Hahn, P. R. and Carvalho, C. M. (2015). Decoupling shrinkage and selection in
Bayesian linear models: a posterior summary perspective. Journal of the American
Statistical Association 110(509), 435-448.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from priors import CuspDataWarning, CuspInputError, laplace
from priors.validation import check_positive, check_probability, check_whole

from models.conversions import lasso_alpha_to_laplace_scale
from models.model import Model
from models.selection.base import Reference, Selection
from models.selection.savs import check_reference

__all__ = ["dss_selection", "dss_alpha_max", "dss_losses"]

#: Defaults: central interval of the full model's loss; path length and its lower end.
DEFAULT_PROB = 0.9
DEFAULT_N_ALPHAS = 50
DEFAULT_ALPHA_MIN_RATIO = 1e-3


@dataclasses.dataclass(frozen=True)
class _Problem:
    """The DSS lasso: target ``eta_bar``, design ``X_tilde`` = the columns with a non-zero
    posterior mean times ``|w̄_j|``."""

    X: np.ndarray
    eta_bar: np.ndarray
    w_bar: np.ndarray
    active: np.ndarray
    X_tilde: np.ndarray
    fit_intercept: bool
    names: list

    @property
    def n(self) -> int:
        return self.eta_bar.size

    @property
    def sigma(self) -> float:
        # sigma^2 = n makes the certificate's slopes and threshold the lasso's (see module docstring)
        return math.sqrt(self.n)


def _problem(reference: Reference) -> _Problem:
    w_bar = reference.coef_mean
    eta_bar = reference.X @ w_bar + reference.intercept_mean
    active = w_bar != 0.0
    X_tilde = reference.X[:, active] * np.abs(w_bar[active])
    return _Problem(reference.X, eta_bar, w_bar, active, X_tilde, bool(reference.fit_intercept),
                    [str(f) for f in reference.feature_names])


def dss_alpha_max(reference) -> float:
    r"""The smallest ``alpha`` at which every DSS coefficient is 0:
    :math:`\max_j |\tilde x_j^\top (\bar\eta - \operatorname{mean}\bar\eta)| / n`
    (``\bar\eta`` not centred without an intercept)."""
    return _alpha_max(_problem(check_reference(reference)))


def _alpha_max(problem: _Problem) -> float:
    r = problem.eta_bar - problem.eta_bar.mean() if problem.fit_intercept else problem.eta_bar
    return float(np.max(np.abs(problem.X_tilde.T @ r), initial=0.0)) / problem.n


def _solve_path(problem: _Problem, alphas):
    """The lasso at each ``alpha`` (a cusp MapPath over Laplace scales ``1/alpha``, warm-started
    from the largest ``alpha``) and the notes the solver made on the rescaled design."""
    sigma, n = problem.sigma, problem.n
    scales = [lasso_alpha_to_laplace_scale(float(a), sigma=sigma, n=n) for a in alphas]
    model = Model("gaussian", laplace(scales[0]), sigma=sigma, fit_intercept=problem.fit_intercept)
    names = [name for name, on in zip(problem.names, problem.active) if on]
    try:
        # One BLAS thread: the solver's linear systems are at most (support x support),
        # small, and on a busy machine threaded LAPACK made a 50-point path at p = 1000
        # 3-4 times slower (1.5 s against 0.4 s, measured).
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            # the notes are kept below; a warning per path would repeat the user's own fit's
            warnings.simplefilter("ignore", CuspDataWarning)
            path = model.map_path(problem.X_tilde, problem.eta_bar, scales, feature_names=names)
    except CuspInputError as exc:
        raise CuspInputError(f"the DSS lasso at alpha in [{min(alphas):.4g}, {max(alphas):.4g}] cannot be solved: "
                             f"{exc}") from None
    notes = [f"on the DSS design x_j |w̄_j|: {note}" for note in path.results[0].notes]
    return path, notes


def _gamma(problem: _Problem, theta) -> np.ndarray:
    """``gamma_j = theta_j |w̄_j|`` on the active columns, exactly 0.0 elsewhere."""
    gamma = np.zeros(problem.w_bar.size)
    gamma[problem.active] = np.asarray(theta, dtype=float) * np.abs(problem.w_bar[problem.active])
    return np.where(gamma != 0.0, gamma, 0.0)  # no -0.0


def dss_losses(reference, coefs, intercepts, prob=DEFAULT_PROB) -> dict:
    r"""Posterior losses of sparse summaries (see the module docstring).

    Parameters
    ----------
    reference : Reference
    coefs : ndarray of shape (K, p)
    intercepts : ndarray of shape (K,)
    prob : float
        Mass of the central intervals.

    Returns
    -------
    dict
        ``loss``, ``loss_low``, ``loss_high`` (shape (K,): posterior mean and central
        interval of :math:`L_s(k) = \|\eta_s - X\gamma_k - c_k\|^2/n`) and ``full_loss``
        (``[mean, low, high]`` of :math:`L_s(\bar w)`).  Computed with matrix products:
        :math:`L_s(k) = L_s(\bar w) + 2 (\eta_s - \bar\eta)^\top b_k / n + \|b_k\|^2/n`
        with :math:`b_k = \bar\eta - \eta_k`, centred so that nothing large cancels.
    """
    reference = check_reference(reference)
    prob = check_probability("prob", prob)
    coefs = np.atleast_2d(np.asarray(coefs, dtype=float))
    intercepts = np.asarray(intercepts, dtype=float).reshape(-1)
    X = reference.X
    n = X.shape[0]
    eta_bar = X @ reference.coef_mean + reference.intercept_mean
    D = reference.linear_predictor_draws() - eta_bar  # S x n
    full = np.einsum("ij,ij->i", D, D) / n
    B = eta_bar - (coefs @ X.T + intercepts[:, None])  # K x n
    L = full[:, None] + (2.0 / n) * (D @ B.T) + np.einsum("ij,ij->i", B, B)[None, :] / n
    tails = [(1.0 - prob) / 2, (1.0 + prob) / 2]
    low, high = np.quantile(L, tails, axis=0)
    full_low, full_high = np.quantile(full, tails)
    return {"loss": L.mean(axis=0), "loss_low": low, "loss_high": high,
            "full_loss": np.array([full.mean(), full_low, full_high])}


def dss_selection(reference, *, alpha=None, prob=DEFAULT_PROB, n_alphas=DEFAULT_N_ALPHAS,
                  alpha_min_ratio=DEFAULT_ALPHA_MIN_RATIO) -> Selection:
    r"""Decoupled shrinkage and selection (Hahn & Carvalho 2015): the adaptive lasso of
    the posterior mean's linear predictor,

    .. math:: \min_{\gamma, c}\ \frac{1}{2n}\|\bar\eta - X\gamma - c\|^2
        + \alpha \sum_j |\gamma_j| / |\bar w_j|,

    solved exactly by cusp's Laplace MAP on the design :math:`x_j|\bar w_j|`.

    Parameters
    ----------
    reference : Reference
    alpha : float, optional
        The penalty (> 0, in scikit-learn's ``Lasso`` units).  Default: chosen on a path
        by the posterior loss rule of the module docstring.
    prob : float
        Mass of the central interval of the full model's loss (default 0.9); used only
        when ``alpha`` is None.
    n_alphas : int
        Points on the path (>= 2, default 50).
    alpha_min_ratio : float
        The path ends at ``alpha_min_ratio * alpha_max`` (in (0, 1), default 1e-3).

    Returns
    -------
    Selection
        ``method="dss"``.  Each reason: ``statistic`` = ``|slope|`` of ``theta_j`` at the
        solution (:math:`|\tilde x_j^\top r|/n`), ``threshold`` = ``alpha`` (the
        certificate's zero threshold), ``slope``, ``margin`` (``threshold - |slope|``
        for zeros, None for kept ones), ``certified``, ``posterior_mean`` and
        ``penalty_weight`` (``1/|w̄_j|``).  With ``alpha=None``, ``path`` holds
        ``alphas``, ``coefs``, ``intercepts``, ``n_selected``, ``certified`` (every
        condition of that point's certificate holds), ``loss``, ``loss_low``,
        ``loss_high``, ``full_loss`` (``[mean, low, high]``), ``within`` and ``chosen``
        (one True); the notes give the chosen ``alpha``.
    """
    reference = check_reference(reference)
    alpha = None if alpha is None else check_positive("alpha", alpha)
    prob = check_probability("prob", prob)
    n_alphas = check_whole("n_alphas", n_alphas, low=2)
    alpha_min_ratio = check_probability("alpha_min_ratio", alpha_min_ratio)
    options = {"alpha": alpha, "prob": prob, "n_alphas": n_alphas, "alpha_min_ratio": alpha_min_ratio}
    problem = _problem(reference)
    a_max = _alpha_max(problem)
    if not np.any(problem.active) or (alpha is None and a_max == 0.0):
        return _nothing_to_select(reference, problem, options, alpha)
    if alpha is not None:
        path, notes = _solve_path(problem, [alpha])
        return _selection(reference, problem, path.results[0], alpha, options, notes)
    alphas = np.geomspace(a_max, a_max * alpha_min_ratio, n_alphas)
    path, notes = _solve_path(problem, alphas)
    coefs = np.array([_gamma(problem, r.coef) for r in path.results])
    intercepts = np.array([r.intercept for r in path.results])
    losses = dss_losses(reference, coefs, intercepts, prob)
    n_selected = np.count_nonzero(coefs, axis=1)
    k, within, rule_note = _choose(losses, n_selected, prob, alphas)
    chosen = np.zeros(alphas.size, dtype=bool)
    chosen[k] = True
    table = {"alphas": alphas, "coefs": coefs, "intercepts": intercepts, "n_selected": n_selected,
             "certified": np.array([bool(r.converged) for r in path.results]), **losses,
             "within": within, "chosen": chosen}
    return _selection(reference, problem, path.results[k], float(alphas[k]), options, [rule_note, *notes], table)


def _choose(losses, n_selected, prob, alphas):
    """Index of the sparsest point whose mean loss is inside the full model's interval
    (ties: the smallest loss), the mask of such points, and the note that says so."""
    full_mean, full_low, full_high = losses["full_loss"]
    loss = losses["loss"]
    # mean loss >= the full model's mean (module docstring), so only the upper end can bind
    within = loss <= full_high
    interval = f"the full model's {prob:.0%} posterior interval of loss [{full_low:.4g}, {full_high:.4g}]"
    if np.any(within):
        candidates = np.flatnonzero(within)
        fewest = n_selected[candidates].min()
        candidates = candidates[n_selected[candidates] == fewest]
        k = int(candidates[np.argmin(loss[candidates])])
        note = (f"alpha = {alphas[k]:.4g} chosen on a path of {alphas.size} values from alpha_max = {alphas[0]:.4g}: "
                f"the sparsest point ({n_selected[k]} kept) whose posterior mean loss {loss[k]:.4g} lies inside "
                f"{interval} (Hahn & Carvalho 2015)")
    else:
        k = int(np.argmin(loss))
        note = (f"no point of the path has its posterior mean loss inside {interval}; chosen: the point with the "
                f"smallest loss, alpha = {alphas[k]:.4g} ({n_selected[k]} kept, loss {loss[k]:.4g}); "
                "a smaller alpha_min_ratio extends the path")
    return k, within, note


def _selection(reference, problem, result, alpha, options, notes, path=None) -> Selection:
    coef = _gamma(problem, result.coef)
    selected = coef != 0.0
    if not result.converged:
        notes = [*notes, f"the DSS lasso at alpha = {alpha:.4g} did not converge: {result.message}"]
    lost = problem.active.copy()
    lost[problem.active] = result.coef != 0.0
    lost &= ~selected
    if np.any(lost):
        notes = [*notes, f"{int(lost.sum())} non-zero theta_j times |w̄_j| underflow to 0.0: dropped"]
    reasons = _reasons(problem, result, selected)
    return Selection(method="dss", coef=coef, intercept=float(result.intercept) if problem.fit_intercept else 0.0,
                     selected=selected, feature_names=list(reference.feature_names), options=options,
                     reasons=reasons, notes=tuple(notes), path=path)


def _reasons(problem, result, selected) -> list:
    cert = result.certificate
    threshold = float(cert.threshold)
    slope = np.zeros(problem.w_bar.size)  # an inactive column x_j |w̄_j| is 0: its slope is 0
    slope[problem.active] = cert.slope
    certified = np.ones(problem.w_bar.size, dtype=bool)
    certified[problem.active] = cert.certified
    reasons = []
    for j, name in enumerate(problem.names):
        mean, s, ok, kept = float(problem.w_bar[j]), float(slope[j]), bool(certified[j]), bool(selected[j])
        if not problem.active[j]:
            text = "posterior mean exactly 0.0: its DSS weight 1/|w̄| is infinite, so it is exactly 0"
        elif kept:
            text = f"kept: |slope| = {abs(s):.4g} = alpha at a non-zero ({'stationary' if ok else 'NOT stationary'})"
        else:
            text = (f"|slope at 0| = {abs(s):.4g} <= alpha = {threshold:.4g}: held at exactly 0 by the L1 kink "
                    f"({'certified' if ok else 'NOT certified'})")
        reasons.append({
            "feature": name, "kept": kept, "statistic": abs(s), "threshold": threshold, "text": text,
            "slope": s, "margin": None if kept else threshold - abs(s), "certified": ok,
            "posterior_mean": mean, "penalty_weight": 1.0 / abs(mean) if mean != 0 else math.inf,
        })
    return reasons


def _nothing_to_select(reference, problem, options, alpha) -> Selection:
    """Every coefficient is 0 without a solve: all posterior means are 0.0, or (alpha
    chosen) the posterior mean's linear predictor is constant, which the empty model
    reproduces exactly."""
    p = problem.w_bar.size
    why = ("every posterior mean is exactly 0.0" if not np.any(problem.active)
           else "the posterior mean's linear predictor is constant (alpha_max = 0): the empty model reproduces it")
    reasons = []
    for j, name in enumerate(problem.names):
        mean = float(problem.w_bar[j])
        threshold = float(alpha) if alpha is not None else 0.0
        reasons.append({"feature": name, "kept": False, "statistic": 0.0, "threshold": threshold,
                        "text": f"dropped: {why}", "slope": 0.0, "margin": threshold, "certified": True,
                        "posterior_mean": mean, "penalty_weight": 1.0 / abs(mean) if mean != 0 else math.inf})
    intercept = float(problem.eta_bar.mean()) if problem.fit_intercept else 0.0
    return Selection(method="dss", coef=np.zeros(p), intercept=intercept, selected=np.zeros(p, dtype=bool),
                     feature_names=list(reference.feature_names), options=options, reasons=reasons,
                     notes=(f"nothing to select: {why}",))
