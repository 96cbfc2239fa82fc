"""Attribution chart: the credit each channel (or touchpoint) gets under each model, side by side."""

from __future__ import annotations

from typing import Mapping

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Attribution des conversions selon le modèle", "en": "Conversion credit by attribution model"},
    "share": {"fr": "Part des conversions attribuée", "en": "Share of conversions credited"},
    "model": {"fr": "Modèle", "en": "Model"},
    "conversions": {"fr": "Conversions attribuées", "en": "Conversions credited"},
    "customers": {"fr": "Convertis passés par là (n)", "en": "Converters with it in their path (n)"},
    "removal": {"fr": "Effet de retrait (Markov)", "en": "Removal effect (Markov)"},
    "direct": {"fr": "(direct)", "en": "(direct)"},
}
MODEL_LABELS = {
    "fr": {"first": "premier contact", "last": "dernier contact", "linear": "linéaire", "position": "en U (40/20/40)", "time_decay": "décroissance temporelle", "markov": "Markov (effet de retrait)"},
    "en": {"first": "first touch", "last": "last touch", "linear": "linear", "position": "position (40/20/40)", "time_decay": "time decay", "markov": "Markov (removal effect)"},
}
_MODEL_ORDER = ("first", "last", "linear", "position", "time_decay", "markov")
_MODEL_COLOURS = (palette.SKY_BLUE, palette.BLUE, palette.BLUISH_GREEN, palette.REDDISH_PURPLE, palette.ORANGE, palette.VERMILLION)


def attribution(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, journey=None, title: str | None = None, lang: str | None = None, min_group_size: int = 10) -> alt.LayerChart:
    """Grouped bars: each item's share of conversions under every model, models side by side.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.attribution`: ``model``, ``channel`` or
        ``touchpoint``, ``customers``, ``conversions``, ``share``, ``removal_effect``,
        ``suppressed``.
    labels, journey
        Display labels of the items (channel names are translated by default).
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed rows.

    Returns
    -------
    altair.LayerChart
        Bars (``share`` on x, item on y, model on colour and y offset); items ordered by their
        Markov share when present, else by their mean share; suppressed rows carry a note.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["model", "share", "conversions"], "charts.attribution", "journeyviz.attribution")
    item = b.either(data, ["channel", "touchpoint"], "charts.attribution", "journeyviz.attribution")
    title = title or b.pick(_W["title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    names = {**b.channel_labels(lang), **b.journey_labels(journey), "(direct)": b.pick(_W["direct"], lang), **(labels or {})}
    data = b.records(data)
    data["item_label"] = b.labels_for(data[item], names)
    models = [m for m in _MODEL_ORDER if m in set(data["model"])] + sorted(set(data["model"]) - set(_MODEL_ORDER))
    data["model_label"] = [MODEL_LABELS[lang].get(m, m) for m in data["model"]]
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    ref = "markov" if "markov" in models else models[0]
    order_frame = data[data["model"] == ref].sort_values("share", ascending=False)
    order = list(dict.fromkeys(list(order_frame["item_label"]) + list(data["item_label"])))
    model_labels = [MODEL_LABELS[lang].get(m, m) for m in models]
    colours = [(_MODEL_COLOURS[_MODEL_ORDER.index(m)] if m in _MODEL_ORDER else palette.GREY) for m in models]
    tooltip = [b.tip("item_label", b.word("channel" if item == "channel" else "touchpoint", lang), "N"), b.tip("model_label", b.pick(_W["model"], lang), "N"), b.pct_tip("share", b.pick(_W["share"], lang)), b.tip("conversions", b.pick(_W["conversions"], lang), fmt=",.1f")]
    tooltip += [b.tip("customers", b.pick(_W["customers"], lang), fmt=",")] if "customers" in data.columns else []
    tooltip += [b.pct_tip("removal_effect", b.pick(_W["removal"], lang))] if "removal_effect" in data.columns else []
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    base = alt.Chart(data).encode(
        y=alt.Y("item_label:N", sort=order, title=None),
        yOffset=alt.YOffset("model_label:N", sort=model_labels),
        tooltip=tooltip,
    )
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title=b.pick(_W["share"], lang), axis=alt.Axis(format=".0%")),
        color=alt.Color("model_label:N", title=b.pick(_W["model"], lang), scale=alt.Scale(domain=model_labels, range=colours)),
    )
    notes = base.mark_text(align="left", dx=2, fontSize=10, color=palette.GREY).encode(x=alt.value(2), text="note:N")
    return alt.layer(bars.properties(name="bars"), notes.properties(name="suppressed")).properties(title=title, width=460, height=max(200, 11 * len(order) * len(models)))
