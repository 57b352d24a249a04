"""The demo's report in a real browser: Debian's Chromium, headless, opened from disk.

No console errors, every image decodes, headings and tables are there, no request
leaves the file, and a hostile feature name or title is shown as text, never run.
"""

import os

import pytest

from browser_pages import open_page


# the demo_folder fixture (conftest.py) is shared with test_explorer.py: one xdist group
pytestmark = pytest.mark.xdist_group("demo")


_open = open_page


def _images(page):
    return page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt])")


def test_demo_index_links_a_working_report(demo_folder, browser):
    page, errors, requests = _open(browser, demo_folder / "index.html")
    links = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
    assert "diabetes/index.html" in links and "study/index.html" in links and "explore.html" in links
    assert not errors
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    page.close()


def test_demo_explorer_opens_and_answers_the_slider(demo_folder, browser):
    """The demo's explorer (tiny sampling: one chain, so no r_hat) runs without an error
    and its zero count follows the slider (the full checks are in test_explorer.py)."""
    page, errors, requests = _open(browser, demo_folder / "explore.html")
    page.wait_for_selector("body[data-ready=true]")
    page.select_option("#prior", "laplace")
    page.focus("#scale")
    page.keyboard.press("Home")
    assert page.get_attribute("#n-zeros", "data-value") == "10"  # below the all-zero scale
    page.keyboard.press("End")
    assert int(page.get_attribute("#n-zeros", "data-value")) < 10
    assert "r_hat not available (one chain)" in page.text_content("#posterior-note")
    assert not errors, errors
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    page.close()


def test_report_renders_offline_with_images_headings_and_tables(demo_folder, browser):
    page, errors, requests = _open(browser, demo_folder / "diabetes" / "index.html")
    assert not errors, errors
    assert all(u.startswith(("file:", "data:")) for u in requests), [u for u in requests if not u.startswith("file:")]
    images = _images(page)
    assert len(images) >= 5
    assert all(done and w > 0 and h > 0 and alt for done, w, h, alt in images), images
    assert page.locator("h1").count() == 1
    assert page.locator("h2").count() >= 3
    assert page.locator("table").count() >= 4
    text = page.inner_text("body")
    for prior in ("laplace", "gaussian", "horseshoe"):
        assert prior in text.lower()
    # the decisions section: a table per fit, its details open from the keyboard, the LOO table
    assert page.locator("#decisions table[data-table=decisions]").count() == 3
    assert page.locator("#decisions table[data-table=loo] tbody tr").count() == 3
    first = page.locator("#decisions details summary").first
    first.focus()
    page.keyboard.press("Enter")
    assert page.locator("#decisions details").first.evaluate("d => d.open")
    assert page.locator("#decisions details").first.locator("li").count() == 10
    os.makedirs("/tmp/cusp-screens", exist_ok=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.screenshot(path="/tmp/cusp-screens/diabetes.png", full_page=True)
    page.close()


def test_study_renders_offline(demo_folder, browser):
    page, errors, requests = _open(browser, demo_folder / "study" / "index.html")
    assert not errors, errors
    assert all(u.startswith(("file:", "data:")) for u in requests)
    images = _images(page)
    assert len(images) == 8 and all(done and w > 0 and h > 0 and alt for done, w, h, alt in images), images
    assert page.locator("h2").count() >= 8
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.screenshot(path="/tmp/cusp-screens/study.png", full_page=True)
    page.close()


def test_hostile_names_are_shown_not_run(browser, tmp_path):
    from models import Model, load_diabetes
    from models.runs import RunResult
    from priors import laplace
    from reports.html import write_report

    X, y, names = load_diabetes()
    hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>"
    names = [hostile] + names[1:4]
    fit = Model("gaussian", laplace(1.0), sigma=54.0).fit(X[:, :4], y, feature_names=names, draws=40, tune=40,
                                                          chains=1, random_seed=0)
    fit.select("dss")
    run = RunResult("hostile", f"Title {hostile}", f"Description {hostile}", {"laplace": fit})
    write_report(run, tmp_path)
    page, errors, requests = _open(browser, tmp_path / "index.html")
    assert page.evaluate("window.__pwned === undefined")
    assert hostile in page.inner_text("body")  # shown as text
    assert hostile in page.inner_text("#decisions")  # in the decisions table too
    assert all(u.startswith(("file:", "data:")) for u in requests)
    page.close()
