"""Which touchpoints reach customers, go with conversion, lose people or press too hard (behaviour)."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..journey import OBJECTIVES
from . import _behaviour as b
from ._stats import diff_proportion_interval, suppress, wilson_interval

#: A company-initiated touchpoint is flagged intrusive when its contacts per reached customer
#: exceed this multiple of the median over all touchpoints of the group.
INTRUSIVE_MULTIPLE = 2.0
#: A before-purchase touchpoint is a friction when the lower bound of its drop-off interval
#: exceeds this multiple of the drop-off of the other before-purchase touchpoints of its stage.
FRICTION_MULTIPLE = 2.0

AUDIT_COLUMNS = [
    "touchpoint", "label", "stage", "channel", "objective", "initiative", "moment",
    "n", "reach", "reach_share", "reach_low", "reach_high",
    "contacts", "contacts_per_customer", "median_position",
    "conversion_reached", "conversion_reached_low", "conversion_reached_high",
    "conversion_not_reached", "conversion_not_reached_low", "conversion_not_reached_high",
    "lift", "lift_low", "lift_high",
    "exits", "dropoff", "dropoff_low", "dropoff_high",
    "pressure", "intrusive", "friction", "suppressed",
]
COVERAGE_COLUMNS = ["stage", "objective", "touchpoints", "touchpoint_ids", "covered", "customers", "stage_customers", "share", "low", "high", "suppressed"]
_CATALOGUE = ["label", "stage", "channel", "objective", "initiative", "moment"]


def touchpoint_audit(ds: Dataset, by: str | None = None, survey: bool = True, positions: bool = True) -> pd.DataFrame:
    """Per touchpoint: reach, contacts, position, conversion lift, drop-off and contact pressure.

    Journeys are our brand's events ordered by timestamp then event_id
    (:mod:`journeyviz.analyses._behaviour`); a customer *converts* when their journey reaches the
    conversion stage. Every catalogue touchpoint gets a row (reach 0 when unseen), plus any
    touchpoint found in the events but missing from the catalogue (its catalogue columns empty).

    Parameters
    ----------
    ds
        The dataset (needs ``events`` and a journey with a conversion stage).
    by
        A customer attribute or segment; becomes the first column.
    survey
        Add the survey columns below when ratings exist (default); False keeps the behavioural
        half only, e.g. when the caller computes gaps itself.
    positions
        Compute ``median_position`` (default). It is the one figure that needs each event's
        position in its customer's journey, an ordered window over the log; False leaves it NaN
        and the engine aggregates instead (about 40 % less engine time, e.g. for a journey map,
        which draws reach and flags only). Every other column is the same.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint (per ``by`` group), in catalogue order:

        - ``touchpoint``, ``label``, ``stage``, ``channel``, ``objective``, ``initiative``,
          ``moment``: from the catalogue.
        - ``n``: customers in the group. ``reach``: customers with at least one contact at the
          touchpoint; ``reach_share`` = ``reach / n`` with Wilson ``reach_low``/``reach_high``.
        - ``contacts``: events at the touchpoint; ``contacts_per_customer`` = ``contacts / reach``.
        - ``median_position``: median 1-based position of the customer's first contact with the
          touchpoint in their journey, over ``reach``.
        - ``conversion_reached`` = converted / ``reach``; ``conversion_not_reached`` = converted /
          (``n − reach``); each with Wilson ``_low``/``_high``. ``lift`` = their difference
          (percentage points as a 0–1 fraction) with Newcombe's interval ``lift_low``/``lift_high``.
          For touchpoints of the conversion stage reaching implies converting, so lift is
          descriptive, not causal, everywhere.
        - ``exits``: customers whose journey's last event is at this touchpoint;
          ``dropoff`` = ``exits / reach`` with Wilson ``dropoff_low``/``dropoff_high``.
        - ``pressure``: for company-initiated touchpoints, ``contacts_per_customer`` (NaN for
          customer-initiated ones). ``intrusive``: pressure above :data:`INTRUSIVE_MULTIPLE` × the
          median ``contacts_per_customer`` of the group's touchpoints.
        - ``friction``: a touchpoint before the purchase (``moment == "before"``) whose
          ``dropoff_low`` exceeds :data:`FRICTION_MULTIPLE` × the pooled drop-off (exits / reach)
          of the other before-purchase touchpoints of the same stage in the group (of all other
          before-purchase touchpoints when it is alone in its stage): journeys end there far more
          often than at its neighbours.
        - ``suppressed``: True when ``reach`` (or ``n − reach`` for ``conversion_not_reached``
          and ``lift``, or ``n`` for ``reach_share``) is below ``ds.min_group_size``; those figures
          are NaN and the flags False.

        When the dataset has survey ``ratings`` of our brand, what customers *say* follows (empty
        where a touchpoint was not rated; small cells already suppressed by those analyses):

        - ``ratings_n``: respondents who rated the touchpoint; ``satisfaction``: their mean
          perception (scale points).
        - with expectations: ``gap`` (perception − expectation, scale points) with
          ``gap_low``/``gap_high`` (paired 95 % interval) and ``gap_p_adjusted`` (Benjamini–Hochberg),
          and ``stated_importance`` (mean stated importance) — from :func:`satisfaction_gap`;
        - with ``by=None`` only (quadrants are judged on the whole base): ``importance`` and
          ``importance_source``, ``quadrant``/``quadrant_label`` and ``moment_of_truth`` — from
          :func:`importance_performance`.

    Raises
    ------
    ValueError
        ``by`` not a customer attribute; no conversion stage in the journey; a filter leaving no
        events.
    """
    stage = b.conversion_stage(ds, "touchpoint_audit")
    t, keys = b.journey_events(ds, by, analysis="touchpoint_audit", columns=["touchpoint", "stage"])
    part = [*keys, "customer_id"]
    if positions:
        # One ordered window (position, and whether a next event exists); the customer's conversion
        # comes from an aggregate joined back rather than a second, unordered window over the log.
        order = list(b.ORDER)
        t = t.mutate(
            seq=ibis.row_number().over(group_by=part, order_by=order),
            _last=t.timestamp.lead().over(group_by=part, order_by=order).isnull(),
        )
        per_tp = t.group_by([*part, "touchpoint"]).aggregate(
            contacts=t.count(),
            first_pos=(t.seq.min() + 1).cast("float64"),
            _at_conv=(t.stage == stage).cast("int64").max(),
            exit=t._last.cast("int64").max(),
        )
        people = per_tp.group_by(part).aggregate(conv=per_tp._at_conv.max())
        per_tp = per_tp.join(people, part)
    else:
        # Without positions no window is needed: the journey's last touchpoint is the one with the
        # greatest (timestamp, event_id), an aggregate.
        per_tp = t.group_by([*part, "touchpoint"]).aggregate(contacts=t.count())
        people = t.group_by(part).aggregate(
            conv=(t.stage == stage).cast("int64").max(),
            _last_tp=t.touchpoint.argmax(ibis.struct({o: t[o] for o in b.ORDER})),
        )
        per_tp = per_tp.join(people, part)
        per_tp = per_tp.mutate(exit=(per_tp.touchpoint == per_tp._last_tp).cast("int64"))
    stats = per_tp.group_by([*keys, "touchpoint"]).aggregate(
        reach=per_tp.count(),
        contacts=per_tp.contacts.sum(),
        converted_reached=per_tp.conv.sum(),
        exits=per_tp.exit.sum(),
    )
    if positions:
        medians = b.quantiles(ds, per_tp, [*keys, "touchpoint"], "first_pos", {"median_position": 0.5})
        stats = stats.join(medians, [*keys, "touchpoint"])
    else:
        stats = stats.mutate(median_position=ibis.null("float64"))
    totals = b.aggregate(people, keys, n=people.count(), converted=people.conv.sum())
    # Both aggregates in one query, so the engine goes over the events once (window or not).
    cols = {"reach": "int64", "contacts": "int64", "median_position": "float64", "converted_reached": "int64", "exits": "int64"}
    tp_rows = stats.select(*keys, _total=ibis.literal(False), touchpoint=stats.touchpoint.cast("string"), **{c: stats[c].cast(d) for c, d in cols.items()})
    total_rows = totals.select(
        *keys,
        _total=ibis.literal(True),
        touchpoint=ibis.null("string"),
        reach=totals.n.cast("int64"),
        contacts=ibis.literal(0, type="int64"),
        median_position=ibis.null("float64"),
        converted_reached=totals.converted.cast("int64"),
        exits=ibis.literal(0, type="int64"),
    )
    both = ds.engine.to_pandas(ibis.union(tp_rows, total_rows))
    is_total = both["_total"].astype(bool)
    out = both[~is_total].drop(columns="_total")
    totals = both[is_total].rename(columns={"reach": "n", "converted_reached": "converted"})[[*keys, "n", "converted"]]
    totals = b.as_int(totals, ["n", "converted"])
    totals = totals[totals["n"] > 0]
    b.check_not_filtered_away(ds, totals.empty)
    special = {"touchpoint": "str", "label": "str", "stage": "str", "channel": "str", "objective": "str", "initiative": "str", "moment": "str",
               "n": "int64", "reach": "int64", "contacts": "int64", "exits": "int64", "intrusive": "bool", "friction": "bool", "suppressed": "bool"}
    if totals.empty:
        return b.empty_frame(b.dtypes(by, AUDIT_COLUMNS, special))
    out = b.as_str(b.as_int(out, ["reach", "contacts", "converted_reached", "exits"]), ["touchpoint", *keys])
    catalogue = ds.journey.catalogue()[["touchpoint", *_CATALOGUE]]
    extra = sorted(set(out["touchpoint"]) - set(catalogue["touchpoint"]))
    catalogue = pd.concat([catalogue, pd.DataFrame({"touchpoint": extra})], ignore_index=True)
    catalogue["_order"] = np.arange(len(catalogue))
    catalogue = b.as_str(catalogue, ["touchpoint"])
    totals = b.as_str(totals, keys)
    grid = totals.merge(catalogue, how="cross").merge(out, on=[*keys, "touchpoint"], how="left")
    grid = b.as_int(grid, ["reach", "contacts", "converted_reached", "exits"])
    grid = grid.sort_values([*keys, "_order"], kind="stable").reset_index(drop=True)

    reach, n = grid["reach"], grid["n"]
    not_reach = n - reach
    conv_not = grid["converted"] - grid["converted_reached"]
    grid["_not_reach"] = not_reach
    grid["reach_share"] = reach / n
    grid["reach_low"], grid["reach_high"] = wilson_interval(reach, n)
    grid["contacts_per_customer"] = grid["contacts"] / reach.where(reach > 0)
    grid["conversion_reached"] = grid["converted_reached"] / reach.where(reach > 0)
    grid["conversion_reached_low"], grid["conversion_reached_high"] = wilson_interval(grid["converted_reached"], reach)
    grid["conversion_not_reached"] = conv_not / not_reach.where(not_reach > 0)
    grid["conversion_not_reached_low"], grid["conversion_not_reached_high"] = wilson_interval(conv_not, not_reach)
    grid["lift"] = grid["conversion_reached"] - grid["conversion_not_reached"]
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["lift_low"], grid["lift_high"] = diff_proportion_interval(grid["converted_reached"], reach, conv_not, not_reach)
    grid["dropoff"] = grid["exits"] / reach.where(reach > 0)
    grid["dropoff_low"], grid["dropoff_high"] = wilson_interval(grid["exits"], reach)
    company = grid["initiative"] == "company"
    grid["pressure"] = grid["contacts_per_customer"].where(company)

    mgs = ds.min_group_size
    grid = suppress(grid, "n", ["reach_share", "reach_low", "reach_high"], mgs)
    grid = suppress(grid, "reach", ["contacts_per_customer", "median_position", "conversion_reached", "conversion_reached_low", "conversion_reached_high",
                                    "dropoff", "dropoff_low", "dropoff_high", "pressure"], mgs)
    grid = suppress(grid, "_not_reach", ["conversion_not_reached", "conversion_not_reached_low", "conversion_not_reached_high"], mgs)
    small = (reach < mgs) | (not_reach < mgs)
    for col in ("lift", "lift_low", "lift_high"):
        grid[col] = grid[col].where(~small)
    grid["suppressed"] = grid["suppressed"] | small

    group = grid.groupby(keys, sort=False) if keys else None
    typical = group["contacts_per_customer"].transform("median") if keys else pd.Series(grid["contacts_per_customer"].median(), index=grid.index)
    grid["intrusive"] = (grid["pressure"] > INTRUSIVE_MULTIPLE * typical).fillna(False).astype(bool)
    before = (grid["moment"] == "before") & (grid["reach"] >= mgs)
    # Exits and reach of the *other* before-purchase touchpoints of the same stage.
    stage_keys = [grid[k] for k in keys] + [grid["stage"].fillna("")]
    exits_before = grid["exits"].where(before, 0)
    reach_before = grid["reach"].where(before, 0)
    other_exits = exits_before.groupby(stage_keys).transform("sum") - exits_before
    other_reach = reach_before.groupby(stage_keys).transform("sum") - reach_before
    baseline = other_exits / other_reach.where(other_reach > 0)
    # A touchpoint alone in its stage is compared with every other before-purchase touchpoint.
    group_keys = [grid[k] for k in keys] or [pd.Series(0, index=grid.index)]
    all_exits = exits_before.groupby(group_keys).transform("sum") - exits_before
    all_reach = reach_before.groupby(group_keys).transform("sum") - reach_before
    baseline = baseline.fillna(all_exits / all_reach.where(all_reach > 0))
    grid["friction"] = (before & (grid["dropoff_low"] > FRICTION_MULTIPLE * baseline)).fillna(False).astype(bool)
    grid = b.as_str(grid, keys)
    audit = b.finish(grid, by, AUDIT_COLUMNS).astype(b.dtypes(by, AUDIT_COLUMNS, special))
    return _with_survey(ds, audit, by) if survey else audit


def _with_survey(ds: Dataset, audit: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Add what customers *say* about each touchpoint beside what they *do* (see touchpoint_audit)."""
    ratings = ds.ratings
    if ratings is None or "perception" not in ratings or ratings["perception"].notna().sum() == 0:
        return audit
    # Imported here: the survey modules sit beside this one and import the same helpers.
    from .drivers import importance_performance
    from .gaps import satisfaction_gap

    keys = [by] if by is not None else []
    if "expectation" in ratings and ratings["expectation"].notna().any():
        gaps = satisfaction_gap(ds, "touchpoint", by=by)
        said = gaps[[*keys, "touchpoint", "n", "perception", "gap", "low", "high", "p_adjusted", "importance"]].rename(
            columns={"n": "ratings_n", "perception": "satisfaction", "low": "gap_low", "high": "gap_high", "p_adjusted": "gap_p_adjusted", "importance": "stated_importance"}
        )
    else:
        said = None
    if by is None:
        # Quadrants and moments of truth use the importance point estimates only; the bootstrap
        # would compute intervals this table does not keep (0.35 s of 0.41 on the French sample).
        ipa = importance_performance(ds, n_bootstrap=0)[["touchpoint", "n", "performance", "importance", "importance_source", "quadrant", "quadrant_label", "moment_of_truth"]]
        ipa = ipa.rename(columns={"n": "ratings_n", "performance": "satisfaction"})
        said = ipa if said is None else said.merge(ipa.drop(columns=["ratings_n", "satisfaction"]), on="touchpoint", how="outer")
    if said is None:
        return audit
    for key in keys:
        audit[key] = audit[key].astype("str")
        said[key] = said[key].astype("str")
    said["touchpoint"] = said["touchpoint"].astype("str")
    out = audit.merge(said, on=[*keys, "touchpoint"], how="left")
    if "moment_of_truth" in out:
        out["moment_of_truth"] = out["moment_of_truth"].fillna(False).astype(bool)
    return out


def objective_coverage(ds: Dataset, by: str | None = None) -> pd.DataFrame:
    """Per stage × objective (inform, image, purchase): does the catalogue cover it, and whom does it reach?

    Parameters
    ----------
    ds
        The dataset (needs ``events``).
    by
        A customer attribute or segment; becomes the first column.

    Returns
    -------
    pandas.DataFrame
        One row per stage × objective (per ``by`` group), in stage order then
        ``inform``, ``image``, ``purchase``:

        - ``stage``, ``objective``.
        - ``touchpoints``: catalogue touchpoints of this stage with this objective;
          ``touchpoint_ids`` their ids joined by ``", "``; ``covered`` = ``touchpoints > 0``.
        - ``customers``: customers with at least one contact at one of those touchpoints.
        - ``stage_customers``: customers with at least one contact at the stage (the denominator).
        - ``share`` = ``customers / stage_customers`` with Wilson ``low``/``high``.
        - ``suppressed``: True when ``stage_customers`` < ``ds.min_group_size`` (share NaN).

    Raises
    ------
    ValueError
        ``by`` not a customer attribute; a filter leaving no events.
    """
    t, keys = b.journey_events(ds, by, analysis="objective_coverage")
    catalogue = ds.journey.catalogue()
    ids = {o: catalogue.loc[catalogue["objective"] == o, "touchpoint"].tolist() for o in OBJECTIVES}
    flags = {f"_{o}": (t.touchpoint.isin(ids[o]) if ids[o] else ibis.literal(False)).cast("int64").max() for o in OBJECTIVES}
    per = t.group_by([*keys, "customer_id", "stage"]).aggregate(**flags)
    agg = per.group_by([*keys, "stage"]).aggregate(stage_customers=per.count(), **{f"_{o}": per[f"_{o}"].sum() for o in OBJECTIVES})
    out = ds.engine.to_pandas(agg)
    b.check_not_filtered_away(ds, out.empty)
    special = {"stage": "str", "objective": "str", "touchpoints": "int64", "touchpoint_ids": "str", "covered": "bool", "customers": "int64", "stage_customers": "int64", "suppressed": "bool"}
    if out.empty:
        return b.empty_frame(b.dtypes(by, COVERAGE_COLUMNS, special))
    out = b.as_str(out, ["stage", *keys])
    long = out.melt(id_vars=[*keys, "stage", "stage_customers"], value_vars=[f"_{o}" for o in OBJECTIVES], var_name="objective", value_name="customers")
    long["objective"] = long["objective"].str[1:]
    groups = out[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
    cells = pd.DataFrame([(s, o) for s in ds.journey.stage_ids for o in OBJECTIVES], columns=["stage", "objective"])
    counts = catalogue.groupby(["stage", "objective"]).agg(touchpoints=("touchpoint", "size"), touchpoint_ids=("touchpoint", ", ".join)).reset_index()
    cells = cells.merge(counts, on=["stage", "objective"], how="left")
    cells = b.as_str(cells, ["stage", "objective"])
    grid = groups.merge(cells, how="cross").merge(b.as_str(long, ["objective"]), on=[*keys, "stage", "objective"], how="left")
    grid = b.as_int(grid, ["touchpoints", "customers", "stage_customers"])
    grid["touchpoint_ids"] = grid["touchpoint_ids"].fillna("")
    grid["covered"] = grid["touchpoints"] > 0
    grid["share"] = grid["customers"] / grid["stage_customers"].where(grid["stage_customers"] > 0)
    grid["low"], grid["high"] = wilson_interval(grid["customers"], grid["stage_customers"])
    grid = suppress(grid, "stage_customers", ["share", "low", "high"], ds.min_group_size)
    return b.finish(grid, by, COVERAGE_COLUMNS).astype(b.dtypes(by, COVERAGE_COLUMNS, special))
