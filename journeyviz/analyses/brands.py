"""Where do we lead or lag our competitors: perception per touchpoint or stage, NPS, and reach and conversion per brand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from ..dataset import Dataset
from . import _stats
from ._survey import cell_values, check_by, decorate, respondents_frame, summary, survey_brands, welch

LEVELS = ("touchpoint", "stage")
METRICS = ("perception", "nps", "reach", "conversion")
ALPHA = 0.05
_STATS = ["n_ours", "ours", "n_theirs", "theirs", "difference", "low", "high", "p_value", "p_adjusted", "status"]


def compare_brands(ds: Dataset, level: str = "touchpoint", by: str | None = None) -> pd.DataFrame:
    """Our brand against each competitor: mean perception per cell, NPS, and reach and conversion from events.

    Parameters
    ----------
    ds
        A dataset whose ``ratings`` (and/or ``respondents``, ``events``) carry a ``brand`` column
        with competitors besides ``ds.brand``.
    level
        ``"touchpoint"`` or ``"stage"`` for the perception rows (at stage level each respondent's
        ratings within a stage are averaged first).
    by
        A respondent column or customer attribute; its values become the first column. Reach and
        conversion rows need a customer attribute (or ``"channel"``) here and are left out for a
        respondent-only column.

    Returns
    -------
    pandas.DataFrame
        One row per competitor × metric × cell (× ``by`` value):

        - ``<by>``; ``competitor``; ``metric``:

          * ``"perception"`` — mean perception of the cell (scale points), one row per touchpoint
            or stage rated for either brand;
          * ``"nps"`` — Net Promoter Score of each brand's respondents (points, −100..100);
          * ``"reach"`` — share (0–1) of all customers in the event log who had at least one
            contact with the brand (needs ``events.brand``);
          * ``"conversion"`` — share (0–1) of the customers reached by the brand who reached the
            journey's conversion stage with that brand;
        - ``touchpoint``, ``label``, ``stage`` (or ``stage``, ``label``): the cell of a perception
          row; empty for the other metrics;
        - ``n_ours``, ``n_theirs``: the denominators — respondents who rated the cell / answered
          NPS, or customers (all customers for reach; customers reached by the brand for
          conversion);
        - ``ours``, ``theirs``: the metric for our brand and for the competitor;
        - ``difference``: ``ours − theirs`` in the metric's unit;
        - ``low``, ``high``: its 95 % interval — Welch (perception), normal with the two
          multinomial variances (NPS), Newcombe hybrid Wilson (reach, conversion);
        - ``p_value``: two-sided test of "no difference" — Welch t-test (as
          ``scipy.stats.ttest_ind(equal_var=False)``), z-test on the NPS difference, pooled
          two-proportion z-test. Reach and conversion compare overlapping sets of customers
          (one person may meet both brands), so their tests are approximate;
        - ``p_adjusted``: Benjamini–Hochberg across every reported row of the table;
        - ``status``: ``"lead"`` / ``"lag"`` when ``p_adjusted < 0.05`` and the difference is
          positive / negative, otherwise ``"par"`` (None on suppressed rows);
        - ``suppressed``: True when ``n_ours`` or ``n_theirs`` is below ``min_group_size``
          (figures NaN).

        An empty table with these columns when the data has no competitor.

    Raises
    ------
    ValueError
        Unknown ``level`` or ``by``; no ``ratings`` and no ``respondents`` table.
    """
    _stats.check_level(level, LEVELS)
    by = check_by(ds, by)
    if ds.ratings is None and ds.respondents is None:
        raise ValueError("compare_brands needs a 'ratings' or 'respondents' table with a brand column; add ratings.csv or respondents.csv to jv.load")
    ours = ds.brand
    competitors = survey_brands(ds)[1:]
    keys = (["by"] if by else []) + ["competitor", "metric", "cell"]
    parts = []
    if ds.ratings is not None:
        parts.append(_perception(ds, level, by, ours, competitors))
    if ds.respondents is not None:
        parts.append(_nps(ds, by, ours, competitors))
    if ds.events is not None and "brand" in ds.events.columns:
        parts.append(_events(ds, by, ours, competitors))
    parts = [p for p in parts if len(p)]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*keys, *_STATS])
    table = table.reindex(columns=[*keys, *_STATS])
    for col in ("n_ours", "n_theirs"):
        table[col] = table[col].fillna(0).astype("int64")
    small = (table["n_ours"] < ds.min_group_size) | (table["n_theirs"] < ds.min_group_size)
    figures = ["ours", "theirs", "difference", "low", "high", "p_value"]
    for col in figures:
        table[col] = table[col].astype("float64").where(~small)
    table["p_adjusted"] = _stats.bh_adjust(table["p_value"])
    significant = table["p_adjusted"] < ALPHA
    status = np.where(significant & (table["difference"] > 0), "lead", np.where(significant & (table["difference"] < 0), "lag", "par"))
    table["status"] = pd.Series(status, index=table.index, dtype="object").where(~small, None)
    table["suppressed"] = small
    table["_metric_order"] = table["metric"].map({m: i for i, m in enumerate(METRICS)})
    out = decorate(table, ds, level, by, extra_keys=("competitor", "_metric_order"))
    return out.drop(columns="_metric_order")


def _perception(ds: Dataset, level: str, by: str | None, ours: str, competitors: list[str]) -> pd.DataFrame:
    cells = cell_values(ds, level, None, by, ("perception",), "compare_brands")
    cells = cells[cells["perception"].notna()]
    group = (["by"] if by else []) + ["cell"]
    s = summary(cells, [*group, "brand"], "perception")
    s["var"] = s["sd"] ** 2
    mine = s[s["brand"] == ours].drop(columns="brand")
    rows = []
    for comp in competitors:
        theirs = s[s["brand"] == comp].drop(columns="brand")
        pair = mine.merge(theirs, on=group, how="outer", suffixes=("_o", "_t"))
        if not len(pair):
            continue
        low, high, p = welch(pair["mean_o"], pair["var_o"], pair["n_o"], pair["mean_t"], pair["var_t"], pair["n_t"])
        rows.append(
            pair[group].assign(
                competitor=comp, metric="perception", n_ours=pair["n_o"], ours=pair["mean_o"], n_theirs=pair["n_t"],
                theirs=pair["mean_t"], difference=pair["mean_o"] - pair["mean_t"], low=low, high=high, p_value=p,
            )
        )  # fmt: skip
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _nps(ds: Dataset, by: str | None, ours: str, competitors: list[str]) -> pd.DataFrame:
    resp = respondents_frame(ds, by, None, "compare_brands")
    resp = resp[resp["nps"].notna()]
    group = ["by"] if by else []
    resp = resp.assign(promoter=resp["nps"] >= 9, detractor=resp["nps"] <= 6, one=1)
    counts = resp.groupby([*group, "brand"], observed=True)[["promoter", "detractor", "one"]].sum().reset_index()
    mine = counts[counts["brand"] == ours].drop(columns="brand")
    rows = []
    for comp in competitors:
        theirs = counts[counts["brand"] == comp].drop(columns="brand")
        if group:
            pair = mine.merge(theirs, on=group, how="outer", suffixes=("_o", "_t"))
        else:
            pair = pd.concat([mine.add_suffix("_o").reset_index(drop=True), theirs.add_suffix("_t").reset_index(drop=True)], axis=1)
            if pair.empty:
                pair = pd.DataFrame({c: [0] for c in ("promoter_o", "detractor_o", "one_o", "promoter_t", "detractor_t", "one_t")})
        pair = pair.fillna(0)
        score_o, _, _ = _stats.nps_interval(pair["promoter_o"], pair["detractor_o"], pair["one_o"])
        score_t, _, _ = _stats.nps_interval(pair["promoter_t"], pair["detractor_t"], pair["one_t"])
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(_nps_var(pair["promoter_o"], pair["detractor_o"], pair["one_o"]) + _nps_var(pair["promoter_t"], pair["detractor_t"], pair["one_t"]))
            diff = (score_o - score_t) / 100
            p = 2 * stats.norm.sf(np.abs(diff / se))
        rows.append(
            pair[group].assign(
                competitor=comp, metric="nps", cell=None, n_ours=pair["one_o"], ours=score_o, n_theirs=pair["one_t"], theirs=score_t,
                difference=100 * diff, low=100 * (diff - _stats.Z95 * se), high=100 * (diff + _stats.Z95 * se), p_value=p,
            )
        )  # fmt: skip
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _nps_var(promoters, detractors, n) -> np.ndarray:
    """Variance of an NPS estimate (in proportion units) from the multinomial counts."""
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pp, pd_ = np.asarray(promoters, dtype="float64") / n, np.asarray(detractors, dtype="float64") / n
        return (pp + pd_ - (pp - pd_) ** 2) / n


def _events(ds: Dataset, by: str | None, ours: str, competitors: list[str]) -> pd.DataFrame:
    try:
        events = ds.events_by(by)
    except ValueError:
        return pd.DataFrame()  # a respondent-only attribute: documented as giving no event rows
    group = ["by"] if by else []
    conv = ds.journey.conversion_stage
    totals = ds.engine.to_pandas(events.group_by(group).aggregate(total=ibis._.customer_id.nunique()) if group else events.aggregate(total=ibis._.customer_id.nunique()))
    converted = (events.stage == conv) if conv is not None else ibis.literal(False)
    per_brand = events.group_by([*group, "brand"]).aggregate(reached=events.customer_id.nunique(), converted=events.customer_id.nunique(where=converted))
    per_brand = ds.engine.to_pandas(per_brand)
    if group:
        per_brand = per_brand.merge(totals, on=group, how="left")
    else:
        per_brand["total"] = int(totals["total"].iloc[0]) if len(totals) else 0
    mine = per_brand[per_brand["brand"] == ours].drop(columns="brand")
    rows = []
    for comp in competitors:
        theirs = per_brand[per_brand["brand"] == comp].drop(columns="brand")
        if group:
            pair = mine.merge(theirs, on=group, how="outer", suffixes=("_o", "_t"))
        else:
            pair = pd.concat([mine.add_suffix("_o").reset_index(drop=True), theirs.add_suffix("_t").reset_index(drop=True)], axis=1)
        if pair.empty:
            continue
        pair = pair.fillna(0)
        total = np.maximum(pair["total_o"], pair["total_t"])
        specs = [("reach", pair["reached_o"], total, pair["reached_t"], total)]
        if conv is not None:
            specs.append(("conversion", pair["converted_o"], pair["reached_o"], pair["converted_t"], pair["reached_t"]))
        for metric, k1, n1, k2, n2 in specs:
            with np.errstate(divide="ignore", invalid="ignore"):
                low, high = _stats.diff_proportion_interval(k1, n1, k2, n2)
                p1, p2 = k1 / n1, k2 / n2
                pooled = (k1 + k2) / (n1 + n2)
                se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
                p = 2 * stats.norm.sf(np.abs((p1 - p2) / se))
            rows.append(
                pair[group].assign(
                    competitor=comp, metric=metric, cell=None, n_ours=n1, ours=p1, n_theirs=n2, theirs=p2,
                    difference=p1 - p2, low=low, high=high, p_value=p,
                )
            )  # fmt: skip
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
