"""The explorer (``cusp explore``) in a real browser: Debian's Chromium, headless, from disk.

Every control is moved (mouse and keyboard) and what the page shows is checked against
cusp's Python computed independently here: the exact MAP's zero count at the scale the
page says it shows, the proximal maps and exact normal-means posteriors, the geometry's
closed forms and a brute-force search along the line of solutions.
"""

import json
import math
import os

import numpy as np
import pytest
from scipy import integrate
from scipy.special import ndtr

from models import Model, gaussian_scale_for_density, load_diabetes
from models.data import DIABETES_SIGMA
from models.explorer import EXPLORER_PRIORS, N_SCALES
from models.posterior.exact import (gaussian_posterior, horseshoe_posterior_mean_median, horseshoe_posterior_moments,
                                    laplace_posterior)
from priors import gaussian, horseshoe, laplace
from reports.explorer import script_json


# the demo's explorer page (the demo_folder fixture of conftest.py, built once for this
# module and test_browser.py: one xdist group)
pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def diabetes_page(demo_folder):
    """``(path, data)``: the demo's explorer page and the data embedded in it."""
    path = demo_folder / "explore.html"
    html = path.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="cusp-data">') + len('<script type="application/json" id="cusp-data">')
    return path, json.loads(html[start:html.index("</script>", start)])


class Page:
    """An opened page that records console messages, page errors and requests."""

    def __init__(self, browser, path):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.errors, self.requests = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]", timeout=15_000)

    def value(self, selector, attribute="data-value"):
        return self.page.get_attribute(selector, attribute)

    def number(self, selector, attribute="data-value"):
        return float(self.value(selector, attribute))

    def keys(self, selector, *keys):
        self.page.focus(selector)
        for key in keys:
            self.page.keyboard.press(key)

    def click_fraction(self, selector, fraction):
        """Click a range input at ``fraction`` of its width (the mouse)."""
        box = self.page.locator(selector).bounding_box()
        self.page.mouse.click(box["x"] + 8 + fraction * (box["width"] - 16), box["y"] + box["height"] / 2)

    def close(self):
        assert self.errors == [], self.errors
        assert all(url.startswith(("file:", "data:")) for url in self.requests), self.requests
        self.page.close()


@pytest.fixture()
def page(browser, diabetes_page):
    opened = Page(browser, diabetes_page[0])
    yield opened
    opened.close()


def _positions(page, slider):
    """Move ``slider`` with the keyboard (Home, arrows, End) and the mouse; yield after each move."""
    page.keys(slider, "Home")
    yield "Home"
    page.keys(slider, *["ArrowRight"] * 37)
    yield "37 x ArrowRight"
    page.keys(slider, "PageUp")
    yield "PageUp"
    for fraction in (0.2, 0.55, 0.83):
        page.click_fraction(slider, fraction)
        yield f"click at {fraction}"
    page.keys(slider, "End")
    yield "End"


@pytest.mark.parametrize("key", list(EXPLORER_PRIORS))
def test_zero_count_at_each_scale_is_the_exact_maps(page, diabetes_page, key):
    X, y, names = load_diabetes()
    panel = next(p for p in diabetes_page[1]["priors"] if p["key"] == key)
    assert len(panel["scales"]) == N_SCALES >= 200
    page.page.select_option("#prior", key)
    factory = EXPLORER_PRIORS[key][1]
    seen = set()
    for move in _positions(page, "#scale"):
        scale = page.number("#scale-value")
        index = int(page.value("#scale-value", "data-index"))
        slider = float(page.page.input_value("#scale"))
        assert math.isclose(10.0 ** slider, scale, rel_tol=1e-9), (move, slider, scale)
        result = Model("gaussian", factory(scale), sigma=DIABETES_SIGMA).map(X, y)
        assert int(page.value("#n-zeros")) == result.n_zeros, (key, move, scale)
        assert page.number("#objective") == pytest.approx(result.objective, rel=1e-8, abs=1e-8)
        zero_rows = page.page.locator("#coef-table tbody tr.zero").count()
        assert zero_rows == result.n_zeros
        seen.add(index)
    assert len(seen) >= 6 and 0 in seen and N_SCALES - 1 in seen


def test_keyboard_selects_the_prior_and_the_scale_keeps_its_place(page):
    page.page.select_option("#prior", "laplace")
    page.keys("#scale", "End")
    assert int(page.value("#scale-value", "data-index")) == N_SCALES - 1
    page.keys("#prior", "ArrowDown")  # Laplace -> Gaussian
    assert page.page.input_value("#prior") == "gaussian"
    assert int(page.value("#scale-value", "data-index")) == N_SCALES - 1
    assert int(page.value("#n-zeros")) == 0  # a smooth prior: no exact zeros
    assert "s = " in page.page.text_content("#scale-value")


def test_posterior_summaries_are_the_nearest_sampled_scales(page, diabetes_page):
    panel = next(p for p in diabetes_page[1]["priors"] if p["key"] == "laplace")
    post = panel["posterior"]
    page.page.select_option("#prior", "laplace")
    page.keys("#scale", "Home", *["ArrowRight"] * (post["index"][1] + 3))
    note = page.page.text_content("#posterior-note")
    assert f"b = {panel['scales'][post['index'][1]]:.5g}" in note, note
    cells = page.page.locator("#coef-table tbody tr").nth(2).locator("td")
    assert float(cells.nth(5).text_content()) == pytest.approx(post["mean"][1][2], rel=1e-3)
    page.page.select_option("#prior", "bridge")
    assert "not sampled" in page.page.text_content("#posterior-note")


def test_concentration_never_gives_a_gaussian_zero(page, diabetes_page):
    X, y, names = load_diabetes()
    conc = diabetes_page[1]["concentration"]
    lap = Model("gaussian", laplace(conc["laplace_b"]), sigma=DIABETES_SIGMA).map(X, y)
    smallest = []
    for move in _positions(page, "#concentration"):
        k = int(page.value("#concentration-value", "data-index"))
        factor = 10.0 ** float(page.page.input_value("#concentration"))
        scale = gaussian_scale_for_density(factor * laplace(conc["laplace_b"]).density_at_zero)
        gmap = Model("gaussian", gaussian(scale), sigma=DIABETES_SIGMA).map(X, y)
        assert int(page.value("#gauss-n-zeros")) == gmap.n_zeros == 0, move
        assert page.number("#gauss-min-abs") == pytest.approx(np.min(np.abs(gmap.coef)), rel=1e-6), move
        assert int(page.value("#laplace-n-zeros")) == lap.n_zeros > 0
        smallest.append((k, page.number("#gauss-min-abs")))
    ordered = [v for _, v in sorted(set(smallest))]
    assert all(a > b for a, b in zip(ordered, ordered[1:]))  # more concentration, smaller, never 0
    assert 0 < ordered[-1] < 1e-6 * ordered[0]  # 10^4 x the density at 0: ~1e-8 of the smallest at 1x, still not 0


def _horseshoe_cdf(m, y, tau):
    """P(w <= m | y) under the horseshoe, by adaptive quadrature over t = log lambda."""
    def dens(t):
        v = 1.0 + math.exp(2 * t) * tau**2
        return math.exp(-0.5 * y * y / v) / math.sqrt(v) / math.cosh(t)

    def cdf(t):
        q = math.exp(2 * t) * tau**2 / (1.0 + math.exp(2 * t) * tau**2)
        return dens(t) * ndtr((m - q * y) / math.sqrt(q)) if q > 0 else dens(t) * (m >= 0)

    opts = dict(limit=500, epsabs=0.0, epsrel=1e-12, points=[0.0, math.log(1.0 / tau)])
    return integrate.quad(cdf, -60, 60, **opts)[0] / integrate.quad(dens, -60, 60, **opts)[0]


def test_normal_means_values_equal_the_closed_forms(page):
    checked = 0
    for y_keys, b_keys in [(["Home"], ["Home"]), (["End"], ["End"]), (["Home"] + ["ArrowRight"] * 58, ["Home"] + ["ArrowRight"] * 10),
                           (["Home"] + ["ArrowRight"] * 44, ["Home"] + ["ArrowRight"] * 16), (["Home"] + ["ArrowRight"] * 50, [])]:
        page.keys("#nm-y", *y_keys)
        if b_keys:
            page.keys("#nm-b", *b_keys)
        yv, b = page.number("#nm-y-value"), page.number("#nm-b-value")
        want = {
            "laplace": (math.copysign(max(abs(yv) - 1.0 / b, 0.0), yv), laplace_posterior(yv, sigma=1.0, b=b)),
            "gaussian": (yv / (1.0 + 1.0 / (2.0 * b * b)), gaussian_posterior(yv, sigma=1.0, s=math.sqrt(2.0) * b)),
        }
        for key, (prox, post) in want.items():
            assert page.number(f"#nm-{key}-map") == pytest.approx(prox, rel=1e-12, abs=1e-15)
            assert page.number(f"#nm-{key}-mean") == pytest.approx(post.mean, rel=1e-9, abs=1e-12)
            assert page.number(f"#nm-{key}-median") == pytest.approx(post.median, rel=1e-9, abs=1e-12)
        assert page.number("#nm-horseshoe-map") == horseshoe(b).prox_local(yv, 1.0)
        assert page.number("#nm-horseshoe-mean") == pytest.approx(horseshoe_posterior_moments(yv, sigma=1.0, tau=b).mean,
                                                                  rel=1e-9, abs=1e-12)
        median = page.number("#nm-horseshoe-median")
        if yv != 0:
            assert _horseshoe_cdf(median, yv, b) == pytest.approx(0.5, abs=1e-9)
            assert 0 < median / yv < 1  # shrunk towards 0, never to it
        # inside the dead zone (|y| <= 1/b) the Laplace MAP is exactly 0, and only there
        assert (page.number("#nm-laplace-map") == 0.0) == (abs(yv) <= 1.0 / b)
        checked += 1
    page.click_fraction("#nm-y", 0.9)
    assert page.number("#nm-y-value") == pytest.approx(4.0, abs=0.35)
    assert checked == 5


def _touch_by_search(x, yobs, p):
    """The smallest Lp norm of (a, c) on the line c = y - a x, by a dense search along it."""
    a = np.unique(np.concatenate([np.linspace(-2 * abs(yobs / x) - 1, 2 * abs(yobs / x) + 1, 400_001), [0.0, yobs / x]]))
    c = yobs - x * a
    norm = (np.abs(a) ** p + np.abs(c) ** p) ** (1.0 / p)
    best = norm.min()
    ties = a[norm <= best * (1 + 1e-12)]
    return best, ties.min(), ties.max()


def _geometry(page):
    out = {}
    for ball in ("l1", "l2", "l05"):
        out[ball] = (page.value(f"#geo-{ball}", "data-kind"), page.number(f"#geo-{ball}", "data-a"),
                     page.number(f"#geo-{ball}", "data-c"), page.number(f"#geo-{ball}-norm"))
    return out


def test_geometry_touching_points_are_the_closed_forms(page):
    page.page.click("#geo-example-0")  # (10, 5): the L1 ball touches at the corner (0.5, 0)
    g = _geometry(page)
    assert g["l1"][:3] == ("corner", 0.5, 0.0)
    assert g["l2"][1:3] == pytest.approx((50 / 101, 5 / 101), rel=1e-12)
    assert g["l05"][:3] == ("corner", 0.5, 0.0)
    page.page.click("#geo-example-1")  # (1, 1000): the line is parallel to a face: a segment of solutions
    assert page.value("#geo-l1", "data-kind") == "face"
    assert page.value("#geo-l1", "data-points") == "[[0,1000],[1000,0]]"
    assert page.value("#geo-l05", "data-kind") == "two corners"
    for x, yobs in [(0.3, -2.0), (-3.0, 7.0), (1.7, 0.4)]:
        page.page.fill("#geo-x", str(x))  # typed with the keyboard
        page.page.fill("#geo-y", str(yobs))
        g = _geometry(page)
        for ball, p in (("l1", 1.0), ("l2", 2.0), ("l05", 0.5)):
            best, a_min, a_max = _touch_by_search(x, yobs, p)
            assert g[ball][3] == pytest.approx(best, rel=1e-9)
            assert a_min - 1e-4 <= g[ball][1] <= a_max + 1e-4
            assert g[ball][2] == pytest.approx(yobs - x * g[ball][1], abs=1e-12)


def test_dragging_the_point_moves_the_fit(page):
    page.page.locator("#geo-data").scroll_into_view_if_needed()
    box = page.page.locator("#geo-point").bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.page.mouse.move(*start)
    page.page.mouse.down()
    page.page.mouse.move(start[0] - 150, start[1] + 60, steps=5)
    page.page.mouse.up()
    x, yobs = float(page.page.input_value("#geo-x")), float(page.page.input_value("#geo-y"))
    assert x < 10 and yobs < 5 and (x, yobs) != (10.0, 5.0)
    best, _, _ = _touch_by_search(x, yobs, 1.0)
    assert page.number("#geo-l1-norm") == pytest.approx(best, rel=1e-9)


def test_page_is_small_and_self_contained(diabetes_page):
    path, _ = diabetes_page
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 3_000_000
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html


def test_script_json_round_trips_and_never_closes_the_tag():
    import json

    text = json.dumps({"k": ["</script>", "<!--", "&amp;", "\u2028\u2029", "]]>"]})
    safe = script_json(text)
    assert "<" not in safe and ">" not in safe and "&" not in safe and "\u2028" not in safe
    assert json.loads(safe) == json.loads(text)


def test_horseshoe_mean_and_median_against_adaptive_quadrature():
    ys = np.array([-4.2, -0.7, 0.0, 0.3, 1.9, 7.5])
    for tau in (0.05, 1.0, 12.0):
        got = horseshoe_posterior_mean_median(ys, sigma=1.0, tau=tau)
        np.testing.assert_allclose(got.mean, horseshoe_posterior_moments(ys, sigma=1.0, tau=tau).mean, rtol=1e-10, atol=1e-14)
        for yv, med in zip(ys, got.median):
            if yv == 0:
                assert med == 0.0
            else:
                assert _horseshoe_cdf(med, yv, tau) == pytest.approx(0.5, abs=1e-10)
        assert np.array_equal(got.median, -horseshoe_posterior_mean_median(-ys, sigma=1.0, tau=tau).median)


def _cusp_inline(*argv, cwd):
    """``cusp argv`` run in this process from folder ``cwd``: ``(exit code, stderr)``."""
    import contextlib
    import io

    from reports.cli import main

    err, old = io.StringIO(), os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stderr(err):
            code = main(list(argv))
    finally:
        os.chdir(old)
    return code, err.getvalue()


@pytest.mark.parametrize("argv, message", [
    (["--target", "y"], "--target names a column of --data"),
    (["--data", "missing.csv", "--target", "y"], "missing.csv"),
    (["--data", "d.csv"], "--data needs --target"),
    (["--data", "d.csv", "--target", "nope"], "target column 'nope' is not in"),
    (["-o", "exists.html"], "exists.html already exists"),
    (["-o", "folder"], "is a folder"),
    (["--data", "d.csv", "--target", "y", "-o", "d.csv", "--force"], "would overwrite the --data file"),
    (["--data", "short.csv", "--target", "y"], "give it with --sigma"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, argv, message):
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,3\n2,1,4\n3,5,2\n4,4,8\n", encoding="utf-8")
    (tmp_path / "short.csv").write_text("a,b,y\n1,2,3\n2,1,4\n3,5,2\n", encoding="utf-8")  # n = 3 <= p + 1
    (tmp_path / "exists.html").write_text("mine", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    before = sorted(os.listdir(tmp_path))
    code, err = _cusp_inline("explore", *argv, cwd=tmp_path)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and message in lines[0], err
    assert sorted(os.listdir(tmp_path)) == before
    assert (tmp_path / "exists.html").read_text(encoding="utf-8") == "mine"


def test_cli_on_a_csv_with_hostile_names_writes_a_page_that_shows_them_as_text(browser, tmp_path):
    hostile = ["<img src=x onerror=window.__pwned=1>", "</script><script>window.__pwned=2</script>", "a&b<!--"]
    rng = np.random.default_rng(2)
    X = rng.standard_normal((60, 3))
    y = X @ np.array([1.5, 0.0, -2.0]) + rng.standard_normal(60)
    rows = [",".join(hostile + ["target"])] + [",".join(f"{v:.6f}" for v in (*xi, yi)) for xi, yi in zip(X, y)]
    (tmp_path / "<b>mine<i>.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    argv = ["explore", "--data", "<b>mine<i>.csv", "--target", "target", "-o", "page.html", "--draws", "30"]
    code, err = _cusp_inline(*argv, cwd=tmp_path)
    assert code == 0, err
    opened = Page(browser, tmp_path / "page.html")
    assert opened.page.evaluate("window.__pwned") is None
    assert opened.page.locator("#coef-table tbody tr td:first-child").all_text_contents() == hostile
    assert opened.page.text_content("#dataset-label") == "<b>mine<i>.csv"
    assert "least squares" in opened.page.text_content(".lead")
    opened.close()
    code, err = _cusp_inline(*argv, cwd=tmp_path)
    assert code == 2 and "already exists" in err
