"""Time the survey analyses on 1 M respondents × 20 touchpoints (synthetic, canonical columns).

Usage::

    python benchmarks/bench_survey.py [--respondents 1000000] [--touchpoints 20] [--seed 0]

Prints one line per call: the analysis, its parameters, wall-clock and CPU seconds (the cores may
be shared with other work; CPU time is the steadier figure). The first line is the one-off coding
of the survey tables (string ids to integer codes), which every later call on the same tables
reuses. Respondents rate about 80 % of the touchpoints; 90 % answer about our brand,
10 % about one competitor. ``key_drivers`` runs its default bootstrap (500 replicates resampling
2 000 random groups of respondents, the whole sample in every replicate).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import journeyviz as jv
from journeyviz.analyses._survey import coded
from journeyviz.dataset import Dataset
from journeyviz.engine import get_engine
from journeyviz.journey import Journey


def _journey(touchpoints: int) -> Journey:
    stages = [f"stage{s}" for s in range(5)]
    return Journey.from_dict(
        {
            "name": "Benchmark journey",
            "brand": "Ours",
            "language": "en",
            "stages": [{"id": s, "conversion": i == 2} for i, s in enumerate(stages)],
            "touchpoints": [{"id": f"tp{t:02d}", "stage": stages[t * len(stages) // touchpoints], "channel": "web"} for t in range(touchpoints)],
        }
    )


def build(respondents: int, touchpoints: int, seed: int) -> Dataset:
    """A survey dataset with canonical columns, drawn without any Python loop over people."""
    rng = np.random.default_rng(seed)
    journey = _journey(touchpoints)
    ids = pd.Series(np.arange(respondents)).map("{:07d}".format).radd("r").astype("str").to_numpy()
    brand = np.where(rng.random(respondents) < 0.9, "Ours", "Rival")
    mood = rng.normal(0, 1, respondents)
    tp_ids = np.array(journey.touchpoint_ids)
    stage_of = np.array([journey.touchpoint(t).stage for t in tp_ids])
    effect = rng.normal(0, 0.6, touchpoints)
    weight = rng.dirichlet(np.ones(touchpoints))

    who = np.repeat(np.arange(respondents), touchpoints)
    which = np.tile(np.arange(touchpoints), respondents)
    perception_full = np.clip(np.round(4.8 + effect[which] + 0.8 * mood[who] + rng.normal(0, 1, who.size)), 1, 7)
    overall = np.clip(np.bincount(who, weights=perception_full * weight[which], minlength=respondents) + rng.normal(0, 0.5, respondents), 1, 7)
    keep = rng.random(who.size) < 0.8
    who, which, perception = who[keep], which[keep], perception_full[keep]
    expectation = np.clip(np.round(4.9 + rng.normal(0, 1, who.size)), 1, 7)
    importance = np.clip(np.round(4 + 10 * weight[which] + rng.normal(0, 1, who.size)), 1, 7)
    ratings = pd.DataFrame(
        {
            "respondent_id": pd.array(ids[who], dtype="str"),
            "brand": pd.array(brand[who], dtype="str"),
            "touchpoint": pd.array(tp_ids[which], dtype="str"),
            "stage": pd.array(stage_of[which], dtype="str"),
            "perception": perception,
            "expectation": expectation,
            "importance": importance,
        }
    )
    nps = np.clip(np.round(1.6 * overall - 1 + rng.normal(0, 1.5, respondents)), 0, 10)
    people = pd.DataFrame(
        {
            "respondent_id": pd.array(ids, dtype="str"),
            "customer_id": pd.array(np.char.add("c", ids.astype("U8")), dtype="str"),
            "brand": pd.array(brand, dtype="str"),
            "overall": overall,
            "nps": nps,
            "ces": np.clip(np.round(5 + rng.normal(0, 1.2, respondents)), 1, 7),
            "churned": rng.random(respondents) < np.where(nps <= 6, 0.4, np.where(nps >= 9, 0.1, 0.2)),
            "region": pd.array(rng.choice(["North", "South", "East", "West", "Centre"], respondents), dtype="str"),
        }
    )
    return Dataset(journey, get_engine(), ratings=ratings, respondents=people)


CALLS = [
    ("scores", lambda ds: jv.scores(ds, level="touchpoint")),
    ("scores", lambda ds: jv.scores(ds, level="stage", by="region")),
    ("scores", lambda ds: jv.scores(ds, level="journey", by="region")),
    ("satisfaction_gap", lambda ds: jv.satisfaction_gap(ds, level="touchpoint")),
    ("satisfaction_gap", lambda ds: jv.satisfaction_gap(ds, level="stage", by="region")),
    ("key_drivers", lambda ds: jv.key_drivers(ds)),
    ("importance_performance", lambda ds: jv.importance_performance(ds)),
    ("compare_brands", lambda ds: jv.compare_brands(ds, level="touchpoint")),
    ("churn_by_experience", lambda ds: jv.churn_by_experience(ds)),
]
LABELS = ["touchpoint", "stage, by=region", "journey, by=region", "touchpoint", "stage, by=region", "500 × 2k-group bootstrap", "", "touchpoint", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--touchpoints", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    ds = build(args.respondents, args.touchpoints, args.seed)
    print(f"data: {args.respondents:,} respondents × {args.touchpoints} touchpoints, {len(ds.ratings):,} ratings, built in {time.perf_counter() - start:.1f} s")
    print(f"{'call':<24} {'parameters':<26} {'wall s':>7} {'CPU s':>7}")
    start, cpu = time.perf_counter(), time.process_time()
    coded(ds)
    print(f"{'(coding, once per data)':<24} {'':<26} {time.perf_counter() - start:7.2f} {time.process_time() - cpu:7.2f}")
    for (name, call), label in zip(CALLS, LABELS):
        start, cpu = time.perf_counter(), time.process_time()
        table = call(ds)
        print(f"{name:<24} {label:<26} {time.perf_counter() - start:7.2f} {time.process_time() - cpu:7.2f}  ({len(table)} rows)")


if __name__ == "__main__":
    main()
