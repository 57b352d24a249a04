"""`cusp report RESULTS --figures DIR`: every figure of the report as its own file (the
same set as the page's images, numbered in the order they are drawn), each one a valid
SVG, PDF or PNG, the names on stdout."""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as ET

import matplotlib.image
import pytest

from reports.cli import main

RUN = ["run", "normal_means", "--y=-2.5,-0.4,0.3,1.8", "--priors", "laplace", "--draws", "40", "--tune", "40",
       "--chains", "1", "--no-progress", "--select", "savs"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "means"
    assert main([*RUN, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def alts(results, tmp_path_factory):
    """The alt texts of the page's images (the report rendered once)."""
    page = tmp_path_factory.mktemp("page") / "page.html"
    assert main(["report", str(results), "-o", str(page)]) == 0
    return _alts(page.read_text())


def _slug(alt):
    return re.sub(r"[^a-z0-9]+", "-", alt.lower()).strip("-")


def _alts(page):
    return [html.unescape(a) for a in re.findall(r'<img [^>]*alt="([^"]*)"', page)]


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png"])
def test_every_figure_of_the_report_is_written_and_opens(results, alts, tmp_path, capsys, fmt):
    assert len(alts) >= 4
    capsys.readouterr()
    folder = tmp_path / "figures"
    assert main(["report", str(results), "--figures", str(folder), "--format", fmt]) == 0
    listed = capsys.readouterr().out.split()
    files = sorted(f for f in os.listdir(folder) if not f.startswith("."))
    assert [os.path.basename(p) for p in listed] == files and len(files) == len(alts)
    stems = sorted(name[3:-len(fmt) - 1] for name in files)
    assert stems == sorted(_slug(alt)[:60].rstrip("-") for alt in alts)  # the page's figures, no more, no fewer
    for k, name in enumerate(files, start=1):
        assert name.startswith(f"{k:02d}-") and name.endswith("." + fmt)
        data = (folder / name).read_bytes()
        if fmt == "svg":
            assert ET.fromstring(data).tag.endswith("svg")
        elif fmt == "pdf":
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        else:
            pixels = matplotlib.image.imread(folder / name)
            assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100


def test_an_existing_folder_needs_force_and_bad_options_are_one_line(results, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert main(["report", str(results), "--figures", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "--figures" in err and len(err.strip().splitlines()) == 1
    assert os.listdir(folder) == ["notes.txt"]
    assert main(["report", str(results), "--figures", str(tmp_path / "f"), "-o", str(tmp_path / "x.html")]) == 2
    assert "leave out -o" in capsys.readouterr().err
    assert main(["report", str(results), "--format", "pdf", "-o", str(tmp_path / "y.html")]) == 2
    assert "--format is the file format of --figures" in capsys.readouterr().err
    assert not (tmp_path / "y.html").exists()
