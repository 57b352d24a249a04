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
import ast
import contextlib
import importlib
import inspect
import logging
import os
import sys
import time
import warnings

import numpy as np

from priors import REGISTRY, CuspDataWarning, CuspInputError, make_prior
from priors.validation import SCALE_RANGE, SEED_MAX, check_choices, check_number, check_scale

from models.conversions import horseshoe_global_scale
from models.interrupts import catch_signals
from models.posterior.gibbs import gibbs_unavailable
from models.posterior.pymc_model import MAX_CHAINS, MAX_DRAWS, check_sampling_size
from models.fit import PATH_FACTORS, SAMPLER_NAMES

__all__ = [
    "SCRIPTS",
    "load_script",
    "add_sampling_arguments",
    "parse_params",
    "parse_prior_spec",
    "parse_prior_specs",
    "resolve_priors",
    "select_priors",
    "fit_priors",
    "decide",
    "selection_methods",
    "map_claims",
    "script_entry_point",
    "script_parser",
    "summary_main",
    "horseshoe_tau",
    "scale_float",
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
def _argparse_number(text, **limits):
    """``text`` as a number checked by :func:`priors.validation.check_number` (the same
    rule and wording as the Python API), its message turned into argparse's one-line
    error (argparse names the option: ``argument --scale: must be ...``)."""
    try:
        value = int(text) if limits.get("integer") else float(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            kind = "a whole number" if limits.get("integer") else "a number"
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
    try:
        return check_number("value", value, **limits)
    except CuspInputError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("value ")) from None


def _whole_in(minimum, maximum):
    def parse(text):
        return _argparse_number(text, low=minimum, high=maximum, low_inclusive=True, integer=True)

    return parse


#: argparse types with the API's limits (models.posterior.check_sampling_size): draws and
#: tuning steps per chain, and chains.
draws_int = _whole_in(1, MAX_DRAWS)
tune_int = _whole_in(0, MAX_DRAWS)
chains_int = _whole_in(1, MAX_CHAINS)
#: argparse type: a whole number >= 1 (sizes of synthetic data).
positive_int = _whole_in(1, None)


def seed_int(text):
    """argparse type: a random seed, a whole number in [0, 2**32 - 1] (the API's rule)."""
    return _argparse_number(text, low=0, high=SEED_MAX, low_inclusive=True, integer=True)


def selection_methods(text):
    """argparse type of ``--select``: :func:`models.selection.parse_methods`, as an argparse error."""
    from models.selection import parse_methods

    try:
        methods = parse_methods(text)
    except CuspInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return _Methods(methods, explicit=str(text).strip() != "all")


class _Methods(list):
    """The ``--select`` methods; ``explicit`` when named (not ``all``), so that a method
    that applies to no fit is an error rather than skipped."""

    def __init__(self, methods, *, explicit):
        super().__init__(methods)
        self.explicit = explicit


def positive_float(text):
    """argparse type: a finite number > 0."""
    return _argparse_number(text, low=0.0)


def scale_float(text):
    """argparse type: a scale (prior scale, noise sd, slab width, density factor) inside
    :data:`priors.validation.SCALE_RANGE`, the range every engine computes in."""
    return _argparse_number(text, low=SCALE_RANGE[0], high=SCALE_RANGE[1], low_inclusive=True)


def sigma_or_estimate(text):
    """argparse type: a noise sd inside :data:`priors.validation.SCALE_RANGE`, or
    ``estimate`` (returned as None)."""
    if text.strip().lower() in ("estimate", "estimated", "none"):
        return None
    try:
        return scale_float(text)
    except argparse.ArgumentTypeError:
        low, high = SCALE_RANGE
        raise argparse.ArgumentTypeError(f"expected a number >= {low:g} and <= {high:g}, or 'estimate', got {text!r}") from None


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


#: How ``--prior`` values are written, for messages and ``--help``.
PRIOR_SPEC_SYNTAX = "NAME or NAME(key=value, ...), e.g. laplace or 'bridge(scale=1, p=0.5)'"
_MAX_SPEC = 500


def _spec_value(node, key, text):
    """A keyword's value: a number literal (optionally signed) or ``None``; nothing else
    is evaluated."""
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    sign, inner = 1.0, node
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        sign, inner = (-1.0 if isinstance(node.op, ast.USub) else 1.0), node.operand
    if isinstance(inner, ast.Constant) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
        try:
            return sign * float(inner.value)
        except OverflowError:
            pass
    raise CuspInputError(f"--prior {text!r}: {key} must be a number (or None), got {ast.unparse(node)}")


def _one_spec(node, text) -> tuple[str, dict]:
    if isinstance(node, ast.Name):
        return node.id, {}
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise CuspInputError(f"--prior {text!r} is not a prior spec; write {PRIOR_SPEC_SYNTAX}")
    name = node.func.id
    if node.args:
        raise CuspInputError(f"--prior {text!r}: give parameters by name, e.g. {name}(scale=1)")
    params = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise CuspInputError(f"--prior {text!r}: give parameters by name, e.g. {name}(scale=1)")
        if kw.arg in params:
            raise CuspInputError(f"--prior {text!r}: {kw.arg} is given twice")
        params[kw.arg] = _spec_value(kw.value, kw.arg, text)
    return name, params


def parse_prior_specs(text) -> list[tuple[str, dict]]:
    """``(name, params)`` for each prior in one ``--prior`` value: a bare name
    (``laplace``), a comma list of names (``bridge,laplace``), a call with keyword
    arguments only (``bridge(scale=1, p=0.5)``), or several such separated by commas.

    Parsed with :func:`ast.parse`, never evaluated: values must be number literals or
    ``None``.  Names are not checked here (:func:`resolve_priors` does that).

    >>> parse_prior_specs("bridge(scale=1, p=0.5), laplace")
    [('bridge', {'scale': 1.0, 'p': 0.5}), ('laplace', {})]
    """
    text = str(text).strip()
    if not text:
        raise CuspInputError(f"--prior is empty; write {PRIOR_SPEC_SYNTAX}")
    if len(text) > _MAX_SPEC:
        raise CuspInputError(f"--prior value is {len(text)} characters long; at most {_MAX_SPEC} are allowed")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise CuspInputError(f"--prior {text!r} is not a prior spec; write {PRIOR_SPEC_SYNTAX}") from None
    body = tree.body
    nodes = body.elts if isinstance(body, ast.Tuple) else [body]
    if not nodes:
        raise CuspInputError(f"--prior {text!r} names no prior; write {PRIOR_SPEC_SYNTAX}")
    return [_one_spec(node, text) for node in nodes]


def parse_prior_spec(text) -> tuple[str, dict]:
    """``(name, params)`` of one prior spec, e.g. ``"bridge(scale=1, p=0.5)"`` ->
    ``("bridge", {"scale": 1.0, "p": 0.5})``; see :func:`parse_prior_specs`."""
    specs = parse_prior_specs(text)
    if len(specs) != 1:
        raise CuspInputError(f"--prior {str(text).strip()!r} lists {len(specs)} priors; give one here")
    return specs[0]


def family_parameters(name) -> tuple[list[str], bool]:
    """The keyword parameters of a registered family's factory, and whether it also takes
    arbitrary keywords (``**kwargs``)."""
    try:
        spec = REGISTRY[name]
    except KeyError:
        raise CuspInputError(f"unknown prior {name!r} in --prior; choose from {', '.join(REGISTRY)}") from None
    try:
        parameters = inspect.signature(spec.factory).parameters.values()
    except (TypeError, ValueError):
        return [], True
    named = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return named, any(p.kind is p.VAR_KEYWORD for p in parameters)


def _describe_spec(name, params) -> str:
    return f"{name}({', '.join(f'{k}={v:g}' if v is not None else f'{k}=None' for k, v in params.items())})"


def resolve_priors(values, *, scale=None, params=None) -> dict:
    """``label -> Prior`` from repeated ``--prior`` values plus the shared ``--scale`` and
    ``--param`` options.

    * ``values``: the ``--prior`` strings (see :func:`parse_prior_specs`); ``None`` or an
      empty list means ``["laplace"]``.
    * A parameter written in a spec wins over ``--scale`` / ``--param``.
    * ``scale`` (``--scale``, default 1) applies to every prior whose spec sets no scale.
    * Each ``--param KEY=VALUE`` applies only to the listed priors whose family has a
      parameter ``KEY`` (and whose spec does not set it); a ``KEY`` that no listed prior
      has is refused.
    * Labels are the family names; a family listed again gets ``-2``, ``-3``, ... (``bridge``,
      ``bridge-2``).  The same prior with the same parameters twice is refused.
    """
    params = dict(params or {})
    if "scale" in params:
        raise CuspInputError("--param scale=...: use --scale S (or NAME(scale=S) in --prior) for the prior scale")
    specs = [spec for text in (values or ["laplace"]) for spec in parse_prior_specs(text)]
    accepted = {}
    for name, own in specs:
        named, anything = family_parameters(name)
        unknown = [k for k in own if k not in named and not anything]
        if unknown:
            raise CuspInputError(f"--prior {_describe_spec(name, own)}: {name} has no parameter {unknown[0]!r}; "
                                 f"it takes {', '.join(named) or 'no parameters'}")
        accepted[name] = (named, anything)
    for key, value in params.items():
        if not any(key in named or anything for named, anything in accepted.values()):
            takes = "; ".join(f"{n} takes {', '.join(accepted[n][0])}" for n in dict.fromkeys(n for n, _ in specs))
            raise CuspInputError(f"--param {key}={value:g}: none of the listed priors has a parameter {key!r} ({takes})")
    priors, seen, counts = {}, {}, {}
    for name, own in specs:
        named, anything = accepted[name]
        full = {"scale": 1.0 if scale is None else scale}
        full.update({k: v for k, v in params.items() if k in named or anything})
        full.update(own)
        key = (name, tuple(sorted(full.items(), key=lambda kv: kv[0])))
        if key in seen:
            raise CuspInputError(f"--prior lists {_describe_spec(name, full)} twice")
        counts[name] = counts.get(name, 0) + 1
        label = name if counts[name] == 1 else f"{name}-{counts[name]}"
        seen[key] = label
        priors[label] = make_prior(name, **full)
    return priors


def add_sampling_arguments(parser, *, priors=None, default_priors=None):
    """The options every script shares: ``--draws --tune --chains --seed --sampler
    --progress/--no-progress``, and ``--priors`` when ``priors`` (the available labels)
    is given."""
    g = parser.add_argument_group("posterior sampling")
    g.add_argument("--draws", type=draws_int, default=1000, help="draws kept per chain (default 1000)")
    g.add_argument("--tune", type=tune_int, default=1000, help="tuning steps per chain (default 1000)")
    g.add_argument("--chains", type=chains_int, default=2, help="number of chains (default 2)")
    g.add_argument("--seed", type=seed_int, default=0, help="random seed; the same seed gives the same numbers (default 0)")
    g.add_argument("--sampler", choices=("auto", "gibbs", "pymc", "nutpie"), default="auto",
                   help="auto (default): the exact Gibbs sampler where it applies (gaussian and logistic likelihoods "
                        "with gaussian, laplace, student_t, horseshoe or spike_and_slab priors), NUTS elsewhere; "
                        "gibbs; or NUTS by pymc or nutpie")
    g.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="show PyMC's progress bars (default: shown)")
    g.add_argument("--select", type=selection_methods, default="all", metavar="LIST",
                   help="sparse decisions from each posterior, stored with it: comma-separated subset of "
                        "dss,savs,interval,mpm,projection, 'all' (default: every one that applies to the fit) "
                        "or 'none'")
    if priors is not None:
        default = ",".join(default_priors or priors)
        parser.add_argument("--priors", default=default, metavar="LIST",
                            help=f"comma-separated subset of {','.join(priors)} to fit (default {default})")
    return parser


def select_priors(text, available, *, option="--priors") -> list[str]:
    """Labels from a comma-separated ``--priors`` value, in the order given, checked."""
    return check_choices(text, available, what="prior", option=option)


# ---------------------------------------------------------------------- fitting
def _quiet_sampler_logs(nuts_runs):
    """Our step lines replace PyMC's INFO chatter; warnings still show.  The pytensor
    note about BLAS linking is about installation, not about the results.  PyMC is
    imported only when NUTS will run (the import alone takes seconds: a run whose fits
    all go to the Gibbs sampler does without it)."""
    if nuts_runs:
        import pymc  # noqa: F401  (pymc sets its logger's level when imported: import it first)

    logging.getLogger("pymc").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*BLAS.*", category=UserWarning)


def fit_priors(models: dict, X, y, feature_names, args, *, log=None) -> dict:
    """Fit MAP + posterior for each ``label -> Model``, with the MAP path over
    ``prior.scale * PATH_FACTORS`` stored in each fit that has a MAP and the decisions of
    ``args.select`` (default: all that apply) stored with each; print one step line per
    fit to stderr.  Returns ``label -> FitResult`` in the same order."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    # every fit's size, and the decisions asked for, are checked before the first one samples
    check_sampling_size(args.draws, args.tune, args.chains, n_features=len(y) if X is None else np.shape(X)[1])
    if getattr(args, "select", None) is not None and not isinstance(args.select, str):
        check_selection_methods(models, args.select)
    if getattr(args, "sampler", "auto") == "gibbs":
        for label, model in models.items():
            reason = gibbs_unavailable(model.likelihood, model.prior)
            if reason:  # before any sampling: never half the fits, then an error
                raise CuspInputError(f"--sampler gibbs cannot sample {label}: {reason.replace('sampler=', '--sampler ')}")
    sampler = getattr(args, "sampler", "auto")
    _quiet_sampler_logs(sampler in ("pymc", "nutpie") or (
        sampler == "auto" and any(gibbs_unavailable(m.likelihood, m.prior) for m in models.values())))
    fits, total, start = {}, len(models), time.perf_counter()
    for k, (label, model) in enumerate(models.items(), start=1):
        what = "MAP + " if model.prior.has_map_view else "no MAP (point mass); "
        log(f"[{k}/{total}] {label}: {what}{args.chains} chain{'s' if args.chains > 1 else ''} x {args.draws} draws")
        fits[label] = model.fit(
            X, y, feature_names=feature_names, draws=args.draws, tune=args.tune, chains=args.chains,
            random_seed=args.seed, sampler=args.sampler, progressbar=args.progress,
            path_factors=PATH_FACTORS,  # stored with the fit: reports show paths without solving
        )
        log(f"      {label}: sampled by {SAMPLER_NAMES.get(fits[label].sampler, fits[label].sampler)}")
    log(f"done: {total} fit{'s' if total > 1 else ''} in {time.perf_counter() - start:.0f} s")
    methods = getattr(args, "select", None)
    if methods is None or isinstance(methods, str):
        methods = selection_methods("all" if methods is None else methods)
    if methods:
        decide(fits, methods, explicit=getattr(methods, "explicit", False), log=log)
    return fits


def check_selection_methods(models: dict, methods) -> None:
    """Before any sampling: a method named explicitly in ``--select`` must apply to at
    least one of the fits (else one clear error with the reason)."""
    from models.selection import not_applicable

    if not getattr(methods, "explicit", False):
        return
    for method in methods:
        reasons = [not_applicable(method, point_mass=float(m.prior.point_mass) > 0, likelihood=m.likelihood)
                   for m in models.values()]
        if all(reasons):
            raise CuspInputError(f"--select {method}: it applies to none of these fits: {reasons[0]}")


def decide(fits: dict, methods, *, explicit=False, log=None) -> None:
    """Compute and store (``FitResult.select``) each method's decision for every fit it
    applies to; one step line per fit.  A method that does not apply is skipped (the
    report says why, from :func:`models.selection.not_applicable`)."""
    from models.selection import not_applicable

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    for label, fit in fits.items():
        start, done = time.perf_counter(), []
        for method in methods:
            if not_applicable(method, point_mass=float(fit.prior.point_mass) > 0, likelihood=fit.likelihood_model):
                continue
            sel = fit.select(method)
            done.append(f"{method} keeps {sel.n_selected}")
        if done:
            log(f"decisions for {label}: {', '.join(done)} of {len(fit.feature_names)} "
                f"({time.perf_counter() - start:.1f} s)")


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


def script_parser(name) -> argparse.ArgumentParser:
    """A script's ``build_parser()``: ``python -m <module>``, the first paragraph of its
    docstring as the description, and its ``add_arguments``.  ``name`` is the script's
    ``__name__`` (``"__main__"`` when run with ``python -m`` works too)."""
    module = sys.modules[name]
    prog = f"python -m {module.__spec__.name if module.__spec__ else name}"
    return module.add_arguments(OneLineParser(prog=prog, description=(module.__doc__ or "").split("\n\n")[0]))


def summary_main(run):
    """A script's ``main(args) -> int`` that prints the summary of ``run(args)``: write
    ``main = summary_main(run)``."""

    def main(args) -> int:
        print(run(args).summary())
        return 0

    return main


def horseshoe_tau(tau, expected_nonzeros, *, n_features, n_obs, sigma, sigma_text) -> tuple[float, str]:
    """``(tau, sentence)``: the horseshoe global scale ``tau`` when given, else Piironen &
    Vehtari's tau0 for ``expected_nonzeros`` with noise sd (or pseudo-sigma) ``sigma``,
    described by ``sigma_text`` in the sentence."""
    if tau is not None:
        tau = check_scale("--tau", tau)
        return tau, f"tau = {tau:g}"
    # horseshoe_global_scale checks that tau0 is inside SCALE_RANGE, naming p0
    tau = horseshoe_global_scale(expected_nonzeros, n_features=n_features, n_obs=n_obs, sigma=sigma)
    return tau, (f"tau = {tau:.4g} = p0/(p-p0) sigma/sqrt(n) with p0 = {expected_nonzeros:g} expected non-zeros and "
                 f"{sigma_text} = {sigma:.3g} (Piironen & Vehtari 2017)")


def script_entry_point(module) -> None:
    """``if __name__ == "__main__"`` body: parse, run ``main``, turn a
    :class:`~priors.CuspInputError` into one line on stderr and exit code 2.
    ``module`` is the script module or its ``__name__``."""
    module = sys.modules[module] if isinstance(module, str) else module
    parser = module.build_parser()
    try:
        with catch_signals(), plain_warnings(parser.prog):
            code = module.main(parser.parse_args())
    except CuspInputError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code)


_OWN_FOLDERS = tuple(os.path.dirname(os.path.dirname(os.path.abspath(importlib.import_module(pkg).__file__)))
                     for pkg in ("priors",))  # the folder holding priors/, models/, reports/


def warning_source(category, filename) -> str | None:
    """None for cusp's own warnings (a :class:`~priors.CuspDataWarning`, or raised in
    cusp's code), else the name of the package that raised it (``arviz``,
    ``matplotlib``)."""
    if issubclass(category, CuspDataWarning):
        return None
    path = os.path.abspath(str(filename))
    for root in _OWN_FOLDERS:
        rel = os.path.relpath(path, root)
        if rel.split(os.sep)[0] in ("priors", "models", "reports"):
            return None
    parts = path.replace("\\", "/").split("/")
    if "site-packages" in parts and parts.index("site-packages") + 1 < len(parts):
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    return os.path.splitext(os.path.basename(path))[0] or "python"


@contextlib.contextmanager
def plain_warnings(prog):
    """Show each distinct warning once, on one line of stderr: ``prog: warning: ...`` for
    cusp's own, ``warning from PACKAGE (Category): ...`` for another library's (they are
    not cusp's findings).  A command-line user needs the sentence, not the source line."""
    shown = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = str(message)
        source = warning_source(category, filename)
        head = f"{prog}: warning" if source is None else f"warning from {source} ({category.__name__})"
        if (head, text) not in shown:
            shown.add((head, text))
            print(f"{head}: {text}", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
