"""Time what stakeholders and schedulers wait for: a dashboard redraw, the batch reports, their size.

1. **Filter change → redrawn chart** in Chromium, on a dashboard served by Voilà over a sample of
   about one million events (``--customers``, default 90 000): the time from choosing a value in
   the filter bar to (a) the first chart of the page showing the new data and (b) the whole page
   being up to date (every section recomputed; the scope line changes last), separately for a
   value not seen before in the page (cold) and one seen before (warm: the board's cache).
   ``--filter`` picks the filter stepped through, one value after the other in the filter bar's
   order: ``segment`` (default: the age bands) or ``channel``. A cold value may already
   have been computed ahead: the board computes the next value's first section right after a
   page's first chart, and the other values once the page has been idle for half a second.
   ``--think S`` waits S seconds between changes, as a person reading the page does, and
   ``--no-prefetch`` turns the computing ahead off, so that cold means every section queries the
   engine after the click. Target: p95 of (a) at most 300 ms.
2. **papermill** wall time for the five notebooks on the bundled French sample, two at a time.
   Target: at most 60 s.
3. **Report sizes**: each self-contained HTML page and the executed notebooks.

Run: ``python benchmarks/bench_dashboard.py [--customers N] [--repeats R] [--notebook NAME]
[--filter segment|channel] [--think S] [--no-prefetch] [--skip-browser] [--skip-reports] [--json PATH]``. Needs Chromium at
/usr/bin/chromium. The machine may be shared: each result records the 1-minute load average
before and after, and the CPU seconds of this process and its children.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from journeyviz.dashboard import PREFETCH_ENV
from journeyviz.reports import NOTEBOOKS_DIR, ensure_samples, run_notebooks
from journeyviz.serve import start

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50_ms": round(1000 * statistics.median(values)), "p95_ms": round(1000 * _percentile(values, 0.95)), "max_ms": round(1000 * max(values))}


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_redraw(customers: int, repeats: int, notebook: str, workdir: Path, think: float = 0.0, prefetch: bool = True, control: str = "segment") -> dict:
    """Median and p95 latency of a filter change in Chromium, first chart and whole page.

    ``control`` is the filter stepped through, its values in the filter bar's order: ``segment``
    (the age bands) or ``channel``. (Not ``brand``: a competitor's page has no journey map of our
    brand to redraw.)
    """
    from playwright.sync_api import sync_playwright

    from journeyviz.io import load
    from journeyviz.samples import write_sample

    data = workdir / "big"
    t0 = time.perf_counter()
    write_sample(data, customers=customers, template="lifecycle", lang="fr", format="parquet", damaged=False)
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_events = int(load(data).describe().set_index("table").loc["events", "rows"])
    loaded = time.perf_counter() - t0
    print(f"sample: {customers:,} customers, {n_events:,} events (generated in {generated:.1f} s, loaded in {loaded:.1f} s)", file=sys.stderr)

    first_chart, whole_page, cold = [], [], []
    load_before = _load()
    # Kernels inherit the server's environment.
    os.environ[PREFETCH_ENV] = "1" if prefetch else "0"
    with start(NOTEBOOKS_DIR, data=data, timeout=180, log_path=workdir / "voila.log") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:")) else r.abort())
        t0 = time.perf_counter()
        page.goto(server.page(f"{notebook}.ipynb"), timeout=600_000)
        page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=600_000)
        page.wait_for_selector(".jv-filter-segment_by select", timeout=600_000)
        first_load = time.perf_counter() - t0
        if control == "segment":
            page.select_option(".jv-filter-segment_by select", "age_band")
            page.wait_for_function("() => document.querySelector('.jv-scope').textContent.includes('age_band')", timeout=600_000)
        select = f".jv-filter-{control} select"
        # option values in the page are the labels ("tous"/"all" first, then the values)
        options = page.eval_on_selector(select, "s => Array.from(s.options).map(o => o.value)")
        values = options[1:] + options[:1]
        seen = {options[0]}  # everyone: the page as it opened, or the segments side by side
        for i in range(repeats):
            value = values[i % len(values)]
            cold.append(value not in seen)
            seen.add(value)
            if think:
                time.sleep(think)
            before = page.eval_on_selector(".vega-embed", "e => e.innerHTML")
            scope = page.inner_text(".jv-scope")
            t0 = time.perf_counter()
            page.select_option(select, value)
            page.wait_for_function("b => document.querySelector('.vega-embed').innerHTML !== b", arg=before, timeout=600_000, polling=10)
            first_chart.append(time.perf_counter() - t0)
            page.wait_for_function("s => document.querySelector('.jv-scope').textContent !== s", arg=scope, timeout=600_000, polling=10)
            whole_page.append(time.perf_counter() - t0)
        browser.close()
    return {
        "customers": customers,
        "events": n_events,
        "notebook": notebook,
        "filter": control,
        "think_seconds": think,
        "prefetch": prefetch,
        "load_average": [load_before, _load()],
        "first_page_load_s": round(first_load, 1),
        # cold: a segment not shown before (every section queries the engine); warm: a segment
        # shown before in this page (sections come from the board's cache)
        "first_chart_redrawn_cold": _summary([t for t, c in zip(first_chart, cold) if c]),
        "whole_page_redrawn_cold": _summary([t for t, c in zip(whole_page, cold) if c]),
        "first_chart_redrawn_warm": _summary([t for t, c in zip(first_chart, cold) if not c]),
        "whole_page_redrawn_warm": _summary([t for t, c in zip(whole_page, cold) if not c]),
        "target_p95_ms": 300,
    }


def bench_reports(workdir: Path) -> dict:
    """Wall time of the five notebooks on the French sample, and the size of what they produce."""
    data = ensure_samples()["maison_lumiere"]
    out = workdir / "reports"
    load_before, cpu_before = _load(), _children_cpu()
    t0 = time.perf_counter()
    results = run_notebooks(None, data=data, output_dir=out, jobs=2, progress=True)
    seconds = time.perf_counter() - t0
    sizes = {r.name: {"html_kb": round(Path(r.html).stat().st_size / 1024) if r.html else None, "ipynb_kb": round(Path(r.output_notebook).stat().st_size / 1024) if r.output_notebook else None, "seconds": r.seconds, "status": r.status} for r in results}
    return {
        "notebooks": len(results),
        "failed": sum(not r.ok for r in results),
        "wall_seconds": round(seconds, 1),
        # worker processes and the kernels they started (the kernels are their children)
        "children_cpu_seconds": round(_children_cpu() - cpu_before, 1),
        "load_average": [load_before, _load()],
        "target_seconds": 60,
        "reports": sizes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=90_000, help="sample size for the redraw benchmark (90 000 customers ≈ 1 M events)")
    parser.add_argument("--repeats", type=int, default=20, help="filter changes measured")
    parser.add_argument("--notebook", default="00_journey_overview", help="dashboard measured")
    parser.add_argument("--filter", choices=["segment", "channel"], default="segment", help="the filter stepped through: the age bands or the channels")
    parser.add_argument("--think", type=float, default=0.0, help="seconds to wait between filter changes (a person reading the page)")
    parser.add_argument("--no-prefetch", action="store_true", help="the board computes no neighbouring filter value ahead")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="jv-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_reports:
            results["reports"] = bench_reports(workdir)
            print(json.dumps(results["reports"], indent=2), flush=True)
        if not args.skip_browser:
            results["redraw"] = bench_redraw(args.customers, args.repeats, args.notebook, workdir, think=args.think, prefetch=not args.no_prefetch, control=args.filter)
            print(json.dumps(results["redraw"], indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
