"""Prior factories.  Each returns a :class:`Prior`, usable as an exact MAP penalty
(``penalty``, ``prox``, ``zero_threshold``) and as a PyMC random variable (``to_pymc``).

>>> from priors import gaussian, laplace, horseshoe
>>> laplace(1.0).zero_threshold
1.0
"""

from .errors import CuspDataWarning, CuspInputError
from .validation import check_bool, check_number, check_positive, check_probability, check_scale, check_whole
from .base import Prior
from .bridge import Bridge, bridge
from .gaussian import Gaussian, gaussian
from .horseshoe import Horseshoe, horseshoe
from .laplace import Laplace, laplace
from .mixture import ScaleMixture
from .registry import REGISTRY, example_priors, make_prior, prior_names, register_prior
from .regularized_horseshoe import RegularizedHorseshoe, regularized_horseshoe
from .smoothed_laplace import SmoothedLaplace, smoothed_laplace
from .spike_and_slab import SpikeAndSlab, spike_and_slab
from .student_t import StudentT, student_t

__all__ = [
    "CuspInputError",
    "CuspDataWarning",
    "check_number",
    "check_positive",
    "check_scale",
    "check_probability",
    "check_whole",
    "check_bool",
    "Prior",
    "gaussian",
    "laplace",
    "horseshoe",
    "student_t",
    "bridge",
    "smoothed_laplace",
    "regularized_horseshoe",
    "spike_and_slab",
    "Gaussian",
    "Laplace",
    "Horseshoe",
    "StudentT",
    "Bridge",
    "SmoothedLaplace",
    "RegularizedHorseshoe",
    "SpikeAndSlab",
    "REGISTRY",
    "make_prior",
    "register_prior",
    "ScaleMixture",
    "prior_names",
    "example_priors",
]
