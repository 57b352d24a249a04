import numpy as np
import pytest

import plugin_priors
from models import load_diabetes
from priors import example_priors

# A prior family defined in a test module, registered with one call before anything is
# parametrized: every registry-parametrized test runs on it too.
plugin_priors.register()

PRIORS = example_priors()
PRIOR_IDS = [p.describe() for p in PRIORS]


def sampled_through_scales(prior) -> bool:
    """True when the prior's PyMC form is a scale mixture with auxiliary variables (its
    logp is not the density itself): asked of the prior, never of its class."""
    mixture = prior.scale_mixture
    return mixture is not None and mixture.pymc_scales is not None


@pytest.fixture(scope="session")
def diabetes():
    return load_diabetes()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    from browser_pages import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory):
    """``cusp demo`` run once (tiny sampling, the quick study): its report, study and
    explorer pages, for the browser tests (test_browser.py and test_explorer.py share the
    "demo" xdist group, so one worker builds it once)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("demo") / "report"
    done = subprocess.run(
        [sys.executable, "-m", "reports", "demo", "--out", str(out), "--draws", "60", "--tune", "60", "--chains", "1",
         "--no-progress", "--quick-study"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def pytest_generate_tests(metafunc):
    # Any test that takes a ``prior`` argument runs on every registered example prior.
    if "prior" in metafunc.fixturenames:
        metafunc.parametrize("prior", PRIORS, ids=PRIOR_IDS)


def brute_force_prox(prior, v, step, *, local=False):
    """Minimize 0.5 (x - v)^2 + step * penalty(x) on a fine grid, then polish.

    The minimizer of a symmetric penalty that increases in |x| lies between 0 and v.
    With ``local=True`` (horseshoe), return the local minimizer with the largest |x|
    among grid points away from the pole at 0, or 0 if there is none.
    """
    from scipy.optimize import minimize_scalar

    a = abs(v)
    if a == 0:
        return 0.0
    # Coarse grid to find the basin, a fine grid inside it, then a bounded 1-D polish
    # (two stages keep expensive penalties, computed by quadrature, affordable).
    grid = np.linspace(0.0, a, 4_001) * np.sign(v)
    f = lambda x: 0.5 * (x - v) ** 2 + step * prior.penalty(x)  # noqa: E731
    vals = f(grid)
    if local:
        vals = vals[1:]
        grid = grid[1:]
        is_min = np.r_[False, (vals[1:-1] < vals[:-2]) & (vals[1:-1] <= vals[2:]), vals[-1] < vals[-2]]
        idx = np.flatnonzero(is_min)
        if idx.size == 0:
            return 0.0
        i = idx[-1]
    else:
        i = int(np.argmin(vals))
    lo, hi = sorted((grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]))
    fine = np.linspace(lo, hi, 2_001)
    if local:
        fine = fine[fine != 0]
    fine_vals = f(fine)
    k = int(np.argmin(fine_vals))
    grid, vals, i = fine, fine_vals, k
    if grid[i] == 0:
        return 0.0
    lo, hi = sorted((grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]))
    res = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13 * max(1, a)})
    return res.x if f(res.x) <= vals[i] else grid[i]


def pytest_addoption(parser, pluginmanager):
    # pyproject's addopts pass "-n auto --dist loadgroup"; without pytest-xdist (not
    # installed, or "-p no:xdist") accept and ignore them, so the suite runs serially.
    if not pluginmanager.has_plugin("xdist"):
        group = parser.getgroup("xdist-absent")
        # _addoption: a lowercase short option, as pytest-xdist itself registers "-n"
        group._addoption("-n", "--numprocesses", dest="numprocesses", default=None, help="(pytest-xdist absent: ignored)")
        group.addoption("--dist", dest="dist", default="no", help="(pytest-xdist absent: ignored)")


_SHARED_SCOPES = ("module", "class", "package")


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject's addopts): one worker more than cores.  Many tests wait on a
    process they started (a `cusp` run, Chromium, a dask cluster); the extra worker fills
    that time (the default tier from cold caches: 282 s with 3 workers on 2 cores, against
    302-310 s with 2)."""
    import os

    return (os.cpu_count() or 1) + 1


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    # Under ``--dist loadgroup`` (pyproject's addopts), tests that use a module-scoped
    # fixture (a PyMC fit, a rendered demo) form one group per module and run on one
    # worker: the fixture is built once instead of once per worker.  Marked before
    # pytest-xdist's own hook reads the marks (a wrapper runs around it).
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None or item.get_closest_marker("xdist_group"):
            continue
        if any(d.scope in _SHARED_SCOPES for name in info.names_closure for d in info.name2fixturedefs.get(name, ())):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    result = yield
    if getattr(config.option, "loadgroup", False):
        _suffix_groups_for_pytest9(items)
    return result


def _suffix_groups_for_pytest9(items):
    """pytest-xdist (3.8) groups by a ``@group`` suffix that it writes to
    ``item._nodeid``; pytest 9 keeps the id in ``item._id``, so the suffix never reaches
    the scheduler and groups are silently split.  Add it where it is missing."""
    for item in items:
        marks = list(item.iter_markers("xdist_group"))
        if not marks or "@" in item.nodeid or not hasattr(item, "_id"):
            continue
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks})
        item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(names)}")
