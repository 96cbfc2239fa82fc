"""Importance–performance quadrant: what matters most and where we disappoint."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Importance et performance", "en": "Importance and performance"},
    "performance": {"fr": "Performance (satisfaction moyenne)", "en": "Performance (mean satisfaction)"},
    "importance_derived": {"fr": "Importance dérivée (part du R²)", "en": "Derived importance (share of R²)"},
    "importance_stated": {"fr": "Importance déclarée", "en": "Stated importance"},
    "quadrant": {"fr": "Quadrant", "en": "Quadrant"},
    "mot": {"fr": "Moment de vérité", "en": "Moment of truth"},
    "mot_legend": {"fr": "Étoile : moment de vérité (important, écart perception − attente significativement négatif)", "en": "Star: moment of truth (important, with a significantly negative gap)"},
    "mot_key": {"fr": " — moment de vérité", "en": " — moment of truth"},
    "gap": {"fr": "Écart perception − attente", "en": "Gap perception − expectation"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
}
#: Default quadrant wording (the analysis's ``quadrant_label`` wins when present).
QUADRANT_LABELS = {
    "fr": {"concentrate_here": "Concentrer les efforts ici", "keep_up_the_good_work": "Maintenir le bon travail", "low_priority": "Faible priorité", "possible_overkill": "Effort peut-être excessif"},
    "en": {"concentrate_here": "Concentrate here", "keep_up_the_good_work": "Keep up the good work", "low_priority": "Low priority", "possible_overkill": "Possible overkill"},
}
# Where each quadrant's name is written in the plot: (horizontal align, vertical baseline).
_CORNERS = {
    "concentrate_here": ("left", "top"),
    "keep_up_the_good_work": ("right", "top"),
    "low_priority": ("left", "bottom"),
    "possible_overkill": ("right", "bottom"),
}


def importance_performance(table: pd.DataFrame, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10, width: int = 560, height: int = 420, max_named: int = 12) -> alt.LayerChart | alt.HConcatChart:
    """The IPA quadrant: performance (x) against importance (y), thresholds, quadrants, moments of truth.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.importance_performance`: ``touchpoint``,
        ``label``, ``n``, ``performance`` (``_low``/``_high``), ``importance`` (``_low``/``_high``),
        ``importance_source``, ``importance_threshold``, ``performance_threshold``, ``quadrant``,
        ``quadrant_label``, ``gap``, ``moment_of_truth``, ``suppressed``.
    title, lang, min_group_size
        Title, wording language, threshold named in the subtitle for suppressed touchpoints.
    width, height
        Size of the quadrant in pixels.
    max_named
        Up to this many touchpoints are named on the plot; beyond, points are numbered (in
        journey order) and a key beside the quadrant lists the names, so labels never overlap.

    Returns
    -------
    altair.LayerChart or altair.HConcatChart
        The quadrant's layers ``thresholds`` (two rules), ``quadrant_names`` (text in the
        corners), ``intervals`` (rules), ``points`` (colour = quadrant, star = moment of truth)
        and ``labels`` (names or numbers); with numbers, concatenated with the ``key``.
        Suppressed touchpoints are left out and counted in the subtitle.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["label", "performance", "importance", "quadrant", "importance_threshold", "performance_threshold"], "charts.importance_performance", "journeyviz.importance_performance")
    title = title or b.pick(_W["title"], lang)
    hidden = int(b.is_suppressed(data).sum()) if not data.empty else 0
    data = data[~b.is_suppressed(data) & data["performance"].notna() & data["importance"].notna()]
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data)
    names = dict(QUADRANT_LABELS[lang])
    if "quadrant_label" in data.columns:
        names.update({q: str(l) for q, l in zip(data["quadrant"], data["quadrant_label"]) if isinstance(l, str) and l})
    data["quadrant_name"] = [names.get(q, q) for q in data["quadrant"]]
    data["mot"] = [b.flag(v) for v in data["moment_of_truth"]] if "moment_of_truth" in data.columns else False
    data["mot_text"] = [b.pick(_W["yes"] if m else _W["no"], lang) for m in data["mot"]]
    data["shape"] = ["mot" if m else "tp" for m in data["mot"]]
    data["number"] = range(1, len(data) + 1)
    data["number_text"] = [str(i) for i in data["number"]]
    data["key_text"] = [f"{i}. {lab}" + (b.pick(_W["mot_key"], lang) if m else "") for i, lab, m in zip(data["number"], data["label"], data["mot"])]
    source = str(data["importance_source"].iloc[0]) if "importance_source" in data.columns else "derived"
    y_title = b.pick(_W["importance_stated" if source == "stated" else "importance_derived"], lang)
    y_format = ".0%" if source == "derived" else ".1f"
    tooltip = [b.tip("label", b.word("touchpoint", lang), "N"), b.tip("n", b.word("n", lang), fmt=","), b.tip("performance", b.pick(_W["performance"], lang), fmt=".2f")]
    tooltip += [b.tip(c, b.word(c.split("_")[1], lang), fmt=".2f") for c in b.present(data, "performance_low", "performance_high")]
    tooltip += [alt.Tooltip("importance:Q", title=y_title, format=y_format)] + [alt.Tooltip(f"{c}:Q", title=b.word(c.split("_")[1], lang), format=y_format) for c in b.present(data, "importance_low", "importance_high")]
    tooltip += [b.tip("quadrant_name", b.pick(_W["quadrant"], lang), "N"), b.tip("mot_text", b.pick(_W["mot"], lang), "N")]
    tooltip += [b.tip("gap", b.pick(_W["gap"], lang), fmt="+.2f")] if "gap" in data.columns else []
    x = alt.X("performance:Q", title=b.pick(_W["performance"], lang), scale=alt.Scale(zero=False, nice=False, padding=20))
    y = alt.Y("importance:Q", title=y_title, axis=alt.Axis(format=y_format), scale=alt.Scale(zero=False, nice=False, padding=20))
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    thresholds = alt.Chart(data.head(1))
    rules = alt.layer(
        thresholds.mark_rule(color=palette.GREY, strokeDash=[6, 4]).encode(x="performance_threshold:Q"),
        thresholds.mark_rule(color=palette.GREY, strokeDash=[6, 4]).encode(y="importance_threshold:Q"),
    )
    corners = pd.DataFrame([{"quadrant": q, "name": names.get(q, q), "align": a, "baseline": bl} for q, (a, bl) in _CORNERS.items()])
    corner_layers = []
    for q, (align, baseline) in _CORNERS.items():
        frame = corners[corners["quadrant"] == q]
        corner_layers.append(
            alt.Chart(frame).mark_text(align=align, baseline=baseline, fontSize=13, fontWeight="bold", opacity=0.8).encode(
                x=alt.value(4 if align == "left" else width - 4),
                y=alt.value(4 if baseline == "top" else height - 4),
                text="name:N",
                color=alt.Color("quadrant:N", scale=palette.quadrant_scale(), legend=None),
            )
        )
    layers = [rules.properties(name="thresholds"), alt.layer(*corner_layers).properties(name="quadrant_names")]
    if {"performance_low", "performance_high"} <= set(data.columns):
        layers.append(alt.layer(
            base.mark_rule(opacity=0.35).encode(x="performance_low:Q", x2="performance_high:Q", color=alt.Color("quadrant:N", scale=palette.quadrant_scale(), legend=None)),
            *([base.mark_rule(opacity=0.35).encode(y="importance_low:Q", y2="importance_high:Q", color=alt.Color("quadrant:N", scale=palette.quadrant_scale(), legend=None))] if {"importance_low", "importance_high"} <= set(data.columns) else []),
        ).properties(name="intervals"))
    points = base.mark_point(filled=True, opacity=1, stroke=palette.INK, strokeWidth=0.6).encode(
        color=alt.Color("quadrant:N", scale=palette.quadrant_scale(), legend=None),
        shape=alt.Shape("shape:N", scale=alt.Scale(domain=["tp", "mot"], range=["circle", "M0,-1L0.235,-0.324L0.951,-0.309L0.38,0.124L0.588,0.809L0,0.4L-0.588,0.809L-0.38,0.124L-0.951,-0.309L-0.235,-0.324Z"]), legend=None),
        size=alt.condition("datum.mot", alt.value(320), alt.value(90)),
    )
    numbered = len(data) > max_named
    text_field = "number_text:N" if numbered else "label:N"
    labels = base.mark_text(align="left", dx=7, dy=-7, fontSize=11).encode(text=text_field, color=alt.condition("datum.mot", alt.value(palette.VERMILLION), alt.value(palette.INK)))
    layers += [points.properties(name="points"), labels.properties(name="labels")]
    subtitle = b.pick(_W["mot_legend"], lang)
    if hidden:
        subtitle += " · " + (f"{hidden} point(s) de contact masqué(s) (n < {min_group_size})" if lang == "fr" else f"{hidden} touchpoint(s) suppressed (n < {min_group_size})")
    quadrant = alt.layer(*layers).properties(width=width, height=height)
    if not numbered:
        return quadrant.properties(title=alt.TitleParams(title, subtitle=subtitle))
    # Too many points to name them on the plot without overlaps: number them and list the names beside.
    key_base = alt.Chart(data).encode(y=alt.Y("number:O", axis=None), tooltip=tooltip)
    key = alt.layer(
        key_base.mark_point(filled=True, size=60, opacity=1).encode(x=alt.value(5), color=alt.Color("quadrant:N", scale=palette.quadrant_scale(), legend=None)),
        key_base.mark_text(align="left", fontSize=11).encode(x=alt.value(14), text="key_text:N", color=alt.condition("datum.mot", alt.value(palette.VERMILLION), alt.value(palette.INK))),
    ).properties(width=280, height=max(height, 15 * len(data)), name="key")
    return alt.hconcat(quadrant, key, spacing=16).properties(title=alt.TitleParams(title, subtitle=subtitle))
