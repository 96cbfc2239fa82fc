"""A vectorised event-log generator for the benchmark, used when journeyviz.samples cannot produce millions of customers quickly.

It writes the canonical event columns (see journeyviz/dataset.py) to one Parquet file, chunk by
chunk, so 10 M customers (about 100 M events) never sit in memory at once. Behaviour is shaped
like the sample brand's: customers are online, store or omnichannel shoppers, progress through
six stages with drop-off, sometimes step back to an earlier stage, and some contacts are with
competitors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

OUR_BRAND = "Maison Lumière"
COMPETITORS = ("Atelier Nord", "Casa Bella")
STAGES = ("awareness", "consideration", "purchase", "delivery", "usage", "service")
CONVERSION_STAGE = "purchase"

# (id, stage, channel, initiative, objective, weight for online shoppers, weight for store shoppers)
_TOUCHPOINTS = (
    ("search_ad", "awareness", "web", "company", "inform", 4, 1),
    ("social_post", "awareness", "social", "customer", "image", 3, 1),
    ("shop_window", "awareness", "store", "customer", "image", 1, 5),
    ("newsletter", "awareness", "email", "company", "inform", 2, 1),
    ("product_page", "consideration", "web", "customer", "inform", 5, 1),
    ("app_browse", "consideration", "app", "customer", "inform", 3, 1),
    ("store_visit", "consideration", "store", "customer", "inform", 1, 4),
    ("staff_advice", "consideration", "store", "customer", "purchase", 1, 3),
    ("chat_question", "consideration", "chat", "customer", "inform", 2, 1),
    ("web_checkout", "purchase", "web", "customer", "purchase", 5, 1),
    ("store_checkout", "purchase", "store", "customer", "purchase", 1, 5),
    ("home_delivery", "delivery", "mail", "company", "image", 4, 1),
    ("click_collect", "delivery", "store", "customer", "image", 2, 2),
    ("first_use", "usage", "app", "customer", "image", 2, 1),
    ("thank_you_email", "usage", "email", "company", "image", 3, 3),
    ("review", "usage", "web", "customer", "image", 1, 1),
    ("hotline_call", "service", "phone", "customer", "image", 1, 2),
    ("return_request", "service", "web", "customer", "image", 2, 1),
)
_KINDS = ("online", "store", "omni")
_KIND_SHARE = (0.45, 0.25, 0.30)
# Probability of going on from stage k to stage k+1, by shopper kind (omnichannel shoppers convert best).
_CONTINUE = {
    "online": (0.72, 0.50, 0.85, 0.70, 0.45),
    "store": (0.60, 0.55, 0.90, 0.75, 0.50),
    "omni": (0.80, 0.70, 0.90, 0.75, 0.55),
}
# Mean extra contacts per reached stage (each reached stage has at least one).
_EXTRA_CONTACTS = (3.5, 3.5, 0.3, 0.6, 1.5, 1.2)
_BACK_STEP = 0.06
_COMPETITOR_SHARE = 0.12
_START = np.datetime64("2025-01-01T00:00:00", "s")


def journey_dict() -> dict[str, Any]:
    """The journey definition of the generated data, shaped like journey.yml."""
    return {
        "name": "Maison Lumière — benchmark",
        "brand": OUR_BRAND,
        "language": "en",
        "stages": [{"id": s, "label": s.title(), **({"conversion": True} if s == CONVERSION_STAGE else {})} for s in STAGES],
        "touchpoints": [
            {"id": t, "label": t.replace("_", " "), "stage": s, "channel": c, "initiative": i, "objective": o,
             "moment": "before" if STAGES.index(s) < 2 else ("during" if s == CONVERSION_STAGE else "after")}
            for t, s, c, i, o, _, _ in _TOUCHPOINTS
        ],
        "privacy": {"min_group_size": 10},
        "timezone": "UTC",
    }


def _chunk(rng: np.random.Generator, first_customer: int, n: int, first_event: int) -> pa.Table:
    kind = rng.choice(len(_KINDS), size=n, p=_KIND_SHARE)
    depth = np.zeros(n, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    for k in range(len(STAGES) - 1):
        p = np.array([_CONTINUE[name][k] for name in _KINDS])[kind]
        alive &= rng.random(n) < p
        depth += alive
    reached = np.arange(len(STAGES))[None, :] <= depth[:, None]
    counts = (1 + rng.poisson(_EXTRA_CONTACTS, size=(n, len(STAGES)))) * reached
    per_customer = counts.sum(axis=1)
    total = int(per_customer.sum())

    cust = np.repeat(np.arange(n), per_customer)
    stage = np.repeat(np.tile(np.arange(len(STAGES)), n), counts.ravel())
    # A back-step: a contact relabelled to the previous stage (a loop in the journey).
    back = (rng.random(total) < _BACK_STEP) & (stage > 0)
    stage = stage - back

    tp_stage = np.array([STAGES.index(t[1]) for t in _TOUCHPOINTS])
    weights = {
        "online": np.array([t[5] for t in _TOUCHPOINTS], dtype=float),
        "store": np.array([t[6] for t in _TOUCHPOINTS], dtype=float),
    }
    weights["omni"] = weights["online"] + weights["store"]
    touch = np.empty(total, dtype=np.int64)
    ev_kind = kind[cust]
    for s in range(len(STAGES)):
        candidates = np.flatnonzero(tp_stage == s)
        for k, name in enumerate(_KINDS):
            mask = (stage == s) & (ev_kind == k)
            w = weights[name][candidates]
            touch[mask] = rng.choice(candidates, size=int(mask.sum()), p=w / w.sum())

    starts = rng.integers(0, 300 * 86400, size=n)
    gaps = np.ceil(rng.exponential(18 * 3600, size=total)).astype(np.int64)
    offsets = np.cumsum(gaps)
    first = np.concatenate(([0], np.cumsum(per_customer)[:-1]))
    offsets -= np.repeat(offsets[first] - gaps[first], per_customer)
    timestamp = _START + (np.repeat(starts, per_customer) + offsets).astype("timedelta64[s]")

    brand = np.zeros(total, dtype=np.int64)
    competitor = (rng.random(total) < _COMPETITOR_SHARE) & (stage <= 1)
    brand[competitor] = 1 + rng.integers(0, len(COMPETITORS), size=int(competitor.sum()))

    ids = np.array([f"C{i:08d}" for i in range(first_customer, first_customer + n)], dtype=object)
    return pa.table(
        {
            "event_id": pa.array(np.arange(first_event, first_event + total, dtype=np.int64)),
            "customer_id": pa.array(ids, pa.string()).take(pa.array(cust)),
            "timestamp": pa.array(timestamp.astype("datetime64[us]")),
            "touchpoint": pa.array([t[0] for t in _TOUCHPOINTS], pa.string()).take(pa.array(touch)),
            "stage": pa.array(STAGES, pa.string()).take(pa.array(stage)),
            "stage_order": pa.array(stage.astype(np.int64)),
            "channel": pa.array([t[2] for t in _TOUCHPOINTS], pa.string()).take(pa.array(touch)),
            "brand": pa.array((OUR_BRAND, *COMPETITORS), pa.string()).take(pa.array(brand)),
        }
    )


def write_events(path: str | Path, customers: int, seed: int = 7, chunk: int = 500_000) -> int:
    """Generate ``customers`` customers' events into one Parquet file; return the number of events."""
    rng = np.random.default_rng(seed)
    written = 0
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, customers, chunk):
            table = _chunk(rng, start, min(chunk, customers - start), written)
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table, row_group_size=1_000_000)
            written += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return written
