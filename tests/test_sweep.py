"""Sweeps (models.sweep, cusp sweep): the spec's checks, the cells' numbers against an
independent recomputation and against scikit-learn's LassoCV, bit-for-bit results with 1
and 2 workers, resuming after an interrupt, a worker killed mid-sweep, failed cells
recorded, the output folder's rules, the report in a real browser.

The tests that need a cluster share one LocalCluster of 2 worker processes (module
fixture; the tests are grouped on one xdist worker).
"""

import json
import os
import re
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold

from models import Model, laplace_scale_to_lasso_alpha, make_sparse_regression
from models.cv import choose_scale, cv_curve
from models.data import make_test_rows
from models.sweep import cv_summary, expand, load_spec, preset, read_table, run, without_timing
from models.sweep.runner import local_cluster
from models.sweep.table import replicate_summary
from priors import CuspInputError, laplace

pytestmark = pytest.mark.xdist_group("sweep-cluster")

README = Path(__file__).resolve().parent.parent / "README.md"


def tiny_spec(**changes):
    """Two priors x 2 seeds x 3 folds of a small synthetic regression: 12 MAP-path cells."""
    spec = {"name": "tiny", "seeds": 2,
            "datasets": [{"name": "sim", "synthetic": {"n": 60, "p": 8, "sparsity": 3, "correlation": 0.3}}],
            "priors": [{"family": "laplace"}, {"family": "gaussian"}], "scales": {"n": 6}, "cv": {"folds": 3}}
    spec.update(changes)
    return spec


def posterior_spec(draws=60, n_scales=2, **changes):
    """Gibbs posteriors with a selection on a tiny problem with test rows (no CV)."""
    spec = {"name": "posterior", "seeds": [3],
            "datasets": [{"name": "sim", "synthetic": {"n": 40, "p": 6, "sparsity": 2, "n_test": 50}}],
            "priors": [{"family": "laplace", "posterior": True, "scales": [float(v) for v in np.logspace(-1, 0, n_scales)]}],
            "posterior": {"sampler": "gibbs", "draws": draws, "tune": 20, "chains": 1, "selections": ["savs"]}}
    spec.update(changes)
    return spec


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    cluster = local_cluster(2)
    with Client(cluster) as c:
        yield c
    cluster.close()


# --------------------------------------------------------------------------- the spec
BAD_SPECS = [
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"datasets": [{"synthetic": {"n": 50, "q": 3}}]}, "datasets[0].synthetic.q"),
    ({"seeds": "many"}, "seeds"),
    ({"datasets": [{"csv": "no-such-file.csv", "target": "y"}]}, "datasets[0].csv: data file not found"),
    ({"scales": {"values": []}}, "scales.values is empty"),
    ({"priors": []}, "priors is empty"),
    ({"priors": [{"family": "lapalce"}]}, "priors[0].family"),
    ({"priors": [{"family": "bridge", "q": 0.5}]}, "unknown key 'priors[0].q'"),
    ({"priors": [{"family": "bridge", "p": []}]}, "priors[0].p is empty"),
    ({"cv": {"folds": 1}}, "cv.folds"),
    ({"cv": {"folds": 500}}, "cv.folds = 500 is more than the 60 rows"),
    ({"datasets": [{"builtin": "diabetes"}], "metrics": ["support"]}, "datasets[0] ('diabetes') is not synthetic"),
    ({"cv": {"folds": 3, "random_state": 4}}, "cv.random_state"),
    ({"likelihood": "logistic", "datasets": [{"builtin": "diabetes"}]}, "datasets[0].builtin"),
    ({"posterior": {"draws": 0}}, "posterior.draws"),
    ({"posterior": {"selections": ["dss"]}}, "posterior.selections needs a posterior"),
    ({"retries": -1}, "retries"),
    ({"scales": {"n": 5, "eps": 2.0}}, "scales.eps"),
]


@pytest.mark.parametrize("change, words", BAD_SPECS, ids=[w for _, w in BAD_SPECS])
def test_a_bad_spec_is_one_error_naming_the_key(change, words):
    with pytest.raises(CuspInputError) as err:
        load_spec(tiny_spec(**change))
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_toml_and_missing_spec_file(tmp_path):
    (tmp_path / "bad.toml").write_text("seeds = [1, 2\n")
    with pytest.raises(CuspInputError, match="is not valid TOML"):
        load_spec(tmp_path / "bad.toml")
    with pytest.raises(CuspInputError, match="spec file not found"):
        load_spec(tmp_path / "none.toml")


def test_parameter_lists_are_a_grid_and_cells_have_stable_distinct_hashes():
    spec = load_spec(tiny_spec(priors=[{"family": "bridge", "p": [0.5, 0.8]}, {"family": "student_t", "nu": [3.0]}]))
    assert [p.label for p in spec.priors] == ["bridge(p=0.5)", "bridge(p=0.8)", "student_t(nu=3)"]
    cells = expand(spec)
    assert len(cells) == 3 * 2 * 3  # priors x seeds x folds
    assert len({c.hash for c in cells}) == len(cells)
    assert [c.hash for c in expand(load_spec(tiny_spec(priors=[{"family": "bridge", "p": [0.5, 0.8]},
                                                                {"family": "student_t", "nu": [3.0]}])))] == \
           [c.hash for c in cells]
    # a cell's hash names what it computes, not where it sits in the grid
    one = {c.hash for c in expand(load_spec(tiny_spec(priors=[{"family": "bridge", "p": [0.8]}])))}
    assert one <= {c.hash for c in cells}


def test_the_readme_example_is_a_valid_spec(tmp_path):
    text = README.read_text()
    match = re.search(r"<!-- sweep-example -->\s*```toml\n(.*?)```", text, re.S)
    assert match, "the README's Sweeps section has the example spec"
    (tmp_path / "sweep.toml").write_text(match.group(1))
    spec = load_spec(tmp_path / "sweep.toml")
    cells = expand(spec)
    assert len(cells) == sum(1 + (p.scales.size if p.posterior else 0) for p in spec.priors) * len(spec.seeds) * \
        len(spec.datasets) * spec.cv.folds


def test_presets_are_valid_specs():
    cv = load_spec(preset("cv-diabetes"))
    assert [p.family for p in cv.priors] == ["laplace", "gaussian"] and cv.cv.folds == 5 and not cv.cv.shuffle
    assert cv.datasets[0].sigma == 54.0 and cv.priors[0].scales.n == 50
    over = load_spec(preset("overfitting"))
    assert over.seeds == tuple(range(20))
    assert len(expand(over)) == 20 * (3 + 9 + 6)
    with pytest.raises(CuspInputError, match="unknown preset"):
        preset("nope")


# --------------------------------------------------------------------------- numbers
def test_cells_equal_an_independent_recomputation(client, tmp_path):
    """Each fold's MSE, log score, zeros and support, recomputed by hand with KFold and
    Model.map_path; the CV choice equals SparseRegressorCV's arithmetic on the same losses."""
    result = run(tiny_spec(), client, out=tmp_path / "s")
    table = result.table
    assert result.computed == 12 and result.errors == 0
    for seed in (0, 1):
        X, y, truth = make_sparse_regression(60, 8, 3, sigma=1.0, random_seed=seed, correlation=0.3)
        grid = Model("gaussian", laplace(1.0), sigma=1.0).all_zero_scale(X, y) * np.logspace(0, 3, 6)
        for fold, (train, test) in enumerate(KFold(3).split(X)):
            path = Model("gaussian", laplace(1.0), sigma=1.0).map_path(X[train], y[train], scales=grid)
            rows = table[(table["prior"] == "laplace") & (table["seed"] == seed) & (table["fold"] == fold)]
            got = {m: rows[rows["metric"] == m].sort_values("scale_index")["value"].to_numpy() for m in
                   ("mse", "log_score", "exact_zeros", "recall")}
            eta = path.coefs @ X[test].T + path.intercepts[:, None]
            np.testing.assert_array_equal(rows[rows["metric"] == "mse"]["scale"].to_numpy(), grid)
            np.testing.assert_allclose(got["mse"], ((eta - y[test]) ** 2).mean(axis=1), rtol=1e-12)
            np.testing.assert_allclose(got["log_score"], (-0.5 * np.log(2 * np.pi) - 0.5 * (y[test] - eta) ** 2).mean(axis=1),
                                       rtol=1e-12)
            np.testing.assert_array_equal(got["exact_zeros"], path.n_zeros)
            np.testing.assert_array_equal(got["recall"], [np.sum((c != 0) & (truth != 0)) / 3 for c in path.coefs])
    cv = cv_summary(table)
    lap = cv[(cv["prior"] == "laplace") & (cv["seed"] == 0)]
    loss = table[(table["prior"] == "laplace") & (table["seed"] == 0) & (table["metric"] == "mse")]
    wide = loss.pivot(index="scale_index", columns="fold", values="value").to_numpy()
    mean, se = cv_curve(wide)
    np.testing.assert_array_equal(lap["mean"].to_numpy(), mean)
    best, one = choose_scale(mean, se)
    assert lap["best"].to_numpy().nonzero()[0].tolist() == [best] and lap["one_se"].to_numpy().nonzero()[0].tolist() == [one]
    # the gaussian prior shares the Laplace's grid and never gives an exact zero
    gauss = table[(table["prior"] == "gaussian") & (table["metric"] == "exact_zeros")]
    assert gauss["value"].max() == 0 and set(gauss["scale"]) == set(table[table["prior"] == "laplace"]["scale"].dropna())
    files = sorted(os.listdir(tmp_path / "s" / "cells"))
    assert files == sorted(f"{c.hash}.json" for c in expand(load_spec(tiny_spec())))
    assert read_table(tmp_path / "s").equals(table)
    csv = pd.read_csv(tmp_path / "s" / "results.csv")
    np.testing.assert_array_equal(csv["value"].to_numpy(), table["value"].to_numpy())


def _map_and_posterior_spec():
    spec = {**tiny_spec(seeds=[0]), "datasets": [{"name": "sim", "synthetic": {"n": 60, "p": 8, "sparsity": 3,
                                                                               "n_test": 30}}]}
    spec["priors"] = [{"family": "laplace", "posterior": True, "scales": [0.05, 0.5]}]
    spec["posterior"] = {"sampler": "gibbs", "draws": 40, "tune": 10, "chains": 2, "selections": ["savs"]}
    spec.pop("scales")
    return spec


def test_recomputed_sweeps_are_bit_identical_whatever_worker_runs_each_cell(client, tmp_path):
    """Two runs on the 2-worker cluster (cells land on either worker, in any order) give the
    same table, posterior draws included (each cell's seed comes from its hash); a re-run
    in the same folder reads the records back.  1 worker against 2: the slow tier."""
    spec = _map_and_posterior_spec()
    first = run(spec, client, out=tmp_path / "a")
    second = run(spec, client, out=tmp_path / "b")
    assert first.computed == second.computed == 3 * 3  # (path + 2 posteriors) x 3 folds
    assert without_timing(first.table).equals(without_timing(second.table))
    posterior_mse = first.table[(first.table["method"] == "posterior") & (first.table["metric"] == "mse")]
    assert posterior_mse["value"].notna().all() and len(posterior_mse) == 6
    again = run(spec, client, out=tmp_path / "a")
    assert (again.computed, again.skipped) == (0, 9)
    assert again.table.equals(first.table)  # the records are read back, timings included
    # the posterior mean has no exact zero; the selection read off it does
    zeros = first.table[first.table["metric"] == "exact_zeros"].groupby("method")["value"].max()
    assert zeros["posterior"] == 0 and zeros["savs"] > 0


@pytest.mark.slow
def test_one_and_two_workers_give_bit_identical_tables(client, tmp_path):
    spec = _map_and_posterior_spec()
    two = run(spec, client, out=tmp_path / "two")
    one = run(spec, workers=1, out=tmp_path / "one")
    assert two.computed == one.computed == 9
    assert without_timing(two.table).equals(without_timing(one.table))


def test_cv_diabetes_preset_equals_lasso_cv_on_the_same_folds_and_converted_grid(client, tmp_path):
    """cusp's Laplace MAP at scale b on a training fold of n_k rows is scikit-learn's Lasso
    at alpha = sigma^2 / (n_k b): LassoCV on the same folds with the grid converted for each
    fold's n_k gives the same per-fold errors (the folds of the 442 rows have 353 and 354
    training rows, so each fold's column is read from the LassoCV with its own n_k)."""
    from sklearn.linear_model import LassoCV

    from models import load_diabetes

    result = run(preset("cv-diabetes"), client, out=tmp_path / "cv")
    assert result.computed == 10 and result.errors == 0
    table = result.table
    X, y, _ = load_diabetes()
    folds = list(KFold(5).split(X))
    lap = table[(table["prior"] == "laplace") & (table["metric"] == "mse")]
    grid = lap[lap["fold"] == 0].sort_values("scale_index")["scale"].to_numpy()
    assert grid.size == 50 and grid[0] == pytest.approx(1.0 / (np.max(np.abs(X.T @ y)) / 54.0**2), rel=1e-12)
    cusp_loss = lap.pivot(index="scale_index", columns="fold", values="value").to_numpy()
    sk_loss = np.empty_like(cusp_loss)
    for n_train in sorted({train.size for train, _ in folds}):
        alphas = [laplace_scale_to_lasso_alpha(b, sigma=54.0, n=n_train) for b in grid]
        ref = LassoCV(alphas=alphas, cv=KFold(5), tol=1e-14, max_iter=1_000_000).fit(X, y)
        np.testing.assert_allclose(ref.alphas_, alphas, rtol=1e-15)  # descending alphas = ascending scales
        for k, (train, _) in enumerate(folds):
            if train.size == n_train:
                sk_loss[:, k] = ref.mse_path_[:, k]
    np.testing.assert_allclose(cusp_loss, sk_loss, rtol=1e-6)
    cv = cv_summary(table)
    curve = cv[cv["prior"] == "laplace"]
    sk_mean, sk_se = cv_curve(sk_loss)
    np.testing.assert_allclose(curve["mean"].to_numpy(), sk_mean, rtol=1e-6)
    best, one = choose_scale(sk_mean, sk_se)
    assert curve[curve["best"]]["scale"].item() == grid[best]
    assert curve[curve["one_se"]]["scale"].item() == grid[one]
    assert set(cv["prior"]) == {"laplace", "gaussian"}


# --------------------------------------------------------------------------- resuming
def test_interrupted_client_resumes_computing_only_the_missing_cells(client, tmp_path):
    seen = []

    def stop_after_four(cell, record):
        seen.append(cell.hash)
        if len(seen) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(tiny_spec(), client, out=tmp_path / "s", on_cell=stop_after_four)
    assert sorted(os.listdir(tmp_path / "s" / "cells")) == sorted(f"{h}.json" for h in seen)
    resumed = []
    result = run(tiny_spec(), client, out=tmp_path / "s", on_cell=lambda cell, record: resumed.append(cell.hash))
    assert (result.computed, result.skipped) == (8, 4)
    assert sorted(resumed + seen) == sorted(c.hash for c in expand(load_spec(tiny_spec())))
    undisturbed = run(tiny_spec(), client, out=tmp_path / "u")
    assert without_timing(result.table).equals(without_timing(undisturbed.table))


def test_a_failing_cell_is_retried_then_recorded_and_retried_on_the_next_run(client, tmp_path):
    data = tmp_path / "data.csv"
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    lines = ["a,b,c,y"] + [",".join(f"{v:.6f}" for v in row) + f",{row[0] + 0.1 * i:.6f}" for i, row in enumerate(X)]
    data.write_text("\n".join(lines) + "\n")
    spec = {"seeds": 1, "datasets": [{"csv": str(data), "target": "y"}], "priors": [{"family": "laplace"}],
            "scales": {"n": 4}, "cv": {"folds": 3}, "retries": 1}
    checked = load_spec(spec)
    data.write_text("\n".join(lines[:-1]) + "\n")  # changed after the spec was read: every cell refuses it
    result = run(checked, client, out=tmp_path / "s")
    assert result.errors == 3 and result.computed == 3
    errors = result.table[result.table["metric"] == "error"]
    assert len(errors) == 3 and errors["error"].str.contains("changed since the sweep was specified").all()
    data.write_text("\n".join(lines) + "\n")
    fixed = run(checked, client, out=tmp_path / "s")
    assert (fixed.computed, fixed.skipped, fixed.errors) == (3, 0, 0)


# --------------------------------------------------------------------------- the folder and the CLI
def test_a_folder_of_another_sweep_is_refused_unless_force(client, tmp_path):
    small = tiny_spec(seeds=[0], cv={"folds": 2}, priors=[{"family": "laplace"}])
    run(small, client, out=tmp_path / "s")
    other = {**small, "seeds": [1]}
    with pytest.raises(CuspInputError, match="holds the results of another sweep"):
        run(other, client, out=tmp_path / "s")
    replaced = run(other, client, out=tmp_path / "s", force=True)
    assert replaced.computed == 2 and len(os.listdir(tmp_path / "s" / "cells")) == 2
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(CuspInputError, match="holds no cusp sweep"):
        run(small, client, out=tmp_path / "mine", force=True)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_cli_bad_spec_is_one_line_exit_2_before_any_work(tmp_path, capsys):
    from reports.cli import main

    (tmp_path / "s.toml").write_text('seeds = 2\n[[datasets]]\nbuiltin = "diabetes"\n[[priors]]\nfamily = "laplace"\n'
                                     'scale = 3\n')
    assert main(["sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cusp: error: priors[0].scale")
    assert not (tmp_path / "out").exists()
    assert main(["sweep", "--out", str(tmp_path / "out")]) == 2
    assert "SPEC.toml or --preset" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", str(tmp_path / "s.toml"), "--workers", "2", "--scheduler", "tcp://x:1"])
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_cli_runs_on_a_scheduler_address_and_writes_table_and_report(client, tmp_path, capsys):
    from reports.cli import main

    spec = tmp_path / "s.toml"
    spec.write_text('name = "cli"\nseeds = 1\n[[datasets]]\nsynthetic = { n = 40, p = 5, sparsity = 2 }\n'
                    '[[priors]]\nfamily = "laplace"\n[scales]\nn = 4\n[cv]\nfolds = 2\n')
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--scheduler", client.scheduler.address, "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "2 cells: 2 computed, 0 already done, 0 failed" in err
    assert {"results.csv", "results.parquet", "report.html", "sweep.json", "cells"} <= set(os.listdir(out))
    info = json.loads((out / "sweep.json").read_text())
    assert info["name"] == "cli" and len(info["cells"]) == 2


# --------------------------------------------------------------------------- the report
def test_report_page_in_a_browser_shows_hostile_labels_as_text(client, tmp_path):
    from browser_pages import launch, open_page
    from playwright.sync_api import sync_playwright

    from reports.sweep import write_sweep_report

    hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>"
    spec = tiny_spec(seeds=[0], datasets=[{"name": hostile, "synthetic": {"n": 40, "p": 5, "sparsity": 2}}],
                     priors=[{"family": "laplace", "label": f"L {hostile}"}, {"family": "gaussian"}])
    run(spec, client, out=tmp_path / "s")
    page_path = Path(write_sweep_report(tmp_path / "s"))
    html = page_path.read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html
    with sync_playwright() as p:
        browser = launch(p)
        page, errors, requests = open_page(browser, page_path)
        assert not errors
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
        assert len(images) == 4 and all(done and width > 0 and alt for done, width, alt in images), images
        assert page.evaluate("window.__pwned === undefined")
        text = page.inner_text("body")
        assert hostile in text and f"L {hostile}" in text
        assert page.locator("table[data-table=cv-choices] tbody tr").count() == 2
        browser.close()


def test_figures_draw_the_summaries(client, tmp_path):
    import reports.figures.sweep as SF

    table = run(tiny_spec(), client, out=tmp_path / "s").table
    cv = cv_summary(table)
    fig = SF.plot_cv_curves(cv)
    lines = {a.get_gid(): a for a in fig.axes[0].get_lines()}
    curve = cv[(cv["prior"] == "laplace") & (cv["seed"] == 0)]
    np.testing.assert_array_equal(lines["sim:laplace:map"].get_ydata(), curve["mean"].to_numpy())
    assert lines["min:sim:laplace:map"].get_xdata()[0] == curve[curve["best"]]["scale"].item()
    summary = replicate_summary(table)
    zeros = SF.plot_exact_zeros(summary)
    gauss = {a.get_gid(): a for a in zeros.axes[0].get_lines()}["exact_zeros:sim:gaussian:map"]
    assert np.all(gauss.get_ydata() == 0)
    assert len(SF.plot_support_recovery(summary).axes) == 2
    assert len(SF.plot_cell_times(table).axes[0].get_lines()) == 1


def test_synthetic_test_rows_are_drawn_as_the_study_draws_them():
    """The held-out rows of replicate s: numpy's generator seeded with s + 1, standard
    normal rows, Gaussian noise (the study's over-fitting experiment)."""
    _, _, truth = make_sparse_regression(50, 20, 5, sigma=1.0, random_seed=7)
    X, y = make_test_rows(truth, 30, sigma=1.0, random_seed=8)
    rng = np.random.default_rng(8)
    X_ref = rng.standard_normal((30, 20))
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, X_ref @ truth + rng.standard_normal(30))


# --------------------------------------------------------------------------- a worker killed (last: it restarts one)
def test_a_worker_killed_mid_sweep_every_cell_completes_once(client, tmp_path):
    # 12 cells of ~0.15 s: the kill lands while both workers are busy
    spec = {"seeds": 6, "datasets": [{"name": "big", "synthetic": {"n": 1000, "p": 300, "sparsity": 5, "n_test": 100}}],
            "priors": [{"family": "laplace"}, {"family": "gaussian"}], "scales": {"n": 40}}
    n_cells = len(expand(load_spec(spec)))
    undisturbed = run(spec, client, out=tmp_path / "u")
    written = []

    def kill_a_worker(cell, record):
        written.append(cell.hash)
        if len(written) == 2:
            pids = client.run(os.getpid)
            os.kill(sorted(pids.values())[0], signal.SIGKILL)

    result = run(spec, client, out=tmp_path / "k", on_cell=kill_a_worker)
    assert sorted(written) == sorted(set(written)) and len(written) == n_cells  # each cell written exactly once
    assert result.computed == n_cells and result.errors == 0
    assert without_timing(result.table).equals(without_timing(undisturbed.table))
    client.wait_for_workers(2, timeout=60)


# --------------------------------------------------------------------------- slow tier
@pytest.mark.slow
def test_overfitting_preset_reproduces_the_studys_experiment(client, tmp_path):
    """The preset on the study's quick grids, seed 1: every MAP number (test MSE,
    support precision and recall, non-zeros) equals experiments.overfitting's for that seed;
    the posterior means run too (their sampler streams differ from the study's) and have
    no exact zero, nor any draw exactly 0."""
    from reports.study.experiments import overfitting

    spec = preset("overfitting")
    spec["seeds"] = [1]
    quick = {"gaussian": np.logspace(-3, 1, 5), "laplace": np.logspace(-3, 0, 5), "horseshoe": np.logspace(-3, 0, 4)}
    for prior in spec["priors"]:
        prior["scales"] = [float(v) for v in quick[prior["family"]]]
    spec["posterior"].update(draws=200, tune=100)
    table = run(spec, client, out=tmp_path / "o").table
    labels = {"gaussian": "Gaussian", "laplace": "Laplace", "horseshoe": "horseshoe (local mode)"}
    for seed in (1,):
        study = overfitting(quick=True, random_seed=seed)
        assert (study["n"], study["p"], study["k"], study["sigma"]) == (50, 200, 5, 1.0)
        for family, label in labels.items():
            ref = study["families"][label]
            rows = table[(table["prior"] == family) & (table["seed"] == seed) & (table["method"] == "map")]

            def metric(name, column="value"):
                return rows[rows["metric"] == name].sort_values("scale_index")[column].to_numpy()

            np.testing.assert_array_equal(metric("mse", "scale"), ref["scales"])
            np.testing.assert_allclose(metric("mse"), ref["test_mse"], rtol=1e-10)
            np.testing.assert_array_equal(200 - metric("exact_zeros"), ref["n_nonzero"])
            np.testing.assert_allclose(metric("precision"), ref["precision"], equal_nan=True)
            np.testing.assert_allclose(metric("recall"), ref["recall"])
    posterior = table[table["method"] == "posterior"]
    assert set(posterior["prior"]) == {"laplace", "horseshoe"}
    assert posterior[posterior["metric"] == "exact_zeros"]["value"].max() == 0
    assert posterior[posterior["metric"] == "zero_draws"]["value"].max() == 0


@pytest.mark.slow
def test_cli_sigint_mid_sweep_keeps_finished_cells_and_the_rerun_computes_the_rest(tmp_path):
    import subprocess
    import sys
    import time

    spec = tmp_path / "s.toml"
    spec.write_text('seeds = 10\n[[datasets]]\nname = "big"\nsynthetic = { n = 1000, p = 300, sparsity = 5, n_test = 100 }\n'
                    '[[priors]]\nfamily = "laplace"\n[[priors]]\nfamily = "gaussian"\n[scales]\nn = 40\n')
    out = tmp_path / "out"
    command = [sys.executable, "-m", "reports", "sweep", str(spec), "--out", str(out), "--workers", "2", "--no-progress"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "cells").glob("*.json"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    kept = len(list((out / "cells").glob("*.json")))
    assert 3 <= kept < 20 and f"{kept} finished cells are kept" in err
    assert not (out / "results.csv").exists()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"20 cells: {20 - kept} computed, {kept} already done, 0 failed" in done.stderr
