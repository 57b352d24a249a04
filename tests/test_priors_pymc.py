"""PyMC's log density of ``Prior.to_pymc`` equals cusp's own ``logpdf``."""

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest
from scipy import integrate

from conftest import PRIORS
from priors import Horseshoe

W = np.array([-5.0, -0.8, -0.01, 0.0, 0.3, 2.5, 40.0])


@pytest.mark.parametrize("direct", [p for p in PRIORS if not isinstance(p, Horseshoe)], ids=lambda p: p.describe())
def test_pymc_logp_equals_logpdf(direct):
    # The horseshoe is a scale mixture: see test_horseshoe_pymc_marginal.
    prior = direct
    with pm.Model():
        rv = prior.to_pymc("w", shape=W.size)
    got = pm.logp(rv, W).eval()
    diff = got - prior.logpdf(W)
    # The shape in w must agree to rounding.  PyMC folds some normalizing constants
    # (log 2 in the Laplace, the Student-t's gamma-function ratio) at float32
    # precision: constant offsets of 2e-9 to 2e-8 were seen, so the constant gets a
    # float32-sized allowance of its own.
    assert np.ptp(diff) < 1e-10
    assert abs(diff[0]) < 1e-7


def test_pymc_dims_are_used(prior):
    with pm.Model(coords={"feature": ["a", "b", "c"]}) as m:
        prior.to_pymc("w", dims="feature")
    assert m.named_vars_to_dims["w"] == ("feature",)


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("tau", [0.3, 1.0])
def test_horseshoe_pymc_marginal(tau, centered):
    """Integrate the PyMC joint density over lam and compare with the closed form."""
    from priors import horseshoe

    prior = horseshoe(tau)
    with pm.Model() as m:
        prior.to_pymc("w", centered=centered)
    lam_val = pt.dscalar("lam")
    lam_logp = pm.logp(m["w_lam"], lam_val)
    if centered:
        w_val = pt.dscalar("w")
        cond = pm.logp(m["w"], w_val)
        # m["w"] depends on lam: substitute the value
        cond = pytensor.clone_replace(cond, {m["w_lam"]: lam_val})
        f = pytensor.function([w_val, lam_val], pt.exp(cond + lam_logp))
        density = lambda w, lam: f(w, lam)  # noqa: E731
    else:
        z_val = pt.dscalar("z")
        f = pytensor.function([z_val, lam_val], pt.exp(pm.logp(m["w_z"], z_val) + lam_logp))
        # w = z lam tau: change of variables from z to w has Jacobian 1 / (lam tau)
        density = lambda w, lam: f(w / (lam * tau), lam) / (lam * tau)  # noqa: E731
    for w in (0.05, 0.7, 3.0):
        got = integrate.quad(lambda lam: density(w, lam), 0, np.inf, limit=400, epsrel=1e-10)[0]
        assert got == pytest.approx(float(prior.pdf(w)), rel=1e-7)
