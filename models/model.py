"""The Model: a likelihood paired with a prior, and its exact MAP."""

from __future__ import annotations

import dataclasses
import numbers
import warnings

import numpy as np

from priors import CuspDataWarning, CuspInputError, Prior, gaussian
from priors.validation import (SCALE_RANGE, check_bool, check_number, check_positive, check_probability, check_scale, check_seed,
                               check_whole)

from models.map.solver import GramCache, penalty_sum, solve
from models.data import as_design, check_lengths, check_names, column_notes, describe_value
from models.map.certificate import abs_design, certify, matvec
from models.fit import FitResult
from models.likelihoods import NormalMeans, make_likelihood
from models.posterior import SAMPLERS, build_pymc_model, collapses, run_sampler
from models.posterior.propriety import improper_posterior_reason
from models.posterior.loo import add_log_likelihood, log_likelihood_too_large, loo
from models.posterior.gibbs import gibbs_inference_data, gibbs_unavailable
from models.interrupts import catch_signals, raise_if_interrupted
from models.posterior.pymc_model import check_sampling_size
from models.results import MapPath, MapResult
from models.io import add_loo, add_map, add_path, write_fit_attrs

_RIDGE_START_FACTOR = 10.0
_SCALES_EXAMPLE = "an array of prior scales, e.g. prior.scale * np.logspace(-2, 2, 25)"


def _check_start(coef_init, p):
    """The solver's starting coefficients: zeros, or ``coef_init`` as ``p`` finite numbers."""
    if coef_init is None:
        return np.zeros(p)
    if isinstance(coef_init, np.ndarray) and type(coef_init) is np.ndarray and coef_init.dtype.kind in "iuf" \
            and coef_init.shape == (p,) and np.all(np.isfinite(coef_init)):
        return coef_init.astype(float)  # the warm starts of a path: no per-element check needed
    try:
        raw = np.asarray(coef_init, dtype=object)
    except (TypeError, ValueError):  # not array-like at all
        raw = np.empty(0, dtype=object)
    if raw.shape != (p,):
        raise CuspInputError(f"coef_init must be finite numbers, one per column of X (shape ({p},)), "
                             f"got {describe_value(coef_init, typed=False)} with shape {raw.shape}")
    start = np.empty(p)
    for j, value in enumerate(raw):
        try:
            start[j] = check_number(f"coef_init[{j}]", value)
        except CuspInputError:
            raise CuspInputError(f"coef_init must be finite numbers, one per column of X; "
                                 f"coef_init[{j}] is {describe_value(value, typed=False)}") from None
    return start


class Model:
    r"""A likelihood paired with a prior on each coefficient.

    The MAP minimizes

    .. math:: -\log p(y \mid X w + c) + \sum_j \mathrm{penalty}(w_j),

    with an unpenalized intercept ``c`` (flat prior) unless ``fit_intercept=False``.

    Parameters
    ----------
    likelihood : {"gaussian", "logistic", "poisson", "normal_means"} or Likelihood
        The observation model.  ``"normal_means"`` has the identity as design
        (``y_j ~ N(w_j, sigma^2)``) and no intercept.
    prior : Prior
        From :mod:`priors`, e.g. ``laplace(1.0)``.
    sigma : float, optional
        Noise standard deviation for the Gaussian and normal-means likelihoods; None
        (default) estimates it when sampling.
    sigma_prior : {"halfnormal", "jeffreys"}, optional
        The prior of an unknown ``sigma``: ``sigma ~ HalfNormal(sd(y))`` (default) or
        Jeffreys' :math:`p(\sigma^2) \propto 1/\sigma^2` (Park & Casella 2008).
    scale_by_sigma : bool
        Multiply the prior's scale by the noise sd ``sigma`` (default False): the
        Bayesian lasso of Park & Casella, :math:`w_j \mid \sigma \sim
        \mathrm{Laplace}(0, \sigma b)`, and the horseshoe convention of the R packages.
        Gaussian and normal-means likelihoods only; the MAP then needs a known ``sigma``
        (it uses the prior ``scale x sigma``, and says so in its notes).
    fit_intercept : bool, optional
        Default True, except for normal means.
    tol : float
        Relative tolerance of the certificate: the solver stops when every optimality
        condition is violated by at most ``tol * max(1, |slope at the null model|_inf)``.
        Must be > 0 and < 1e-2 (default 1e-9).
    max_iter : int
        Outer iterations before giving up (the result then says ``converged=False``).

    Examples
    --------
    >>> from priors import laplace
    >>> from models import Model, load_diabetes
    >>> X, y, names = load_diabetes()
    >>> res = Model("gaussian", laplace(1.0), sigma=54.0).map(X, y, feature_names=names)
    >>> res.n_zeros > 0
    True
    """

    def __init__(self, likelihood, prior, *, sigma=None, sigma_prior=None, scale_by_sigma=False, fit_intercept=None, tol=1e-9,
                 max_iter=1000):
        if not isinstance(prior, Prior):
            raise CuspInputError(f"prior must be a Prior from the priors package (e.g. laplace(1.0)), got {describe_value(prior)}")
        self.likelihood = make_likelihood(likelihood, sigma=sigma, sigma_prior=sigma_prior)
        self.prior = prior
        self.scale_by_sigma = check_bool("scale_by_sigma", scale_by_sigma)
        if self.scale_by_sigma and not hasattr(self.likelihood, "sigma"):
            raise CuspInputError(f"scale_by_sigma multiplies the prior's scale by the noise sd, which the "
                                 f"{self.likelihood.name} likelihood does not have; remove it")
        # asked once: a map path builds one Model per scale, and the solver asks often
        self._capabilities = (prior.has_pole_at_zero, prior.map_kind)
        self.normal_means = isinstance(self.likelihood, NormalMeans)
        if fit_intercept is None:
            fit_intercept = not self.normal_means
        fit_intercept = check_bool("fit_intercept", fit_intercept)
        if fit_intercept and self.normal_means:
            raise CuspInputError("the normal_means likelihood has no intercept: drop fit_intercept=True")
        self.fit_intercept = fit_intercept
        # relative certificate tolerance: > 0, and < 1e-2 (a looser one would certify nothing useful)
        self.tol = check_number("tol", tol, low=0.0, high=1e-2, high_inclusive=False)
        self.max_iter = check_whole("max_iter", max_iter)

    # ------------------------------------------------------------------ helpers
    @property
    def local_mode(self) -> bool:
        """True when the prior's density has a pole at 0, so its global MAP is degenerate
        (0 for every data set) and the solver reports the non-zero local mode."""
        return self._capabilities[0]

    @property
    def mode(self) -> str:
        return self._capabilities[1]

    def _check_data(self, X, y, feature_names, *, sparse_ok=False):
        """``(X, y, names)`` checked; ``sparse_ok``: a scipy.sparse ``X`` is kept sparse (CSC)
        for the MAP, instead of one clear error (the samplers need a dense design)."""
        if self.normal_means:
            if X is not None:
                raise CuspInputError("normal_means takes no X: call map(y=y)")
            y = self.likelihood.check_y(y)
            names = check_names(feature_names, y.size, "means") if feature_names is not None else [
                f"w{j}" for j in range(y.size)]
            return None, y, names
        if X is None or y is None:
            raise CuspInputError("map needs both X and y")
        X, names = as_design(X, feature_names, sparse_ok=sparse_ok)
        y = self.likelihood.check_y(y)
        check_lengths(X, y, fit_intercept=self.fit_intercept)
        return X, y, names

    def _column_notes(self, X, names):
        """Notes on unidentifiable columns, each also issued as a CuspDataWarning."""
        if X is None:
            return []
        notes = column_notes(X, names, self.prior, fit_intercept=self.fit_intercept)
        for note in notes:
            warnings.warn(note, CuspDataWarning, stacklevel=3)
        return notes

    def _tolerance(self, X, y):
        c0 = self.likelihood.null_intercept(y) if self.fit_intercept else 0.0
        g = self.likelihood.grad(np.full(y.size, c0), y)
        ref = float(np.max(np.abs(g if X is None else X.T @ g), initial=0.0))
        return self.tol * max(1.0, ref)

    def all_zero_scale(self, X=None, y=None) -> float:
        r"""The prior scale :math:`b_0` at and below which the MAP is exactly 0.

        At :math:`w = 0` (the intercept at its intercept-only value) every coefficient
        is a certified zero while the largest slope of the negative log-likelihood,
        :math:`\max_j |x_j^\top \nabla \ell(\eta_0)|`, is at most the zero threshold;
        the threshold of a scale family is proportional to :math:`1/b`, so
        :math:`b_0 = t_1 / \max_j |x_j^\top \nabla \ell(\eta_0)|` with :math:`t_1` the
        threshold at scale 1 (the Laplace's: :math:`b_0 = 1 / \text{slope}`, the Lasso's
        ``alpha_max`` converted).  One clear error when no scale gives the all-zero MAP
        (a smooth prior: threshold 0; a pole at 0: every scale).
        """
        X, y, _ = self._check_data(X, y, None, sparse_ok=True)
        threshold = self.prior.with_scale(1.0).zero_threshold
        if not 0.0 < threshold < np.inf:
            raise CuspInputError(f"{self.prior.family} has zero threshold {threshold:g} at every scale, so no scale makes "
                                 "every coefficient 0; give the grid of scales yourself")
        eta0 = self.likelihood.null_intercept(y) if self.fit_intercept else 0.0
        g = self.likelihood.grad(np.full(y.size, eta0), y)
        slope = float(np.max(np.abs(g if X is None else X.T @ g), initial=0.0))
        if slope == 0.0:
            raise CuspInputError("no column is related to y at all (every slope at 0 is 0): every scale gives the "
                                 "all-zero MAP; give the grid of scales yourself")
        b0 = threshold / slope
        return b0 / self.likelihood.known_sigma() if self.scale_by_sigma else b0

    def objective(self, X, y, coef, intercept=0.0) -> float:
        """The MAP objective at ``(coef, intercept)`` (no validation; arrays as given)."""
        return self._objective_at(matvec(X, np.asarray(coef, dtype=float)) + intercept, y, coef)

    def _objective_at(self, eta, y, coef) -> float:
        """The MAP objective given the linear predictor ``eta`` of ``coef``."""
        penalty = penalty_sum(self.prior, np.asarray(coef, dtype=float), self.local_mode)
        return self.likelihood.value(eta, np.asarray(y, dtype=float)) + penalty

    # ------------------------------------------------------------------ MAP
    def map(self, X=None, y=None, *, feature_names=None, coef_init=None, intercept_init=None) -> MapResult:
        """Exact MAP estimate with a per-coefficient certificate.

        Parameters
        ----------
        X : array-like of shape (n, p) or DataFrame
            Design (omit for normal means).
        y : array-like of shape (n,)
            Response: real (Gaussian), 0/1 (logistic), counts (Poisson).
        feature_names : list of str, optional
            Names for the columns (taken from a DataFrame's columns otherwise).
        coef_init, intercept_init : optional
            Warm start.

        Returns
        -------
        MapResult
        """
        X, y, names = self._check_data(X, y, feature_names, sparse_ok=True)
        return self._map_checked(X, y, names, coef_init, intercept_init, data_notes=self._column_notes(X, names))

    def _penalty_view(self) -> Model:
        """The model whose penalty the MAP minimizes: itself, or with ``scale_by_sigma``
        the same model with the prior's scale multiplied by the known ``sigma``."""
        if not self.scale_by_sigma:
            return self
        sigma = self.likelihood.known_sigma()
        return Model(self.likelihood, self.prior.with_scale(check_scale(
            f"prior scale {self.prior.scale:g} x sigma {sigma:g} (scale_by_sigma)", self.prior.scale * sigma)),
            fit_intercept=self.fit_intercept, tol=self.tol, max_iter=self.max_iter)

    def _scaled_note(self) -> str:
        sigma = self.likelihood.sigma
        return (f"scale_by_sigma: the prior's scale is {self.prior.scale:g} x sigma ({sigma:g}) = "
                f"{self.prior.scale * sigma:.6g}")

    def _map_checked(self, X, y, names, coef_init, intercept_init, tol_abs=None, data_notes=None, abs_X=None, gram=None):
        if self.scale_by_sigma and self.prior.has_map_view:
            res = self._penalty_view()._map_checked(X, y, names, coef_init, intercept_init, tol_abs, data_notes, abs_X,
                                                    gram)
            return dataclasses.replace(res, notes=(*res.notes, self._scaled_note()))
        if not self.prior.has_map_view:
            raise CuspInputError(f"{self.prior.describe()} has no MAP: {self.prior.no_map_reason}")
        if getattr(self.likelihood, "estimates_sigma", False):
            self.likelihood.known_sigma()  # raises the explanation
        tol_abs = self._tolerance(X, y) if tol_abs is None else tol_abs
        if data_notes is None:
            data_notes = [] if X is None else column_notes(X, names, self.prior, fit_intercept=self.fit_intercept)
        notes = list(data_notes)
        if self.normal_means:
            # Separable: w_j = prox(y_j, sigma^2) is the exact coordinatewise minimizer.
            coef = np.asarray(self.prior.prox_local(y, self.likelihood.sigma**2), dtype=float).reshape(y.shape)
            intercept, converged, n_iter, message = 0.0, True, 1, "closed form: w_j = prox(y_j, sigma^2)"
            eta = slope = None
        else:
            coef0 = _check_start(coef_init, X.shape[1])
            intercept_init = check_number("intercept_init", intercept_init, allow_none=True)
            if coef_init is None and self.prior.zero_threshold == np.inf:
                coef0, start_c = self._ridge_start(X, y, names, tol_abs)
                notes.append(
                    f"0 is a local MAP for every coefficient under this prior; the solver started from the "
                    f"ridge MAP with a gaussian({_RIDGE_START_FACTOR:g} x scale) prior and reports the local minimum reached."
                )
                intercept_init = start_c if intercept_init is None else intercept_init
            c0 = intercept_init
            if c0 is None:
                c0 = self.likelihood.null_intercept(y) if self.fit_intercept else 0.0
            out = solve(
                X, y, self.likelihood, self.prior,
                fit_intercept=self.fit_intercept, coef0=coef0, intercept0=c0 if self.fit_intercept else 0.0,
                tol=tol_abs, max_iter=self.max_iter, local_mode=self.local_mode, gram=gram,
            )
            coef, intercept, converged, n_iter, message = out.coef, out.intercept, out.converged, out.n_iter, out.message
            eta, slope = out.eta, out.slope
        if self.local_mode:
            notes.insert(
                0,
                f"The {self.prior.family} density is infinite at 0, so its global MAP is w = 0 for every data set "
                "(objective -inf). Reported: the non-zero local mode; the objective sums penalties over non-zeros only.",
            )
        if eta is None:
            eta = matvec(X, coef) + intercept
        cert = certify(self.likelihood, self.prior, X, y, coef, intercept, fit_intercept=self.fit_intercept, tol=tol_abs,
                       local_mode=self.local_mode, eta=eta, slope=slope, abs_X=abs_X)
        if not converged:
            notes.append(f"NOT converged: {message}")
        return MapResult(
            coef=coef, intercept=float(intercept), objective=self._objective_at(eta, y, coef),
            converged=bool(converged and cert.holds), message=message, n_iter=n_iter, certificate=cert,
            feature_names=names, prior=self.prior, likelihood=self.likelihood.describe(), mode=self.mode,
            notes=tuple(notes),
        )

    # ------------------------------------------------------------------ posterior
    def pymc_model(self, X=None, y=None, *, feature_names=None):
        """The ``pymc.Model`` of this likelihood and prior on ``(X, y)`` (see
        :func:`models.posterior.build_pymc_model`)."""
        X, y, names = self._check_data(X, y, feature_names)
        return build_pymc_model(self.likelihood, self.prior, X, y, names, fit_intercept=self.fit_intercept)

    def sample(self, X=None, y=None, *, feature_names=None, draws=1000, tune=1000, chains=2, random_seed=None,
               sampler="auto", target_accept=None, progressbar=False, path_factors=None, thin=1):
        """Posterior draws (exact Gibbs or NUTS), and the MAP of the same model, in one InferenceData.

        Parameters
        ----------
        X, y, feature_names
            As for :meth:`map`.
        draws, tune, chains : int
            Draws kept per chain, tuning steps per chain, number of chains.
        random_seed : int, optional
            The same seed gives the same draws.
        sampler : {"auto", "gibbs", "pymc", "nutpie"}
            ``"auto"`` (default) runs the Gibbs sampler where it applies and NUTS
            (``"pymc"``) elsewhere, or when ``target_accept`` is given; the results
            record which ran (``cusp_sampler``) and the notes say why.  ``"gibbs"``: the
            exact Gibbs samplers of :mod:`models.posterior.gibbs` (Gaussian and logistic
            likelihoods; Gaussian, Laplace, Student-t, horseshoe and spike-and-slab
            priors, with their hyperpriors), in the same layout; they have no divergences
            (reported as not applicable) and ``tune`` iterations are discarded as
            warm-up.  ``"pymc"``: PyMC's NUTS; ``"nutpie"``: nutpie's NUTS, an optional
            extra (``pip install 'cusp[nutpie]'``).
        target_accept : float, optional
            NUTS target acceptance; default: the prior's recommendation
            (``prior.pymc_target_accept``, 0.95 for the horseshoe family) unless ``w`` is
            integrated out (Gaussian likelihood), else PyMC's 0.8.
        progressbar : bool
            Show PyMC's progress bars.
        thin : int, default 1
            Gibbs only: keep the last of every ``thin`` sweeps after the warm-up, so
            ``draws`` kept draws cost ``draws * thin`` sweeps (bayesreg's ``thin``); for
            Gibbs chains whose draws are strongly autocorrelated (the Bayesian lasso with
            p >> n).  NUTS refuses it (its draws need no thinning).
        path_factors : array-like, optional
            Also compute the MAP path over ``prior.scale * path_factors`` (with the MAP's
            likelihood) and store it in group ``map_path``, so that reports show it
            without solving again; e.g. ``models.fit.PATH_FACTORS`` (0.01 to 100, as the
            model scripts use).  Default: no path.

        Returns
        -------
        arviz.InferenceData
            Groups ``posterior`` (``w`` over ``feature``, ``intercept``, ``sigma`` when
            estimated, the prior's auxiliaries), ``sample_stats``, ``observed_data``,
            ``constant_data``, ``log_likelihood`` (``y``: ``log p(y_i | draw)`` per draw
            and observation, for ``arviz.loo``), ``loo`` (its PSIS-LOO, stored so that
            reports need not compute it) and ``map`` (the exact MAP with its certificate;
            absent for priors without a MAP), ``map_path`` when asked for.  When ``sigma`` is
            estimated, the MAP is computed at its posterior median, and the notes say so.
            The file format (groups and ``cusp_*`` attributes) is :mod:`models.io`'s.
        """
        # every setting is checked before any work; the size limit once the data say how many coefficients
        draws, tune, chains = check_sampling_size(draws, tune, chains)
        random_seed = check_seed("random_seed", random_seed)
        if target_accept is not None:
            target_accept = check_probability("target_accept", target_accept)
        progressbar = check_bool("progressbar", progressbar)
        thin = check_whole("thin", thin)
        X, y, names = self._check_data(X, y, feature_names)
        check_sampling_size(draws, tune, chains, len(names))
        factors = None if path_factors is None else self._path_factors(path_factors)
        improper = improper_posterior_reason(
            self.prior, sigma_prior=getattr(self.likelihood, "sigma_prior", None),
            sigma_known=getattr(self.likelihood, "sigma", None) is not None, n_obs=y.size,
            n_features=None if X is None else X.shape[1], fit_intercept=self.fit_intercept, scale_by_sigma=self.scale_by_sigma)
        if improper:
            raise CuspInputError(improper)
        sampler, notes = self._choose_sampler(sampler, target_accept)
        if thin > 1 and sampler != "gibbs":
            raise CuspInputError(f"thin={thin} thins the Gibbs sampler's draws; {sampler} (NUTS) runs this model and "
                                 "takes no thinning: leave thin out")
        if thin > 1:
            notes.append(f"thinned: each kept draw is the last of {thin} Gibbs sweeps ({draws * thin} sweeps per chain "
                         "after the warm-up)")
        data_notes = self._column_notes(X, names)  # warn before the (long) sampling
        if sampler == "gibbs":
            with catch_signals():
                idata = gibbs_inference_data(X, y, self.prior, likelihood=self.likelihood, feature_names=names,
                                             fit_intercept=self.fit_intercept, draws=draws, tune=tune, chains=chains,
                                             random_seed=random_seed, scale_by_sigma=self.scale_by_sigma, thin=thin)
                raise_if_interrupted()
        else:
            pymc_model = build_pymc_model(self.likelihood, self.prior, X, y, names, fit_intercept=self.fit_intercept,
                                          scale_by_sigma=self.scale_by_sigma)
            if target_accept is None and not collapses(self.likelihood, self.prior, X):
                # the collapsed model has no funnel left: PyMC's default suits it
                target_accept = self.prior.pymc_target_accept
            idata = run_sampler(pymc_model, draws=draws, tune=tune, chains=chains, random_seed=random_seed,
                                sampler=sampler, target_accept=target_accept, progressbar=progressbar)
            if self.scale_by_sigma:
                # the prior's own variables were built under w_std (w = sigma w_std): give its
                # latent variables the names every sampler uses (w_rate, w_lam, ...)
                post = idata.posterior
                idata.posterior = post.rename({v: "w_" + v[len("w_std_"):] for v in post.data_vars if v.startswith("w_std_")})
        too_many = log_likelihood_too_large(chains * draws, y.size)
        if too_many:
            notes.append(too_many)
        else:
            add_log_likelihood(idata, self.likelihood)
            add_loo(idata, loo(idata))
        if self.prior.has_map_view:
            map_model = self
            if getattr(self.likelihood, "estimates_sigma", False):
                sigma_hat = float(np.median(idata.posterior["sigma"].values))
                map_model = Model(self.likelihood.with_sigma(sigma_hat), self.prior, fit_intercept=self.fit_intercept,
                                  scale_by_sigma=self.scale_by_sigma, tol=self.tol, max_iter=self.max_iter)
                notes.append(f"sigma was estimated; the MAP is computed at its posterior median, sigma = {sigma_hat:.6g}")
            add_map(idata, map_model._map_checked(X, y, names, None, None, data_notes=data_notes), map_model.likelihood)
            if factors is not None:
                try:
                    path = map_model._map_path_checked(X, y, names, self.prior.scale * factors, data_notes)
                except CuspInputError as exc:
                    notes.append(f"no MAP path: {exc}")
                else:
                    add_path(idata, path, factors)
        else:
            notes.append(f"no MAP for this prior: {self.prior.no_map_reason}")
            notes += data_notes
        write_fit_attrs(idata, prior=self.prior, likelihood=self.likelihood, fit_intercept=self.fit_intercept,
                        sampler=sampler, target_accept=target_accept, notes=notes, scale_by_sigma=self.scale_by_sigma)
        return idata

    def _choose_sampler(self, sampler, target_accept):
        """The sampler that runs (``"auto"`` resolved) and the notes that say why, or one
        CuspInputError for a sampler that cannot run this model."""
        if sampler not in SAMPLERS:
            raise CuspInputError(f"unknown sampler {describe_value(sampler, typed=False)}; choose one of {', '.join(SAMPLERS)}")
        reason = gibbs_unavailable(self.likelihood, self.prior)
        if sampler == "gibbs":
            if reason:
                raise CuspInputError(reason)
            if target_accept is not None:
                raise CuspInputError("target_accept is a NUTS setting; the Gibbs sampler has none (leave it out)")
        if sampler != "auto":
            return sampler, []
        if target_accept is not None:
            return "pymc", ["sampler 'auto' ran NUTS (PyMC): target_accept is a NUTS setting"]
        if reason:
            return "pymc", [f"sampler 'auto' ran NUTS (PyMC): {reason.split(';')[0]}"]
        return "gibbs", ["sampler 'auto' ran the exact Gibbs sampler"]

    def fit(self, X=None, y=None, **kwargs) -> FitResult:
        """MAP and posterior together: :meth:`sample` wrapped in a :class:`FitResult`
        (zero statistics, diagnostics, netCDF save/load).  Takes the same arguments;
        ``path_factors=models.fit.PATH_FACTORS`` also stores the MAP path
        (``FitResult.path``), which reports then show."""
        return FitResult.from_idata(self.sample(X, y, **kwargs))

    def _ridge_start(self, X, y, names, tol_abs):
        # the start's scale stays inside the accepted range (a prior at 1e50 starts from gaussian(1e50))
        ridge = Model(self.likelihood, gaussian(min(_RIDGE_START_FACTOR * self.prior.scale, SCALE_RANGE[1])), fit_intercept=self.fit_intercept,
                      tol=self.tol, max_iter=self.max_iter)
        res = ridge._map_checked(X, y, names, None, None, tol_abs, data_notes=[])
        return res.coef, res.intercept

    def map_path(self, X=None, y=None, scales=None, *, feature_names=None) -> MapPath:
        """MAP estimates for the same prior family at each scale in ``scales``.

        Fits run from the smallest scale (strongest prior) up, each warm-started from
        the previous solution; results are returned in the order given.
        """
        X, y, names = self._check_data(X, y, feature_names, sparse_ok=True)
        scales = self._path_scales(scales, "prior scales")
        # the column notes do not depend on the scale (the split rule depends on the family)
        return self._map_path_checked(X, y, names, scales, self._column_notes(X, names))

    @staticmethod
    def _path_scales(values, what):
        """``values`` as a 1-D float array: prior scales (each inside
        :data:`~priors.validation.SCALE_RANGE`), or finite positive factors of the prior scale."""
        scales = what == "prior scales"
        name, one = ("scales", "prior scale") if scales else (what, "factor")
        if values is None:
            raise CuspInputError(f"map_path needs scales: {_SCALES_EXAMPLE}")
        if isinstance(values, (str, bytes, dict, set, frozenset)) or not (
                isinstance(values, (list, tuple, np.ndarray, numbers.Real))):
            wanted = _SCALES_EXAMPLE if scales else "factors of the prior scale, e.g. np.logspace(-2, 2, 25)"
            raise CuspInputError(f"{name} must be a list or array of numbers ({wanted}), got {describe_value(values)}")
        if isinstance(values, np.ma.MaskedArray):
            raise CuspInputError(f"{name} is a masked array: give a plain list or array of numbers")
        raw = np.asarray(values, dtype=object).ravel()  # no coercion: True is not a scale
        if raw.size == 0:
            raise CuspInputError(f"{name} is empty: give at least one {one}")
        check = check_scale if scales else check_positive
        return np.array([check(f"{one} in {name}", v) for v in raw], dtype=float)

    def _path_factors(self, values):
        """The factors of the prior scale whose scaled values are valid prior scales (the
        others are left out of the stored path; a note in the results says so), or one
        CuspInputError when none is."""
        factors = self._path_scales(values, "path_factors")
        low, high = SCALE_RANGE
        inside = (self.prior.scale * factors >= low) & (self.prior.scale * factors <= high)
        if not inside.any():
            check_scale(f"prior scale {self.prior.scale:g} x path factor {factors[0]:g}", self.prior.scale * factors[0])
        return factors[inside]

    def _map_path_checked(self, X, y, names, scales, data_notes):
        results = [None] * scales.size
        coef, intercept = None, None
        tol_abs = self._tolerance(X, y)  # the tolerance does not depend on the prior
        abs_X = abs_design(X) if self.prior.convex else None  # the gap's rounding bound, once per path
        # a quadratic likelihood's Gram products are the same at every scale: computed once
        gram = GramCache(X, self.fit_intercept) if self.likelihood.quadratic and X is not None else None
        for k in np.argsort(scales, kind="stable"):
            model = Model(self.likelihood, self.prior.with_scale(float(scales[k])), scale_by_sigma=self.scale_by_sigma,
                          fit_intercept=self.fit_intercept, tol=self.tol, max_iter=self.max_iter)
            res = model._map_checked(X, y, names, coef, intercept, tol_abs, data_notes, abs_X, gram)
            results[k] = res
            coef, intercept = res.coef, res.intercept
        return MapPath(
            scales=scales,
            coefs=np.array([r.coef for r in results]),
            intercepts=np.array([r.intercept for r in results]),
            objectives=np.array([r.objective for r in results]),
            converged=np.array([r.converged for r in results]),
            feature_names=names,
            results=tuple(results),
        )
