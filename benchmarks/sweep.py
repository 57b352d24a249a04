"""How a sweep scales with workers, and what dask and cusp add per cell.

A sweep of ``--cells`` posterior cells (the Gibbs posterior of a Laplace prior at one scale
each, synthetic n x p regression with held-out rows; about 1-3 s per cell on a 2-core
machine at the defaults) runs on a ``LocalCluster`` of 1 worker, then of 2 (each started
and warmed up before the clock starts: the cluster's start-up is printed apart), through
``models.sweep.run`` exactly as ``cusp sweep`` runs it: per-cell records written as the
cells complete, then the table.  Printed:

* the wall time with 1 and 2 workers and the speed-up (target: >= 1.7x on 2 cores);
* the scheduling overhead per cell with 2 workers: (wall time - sum of the cells' own
  compute times / 2) / cells, i.e. everything that is not computing a cell: dask's
  scheduling and transfers, writing each record, building and writing the table
  (target: <= 50 ms);
* the same overhead measured with ``--trivial-cells`` cells of a few milliseconds (tiny
  MAP paths), where it is nearly all of the wall time.

The numbers are bit-for-bit the same with 1 and 2 workers (checked here too; timings
excluded).

Run: ``python -u benchmarks/sweep.py [--cells 40] [--draws 2000] [--n 200 --p 100]``
"""

from __future__ import annotations

import argparse
import tempfile
import time

from distributed import Client

from models.sweep import run, without_timing
from models.sweep.runner import local_cluster


def posterior_spec(args) -> dict:
    """``args.cells`` cells: the Laplace posterior at each of ``args.cells`` scales (``--kind
    posterior``), or MAP paths over 50 scales for ``args.cells`` seeds (``--kind map``)."""
    data = [{"name": "sim", "synthetic": {"n": args.n, "p": args.p, "sparsity": 5, "n_test": args.n}}]
    if args.kind == "map":
        return {"name": "benchmark", "seeds": args.cells, "datasets": data, "priors": [{"family": "laplace"}],
                "scales": {"n": 50}}
    return {"name": "benchmark", "seeds": [0], "datasets": data,
            "priors": [{"family": "laplace", "map_path": False, "posterior": True, "scales": {"n": args.cells, "eps": 1e-2}}],
            "posterior": {"sampler": "gibbs", "draws": args.draws, "tune": args.tune, "chains": 2}}


def trivial_spec(args) -> dict:
    """``args.trivial_cells`` MAP-path cells of a few milliseconds (tiny data, 3 scales)."""
    return {"name": "trivial", "seeds": args.trivial_cells,
            "datasets": [{"name": "tiny", "synthetic": {"n": 20, "p": 3, "sparsity": 1, "n_test": 10}}],
            "priors": [{"family": "laplace"}], "scales": {"n": 3}}


def started_cluster(workers):
    """``(cluster, client, seconds)``: a LocalCluster of ``workers`` processes with cusp's
    sweep modules imported on each (start-up, not scheduling: kept off the clock)."""
    t0 = time.perf_counter()
    cluster = local_cluster(workers)
    client = Client(cluster)
    client.wait_for_workers(workers)
    client.run(lambda: __import__("models.sweep.compute"))
    return cluster, client, time.perf_counter() - t0


def timed_run(spec, client, folder):
    """``(wall seconds, sum of the cells' own seconds, result)`` of one sweep on ``client``."""
    t0 = time.perf_counter()
    result = run(spec, client, out=folder, progress=False)
    wall = time.perf_counter() - t0
    return wall, float(result.table.loc[result.table["metric"] == "seconds", "value"].sum()), result


def main(args):
    rows, out = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        spec = posterior_spec(args)
        for workers in args.workers:
            cluster, client, startup = started_cluster(workers)
            try:
                wall, cells, result = timed_run(spec, client, f"{tmp}/cells-{workers}")
                rows[workers] = {"wall": wall, "cells": cells, "startup": startup, "n": result.n_cells,
                                 "table": without_timing(result.table)}
                print(f"{result.n_cells} {args.kind} cells, {workers} worker{'s' if workers > 1 else ''}: wall {wall:.2f} s, "
                      f"sum of cell times {cells:.2f} s (mean {cells / result.n_cells:.2f} s per cell), "
                      f"cluster start-up {startup:.2f} s (not included)")
                if workers == 2 and args.trivial_cells:
                    wall, cells, result = timed_run(trivial_spec(args), client, f"{tmp}/trivial")
                    trivial = (wall - cells / 2) / result.n_cells
                    print(f"{result.n_cells} trivial cells (mean {1000 * cells / result.n_cells:.1f} ms each), 2 workers: "
                          f"wall {wall:.2f} s, overhead per cell {1000 * trivial:.1f} ms (target <= 50)  "
                          f"{'PASS' if trivial <= 0.05 else 'FAIL'}")
                    out["trivial_overhead"] = trivial
            finally:
                client.close()
                cluster.close()
    out["rows"] = rows
    if 1 in rows and 2 in rows:
        speedup = rows[1]["wall"] / rows[2]["wall"]
        overhead = (rows[2]["wall"] - rows[2]["cells"] / 2) / rows[2]["n"]
        identical = rows[1]["table"].equals(rows[2]["table"])
        print(f"speed-up 1 -> 2 workers: {speedup:.2f}x (target >= 1.7)  {'PASS' if speedup >= 1.7 else 'FAIL'}")
        print(f"scheduling overhead per cell (2 workers): {1000 * overhead:.1f} ms (target <= 50)  "
              f"{'PASS' if overhead <= 0.05 else 'FAIL'}")
        print(f"tables identical with 1 and 2 workers (timings excluded): {identical}")
        out.update(speedup=speedup, overhead=overhead, identical=identical)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=40, help="cells (default 40)")
    parser.add_argument("--kind", choices=("posterior", "map"), default="posterior",
                        help="posterior cells (Gibbs, default) or MAP-path cells (50 scales, one per seed)")
    parser.add_argument("--draws", type=int, default=2000, help="Gibbs draws per chain, 2 chains (default 2000)")
    parser.add_argument("--tune", type=int, default=500, help="Gibbs warm-up sweeps per chain (default 500)")
    parser.add_argument("--n", type=int, default=200, help="rows of the synthetic data (default 200)")
    parser.add_argument("--p", type=int, default=100, help="columns of the synthetic data (default 100)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (default 1 2)")
    parser.add_argument("--trivial-cells", type=int, default=200,
                        help="cells of a few ms for the overhead alone (default 200; 0 to skip)")
    main(parser.parse_args())
