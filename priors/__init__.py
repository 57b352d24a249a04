"""Prior factories.  Each returns a :class:`Prior`, usable as an exact MAP penalty
(``penalty``, ``prox``, ``zero_threshold``) and as a PyMC random variable (``to_pymc``).

>>> from priors import gaussian, laplace, horseshoe
>>> laplace(1.0).zero_threshold
1.0
"""

from ._errors import CuspInputError
from .base import Prior
from .bridge import Bridge, bridge
from .gaussian import Gaussian, gaussian
from .horseshoe import Horseshoe, horseshoe
from .laplace import Laplace, laplace
from .registry import REGISTRY, example_priors, make_prior, prior_names
from .smoothed_laplace import SmoothedLaplace, smoothed_laplace
from .student_t import StudentT, student_t

__all__ = [
    "CuspInputError",
    "Prior",
    "gaussian",
    "laplace",
    "horseshoe",
    "student_t",
    "bridge",
    "smoothed_laplace",
    "Gaussian",
    "Laplace",
    "Horseshoe",
    "StudentT",
    "Bridge",
    "SmoothedLaplace",
    "REGISTRY",
    "make_prior",
    "prior_names",
    "example_priors",
]
