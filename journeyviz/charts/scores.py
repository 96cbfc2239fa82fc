"""Score charts: satisfaction (CSAT) per touchpoint or stage, and NPS bars."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "csat_title": {"fr": "Satisfaction par point de contact", "en": "Satisfaction by touchpoint"},
    "csat": {"fr": "Satisfaction moyenne (échelle de perception)", "en": "Mean satisfaction (perception scale)"},
    "top2": {"fr": "Très satisfaits (2 meilleures notes)", "en": "Top-2-box"},
    "nps_title": {"fr": "Net Promoter Score", "en": "Net Promoter Score"},
    "nps": {"fr": "NPS (promoteurs − détracteurs, points)", "en": "NPS (promoters − detractors, points)"},
    "nps_n": {"fr": "Répondants NPS (n)", "en": "NPS respondents (n)"},
    "ces": {"fr": "Effort client (CES)", "en": "Customer effort (CES)"},
    "group": {"fr": "Groupe", "en": "Group"},
}


def _cell(data: pd.DataFrame) -> str:
    for col in ("label", "journey", "touchpoint", "stage"):
        if col in data.columns:
            return col
    raise ValueError("charts.scores: the table has no 'label', 'journey', 'touchpoint' or 'stage' column; pass the table returned by journeyviz.scores")


def scores(table: pd.DataFrame, by: str | None = None, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10, scale: tuple[float, float] | None = None) -> alt.LayerChart:
    """Dots with 95 % intervals: mean satisfaction (CSAT) per touchpoint or stage, in journey order.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.scores`: ``label`` (or ``journey``), ``n``,
        ``csat``, ``csat_low``, ``csat_high``, ``top2``, ``nps``, ``suppressed``.
    by
        The group column: one colour per group, groups side by side.
    scale
        The perception scale ``(low, high)`` for the axis (default: the data's range).
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed rows.

    Returns
    -------
    altair.LayerChart
        Interval rules and dots (``csat`` on x, cell on y); suppressed cells carry a note.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["n", "csat"] + ([by] if by else []), "charts.scores", "journeyviz.scores")
    cell = _cell(data)
    title = title or b.pick(_W["csat_title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    order = list(dict.fromkeys(data[cell].astype(str)))
    data[cell] = data[cell].astype(str)
    tooltip = ([b.tip(by, by, "N")] if by else []) + [b.tip(cell, b.word("touchpoint", lang), "N"), b.tip("n", b.word("n", lang), fmt=","), b.tip("csat", b.pick(_W["csat"], lang), fmt=".2f")]
    tooltip += [b.tip(c, b.word(c.split("_")[1], lang), fmt=".2f") for c in b.present(data, "csat_low", "csat_high")]
    tooltip += [b.pct_tip("top2", b.pick(_W["top2"], lang))] if "top2" in data.columns else []
    tooltip += [b.tip("nps", "NPS", fmt="+.0f")] if "nps" in data.columns else []
    tooltip += [b.tip("ces", b.pick(_W["ces"], lang), fmt=".2f")] if "ces" in data.columns else []
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    offset = {"yOffset": alt.YOffset(f"{by}:N")} if by else {}
    base = alt.Chart(data).encode(y=alt.Y(f"{cell}:N", sort=order, title=None), tooltip=tooltip, **offset)
    domain = list(scale) if scale else None
    x = alt.X("csat:Q", title=b.pick(_W["csat"], lang), scale=alt.Scale(domain=domain, zero=False) if domain else alt.Scale(zero=False))
    colour = alt.Color(f"{by}:N", title=by, scale=palette.group_scale()) if by else alt.value(palette.BLUE)
    layers = []
    if {"csat_low", "csat_high"} <= set(data.columns):
        layers.append(base.mark_rule(strokeWidth=2).encode(x="csat_low:Q", x2="csat_high:Q", color=colour))
    layers.append(base.mark_point(filled=True, size=70, opacity=1).encode(x=x, color=colour))
    layers.append(base.mark_text(align="left", dx=6, color=palette.GREY, fontSize=11).encode(x=alt.value(0), text="note:N"))
    groups = data[by].nunique() if by else 1
    return alt.layer(*layers).properties(title=title, width=420, height=max(160, 20 * len(order) * groups))


def nps_bars(table: pd.DataFrame, by: str | None = None, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.LayerChart:
    """Bars of NPS (−100..100) with 95 % intervals, per group (``by``) or per cell, coloured by sign.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.scores` (any level): ``nps_n``, ``nps``,
        ``nps_low``, ``nps_high``, ``suppressed``, and ``journey``/``label`` for the cell.
    by
        The group column (``scores(ds, level="journey", by=...)``): one bar per group.
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed bars.

    Returns
    -------
    altair.LayerChart
        Bars from 0 to ``nps`` (x fixed to −100..100), interval rules, a zero rule, value labels
        with ``n``; suppressed rows read "suppressed (n < k)".
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["nps", "nps_n"] + ([by] if by else []), "charts.nps_bars", "journeyviz.scores")
    title = title or b.pick(_W["nps_title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data)
    row = by or _cell(data)
    data[row] = data[row].astype(str)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    data["value_text"] = [n if n or v != v else f"{v:+.0f} (n = {int(k):,})".replace(",", "\u202f" if lang == "fr" else ",") for n, v, k in zip(data["note"], data["nps"], data["nps_n"].fillna(0))]
    data["sign"] = ["neg" if v < 0 else "pos" for v in data["nps"].fillna(0)]
    order = list(dict.fromkeys(data[row]))
    tooltip = [b.tip(row, b.pick(_W["group"], lang), "N"), b.tip("nps", "NPS", fmt="+.1f")]
    tooltip += [b.tip(c, b.word(c.split("_")[1], lang), fmt="+.1f") for c in b.present(data, "nps_low", "nps_high")]
    tooltip += [b.tip("nps_n", b.pick(_W["nps_n"], lang), fmt=","), b.tip("note", b.word("note", lang), "N")]
    base = alt.Chart(data).encode(y=alt.Y(f"{row}:N", sort=order, title=None), tooltip=tooltip)
    layers = [
        base.mark_bar().encode(
            x=alt.X("nps:Q", title=b.pick(_W["nps"], lang), scale=alt.Scale(domain=[-100, 100]), axis=alt.Axis(values=[-100, -50, 0, 50, 100])),
            color=alt.Color("sign:N", scale=alt.Scale(domain=["neg", "pos"], range=[palette.DIVERGING[1], palette.DIVERGING[-2]]), legend=None),
        )
    ]
    if {"nps_low", "nps_high"} <= set(data.columns):
        layers.append(base.mark_rule(color=palette.INK).encode(x="nps_low:Q", x2="nps_high:Q"))
    layers.append(alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color=palette.INK).encode(x="zero:Q"))
    layers.append(base.mark_text(align="left", dx=6, fontSize=11).encode(x=alt.datum(-100), text="value_text:N"))
    return alt.layer(*layers).properties(title=title, width=440, height=max(120, 30 * len(order)))
