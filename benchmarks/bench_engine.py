"""Time journeyviz's behavioural bundle against the DuckDB floor, pandas and the peers, on the same data.

Usage::

    python benchmarks/bench_engine.py --customers 1000000            # a table with ratios vs the floor
    python benchmarks/bench_engine.py --customers 100000 --json      # one JSON object
    python benchmarks/bench_engine.py --contenders journeyviz,duckdb_floor --events-file events.parquet

The events are generated once (``journeyviz.samples``' lifecycle sample, about 11 events per
customer) and written to Parquet next to its ``journey.yml``; every
contender then runs in its own fresh Python process, one after the other, so its wall time and
peak resident memory (``os.wait4`` rusage of that process) are its own. ``seconds`` is the work
inside the process (reading the data included, Python start-up and imports excluded);
``wall_seconds`` includes them.

The bundle (definitions in ``_floor.py``): funnel over the journey's stages, touchpoint
transitions with start and end, top-10 stage paths, touchpoint audit, exact Markov attribution
by channel. retentioneering does funnel + transition-graph data and pm4py the directly-follows
graph: they are compared with journeyviz on that overlapping work.
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

HERE = Path(__file__).resolve().parent
CONTENDERS = ("duckdb_floor", "journeyviz", "pandas", "retentioneering", "pm4py")
#: Steps of each contender that count as the work retentioneering / pm4py also do.
OVERLAP = {"retentioneering": ("funnel", "transitions"), "pm4py": ("transitions",)}
BUNDLE_STEPS = ("funnel", "transitions", "top_paths", "touchpoint_audit", "attribution")


# ---------------------------------------------------------------------------- data
def _journey_for(events: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(events.with_name("journey.yml").read_text(encoding="utf-8"))


def _stages(journey: dict[str, Any]) -> tuple[list[str], str, str]:
    stages = [s["id"] for s in journey["stages"]]
    conversion = next((s["id"] for s in journey["stages"] if s.get("conversion")), stages[-1])
    return stages, conversion, journey.get("brand") or journey["name"]


def prepare_data(customers: int, folder: Path, seed: int, generator: str) -> Path:
    """Write ``events.parquet`` and ``journey.yml`` for ``customers`` customers into ``folder``.

    Runs in a child process, so the generator's memory is not held while contenders run.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--generate-into", str(folder), "--customers", str(customers),
           "--seed", str(seed), "--generator", generator]
    subprocess.run(cmd, check=True)
    return folder / "events.parquet"


# ---------------------------------------------------------------------------- worker side
def _contender_steps(name: str, events: Path, stages: list[str], conversion: str, brand: str, options: dict[str, Any]) -> list:
    sys.path.insert(0, str(HERE))
    if name == "duckdb_floor":
        import _floor

        return _floor.steps(events, stages, conversion, brand, memory_limit=options.get("memory_limit"),
                            database=options.get("database") or ":memory:")
    if name == "journeyviz":
        import _jv

        return _jv.steps(events, options)
    if name == "pandas":
        import _pandas_impl

        return _pandas_impl.steps(events, stages, conversion, brand)
    if name == "retentioneering":
        import _peers

        return _peers.retentioneering_steps(events, stages, conversion, brand)
    if name == "pm4py":
        import _peers

        return _peers.pm4py_steps(events, stages, conversion, brand)
    raise ValueError(f"contender {name!r} is not known; use some of {', '.join(CONTENDERS)}")


def _worker(name: str, events: Path, options: dict[str, Any], result_file: Path) -> None:
    import _fingerprint

    stages, conversion, brand = _stages(_journey_for(events))
    steps = _contender_steps(name, events, stages, conversion, brand, options)
    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    for step, run in steps:
        print(f"step: {step}", flush=True)  # the parent names the step a failed run stopped in
        start = time.perf_counter()
        value = run()
        timings[step] = time.perf_counter() - start
        if value is not None:
            results[step] = value
    prints = _fingerprint.fingerprints(name, results)
    result_file.write_text(json.dumps({"steps": timings, "fingerprints": prints}, default=float))


# ---------------------------------------------------------------------------- parent side
def _run_contender(name: str, events: Path, options: dict[str, Any], timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"jvbench_{name}_") as tmp:
        result_file = Path(tmp) / "result.json"
        log_file = Path(tmp) / "log.txt"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--events-file", str(events),
               "--worker-options", json.dumps(options), "--worker-result", str(result_file)]
        env = {**os.environ, "RETENTIONEERING_NO_TRACK": "1", "PYTHONWARNINGS": "ignore"}
        start = time.perf_counter()
        with open(log_file, "w") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
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
            proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
        entry: dict[str, Any] = {"seconds": None, "peak_mb": round(peak_mb, 1), "wall_seconds": round(wall, 2)}
        if timed_out:
            entry["status"] = f"timeout after {timeout:g} s"
        elif proc.returncode != 0 or not result_file.exists():
            lines = log_file.read_text(errors="replace").strip().splitlines()
            step = next((line[6:] for line in reversed(lines) if line.startswith("step: ")), "start-up")
            error = next((line for line in reversed(lines) if "Error" in line.split(":")[0]), lines[-1] if lines else "")
            entry["status"] = f"failed in {step}: {error.strip()}"
        else:
            result = json.loads(result_file.read_text())
            entry.update(status="ok", seconds=round(sum(result["steps"].values()), 3),
                         steps={k: round(v, 3) for k, v in result["steps"].items()}, fingerprints=result["fingerprints"])
            if name == "journeyviz":
                missing = [s for s in BUNDLE_STEPS if s not in result["steps"]]
                if missing:
                    entry["status"] = "partial: no " + ", ".join(missing) + " in journeyviz yet"
        return entry


def _best_of(repeat: int, name: str, events: Path, options: dict[str, Any], timeout: float) -> dict[str, Any]:
    """The fastest of ``repeat`` runs (the machine is shared, so slower runs measure the neighbours); peak memory is the largest seen."""
    runs = []
    for _ in range(max(1, repeat)):
        runs.append(_run_contender(name, events, options, timeout))
        if runs[-1]["seconds"] is None:
            break  # a timeout or failure would only repeat itself
    done = [r for r in runs if r["seconds"] is not None]
    best = min(done, key=lambda r: r["seconds"]) if done else runs[-1]
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["runs"] = len(runs)
    return best


def _same_work(reference: dict[str, Any], entry: dict[str, Any]) -> float | None:
    """Seconds ``reference`` spent on the bundle steps ``entry`` ran (None when it lacks one of them)."""
    wanted = [s for s in entry["steps"] if s in BUNDLE_STEPS]
    if reference.get("seconds") is None or not wanted or any(s not in reference["steps"] for s in wanted):
        return None
    return sum(reference["steps"][s] for s in wanted)


def _compare(report: dict[str, Any]) -> None:
    """Add, per contender: its time over the floor's and journeyviz's on the same steps, and whether its numbers match the floor's."""
    import _fingerprint

    floor, jv = report.get("duckdb_floor", {}), report.get("journeyviz", {})
    for name, entry in report.items():
        if entry["seconds"] is None:
            continue
        if name != "duckdb_floor" and floor.get("seconds") is not None:
            same = _same_work(floor, entry)
            if same:
                entry["ratio_to_floor"] = round(entry["seconds"] / same, 2)
            entry["matches_floor"] = _fingerprint.compare(entry["fingerprints"], floor["fingerprints"])
        if name not in ("journeyviz", "duckdb_floor") and jv.get("seconds") is not None:
            same = _same_work(jv, entry)
            if same:
                entry["journeyviz_seconds_same_work"] = round(same, 3)
                entry["journeyviz_speedup"] = round(entry["seconds"] / same, 1)


def _table(report: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        f"{meta['events']:,} events, {meta['customers']:,} customers · {meta['machine']} · {meta['date']}"
        f" · 1-min load average {meta['load_average'][0]} before, {meta['load_average'][1]} after",
        "",
        f"{'contender':<16} {'seconds':>9} {'peak MB':>9} {'× floor':>8} {'jv faster':>10}  status; matches the floor",
    ]
    for name, e in report.items():
        secs = "—" if e["seconds"] is None else f"{e['seconds']:.2f}"
        ratio = f"{e['ratio_to_floor']:.2f}" if "ratio_to_floor" in e else ""
        faster = f"{e['journeyviz_speedup']:.1f}×" if e.get("journeyviz_speedup") else ""
        note = "; ".join([e["status"], *(f"{k} {'yes' if v else 'NO'}" for k, v in e.get("matches_floor", {}).items())])
        lines.append(f"{name:<16} {secs:>9} {e['peak_mb']:>9.0f} {ratio:>8} {faster:>10}  {note}")
    lines.append("")
    lines.append("steps (seconds): " + "; ".join(
        f"{n}: " + ", ".join(f"{k} {v:.2f}" for k, v in e.get("steps", {}).items()) for n, e in report.items() if e.get("steps")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers to generate (about 11 events each)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help=f"comma-separated, from {', '.join(CONTENDERS)}")
    parser.add_argument("--events-file", type=Path, help="use this Parquet event log (canonical columns) instead of generating one")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a contender is stopped and reported as timed out")
    parser.add_argument("--repeat", type=int, default=1, help="run each contender this many times and keep its fastest run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", help="DuckDB file for journeyviz and the floor (out-of-core runs)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit for journeyviz and the floor, e.g. 2GB")
    parser.add_argument("--keep-data", type=Path, help="write the generated data into this folder and keep it")
    parser.add_argument("--generator", choices=("journeyviz", "standin"), default="journeyviz",
                        help="journeyviz.samples' lifecycle sample (default) or the benchmark's own stand-in")
    parser.add_argument("--generate-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-options", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--worker-result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))

    if args.worker:
        _worker(args.worker, args.events_file, json.loads(args.worker_options), args.worker_result)
        return 0
    if args.generate_into:
        import _data

        _data.write_events(args.generate_into, args.customers, args.seed, args.generator)
        return 0

    names = [n.strip() for n in args.contenders.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CONTENDERS))
    if unknown:
        parser.error(f"--contenders: {', '.join(unknown)} not known; use some of {', '.join(CONTENDERS)}")
    options = {"database": args.database, "memory_limit": args.memory_limit}

    with tempfile.TemporaryDirectory(prefix="jvbench_data_") as tmp:
        if args.events_file:
            events = args.events_file.resolve()
            if not events.with_name("journey.yml").exists():
                parser.error(f"--events-file {events}: no journey.yml beside it; the contenders need the journey's stages and brand")
            generate_seconds = 0.0
        else:
            folder = args.keep_data or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            events = prepare_data(args.customers, folder, args.seed, args.generator)
            generate_seconds = time.perf_counter() - start
        import pyarrow.parquet as pq

        meta_pq = pq.ParquetFile(events).metadata
        meta = {
            "events": meta_pq.num_rows,
            "customers": args.customers if not args.events_file else None,
            "parquet_mb": round(events.stat().st_size / 2**20, 1),
            "generate_seconds": round(generate_seconds, 1),
            "generator": None if args.events_file else args.generator,
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        }
        if meta["customers"] is None:
            import duckdb

            con = duckdb.connect()
            con.execute("SET enable_progress_bar = false")  # it would write into the --json output
            meta["customers"] = con.execute(f"SELECT count(DISTINCT customer_id) FROM read_parquet('{events}')").fetchall()[0][0]
        load_before = os.getloadavg()[0]
        report = {name: _best_of(args.repeat, name, events, options, args.timeout) for name in names}
        meta["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    _compare(report)
    for entry in report.values():
        entry.pop("fingerprints", None)
    if args.json:
        print(json.dumps({**report, "_run": meta}, indent=1, default=str))
    else:
        print(_table(report, meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
