"""Path charts: step-by-step flows (a sankey drawn with areas), the transition heatmap, the commonest journeys."""

from __future__ import annotations

from typing import Mapping

import altair as alt
import numpy as np
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "flows": {"fr": "Flux pas à pas", "en": "Step-by-step flows"},
    "step": {"fr": "Pas", "en": "Step"},
    "from": {"fr": "De", "en": "From"},
    "to": {"fr": "Vers", "en": "To"},
    "moves": {"fr": "Clients faisant ce passage", "en": "Customers making this move"},
    "at_source": {"fr": "Clients au départ (dénominateur)", "en": "Customers at the source (denominator)"},
    "share_next": {"fr": "Part du départ", "en": "Share of the source"},
    "heatmap": {"fr": "Transitions : d'où vont les clients", "en": "Transitions: where customers go next"},
    "probability": {"fr": "Probabilité de passage", "en": "Transition probability"},
    "count": {"fr": "Passages", "en": "Transitions"},
    "from_count": {"fr": "Passages depuis l'origine (dénominateur)", "en": "Transitions out of the origin (denominator)"},
    "median_hours": {"fr": "Délai médian (heures)", "en": "Median time (hours)"},
    "top_paths": {"fr": "Les parcours les plus fréquents", "en": "The commonest journeys"},
    "path": {"fr": "Parcours", "en": "Journey"},
    "path_share": {"fr": "Part des clients", "en": "Share of customers"},
    "conversion": {"fr": "Taux de conversion", "en": "Conversion rate"},
    "conversions": {"fr": "Conversions", "en": "Conversions"},
    "all": {"fr": "Tous les clients (dénominateur)", "en": "All customers (denominator)"},
    "loop": {"fr": "boucle", "en": "loop"},
    "back_step": {"fr": "retour en arrière", "en": "back-step"},
    "flags": {"fr": "Signaux de friction", "en": "Friction signals"},
    "start": {"fr": "(début)", "en": "(start)"},
    "end": {"fr": "(fin)", "en": "(end)"},
}

_NODE_WIDTH = 0.08
_MAX_LINK_ROWS = 4500
_GAP = 0.04  # vertical gap between nodes, as a share of the tallest column


def _display(value: str, labels: Mapping[str, str], lang: str) -> str:
    if value == "(start)":
        return b.pick(_W["start"], lang)
    if value == "(end)":
        return b.pick(_W["end"], lang)
    return labels.get(value, value)


def flows(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, journey=None, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.LayerChart:
    """Sankey-like flows between the first steps of the journeys.

    Vega-Lite has no sankey mark, so the picture is laid out here (layout only, no statistic):
    each step is a column of stacked nodes (one per item, height = customers), and each move
    ``source → target`` is a band whose thickness is its number of customers, drawn as an area
    between the two columns. Journeys that stop are drawn as a grey "(end)" node.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.flows`: ``step``, ``source``, ``target``,
        ``customers``, ``source_customers``, ``share``, ``suppressed``.
    labels, journey
        Display labels of item ids (a mapping, or taken from a :class:`journeyviz.Journey`).
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed moves.

    Returns
    -------
    altair.LayerChart
        Layers: ``links`` (area, ``detail`` per link, tooltip with customers, denominator and
        share), ``nodes`` (bar, colour by item; channel colours when items are channels) and
        ``node labels`` (text).

    Raises
    ------
    ValueError
        A needed column is missing.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["step", "source", "target", "customers", "source_customers"], "charts.flows", "journeyviz.flows")
    title = title or b.pick(_W["flows"], lang)
    data = data[data["customers"].notna() & (data["customers"] > 0)]
    if data.empty:
        return b.no_data(title, lang)
    labels = {**b.channel_labels(lang), **b.journey_labels(journey), **(labels or {})}
    data = b.records(data)
    data["step"] = data["step"].astype(int)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    # Node size at column k: the larger of the customers arriving (moves of step k − 1) and leaving
    # (moves of step k), so every link fits inside its nodes even in a filtered table.
    incoming = data.groupby(["step", "target"], sort=False)["customers"].sum().reset_index()
    incoming = incoming.assign(column=incoming["step"] + 1).rename(columns={"target": "item"})[["column", "item", "customers"]]
    outgoing = data.groupby(["step", "source"], sort=False)["customers"].sum().reset_index().rename(columns={"step": "column", "source": "item"})
    nodes = pd.concat([incoming, outgoing], ignore_index=True).groupby(["column", "item"], sort=False)["customers"].max().rename("size").reset_index()
    nodes["column"] = nodes["column"].astype(int)
    first = int(nodes["column"].min())
    nodes["is_end"] = nodes["item"] == "(end)"
    nodes = nodes.sort_values(["column", "is_end", "size", "item"], ascending=[True, True, False, True], kind="stable")
    tallest = float(nodes.groupby("column")["size"].sum().max())
    gap = tallest * _GAP
    nodes["y2"] = nodes.groupby("column")["size"].cumsum() + nodes.groupby("column").cumcount() * gap
    nodes["y"] = nodes["y2"] - nodes["size"]
    pos = {(int(r.column), r.item): r.y for r in nodes.itertuples()}
    rank = {(int(r.column), r.item): i for i, r in enumerate(nodes.itertuples())}
    # Each link leaves its source stacked in target order and enters its target stacked in source order.
    data["src_rank"] = [rank[(s, src)] for s, src in zip(data["step"], data["source"])]
    data["tgt_rank"] = [rank[(s + 1, t)] for s, t in zip(data["step"], data["target"])]
    data = data.sort_values(["step", "src_rank", "tgt_rank"]).reset_index(drop=True)
    data["out_y"] = [pos[(s, src)] for s, src in zip(data["step"], data["source"])] + data.groupby(["step", "source"])["customers"].cumsum() - data["customers"]
    data = data.sort_values(["step", "tgt_rank", "src_rank"]).reset_index(drop=True)
    data["in_y"] = [pos[(s + 1, t)] for s, t in zip(data["step"], data["target"])] + data.groupby(["step", "target"])["customers"].cumsum() - data["customers"]
    data["link"] = np.arange(len(data))
    # Each link is drawn through a few points; fewer per link when there are many links, so the
    # chart stays under Altair's 5,000-row limit.
    t = np.linspace(0.0, 1.0, int(np.clip(_MAX_LINK_ROWS // max(1, len(data)), 2, 16)))
    ease = t * t * (3 - 2 * t)
    rows = []
    for r in data.itertuples():
        x0, x1 = r.step + _NODE_WIDTH / 2, r.step + 1 - _NODE_WIDTH / 2
        for ti, ei in zip(t, ease):
            y0 = r.out_y + (r.in_y - r.out_y) * ei
            rows.append({"link": r.link, "x": x0 + (x1 - x0) * ti, "y": y0, "y2": y0 + r.customers, "source": r.source, "target": r.target, "step": r.step, "customers": r.customers, "source_customers": r.source_customers, "share": getattr(r, "share", np.nan), "note": r.note, "source_label": _display(r.source, labels, lang), "target_label": _display(r.target, labels, lang)})
    links = pd.DataFrame(rows)
    nodes["label"] = [_display(i, labels, lang) for i in nodes["item"]]
    nodes["x"] = nodes["column"] - _NODE_WIDTH / 2
    nodes["x2"] = nodes["column"] + _NODE_WIDTH / 2
    items = [i for i in dict.fromkeys(nodes["item"]) if i != "(end)"]
    known = set(items) <= set(palette.CHANNELS)
    if known:
        scale = palette.channel_scale(items)
    else:
        scale = alt.Scale(domain=items, range=[palette.OKABE_ITO[i % len(palette.OKABE_ITO)] for i in range(len(items))])
    scale_domain = list(scale.domain) + ["(end)"]
    scale_range = list(scale.range) + [palette.SUPPRESSED]
    item_scale = alt.Scale(domain=scale_domain, range=scale_range)
    colour = alt.Color("item:N", scale=item_scale, legend=None)
    x = alt.X("x:Q", axis=alt.Axis(title=b.pick(_W["step"], lang), values=sorted(nodes["column"].unique().tolist()), format="d", grid=False), scale=alt.Scale(domain=[first - 0.1, float(nodes["column"].max()) + 0.9]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(reverse=True, domain=[0, float(nodes["y2"].max())]))
    link_tip = [b.tip("step", b.pick(_W["step"], lang), fmt="d"), b.tip("source_label", b.pick(_W["from"], lang), "N"), b.tip("target_label", b.pick(_W["to"], lang), "N"), b.tip("customers", b.pick(_W["moves"], lang), fmt=","), b.tip("source_customers", b.pick(_W["at_source"], lang), fmt=","), b.pct_tip("share", b.pick(_W["share_next"], lang)), b.tip("note", b.word("note", lang), "N")]
    link_layer = (
        alt.Chart(links, name="links")
        .mark_area(opacity=0.3, interpolate="linear")
        .encode(x=x, y=y, y2="y2:Q", detail="link:N", color=alt.Color("source:N", scale=item_scale, legend=None), tooltip=link_tip)
    )
    node_tip = [b.tip("label", "", "N"), b.tip("column", b.pick(_W["step"], lang), fmt="d"), b.tip("size", b.word("customers", lang), fmt=",")]
    node_layer = alt.Chart(nodes, name="nodes").mark_rect().encode(x="x:Q", x2="x2:Q", y="y:Q", y2="y2:Q", color=colour, tooltip=node_tip)
    nodes["mid"] = (nodes["y"] + nodes["y2"]) / 2
    text_layer = (
        alt.Chart(nodes[nodes["size"] >= tallest * 0.03], name="node_labels")
        .mark_text(align="left", dx=4, fontSize=12)
        .encode(x="x2:Q", y="mid:Q", text="label:N", tooltip=node_tip)
    )
    columns = int(nodes["column"].nunique())
    return alt.layer(link_layer, node_layer, text_layer).properties(title=title, width=max(480, 190 * columns), height=380)


def _ordered_items(values: pd.Series, order: list[str] | None) -> list[str]:
    seen = list(dict.fromkeys(str(v) for v in values))
    if order:
        body = [o for o in order if o in seen] + sorted(v for v in seen if v not in order and v not in ("(start)", "(end)"))
    else:
        body = sorted(v for v in seen if v not in ("(start)", "(end)"))
    return (["(start)"] if "(start)" in seen else []) + body + (["(end)"] if "(end)" in seen else [])


def transition_heatmap(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, journey=None, order: list[str] | None = None, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.LayerChart:
    """From → to heatmap of transition probabilities (each row sums to 1), with counts in tooltips.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.transitions`: ``from``, ``to``, ``count``,
        ``customers``, ``from_count``, ``probability`` (with ``low``/``high``), ``suppressed``.
    labels, journey
        Display labels of item ids; a journey also gives the order (stages, then touchpoints).
    order
        Item order on both axes (default: the journey's order, else alphabetical); ``(start)``
        comes first and ``(end)`` last.
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed cells.

    Returns
    -------
    altair.LayerChart
        ``cells`` (rect: ``from`` on y, ``to`` on x, ``probability`` on colour; suppressed cells
        grey) and ``values`` (text: the probability, or "–" on suppressed cells).

    Raises
    ------
    ValueError
        A needed column is missing.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["from", "to", "count", "customers", "probability"], "charts.transition_heatmap", "journeyviz.transitions")
    title = title or b.pick(_W["heatmap"], lang)
    if data.empty:
        return b.no_data(title, lang)
    labels = {**b.channel_labels(lang), **b.journey_labels(journey), **(labels or {})}
    if order is None and journey is not None:
        order = journey.stage_ids + journey.touchpoint_ids + journey.channels
    data = b.records(data)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    data["from_label"] = [_display(v, labels, lang) for v in data["from"]]
    data["to_label"] = [_display(v, labels, lang) for v in data["to"]]
    data["cell_text"] = ["–" if n else b.pct(p, lang) for n, p in zip(data["note"], data["probability"])]
    data["fill"] = np.where(b.is_suppressed(data), "suppressed", "value")
    rows = [_display(v, labels, lang) for v in _ordered_items(data["from"], order)]
    cols = [_display(v, labels, lang) for v in _ordered_items(data["to"], order)]
    tooltip = [b.tip("from_label", b.pick(_W["from"], lang), "N"), b.tip("to_label", b.pick(_W["to"], lang), "N"), b.pct_tip("probability", b.pick(_W["probability"], lang))]
    tooltip += [b.pct_tip(c, b.word(c, lang)) for c in b.present(data, "low", "high")]
    tooltip += [b.tip("count", b.pick(_W["count"], lang), fmt=","), b.tip("customers", b.word("customers", lang), fmt=",")]
    tooltip += [b.tip(c, b.pick(_W[c], lang), fmt=",.1f" if c == "median_hours" else ",") for c in b.present(data, "from_count", "median_hours")]
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    base = alt.Chart(data).encode(
        x=alt.X("to_label:N", sort=cols, title=b.pick(_W["to"], lang), axis=alt.Axis(labelAngle=-40, orient="top")),
        y=alt.Y("from_label:N", sort=rows, title=b.pick(_W["from"], lang)),
        tooltip=tooltip,
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.condition("datum.fill == 'suppressed'", alt.value(palette.SUPPRESSED), alt.Color("probability:Q", scale=alt.Scale(range=list(palette.SEQUENTIAL), domain=[0, 1]), title=b.pick(_W["probability"], lang), legend=alt.Legend(format=".0%")))
    )
    text = base.mark_text(fontSize=11).encode(
        text="cell_text:N",
        color=alt.condition("datum.probability > 0.55", alt.value("white"), alt.value(palette.INK)),
    )
    return alt.layer(cells.properties(name="cells"), text.properties(name="values")).properties(title=title, width=max(240, 46 * len(cols)), height=max(200, 32 * len(rows)))


def top_paths(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, journey=None, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.HConcatChart:
    """The commonest journeys: share of customers (with interval) beside their conversion rate.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.top_paths`: ``rank``, ``path``, ``customers``,
        ``n``, ``share`` (``share_low``/``share_high``), ``conversions``, ``conversion_rate``
        (``low``/``high``), ``loop``, ``back_step``, ``suppressed``.
    labels, journey
        Display labels for the ids inside the paths.
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed rows.

    Returns
    -------
    altair.HConcatChart
        Left: bars of ``share`` per path (ranked), error bars, friction flags in the label.
        Right: ``conversion_rate`` dots with their interval.

    Raises
    ------
    ValueError
        A needed column is missing.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["rank", "path", "customers", "share", "conversion_rate"], "charts.top_paths", "journeyviz.top_paths")
    title = title or b.pick(_W["top_paths"], lang)
    if data.empty:
        return b.no_data(title, lang)
    labels = {**b.channel_labels(lang), **b.journey_labels(journey), **(labels or {})}
    data = b.records(data.sort_values("rank", kind="stable"))
    flags = []
    for r in data.itertuples():
        f = []
        if "loop" in data.columns and b.flag(r.loop):
            f.append(b.pick(_W["loop"], lang))
        if "back_step" in data.columns and b.flag(r.back_step):
            f.append(b.pick(_W["back_step"], lang))
        flags.append(", ".join(f))
    data["flags"] = flags
    data["path_label"] = [f"{int(r)}. " + " › ".join(labels.get(p, p) for p in str(path).split(" > ")) + (" ↺" if fl else "") for r, path, fl in zip(data["rank"], data["path"], flags)]
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    order = list(data["path_label"])
    tooltip = [b.tip("path_label", b.pick(_W["path"], lang), "N"), b.tip("customers", b.word("customers", lang), fmt=",")]
    tooltip += [b.tip("n", b.pick(_W["all"], lang), fmt=",")] if "n" in data.columns else []
    tooltip += [b.pct_tip("share", b.pick(_W["path_share"], lang))] + [b.pct_tip(c, b.word(c.split("_")[-1], lang)) for c in b.present(data, "share_low", "share_high")]
    tooltip += [b.tip("conversions", b.pick(_W["conversions"], lang), fmt=",.0f")] if "conversions" in data.columns else []
    tooltip += [b.pct_tip("conversion_rate", b.pick(_W["conversion"], lang))] + [b.pct_tip(c, b.word(c, lang)) for c in b.present(data, "low", "high")]
    tooltip += [b.tip("flags", b.pick(_W["flags"], lang), "N"), b.tip("note", b.word("note", lang), "N")]
    y = alt.Y("path_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=560))
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    bare = alt.Chart(data).encode(y=alt.Y("path_label:N", sort=order, axis=None), tooltip=tooltip)
    share = base.mark_bar(color=palette.BLUE).encode(x=alt.X("share:Q", title=b.pick(_W["path_share"], lang), axis=alt.Axis(format=".0%")))
    layers = [share]
    if {"share_low", "share_high"} <= set(data.columns):
        layers.append(base.mark_rule(color=palette.INK).encode(x="share_low:Q", x2="share_high:Q"))
    layers.append(base.mark_text(align="left", dx=4, color=palette.INK).encode(x="share_high:Q" if "share_high" in data.columns else "share:Q", text=alt.Text("share:Q", format=".1%")))
    conv_layers = [bare.mark_point(filled=True, size=80, color=palette.ORANGE).encode(x=alt.X("conversion_rate:Q", title=b.pick(_W["conversion"], lang), axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])))]
    if {"low", "high"} <= set(data.columns):
        conv_layers.insert(0, bare.mark_rule(color=palette.ORANGE).encode(x="low:Q", x2="high:Q"))
    conv_layers.append(bare.mark_text(align="left", dx=6, color=palette.GREY, fontSize=11).encode(x=alt.value(4), text="note:N"))
    height = max(160, 28 * len(order))
    left = alt.layer(*layers).properties(width=300, height=height)
    right = alt.layer(*conv_layers).properties(width=180, height=height)
    return alt.hconcat(left, right, spacing=12).properties(title=title)
