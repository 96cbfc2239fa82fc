"""journeyviz's bundle on a DuckDB engine that reads the Parquet file in place (never loaded into pandas)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

import pandas as pd

Step = tuple[str, Callable[[], pd.DataFrame]]
#: step name → (module in journeyviz.analyses, function, keyword arguments)
BUNDLE: dict[str, tuple[str, str, dict[str, Any]]] = {
    "funnel": ("funnel", "funnel", {}),
    "transitions": ("paths", "transitions", {"level": "touchpoint"}),
    "top_paths": ("paths", "top_paths", {"level": "stage", "k": 10}),
    "touchpoint_audit": ("audit", "touchpoint_audit", {}),
    "attribution": ("attribution", "attribution", {"level": "channel", "models": ("markov",)}),
}


def _function(module: str, name: str) -> Callable[..., pd.DataFrame] | None:
    try:
        return getattr(importlib.import_module(f"journeyviz.analyses.{module}"), name)
    except (ImportError, AttributeError):
        return None


def steps(path: str | Path, options: dict[str, Any]) -> list[Step]:
    """The bundle's steps that journeyviz provides (a missing analysis is left out, and reported by the caller)."""
    from journeyviz.dataset import Dataset
    from journeyviz.engine import get_engine
    from journeyviz.journey import Journey

    path = Path(path)
    journey = Journey.from_yaml(path.with_name("journey.yml"))
    engine = get_engine(f"duckdb:{options['database']}" if options.get("database") else "duckdb")
    if options.get("memory_limit"):
        engine.con.raw_sql(f"SET memory_limit = '{options['memory_limit']}'")
    ds = Dataset(journey=journey, engine=engine, events=engine.read_parquet("events", path))
    found: list[Step] = []
    for step, (module, name, kwargs) in BUNDLE.items():
        func = _function(module, name)
        if func is not None:
            found.append((step, lambda func=func, kwargs=kwargs: func(ds, **kwargs)))
    return found
