"""Segment profile heatmap: what sets each segment apart from the others."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import vocabulary
from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Ce qui distingue chaque segment", "en": "What sets each segment apart"},
    "segment": {"fr": "Segment", "en": "Segment"},
    "feature": {"fr": "Caractéristique", "en": "Feature"},
    "effect": {"fr": "Taille d'effet", "en": "Effect size"},
    "value": {"fr": "Valeur dans le segment", "en": "Value in the segment"},
    "rest": {"fr": "Valeur chez les autres", "en": "Value among the others"},
    "customers": {"fr": "Clients du segment", "en": "Customers in the segment"},
    "n": {"fr": "Clients ayant une valeur (n)", "en": "Customers with a value (n)"},
}

#: Effect sizes at or beyond this (either sign) take the darkest colour.
EFFECT_CAP = 3.0
_EFFECT = ("effect_size", "effect", "difference", "standardised_difference", "smd")
_SEGMENT = ("segment", "segment_name", "segment_label")
_FEATURE = ("feature_label", "feature", "attribute", "variable")


def segment_profile_heatmap(table: pd.DataFrame, *, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.LayerChart:
    """Segments (columns) × features (rows), coloured by effect size (diverging around 0), value in the cell.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.segment_profiles`, long form: a segment column
        (``segment``), a feature column (``feature`` or ``feature_label``), an effect-size
        column (``effect_size``, or ``difference``), and optionally ``value`` (the feature in
        the segment), ``rest`` (among the others), ``customers`` (segment size), ``n`` (customers
        of the segment with a value of the feature) and ``suppressed``. Feature ids are named
        with :func:`journeyviz.vocabulary.feature_label`, as in the key finding.
    title, lang, min_group_size
        Title, wording language, privacy threshold: cells of suppressed segments, and cells with
        ``n`` below it, are grey with a dash and the note.

    Returns
    -------
    altair.LayerChart
        ``cells`` (rect, effect size on a diverging colour scale centred on 0; suppressed cells
        grey) and ``values`` (text: the value in the segment, else the effect size).
    """
    lang = b.resolve_lang(lang)
    if not isinstance(table, pd.DataFrame):
        b.require(table, [], "charts.segment_profile_heatmap", "journeyviz.segment_profiles")
    seg = b.either(table, _SEGMENT, "charts.segment_profile_heatmap", "journeyviz.segment_profiles")
    feat = b.either(table, _FEATURE, "charts.segment_profile_heatmap", "journeyviz.segment_profiles")
    eff = b.either(table, _EFFECT, "charts.segment_profile_heatmap", "journeyviz.segment_profiles")
    title = title or b.pick(_W["title"], lang)
    if table.empty:
        return b.no_data(title, lang)
    data = b.records(table)
    data[seg] = data[seg].astype(str)
    data[feat] = [vocabulary.feature_label(f, lang) for f in data[feat].astype(str)]
    # A mean over fewer than min_group_size people (e.g. satisfaction where few were surveyed) is
    # hidden like a small segment, so the chart never shows what the key finding may not cite.
    if "n" in data.columns:
        data["suppressed"] = b.is_suppressed(data) | (pd.to_numeric(data["n"], errors="coerce").fillna(0) < min_group_size)
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    shown = "value" if "value" in data.columns and pd.api.types.is_numeric_dtype(data["value"]) else eff
    number = "{:.2g}" if shown == "value" else "{:+.1f}"  # effect sizes read as signed tenths
    data["cell_text"] = ["–" if n else (number.format(v) if v == v else "") for n, v in zip(data["note"], data[shown])]
    if lang == "fr":
        data["cell_text"] = data["cell_text"].str.replace(".", ",", regex=False)
    # Beyond |d| = 3 every difference is huge; one extreme cell (a share near 0 among the others)
    # would otherwise wash out the colours of all the rest.
    limit = float(min(EFFECT_CAP, max(0.2, data[eff].abs().max() if data[eff].notna().any() else 0.2)))
    rows = list(dict.fromkeys(data[feat]))
    cols = list(dict.fromkeys(data[seg]))
    tooltip = [b.tip(seg, b.pick(_W["segment"], lang), "N"), b.tip(feat, b.pick(_W["feature"], lang), "N"), b.tip(eff, b.pick(_W["effect"], lang), fmt="+.2f")]
    tooltip += [b.tip(c, b.pick(_W[c], lang), fmt=",.3~f") for c in b.present(data, "value", "rest")]
    tooltip += [b.tip(c, b.pick(_W[c], lang), fmt=",") for c in b.present(data, "customers", "n")]
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    base = alt.Chart(data).encode(x=alt.X(f"{seg}:N", sort=cols, title=b.pick(_W["segment"], lang), axis=alt.Axis(orient="bottom", labelAngle=0, labelExpr="split(datum.label, ', ')")), y=alt.Y(f"{feat}:N", sort=rows, title=None), tooltip=tooltip)
    scale = palette.diverging_scale(limit)
    scale.clamp = True
    cells = base.mark_rect(stroke="white").encode(color=alt.condition("datum.note != ''", alt.value(palette.SUPPRESSED), alt.Color(f"{eff}:Q", scale=scale, title=b.pick(_W["effect"], lang))))
    text = base.mark_text(fontSize=11).encode(text="cell_text:N", color=alt.condition(f"abs(datum['{eff}']) > {limit * 0.6}", alt.value("white"), alt.value(palette.INK)))
    return alt.layer(cells.properties(name="cells"), text.properties(name="values")).properties(title=title, width=max(200, 130 * len(cols)), height=max(160, 26 * len(rows)))

