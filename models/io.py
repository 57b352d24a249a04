"""One file for MAP and posterior: the MAP as an InferenceData group, and safe netCDF I/O.

The MAP lives in a group ``map`` beside ``posterior``: data variables ``coef``,
``slope``, ``is_zero``, ``margin``, ``residual`` over the ``feature`` dimension, and the
scalars (intercept, objective, tolerance, ...) as attributes.  What the model was (prior,
likelihood, intercept, sampler) is stored as ``cusp_*`` attributes of the posterior, so
that a saved file can be reported on without the code that made it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile

import numpy as np

from priors import CuspInputError, make_prior

from models.map.certificate import Certificate
from models.results import MapResult

MAP_GROUP = "map"


def prior_to_json(prior) -> str:
    return json.dumps({"family": prior.family, **prior.params})


def prior_from_json(text):
    spec = json.loads(text)
    return make_prior(spec.pop("family"), **spec)


def map_to_dataset(result: MapResult):
    """The MAP result as an ``xarray.Dataset`` over ``feature``."""
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
        "likelihood": result.likelihood,
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
        likelihood=str(a["likelihood"]),
        mode=str(a["mode"]),
        notes=tuple(json.loads(a["notes"])),
    )


def write_atomically(path, write, *, overwrite=False, suffix=""):
    """Call ``write(tmp_path)`` and move the finished file to ``path`` in one step.

    An interrupted write leaves no partial file behind, and an existing ``path`` is
    replaced only with ``overwrite=True``.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise CuspInputError(f"{path} already exists; choose another name or allow overwriting (--force)")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CuspInputError(f"folder {directory} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix=".cusp-", suffix=suffix or ".tmp", dir=directory)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
    write_atomically(path, without_timing(idata).to_netcdf, overwrite=overwrite, suffix=".nc")


def load_netcdf(path):
    """Read an InferenceData written by :func:`save_netcdf` (fully loaded, file closed)."""
    import arviz as az

    if not os.path.isfile(path):
        raise CuspInputError(f"no results file at {path}")
    try:
        idata = az.from_netcdf(path)
    except (OSError, ValueError) as exc:
        raise CuspInputError(f"{path} is not a cusp results file (netCDF): {exc}") from None
    for group in idata.groups():
        getattr(idata, group).load()
    return idata
