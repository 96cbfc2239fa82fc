"""Where customers go next, which journeys are commonest, and how journeys flow step by step."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ..dataset import Dataset
from . import _behaviour as b
from ._stats import suppress, wilson_interval

SEPARATOR = " > "

TRANSITION_COLUMNS = ["from", "to", "count", "customers", "from_count", "probability", "low", "high", "median_hours", "suppressed"]
PATH_COLUMNS = ["rank", "path", "steps", "customers", "n", "share", "share_low", "share_high", "conversions", "conversion_rate", "low", "high", "loop", "back_step", "suppressed"]
FLOW_COLUMNS = ["step", "source", "target", "customers", "source_customers", "share", "suppressed"]


def _items(ds: Dataset, level: str, by: str | None, analysis: str) -> tuple[ibis.Table, list[str], str]:
    """Journey events reduced to the items of ``level``, consecutive repeats merged where the level says so."""
    column = b.level_column(level)
    t, keys = b.journey_events(ds, by, analysis=analysis, columns=[column])
    if level in b.COLLAPSED_LEVELS:
        t = b.collapse_repeats(t, keys, column)
    return t, keys, column


def transitions(ds: Dataset, level: str = "touchpoint", by: str | None = None) -> pd.DataFrame:
    """From → to counts between consecutive steps of the journeys, including start and end.

    At ``level="touchpoint"`` every event is a step (a repeated touchpoint is a self-loop, a
    friction signal). At ``"stage"`` and ``"channel"`` consecutive events with the same stage
    (channel) are merged into one step, so a step is a stay in a stage; its time is that of its
    first event. Each journey contributes one ``(start) → first step`` row, one row per
    consecutive pair, and one ``last step → (end)`` row. Journeys are our brand's events ordered by
    timestamp then event_id (:mod:`journeyviz.analyses._behaviour`).

    Parameters
    ----------
    ds
        The dataset (needs ``events``).
    level
        ``"touchpoint"``, ``"stage"`` or ``"channel"``.
    by
        A customer attribute or segment; becomes the first column.

    Returns
    -------
    pandas.DataFrame
        One row per observed ``from → to`` pair (per ``by`` group), sorted by ``from`` then
        descending ``count``:

        - ``from``, ``to``: items of the level; ``"(start)"`` as ``from`` and ``"(end)"`` as ``to``.
        - ``count``: transitions observed (a customer can make the same one several times).
        - ``customers``: distinct customers who made it at least once.
        - ``from_count``: all transitions out of ``from`` (the denominator).
        - ``probability`` = ``count / from_count`` (0–1), with 95 % Wilson ``low``/``high``.
        - ``median_hours``: median time between the two steps, hours (NaN for start and end rows).
        - ``suppressed``: True when ``customers`` < ``ds.min_group_size``; probability, interval
          and time are then NaN.

    Raises
    ------
    ValueError
        Unknown ``level``; ``by`` not a customer attribute; a filter leaving no events.
    """
    t, keys, column = _items(ds, level, by, "transitions")
    part = [*keys, "customer_id"]
    order = list(b.ORDER)
    t = t.mutate(
        _next=t[column].lead().over(group_by=part, order_by=order),
        _next_ts=t.timestamp.lead().over(group_by=part, order_by=order),
        _pos=ibis.row_number().over(group_by=part, order_by=order),
    )
    moves = t.select(
        *part,
        _from=t[column].cast("string"),
        _to=ibis.ifelse(t._next_ts.isnull(), ibis.literal(b.END), t._next.cast("string")),
        _hours=ibis.ifelse(t._next_ts.isnull(), ibis.null("float64"), b.hours(t._next_ts, t.timestamp)),
    )
    # Aggregating the moves and the starts separately avoids shuffling a second copy of the log.
    # Distinct customers come from a per-customer pre-aggregate rather than nunique(): a distinct
    # set per edge is held in memory whole, the pre-aggregate is an ordinary group-by that spills.
    per_customer = moves.group_by([*keys, "_from", "_to", "customer_id"]).aggregate(_n=moves.count())
    edges = per_customer.group_by([*keys, "_from", "_to"]).aggregate(count=per_customer._n.sum(), customers=per_customer.count())
    medians = b.quantiles(ds, moves, [*keys, "_from", "_to"], "_hours", {"median_hours": 0.5})
    moved = edges.left_join(medians, [*keys, "_from", "_to"]).select(*keys, "_from", "_to", "count", "customers", "median_hours")
    starts = t.filter(t._pos == 0)
    starts = starts.select(*keys, _to=starts[column].cast("string"))
    started = starts.group_by([*keys, "_to"]).aggregate(count=starts.count())
    started = started.select(*keys, _from=ibis.literal(b.START), _to="_to", count="count", customers="count", median_hours=ibis.null("float64"))
    agg = ibis.union(started, moved.select(*keys, "_from", "_to", "count", "customers", median_hours=moved.median_hours.cast("float64")))
    out = ds.engine.to_pandas(agg).rename(columns={"_from": "from", "_to": "to"})
    b.check_not_filtered_away(ds, out.empty)
    out = b.as_int(out, ["count", "customers"])
    out["median_hours"] = out["median_hours"].astype("float64")
    out = b.as_str(out, ["from", "to", *keys])
    out["from_count"] = out.groupby([*keys, "from"])["count"].transform("sum").astype("int64")
    out["probability"] = out["count"] / out["from_count"]
    out["low"], out["high"] = wilson_interval(out["count"], out["from_count"])
    out = suppress(out, "customers", ["probability", "low", "high", "median_hours"], ds.min_group_size)
    out["_start"] = out["from"] != b.START
    out = out.sort_values([*keys, "_start", "from", "count", "to"], ascending=[True] * len(keys) + [True, True, False, True], kind="stable")
    return b.finish(out, by, TRANSITION_COLUMNS).astype(b.dtypes(by, TRANSITION_COLUMNS, {"from": "str", "to": "str", "count": "int64", "customers": "int64", "from_count": "int64", "suppressed": "bool"}))


def top_paths(ds: Dataset, level: str = "stage", k: int = 10) -> pd.DataFrame:
    """The ``k`` commonest whole journeys, with their share of customers and conversion rate.

    A path is a customer's journey written as its steps joined by ``" > "``. At ``"stage"`` and
    ``"channel"`` level consecutive repeats are merged (``look > look > buy`` is ``look > buy``);
    at ``"touchpoint"`` level every event is a step. Two friction signals are flagged per path:
    ``loop`` (an item comes back: the same touchpoint twice, or a stage/channel left and returned
    to) and ``back_step`` (a step goes to an earlier stage of the journey than the previous one).

    Parameters
    ----------
    ds
        The dataset (needs ``events``).
    level
        ``"touchpoint"``, ``"stage"`` or ``"channel"``.
    k
        How many paths to return (a whole number ≥ 1).

    Returns
    -------
    pandas.DataFrame
        One row per path, most customers first (ties by path text):

        - ``rank`` (1 = commonest), ``path``, ``steps`` (number of steps in the path).
        - ``customers``: customers whose journey is exactly this path.
        - ``n``: all customers with a journey (the denominator of ``share``).
        - ``share`` = ``customers / n`` with 95 % Wilson ``share_low``/``share_high``.
        - ``conversions``: of ``customers``, those who converted (reached the conversion stage);
          ``conversion_rate`` = ``conversions / customers`` with Wilson ``low``/``high``.
        - ``loop``, ``back_step``: friction flags (``back_step`` is NA at channel level, which has
          no order).
        - ``suppressed``: True when ``customers`` < ``ds.min_group_size``; rates are then NaN.

    Raises
    ------
    ValueError
        Unknown ``level``; ``k`` not a whole number ≥ 1; a filter leaving no events.
    """
    k = b.positive_int(k, "k")
    column = b.level_column(level)
    t, keys = b.journey_events(ds, None, analysis="top_paths", columns=[column, "stage"])
    stage = ds.journey.conversion_stage
    converted = (t.stage == stage).cast("int64") if stage is not None else ibis.literal(0, type="int64")
    # Merging repeated stages keeps a conversion-stage event; merging repeated channels may not.
    t = t.mutate(_conv=converted.max().over(group_by="customer_id") if level == "channel" else converted)
    if level in b.COLLAPSED_LEVELS:
        t = b.collapse_repeats(t, keys, column)
    per_customer = t.group_by("customer_id").aggregate(
        _items=ibis.struct({"ts": t.timestamp, "id": t.event_id, "item": t[column].cast("string")}).collect(),
        _conv=t._conv.max(),
    )
    per_customer = per_customer.mutate(
        path=per_customer._items.sort().map(lambda s: s.item).join(SEPARATOR), steps=per_customer._items.length()
    )
    paths = per_customer.group_by("path").aggregate(customers=per_customer.count(), conversions=per_customer._conv.sum(), steps=per_customer.steps.max())
    paths = paths.mutate(n=paths.customers.sum().over())
    top = paths.order_by([ibis.desc("customers"), "path"]).limit(k)
    out = ds.engine.to_pandas(top)
    n = int(out["n"].iloc[0]) if len(out) else 0
    b.check_not_filtered_away(ds, n == 0)
    out = b.as_int(out, ["customers", "conversions", "steps", "n"])
    out = b.as_str(out, ["path"])
    out = out.sort_values(["customers", "path"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1, dtype="int64")
    out["share"] = out["customers"] / n if n else np.nan
    out["share_low"], out["share_high"] = wilson_interval(out["customers"], out["n"])
    out["conversion_rate"] = out["conversions"] / out["customers"].where(out["customers"] > 0)
    out["low"], out["high"] = wilson_interval(out["conversions"], out["customers"])
    steps = out["path"].str.split(SEPARATOR, regex=False) if len(out) else pd.Series([], dtype=object)
    out["loop"] = [_has_loop(s) for s in steps]
    out["back_step"] = pd.array([_has_back_step(s, ds, level) for s in steps], dtype="boolean")
    out = suppress(out, "customers", ["share", "share_low", "share_high", "conversion_rate", "low", "high"], ds.min_group_size)
    return b.finish(out, None, PATH_COLUMNS).astype(
        b.dtypes(None, PATH_COLUMNS, {"rank": "int64", "path": "str", "steps": "int64", "customers": "int64", "n": "int64", "conversions": "int64", "loop": "bool", "back_step": "boolean", "suppressed": "bool"})
    )


def flows(ds: Dataset, level: str = "stage", steps: int = 5) -> pd.DataFrame:
    """Step-indexed flows between the first ``steps`` positions of the journeys (the data of a sankey).

    Steps are defined as in :func:`transitions` (repeats merged at stage and channel level). The
    row ``step=s, source=A, target=B`` counts customers whose step ``s`` is ``A`` and step ``s+1`` is
    ``B``; ``target="(end)"`` when the journey stops at step ``s``. Steps run from 1 to
    ``steps − 1``, so the last targets are the items at position ``steps``.

    Parameters
    ----------
    ds
        The dataset (needs ``events``).
    level
        ``"touchpoint"``, ``"stage"`` or ``"channel"``.
    steps
        Number of positions shown (a whole number ≥ 2).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``step``, then descending ``customers``:

        - ``step``: 1-based position of ``source`` in the journey.
        - ``source``, ``target``: items at positions ``step`` and ``step + 1`` (or ``"(end)"``).
        - ``customers``: customers making this move.
        - ``source_customers``: customers at ``source`` at that step (the denominator).
        - ``share`` = ``customers / source_customers`` (0–1).
        - ``suppressed``: True when ``source_customers`` < ``ds.min_group_size`` (``share`` NaN).

    Raises
    ------
    ValueError
        Unknown ``level``; ``steps`` not a whole number ≥ 2; a filter leaving no events.
    """
    steps = b.positive_int(steps, "steps", minimum=2)
    t, keys, column = _items(ds, level, None, "flows")
    order = list(b.ORDER)
    t = t.mutate(
        _pos=ibis.row_number().over(group_by="customer_id", order_by=order),
        _next=t[column].lead().over(group_by="customer_id", order_by=order),
        _next_ts=t.timestamp.lead().over(group_by="customer_id", order_by=order),
    )
    t = t.filter(t._pos < steps - 1)
    moves = t.select(
        "customer_id",
        step=(t._pos + 1).cast("int64"),
        source=t[column].cast("string"),
        target=ibis.ifelse(t._next_ts.isnull(), ibis.literal(b.END), t._next.cast("string")),
    )
    out = ds.engine.to_pandas(moves.group_by(["step", "source", "target"]).aggregate(customers=moves.count()))
    b.check_not_filtered_away(ds, out.empty)
    out = b.as_int(out, ["step", "customers"])
    out = b.as_str(out, ["source", "target"])
    out["source_customers"] = out.groupby(["step", "source"])["customers"].transform("sum").astype("int64")
    out["share"] = out["customers"] / out["source_customers"]
    out = suppress(out, "source_customers", ["share"], ds.min_group_size)
    out = out.sort_values(["step", "customers", "source", "target"], ascending=[True, False, True, True], kind="stable")
    return b.finish(out, None, FLOW_COLUMNS).astype(
        b.dtypes(None, FLOW_COLUMNS, {"step": "int64", "source": "str", "target": "str", "customers": "int64", "source_customers": "int64", "suppressed": "bool"})
    )


def _has_loop(items: list[str]) -> bool:
    return len(set(items)) < len(items)


def _has_back_step(items: list[str], ds: Dataset, level: str):
    if level == "channel":
        return pd.NA
    if level == "stage":
        order = {s: i for i, s in enumerate(ds.journey.stage_ids)}
    else:
        catalogue = ds.journey.catalogue()
        order = dict(zip(catalogue["touchpoint"], catalogue["stage_order"]))
    ranks = [order.get(i) for i in items]
    return any(a is not None and c is not None and c < a for a, c in zip(ranks, ranks[1:]))
