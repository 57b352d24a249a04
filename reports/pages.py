"""What every HTML page shares: the autoescaped Jinja2 environment of
``reports/templates``, figures as inline images, and writing a page into a folder.

>>> environment().autoescape("run.html.j2")
True
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re

import jinja2

from models.io import write_text_atomically
from priors import CuspInputError

from reports.figures.map_and_posterior import figure_to_png_data_uri

__all__ = ["FIGURE_DPI", "FIGURE_FORMATS", "collecting_figures", "environment", "figure_file_name", "image", "target",
           "write_page"]

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


#: While :func:`collecting_figures` is active, every figure a page shows is also saved here.
_FIGURE_SINK = contextvars.ContextVar("cusp_figure_sink", default=None)
FIGURE_FORMATS = ("svg", "pdf", "png")


def image(fig, alt) -> dict:
    """A figure as the template's image: PNG ``data:`` URI, alt text and CSS width (and,
    inside :func:`collecting_figures`, the figure saved as its own file)."""
    sink = _FIGURE_SINK.get()
    if sink is not None:
        sink(fig, alt)
    width = round(fig.get_figwidth() * _CSS_PX_PER_INCH)
    return {"src": figure_to_png_data_uri(fig, dpi=FIGURE_DPI), "alt": alt, "width": width}


def figure_file_name(index, alt, fmt) -> str:
    """``NN-words-of-the-alt-text.fmt``: the figure's place on the page, then what it shows."""
    slug = re.sub(r"[^a-z0-9]+", "-", alt.lower()).strip("-")[:60].rstrip("-") or "figure"
    return f"{index:02d}-{slug}.{fmt}"


@contextlib.contextmanager
def collecting_figures(folder, fmt):
    """Save every figure rendered inside the block into ``folder`` as ``fmt`` (svg, pdf:
    vector; png at the pages' resolution); yields the list of file names, in page order."""
    if fmt not in FIGURE_FORMATS:
        raise CuspInputError(f"figure format must be one of {', '.join(FIGURE_FORMATS)}, got {fmt!r}")
    names = []

    def save(fig, alt):
        name = figure_file_name(len(names) + 1, alt, fmt)
        fig.savefig(os.path.join(folder, name), format=fmt, dpi=FIGURE_DPI, metadata=_FIGURE_METADATA[fmt])
        names.append(name)

    token = _FIGURE_SINK.set(save)
    try:
        yield names
    finally:
        _FIGURE_SINK.reset(token)


# no software version or date inside the files: the same results give the same bytes
_FIGURE_METADATA = {"svg": {"Date": None, "Creator": None}, "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
                    "png": {"Software": None}}


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
