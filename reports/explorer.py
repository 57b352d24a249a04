"""The explorer page: one self-contained HTML file built from an :class:`models.explorer.Exploration`.

Every number the page shows is in its embedded JSON (computed by :func:`models.explorer.explore`);
the page's script only looks values up at the grid point a control selects, except the
one-point fit's geometry, whose closed forms it computes (and says so).  The page loads
nothing: styles and script are inline and a Content-Security-Policy forbids any request.
"""

from __future__ import annotations

import importlib.resources

import markupsafe

from .pages import environment, write_page

__all__ = ["render_explorer", "write_explorer", "script_json"]

_SCRIPT = "explore.js"


def script_json(text: str) -> str:
    """JSON text made safe inside ``<script type="application/json">``: ``<``, ``>`` and
    ``&`` become ``\\u`` escapes (JSON.parse reads them back), so no string in the data
    can close the tag or open a comment; U+2028/2029 too, for old parsers."""
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _script() -> str:
    code = importlib.resources.files("reports").joinpath("templates", _SCRIPT).read_text(encoding="utf-8")
    if "</script" in code.lower() or "<!--" in code:
        raise AssertionError(f"{_SCRIPT} must not contain '</script' or '<!--'")  # pragma: no cover - our own file
    return code


def render_explorer(exploration) -> str:
    """The page's HTML (a string): the data as escaped JSON, the script and styles inline."""
    data = exploration.data
    text = exploration.to_json()  # refuses NaN and inf: the data must be plain JSON
    return environment().get_template("explore.html.j2").render(
        dataset=data["dataset"],
        priors=data["priors"],
        seconds=exploration.seconds,
        data_json=markupsafe.Markup(script_json(text)),
        script=markupsafe.Markup(_script()),
    )


def write_explorer(exploration, folder, filename, *, force=False) -> str:
    """Write the page to ``folder/filename`` atomically; an existing file is replaced only
    with ``force``.  Returns the path."""
    return write_page(render_explorer(exploration), folder, filename, force)
