"""Gap dumbbell: expectation → perception per touchpoint, with the gap and its interval."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Attentes et perception", "en": "Expectations and perception"},
    "score": {"fr": "Note moyenne (échelle de notation)", "en": "Mean rating (rating scale)"},
    "expectation": {"fr": "Attente", "en": "Expectation"},
    "perception": {"fr": "Perception", "en": "Perception"},
    "gap": {"fr": "Écart perception − attente (IC 95 %)", "en": "Gap perception − expectation (95% CI)"},
    "gap_short": {"fr": "Écart", "en": "Gap"},
    "p_adjusted": {"fr": "p ajustée (Benjamini–Hochberg)", "en": "Adjusted p (Benjamini–Hochberg)"},
    "significant": {"fr": "Significatif", "en": "Significant"},
    "pairs": {"fr": "Répondants ayant noté les deux (n)", "en": "Respondents rating both (n)"},
    "weighted": {"fr": "Écart pondéré par l'importance", "en": "Importance-weighted gap"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
}


def gap_dumbbell(table: pd.DataFrame, by: str | None = None, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.HConcatChart:
    """Dumbbells from expectation to perception, beside the gap with its 95 % interval.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.satisfaction_gap`: ``label``, ``n``,
        ``expectation``, ``perception``, ``gap``, ``low``, ``high``, ``p_adjusted``,
        ``significant``, ``importance_weighted_gap``, ``suppressed``.
    by
        The group column: groups side by side, one colour per group.
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed rows.

    Returns
    -------
    altair.HConcatChart
        Left (``dumbbell``): a rule from expectation (hollow grey dot) to perception (dot
        coloured by the gap, diverging around 0). Right (``gap``): the gap with its interval and
        a zero rule; significant gaps drawn bold.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["label", "n", "expectation", "perception", "gap"] + ([by] if by else []), "charts.gap_dumbbell", "journeyviz.satisfaction_gap")
    title = title or b.pick(_W["title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data)
    data["label"] = data["label"].astype(str)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    if "significant" in data.columns:
        data["sig_text"] = [b.pick(_W["yes"] if b.flag(v) else _W["no"], lang) for v in data["significant"]]
        data["sig"] = [b.flag(v) for v in data["significant"]]
    else:
        data["sig_text"], data["sig"] = "", False
    order = list(dict.fromkeys(data["label"]))
    limit = float(max(0.5, data[[c for c in ("gap", "low", "high") if c in data.columns]].abs().max().max() if data["gap"].notna().any() else 0.5))
    tooltip = ([b.tip(by, by, "N")] if by else []) + [b.tip("label", b.word("touchpoint", lang), "N"), b.tip("n", b.pick(_W["pairs"], lang), fmt=","), b.tip("expectation", b.pick(_W["expectation"], lang), fmt=".2f"), b.tip("perception", b.pick(_W["perception"], lang), fmt=".2f"), b.tip("gap", b.pick(_W["gap_short"], lang), fmt="+.2f")]
    tooltip += [b.tip(c, b.word(c, lang), fmt="+.2f") for c in b.present(data, "low", "high")]
    tooltip += [b.tip("p_adjusted", b.pick(_W["p_adjusted"], lang), fmt=".3g")] if "p_adjusted" in data.columns else []
    tooltip += [b.tip("sig_text", b.pick(_W["significant"], lang), "N")]
    tooltip += [b.tip("importance_weighted_gap", b.pick(_W["weighted"], lang), fmt="+.2f")] if "importance_weighted_gap" in data.columns else []
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    offset = {"yOffset": alt.YOffset(f"{by}:N")} if by else {}
    groups = data[by].nunique() if by else 1
    height = max(180, 22 * len(order) * groups)
    base = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, title=None), tooltip=tooltip, **offset)
    gap_colour = alt.Color("gap:Q", scale=palette.diverging_scale(limit), title=b.pick(_W["gap_short"], lang))
    score_x = alt.X("expectation:Q", title=b.pick(_W["score"], lang), scale=alt.Scale(zero=False), axis=alt.Axis(tickCount=6))
    dumbbell = alt.layer(
        base.mark_rule(color=palette.GREY, strokeWidth=2).encode(x=score_x, x2="perception:Q"),
        base.mark_point(shape="circle", size=70, color=palette.GREY, filled=False, strokeWidth=2).encode(x="expectation:Q"),
        base.mark_point(shape="circle", size=80, filled=True, opacity=1, stroke=palette.INK, strokeWidth=0.5).encode(x="perception:Q", color=gap_colour),
        base.mark_text(align="left", color=palette.GREY, fontSize=11).encode(x=alt.value(2), text="note:N"),
    ).properties(width=360, height=height, name="dumbbell")
    bare = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, axis=None), tooltip=tooltip, **offset)
    gap_layers = [alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color=palette.INK).encode(x="zero:Q")]
    if {"low", "high"} <= set(data.columns):
        gap_layers.append(bare.mark_rule().encode(x="low:Q", x2="high:Q", color=alt.condition("datum.sig", alt.value(palette.INK), alt.value(palette.GREY)), strokeWidth=alt.condition("datum.sig", alt.value(2.5), alt.value(1.2))))
    gap_layers.append(bare.mark_point(filled=True, size=60, opacity=1).encode(x=alt.X("gap:Q", title=b.pick(_W["gap"], lang), scale=alt.Scale(domain=[-limit, limit])), color=gap_colour))
    gap_panel = alt.layer(*gap_layers).properties(width=220, height=height, name="gap")
    legend_note = b.pick({"fr": "○ attente  ● perception", "en": "○ expectation  ● perception"}, lang)
    return alt.hconcat(dumbbell, gap_panel, spacing=10).properties(title=alt.TitleParams(title, subtitle=legend_note))
