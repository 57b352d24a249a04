"""The runnable model scripts and the command line, run as a user would."""

import re
import subprocess
import sys

import pytest

from models.scripts import SCRIPTS, load_script
from priors import CuspInputError

TINY = ("--draws", "30", "--tune", "30", "--chains", "1", "--seed", "1", "--no-progress")


def run(*args, cwd=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def run_inline(module, *argv):
    """``python -m module argv`` through the same entry point in this process, for the
    checks that stop at parsing or validation (an interpreter start-up is ~1 s each; the
    full runs above go through ``python -m``).  Returns the exit code and the output."""
    import contextlib
    import importlib
    import io

    from models.scripts.common import script_entry_point
    from reports.cli import main

    out, err, saved = io.StringIO(), io.StringIO(), sys.argv
    sys.argv = [module, *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv)) if module == "reports" else script_entry_point(importlib.import_module(module))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved
    return subprocess.CompletedProcess([module, *argv], code, out.getvalue(), err.getvalue())


def assert_one_line_error(out, message):
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(r"python -m models\.scripts\.\w+: error: ", lines[0]), out.stderr
    assert message in lines[0]


# ---------------------------------------------------------------------- model scripts
def test_diabetes_script_prints_certified_zeros():
    out = run("-m", "models.scripts.diabetes", "--scale", "1.0", "--gaussian-factor", "1000", "--priors", "laplace,gaussian", *TINY)
    assert out.returncode == 0, out.stderr
    assert "laplace: global MAP has exact zeros: 6 of 10 (all certified" in out.stdout  # b = 1 (cf. test_map_gaussian)
    assert "gaussian: global MAP has exact zeros: 0 of 10" in out.stdout  # the 1000x Gaussian
    assert "(small, but not 0.0)" in out.stdout
    assert "certified" in out.stdout and "NOT cert" not in out.stdout
    assert "posterior draws exactly 0.0: 0 of 300 values (30 draws x 10 coefficients)" in out.stdout  # continuous priors: no draw is 0.0
    assert "[1/2] laplace: MAP + 1 chain x 30 draws" in out.stderr and "[2/2] gaussian" in out.stderr
    assert "--- laplace ---" in out.stdout and "--- gaussian ---" in out.stdout


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_script_help(name):
    out = run_inline(f"models.scripts.{name}", "--help")
    assert out.returncode == 0
    for option in ("--draws", "--tune", "--chains", "--seed", "--no-progress"):
        assert option in out.stdout
    assert ("--priors" in out.stdout) or name == "regression"


def test_script_api():
    for name in SCRIPTS:
        module = load_script(name)
        assert module.TITLE and module.__doc__
        assert callable(module.run) and callable(module.main) and callable(module.add_arguments)
    args = load_script("diabetes").build_parser().parse_args([])
    assert (args.draws, args.tune, args.chains, args.seed, args.progress) == (1000, 1000, 2, 0, True)
    assert args.sigma == 54.0 and args.gaussian_factor == 100.0 and args.scale == 1.0
    with pytest.raises(CuspInputError, match="diabetes, breast_cancer"):
        load_script("nope")


def test_unknown_prior_in_priors_option():
    out = run_inline("models.scripts.diabetes", "--priors", "laplace,ridge", *TINY)
    assert_one_line_error(out, "unknown prior 'ridge' in --priors; choose from laplace, gaussian, horseshoe")


# a whole cusp run (sampling, report) in a fresh process, ~7 s from cold caches: the slow
# tier (CI runs it); the logistic Gibbs sampler and MAP are tested in-process elsewhere
@pytest.mark.slow
def test_breast_cancer_laplace_zeros():
    out = run("-m", "models.scripts.breast_cancer", "--priors", "laplace", *TINY)
    assert out.returncode == 0, out.stderr
    assert "logistic likelihood" in out.stdout
    assert "laplace: global MAP has exact zeros: 22 of 30 (all certified" in out.stdout


# a whole cusp run (sampling, report) in a fresh process, ~9-12 s from cold caches: the slow
# tier (CI runs it); Poisson NUTS compiles a PyMC model
@pytest.mark.slow
def test_poisson_counts_support_recovery():
    out = run("-m", "models.scripts.poisson_counts", "--n", "80", "--p", "10", "--k", "3", "--scale", "0.02", "--priors", "laplace", *TINY)
    assert out.returncode == 0, out.stderr
    assert "Support recovery:" in out.stdout
    assert "of 7 true zeros are exactly 0.0 at the MAP; 3 of 3 true signals are non-zero" in out.stdout
    assert "poisson likelihood" in out.stdout


def test_normal_means_exact_next_to_nuts():
    out = run("-m", "models.scripts.normal_means", "--y=-3,0,0.5,3", "--priors", "laplace,spike_and_slab", *TINY)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Exact posterior vs NUTS" in text and "exact from models.posterior.exact.laplace_posterior" in text
    assert "P(w=0) exact" in text
    # soft thresholding with sigma = 1, b = 1: |y| <= 1 gives exactly 0.0; y = 3 gives 2
    laplace_block = text.split("== laplace:")[1].split("== spike_and_slab:")[0]
    lines = {ln.split()[0]: ln.split() for ln in laplace_block.splitlines() if ln.strip() and ln.split()[0] in ("-3", "0", "0.5", "3")}
    assert lines["0.5"][1] == "0.0" and lines["3"][1] == "2"
    # exact Laplace posterior mean at y = 0 is 0 by symmetry, at y = 3 it is between the MAP and y
    assert float(lines["0"][2]) == 0.0 and 2.0 < float(lines["3"][2]) < 3.0
    assert "spike_and_slab: no MAP (point mass at 0)" in text
    slab_block = text.split("== spike_and_slab:")[1]
    p_zero = {ln.split()[0]: float(ln.split()[-2]) for ln in slab_block.splitlines() if ln.strip() and ln.split()[0] in ("0", "3")}
    assert abs(p_zero["0"] - 0.691) < 2e-3 and abs(p_zero["3"] - 0.058) < 2e-3  # exact P(w = 0 | y), pi = 0.5, s = 2


# ---------------------------------------------------------------------- regression on a CSV
GOOD_CSV = "a,b,c,y\n" + "\n".join(
    f"{i % 7},{(i * 3) % 5},{(i * i) % 11},{2.0 * (i % 7) + 0.3 * ((i * 13) % 4)}" for i in range(40)
) + "\n"


def test_regression_on_csv(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(GOOD_CSV)
    out = run("-m", "models.scripts.regression", "--data", str(path), "--target", "y", "--sigma", "1", "--prior", "laplace", *TINY)
    assert out.returncode == 0, out.stderr
    assert "n = 40 rows, p = 3 features" in out.stdout
    assert "standardized" in out.stdout
    assert "laplace: global MAP has exact zeros:" in out.stdout
    assert "--- laplace ---" in out.stdout


@pytest.mark.parametrize(
    "content, extra, message",
    [
        (None, (), "data file not found"),
        ("a,b\n1,2\n3,4\n", (), "target column 'y' is not in"),
        ("a,y\n1,2\nx,3\n4,5\n", (), "column 'a'"),
        ("a,y\n1,2\n,3\n4,5\nnan,1\n", (), "lines 3, 5"),
        ("a,y\n1,2\n", (), "at least 2 are needed"),
        ("a,y\n1,2\n3\n", (), "line 3"),
        ("a,y\n1,0\n2,1\n3,2\n", ("--likelihood", "logistic"), "logistic labels must be 0 or 1"),
        ("a,y\n1,2\n3,4\n", ("--features", "a,zz"), "feature column 'zz'"),
        ("", (), "is empty"),
        ("a,y\n", (), "0 data rows"),
        ("a,y\n1,2\ninf,3\n4,5\n", (), "lines 3"),
        ("a,y\n1,2\n2,-1\n3,4\n", ("--likelihood", "poisson"), "Poisson counts must be >= 0"),
        ("a,y\n1,2\n2,1.5\n3,4\n", ("--likelihood", "poisson"), "whole numbers"),
        ("a,y\n1,1\n2,1\n3,1\n", ("--likelihood", "logistic"), "both classes are needed"),
        ("a,b,y\n1,7,2\n2,7,1\n", ("--features", "b"), "every feature column"),
        ("a,y\n1,2\n3,4\n", ("--scale", "0"), "--scale: must be a finite number >= 1e-50 and <= 1e+50"),
        ("a,y\n1,2\n3,4\n", ("--scale", "nan"), "--scale: must be a finite number >= 1e-50 and <= 1e+50"),
        ("a,y\n1,2\n3,4\n", ("--sigma", "-1"), "sigma"),
    ],
    ids=["missing-file", "missing-target", "non-numeric", "nan-cells", "one-row", "ragged", "bad-labels", "missing-feature",
         "empty-file", "header-only", "inf-cell", "negative-counts", "fractional-counts", "one-class", "all-constant",
         "scale-zero", "scale-nan", "sigma-negative"],
)
def test_regression_bad_csv_is_one_line_and_exit_2(tmp_path, content, extra, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    out = run_inline("models.scripts.regression", "--data", str(path), "--target", "y", *extra, *TINY)
    assert_one_line_error(out, message)


def test_regression_messages_name_the_problem(tmp_path):
    from models.scripts.regression import load_csv

    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n1,2,3\n4,5,6\n")
    with pytest.raises(CuspInputError, match="its columns are: a, b, y"):
        load_csv(path, "target")
    path.write_text("a,b,y\n1,cat,3\n4,5,6\n")
    with pytest.raises(CuspInputError, match="column 'b' .* not numeric: line 2 has 'cat'"):
        load_csv(path, "y")
    path.write_text("a,b,y\n1,NA,3\n4,5,6\n7,,8\n")
    with pytest.raises(CuspInputError, match="column 'b' .* lines 2, 4"):
        load_csv(path, "y")
    warnings = []
    path.write_text("a;k;y\n1;7;3\n4;7;6\n2;7;1\n")  # semicolons, and a constant column
    X, y, names, notes = load_csv(path, "y", warn=warnings.append)
    assert names == ["a"] and "constant column k" in warnings[0] and notes
    assert abs(X.mean()) < 1e-12 and abs(X.std() - 1) < 1e-12  # standardized


# ---------------------------------------------------------------------- the CLI
def test_cli_priors_table():
    out = run_inline("reports", "priors")
    assert out.returncode == 0
    assert "horseshoe" in out.stdout and "smooth at 0" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["map", "--prior", "nope"], "unknown prior"),
        (["map", "--scale", "-1"], "argument --scale: must be a finite number >= 1e-50 and <= 1e+50, got -1.0"),
        (["map", "--prior", "bridge", "--param", "p"], "KEY=VALUE"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args, message):
    out = run_inline("reports", *args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
