"""Notebook display (``_repr_html_``): the numbers of the result, every string escaped.

The HTML is parsed (the standard library's parser) and its cells compared with the
result's own numbers; a feature named like markup must come back as that text."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pytest

from models import Model, load_diabetes
from priors import laplace

HOSTILE = '<script>alert("x")</script>&<b>'


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.tags, self._row = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._row is not None and self._row:
            self._row[-1] += data


def _parse(markup):
    cells = _Cells()
    cells.feed(markup)
    return cells


@pytest.fixture(scope="module")
def diabetes_hostile():
    X, y, names = load_diabetes()
    return X, y, [HOSTILE] + list(names[1:])


def test_map_result_table_is_the_certificate_with_names_escaped(diabetes_hostile):
    X, y, names = diabetes_hostile
    res = Model("gaussian", laplace(1.0), sigma=54.0).map(X, y, feature_names=names)
    markup = res._repr_html_()
    assert HOSTILE not in markup and "<script>" not in markup
    cells = _parse(markup)
    assert "script" not in cells.tags
    body = cells.rows[1:]
    assert [r[0] for r in body] == names  # the hostile name comes back as text
    np.testing.assert_allclose([float(r[1]) for r in body], res.coef, rtol=1e-3, atol=1e-12)
    verdicts = [r[5] for r in body]
    assert verdicts.count("zero: certified") == res.n_zeros == int(np.sum(res.coef == 0.0))


def test_map_path_lists_exact_zeros_per_scale(diabetes_hostile):
    X, y, names = diabetes_hostile
    path = Model("gaussian", laplace(1.0), sigma=54.0).map_path(X, y, scales=[0.05, 0.5, 5.0], feature_names=names)
    markup = path._repr_html_()
    assert HOSTILE not in markup
    body = _parse(markup).rows[1:]
    assert [int(r[1]) for r in body] == list(path.n_zeros)


def test_fit_result_and_selection_show_their_numbers_escaped(diabetes_hostile):
    X, y, names = diabetes_hostile
    fit = Model("gaussian", laplace(1.0), sigma=54.0).fit(X, y, feature_names=names, draws=100, tune=100, random_seed=0)
    markup = fit._repr_html_()
    assert HOSTILE not in markup and "script" not in _parse(markup).tags
    body = _parse(markup).rows[1:]
    rows = fit.zero_statistics()
    assert [r[0] for r in body] == names
    np.testing.assert_allclose([float(r[3]) for r in body], [r["mean"] for r in rows], rtol=1e-3)
    selection = fit.select("savs", store=False)
    markup = selection._repr_html_()
    assert HOSTILE not in markup
    body = _parse(markup).rows[1:]
    assert [r[1] == "0.0 (dropped)" for r in body] == list(~selection.selected)
