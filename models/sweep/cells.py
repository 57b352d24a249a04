"""A sweep's cells: the grid of independent computations, each identified by the hash of
its canonical JSON description, so a cell's result file is found again by any re-run
(whatever the number of workers, the order of completion or the output folder).

Canonical order: data set, seed, fold, prior, then the MAP path before the posterior
scales in ascending order.  A cell is

* a **MAP path**: one data set (one fold's training rows), one prior, every scale of its
  grid, warm-started (:meth:`models.Model.map_path`); or
* a **posterior** at one scale of the grid (:meth:`models.Model.fit`), with the
  selections asked for.

Seeds: a cell's random stream (the sampler's seed) is spawned from
``numpy.random.SeedSequence(spec.seed, spawn_key=...)`` with a spawn key taken from the
cell's hash, so it depends on what the cell is and on nothing else.  The data are shared
by every cell of a replicate: synthetic data are drawn with the replicate seed itself,
the held-out rows with that seed + 1 (as the study's over-fitting experiment draws them),
and shuffled folds use ``cv.random_state`` (default: the replicate seed).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np

from models.sweep.spec import SweepSpec

__all__ = ["Cell", "expand", "canonical_json", "spec_hash", "cell_seed"]

#: Bumped when a cell's computation changes its numbers, so old cell files are not reused.
CELL_FORMAT = 1


@dataclasses.dataclass(frozen=True)
class Cell:
    """One independent computation of a sweep.

    ``key`` is the canonical description (what is hashed); ``csv`` the path of a CSV data
    set (where to read it, not part of the hash: the content's sha256 is in ``key``)."""

    hash: str
    index: int
    key: dict
    csv: str | None = None

    @property
    def payload(self) -> dict:
        """What a worker needs to compute the cell (plain data: pickles anywhere)."""
        return {"hash": self.hash, "key": self.key, "csv": self.csv}


def canonical_json(value) -> str:
    """Sorted keys, no spaces, floats as ``repr``: the same value gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _digest(value) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def spec_hash(spec: SweepSpec) -> str:
    """The sweep's identity: the hash of every setting that determines its results."""
    return _digest({"format": CELL_FORMAT, **spec.canonical()})[:16]


def cell_seed(entropy, cell_hash) -> int:
    """The cell's sampler seed: the first word of ``SeedSequence(entropy, spawn_key=k)``,
    ``k`` four 32-bit words of the cell's hash."""
    key = tuple(int(cell_hash[i:i + 8], 16) for i in range(0, 32, 8))
    return int(np.random.SeedSequence(entropy, spawn_key=key).generate_state(1)[0])


def expand(spec: SweepSpec) -> list[Cell]:
    """The cells of ``spec`` in canonical order (see the module docstring)."""
    cells = []
    folds = range(spec.cv.folds) if spec.cv is not None else [None]
    cv = None if spec.cv is None else dataclasses.asdict(spec.cv)
    for dataset in spec.datasets:
        data = {"name": dataset.name, **dataset.canonical(), "sigma": dataset.sigma}
        for seed in spec.seeds:
            for fold in folds:
                for prior in spec.priors:
                    common = {"format": CELL_FORMAT, "likelihood": spec.likelihood, "fit_intercept": spec.fit_intercept,
                              "dataset": data, "seed": seed, "entropy": spec.seed, "cv": cv, "fold": fold,
                              "prior": {"label": prior.label, "family": prior.family, "params": dict(prior.params)},
                              "scales": prior.scales.canonical(), "metrics": list(spec.metrics)}
                    tasks = [{"task": "map_path"}] if prior.map_path else []
                    if prior.posterior:
                        post = dataclasses.asdict(spec.posterior)
                        post["selections"] = list(spec.posterior.selections)
                        tasks += [{"task": "posterior", "scale_index": i, "posterior": post}
                                  for i in range(prior.scales.size)]
                    for task in tasks:
                        key = {**common, **task}
                        cells.append(Cell(hash=_digest(key)[:32], index=len(cells), key=key, csv=dataset.csv))
    return cells
