"""Opening cusp's pages in Debian's Chromium, headless (shared by the browser tests).

The pages must load from disk with no console error and no request leaving the file."""

import os

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def launch(playwright):
    """A headless Chromium (Debian's; .ci/run installs it with apt-get)."""
    assert os.path.exists(CHROMIUM), "Debian's chromium is required (.ci/run installs it with apt-get)"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def open_page(browser, path):
    """Load ``path`` and return (page, console errors, URLs requested)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests
