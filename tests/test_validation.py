"""One validation rule everywhere (issue 11, item 5): every converted call site refuses
booleans, NaN, infinities, strings and out-of-range values with one CuspInputError whose
message names the parameter, in the format of :mod:`priors.validation`."""

import argparse
import re

import numpy as np
import pytest

from models.conversions import (
    gaussian_scale_for_density,
    gaussian_scale_to_ridge_alpha,
    horseshoe_global_scale,
    lasso_alpha_to_laplace_scale,
    laplace_scale_to_lasso_alpha,
    laplace_scale_to_logistic_C,
)
from models.fit import zero_statistics
from models.likelihoods import make_likelihood
from models.model import Model
from models.posterior import run_sampler
from models.scripts.common import positive_float, positive_int, tune_int
from priors import (
    CuspInputError,
    bridge,
    check_number,
    laplace,
    regularized_horseshoe,
    smoothed_laplace,
    spike_and_slab,
    student_t,
)

X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
Y = np.array([1.0, -0.5, 0.7, 2.0])
DRAWS = np.random.default_rng(0).normal(size=(20, 2))


def _model(**kw):
    return Model("gaussian", laplace(1.0), sigma=1.0, **kw)


def _sampler(**kw):
    settings = {"draws": 10, "tune": 10, "chains": 1, "target_accept": None}
    settings.update(kw)
    return run_sampler(None, random_seed=0, **settings)  # checks come before any sampling


# (id, call with the value, name the message starts with, kind, out-of-range values, None allowed)
SITES = [
    ("bridge-p", lambda v: bridge(1.0, p=v), "bridge exponent p", "number", [0, -1.0, 2.5], False),
    ("bridge-scale", lambda v: bridge(v), "bridge scale", "number", [0, -1.0], False),
    ("spike_and_slab-weight", lambda v: spike_and_slab(1.0, weight=v), "spike_and_slab weight", "number",
     [0, 1, 1.5, -0.1], False),
    ("student_t-nu", lambda v: student_t(1.0, nu=v), "student_t nu", "number", [0, -3.0], False),
    ("student_t-scale", lambda v: student_t(v), "student_t scale", "number", [0, -1.0], False),
    ("smoothed_laplace-delta", lambda v: smoothed_laplace(1.0, delta=v), "smoothed_laplace delta", "number",
     [-0.1, -1e-300], False),
    ("regularized_horseshoe-slab_scale", lambda v: regularized_horseshoe(0.1, slab_scale=v),
     "regularized_horseshoe slab_scale", "number", [0, -2.0], False),
    ("regularized_horseshoe-slab_df", lambda v: regularized_horseshoe(0.1, slab_df=v),
     "regularized_horseshoe slab_df", "number", [0, -4.0], False),
    ("regularized_horseshoe-global_df", lambda v: regularized_horseshoe(0.1, global_df=v),
     "regularized_horseshoe global_df", "number", [0, -1.0], True),
    ("likelihood-sigma", lambda v: make_likelihood("gaussian", sigma=v), "sigma", "number", [0, -1.0], True),
    ("model-tol", lambda v: _model(tol=v), "tol", "number", [0, -1e-9, 1e-2, 0.5, 10], False),
    ("model-max_iter", lambda v: _model(max_iter=v), "max_iter", "whole", [0, -1, 2.5], False),
    ("model-fit_intercept", lambda v: _model(fit_intercept=v), "fit_intercept", "bool", [], True),
    ("map_path-scales", lambda v: _model().map_path(X, Y, [1.0, v]), "prior scale in scales", "number",
     [0, -1.0], False),
    ("run_sampler-draws", lambda v: _sampler(draws=v), "draws", "whole", [0, -1, 2.5], False),
    ("run_sampler-tune", lambda v: _sampler(tune=v), "tune", "whole", [-1, 0.5], False),
    ("run_sampler-chains", lambda v: _sampler(chains=v), "chains", "whole", [0, 1.5], False),
    ("run_sampler-target_accept", lambda v: _sampler(target_accept=v), "target_accept", "number",
     [0, 1, 1.2, -0.5], True),
    ("lasso_alpha-scale", lambda v: laplace_scale_to_lasso_alpha(v, sigma=1.0, n=10), "laplace scale", "number",
     [0, -1.0], False),
    ("lasso_alpha-sigma", lambda v: laplace_scale_to_lasso_alpha(1.0, sigma=v, n=10), "sigma", "number",
     [0, -1.0], False),
    ("lasso_alpha-n", lambda v: laplace_scale_to_lasso_alpha(1.0, sigma=1.0, n=v), "n", "whole", [0, -5, 2.5], False),
    ("laplace_scale-alpha", lambda v: lasso_alpha_to_laplace_scale(v, sigma=1.0, n=10), "alpha", "number",
     [0, -1.0], False),
    ("laplace_scale-n", lambda v: lasso_alpha_to_laplace_scale(0.1, sigma=1.0, n=v), "n", "whole", [0, 0.5], False),
    ("ridge_alpha-scale", lambda v: gaussian_scale_to_ridge_alpha(v, sigma=1.0), "gaussian scale", "number",
     [0, -1.0], False),
    ("ridge_alpha-sigma", lambda v: gaussian_scale_to_ridge_alpha(1.0, sigma=v), "sigma", "number", [0], False),
    ("logistic_C-scale", lambda v: laplace_scale_to_logistic_C(v), "laplace scale", "number", [0, -1.0], False),
    ("scale_for_density", lambda v: gaussian_scale_for_density(v), "density at zero", "number", [0, -1.0], False),
    ("global_scale-expected_nonzeros", lambda v: horseshoe_global_scale(v, n_features=50, n_obs=100),
     "expected_nonzeros", "number", [0, 50, 60, -1.0], False),
    ("global_scale-n_features", lambda v: horseshoe_global_scale(1, n_features=v, n_obs=100), "n_features", "whole",
     [0, 7.5], False),
    ("global_scale-n_obs", lambda v: horseshoe_global_scale(1, n_features=50, n_obs=v), "n_obs", "whole",
     [0, 99.5], False),
    ("global_scale-sigma", lambda v: horseshoe_global_scale(1, n_features=50, n_obs=100, sigma=v), "sigma", "number",
     [0, -1.0], False),
    ("zero_statistics-eps", lambda v: zero_statistics(DRAWS, ["a", "b"], eps=v), "eps", "number", [0, -0.1], True),
]

NOT_NUMBERS = [True, False, np.bool_(True), np.nan, np.inf, -np.inf, "1", "abc", [1.0], 1j, np.array([1.0, 2.0])]
NOT_BOOLS = ["yes", "False", 1, 0, 1.0, np.nan, [True]]

CASES = []
for site_id, call, name, kind, out_of_range, none_ok in SITES:
    bad = list(NOT_BOOLS if kind == "bool" else NOT_NUMBERS) + list(out_of_range)
    if not none_ok:
        bad.append(None)
    CASES += [pytest.param(call, name, kind, value, id=f"{site_id}-{value!r}") for value in bad]


@pytest.mark.parametrize("call, name, kind, value", CASES)
def test_every_site_refuses_with_one_message(call, name, kind, value):
    with pytest.raises(CuspInputError) as info:
        call(value)
    message = str(info.value)
    wanted = {"bool": "must be True or False", "whole": "must be a whole number", "number": "must be a finite number"}
    # smoothed_laplace's delta may also be 0 (the Laplace itself): "must be 0 or a finite number"
    assert message.startswith((f"{name} {wanted[kind]}", f"{name} must be 0 or a finite number")), message
    assert "\n" not in message
    if isinstance(value, np.ndarray):  # arrays are described on one line, not printed
        assert message.endswith(f"got an array of shape {value.shape} (dtype {value.dtype})"), message
    else:
        assert message.endswith(f"got {value!r}") or message.endswith(f"got {float(value)!r}"), message


@pytest.mark.parametrize("site_id, call, name, kind, out_of_range, none_ok", SITES, ids=[s[0] for s in SITES])
def test_every_site_accepts_a_good_value(site_id, call, name, kind, out_of_range, none_ok):
    good = {"bool": True, "whole": 3, "number": 0.5}[kind]
    if site_id == "model-tol":
        good = 1e-8
    elif site_id.startswith("run_sampler"):
        return  # a good value goes on to sample; the bad ones are refused before
    elif site_id == "global_scale-n_features":
        good = 5
    call(good)


def test_tol_true_and_tol_10_are_refused():
    with pytest.raises(CuspInputError, match=r"^tol must be a finite number > 0 and < 0\.01, got True$"):
        Model("gaussian", laplace(1.0), sigma=1.0, tol=True)
    with pytest.raises(CuspInputError, match=r"^tol must be a finite number > 0 and < 0\.01, got 10$"):
        Model("gaussian", laplace(1.0), sigma=1.0, tol=10)
    assert Model("gaussian", laplace(1.0), sigma=1.0, tol=1e-6).tol == 1e-6


def test_delta_zero_and_whole_floats_are_allowed():
    assert smoothed_laplace(1.0, delta=0).delta == 0.0  # delta = 0 is the Laplace itself
    assert _model(max_iter=50.0).max_iter == 50 and isinstance(_model(max_iter=50.0).max_iter, int)
    assert bridge(1.0, p=2).p == 2.0  # the upper end is allowed
    assert _model(fit_intercept=np.bool_(False)).fit_intercept is False


@pytest.mark.parametrize(
    "parse, text, message",
    [
        (positive_float, "0", "must be a finite number > 0, got 0.0"),
        (positive_float, "-1", "must be a finite number > 0, got -1.0"),
        (positive_float, "nan", "must be a finite number > 0, got nan"),
        (positive_float, "inf", "must be a finite number > 0, got inf"),
        (positive_float, "abc", "expected a number, got 'abc'"),
        (positive_float, "", "expected a number, got ''"),
        (positive_int, "0", "must be a whole number >= 1, got 0"),
        (positive_int, "2.5", "must be a whole number >= 1, got 2.5"),
        (positive_int, "abc", "expected a whole number, got 'abc'"),
        (tune_int, "-1", "must be a whole number >= 0 and <= 10000000, got -1"),
        (tune_int, "inf", "must be a whole number >= 0 and <= 10000000, got inf"),
    ],
)
def test_cli_types_use_the_same_rule(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as info:
        parse(text)
    assert str(info.value) == message
    if "expected" not in message:  # the same words as the Python API's message
        limits = {"low": 0.0} if parse is positive_float else {
            "low": 1 if parse is positive_int else 0, "low_inclusive": True, "integer": True}
        if parse is tune_int:
            limits["high"] = 10**7
        with pytest.raises(CuspInputError) as api:
            check_number("x", int(text) if parse is not positive_float and text.lstrip("-").isdigit() else float(text), **limits)
        assert re.sub(r"^x ", "", str(api.value)) == message


def test_cli_types_accept_good_values():
    assert positive_float("2.5") == 2.5 and positive_int("3") == 3 and tune_int("0") == 0
    assert positive_int("1e3") == 1000  # a whole number written as a float


def test_check_choices_one_rule_for_comma_lists():
    from priors.validation import check_choices

    assert check_choices(" b, a ", ["a", "b", "c"], what="prior", option="--priors") == ["b", "a"]
    for text, message in (("", "--priors is empty; choose from a, b"), ("a,z", "unknown prior 'z' in --priors"),
                          ("a,a", "--priors lists a prior twice: a,a")):
        with pytest.raises(CuspInputError, match=message):
            check_choices(text, ["a", "b"], what="prior", option="--priors")
