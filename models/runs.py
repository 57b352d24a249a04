"""A *run*: what one model script produces (several fits of the same data, one per prior),
and how it is saved and loaded.

On disk a run is a folder of netCDF files, one per fit (``<label>.nc``, MAP + posterior +
data), plus ``summary.json`` (a readable digest: settings, MAP and posterior summaries,
diagnostics).  Everything a report needs is in the netCDF files, so a report can be
rebuilt from them without sampling.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re

import numpy as np

from priors import CuspInputError

from models.fit import FitResult
from models.io import read_run_attrs, write_run_attrs, write_text_atomically

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclasses.dataclass
class RunResult:
    """Fits of one data set under several priors.

    Attributes
    ----------
    name : str
        Short identifier (``"diabetes"``), used in file names.
    title : str
        Human-readable title of the report.
    description : str
        What the run shows, in plain language (one paragraph).
    fits : dict of str -> FitResult
        Label (a prior's family name, e.g. ``"laplace"``) to fit; labels become file
        names, so they are restricted to letters, digits, ``_``, ``-`` and ``.``.
    """

    name: str
    title: str
    description: str
    fits: dict

    def __post_init__(self):
        for label in [self.name, *self.fits]:
            if not _LABEL.match(str(label)):
                raise CuspInputError(f"run and fit labels must be letters, digits, '_', '-' or '.', got {label!r}")

    def summary(self, eps=None) -> str:
        parts = [self.title, "=" * len(self.title), self.description]
        parts += [f"--- {label} ---\n{fit.summary(eps)}" for label, fit in self.fits.items()]
        return "\n\n".join(parts)

    def to_dict(self, eps=None) -> dict:
        """JSON-ready digest of the run."""
        out = {"name": self.name, "title": self.title, "description": self.description, "fits": {}}
        for label, fit in self.fits.items():
            out["fits"][label] = {
                "prior": fit.prior.describe(),
                "likelihood": fit.likelihood,
                "notes": list(fit.notes),
                "map": None if fit.map is None else fit.map.to_dict(),
                "diagnostics": fit.diagnostics.to_dict(),
                "coefficients": fit.zero_statistics(eps),
            }
        return _json_safe(out)


def save_run(run: RunResult, folder, *, overwrite=False) -> list[str]:
    """Write ``<label>.nc`` per fit and ``summary.json`` into ``folder`` (created if
    missing).  Existing files are replaced only with ``overwrite=True``; each file is
    written atomically.  Returns the paths written."""
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    targets = {label: os.path.join(folder, f"{label}.nc") for label in run.fits}
    summary_path = os.path.join(folder, "summary.json")
    if not overwrite:
        clash = [p for p in [*targets.values(), summary_path] if os.path.exists(p)]
        if clash:
            raise CuspInputError(f"{clash[0]} already exists; choose another folder or allow overwriting (--force)")
    written = []
    for position, (label, fit) in enumerate(run.fits.items()):
        write_run_attrs(fit.idata, name=run.name, title=run.title, description=run.description,
                        label=label, position=position)
        fit.to_netcdf(targets[label], overwrite=overwrite)
        written.append(targets[label])
    text = json.dumps(run.to_dict(), indent=2, sort_keys=True, allow_nan=False)
    write_text_atomically(summary_path, text + "\n", overwrite=overwrite, suffix=".json")
    written.append(summary_path)
    return written


def load_run(paths) -> RunResult:
    """A run from its netCDF files (a folder, or a list of ``.nc`` files)."""
    if isinstance(paths, (str, os.PathLike)) and os.path.isdir(paths):
        folder = os.fspath(paths)
        # hidden files are temporary ones (.cusp-*.nc being written), never results
        paths = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".nc") and not f.startswith("."))
        if not paths:
            raise CuspInputError(f"no .nc results files in {folder}")
    elif isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    loaded, meta = [], None
    for path in paths:
        fit = FitResult.from_netcdf(path)
        attrs = read_run_attrs(fit.idata)
        label = attrs["label"] if attrs["label"] is not None else os.path.splitext(os.path.basename(path))[0]
        if label in [lab for _, lab, _ in loaded]:
            raise CuspInputError(f"two results files are labelled {label!r}")
        loaded.append((attrs["position"] if attrs["position"] is not None else len(loaded), label, fit))
        meta = meta or (
            attrs["name"] if attrs["name"] is not None else "results",
            attrs["title"] if attrs["title"] is not None else "cusp results",
            attrs["description"] if attrs["description"] is not None else "",
        )
    fits = {label: fit for _, label, fit in sorted(loaded, key=lambda t: t[0])}  # the run's own order
    return RunResult(meta[0], meta[1], meta[2], fits)


def _json_safe(x):
    """Replace NaN / inf (not valid JSON) by None, numpy scalars by Python ones."""
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return float(x) if np.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x
