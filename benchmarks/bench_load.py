"""Time ``jv.load`` on a Parquet event log by the pandas route and by the engine route.

Usage::

    python benchmarks/bench_load.py --events-file /tmp/jvdata/1M/events.parquet
    python benchmarks/bench_load.py --events-file big/events.parquet --routes engine \\
        --engine duckdb:/tmp/jv_load.duckdb --memory-limit 2GB --funnel --timeout 3600
    python benchmarks/bench_load.py --events-file events.parquet --json

``journey.yml`` must sit beside the events file (``bench_engine.py --keep-data`` writes both).
Each route runs in its own fresh Python process, one after the other, so its peak resident
memory (``os.wait4`` rusage) is its own. ``load_s`` is the time inside ``jv.load`` (reading,
validating, writing the quarantine, and for the pandas route copying the events into the
engine); ``funnel_s`` the time of one ``jv.funnel`` on the loaded Dataset (the engine route's
events are a view over the file, so each analysis reads it again); ``wall_s`` includes Python
start-up and imports. The quarantine goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROUTES = ("pandas", "engine")


def _worker(events: Path, route: str, engine: str | None, memory_limit: str | None, funnel: bool, result_file: Path) -> None:
    from journeyviz.analyses.funnel import funnel as run_funnel
    from journeyviz.engine import get_engine
    from journeyviz.io import load

    eng = get_engine(engine)
    if memory_limit and eng.name == "duckdb":
        eng.con.raw_sql(f"SET memory_limit = '{memory_limit}'")

    with tempfile.TemporaryDirectory(prefix="jvbench_quarantine_") as quarantine:
        print("step: load", flush=True)
        start = time.perf_counter()
        ds = load(events, route=route, engine=eng, quarantine_dir=quarantine)
        out: dict[str, Any] = {"load_s": time.perf_counter() - start}
        report = ds.report["events"]
        out.update(read=report.read, accepted=report.accepted, rejected=report.rejected, reasons=report.reasons, route=report.detected.get("route"))
        if funnel:
            print("step: funnel", flush=True)
            start = time.perf_counter()
            table = run_funnel(ds)
            out["funnel_s"] = time.perf_counter() - start
            out["funnel_customers"] = [int(v) for v in table["customers"]] if "customers" in table else None
    result_file.write_text(json.dumps(out))


def _run(events: Path, route: str, engine: str | None, memory_limit: str | None, funnel: bool, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"jvbench_load_{route}_") as tmp:
        result_file, log_file = Path(tmp) / "result.json", Path(tmp) / "log.txt"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", route, "--events-file", str(events), "--worker-result", str(result_file)]
        if engine:
            cmd += ["--engine", engine]
        if memory_limit:
            cmd += ["--memory-limit", memory_limit]
        if funnel:
            cmd.append("--funnel")
        start = time.perf_counter()
        with open(log_file, "w") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONWARNINGS": "ignore"}, start_new_session=True)
            timed_out = False
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - start > timeout:
                    os.killpg(proc.pid, signal.SIGKILL)
                    pid, status, usage = os.wait4(proc.pid, 0)
                    timed_out = True
                    break
                time.sleep(0.05)
        entry: dict[str, Any] = {"route": route, "engine": (engine or "duckdb") + (f" ({memory_limit})" if memory_limit else ""), "wall_s": round(time.perf_counter() - start, 1), "peak_mb": round(usage.ru_maxrss / 1024)}
        if timed_out:
            entry["status"] = f"timeout after {timeout:g} s"
        elif os.waitstatus_to_exitcode(status) != 0 or not result_file.exists():
            lines = log_file.read_text(errors="replace").strip().splitlines()
            step = next((line[6:] for line in reversed(lines) if line.startswith("step: ")), "start-up")
            error = next((line for line in reversed(lines) if "Error" in line.split(":")[0]), lines[-1] if lines else "")
            entry["status"] = f"failed in {step}: {error.strip()}"
        else:
            result = json.loads(result_file.read_text())
            entry.update(status="ok", **{k: round(v, 1) if k.endswith("_s") else v for k, v in result.items()})
        return entry


def _table(entries: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    head = f"{meta['events_file']} · {meta['machine']} · {meta['when']} · load average {meta['load_average'][0]} → {meta['load_average'][1]}"
    lines = [head, "", "| route | engine | load s | peak MB | funnel s | wall s | read | accepted | rejected | status |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for e in entries:
        lines.append(
            f"| {e['route']} | {e['engine']} | {e.get('load_s', '')} | {e['peak_mb']} | {e.get('funnel_s', '')} | {e['wall_s']} | "
            f"{e.get('read', ''):,} | {e.get('accepted', ''):,} | {e.get('rejected', ''):,} | {e['status']} |"
            if e["status"] == "ok"
            else f"| {e['route']} | {e['engine']} |  | {e['peak_mb']} |  | {e['wall_s']} |  |  |  | {e['status']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events-file", type=Path, required=True, help="events.parquet with journey.yml beside it")
    parser.add_argument("--routes", default=",".join(ROUTES), help="comma-separated among pandas, engine (default both, in that order)")
    parser.add_argument("--engine", default=None, help="engine= of jv.load: duckdb (default), duckdb:PATH, pyspark")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit for the run, e.g. 2GB (default: DuckDB's, 80%% of RAM)")
    parser.add_argument("--funnel", action="store_true", help="also time one jv.funnel on the loaded Dataset")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per route (default 1800)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--worker", choices=ROUTES, help=argparse.SUPPRESS)
    parser.add_argument("--worker-result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.events_file, args.worker, args.engine, args.memory_limit, args.funnel, args.worker_result)
        return 0
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    unknown = [r for r in routes if r not in ROUTES]
    if unknown:
        parser.error(f"--routes: {unknown} not among {', '.join(ROUTES)}")
    if not args.events_file.exists() or not (args.events_file.parent / "journey.yml").exists():
        parser.error(f"--events-file: {args.events_file} (and journey.yml beside it) must exist")
    meta = {
        "events_file": str(args.events_file),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    before = os.getloadavg()[0]
    entries = [_run(args.events_file, route, args.engine, args.memory_limit, args.funnel, args.timeout) for route in routes]
    meta["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    print(json.dumps({**meta, "runs": entries}, indent=2) if args.json else _table(entries, meta))
    return 0 if all(e["status"] == "ok" for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
