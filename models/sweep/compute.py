"""What one cell computes, on whichever worker runs it: the data (cached per process),
the fold, the grid, the fit, and its measurements as plain rows.

:func:`compute_cell` takes the cell's payload (plain data) and returns plain data, so it
runs the same in this process, in a ``LocalCluster`` worker or on a remote cluster.
Everything random in it comes from the cell's key: the numbers do not depend on the
worker, the number of workers or the order of completion.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
import warnings

import numpy as np
from scipy.special import logsumexp

from priors import CuspInputError, laplace
from priors.validation import SEED_MAX

from models.cv import LOSS_NAMES, held_out_loss, log_score, pointwise_log_density, scale_grid
from models.sweep.cells import cell_seed

__all__ = ["compute_cell", "load_dataset", "fold_data"]


# --------------------------------------------------------------------------- data
@functools.lru_cache(maxsize=8)
def _load_cached(dataset_json, csv, seed, likelihood):
    dataset = json.loads(dataset_json)
    truth = X_test = y_test = None
    if "builtin" in dataset:
        from models.data import load_breast_cancer, load_diabetes

        X, y, _ = {"diabetes": load_diabetes, "breast_cancer": load_breast_cancer}[dataset["builtin"]]()
    elif "csv_sha256" in dataset:
        from models.scripts.regression import load_csv

        with open(csv, "rb") as fh:
            if hashlib.sha256(fh.read()).hexdigest() != dataset["csv_sha256"]:
                raise CuspInputError(f"{csv} changed since the sweep was specified; re-run the sweep to pick it up")
        features = dataset["features"]
        X, y, _, _ = load_csv(csv, dataset["target"], None if features is None else ",".join(features), warn=lambda m: None)
    else:
        from models.data import make_sparse_regression, make_test_rows

        s = dataset["synthetic"]
        options = {"likelihood": likelihood, "sigma": s["noise"], "correlation": s["correlation"]}
        X, y, truth = make_sparse_regression(s["n"], s["p"], s["sparsity"], signal=s["signal"], random_seed=seed,
                                             **options)
        if s["n_test"]:
            X_test, y_test = make_test_rows(truth, s["n_test"], random_seed=(seed + 1) % (SEED_MAX + 1), **options)
    return X, y, truth, X_test, y_test


def load_dataset(key, csv=None):
    """``(X, y, truth, X_test, y_test)`` of the cell's data set and replicate seed (``truth``
    and the test rows None where there are none); cached per process: the cells of one
    data set share the arrays, which must not be written to."""
    return _load_cached(json.dumps(key["dataset"], sort_keys=True), csv, key["seed"], key["likelihood"])


def fold_data(key, X, y, X_test, y_test):
    """``(X_train, y_train, X_held_out, y_held_out)`` of the cell: KFold's fold ``key["fold"]``,
    or every row with the synthetic test rows held out (None when there are none)."""
    cv = key["cv"]
    if cv is None:
        return X, y, X_test, y_test
    from sklearn.model_selection import KFold

    state = None if not cv["shuffle"] else (key["seed"] if cv["random_state"] is None else cv["random_state"])
    train, test = list(KFold(cv["folds"], shuffle=cv["shuffle"], random_state=state).split(X))[key["fold"]]
    return X[train], y[train], X[test], y[test]


# --------------------------------------------------------------------------- models
def _sigma(key, X, y):
    sigma = key["dataset"]["sigma"]
    if key["likelihood"] != "gaussian":
        return None
    if sigma == "estimate":
        from models.likelihoods import noise_guess

        return float(noise_guess(X, y))  # on all the data set's rows: one value for every fold
    return float(sigma)


def _model(key, prior, sigma):
    from models.model import Model

    options = {"sigma": sigma} if key["likelihood"] == "gaussian" else {}
    return Model(key["likelihood"], prior, fit_intercept=key["fit_intercept"], **options)


def _prior(key, scale):
    from priors import make_prior

    return make_prior(key["prior"]["family"], scale=float(scale), **key["prior"]["params"])


def grid_of(key, X, y, sigma):
    """The cell's ascending grid of scales: the listed values, or ``n`` scales from the
    all-zero scale of the whole data set (a prior with none, smooth or with a pole at 0,
    takes the Laplace's, so the priors of a sweep share the grid's numbers)."""
    scales = key["scales"]
    if "values" in scales:
        return np.array(scales["values"], dtype=float)
    prior = _prior(key, 1.0)
    anchor = prior if 0.0 < prior.zero_threshold < np.inf else laplace(1.0)
    return scale_grid(_model(key, anchor, sigma), X, y, n_scales=scales["n"], eps=scales["eps"],
                      hint="give the scales as values = [...]")


# --------------------------------------------------------------------------- measurements
def _support(coef, truth):
    chosen, true = coef != 0, truth != 0
    hits = int(np.sum(chosen & true))
    precision = hits / int(chosen.sum()) if chosen.any() else None
    recall = hits / int(true.sum()) if true.any() else None
    return precision, recall


def _point_rows(method, key, coefs, intercepts, scale_indices, grid, data, sigma):
    """Rows ``[method, scale_index, scale, metric, value]`` for point estimates (one per row of ``coefs``)."""
    metrics, lik = key["metrics"], key["likelihood"]
    X_out, y_out, truth = data
    columns = {}
    if X_out is not None and "held_out_error" in metrics:
        columns[LOSS_NAMES[lik]] = held_out_loss(lik, coefs, intercepts, X_out, y_out)
    if X_out is not None and "log_score" in metrics:
        columns["log_score"] = log_score(lik, coefs, intercepts, X_out, y_out, sigma=sigma)
    if "exact_zeros" in metrics:
        columns["exact_zeros"] = np.sum(coefs == 0.0, axis=1)
    if truth is not None and "support" in metrics:
        pairs = [_support(c, truth) for c in coefs]
        columns["precision"] = [p for p, _ in pairs]
        columns["recall"] = [r for _, r in pairs]
    rows = []
    for k, i in enumerate(scale_indices):
        for metric, values in columns.items():
            value = values[k]
            rows.append([method, int(i), float(grid[i]), metric, None if value is None else float(value)])
    return rows


def _map_path_rows(key, model_for, grid, train, data, sigma):
    path = model_for(1.0).map_path(*train, scales=grid)
    rows = _point_rows("map", key, path.coefs, path.intercepts, range(grid.size), grid, data, sigma)
    rows += [["map", i, float(grid[i]), "converged", float(bool(c))] for i, c in enumerate(path.converged)]
    return rows


def _posterior_rows(key, model_for, grid, train, data, sigma, seed):
    i = key["scale_index"]
    post = key["posterior"]
    fit = model_for(grid[i]).fit(*train, draws=post["draws"], tune=post["tune"], chains=post["chains"],
                                 sampler=post["sampler"], random_seed=seed)
    draws = fit.idata.posterior
    w = draws["w"].values.reshape(-1, train[0].shape[1])
    c = draws["intercept"].values.reshape(-1) if "intercept" in draws else np.zeros(w.shape[0])
    mean_w, mean_c = w.mean(axis=0), float(c.mean())
    rows = _point_rows("posterior", key, mean_w[None, :], np.array([mean_c]), [i], grid, data, sigma)
    X_out, y_out, _ = data
    if X_out is not None and "log_score" in key["metrics"]:
        # the posterior predictive's log density, not the plug-in of the mean: log mean_s p(y | w_s)
        rows = [r for r in rows if r[3] != "log_score"]
        noise = draws["sigma"].values.reshape(-1, 1) if "sigma" in draws else sigma
        dens = pointwise_log_density(key["likelihood"], w @ X_out.T + c[:, None], y_out, noise)
        lpd = float(np.mean(logsumexp(dens, axis=0) - np.log(dens.shape[0])))
        rows.append(["posterior", i, float(grid[i]), "log_score", lpd])
    d = fit.diagnostics
    rows += [["posterior", i, float(grid[i]), "zero_draws", float(np.mean(w == 0.0))],
             ["posterior", i, float(grid[i]), "max_rhat", float(d.max_rhat)],
             ["posterior", i, float(grid[i]), "min_ess_bulk", float(d.min_ess_bulk)]]
    for method in post["selections"]:
        sel = fit.select(method, store=False)
        rows += _point_rows(method, key, np.asarray(sel.coef, dtype=float)[None, :], np.array([float(sel.intercept)]), [i],
                            grid, data, sigma)
    return rows


def compute_cell(payload) -> dict:
    """Compute one cell: ``{"hash", "rows", "seconds", "notes"}``; ``rows`` are
    ``[method, scale_index, scale, metric, value]`` (value None: undefined, such as the
    precision of an empty support).  Raises on failure (the runner retries, then records)."""
    from threadpoolctl import threadpool_limits

    key = payload["key"]
    start = time.perf_counter()
    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, y, truth, X_test, y_test = load_dataset(key, payload.get("csv"))
        sigma = _sigma(key, X, y)
        grid = grid_of(key, X, y, sigma)
        X_tr, y_tr, X_out, y_out = fold_data(key, X, y, X_test, y_test)
        train, data = (X_tr, y_tr), (X_out, y_out, truth)
        model_for = lambda scale: _model(key, _prior(key, scale), sigma)
        if key["task"] == "map_path":
            rows = _map_path_rows(key, model_for, grid, train, data, sigma)
        else:
            rows = _posterior_rows(key, model_for, grid, train, data, sigma, cell_seed(key["entropy"], payload["hash"]))
    seconds = time.perf_counter() - start
    if "time" in key["metrics"]:
        at = key.get("scale_index")
        rows.append(["map" if at is None else "posterior", at, None if at is None else float(grid[at]), "seconds", seconds])
    notes = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return {"hash": payload["hash"], "rows": [_finite(row) for row in rows], "seconds": seconds, "notes": notes}


def _finite(row):
    """A NaN or infinite value (r_hat of one chain, ...) is stored as None: undefined."""
    value = row[-1]
    return row[:-1] + [value if value is not None and np.isfinite(value) else None]
