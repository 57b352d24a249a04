"""Figures: what is drawn must be the data (read back from the artists), not just "it runs"."""

import base64
import dataclasses
import functools
import math
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.figure import Figure

from models import Model, load_diabetes
from priors import CuspInputError, example_priors, gaussian, horseshoe, laplace
from reports.figures.map_and_posterior import (
    coefficient_diagnostics,
    figure_to_png_data_uri,
    figure_to_svg,
    plot_certificate,
    plot_coefficients,
    plot_diagnostics,
    plot_forest,
    plot_path,
    plot_prior_densities,
)
from test_html import small_run  # one sampled run (3 priors, 5 features), shared with the HTML tests

SIGMA = 54.0


@functools.lru_cache(maxsize=None)
def _diabetes():
    return load_diabetes()


@functools.lru_cache(maxsize=None)
def map_result(prior):
    X, y, names = _diabetes()
    return Model("gaussian", prior, sigma=SIGMA).map(X, y, feature_names=names)


def by_gid(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) <= 1, f"several artists with gid {gid!r}"
    return found[0] if found else None


def curves(ax):
    """The labelled (legend) lines of an axes."""
    return [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]


# --------------------------------------------------------------------------- densities
def test_density_curve_is_the_pdf(prior):
    fig = plot_prior_densities([prior], n_points=201)
    dens_ax, pen_ax = fig.axes
    (line,) = curves(dens_ax)
    x, y = line.get_xdata(), line.get_ydata()
    assert 0.0 not in x and np.all(np.isfinite(y)), "the grid must skip w = 0 (horseshoe pole)"
    assert np.abs(x).min() <= 1e-3 * 3.0, "the grid must come close to 0 to show a kink or pole"
    np.testing.assert_allclose(y, prior.pdf(x), rtol=1e-12)
    assert dens_ax.get_yscale() == "log"
    assert line.get_label().startswith(prior.describe())
    (pen_line,) = curves(pen_ax)
    np.testing.assert_allclose(pen_line.get_ydata(), prior.penalty(pen_line.get_xdata()), rtol=1e-12)

    # p(0): a marker at w = 0 with the exact value, or an "∞" annotation when infinite.
    markers = [ln for ln in dens_ax.get_lines() if ln.get_label() == "_p0"]
    infinite = [t for t in dens_ax.texts if "∞" in t.get_text()]
    if math.isinf(prior.density_at_zero):
        assert not markers and len(infinite) == 1
    else:
        assert not infinite and len(markers) == 1
        assert list(markers[0].get_xdata()) == [0.0]
        assert markers[0].get_ydata()[0] == pytest.approx(prior.density_at_zero, rel=1e-12)


def test_density_one_line_per_prior_in_order():
    priors = example_priors()
    fig = plot_prior_densities(priors, n_points=101)
    lines = curves(fig.axes[0])
    assert [ln.get_label().split(":")[0] for ln in lines] == [p.describe() for p in priors]
    assert len({ln.get_color() if isinstance(ln.get_color(), str) else tuple(ln.get_color()) for ln in lines}) == len(priors)
    legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend_texts == [ln.get_label() for ln in lines]
    n_poles = sum(math.isinf(p.density_at_zero) for p in priors)
    assert [t.get_text() for t in fig.axes[0].texts].count("p(0) = ∞") == n_poles


@pytest.mark.parametrize(
    "one_prior, text",
    [(laplace(0.5), "threshold 1/b = 2"), (gaussian(0.05), "threshold 0 (smooth)"), (horseshoe(1.0), "threshold ∞")],
)
def test_density_label_states_threshold(one_prior, text):
    (line,) = curves(plot_prior_densities(one_prior, penalty=False, n_points=51).axes[0])
    assert line.get_label().endswith(text)


def test_density_without_penalty_panel_has_one_axes():
    assert len(plot_prior_densities([laplace(1.0)], penalty=False, n_points=51).axes) == 1


# --------------------------------------------------------------------------- certificate
def test_certificate_points_are_the_slopes(prior):
    res = map_result(prior)
    cert = res.certificate
    fig = plot_certificate(res)
    (ax,) = fig.axes
    zero, nonzero = by_gid(ax, "zero"), by_gid(ax, "nonzero")
    # Two colours, partitioning the coefficients exactly into the zero set and the rest.
    assert not np.allclose(zero.get_facecolor()[0], nonzero.get_facecolor()[0])
    for coll, mask in ((zero, cert.is_zero), (nonzero, ~cert.is_zero)):
        xy = coll.get_offsets().reshape(-1, 2)
        np.testing.assert_array_equal(xy[:, 1], np.flatnonzero(mask))
        np.testing.assert_array_equal(xy[:, 0], cert.slope[mask])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(res.feature_names)
    assert by_gid(ax, "violated") is None  # every example converges

    thr = cert.threshold
    band, line = by_gid(ax, "threshold-band"), by_gid(ax, "threshold-line")
    if thr == 0:
        assert band is None and list(line.get_xdata()) == [0.0, 0.0]
    elif math.isfinite(thr):
        assert line is None
        bbox = band.get_bbox()
        assert (bbox.x0, bbox.x1) == pytest.approx((-thr, thr), rel=1e-12)
        # The whole band and every point are visible.
        lo, hi = ax.get_xlim()
        assert lo < -thr and hi > thr
    else:
        assert band is None and line is None
        assert "∞" in ax.get_title()
    lo, hi = ax.get_xlim()
    assert lo < cert.slope.min() and hi > cert.slope.max()


def test_certificate_laplace_nonzeros_sit_on_the_band_edge():
    # The Laplace argument in one picture: zeros inside [-1/b, 1/b], non-zeros on its edge.
    b = 1.0
    res = map_result(laplace(b))
    ax = plot_certificate(res).axes[0]
    xz = by_gid(ax, "zero").get_offsets()[:, 0]
    xn = by_gid(ax, "nonzero").get_offsets()[:, 0]
    assert len(xz) > 0 and len(xn) > 0
    assert np.all(np.abs(xz) <= 1 / b + 1e-9)
    np.testing.assert_allclose(np.abs(xn), 1 / b, rtol=1e-6)


def test_certificate_flags_a_violated_condition():
    res = map_result(laplace(1.0))
    # A result whose conditions fail for coefficients 1 and 4 (as an unconverged solve would).
    residual = res.certificate.residual.copy()
    residual[[1, 4]] = 1.0
    res = dataclasses.replace(res, certificate=dataclasses.replace(res.certificate, residual=residual))
    bad = ~res.certificate.certified
    assert bad.any()
    flagged = by_gid(plot_certificate(res).axes[0], "violated").get_offsets()
    np.testing.assert_array_equal(flagged[:, 1], np.flatnonzero(bad))


# --------------------------------------------------------------------------- coefficients
def test_coefficients_mark_exact_zeros(prior):
    res = map_result(prior)
    ax = plot_coefficients(res).axes[0]
    is_zero = res.coef == 0
    nz = by_gid(ax, "nonzero").get_offsets()
    np.testing.assert_array_equal(nz[:, 0], res.coef[~is_zero])
    np.testing.assert_array_equal(nz[:, 1], np.flatnonzero(~is_zero))
    zero = by_gid(ax, "zero")
    zxy = zero.get_offsets().reshape(-1, 2)
    np.testing.assert_array_equal(zxy[:, 1], np.flatnonzero(is_zero))
    assert np.all(zxy[:, 0] == 0)
    if is_zero.any():  # open markers: face differs from edge
        assert not np.allclose(zero.get_facecolor()[0], zero.get_edgecolor()[0])
    labels = [t for t in ax.texts if t.get_gid() == "zero-label"]
    assert all(t.get_text() == "0.0" for t in labels)
    assert sorted(t.xy[1] for t in labels) == list(np.flatnonzero(is_zero))


def test_coefficients_label_tiny_nonzeros_with_their_value():
    # A narrow Gaussian prior shrinks hard but leaves no 0.0: tiny values get printed.
    res = map_result(gaussian(0.05))
    assert res.n_zeros == 0
    texts = plot_coefficients(res).axes[0].texts
    assert not [t for t in texts if t.get_text() == "0.0"]
    small = np.abs(res.coef) < 0.01 * np.abs(res.coef).max()
    assert len(texts) == small.sum()


# --------------------------------------------------------------------------- path
def test_path_zero_counts_and_traces():
    X, y, names = _diabetes()
    scales = np.array([3.0, 0.05, 0.3, 30.0, 1.0, 0.1])  # unsorted on purpose
    paths = {
        "laplace": Model("gaussian", laplace(1.0), sigma=SIGMA).map_path(X, y, scales, feature_names=names),
        "gaussian": Model("gaussian", gaussian(1.0), sigma=SIGMA).map_path(X, y, scales, feature_names=names),
    }
    fig = plot_path(paths)
    assert len(fig.axes) == 4
    order = np.argsort(scales)
    for k, (label, path) in enumerate(paths.items()):
        top, bottom = fig.axes[k], fig.axes[2 + k]
        assert top.get_title() == label and top.get_xscale() == "log"
        counts = by_gid(bottom, "n_zeros")
        np.testing.assert_array_equal(counts.get_xdata(), scales[order])
        np.testing.assert_array_equal(counts.get_ydata(), path.n_zeros[order])
        traces = curves(top)
        assert [t.get_label() for t in traces] == names
        for j, t in enumerate(traces):
            np.testing.assert_array_equal(t.get_ydata(), path.coefs[order, j])
    # The point of the figure: the Laplace path has exact zeros, the Gaussian none.
    assert paths["laplace"].n_zeros.max() == len(names) and paths["gaussian"].n_zeros.max() == 0
    assert [t.get_text() for t in fig.legends[0].get_texts()] == names


def test_path_marks_the_fitted_scale():
    X, y, names = _diabetes()
    path = Model("gaussian", laplace(1.0), sigma=SIGMA).map_path(X, y, [0.1, 1.0, 10.0], feature_names=names)
    fig = plot_path({"laplace": path}, marks={"laplace": 1.0})
    for ax in fig.axes:
        assert list(by_gid(ax, "mark").get_xdata()) == [1.0, 1.0]
    assert all(by_gid(ax, "mark") is None for ax in plot_path({"laplace": path}).axes)


# --------------------------------------------------------------------------- posterior
def all_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_forest_draws_the_zero_statistics():
    run = small_run()
    (ax,) = plot_forest(run).axes
    p = len(next(iter(run.fits.values())).feature_names)
    offsets = []
    for label, fit in run.fits.items():
        rows = fit.zero_statistics()
        segs = np.array(by_gid(ax, f"hdi:{label}").get_segments())  # (p, 2 ends, xy)
        np.testing.assert_array_equal(segs[:, 0, 0], [r["hdi_low"] for r in rows])
        np.testing.assert_array_equal(segs[:, 1, 0], [r["hdi_high"] for r in rows])
        y = segs[:, 0, 1]
        np.testing.assert_allclose(y - np.arange(p), y[0])  # one offset per prior, feature j at row j
        offsets.append(y[0])
        for gid, key in (("mean", "mean"), ("median", "median")):
            line = by_gid(ax, f"{gid}:{label}")
            np.testing.assert_array_equal(line.get_xdata(), [r[key] for r in rows])
            np.testing.assert_array_equal(line.get_ydata(), y)
        if fit.map is None:
            assert by_gid(ax, f"map:{label}") is None and by_gid(ax, f"map-zero:{label}") is None
        else:
            coef = fit.map.coef
            nz, z = by_gid(ax, f"map:{label}"), by_gid(ax, f"map-zero:{label}")
            np.testing.assert_array_equal(nz.get_xdata(), coef[coef != 0])
            np.testing.assert_array_equal(nz.get_ydata(), y[coef != 0])
            assert np.all(np.asarray(z.get_xdata()) == 0)
            np.testing.assert_array_equal(z.get_ydata(), y[coef == 0])
            assert z.get_marker() != nz.get_marker()  # exact zeros get their own marker
        texts = all_gid(ax, f"exact-zero:{label}")
        shown = [(round(t.xy[1] - y[0]), t.get_text()) for t in texts]
        expected = [(j, f"{r['n_exact_zero']}/{r['n_draws']} draws = 0") for j, r in enumerate(rows) if r["n_exact_zero"]]
        assert shown == expected
    assert len(set(offsets)) == len(run.fits)
    assert all_gid(ax, "exact-zero:spike_and_slab") and not all_gid(ax, "exact-zero:laplace")
    assert by_gid(ax, "map-zero:laplace").get_xydata().shape[0] == run.fits["laplace"].map.n_zeros > 0
    assert [t.get_text() for t in ax.get_yticklabels()] == run.fits["laplace"].feature_names


def test_forest_eps_band():
    ax = plot_forest(small_run().fits, eps=0.25).axes[0]
    bbox = by_gid(ax, "eps-band").get_bbox()
    assert (bbox.x0, bbox.x1) == pytest.approx((-0.25, 0.25))
    assert by_gid(plot_forest(small_run()).axes[0], "eps-band") is None


@pytest.mark.parametrize("label", ["laplace", "spike_and_slab"])
def test_diagnostics_figure_shows_rhat_ess_and_ranks(label):
    fit = small_run().fits[label]
    per = coefficient_diagnostics(fit)
    d = fit.diagnostics
    fig = plot_diagnostics(fit)
    rax, eax, *rank_axes = fig.axes
    ok = np.isfinite(per["rhat"])
    xy = by_gid(rax, "rhat").get_offsets().reshape(-1, 2)
    np.testing.assert_array_equal(xy[:, 0], per["rhat"][ok])
    np.testing.assert_array_equal(xy[:, 1], np.flatnonzero(ok))
    assert list(by_gid(rax, "rhat-limit").get_xdata()) == [1.01, 1.01]
    for gid, key in (("ess-bulk", "ess_bulk"), ("ess-tail", "ess_tail")):
        xy = by_gid(eax, gid).get_offsets().reshape(-1, 2)
        fin = np.isfinite(per[key])
        np.testing.assert_array_equal(xy[:, 0], per[key][fin])
        np.testing.assert_array_equal(xy[:, 1], np.flatnonzero(fin))
    assert list(by_gid(eax, "ess-limit").get_xdata()) == [100 * d.n_chains] * 2
    assert d.divergences_text in fig._suptitle.get_text()
    # rank plots: the worst r_hat first; each chain's histogram holds all its draws
    order = np.argsort(np.where(ok, -per["rhat"], np.inf), kind="stable")[:4]
    assert [ax.get_title() for ax in rank_axes] == [fit.feature_names[j] for j in order]
    for ax in rank_axes:
        for c in range(d.n_chains):
            counts = by_gid(ax, f"rank-chain{c}").get_data().values
            assert counts.sum() == d.n_draws
        assert by_gid(ax, "rank-uniform").get_ydata()[0] == pytest.approx(d.n_draws / len(counts))
    assert len(plot_diagnostics(fit, n_rank=0).axes) == 2


def test_coefficient_diagnostics_match_arviz():
    import arviz as az

    fit = small_run().fits["gaussian"]
    per = coefficient_diagnostics(fit)
    np.testing.assert_allclose(per["rhat"], az.rhat(fit.idata.posterior)["w"].values)
    np.testing.assert_allclose(per["ess_bulk"], az.ess(fit.idata.posterior, method="bulk")["w"].values)
    assert np.nanmax(per["rhat"]) == pytest.approx(fit.diagnostics.max_rhat)


# --------------------------------------------------------------------------- export
def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("dpi", [None, 40])
def test_png_data_uri_has_the_figure_pixel_size(dpi):
    fig = plot_coefficients(map_result(laplace(1.0)), figsize=(3.0, 2.5))
    uri = figure_to_png_data_uri(fig, dpi=dpi)
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    width, height = png_size(base64.b64decode(uri[len(prefix):], validate=True))
    d = fig.dpi if dpi is None else dpi
    assert (width, height) == (round(3.0 * d), round(2.5 * d))


def test_svg_is_wellformed_inline_svg_and_reproducible():
    def make():
        return plot_prior_densities([laplace(1.0), horseshoe(1.0)], n_points=51, figsize=(3, 3))

    text = figure_to_svg(make())
    assert text.startswith("<svg")  # no XML prolog or DOCTYPE inside HTML
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "216pt" and root.get("height") == "216pt"  # 3 in x 72 pt
    # Same results, same text: no date stamp, no random ids (re-rendering a report is stable).
    assert figure_to_svg(make()) == text


def test_figures_are_pyplot_free_figure_objects():
    # pyplot registers every figure it makes here; ours must not appear.
    from matplotlib._pylab_helpers import Gcf

    before = Gcf.get_num_fig_managers()
    fig = plot_certificate(map_result(laplace(1.0)))
    assert type(fig) is Figure
    assert type(plot_forest(small_run())) is Figure
    assert type(plot_diagnostics(small_run().fits["laplace"])) is Figure
    assert Gcf.get_num_fig_managers() == before


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call",
    [
        lambda: plot_prior_densities([]),
        lambda: plot_prior_densities(["laplace"]),
        lambda: plot_prior_densities([laplace(1.0)], w_max=0.0),
        lambda: plot_certificate("not a result"),
        lambda: plot_coefficients(None),
        lambda: plot_path({}),
        lambda: plot_path({"laplace": map_result(laplace(1.0))}),
        lambda: plot_forest({}),
        lambda: plot_forest([map_result(laplace(1.0))]),
        lambda: plot_forest(small_run(), eps=0.0),
        lambda: plot_diagnostics(map_result(laplace(1.0))),
        lambda: plot_diagnostics(small_run().fits["laplace"], n_rank=-1),
    ],
)
def test_bad_input_raises_cusp_input_error(call):
    with pytest.raises(CuspInputError):
        call()
