"""A sweep's specification: the TOML file (or a dict) read and checked into frozen
dataclasses, every problem one :class:`priors.CuspInputError` naming the key, raised
before any work starts.

The file (every key but ``datasets`` and ``priors`` optional)::

    name = "laplace-vs-horseshoe"    # a label for the report
    likelihood = "gaussian"          # gaussian | logistic | poisson
    sigma = 1.0                      # Gaussian noise sd, or "estimate" (least-squares plug-in)
    seeds = 3                        # replicates: 3 means [0, 1, 2]; or a list [0, 5, 7]
    seed = 0                         # entropy of the cells' SeedSequence (sampler streams)
    retries = 2                      # a cell that raises is retried, then recorded with its error
    metrics = ["held_out_error", "log_score", "exact_zeros", "support", "time"]

    [[datasets]]                     # built-in, CSV, or synthetic (exactly one of the three)
    synthetic = { n = 100, p = 50, sparsity = 5, correlation = 0.5, noise = 1.0 }

    [[priors]]                       # a family; a list is a grid over that parameter
    family = "bridge"
    p = [0.5, 0.8]

    [scales]                         # n scales from the all-zero scale b0 up to b0 / eps,
    n = 30                           # or values = [0.01, 0.1, 1.0]
    eps = 1e-3

    [cv]                             # scikit-learn's KFold
    folds = 5
    shuffle = false

    [compute]
    map_path = true                  # exact MAP paths (warm starts), every zero certified
    posterior = false                # a posterior per scale (each prior may override both)

    [posterior]
    sampler = "auto"
    draws = 1000
    tune = 1000
    chains = 2
    selections = ["dss", "savs"]

See the README's "Sweeps" section for each key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import tomllib

from priors import REGISTRY, CuspInputError, make_prior
from priors.validation import SEED_MAX, check_bool, check_number, check_scale, check_seed, check_whole

__all__ = ["SweepSpec", "DatasetSpec", "PriorSpec", "ScaleGrid", "CVSpec", "PosteriorSpec", "load_spec", "METRICS",
           "BUILTIN_DATASETS"]

#: What a cell can measure (the ``metrics`` key).
METRICS = ("held_out_error", "log_score", "exact_zeros", "support", "time")
#: Built-in data sets and their likelihood.
BUILTIN_DATASETS = {"diabetes": "gaussian", "breast_cancer": "logistic"}
LIKELIHOODS = ("gaussian", "logistic", "poisson")
SAMPLERS = ("auto", "gibbs", "pymc", "nutpie")
SELECTIONS = ("dss", "savs", "interval", "mpm", "projection")
MAX_CELLS = 1_000_000

_TOP_KEYS = ("name", "likelihood", "sigma", "seeds", "seed", "retries", "metrics", "fit_intercept", "datasets", "priors",
             "scales", "cv", "compute", "posterior")
_SYNTHETIC_KEYS = ("n", "p", "sparsity", "correlation", "noise", "signal", "n_test")
_DATASET_KEYS = ("name", "builtin", "csv", "target", "features", "synthetic", "sigma")
_PRIOR_KEYS = ("family", "label", "scales", "map_path", "posterior")


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """One data set: ``kind`` is ``"builtin"``, ``"csv"`` or ``"synthetic"``."""

    name: str
    kind: str
    builtin: str | None = None
    csv: str | None = None
    csv_sha256: str | None = None
    target: str | None = None
    features: tuple | None = None
    synthetic: tuple = ()  # ((key, value), ...) in _SYNTHETIC_KEYS order
    sigma: float | str | None = None  # Gaussian noise sd, "estimate", or None (not Gaussian)
    n_rows: int = 0

    @property
    def has_truth(self) -> bool:
        return self.kind == "synthetic"

    @property
    def n_test(self) -> int:
        return int(dict(self.synthetic).get("n_test", 0))

    def canonical(self) -> dict:
        """What identifies the data (a CSV file by its content, not its path)."""
        if self.kind == "builtin":
            return {"builtin": self.builtin}
        if self.kind == "csv":
            return {"csv_sha256": self.csv_sha256, "target": self.target,
                    "features": None if self.features is None else list(self.features)}
        return {"synthetic": dict(self.synthetic)}


@dataclasses.dataclass(frozen=True)
class ScaleGrid:
    """Explicit ``values``, or ``n`` scales from the all-zero scale ``b0`` to ``b0 / eps``."""

    values: tuple | None = None
    n: int = 30
    eps: float = 1e-3

    def canonical(self) -> dict:
        return {"values": list(self.values)} if self.values is not None else {"n": self.n, "eps": self.eps}

    @property
    def size(self) -> int:
        return len(self.values) if self.values is not None else self.n


@dataclasses.dataclass(frozen=True)
class PriorSpec:
    """One prior of the grid: a family with its parameters fixed (scale excluded)."""

    label: str
    family: str
    params: tuple  # ((key, value), ...) sorted
    scales: ScaleGrid
    map_path: bool
    posterior: bool

    def make(self, scale):
        return make_prior(self.family, scale=float(scale), **dict(self.params))


@dataclasses.dataclass(frozen=True)
class CVSpec:
    folds: int
    shuffle: bool
    random_state: int | None  # None with shuffle: each replicate seed shuffles its own folds


@dataclasses.dataclass(frozen=True)
class PosteriorSpec:
    sampler: str = "auto"
    draws: int = 1000
    tune: int = 1000
    chains: int = 2
    selections: tuple = ()


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: build it with :func:`load_spec`."""

    name: str
    likelihood: str
    datasets: tuple
    priors: tuple
    seeds: tuple
    seed: int
    retries: int
    metrics: tuple
    fit_intercept: bool
    cv: CVSpec | None
    posterior: PosteriorSpec
    source: str | None = None

    def canonical(self) -> dict:
        """The settings that determine the results (not where or how they are computed)."""
        return {"likelihood": self.likelihood, "fit_intercept": self.fit_intercept, "seed": self.seed,
                "seeds": list(self.seeds), "metrics": list(self.metrics),
                "cv": None if self.cv is None else dataclasses.asdict(self.cv),
                "posterior": {**dataclasses.asdict(self.posterior), "selections": list(self.posterior.selections)},
                "datasets": [{"name": d.name, **d.canonical(), "sigma": d.sigma} for d in self.datasets],
                "priors": [{"label": p.label, "family": p.family, "params": dict(p.params), "scales": p.scales.canonical(),
                            "map_path": p.map_path, "posterior": p.posterior} for p in self.priors]}


# --------------------------------------------------------------------------- reading
def load_spec(spec) -> SweepSpec:
    """A :class:`SweepSpec` from a spec (returned as is), a dict (as TOML reads) or the path
    of a TOML file; one CuspInputError naming the key for anything wrong."""
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, dict):
        return parse_spec(spec)
    if isinstance(spec, (str, os.PathLike)):
        path = os.fspath(spec)
        return parse_spec(read_toml(path), source=path)
    raise CuspInputError(f"a sweep spec is a SweepSpec, a dict or the path of a TOML file, got {type(spec).__name__}")


def read_toml(path) -> dict:
    """The TOML file at ``path`` as a dict (one clear error if missing or not TOML)."""
    if not os.path.exists(path):
        raise CuspInputError(f"spec file not found: {path}")
    if os.path.isdir(path):
        raise CuspInputError(f"{path} is a folder; give the sweep's TOML file")
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CuspInputError(f"{path} is not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CuspInputError(f"cannot read {path}: {exc}") from None


def parse_spec(raw: dict, *, source=None) -> SweepSpec:
    """Check every key of ``raw`` (as :func:`tomllib.load` returns it) and build the spec.
    Relative CSV paths are taken relative to the folder of ``source`` (the TOML file)."""
    _known_keys(raw, _TOP_KEYS, "")
    likelihood = _choice(raw.get("likelihood", "gaussian"), LIKELIHOODS, "likelihood")
    base = os.path.dirname(os.path.abspath(source)) if source else os.getcwd()
    sigma = _sigma(raw["sigma"], "sigma", likelihood) if "sigma" in raw else None
    datasets = tuple(_dataset(d, f"datasets[{i}]", likelihood, sigma, base)
                     for i, d in enumerate(_nonempty_list(raw, "datasets", "a data set", required=True)))
    _unique([d.name for d in datasets], "datasets", "name")
    grid = _scale_grid(raw.get("scales", {}), "scales")
    compute = _table(raw.get("compute", {}), "compute")
    _known_keys(compute, ("map_path", "posterior"), "compute")
    map_default = _bool(compute.get("map_path", True), "compute.map_path")
    post_default = _bool(compute.get("posterior", False), "compute.posterior")
    priors = []
    for i, node in enumerate(_nonempty_list(raw, "priors", "a prior", required=True)):
        priors.extend(_prior_variants(node, f"priors[{i}]", grid, map_default, post_default))
    _unique([p.label for p in priors], "priors", "label")
    posterior = _posterior(raw.get("posterior", {}), "posterior")
    if posterior.selections and not any(p.posterior for p in priors):
        raise CuspInputError("posterior.selections needs a posterior: set compute.posterior = true "
                             "(or posterior = true on a prior)")
    if "mpm" in posterior.selections:
        bad = [p.label for p in priors if p.posterior and not p.make(1.0).point_mass > 0]  # asked of the prior
        if bad:
            raise CuspInputError(f"posterior.selections: 'mpm' (median probability model) needs a prior with a point "
                                 f"mass at 0 (spike_and_slab); prior {bad[0]!r} has none")
    cv = _cv(raw["cv"], "cv") if "cv" in raw else None
    seeds = _seeds(raw.get("seeds", 1), "seeds")
    spec = SweepSpec(
        name=_text(raw.get("name", "sweep"), "name"), likelihood=likelihood, datasets=datasets, priors=tuple(priors),
        seeds=seeds, seed=check_seed("seed", raw.get("seed", 0)),
        retries=check_whole("retries", raw.get("retries", 2), low=0),
        metrics=(), fit_intercept=_bool(raw.get("fit_intercept", True), "fit_intercept"), cv=cv, posterior=posterior,
        source=None if source is None else os.path.abspath(source))
    spec = dataclasses.replace(spec, metrics=_metrics(raw.get("metrics"), spec))
    _check_cells(spec)
    return spec


# --------------------------------------------------------------------------- one rule each
def _table(node, key) -> dict:
    if not isinstance(node, dict):
        raise CuspInputError(f"{key} must be a table (key = value pairs), got {_kind(node)}")
    return node


def _kind(value) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"[:80]


def _known_keys(node, allowed, where, also=()):
    """Unknown keys are errors (a typo must not be ignored silently)."""
    node = _table(node, where or "the spec")
    for key in node:
        if key not in allowed and key not in also:
            place = f"{where}.{key}" if where else key
            listed = ", ".join(list(allowed) + list(also))
            raise CuspInputError(f"unknown key {place!r}; the keys {'of ' + where if where else 'at the top'} are: {listed}")


def _bool(value, key) -> bool:
    return check_bool(key, value)


def _text(value, key) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CuspInputError(f"{key} must be a non-empty string, got {_kind(value)}")
    return value


def _choice(value, choices, key) -> str:
    if value not in choices or not isinstance(value, str):
        raise CuspInputError(f"{key} must be one of {', '.join(choices)}, got {_kind(value)}")
    return value


def _nonempty_list(node, key, what, required=False) -> list:
    if key not in node:
        if required:
            raise CuspInputError(f"missing key {key!r}: give at least {what} ([[{key}]] tables in TOML)")
        return []
    value = node[key]
    if not isinstance(value, list):
        raise CuspInputError(f"{key} must be a list ([[{key}]] tables in TOML), got {_kind(value)}")
    if not value:
        raise CuspInputError(f"{key} is empty: give at least {what}")
    return value


def _unique(names, key, field):
    seen = set()
    for i, name in enumerate(names):
        if name in seen:
            raise CuspInputError(f"{key}[{i}].{field} {name!r} is used twice; give each a distinct {field}")
        seen.add(name)


def _sigma(value, key, likelihood):
    if likelihood != "gaussian":
        raise CuspInputError(f"{key} is the Gaussian noise sd; the {likelihood} likelihood has none: remove it")
    if value == "estimate":
        return "estimate"
    if isinstance(value, str):
        raise CuspInputError(f"{key} must be a positive number or \"estimate\", got {value!r}")
    return check_scale(key, value)


def _seeds(value, key) -> tuple:
    if isinstance(value, list):
        if not value:
            raise CuspInputError(f"{key} is empty: give at least one seed (or a count, seeds = 5)")
        seeds = tuple(check_seed(f"{key}[{i}]", s) for i, s in enumerate(value))
        _unique(seeds, key, "seed")
        return seeds
    n = check_whole(f"{key} (a count, or a list of seeds)", value)
    if n > SEED_MAX:
        raise CuspInputError(f"{key} must be at most {SEED_MAX}, got {n}")
    return tuple(range(n))


def _number_list(value, key, check) -> tuple:
    if not isinstance(value, list):
        raise CuspInputError(f"{key} must be a list of numbers, got {_kind(value)}")
    if not value:
        raise CuspInputError(f"{key} is empty: give at least one value")
    return tuple(check(f"{key}[{i}]", v) for i, v in enumerate(value))


def _scale_grid(node, key) -> ScaleGrid:
    if isinstance(node, list):
        node = {"values": node}
    _known_keys(node, ("values", "n", "eps"), key)
    if "values" in node:
        if "n" in node or "eps" in node:
            raise CuspInputError(f"{key}: give either values or n (and eps), not both")
        return ScaleGrid(values=tuple(sorted(_number_list(node["values"], f"{key}.values", check_scale))))
    n = check_whole(f"{key}.n", node.get("n", 30))
    eps = check_scale(f"{key}.eps", node.get("eps", 1e-3))
    if not eps < 1.0:
        raise CuspInputError(f"{key}.eps must be below 1 (the grid spans b0 to b0 / eps), got {eps:g}")
    return ScaleGrid(n=n, eps=eps)


def _dataset(node, key, likelihood, sigma, base) -> DatasetSpec:
    _known_keys(node, _DATASET_KEYS, key)
    kinds = [k for k in ("builtin", "csv", "synthetic") if k in node]
    if len(kinds) != 1:
        raise CuspInputError(f"{key} must have exactly one of builtin, csv or synthetic, got "
                             f"{', '.join(kinds) if kinds else 'none'}")
    kind = kinds[0]
    own_sigma = _sigma(node["sigma"], f"{key}.sigma", likelihood) if "sigma" in node else sigma
    if kind != "csv":
        for extra in ("target", "features"):
            if extra in node:
                raise CuspInputError(f"{key}.{extra} is for a CSV data set (csv = ...); remove it")
    if kind == "builtin":
        name = _choice(node["builtin"], tuple(BUILTIN_DATASETS), f"{key}.builtin")
        if BUILTIN_DATASETS[name] != likelihood:
            raise CuspInputError(f"{key}.builtin: {name} is {BUILTIN_DATASETS[name]} data, but likelihood = {likelihood!r}")
        if likelihood == "gaussian" and own_sigma is None:
            from models.data import DIABETES_SIGMA

            own_sigma = DIABETES_SIGMA
        n_rows = {"diabetes": 442, "breast_cancer": 569}[name]
        return DatasetSpec(name=_text(node.get("name", name), f"{key}.name"), kind=kind, builtin=name, sigma=own_sigma,
                           n_rows=n_rows)
    if kind == "csv":
        return _csv_dataset(node, key, likelihood, own_sigma, base)
    return _synthetic_dataset(node, key, likelihood, own_sigma)


def _csv_dataset(node, key, likelihood, sigma, base) -> DatasetSpec:
    from models.scripts.regression import load_csv

    path = _text(node["csv"], f"{key}.csv")
    path = path if os.path.isabs(path) else os.path.join(base, path)
    if not os.path.isfile(path):
        raise CuspInputError(f"{key}.csv: data file not found: {path}")
    target = _text(node.get("target", ""), f"{key}.target") if "target" in node else None
    if target is None:
        raise CuspInputError(f"missing key '{key}.target': the CSV column to predict")
    features = None
    if "features" in node:
        features = node["features"]
        if not isinstance(features, list) or not features or not all(isinstance(f, str) for f in features):
            raise CuspInputError(f"{key}.features must be a non-empty list of column names, got {_kind(features)}")
        features = tuple(features)
    try:
        X, y, _, _ = load_csv(path, target, None if features is None else ",".join(features), warn=lambda msg: None)
    except CuspInputError as exc:
        raise CuspInputError(f"{key}.csv: {exc}") from None
    with open(path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    name = _text(node.get("name", os.path.splitext(os.path.basename(path))[0]), f"{key}.name")
    return DatasetSpec(name=name, kind="csv", csv=path, csv_sha256=digest, target=target, features=features,
                       sigma="estimate" if likelihood == "gaussian" and sigma is None else sigma, n_rows=int(y.size))


def _synthetic_dataset(node, key, likelihood, sigma) -> DatasetSpec:
    where = f"{key}.synthetic"
    syn = _table(node["synthetic"], where)
    _known_keys(syn, _SYNTHETIC_KEYS, where)
    n = check_whole(f"{where}.n", syn.get("n", 100), low=2)
    p = check_whole(f"{where}.p", syn.get("p", 50))
    k = check_whole(f"{where}.sparsity", syn.get("sparsity", min(5, p)), low=0)
    if k > p:
        raise CuspInputError(f"{where}.sparsity (the number of non-zero coefficients) must be at most p = {p}, got {k}")
    rho = check_number(f"{where}.correlation", syn.get("correlation", 0.0), low=0.0, high=1.0, low_inclusive=True,
                       high_inclusive=False)
    noise = check_scale(f"{where}.noise", syn.get("noise", 1.0))
    signal = check_number(f"{where}.signal", syn.get("signal", 2.0))
    n_test = check_whole(f"{where}.n_test", syn.get("n_test", 0), low=0)
    if n * p > 50_000_000 or n_test * p > 50_000_000:
        raise CuspInputError(f"{where}: n x p = {max(n, n_test) * p} cells is more than 5e7 (400 MB); make it smaller")
    values = {"n": n, "p": p, "sparsity": k, "correlation": float(rho), "noise": float(noise), "signal": float(signal),
              "n_test": n_test}
    if likelihood == "gaussian" and sigma is None:
        sigma = float(noise)  # the true noise sd
    name = _text(node.get("name", "synthetic"), f"{key}.name")
    return DatasetSpec(name=name, kind="synthetic", synthetic=tuple(values.items()), sigma=sigma, n_rows=n)


def _prior_variants(node, key, grid, map_default, post_default) -> list[PriorSpec]:
    from models.scripts.common import family_parameters

    node = _table(node, key)
    if "family" not in node:
        raise CuspInputError(f"missing key '{key}.family': one of {', '.join(REGISTRY)}")
    family = _choice(node["family"], tuple(REGISTRY), f"{key}.family")
    params = {k: v for k, v in node.items() if k not in _PRIOR_KEYS}
    if "scale" in params:
        raise CuspInputError(f"{key}.scale: the scales come from [scales] (or {key}.scales), not a scale parameter")
    allowed, anything = family_parameters(family)
    allowed = [a for a in allowed if a != "scale"]
    for name in params:
        if name not in allowed and not anything:
            raise CuspInputError(f"unknown key '{key}.{name}': {family} has the parameters "
                                 f"{', '.join(allowed) if allowed else '(none besides its scale)'}")
    scales = _scale_grid(node["scales"], f"{key}.scales") if "scales" in node else grid
    map_path = _bool(node.get("map_path", map_default), f"{key}.map_path")
    posterior = _bool(node.get("posterior", post_default), f"{key}.posterior")
    if not (map_path or posterior):
        raise CuspInputError(f"{key}: neither map_path nor posterior is computed; set one of them true")
    grids = [[(name, v) for v in (value if isinstance(value, list) else [value])] for name, value in sorted(params.items())]
    for name, value in params.items():
        if isinstance(value, list) and not value:
            raise CuspInputError(f"{key}.{name} is empty: give at least one value")
    variants = []
    for combo in _product(grids):
        try:
            prior = make_prior(family, scale=1.0, **dict(combo))
        except CuspInputError as exc:
            raise CuspInputError(f"{key}: {exc}") from None
        if map_path and not prior.has_map_view:
            raise CuspInputError(f"{key}.map_path: {family} has no MAP (a point mass at 0); set map_path = false")
        if posterior and not prior.has_pymc_form:
            raise CuspInputError(f"{key}.posterior: {family} cannot be sampled; set posterior = false")
        label = node.get("label", family) if not any(isinstance(v, list) for v in params.values()) else None
        if label is None:
            label = family + "(" + ", ".join(f"{k}={_short(v)}" for k, v in combo) + ")"
        variants.append(PriorSpec(label=_text(label, f"{key}.label"), family=family, params=tuple(combo), scales=scales,
                                  map_path=map_path, posterior=posterior))
    if "label" in node and len(variants) > 1:
        raise CuspInputError(f"{key}.label names one prior, but the parameter lists make {len(variants)}: leave it out "
                             "(each gets a label with its parameters)")
    return variants


def _short(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _product(grids):
    combos = [()]
    for grid in grids:
        combos = [c + (item,) for c in combos for item in grid]
    return combos


def _cv(node, key) -> CVSpec:
    _known_keys(node, ("folds", "shuffle", "random_state"), key)
    folds = check_whole(f"{key}.folds", node.get("folds", 5), low=2)
    shuffle = _bool(node.get("shuffle", False), f"{key}.shuffle")
    state = node.get("random_state")
    if state is not None:
        if not shuffle:
            raise CuspInputError(f"{key}.random_state shuffles the folds: set {key}.shuffle = true too, or remove it")
        state = check_seed(f"{key}.random_state", state)
    return CVSpec(folds=folds, shuffle=shuffle, random_state=state)


def _posterior(node, key) -> PosteriorSpec:
    _known_keys(node, ("sampler", "draws", "tune", "chains", "selections"), key)
    selections = node.get("selections", [])
    if not isinstance(selections, list):
        raise CuspInputError(f"{key}.selections must be a list of methods ({', '.join(SELECTIONS)}), got {_kind(selections)}")
    for i, method in enumerate(selections):
        _choice(method, SELECTIONS, f"{key}.selections[{i}]")
    _unique(selections, f"{key}.selections", "method")
    return PosteriorSpec(sampler=_choice(node.get("sampler", "auto"), SAMPLERS, f"{key}.sampler"),
                         draws=check_whole(f"{key}.draws", node.get("draws", 1000)),
                         tune=check_whole(f"{key}.tune", node.get("tune", 1000), low=0),
                         chains=check_whole(f"{key}.chains", node.get("chains", 2)), selections=tuple(selections))


def _held_out(dataset, cv) -> bool:
    return cv is not None or dataset.n_test > 0


def _metrics(value, spec) -> tuple:
    """The metrics asked for (default: every one that applies to some data set); one
    that applies to none of them is an error naming the data set."""
    if value is None:
        wanted = ["exact_zeros", "time"]
        if any(_held_out(d, spec.cv) for d in spec.datasets):
            wanted[:0] = ["held_out_error", "log_score"]
        if any(d.has_truth for d in spec.datasets):
            wanted.insert(-1, "support")
        return tuple(wanted)
    if not isinstance(value, list) or not value:
        raise CuspInputError(f"metrics must be a non-empty list of {', '.join(METRICS)}, got {_kind(value)}")
    for i, metric in enumerate(value):
        _choice(metric, METRICS, f"metrics[{i}]")
    _unique(value, "metrics", "metric")
    for i, d in enumerate(spec.datasets):
        if not _held_out(d, spec.cv) and ("held_out_error" in value or "log_score" in value):
            raise CuspInputError(f"metrics: held-out metrics need held-out data, and datasets[{i}] ({d.name!r}) has none: "
                                 "add a [cv] table, or synthetic.n_test")
        if "support" in value and not d.has_truth:
            raise CuspInputError(f"metrics: support recovery needs a known truth, and datasets[{i}] ({d.name!r}) is not "
                                 "synthetic: remove 'support' or use synthetic data")
    return tuple(value)


def _check_cells(spec):
    """The grid's size and the folds against each data set's rows, before any work."""
    for i, d in enumerate(spec.datasets):
        if spec.cv is not None and spec.cv.folds > d.n_rows:
            raise CuspInputError(f"cv.folds = {spec.cv.folds} is more than the {d.n_rows} rows of datasets[{i}] ({d.name!r})")
    per_fold = sum((1 if p.map_path else 0) + (p.scales.size if p.posterior else 0) for p in spec.priors)
    total = per_fold * len(spec.datasets) * len(spec.seeds) * (spec.cv.folds if spec.cv else 1)
    if total > MAX_CELLS:
        raise CuspInputError(f"the sweep has {total} cells, more than {MAX_CELLS}; split it into several sweeps")
    if not math.isfinite(total) or total == 0:  # pragma: no cover - every list is non-empty by now
        raise CuspInputError("the sweep has no cells")
