"""The study (reports.study): each experiment's claim asserted on its computed data, and
the study page checked against that data.  Quick mode; the study runs once per module."""

from __future__ import annotations

import base64
import html.parser
import math
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from priors import CuspInputError
from reports.figures import study as SF
from reports.study import run_study
from reports.study.page import render_study, study_numbers, write_study


@pytest.fixture(scope="module")
def study():
    return run_study(quick=True, random_seed=0)


@pytest.fixture(scope="module")
def page(study):
    return render_study(study)


# --------------------------------------------------------------------------- 1. shrinkage
def test_shrinkage_laplace_map_zero_exactly_on_dead_zone(study):
    d = study.shrinkage
    y = d["y"]
    lap = d["map"]["Laplace"]
    dead = np.abs(y) <= d["sigma"] ** 2 / d["b"]
    assert dead.any() and (~dead).any()
    assert np.all(lap[dead] == 0.0)
    assert np.all(lap[~dead] != 0.0)
    # soft thresholding: sign(y) (|y| - sigma^2/b) off the dead zone
    np.testing.assert_allclose(lap[~dead], np.sign(y[~dead]) * (np.abs(y[~dead]) - d["sigma"] ** 2 / d["b"]))


def test_shrinkage_posterior_mean_and_median_never_zero_off_zero(study):
    d = study.shrinkage
    nz = d["y"] != 0
    for label in d["labels"]:
        assert np.all(d["mean"][label][nz] != 0.0), label
        assert np.all(np.sign(d["mean"][label][nz]) == np.sign(d["y"][nz])), label
        assert np.all(d["median"][label][nz] != 0.0), label
    # smooth priors' MAP is 0 only at y = 0
    for label in ("Gaussian", "smoothed Laplace", "Student-t"):
        assert np.array_equal(d["map"][label] == 0.0, ~nz), label


def test_shrinkage_methods_and_probabilities(study):
    d = study.shrinkage
    assert "Hans" in d["method"]["Laplace"] and "exact" in d["method"]["Gaussian"]
    assert "numerical" in d["method"]["Student-t"]
    assert d["horseshoe_grid_mean_error"] < 0.01
    for label in d["labels"]:
        p = d["p_near_zero"][label]
        assert np.all((p > 0) & (p < 1)), label


# --------------------------------------------------------------------------- 2. concentration
@pytest.mark.parametrize("dataset", ["diabetes", "synthetic"])
def test_concentration_smooth_priors_never_zero(study, dataset):
    d = study.concentration["datasets"][dataset]
    smooth = [k for k, f in d["families"].items() if f["smooth"]]
    assert len(smooth) == 3
    for label in smooth:
        f = d["families"][label]
        assert np.all(f["n_zeros"] == 0), label
        assert np.all(f["smallest_abs"] > 0), label
    dens = np.concatenate([d["families"][k]["density"] for k in smooth])
    assert math.log10(dens.max() / dens.min()) >= 4
    # the matched pair: Laplace k > 0 zeros; Gaussian at 100x and 1000x its density: none
    lap, g100, g1000 = d["matched"]
    assert lap["n_zeros"] > 0
    assert g100["n_zeros"] == 0 and g1000["n_zeros"] == 0
    assert g100["density"] == pytest.approx(100 * lap["density"])
    assert g1000["density"] == pytest.approx(1000 * lap["density"])
    # singular priors do give zeros
    assert d["families"]["Laplace"]["n_zeros"].max() > 0
    assert np.all(d["families"]["horseshoe (local mode)"]["n_zeros"] > 0)
    assert np.all(np.isinf(d["families"]["horseshoe (local mode)"]["density"]))


# --------------------------------------------------------------------------- 3. singularity
def test_singularity_jump_only_at_delta_zero(study):
    d = study.singularity
    pos = d["delta"] > 0
    assert d["delta"][pos].max() >= 1 and d["delta"][pos].min() <= 1e-8 and d["delta"][-1] == 0
    assert np.all(d["n_zeros"][pos] == 0)
    assert d["n_zeros"][~pos][0] > 0
    small = d["smallest_abs"][pos]
    order = np.argsort(d["delta"][pos])
    assert np.all(np.diff(small[order]) > 0)  # shrinks with delta
    assert np.all(small > 0)
    # density at zero changes smoothly: the step to delta = 0 is tiny
    assert d["density_change_last_step"] < 1e-6


# --------------------------------------------------------------------------- 4. threshold
def test_threshold_law_zero_set_is_the_band(study):
    d = study.threshold
    assert d["n_zeros"] > 0 and d["n_zeros"] < len(d["feature_names"])
    assert np.array_equal(d["is_zero"], np.abs(d["slope_at_zero"]) <= 1.0 / d["b"])
    # the computed slope equals the solver's certificate slope for the zeros
    np.testing.assert_allclose(d["slope_at_zero"][d["is_zero"]], d["certificate_slope"][d["is_zero"]], rtol=1e-9,
                               atol=1e-12)
    assert d["min_margin_nonzero"] > 0
    assert np.array_equal(d["path_zero"], d["path_inside"])
    assert d["path_zero"].any() and (~d["path_zero"]).any()


# --------------------------------------------------------------------------- 5. geometry
def test_geometry_touching_points(study):
    p1 = study.geometry["points"]["(10, 5)"]
    assert (p1["L1"]["a"], p1["L1"]["c"]) == (0.5, 0.0)
    assert p1["L1"]["unique"]
    assert p1["L0.5"]["a"] == 0.5 and p1["L0.5"]["c"] == 0.0
    a2, c2 = p1["L2_exact"]
    assert p1["L2"]["a"] == pytest.approx(a2, abs=1e-3) and p1["L2"]["c"] == pytest.approx(c2, abs=1e-2)
    assert p1["L2"]["c"] != 0
    p2 = study.geometry["points"]["(1, 1000)"]
    assert not p2["L1"]["unique"]
    assert p2["L1"]["tie_a_min"] == pytest.approx(0.0, abs=0.1)
    assert p2["L1"]["tie_a_max"] == pytest.approx(1000.0, abs=0.1)
    assert p2["L1"]["norm"] == pytest.approx(1000.0)
    reg = study.geometry["regression"]
    assert reg["n_zeros_laplace"] >= 1 and reg["n_zeros_gaussian"] == 0


# --------------------------------------------------------------------------- 6. over-fitting
def test_overfitting_measured(study):
    d = study.overfitting
    assert d["p"] > d["n"]
    g = d["families"]["Gaussian"]
    assert np.all(g["n_nonzero"] == d["p"])  # a Gaussian MAP never drops a feature
    assert np.allclose(g["precision"], d["k"] / d["p"])
    lap = d["families"]["Laplace"]
    assert lap["n_nonzero"].min() < d["p"]
    for label in ("Laplace (posterior mean)", "horseshoe (posterior mean)"):
        f = d["families"][label]
        assert np.all(f["n_nonzero"] == d["p"]), label  # a posterior mean is never exactly 0
        assert np.all(f["min_ess"] > 0), label
    for f in d["families"].values():
        assert np.all(np.isfinite(f["test_mse"]))
        assert f["best_mse"] == f["test_mse"].min()


def test_overfitting_claims_follow_the_numbers(study):
    """The page's sentences comparing posterior means and MAPs are chosen by the data."""
    from reports.study.page import _mean_vs_map_claims, _Say

    d = study.overfitting
    text = "".join(str(x) for x in _mean_vs_map_claims(d, _Say({})))
    fam = d["families"]
    worse = fam["Laplace (posterior mean)"]["best_mse"] > fam["Laplace"]["best_mse"]
    assert ("predicts worse than its own MAP" in text) == worse
    best = fam["horseshoe (posterior mean)"]["best_mse"] <= min(f["best_mse"] for f in fam.values())
    assert ("is the best predictor here" in text) == best


# --------------------------------------------------------------------------- 7. posterior vs MAP
def test_posterior_exact_zero_draws(study):
    d = study.posterior
    assert d["draws"] <= 100 and d["chains"] == 1
    for label, r in d["priors"].items():
        if r["continuous"]:
            assert np.all(r["n_exact_zero"] == 0), label
        else:
            assert r["n_exact_zero"].sum() > 0, label
        assert np.all((r["p_near_zero"] >= 0) & (r["p_near_zero"] <= 1))
    lap = d["priors"]["Laplace"]
    assert lap["map_is_zero"].sum() > 0  # MAP zeros, yet no draw is zero
    assert d["priors"]["Gaussian"]["map_is_zero"].sum() == 0
    assert d["priors"]["spike-and-slab"]["map"] is None


# --------------------------------------------------------------------------- 8. selection
def _decisions(d):
    """(dataset, posterior, method, row) for every applicable decision and the posterior means."""
    for ds, r in d["datasets"].items():
        for label, post in r["posteriors"].items():
            yield ds, label, "mean", post["mean"]
            for method, row in post["methods"].items():
                if row["applicable"]:
                    yield ds, label, method, row


def test_selection_decisions_have_exact_zeros(study):
    d = study.selection
    for ds, label, method, row in _decisions(d):
        coef = row["coef"]
        assert row["n_selected"] == int((coef != 0).sum()), (ds, label, method)
        assert row["n_exact_zero"] == int((coef == 0.0).sum()), (ds, label, method)
        if method == "mean":  # a posterior mean under a continuous prior is never exactly 0
            assert row["n_exact_zero"] == 0, (ds, label)
        else:  # every decision drops something on these data, and what it drops is exactly 0.0
            assert row["n_exact_zero"] > 0 or ds == "diabetes", (ds, label, method)
    for r in d["datasets"].values():
        for post in r["posteriors"].values():
            assert post["n_exact_zero_draws"] == 0 and post["n_draws"] == d["draws"] * d["chains"]
            # the median probability model needs a point mass: refused, with the reason recorded
            mpm = post["methods"]["mpm"]
            assert mpm["applicable"] is False and "point mass" in mpm["reason"]
            assert set(post["methods"]) == {"dss", "savs", "interval", "mpm", "projection"}


def test_selection_scores_recomputed_from_coefficients(study):
    from models import load_diabetes, make_sparse_regression

    d = study.selection
    syn = d["datasets"]["synthetic"]
    X, y, truth = make_sparse_regression(syn["n"], syn["p"], syn["k"], sigma=syn["sigma"], random_seed=study.random_seed)
    assert np.array_equal(truth, syn["truth"])
    rng = np.random.default_rng(study.random_seed + 1)
    X_test = rng.standard_normal((1000, syn["p"]))
    y_test = X_test @ truth + syn["sigma"] * rng.standard_normal(1000)
    Xd, yd, _ = load_diabetes()
    dia = d["datasets"]["diabetes"]
    assert np.intersect1d(dia["train"], dia["test"]).size == 0 and dia["train"].size + dia["test"].size == yd.size
    assert (dia["n"], dia["n_test"]) == (342, 100)
    map_support = dia["map"]["coef"] != 0
    true = truth != 0
    rows = list(_decisions(d)) + [("synthetic", "map", "map", syn["map"]), ("diabetes", "map", "map", dia["map"])]
    for ds, label, method, row in rows:
        coef, c = row["coef"], row["intercept"]
        Xt, yt = (X_test, y_test) if ds == "synthetic" else (Xd[dia["test"]], yd[dia["test"]])
        assert row["test_mse"] == pytest.approx(float(np.mean((yt - Xt @ coef - c) ** 2)), rel=1e-12), (ds, method)
        kept = coef != 0
        if ds == "synthetic":
            tp = int((kept & true).sum())
            assert row["recall"] == tp / int(true.sum()), (label, method)
            if kept.any():
                assert row["precision"] == tp / int(kept.sum()), (label, method)
            else:
                assert math.isnan(row["precision"])
        else:
            assert row["agreement"] == int((kept == map_support).sum()), (label, method)
    # the MAP is the exact Laplace MAP at the recorded scale on the training rows
    assert dia["map"]["b"] == 1.0 and dia["map"]["converged"]
    best = int(np.argmin(syn["map"]["grid_test_mse"]))
    assert syn["map"]["b"] == syn["map"]["grid"][best]


def test_selection_horseshoe_decisions_recover_the_truth(study):
    """Checked over seeds 0-9 in quick mode: under the horseshoe DSS and projection keep
    exactly the 5 true signals; the posterior mean keeps all p."""
    syn = study.selection["datasets"]["synthetic"]
    hs = syn["posteriors"]["horseshoe"]
    for method in ("dss", "projection"):
        assert hs["methods"][method]["recall"] == 1.0, method
        assert hs["methods"][method]["precision"] == 1.0, method
    assert hs["mean"]["n_selected"] == syn["p"]
    # the horseshoe's global scale follows the documented rule
    assert hs["scale"] == pytest.approx(5 / (syn["p"] - 5) * syn["sigma"] / math.sqrt(syn["n"]))


# --------------------------------------------------------------------------- figures
def test_figures(study):
    pairs = [(SF.plot_shrinkage, study.shrinkage, "dead-zone"), (SF.plot_concentration, study.concentration, "matched"),
             (SF.plot_singularity, study.singularity, "n_zeros"), (SF.plot_threshold_law, study.threshold, "band"),
             (SF.plot_geometry, study.geometry, "map:laplace"), (SF.plot_overfitting, study.overfitting, "oracle"),
             (SF.plot_posterior_vs_map, study.posterior, "p_exact:spike-and-slab"),
             (SF.plot_selection, study.selection, "recall:horseshoe")]
    for fn, data, gid in pairs:
        fig = fn(data)
        assert isinstance(fig, Figure)
        gids = {a.get_gid() for ax in fig.axes for a in ax.get_children()}
        assert gid in gids, (fn.__name__, gid)


# --------------------------------------------------------------------------- page
class _Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.hrefs, self.spans = [], [], {}
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        if tag in ("a", "link"):
            self.hrefs.append(a.get("href", ""))
        if tag == "script":
            self.scripts += 1
        if tag == "span" and "data-key" in a:
            self.spans[a["data-key"]] = a.get("data-value")


def test_page_self_contained(page):
    p = _Collect()
    p.feed(page)
    assert p.scripts == 0
    assert len(p.imgs) == 8
    for img in p.imgs:
        src = img["src"]
        assert src.startswith("data:image/png;base64,")
        raw = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
        assert img.get("alt")
    assert all(h.startswith("#") for h in p.hrefs)
    stripped = re.sub(r'src="data:[^"]*"', "", page)
    assert not re.search(r"(https?:|ftp:)//", stripped)
    assert "<h2>1. Shrinkage profiles</h2>" in page
    assert "<h2>8. From the posterior to exact zeros</h2>" in page
    for name in ("Tibshirani", "Park", "Carvalho", "Hans", "Piironen", "Hahn", "Barbieri"):
        assert name in page


def test_page_numbers_equal_data(study, page):
    p = _Collect()
    p.feed(page)
    expected = study_numbers(study)
    assert set(p.spans) == set(expected)
    for key, value in expected.items():
        shown = p.spans[key]
        if isinstance(value, (int, np.integer)):
            assert int(shown) == int(value), key
        else:
            assert float(shown) == float(value), key
    # spot checks against the data itself, independent of study_numbers
    assert int(p.spans["concentration.diabetes.laplace_zeros"]) == study.concentration["datasets"]["diabetes"]["matched"][0]["n_zeros"]
    assert int(p.spans["concentration.diabetes.gauss1000_zeros"]) == 0
    assert int(p.spans["singularity.zeros_at_zero"]) == int(study.singularity["n_zeros"][-1])
    assert int(p.spans["threshold.n_zeros"]) == int(np.sum(study.threshold["coef"] == 0))
    assert float(p.spans["geometry.p1.l1_a"]) == 0.5
    assert int(p.spans["posterior.Laplace.exact_draws"]) == 0
    assert int(p.spans["posterior.spike-and-slab.exact_draws"]) == int(
        study.posterior["priors"]["spike-and-slab"]["n_exact_zero"].sum())
    syn = study.selection["datasets"]["synthetic"]
    assert int(p.spans["selection.synthetic.horseshoe.dss.n_selected"]) == int(
        np.sum(syn["posteriors"]["horseshoe"]["methods"]["dss"]["coef"] != 0))
    assert int(p.spans["selection.synthetic.map.n_selected"]) == int(np.sum(syn["map"]["coef"] != 0))
    assert int(p.spans["selection.diabetes.horseshoe.exact_zero_draws"]) == 0
    # the tables show the same numbers as the data
    for ds in ("synthetic", "diabetes"):
        table = re.search(rf'<table data-table="selection-{ds}">(.*?)</table>', page, re.S).group(1)
        cells = re.findall(r"<td[^>]*?(?:data-value=\"([^\"]*)\")?>([^<]*)</td>", table)
        assert "not applicable" in [text for _, text in cells]
        shown = {float(v) for v, _ in cells if v}
        d = study.selection["datasets"][ds]
        assert float(d["map"]["test_mse"]) in shown
        for post in d["posteriors"].values():
            for row in post["methods"].values():
                if row["applicable"]:
                    assert float(row["test_mse"]) in shown and float(row["n_selected"]) in shown


def test_write_study_refuses_overwrite(study, page, tmp_path, monkeypatch):
    import reports.study.page as SH

    calls = []
    monkeypatch.setattr(SH, "render_study", lambda st, *, quick=False: calls.append(st) or page)
    path = write_study(tmp_path, study=study)
    assert path.endswith("index.html")
    with open(path, encoding="utf-8") as fh:
        assert fh.read().startswith("<!DOCTYPE html>")
    with pytest.raises(CuspInputError):
        write_study(tmp_path, study=study)
    assert write_study(tmp_path, study=study, force=True) == path
    assert len(calls) == 2  # the refusal came before any rendering
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(CuspInputError):
        write_study(not_a_folder, study=study)
