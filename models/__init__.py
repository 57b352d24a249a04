"""Likelihoods paired with priors: the exact MAP with a certificate for every zero.

>>> from priors import laplace
>>> from models import Model, load_diabetes
>>> X, y, names = load_diabetes()
>>> result = Model("gaussian", laplace(1.0), sigma=54.0).map(X, y, feature_names=names)
"""

from priors import CuspDataWarning, CuspInputError

from .map.certificate import Certificate
from .conversions import (
    gaussian_scale_for_density,
    gaussian_scale_to_ridge_alpha,
    horseshoe_global_scale,
    lasso_alpha_to_laplace_scale,
    laplace_scale_to_lasso_alpha,
    laplace_scale_to_logistic_C,
)
from .data import load_breast_cancer, load_diabetes, make_sparse_regression, standardize
from .likelihoods import Gaussian, Likelihood, Logistic, NormalMeans, Poisson, make_likelihood
from .fit import FitResult, compare
from .formula import FormulaDesign, design_from_formula
from .model import Model
from .results import MapPath, MapResult

__all__ = [
    "Model",
    "MapResult",
    "MapPath",
    "Certificate",
    "CuspInputError",
    "CuspDataWarning",
    "Likelihood",
    "Gaussian",
    "Logistic",
    "Poisson",
    "NormalMeans",
    "make_likelihood",
    "load_diabetes",
    "load_breast_cancer",
    "make_sparse_regression",
    "standardize",
    "laplace_scale_to_lasso_alpha",
    "lasso_alpha_to_laplace_scale",
    "gaussian_scale_to_ridge_alpha",
    "laplace_scale_to_logistic_C",
    "horseshoe_global_scale",
    "gaussian_scale_for_density",
    "FitResult",
    "compare",
    "FormulaDesign",
    "design_from_formula",
]
