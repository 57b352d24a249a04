"""The one owner of a sweep's files: the per-cell records (``cells/<hash>.json``), the
sweep's identity (``sweep.json``) and the tidy results table (``results.csv`` and
``results.parquet``), with the CV summary computed from that table.

The table has one row per cell, scale and metric (:data:`COLUMNS`):

``cell``  the cell's hash; ``dataset``, ``likelihood``, ``prior`` (label), ``family``,
``prior_params`` (JSON), ``seed`` (replicate), ``fold`` (empty without CV), ``task``
(``map_path`` or ``posterior``), ``method`` (``map``, ``posterior``, or a selection:
``dss``, ``savs``...), ``scale_index``, ``scale``, ``metric``, ``value``, ``error``.

Metrics: the held-out loss (``mse``, ``log_loss`` or ``deviance``), ``log_score``,
``exact_zeros``, ``precision`` and ``recall`` of the support against the truth,
``converged`` (the MAP's certificate held), for posteriors ``zero_draws`` (the fraction
of draws exactly 0.0), ``max_rhat`` and ``min_ess_bulk``, and ``seconds`` (the cell's
wall time: the only column that differs between identical runs).  A cell that failed
has one row with ``metric = "error"`` and the error's text in ``error``.
"""

from __future__ import annotations

import json
import os

import numpy as np

from priors import CuspInputError

from models.cv import choose_scale, cv_curve
from models.io import write_atomically, write_text_atomically

__all__ = ["COLUMNS", "TIMING_METRICS", "SWEEP_FILE", "CELLS_FOLDER", "cell_record", "write_cell", "read_cell",
           "write_sweep_file", "read_sweep_file", "build_table", "write_table", "read_table", "cv_summary",
           "replicate_summary", "without_timing"]

FORMAT = 1
SWEEP_FILE = "sweep.json"
CELLS_FOLDER = "cells"
TABLE_FILES = ("results.csv", "results.parquet")
COLUMNS = ("cell", "dataset", "likelihood", "prior", "family", "prior_params", "seed", "fold", "task", "method",
           "scale_index", "scale", "metric", "value", "error")
#: Metrics measured in wall-clock time (they differ between runs; everything else is bit-for-bit).
TIMING_METRICS = ("seconds",)


# --------------------------------------------------------------------------- cell records
def cell_record(cell, result=None, *, error=None) -> dict:
    """The stored record of ``cell``: its result (``compute_cell``'s dict) or its error text."""
    record = {"format": FORMAT, "hash": cell.hash, "key": cell.key}
    if error is None:
        record.update(status="ok", rows=result["rows"], seconds=result["seconds"], notes=result["notes"], error=None)
    else:
        record.update(status="error", rows=[], seconds=None, notes=[], error=str(error))
    return record


def _cell_path(folder, cell_hash):
    return os.path.join(folder, CELLS_FOLDER, f"{cell_hash}.json")


def write_cell(folder, record) -> str:
    """Write ``record`` atomically to ``folder/cells/<hash>.json`` (replacing an earlier
    error record of the same cell); returns the path."""
    path = _cell_path(folder, record["hash"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_text_atomically(path, json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n", overwrite=True,
                          suffix=".json")
    return path


def read_cell(folder, cell) -> dict | None:
    """The stored record of ``cell``, or None when there is none that can be trusted (no
    file, unreadable, or another cell's content)."""
    try:
        with open(_cell_path(folder, cell.hash), encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("hash") != cell.hash \
            or record.get("key") != cell.key or record.get("status") not in ("ok", "error"):
        return None
    return record


# --------------------------------------------------------------------------- sweep file
def write_sweep_file(folder, *, spec_hash, name, spec, cells):
    """``sweep.json``: the sweep's hash, name, canonical settings and cells in order."""
    text = json.dumps({"format": FORMAT, "spec_hash": spec_hash, "name": name, "spec": spec,
                       "cells": [c.hash for c in cells]}, sort_keys=True, indent=1, allow_nan=False)
    write_text_atomically(os.path.join(folder, SWEEP_FILE), text + "\n", overwrite=True, suffix=".json")


def read_sweep_file(folder) -> dict | None:
    """The content of ``folder/sweep.json``, or None when the folder has none (or it is
    not a sweep file of this format)."""
    try:
        with open(os.path.join(folder, SWEEP_FILE), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT and "spec_hash" in data else None


# --------------------------------------------------------------------------- the table
def _record_rows(record) -> list:
    key = record["key"]
    common = [record["hash"], key["dataset"]["name"], key["likelihood"], key["prior"]["label"], key["prior"]["family"],
              json.dumps(key["prior"]["params"], sort_keys=True), key["seed"], key["fold"], key["task"]]
    if record["status"] == "error":
        return [common + ["map" if key["task"] == "map_path" else "posterior", key.get("scale_index"), None, "error", None,
                          record["error"]]]
    return [common + list(row) + [None] for row in record["rows"]]


def build_table(records):
    """The tidy table (a pandas DataFrame, columns :data:`COLUMNS`) of ``records`` in the
    order given (the cells' canonical order), rows within a cell in computed order."""
    import pandas as pd

    rows = [row for record in records for row in _record_rows(record)]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return _typed(table)


def _typed(table):
    import pandas as pd

    table = table.copy()
    for column in ("seed", "fold", "scale_index"):
        table[column] = pd.array(table[column], dtype="Int64")
    for column in ("scale", "value"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    for column in ("cell", "dataset", "likelihood", "prior", "family", "prior_params", "task", "method", "metric", "error"):
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table


def write_table(folder, table) -> list[str]:
    """``results.csv`` and ``results.parquet`` in ``folder``, each written atomically."""
    csv_path, parquet_path = (os.path.join(folder, name) for name in TABLE_FILES)
    write_atomically(csv_path, lambda tmp: table.to_csv(tmp, index=False), overwrite=True, suffix=".csv")
    write_atomically(parquet_path, lambda tmp: table.to_parquet(tmp, engine="pyarrow", index=False), overwrite=True,
                     suffix=".parquet")
    return [csv_path, parquet_path]


def read_table(folder):
    """The results table of the sweep folder ``folder`` (Parquet, or the CSV without pyarrow)."""
    import pandas as pd

    parquet_path, csv_path = os.path.join(folder, "results.parquet"), os.path.join(folder, "results.csv")
    if os.path.exists(parquet_path):
        try:
            return _typed(pd.read_parquet(parquet_path))
        except ImportError:  # pragma: no cover - pyarrow is a dependency
            pass
    if not os.path.exists(csv_path):
        raise CuspInputError(f"{folder} has no results table (results.parquet or results.csv); run the sweep first")
    return _typed(pd.read_csv(csv_path, dtype={"error": object}, keep_default_na=True))


def without_timing(table):
    """``table`` without its wall-clock rows, index reset: what must be identical between runs."""
    return table[~table["metric"].isin(TIMING_METRICS)].reset_index(drop=True)


# --------------------------------------------------------------------------- CV summary
def cv_summary(table):
    """Per data set, prior, replicate seed and method: the CV curve over the folds (mean
    and standard error of the held-out loss at each scale, :func:`models.cv.cv_curve`)
    and the minimum and one-standard-error choices (:func:`models.cv.choose_scale`).

    Returns a DataFrame with columns ``dataset, prior, seed, method, metric, scale_index,
    scale, mean, se, n_folds, best, one_se`` (``best`` and ``one_se`` flag the chosen
    rows); empty when the table has no CV folds.  Scales whose loss is missing in some
    fold (a failed cell) are left out of the curve, so a choice is never made on fewer folds."""
    import pandas as pd

    columns = ["dataset", "prior", "seed", "method", "metric", "scale_index", "scale", "mean", "se", "n_folds", "best",
               "one_se"]
    losses = table[table["metric"].isin(("mse", "log_loss", "deviance")) & table["fold"].notna()]
    if losses.empty:
        return pd.DataFrame(columns=columns)
    n_folds = int(losses["fold"].max()) + 1
    out = []
    for (dataset, prior, seed, method, metric), group in losses.groupby(
            ["dataset", "prior", "seed", "method", "metric"], sort=False):
        wide = group.pivot_table(index=["scale_index", "scale"], columns="fold", values="value", aggfunc="first")
        wide = wide.dropna()
        if wide.shape[1] < n_folds or wide.empty:
            continue
        wide = wide.sort_index()
        mean, se = cv_curve(wide.to_numpy())
        best, one_se = choose_scale(mean, se)
        for k, (scale_index, scale) in enumerate(wide.index):
            out.append([dataset, prior, seed, method, metric, int(scale_index), float(scale), float(mean[k]), float(se[k]),
                        n_folds, k == best, k == one_se])
    return pd.DataFrame(out, columns=columns)


def replicate_summary(table):
    """Every metric per data set, prior, method and grid point, averaged over the folds of
    each replicate seed, then over the seeds: columns ``dataset, prior, method, metric,
    scale_index, scale, mean, se, n_seeds`` (``se``: the seeds' sd over sqrt(n_seeds),
    NaN with one seed).  A grid from the all-zero scale depends on each replicate's data:
    grid points are matched by index and ``scale`` is their geometric mean over the
    seeds.  Undefined values (the precision of an empty support) are left out of the
    means; wall-clock rows and error rows are not summarized."""
    import pandas as pd

    rows = table[~table["metric"].isin(TIMING_METRICS + ("error",)) & table["scale_index"].notna()].copy()
    rows["log_scale"] = np.log(rows["scale"])
    keys = ["dataset", "prior", "method", "metric", "scale_index"]
    per_seed = rows.groupby(keys + ["seed"], sort=False).agg(value=("value", "mean"), log_scale=("log_scale", "mean"))
    grouped = per_seed.reset_index().groupby(keys, sort=False)
    summary = grouped.agg(mean=("value", "mean"), sd=("value", "std"), n_seeds=("value", "count"),
                          log_scale=("log_scale", "mean")).reset_index()
    summary["se"] = summary["sd"] / np.sqrt(summary["n_seeds"])
    summary["scale"] = np.exp(summary["log_scale"])
    return pd.DataFrame(summary[keys + ["scale", "mean", "se", "n_seeds"]]).reset_index(drop=True)
