"""Likelihoods (datafits) as functions of the linear predictor ``eta = X w + c``.

Each one gives the negative log-likelihood, its first and second derivatives in
``eta`` (the solver's Newton weights), the convex conjugate used for the duality gap,
the label checks, and the matching PyMC observation.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from scipy.special import expit, gammaln, kl_div, rel_entr, xlogy

from priors import CuspInputError
from priors.validation import check_bool, check_scale

from models.data import as_array


class Likelihood(ABC):
    """Negative log-likelihood ``sum_i l(eta_i; y_i)`` of a GLM."""

    name: ClassVar[str]
    #: True when the second derivative is constant (one Newton step is exact).
    quadratic: ClassVar[bool] = False

    def check_y(self, y) -> np.ndarray:
        """Validate the response and return it as a float array (values checked by
        :func:`models.data.as_array`: real, finite, within the data limit, nothing masked)."""
        y = as_array(y, "y")
        if y.ndim != 1:
            raise CuspInputError(f"y must be one-dimensional, got shape {y.shape}")
        if y.size == 0:
            raise CuspInputError("y is empty: give at least one observation")
        return y

    @abstractmethod
    def value(self, eta, y) -> float:
        """Negative log-likelihood (with its normalizing constants)."""

    @abstractmethod
    def grad(self, eta, y) -> np.ndarray:
        """Derivative of the negative log-likelihood in each ``eta_i``."""

    @abstractmethod
    def hess(self, eta, y) -> np.ndarray:
        """Second derivative in each ``eta_i`` (diagonal)."""

    @abstractmethod
    def conjugate(self, u, y) -> float:
        """``sum_i l_i*(u_i)``, the convex conjugate of the per-observation loss."""

    def fenchel_young(self, eta, u, y) -> float:
        """``sum_i l_i(eta_i) + l_i*(u_i) - u_i eta_i``: >= 0, and 0 when ``u`` is the
        gradient at ``eta``; the likelihood's part of the duality gap.  Subclasses give a
        form free of the cancellation of the two large sums."""
        u = np.asarray(u, dtype=float)
        return float(self.value(eta, y) + self.conjugate(u, y) - float(u @ np.asarray(eta, dtype=float)))

    @abstractmethod
    def null_intercept(self, y) -> float:
        """The intercept-only maximum-likelihood ``eta``."""

    @abstractmethod
    def log_density(self, eta, y, sigma=None) -> np.ndarray:
        """Pointwise ``log p(y_i | eta_i)`` with every normalizing constant, broadcast over
        leading axes of ``eta`` (e.g. draws x observations): what LOO needs.  ``sigma``
        (Gaussian only; broadcastable against ``eta``) replaces an unknown noise sd."""

    @abstractmethod
    def to_pymc(self, eta, y, *, name="y", dims=None):
        """Create the observed PyMC variable for linear predictor ``eta``."""

    def describe(self) -> str:
        return self.name


class Gaussian(Likelihood):
    r"""Gaussian noise with standard deviation ``sigma``:
    :math:`\sum_i (y_i - \eta_i)^2 / (2\sigma^2) + n \log(\sigma\sqrt{2\pi})`.

    ``sigma=None`` means the noise scale is unknown.  Posterior sampling then gives it
    the prior ``sigma_prior``: ``"halfnormal"`` (default), ``sigma ~ HalfNormal(sd(y))``
    (weakly informative: the noise cannot be much larger than the spread of ``y``), or
    ``"jeffreys"``, the improper :math:`p(\sigma^2) \propto 1/\sigma^2` of Park &
    Casella's Bayesian lasso (flat in :math:`\log\sigma`).  The MAP needs a value:
    :meth:`with_sigma` gives the same likelihood with a known ``sigma``.
    """

    name = "gaussian"
    quadratic = True
    SIGMA_PRIORS = ("halfnormal", "jeffreys")

    def __init__(self, sigma: float | None = None, sigma_prior: str = "halfnormal"):
        self.sigma = None if sigma is None else check_scale("sigma", sigma)
        if sigma_prior not in self.SIGMA_PRIORS:
            raise CuspInputError(f"sigma_prior must be one of {', '.join(self.SIGMA_PRIORS)}, got {sigma_prior!r}")
        self.sigma_prior = sigma_prior

    @property
    def estimates_sigma(self) -> bool:
        """True when ``sigma`` is unknown (sampled with a HalfNormal prior)."""
        return self.sigma is None

    def with_sigma(self, sigma: float) -> Gaussian:
        """The same likelihood with a known noise scale."""
        return type(self)(sigma, self.sigma_prior)

    def known_sigma(self) -> float:
        """``sigma``, or a clear error when it is unknown (the MAP needs a value)."""
        if self.sigma is None:
            raise CuspInputError(
                f"the {self.name} likelihood has an unknown sigma: the MAP needs a value, pass sigma=..., "
                "or use fit()/sample(), which estimate sigma"
            )
        return self.sigma

    def value(self, eta, y):
        n, s = len(y), self.known_sigma()
        return float(0.5 * np.sum((y - eta) ** 2) / s**2 + n * math.log(s * math.sqrt(2 * math.pi)))

    def grad(self, eta, y):
        return (eta - y) / self.known_sigma() ** 2

    def hess(self, eta, y):
        return np.full(len(y), 1.0 / self.known_sigma() ** 2)

    def conjugate(self, u, y):
        n, s = len(y), self.known_sigma()
        return float(np.sum(u * y + 0.5 * s**2 * u**2) - n * math.log(s * math.sqrt(2 * math.pi)))

    def fenchel_young(self, eta, u, y):
        # (y - eta + s^2 u)^2 / (2 s^2): one square, computed as (r / s + s u)^2 / 2
        s = self.known_sigma()
        return float(0.5 * np.sum(((y - eta) / s + s * np.asarray(u, dtype=float)) ** 2))

    def null_intercept(self, y):
        return float(np.mean(y))

    def log_density(self, eta, y, sigma=None):
        s = self.known_sigma() if sigma is None else np.asarray(sigma, dtype=float)
        z = (np.asarray(y, dtype=float) - np.asarray(eta, dtype=float)) / s
        return -0.5 * z**2 - np.log(s) - 0.5 * math.log(2 * math.pi)

    def pymc_sigma(self, y):
        """``sigma`` as a number, or the random variable ``sigma`` under :attr:`sigma_prior`."""
        import pymc as pm

        if self.sigma is not None:
            return self.sigma
        if self.sigma_prior == "jeffreys":
            # HalfFlat is sampled on log(sigma) with Jacobian sigma; the potential -log(sigma)
            # makes the density flat in log(sigma): p(sigma) ~ 1/sigma, p(sigma^2) ~ 1/sigma^2
            sigma = pm.HalfFlat("sigma")
            pm.Potential("sigma_jeffreys", -pm.math.log(sigma))
            return sigma
        return pm.HalfNormal("sigma", sigma=sigma_prior_scale(y))

    def to_pymc(self, eta, y, *, name="y", dims=None):
        import pymc as pm

        return pm.Normal(name, mu=eta, sigma=self.pymc_sigma(y), observed=y, dims=dims)

    def describe(self):
        if self.sigma is None:
            return f"{self.name}(sigma=estimated{', Jeffreys prior' if self.sigma_prior == 'jeffreys' else ''})"
        return f"{self.name}(sigma={self.sigma:g})"


def sigma_prior_scale(y) -> float:
    """Scale of the HalfNormal prior on an unknown noise sd: ``sd(y)`` (1 if ``y`` is constant)."""
    s = float(np.std(y))
    return s if s > 0 else 1.0


class NormalMeans(Gaussian):
    """``y_j ~ N(w_j, sigma^2)``: the Gaussian likelihood with the identity as design."""

    name = "normal_means"


class Logistic(Likelihood):
    r"""Bernoulli with logit link: :math:`\sum_i \log(1 + e^{\eta_i}) - y_i \eta_i`, ``y`` in {0, 1}."""

    name = "logistic"

    def check_y(self, y):
        y = super().check_y(y)
        bad = ~np.isin(y, (0.0, 1.0))
        if bad.any():
            found = sorted(set(np.unique(y[bad]).tolist()))[:5]
            raise CuspInputError(f"logistic labels must be 0 or 1; found {found} (recode the two classes as 0/1)")
        if y.min() == y.max():
            raise CuspInputError(f"logistic labels are all {int(y[0])}: both classes are needed")
        return y

    def value(self, eta, y):
        # log(1 + e^eta) - y eta = (1 - y) log(1 + e^eta) + y log(1 + e^-eta): no
        # cancellation.  The difference form returned 0.0 instead of e^-40 at eta = 40,
        # y = 1, so near separation (all terms ~ e^-margin) the objective had no
        # correct digits beyond 1e-15 |eta|.
        return float(np.sum((1.0 - y) * np.logaddexp(0.0, eta) + y * np.logaddexp(0.0, -eta)))

    def grad(self, eta, y):
        return expit(eta) - y

    def hess(self, eta, y):
        p = expit(eta)
        return p * (1.0 - p)

    def conjugate(self, u, y):
        # l*(u) = t log t + (1 - t) log(1 - t) with t = u + y in [0, 1].
        t = u + y
        if np.any((t < -1e-12) | (t > 1 + 1e-12)):
            return float("inf")
        t = np.clip(t, 0.0, 1.0)
        return float(np.sum(xlogy(t, t) + xlogy(1 - t, 1 - t)))

    def fenchel_young(self, eta, u, y):
        # The Bernoulli KL divergence of t = y + u from p = expit(eta), with t and 1 - t
        # formed without cancellation (y is 0 or 1) and 1 - p as expit(-eta).
        u = np.asarray(u, dtype=float)
        t = np.where(y == 1, 1.0 + u, u)
        t_c = np.where(y == 1, -u, 1.0 - u)
        if np.any((t < -1e-12) | (t_c < -1e-12)):
            return float("inf")
        t, t_c = np.maximum(t, 0.0), np.maximum(t_c, 0.0)
        return float(np.sum(rel_entr(t, expit(eta)) + rel_entr(t_c, expit(-eta))))

    def null_intercept(self, y):
        m = float(np.mean(y))
        return math.log(m / (1 - m))

    def log_density(self, eta, y, sigma=None):
        # log expit(eta) for y = 1 and log expit(-eta) for y = 0, without cancellation
        eta = np.asarray(eta, dtype=float)
        return -np.logaddexp(0.0, np.where(np.asarray(y) == 1, -eta, eta))

    def to_pymc(self, eta, y, *, name="y", dims=None):
        import pymc as pm

        return pm.Bernoulli(name, logit_p=eta, observed=y, dims=dims)


class Poisson(Likelihood):
    r"""Poisson with log link: :math:`\sum_i e^{\eta_i} - y_i \eta_i + \log y_i!`, ``y`` counts.

    ``whole_counts=False`` also takes non-negative non-integer ``y`` (rates, averages),
    as scikit-learn's ``PoissonRegressor`` does: the same function of ``eta`` (with
    :math:`\log\Gamma(y + 1)` for :math:`\log y!`) is then a quasi-likelihood, fine
    for the MAP; posterior sampling refuses such ``y`` (PyMC's Poisson has no density
    there)."""

    name = "poisson"

    def __init__(self, whole_counts: bool = True):
        self.whole_counts = check_bool("whole_counts", whole_counts)

    def check_y(self, y):
        y = super().check_y(y)
        if np.any(y < 0):
            raise CuspInputError(f"Poisson counts must be >= 0; found {y[y < 0][:5].tolist()}")
        if self.whole_counts and np.any(y != np.round(y)):
            raise CuspInputError(f"Poisson counts must be whole numbers; found {y[y != np.round(y)][:5].tolist()}")
        if not np.any(y > 0):
            raise CuspInputError("all Poisson counts are 0: the intercept has no finite MAP")
        return y

    def value(self, eta, y):
        with np.errstate(over="ignore"):
            return float(np.sum(np.exp(eta) - y * eta + gammaln(y + 1)))

    def grad(self, eta, y):
        with np.errstate(over="ignore"):
            return np.exp(eta) - y

    def hess(self, eta, y):
        with np.errstate(over="ignore"):
            return np.exp(eta)

    def conjugate(self, u, y):
        # l*(u) = t log t - t - log y! with t = u + y >= 0.
        t = u + y
        if np.any(t < -1e-12):
            return float("inf")
        t = np.maximum(t, 0.0)
        return float(np.sum(xlogy(t, t) - t - gammaln(y + 1)))

    def fenchel_young(self, eta, u, y):
        # The generalized KL divergence t log(t / mu) - t + mu of t = y + u from mu = e^eta.
        t = y + np.asarray(u, dtype=float)
        if np.any(t < -1e-12):
            return float("inf")
        with np.errstate(over="ignore"):
            return float(np.sum(kl_div(np.maximum(t, 0.0), np.exp(eta))))

    def null_intercept(self, y):
        return math.log(float(np.mean(y)))

    def log_density(self, eta, y, sigma=None):
        eta = np.asarray(eta, dtype=float)
        with np.errstate(over="ignore"):
            return y * eta - np.exp(eta) - gammaln(np.asarray(y, dtype=float) + 1)

    def to_pymc(self, eta, y, *, name="y", dims=None):
        import pymc as pm

        return pm.Poisson(name, mu=pm.math.exp(eta), observed=y, dims=dims)


LIKELIHOODS = {"gaussian": Gaussian, "logistic": Logistic, "poisson": Poisson, "normal_means": NormalMeans}
_HAS_SIGMA = ("gaussian", "normal_means")  # sigma=None: unknown, estimated


def make_likelihood(likelihood, *, sigma=None, sigma_prior=None) -> Likelihood:
    """A :class:`Likelihood` from a name (``"gaussian"``, ``"logistic"``, ``"poisson"``,
    ``"normal_means"``) or an instance (returned as is).  ``sigma_prior`` (Gaussian and
    normal means): the prior of an unknown ``sigma``, ``"halfnormal"`` (default) or
    ``"jeffreys"``."""
    if isinstance(likelihood, Likelihood):
        if sigma is not None or sigma_prior is not None:
            raise CuspInputError("give sigma and sigma_prior to the likelihood object, not to Model, when passing an object")
        return likelihood
    if not isinstance(likelihood, str) or likelihood not in LIKELIHOODS:
        raise CuspInputError(f"unknown likelihood {likelihood!r}; choose one of {', '.join(LIKELIHOODS)}")
    if likelihood in _HAS_SIGMA:
        return LIKELIHOODS[likelihood](sigma, "halfnormal" if sigma_prior is None else sigma_prior)
    if sigma is not None:
        raise CuspInputError(f"sigma has no meaning for the {likelihood} likelihood; remove it")
    if sigma_prior is not None:
        raise CuspInputError(f"sigma_prior has no meaning for the {likelihood} likelihood; remove it")
    return LIKELIHOODS[likelihood]()


def noise_guess(X, y) -> float:
    """Residual sd of least squares (sd(y) when p >= n - 1; 1 when that is 0 too): a plug-in
    for the noise sd where a value is needed (the horseshoe's default tau, the estimators' MAP)."""
    n, p = X.shape
    if n > p + 1:
        A = np.column_stack([np.ones(n), X])
        resid = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
        s = float(np.sqrt(resid @ resid / (n - p - 1)))
        if s > 0:
            return s
    return float(np.std(y)) or 1.0
