"""Running a sweep on ``dask.distributed``: a ``LocalCluster`` of worker processes (one
thread and one BLAS thread each) or an existing scheduler, by the same code path.

Each cell is a task; the client writes each finished cell's record as it arrives
(``as_completed``), atomically, exactly once, into ``OUT/cells/<hash>.json``.  A re-run
skips the cells whose record is there, so a killed sweep resumes where it stopped.  A
cell that raises is retried (``retries``), then recorded with its error (a re-run tries
it again).  When every cell has a record the table is written (``results.csv``,
``results.parquet``).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import time
import uuid

from priors import CuspInputError

from models.sweep.cells import expand, spec_hash
from models.sweep.compute import compute_cell
from models.sweep.spec import SweepSpec, load_spec
from models.sweep.table import (CELLS_FOLDER, build_table, cell_record, read_cell, read_sweep_file, write_cell,
                                write_sweep_file, write_table)

__all__ = ["run", "SweepResult", "prepare_folder", "local_cluster", "BLAS_ENV"]

#: One BLAS / OpenMP thread per worker process: the workers are the parallelism.
BLAS_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclasses.dataclass
class SweepResult:
    """What :func:`run` did: the output folder, the table, and the cells' counts
    (``computed`` this run, ``skipped`` because a record was there, ``errors`` recorded)."""

    out: str
    spec: SweepSpec
    table: object
    n_cells: int
    computed: int
    skipped: int
    errors: int
    seconds: float
    spec_hash: str


# --------------------------------------------------------------------------- the folder
def prepare_folder(out, spec, cells, *, force=False) -> str:
    """Create or reuse the sweep folder ``out``; returns its absolute path.

    A new or empty folder becomes this sweep's.  A folder holding this sweep
    (``sweep.json`` with the same spec hash) is resumed.  A folder holding another sweep
    is refused, unless ``force``: then its contents are removed first.  A folder that is
    not a sweep's is never touched.  Checked before any work."""
    if not str(os.fspath(out)).strip():
        raise CuspInputError("the output folder name is empty; give one with --out")
    out = os.path.abspath(os.fspath(out))
    identity = spec_hash(spec)
    if os.path.lexists(out):
        if not os.path.isdir(out):
            raise CuspInputError(f"{out} exists and is not a folder; choose another --out")
        existing = read_sweep_file(out)
        if existing is None and os.listdir(out):
            raise CuspInputError(f"{out} is not empty and holds no cusp sweep (no sweep.json); choose another --out")
        if existing is not None and existing["spec_hash"] != identity:
            if not force:
                raise CuspInputError(f"{out} holds the results of another sweep ({existing.get('name')!r}, spec "
                                     f"{existing['spec_hash']}); choose another --out, or pass --force to replace them")
            if os.path.commonpath([os.path.realpath(os.getcwd()), os.path.realpath(out)]) == os.path.realpath(out):
                raise CuspInputError(f"--force would empty {out}, which is (or contains) the current folder; "
                                     "choose another --out")
            _empty(out)
    else:
        parent = os.path.dirname(out)
        if not os.path.isdir(parent):
            raise CuspInputError(f"folder {parent} does not exist; create it first")
        try:
            os.mkdir(out)
        except OSError as exc:
            raise CuspInputError(f"cannot create {out} ({exc.strerror}); choose another --out") from None
    os.makedirs(os.path.join(out, CELLS_FOLDER), exist_ok=True)
    write_sweep_file(out, spec_hash=identity, name=spec.name, spec=spec.canonical(), cells=cells)
    return out


def _empty(folder):
    for entry in os.listdir(folder):
        path = os.path.join(folder, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


# --------------------------------------------------------------------------- the cluster
def local_cluster(n_workers):
    """A ``LocalCluster`` of ``n_workers`` processes, one thread and one BLAS thread each,
    no dashboard; the environment is set before each worker starts (BLAS reads it once)."""
    import dask
    from distributed import LocalCluster

    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **BLAS_ENV}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                            dashboard_address=":0", silence_logs=50, env=dict(BLAS_ENV))


class _Progress:
    """``cusp sweep: 12/40 cells (3 skipped, 1 error), 9 s`` on one line of stderr."""

    def __init__(self, total, skipped, enabled, stream=None):
        self.total, self.done, self.errors, self.skipped = total, skipped, 0, skipped
        self.enabled, self.stream, self.start = enabled, stream or sys.stderr, time.perf_counter()
        self.show()

    def update(self, error):
        self.done += 1
        self.errors += bool(error)
        self.show()

    def show(self, end=""):
        if not self.enabled:
            return
        errors = f", {self.errors} error{'s' if self.errors != 1 else ''}" if self.errors else ""
        skipped = f" ({self.skipped} already done)" if self.skipped else ""
        self.stream.write(f"\rcusp sweep: {self.done}/{self.total} cells{skipped}{errors}, "
                          f"{time.perf_counter() - self.start:.0f} s   {end}")
        self.stream.flush()

    def close(self):
        self.show(end="\n")


def _progress_default() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _error_text(exc) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 2000 else text[:2000] + " ..."


# --------------------------------------------------------------------------- run
def run(spec, client=None, *, out="cusp-sweep", workers=None, scheduler=None, force=False, progress=None,
        on_cell=None) -> SweepResult:
    """Run a sweep: compute every cell without a record in ``out`` and write the table.

    Parameters
    ----------
    spec : SweepSpec, dict or path
        The sweep (:func:`models.sweep.load_spec`): a TOML file's path, the dict it
        holds, or a checked spec.  Checked completely before any work.
    client : distributed.Client, optional
        Run on this client's cluster.  Default: a ``LocalCluster`` of ``workers``
        processes (started and closed here), or ``Client(scheduler)``.
    out : path
        The sweep folder (see :func:`prepare_folder`): cells, table, ``sweep.json``.
    workers : int, optional
        Worker processes of the local cluster (default: the number of cores, at most
        the number of cells to compute).
    scheduler : str, optional
        The address of a running dask scheduler (``tcp://host:8786``).
    force : bool
        Replace the results of another sweep in ``out``.
    progress : bool, optional
        A progress line on stderr (default: when stderr is a terminal and ``CI`` is unset).
    on_cell : callable, optional
        Called as ``on_cell(cell, record)`` after each record is written.

    Returns
    -------
    SweepResult
    """
    started = time.perf_counter()
    spec = load_spec(spec)
    if client is not None and (workers is not None or scheduler is not None):
        raise CuspInputError("give a client, or workers / a scheduler address, not both")
    if workers is not None and scheduler is not None:
        raise CuspInputError("--workers starts a local cluster and --scheduler uses a running one: give one of them")
    if workers is not None:
        from priors.validation import check_whole

        workers = check_whole("workers", workers)
    cells = expand(spec)
    out = prepare_folder(out, spec, cells, force=force)
    records = {c.hash: read_cell(out, c) for c in cells}
    todo = [c for c in cells if records[c.hash] is None or records[c.hash]["status"] != "ok"]
    skipped = len(cells) - len(todo)
    bar = _Progress(len(cells), skipped, _progress_default() if progress is None else progress)
    computed = 0
    try:
        if todo:
            computed = _compute(todo, spec, out, records, client, workers, scheduler, bar, on_cell)
    finally:
        bar.close()
    ordered = [records[c.hash] for c in cells]
    table = build_table(ordered)
    write_table(out, table)
    errors = sum(r["status"] == "error" for r in ordered)
    return SweepResult(out=out, spec=spec, table=table, n_cells=len(cells), computed=computed, skipped=skipped,
                       errors=errors, seconds=time.perf_counter() - started, spec_hash=spec_hash(spec))


def _compute(todo, spec, out, records, client, workers, scheduler, bar, on_cell) -> int:
    from distributed import Client, as_completed

    own_cluster = own_client = None
    try:
        if client is None:
            if scheduler is not None:
                try:
                    own_client = Client(scheduler, timeout="20s")
                except (OSError, TimeoutError, ValueError) as exc:
                    raise CuspInputError(f"cannot reach the dask scheduler at {scheduler!r} ({exc}); check --scheduler") from None
            else:
                n = min(workers or os.cpu_count() or 1, len(todo))
                own_cluster = local_cluster(n)
                own_client = Client(own_cluster)
            client = own_client
        run_id = uuid.uuid4().hex[:8]  # a fresh key per run: a cancelled run's tasks never answer for this one
        by_key = {}
        futures = []
        for cell in todo:
            future = client.submit(compute_cell, cell.payload, key=f"cusp-cell-{cell.hash}-{run_id}", retries=spec.retries)
            by_key[future.key] = cell
            futures.append(future)
        computed = 0
        try:
            for future in as_completed(futures):
                cell = by_key[future.key]
                if future.status == "finished":
                    record = cell_record(cell, future.result())
                else:
                    record = cell_record(cell, error=_error_text(future.exception()))
                write_cell(out, record)
                records[cell.hash] = record
                computed += 1
                future.release()
                bar.update(record["status"] == "error")
                if on_cell is not None:
                    on_cell(cell, record)
        finally:
            client.cancel([f for f in futures if not f.done()])
        return computed
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
