"""Peer libraries on the benchmark data: retentioneering 5.x (funnel, transition-graph data) and pm4py (DFG).

Each does only the part of the bundle it offers, on our brand's events (as journeyviz's journeys).
Both read the Parquet file into pandas first, which is part of what they cost. The overlapping journeyviz work is funnel + transitions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pandas as pd

Step = tuple[str, Callable[[], object]]


def retentioneering_steps(path: str | Path, stages: list[str], conversion: str, brand: str) -> list[Step]:
    os.environ.setdefault("RETENTIONEERING_NO_TRACK", "1")
    from retentioneering import Eventstream

    state: dict[str, object] = {}

    def load() -> None:
        frame = pd.read_parquet(path, columns=["customer_id", "timestamp", "event_id", "touchpoint", "stage"], filters=[("brand", "==", brand)])
        # Retentioneering orders a path by timestamp only; sorting first makes event_id break ties as journeyviz does.
        frame = frame.sort_values(["customer_id", "timestamp", "event_id"], ignore_index=True)
        state["touchpoints"] = Eventstream(
            frame[["customer_id", "timestamp", "touchpoint"]],
            schema={"path_cols": ["customer_id"], "event_col": "touchpoint", "timestamp_col": "timestamp"},
        )
        state["stages"] = Eventstream(
            frame[["customer_id", "timestamp", "stage"]],
            schema={"path_cols": ["customer_id"], "event_col": "stage", "timestamp_col": "timestamp"},
        )

    def funnel() -> pd.DataFrame:
        return pd.DataFrame(state["stages"].funnel_data(steps=stages)["steps"])

    def transitions() -> pd.DataFrame:
        stream = state["touchpoints"]
        counts = stream.transition_graph_data(edge_weight="count")
        customers = stream.transition_graph_data(edge_weight="unique_paths")
        return pd.concat({"count": counts.stack(), "unique_paths": customers.stack()}, axis=1)

    return [("load", load), ("funnel", funnel), ("transitions", transitions)]


def pm4py_steps(path: str | Path, stages: list[str], conversion: str, brand: str) -> list[Step]:
    import pm4py

    state: dict[str, pd.DataFrame] = {}

    def load() -> None:
        state["frame"] = pd.read_parquet(path, columns=["customer_id", "timestamp", "event_id", "touchpoint"], filters=[("brand", "==", brand)])

    def dfg() -> dict:
        graph, start, end = pm4py.discover_dfg(
            state["frame"], case_id_key="customer_id", activity_key="touchpoint", timestamp_key="timestamp"
        )
        return {"edges": graph, "start": start, "end": end}

    return [("load", load), ("transitions", dfg)]
