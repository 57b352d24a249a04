"""Posterior sampling: a PyMC model built from the same Likelihood and Prior objects
that the exact MAP uses, sampled with NUTS, with its diagnostics.

The PyMC model is

.. math::

    w_j \\sim \\text{prior}, \\qquad c \\sim N(c_0, s_c^2), \\qquad
    y_i \\sim \\text{likelihood}(x_i^T w + c)

where ``c0`` is the intercept-only maximum-likelihood value and ``s_c`` is wide
(``10 sd(y)`` for Gaussian data, 10 on the logit / log scale): effectively the flat prior
that the MAP puts on the intercept, but proper, so that NUTS cannot drift off to infinity
on separable data.  An unknown Gaussian ``sigma`` gets ``HalfNormal(sd(y))``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os

import numpy as np

from priors import CuspInputError
from priors.validation import check_number, check_probability, check_seed, check_whole

from models.data import describe_value
from models.interrupts import Interrupted, catch_signals, raise_if_interrupted
from models.likelihoods import Gaussian, sigma_prior_scale

__all__ = ["SAMPLERS", "COLLAPSE_MAX_FEATURES", "MAX_DRAWS", "MAX_CHAINS", "DRAWS_MEMORY_LIMIT", "build_pymc_model",
           "check_complete", "check_sampler", "check_sampling_size", "collapses", "intercept_prior", "run_sampler"]

#: gibbs: models.posterior.gibbs, not through PyMC; auto: Model.sample picks gibbs or pymc
SAMPLERS = ("auto", "gibbs", "pymc", "nutpie")
#: Most draws (and most tuning steps) per chain cusp runs, and most chains.
MAX_DRAWS = 10**7
MAX_CHAINS = 1000
#: Budget, in bytes, for the stored draws of ``w``: chains x draws x features x 8.
DRAWS_MEMORY_LIMIT = 4 * 10**9
#: Wide sd of the intercept's prior on the logit / log scale (GLMs).
_GLM_INTERCEPT_SD = 10.0
_INTERCEPT_SD_FACTOR = 10.0


def intercept_prior(likelihood, y) -> tuple[float, float]:
    """``(mean, sd)`` of the intercept's (nearly flat) normal prior."""
    c0 = likelihood.null_intercept(y)
    sd = _INTERCEPT_SD_FACTOR * sigma_prior_scale(y) if isinstance(likelihood, Gaussian) else _GLM_INTERCEPT_SD
    return c0, sd


#: Integrating w out costs a p x p Cholesky factorization per gradient: beyond this many
#: features the plain non-centred model is used instead.
COLLAPSE_MAX_FEATURES = 400


def collapses(likelihood, prior, X) -> bool:
    """True when the model integrates ``w`` out: a Gaussian likelihood and a prior that is
    a scale mixture of normals with sampled scales (the horseshoe family)."""
    p_ok = X is None or X.shape[1] <= COLLAPSE_MAX_FEATURES
    mixture = prior.scale_mixture
    return isinstance(likelihood, Gaussian) and mixture is not None and mixture.pymc_scales is not None and p_ok


def build_pymc_model(likelihood, prior, X, y, feature_names, *, fit_intercept, scale_by_sigma=False):
    """The ``pymc.Model`` for ``likelihood x prior`` on data ``(X, y)``.

    ``X=None`` means the identity design (normal means).  Variables: ``w`` (dim
    ``feature``), ``intercept`` when fitted, ``sigma`` when the Gaussian noise scale is
    unknown, the prior's auxiliaries (e.g. ``w_lam``), and the observed ``y`` (dim ``obs``).

    For a Gaussian likelihood with a horseshoe-type prior, ``w`` is integrated out
    analytically (see :func:`_collapsed_gaussian`): NUTS then moves only through the
    scales, where the horseshoe's funnel lives, and ``w`` is drawn exactly given them.

    ``scale_by_sigma`` (Gaussian likelihoods): ``w = sigma u`` with ``u`` (``w_std``)
    from the prior, i.e. the prior's scale multiplied by the noise sd.
    """
    import pymc as pm

    coords = {"feature": list(feature_names), "obs": np.arange(y.size)}
    with pm.Model(coords=coords) as pymc_model:
        if collapses(likelihood, prior, X):
            _collapsed_gaussian(likelihood, prior, X, y, fit_intercept, scale_by_sigma)
            return pymc_model
        sigma = None
        if scale_by_sigma:
            sigma = likelihood.pymc_sigma(y)
            w = pm.Deterministic("w", sigma * prior.to_pymc("w_std", dims="feature"), dims="feature")
        else:
            w = prior.to_pymc("w", dims="feature")
        if X is None:
            eta = w
        else:
            X_data = pm.Data("X", X, dims=("obs", "feature"))
            eta = pm.math.dot(X_data, w)
            if fit_intercept:
                mu, sd = intercept_prior(likelihood, y)
                eta = eta + pm.Normal("intercept", mu=mu, sigma=sd)
        if sigma is None:
            likelihood.to_pymc(eta, y, name="y", dims="obs")
        else:  # the sigma the prior already uses
            pm.Normal("y", mu=eta, sigma=sigma, observed=y, dims="obs")
    return pymc_model


def _collapsed_gaussian(likelihood, prior, X, y, fit_intercept, scale_by_sigma=False):
    r"""Gaussian regression with ``w | d ~ N(0, D^2)``, ``D = diag(d)``, and ``w`` integrated out.

    With ``r = y - c`` and ``A = I + D X^T X D / sigma^2 = L L^T``:

    .. math::

        r \mid d \sim N(0, \sigma^2 I + X D^2 X^T), \qquad
        w \mid d, y \sim N(D A^{-1} u,\; D A^{-1} D), \quad u = D X^T r / \sigma^2,

    the first term by Woodbury's identity and the matrix determinant lemma.  The marginal
    likelihood is a ``Potential``; ``w = D (A^{-1} u + L^{-T} z)`` with
    ``w_z ~ N(0, I)`` is an exact draw from its conditional (``z`` is independent of
    everything else, so NUTS samples it trivially).  For normal means (``X = I``) all of
    this is diagonal.
    """
    import pymc as pm
    import pytensor.tensor as pt
    from pytensor.tensor.slinalg import cholesky, solve_triangular

    sigma = likelihood.pymc_sigma(y)
    d = prior.scale_mixture.pymc_scales("w", dims="feature")
    if scale_by_sigma:
        d = d * sigma
    s2 = sigma**2
    z = pm.Normal("w_z", mu=0.0, sigma=1.0, dims="feature")
    n = y.size
    if X is None:
        v = d**2 + s2
        pm.Potential("y_marginal", pt.sum(-0.5 * (y**2 / v + pt.log(2 * np.pi * v))))
        w = d**2 / v * y + d * sigma / pt.sqrt(v) * z
    else:
        if fit_intercept:
            mu, sd = intercept_prior(likelihood, y)
            c = pm.Normal("intercept", mu=mu, sigma=sd)
        else:
            c = 0.0
        G, Xty, Xsum, yty, ysum = X.T @ X, X.T @ y, X.sum(axis=0), float(y @ y), float(y.sum())
        p = X.shape[1]
        A = pt.eye(p) + d[:, None] * G * d[None, :] / s2
        L = cholesky(A)
        Xtr = Xty - c * Xsum  # X^T (y - c), from precomputed sums
        rtr = yty - 2 * c * ysum + n * c**2  # |y - c|^2
        v = solve_triangular(L, d * Xtr / s2, lower=True)
        quad = rtr / s2 - pt.sum(v**2)
        logdet = n * pt.log(s2) + 2 * pt.sum(pt.log(pt.diag(L)))
        pm.Potential("y_marginal", -0.5 * (quad + logdet + n * np.log(2 * np.pi)))
        w = d * (solve_triangular(L.T, v, lower=False) + solve_triangular(L.T, z, lower=False))
    pm.Deterministic("w", w, dims="feature")
    # kept so that the results hold the data (observed_data, constant_data)
    pm.Data("y", y, dims="obs")
    if X is not None:
        pm.Data("X", X, dims=("obs", "feature"))


def check_sampler(sampler: str, pymc_model) -> None:
    """Refuse an unknown sampler, a missing nutpie, or nutpie on discrete variables."""
    if sampler not in SAMPLERS:
        raise CuspInputError(f"unknown sampler {describe_value(sampler, typed=False)}; choose one of {', '.join(SAMPLERS)}")
    if sampler in ("gibbs", "auto"):
        raise CuspInputError(f"sampler {sampler!r} is resolved by Model.sample, not run on a PyMC model: "
                             "run_sampler takes 'pymc' or 'nutpie'")
    if sampler == "nutpie":
        if importlib.util.find_spec("nutpie") is None:
            raise CuspInputError(
                "sampler='nutpie' needs the nutpie package, which is not installed: "
                "pip install 'cusp[nutpie]' (or pip install nutpie), or use sampler='pymc'"
            )
        if pymc_model.discrete_value_vars:
            names = ", ".join(v.name for v in pymc_model.discrete_value_vars)
            raise CuspInputError(
                f"nutpie samples continuous variables only, and this model has discrete ones ({names}); use sampler='pymc'"
            )


def check_sampling_size(draws, tune, chains, n_features=None) -> tuple[int, int, int]:
    """``(draws, tune, chains)`` as whole numbers within cusp's limits, or one
    :class:`CuspInputError` giving the limit: at most :data:`MAX_DRAWS` draws and tuning
    steps per chain and :data:`MAX_CHAINS` chains, and, when ``n_features`` is known, at
    most :data:`DRAWS_MEMORY_LIMIT` bytes of stored draws (``chains x draws x n_features``
    doubles).  The command line calls it too, so both refuse the same sizes."""
    draws = check_number("draws", draws, low=1, high=MAX_DRAWS, low_inclusive=True, integer=True)
    tune = check_number("tune", tune, low=0, high=MAX_DRAWS, low_inclusive=True, integer=True)
    chains = check_number("chains", chains, low=1, high=MAX_CHAINS, low_inclusive=True, integer=True)
    if n_features is not None:
        n_features = check_whole("n_features", n_features)
        stored = chains * draws * n_features * 8
        if stored > DRAWS_MEMORY_LIMIT:
            most = DRAWS_MEMORY_LIMIT // (8 * n_features * chains)
            hint = (f"at most {most} draws per chain with {chains} chain{'s' if chains > 1 else ''} here" if most
                    else "even one draw per chain is too much here")
            raise CuspInputError(
                f"{chains} chains x {draws} draws x {n_features} coefficients would store {stored / 1e9:.3g} GB of "
                f"draws, more than cusp's limit of {DRAWS_MEMORY_LIMIT / 1e9:g} GB: use fewer draws or chains "
                f"({hint})")
    return draws, tune, chains


def _n_features(pymc_model):
    """How many coefficients a model built by :func:`build_pymc_model` has (None if unknown)."""
    coords = getattr(pymc_model, "coords", None) or {}
    feature = coords.get("feature")
    return None if feature is None else len(feature)


def run_sampler(pymc_model, *, draws, tune, chains, random_seed, sampler="pymc", target_accept=None, progressbar=False):
    """Sample ``pymc_model`` and return an ``arviz.InferenceData`` (posterior, sample_stats,
    observed_data, constant_data).  The same ``random_seed`` gives the same draws."""
    import pymc as pm

    draws, tune, chains = check_sampling_size(draws, tune, chains, _n_features(pymc_model))
    random_seed = check_seed("random_seed", random_seed)
    if target_accept is not None:
        target_accept = check_probability("target_accept", target_accept)
    check_sampler(sampler, pymc_model)
    kwargs = {}
    if target_accept is not None:
        kwargs["target_accept"] = float(target_accept)
    with catch_signals(), pymc_model, _one_blas_thread():
        try:
            idata = pm.sample(
                draws=int(draws),
                tune=int(tune),
                chains=int(chains),
                cores=min(int(chains), os.cpu_count() or 1),
                random_seed=random_seed,
                nuts_sampler=sampler,
                progressbar=progressbar,
                compute_convergence_checks=False,  # cusp reports its own diagnostics
                **kwargs,
            )
        except Exception:
            raise_if_interrupted()  # PyMC's "Not enough samples" after a signal in tuning
            raise
        raise_if_interrupted()  # PyMC returned the draws made before the signal
    check_complete(idata, draws=draws, chains=chains)
    if "observed_data" not in idata.groups():  # collapsed model: y entered through a Potential
        data = idata.constant_data
        idata.add_groups({"observed_data": data[["y"]]})
        idata.constant_data = data.drop_vars("y")
    return idata


def check_complete(idata, *, draws, chains):
    """Raise :class:`~models.interrupts.Interrupted` unless ``idata`` holds every draw
    asked for: a cut-short sample must never pass for a result."""
    got = dict(idata.posterior.sizes)
    if got.get("chain") != chains or got.get("draw") != draws:
        raise Interrupted(f"sampling stopped early: {got.get('chain')} chains x {got.get('draw')} draws of "
                          f"{chains} x {draws}")


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _one_blas_thread():
    """One BLAS thread per chain while sampling.

    Chains already use the cores; multithreaded BLAS on top of them oversubscribes the
    machine (measured: a 50 x 50 Cholesky gradient took 19 ms instead of 0.3 ms with two
    chains on two cores).  The environment variables reach the chain processes, the
    thread-pool limit covers this process; a user's own settings are kept.
    """
    from threadpoolctl import threadpool_limits

    added = [v for v in _THREAD_VARIABLES if v not in os.environ]
    for v in added:
        os.environ[v] = "1"
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        for v in added:
            os.environ.pop(v, None)
