"""One file for MAP and posterior: the MAP as an InferenceData group, and safe netCDF I/O.

This module owns the results file format (version :data:`FORMAT_VERSION`); nothing else
reads or writes a ``cusp_*`` attribute or a cusp group.  A results file is an ArviZ
InferenceData (netCDF) with

* ``posterior``, ``sample_stats``, ``observed_data``, ``constant_data``: the draws and
  the data, as PyMC writes them;
* ``map`` (absent for priors without a MAP): data variables ``coef``, ``slope``,
  ``is_zero``, ``margin``, ``residual`` over ``feature``; the scalars (intercept,
  objective, tolerance, ...) as attributes, the likelihood the MAP was computed with as
  JSON (``{"name": "gaussian", "sigma": 54.0}``, sigma at full precision);
* ``map_path`` (optional): the MAP over ``scales = prior.scale * factors``: ``factors``,
  ``scales``, ``intercepts``, ``objectives``, ``converged``, ``n_zeros`` over ``scale``
  and ``coefs`` over ``(scale, feature)``;
* ``log_likelihood``: ``y`` over ``(chain, draw, obs)``, ``log p(y_i | draw)`` (written by
  :mod:`models.posterior.loo`; ``arviz.loo`` reads it) and ``loo``: its PSIS-LOO,
  ``loo_i`` and ``pareto_k`` per observation and ``arviz.loo``'s scalars as attributes;
* ``selections`` (optional): sparse decisions from the posterior, ``coef`` and
  ``selected`` over ``(decision, feature)``, ``intercept`` over ``decision`` (the method
  names), and ``record``
  (each decision's ``Selection.to_dict()`` as JSON, which is what is read back);
* attributes of ``posterior``: ``cusp_format_version``; what the model was:
  ``cusp_prior`` (JSON: family and parameters), ``cusp_likelihood`` (JSON: name and
  parameters, ``sigma`` null when estimated), ``cusp_fit_intercept``, ``cusp_sampler``,
  ``cusp_target_accept``, ``cusp_notes`` (JSON list), ``cusp_groups`` (JSON list of the
  groups written, checked on reading); and, for files of a run,
  ``cusp_run_name``, ``cusp_run_title``, ``cusp_run_description``, ``cusp_label``,
  ``cusp_position``.

So a saved file can be reported on without the code that made it, and without solving
or sampling again.  Files of another format version are refused with one message.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile

import numpy as np

from priors import CuspInputError, make_prior

from models.likelihoods import make_likelihood
from models.map.certificate import Certificate
from models.results import MapPath, MapResult

#: The results file format this cusp writes and reads.  Version 1 (no version attribute)
#: stored the likelihood as display text; version 2 stores it as JSON and adds ``map_path``.
FORMAT_VERSION = 2
FORMAT_ATTR = "cusp_format_version"
MAP_GROUP = "map"
PATH_GROUP = "map_path"
#: Attribute of ``posterior``: the groups the file was written with (JSON list), so that a
#: file cut short is recognised; files without it must have :data:`REQUIRED_GROUPS`.
GROUPS_ATTR = "cusp_groups"
REQUIRED_GROUPS = ("posterior", "sample_stats", "observed_data")
#: Attributes of ``posterior`` every results file has (the run attributes are optional).
REQUIRED_ATTRS = (FORMAT_ATTR, "cusp_prior", "cusp_likelihood", "cusp_fit_intercept", "cusp_sampler",
                  "cusp_target_accept", "cusp_notes")


class _Incomplete(Exception):
    """A required group, variable or attribute is missing or unreadable."""


def prior_to_json(prior) -> str:
    return json.dumps({"family": prior.family, **prior.given_params})


def prior_from_json(text):
    spec = json.loads(text)
    return make_prior(spec.pop("family"), **spec)


def likelihood_to_dict(likelihood) -> dict:
    """``{"name": ..., "sigma": ...}`` of a :class:`~models.likelihoods.Likelihood`
    (``sigma`` only for the likelihoods that have one; None when it is estimated)."""
    spec = {"name": likelihood.name}
    if hasattr(likelihood, "sigma"):
        spec["sigma"] = None if likelihood.sigma is None else float(likelihood.sigma)
    if getattr(likelihood, "sigma_prior", "halfnormal") != "halfnormal":
        spec["sigma_prior"] = likelihood.sigma_prior  # absent: the default (and older files)
    return spec


def likelihood_to_json(likelihood) -> str:
    return json.dumps(likelihood_to_dict(likelihood))


def likelihood_from_json(text):
    """Inverse of :func:`likelihood_to_json`: the same Likelihood (via ``make_likelihood``)."""
    spec = json.loads(text)
    return make_likelihood(spec.pop("name"), **spec)


def map_to_dataset(result: MapResult, likelihood):
    """The MAP result as an ``xarray.Dataset`` over ``feature``; ``likelihood`` is the
    Likelihood object it was computed with (stored as JSON, sigma at full precision)."""
    import xarray as xr

    cert = result.certificate
    dims = ("feature",)
    data = {
        "coef": (dims, np.asarray(result.coef, dtype=float)),
        "slope": (dims, np.asarray(cert.slope, dtype=float)),
        "is_zero": (dims, np.asarray(cert.is_zero, dtype=np.int8)),  # netCDF has no bool
        "margin": (dims, np.asarray(cert.margin, dtype=float)),
        "residual": (dims, np.asarray(cert.residual, dtype=float)),
    }
    attrs = {
        "intercept": float(result.intercept),
        "objective": float(result.objective),
        "converged": int(result.converged),
        "message": result.message,
        "n_iter": int(result.n_iter),
        "likelihood": likelihood_to_json(likelihood),
        "prior": prior_to_json(result.prior),
        "mode": result.mode,
        "notes": json.dumps(list(result.notes)),
        "threshold": float(cert.threshold),
        "intercept_residual": float(cert.intercept_residual),
        "tol": float(cert.tol),
        "duality_gap": float("nan") if cert.duality_gap is None else float(cert.duality_gap),
    }
    return xr.Dataset(data, coords={"feature": list(result.feature_names)}, attrs=attrs)


def map_from_dataset(ds) -> MapResult:
    """Inverse of :func:`map_to_dataset` (values are restored bit for bit)."""
    a = ds.attrs
    gap = float(a["duality_gap"])
    cert = Certificate(
        slope=ds["slope"].values.astype(float),
        threshold=float(a["threshold"]),
        is_zero=ds["is_zero"].values.astype(bool),
        margin=ds["margin"].values.astype(float),
        residual=ds["residual"].values.astype(float),
        intercept_residual=float(a["intercept_residual"]),
        tol=float(a["tol"]),
        duality_gap=None if math.isnan(gap) else gap,
    )
    return MapResult(
        coef=ds["coef"].values.astype(float),
        intercept=float(a["intercept"]),
        objective=float(a["objective"]),
        converged=bool(int(a["converged"])),
        message=str(a["message"]),
        n_iter=int(a["n_iter"]),
        certificate=cert,
        feature_names=[str(f) for f in ds["feature"].values],
        prior=prior_from_json(a["prior"]),
        likelihood=likelihood_from_json(a["likelihood"]).describe(),
        mode=str(a["mode"]),
        notes=tuple(json.loads(a["notes"])),
    )


def path_to_dataset(path: MapPath, factors):
    """A MAP path as an ``xarray.Dataset`` over ``scale`` (and ``feature``); ``factors``
    are the multiples of the fitted prior scale it was computed at."""
    import xarray as xr

    factors = np.asarray(factors, dtype=float).ravel()
    scales = np.asarray(path.scales, dtype=float)
    if factors.shape != scales.shape:
        raise CuspInputError(f"{factors.size} path factors for {scales.size} path scales")
    one = ("scale",)
    data = {
        "factors": (one, factors),
        "scales": (one, scales),
        "coefs": (("scale", "feature"), np.asarray(path.coefs, dtype=float)),
        "intercepts": (one, np.asarray(path.intercepts, dtype=float)),
        "objectives": (one, np.asarray(path.objectives, dtype=float)),
        "converged": (one, np.asarray(path.converged, dtype=np.int8)),  # netCDF has no bool
        "n_zeros": (one, np.asarray(path.n_zeros, dtype=np.int64)),
    }
    return xr.Dataset(data, coords={"feature": list(path.feature_names)})


def path_from_dataset(ds):
    """``(MapPath, factors)`` from :func:`path_to_dataset` (bit for bit; the per-scale
    MapResults are not stored, so ``results`` is empty)."""
    path = MapPath(
        scales=ds["scales"].values.astype(float),
        coefs=ds["coefs"].values.astype(float),
        intercepts=ds["intercepts"].values.astype(float),
        objectives=ds["objectives"].values.astype(float),
        converged=ds["converged"].values.astype(bool),
        feature_names=[str(f) for f in ds["feature"].values],
        results=(),
    )
    return path, ds["factors"].values.astype(float)


LOO_GROUP = "loo"
#: The scalars of an ``arviz.ELPDData`` from ``arviz.loo`` (stored as attributes of ``loo``).
_LOO_SCALARS = ("elpd_loo", "se", "p_loo", "n_samples", "n_data_points", "warning", "scale", "good_k")


def loo_to_dataset(elpd):
    """PSIS-LOO (an ``arviz.ELPDData`` with ``pointwise=True``) as a Dataset: ``loo_i`` and
    ``pareto_k`` per observation, the scalars as attributes."""
    import xarray as xr

    attrs = {}
    for key in _LOO_SCALARS:
        value = elpd[key]
        attrs[key] = str(value) if key == "scale" else (int(value) if key in ("n_samples", "n_data_points", "warning")
                                                       else float(value))
    loo_i, k = elpd["loo_i"], elpd["pareto_k"]
    dims = tuple(getattr(loo_i, "dims", ("obs",)))
    return xr.Dataset({"loo_i": (dims, np.asarray(loo_i, dtype=float)), "pareto_k": (dims, np.asarray(k, dtype=float))},
                      attrs=attrs)


def loo_from_dataset(ds):
    """Inverse of :func:`loo_to_dataset`: the ``arviz.ELPDData`` ``arviz.loo`` returned
    (bit for bit), usable by ``arviz.compare``."""
    from arviz.stats.stats_utils import ELPDData

    a = ds.attrs
    values = {key: a[key] for key in _LOO_SCALARS}
    values["warning"] = bool(int(values["warning"]))
    values["scale"] = str(values["scale"])
    for key in ("n_samples", "n_data_points"):
        values[key] = int(values[key])
    index = ["elpd_loo", "se", "p_loo", "n_samples", "n_data_points", "warning", "loo_i", "pareto_k", "scale", "good_k"]
    data = [values["elpd_loo"], values["se"], values["p_loo"], values["n_samples"], values["n_data_points"],
            values["warning"], ds["loo_i"].rename("loo_i"), ds["pareto_k"].rename("pareto_k"), values["scale"],
            values["good_k"]]
    return ELPDData(data=data, index=index)


def add_loo(idata, elpd):
    """Store PSIS-LOO as the ``loo`` group of ``idata``."""
    idata.add_groups({LOO_GROUP: loo_to_dataset(elpd)})


SELECTIONS_GROUP = "selections"


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")


def add_selection(idata, record: dict):
    """Store a sparse decision (``Selection.to_dict()``) in group ``selections``, replacing
    an earlier one of the same method.  The group holds ``coef`` and ``selected`` over
    ``(decision, feature)``, ``intercept`` over ``decision`` (the method names; for reading with xarray) and
    ``record``: each decision's full ``to_dict()`` as JSON (floats written exactly)."""
    records = read_selections(idata)
    records[str(record["method"])] = json.loads(json.dumps(record, default=_json_default))
    _write_selections(idata, records)


def _write_selections(idata, records: dict):
    import xarray as xr

    methods = list(records)
    features = records[methods[0]]["feature_names"]
    if any(r["feature_names"] != features for r in records.values()):
        raise CuspInputError("selections of one fit must share its features")
    ds = xr.Dataset(
        {
            "coef": (("decision", "feature"), np.array([records[m]["coef"] for m in methods], dtype=float)),
            "selected": (("decision", "feature"), np.array([records[m]["selected"] for m in methods], dtype=np.int8)),
            "intercept": (("decision",), np.array([records[m]["intercept"] for m in methods], dtype=float)),
            "record": (("decision",), np.array([json.dumps(records[m], default=_json_default) for m in methods],
                                               dtype=object)),
        },
        # the dimension is not called "method": DataArray.sel(method=...) means something else
        coords={"decision": methods, "feature": list(features)},
    )
    if SELECTIONS_GROUP in idata.groups():
        setattr(idata, SELECTIONS_GROUP, ds)
    else:
        idata.add_groups({SELECTIONS_GROUP: ds})


def read_selections(idata) -> dict:
    """``{method: Selection.to_dict()}`` stored by :func:`add_selection` (empty if none)."""
    if SELECTIONS_GROUP not in idata.groups():
        return {}
    ds = idata[SELECTIONS_GROUP]
    return {str(m): json.loads(str(r)) for m, r in zip(ds["decision"].values, ds["record"].values)}


def add_map(idata, result: MapResult, likelihood):
    """Store ``result`` (computed with ``likelihood``) as the ``map`` group of ``idata``."""
    idata.add_groups({MAP_GROUP: map_to_dataset(result, likelihood)})


def add_path(idata, path: MapPath, factors):
    """Store ``path`` (over ``prior.scale * factors``) as the ``map_path`` group of ``idata``."""
    idata.add_groups({PATH_GROUP: path_to_dataset(path, factors)})


def write_fit_attrs(idata, *, prior, likelihood, fit_intercept, sampler, target_accept, notes, scale_by_sigma=False):
    """Write the format version and what the model was into ``idata.posterior.attrs``."""
    idata.posterior.attrs.update({
        "cusp_scale_by_sigma": int(bool(scale_by_sigma)),
        FORMAT_ATTR: FORMAT_VERSION,
        "cusp_prior": prior_to_json(prior),
        "cusp_likelihood": likelihood_to_json(likelihood),
        "cusp_fit_intercept": int(bool(fit_intercept)),
        "cusp_sampler": str(sampler),
        "cusp_target_accept": float("nan") if target_accept is None else float(target_accept),
        "cusp_notes": json.dumps([str(n) for n in notes]),
    })


def check_format(idata, source=None):
    """Refuse results of another format version, or that are not complete cusp results,
    with one :class:`~priors.CuspInputError` naming ``source`` (a file name)."""
    where = str(source) if source is not None else "these results"
    incomplete = f"{where} is incomplete or not a cusp results file"
    if "posterior" not in idata.groups():
        raise CuspInputError(f"{incomplete} (no posterior group)")
    attrs = idata.posterior.attrs
    version = attrs.get(FORMAT_ATTR)
    if version is None and "cusp_prior" in attrs:
        version = 1  # written before the format had a version attribute
    if version is None:
        raise CuspInputError(f"{incomplete} (no {FORMAT_ATTR} attribute)")
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise CuspInputError(f"{incomplete} ({FORMAT_ATTR} = {version!r})") from None
    if version != FORMAT_VERSION:
        raise CuspInputError(f"{where} was written by cusp results format {version}; "
                             f"this cusp reads format {FORMAT_VERSION}: re-run the model")
    missing = [a for a in REQUIRED_ATTRS if a not in attrs]
    if "w" not in idata.posterior.data_vars:
        missing.append("posterior variable w")
    try:
        written = json.loads(attrs[GROUPS_ATTR]) if GROUPS_ATTR in attrs else list(REQUIRED_GROUPS)
    except ValueError:
        raise CuspInputError(f"{incomplete} ({GROUPS_ATTR} is not JSON)") from None
    missing += [f"group {g}" for g in written if g not in idata.groups()]
    if missing:
        raise CuspInputError(f"{incomplete} (missing {', '.join(missing)})")


def read_fit(idata, source=None) -> dict:
    """Everything a :class:`~models.fit.FitResult` holds besides the draws, checked:
    ``prior`` (Prior), ``likelihood`` (Likelihood), ``fit_intercept``, ``scale_by_sigma``, ``sampler``,
    ``target_accept`` (None for the default), ``notes`` (tuple), ``map`` (MapResult or
    None), ``path`` (MapPath or None), ``path_factors`` (ndarray or None), ``loo``
    (``arviz.ELPDData`` or None) and ``selections`` (``{method: dict}``)."""
    check_format(idata, source)
    attrs = idata.posterior.attrs
    groups = idata.groups()
    try:
        target = float(attrs["cusp_target_accept"])
        out = {
            "prior": prior_from_json(attrs["cusp_prior"]),
            "likelihood": likelihood_from_json(attrs["cusp_likelihood"]),
            "fit_intercept": bool(int(attrs["cusp_fit_intercept"])),
            "scale_by_sigma": bool(int(attrs.get("cusp_scale_by_sigma", 0))),  # absent in older files: False
            "sampler": str(attrs["cusp_sampler"]),
            "target_accept": None if math.isnan(target) else target,
            "notes": tuple(str(n) for n in json.loads(attrs["cusp_notes"])),
            "map": map_from_dataset(idata[MAP_GROUP]) if MAP_GROUP in groups else None,
            "path": None,
            "path_factors": None,
            "loo": loo_from_dataset(idata[LOO_GROUP]) if LOO_GROUP in groups else None,
            "selections": read_selections(idata),
        }
        if PATH_GROUP in groups:
            out["path"], out["path_factors"] = path_from_dataset(idata[PATH_GROUP])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        where = str(source) if source is not None else "these results"
        raise CuspInputError(f"{where} is incomplete or not a cusp results file ({type(exc).__name__}: {exc})") from None
    return out


def write_run_attrs(idata, *, name, title, description, label, position):
    """Mark ``idata`` as fit number ``position`` (labelled ``label``) of run ``name``."""
    idata.posterior.attrs.update(cusp_run_name=str(name), cusp_run_title=str(title),
                                 cusp_run_description=str(description), cusp_label=str(label),
                                 cusp_position=int(position))


def read_run_attrs(idata) -> dict:
    """``name``, ``title``, ``description``, ``label``, ``position`` as written by
    :func:`write_run_attrs`; None for each one absent (a fit saved on its own)."""
    attrs = idata.posterior.attrs
    keys = {"name": "cusp_run_name", "title": "cusp_run_title", "description": "cusp_run_description",
            "label": "cusp_label", "position": "cusp_position"}
    out = {k: (None if a not in attrs else str(attrs[a])) for k, a in keys.items()}
    if out["position"] is not None:
        out["position"] = int(attrs["cusp_position"])
    return out


def write_atomically(path, write, *, overwrite=False, suffix=""):
    """Call ``write(tmp_path)`` and move the finished file to ``path`` in one step.

    An interrupted write leaves no partial file at ``path``; the temporary file is named
    ``.cusp-<pid>-*`` so that one left by a killed process is removed by the next write
    into the same folder.  An existing ``path`` is replaced only with ``overwrite=True``,
    and never when it is a folder.
    """
    path, directory = _checked_output(path, overwrite=overwrite)
    remove_stale_temp_files(directory)
    fd, tmp = _temporary_file(directory, suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


_TEMP_PREFIX = ".cusp-"


def _checked_output(path, *, overwrite):
    path = os.fspath(path)
    if not path.strip():
        raise CuspInputError("the output file name is empty; give a file name")
    if os.path.isdir(path):
        raise CuspInputError(f"{path} is a folder; give a file name to write")
    if os.path.lexists(path) and not overwrite:
        raise CuspInputError(f"{path} already exists; choose another name or allow overwriting (--force)")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CuspInputError(f"folder {directory} does not exist; create it first")
    return path, directory


def _temporary_file(directory, suffix):
    try:
        return tempfile.mkstemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-", suffix=suffix or ".tmp", dir=directory)
    except OSError as exc:
        raise CuspInputError(f"cannot write in folder {directory} ({exc.strerror}); choose another place") from None


def check_output_file(path, *, overwrite=False) -> str:
    """The checks :func:`write_atomically` makes before writing ``path`` (a name, not a
    folder, not an existing file unless ``overwrite``, a folder that exists and takes a
    new file), made up front: a command calls it before its work, so bad output is one
    clear error at once, not after minutes.  Returns the path."""
    path, directory = _checked_output(path, overwrite=overwrite)
    fd, probe = _temporary_file(directory, ".probe")
    os.close(fd)
    os.unlink(probe)
    return path


def remove_stale_temp_files(directory) -> list[str]:
    """Remove ``.cusp-<pid>-*`` temporary files in ``directory`` whose writing process
    no longer runs (killed mid-write); return the paths removed."""
    removed = []
    try:
        entries = os.listdir(directory)
    except OSError:
        return removed
    for entry in entries:
        pid_text = entry[len(_TEMP_PREFIX):].partition("-")[0]
        if not (entry.startswith(_TEMP_PREFIX) and pid_text.isdigit()):
            continue
        path = os.path.join(directory, entry)
        if os.path.isfile(path) and not process_runs(int(pid_text)):
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed.append(path)
    return removed


def process_runs(pid) -> bool:
    """True if process ``pid`` runs on this machine (or cannot be asked about)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or not a pid we can ask about): leave its files
    return True


def write_text_atomically(path, text, *, overwrite=False, suffix=".txt"):
    """Write the string ``text`` (UTF-8) to ``path`` with :func:`write_atomically`."""

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    write_atomically(path, write, overwrite=overwrite, suffix=suffix)


def current_umask() -> int:
    """The process umask (reading it requires setting it; it is restored at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Wall-clock measurements PyMC records with the draws.  They are not results and differ
#: between identical runs, so results files leave them out.
TIMING_STATS = ("perf_counter_start", "perf_counter_diff", "process_time_diff")
TIMING_ATTRS = ("sampling_time",)


def without_timing(idata):
    """A copy of ``idata`` without wall-clock timings: what remains depends only on the
    data, the model and the seed (each group keeps ArviZ's ``created_at`` timestamp)."""
    out = idata.copy()
    for group in out.groups():
        ds = getattr(out, group)
        ds = ds.drop_vars([v for v in TIMING_STATS if v in ds.data_vars])
        if group == "sample_stats":
            # PyMC's order of sampler statistics varies between identical runs (measured:
            # same values, different order, different bytes); fix it by name.
            ds = ds[sorted(ds.data_vars)]
        for attr in TIMING_ATTRS:
            ds.attrs.pop(attr, None)
        setattr(out, group, ds)
    return out


def save_netcdf(idata, path, *, overwrite=False):
    """Write ``idata`` (posterior, MAP, data) to a netCDF file atomically, without
    wall-clock timings: the same run with the same seed writes the same bytes, apart
    from the ``created_at`` timestamps."""
    out = without_timing(idata)
    if "posterior" in out.groups():
        # posterior is written first: a file cut short after it still names what is missing
        out.posterior.attrs[GROUPS_ATTR] = json.dumps(list(out.groups()))
    write_atomically(path, out.to_netcdf, overwrite=overwrite, suffix=".nc")


def load_netcdf(path):
    """Read an InferenceData written by :func:`save_netcdf` (fully loaded, file closed)."""
    import arviz as az

    if not os.path.isfile(path):
        raise CuspInputError(f"no results file at {path}")
    try:
        idata = az.from_netcdf(path)
        for group in idata.groups():
            getattr(idata, group).load()
    except Exception as exc:  # netCDF4/HDF5 raise many types for a truncated or foreign file
        raise CuspInputError(f"{path} cannot be read as a cusp results file (it is corrupted, incomplete or not "
                             f"netCDF): {type(exc).__name__}: {exc}") from None
    return idata
