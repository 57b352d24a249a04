"""HTML reports: the page shows the results' numbers, is self-contained, and is safe.

One small run (5 features, 3 priors, few draws) is sampled once per session and rendered
once; the tests read the page back with the standard library's HTML parser.
"""

import base64
import functools
import math
import os
import re
import struct
from html.parser import HTMLParser

import numpy as np
import pytest

from models import FitResult, Model, make_sparse_regression
from models.runs import RunResult
from priors import CuspInputError, gaussian, laplace, spike_and_slab
from reports.figures import map_and_posterior as F
from reports import cells as C
from reports import html as H
from reports import pages as P
from reports.html import PATH_FACTORS, render_index, render_run, write_index, write_report

NAMES = ["alpha", "beta", "gamma", "delta", "epsilon"]
XSS = "<script>alert(1)</script>"
SIGMA = 1.0


@functools.lru_cache(maxsize=None)
def small_data():
    X, y, _ = make_sparse_regression(n=40, p=5, k=2, random_seed=0)
    return X, y


@functools.lru_cache(maxsize=None)
def small_run():
    """Laplace (2 exact zeros at the MAP), a narrow Gaussian (none), spike-and-slab (no MAP)."""
    X, y = small_data()
    kw = dict(feature_names=NAMES, draws=100, tune=100, chains=2, random_seed=1, path_factors=PATH_FACTORS)
    fits = {
        "laplace": Model("gaussian", laplace(0.2), sigma=SIGMA).fit(X, y, **kw),
        "gaussian": Model("gaussian", gaussian(0.1), sigma=SIGMA).fit(X, y, **kw),
        "spike_and_slab": Model("gaussian", spike_and_slab(2.0), sigma=SIGMA).fit(X, y, **kw),
    }
    return RunResult("small", "Small sparse regression", "Five features, two of them non-zero.", fits)


# --------------------------------------------------------------------------- parsing
class Page(HTMLParser):
    """Start tags with their attributes, result cells, and the text of marked sections.

    ``cells[(table, fit, feature, key)]`` lists ``(text, data-value)`` of every element
    with a ``data-key`` in document order; ``table`` is the enclosing table's
    ``data-table``, ``fit`` the nearest ``data-fit`` (table, row or section).
    """

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs dict)
        self.cells = {}
        self.texts = {}  # data-section -> its text, whitespace collapsed
        self._table, self._row, self._section, self._cell = {}, {}, {}, None
        self._buf = []
        self._open = []  # [name, tag, depth, pieces] of data-section elements being read
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self._table = a
        elif tag == "tr":
            self._row = a
        elif tag == "section":
            self._section = a
        if "data-key" in a:
            self._cell = (tag, a)
            self._buf = []
        for s in self._open:
            if s[1] == tag:
                s[2] += 1
        if "data-section" in a:
            self._open.append([a["data-section"], tag, 1, []])

    def handle_endtag(self, tag):
        if self._cell is not None and tag == self._cell[0]:
            a = self._cell[1]
            fit = self._table.get("data-fit") or self._row.get("data-fit") or self._section.get("data-fit")
            key = (self._table.get("data-table"), fit, self._row.get("data-feature"), a["data-key"])
            self.cells.setdefault(key, []).append(("".join(self._buf).strip(), a.get("data-value")))
            self._cell = None
        if tag == "table":
            self._table, self._row = {}, {}
        elif tag == "section":
            self._section = {}
        for s in list(self._open):
            if s[1] == tag:
                s[2] -= 1
                if s[2] == 0:
                    self.texts[s[0]] = " ".join("".join(s[3]).split())
                    self._open.remove(s)

    def handle_data(self, data):
        if self._cell is not None:
            self._buf.append(data)
        for s in self._open:
            s[3].append(data)

    def cell(self, table, fit, feature, key):
        (found,) = self.cells[(table, fit, feature, key)]
        return found

    def value(self, table, fit, feature, key):
        return float(self.cell(table, fit, feature, key)[1])

    def column(self, table, key):
        return [float(v) for _, v in self.cells[(table, None, None, key)]]


@pytest.fixture(scope="module")
def run():
    return small_run()


@pytest.fixture(scope="module")
def text(run):
    return render_run(run)


@pytest.fixture(scope="module")
def page(text):
    return Page(text)


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


# --------------------------------------------------------------------------- numbers
def test_map_table_is_the_map_with_its_certificate(run, page):
    for label, fit in run.fits.items():
        if fit.map is None:
            assert not any(k[0] == "map" and k[1] == label for k in page.cells)
            continue
        for r in fit.map.rows():
            f = r["feature"]
            text, value = page.cell("map", label, f, "map")
            assert float(value) == r["coef"]
            if r["is_zero"]:
                assert text == "0 (exact)" and value == "0.0"
                assert page.value("map", label, f, "margin") == r["margin"]
            else:
                assert text == f"{r['coef']:.4g}"
            assert page.value("map", label, f, "abs_slope") == abs(r["slope_at_solution"])
            assert page.value("map", label, f, "threshold") == r["threshold"]
    # the narrow Gaussian: small numbers, never "0 (exact)"
    assert not [k for k, v in page.cells.items() if k[:2] == ("map", "gaussian") and v[0][0] == "0 (exact)"]


def test_posterior_table_is_the_zero_statistics(run, page):
    keys = ["mean", "median", "hdi_low", "hdi_high", "p_positive", "p_near_zero", "n_exact_zero", "p_exact_zero"]
    for label, fit in run.fits.items():
        for r in fit.zero_statistics():
            for key in keys:
                text, value = page.cell("posterior", label, r["feature"], key)
                assert same(float(value), float(r[key])), (label, r["feature"], key)
                if key not in ("n_exact_zero",) and r[key] != 0:
                    assert text == f"{r[key]:.4g}"  # 4 significant digits everywhere
        eps = fit.zero_statistics()[0]["eps"]
        assert page.value(None, label, None, "eps") == eps


def test_diagnostics_table_is_rhat_and_ess(run, page):
    for label, fit in run.fits.items():
        per = F.coefficient_diagnostics(fit)
        for j, f in enumerate(fit.feature_names):
            for key in ("rhat", "ess_bulk", "ess_tail"):
                assert same(page.value("diagnostics", label, f, key), float(per[key][j]))
        d = fit.diagnostics
        if d.n_divergent is None:  # the Gibbs sampler: no divergences to count
            assert page.cell(None, label, None, "divergences")[0] == d.divergences_text
        else:
            assert page.value(None, label, None, "divergences") == d.n_divergent
        assert same(page.value(None, label, None, "max r_hat"), d.max_rhat)


def test_overview_counts(run, page):
    for label, fit in run.fits.items():
        rows = fit.zero_statistics()
        text, value = page.cell("overview", label, None, "map_zeros")
        if fit.map is None:
            assert text == "no MAP" and value is None
        else:
            assert int(value) == fit.map.n_zeros and text == f"{fit.map.n_zeros} of {len(rows)}"
        assert int(page.cell("overview", label, None, "draws_exact_zero")[1]) == sum(r["n_exact_zero"] for r in rows)
        assert page.value("overview", label, None, "threshold") == fit.prior.zero_threshold


def test_paths_table_is_the_map_path(run, page):
    X, y = small_data()
    labels = {k[3].split(":", 1)[1] for k in page.cells if k[0] == "paths" and k[3].startswith("n_zeros:")}
    assert labels == {"laplace", "gaussian"}  # spike-and-slab has no MAP, so no path
    np.testing.assert_array_equal(page.column("paths", "factor"), PATH_FACTORS)
    for label in labels:
        fit = run.fits[label]
        path = Model("gaussian", fit.prior, sigma=SIGMA).map_path(X, y, fit.prior.scale * PATH_FACTORS)
        np.testing.assert_array_equal(page.column("paths", f"scale:{label}"), path.scales)
        np.testing.assert_array_equal(page.column("paths", f"n_zeros:{label}"), path.n_zeros)
    assert max(page.column("paths", "n_zeros:laplace")) == len(NAMES)
    assert max(page.column("paths", "n_zeros:gaussian")) == 0


# --------------------------------------------------------------------------- narrative
def test_narrative_states_the_zero_counts(run, page):
    story = page.texts["narrative"]
    lap = run.fits["laplace"].map
    zeros = [n for n, w in zip(lap.feature_names, lap.coef) if w == 0]
    assert len(zeros) == 2
    assert f"laplace(scale=0.2): the global MAP has 2 exact zeros of 5 ({', '.join(zeros)})" in story
    assert "certified by |slope at 0| ≤ threshold 1/b = 5" in story
    assert "gaussian(scale=0.1): the global MAP has 0 exact zeros of 5" in story
    assert "smooth at 0" in story
    assert "spike_and_slab(scale=2, weight=0.5): no MAP" in story
    assert "under laplace, gaussian no posterior draw of any coefficient is exactly 0.0" in story
    n0 = sum(r["n_exact_zero"] for r in run.fits["spike_and_slab"].zero_statistics())
    assert n0 > 0
    assert f"{n0} draws are exactly 0.0" in story


def test_spike_and_slab_shows_positive_probability_of_zero(run, page):
    rows = run.fits["spike_and_slab"].zero_statistics()
    shown = {r["feature"]: page.value("posterior", "spike_and_slab", r["feature"], "p_exact_zero") for r in rows}
    assert max(shown.values()) > 0
    assert shown == {r["feature"]: r["p_exact_zero"] for r in rows}
    for label in ("laplace", "gaussian"):  # continuous priors: never an exact-zero draw
        assert all(page.value("posterior", label, f, "n_exact_zero") == 0 for f in NAMES)


def test_warnings_are_shown_first(run, text, page):
    warnings = [(label, w) for label, fit in run.fits.items() for w in fit.diagnostics.warnings]
    if not warnings:
        assert "warnings" not in page.texts
        return
    box = page.texts["warnings"]
    for label, w in warnings:
        assert " ".join(f"{label}: {w}".split()) in box
    assert text.index('id="warnings"') < text.index('id="summary"')


# ~9 s from a cold cache (NUTS on a logistic horseshoe, two chains): the slow tier, which CI runs;
# the warnings' wording and the report's box are tested without sampling in this file
@pytest.mark.slow
def test_real_sampler_faults_reach_the_result_and_the_report():
    """A run that really goes wrong: the non-centred horseshoe on logistic data with a
    deliberately tiny target_accept (huge steps) and short chains.  Divergences, r_hat
    and ESS problems must each be a warning with advice in the result, its summary and
    the report's warnings box, and the overview must flag the fit."""
    from priors import horseshoe

    X, y, _ = make_sparse_regression(60, 8, 2, likelihood="logistic", random_seed=0)
    fit = Model("logistic", horseshoe(0.5)).fit(X, y, draws=60, tune=60, chains=2, target_accept=0.1, random_seed=0)
    d = fit.diagnostics
    assert d.n_divergent > 0 and d.max_rhat > 1.01 and d.min_ess_bulk < 200
    joined = " ".join(d.warnings)
    for fault, advice in (("diverged", "target_accept"), ("r_hat", "more tuning"), ("effective sample size", "draw more")):
        assert fault in joined and advice in joined, fault
    assert all(f"WARNING: {w}" in fit.summary() for w in d.warnings)
    page = Page(render_run(RunResult("faulty", "Faulty run", "A run made to fail.", {"horseshoe": fit})))
    for w in d.warnings:
        assert " ".join(f"horseshoe: {w}".split()) in page.texts["warnings"]
    assert page.value("overview", "horseshoe", None, "sampler") == len(d.warnings)


# --------------------------------------------------------------------------- self-contained
def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_every_image_is_an_inline_png_with_alt_text(run, page):
    imgs = [a for tag, a in page.tags if tag == "img"]
    n_map = sum(f.map is not None for f in run.fits.values())
    # priors + forest + (certificate, coefficients) per MAP + diagnostics per fit + paths
    assert len(imgs) == 2 + 2 * n_map + len(run.fits) + 1
    prefix = "data:image/png;base64,"
    for a in imgs:
        assert a["src"].startswith(prefix)
        w, h = png_size(base64.b64decode(a["src"][len(prefix):], validate=True))
        assert w > 0 and h > 0
        assert len(a.get("alt", "")) > 20


def test_no_external_resources(text, page):
    assert "http://" not in text and "https://" not in text
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "base", "form")
        for name, value in attrs.items():
            if name in ("src", "href", "srcset", "action", "poster", "data", "xlink:href"):
                assert not re.match(r"\s*//", value or ""), (tag, name, value)
                assert not re.match(r"\s*[A-Za-z][A-Za-z0-9+.-]*:", value or "") or value.startswith("data:image/png"), value
            assert not name.startswith("on"), (tag, name)  # no event handlers
    style = text[text.index("<style>"):text.index("</style>")]
    assert "url(" not in style and "@import" not in style


# --------------------------------------------------------------------------- escaping
def renamed(fit, names):
    idata = fit.idata.copy()
    for group in idata.groups():
        ds = getattr(idata, group)
        if "feature" in ds.coords:
            setattr(idata, group, ds.assign_coords(feature=list(names)))
    return FitResult.from_idata(idata)


def test_markup_in_names_and_titles_is_escaped_in_a_written_report(run, tmp_path):
    names = [XSS, *NAMES[1:]]
    evil = RunResult("evil", f"Title {XSS}", f"Description {XSS} & more", {"laplace": renamed(run.fits["laplace"], names)})
    path = write_report(evil, tmp_path, filename="evil.html", paths=False)
    assert path == os.path.join(str(tmp_path), "evil.html")
    text = open(path, encoding="utf-8").read()
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert XSS not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert not [t for t, _ in page.tags if t == "script"]
    # the name survives as text: a table row is keyed by it, decoded by the parser
    assert page.value("map", "laplace", XSS, "map") == run.fits["laplace"].map.coef[0]
    assert "Description &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text
    assert "<title>Title &lt;script&gt;" in text
    assert "paths" not in page.texts  # paths=False


def test_autoescape_is_on_for_every_template():
    env = P.environment()
    names = env.list_templates()
    assert {"base.html.j2", "run.html.j2", "index.html.j2"} <= set(names)
    assert all(env.autoescape(n) for n in names if n.endswith(".j2"))
    macro = env.get_template("_macros.html.j2").module.td
    out = str(macro("k", C.Cell("<b>x</b>", '"><i>')))
    assert "<b>" not in out and "<i>" not in out and "&lt;b&gt;" in out and "&#34;&gt;&lt;i&gt;" in out


def test_number_formatting():
    assert [C.fmt(x) for x in (0.0, 1234.5678, -0.000123456, float("nan"), float("inf"), 7, None)] == [
        "0", "1235", "-0.0001235", "n/a", "∞", "7", "—"]
    assert C.map_cell(0.0).text == "0 (exact)" and C.map_cell(-0.0).text == "0 (exact)"
    assert C.map_cell(1e-9).text == "1e-09"  # tiny is not zero


# --------------------------------------------------------------------------- index
def test_index_page_escapes_and_links():
    text = render_index([("Diabetes <b>", "diabetes/index.html", f"Laplace {XSS}"), ("Prostate", "prostate.html", "")],
                        title="Runs & results")
    page = Page(text)
    assert [a["href"] for t, a in page.tags if t == "a"] == ["diabetes/index.html", "prostate.html"]
    assert XSS not in text and "<b>" not in text and "Runs &amp; results" in text


@pytest.mark.parametrize("link", ["http://example.com/x.html", "https://x", "javascript:alert(1)", "/etc/passwd",
                                  "//evil.example/x", "C:\\x.html", ""])
def test_index_refuses_absolute_links(link):
    with pytest.raises(CuspInputError):
        render_index([("x", link, "y")], title="t")


# --------------------------------------------------------------------------- writing
@pytest.fixture
def fake_render(monkeypatch):
    calls = []

    def fake(run, *, eps=None, paths=True):
        calls.append(run)
        return f"<!DOCTYPE html><title>{len(calls)}</title>"

    monkeypatch.setattr(H, "render_run", fake)
    return calls


def test_write_report_is_atomic_and_refuses_overwrite(tmp_path, fake_render):
    folder = tmp_path / "report"
    path = write_report("run", folder)
    assert path == os.path.join(str(folder), "index.html")
    assert open(path, encoding="utf-8").read().endswith("<title>1</title>")
    assert os.stat(path).st_mode & 0o044 == 0o044  # readable by others, unlike mkstemp's 0600
    with pytest.raises(CuspInputError, match="already exists"):
        write_report("run", folder)
    assert open(path, encoding="utf-8").read().endswith("<title>1</title>")
    assert len(fake_render) == 1  # refused before rendering
    write_report("run", folder, force=True)
    assert open(path, encoding="utf-8").read().endswith("<title>2</title>")
    assert sorted(os.listdir(folder)) == ["index.html"]  # no temporary files left


@pytest.mark.parametrize("name", ["../escape.html", "/tmp/escape.html", "sub/x.html", "..", ".", "", "a\\b.html",
                                  "x/../../escape.html", None])
def test_write_report_never_writes_outside_the_folder(tmp_path, fake_render, name):
    folder = tmp_path / "inner"
    folder.mkdir()
    with pytest.raises(CuspInputError):
        write_report("run", folder, filename=name)
    with pytest.raises(CuspInputError):
        write_index([], folder, title="t", filename=name)
    assert os.listdir(folder) == [] and sorted(os.listdir(tmp_path)) == ["inner"]
    assert not fake_render


def test_write_index(tmp_path):
    index = write_index([("Small", "small.html", "one fit")], tmp_path, title="Reports")
    assert index == os.path.join(str(tmp_path), "index.html")
    assert 'href="small.html"' in open(index, encoding="utf-8").read()
    with pytest.raises(CuspInputError, match="already exists"):
        write_index([], tmp_path, title="Reports")
    write_index([], tmp_path, title="Reports", force=True)
    assert "No reports yet" in open(index, encoding="utf-8").read()


def test_bad_input(run):
    with pytest.raises(CuspInputError):
        render_run("not a run")
    with pytest.raises(CuspInputError):
        render_run(run, eps=-1.0)
    with pytest.raises(CuspInputError):
        render_index("nope", title="t")
