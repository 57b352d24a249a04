"""The benchmark scripts run end to end on tiny arguments (a smoke test, not a timing)."""

import argparse
import importlib.util
import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name):
    import sys

    if str(BENCHMARKS) not in sys.path:  # as when run as python benchmarks/<name>.py (imports timing)
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_selection_benchmark_times_every_method(capsys):
    bench = load("selection")
    args = argparse.Namespace(repeats=1, draws=10, chains=2, n=30, p=40, k=3, max_size=5, dss_alpha_ratio=0.1, seed=0)
    rows = bench.main(args)
    out = capsys.readouterr().out
    methods = ["dss (alpha=None", "dss (alpha=", "savs", "interval", "mpm", "projection forward", "projection l1"]
    for case in ("diabetes (442 x 10)", "synthetic (30 x 40)"):
        lines = [line for line in out.splitlines() if line.startswith(case) and not line.startswith(f"{case}:")]
        assert len(lines) == len(methods), out
        for method, line in zip(methods, lines):
            assert method in line, line
            seconds = float(re.split(r"\s{2,}", line[24:].strip())[1])
            assert seconds > 0.0
    assert len(rows) == 2 * len(methods)
    assert all(isinstance(r["seconds"], float) and r["seconds"] > 0.0 for r in rows)
    assert "kulprit" in out


def test_posterior_benchmark_wide_case_reports_targets_and_profile(capsys):
    """The p >> n Gibbs case on tiny sizes: a row per model, the target line, the profile."""
    bench = load("posterior")
    args = argparse.Namespace(case=["wide"], seeds=[0], wide_n=20, wide_p=[40], draws=30, tune=10, quick=False,
                              profile=True, thin=2)
    results = bench.main(args)["wide"]
    out = capsys.readouterr().out
    assert [name for _, name, _ in results] == ["horseshoe, tau ~ C+(0, tau0)", "Bayesian lasso"]
    for _, _, r in results:
        assert r["divergences"] is None and r["min_ess"] > 0 and r["wall_s"] > 0
    assert out.count("(target <= 60)") == 2 and out.count("where the time goes, p=40") == 2


def test_map_vs_peers_benchmark_compares_supports_and_objectives(capsys):
    """Two cases on small sizes against scikit-learn (skglm and celer compile for seconds:
    the smoke test leaves them out); cusp's sparse design is timed, not refused."""
    bench = load("map_vs_peers")
    args = argparse.Namespace(case=["diabetes", "sparse"], quick=True, repeats=1, path_points=5, peers=["scikit-learn"])
    rows = bench.main(args)
    out = capsys.readouterr().out
    assert {(r["case"], r["kind"], r["solver"]) for r in rows} == {
        (case, kind, solver) for case in ("diabetes", "sparse") for kind in ("one fit", "5-pt path")
        for solver in ("cusp", "scikit-learn")}
    assert out.count("same supports True") == 4 and "n/a" not in out
    diffs = [float(x) for x in re.findall(r"objective rel diff (\S+)", out)]
    assert len(diffs) == 4 and max(diffs) < 1e-7
    assert all(r["memory"] > 0 for r in rows if r["case"] == "sparse")


def test_sweep_benchmark_reports_speed_up_and_overhead(capsys):
    """Tiny MAP-path cells on 1 and 2 workers (the posterior cells import PyMC in each
    worker: the sweep tests run those): the speed-up, overhead and identity lines."""
    bench = load("sweep")
    args = argparse.Namespace(cells=4, kind="map", draws=20, tune=10, n=30, p=6, workers=[1, 2], trivial_cells=4)
    out = bench.main(args)
    text = capsys.readouterr().out
    assert "speed-up 1 -> 2 workers" in text and "scheduling overhead per cell (2 workers)" in text
    assert out["identical"] is True and out["speedup"] > 0 and "trivial_overhead" in out
    assert {w: r["n"] for w, r in out["rows"].items()} == {1: 4, 2: 4}
