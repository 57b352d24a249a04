"""The one place where cusp's prior scales meet other libraries' penalty parameters.

scikit-learn's ``Lasso`` minimizes ``(1/2n) ||y - Xw||^2 + alpha ||w||_1``.  The MAP of a
Gaussian likelihood (noise ``sigma``) with a Laplace(0, b) prior minimizes
``||y - Xw||^2 / (2 sigma^2) + ||w||_1 / b``; multiplying by ``sigma^2 / n`` gives the
Lasso with ``alpha = sigma^2 / (n b)``.
"""

import math

from priors.errors import CuspInputError
from priors.validation import check_number, check_positive, check_scale, check_whole


def laplace_scale_to_lasso_alpha(scale: float, *, sigma: float, n: int) -> float:
    """``alpha = sigma^2 / (n b)`` for scikit-learn's ``Lasso``."""
    return check_scale("sigma", sigma) ** 2 / (check_whole("n", n) * check_scale("laplace scale", scale))


def lasso_alpha_to_laplace_scale(alpha: float, *, sigma: float, n: int) -> float:
    """Inverse of :func:`laplace_scale_to_lasso_alpha`: ``b = sigma^2 / (n alpha)``."""
    return check_scale("sigma", sigma) ** 2 / (check_whole("n", n) * check_positive("alpha", alpha))


def gaussian_scale_to_ridge_alpha(scale: float, *, sigma: float) -> float:
    """``alpha = sigma^2 / s^2`` for scikit-learn's ``Ridge`` (``||y - Xw||^2 + alpha ||w||^2``)."""
    return check_scale("sigma", sigma) ** 2 / check_scale("gaussian scale", scale) ** 2


def laplace_scale_to_logistic_C(scale: float) -> float:
    """``C = b`` for scikit-learn's L1 ``LogisticRegression`` (``||w||_1 + C sum logloss``)."""
    return check_scale("laplace scale", scale)


def gaussian_scale_for_density(density_at_zero: float) -> float:
    """The sd ``s`` of the N(0, s^2) prior whose density at 0 is ``density_at_zero``:
    ``s = 1 / (sqrt(2 pi) p(0))`` (used to match a Gaussian's concentration to a Laplace's).

    The sd is checked here, with the density in the message: a density of 1e300 at 0 (the
    scripts' ``--gaussian-factor 1e300``) would give an sd of 4e-301, which PyMC cannot
    sample, and the user typed a density factor, not an sd."""
    density = check_positive("density at zero", density_at_zero)
    sd = 1.0 / (math.sqrt(2 * math.pi) * density)
    return check_scale(f"the sd of the Gaussian prior with density {density:g} at 0 (1 / (sqrt(2 pi) density))", sd)


def horseshoe_global_scale(expected_nonzeros: float, *, n_features: int, n_obs: int, sigma: float = 1.0) -> float:
    """Piironen & Vehtari's (2017) global scale ``tau0 = p0 / (p - p0) * sigma / sqrt(n)``.

    ``p0`` is the number of non-zero coefficients one expects a priori; the prior on the
    effective number of non-zeros is then centred near ``p0``.
    """
    n_features = check_whole("n_features", n_features)
    p0 = check_number("expected_nonzeros", expected_nonzeros, low=0.0, high=n_features, high_inclusive=False)
    tau = p0 / (n_features - p0) * check_scale("sigma", sigma) / math.sqrt(check_whole("n_obs", n_obs))
    # p0 near 0 or near p moves tau0 out of range however sensible sigma is: say so here
    return check_scale(f"the horseshoe global scale tau0 = p0/(p-p0) sigma/sqrt(n) for p0 = {p0:g} of p = {n_features}", tau)


def pseudo_sigma(likelihood: str, y) -> float:
    """Piironen & Vehtari's (2017) plug-in noise sd of a non-Gaussian likelihood, for
    :func:`horseshoe_global_scale`: ``1 / sqrt(mu (1 - mu))`` for ``"logistic"`` and
    ``1 / sqrt(mu)`` for ``"poisson"``, with ``mu`` the mean of ``y`` (kept >= 1e-3)."""
    mu = sum(float(v) for v in y) / len(y)
    if likelihood == "logistic":
        return 1.0 / math.sqrt(max(mu * (1.0 - mu), 1e-3))
    if likelihood == "poisson":
        return 1.0 / math.sqrt(max(mu, 1e-3))
    raise CuspInputError(f"pseudo_sigma is for the logistic and poisson likelihoods, got {likelihood!r}")
