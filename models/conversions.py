"""The one place where cusp's prior scales meet other libraries' penalty parameters.

scikit-learn's ``Lasso`` minimizes ``(1/2n) ||y - Xw||^2 + alpha ||w||_1``.  The MAP of a
Gaussian likelihood (noise ``sigma``) with a Laplace(0, b) prior minimizes
``||y - Xw||^2 / (2 sigma^2) + ||w||_1 / b``; multiplying by ``sigma^2 / n`` gives the
Lasso with ``alpha = sigma^2 / (n b)``.
"""

from priors._errors import check_positive


def laplace_scale_to_lasso_alpha(scale: float, *, sigma: float, n: int) -> float:
    """``alpha = sigma^2 / (n b)`` for scikit-learn's ``Lasso``."""
    return check_positive("sigma", sigma) ** 2 / (n * check_positive("laplace scale", scale))


def lasso_alpha_to_laplace_scale(alpha: float, *, sigma: float, n: int) -> float:
    """Inverse of :func:`laplace_scale_to_lasso_alpha`: ``b = sigma^2 / (n alpha)``."""
    return check_positive("sigma", sigma) ** 2 / (n * check_positive("alpha", alpha))


def gaussian_scale_to_ridge_alpha(scale: float, *, sigma: float) -> float:
    """``alpha = sigma^2 / s^2`` for scikit-learn's ``Ridge`` (``||y - Xw||^2 + alpha ||w||^2``)."""
    return check_positive("sigma", sigma) ** 2 / check_positive("gaussian scale", scale) ** 2


def laplace_scale_to_logistic_C(scale: float) -> float:
    """``C = b`` for scikit-learn's L1 ``LogisticRegression`` (``||w||_1 + C sum logloss``)."""
    return check_positive("laplace scale", scale)
