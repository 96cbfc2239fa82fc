"""Time the sample generator: seconds and peak memory for 100 k and 1 M customers.

Run: ``python benchmarks/bench_samples.py [CUSTOMERS ...]`` (default: 100000 1000000). Each size
runs in a fresh process so its peak resident memory is its own. Prints one line per size: wall
seconds, CPU seconds of the process (the fairer figure when other jobs share the cores) and peak
resident memory.
"""

from __future__ import annotations

import json
import subprocess
import sys

_CHILD = """
import json, resource, time
from journeyviz.samples import generate
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, start_cpu = time.perf_counter(), cpu()
sample = generate(customers={n}, seed=42)
seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"customers": {n}, "events": len(sample.events), "ratings": len(sample.ratings),
                  "respondents": len(sample.respondents), "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "peak_mb": round(peak_mb)}}))
"""


def run(customers: int) -> dict:
    """Generate ``customers`` in a child process; returns sizes, seconds and peak resident MB."""
    done = subprocess.run([sys.executable, "-c", _CHILD.format(n=customers)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"generating {customers:,} customers failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100_000, 1_000_000]
    print(f"{'customers':>10} {'events':>11} {'seconds':>8} {'CPU s':>8} {'peak MB':>8}")
    for n in sizes:
        r = run(n)
        print(f"{r['customers']:>10,} {r['events']:>11,} {r['seconds']:>8.2f} {r['cpu_seconds']:>8.2f} {r['peak_mb']:>8,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
