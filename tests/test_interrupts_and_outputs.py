"""What a user's files go through: interrupts by real signals to a real ``cusp``
process, staging folders left by a killed run, ``--force`` that must never delete
the user's data, ``cusp report`` on files that are not complete cusp results, CSV
cells with line breaks, and whose warning a warning is."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

from models.interrupts import Interrupted, catch_signals, interrupted
from models.io import GROUPS_ATTR, load_netcdf
from models.posterior.pymc_model import check_complete
from models.scripts.common import plain_warnings
from priors import CuspDataWarning, CuspInputError
from reports.cli import main
from reports.publish import OUTPUT_MARKER, STAGING_MARKER, check_output_folder, remove_stale_staging

QUICK = ["run", "normal_means", "--y=-2.5,-0.4,0.3,1.8", "--priors", "laplace", "--draws", "40", "--tune", "40",
         "--chains", "1", "--no-progress"]
# long enough that no signal below arrives after the run could have finished
SLOW = ["run", "normal_means", "--y=-2.5,-0.4,0.3,1.8", "--priors", "laplace,gaussian", "--draws", "200000",
        "--tune", "1000", "--chains", "2", "--no-progress", "--sampler", "pymc"]


def _cusp(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "reports", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


class _Done:
    def __init__(self, returncode, stderr):
        self.returncode, self.stderr = returncode, stderr


@pytest.fixture()
def cli(capsys, monkeypatch):
    """``cusp ...`` in this process (the same code as the command, without the seconds
    a new interpreter takes to import PyMC): returns the exit code and stderr."""

    def run(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's errors
            code = exc.code
        return _Done(code, capsys.readouterr().err)

    return run


def _one_line_error(done, *phrases):
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("cusp: error: "), done.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _hidden(folder):
    return sorted(e for e in os.listdir(folder) if e.startswith("."))


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A finished run folder (one Laplace fit)."""
    out = tmp_path_factory.mktemp("results") / "means"
    done = _cusp(*QUICK, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


# ---------------------------------------------------------------------- interrupts
# Two moments (starting up / compiling at 4 s, drawing at 9 s), each with one of the two
# signals: both go through the same handler (models.interrupts), so the other two pairs
# of the cross product (~17 s of the default tier) added no path.  The one while drawing
# (~11 s: NUTS, a PyMC compilation) runs in the slow tier, which CI runs.
@pytest.mark.parametrize("signame,delay", [("SIGTERM", 4.0), pytest.param("SIGINT", 9.0, marks=pytest.mark.slow)])
def test_a_signal_while_working_exits_130_and_writes_nothing(tmp_path, signame, delay):
    """Ctrl-C or SIGTERM at any moment of the work (starting up, compiling, tuning,
    drawing): exit 130 and no output folder, no staging folder; never a result built
    from the draws made before the signal."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "reports", *SLOW, "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    assert proc.poll() is None, "the run finished before the signal: make SLOW slower"
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].endswith("no output was written")
    assert "Traceback" not in err
    assert os.listdir(tmp_path) == []


def _processes_mentioning(text):
    """PIDs of live processes whose command line contains ``text``."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if text.encode() in fh.read():
                    found.append(int(pid))
        except (OSError, ValueError):
            continue
    return found


def test_ctrl_c_during_the_demo_stops_its_study_process_and_writes_nothing(tmp_path):
    """The demo's study runs in a forked process: Ctrl-C in a terminal (SIGINT to the whole
    process group; the study ignores it, cusp stops it, as for SIGTERM to cusp alone)
    exits 130, leaves no output or staging folder and no process behind."""
    out = tmp_path / "demo-out"
    proc = subprocess.Popen([sys.executable, "-m", "reports", "demo", "--out", str(out), "--draws", "60", "--tune", "60",
                             "--chains", "1", "--no-progress", "--quick-study"], stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    lines = []
    for line in proc.stderr:  # wait until both processes work
        lines.append(line)
        if "the study" in line:
            break
    time.sleep(1.0)
    assert proc.poll() is None, "".join(lines)
    os.killpg(proc.pid, signal.SIGINT)
    err = "".join(lines) + proc.stderr.read()
    assert proc.wait(timeout=120) == 130, err
    assert err.strip().splitlines()[-1].endswith("no output was written"), err
    assert "Traceback" not in err
    time.sleep(0.5)
    assert os.listdir(tmp_path) == []
    assert _processes_mentioning(str(out)) == []


def test_a_signal_inside_a_callback_is_not_printed_but_still_stops_the_work(capsys):
    """A signal that lands in a ctypes callback (numba compiling) cannot be raised there:
    Python hands it to sys.unraisablehook, which printed an "Exception ignored" traceback.
    Inside catch_signals an Interrupted is dropped there (it is recorded and raised where
    the work resumes); anything else still reaches the previous hook."""
    import types

    seen = []
    previous, sys.unraisablehook = sys.unraisablehook, seen.append
    try:
        with catch_signals():
            sys.unraisablehook(types.SimpleNamespace(exc_value=Interrupted("SIGINT received")))
            other = types.SimpleNamespace(exc_value=ValueError("not a signal"))
            sys.unraisablehook(other)
        assert seen == [other]
        assert sys.unraisablehook == seen.append  # restored
    finally:
        sys.unraisablehook = previous


def test_pymc_returning_the_draws_made_before_ctrl_c_is_refused(tmp_path):
    """In-process: a SIGINT while PyMC draws (PyMC then returns the draws so far) raises
    Interrupted from Model.sample instead of returning them."""
    from models import Model
    from priors import laplace

    assert threading.current_thread() is threading.main_thread()  # else the SIGINT would stop the test run
    y = np.array([-2.5, -0.4, 0.3, 1.8])
    model = Model("normal_means", laplace(1.0), sigma=1.0)
    model.sample(y=y, draws=20, tune=20, chains=1, random_seed=0)  # compile once, so the signal hits sampling
    timer = threading.Timer(2.0, os.kill, args=(os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(Interrupted):
            model.sample(y=y, draws=2_000_000, tune=100, chains=1, random_seed=0)
    finally:
        timer.cancel()
    assert time.perf_counter() - start < 60
    assert interrupted() is None  # the record is cleared once the outermost block ends


@pytest.mark.parametrize("parallel", [False, True], ids=["serial chains", "chains in processes"])
def test_ctrl_c_stops_the_gibbs_sampler_and_its_processes(monkeypatch, parallel):
    """A SIGINT while the Gibbs chains run raises Interrupted at once; chains in worker
    processes are terminated, not waited for."""
    import importlib

    import multiprocessing

    from models import Model
    from priors import laplace

    assert threading.current_thread() is threading.main_thread()
    G = importlib.import_module("models.posterior.gibbs")
    monkeypatch.setattr(G, "PARALLEL_WORK", 0 if parallel else 10**18)
    y = np.array([-2.5, -0.4, 0.3, 1.8])
    timer = threading.Timer(2.0, os.kill, args=(os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(Interrupted):
            Model("normal_means", laplace(1.0), sigma=1.0).sample(y=y, draws=5_000_000, tune=10, chains=2,
                                                                  random_seed=0, sampler="gibbs")
    finally:
        timer.cancel()
    assert time.perf_counter() - start < 20
    assert multiprocessing.active_children() == []
    assert interrupted() is None


def test_a_sample_with_fewer_draws_than_asked_is_never_a_result(results):
    idata = load_netcdf(results / "laplace.nc")
    check_complete(idata, draws=40, chains=1)
    with pytest.raises(Interrupted, match="1 chains x 14 draws of 1 x 40"):
        check_complete(idata.isel(draw=slice(0, 14)), draws=40, chains=1)


def test_catch_signals_restores_the_previous_handlers():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with catch_signals():
        with catch_signals():  # re-entrant
            assert signal.getsignal(signal.SIGTERM) is not before[0]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


# ---------------------------------------------------------------------- staging folders
def test_a_killed_runs_staging_folder_is_removed_by_the_next_run_and_refused_by_report(tmp_path, cli):
    """What SIGKILL during writing leaves (a hidden staging folder with its builder's pid
    and a partial temporary .nc) is refused by ``cusp report`` and removed by the next run
    into the same place; a staging folder whose builder still runs is left alone."""
    stale = tmp_path / ".out-k1ll3d00"
    stale.mkdir()
    (stale / STAGING_MARKER).write_text(f"{_dead_pid()} {os.uname().nodename}\n")
    (stale / ".cusp-12345-abc.nc").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    (stale / "laplace.nc").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    alive = tmp_path / ".out-running0"
    alive.mkdir()
    (alive / STAGING_MARKER).write_text(f"{os.getpid()} {os.uname().nodename}\n")
    unrelated = tmp_path / ".out-notcusps"  # same naming, no marker: not ours
    unrelated.mkdir()

    _one_line_error(cli("report", str(stale)), "staging folder of an unfinished cusp run")
    _one_line_error(cli("report", str(stale / "laplace.nc")), "staging folder")

    done = cli(*QUICK, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert not stale.exists()
    assert alive.exists() and unrelated.exists()
    assert STAGING_MARKER not in os.listdir(tmp_path / "out")
    assert OUTPUT_MARKER in os.listdir(tmp_path / "out")


def test_remove_stale_staging_touches_only_markers_of_dead_builders_on_this_host(tmp_path):
    for name, marker in [(".x-dead", f"{_dead_pid()} {os.uname().nodename}"),
                         (".x-otherhost", f"{_dead_pid()} some-other-machine"), (".x-garbage", "not a pid"),
                         (".y-dead", f"{_dead_pid()} {os.uname().nodename}")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / STAGING_MARKER).write_text(marker)
    assert remove_stale_staging(tmp_path, "x") == [str(tmp_path / ".x-dead")]
    assert sorted(os.listdir(tmp_path)) == [".x-garbage", ".x-otherhost", ".y-dead"]


def test_a_stale_temporary_file_of_a_killed_writer_is_removed_by_the_next_write(results, tmp_path):
    stale = tmp_path / f".cusp-{_dead_pid()}-abcd.html"
    stale.write_text("<html>half")
    live = tmp_path / f".cusp-{os.getpid()}-efgh.html"
    live.write_text("<html>being written")
    assert main(["report", str(results), "-o", str(tmp_path / "r.html")]) == 0
    assert sorted(os.listdir(tmp_path)) == [live.name, "r.html"]


# ---------------------------------------------------------------------- cusp report refuses what is not complete
def test_report_refuses_a_truncated_results_file(results, tmp_path, cli):
    data = (results / "laplace.nc").read_bytes()
    for k, cut in enumerate([len(data) // 2, len(data) - 100, 4000]):
        path = tmp_path / f"cut{k}.nc"
        path.write_bytes(data[:cut])
        _one_line_error(cli("report", str(path), "-o", str(tmp_path / f"r{k}.html")), "cannot be read")
    assert sorted(os.listdir(tmp_path)) == ["cut0.nc", "cut1.nc", "cut2.nc"]  # no report written


def test_report_refuses_a_file_whose_groups_are_not_all_there(results, tmp_path, cli):
    idata = load_netcdf(results / "laplace.nc")
    assert json.loads(idata.posterior.attrs[GROUPS_ATTR]) == list(idata.groups())
    del idata.sample_stats  # what a file cut after its first groups holds
    path = tmp_path / "partial.nc"
    idata.to_netcdf(str(path))
    _one_line_error(cli("report", str(path)), "incomplete", "group sample_stats")


@pytest.mark.parametrize("kind", ["xarray", "arviz-without-cusp", "random-bytes", "bad-prior-json", "other-version"])
def test_report_refuses_files_that_are_not_cusp_results(results, tmp_path, kind, cli):
    import arviz as az
    import xarray as xr

    path = tmp_path / "in.nc"
    if kind == "xarray":
        xr.Dataset({"a": ("x", np.arange(3.0))}).to_netcdf(path)
    elif kind == "arviz-without-cusp":
        az.from_dict(posterior={"w": np.zeros((1, 5, 2))}).to_netcdf(str(path))
    elif kind == "random-bytes":
        path.write_bytes(np.random.default_rng(0).bytes(5000))
    else:
        idata = load_netcdf(results / "laplace.nc")
        if kind == "bad-prior-json":
            idata.posterior.attrs["cusp_prior"] = "{laplace"
        else:
            idata.posterior.attrs["cusp_format_version"] = 99
        idata.to_netcdf(str(path))
    line = _one_line_error(cli("report", str(path), "-o", str(tmp_path / "r.html")))
    assert "results file" in line or "format" in line
    assert not (tmp_path / "r.html").exists()


def test_report_output_onto_a_folder_or_into_an_unwritable_one_is_one_line(results, tmp_path, cli):
    _one_line_error(cli("report", str(results), "-o", str(tmp_path)), "is a folder")
    _one_line_error(cli("report", str(results), "-o", "/sys/cusp-report.html"), "cannot write in folder /sys")
    _one_line_error(cli("report", str(results), "-o", ""), "empty")


# ---------------------------------------------------------------------- --force never deletes the user's data
@pytest.fixture()
def data_folder(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    y = X @ [1.0, 0.0, -2.0] + rng.standard_normal(30)
    lines = ["a,b,c,y"] + [",".join(f"{v:.6f}" for v in [*row, t]) for row, t in zip(X, y)]
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "data.csv").write_text("\n".join(lines) + "\n")
    (folder / "notes.txt").write_text("my notes")
    return folder


REGRESSION = ["run", "regression", "--data", "data.csv", "--target", "y", "--sigma", "1", "--draws", "30",
              "--tune", "30", "--chains", "1", "--no-progress"]


def _snapshot(folder):
    return {p: open(os.path.join(r, p), "rb").read() for r, _, files in os.walk(folder) for p in files}


def test_force_refuses_to_replace_the_current_folder(data_folder, cli):
    before = _snapshot(data_folder)
    _one_line_error(cli(*REGRESSION, "--out", ".", "--force", cwd=data_folder), "current folder")
    _one_line_error(cli(*REGRESSION, "--out", "..", "--force", cwd=data_folder), "current folder")
    assert _snapshot(data_folder) == before


def test_force_refuses_a_folder_holding_an_input_file(data_folder, tmp_path, cli):
    before = _snapshot(data_folder)
    args = [a if a != "data.csv" else str(data_folder / "data.csv") for a in REGRESSION]
    (data_folder / OUTPUT_MARKER).write_text("")  # even a folder marked as cusp's
    _one_line_error(cli(*args, "--out", str(data_folder), "--force", cwd=tmp_path), "input file", "data.csv")
    assert _snapshot(data_folder) == {**before, OUTPUT_MARKER: b""}


def test_force_refuses_a_folder_cusp_did_not_write(tmp_path, cli):
    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    _one_line_error(cli(*QUICK, "--out", str(mine), "--force"), "was not written by cusp", "--force will not")
    assert os.listdir(mine) == ["cat.jpg"]


def test_force_replaces_cusps_own_output(results, tmp_path, cli):
    import shutil

    out = tmp_path / "again"
    shutil.copytree(results, out)
    (out / "stale.nc").write_bytes(b"")
    done = cli(*QUICK, "--out", str(out), "--force")
    assert done.returncode == 0, done.stderr
    assert "stale.nc" not in os.listdir(out) and OUTPUT_MARKER in os.listdir(out)
    assert _hidden(tmp_path) == []


def test_output_checks_come_before_any_work(tmp_path, cli):
    start = time.perf_counter()
    _one_line_error(cli(*SLOW, "--out", "/sys/cusp-out"), "cannot write in folder /sys")
    _one_line_error(cli(*SLOW, "--out", ""), "output folder name is empty")
    _one_line_error(cli("study", "--quick", "--out", " "), "output folder name is empty")
    (tmp_path / "file").write_text("x")
    _one_line_error(cli(*SLOW, "--out", str(tmp_path / "file"), "--force"), "is not a folder")
    assert (tmp_path / "file").read_text() == "x"
    assert time.perf_counter() - start < 60  # no sampling happened (SLOW samples for minutes)


def test_check_output_folder_is_the_one_rule(tmp_path):
    with pytest.raises(CuspInputError, match="does not exist"):
        check_output_folder(tmp_path / "no" / "such")
    assert check_output_folder(tmp_path / "new") == str(tmp_path / "new")


# ---------------------------------------------------------------------- seeds and sizes on the command line
@pytest.mark.parametrize("args,phrase", [
    (["--seed", "-1"], "argument --seed: must be a whole number >= 0 and <= 4294967295, got -1"),
    (["--seed", "1.5"], "argument --seed: must be a whole number"),
    (["--seed", "a"], "argument --seed: expected a whole number, got 'a'"),
])
def test_bad_seeds_are_one_line(args, phrase, cli):
    done = cli(*QUICK, *args, "--out", "unused")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and phrase in done.stderr, done.stderr
    done = cli("study", "--quick", *args)
    assert done.returncode == 2 and phrase in done.stderr, done.stderr


@pytest.mark.parametrize("args,phrase", [
    (["--draws", "1000000000"], "argument --draws: must be a whole number >= 1 and <= 10000000"),
    (["--tune", "-1"], "argument --tune: must be a whole number >= 0"),
    (["--chains", "5000"], "argument --chains: must be a whole number >= 1 and <= 1000"),
    (["--draws", "10000000", "--chains", "1000"], "would store 160 GB of draws, more than cusp's limit of 4 GB"),
])
def test_sampling_sizes_beyond_the_limits_are_refused_before_any_work(args, phrase, cli):
    start = time.perf_counter()
    done = cli("run", "normal_means", "--y=1,2", "--out", "unused", *args)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and phrase in done.stderr, done.stderr
    assert time.perf_counter() - start < 20


# ---------------------------------------------------------------------- CSV with line breaks inside cells
def test_csv_quoted_line_breaks_and_unicode_line_separators_stay_inside_their_cell(tmp_path):
    from models.scripts.regression import load_csv, read_csv

    path = tmp_path / "d.csv"
    path.write_bytes(b'a,b,y\n1,"2\n0",3\n4,5,6\n7,8,9\n')
    header, rows, lines = read_csv(path)
    assert header == ["a", "b", "y"] and rows[0] == ["1", "2\n0", "3"] and lines == [2, 4, 5]
    with pytest.raises(CuspInputError, match=r"column 'b' .* line 2 has '2\\n0'"):
        load_csv(path, "y")
    path.write_bytes('"a\nb",c,y\n1,2,3\n4,5,6\n7,8,8\n'.encode())
    assert read_csv(path)[0] == ["a\nb", "c", "y"]  # one column, not "a" and "b" glued
    path.write_bytes("a,b,y\n1,2\u0085x,3\n4,5\f6,6\n7,8\u20289,9\n".encode())
    header, rows, _ = read_csv(path)
    assert [r[1] for r in rows] == ["2\u0085x", "5\f6", "8\u20289"]  # no row split on U+0085, FF, U+2028
    path.write_bytes(b'a,b,y\n1,"2,3\n4,5,6\n')
    with pytest.raises(CuspInputError, match="not valid CSV|fields"):
        read_csv(path)


# ---------------------------------------------------------------------- whose warning is it
def test_cusps_warnings_say_cusp_and_other_libraries_warnings_say_theirs(capsys):
    with plain_warnings("cusp"):
        warnings.warn_explicit("column 'x' is constant", CuspDataWarning, "/anywhere/thing.py", 1)
        warnings.warn_explicit("glyph 8322 missing from font", UserWarning,
                               "/venv/lib/python3.11/site-packages/matplotlib/backends/backend_agg.py", 10)
        warnings.warn_explicit("group behaviour will change", FutureWarning,
                               "/venv/lib/python3.11/site-packages/arviz/data/base.py", 5)
        warnings.warn_explicit("group behaviour will change", FutureWarning,
                               "/venv/lib/python3.11/site-packages/arviz/data/base.py", 5)  # shown once
    assert capsys.readouterr().err.splitlines() == [
        "cusp: warning: column 'x' is constant",
        "warning from matplotlib (UserWarning): glyph 8322 missing from font",
        "warning from arviz (FutureWarning): group behaviour will change",
    ]
