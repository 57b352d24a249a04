"""What every sparse decision starts from (a :class:`Reference` posterior) and what it
returns (a :class:`Selection`).

A posterior under a continuous prior never puts a coefficient at exactly 0.0; a
*decision* with a singular loss does (an L1 term, a soft threshold, a 0-1 loss).  Each
method in :mod:`models.selection` takes a :class:`Reference` and returns a
:class:`Selection` whose dropped coefficients are exactly 0.0 and whose kept ones are
never 0.0, with a per-coefficient reason.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from priors import CuspInputError

__all__ = ["Reference", "Selection", "reference_from_fit", "METHODS"]

#: The decision methods, in the order reports show them.
METHODS = ("dss", "savs", "interval", "mpm", "projection")


@dataclasses.dataclass(frozen=True)
class Reference:
    """A posterior sample and the data it was fitted on.

    Attributes
    ----------
    X : ndarray of shape (n, p)
        The design (the identity for normal means).
    y : ndarray of shape (n,)
    likelihood : Likelihood
        As fitted (``sigma`` None when it was estimated; then see ``sigma_draws``).
    coef_draws : ndarray of shape (S, p)
        Posterior draws of ``w``, chains stacked (chain-major).
    intercept_draws : ndarray of shape (S,)
        Draws of the intercept (zeros without one).
    sigma_draws : ndarray of shape (S,) or None
        Gaussian noise sd per draw (the fixed sigma repeated when it was known); None for
        likelihoods without a sigma.
    fit_intercept : bool
    feature_names : list of str
    point_mass : bool
        The prior puts probability on ``w_j = 0`` (spike-and-slab), so draws can be 0.0.
    n_chains : int
    """

    X: np.ndarray
    y: np.ndarray
    likelihood: object
    coef_draws: np.ndarray
    intercept_draws: np.ndarray
    sigma_draws: np.ndarray | None
    fit_intercept: bool
    feature_names: list
    point_mass: bool
    n_chains: int = 1

    @property
    def n_draws(self) -> int:
        return self.coef_draws.shape[0]

    @property
    def coef_mean(self) -> np.ndarray:
        return self.coef_draws.mean(axis=0)

    @property
    def intercept_mean(self) -> float:
        return float(self.intercept_draws.mean())

    def linear_predictor_draws(self) -> np.ndarray:
        """``X w_s + c_s`` per draw, shape (S, n)."""
        return self.coef_draws @ self.X.T + self.intercept_draws[:, None]


def reference_from_fit(fit) -> Reference:
    """The :class:`Reference` of a :class:`~models.fit.FitResult` (its draws and data)."""
    idata = fit.idata
    post = idata.posterior
    if "w" not in post:
        raise CuspInputError("these results hold no posterior draws of w: fit with draws first")
    w = post["w"].transpose("chain", "draw", "feature").values
    n_chains, n_draws, p = w.shape
    coef = w.reshape(-1, p).astype(float)
    S = coef.shape[0]
    intercept = post["intercept"].values.reshape(-1).astype(float) if "intercept" in post else np.zeros(S)
    y = idata.observed_data["y"].values.astype(float).reshape(-1)
    constant = idata.constant_data if "constant_data" in idata.groups() else None
    if constant is not None and "X" in constant:
        X = constant["X"].values.astype(float)
    else:
        X = np.eye(p)  # normal means: the identity design
    likelihood = fit.likelihood_model
    sigma = getattr(likelihood, "sigma", "absent")
    if sigma == "absent":
        sigma_draws = None
    elif sigma is None:
        sigma_draws = post["sigma"].values.reshape(-1).astype(float)
    else:
        sigma_draws = np.full(S, float(sigma))
    return Reference(
        X=X, y=y, likelihood=likelihood, coef_draws=coef, intercept_draws=intercept, sigma_draws=sigma_draws,
        fit_intercept="intercept" in post, feature_names=[str(f) for f in post["feature"].values],
        point_mass=float(fit.prior.point_mass) > 0, n_chains=n_chains,
    )


@dataclasses.dataclass(frozen=True)
class Selection:
    """A sparse decision from a posterior.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    coef : ndarray of shape (p,)
        Exactly 0.0 for every dropped coefficient, never 0.0 for a kept one.
    intercept : float
    selected : ndarray of bool, shape (p,)
    feature_names : list of str
    options : dict
        The options used (after defaults were filled in), JSON-serializable.
    reasons : list of dict
        One per coefficient: ``feature``, ``kept`` (bool), ``statistic`` (float: what
        was compared), ``threshold`` (float or None), ``text`` (one sentence), and
        method-specific numbers (e.g. ``interval_low``/``interval_high``, ``mc_se``).
    notes : tuple of str
        What the user should know (e.g. Monte-Carlo error, a path's chosen point).
    path : dict or None
        For path methods (DSS, projection): arrays keyed by name, each a list or
        1-D/2-D array (e.g. ``alphas``, ``coefs``, ``n_selected``, ``elpd``, ``elpd_se``).
    """

    method: str
    coef: np.ndarray
    intercept: float
    selected: np.ndarray
    feature_names: list
    options: dict
    reasons: list
    notes: tuple = ()
    path: dict | None = None

    def __post_init__(self):
        coef = np.asarray(self.coef, dtype=float)
        selected = np.asarray(self.selected, dtype=bool)
        if self.method not in METHODS:
            raise ValueError(f"unknown selection method {self.method!r}")
        if coef.shape != selected.shape or coef.ndim != 1 or len(self.feature_names) != coef.size:
            raise ValueError("coef, selected and feature_names must have one entry per coefficient")
        # the invariant every method must keep: dropped is exactly 0.0, kept is never 0.0
        if np.any(coef[~selected] != 0.0) or np.any(coef[selected] == 0.0):
            raise ValueError("a Selection's dropped coefficients must be exactly 0.0 and its kept ones non-zero")
        object.__setattr__(self, "coef", coef)
        object.__setattr__(self, "selected", selected)

    @property
    def n_selected(self) -> int:
        return int(self.selected.sum())

    @property
    def n_zeros(self) -> int:
        return int((~self.selected).sum())

    def _repr_html_(self) -> str:
        """Notebook display: what was kept and why (escaped)."""
        from models.notebook import selection_html

        return selection_html(self)

    def summary(self) -> str:
        """One header line, the notes, and one line per coefficient."""
        head = (f"{self.method}: {self.n_selected} of {self.coef.size} coefficients kept, "
                f"{self.n_zeros} exactly 0.0 ({', '.join(f'{k}={v}' for k, v in self.options.items())})")
        lines = [head, *(f"  note: {n}" for n in self.notes)]
        width = max(len(str(f)) for f in self.feature_names)
        for name, c, reason in zip(self.feature_names, self.coef, self.reasons):
            lines.append(f"  {str(name):<{width}}  {c:>11.4g}  {'kept   ' if reason['kept'] else 'dropped'}  "
                         f"{reason['text']}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Plain Python data (JSON-serializable; NaN stays NaN)."""
        return {
            "method": self.method,
            "coef": [float(c) for c in self.coef],
            "intercept": float(self.intercept),
            "selected": [bool(s) for s in self.selected],
            "feature_names": [str(f) for f in self.feature_names],
            "options": dict(self.options),
            "reasons": [dict(r) for r in self.reasons],
            "notes": list(self.notes),
            "path": None if self.path is None else {k: np.asarray(v).tolist() for k, v in self.path.items()},
        }

    @classmethod
    def from_dict(cls, data) -> Selection:
        """Inverse of :meth:`to_dict`."""
        path = data.get("path")
        return cls(
            method=data["method"], coef=np.asarray(data["coef"], dtype=float), intercept=float(data["intercept"]),
            selected=np.asarray(data["selected"], dtype=bool), feature_names=list(data["feature_names"]),
            options=dict(data["options"]), reasons=[dict(r) for r in data["reasons"]], notes=tuple(data["notes"]),
            path=None if path is None else {k: np.asarray(v) for k, v in path.items()},
        )
