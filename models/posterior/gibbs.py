r"""Exact Gibbs samplers for Gaussian and logistic regression under shrinkage priors.

The priors cusp samples this way declare one of two forms (engines never check a class):

* a **scale mixture of normals**, :math:`w_j \mid v_j \sim N(0, v_j)`, with an exact
  conditional draw of the mixing variables (``prior.scale_mixture.gibbs``): Gaussian
  (``v`` fixed), Laplace (Park & Casella 2008; optionally its rate with a Gamma
  hyperprior), Student-t (inverse-gamma ``v``) and horseshoe (slice step for the local
  scales; optionally the global scale, half-Cauchy or half-t, through the inverse-gamma
  mixture of Makalic & Schmidt 2016 / Wand et al. 2011);
* a **point mass with a Gaussian slab** (``prior.point_mass_mixture``): spike-and-slab,
  sampled by collapsed Gibbs on the inclusion indicators with ``w`` integrated out, so
  excluded coefficients are exactly 0.0 and the indicators mix well.

Three moves make the Gaussian sampler mix where the textbook one crawls (each measured
in its module and in ``benchmarks/posterior.py``):

* the **partially collapsed sweep** (:mod:`models.posterior.collapsed_sweep`): after each
  joint draw of ``w``, every ``(v_j, w_j)`` pair is drawn with ``w_j`` integrated out,
  which removes the funnel of the null coefficients under a small global scale;
* the **blocked step** (:mod:`models.posterior.marginal_step`): when the global scale is
  sampled, or sigma is unknown and ``p >= n``, both are drawn with ``w`` integrated out
  (slice steps on one eigendecomposition), then ``w``;
* the **global-local rescaling**: a slice step along ``(log tau + h, log u_j - 2h)``,
  which leaves every variance, hence the likelihood, unchanged.

Jeffreys' prior on sigma with ``p >= n`` makes most of these posteriors improper; that is
refused before sampling (:mod:`models.posterior.propriety`).

Given the latent variables each model is Gaussian in the coefficients
(:mod:`models.posterior.gaussian_draw`), drawn exactly: Rue's Cholesky algorithm when
``n >= p`` and Bhattacharya, Chakraborty & Mallick (2016) when ``p > n``.

* **Gaussian likelihood.**  A flat-prior intercept is integrated out by centring ``X``
  and ``y``; its draws are ``mean(y) - mean(X) w + sigma / sqrt(n) z``.  An unknown
  ``sigma`` is drawn from its exact conditional: inverse-gamma under Jeffreys' prior
  :math:`p(\sigma^2) \propto 1/\sigma^2`, generalized inverse Gaussian under the
  default ``sigma ~ HalfNormal(sd(y))`` (the prior NUTS uses).  ``scale_by_sigma``
  multiplies every prior variance by :math:`\sigma^2` (Park & Casella's Bayesian lasso).
* **Logistic likelihood**, by Pólya-Gamma augmentation (Polson, Scott & Windle 2013):
  :math:`\omega_i \mid w \sim PG(1, \eta_i)` and, given :math:`\omega`, pseudo-data
  :math:`(y_i - 1/2) / \omega_i \sim N(\eta_i, 1/\omega_i)`.  The intercept has the
  proper normal prior NUTS gives it (:func:`models.posterior.intercept_prior`).

Chains use independent streams spawned from the seed (chain ``k``'s draws do not depend
on how many chains run, or where) and run in parallel processes when the work is large.
"""

from __future__ import annotations

import math
import os

import numpy as np

from priors import CuspInputError, Prior
from priors.mixture import inv_gamma
from priors.validation import check_bool, check_scale, check_seed, check_whole

from models.data import as_design, check_lengths, describe_value
from models.likelihoods import Gaussian, Logistic, sigma_prior_scale
from models.posterior.collapsed_sweep import collapsed_sweep, collapsed_sweep_diagonal, sweep_seed
from models.posterior.propriety import improper_posterior_reason
from models.posterior.marginal_step import MarginalSpectrum, slice_step
from models.posterior.gaussian_draw import draw_coefficients, draw_diagonal, draw_included, indicator_sweep

#: Below this much work (n * p * iterations, summed over chains) chains run one after
#: the other: starting processes would cost more than it saves.
PARALLEL_WORK = 4 * 10**8
#: Most coefficients the collapsed spike-and-slab step takes: it keeps the p x p Gram
#: matrix and costs a small Cholesky factorization per coefficient and sweep.
SPIKE_SLAB_MAX_FEATURES = 2000

__all__ = ["gibbs_posterior", "supports_gibbs", "gibbs_inference_data", "gibbs_unavailable", "PARALLEL_WORK"]


def supports_gibbs(prior) -> bool:
    """True when the prior declares a form the Gibbs samplers draw exactly: a scale
    mixture with a Gibbs step (``prior.scale_mixture.gibbs``) or a point mass with a
    Gaussian slab (``prior.point_mass_mixture``)."""
    mixture = prior.scale_mixture
    return (mixture is not None and mixture.gibbs is not None) or prior.point_mass_mixture is not None


# ------------------------------------------------------------------ noise
class _Noise:
    """The Gaussian noise sd: known, or sampled under a HalfNormal or Jeffreys prior."""

    def __init__(self, sigma, prior, prior_scale):
        self.sigma, self.prior, self.prior_scale = sigma, prior, prior_scale

    @property
    def known(self):
        return self.sigma is not None

    def initial(self, y, rng):
        if self.known:
            return self.sigma**2
        return float(np.var(y)) * rng.uniform(0.25, 1.0) or 1.0

    def log_prior_log_sigma(self, log_sigma):
        """``log p(log sigma)`` up to a constant (the prior in sigma times the Jacobian
        ``sigma``): Jeffreys' ``p(sigma^2) ~ 1 / sigma^2`` is flat in ``log sigma``."""
        if self.prior == "jeffreys":
            return 0.0
        return -0.5 * math.exp(2.0 * log_sigma) / self.prior_scale**2 + log_sigma

    def draw_variance(self, shape2, chi, rng):
        r"""A draw of :math:`\sigma^2` whose conditional is
        :math:`(\sigma^2)^{-shape2/2} e^{-chi / (2 \sigma^2)}` times the prior's
        density in :math:`\sigma^2`."""
        chi = max(chi, 1e-300)
        if self.prior == "jeffreys":  # p(sigma^2) ~ 1/sigma^2
            return inv_gamma(0.5 * shape2, 0.5 * chi, rng)
        # HalfNormal(s) on sigma: p(sigma^2) ~ (sigma^2)^(-1/2) exp(-sigma^2 / (2 s^2)),
        # so sigma^2 | . ~ GIG(lambda = -(shape2 - 1)/2, chi, psi = 1/s^2).  Rejection from
        # the inverse-gamma part, accepting with exp(-psi x / 2) <= 1: exact, and the
        # acceptance rate is E[exp(-sigma^2 / (2 s^2))], about 0.6 or more for s = sd(y).
        psi = 1.0 / self.prior_scale**2
        shape = 0.5 * (shape2 - 1.0)
        if shape > 0:
            for _ in range(64):
                x = inv_gamma(shape, 0.5 * chi, rng)
                if rng.uniform() < math.exp(-0.5 * psi * x):
                    return x
        from scipy.stats import geninvgauss

        return math.sqrt(chi / psi) * float(geninvgauss.rvs(-shape, math.sqrt(chi * psi), random_state=rng))


# ------------------------------------------------------------------ chains
class _GaussianChain:
    """One chain's sampler for ``y ~ N(X w + c, sigma^2)`` (``X=None``: normal means)."""

    def __init__(self, X, y, prior, noise, *, scale_by_sigma, fit_intercept):
        self.noise, self.scale_by_sigma, self.fit_intercept = noise, scale_by_sigma, fit_intercept
        self.slab = prior.point_mass_mixture
        self.local = None if self.slab is not None else prior.scale_mixture.gibbs()
        if X is not None and fit_intercept:
            self.x_mean, self.y_mean = X.mean(axis=0), float(y.mean())
            X, y = X - self.x_mean, y - self.y_mean
        self.X, self.y = X, y
        self.n = y.size
        self.p = y.size if X is None else X.shape[1]
        # the intercept integrated out leaves n - 1 observations' worth of noise
        self.n_eff = self.n - 1 if (X is not None and fit_intercept) else self.n
        # n >= p (and always for the spike-and-slab): the Gram matrix, formed once
        self.gram = None
        if X is not None and (X.shape[0] >= X.shape[1] or self.slab is not None):
            self.gram = (X.T @ X, X.T @ y)
        elif X is None and self.slab is not None:  # normal means: the identity design
            self.gram = (np.eye(self.p), y.copy())
        # sigma and the global scale drawn with w integrated out (models.posterior.marginal_step)
        # when the global scale is sampled, or sigma is unknown and p >= n: the steps given w
        # crawl there.  Else (n > p, fixed global scale) sigma's step given w mixes well
        # and costs no eigendecomposition.
        self.samples_global = self.local is not None and getattr(self.local, "samples_global", False)
        self.marginal = X is not None and self.local is not None and (
            self.samples_global or (not noise.known and X.shape[1] >= self.n_eff))
        if self.marginal and self.gram is None and X.shape[0] >= X.shape[1]:
            self.gram = (X.T @ X, X.T @ y)
        # A mixing conditional that declares its variances' log density also gets the
        # partially collapsed sweep over (v_j, w_j) pairs after each joint draw of w: the
        # joint draw handles correlated columns, the sweep the funnel of the null
        # coefficients (models.posterior.collapsed_sweep, where the gain is measured).
        self.collapse = self.local is not None and hasattr(self.local, "variance_log_density")
        if self.collapse and X is not None:
            self.X_columns, self.col_ss = np.asfortranarray(X), np.einsum("ij,ij->j", X, X)

    def work(self, iterations):
        return iterations * self.n * self.p

    def run(self, rng, draws, burn, thin=1):
        p = self.p
        out = {"w": np.empty((draws, p))}
        s2 = self.noise.initial(self.y, rng)
        if self.slab is not None:
            included = rng.uniform(size=p) < _initial_weight(self.slab.weight, p)
            log_odds = math.log(self.slab.weight) - math.log1p(-self.slab.weight)
            out["w_included"] = np.empty((draws, p), dtype=np.int8)
        else:
            state = self.local.initial(p, rng)
        named = {}
        for it in range(burn + draws * thin):
            sigma = math.sqrt(s2)
            prior_factor = s2 if self.scale_by_sigma else 1.0  # prior variances x sigma^2
            if self.slab is not None:
                d = np.full(p, self.slab.variance * prior_factor)
                G, b = self.gram[0] / s2, self.gram[1] / s2
                included = indicator_sweep(G, b, d, included, log_odds, rng)
                w = draw_included(G, b, d, included, rng)
            elif self.marginal:
                state, s2, w = self._marginal_step(state, s2, rng)
                sigma = math.sqrt(s2)
                if self.collapse:
                    state, w = self._collapsed_sweep(state, w, s2, rng)
                on_prior_scale = w / sigma if self.scale_by_sigma else w
                if self.samples_global:
                    state = self._rescale_global(self.local.update_local(state, on_prior_scale, rng), rng)
                else:
                    state = self.local.update(state, on_prior_scale, rng)
                named = self.local.named(state)
            else:
                d = self.local.variances(state) * prior_factor
                if self.X is None:
                    w = draw_diagonal(np.full(p, 1.0 / sigma), self.y / sigma, d, rng)
                elif self.gram is not None:
                    w = draw_coefficients(None, None, d, rng, gram=(self.gram[0] / s2, self.gram[1] / s2))
                else:
                    w = draw_coefficients(self.X / sigma, self.y / sigma, d, rng)
                if self.collapse:
                    state, w = self._collapsed_sweep(state, w, s2, rng)
                state = self.local.update(state, w / sigma if self.scale_by_sigma else w, rng)
                named = self.local.named(state)
            if not self.noise.known and not self.marginal:
                resid = self.y - (w if self.X is None else self.X @ w)
                shape2, chi = self.n_eff, float(resid @ resid)
                if self.scale_by_sigma:  # the prior of w carries sigma^2 too
                    nz = w != 0
                    base = self.slab.variance if self.slab is not None else self.local.variances(state)[nz]
                    shape2, chi = shape2 + int(nz.sum()), chi + float(np.sum(w[nz] ** 2 / base))
                s2 = self.noise.draw_variance(shape2, chi, rng)
            k = _kept_index(it, burn, thin)
            if k is not None:
                out["w"][k] = w
                if self.slab is not None:
                    out["w_included"][k] = included
                for name, value in named.items():
                    out.setdefault(f"w_{name}", np.empty((draws,) + np.shape(value)))[k] = value
                if not self.noise.known:
                    out.setdefault("sigma", np.empty(draws))[k] = math.sqrt(s2)
        if self.X is not None and self.fit_intercept:
            sig = out["sigma"] if "sigma" in out else self.noise.sigma
            out["intercept"] = self.y_mean - out["w"] @ self.x_mean + sig / math.sqrt(self.n) * rng.standard_normal(draws)
        return out

    def _collapsed_sweep(self, state, w, s2, rng):
        """Every ``(v_j, w_j)`` pair once with ``w_j`` integrated out; returns ``(state, w)``."""
        f = s2 if self.scale_by_sigma else 1.0
        v = np.array(self.local.variances(state), dtype=float)
        w = np.array(w, dtype=float)
        coefficients = self.local.variance_log_density(state)
        if self.X is None:
            collapsed_sweep_diagonal(self.y, w, v, f, s2, *coefficients, sweep_seed(rng))
        else:
            resid = self.y - self.X @ w
            collapsed_sweep(self.X_columns, self.col_ss, resid, w, v, f, s2, *coefficients, sweep_seed(rng))
        return self.local.with_variances(state, v), w

    def _rescale_global(self, state, rng):
        """A slice step along ``(log tau + h, log u_j - 2h)``: every variance ``tau^2 u_j``,
        hence the likelihood and ``w``, unchanged, only the priors of ``tau`` and the
        ``u_j`` in play.  Given the ``u_j``, ``tau`` is pinned (thousands of them say
        what scale they share); this move lets the global and local scales trade off,
        the direction the other steps cannot take."""
        local = self.local
        v = local.variances(state)
        tau2 = local.global_variance(state)
        log_tau, log_u = 0.5 * math.log(tau2), np.log(local.unit_variances(state))

        def log_density(h):
            return local.log_global_prior(log_tau + h) + float(np.sum(local.log_unit_prior(log_u - 2.0 * h)))

        h = slice_step(log_density, 0.0, rng)
        return local.with_variances(local.with_global(state, tau2 * math.exp(2.0 * h)), v)

    def _marginal_step(self, state, s2, rng):
        """``sigma`` (when unknown) and the global scale (when sampled) by slice steps on
        ``p(sigma, tau | local scales, y)``, ``w`` integrated out, then ``w`` given them;
        returns ``(state, sigma^2, w)``."""
        local, noise = self.local, self.noise
        if self.samples_global:
            B, log_tau = local.unit_variances(state), 0.5 * math.log(local.global_variance(state))
        else:
            B, log_tau = local.variances(state), 0.0
        spectrum = MarginalSpectrum(self.X, self.y, self.gram, B, self.n_eff, self.scale_by_sigma)

        def log_joint(log_sigma, log_tau):
            out = spectrum.log_likelihood(log_sigma, log_tau)
            if not noise.known:
                out += noise.log_prior_log_sigma(log_sigma)
            if self.samples_global:
                out += local.log_global_prior(log_tau)
            return out

        log_sigma = 0.5 * math.log(s2)
        if not noise.known:
            log_sigma = slice_step(lambda x: log_joint(x, log_tau), log_sigma, rng)
        if self.samples_global:
            log_tau = slice_step(lambda x: log_joint(log_sigma, x), log_tau, rng)
            if not noise.known:  # along the ridge where sigma and tau trade off
                h = slice_step(lambda h: log_joint(log_sigma + h, log_tau - h), 0.0, rng)
                log_sigma, log_tau = log_sigma + h, log_tau - h
            state = local.with_global(state, math.exp(2.0 * log_tau))
        sigma = math.exp(log_sigma)
        return state, sigma * sigma, spectrum.draw_w(sigma, math.exp(log_tau), rng)


class _LogisticChain:
    """One chain's Pólya-Gamma sampler for ``y ~ Bernoulli(logit^-1(X w + c))``."""

    def __init__(self, X, y, prior, *, fit_intercept, intercept_prior):
        self.slab = prior.point_mass_mixture
        self.local = None if self.slab is not None else prior.scale_mixture.gibbs()
        self.fit_intercept = fit_intercept
        self.X1 = np.column_stack([np.ones(X.shape[0]), X]) if fit_intercept else X
        self.kappa = y - 0.5
        self.c0, sd = intercept_prior
        self.c_var = sd**2
        self.n, self.p = X.shape

    def work(self, iterations):
        return iterations * self.n * self.p

    def run(self, rng, draws, burn, thin=1):
        from polyagamma import random_polyagamma

        p, k0 = self.p, int(self.fit_intercept)
        out = {"w": np.empty((draws, p))}
        if k0:
            out["intercept"] = np.empty(draws)
        fixed = np.zeros(p + k0, dtype=bool)
        fixed[:k0] = True
        offset = np.zeros(p + k0)
        offset[:k0] = self.c0  # the intercept's prior mean: theta = offset + theta'
        theta = offset.copy()
        if self.slab is not None:
            active = fixed | np.concatenate([fixed[:k0], rng.uniform(size=p) < _initial_weight(self.slab.weight, p)])
            log_odds = math.log(self.slab.weight) - math.log1p(-self.slab.weight)
            out["w_included"] = np.empty((draws, p), dtype=np.int8)
        else:
            state = self.local.initial(p, rng)
        named = {}
        for it in range(burn + draws * thin):
            eta = self.X1 @ theta
            omega = random_polyagamma(1.0, eta, random_state=rng)
            root = np.sqrt(omega)
            phi = self.X1 * root[:, None]
            alpha = (self.kappa - omega * self.c0 * k0) / root
            if self.slab is not None:
                d = np.concatenate([[self.c_var] * k0, np.full(p, self.slab.variance)])
                G, b = phi.T @ phi, phi.T @ alpha
                active = indicator_sweep(G, b, d, active, log_odds, rng, fixed=fixed)
                theta = offset + draw_included(G, b, d, active, rng)
            else:
                d = np.concatenate([[self.c_var] * k0, self.local.variances(state)])
                gram = (phi.T @ phi, phi.T @ alpha) if self.n >= p + k0 else None
                theta = offset + draw_coefficients(phi, alpha, d, rng, gram)
                state = self.local.update(state, theta[k0:], rng)
                named = self.local.named(state)
            k = _kept_index(it, burn, thin)
            if k is not None:
                out["w"][k] = theta[k0:]
                if k0:
                    out["intercept"][k] = theta[0]
                if self.slab is not None:
                    out["w_included"][k] = active[k0:]
                for name, value in named.items():
                    out.setdefault(f"w_{name}", np.empty((draws,) + np.shape(value)))[k] = value
        return out


def _kept_index(it, burn, thin):
    """The index of the draw that sweep ``it`` is kept as, or None: after ``burn`` warm-up
    sweeps, the last of every ``thin`` sweeps."""
    if it < burn or (it - burn + 1) % thin:
        return None
    return (it - burn) // thin


def _initial_weight(weight, p):
    """The inclusion probability of a chain's random starting model: the prior's, but
    at most 20 coefficients expected (a first sweep from half of 1000 coefficients would
    refactor a 500 x 500 system per coefficient)."""
    return min(weight, 20.0 / p)


# ------------------------------------------------------------------ chains in parallel
def _run_one(chain, seed, draws, burn, thin):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # one BLAS thread per chain: the chains use the cores
        return chain.run(np.random.default_rng(seed), draws, burn, thin)


def _ignore_sigint():
    import signal

    # the parent records Ctrl-C and stops the pool; a chain must not print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_chains(chain, *, draws, burn, chains, random_seed, thin=1):
    """Run ``chains`` independent chains of ``chain`` and stack their draws: ``{name:
    array of shape (chains, draws, ...)}``.  Each chain has its own stream spawned from
    ``random_seed``, so its draws are the same whether it runs alone, with others, in
    this process or in another."""
    seeds = np.random.SeedSequence(random_seed).spawn(chains)
    workers = min(chains, os.cpu_count() or 1)
    if workers > 1 and chain.work((burn + draws * thin) * chains) > PARALLEL_WORK:
        import multiprocessing

        # fork: the chain (the data included) reaches the workers without a copy, and
        # they start in milliseconds.  On Ctrl-C / SIGTERM (raised here by
        # models.interrupts) or any error the workers are terminated, not waited for.
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_sigint)
        try:
            results = pool.starmap_async(_run_one, [(chain, s, draws, burn, thin) for s in seeds]).get()
        except BaseException:
            pool.terminate()
            raise
        else:
            pool.close()
        finally:
            pool.join()
    else:
        results = [chain.run(np.random.default_rng(seed), draws, burn, thin) for seed in seeds]
    return {name: np.stack([r[name] for r in results]) for name in results[0]}


# ------------------------------------------------------------------ public entry points
def gibbs_posterior(X, y, prior, *, sigma=None, sigma_prior="halfnormal", scale_by_sigma=False, likelihood="gaussian",
                    draws=1000, burn=500, chains=2, fit_intercept=True, random_seed=None, thin=1):
    """Posterior draws for ``y ~ N(X w + c, sigma^2)`` or ``y ~ Bernoulli(logit^-1(X w + c))``.

    Parameters
    ----------
    X : ndarray of shape (n, p), or None for normal means (``y_j ~ N(w_j, sigma^2)``)
    y : ndarray of shape (n,)
    prior : Prior with a Gibbs form (see :func:`supports_gibbs`)
    sigma : float, optional
        Known noise sd (Gaussian); None samples it under ``sigma_prior``.
    sigma_prior : {"halfnormal", "jeffreys"}
        ``sigma ~ HalfNormal(sd(y))`` (as NUTS) or ``p(sigma^2) ~ 1 / sigma^2``.
    scale_by_sigma : bool
        Multiply the prior's scale by ``sigma`` (Gaussian only).
    likelihood : {"gaussian", "logistic"}
    draws, burn, chains : int
        Kept draws per chain, discarded warm-up iterations per chain, and chains.
    fit_intercept : bool
    random_seed : int, optional
    thin : int, default 1
        Keep the last of every ``thin`` sweeps after the warm-up (``draws * thin`` sweeps
        per chain), as bayesreg's ``thin``: fewer, less autocorrelated draws to store.

    Returns
    -------
    dict of ndarray
        ``w`` (chains, draws, p); ``intercept`` (chains, draws) when fitted; ``sigma``
        when sampled; the prior's named latent variables (``w_lam``, ``w_tau``,
        ``w_rate``, ``w_included``).
    """
    random_seed = check_seed("random_seed", random_seed)
    draws, burn, chains = check_whole("draws", draws), check_whole("burn", burn, low=0), check_whole("chains", chains)
    thin = check_whole("thin", thin)
    fit_intercept = check_bool("fit_intercept", fit_intercept)
    scale_by_sigma = check_bool("scale_by_sigma", scale_by_sigma)
    if not isinstance(prior, Prior):
        raise CuspInputError(f"prior must be a Prior from the priors package (e.g. laplace(1.0)), got {describe_value(prior)}")
    if not supports_gibbs(prior):
        raise CuspInputError(
            f"{prior.describe()} has no scale-mixture form with an exact Gibbs step, so the Gibbs sampler cannot "
            "sample it; use NUTS (Model.sample)")
    if likelihood == "logistic":
        if sigma is not None or scale_by_sigma:
            raise CuspInputError("sigma and scale_by_sigma have no meaning for the logistic likelihood; remove them")
        lik = Logistic()
        X, _ = as_design(X)
        y = lik.check_y(y)
        check_lengths(X, y, fit_intercept=fit_intercept)
        from models.posterior.pymc_model import intercept_prior

        chain = _LogisticChain(X, y, prior, fit_intercept=fit_intercept, intercept_prior=intercept_prior(lik, y))
    elif likelihood == "gaussian":
        if sigma is not None:
            sigma = check_scale("sigma", sigma)
        if sigma_prior not in ("halfnormal", "jeffreys"):
            raise CuspInputError(f"sigma_prior must be 'halfnormal' or 'jeffreys', got {describe_value(sigma_prior, typed=False)}")
        y = Gaussian(sigma).check_y(y)
        if X is not None:
            X, _ = as_design(X)
            check_lengths(X, y, fit_intercept=fit_intercept)
        if prior.point_mass_mixture is not None and (y.size if X is None else X.shape[1]) > SPIKE_SLAB_MAX_FEATURES:
            raise CuspInputError(f"the collapsed spike-and-slab step takes at most {SPIKE_SLAB_MAX_FEATURES} coefficients "
                                 "(it keeps the p x p Gram matrix)")
        improper = improper_posterior_reason(prior, sigma_prior=sigma_prior, sigma_known=sigma is not None,
                                             n_obs=y.size, n_features=None if X is None else X.shape[1],
                                             fit_intercept=fit_intercept, scale_by_sigma=scale_by_sigma)
        if improper:
            raise CuspInputError(improper)
        noise = _Noise(sigma, sigma_prior, sigma_prior_scale(y))
        chain = _GaussianChain(X, y, prior, noise, scale_by_sigma=scale_by_sigma, fit_intercept=fit_intercept and X is not None)
    else:
        raise CuspInputError(f"the Gibbs sampler covers the gaussian and logistic likelihoods, not "
                             f"{describe_value(likelihood, typed=False)}")
    return run_chains(chain, draws=draws, burn=burn, chains=chains, random_seed=random_seed, thin=thin)


def gibbs_unavailable(likelihood, prior) -> str | None:
    """Why the Gibbs sampler cannot sample this model (None when it can); ``sampler="auto"``
    picks NUTS then, and ``sampler="gibbs"`` raises this message."""
    if not isinstance(likelihood, (Gaussian, Logistic)):
        return f"the Gibbs sampler covers the gaussian and logistic likelihoods, not {likelihood.name}; use sampler='pymc'"
    if not supports_gibbs(prior):
        return (f"{prior.describe()} has no exact Gibbs step (no conjugate scale-mixture or point-mass form); "
                "use sampler='pymc' (NUTS)")
    return None


def gibbs_inference_data(X, y, prior, *, likelihood, feature_names, fit_intercept, draws, tune, chains, random_seed,
                         scale_by_sigma=False, thin=1):
    """:func:`gibbs_posterior` as an InferenceData in the layout NUTS results have:
    ``posterior`` (``w`` over ``feature``, ``intercept``, ``sigma`` when estimated, the
    prior's latent variables: ``w_lam``, ``w_included`` over ``feature``, scalars
    ``w_tau``, ``w_rate``), ``observed_data`` (``y`` over ``obs``), ``constant_data``
    (``X``; absent for normal means, ``X=None``) and ``sample_stats`` holding
    ``gibbs_sweep`` (each draw's iteration number) and no divergence statistic (a Gibbs
    sampler has none: the diagnostics report divergences as not applicable).  ``tune``
    iterations are discarded per chain, then every ``thin``-th sweep is kept."""
    import arviz as az

    gaussian = isinstance(likelihood, Gaussian)
    draws_by_name = gibbs_posterior(
        X, y, prior, likelihood="gaussian" if gaussian else "logistic",
        sigma=likelihood.sigma if gaussian else None, sigma_prior=getattr(likelihood, "sigma_prior", "halfnormal"),
        scale_by_sigma=scale_by_sigma, draws=draws, burn=tune, chains=chains,
        fit_intercept=fit_intercept and X is not None, random_seed=random_seed, thin=thin)
    y = np.asarray(y, dtype=float)
    coords = {"feature": list(feature_names), "obs": np.arange(y.size)}
    dims = {"y": ["obs"], "X": ["obs", "feature"]}
    dims.update({name: ["feature"] for name, value in draws_by_name.items() if value.ndim == 3})
    # the iteration number of each kept draw (warm-up included): a Gibbs sweep has no
    # tree depth, step size or divergence to record
    sweep = np.broadcast_to(tune + thin * np.arange(draws) + thin - 1, (chains, draws)).copy()
    # every group through ArviZ, so each carries the same attributes (created_at,
    # arviz_version) as a NUTS result's groups
    idata = az.from_dict(posterior=draws_by_name, sample_stats={"gibbs_sweep": sweep}, observed_data={"y": y},
                         constant_data=None if X is None else {"X": np.asarray(X, dtype=float)},
                         coords=coords, dims=dims)
    idata.sample_stats.attrs["sampler"] = "gibbs"
    return idata

