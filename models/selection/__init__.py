"""From a posterior to exact zeros: decisions with a singular loss.

A posterior under a continuous prior never puts a coefficient at exactly 0.0.  Each
method here takes a :class:`Reference` (draws and data, e.g. ``reference_from_fit(fit)``)
and returns a :class:`Selection` whose dropped coefficients are exactly 0.0, each with
the reason:

* ``"dss"`` — decoupled shrinkage and selection (Hahn & Carvalho 2015): an adaptive
  lasso of the posterior mean's linear predictor, solved exactly (a Laplace MAP), with
  each zero certified (:func:`dss_selection`);
* ``"savs"`` — the signal adaptive variable selector (Ray & Bhattacharya 2018): a soft
  threshold of the posterior mean (:func:`savs_selection`);
* ``"interval"`` — 0 outside the coefficient's HDI (:func:`interval_selection`);
* ``"mpm"`` — the median probability model (Barbieri & Berger 2004), for priors with a
  point mass at 0 (:func:`mpm_selection`);
* ``"projection"`` — projection predictive selection
  (:func:`models.selection.projection.projection_selection`).

>>> from models.selection import select, reference_from_fit   # doctest: +SKIP
>>> select(reference_from_fit(fit), "dss").summary()           # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import inspect

from priors import CuspInputError
from priors.validation import check_choices

from .base import METHODS, Reference, Selection, reference_from_fit
from .dss import dss_selection
from .interval import interval_selection
from .mpm import mpm_selection
from .savs import check_reference, savs_selection

__all__ = ["select", "not_applicable", "parse_methods", "dss_selection", "savs_selection", "interval_selection", "mpm_selection",
           "Reference", "Selection", "reference_from_fit", "METHODS"]

#: method -> (module, function); projection is imported only when asked for.
_FUNCTIONS = {
    "dss": ("models.selection.dss", "dss_selection"),
    "savs": ("models.selection.savs", "savs_selection"),
    "interval": ("models.selection.interval", "interval_selection"),
    "mpm": ("models.selection.mpm", "mpm_selection"),
    "projection": ("models.selection.projection", "projection_selection"),
}


def _function(method):
    if not isinstance(method, str) or method not in METHODS:
        shown = repr(method) if isinstance(method, str) else f"a {type(method).__name__}"
        raise CuspInputError(f"unknown selection method {shown}; choose one of {', '.join(METHODS)}")
    module, name = _FUNCTIONS[method]
    return getattr(importlib.import_module(module), name)


def _check_options(method, function, options):
    """Refuse option names the method does not take, listing those it does (a method
    whose function takes ``**options`` checks its own)."""
    params = inspect.signature(function).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return
    allowed = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = [name for name in options if name not in allowed]
    if unknown:
        takes = f"its options are {', '.join(allowed)}" if allowed else "it takes no options"
        raise CuspInputError(f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                             f"for the {method} selection: {takes}")


#: The likelihoods projection can refit submodels of (by name).
_PROJECTION_LIKELIHOODS = ("gaussian", "normal_means", "logistic", "poisson")


def not_applicable(method, *, point_mass, likelihood) -> str | None:
    """Why ``method`` does not apply to a posterior (None when it does): the median
    probability model needs a prior with a point mass at 0; projection needs a
    likelihood it can refit.  ``likelihood`` is a Likelihood or its name."""
    _function(method)
    name = getattr(likelihood, "name", likelihood)
    if method == "mpm" and not point_mass:
        from .mpm import NO_POINT_MASS

        return NO_POINT_MASS
    if method == "projection" and name not in _PROJECTION_LIKELIHOODS:
        return f"projection refits submodels of the {', '.join(_PROJECTION_LIKELIHOODS)} likelihoods, not {name}"
    return None


def parse_methods(text, *, option="--select") -> list[str]:
    """Methods from a comma-separated list (``"dss,savs"``), ``"all"`` (every method, each
    used where it applies) or ``"none"``; one clear error naming the choices otherwise."""
    words = [w.strip() for w in str(text).split(",") if w.strip()]
    if words == ["all"]:
        return list(METHODS)
    if words == ["none"]:
        return []
    words = check_choices(text, METHODS, what="selection method", option=option, also=("'all'", "'none'"))
    return [m for m in METHODS if m in words]  # in the order reports show them


def select(reference, method, **options) -> Selection:
    """Sparse decision ``method`` (one of :data:`METHODS`) from ``reference``.

    Parameters
    ----------
    reference : Reference
        E.g. :func:`reference_from_fit` of a :class:`~models.fit.FitResult`.
    method : {"dss", "savs", "interval", "mpm", "projection"}
    **options
        The method's options (see its function: e.g. ``alpha``, ``prob`` for DSS);
        unknown names are refused with the list of allowed ones.

    Returns
    -------
    Selection
        Dropped coefficients exactly 0.0, kept ones non-zero, one reason per coefficient.
    """
    function = _function(method)
    reference = check_reference(reference)
    _check_options(method, function, options)
    return function(reference, **options)
