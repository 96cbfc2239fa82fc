"""The journeyviz look: one Altair theme, registered once, readable on a slide, in French or English.

Importing :mod:`journeyviz.charts` registers and enables the ``"journeyviz"`` theme. Numbers and
dates follow the current language (:func:`set_language`): ``fr`` writes ``1 234,5`` and
``12 mars 2025``, ``en`` writes ``1,234.5`` and ``Mar 12, 2025``. The language is read when a
chart is rendered, so one call switches every chart drawn afterwards.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from . import palette

LANGUAGES = ("fr", "en")
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
#: Sizes in pixels, chosen to stay legible on a 16:9 slide at full width.
TITLE_SIZE = 18
LABEL_SIZE = 13
AXIS_TITLE_SIZE = 14
WIDTH = 560
HEIGHT = 340

_state: dict[str, str] = {"language": "fr"}

# d3-format and d3-time-format locales (the ones vl-convert ships as "fr-FR" and "en-US").
_NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "fr": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u202f%"},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
}
_TIME_LOCALES: dict[str, dict[str, Any]] = {
    "fr": {
        "dateTime": "%A %e %B %Y à %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
    },
    "en": {
        "dateTime": "%x, %X",
        "date": "%-m/%-d/%Y",
        "time": "%-I:%M:%S %p",
        "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
        "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    },
}


def set_language(lang: str) -> None:
    """Use ``lang`` (``"fr"`` or ``"en"``) for number and date formats and chart wording from now on.

    Raises
    ------
    ValueError
        ``lang`` is not one of ``fr``, ``en``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r} is not supported; use one of {', '.join(LANGUAGES)}")
    _state["language"] = lang


def get_language() -> str:
    """The current chart language (``"fr"`` by default)."""
    return _state["language"]


def number_locale(lang: str | None = None) -> dict[str, Any]:
    """The d3 number-format locale of ``lang`` (current language by default)."""
    return dict(_NUMBER_LOCALES[lang or get_language()])


def time_locale(lang: str | None = None) -> dict[str, Any]:
    """The d3 time-format locale of ``lang`` (current language by default)."""
    return dict(_TIME_LOCALES[lang or get_language()])


@alt.theme.register("journeyviz", enable=True)
def journeyviz_theme() -> alt.theme.ThemeConfig:
    """Fonts, sizes, colours and locale shared by every journeyviz chart."""
    lang = get_language()
    axis = {
        "labelFont": FONT,
        "titleFont": FONT,
        "labelFontSize": LABEL_SIZE,
        "titleFontSize": AXIS_TITLE_SIZE,
        "titleFontWeight": "normal",
        "labelColor": palette.INK,
        "titleColor": palette.INK,
        "gridColor": "#E5E5E5",
        "domainColor": "#888888",
        "tickColor": "#888888",
        "labelLimit": 260,
    }
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "title": {"font": FONT, "fontSize": TITLE_SIZE, "fontWeight": "bold", "anchor": "start", "color": palette.INK, "subtitleFont": FONT, "subtitleFontSize": LABEL_SIZE, "subtitleFontWeight": "normal", "subtitleColor": "#555555", "offset": 10},
            "axis": axis,
            "header": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": LABEL_SIZE, "titleFontSize": AXIS_TITLE_SIZE},
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": LABEL_SIZE, "titleFontSize": LABEL_SIZE, "titleFontWeight": "bold", "labelLimit": 240, "symbolSize": 120},
            "text": {"font": FONT, "fontSize": LABEL_SIZE - 1, "color": palette.INK},
            "mark": {"color": palette.BLUE},
            "range": {"category": list(palette.OKABE_ITO), "diverging": list(palette.DIVERGING), "ramp": list(palette.SEQUENTIAL), "heatmap": list(palette.SEQUENTIAL)},
            "locale": {"number": number_locale(lang), "time": time_locale(lang)},
            "numberFormat": ",.3~f",
            "tooltipFormat": {"numberFormat": ",.3~f"},
        }
    }
