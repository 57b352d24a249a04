"""Every prior family cusp knows, by name.

A new prior is one module plus one line here; the ``examples`` are the parameter sets
the test-suite runs every check on, so a new family is tested automatically.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from .errors import CuspInputError
from .base import Prior
from .bridge import bridge
from .gaussian import gaussian
from .horseshoe import horseshoe
from .laplace import laplace
from .regularized_horseshoe import regularized_horseshoe
from .smoothed_laplace import smoothed_laplace
from .spike_and_slab import spike_and_slab
from .student_t import student_t


@dataclasses.dataclass(frozen=True)
class PriorSpec:
    factory: Callable[..., Prior]
    summary: str
    examples: tuple[dict, ...]


REGISTRY: dict[str, PriorSpec] = {
    "gaussian": PriorSpec(gaussian, "N(0, s^2); ridge penalty", ({"scale": 1.0}, {"scale": 0.05})),
    "laplace": PriorSpec(laplace, "exp(-|w|/b)/(2b); lasso penalty", ({"scale": 1.0}, {"scale": 0.2})),
    "student_t": PriorSpec(
        student_t, "Student-t(nu) with scale s", ({"scale": 1.0, "nu": 3.0}, {"scale": 0.3, "nu": 1.0})
    ),
    "bridge": PriorSpec(
        bridge, "exp(-|w/s|^p), 0 < p <= 2", ({"scale": 1.0, "p": 0.5}, {"scale": 0.7, "p": 1.5}, {"scale": 1.0, "p": 1.0})
    ),
    "smoothed_laplace": PriorSpec(
        smoothed_laplace,
        "exp(-sqrt(w^2+delta^2)/b)",
        ({"scale": 1.0, "delta": 0.1}, {"scale": 0.5, "delta": 1e-4}, {"scale": 1.0, "delta": 0.0}),
    ),
    "horseshoe": PriorSpec(horseshoe, "N(0, lam^2 tau^2), lam ~ C+(0,1)", ({"scale": 1.0}, {"scale": 0.1})),
    "regularized_horseshoe": PriorSpec(
        regularized_horseshoe,
        "horseshoe with a N(0, c^2) slab (Piironen & Vehtari 2017)",
        ({"scale": 0.3, "slab_scale": 2.0}, {"scale": 1.0, "slab_scale": 0.5, "global_df": None}),
    ),
    "spike_and_slab": PriorSpec(
        spike_and_slab, "P(w=0) = 1 - weight, else N(0, s^2); sampling only", ({"scale": 1.0, "weight": 0.5},)
    ),
}


def register_prior(name: str, factory: Callable[..., Prior], summary: str, examples, *, replace: bool = False) -> None:
    """Add a prior family defined outside this package; it is then known everywhere.

    ``make_prior(name, ...)``, ``cusp priors``, the MAP, the samplers, saved results and
    every registry-parametrized test pick it up.  The prior declares its capabilities
    (see :class:`priors.Prior`): nothing else needs to change.

    Parameters
    ----------
    name : str
        The family name; ``factory(**params).family`` must equal it (saved results store
        the family and rebuild the prior with ``make_prior``).
    factory : callable
        ``factory(**params) -> Prior``.
    summary : str
        One line for ``cusp priors``.
    examples : sequence of dict
        Parameter sets the test-suite runs every check on (at least one).
    replace : bool
        Allow replacing an existing family of that name.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise CuspInputError(f"a prior family name must be an identifier such as 'my_prior', got {name!r}")
    if name in REGISTRY and not replace:
        raise CuspInputError(f"a prior family {name!r} is already registered; pass replace=True to replace it")
    examples = tuple(dict(e) for e in examples)
    if not examples:
        raise CuspInputError(f"register_prior({name!r}) needs at least one example parameter set")
    for params in examples:
        made = factory(**params)
        if not isinstance(made, Prior) or made.family != name:
            raise CuspInputError(f"register_prior({name!r}): the factory must return a Prior whose family is {name!r}, "
                                 f"got {made!r}")
    REGISTRY[name] = PriorSpec(factory, str(summary), examples)


def prior_names() -> list[str]:
    """Names accepted by :func:`make_prior`."""
    return list(REGISTRY)


def make_prior(name: str, **params) -> Prior:
    """Build a prior by family name, e.g. ``make_prior("laplace", scale=2.0)``."""
    try:
        spec = REGISTRY[name]
    except KeyError:
        raise CuspInputError(f"unknown prior {name!r}; choose one of {', '.join(REGISTRY)}") from None
    try:
        return spec.factory(**params)
    except TypeError as exc:
        raise CuspInputError(f"bad parameters for prior {name!r}: {exc}") from None


def example_priors(*, include_point_mass=False) -> list[Prior]:
    """One instance per registered example (used by the parametrized tests).

    By default only priors with a penalty view (a density, hence a MAP); with
    ``include_point_mass=True`` also the spike-and-slab, which is for sampling only.
    """
    priors = [spec.factory(**params) for spec in REGISTRY.values() for params in spec.examples]
    return [p for p in priors if include_point_mass or p.has_map_view]
