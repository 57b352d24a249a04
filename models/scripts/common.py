"""The runnable model scripts (``python -m models.<name>``), by name, and what they share.

Every script module has a docstring saying what it shows, a ``TITLE``,
``add_arguments(parser)``, ``build_parser()``, ``run(args) -> RunResult`` and
``main(args) -> int``.  :data:`SCRIPTS` maps the names the ``cusp`` command line accepts
to those modules; :func:`load_script` imports one.

>>> from models.scripts import load_script
>>> script = load_script("diabetes")
>>> args = script.build_parser().parse_args(["--draws", "200"])
>>> run = script.run(args)  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys
import time
import warnings

import numpy as np

from priors import CuspInputError

__all__ = [
    "SCRIPTS",
    "load_script",
    "add_sampling_arguments",
    "parse_params",
    "select_priors",
    "fit_priors",
    "map_claims",
    "script_entry_point",
]

#: Script name -> module path.
SCRIPTS: dict[str, str] = {
    "diabetes": "models.scripts.diabetes",
    "breast_cancer": "models.scripts.breast_cancer",
    "poisson_counts": "models.scripts.poisson_counts",
    "normal_means": "models.scripts.normal_means",
    "regression": "models.scripts.regression",
}


def load_script(name: str):
    """The script module called ``name`` (a key of :data:`SCRIPTS`)."""
    try:
        path = SCRIPTS[name]
    except KeyError:
        raise CuspInputError(f"unknown model script {name!r}; choose one of {', '.join(SCRIPTS)}") from None
    return importlib.import_module(path)


# ---------------------------------------------------------------------- arguments
def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


#: argparse types: whole numbers >= 1 (draws, chains) and >= 0 (tuning steps).
positive_int = _int_at_least(1)
nonnegative_int = _int_at_least(0)


def positive_float(text):
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def sigma_or_estimate(text):
    """argparse type: a noise sd > 0, or ``estimate`` (returned as None)."""
    if text.strip().lower() in ("estimate", "estimated", "none"):
        return None
    try:
        return positive_float(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a number > 0 or 'estimate', got {text!r}") from None


def parse_params(items) -> dict:
    """``--param KEY=VALUE`` options as a dict of floats (extra prior parameters)."""
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CuspInputError(f"--param takes KEY=VALUE, got {item!r}")
        try:
            params[key] = float(value)
        except ValueError:
            raise CuspInputError(f"--param {key} must be a number, got {value!r}") from None
    return params


def add_sampling_arguments(parser, *, priors=None, default_priors=None):
    """The options every script shares: ``--draws --tune --chains --seed --sampler
    --progress/--no-progress``, and ``--priors`` when ``priors`` (the available labels)
    is given."""
    g = parser.add_argument_group("posterior sampling")
    g.add_argument("--draws", type=positive_int, default=1000, help="draws kept per chain (default 1000)")
    g.add_argument("--tune", type=nonnegative_int, default=1000, help="tuning steps per chain (default 1000)")
    g.add_argument("--chains", type=positive_int, default=2, help="number of chains (default 2)")
    g.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same numbers (default 0)")
    g.add_argument("--sampler", choices=("pymc", "nutpie"), default="pymc", help="NUTS implementation (default pymc)")
    g.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="show PyMC's progress bars (default: shown)")
    if priors is not None:
        default = ",".join(default_priors or priors)
        parser.add_argument("--priors", default=default, metavar="LIST",
                            help=f"comma-separated subset of {','.join(priors)} to fit (default {default})")
    return parser


def select_priors(text, available, *, option="--priors") -> list[str]:
    """Labels from a comma-separated ``--priors`` value, in the order given, checked."""
    chosen = [t.strip() for t in str(text).split(",") if t.strip()]
    if not chosen:
        raise CuspInputError(f"{option} is empty; choose from {', '.join(available)}")
    unknown = [t for t in chosen if t not in available]
    if unknown:
        raise CuspInputError(f"unknown prior {unknown[0]!r} in {option}; choose from {', '.join(available)}")
    if len(set(chosen)) != len(chosen):
        raise CuspInputError(f"{option} lists a prior twice: {text}")
    return chosen


# ---------------------------------------------------------------------- fitting
def _quiet_sampler_logs():
    """Our step lines replace PyMC's INFO chatter; warnings still show.  The pytensor
    note about BLAS linking is about installation, not about the results."""
    import pymc  # noqa: F401  (pymc sets its logger's level when imported: import it first)

    logging.getLogger("pymc").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*BLAS.*", category=UserWarning)


def fit_priors(models: dict, X, y, feature_names, args, *, log=None) -> dict:
    """Fit MAP + posterior for each ``label -> Model``; print one step line per fit to
    stderr.  Returns ``label -> FitResult`` in the same order."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    _quiet_sampler_logs()
    fits, total, start = {}, len(models), time.perf_counter()
    for k, (label, model) in enumerate(models.items(), start=1):
        what = "MAP + " if model.prior.has_map_view else "no MAP (point mass); "
        log(f"[{k}/{total}] {label}: {what}{args.chains} chain{'s' if args.chains > 1 else ''} x {args.draws} draws")
        fits[label] = model.fit(
            X, y, feature_names=feature_names, draws=args.draws, tune=args.tune, chains=args.chains,
            random_seed=args.seed, sampler=args.sampler, progressbar=args.progress,
        )
    log(f"done: {total} fit{'s' if total > 1 else ''} in {time.perf_counter() - start:.0f} s")
    return fits


def map_claims(fits: dict) -> list[str]:
    """One sentence per fit: its exact zeros (certified or not) and whether any posterior
    draw was exactly 0.0."""
    lines = []
    for label, fit in fits.items():
        draws = fit.draws
        n_exact = int(np.sum(draws == 0.0))
        if fit.map is None:
            p0 = np.mean(draws == 0.0, axis=0)
            lines.append(
                f"{label}: no MAP (point mass at 0); posterior P(w = 0 | y) ranges from {p0.min():.2f} to {p0.max():.2f} "
                f"({n_exact} of {draws.size} values, {draws.shape[0]} draws x {draws.shape[1]} coefficients, are exactly 0.0)."
            )
            continue
        m = fit.map
        zero = m.coef == 0
        n_cert = int(np.sum(zero & m.certificate.certified))
        text = f"{label}: {m.mode} has exact zeros: {m.n_zeros} of {m.coef.size}"
        if m.n_zeros:
            verdict = "all certified" if n_cert == m.n_zeros else f"only {n_cert} certified"
            if np.isinf(m.certificate.threshold):
                text += f" ({verdict}: 0 is a local optimum for every data set under this prior)"
            else:
                text += f" ({verdict}: |slope at 0| <= threshold {m.certificate.threshold:.4g})"
        if m.n_zeros < m.coef.size:
            text += f"; smallest |non-zero coef| = {np.min(np.abs(m.coef[~zero])):.3g}"
            if m.n_zeros == 0:
                text += " (small, but not 0.0)"
        text += f"; posterior draws exactly 0.0: {n_exact} of {draws.size} values ({draws.shape[0]} draws x {draws.shape[1]} coefficients)."
        lines.append(text)
    return lines


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line, ``<prog>: error: ...``, with exit code 2 and
    no usage block (``--help`` still shows it)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def script_entry_point(module) -> None:
    """``if __name__ == "__main__"`` body: parse, run ``main``, turn a
    :class:`~priors.CuspInputError` into one line on stderr and exit code 2."""
    parser = module.build_parser()
    try:
        with plain_warnings(f"{parser.prog}: warning"):
            code = module.main(parser.parse_args())
    except CuspInputError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(code)


@contextlib.contextmanager
def plain_warnings(prefix):
    """Show each distinct warning once, as ``prefix: message`` on stderr: a command-line
    user needs the sentence, not the source line that raised it."""
    shown = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = str(message)
        if text not in shown:
            shown.add(text)
            print(f"{prefix}: {text}", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
