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

from typing import Any

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


def journey_events(ds: Dataset, by: str | None, *, all_brands: bool = False, analysis: str = "this analysis") -> tuple[ibis.Table, list[str]]:
    """Events of our brand (or of every brand) with a ``by`` column when asked; and the group keys.

    Returns the table and ``keys`` (``["by"]`` or ``[]``), the columns every aggregate is grouped by
    before ``customer_id``.
    """
    ds.require("events", analysis=analysis)
    if by is not None and not isinstance(by, str):
        raise ValueError(f"by={by!r} must be a column name (a customer attribute or segment) or None")
    table = ds.events_by(by)
    if not all_brands:
        table = table.filter(table.brand == ds.brand)
    return table, (["by"] if by is not None else [])


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
