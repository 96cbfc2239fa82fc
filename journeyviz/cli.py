"""The ``journeyviz`` command line: sample · validate · run · serve · demo.

Each subcommand is a thin shell over a package function; ``journeyviz <command> --help`` explains it.
Imports are made inside the commands so that ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence


def _parse_value(text: str):
    """Parameter values from the command line: JSON when it parses (numbers, lists, true), else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _cmd_sample(args: argparse.Namespace) -> int:
    from .samples import write_sample

    out = write_sample(
        args.out,
        customers=args.customers,
        seed=args.seed,
        template=args.template,
        lang=args.lang,
        format=args.format,
        damaged=not args.clean,
    )
    print(f"sample dataset written to {out}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import DataError, load
    from .journey import JourneyError

    try:
        ds = load(args.path, quarantine_dir=args.quarantine_dir, engine=args.engine, route=args.route)
    except (DataError, JourneyError, FileNotFoundError) as exc:
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False, indent=2))
        else:
            print(f"error: {exc}", file=sys.stderr)
        return 2
    report = ds.report
    if args.json:
        print(report.to_json())
    else:
        print(report)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .reports import run_config, run_notebooks

    if args.config:
        results = run_config(args.config, jobs=args.jobs)
    else:
        params = {name: _parse_value(value) for name, value in (args.parameter or [])}
        results = run_notebooks(
            args.notebooks or None,
            data=args.data,
            parameters=params,
            output_dir=args.output_dir,
            jobs=args.jobs,
        )
    failed = [r for r in results if not r.ok]
    return 1 if failed else 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(args.notebooks_dir, port=args.port, data=args.data, open_browser=args.open)


def _cmd_demo(args: argparse.Namespace) -> int:
    from .reports import demo

    return demo(args.output_dir, jobs=args.jobs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journeyviz",
        description="Customer-journey analytics: generate sample data, validate datasets, run reports, serve dashboards.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("sample", help="write a seeded sample dataset (journey.yml + events, customers, ratings, respondents)")
    p.add_argument("--out", required=True, type=Path, help="dataset folder to write (created if missing)")
    p.add_argument("--template", default="lifecycle", choices=["lifecycle", "hotel"], help="sample journey: lifecycle (the French home-decoration retailer, default) or hotel")
    p.add_argument("--lang", default=None, choices=["fr", "en"], help="language of labels and files (default: the sample's own: fr for lifecycle, en for hotel)")
    p.add_argument("--customers", type=int, default=None, help="number of customers (default: 5000 for lifecycle, 1500 for hotel; 1000000 gives about 10 M events)")
    p.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same data (default: 42)")
    p.add_argument("--format", default="csv", choices=["csv", "parquet"], help="file format (default: csv)")
    p.add_argument("--clean", action="store_true", help="write no deliberately damaged rows (by default a few are planted in lifecycle CSVs to show the quarantine)")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("validate", help="load a dataset folder and print what was accepted and set aside")
    p.add_argument("path", type=Path, help="dataset folder holding journey.yml and the tables")
    p.add_argument("--json", action="store_true", help="print the report as JSON (per-table read/accepted/rejected counts and reasons)")
    p.add_argument("--quarantine-dir", type=Path, default=None, help="where rejected rows are written (default: PATH/_quarantine)")
    p.add_argument("--engine", default=None, help="engine for events: duckdb (default), duckdb:FILE or pyspark")
    p.add_argument("--route", default="auto", choices=["auto", "engine", "pandas"],
                   help="where events are validated: auto (default: in the engine for typed Parquet events from 2 M rows, else in pandas), engine (Parquet only; an out-of-core log) or pandas")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("run", help="execute notebooks with papermill into self-contained HTML reports")
    p.add_argument("notebooks", nargs="*", help="notebooks to run (default: all of notebooks/)")
    p.add_argument("--data", default=None, help="dataset folder passed as the notebooks' data_path")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), help="a notebook parameter (repeatable); VALUE is parsed as JSON when it can be")
    p.add_argument("--config", type=Path, default=None, help="runs.yml listing several runs (one per segment, brand…)")
    p.add_argument("--output-dir", type=Path, default=Path("reports"), help="where reports and index.html go (default: reports/)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default: 2, one per core)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("serve", help="serve the notebooks as Voilà dashboards on 127.0.0.1")
    p.add_argument("notebooks_dir", nargs="?", default="notebooks", type=Path, help="folder of notebooks (default: notebooks/)")
    p.add_argument("--port", type=int, default=8866, help="port (default: 8866)")
    p.add_argument("--data", default=None, help="dataset folder the dashboards open (default: the bundled sample)")
    p.add_argument("--open", action="store_true", help="open a browser")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("demo", help="sample data + every report + how to open the dashboards")
    p.add_argument("--output-dir", type=Path, default=Path("reports"), help="where the reports go (default: reports/)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default: 2)")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
