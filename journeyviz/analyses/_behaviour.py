"""Shared building blocks of the behavioural analyses: journeys, ``by=``, levels, conversion.

What a **journey** is, for every behavioural analysis
-----------------------------------------------------
One customer's journey is the list of that customer's events **with our brand only** (events whose
``brand`` is ``Journey.brand``; competitor events are used only where an analysis says so),
ordered by ``timestamp`` and then by ``event_id``. The event id breaks ties between equal
timestamps so that DuckDB and Spark order, and therefore count, alike. With ``by=`` the journey
is the customer's events within one value of ``by``: a customer attribute puts each customer in
exactly one group; an event column (``channel``, ``brand``) restricts each journey to the events
carrying that value.

A customer **converts** when the journey contains at least one event at the journey's
conversion stage (``Journey.conversion_stage``); the conversion moment is the first such event.

Everything here returns Ibis expressions; the analyses execute them through
``ds.engine.to_pandas`` and only per-group aggregates come back to pandas.
"""

from __future__ import annotations

from typing import Any, Sequence

import ibis
import numpy as np
import pandas as pd

from ..dataset import Dataset
from ._stats import check_level

LEVELS = ("touchpoint", "stage", "channel")
START = "(start)"
END = "(end)"
ORDER = ("timestamp", "event_id")
#: Levels at which consecutive repeats of the same item are merged into one step.
COLLAPSED_LEVELS = ("stage", "channel")


def journey_events(
    ds: Dataset, by: str | None, *, all_brands: bool = False, analysis: str = "this analysis", columns: Sequence[str] | None = None
) -> tuple[ibis.Table, list[str]]:
    """Events of our brand (or of every brand) with a ``by`` column when asked; and the group keys.

    Returns the table and ``keys`` (``["by"]`` or ``[]``), the columns every aggregate is grouped by
    before ``customer_id``. With ``columns``, only those event columns are kept besides the keys,
    ``customer_id`` and the journey order: a window or a reused subquery carries every column it
    is given, and on logs larger than memory the unused ones are what spills to disk.
    """
    ds.require("events", analysis=analysis)
    if by is not None and not isinstance(by, str):
        raise ValueError(f"by={by!r} must be a column name (a customer attribute or segment) or None")
    table = ds.events_by(by)
    if not all_brands:
        table = table.filter(table.brand == ds.brand)
    keys = ["by"] if by is not None else []
    if columns is not None:
        table = table.select(*dict.fromkeys([*keys, "customer_id", *ORDER, *columns]))
    return table, keys


def with_sequence(table: ibis.Table, keys: list[str], name: str = "seq") -> ibis.Table:
    """Add the 0-based position of each event in its journey (ordered by timestamp, then event_id)."""
    return table.mutate(**{name: ibis.row_number().over(group_by=[*keys, "customer_id"], order_by=list(ORDER))})


def collapse_repeats(table: ibis.Table, keys: list[str], column: str) -> ibis.Table:
    """Keep only the first event of each run of consecutive events with the same ``column`` value."""
    prev = table[column].lag().over(group_by=[*keys, "customer_id"], order_by=list(ORDER))
    marked = table.mutate(_prev=prev)
    kept = marked.filter(marked._prev.isnull() | (marked._prev != marked[column]))
    return kept.drop("_prev")


def level_column(level: str) -> str:
    """The event column holding the items of a ``level=`` (validated)."""
    return check_level(level, LEVELS)


def conversion_stage(ds: Dataset, analysis: str) -> str:
    """The conversion stage id; a clear error when the journey marks none."""
    stage = ds.journey.conversion_stage
    if stage is None:
        raise ValueError(
            f"{analysis} needs a conversion stage, but journey {ds.journey.name!r} marks none; "
            f"add 'conversion: true' to one of the stages {', '.join(ds.journey.stage_ids)} in journey.yml"
        )
    return stage


def quantiles(ds: Dataset, table: ibis.Table, keys: list[str], value: str, wanted: dict[str, float]) -> ibis.Table:
    """Exact per-group quantiles of ``value`` (NULLs ignored): one row per ``keys`` group, one column per ``wanted`` name.

    Linear interpolation between order statistics (numpy's default, DuckDB's ``quantile_cont``,
    Spark's ``percentile``): the quantile ``q`` of ``N`` values sits at 1-based position
    ``1 + q (N − 1)``. In memory the engine's quantile aggregate computes it. On an out-of-core
    engine (:attr:`journeyviz.engine.Engine.out_of_core`) that aggregate would hold every value of
    a group in memory (on 11 M transitions under a 300 MB limit DuckDB's spilled 8.4 GB and then
    failed), so the quantiles are read from the group's sorted distinct values with cumulative
    counts instead, a sort that spills (0.5 GB there).
    """
    t = table.filter(table[value].notnull())
    if not ds.engine.out_of_core:
        return aggregate(t, keys, **{name: t[value].median() if q == 0.5 else t[value].quantile(q) for name, q in wanted.items()})
    hist = t.group_by([*keys, value]).aggregate(_n=t.count())
    running = ibis.window(group_by=keys or None, order_by=hist[value], rows=(None, 0))
    hist = hist.mutate(_cum=hist._n.sum().over(running), _total=hist._n.sum().over(group_by=keys or None))
    metrics = {}
    for name, q in wanted.items():
        position = 1 + q * (hist._total - 1).cast("float64")
        low, high = position.floor(), position.ceil()
        # The value at position p is the smallest value whose cumulative count reaches p.
        at_low = hist[value].min(where=hist._cum >= low).cast("float64")
        at_high = hist[value].min(where=hist._cum >= high).cast("float64")
        metrics[name] = at_low + (position - low).max() * (at_high - at_low)
    return aggregate(hist, keys, **metrics)


def hours(later: ibis.Value, earlier: ibis.Value) -> ibis.Value:
    """Elapsed hours between two timestamps (float), computed identically on every engine."""
    return (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64") / 3600.0


def positive_int(value: Any, argument: str, minimum: int = 1) -> int:
    """Validate a whole-number argument such as ``k=`` or ``steps=``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{argument}={value!r} is not allowed; use a whole number ≥ {minimum}")
    return int(value)


def window_timedelta(window: Any, argument: str = "window") -> pd.Timedelta | None:
    """Parse a duration argument (``None``, a pandas Timedelta or a string like ``"30D"``/``"12h"``); must be > 0."""
    if window is None:
        return None
    try:
        delta = pd.Timedelta(window)
    except (TypeError, ValueError):
        raise ValueError(f"{argument}={window!r} is not a duration; use a positive pandas Timedelta string such as '30D', '12h' or '90min', or None") from None
    if pd.isna(delta) or delta <= pd.Timedelta(0):
        raise ValueError(f"{argument}={window!r} must be a positive duration such as '30D' or '12h' (or None for no window)")
    return delta


def check_not_filtered_away(ds: Dataset, empty: bool) -> None:
    """An empty result caused by a dashboard filter is a user error, not an empty table."""
    if empty and ds.filters:
        described = ", ".join(f"{k}={v!r}" for k, v in ds.filters.items())
        raise ValueError(f"the filter ({described}) leaves no events of brand {ds.brand!r}; widen the filter (where=, period=, channels=, brands=)")


def finish(frame: pd.DataFrame, by: str | None, columns: list[str]) -> pd.DataFrame:
    """Order the columns, rename the ``by`` key to the attribute's name (first column) and reset the index."""
    cols = (["by"] if by is not None else []) + columns
    for col in cols:
        if col not in frame:
            frame[col] = pd.Series(dtype="float64")
    out = frame[cols].reset_index(drop=True)
    if by is not None:
        out = out.rename(columns={"by": by})
    return out


def as_int(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Counts come back as int32/int64/float depending on the engine; make them int64."""
    for col in columns:
        if col in frame:
            frame[col] = frame[col].fillna(0).astype("int64")
    return frame


def as_str(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Id columns as pandas' string dtype, whatever the engine returned."""
    for col in columns:
        if col in frame:
            frame[col] = frame[col].astype("str")
    return frame


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    """An empty frame with typed columns (``{name: dtype}``)."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def aggregate(table: ibis.Table, keys: list[str], **metrics: Any) -> ibis.Table:
    """``group_by(keys).aggregate(...)`` that also works with no keys (one row)."""
    return table.group_by(keys).aggregate(**metrics) if keys else table.aggregate(**metrics)


def dtypes(by: str | None, columns: list[str], special: dict[str, str]) -> dict[str, str]:
    """Column dtypes of a result: ``special`` where given, float64 otherwise; ``by`` first as a string."""
    out = {c: special.get(c, "float64") for c in columns}
    return {by: "str", **out} if by is not None else out
