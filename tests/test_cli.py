"""`cusp run` / `cusp report` as a user meets them: the output folder, re-rendering
without sampling, no silent overwrite, and nothing half-written after an interrupt."""

import os
import re
import subprocess
import sys

import pytest

from reports.cli import main

RUN = ["run", "normal_means", "--y=-2.5,-0.4,0.3,1.8", "--priors", "laplace,gaussian", "--draws", "60",
       "--tune", "60", "--chains", "1", "--no-progress"]


def _cusp(*args):
    return subprocess.run([sys.executable, "-m", "reports", *args], capture_output=True, text=True, timeout=600)


def _values(html):
    """Every ``data-key``/``data-value`` pair in the page, in order."""
    return re.findall(r'data-key="([^"]*)"[^>]*data-value="([^"]*)"', html)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "means"
    done = _cusp(*RUN, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_run_writes_results_summary_and_report(run_folder):
    assert sorted(os.listdir(run_folder)) == [".cusp-output", "gaussian.nc", "index.html", "laplace.nc", "summary.json"]
    html = (run_folder / "index.html").read_text()
    assert "0 (exact)" in html  # the Laplace MAP zeroes |y| <= 1
    assert not [d for d in os.listdir(run_folder.parent) if d.startswith(".")]  # no staging folder left


def test_report_rerenders_the_same_numbers_without_sampling(run_folder, tmp_path, monkeypatch):
    import pymc

    def no_sampling(*args, **kwargs):
        raise AssertionError("cusp report must not sample")

    monkeypatch.setattr(pymc, "sample", no_sampling)
    out = tmp_path / "again.html"
    assert main(["report", str(run_folder), "-o", str(out)]) == 0
    original = _values((run_folder / "index.html").read_text())
    again = _values(out.read_text())
    assert len(original) > 50 and again == original


_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[+]00:00")


# a whole cusp run (sampling, report) in a fresh process, ~9-12 s from cold caches: the slow
# tier (CI runs it); same seed, same draws is tested in-process in test_posterior.py and test_gibbs*.py
@pytest.mark.slow
def test_same_command_and_seed_give_byte_identical_results(run_folder, tmp_path):
    """Determinism: apart from ArviZ's ``created_at`` timestamps, the second run writes
    the same bytes (netCDF, JSON and HTML)."""
    again = tmp_path / "means"
    done = _cusp(*RUN, "--out", str(again))
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(again)) == sorted(os.listdir(run_folder))
    for name in os.listdir(run_folder):
        first, second = (run_folder / name).read_bytes(), (again / name).read_bytes()
        if name.endswith(".nc"):
            assert len(_TIMESTAMP.findall(first)) >= 3, name  # one per group: the mask found them
        assert _TIMESTAMP.sub(b"<timestamp>", first) == _TIMESTAMP.sub(b"<timestamp>", second), name


def test_existing_output_needs_force(run_folder):
    before = {f: (run_folder / f).stat().st_mtime_ns for f in os.listdir(run_folder)}
    done = _cusp(*RUN, "--out", str(run_folder))
    assert done.returncode == 2
    assert "--force" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert {f: (run_folder / f).stat().st_mtime_ns for f in os.listdir(run_folder)} == before


def test_report_refuses_to_overwrite_and_rejects_non_results(run_folder, tmp_path):
    target = tmp_path / "mine.html"
    target.write_text("my notes")
    assert main(["report", str(run_folder), "-o", str(target)]) == 2
    assert target.read_text() == "my notes"
    bogus = tmp_path / "bogus.nc"
    bogus.write_text("not netCDF")
    assert main(["report", str(bogus)]) == 2


def test_interrupt_leaves_nothing_behind(tmp_path, monkeypatch):
    """Ctrl-C while the results are being written: exit 130, no output folder, no staging."""
    import models.runs
    import reports.cli

    real_save = models.runs.save_run

    def interrupted(run, folder, **kw):
        real_save(run, folder, **kw)  # some files are already on disk ...
        raise KeyboardInterrupt  # ... when the user presses Ctrl-C

    monkeypatch.setattr(reports.cli, "save_run", interrupted)
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == 130
    assert os.listdir(tmp_path) == []
