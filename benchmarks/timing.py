"""What the benchmark scripts share: the median wall time of repeated calls.

The scripts run as ``python benchmarks/<name>.py``, so this folder is on ``sys.path``
and they import it as ``from timing import median_time``."""

import time

import numpy as np


def median_time(fn, repeats):
    """``(median seconds over repeats calls of fn(), the last result)``."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out
