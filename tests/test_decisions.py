"""The run page's "From the posterior to exact zeros" section and ``--select``.

The page must show exactly the decisions stored with each fit (read back from the HTML
against ``FitResult.selections``), an agreement matrix equal to a direct count, the
LOO table equal to ``arviz.compare`` on the stored fits, figures built from the stored
paths, and hostile names as text.  The CLI's ``--select`` is checked end to end.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import arviz as az
import numpy as np
import pytest

from models import FitResult, Model, make_sparse_regression
from models.runs import RunResult, load_run
from models.scripts.common import decide, selection_methods
from models.selection import METHODS, not_applicable, parse_methods
from priors import CuspInputError, gaussian, laplace, spike_and_slab
from reports.decisions import agreement_matrix
from reports.figures.selection import plot_dss_path, plot_projection_path
from reports.html import render_run

from test_html import Page

HOSTILE = "<b>x</b>&amp;"
NAMES = ["alpha", "beta", HOSTILE, "delta", "epsilon"]


@pytest.fixture(scope="module")
def run():
    X, y, _ = make_sparse_regression(n=50, p=5, k=2, random_seed=3)
    kw = dict(feature_names=NAMES, draws=150, tune=150, chains=2, random_seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = {
            "laplace": Model("gaussian", laplace(0.5), sigma=1.0).fit(X, y, **kw),
            "gaussian": Model("gaussian", gaussian(1e-3), sigma=1.0).fit(X, y, **kw),
            "spike_and_slab": Model("gaussian", spike_and_slab(2.0), sigma=1.0).fit(X, y, **kw),
        }
    decide(fits, METHODS, log=lambda msg: None)
    return RunResult("dec", "Decisions", "Five features.", fits)


@pytest.fixture(scope="module")
def page(run):
    return Page(render_run(run))


def test_every_stored_decision_is_on_the_page(run, page):
    for label, fit in run.fits.items():
        stored = fit.selections
        for method, sel in stored.items():
            for j, feature in enumerate(NAMES):
                text, value = page.cell("decisions", label, feature, method)
                assert float(value) == sel.coef[j]  # full precision, bit for bit
                assert (text == "0 (exact)") == (sel.coef[j] == 0.0)
            kept = page.cells[("decisions", label, None, f"kept:{method}")][0]
            assert int(kept[1]) == sel.n_selected


def test_decisions_applied_where_they_apply(run):
    assert "mpm" in run.fits["spike_and_slab"].selections
    for label in ("laplace", "gaussian"):
        assert "mpm" not in run.fits[label].selections
        assert list(run.fits[label].selections) == ["dss", "savs", "interval", "projection"]


def test_agreement_matrix_is_a_direct_count(run, page):
    fit = run.fits["laplace"]
    rows = {"MAP": fit.map.coef != 0, **{n: s.selected for n, s in
                                         zip(("DSS", "SAVS", "Interval", "Projection"), fit.selections.values())}}
    A = agreement_matrix(rows)
    for i, a in enumerate(rows):
        for k, b in enumerate(rows):
            want = sum(bool(x) == bool(z) for x, z in zip(rows[a], rows[b]))
            assert A[i, k] == want
    # the page shows the same matrix (its rows carry data-row, not data-feature)
    shown = [int(v) for _, v in page.cells[("agreement", "laplace", None, "agree:MAP")]]
    assert shown == list(A[:, 0])


def test_loo_table_is_arviz_compare(run, page):
    want = az.compare({label: fit.idata for label, fit in run.fits.items()}, ic="loo")
    for label in run.fits:
        assert page.value("loo", label, None, "elpd_loo") == pytest.approx(want.loc[label, "elpd_loo"], rel=1e-12)
        assert int(page.value("loo", label, None, "rank")) == int(want.loc[label, "rank"])
    # the wrong prior (w pinned at ~0) is ranked last
    assert want.index[-1] == "gaussian"


def test_section_text_and_not_applicable_reason(run, page):
    text = page.texts["decisions"]
    assert "From the posterior to exact zeros" in text
    assert "singularity" in text and "loss" in text
    assert "Median model not shown" in text and "point mass" in text
    assert "PSIS-LOO" in text


def test_in_brief_names_each_fits_decisions(run, page):
    brief = page.texts["narrative"]
    for label, fit in run.fits.items():
        sel = fit.selections
        assert f"Decisions from the {label} posterior" in brief
        assert f"DSS keeps {sel['dss'].n_selected}" in brief


def test_hostile_feature_name_is_escaped(run):
    html = render_run(run)
    assert HOSTILE not in html  # never raw markup
    assert "&lt;b&gt;x&lt;/b&gt;&amp;amp;" in html
    assert Page(html).cell("decisions", "laplace", HOSTILE, "dss")  # and the row is there, by its real name


def test_figures_come_from_the_stored_paths(run):
    dss = run.fits["laplace"].selections["dss"]
    fig = plot_dss_path(dss)
    top, bottom = fig.axes[:2]
    chosen = [l for l in bottom.get_lines() if l.get_gid() == "chosen"][0]
    alpha = float(np.asarray(dss.path["alphas"])[np.asarray(dss.path["chosen"], dtype=bool)][0])
    assert chosen.get_xdata()[0] == alpha
    loss = [l for l in bottom.get_lines() if l.get_gid() == "loss"][0]
    np.testing.assert_array_equal(loss.get_ydata(), np.asarray(dss.path["loss"], dtype=float))
    proj = run.fits["laplace"].selections["projection"]
    fig = plot_projection_path(proj)
    marker = [l for l in fig.axes[0].get_lines() if l.get_gid() == "suggested"][0]
    assert marker.get_xdata()[0] == proj.n_selected
    with pytest.raises(CuspInputError, match="dss Selection"):
        plot_dss_path(proj)


def test_parse_methods():
    assert parse_methods("all") == list(METHODS)
    assert parse_methods("none") == []
    assert parse_methods("projection, dss") == ["dss", "projection"]
    for bad, match in (("", "--select is empty; choose from dss, savs, interval, mpm, projection, 'all', 'none'"),
                       ("dss,foo", "unknown selection method 'foo' in --select"),
                       ("dss,dss", "--select lists a selection method twice")):
        with pytest.raises(CuspInputError, match=match):
            parse_methods(bad)
    assert not selection_methods("all").explicit and selection_methods("dss").explicit


def test_not_applicable_reasons():
    assert "point mass" in not_applicable("mpm", point_mass=False, likelihood="gaussian")
    assert not_applicable("mpm", point_mass=True, likelihood="gaussian") is None
    assert not_applicable("dss", point_mass=False, likelihood="logistic") is None
    with pytest.raises(CuspInputError, match="unknown selection method"):
        not_applicable("lasso", point_mass=False, likelihood="gaussian")


def _cusp(*argv, cwd):
    return subprocess.run([sys.executable, "-m", "reports", *argv], capture_output=True, text=True, cwd=cwd, timeout=600)


# a whole cusp run (sampling, report) in a fresh process, ~9-12 s from cold caches: the slow
# tier (CI runs it); --select's parsing and errors are tested without sampling below
@pytest.mark.slow
def test_cli_select_stores_what_was_asked(tmp_path):
    # the normal-means script: the quickest run with a MAP and a posterior to decide from
    done = _cusp("run", "normal_means", "--y=-2.5,-0.4,0.3,1.8", "--priors", "laplace", "--draws", "40", "--tune", "40",
                 "--chains", "1", "--no-progress", "--select", "savs,interval", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "decisions for laplace: savs keeps" in done.stderr
    fits = load_run(tmp_path / "out").fits
    assert list(fits["laplace"].selections) == ["savs", "interval"]
    # and --select none
    done = _cusp("run", "normal_means", "--y=-2.5,-0.4,0.3,1.8", "--priors", "laplace", "--draws", "40", "--tune", "40",
                 "--chains", "1", "--no-progress", "--select", "none", "--out", "none", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert FitResult.from_netcdf(tmp_path / "none" / "laplace.nc").selections == {}


@pytest.mark.parametrize("value, message", [
    ("mpm", "--select mpm: it applies to none of these fits"),
    ("dss,lasso", "unknown selection method 'lasso'"),
])
def test_cli_select_errors_are_one_line_exit_2_before_sampling(tmp_path, value, message):
    done = _cusp("run", "diabetes", "--priors", "laplace", "--select", value, "--out", "x", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists()
