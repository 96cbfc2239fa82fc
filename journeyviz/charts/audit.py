"""Touchpoint scorecard: one row per touchpoint, one small panel per figure of the audit."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Tableau de bord des points de contact", "en": "Touchpoint scorecard"},
    "reach_share": {"fr": "Portée (part des clients)", "en": "Reach (share of customers)"},
    "contacts_per_customer": {"fr": "Contacts par client touché", "en": "Contacts per customer reached"},
    "lift": {"fr": "Effet sur la conversion", "en": "Conversion lift"},
    "dropoff": {"fr": "Abandon après ce point", "en": "Drop-off after it"},
    "csat": {"fr": "Satisfaction (moyenne)", "en": "Satisfaction (mean)"},
    "gap": {"fr": "Écart perception − attente", "en": "Gap perception − expectation"},
    "flags": {"fr": "Alertes", "en": "Flags"},
    "friction": {"fr": "friction", "en": "friction"},
    "intrusive": {"fr": "intrusif", "en": "intrusive"},
    "reach": {"fr": "Clients touchés", "en": "Customers reached"},
    "n": {"fr": "Clients du groupe (dénominateur)", "en": "Customers in the group (denominator)"},
}
# (column, interval low, interval high, axis format, centred on zero)
_PANELS = (
    ("reach_share", "reach_low", "reach_high", ".0%", False),
    ("contacts_per_customer", None, None, ".1f", False),
    ("lift", "lift_low", "lift_high", "+.0%", True),
    ("dropoff", "dropoff_low", "dropoff_high", ".0%", False),
    ("csat", "csat_low", "csat_high", ".1f", False),
    ("gap", "gap_low", "gap_high", "+.1f", True),
)


def touchpoint_scorecard(table: pd.DataFrame, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10, panels: tuple[str, ...] | None = None) -> alt.HConcatChart:
    """Scorecard: touchpoints in journey order (rows) × the audit's figures (small panels), with flags.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.touchpoint_audit`: ``touchpoint``, ``label``,
        ``stage``, ``channel``, ``reach``, ``reach_share`` (``reach_low``/``reach_high``),
        ``contacts_per_customer``, ``lift`` (``lift_low``/``lift_high``), ``dropoff``
        (``dropoff_low``/``dropoff_high``), ``friction``, ``intrusive``, ``suppressed``; and,
        when the survey half is joined in, ``csat`` and ``gap``.
    panels
        Which figures to show (default: every one of ``reach_share``, ``contacts_per_customer``,
        ``lift``, ``dropoff``, ``csat``, ``gap`` present in the table).
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed rows.

    Returns
    -------
    altair.HConcatChart
        One panel per figure (bar, or dot for signed figures, with its interval), the touchpoint
        labels on the first panel (coloured dot per channel), and a last panel of flags
        (friction, intrusive) — every panel with the same tooltips (figures and sample sizes).
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["touchpoint", "label", "reach", "reach_share"], "charts.touchpoint_scorecard", "journeyviz.touchpoint_audit")
    title = title or b.pick(_W["title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data)
    wanted = panels or tuple(p[0] for p in _PANELS)
    shown = [p for p in _PANELS if p[0] in wanted and p[0] in data.columns]
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    flags = []
    for r in data.to_dict("records"):
        f = [b.pick(_W[k], lang) for k in ("friction", "intrusive") if b.flag(r.get(k))]
        flags.append(" · ".join(f))
    data["flags"] = flags
    if "channel" in data.columns:
        names = b.channel_labels(lang)
        data["channel_label"] = [names.get(c, c) for c in data["channel"]]
    order = list(data["label"])
    tooltip = [b.tip("label", b.word("touchpoint", lang), "N")]
    tooltip += [b.tip("channel_label", b.word("channel", lang), "N")] if "channel" in data.columns else []
    tooltip += [b.tip("n", b.pick(_W["n"], lang), fmt=",")] if "n" in data.columns else []
    tooltip += [b.tip("reach", b.pick(_W["reach"], lang), fmt=",")]
    for col, lo, hi, fmt, _ in shown:
        tooltip.append(alt.Tooltip(f"{col}:Q", title=b.pick(_W[col], lang), format=fmt.replace("+", "") if "%" in fmt else ",.2f"))
    tooltip += [b.tip("flags", b.pick(_W["flags"], lang), "N"), b.tip("note", b.word("note", lang), "N")]
    height = max(200, 20 * len(order))
    charts = []
    for i, (col, lo, hi, fmt, centred) in enumerate(shown):
        axis_y = alt.Axis(title=None) if i == 0 else None
        base = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, axis=axis_y), tooltip=tooltip)
        x = alt.X(f"{col}:Q", title=b.pick(_W[col], lang), axis=alt.Axis(format=fmt, titleFontSize=12, tickCount=4, titleLimit=170))
        if centred:
            layer = [base.mark_rule(color=palette.GREY).encode(x=alt.datum(0))]
            if lo and lo in data.columns:
                layer.append(base.mark_rule(color=palette.INK).encode(x=f"{lo}:Q", x2=f"{hi}:Q"))
            sign = alt.condition(f"datum['{col}'] < 0", alt.value(palette.DIVERGING[0]), alt.value(palette.DIVERGING[-1]))
            layer.append(base.mark_point(filled=True, size=60, opacity=1).encode(x=x, color=sign))
        else:
            layer = [base.mark_bar(color=palette.BLUE if col != "dropoff" else palette.VERMILLION, opacity=0.85).encode(x=x)]
            if lo and lo in data.columns:
                layer.append(base.mark_rule(color=palette.INK).encode(x=f"{lo}:Q", x2=f"{hi}:Q"))
        charts.append(alt.layer(*layer).properties(width=130, height=height, name=f"panel_{col}"))
    flag_base = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, axis=None), tooltip=tooltip)
    flag_text = flag_base.mark_text(align="left", color=palette.VERMILLION, fontWeight="bold").encode(x=alt.value(0), text="flags:N")
    note_text = flag_base.mark_text(align="left", color=palette.GREY, dy=0).encode(x=alt.value(0), text="note:N")
    charts.append(alt.layer(flag_text, note_text).properties(width=150, height=height, title=alt.TitleParams(b.pick(_W["flags"], lang), fontSize=12, fontWeight="normal", orient="bottom"), name="panel_flags"))
    return alt.hconcat(*charts, spacing=8).properties(title=title)
