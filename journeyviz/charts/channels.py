"""Omnichannel charts: channels used before the purchase × purchase channel, journey types, leakage to competitors."""

from __future__ import annotations

from typing import Mapping

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_ANALYSIS = "journeyviz.channel_switching"
_W = {
    "matrix": {"fr": "Canaux utilisés avant l'achat, par canal d'achat", "en": "Channels used before the purchase, by purchase channel"},
    "before": {"fr": "Canal utilisé avant l'achat", "en": "Channel used before the purchase"},
    "purchase": {"fr": "Canal d'achat", "en": "Purchase channel"},
    "share_buyers": {"fr": "Part des acheteurs du canal", "en": "Share of the channel's buyers"},
    "purchasers": {"fr": "Acheteurs du canal (dénominateur)", "en": "Buyers through the channel (denominator)"},
    "types": {"fr": "Types de parcours omnicanaux", "en": "Omnichannel journey types"},
    "type": {"fr": "Type de parcours", "en": "Journey type"},
    "share_all": {"fr": "Part des clients", "en": "Share of customers"},
    "all": {"fr": "Clients du groupe (dénominateur)", "en": "Customers in the group (denominator)"},
    "leakage": {"fr": "Où les parcours partent chez un concurrent", "en": "Where journeys leave for a competitor"},
    "leak_rate": {"fr": "Part partie chez un concurrent", "en": "Share who went to a competitor"},
    "ended": {"fr": "Parcours terminés ici chez nous (dénominateur)", "en": "Journeys with us ending here (denominator)"},
    "leakers": {"fr": "Partis chez un concurrent", "en": "Went to a competitor"},
    "top_competitor": {"fr": "Concurrent le plus fréquent", "en": "Most frequent competitor"},
    "none": {"fr": "(aucun)", "en": "(none)"},
}

#: Journey types of :func:`journeyviz.channel_switching` in French.
JOURNEY_TYPE_LABELS = {
    "fr": {
        "online only": "100 % en ligne",
        "research online → buy in store": "recherche en ligne → achat en magasin",
        "store → online": "magasin → achat en ligne",
        "store only": "100 % magasin",
        "other": "autre canal d'achat",
        "no purchase": "pas d'achat",
    },
    "en": {},
}


def channel_switching(table: pd.DataFrame, by: str | None = None, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.TopLevelMixin:
    """Any table of :func:`journeyviz.channel_switching`: the matrix, the journey types or the leakage.

    The kind is recognised from the columns (``purchase_channel`` → :func:`channel_matrix`,
    ``journey_type`` → :func:`journey_types`, ``leak_rate`` → :func:`leakage`).

    Raises
    ------
    ValueError
        The table is none of the three kinds.
    """
    if isinstance(table, pd.DataFrame) and "journey_type" in table.columns:
        return journey_types(table, by=by, title=title, lang=lang, min_group_size=min_group_size)
    if isinstance(table, pd.DataFrame) and "leak_rate" in table.columns:
        return leakage(table, title=title, lang=lang, min_group_size=min_group_size)
    return channel_matrix(table, title=title, lang=lang, min_group_size=min_group_size)


def channel_matrix(table: pd.DataFrame, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.LayerChart:
    """Heatmap: for buyers through each channel (columns), the share who used each channel before (rows).

    Parameters
    ----------
    table
        ``jv.channel_switching(ds, kind="matrix")``: ``channel``, ``purchase_channel``,
        ``customers``, ``purchasers``, ``share`` (``low``/``high``), ``suppressed``.

    Returns
    -------
    altair.LayerChart
        ``cells`` (rect, ``share`` on colour, suppressed cells grey) and ``values`` (text).
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["channel", "purchase_channel", "customers", "purchasers", "share"], "charts.channel_switching", f"{_ANALYSIS}(kind='matrix')")
    title = title or b.pick(_W["matrix"], lang)
    if data.empty:
        return b.no_data(title, lang)
    names = {**b.channel_labels(lang), "(none)": b.pick(_W["none"], lang)}
    data = b.records(data)
    data["before_label"] = [names.get(c, c) for c in data["channel"]]
    data["purchase_label"] = [names.get(c, c) for c in data["purchase_channel"]]
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    data["cell_text"] = ["–" if n else b.pct(s, lang) for n, s in zip(data["note"], data["share"])]
    rows = [names.get(c, c) for c in palette.channel_order([c for c in data["channel"] if c != "(none)"])] + ([names["(none)"]] if "(none)" in set(data["channel"]) else [])
    cols = [names.get(c, c) for c in palette.channel_order(data["purchase_channel"])]
    tooltip = [b.tip("before_label", b.pick(_W["before"], lang), "N"), b.tip("purchase_label", b.pick(_W["purchase"], lang), "N"), b.pct_tip("share", b.pick(_W["share_buyers"], lang))]
    tooltip += [b.pct_tip(c, b.word(c, lang)) for c in b.present(data, "low", "high")]
    tooltip += [b.tip("customers", b.word("customers", lang), fmt=","), b.tip("purchasers", b.pick(_W["purchasers"], lang), fmt=","), b.tip("note", b.word("note", lang), "N")]
    base = alt.Chart(data).encode(
        x=alt.X("purchase_label:N", sort=cols, title=b.pick(_W["purchase"], lang), axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("before_label:N", sort=rows, title=b.pick(_W["before"], lang)),
        tooltip=tooltip,
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.condition("datum.note != ''", alt.value(palette.SUPPRESSED), alt.Color("share:Q", scale=alt.Scale(range=list(palette.SEQUENTIAL), domain=[0, 1]), title=b.pick(_W["share_buyers"], lang), legend=alt.Legend(format=".0%")))
    )
    text = base.mark_text().encode(text="cell_text:N", color=alt.condition("datum.share > 0.55", alt.value("white"), alt.value(palette.INK)))
    return alt.layer(cells.properties(name="cells"), text.properties(name="values")).properties(title=title, width=max(240, 90 * len(cols)), height=max(180, 32 * len(rows)))


def journey_types(table: pd.DataFrame, by: str | None = None, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.LayerChart:
    """Bars: share of customers per omnichannel journey type, with its interval (per group with ``by``).

    Parameters
    ----------
    table
        ``jv.channel_switching(ds, kind="journey_types", by=...)``: ``journey_type``,
        ``customers``, ``n``, ``share`` (``low``/``high``), ``suppressed``.
    by
        The group column: groups side by side within each type, one colour per group.

    Returns
    -------
    altair.LayerChart
        Bars of ``share`` (x) per type (y), error bars, value labels; suppressed rows say so.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["journey_type", "customers", "share"] + ([by] if by else []), "charts.journey_types", f"{_ANALYSIS}(kind='journey_types')")
    title = title or b.pick(_W["types"], lang)
    if data.empty:
        return b.no_data(title, lang)
    names = JOURNEY_TYPE_LABELS[lang]
    data = b.records(data)
    data["type_label"] = [names.get(t, t) for t in data["journey_type"]]
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    data["value_text"] = [n if n else b.pct(s, lang) for n, s in zip(data["note"], data["share"])]
    data["text_x"] = data["high"] if "high" in data.columns else data["share"]
    data["text_x"] = data["text_x"].fillna(0)
    order = list(dict.fromkeys(data["type_label"]))
    tooltip = ([b.tip(by, by, "N")] if by else []) + [b.tip("type_label", b.pick(_W["type"], lang), "N"), b.pct_tip("share", b.pick(_W["share_all"], lang))]
    tooltip += [b.pct_tip(c, b.word(c, lang)) for c in b.present(data, "low", "high")]
    tooltip += [b.tip("customers", b.word("customers", lang), fmt=",")] + ([b.tip("n", b.pick(_W["all"], lang), fmt=",")] if "n" in data.columns else []) + [b.tip("note", b.word("note", lang), "N")]
    offset = {"yOffset": alt.YOffset(f"{by}:N")} if by else {}
    base = alt.Chart(data).encode(y=alt.Y("type_label:N", sort=order, title=None), tooltip=tooltip, **offset)
    colour = alt.Color(f"{by}:N", title=by, scale=palette.group_scale()) if by else alt.value(palette.BLUE)
    layers = [base.mark_bar().encode(x=alt.X("share:Q", title=b.pick(_W["share_all"], lang), axis=alt.Axis(format=".0%")), color=colour)]
    if {"low", "high"} <= set(data.columns):
        layers.append(base.mark_rule(color=palette.INK).encode(x="low:Q", x2="high:Q"))
    layers.append(base.mark_text(align="left", dx=4, fontSize=11).encode(x="text_x:Q", text="value_text:N"))
    groups = data[by].nunique() if by else 1
    return alt.layer(*layers).properties(title=title, width=420, height=max(160, 26 * len(order) * groups))


def leakage(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, journey=None, title: str | None = None, lang: str | None = None, min_group_size: int = 10, top: int | None = 12) -> alt.LayerChart:
    """Bars: where journeys with our brand end and continue at a competitor (leak rate with interval).

    Parameters
    ----------
    table
        ``jv.channel_switching(ds, kind="leakage")``: ``touchpoint``, ``stage``, ``channel``,
        ``ended``, ``leakers``, ``leak_rate`` (``low``/``high``), ``share_of_leakers``,
        ``top_competitor``, ``suppressed``.
    labels, journey
        Display labels of touchpoint ids.
    top
        Show the ``top`` touchpoints with the most leakers (None: all).

    Returns
    -------
    altair.LayerChart
        Bars of ``leak_rate`` per touchpoint (most leakers first), colour by channel, error
        bars, and a text "n leakers / ended → competitor".
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["touchpoint", "channel", "ended", "leakers", "leak_rate"], "charts.leakage", f"{_ANALYSIS}(kind='leakage')")
    title = title or b.pick(_W["leakage"], lang)
    if data.empty:
        return b.no_data(title, lang)
    labels = {**b.journey_labels(journey), **(labels or {})}
    data = b.records(data.sort_values(["leakers", "ended"], ascending=False, kind="stable"))
    if top:
        data = data.head(top)
    data["tp_label"] = b.labels_for(data["touchpoint"], labels)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    comp = data["top_competitor"] if "top_competitor" in data.columns else pd.Series("", index=data.index)
    data["value_text"] = [n if n else f"{int(l)}/{int(e)} → {c}" if c == c and c else f"{int(l)}/{int(e)}" for n, l, e, c in zip(data["note"], data["leakers"].fillna(0), data["ended"].fillna(0), comp)]
    data["text_x"] = (data["high"] if "high" in data.columns else data["leak_rate"]).fillna(0)
    order = list(data["tp_label"])
    tooltip = [b.tip("tp_label", b.word("touchpoint", lang), "N"), b.tip("channel", b.word("channel", lang), "N"), b.pct_tip("leak_rate", b.pick(_W["leak_rate"], lang))]
    tooltip += [b.pct_tip(c, b.word(c, lang)) for c in b.present(data, "low", "high")]
    tooltip += [b.tip("leakers", b.pick(_W["leakers"], lang), fmt=","), b.tip("ended", b.pick(_W["ended"], lang), fmt=",")]
    tooltip += [b.tip("top_competitor", b.pick(_W["top_competitor"], lang), "N")] if "top_competitor" in data.columns else []
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    base = alt.Chart(data).encode(y=alt.Y("tp_label:N", sort=order, title=None), tooltip=tooltip)
    names = b.channel_labels(lang)
    scale = palette.channel_scale(data["channel"].dropna())
    colour = alt.Color("channel:N", scale=scale, title=b.word("channel", lang), legend=alt.Legend(labelExpr=b.label_expr(names)))
    layers = [base.mark_bar().encode(x=alt.X("leak_rate:Q", title=b.pick(_W["leak_rate"], lang), axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])), color=colour)]
    if {"low", "high"} <= set(data.columns):
        layers.append(base.mark_rule(color=palette.INK).encode(x="low:Q", x2="high:Q"))
    layers.append(base.mark_text(align="left", dx=4, fontSize=11).encode(x="text_x:Q", text="value_text:N"))
    return alt.layer(*layers).properties(title=title, width=460, height=max(160, 26 * len(order)))

