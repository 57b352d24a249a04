"""Model formulas: the design is formulae's own, text columns are encoded with a formula
and refused without one (the message pointing to --formula), and a bad formula is one
clear error."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from formulae import design_matrices

from models import CuspInputError, Model
from models.formula import design_from_formula
from priors import laplace

ROWS = 40


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.standard_normal(ROWS), "z": rng.uniform(1, 3, ROWS),
                       "group": rng.choice(["north", "south", "east"], ROWS)})
    df["y"] = 1.0 + 2.0 * df["x"] + np.where(df["group"] == "south", 1.5, 0.0) + 0.3 * rng.standard_normal(ROWS)
    return df


@pytest.mark.parametrize("formula", ["y ~ x + C(group)", "y ~ x * C(group) + np.log(z)", "y ~ 0 + x + group"])
def test_design_is_formulaes_without_its_intercept_column(frame, formula):
    design = design_from_formula(formula, frame)
    dm = design_matrices(formula, frame)
    labels = [label for term in dm.common.terms.values() for label in term.labels]
    full = np.array(np.asarray(dm.common))
    keep = [k for k, label in enumerate(labels) if label != "Intercept"]
    np.testing.assert_array_equal(design.X, full[:, keep])
    np.testing.assert_array_equal(design.y, frame["y"].to_numpy())
    assert design.feature_names == [labels[k] for k in keep]
    assert design.fit_intercept == ("Intercept" in labels)


def test_map_of_a_formula_is_the_map_of_the_dummy_coded_design(frame):
    design = design_from_formula("y ~ x + C(group)", frame)
    by_hand = np.column_stack([frame["x"], frame["group"] == "north", frame["group"] == "south"]).astype(float)
    assert design.feature_names == ["x", "C(group)[north]", "C(group)[south]"]  # east, first in order, is the reference
    a = Model("gaussian", laplace(0.5), sigma=0.3).map(design.X, design.y, feature_names=design.feature_names)
    b = Model("gaussian", laplace(0.5), sigma=0.3).map(by_hand, frame["y"].to_numpy())
    np.testing.assert_array_equal(a.coef, b.coef)


@pytest.mark.parametrize("formula, match", [
    ("y ~ x +", "cannot use the formula"),
    ("y ~ x + height", "'height' is not a column of the data"),
    ("y ~ x + (1|group)", "group-specific terms"),
    ("y ~ 1", "no terms besides the intercept"),
    ("x + group", "needs a response"),
])
def test_bad_formulas_raise_one_clear_error(frame, formula, match):
    with pytest.raises(CuspInputError, match=match):
        design_from_formula(formula, frame)


def _cusp(*args, cwd):
    return subprocess.run([sys.executable, "-m", "reports", *args], capture_output=True, text=True, timeout=600, cwd=cwd)


# a whole cusp run (sampling, report) in a fresh process, ~9-12 s from cold caches: the slow
# tier (CI runs it); the formula's encoding is tested in-process in this file
@pytest.mark.slow
def test_cli_encodes_a_text_column_with_a_formula_and_refuses_it_without(frame, tmp_path):
    frame[["y", "x", "group"]].to_csv(tmp_path / "data.csv", index=False)
    done = _cusp("run", "regression", "--data", "data.csv", "--target", "y", "--out", "plain", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "column 'group'" in done.stderr and "--formula" in done.stderr and "Traceback" not in done.stderr
    done = _cusp("run", "regression", "--data", "data.csv", "--formula", "y ~ x + C(group)", "--prior", "laplace",
                 "--draws", "40", "--tune", "40", "--chains", "1", "--no-progress", "--select", "none", "--out", "f",
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "f" / "index.html").read_text()
    assert "C(group) is encoded as 2 columns: C(group)[north], C(group)[south]" in page
    bad = _cusp("run", "regression", "--data", "data.csv", "--formula", "y ~ x +", "--out", "g", cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "cannot use the formula" in bad.stderr
    assert not (tmp_path / "g").exists()
