"""The runnable model script and the command line, run as a user would."""

import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300)


def test_diabetes_script_prints_certified_zeros():
    out = run("-m", "models.diabetes", "--scale", "1.0", "--gaussian-factor", "1000")
    assert out.returncode == 0, out.stderr
    assert "exact zeros: 6 of 10" in out.stdout  # Laplace b = 1 (cross-checked with sklearn in test_map_gaussian)
    assert "exact zeros: 0 of 10" in out.stdout  # the 1000x Gaussian
    assert "zero: certified" in out.stdout and "NOT certified" not in out.stdout
    assert "local mode" in out.stdout


def test_diabetes_script_help():
    out = run("-m", "models.diabetes", "--help")
    assert out.returncode == 0 and "--gaussian-factor" in out.stdout


def test_cli_priors_table():
    out = run("-m", "reports", "priors")
    assert out.returncode == 0
    assert "horseshoe" in out.stdout and "smooth at 0" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["map", "--prior", "nope"], "unknown prior"),
        (["map", "--scale", "-1"], "positive"),
        (["map", "--prior", "bridge", "--param", "p"], "KEY=VALUE"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args, message):
    out = run("-m", "reports", *args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
