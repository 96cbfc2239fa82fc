"""Which channels (or touchpoints) get the credit for conversions, under six attribution models."""

from __future__ import annotations

from typing import Any, Iterable

import ibis
import numpy as np
import pandas as pd

from ..dataset import Dataset
from . import _behaviour as b
from ._stats import check_level, suppress

MODELS = ("first", "last", "linear", "position", "time_decay", "markov")
LEVELS = ("channel", "touchpoint")
DIRECT = "(direct)"
CONVERSION = "(conversion)"
NULL = "(null)"
#: Position-based (U-shaped) weights: first touch, all middle touches together, last touch.
POSITION_WEIGHTS = (0.4, 0.2, 0.4)
COLUMNS = ["model", "customers", "conversions", "share", "removal_effect", "suppressed"]


def attribution(
    ds: Dataset,
    level: str = "channel",
    models: Iterable[str] = MODELS,
    half_life: Any = "7D",
) -> pd.DataFrame:
    """Credit for conversions per channel (or touchpoint) under heuristic and Markov models.

    **Paths.** A customer's path is their journey (our brand's events ordered by timestamp then
    event_id) *before* the conversion: the events strictly before their first event at the
    conversion stage. Converters whose first event is already the conversion have an empty path and
    their conversion is credited to ``"(direct)"``. Every event is a touch (repeats count); the
    touch's item is its channel or touchpoint.

    **Models** (each distributes every conversion, so credits sum to the number of conversions):

    - ``first`` / ``last``: all credit to the first / last touch.
    - ``linear``: equal credit to each touch (``1/k`` for a path of ``k`` touches).
    - ``position``: 40 % to the first touch, 40 % to the last, 20 % shared equally by the touches in
      between; a two-touch path gives 50 %/50 %, a one-touch path 100 %.
    - ``time_decay``: touch weight ``2 ** (−Δ / half_life)`` where Δ is the time from the touch to
      the conversion, normalised per conversion.
    - ``markov``: exact first-order Markov removal effects. States are the items plus
      ``(start)``, ``(conversion)`` and ``(null)``; transition probabilities are counted over the
      paths of **all** customers (converters' paths end in ``(conversion)``, the others' full
      journeys end in ``(null)``). The conversion probability from ``(start)`` is solved exactly
      from the absorbing chain, ``B = (I − Q)⁻¹ R``, with numpy. Removing item *i* sends every
      transition into *i* to ``(null)``; its removal effect is ``1 − P(conv without i) / P(conv)``,
      and conversions are credited in proportion to removal effects. No simulation.

    Parameters
    ----------
    ds
        The dataset (needs ``events`` and a journey with a conversion stage).
    level
        ``"channel"`` or ``"touchpoint"``.
    models
        Any of ``"first"``, ``"last"``, ``"linear"``, ``"position"``, ``"time_decay"``, ``"markov"``.
    half_life
        Half-life of the time-decay model, a positive duration (``"7D"``, ``"36h"``,
        ``pandas.Timedelta``): a touch this long before the conversion weighs half as much as one
        at the conversion.

    Returns
    -------
    pandas.DataFrame
        One row per model × item, models in the order asked, items by descending credit:

        - ``model``; ``channel`` or ``touchpoint`` (named after ``level``): the item, or
          ``"(direct)"``.
        - ``customers``: converters with the item in their path (the sample size of its credit).
        - ``conversions``: conversions credited to the item (fractional).
        - ``share`` = ``conversions / all conversions`` (0–1); no interval: a model's credit is
          a decomposition, not a sampled proportion.
        - ``removal_effect``: ``markov`` only (NaN for the heuristics), 0–1.
        - ``suppressed``: True when ``customers`` < ``ds.min_group_size`` (credit and share NaN).

    Raises
    ------
    ValueError
        Unknown ``level`` or model; empty ``models``; ``half_life`` not a positive duration; no
        conversion stage; a filter leaving no events.
    """
    column = check_level(level, LEVELS)
    models = _check_models(models)
    half = b.window_timedelta(half_life, "half_life")
    if half is None:
        raise ValueError("half_life=None is not allowed; use a positive duration such as '7D' or '36h'")
    stage = b.conversion_stage(ds, "attribution")
    t, _ = b.journey_events(ds, None, analysis="attribution", columns=[column, "stage"])
    # The conversion moment as an aggregate joined back, not a window over the whole log: one sort
    # fewer, and journey order (timestamp, event_id) compared as a struct as in the funnel.
    at = t.filter(t.stage == stage)
    conv = at.group_by("customer_id").aggregate(_conv_k=ibis.struct({"ts": at.timestamp, "id": at.event_id}).min())
    t = t.left_join(conv, "customer_id").drop("customer_id_right")
    t = t.mutate(_converted=t._conv_k.notnull(), _conv_ts=t._conv_k.ts)
    paths = t.filter(t._conv_k.isnull() | (ibis.struct({"ts": t.timestamp, "id": t.event_id}) < t._conv_k))
    summary = _summary(ds, conv, paths, column)
    edges = summary[summary["kind"] == "edge"]
    converters_n = int(edges.loc[edges["to"] == CONVERSION, "count"].sum())
    direct_n = int(edges.loc[(edges["from"] == b.START) & (edges["to"] == DIRECT), "count"].sum())
    b.check_not_filtered_away(ds, summary.empty)
    frames = []
    heuristics = [m for m in models if m != "markov"]
    if heuristics and converters_n:
        frames.append(_heuristics(ds, paths.filter(paths._converted), paths[column].cast("string"), heuristics, half, direct_n))
    if "markov" in models and converters_n:
        frames.append(_markov(edges[["from", "to", "count"]], converters_n))
    reach = summary.loc[summary["kind"] == "reach", ["from", "count"]].rename(columns={"from": "item", "count": "customers"})
    special = {"model": "str", column: "str", "customers": "int64", "suppressed": "bool"}
    columns = ["model", column, *COLUMNS[1:]]
    if converters_n == 0:
        return b.empty_frame({c: special.get(c, "float64") for c in columns})
    out = pd.concat(frames, ignore_index=True).rename(columns={"item": column})
    out = out.merge(reach.rename(columns={"item": column}), on=column, how="left")
    out = b.as_int(out, ["customers"])
    out["share"] = out["conversions"] / converters_n
    out = suppress(out, "customers", ["conversions", "share", "removal_effect"], ds.min_group_size)
    out["_model"] = out["model"].map({m: i for i, m in enumerate(models)})
    out["_credit"] = out["conversions"].fillna(-1.0)
    out = out.sort_values(["_model", "_credit", column], ascending=[True, False, True], kind="stable")
    return out[columns].reset_index(drop=True).astype({c: special.get(c, "float64") for c in columns})


def markov_removal_effects(counts: pd.DataFrame) -> pd.DataFrame:
    """Exact first-order Markov conversion probability and removal effects from transition counts.

    Parameters
    ----------
    counts
        Columns ``from``, ``to``, ``count``: transitions between states. ``from`` includes
        ``"(start)"``; ``to`` includes ``"(conversion)"`` and ``"(null)"`` (absorbing).

    Returns
    -------
    pandas.DataFrame
        One row per transient item (every state except start and the absorbing ones): ``item``,
        ``removal_effect`` = ``1 − P(conversion | item removed) / P(conversion)``; the baseline
        probability is in ``.attrs["conversion_probability"]``.
    """
    absorbing = [CONVERSION, NULL]
    items = sorted((set(counts["from"]) | set(counts["to"])) - {b.START, *absorbing})
    states = [b.START, *items]
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    q = np.zeros((size, size))
    r = np.zeros((size, 2))
    for src, dst, cnt in counts[["from", "to", "count"]].itertuples(index=False):
        if dst in absorbing:
            r[index[src], absorbing.index(dst)] += cnt
        else:
            q[index[src], index[dst]] += cnt
    totals = q.sum(axis=1) + r.sum(axis=1)
    totals[totals == 0] = 1.0
    q, r = q / totals[:, None], r / totals[:, None]
    base = _absorb(q, r)
    effects = []
    for item in items:
        keep = [i for i, s in enumerate(states) if s != item]
        removed = index[item]
        q_removed = q[np.ix_(keep, keep)]
        r_removed = r[keep].copy()
        r_removed[:, 1] += q[keep, removed]  # a move into the removed item is lost
        p = _absorb(q_removed, r_removed)
        effects.append(1.0 - p / base if base > 0 else 0.0)
    out = pd.DataFrame({"item": pd.Series(items, dtype="str"), "removal_effect": pd.Series(effects, dtype="float64")})
    out.attrs["conversion_probability"] = base
    return out


def _absorb(q: np.ndarray, r: np.ndarray) -> float:
    """P(absorbed in conversion | start) for the chain with transient block Q and absorbing block R."""
    solution = np.linalg.solve(np.eye(q.shape[0]) - q, r[:, 0])
    return float(solution[0])


def _check_models(models: Iterable[str]) -> list[str]:
    if isinstance(models, str):
        models = [models]
    chosen = list(dict.fromkeys(models))
    unknown = [m for m in chosen if m not in MODELS]
    if unknown or not chosen:
        raise ValueError(f"models={list(models)!r} is not allowed; choose one or more of {', '.join(map(repr, MODELS))}")
    return chosen


def _summary(ds: Dataset, conv: ibis.Table, paths: ibis.Table, column: str) -> pd.DataFrame:
    """One query for the Markov transition counts and the converters reaching each item.

    ``conv`` has one row per converter; ``paths`` the events before each customer's conversion.
    Rows ``kind="edge"``: ``from → to`` counts between states, with ``(start) → (direct) →
    (conversion)`` for customers converting at their first event (converters with no path).
    Rows ``kind="reach"``: ``from`` = an item, ``count`` = converters with it in their path.
    """
    order = list(b.ORDER)
    prev_ts = paths.timestamp.lag().over(group_by="customer_id", order_by=order)
    nxt = paths[column].lead().over(group_by="customer_id", order_by=order)
    nxt_ts = paths.timestamp.lead().over(group_by="customer_id", order_by=order)
    end = ibis.ifelse(paths._converted, ibis.literal(CONVERSION), ibis.literal(NULL))
    steps = paths.mutate(_first=prev_ts.isnull(), _from=paths[column].cast("string"), _to=ibis.ifelse(nxt_ts.isnull(), end, nxt.cast("string")))
    starts = steps.filter(steps._first).select(_from=ibis.literal(b.START), _to=steps._from)
    edges = ibis.union(starts, steps.select("_from", "_to"))
    edge_counts = edges.group_by(["_from", "_to"]).aggregate(count=edges.count())
    # Distinct converters per item from a distinct (item, customer) table: an ordinary group-by
    # that spills, where nunique() would hold a set per item in memory.
    converters = steps.filter(steps._converted).select("_from", "customer_id").distinct()
    reach = converters.group_by("_from").aggregate(count=converters.count())
    firsts = steps.filter(steps._converted & steps._first)  # one row per converter with a path
    with_path = firsts.aggregate(count=firsts.count())
    converted = conv.aggregate(count=conv.count())
    cols = ["kind", "_from", "_to", "count"]
    parts = [
        edge_counts.mutate(kind=ibis.literal("edge")),
        reach.mutate(_to=ibis.literal(""), kind=ibis.literal("reach")),
        with_path.mutate(_from=ibis.literal(""), _to=ibis.literal(""), kind=ibis.literal("with_path")),
        converted.mutate(_from=ibis.literal(""), _to=ibis.literal(""), kind=ibis.literal("converters")),
    ]
    # One query, so that the windowed paths are computed once.
    out = ds.engine.to_pandas(ibis.union(*(p.select(*cols) for p in parts))).rename(columns={"_from": "from", "_to": "to"})
    out = b.as_int(out, ["count"])
    totals = out.groupby("kind")["count"].sum()
    direct = int(totals.get("converters", 0) - totals.get("with_path", 0))
    out = out[out["kind"].isin(["edge", "reach"]) & (out["count"] > 0)]
    if direct > 0:
        extra = pd.DataFrame({"kind": ["edge", "edge", "reach"], "from": [b.START, DIRECT, DIRECT], "to": [DIRECT, CONVERSION, ""], "count": direct})
        out = pd.concat([out, extra], ignore_index=True)
    out = out[["kind", "from", "to", "count"]]
    return b.as_int(b.as_str(out, ["kind", "from", "to"]), ["count"])


def _heuristics(ds: Dataset, paths: ibis.Table, item: ibis.Value, models: list[str], half: pd.Timedelta, direct: int) -> pd.DataFrame:
    """Per-item credit of the heuristic models, computed in the engine from converters' paths."""
    paths = b.with_sequence(paths, [])
    paths = paths.mutate(_item=item, _k=paths.count().over(group_by="customer_id"))
    first_w, middle_w, last_w = POSITION_WEIGHTS
    k, pos = paths._k, paths.seq  # seq is 0-based and the path starts at the journey's first event
    weights = {
        "first": (pos == 0).cast("float64"),
        "last": (pos == k - 1).cast("float64"),
        "linear": 1.0 / k.cast("float64"),
        "position": ibis.cases(
            (k == 1, 1.0),
            (k == 2, 0.5),
            (pos == 0, first_w),
            (pos == k - 1, last_w),
            else_=middle_w / (k - 2).cast("float64"),
        ),
    }
    if "time_decay" in models:
        decay = (-(b.hours(paths._conv_ts, paths.timestamp) / (half.total_seconds() / 3600.0)) * np.log(2.0)).exp()
        weights["time_decay"] = decay / decay.sum().over(group_by="customer_id")
    scored = paths.mutate(**{f"_w_{m}": weights[m] for m in models})
    agg = scored.group_by("_item").aggregate(**{m: scored[f"_w_{m}"].sum() for m in models})
    out = ds.engine.to_pandas(agg).rename(columns={"_item": "item"})
    out = b.as_str(out, ["item"])
    long = out.melt(id_vars="item", value_vars=models, var_name="model", value_name="conversions")
    if direct:
        long = pd.concat([long, pd.DataFrame({"item": DIRECT, "model": models, "conversions": float(direct)})], ignore_index=True)
    long["conversions"] = long["conversions"].astype("float64")
    long["removal_effect"] = np.nan
    return long


def _markov(counts: pd.DataFrame, converters: int) -> pd.DataFrame:
    """Credit in proportion to the exact removal effects of the absorbing chain."""
    effects = markov_removal_effects(counts)
    total = effects["removal_effect"].sum()
    effects["conversions"] = converters * effects["removal_effect"] / total if total > 0 else np.nan
    effects["model"] = "markov"
    return effects
