"""Sweeps: grids of independent fits (data sets x priors x scales x seeds x folds) on
``dask.distributed``, resumable, on one machine or a cluster.

>>> from models.sweep import run, load_spec  # doctest: +SKIP
>>> result = run("sweep.toml", out="my-sweep")  # doctest: +SKIP
>>> result.table.head()  # doctest: +SKIP

* :mod:`~models.sweep.spec`: the TOML spec, checked into frozen dataclasses;
* :mod:`~models.sweep.cells`: the cells, each keyed by the hash of its description;
* :mod:`~models.sweep.compute`: what one cell computes (on a worker);
* :mod:`~models.sweep.runner`: :func:`run`, the cluster, the per-cell files, resuming;
* :mod:`~models.sweep.table`: the one owner of the files and the tidy table;
* :mod:`~models.sweep.presets`: ``cv-diabetes`` and ``overfitting``.
"""

from models.sweep.cells import Cell, expand, spec_hash
from models.sweep.presets import PRESETS, preset
from models.sweep.runner import SweepResult, run
from models.sweep.spec import SweepSpec, load_spec
from models.sweep.table import COLUMNS, cv_summary, read_sweep_file, read_table, without_timing

__all__ = ["run", "SweepResult", "SweepSpec", "load_spec", "Cell", "expand", "spec_hash", "PRESETS", "preset",
           "COLUMNS", "read_table", "read_sweep_file", "cv_summary", "without_timing"]
