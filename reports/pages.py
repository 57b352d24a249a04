"""What every HTML page shares: the autoescaped Jinja2 environment of
``reports/templates``, figures as inline images, and writing a page into a folder.

>>> environment().autoescape("run.html.j2")
True
"""

from __future__ import annotations

import functools
import os

import jinja2

from models.io import write_text_atomically
from priors import CuspInputError

from reports.figures.map_and_posterior import figure_to_png_data_uri

__all__ = ["FIGURE_DPI", "environment", "image", "target", "write_page"]

#: Figures are rasterized at this dpi and shown at 96 px per inch (sharp on projectors).
FIGURE_DPI = 144
_CSS_PX_PER_INCH = 96


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates' environment: autoescaping on for every template, undefined names an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def image(fig, alt) -> dict:
    """A figure as the template's image: PNG ``data:`` URI, alt text and CSS width."""
    width = round(fig.get_figwidth() * _CSS_PX_PER_INCH)
    return {"src": figure_to_png_data_uri(fig, dpi=FIGURE_DPI), "alt": alt, "width": width}


def target(folder, filename):
    """``(folder, path)`` for a page ``filename`` in ``folder``; a name that is not a plain
    file name (``/``, ``..``, absolute) or a folder that is a file raise CuspInputError."""
    if not isinstance(filename, str) or not filename or filename in (".", ".."):
        raise CuspInputError(f"filename must be a plain file name such as 'index.html', got {filename!r}")
    seps = {"/", "\\", os.sep} | ({os.altsep} if os.altsep else set())
    if any(s in filename for s in seps) or os.path.isabs(filename) or "\0" in filename or ".." in filename:
        raise CuspInputError(f"filename must be a plain file name inside the folder (no '/', '..' or absolute path), got {filename!r}")
    folder = os.fspath(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise CuspInputError(f"{folder} exists and is not a folder")
    path = os.path.join(folder, filename)
    if os.path.realpath(os.path.dirname(path)) != os.path.realpath(folder):  # pragma: no cover - guarded above
        raise CuspInputError(f"{filename!r} would be written outside {folder}")
    return folder, path


def write_page(text, folder, filename, force) -> str:
    """Write ``text`` to ``folder/filename`` atomically (the folder is created); an
    existing file is replaced only with ``force``.  Returns the path."""
    folder, path = target(folder, filename)
    if os.path.lexists(path) and not force:
        raise CuspInputError(f"{path} already exists; choose another name or allow overwriting (--force)")
    os.makedirs(folder, exist_ok=True)
    write_text_atomically(path, text, overwrite=force, suffix=".html")
    return path
