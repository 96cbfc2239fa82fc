"""Shared plumbing for the chart modules: input checks, wording, tooltips, suppressed cells, "no data"."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

import altair as alt
import pandas as pd

from .. import vocabulary
from . import palette
from .theme import get_language

_WORDS: dict[str, dict[str, str]] = {
    "no_data": {"fr": "Pas de données à afficher", "en": "No data to show"},
    "suppressed": {"fr": "masqué (n < {k})", "en": "suppressed (n < {k})"},
    "customers": {"fr": "Clients", "en": "Customers"},
    "respondents": {"fr": "Répondants", "en": "Respondents"},
    "n": {"fr": "Effectif (n)", "en": "Sample size (n)"},
    "share": {"fr": "Part", "en": "Share"},
    "interval": {"fr": "IC 95 %", "en": "95% CI"},
    "low": {"fr": "IC 95 % bas", "en": "95% CI low"},
    "high": {"fr": "IC 95 % haut", "en": "95% CI high"},
    "stage": {"fr": "Étape", "en": "Stage"},
    "touchpoint": {"fr": "Point de contact", "en": "Touchpoint"},
    "channel": {"fr": "Canal", "en": "Channel"},
    "status": {"fr": "Statut", "en": "Status"},
    "note": {"fr": "Remarque", "en": "Note"},
}


#: Channel ids of the palette, as shown to people (one list for charts, sentences and segment names).
CHANNEL_LABELS: Mapping[str, Mapping[str, str]] = vocabulary.CHANNELS


def channel_labels(lang: str | None = None) -> dict[str, str]:
    """Display names of the known channel ids in ``lang``."""
    return dict(CHANNEL_LABELS[lang or get_language()])


def word(key: str, lang: str | None = None, **fmt: Any) -> str:
    """A piece of chart wording in ``lang`` (current language by default)."""
    text = _WORDS[key][lang or get_language()]
    return text.format(**fmt) if fmt else text


def pick(options: Mapping[str, str], lang: str | None) -> str:
    """The ``lang`` entry of a ``{"fr": ..., "en": ...}`` mapping."""
    return options[lang or get_language()]


def resolve_lang(lang: str | None) -> str:
    if lang is None:
        return get_language()
    if lang not in ("fr", "en"):
        raise ValueError(f"lang={lang!r} is not supported; use one of fr, en")
    return lang


def require(table: Any, columns: Iterable[str], chart: str, analysis: str) -> pd.DataFrame:
    """Check ``table`` is a DataFrame holding ``columns``; return a copy.

    Raises
    ------
    ValueError
        ``table`` is not a DataFrame, or a column is missing; the message names the column, the
        chart and the analysis whose table the chart expects.
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{chart}: expected the pandas DataFrame returned by {analysis}, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{chart}: the table has no column {', '.join(repr(c) for c in missing)}; "
            f"pass the table returned by {analysis} (columns found: {', '.join(map(str, table.columns))})"
        )
    return table.copy()


def either(table: pd.DataFrame, options: Sequence[str], chart: str, analysis: str) -> str:
    """The first of ``options`` that is a column of ``table``; ValueError naming them all otherwise."""
    for col in options:
        if col in table.columns:
            return col
    raise ValueError(
        f"{chart}: the table needs one of the columns {', '.join(repr(c) for c in options)}; pass the table returned by {analysis}"
    )


def is_suppressed(table: pd.DataFrame) -> pd.Series:
    """Boolean mask of suppressed rows (False when the table has no ``suppressed`` column)."""
    if "suppressed" not in table.columns:
        return pd.Series(False, index=table.index)
    return table["suppressed"].fillna(False).astype(bool)


#: ``description`` of the "no data" chart, so code can tell it apart (it composes like any chart).
NO_DATA = "journeyviz: no data"


def no_data(title: str | None = None, lang: str | None = None, width: int = 400, height: int = 120) -> alt.Chart:
    """An explicit "no data" chart (used for empty tables, so a page never shows a blank)."""
    frame = pd.DataFrame({"message": [word("no_data", lang)]})
    chart = (
        alt.Chart(frame)
        .mark_text(fontSize=16, color=palette.GREY)
        .encode(text="message:N")
        .properties(width=width, height=height, description=NO_DATA)
    )
    return chart.properties(title=title) if title else chart


def tip(field: str, title: str, kind: str = "Q", fmt: str | None = None) -> alt.Tooltip:
    """A tooltip entry with a human title and a number format."""
    if kind == "Q":
        return alt.Tooltip(f"{field}:Q", title=title, format=fmt or ",.3~f")
    return alt.Tooltip(f"{field}:{kind}", title=title)


def pct_tip(field: str, title: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", title=title, format=".1%")


def present(table: pd.DataFrame, *fields: str) -> list[str]:
    """The fields among ``fields`` that exist in ``table`` (optional tooltip entries)."""
    return [f for f in fields if f in table.columns]


def suppressed_text(table: pd.DataFrame, lang: str | None, min_group_size: int) -> pd.Series:
    """Per row, the "suppressed (n < k)" note for suppressed rows, else empty."""
    note = word("suppressed", lang, k=min_group_size)
    return is_suppressed(table).map({True: note, False: ""}).astype(object)


def labels_for(values: Iterable[Any], labels: Mapping[str, str] | None) -> list[str]:
    """Display labels of ids (the id itself when ``labels`` has none)."""
    labels = labels or {}
    return [labels.get(str(v), str(v)) for v in values]


def journey_labels(journey: Any) -> dict[str, str]:
    """Stage and touchpoint labels of a :class:`journeyviz.Journey` (``{}`` for None)."""
    if journey is None:
        return {}
    out = {s.id: s.label for s in journey.stages}
    out.update({t.id: t.label for t in journey.touchpoints})
    return out


def with_title(chart: Any, title: str | None, subtitle: str | None = None) -> Any:
    if title is None:
        return chart
    return chart.properties(title=alt.TitleParams(title, subtitle=subtitle) if subtitle else title)


def records(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe to embed: nullable/extension dtypes turned into plain objects or floats."""
    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if isinstance(dtype, pd.BooleanDtype):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
        elif pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_numeric_dtype(dtype):
            out[col] = out[col].astype("float64")
    return out.reset_index(drop=True)


def inline(frame: pd.DataFrame) -> dict[str, Any]:
    """``frame``'s rows as Vega-Lite inline data (``{"values": [...]}``), converted once for every
    layer that draws them.

    Altair converts a DataFrame again for each layer that holds it when the chart is serialised; a
    layered chart built on this dict embeds the same values (the same named dataset) for a fraction
    of the time. A plain dict, not ``alt.InlineData``, which validates every value when created.
    """
    return {"values": alt.to_values(frame)["values"]}


def label_expr(names: Mapping[str, str]) -> str:
    """A Vega expression showing ``names[id]`` for an axis or legend label (the id when unknown)."""
    return f"({json.dumps(dict(names), ensure_ascii=False)})[datum.label] || datum.label"


def flag(value: Any) -> bool:
    """True for a set boolean flag; False for False, missing or NA."""
    try:
        return bool(value) and not pd.isna(value)
    except (TypeError, ValueError):
        return False


def pct(value: float, lang: str | None = None) -> str:
    """A 0–1 share as a whole percentage in ``lang``'s typography (``"45 %"`` in French, ``"45%"`` in English)."""
    if value is None or value != value:
        return ""
    return f"{value * 100:.0f}\u202f%" if (lang or get_language()) == "fr" else f"{value:.0%}"
