"""How many customers reach each stage of the journey, in order, and how long it takes them."""

from __future__ import annotations

import contextlib
from typing import Any, Sequence

import ibis
import numpy as np
import pandas as pd

from ..dataset import Dataset
from . import _behaviour as b
from ._stats import suppress, wilson_interval

_RATES = ("conversion_from_previous", "conversion_from_first", "conversion_from_all")
COLUMNS = [
    "stage",
    "label",
    "stage_order",
    "n",
    "previous",
    "customers",
    "dropoff",
    "conversion_from_previous",
    "conversion_from_previous_low",
    "conversion_from_previous_high",
    "conversion_from_first",
    "conversion_from_first_low",
    "conversion_from_first_high",
    "conversion_from_all",
    "conversion_from_all_low",
    "conversion_from_all_high",
    "dropoff_rate",
    "median_hours",
    "p90_hours",
    "suppressed",
]


def funnel(ds: Dataset, by: str | None = None, window: Any = None, stages: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers reaching each stage of the journey in stage order, with conversion and time to reach.

    A customer *reaches* the first stage at their first event there; they reach stage *k* at their
    first event at stage *k* that comes after (in journey order: timestamp, then event_id) the
    event where they reached stage *k − 1*. Skipping a stage therefore stops the customer at that
    stage (a closed funnel). Journeys are our brand's events only (see
    :mod:`journeyviz.analyses._behaviour`).

    Parameters
    ----------
    ds
        The dataset (needs ``events``).
    by
        A customer attribute or segment (or ``channel``/``brand``); its values become the first
        column and every figure is computed within each group.
    window
        Conversion window, a positive duration (``"30D"``, ``"12h"``, a ``pandas.Timedelta``):
        only events at most this long after the customer's first contact count. ``None``: no limit.
    stages
        The stage ids the funnel walks through, in journey order (e.g. ``["consideration",
        "purchase"]``); ``None``: every stage. Skipped stages are not required.

    Returns
    -------
    pandas.DataFrame
        One row per stage (per ``by`` group), in stage order:

        - ``stage``, ``label``, ``stage_order`` (0-based): the stage.
        - ``n``: customers in the group (with at least one event of our brand).
        - ``previous``: customers who reached the previous stage (``n`` for the first stage).
        - ``customers``: customers who reached this stage in order.
        - ``dropoff``: ``previous − customers``, customers lost since the previous stage.
        - ``conversion_from_previous`` = ``customers / previous``;
          ``conversion_from_first`` = ``customers / customers at the first stage``;
          ``conversion_from_all`` = ``customers / n`` (proportions 0–1), each with its 95 % Wilson
          interval in ``<name>_low`` / ``<name>_high``.
        - ``dropoff_rate`` = ``1 − conversion_from_previous``.
        - ``median_hours``, ``p90_hours``: median and 90th percentile of the time from the
          customer's first contact to reaching this stage, in hours, over ``customers``.
        - ``suppressed``: True when a rate's denominator, or ``customers`` for the times, is below
          ``ds.min_group_size``; those figures are NaN.

    Raises
    ------
    ValueError
        ``window`` not a positive duration; ``stages`` empty, with an unknown stage or out of
        journey order; ``by`` not a customer attribute; a filter leaving no
        events. An empty event log gives an empty table with these columns.

    Examples
    --------
    >>> jv.funnel(ds, by="region", window="30D")  # doctest: +SKIP
    """
    delta = b.window_timedelta(window)
    chosen = _check_stages(ds, stages)
    t, keys = b.journey_events(ds, by, analysis="funnel", columns=["stage"])
    part = [*keys, "customer_id"]
    with contextlib.ExitStack() as tables:
        # Each stage depends on the previous one: computed and stored one at a time, so that a log
        # larger than memory never needs every stage's hash tables at once (see Engine.materialized).
        first = tables.enter_context(ds.engine.materialized("first", t.group_by(part).aggregate(first_ts=t.timestamp.min())))
        if delta is not None:
            t = t.join(first, part)
            t = t.filter(b.hours(t.timestamp, t.first_ts) <= delta.total_seconds() / 3600.0)
        per_stage = []
        reached = None
        for stage in chosen:
            at = t.filter(t.stage == stage)
            if reached is not None:
                at = at.join(reached.select(*part, _prev="k"), part)
                # Journey order is (timestamp, event_id); comparing them as a struct needs no window
                # (no sort of the whole log), and the struct minimum is the first event in that order.
                at = at.filter(ibis.struct({"ts": at.timestamp, "id": at.event_id}) > at._prev)
            step = at.group_by(part).aggregate(k=ibis.struct({"ts": at.timestamp, "id": at.event_id}).min())
            reached = tables.enter_context(ds.engine.materialized("reached", step))
            per_stage.append(ds.engine.to_pandas(_stage_stats(ds, reached, first, part, keys, ds.journey.stage_order(stage))))
        stats = pd.concat(per_stage, ignore_index=True)
        totals = ds.engine.to_pandas(b.aggregate(first, keys, n=first.count()))
    totals = b.as_int(totals, ["n"])
    totals = totals[totals["n"] > 0]
    b.check_not_filtered_away(ds, totals.empty)
    if totals.empty:
        return _empty(by)

    frame = ds.journey.stages_frame()[["stage", "label", "stage_order"]]
    grid = totals.merge(frame[frame["stage"].isin(chosen)], how="cross")
    stats = b.as_int(stats, ["stage_order", "customers"])
    grid = grid.merge(stats, on=[*keys, "stage_order"], how="left")
    grid = b.as_int(grid, ["customers"])
    grid = grid.sort_values([*keys, "stage_order"], kind="stable").reset_index(drop=True)
    grouped = grid.groupby(keys, sort=False)["customers"] if keys else None
    first_stage = grouped.transform("first") if keys else pd.Series(grid["customers"].iloc[0], index=grid.index)
    previous = grouped.shift(1) if keys else grid["customers"].shift(1)
    grid["previous"] = previous.fillna(grid["n"]).astype("int64")
    grid["dropoff"] = grid["previous"] - grid["customers"]
    denominators = {"conversion_from_previous": grid["previous"], "conversion_from_first": first_stage, "conversion_from_all": grid["n"]}
    for name, denom in denominators.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            grid[name] = np.where(denom > 0, grid["customers"] / denom.where(denom > 0, 1), np.nan)
        grid[f"{name}_low"], grid[f"{name}_high"] = wilson_interval(grid["customers"], denom)
    grid["dropoff_rate"] = 1 - grid["conversion_from_previous"]
    grid["_first"] = first_stage
    grid = suppress(grid, "previous", ["conversion_from_previous", "conversion_from_previous_low", "conversion_from_previous_high", "dropoff_rate"], ds.min_group_size)
    grid = suppress(grid, "_first", ["conversion_from_first", "conversion_from_first_low", "conversion_from_first_high"], ds.min_group_size)
    grid = suppress(grid, "n", ["conversion_from_all", "conversion_from_all_low", "conversion_from_all_high"], ds.min_group_size)
    grid = suppress(grid, "customers", ["median_hours", "p90_hours"], ds.min_group_size)
    grid = b.as_str(grid, ["stage", "label", *keys])
    return b.finish(grid, by, COLUMNS)


def _stage_stats(ds: Dataset, reached: ibis.Table, first: ibis.Table, part: list[str], keys: list[str], order: int) -> ibis.Table:
    """Customers who reached one stage, and the median / p90 hours from first contact to reaching it."""
    timed = reached.join(first, part)
    timed = timed.mutate(_elapsed=b.hours(timed.k.ts, timed.first_ts))
    counts = b.aggregate(timed, keys, stage_order=ibis.literal(order, type="int64"), customers=timed.count())
    times = b.quantiles(ds, timed, keys, "_elapsed", {"median_hours": 0.5, "p90_hours": 0.9})
    return counts.cross_join(times) if not keys else counts.join(times, keys)


def _check_stages(ds: Dataset, stages: Sequence[str] | None) -> list[str]:
    allowed = ds.journey.stage_ids
    if stages is None:
        return allowed
    chosen = [stages] if isinstance(stages, str) else list(stages)
    unknown = [s for s in chosen if s not in allowed]
    if not chosen or unknown:
        raise ValueError(f"stages={chosen!r}: {'unknown stage(s) ' + repr(unknown) if unknown else 'no stage given'}; use stage ids of this journey, in order: {', '.join(allowed)}")
    orders = [allowed.index(s) for s in chosen]
    if orders != sorted(set(orders)):
        raise ValueError(f"stages={chosen!r} must follow the journey's order without repeats: {', '.join(allowed)}")
    return chosen


def _empty(by: str | None) -> pd.DataFrame:
    dtypes = {c: "float64" for c in COLUMNS}
    dtypes.update({"stage": "str", "label": "str", "stage_order": "int64", "n": "int64", "previous": "int64", "customers": "int64", "dropoff": "int64", "suppressed": "bool"})
    if by is not None:
        dtypes = {by: "str", **dtypes}
    return b.empty_frame(dtypes)
