"""cusp's exact MAP against scikit-learn's Lasso, timed in the same run.

Prints, for the diabetes data and a synthetic problem (n = 1000, p = 5000, 20
non-zeros), the ratio of cusp's time to scikit-learn's for one fit and for a 100-point
path, and whether both find the same support.  Both run to a tight tolerance so that
their answers agree to ~1e-6; the median of ``--repeats`` runs is reported.

Run: ``python benchmarks/map_vs_sklearn.py [--repeats 5] [--quick]``
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.linear_model import Lasso, lasso_path

from models import Model, lasso_alpha_to_laplace_scale, laplace_scale_to_lasso_alpha, load_diabetes
from priors import laplace
from timing import median_time  # benchmarks/timing.py (this folder is on sys.path)

SIGMA = 1.0


def synthetic(n, p, k, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:k] = rng.choice([-2.0, 2.0], size=k)
    y = X @ w + rng.standard_normal(n)
    return X, y


def compare(name, X, y, alpha_fraction, n_path, repeats):
    n = len(y)
    alpha_max = np.max(np.abs(X.T @ (y - y.mean()))) / n
    alpha = alpha_fraction * alpha_max
    b = lasso_alpha_to_laplace_scale(alpha, sigma=SIGMA, n=n)
    assert abs(laplace_scale_to_lasso_alpha(b, sigma=SIGMA, n=n) - alpha) < 1e-12 * alpha
    model = Model("gaussian", laplace(b), sigma=SIGMA, tol=1e-9)
    t_cusp, res = median_time(lambda: model.map(X, y), repeats)
    t_skl, ref = median_time(lambda: Lasso(alpha=alpha, tol=1e-10, max_iter=100_000).fit(X, y), repeats)
    same = np.array_equal(res.coef == 0, ref.coef_ == 0)
    err = np.max(np.abs(res.coef - ref.coef_)) / max(np.max(np.abs(ref.coef_)), 1e-300)
    print(f"{name:<28} one fit : cusp {t_cusp*1e3:9.2f} ms  sklearn {t_skl*1e3:9.2f} ms  ratio {t_cusp/t_skl:6.2f}  "
          f"same support {same}  max rel diff {err:.1e}  zeros {res.n_zeros}")

    alphas = alpha_max * np.logspace(0, -2, n_path)
    scales = np.array([lasso_alpha_to_laplace_scale(a, sigma=SIGMA, n=n) for a in alphas])
    Xc, yc = X - X.mean(0), y - y.mean()
    # lasso_path fits no intercept: both get the same centred data and the same problem.
    path_model = Model("gaussian", laplace(1.0), sigma=SIGMA, tol=1e-9, fit_intercept=False)
    t_cusp, path = median_time(lambda: path_model.map_path(Xc, yc, scales), max(1, repeats // 2))
    t_skl, (_, coefs, _) = median_time(lambda: lasso_path(Xc, yc, alphas=alphas, tol=1e-10, max_iter=100_000), max(1, repeats // 2))
    same = np.array_equal(path.coefs == 0, coefs.T == 0)
    mism = int(np.sum((path.coefs == 0) != (coefs.T == 0)))
    print(f"{name:<28} {n_path}-pt path: cusp {t_cusp*1e3:9.1f} ms  sklearn {t_skl*1e3:9.1f} ms  ratio {t_cusp/t_skl:6.2f}  "
          f"same support {same} ({mism} entries differ)")


def main(args):
    X, y, _ = load_diabetes()
    compare("diabetes (442 x 10)", X, y, 0.1, args.path_points, args.repeats)
    n, p = (200, 1000) if args.quick else (1000, 5000)
    Xs, ys = synthetic(n, p, 20)
    compare(f"synthetic ({n} x {p}, 20 nz)", Xs, ys, 0.1, args.path_points, args.repeats)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--path-points", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="smaller synthetic problem")
    main(parser.parse_args())
