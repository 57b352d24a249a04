"""cusp: exact MAP estimates with a certificate for every zero, next to full posterior samples.

Commands: ``cusp demo`` (the diabetes data, report folder), ``cusp run MODEL`` (a model
script or your own CSV), ``cusp report RESULTS`` (re-render without sampling), ``cusp
explore`` (one interactive page), ``cusp sweep SPEC.toml`` (a grid of fits on dask, resumable),
``cusp priors`` (the prior families), ``cusp map`` (MAP only).  Errors a user can fix are one line
on stderr with exit code 2; output is written to a staging folder and moved into place
only when complete, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

from models.data import DIABETES_SIGMA
from models.interrupts import catch_signals, raise_if_interrupted
from models.io import check_output_file, write_text_atomically
from models.runs import load_run, save_run
from models.scripts.common import (
    chains_int,
    draws_int,
    OneLineParser,
    add_sampling_arguments,
    parse_params,
    plain_warnings,
    resolve_priors,
    scale_float,
    seed_int,
)
from reports.cells import threshold_label
from reports.pages import FIGURE_FORMATS
from reports.publish import check_output_folder, is_staging_folder, staged_folder
from priors import REGISTRY, CuspInputError


def _map_kind(prior) -> str:
    return prior.map_kind if prior.has_map_view else "none"


def _samplers(prior) -> str:
    """The samplers this prior declares it supports (asked of the prior, see Prior.capabilities)."""
    caps = prior.capabilities()
    if not caps["pymc"]:
        return "none (MAP only)"
    names = ["NUTS (w integrated out)" if caps["collapsed_nuts"] else "NUTS"]
    if caps["gibbs"]:
        names.append("Gibbs")
    return ", ".join(names)


def _priors_table() -> str:
    head = f"{'prior':<72}{'density at 0':>14}{'zero threshold':>16}  {'MAP':<11} {'samplers':<31} exact MAP zeros?"
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
            lines.append(f"{prior.describe():<72}{prior.density_at_zero:>14.4g}{threshold_label(prior):>16}  "
                         f"{_map_kind(prior):<11} {_samplers(prior):<31} {verdict}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="cusp", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    demo = sub.add_parser("demo", help="the main job: MAP + posterior on the diabetes data, as an HTML report folder",
                          description="Fit the diabetes data under Gaussian, Laplace and horseshoe priors (exact MAP and "
                                      "posterior) and write a report folder whose index.html links the reports.")
    demo.add_argument("--out", default="cusp-demo", help="output folder (default ./cusp-demo)")
    demo.add_argument("--force", action="store_true", help="replace an existing output folder")
    add_sampling_arguments(demo)
    demo.add_argument("--quick-study", action="store_true", help="run the study with small grids and tiny sampling")

    run = sub.add_parser("run", help="run a model script and write results (netCDF + JSON) and an HTML report",
                         description="Run one of the model scripts; `cusp run regression --data FILE.csv --target COLUMN` "
                                     "runs your own data. Its --prior is repeatable and takes a family name, a comma "
                                     "list of names, or a spec with the prior's own parameters: --prior "
                                     "'laplace(scale=1)' --prior 'bridge(scale=1, p=0.5)'. A value written in a spec "
                                     "wins over --scale/--param; --param applies only to the listed priors that have "
                                     "that parameter. See `cusp run regression --help`.")
    scripts = run.add_subparsers(dest="script", required=True, parser_class=OneLineParser, metavar="MODEL")
    for name, module in _scripts().items():
        script = _load(module)
        sp = scripts.add_parser(name, help=script.TITLE, description=(script.__doc__ or "").split("\n\n")[0])
        script.add_arguments(sp)
        sp.add_argument("--out", default=None, help=f"output folder (default ./cusp-{name})")
        sp.add_argument("--force", action="store_true", help="replace an existing output folder")

    rep = sub.add_parser("report", help="re-render an HTML report from saved results (no sampling)",
                         description="Rebuild the HTML report from results files written by `cusp run` or `cusp demo`.")
    rep.add_argument("results", nargs="+", help="a results folder, or one or more .nc files")
    rep.add_argument("-o", "--output", default=None, help="HTML file to write (default: report.html beside the results)")
    rep.add_argument("--force", action="store_true", help="overwrite an existing HTML file (or --figures folder)")
    rep.add_argument("--figures", default=None, metavar="DIR",
                     help="instead of the HTML page, write every figure of the report as its own file into DIR "
                          "(for slides); the file names go to stdout")
    rep.add_argument("--format", default=None, choices=FIGURE_FORMATS,
                     help="file format of --figures (svg and pdf: vector; default svg)")

    study = sub.add_parser("study", help="the study: singularity, not concentration (experiments and report)",
                           description="Run the eight experiments that show exact MAP zeros come from a prior's "
                                       "singularity at 0, not its concentration, and write the report.")
    study.add_argument("--out", default="cusp-study", help="output folder (default ./cusp-study)")
    study.add_argument("--force", action="store_true", help="replace an existing output folder")
    study.add_argument("--quick", action="store_true", help="smaller grids and tiny sampling (seconds; for tests)")
    study.add_argument("--seed", type=seed_int, default=0, help="random seed (default 0)")

    explore = sub.add_parser("explore", help="one interactive HTML page: move the prior, watch exact zeros appear",
                             description="Write one self-contained interactive page (opens offline): exact MAPs with "
                                         "their certificates over the prior scale for four priors, the Gaussian's "
                                         "concentration, normal means, and the L1/L2/L0.5 geometry. Default data: diabetes.")
    explore.add_argument("--data", default=None, metavar="FILE.csv", help="your own data (a CSV file with a header row)")
    explore.add_argument("--target", default=None, metavar="COLUMN", help="the response column of --data")
    explore.add_argument("--sigma", type=scale_float, default=None,
                         help=f"Gaussian noise sd (default: {DIABETES_SIGMA:g} for diabetes, least squares' residual sd for --data)")
    explore.add_argument("-o", "--output", default="cusp-explore.html", help="HTML file to write (default ./cusp-explore.html)")
    explore.add_argument("--force", action="store_true", help="overwrite an existing output file")
    explore.add_argument("--draws", type=draws_int, default=500,
                         help="Gibbs draws per chain (and as many warm-up sweeps) at each sampled scale (default 500)")
    explore.add_argument("--chains", type=chains_int, default=2, help="chains at each sampled scale (default 2)")
    explore.add_argument("--seed", type=seed_int, default=0, help="random seed of the Gibbs draws (default 0)")

    sweep = sub.add_parser("sweep", help="a grid of fits (data sets x priors x scales x seeds x folds) on dask, resumable",
                           description="Run the sweep described by SPEC.toml (see the README's Sweeps section) on a local "
                                       "cluster of worker processes or a running dask scheduler; each finished cell is "
                                       "written at once, so running the same command again resumes an interrupted sweep. "
                                       "Writes OUT/results.csv, OUT/results.parquet and OUT/report.html.")
    sweep.add_argument("spec", nargs="?", default=None, metavar="SPEC.toml", help="the sweep's TOML file (or use --preset)")
    sweep.add_argument("--preset", default=None, choices=_sweep_presets(), help="a ready-made sweep instead of SPEC.toml")
    sweep.add_argument("--out", default=None, help="the sweep folder (default ./cusp-sweep, or ./cusp-PRESET); an "
                                                   "existing folder of the same sweep is resumed")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N",
                       help="worker processes of the local cluster (default: one per core)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="the address of a running dask scheduler, e.g. tcp://10.0.0.5:8786")
    sweep.add_argument("--force", action="store_true", help="replace the results of another sweep in --out")
    sweep.add_argument("--no-progress", action="store_true", help="no progress line on stderr")

    sub.add_parser("priors", help="table of the available priors and whether their MAP can have exact zeros")
    m = sub.add_parser("map", help="exact MAP with certificates on the diabetes data (no sampling)")
    m.add_argument("--prior", default="laplace", metavar="SPEC",
                   help=f"one of {', '.join(REGISTRY)}, or a spec with its parameters such as 'bridge(scale=1, p=0.5)' "
                        "(default laplace)")
    m.add_argument("--scale", type=scale_float, default=None,
                   help="prior scale, unless the --prior spec sets one (default 1.0)")
    m.add_argument("--param", action="append", metavar="KEY=VALUE", help="extra prior parameter, e.g. p=0.5 or nu=3")
    m.add_argument("--sigma", type=scale_float, default=DIABETES_SIGMA, help=f"Gaussian noise sd (default {DIABETES_SIGMA:g})")
    return parser


def _sweep_presets() -> list:
    from models.sweep.presets import PRESETS

    return list(PRESETS)


def _sweep(args) -> int:
    from models.sweep import load_spec, preset, run
    from reports.sweep import write_sweep_report

    if (args.spec is None) == (args.preset is None):
        raise CuspInputError("give the sweep's SPEC.toml or --preset NAME (one of them)")
    spec = load_spec(preset(args.preset) if args.preset else args.spec)  # every check before any work
    out = args.out if args.out is not None else ("cusp-sweep" if args.preset is None else f"cusp-{args.preset}")
    try:
        result = run(spec, out=out, workers=args.workers, scheduler=args.scheduler, force=args.force,
                     progress=False if args.no_progress else None)
    except KeyboardInterrupt as exc:
        cells = os.path.join(os.path.abspath(out), "cells")
        kept = len([f for f in os.listdir(cells) if f.endswith(".json")]) if os.path.isdir(cells) else 0
        what = "SIGTERM received" if "SIGTERM" in str(exc) else "interrupted"
        print(f"cusp: {what}; {kept} finished cells are kept in {cells}: run the same command again to resume",
              file=sys.stderr)
        return 130
    report = write_sweep_report(result.out)
    _step(f"{result.n_cells} cells: {result.computed} computed, {result.skipped} already done, {result.errors} "
          f"failed ({result.seconds:.1f} s)")
    _step(f"wrote {os.path.join(out, 'results.csv')}, {os.path.join(out, 'results.parquet')} and {report}")
    return 1 if result.errors else 0


def _scripts() -> dict:
    from models.scripts import SCRIPTS

    return SCRIPTS


def _load(module):
    import importlib

    return importlib.import_module(module)


def _step(message):
    print(f"cusp: {message}", file=sys.stderr, flush=True)


def _run_script(name, args):
    """Run a model script with its parsed options and return the RunResult."""
    return _load(_scripts()[name]).run(args)


def _write_run(run, folder):
    """Results (one .nc per fit, summary.json) and the report (index.html) into ``folder``."""
    from reports.html import write_report

    save_run(run, folder)
    write_report(run, folder)


def _inputs(args) -> list:
    """The files a command reads: ``--force`` must never delete a folder holding one."""
    return [getattr(args, "data", None)]


def _run(args):
    out = f"cusp-{args.script}" if args.out is None else args.out
    check_output_folder(out, force=args.force, inputs=_inputs(args))  # before sampling, not after
    run = _run_script(args.script, args)
    print(run.summary())
    with staged_folder(out, force=args.force, inputs=_inputs(args)) as tmp:
        _write_run(run, tmp)
    _step(f"wrote {os.path.join(out, 'index.html')}")


def _demo(args):
    from reports.html import render_index

    diabetes = _load(_scripts()["diabetes"])
    parser = OneLineParser(prog="cusp demo")
    diabetes.add_arguments(parser)
    check_output_folder(args.out, force=args.force)  # before sampling, not after
    script_args = parser.parse_args([])  # the script's defaults ...
    for key in ("draws", "tune", "chains", "seed", "sampler", "progress", "select"):  # ... with the demo's sampling options
        setattr(script_args, key, getattr(args, key))
    from reports.background import Background
    from reports.explorer import write_explorer

    with staged_folder(args.out, force=args.force) as tmp:
        # the study runs in a second process while this one fits, renders and explores
        study = Background(_write_study, os.path.join(tmp, "study"), quick=args.quick_study, seed=args.seed)
        try:
            _step("diabetes data: Gaussian, Laplace and horseshoe priors")
            run = diabetes.run(script_args)
            _write_run(run, os.path.join(tmp, run.name))
            _step("the explorer: exact MAPs over the prior scale, four priors")
            exploration = _exploration(seed=args.seed, draws=min(args.draws, 500), chains=args.chains)
            write_explorer(exploration, tmp, "explore.html")
            study.result()
        finally:
            study.stop()
        entries = [
            (run.title, f"{run.name}/index.html", run.description.split(". ")[0]),
            ("Singularity, not concentration: the study", "study/index.html",
             "Eight experiments: exact zeros come from a kink or pole of the prior at 0 (or of a decision's loss), never from its height there"),
            ("The explorer: move the prior, watch exact zeros appear", "explore.html",
             "One interactive page: exact MAPs and their certificates over the prior scale, the Gaussian's concentration, "
             "normal means and the L1/L2/L0.5 geometry"),
        ]
        write_text_atomically(os.path.join(tmp, "index.html"), render_index(entries, title="cusp demo"), suffix=".html")
    _step(f"wrote {os.path.join(args.out, 'index.html')}")


def _exploration(data=None, target=None, sigma=None, seed=0, *, draws=500, chains=2):
    """The explorer's numbers for the diabetes data or a CSV file (checked before any work)."""
    from models.explorer import explore
    from models.scripts.regression import load_csv

    if data is None:
        if target is not None:
            raise CuspInputError("--target names a column of --data; give --data FILE.csv too")
        from models import load_diabetes

        X, y, names = load_diabetes()
        return explore(X, y, names, sigma=DIABETES_SIGMA if sigma is None else sigma, label="diabetes",
                       target="disease progression", random_seed=seed, draws=draws, chains=chains,
                       sigma_note="cusp's diabetes noise sd" if sigma is None else "given")
    if target is None:
        raise CuspInputError("--data needs --target COLUMN, the response to regress on the other columns")
    X, y, names, notes = load_csv(data, target)
    return explore(X, y, names, sigma=sigma, label=os.path.basename(data), target=target, random_seed=seed, draws=draws,
                   chains=chains)


def _explore(args):
    from reports.explorer import write_explorer

    folder, filename = os.path.split(os.path.abspath(args.output))
    check_output_file(args.output, overwrite=args.force)  # before the work, not after
    if args.data is not None and os.path.abspath(args.data) == os.path.abspath(args.output):
        raise CuspInputError("-o would overwrite the --data file; choose another output name")
    exploration = _exploration(args.data, args.target, args.sigma, args.seed, draws=args.draws, chains=args.chains)
    path = write_explorer(exploration, folder, filename, force=args.force)
    _step(f"wrote {os.path.relpath(path)} (computed in {exploration.seconds:.1f} s)")


def _write_study(folder, *, quick, seed):
    from reports.study import run_study
    from reports.study.page import write_study

    _step("the study: eight experiments (singularity, not concentration)")
    write_study(folder, study=run_study(quick=quick, random_seed=seed))


def _study(args):
    check_output_folder(args.out, force=args.force)
    with staged_folder(args.out, force=args.force) as tmp:
        _write_study(tmp, quick=args.quick, seed=args.seed)
    _step(f"wrote {os.path.join(args.out, 'index.html')}")


def _report(args):
    from reports.html import render_run

    for path in args.results:
        folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        if is_staging_folder(folder):
            raise CuspInputError(f"{folder} is the staging folder of an unfinished cusp run (interrupted or still "
                                 "running); its files may be incomplete: re-run the model")
    run = load_run(args.results[0] if len(args.results) == 1 else args.results)
    first = args.results[0]
    folder = first if os.path.isdir(first) else os.path.dirname(os.path.abspath(first))
    if args.figures is None and args.format is not None:
        raise CuspInputError("--format is the file format of --figures; give --figures DIR too, or leave it out")
    if args.figures is not None:
        if args.output is not None:
            raise CuspInputError("--figures writes the figures instead of the page; leave out -o/--output")
        from reports.pages import collecting_figures

        with staged_folder(args.figures, force=args.force, inputs=args.results, option="--figures") as tmp:
            with collecting_figures(tmp, args.format or "svg") as names:
                render_run(run)
        for name in names:
            print(os.path.join(args.figures, name))
        _step(f"wrote {len(names)} figures into {args.figures}")
        return
    output = os.path.join(folder, "report.html") if args.output is None else args.output
    check_output_file(output, overwrite=args.force)  # before rendering, not after
    html = render_run(run)
    write_text_atomically(output, html, overwrite=args.force, suffix=".html")
    _step(f"wrote {output}")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with catch_signals(), plain_warnings("cusp"):
            try:
                return _dispatch(args)
            except Exception:
                raise_if_interrupted()  # a library's error after a signal: the signal is the cause
                raise
    except CuspInputError as exc:
        print(f"cusp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        what = "SIGTERM received" if "SIGTERM" in str(exc) else "interrupted"
        print(f"cusp: {what}; no output was written", file=sys.stderr)
        return 130


def _dispatch(args) -> int:
    if args.command == "priors":
        print(_priors_table())
    elif args.command == "map":
        from models import Model, load_diabetes

        priors = resolve_priors([args.prior], scale=args.scale, params=parse_params(args.param))
        if len(priors) != 1:
            raise CuspInputError(f"cusp map fits one prior; --prior {args.prior!r} lists {len(priors)}")
        prior = next(iter(priors.values()))
        X, y, names = load_diabetes()
        print(Model("gaussian", prior, sigma=args.sigma).map(X, y, feature_names=names).summary())
    elif args.command == "demo":
        _demo(args)
    elif args.command == "run":
        _run(args)
    elif args.command == "report":
        _report(args)
    elif args.command == "study":
        _study(args)
    elif args.command == "explore":
        _explore(args)
    elif args.command == "sweep":
        return _sweep(args)
    return 0
