"""Segment profile heatmap: what sets each segment apart from the others."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Ce qui distingue chaque segment", "en": "What sets each segment apart"},
    "segment": {"fr": "Segment", "en": "Segment"},
    "feature": {"fr": "Caractéristique", "en": "Feature"},
    "effect": {"fr": "Taille d'effet", "en": "Effect size"},
    "value": {"fr": "Valeur dans le segment", "en": "Value in the segment"},
    "rest": {"fr": "Valeur chez les autres", "en": "Value among the others"},
    "size": {"fr": "Taille du segment (n)", "en": "Segment size (n)"},
}

#: Readable names of the behavioural features of :func:`journeyviz.customer_features`.
_FEATURES = {
    "furthest_stage": {"fr": "Étape la plus avancée", "en": "Furthest stage"},
    "converted": {"fr": "A acheté", "en": "Converted"},
    "recency_days": {"fr": "Jours depuis le dernier contact", "en": "Days since last contact"},
    "frequency": {"fr": "Nombre de contacts", "en": "Contacts"},
    "value": {"fr": "Montant dépensé", "en": "Amount spent"},
    "touchpoints": {"fr": "Points de contact distincts", "en": "Distinct touchpoints"},
    "satisfaction": {"fr": "Satisfaction", "en": "Satisfaction"},
    "age": {"fr": "Âge", "en": "Age"},
}
_SHARE = {"fr": "Part des contacts : {}", "en": "Share of contacts: {}"}

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
        the segment), ``rest`` (among the others), ``n`` (segment size) and ``suppressed``.
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed cells.

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
    data[feat] = [_feature_label(f, lang) for f in data[feat].astype(str)]
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    shown = "value" if "value" in data.columns and pd.api.types.is_numeric_dtype(data["value"]) else eff
    number = "{:.2g}" if shown == "value" else "{:+.1f}"  # effect sizes read as signed tenths
    data["cell_text"] = ["–" if n else (number.format(v) if v == v else "") for n, v in zip(data["note"], data[shown])]
    if lang == "fr":
        data["cell_text"] = data["cell_text"].str.replace(".", ",", regex=False)
    limit = float(max(0.2, data[eff].abs().max() if data[eff].notna().any() else 0.2))
    rows = list(dict.fromkeys(data[feat]))
    cols = list(dict.fromkeys(data[seg]))
    tooltip = [b.tip(seg, b.pick(_W["segment"], lang), "N"), b.tip(feat, b.pick(_W["feature"], lang), "N"), b.tip(eff, b.pick(_W["effect"], lang), fmt="+.2f")]
    tooltip += [b.tip(c, b.pick(_W[c], lang), fmt=",.3~f") for c in b.present(data, "value", "rest")]
    tooltip += [b.tip("n", b.pick(_W["size"], lang), fmt=",")] if "n" in data.columns else []
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    base = alt.Chart(data).encode(x=alt.X(f"{seg}:N", sort=cols, title=b.pick(_W["segment"], lang), axis=alt.Axis(orient="bottom", labelAngle=0, labelExpr="split(datum.label, ', ')")), y=alt.Y(f"{feat}:N", sort=rows, title=None), tooltip=tooltip)
    cells = base.mark_rect(stroke="white").encode(color=alt.condition("datum.note != ''", alt.value(palette.SUPPRESSED), alt.Color(f"{eff}:Q", scale=palette.diverging_scale(limit), title=b.pick(_W["effect"], lang))))
    text = base.mark_text(fontSize=11).encode(text="cell_text:N", color=alt.condition(f"abs(datum['{eff}']) > {limit * 0.6}", alt.value("white"), alt.value(palette.INK)))
    return alt.layer(cells.properties(name="cells"), text.properties(name="values")).properties(title=title, width=max(200, 130 * len(cols)), height=max(160, 26 * len(rows)))


def _feature_label(feature: str, lang: str) -> str:
    """``share_store`` → "Part des contacts : magasin"; known features by name; others unchanged."""
    if feature.startswith("share_"):
        channel = feature.removeprefix("share_")
        return _SHARE[lang].format(b.channel_labels(lang).get(channel, channel))
    return _FEATURES.get(feature, {}).get(lang, feature)
