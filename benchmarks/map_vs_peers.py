"""cusp's exact MAP against scikit-learn, skglm and celer, timed in the same run.

Each case is solved as one fit (at a tenth of the all-zero penalty) and as a path of
``--path-points`` penalties from the all-zero one down to 1/100 of it, by cusp and by
every peer that solves the same problem.  Every solver minimizes the same objective
(converted: a Laplace prior of scale ``b`` with ``sigma = 1`` is scikit-learn's
``Lasso(alpha = 1 / (n b))``, L1 ``LogisticRegression(C = b)``, skglm's ``L1(alpha)``
on a mean datafit and celer's ``alpha``), with no intercept (the path functions of the
peers fit none), to tight tolerances.  Printed per case: the median time of each solver,
its ratio to cusp, whether its supports equal cusp's and the largest relative
difference of the objective (cusp's objective evaluated at each solution), and for the
sparse case the peak memory (tracemalloc) of each solver.

A solver that cannot take the case says so in its row (``n/a: ...``); skglm and celer
are the optional ``bench`` extra (``pip install -e ".[bench]"``).

Run: ``python benchmarks/map_vs_peers.py [--case dense sparse ...] [--repeats 3] [--quick]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp

from models import Model, load_diabetes
from priors import CuspInputError, laplace
from timing import median_time  # benchmarks/timing.py (this folder is on sys.path)

CASES = ("diabetes", "dense", "wide", "tall", "sparse", "logistic", "poisson")
PEERS = ("scikit-learn", "skglm", "celer")
SIZES = {  # (n, p) at full size and with --quick
    "dense": ((1000, 5000), (200, 500)), "wide": ((200, 20_000), (50, 1000)), "tall": ((20_000, 500), (2000, 50)),
    "sparse": ((10_000, 100_000), (1000, 5000)), "logistic": ((2000, 5000), (200, 300)),
    "poisson": ((2000, 1000), (200, 100)),
}


# ------------------------------------------------------------------ data
def make_case(name, quick, seed=0):
    """``(likelihood, X, y)`` of a case."""
    rng = np.random.default_rng(seed)
    if name == "diabetes":
        X, y, _ = load_diabetes()
        return "gaussian", X, (y - y.mean()) / 54.0  # sigma = 54 on the original scale
    n, p = SIZES[name][1 if quick else 0]
    if name == "sparse":
        X = _power_law_sparse(n, p, 0.001 if not quick else 0.01, rng)
    else:
        X = rng.standard_normal((n, p))
    k = 20 if name != "poisson" else 10
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.choice([-1.0, 1.0], k) * (2.0 if name not in ("poisson",) else 0.3)
    eta = X @ w
    if name == "logistic":
        return "logistic", X, (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    if name == "poisson":
        return "poisson", X, rng.poisson(np.exp(eta)).astype(float)
    return "gaussian", X, eta + rng.standard_normal(n)


def _power_law_sparse(n, p, density, rng):
    """CSC, ``density * n * p`` non-zeros; column j's share of them ~ 1 / (j + 10) (a few
    frequent features, a long tail of rare ones, as in text data)."""
    nnz = int(density * n * p)
    share = 1.0 / (np.arange(p) + 10.0)
    cols = rng.choice(p, size=nnz, p=share / share.sum())
    rows = rng.integers(0, n, size=nnz)
    X = sp.csc_matrix((rng.standard_normal(nnz), (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    return X


def slope_at_zero(likelihood, X, y):
    """``max_j |x_j' grad|`` at w = 0 (no intercept): the all-zero penalty ``1 / b0``."""
    g = {"gaussian": -y, "logistic": 0.5 - y, "poisson": 1.0 - y}[likelihood]
    return float(np.max(np.abs(X.T @ g)))


# ------------------------------------------------------------------ solvers
def cusp_fit(likelihood, X, y, b):
    kwargs = {"sigma": 1.0} if likelihood == "gaussian" else {}
    return Model(likelihood, laplace(b), fit_intercept=False, tol=1e-9, **kwargs).map(X, y).coef


def cusp_path(likelihood, X, y, scales):
    kwargs = {"sigma": 1.0} if likelihood == "gaussian" else {}
    return Model(likelihood, laplace(1.0), fit_intercept=False, tol=1e-9, **kwargs).map_path(X, y, scales).coefs


def peers(likelihood):
    """``{name: (fit(X, y, b) -> coef, path(X, y, scales) -> coefs)}`` for the peers that
    solve this likelihood with an L1 penalty."""
    out = {}
    n_of = lambda X: X.shape[0]  # noqa: E731
    if likelihood == "gaussian":
        from sklearn.linear_model import Lasso, lasso_path

        out["scikit-learn"] = (
            lambda X, y, b: Lasso(alpha=1 / (n_of(X) * b), fit_intercept=False, tol=1e-10, max_iter=100_000).fit(X, y).coef_,
            lambda X, y, s: lasso_path(X, y, alphas=1 / (n_of(X) * s), tol=1e-10, max_iter=100_000)[1].T)
    if likelihood == "logistic":
        from sklearn.linear_model import LogisticRegression

        def sk_logistic(X, y, b):
            # scikit-learn >= 1.8 spells the L1 penalty l1_ratio=1 (penalty= is deprecated)
            return LogisticRegression(l1_ratio=1.0, C=b, solver="liblinear", fit_intercept=False, tol=1e-6,
                                      max_iter=10_000).fit(X, y).coef_[0]
        out["scikit-learn"] = (sk_logistic, lambda X, y, s: np.array([sk_logistic(X, y, b) for b in s]))
    try:
        import skglm
        from skglm.datafits import Logistic, Poisson, Quadratic
        from skglm.penalties import L1
        from skglm.solvers import AndersonCD, ProxNewton

        datafit = {"gaussian": Quadratic, "logistic": Logistic, "poisson": Poisson}[likelihood]
        solver = (lambda: AndersonCD(tol=1e-10, max_iter=10_000, fit_intercept=False)) if likelihood == "gaussian" else (
            lambda: ProxNewton(tol=1e-10, max_iter=1000, fit_intercept=False))
        y_of = (lambda y: 2 * y - 1) if likelihood == "logistic" else (lambda y: y)  # skglm's logistic takes +-1

        def sk_fit(X, y, b):
            est = skglm.GeneralizedLinearEstimator(datafit(), L1(1 / (n_of(X) * b)), solver())
            return est.fit(X, y_of(y)).coef_.ravel()

        def sk_path(X, y, s):
            coefs, w = [], None
            for b in s:  # warm-started, as skglm's own path
                est = skglm.GeneralizedLinearEstimator(datafit(), L1(1 / (n_of(X) * b)), solver())
                est.warm_start = w is not None
                if w is not None:
                    est.coef_ = w
                w = est.fit(X, y_of(y)).coef_.ravel().copy()
                coefs.append(w)
            return np.array(coefs)
        out["skglm"] = (sk_fit, sk_path)
    except ImportError:
        out["skglm"] = None
    if likelihood in ("gaussian", "logistic"):
        try:
            import celer

            if likelihood == "gaussian":
                out["celer"] = (
                    lambda X, y, b: celer.Lasso(alpha=1 / (n_of(X) * b), fit_intercept=False, tol=1e-10).fit(X, y).coef_,
                    lambda X, y, s: celer.celer_path(X, y, "lasso", alphas=1 / (n_of(X) * s), tol=1e-10)[1].T)
            else:
                out["celer"] = (
                    lambda X, y, b: celer.LogisticRegression(C=b, fit_intercept=False, tol=1e-10).fit(X, y).coef_[0],
                    lambda X, y, s: celer.celer_path(X, 2 * y - 1, "logreg", alphas=1 / s, tol=1e-10)[1].T)
        except ImportError:
            out["celer"] = None
    return out


# ------------------------------------------------------------------ comparison
def objective(likelihood, X, y, b, coef):
    kwargs = {"sigma": 1.0} if likelihood == "gaussian" else {}
    return Model(likelihood, laplace(b), fit_intercept=False, **kwargs).objective(X, y, coef)


def agreement(likelihood, X, y, scales, ours, theirs):
    """(supports equal at every point, largest relative objective difference)."""
    ours, theirs = np.atleast_2d(ours), np.atleast_2d(theirs)
    same = bool(np.array_equal(ours == 0, theirs == 0))
    rel = max(abs(objective(likelihood, X, y, b, t) - objective(likelihood, X, y, b, o))
              / max(abs(objective(likelihood, X, y, b, o)), 1e-300) for b, o, t in zip(scales, ours, theirs))
    return same, rel


def peak_memory(fn):
    """Peak bytes allocated through Python's allocators (NumPy's included) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_case(name, args):
    likelihood, X, y = make_case(name, args.quick)
    b0 = 1.0 / slope_at_zero(likelihood, X, y)
    single = np.array([10.0 * b0])
    path = b0 * np.logspace(0.0, 2.0, args.path_points)
    rows = []
    print(f"\n{name}: {likelihood}, n = {X.shape[0]}, p = {X.shape[1]}{' (scipy.sparse CSC)' if sp.issparse(X) else ''}")
    for kind, scales in (("one fit", single), (f"{args.path_points}-pt path", path)):
        solvers = {"cusp": (lambda X, y, b: cusp_fit(likelihood, X, y, b), lambda X, y, s: cusp_path(likelihood, X, y, s))}
        solvers.update({k: v for k, v in peers(likelihood).items() if k in args.peers})
        results = {}
        for solver, fns in solvers.items():
            if fns is None:
                print(f"  {kind:<14} {solver:<13} n/a: not installed (pip install -e '.[bench]')")
                continue
            fn = (lambda f=fns[0]: f(X, y, scales[0])) if kind == "one fit" else (lambda f=fns[1]: f(X, y, scales))
            try:
                if kind == "one fit":  # compile (numba) and warm caches outside the timing
                    fns[0](X[:, :50].copy(), y, scales[0])
                seconds, coefs = median_time(fn, args.repeats)
            except (CuspInputError, TypeError, ValueError) as exc:
                print(f"  {kind:<14} {solver:<13} n/a: {str(exc).splitlines()[0][:90]}")
                continue
            memory = peak_memory(fn) if sp.issparse(X) else None
            results[solver] = (seconds, coefs, memory)
        base = results.get("cusp")
        for solver, (seconds, coefs, memory) in results.items():
            line = f"  {kind:<14} {solver:<13} {seconds:9.3f} s"
            if base is not None and solver != "cusp":
                same, rel = agreement(likelihood, X, y, scales, base[1], coefs)
                line += f"  cusp / {solver} {base[0] / seconds:6.2f}x  same supports {same}  objective rel diff {rel:.1e}"
            if memory is not None:
                line += f"  peak {memory / 2**20:8.1f} MiB"
            print(line)
            rows.append({"case": name, "kind": kind, "solver": solver, "seconds": seconds, "memory": memory})
    return rows


def main(args):
    rows = []
    for name in args.case:
        rows += run_case(name, args)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--path-points", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--peers", nargs="+", default=list(PEERS), choices=PEERS)
    t0 = time.perf_counter()
    main(parser.parse_args())
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
