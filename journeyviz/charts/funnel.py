"""Funnel chart: how many customers reach each stage, and how many are lost on the way."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_ANALYSIS = "journeyviz.funnel"
_W = {
    "title": {"fr": "Entonnoir du parcours", "en": "Journey funnel"},
    "reached": {"fr": "Clients ayant atteint l'étape", "en": "Customers reaching the stage"},
    "lost": {"fr": "Perdus depuis l'étape précédente", "en": "Lost since the previous stage"},
    "previous": {"fr": "À l'étape précédente (dénominateur)", "en": "At the previous stage (denominator)"},
    "from_previous": {"fr": "Conversion depuis l'étape précédente", "en": "Conversion from the previous stage"},
    "from_first": {"fr": "Conversion depuis la première étape", "en": "Conversion from the first stage"},
    "from_all": {"fr": "Part de tous les clients", "en": "Share of all customers"},
    "median_hours": {"fr": "Délai médian (heures)", "en": "Median time (hours)"},
    "all": {"fr": "Clients du groupe (n)", "en": "Customers in the group (n)"},
}


def funnel(table: pd.DataFrame, by: str | None = None, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.Chart:
    """Horizontal funnel: customers per stage, the drop-off since the previous stage, and the rates.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.funnel`: ``stage``, ``label``, ``stage_order``,
        ``previous``, ``customers``, ``dropoff``, ``conversion_from_previous`` (and its interval),
        ``conversion_from_first``, ``conversion_from_all``, ``n``, ``suppressed``.
    by
        The group column when the funnel was computed with ``by=``: one colour per group.
    title, lang, min_group_size
        Chart title (default: a title in ``lang``), wording language, and the threshold named on
        suppressed rows.

    Returns
    -------
    altair.LayerChart
        Bars of ``customers`` per stage in journey order, a grey extension to ``previous`` (the
        customers lost), labels "customers (conversion from previous)" and tooltips with every
        rate, its interval and denominator. Suppressed rates read "suppressed (n < k)".

    Raises
    ------
    ValueError
        A needed column is missing (the message names it and :func:`journeyviz.funnel`).
    """
    lang = b.resolve_lang(lang)
    needed = ["stage", "label", "stage_order", "previous", "customers", "dropoff", "conversion_from_previous"] + ([by] if by else [])
    data = b.require(table, needed, "charts.funnel", _ANALYSIS)
    title = title or b.pick(_W["title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data.sort_values("stage_order", kind="stable"))
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    order = list(dict.fromkeys(data["label"]))
    y = alt.Y("label:N", sort=order, title=None)
    tooltip = [b.tip("label", b.word("stage", lang), "N")]
    if by:
        tooltip.append(b.tip(by, by, "N"))
    tooltip += [b.tip("customers", b.pick(_W["reached"], lang), fmt=","), b.tip("previous", b.pick(_W["previous"], lang), fmt=","), b.tip("dropoff", b.pick(_W["lost"], lang), fmt=",")]
    for col, key in (("conversion_from_previous", "from_previous"), ("conversion_from_first", "from_first"), ("conversion_from_all", "from_all")):
        if col in data.columns:
            tooltip.append(b.pct_tip(col, b.pick(_W[key], lang)))
            if f"{col}_low" in data.columns:
                tooltip += [b.pct_tip(f"{col}_low", b.word("low", lang)), b.pct_tip(f"{col}_high", b.word("high", lang))]
    if "n" in data.columns:
        tooltip.append(b.tip("n", b.pick(_W["all"], lang), fmt=","))
    if "median_hours" in data.columns:
        tooltip.append(b.tip("median_hours", b.pick(_W["median_hours"], lang), fmt=",.1f"))
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    offset = {"yOffset": alt.YOffset(f"{by}:N")} if by else {}
    # Room on the right for the "customers (rate)" labels, so they never run into the legend.
    top = float(data["previous"].max()) if data["previous"].notna().any() else 1.0
    lost = base.mark_bar(color=palette.SUPPRESSED).encode(x=alt.X("previous:Q", title=b.word("customers", lang), axis=alt.Axis(tickCount=6), scale=alt.Scale(domain=[0, top * 1.22], nice=False)), **offset)
    colour = alt.Color(f"{by}:N", title=by, scale=palette.group_scale()) if by else alt.value(palette.BLUE)
    reached = base.mark_bar().encode(x="customers:Q", color=colour, **offset)
    label = base.mark_text(align="left", dx=4, fontSize=12).encode(
        x="previous:Q",
        text=alt.Text("label_text:N"),
        **offset,
    ).transform_calculate(
        label_text=(
            "datum.note ? datum.note : format(datum.customers, ',') + ' (' + "
            "(isValid(datum.conversion_from_previous) ? format(datum.conversion_from_previous, '.0%') : '–') + ')'"
        )
    )
    height = max(160, 34 * len(order) * (max(1, data[by].nunique()) if by else 1))
    return (lost + reached + label).properties(title=title, height=height, width=480)
