r"""scikit-learn estimators over cusp's models: exact MAP (with its certificate) or the
posterior, inside ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``.

``SparseRegressor`` (Gaussian noise) and ``SparseClassifier`` (logistic, binary) fit

.. math:: \hat w, \hat c = \arg\min_{w, c}\; -\log p(y \mid X w + c) + \sum_j \mathrm{pen}(w_j),

the MAP under the prior ``prior`` (a family name from :func:`priors.prior_names`, with
``scale`` and ``prior_params``; or a :class:`priors.Prior`), or, with
``inference="posterior"``, sample the posterior (:meth:`models.Model.fit`) and predict
with the posterior mean.  scikit-learn's conventions: ``__init__`` stores, ``fit``
validates and returns ``self``, fitted attributes end in ``_``.

For the Gaussian likelihood the MAP needs the noise sd: ``sigma`` if given, else a
plug-in, the residual sd of least squares (:func:`models.likelihoods.noise_guess`),
recorded as ``sigma_``; the posterior samples it.  With the Laplace prior of scale ``b``
and noise sd ``sigma`` the MAP is scikit-learn's ``Lasso(alpha=sigma**2 / (n * b))``
(:func:`models.laplace_scale_to_lasso_alpha`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from priors import CuspInputError, Prior, make_prior
from priors.validation import check_bool, check_scale, check_seed, check_whole

from models.cv import choose_scale, cv_curve, held_out_loss, scale_grid
from models.likelihoods import noise_guess
from models.model import Model

__all__ = ["SparseRegressor", "SparseClassifier", "SparsePoissonRegressor", "SparseRegressorCV", "SparseClassifierCV"]

INFERENCES = ("map", "posterior")


class _SparseEstimator(BaseEstimator):
    """What the estimators share: the prior, the checks of the settings, the fit."""

    _likelihood = "gaussian"

    def __init__(self, prior="laplace", scale=1.0, prior_params=None, sigma=None, fit_intercept=True, inference="map",
                 sampler="auto", draws=1000, tune=1000, chains=2, random_seed=None):
        self.prior = prior
        self.scale = scale
        self.prior_params = prior_params
        self.sigma = sigma
        self.fit_intercept = fit_intercept
        self.inference = inference
        self.sampler = sampler
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.random_seed = random_seed

    # ------------------------------------------------------------------ settings
    def _make_prior(self) -> Prior:
        if isinstance(self.prior, Prior):
            if self.prior_params:
                raise CuspInputError("prior_params go with a prior given by name; a Prior object carries its own")
            return self.prior.with_scale(check_scale("scale", self.scale))
        if not isinstance(self.prior, str):
            raise CuspInputError(f"prior must be a family name (e.g. 'laplace') or a Prior, got {type(self.prior).__name__}")
        params = dict(self.prior_params or {})
        if "scale" in params:
            raise CuspInputError("give the prior's scale as scale=, not inside prior_params")
        return make_prior(self.prior, scale=check_scale("scale", self.scale), **params)

    def _check_settings(self):
        if self.inference not in INFERENCES:
            raise CuspInputError(f"inference must be one of {', '.join(INFERENCES)}, got {self.inference!r}")
        check_bool("fit_intercept", self.fit_intercept)
        if self.inference == "posterior":
            check_whole("draws", self.draws)
            check_whole("tune", self.tune, low=0)
            check_whole("chains", self.chains)
            check_seed("random_seed", self.random_seed)

    def _model(self, sigma) -> Model:
        kwargs = {"sigma": sigma} if self._likelihood == "gaussian" else {}
        return Model(self._likelihood_object(), self._make_prior(), fit_intercept=self.fit_intercept, **kwargs)

    def _likelihood_object(self):
        return self._likelihood

    def _feature_names(self, n_features):
        names = getattr(self, "feature_names_in_", None)
        return [str(n) for n in names] if names is not None else [f"x{j}" for j in range(n_features)]

    # ------------------------------------------------------------------ fitting
    def _fit_checked(self, X, y):
        """Fit on validated ``X`` (float array) and ``y`` in the likelihood's coding."""
        self._check_settings()
        _check_rows(X, self.fit_intercept)
        names = self._feature_names(X.shape[1])
        sigma = self.sigma
        if self._likelihood == "gaussian" and sigma is not None:
            sigma = check_scale("sigma", sigma)
        if self.inference == "posterior":
            fit = self._model(sigma).fit(X, y, feature_names=names, draws=self.draws, tune=self.tune, chains=self.chains,
                                         random_seed=self.random_seed, sampler=self.sampler)
            self.idata_ = fit.idata
            self.fit_result_ = fit
            post = fit.idata.posterior
            self.coef_ = post["w"].mean(("chain", "draw")).values.astype(float)
            self.intercept_ = float(post["intercept"].mean()) if "intercept" in post else 0.0
            self.map_result_ = fit.map
            if self._likelihood == "gaussian":
                self.sigma_ = float(np.median(post["sigma"].values)) if sigma is None else sigma
        else:
            if self._likelihood == "gaussian":
                sigma = noise_guess(X, y) if sigma is None else sigma
                self.sigma_ = sigma
            self.map_result_ = self._model(sigma).map(X, y, feature_names=names)
            self.coef_ = np.asarray(self.map_result_.coef, dtype=float)
            self.intercept_ = float(self.map_result_.intercept)
        result = self.map_result_
        self.certificate_ = None if result is None else result.certificate
        self.n_zeros_ = None if result is None else int(np.sum(np.asarray(result.coef) == 0.0))
        return self

    def _linear_predictor(self, X):
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_


class SparseRegressor(RegressorMixin, _SparseEstimator):
    r"""Linear regression with Gaussian noise under a sparsity prior: exact MAP or posterior.

    .. math:: \min_{w, c}\; \frac{1}{2\sigma^2}\lVert y - Xw - c\rVert^2 + \sum_j \mathrm{pen}(w_j)

    Parameters
    ----------
    prior : str or Prior, default "laplace"
        A prior family (``priors.prior_names()``) or a Prior object.
    scale : float, default 1.0
        The prior's scale (the Laplace's ``b``: ``pen(w) = |w| / b``).
    prior_params : dict, optional
        The family's other parameters (``{"p": 0.5}`` for the bridge, ``{"nu": 3}``...).
    sigma : float, optional
        Noise sd; None: a least-squares plug-in for the MAP, sampled for the posterior.
    fit_intercept : bool, default True
        An unpenalized intercept.
    inference : {"map", "posterior"}, default "map"
        Predict with the exact MAP, or sample the posterior and predict with its mean.
    sampler, draws, tune, chains, random_seed
        As for :meth:`models.Model.sample` (posterior only).

    Attributes
    ----------
    coef_, intercept_ : the MAP (or the posterior means)
    n_zeros_ : exact zeros of the MAP (None without a MAP)
    certificate_ : the MAP's per-coefficient certificate (:class:`models.Certificate`)
    map_result_ : :class:`models.MapResult`
    sigma_ : the noise sd the MAP used (given, plug-in, or the posterior median)
    idata_, fit_result_ : the posterior (``inference="posterior"``)
    n_features_in_, feature_names_in_ : as scikit-learn records them
    """

    _likelihood = "gaussian"

    def fit(self, X, y):
        """Fit to ``X`` (n, p) and real ``y`` (n,); returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        return self._fit_checked(X, y)

    def predict(self, X):
        """``X coef_ + intercept_``."""
        return self._linear_predictor(X)

    def predict_draws(self, X):
        """Posterior predictive draws of ``y`` at ``X``, shape (chains * draws, n): the
        linear predictor of each draw plus its Gaussian noise (``inference="posterior"``)."""
        return _predictive_draws(self, X, lambda eta, sigma, rng: eta + sigma[:, None] * rng.standard_normal(eta.shape))


class _BinaryPredictions:
    """What both classifiers predict from ``coef_``, ``intercept_`` and ``classes_``."""

    def decision_function(self, X):
        """The log-odds of the positive class ``classes_[1]``."""
        return self._linear_predictor(X)

    def predict_proba(self, X):
        """Columns: P(classes_[0]), P(classes_[1])."""
        return _two_columns(self.decision_function(X))

    def predict(self, X):
        """The more probable label."""
        check_is_fitted(self, "coef_")
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


class SparseClassifier(ClassifierMixin, _BinaryPredictions, _SparseEstimator):
    r"""Binary logistic regression under a sparsity prior: exact MAP or posterior.

    .. math:: \min_{w, c}\; -\sum_i \log p(y_i \mid \sigma(x_i^\top w + c)) + \sum_j \mathrm{pen}(w_j)

    Parameters are those of :class:`SparseRegressor` but ``sigma`` (unused: leave None).
    ``classes_`` holds the two labels; the second is the positive class.
    """

    _likelihood = "logistic"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # the logistic likelihood is binary
        return tags

    def fit(self, X, y):
        """Fit to ``X`` (n, p) and binary labels ``y`` (n,); returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        if self.sigma is not None:
            raise CuspInputError("sigma has no meaning for the logistic likelihood; leave it None")
        self.classes_, coded = _binary_labels(y, type(self).__name__)
        return self._fit_checked(X, coded.astype(float))

    def predict_draws(self, X):
        """Posterior predictive draws of the 0/1 label (1 = ``classes_[1]``), shape
        (chains * draws, n) (``inference="posterior"``)."""
        return _predictive_draws(self, X, lambda eta, sigma, rng: (rng.uniform(size=eta.shape) < 1 / (1 + np.exp(-eta))
                                                                    ).astype(int))


class SparsePoissonRegressor(RegressorMixin, _SparseEstimator):
    r"""Poisson regression (log link) under a sparsity prior: exact MAP or posterior.

    .. math:: \min_{w, c}\; \sum_i \left(e^{x_i^\top w + c} - y_i (x_i^\top w + c)\right) + \sum_j \mathrm{pen}(w_j)

    ``y``: non-negative; non-integer values are taken as scikit-learn's
    ``PoissonRegressor`` takes them (a quasi-likelihood) for the MAP, and refused for the
    posterior.  With the Gaussian prior of sd ``s`` the MAP is ``PoissonRegressor(alpha=
    1 / (n s**2))``.  Parameters are those of :class:`SparseRegressor` but ``sigma``.
    ``predict`` returns the mean count ``exp(X coef_ + intercept_)``.
    """

    _likelihood = "poisson"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags

    def _likelihood_object(self):
        from models.likelihoods import Poisson

        return Poisson(whole_counts=self.inference == "posterior")

    def fit(self, X, y):
        """Fit to ``X`` (n, p) and non-negative ``y`` (n,); returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        if self.sigma is not None:
            raise CuspInputError("sigma has no meaning for the Poisson likelihood; leave it None")
        if self.inference == "posterior" and np.any(y != np.round(y)):
            raise CuspInputError("posterior sampling needs whole counts (PyMC's Poisson has no density between "
                                 "integers); use inference='map' for non-integer y")
        return self._fit_checked(X, y)

    def predict(self, X):
        """The mean count ``exp(X coef_ + intercept_)``."""
        return np.exp(self._linear_predictor(X))

    def score(self, X, y, sample_weight=None):
        """D², the fraction of Poisson deviance explained (scikit-learn's ``PoissonRegressor.score``)."""
        from sklearn.metrics import d2_tweedie_score

        return d2_tweedie_score(y, self.predict(X), sample_weight=sample_weight, power=1)

    def predict_draws(self, X):
        """Posterior predictive counts at ``X``, shape (chains * draws, n) (``inference="posterior"``)."""
        return _predictive_draws(self, X, lambda eta, sigma, rng: rng.poisson(np.exp(eta)))


def _binary_labels(y, who):
    """``classes_`` and ``y`` coded 0/1 (1 = ``classes_[1]``), or one clear error."""
    check_classification_targets(y)  # continuous targets: scikit-learn's own message
    k = np.unique(y).size
    if k > 2:
        raise CuspInputError(f"Only binary classification is supported: y has {k} classes; the logistic likelihood "
                             "takes two (one-vs-rest: sklearn.multiclass.OneVsRestClassifier)")
    if k < 2:
        raise CuspInputError(f"y has {k} class{'es' if k != 1 else ''}; {who} needs two")
    return np.unique(y, return_inverse=True)


def _two_columns(log_odds):
    p1 = expit(log_odds)
    return np.column_stack([1.0 - p1, p1])


def _check_rows(X, fit_intercept):
    if X.shape[0] < 2 and fit_intercept:
        raise CuspInputError("n_samples = 1: the intercept alone fits one sample exactly; give at least 2 rows "
                             "(or fit_intercept=False)")


def _predictive_draws(estimator, X, draw):
    check_is_fitted(estimator, "coef_")
    if getattr(estimator, "idata_", None) is None:
        raise CuspInputError("posterior predictive draws need inference='posterior'")
    X = validate_data(estimator, X, reset=False, dtype=np.float64)
    post = estimator.idata_.posterior
    w = post["w"].values.reshape(-1, X.shape[1])
    c = post["intercept"].values.reshape(-1) if "intercept" in post else np.zeros(w.shape[0])
    sigma = post["sigma"].values.reshape(-1) if "sigma" in post else np.full(w.shape[0], getattr(estimator, "sigma_", 1.0))
    rng = np.random.default_rng(estimator.random_seed)
    return draw(w @ X.T + c[:, None], sigma, rng)


class _SparseCV(BaseEstimator):
    """What the cross-validated estimators share: the grid, one path per fold, the choice."""

    _loss = "mse"  # the name of the held-out loss in cv_results_ and the *_path_ attribute

    def _estimator(self, scale):
        raise NotImplementedError

    def _held_out_loss(self, path, X, y):
        """The held-out loss of every point of ``path`` on ``X, y``: shape (n_scales,)."""
        raise NotImplementedError

    def _grid(self, model, X, y):
        if self.scales is not None:
            return np.sort(Model._path_scales(self.scales, "prior scales"))
        return scale_grid(model, X, y, n_scales=self.n_scales, eps=self.eps)

    def _cross_validate(self, X, y):
        """Fill the CV attributes and the refit on all of ``X, y`` (coded as the likelihood takes it)."""
        from sklearn.model_selection import check_cv

        check_bool("fit_intercept", self.fit_intercept)
        check_bool("one_standard_error", self.one_standard_error)
        _check_rows(X, self.fit_intercept)
        probe = self._estimator(1.0)
        model = probe._model(getattr(self, "sigma_", None))
        grid = self._grid(model, X, y)
        folds = list(check_cv(self.cv, y, classifier=is_classifier(self)).split(X, y))
        loss = np.empty((grid.size, len(folds)))
        for k, (train, test) in enumerate(folds):
            path = model.map_path(X[train], y[train], scales=grid)
            loss[:, k] = self._held_out_loss(path, X[test], y[test])
        mean, se = cv_curve(loss)
        best, one_se = choose_scale(mean, se)
        self.scales_ = grid
        setattr(self, f"{self._loss}_path_", loss)
        self.cv_results_ = {"scale": grid, f"mean_test_{self._loss}": mean, f"se_test_{self._loss}": se}
        self.scale_min_, self.scale_1se_ = float(grid[best]), float(grid[one_se])
        self.scale_ = self.scale_1se_ if self.one_standard_error else self.scale_min_
        refit = self._estimator(self.scale_)
        if hasattr(self, "feature_names_in_"):
            refit.feature_names_in_ = self.feature_names_in_  # the refit's MAP names the columns
        refit._fit_checked(X, y)
        for name in ("coef_", "intercept_", "n_zeros_", "certificate_", "map_result_"):
            setattr(self, name, getattr(refit, name))
        return self

    def _linear_predictor(self, X):
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_


_CV_DOC = r"""
    The default grid runs from the *all-zero scale* :math:`b_0` (:meth:`models.Model.all_zero_scale`),
    below which the MAP is exactly 0, up to :math:`b_0 / \text{{eps}}`, ``n_scales`` values
    evenly spaced in log.  Each fold fits one warm-started path (:meth:`models.Model.map_path`);
    every point keeps its certificate.  The chosen scale is refit on all the data.

    Parameters
    ----------
    prior, prior_params, fit_intercept
        As for the estimator it tunes.
    scales : array-like, optional
        The grid; default as above (needs a prior with a finite positive zero threshold).
    n_scales : int, default 100
    eps : float, default 1e-3
        The grid's span: from ``b0`` to ``b0 / eps``.
    cv : int or cross-validation splitter, default 5
        As scikit-learn's ``check_cv`` takes it (an int: ``{folds}``).
    one_standard_error : bool, default False
        Choose the strongest prior (smallest scale) whose mean held-out loss is within
        one standard error of the minimum, instead of the minimum.

    Attributes
    ----------
    scale_ : the chosen scale; scale_min_ and scale_1se_ : both choices
    scales_ : the grid (ascending)
    {loss}_path_ : held-out {loss_words}, shape (n_scales, n_folds)
    cv_results_ : dict of arrays: ``scale``, ``mean_test_{loss}``, ``se_test_{loss}``
    coef_, intercept_, n_zeros_, certificate_, map_result_ : the refit on all data
"""


class SparseRegressorCV(RegressorMixin, _SparseCV):
    __doc__ = r"""The prior scale of :class:`SparseRegressor` chosen by K-fold cross-validation of
    held-out squared error on exact MAP paths (scikit-learn's ``LassoCV`` for any prior).

    ``sigma``: one value for every fold, the least-squares plug-in on all the data when
    None (recorded as ``sigma_``).  With the Laplace prior the default grid is
    ``LassoCV``'s (``alpha = sigma**2 / (n_train * b)``).
""" + _CV_DOC.format(folds="KFold without shuffling", loss="mse", loss_words="mean squared error")

    _loss = "mse"

    def __init__(self, prior="laplace", scales=None, n_scales=100, eps=1e-3, cv=5, prior_params=None, sigma=None,
                 fit_intercept=True, one_standard_error=False):
        self.prior = prior
        self.scales = scales
        self.n_scales = n_scales
        self.eps = eps
        self.cv = cv
        self.prior_params = prior_params
        self.sigma = sigma
        self.fit_intercept = fit_intercept
        self.one_standard_error = one_standard_error

    def _estimator(self, scale):
        return SparseRegressor(prior=self.prior, scale=scale, prior_params=self.prior_params, sigma=self.sigma_,
                               fit_intercept=self.fit_intercept)

    def _held_out_loss(self, path, X, y):
        return held_out_loss("gaussian", path.coefs, path.intercepts, X, y)

    def fit(self, X, y):
        """Cross-validate the grid, choose ``scale_``, refit on all of ``X, y``; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        self.sigma_ = noise_guess(X, y) if self.sigma is None else check_scale("sigma", self.sigma)
        return self._cross_validate(X, y)

    def predict(self, X):
        """``X coef_ + intercept_`` of the refit."""
        return self._linear_predictor(X)


class SparseClassifierCV(ClassifierMixin, _BinaryPredictions, _SparseCV):
    __doc__ = r"""The prior scale of :class:`SparseClassifier` chosen by K-fold cross-validation of
    held-out log loss (the mean negative log-likelihood per observation) on exact MAP paths:
    scikit-learn's ``LogisticRegressionCV(penalty="l1", scoring="neg_log_loss")`` for any
    prior.  With the Laplace prior of scale ``b`` the MAP is ``LogisticRegression(C=b)``
    with an L1 penalty and an unpenalized intercept (:func:`models.laplace_scale_to_logistic_C`).
""" + _CV_DOC.format(folds="StratifiedKFold without shuffling", loss="log_loss",
                     loss_words="mean log loss")

    _loss = "log_loss"

    def __init__(self, prior="laplace", scales=None, n_scales=100, eps=1e-3, cv=5, prior_params=None,
                 fit_intercept=True, one_standard_error=False):
        self.prior = prior
        self.scales = scales
        self.n_scales = n_scales
        self.eps = eps
        self.cv = cv
        self.prior_params = prior_params
        self.fit_intercept = fit_intercept
        self.one_standard_error = one_standard_error

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # the logistic likelihood is binary
        return tags

    def _estimator(self, scale):
        return SparseClassifier(prior=self.prior, scale=scale, prior_params=self.prior_params,
                                fit_intercept=self.fit_intercept)

    def _held_out_loss(self, path, X, y):
        return held_out_loss("logistic", path.coefs, path.intercepts, X, y)

    def fit(self, X, y):
        """Cross-validate the grid, choose ``scale_``, refit on all of ``X, y``; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, coded = _binary_labels(y, type(self).__name__)
        return self._cross_validate(X, coded.astype(float))
