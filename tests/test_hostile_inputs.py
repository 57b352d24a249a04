"""Hostile input to the API: each is refused with one CuspInputError saying what to fix,
before any work, and nothing is coerced silently (masked values, imaginary parts,
dates, text, huge magnitudes, sparse matrices, odd warm starts, scales and seeds,
sampling sizes that cannot fit in memory)."""

import datetime

import numpy as np
import pytest

from models import CuspInputError, Model
from models.data import as_array
from models.posterior import pymc_model as pymc_module
from models.posterior.gibbs import gibbs_posterior
from models.posterior.pymc_model import DRAWS_MEMORY_LIMIT, MAX_CHAINS, MAX_DRAWS, check_sampling_size, run_sampler
from priors import laplace
from priors.validation import DATA_LIMIT

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 3))
Y = X[:, 0] + 0.1 * RNG.standard_normal(8)


def _model(likelihood="gaussian", **kwargs):
    return Model(likelihood, laplace(1.0), sigma=1.0 if likelihood in ("gaussian", "normal_means") else None, **kwargs)


def _refused(call, *phrases):
    with pytest.raises(CuspInputError) as info:
        call()
    message = str(info.value)
    for phrase in phrases:
        assert phrase in message, message
    assert "\n" not in message
    return message


# ---------------------------------------------------------------------- 1. masked arrays
def _masked(values, index):
    out = np.ma.masked_array(values, mask=np.zeros(np.shape(values), bool))
    out[index] = np.ma.masked
    return out


@pytest.mark.parametrize("which", ["X", "y"])
def test_masked_entries_are_refused_not_used(which):
    data, y = (_masked(X.copy(), (0, 0)), Y) if which == "X" else (X, _masked(Y.copy(), 0))
    _refused(lambda: _model().map(data, y), f"{which} is a masked array with 1 masked entry",
             "fill or drop the masked entries first", f"{which}.filled(value)")


def test_masked_normal_means_are_refused():
    _refused(lambda: _model("normal_means").map(y=_masked([1.0, 2.0, 3.0], 1)), "y is a masked array")


def test_masked_array_with_nothing_masked_is_its_data():
    a = _model().map(np.ma.masked_array(X), np.ma.masked_array(Y))
    b = _model().map(X, Y)
    np.testing.assert_array_equal(a.coef, b.coef)


# ---------------------------------------------------------------------- 2. complex values
@pytest.mark.parametrize("which", ["X", "y"])
def test_complex_data_is_refused(which):
    data, y = (X + 1j, Y) if which == "X" else (X, Y + 0.5j)
    _refused(lambda: _model().map(data, y), f"{which} holds complex numbers", "pass the real part")


def test_complex_values_among_objects_are_refused():
    _refused(lambda: _model().map(X, list(Y[:-1]) + [1j]), "y holds complex numbers (dtype complex128)")
    y = np.array(list(Y[:-1]) + [1j], dtype=object)
    _refused(lambda: _model().map(X, y), "y holds complex numbers (1j (complex) at position 7)")


# ---------------------------------------------------------------------- 3. dates, durations, text
@pytest.mark.parametrize("dtype, what", [("datetime64[D]", "datetimes"), ("timedelta64[s]", "durations")])
def test_datetime_and_timedelta_arrays_are_refused(dtype, what):
    T = np.arange(24).reshape(8, 3).astype(dtype)
    _refused(lambda: _model().map(T, Y), f"X holds {what}", "convert them explicitly")
    _refused(lambda: _model().map(X, np.arange(8).astype(dtype)), f"y holds {what}", "convert them explicitly")


@pytest.mark.parametrize("column, what", [
    (lambda pd: pd.date_range("2020-01-01", periods=8), "datetimes"),
    (lambda pd: pd.date_range("2020-01-01", periods=8, tz="UTC"), "datetimes"),
    (lambda pd: pd.to_timedelta(np.arange(8), unit="s"), "durations"),
])
def test_dataframe_date_and_duration_columns_are_refused(column, what):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(when=column(pd))
    _refused(lambda: _model().map(df, Y), "non-numeric columns ['when']", f"({what})", "convert them explicitly")


def test_series_of_dates_as_y_is_refused():
    pd = pytest.importorskip("pandas")
    _refused(lambda: _model().map(X, pd.Series(pd.date_range("2020", periods=8))), "y holds datetimes")
    _refused(lambda: _model().map(X, [datetime.date(2020, 1, i + 1) for i in range(8)]), "y holds datetimes")


@pytest.mark.parametrize("y, phrase", [
    (["1.5"] * 8, "y holds text (dtype <U3, e.g. '1.5')"),  # never parsed
    (np.array([1.0, "a", 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], dtype=object), "y holds text ('a' (str) at position 1)"),
    ([1.0, None, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], "y must hold numbers only; found None (NoneType) at position 1"),
    ({"a": 1}, "y must be an array of numbers, got {'a': 1} (dict)"),
])
def test_text_and_other_objects_are_refused(y, phrase):
    _refused(lambda: _model().map(X, y), phrase)


def test_object_array_of_numbers_is_accepted():
    a = _model().map(X.astype(object), Y.astype(object))
    np.testing.assert_array_equal(a.coef, _model().map(X, Y).coef)


# ---------------------------------------------------------------------- 4. magnitudes
@pytest.mark.parametrize("X, y, which", [
    (X * 1e160, Y, "X"),  # hung in the solver
    (X, Y * 1e307, "y"),  # PyMC SamplingError
    ([[10**400, 1, 2]] + X[1:].tolist(), Y, "X"),  # a Python int too large for a float
])
def test_huge_data_is_refused_with_the_range(X, y, which):
    _refused(lambda: _model().map(X, y), f"{which} has values too large for cusp", f"|value| <= {DATA_LIMIT:g}",
             "rescale")


def test_huge_normal_means_are_refused():
    _refused(lambda: _model("normal_means").map(y=[1e308, 1.0]), "y has values too large", "<= 1e+50")


def test_the_data_limit_itself_is_accepted():
    assert as_array([DATA_LIMIT, -DATA_LIMIT, 5e-324, -0.0], "y").tolist() == [DATA_LIMIT, -DATA_LIMIT, 5e-324, -0.0]
    _refused(lambda: as_array([np.nextafter(DATA_LIMIT, np.inf)], "y"), "too large")


# ---------------------------------------------------------------------- 5. warm starts
@pytest.mark.parametrize("kwargs, phrase", [
    ({"coef_init": ["a", "b", "c"]}, "coef_init must be finite numbers, one per column of X; coef_init[0] is 'a'"),
    ({"coef_init": [1.0, 2.0]}, "coef_init must be finite numbers, one per column of X (shape (3,))"),
    ({"coef_init": [[1.0, 2.0, 3.0]]}, "with shape (1, 3)"),
    ({"coef_init": [1.0, True, 0.0]}, "coef_init[1] is True"),
    ({"coef_init": 5}, "with shape ()"),
    ({"intercept_init": "a"}, "intercept_init must be a finite number, got 'a'"),
    ({"intercept_init": np.array([1.0, 2.0])}, "intercept_init must be a finite number"),
    ({"intercept_init": np.nan}, "intercept_init must be a finite number"),
])
def test_bad_warm_starts(kwargs, phrase):
    _refused(lambda: _model().map(X, Y, **kwargs), phrase)


# ---------------------------------------------------------------------- 6. scales of a path
@pytest.mark.parametrize("scales, phrase", [
    (None, "map_path needs scales: an array of prior scales, e.g. prior.scale * np.logspace(-2, 2, 25)"),
    ("abc", "scales must be a list or array of numbers"),
    ((s for s in [1.0, 2.0]), "scales must be a list or array of numbers"),
    ({1.0, 2.0}, "scales must be a list or array of numbers"),
    ([1.0, 1j], "prior scale in scales must be a finite number"),
    ([1.0, 1e60], "prior scale in scales must be a finite number >= 1e-50 and <= 1e+50"),
    (_masked([1.0, 2.0], 0), "scales is a masked array"),
])
def test_bad_path_scales(scales, phrase):
    _refused(lambda: _model().map_path(X, Y, scales), phrase)


def test_path_factors_must_give_valid_scales():
    _refused(lambda: _model().sample(X, Y, draws=5, tune=0, chains=1, path_factors=[1e60]),
             "prior scale 1 x path factor 1e+60 must be a finite number >= 1e-50")


# ---------------------------------------------------------------------- 7. seeds
BAD_SEEDS = [-1, 1.5, "a", True, 2**32, np.nan, [1, 2]]


@pytest.fixture
def no_sampling(monkeypatch):
    """Fail the test if any model gets built or sampled: the checks must come first."""
    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the inputs were checked")

    monkeypatch.setattr("models.model.build_pymc_model", forbidden)
    monkeypatch.setattr("models.model.Model._check_data", forbidden)


@pytest.mark.parametrize("seed", BAD_SEEDS, ids=repr)
@pytest.mark.parametrize("method", ["sample", "fit"])
def test_bad_seeds_are_refused_before_sampling(no_sampling, method, seed):
    _refused(lambda: getattr(_model(), method)(X, Y, draws=5, tune=5, chains=1, random_seed=seed),
             "random_seed must be a whole number >= 0 and <= 4294967295")


@pytest.mark.parametrize("seed", BAD_SEEDS, ids=repr)
def test_bad_seeds_are_refused_by_run_sampler_and_gibbs(seed):
    _refused(lambda: run_sampler(None, draws=5, tune=5, chains=1, random_seed=seed), "random_seed must be a whole")
    _refused(lambda: gibbs_posterior(X, Y, laplace(1.0), sigma=1.0, draws=5, burn=5, chains=1, random_seed=seed),
             "random_seed must be a whole number >= 0 and <= 4294967295")


def test_gibbs_checks_its_data_and_accepts_a_good_seed():
    _refused(lambda: gibbs_posterior(X * 1e160, Y, laplace(1.0), sigma=1.0), "X has values too large")
    w = gibbs_posterior(X, Y, laplace(1.0), sigma=1.0, draws=3, burn=2, chains=1, random_seed=2**32 - 1)["w"]
    assert w.shape == (1, 3, 3) and np.all(np.isfinite(w))


@pytest.mark.parametrize("seed", BAD_SEEDS + [None], ids=repr)
def test_study_refuses_a_bad_seed_before_any_experiment(monkeypatch, seed):
    from reports.study import experiments

    def forbidden(**kwargs):
        raise AssertionError("an experiment ran before the seed was checked")

    monkeypatch.setattr(experiments, "shrinkage_profiles", forbidden)
    phrase = "needs a fixed random_seed" if seed is None else "random_seed must be a whole number >= 0 and <= 4294967295"
    _refused(lambda: experiments.run_study(quick=True, random_seed=seed), phrase)
    for experiment in (experiments.concentration_sweep, experiments.geometry, experiments.overfitting,
                       experiments.posterior_vs_map, experiments.selection_comparison):
        _refused(lambda: experiment(quick=True, random_seed=seed), phrase)


# ---------------------------------------------------------------------- 8. sparse designs
def test_sparse_design_is_refused_plainly_where_it_is_not_taken():
    """The MAP takes a sparse design (tests/test_map_sparse.py); sampling refuses it."""
    import scipy.sparse as sparse

    for make in (sparse.csr_matrix, sparse.csc_array, sparse.coo_matrix):
        _refused(lambda: _model().sample(make(X), Y, draws=10, tune=10), "X is a scipy.sparse matrix (shape (8, 3))",
                 "only the MAP takes a sparse design", "X.toarray()")


# ---------------------------------------------------------------------- 10. sampling sizes
@pytest.mark.parametrize("kwargs, phrase", [
    ({"draws": 10**9}, f"draws must be a whole number >= 1 and <= {MAX_DRAWS}, got 1000000000"),
    ({"tune": 10**8}, f"tune must be a whole number >= 0 and <= {MAX_DRAWS}"),
    ({"chains": 10**6}, f"chains must be a whole number >= 1 and <= {MAX_CHAINS}"),
    ({"draws": 10**7, "chains": 100}, f"more than cusp's limit of {DRAWS_MEMORY_LIMIT / 1e9:g} GB"),
])
def test_sampling_sizes_beyond_the_limits_are_refused_before_work(monkeypatch, kwargs, phrase):
    def forbidden(*args, **kw):
        raise AssertionError("a model was built before the size was checked")

    monkeypatch.setattr("models.model.build_pymc_model", forbidden)
    settings = {"draws": 10, "tune": 10, "chains": 1} | kwargs
    _refused(lambda: _model().sample(X, Y, **settings), phrase)


def test_check_sampling_size_gives_the_largest_allowed_draws():
    assert check_sampling_size(1000, 0, 4, 10) == (1000, 0, 4)
    assert check_sampling_size(MAX_DRAWS, MAX_DRAWS, 1) == (MAX_DRAWS, MAX_DRAWS, 1)  # no features: counts only
    message = _refused(lambda: check_sampling_size(10**6, 0, 4, 1000), "use fewer draws or chains",
                       "at most 125000 draws per chain with 4 chains")
    assert "32 GB" in message
    _refused(lambda: check_sampling_size(1, 0, 1, 10**9), "even one draw per chain is too much")
    assert pymc_module.check_sampling_size is check_sampling_size and "check_sampling_size" in pymc_module.__all__


# ---------------------------------------------------------------------- feature names
@pytest.mark.parametrize("names, phrase", [
    ("abc", "feature_names must be a list of names, one for each of the columns of X, got 'abc' (str)"),
    (5, "feature_names must be a list of names"),
    (["a", None, "c"], "feature_names must be strings (or numbers), got None"),
    (["a", ["b"], "c"], "feature_names must be strings (or numbers), got ['b']"),
    (["a", "b"], "2 feature names for 3 columns of X"),
    (["a", "a", "b"], "feature names must be unique"),
])
def test_bad_feature_names(names, phrase):
    _refused(lambda: _model().map(X, Y, feature_names=names), phrase)


def test_bad_normal_means_names():
    _refused(lambda: _model("normal_means").map(y=[1.0, 2.0], feature_names="ab"), "one for each of the means")
    _refused(lambda: _model("normal_means").map(y=[1.0, 2.0], feature_names=["a"]), "1 feature names for 2 means")
