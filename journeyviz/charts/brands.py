"""Brand comparison: our brand and each competitor per touchpoint, and the difference with its interval."""

from __future__ import annotations

from typing import Sequence

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Nous face aux concurrents", "en": "Us against competitors"},
    "score": {"fr": "Perception moyenne", "en": "Mean perception"},
    "difference": {"fr": "Différence nous − concurrent (IC 95 %)", "en": "Difference us − competitor (95% CI)"},
    "brand": {"fr": "Marque", "en": "Brand"},
    "competitor": {"fr": "Concurrent", "en": "Competitor"},
    "ours": {"fr": "Notre marque", "en": "Our brand"},
    "n_ours": {"fr": "Nos répondants (n)", "en": "Our respondents (n)"},
    "n_theirs": {"fr": "Répondants du concurrent (n)", "en": "Competitor's respondents (n)"},
    "p_adjusted": {"fr": "p ajustée (Benjamini–Hochberg)", "en": "Adjusted p (Benjamini–Hochberg)"},
    "status": {"fr": "Position", "en": "Position"},
}
STATUS_LABELS = {"fr": {"lead": "en avance", "par": "à égalité", "lag": "en retard"}, "en": {"lead": "lead", "par": "par", "lag": "lag"}}
_UNITS = {"perception": ("score", ".2f"), "nps": ("NPS", "+.0f"), "reach": ("share", ".0%"), "conversion": ("share", ".0%")}


def brand_comparison(table: pd.DataFrame, *, brand: str | None = None, metric: str = "perception", competitors: Sequence[str] | None = None, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.HConcatChart:
    """Per cell: our score and each competitor's (dots), beside the difference with its interval (bars).

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.compare_brands`: ``competitor``, ``metric``,
        ``label`` (perception rows), ``n_ours``, ``ours``, ``n_theirs``, ``theirs``,
        ``difference``, ``low``, ``high``, ``p_adjusted``, ``status``, ``suppressed``.
    brand
        Our brand's name for the legend (default: "Our brand" in ``lang``).
    metric
        Which rows to draw: ``"perception"`` (per touchpoint or stage, default), ``"nps"``,
        ``"reach"`` or ``"conversion"`` (one row per competitor).
    competitors
        Competitor order (default: order of first appearance); colours follow it.

    Returns
    -------
    altair.HConcatChart
        Left (``scores``): dots per cell, colour by brand (ours first). Right (``differences``):
        bars of ``difference`` per cell and competitor, colour by lead/par/lag, interval rules,
        a zero rule. Suppressed rows carry a note.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["competitor", "metric", "ours", "theirs", "difference"], "charts.brand_comparison", "journeyviz.compare_brands")
    title = title or b.pick(_W["title"], lang)
    if metric not in _UNITS:
        raise ValueError(f"charts.brand_comparison: metric={metric!r} is not a metric of journeyviz.compare_brands; use one of {', '.join(_UNITS)}")
    data = data[data["metric"] == metric]
    if data.empty:
        return b.no_data(title, lang)
    unrated = int((data["n_theirs"].fillna(0) == 0).sum()) if "n_theirs" in data.columns else 0
    if "n_theirs" in data.columns:
        data = data[data["n_theirs"].fillna(0) > 0]
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data)
    ours = brand or b.pick(_W["ours"], lang)
    comps = list(competitors or dict.fromkeys(data["competitor"].astype(str)))
    if "label" not in data.columns or metric != "perception":
        data["label"] = data["competitor"].astype(str) if metric != "perception" else data.get("touchpoint", data["competitor"]).astype(str)
    data["label"] = data["label"].astype(str)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    data["status_name"] = [STATUS_LABELS[lang].get(s, "") if isinstance(s, str) else "" for s in data.get("status", pd.Series([None] * len(data)))]
    order = list(dict.fromkeys(data["label"]))
    unit, fmt = _UNITS.get(metric, ("score", ".2f"))
    ours_rows = data.drop_duplicates("label")[["label", "ours", "n_ours"] if "n_ours" in data.columns else ["label", "ours"]].rename(columns={"ours": "value", "n_ours": "n"}).assign(brand=ours)
    theirs_rows = data[["label", "theirs", "competitor"] + (["n_theirs"] if "n_theirs" in data.columns else [])].rename(columns={"theirs": "value", "n_theirs": "n", "competitor": "brand"}).drop(columns=[], errors="ignore")
    dots = pd.concat([ours_rows, theirs_rows], ignore_index=True)
    dots = dots[dots["value"].notna()]
    brands = [ours] + comps
    dot_tip = [b.tip("label", b.word("touchpoint", lang), "N"), b.tip("brand", b.pick(_W["brand"], lang), "N"), alt.Tooltip("value:Q", title=b.pick(_W["score"], lang) if metric == "perception" else metric, format=fmt)]
    dot_tip += [b.tip("n", b.word("n", lang), fmt=",")] if "n" in dots.columns else []
    x_scores = alt.X("value:Q", title=b.pick(_W["score"], lang) if metric == "perception" else metric.upper(), scale=alt.Scale(zero=False), axis=alt.Axis(format=fmt.replace("+", "")))
    height = max(160, 18 * len(order) * max(1, len(comps)))
    scores_panel = (
        alt.Chart(dots)
        .mark_point(filled=True, size=70, opacity=0.95)
        .encode(y=alt.Y("label:N", sort=order, title=None, scale=alt.Scale(domain=order)), x=x_scores, color=alt.Color("brand:N", scale=palette.brand_scale(brands), title=b.pick(_W["brand"], lang)), tooltip=dot_tip)
        .properties(width=300, height=height, name="scores")
    )
    tip = [b.tip("label", b.word("touchpoint", lang), "N"), b.tip("competitor", b.pick(_W["competitor"], lang), "N"), alt.Tooltip("ours:Q", title=ours, format=fmt), alt.Tooltip("theirs:Q", title=b.pick(_W["competitor"], lang), format=fmt), alt.Tooltip("difference:Q", title=b.pick(_W["difference"], lang), format=fmt if "%" in fmt else "+.2f")]
    tip += [alt.Tooltip(f"{c}:Q", title=b.word(c, lang), format=fmt if "%" in fmt else "+.2f") for c in b.present(data, "low", "high")]
    tip += [b.tip(c, b.pick(_W[c], lang), fmt=",") for c in b.present(data, "n_ours", "n_theirs")]
    tip += [b.tip("p_adjusted", b.pick(_W["p_adjusted"], lang), fmt=".3g")] if "p_adjusted" in data.columns else []
    tip += [b.tip("status_name", b.pick(_W["status"], lang), "N"), b.tip("note", b.word("note", lang), "N")]
    diff_base = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, axis=None, scale=alt.Scale(domain=order)), yOffset=alt.YOffset("competitor:N", sort=comps), tooltip=tip)
    status_scale = alt.Scale(domain=list(STATUS_LABELS[lang].values()), range=[palette.STATUS["lead"], palette.STATUS["par"], palette.STATUS["lag"]])
    diff_layers = [
        diff_base.mark_bar(height={"band": 0.8}).encode(x=alt.X("difference:Q", title=b.pick(_W["difference"], lang), axis=alt.Axis(format=fmt if "%" in fmt else "+.1f")), color=alt.Color("status_name:N", scale=status_scale, title=b.pick(_W["status"], lang))),
        alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color=palette.INK).encode(x="zero:Q"),
    ]
    if {"low", "high"} <= set(data.columns):
        diff_layers.insert(1, diff_base.mark_rule(color=palette.INK).encode(x="low:Q", x2="high:Q"))
    diff_layers.append(diff_base.mark_text(align="left", fontSize=10, color=palette.GREY).encode(x=alt.value(2), text="note:N"))
    diff_panel = alt.layer(*diff_layers).properties(width=260, height=height, name="differences")
    subtitle = ", ".join(comps) + (" — " + b.pick({"fr": "concurrents dans l'ordre des barres", "en": "competitors in bar order"}, lang) if len(comps) > 1 else "")
    if unrated:
        subtitle += " · " + (f"{unrated} cellule(s) sans répondant du concurrent non affichée(s)" if lang == "fr" else f"{unrated} cell(s) with no competitor respondent not shown")
    return alt.hconcat(scores_panel, diff_panel, spacing=10).resolve_scale(color="independent").properties(title=alt.TitleParams(title, subtitle=subtitle))
