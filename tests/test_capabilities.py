"""Engines ask the prior what it can do; they never check its class.

Proved on behaviour: a pole prior registered from a test module (tests/plugin_priors.py)
gets the local mode, the certificate, PyMC sampling and the CLI listing; a subclass of
the horseshoe with another density is not sampled as a plain horseshoe.
"""

import dataclasses
import math

import numpy as np
import pymc as pm
import pytest
from plugin_priors import root_pole

from models import CuspInputError, Model, make_sparse_regression
from models.posterior import collapses, gibbs_posterior, supports_gibbs
from priors import Horseshoe, horseshoe, laplace, make_prior, prior_names, regularized_horseshoe


def test_pole_prior_normal_means_local_mode_is_the_larger_root():
    # 0.5 (w - 4)^2 + 0.5 log w + w is stationary where w^2 - 3 w + 0.5 = 0.
    res = Model("normal_means", root_pole(1.0), sigma=1.0).map(y=[4.0, 0.5, -4.0])
    larger_root = (3 + math.sqrt(7)) / 2
    assert res.coef[0] == pytest.approx(larger_root, rel=1e-10)
    assert round(res.coef[0], 4) == 2.8229
    assert res.coef[1] == 0.0  # no local minimum away from the pole: exactly 0
    assert res.coef[2] == pytest.approx(-larger_root, rel=1e-10)
    assert res.mode == "local mode"
    assert any("infinite at 0" in note for note in res.notes)


def test_pole_prior_regression_map_satisfies_its_certificate():
    X, y, _ = make_sparse_regression(60, 8, 3, sigma=1.0, random_seed=3)
    res = Model("gaussian", root_pole(1.0), sigma=1.0).map(X, y)
    assert res.converged and res.certificate.holds
    assert res.mode == "local mode"
    # Non-zeros are stationary: slope + penalty'(w) = 0 to the tolerance.
    nz = res.coef != 0
    assert nz.any()
    np.testing.assert_allclose(res.certificate.slope[nz], -root_pole(1.0).penalty_grad(res.coef[nz]), atol=1e-6)
    # Zeros sit at the pole (threshold inf): certified for any slope.
    assert res.certificate.threshold == math.inf


def test_pole_prior_pymc_logp_is_its_density():
    prior = root_pole(0.7)
    w = np.array([-3.0, -0.2, 1e-3, 0.5, 4.0])
    with pm.Model():
        rv = prior.to_pymc("w", shape=w.size)
    np.testing.assert_allclose(pm.logp(rv, w).eval(), prior.logpdf(w), rtol=1e-12)
    # and its density integrates to 1 (the normalizing constant is right)
    from scipy import integrate

    total = 2 * integrate.quad(lambda t: math.exp(prior.logpdf(t)), 0, np.inf, limit=200)[0]
    assert total == pytest.approx(1.0, rel=1e-8)


def test_pole_prior_is_known_to_the_registry_and_the_cli(capsys):
    from reports.cli import main

    assert "root_pole" in prior_names()
    assert make_prior("root_pole", scale=2.0) == root_pole(2.0)
    assert main(["priors"]) == 0
    out = capsys.readouterr().out
    assert "root_pole" in out


def test_pole_prior_capabilities_are_derived_from_its_density():
    caps = root_pole(1.0).capabilities()
    assert caps["pole_at_zero"] and caps["map_kind"] == "local mode" and caps["pymc"]
    assert not caps["scale_mixture"] and not caps["gibbs"]
    assert not supports_gibbs(root_pole(1.0))


@dataclasses.dataclass(frozen=True)
class _HorseshoePlus(Horseshoe):
    """A subclass with another density: it must not inherit the horseshoe's mixture."""

    family = "horseshoe_plus_test"

    def logpdf(self, w):
        return super().logpdf(w) - 0.1  # any change of density

    def penalty(self, w):
        return super().penalty(w) + 0.0


def test_subclass_with_another_density_does_not_inherit_the_samplers():
    hs_plus = _HorseshoePlus(1.0)
    assert hs_plus.scale_mixture is None
    assert not supports_gibbs(hs_plus)
    X = np.random.default_rng(0).standard_normal((10, 3))
    assert not collapses(Model("gaussian", hs_plus, sigma=1.0).likelihood, hs_plus, X)
    with pytest.raises(CuspInputError, match="no scale-mixture form"):
        gibbs_posterior(X, X[:, 0], hs_plus, sigma=1.0, draws=5, burn=1)
    # the plain horseshoe keeps both
    assert supports_gibbs(horseshoe(1.0))
    assert collapses(Model("gaussian", horseshoe(1.0), sigma=1.0).likelihood, horseshoe(1.0), X)


def test_prior_without_a_pymc_form_is_refused_where_sampling_needs_it():
    @dataclasses.dataclass(frozen=True)
    class NoPymc(type(laplace(1.0))):
        family = "laplace_no_pymc_test"
        to_pymc = __import__("priors").Prior.to_pymc

    prior = NoPymc(1.0)
    assert not prior.has_pymc_form
    X, y, _ = make_sparse_regression(20, 3, 1, random_seed=0)
    assert Model("gaussian", prior, sigma=1.0).map(X, y).converged  # the MAP does not need it
    with pytest.raises(CuspInputError, match="no PyMC form"):
        Model("gaussian", prior, sigma=1.0).sample(X, y, draws=5, tune=5, chains=1, sampler="pymc")
    # the Gibbs sampler needs only the scale mixture, which the density declares
    idata = Model("gaussian", prior, sigma=1.0).sample(X, y, draws=5, tune=5, chains=1)
    assert idata.posterior.attrs["cusp_sampler"] == "gibbs"


def test_no_mixture_gibbs_message_says_use_nuts():
    with pytest.raises(CuspInputError, match="use NUTS"):
        gibbs_posterior(np.eye(2), np.ones(2), regularized_horseshoe(1.0), sigma=1.0)


def test_a_declared_elastic_net_form_is_the_penalty_and_its_prox(prior):
    """Every registered prior: a declared ``(l1, l2)`` must be its penalty exactly, and its
    prox the closed form the compiled solver uses; the Laplace and Gaussian declare one."""
    form = prior.elastic_net_form
    if prior.family in ("laplace", "gaussian"):
        assert form is not None
    if form is None:
        return
    l1, l2 = form
    w = np.array([-3.0, -0.2, 0.0, 1e-8, 0.7, 5.0]) * prior.scale
    np.testing.assert_allclose(prior.penalty(w), l1 * np.abs(w) + 0.5 * l2 * w**2, rtol=1e-12, atol=1e-300)
    for step in (0.01, 1.0, 30.0):
        v = w * 2.0 + 0.1 * prior.scale
        shrunk = np.sign(v) * np.maximum(np.abs(v) - step * l1, 0.0) / (1.0 + step * l2)
        np.testing.assert_allclose(prior.prox(v, step), shrunk, rtol=1e-12, atol=1e-300)
