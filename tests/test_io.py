"""The results file format (models.io): every results file round-trips bit for bit, files
of another format version are refused with one clear message, and ``cusp report``
re-renders the same numbers from the files while the solver and the sampler are made to
raise (paths are computed when fitting and stored, never re-solved by a report).
"""

import dataclasses
import functools
import json
import re

import numpy as np
import pytest

import models.io as io
from models import FitResult, Model, make_sparse_regression
from models.fit import PATH_FACTORS
from models.runs import RunResult, load_run, save_run
from priors import CuspInputError, gaussian, laplace, spike_and_slab
from reports.cli import main
from reports.html import render_run

NAMES = ["alpha", "beta", "gamma", "delta", "epsilon"]
SIGMA = 1.0
DRAWS = dict(draws=40, tune=40, chains=1, random_seed=3)


@functools.lru_cache(maxsize=None)
def data(likelihood="gaussian"):
    X, y, _ = make_sparse_regression(n=40, p=5, k=2, likelihood=likelihood, random_seed=0)
    return X, y


@functools.lru_cache(maxsize=None)
def fitted(case):
    """Small fits covering every kind of results file: known and estimated sigma, no MAP
    (point mass), a non-Gaussian likelihood, normal means (no design, no intercept)."""
    if case == "normal_means":
        y = np.array([-2.5, -0.4, 0.3, 1.8])
        return Model("normal_means", laplace(1.0), sigma=SIGMA).fit(y=y, path_factors=PATH_FACTORS, **DRAWS)
    if case == "logistic":
        X, y = data("logistic")
        return Model("logistic", laplace(1.0)).fit(X, y, feature_names=NAMES, path_factors=PATH_FACTORS, **DRAWS)
    X, y = data()
    model = {
        "laplace": Model("gaussian", laplace(0.2), sigma=SIGMA),
        "gaussian": Model("gaussian", gaussian(0.1), sigma=SIGMA),
        "estimated": Model("gaussian", laplace(0.2)),
        "spike_and_slab": Model("gaussian", spike_and_slab(2.0), sigma=SIGMA),
    }[case]
    return model.fit(X, y, feature_names=NAMES, path_factors=PATH_FACTORS, **DRAWS)


CASES = ["laplace", "gaussian", "estimated", "spike_and_slab", "logistic", "normal_means"]


def same(a, b):
    """Bit for bit: same dtype, shape and bytes (NaN equals NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def assert_same_map(a, b):
    for field in ("intercept", "objective", "n_iter"):
        assert same(getattr(a, field), getattr(b, field)), field
    for field in ("converged", "message", "feature_names", "prior", "likelihood", "mode", "notes"):
        assert getattr(a, field) == getattr(b, field), field
    assert same(a.coef, b.coef)
    for f in dataclasses.fields(a.certificate):
        x, y = getattr(a.certificate, f.name), getattr(b.certificate, f.name)
        assert (x is None and y is None) or same(x, y), f.name


def assert_same_likelihood(a, b):
    assert type(a) is type(b)
    assert io.likelihood_to_dict(a) == io.likelihood_to_dict(b)
    assert a.describe() == b.describe()


def assert_same_path(a, b):
    for field in ("scales", "coefs", "intercepts", "objectives", "converged", "n_zeros"):
        assert same(getattr(a, field), getattr(b, field)), field
    assert list(a.feature_names) == list(b.feature_names)


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("case", CASES)
def test_every_results_file_round_trips(case, tmp_path):
    fit = fitted(case)
    fit.to_netcdf(tmp_path / "fit.nc")
    back = FitResult.from_netcdf(tmp_path / "fit.nc")
    assert fit.prior == back.prior
    assert_same_likelihood(fit.likelihood_model, back.likelihood_model)
    assert back.likelihood == fit.likelihood  # the text summaries use
    assert back.notes == fit.notes
    assert same(back.draws, fit.draws)
    if case == "spike_and_slab":
        assert fit.map is None and back.map is None and back.path is None and back.path_factors is None
        return
    assert_same_map(fit.map, back.map)
    assert_same_path(fit.path, back.path)
    assert same(back.path_factors, PATH_FACTORS) and same(fit.path_factors, PATH_FACTORS)
    assert back.path.results == ()  # the per-scale results are not stored; the arrays are
    assert back.idata.posterior.attrs[io.FORMAT_ATTR] == io.FORMAT_VERSION


def test_the_likelihood_is_stored_as_name_and_parameters():
    attrs = fitted("laplace").idata.posterior.attrs
    assert json.loads(attrs["cusp_likelihood"]) == {"name": "gaussian", "sigma": SIGMA}
    assert json.loads(attrs["cusp_prior"]) == {"family": "laplace", "scale": 0.2}
    assert json.loads(fitted("estimated").idata.posterior.attrs["cusp_likelihood"]) == {"name": "gaussian", "sigma": None}
    assert json.loads(fitted("logistic").idata.posterior.attrs["cusp_likelihood"]) == {"name": "logistic"}


def test_estimated_sigma_map_keeps_sigma_at_full_precision():
    """The MAP (and its path) use the posterior median of sigma, stored to the last bit."""
    fit = fitted("estimated")
    assert fit.likelihood_model.sigma is None and fit.likelihood == "gaussian(sigma=estimated)"
    sigma_hat = float(np.median(fit.idata.posterior["sigma"].values))
    stored = io.likelihood_from_json(fit.idata[io.MAP_GROUP].attrs["likelihood"])
    assert stored.sigma == sigma_hat
    assert fit.map.likelihood == f"gaussian(sigma={sigma_hat:g})"
    X, y = data()
    again = Model("gaussian", laplace(0.2), sigma=sigma_hat).map_path(X, y, 0.2 * PATH_FACTORS, feature_names=NAMES)
    assert_same_path(fit.path, again)


@pytest.mark.parametrize("case", ["laplace", "gaussian", "normal_means"])
def test_stored_path_is_the_map_path(case):
    fit = fitted(case)
    if case == "normal_means":
        again = Model("normal_means", laplace(1.0), sigma=SIGMA).map_path(
            y=np.array([-2.5, -0.4, 0.3, 1.8]), scales=PATH_FACTORS)
    else:
        X, y = data()
        again = Model("gaussian", fit.prior, sigma=SIGMA).map_path(X, y, fit.prior.scale * PATH_FACTORS, feature_names=NAMES)
    assert_same_path(fit.path, again)


def test_no_path_unless_asked_and_bad_factors_are_refused_before_sampling():
    model = Model("gaussian", laplace(0.2), sigma=SIGMA)
    X, y = data()
    for bad in ([], [1.0, -1.0], [np.inf], "many"):
        with pytest.raises(CuspInputError, match="path_factors"):
            model.sample(X, y, path_factors=bad)


def test_a_run_round_trips(tmp_path):
    run = RunResult("small", "Small run", "Three priors.", {k: fitted(k) for k in ("laplace", "gaussian", "spike_and_slab")})
    save_run(run, tmp_path)
    back = load_run(tmp_path)
    assert (back.name, back.title, back.description) == (run.name, run.title, run.description)
    assert list(back.fits) == list(run.fits)  # the run's own order, not the files' names
    for label, fit in run.fits.items():
        assert io.read_run_attrs(back.fits[label].idata)["label"] == label
        assert back.fits[label].prior == fit.prior


# --------------------------------------------------------------------------- refusals
def _tampered(tmp_path, change, name="tampered.nc"):
    import arviz as az

    src = tmp_path / "source.nc"
    if not src.exists():
        fitted("laplace").to_netcdf(src)
    idata = az.from_netcdf(src)
    for group in idata.groups():
        getattr(idata, group).load()
    change(idata)
    out = tmp_path / name
    idata.to_netcdf(str(out))
    return out


def _set_version(v):
    def change(idata):
        idata.posterior.attrs[io.FORMAT_ATTR] = v
    return change


def _format_1(idata):
    """What cusp wrote before the format had a version: the likelihood as text."""
    attrs = idata.posterior.attrs
    del attrs[io.FORMAT_ATTR]
    attrs["cusp_likelihood"] = "gaussian(sigma=1)"


@pytest.mark.parametrize("change, found", [(_set_version(1), 1), (_format_1, 1), (_set_version(3), 3)])
def test_other_format_versions_are_refused(tmp_path, capsys, change, found):
    path = _tampered(tmp_path, change)
    message = (f"{path} was written by cusp results format {found}; "
               f"this cusp reads format {io.FORMAT_VERSION}: re-run the model")
    with pytest.raises(CuspInputError) as info:
        FitResult.from_netcdf(path)
    assert str(info.value) == message
    with pytest.raises(CuspInputError, match="re-run the model"):
        load_run(path)
    assert main(["report", str(path), "-o", str(tmp_path / "out.html")]) == 2
    assert capsys.readouterr().err.strip() == f"cusp: error: {message}"
    assert not (tmp_path / "out.html").exists()


def _drop_attr(name):
    def change(idata):
        del idata.posterior.attrs[name]
    return change


def _no_cusp_attrs(idata):
    for key in [k for k in idata.posterior.attrs if k.startswith("cusp_")]:
        del idata.posterior.attrs[key]


def _broken_map(idata):
    idata.map = idata.map.drop_vars("coef")


def _bad_likelihood(idata):
    idata.posterior.attrs["cusp_likelihood"] = "gaussian(sigma=1)"


@pytest.mark.parametrize("change", [_drop_attr("cusp_prior"), _drop_attr("cusp_notes"), _no_cusp_attrs, _broken_map,
                                    _bad_likelihood])
def test_incomplete_files_are_refused(tmp_path, change):
    path = _tampered(tmp_path, change)
    with pytest.raises(CuspInputError, match=re.escape(f"{path} is incomplete or not a cusp results file")):
        FitResult.from_netcdf(path)


# --------------------------------------------------------------------------- reports
def _values(html):
    """Every ``data-key``/``data-value`` pair in the page, in order."""
    return re.findall(r'data-key="([^"]*)"[^>]*data-value="([^"]*)"', html)


def _boom(*args, **kwargs):
    raise AssertionError("a report must not solve or sample")


def test_report_rerenders_the_same_numbers_without_solver_or_sampler(tmp_path, monkeypatch):
    run = RunResult("small", "Small run", "Three priors.", {k: fitted(k) for k in ("laplace", "gaussian", "spike_and_slab")})
    folder = tmp_path / "run"
    save_run(run, folder)
    before = tmp_path / "before.html"
    assert main(["report", str(folder), "-o", str(before)]) == 0
    original = _values(before.read_text(encoding="utf-8"))
    assert original == _values(render_run(run))  # the files hold what the fits held
    keys = {k for k, _ in original}
    assert {"n_zeros:laplace", "n_zeros:gaussian", "scale:laplace"} <= keys  # the paths are there

    for target in ("models.map.solver.solve", "models.model.solve", "models.posterior.pymc_model.run_sampler",
                   "models.model.run_sampler", "pymc.sample"):
        monkeypatch.setattr(target, _boom)
    X, y = data()
    with pytest.raises(AssertionError, match="must not solve"):  # the patches bite
        Model("gaussian", laplace(0.2), sigma=SIGMA).map(X, y)

    again = tmp_path / "again.html"
    assert main(["report", str(folder), "-o", str(again)]) == 0
    assert _values(again.read_text(encoding="utf-8")) == original
    assert len(original) > 50


def test_a_fit_without_a_stored_path_is_listed_as_skipped():
    fit = dataclasses.replace(fitted("laplace"), path=None, path_factors=None)
    page = render_run(RunResult("nopath", "No path", "A fit saved without its path.", {"laplace": fit}))
    assert "No path for laplace: no MAP path is stored with this fit" in page
    assert 'data-key="n_zeros:laplace"' not in page


def test_the_report_module_holds_no_solver():
    import reports.html as H

    for name in ("Model", "_LIKELIHOOD", "_likelihood_spec", "_design", "_response"):
        assert not hasattr(H, name), name
    assert H.PATH_FACTORS is PATH_FACTORS
