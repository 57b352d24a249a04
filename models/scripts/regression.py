"""Your own data: exact MAP and posterior for a CSV file.

Reads a CSV file with a header row (comma, semicolon or tab separated), takes one
column as the response (``--target``) and the others (or ``--features a,b,c``) as
features, standardizes the features (mean 0, sd 1, so one prior scale means the same
for every column and coefficients are per sd of their feature), and fits the chosen
likelihood under the chosen prior(s): the exact MAP with a certificate for every zero,
next to NUTS posterior draws.  Constant columns are dropped with a warning.

Run: ``python -m models.scripts.regression --data FILE.csv --target COLUMN [--likelihood gaussian|logistic|poisson]
[--prior SPEC ...] [--scale S] [--param KEY=VALUE ...] [--sigma S] [--features a,b,c]``, where each
``--prior`` is a family name, a comma list of names, or a spec such as ``'bridge(scale=1, p=0.5)'``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sys

import numpy as np

from priors import REGISTRY, CuspInputError

from models.data import shorten_list, standardize
from models.formula import design_from_formula
from models.model import Model
from models.runs import RunResult
from models.scripts.common import (
    add_sampling_arguments,
    fit_priors,
    map_claims,
    parse_params,
    resolve_priors,
    scale_float,
    script_entry_point,
    script_parser,
    summary_main,
)

TITLE = "Your data: exact MAP zeros and the posterior"
LIKELIHOODS = ("gaussian", "logistic", "poisson")
_MISSING = {"", "na", "nan", "n/a", "null", "none", "?"}


def add_arguments(parser):
    parser.add_argument("--data", required=True, metavar="FILE.csv", help="CSV file with a header row")
    parser.add_argument("--target", default=None, metavar="COLUMN",
                        help="name of the response column (or give --formula)")
    parser.add_argument("--formula", default=None, metavar="'y ~ x1 + C(group)'",
                        help="a model formula (formulae's syntax, as Bambi's): categorical and text columns are "
                             "encoded, interactions and transformations allowed; replaces --target and --features")
    parser.add_argument("--features", default=None, metavar="a,b,c",
                        help="comma-separated feature columns (default: every column except the target)")
    parser.add_argument("--likelihood", choices=LIKELIHOODS, default="gaussian",
                        help="gaussian (real y), logistic (0/1 y) or poisson (counts) (default gaussian)")
    parser.add_argument("--prior", action="append", default=None, metavar="SPEC",
                        help=f"prior to fit, repeatable: a family name ({', '.join(REGISTRY)}), a comma list of "
                             "names, or a spec with its own parameters such as 'bridge(scale=1, p=0.5)' (keyword "
                             "arguments, number literals or None only); e.g. --prior 'laplace(scale=1)' --prior "
                             "'bridge(scale=1, p=0.5)'. A family listed twice is labelled bridge, bridge-2, ... "
                             "(default laplace)")
    parser.add_argument("--scale", type=scale_float, default=None,
                        help="prior scale (Laplace b, Gaussian sd, horseshoe tau, ...) per sd of a feature, for every "
                             "prior whose spec sets no scale (default 1)")
    parser.add_argument("--param", action="append", metavar="KEY=VALUE",
                        help="extra prior parameter, e.g. p=0.5 (bridge) or nu=3 (student_t); repeatable. Applies "
                             "only to the listed priors that have KEY; a value written in a --prior spec wins")
    parser.add_argument("--sigma", type=scale_float, default=None,
                        help="Gaussian noise sd, if known (default: estimated, HalfNormal prior; MAP at its posterior median)")
    add_sampling_arguments(parser)
    return parser


def build_parser():
    return script_parser(__name__)


# ---------------------------------------------------------------------- CSV
def read_csv(path) -> tuple[list[str], list[list[str]], list[int]]:
    """``(header, rows, line_numbers)`` of a CSV file; the delimiter (``,`` ``;`` or tab)
    is detected from the header line.  Raises CuspInputError with the line to fix."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise CuspInputError(f"data file not found: {path}")
    if os.path.isdir(path):
        raise CuspInputError(f"{path} is a folder; --data needs a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise CuspInputError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    except OSError as exc:
        raise CuspInputError(f"cannot read {path}: {exc.strerror}") from None
    # Only \n and \r end a line in CSV: str.splitlines() would also split on U+0085, form
    # feeds and U+2028, and inside quoted cells ("2\n0"), turning one cell into two rows.
    first = next((ln for ln in re.split(r"\r\n|\r|\n", text) if ln.strip()), None)
    if first is None:
        raise CuspInputError(f"{path} is empty; it needs a header row and at least 2 data rows")
    delimiter = max([",", ";", "\t"], key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, rows, line_numbers = None, [], []
    try:
        start = 1
        for fields in reader:
            lineno, start = start, reader.line_num + 1  # a quoted cell may span lines: report the first
            if not fields or all(not f.strip() for f in fields):
                continue  # blank line
            fields = [f.strip() for f in fields]
            if header is None:
                header = fields
                continue
            if len(fields) != len(header):
                raise CuspInputError(
                    f"line {lineno} of {path} has {len(fields)} fields, but the header has {len(header)}; "
                    f"check the delimiter ({delimiter!r}) and quoting"
                )
            rows.append(fields)
            line_numbers.append(lineno)
    except csv.Error as exc:
        raise CuspInputError(f"{path} is not valid CSV (line {reader.line_num}): {exc}") from None
    empty = [k + 1 for k, h in enumerate(header) if not h]
    if empty:
        raise CuspInputError(f"the header of {path} has unnamed columns (positions {shorten_list(empty)}); name every column")
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise CuspInputError(f"the header of {path} repeats column names: {shorten_list(dup)}; make them unique")
    return header, rows, line_numbers


def _column(name, header, rows, line_numbers, path) -> np.ndarray:
    k = header.index(name)
    values, missing, bad = np.empty(len(rows)), [], None
    for i, row in enumerate(rows):
        cell = row[k]
        if cell.lower() in _MISSING:
            missing.append(line_numbers[i])
            values[i] = np.nan
            continue
        try:
            values[i] = float(cell)
        except ValueError:
            bad = bad or (line_numbers[i], cell)
            continue
        if not math.isfinite(values[i]):
            missing.append(line_numbers[i])
    if bad is not None:
        raise CuspInputError(f"column {name!r} of {path} is not numeric: line {bad[0]} has {bad[1]!r}; "
                             f"use --formula to encode it (e.g. --formula 'target ~ C({name}) + ...'), "
                             "or leave the column out with --features")
    if missing:
        raise CuspInputError(f"column {name!r} of {path} has empty, NaN or infinite cells on lines {shorten_list(missing)}; "
                             "fill them in or remove those rows")
    return values


def _check_two_rows(path, rows):
    if len(rows) < 2:
        raise CuspInputError(f"{os.fspath(path)} has {len(rows)} data row{'s' if len(rows) != 1 else ''}; at least 2 are needed")


def load_csv(path, target, features=None, *, warn=None):
    """``(X, y, feature_names, notes)`` from a CSV file: X standardized, constant
    feature columns dropped (with a warning through ``warn``)."""
    warn = warn or (lambda msg: print(f"warning: {msg}", file=sys.stderr))
    header, rows, line_numbers = read_csv(path)
    path = os.fspath(path)
    if target not in header:
        raise CuspInputError(f"target column {target!r} is not in {path}; its columns are: {shorten_list(header, 50)}")
    if features is None:
        names = [h for h in header if h != target]
    else:
        names = [f.strip() for f in str(features).split(",") if f.strip()]
        missing = [f for f in names if f not in header]
        if missing:
            raise CuspInputError(f"feature column {missing[0]!r} is not in {path}; its columns are: {shorten_list(header, 50)}")
        if target in names:
            raise CuspInputError(f"the target {target!r} cannot also be a feature; remove it from --features")
        if len(set(names)) != len(names):
            raise CuspInputError("--features lists a column twice")
    if not names:
        raise CuspInputError(f"{path} has no feature columns besides the target {target!r}")
    _check_two_rows(path, rows)
    y = _column(target, header, rows, line_numbers, path)
    X = np.column_stack([_column(n, header, rows, line_numbers, path) for n in names])
    constant = [n for n, sd in zip(names, X.std(axis=0)) if not sd > 0]
    notes = []
    if constant:
        keep = [j for j, n in enumerate(names) if n not in constant]
        if not keep:
            raise CuspInputError(f"every feature column of {path} is constant; nothing to fit")
        msg = (f"dropping constant column{'s' if len(constant) > 1 else ''} {shorten_list(constant)}: "
               "no information about the target (the prior alone would decide the coefficient)")
        warn(msg)
        notes.append(msg)
        X, names = X[:, keep], [names[j] for j in keep]
    return standardize(X), y, names, notes


def load_formula(path, formula):
    """``(X, y, feature_names, notes, fit_intercept, target)`` of a model formula on a CSV
    file: every column read as numbers where every cell is one, else as text (so
    formulae encodes it); empty or non-finite cells become missing, which formulae
    refuses in a column the formula uses.  X standardized; the notes name each encoded term."""
    import pandas as pd

    header, rows, line_numbers = read_csv(path)
    _check_two_rows(path, rows)
    columns = {}
    for k, name in enumerate(header):
        cells = [None if row[k].lower() in _MISSING else row[k] for row in rows]
        try:
            values = np.array([np.nan if c is None else float(c) for c in cells])
        except ValueError:
            columns[name] = pd.Series(cells, dtype=object)
        else:
            columns[name] = np.where(np.isfinite(values), values, np.nan)
    design = design_from_formula(formula, pd.DataFrame(columns))
    notes = [f"formula {formula}"] + design.encodings
    return standardize(design.X), design.y, design.feature_names, notes, design.fit_intercept, formula.split("~")[0].strip()


def run(args) -> RunResult:
    priors = resolve_priors(args.prior, scale=args.scale, params=parse_params(args.param))
    labels = list(priors)
    if args.sigma is not None and args.likelihood != "gaussian":
        raise CuspInputError(f"--sigma is for the gaussian likelihood only; the {args.likelihood} likelihood has no noise sd")
    if (args.formula is None) == (args.target is None):
        raise CuspInputError("give the response as --target COLUMN (with --features) or as a --formula, one of the two")
    fit_intercept = True
    if args.formula is not None:
        if args.features is not None:
            raise CuspInputError("--features goes with --target; a --formula names its own terms")
        X, y, names, notes, fit_intercept, target = load_formula(args.data, args.formula)
    else:
        X, y, names, notes = load_csv(args.data, args.target, args.features)
        target = args.target
    models = {label: Model(args.likelihood, prior, sigma=args.sigma, fit_intercept=fit_intercept)
              for label, prior in priors.items()}
    # validate y for this likelihood before any sampling (0/1 labels, counts)
    models[labels[0]].likelihood.check_y(y)
    fits = fit_priors(models, X, y, names, args)
    sigma_txt = ""
    if args.likelihood == "gaussian":
        sigma_txt = f", noise sd {args.sigma:g}" if args.sigma is not None else ", noise sd estimated (MAP at its posterior median)"
    intro = (
        f"{os.path.basename(args.data)}: n = {len(y)} rows, p = {len(names)} features, target {target!r}; "
        f"{args.likelihood} likelihood{sigma_txt}. Features were standardized (mean 0, sd 1), so coefficients are per "
        f"standard deviation of each feature and {_scales_text(priors)}."
    )
    if notes:
        intro += " Note: " + "; ".join(notes) + "."
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.splitext(os.path.basename(args.data))[0])[:64] or "regression"
    if not name[0].isalnum():
        name = "r" + name[:63]
    return RunResult(name, f"{TITLE}: {os.path.basename(args.data)}", intro + "\n" + "\n".join(map_claims(fits)), fits)


def _scales_text(priors) -> str:
    scales = {label: prior.scale for label, prior in priors.items()}
    if len(set(scales.values())) == 1:
        return f"one prior scale ({next(iter(scales.values())):g}) applies to all of them"
    return "each prior's scale applies to all of them (" + ", ".join(f"{k} {v:g}" for k, v in scales.items()) + ")"


main = summary_main(run)


if __name__ == "__main__":
    script_entry_point(__name__)
