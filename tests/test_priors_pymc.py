"""PyMC's log density of ``Prior.to_pymc`` equals cusp's own ``logpdf``."""

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest
from scipy import integrate

from conftest import PRIORS, sampled_through_scales

W = np.array([-5.0, -0.8, -0.01, 0.0, 0.3, 2.5, 40.0])


@pytest.mark.parametrize("direct", [p for p in PRIORS if not sampled_through_scales(p)], ids=lambda p: p.describe())
def test_pymc_logp_equals_logpdf(direct):
    # The horseshoe is a scale mixture: see test_horseshoe_pymc_marginal.
    prior = direct
    with pm.Model():
        rv = prior.to_pymc("w", shape=W.size)
    got = pm.logp(rv, W).eval()
    want = prior.logpdf(W)
    pole = np.isinf(want)  # a pole at 0: both must say +inf there
    np.testing.assert_array_equal(got[pole], want[pole])
    diff = got[~pole] - want[~pole]
    # The shape in w must agree to rounding.  PyMC folds some normalizing constants
    # (log 2 in the Laplace, the Student-t's gamma-function ratio) at float32
    # precision: constant offsets of 2e-9 to 2e-8 were seen, so the constant gets a
    # float32-sized allowance of its own.
    assert np.ptp(diff) < 1e-10
    assert abs(diff[0]) < 1e-7


@pytest.mark.parametrize("direct", [p for p in PRIORS if not sampled_through_scales(p)], ids=lambda p: p.describe())
def test_compiled_model_logp_equals_logpdf(direct):
    # The compiled (rewritten) graph, not only pm.logp's symbolic one: a PyTensor
    # rewrite once turned sqrt(w**2) into NaN for negative w.
    with pm.Model() as m:
        direct.to_pymc("w", shape=W.size)
    got = m.compile_logp(sum=False, jacobian=False)({"w": W})[0]
    want = direct.logpdf(W)
    pole = np.isinf(want)
    np.testing.assert_array_equal(got[pole], want[pole])
    diff = got[~pole] - want[~pole]
    assert np.all(np.isfinite(got[~pole]))
    assert np.ptp(diff) < 1e-10


def test_pymc_dims_are_used(prior):
    with pm.Model(coords={"feature": ["a", "b", "c"]}) as m:
        prior.to_pymc("w", dims="feature")
    assert m.named_vars_to_dims["w"] == ("feature",)


def _half_cauchy_pdf(lam):
    return 2 / (np.pi * (1 + lam**2))


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("tau", [0.3, 1.0])
def test_horseshoe_pymc_marginal(tau, centered):
    """Integrate PyMC's conditional density of w given lam against the half-Cauchy
    and compare with the closed form."""
    from priors import horseshoe

    prior = horseshoe(tau)
    for w, got in zip((0.05, 0.7, 3.0), _pymc_marginal(prior, (0.05, 0.7, 3.0), centered=centered)):
        assert got == pytest.approx(float(prior.pdf(w)), rel=1e-7)


@pytest.mark.parametrize("centered", [False, True])
def test_regularized_horseshoe_pymc_given_tau_and_slab(centered):
    """With tau fixed and c^2 set to slab_scale^2, PyMC's model is the penalty view's prior."""
    from priors import regularized_horseshoe

    prior = regularized_horseshoe(0.5, slab_scale=1.5, global_df=None)
    ws = (0.05, 0.7, 3.0, 8.0)
    for w, got in zip(ws, _pymc_marginal(prior, ws, centered=centered, c2=prior.slab_scale**2)):
        assert got == pytest.approx(float(prior.pdf(w)), rel=1e-7)


def _pymc_marginal(prior, ws, *, centered, c2=None):
    with pm.Model() as m:
        prior.to_pymc("w", centered=centered)
    lam_val = pt.dscalar("lam")
    replace = {m["w_lam"]: lam_val}
    if c2 is not None:
        replace[m["w_c2"]] = pt.constant(c2, dtype="float64")
    if centered:
        w_val = pt.dscalar("w")
        cond = pytensor.clone_replace(pm.logp(m["w"], w_val), replace)
        f = pytensor.function([w_val, lam_val], pt.exp(cond))
        density = lambda w, lam: f(w, lam)  # noqa: E731
    else:
        z_val = pt.dscalar("z")
        # w = z * tau * lam~: the Jacobian from z to w is 1 / (tau * lam~)
        scale = pytensor.clone_replace(m["w"] / m["w_z"], replace)
        f = pytensor.function([z_val, lam_val], [pt.exp(pm.logp(m["w_z"], z_val)), scale], on_unused_input="ignore")

        def density(w, lam):
            s = f(1.0, lam)[1]
            return f(w / s, lam)[0] / s

    return [
        sum(integrate.quad(lambda lam: density(w, lam) * _half_cauchy_pdf(lam), lo, hi, limit=400, epsrel=1e-11)[0]
            for lo, hi in [(0, 1), (1, np.inf)])
        for w in ws
    ]
