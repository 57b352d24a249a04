"""The ``cusp`` command line.

``cusp priors`` prints the prior families with their density at zero and zero
threshold; ``cusp map`` prints the exact MAP with certificates on the diabetes data.
Errors a user can fix are one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import math
import sys

from priors import REGISTRY, CuspInputError, make_prior


def _priors_table() -> str:
    head = f"{'prior':<72}{'density at 0':>14}{'zero threshold':>16}  exact MAP zeros?"
    lines = [head, "-" * len(head)]
    for spec in REGISTRY.values():
        for params in spec.examples:
            prior = spec.factory(**params)
            thr = prior.zero_threshold
            if not prior.has_map_view:
                verdict = "no MAP; the posterior has P(w = 0) > 0"
            elif thr == 0:
                verdict = "no (smooth at 0)"
            elif math.isinf(thr):
                verdict = "yes: 0 is always a local MAP"
            else:
                verdict = "yes, when |slope at 0| <= threshold"
            lines.append(f"{prior.describe():<72}{prior.density_at_zero:>14.4g}{thr:>16.4g}  {verdict}")
    return "\n".join(lines)


def _parse_params(items):
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise CuspInputError(f"--param takes KEY=VALUE, got {item!r}")
        try:
            params[key] = float(value)
        except ValueError:
            raise CuspInputError(f"--param {key} must be a number, got {value!r}") from None
    return params


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cusp", description="Exact MAP estimates with a certificate for every zero.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("priors", help="table of the available priors and whether their MAP can have exact zeros")
    m = sub.add_parser("map", help="exact MAP with certificates on the diabetes data")
    m.add_argument("--prior", default="laplace", help=f"one of {', '.join(REGISTRY)} (default laplace)")
    m.add_argument("--scale", type=float, default=1.0, help="prior scale (default 1.0)")
    m.add_argument("--param", action="append", metavar="KEY=VALUE", help="extra prior parameter, e.g. p=0.5 or nu=3")
    m.add_argument("--sigma", type=float, default=54.0, help="Gaussian noise sd (default 54)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "priors":
            print(_priors_table())
        elif args.command == "map":
            from models import Model, load_diabetes

            prior = make_prior(args.prior, scale=args.scale, **_parse_params(args.param))
            X, y, names = load_diabetes()
            print(Model("gaussian", prior, sigma=args.sigma).map(X, y, feature_names=names).summary())
    except CuspInputError as exc:
        print(f"cusp: error: {exc}", file=sys.stderr)
        return 2
    return 0
