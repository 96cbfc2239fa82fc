"""Reduce each contender's results to comparable plain values, so the benchmark also checks that the numbers agree."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

_START, _END = "(start)", "(end)"
_RENAME = {"path_start": _START, "path_end": _END}


def _edges(frame: pd.DataFrame, frm: str, to: str, count: str) -> dict[str, int]:
    return {f"{a}→{b}": int(n) for a, b, n in frame[[frm, to, count]].itertuples(index=False) if n}


def _column(frame: pd.DataFrame, *names: str) -> str:
    return next(n for n in names if n in frame.columns)


def fingerprints(contender: str, results: dict[str, Any]) -> dict[str, Any]:
    """``funnel`` (customers reaching each stage, in order), ``transitions`` ({"a→b": count}),
    ``top_paths`` ([[path, customers], ...]), ``touchpoint_audit`` ({touchpoint: [reached, contacts,
    exits, median position]}),
    ``attribution`` ({channel: removal effect}) — for whichever steps the contender ran."""
    out: dict[str, Any] = {}
    if contender == "retentioneering":
        out["funnel"] = [int(n) for n in results["funnel"]["unique_paths"]]
        counts = results["transitions"]["count"].reset_index()
        counts.columns = ["from", "to", "n"]
        counts = counts.replace(_RENAME)
        out["transitions"] = _edges(counts, "from", "to", "n")
        return out
    if contender == "pm4py":
        dfg = results["transitions"]
        edges = {f"{a}→{b}": int(n) for (a, b), n in dfg["edges"].items()}
        edges.update({f"{_START}→{a}": int(n) for a, n in dfg["start"].items()})
        edges.update({f"{a}→{_END}": int(n) for a, n in dfg["end"].items()})
        out["transitions"] = edges
        return out
    if "funnel" in results:
        f = results["funnel"]
        if "stage_order" in f.columns:
            f = f.sort_values("stage_order")
        out["funnel"] = [int(n) for n in f[_column(f, "reached", "customers")]]
    if "transitions" in results:
        t = results["transitions"]
        out["transitions"] = _edges(t, _column(t, "from", "source"), _column(t, "to", "target"), _column(t, "transitions", "count"))
    if "top_paths" in results:
        p = results["top_paths"]
        out["top_paths"] = [[str(a), int(n)] for a, n in p[["path", "customers"]].itertuples(index=False)]
    if "touchpoint_audit" in results:
        a = results["touchpoint_audit"]
        a = a.rename(columns={"reach": "reached"})
        out["touchpoint_audit"] = {
            str(t): [int(n), int(c), int(x), float(p)]
            for t, n, c, x, p in a[["touchpoint", "reached", "contacts", "exits", "median_position"]].itertuples(index=False) if n
        }
    if "attribution" in results:
        m = results["attribution"]
        if "model" in m.columns:
            m = m[m["model"] == "markov"]
        key = _column(m, "channel", "touchpoint", "level_value")
        # journeyviz suppresses (NaN) the credit of items reaching too few customers; those are not compared.
        out["attribution"] = {str(c): float(v) for c, v in m[[key, "removal_effect"]].itertuples(index=False) if not math.isnan(v)}
    return out


def compare(mine: dict[str, Any], floor: dict[str, Any]) -> dict[str, bool]:
    """For each part both contenders computed: do the values equal the floor's?

    Removal effects are compared to a relative 1e-9, and only for the items the contender reports
    (journeyviz leaves out, as NaN, items below the privacy threshold)."""
    verdict: dict[str, bool] = {}
    for part in mine.keys() & floor.keys():
        a, b = mine[part], floor[part]
        if part == "attribution":
            verdict[part] = bool(a) and a.keys() <= b.keys() and all(math.isclose(a[k], b[k], rel_tol=1e-9, abs_tol=1e-12) for k in a)
        else:
            verdict[part] = a == b
    return verdict
