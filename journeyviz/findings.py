"""Key findings in words: sentences computed from analysis tables, in French or English, with their numbers.

Each ``*_finding`` function takes the table an analysis returned (and the language) and returns a
:class:`Finding`: the sentence a stakeholder reads, and the facts behind it (the numbers and the
sample sizes) that notebooks record with :func:`record` and tests assert on. No function here
computes a statistic: it picks rows of a table (the biggest gap, the worst drop-off…) and words them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

#: Output mimetype under which a notebook records its key findings (read by :mod:`journeyviz.reports`).
FINDINGS_MIMETYPE = "application/vnd.journeyviz.findings+json"
LANGUAGES = ("fr", "en")


@dataclass
class Finding:
    """One key finding: ``text`` (a sentence in the chosen language) and ``facts`` (its numbers)."""

    key: str
    text: str
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, **{k: _plain(v) for k, v in self.facts.items()}}


# ---------------------------------------------------------------------- wording
_PHRASES: dict[str, dict[str, str]] = {
    "no_data": {
        "fr": "Pas de données pour ce choix de filtres ({detail}).",
        "en": "No data for this choice of filters ({detail}).",
    },
    "too_few": {
        "fr": "Moins de {min_group_size} personnes dans ce groupe : les chiffres ne sont pas affichés, pour protéger l'anonymat.",
        "en": "Fewer than {min_group_size} people in this group: figures are not shown, to protect anonymity.",
    },
    "error": {
        "fr": "Impossible d'afficher cette page : {detail}",
        "en": "This page cannot be shown: {detail}",
    },
    "section_error": {
        "fr": "Cette section ne peut pas être calculée : {detail}",
        "en": "This section cannot be computed: {detail}",
    },
    "scope": {
        "fr": "{customers} clients, {events} contacts du {start} au {end}{filters}.",
        "en": "{customers} customers, {events} contacts from {start} to {end}{filters}.",
    },
    "scope_no_events": {
        "fr": "Aucun contact enregistré{filters}.",
        "en": "No contact recorded{filters}.",
    },
    "filters": {"fr": " (filtres : {items})", "en": " (filters: {items})"},
    "journey": {
        "fr": "Le parcours « {name} » compte {stages} étapes et {touchpoints} points de contact sur {channels} canaux ; {company} sont à l'initiative de l'entreprise.",
        "en": "The “{name}” journey has {stages} stages and {touchpoints} touchpoints on {channels} channels; {company} are initiated by the company.",
    },
    "numbers_behind": {"fr": "Les chiffres derrière le graphique ({rows} lignes)", "en": "The numbers behind the chart ({rows} rows)"},
    "all": {"fr": "tous", "en": "all"},
    "segment": {"fr": "Segment", "en": "Segment"},
    "segment_by": {"fr": "Critère", "en": "Split by"},
    "brand": {"fr": "Marque", "en": "Brand"},
    "channel": {"fr": "Canal", "en": "Channel"},
    "start": {"fr": "Du", "en": "From"},
    "end": {"fr": "Au", "en": "To"},
}


def say(key: str, lang: str, **values: Any) -> str:
    """The phrase ``key`` in ``lang`` with ``values`` filled in (numbers formatted for the language)."""
    _check_lang(lang)
    try:
        template = _PHRASES[key][lang]
    except KeyError:
        raise KeyError(f"no phrase {key!r}; known phrases are {sorted(_PHRASES)}") from None
    return template.format(**{k: (fmt_number(v, lang) if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for k, v in values.items()})


def fmt_number(value: float | int, lang: str, digits: int = 0) -> str:
    """A number for people: thousands separated, ``digits`` decimals; French uses a decimal comma."""
    _check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def fmt_percent(share: float, lang: str, digits: int = 0) -> str:
    """A share in [0, 1] as a percentage (``42 %`` in French, ``42%`` in English)."""
    number = fmt_number(100 * share, lang, digits)
    return f"{number}\u00a0%" if lang == "fr" else f"{number}%"


def fmt_date(value: Any, lang: str) -> str:
    """A date as ``dd/mm/yyyy`` (French) or ``yyyy-mm-dd`` (English)."""
    if value is None or value is pd.NaT:
        return "–"
    ts = pd.Timestamp(value)
    return ts.strftime("%d/%m/%Y") if lang == "fr" else ts.strftime("%Y-%m-%d")


def record(findings: Mapping[str, Any]) -> None:
    """Record key findings in the notebook's outputs, where reports and tests read them.

    ``findings`` maps a key (``"funnel"``, ``"biggest_gap"``…) to a :class:`Finding` or a plain
    JSON-able dict. The output carries only a machine-readable mimetype, so readers of the page
    do not see it.
    """
    from IPython.display import display

    payload = {k: (v.to_dict() if isinstance(v, Finding) else _plain(v)) for k, v in findings.items()}
    display({FINDINGS_MIMETYPE: payload}, raw=True)


# ---------------------------------------------------------------------- findings
def scope_finding(describe: pd.DataFrame, period: tuple[Any, Any], filters: Mapping[str, Any], lang: str) -> Finding:
    """Who and what the page covers: customers, contacts, period and active filters.

    ``describe`` is :meth:`Dataset.describe`; ``period`` the first and last event timestamps.
    """
    items = ", ".join(f"{k} = {v}" for k, v in filters.items() if v not in (None, "", "all", [], ()))
    filt = say("filters", lang, items=items) if items else ""
    events = describe.loc[describe["table"] == "events"]
    if events.empty or int(events["rows"].iloc[0]) == 0:
        return Finding("scope", say("scope_no_events", lang, filters=filt), {"customers": 0, "events": 0})
    customers, rows = int(events["customers"].iloc[0]), int(events["rows"].iloc[0])
    text = say("scope", lang, customers=customers, events=rows, start=fmt_date(period[0], lang), end=fmt_date(period[1], lang), filters=filt)
    return Finding("scope", text, {"customers": customers, "events": rows, "start": str(period[0])[:10], "end": str(period[1])[:10]})


def journey_finding(catalogue: pd.DataFrame, name: str, lang: str) -> Finding:
    """The shape of the journey: stages, touchpoints, channels, company-initiated share.

    ``catalogue`` is :meth:`Journey.catalogue`.
    """
    company = int((catalogue["initiative"] == "company").sum())
    facts = {
        "stages": int(catalogue["stage"].nunique()),
        "touchpoints": int(len(catalogue)),
        "channels": int(catalogue["channel"].nunique()),
        "company_initiated": company,
    }
    text = say("journey", lang, name=name, stages=facts["stages"], touchpoints=facts["touchpoints"], channels=facts["channels"], company=company)
    return Finding("journey", text, facts)


# ---------------------------------------------------------------------- helpers
def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language={lang!r} is not supported; use one of {', '.join(LANGUAGES)}")


def _plain(value: Any) -> Any:
    """JSON-able copy of a value (numpy scalars, timestamps and NaN made plain)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
