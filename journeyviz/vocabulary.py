"""The words people read for segmentation features and channels, in French and English.

One place for these names so that a chart axis and a sentence name a feature identically
(:func:`journeyviz.charts.segment_profile_heatmap` and :func:`journeyviz.findings.segments_finding`
both call :func:`feature_label`). Plain data and lookups: no pandas, Ibis or Altair.
"""

from __future__ import annotations

from typing import Mapping

LANGUAGES = ("fr", "en")

#: Display names of the channel ids of :data:`journeyviz.journey.KNOWN_CHANNELS`, by language.
CHANNELS: Mapping[str, Mapping[str, str]] = {
    "fr": {"web": "site web", "app": "application", "store": "magasin", "phone": "téléphone", "email": "e-mail", "chat": "chat", "social": "réseaux sociaux", "mail": "courrier / livraison", "other": "autre"},
    "en": {"web": "website", "app": "app", "store": "store", "phone": "phone", "email": "email", "chat": "chat", "social": "social media", "mail": "mail / delivery", "other": "other"},
}

#: Readable names of the features of :func:`journeyviz.customer_features` (plus the usual
#: numeric customer attributes that :func:`journeyviz.segment_profiles` adds).
FEATURES: Mapping[str, Mapping[str, str]] = {
    "furthest_stage": {"fr": "Étape la plus avancée", "en": "Furthest stage"},
    "converted": {"fr": "A acheté", "en": "Converted"},
    "recency_days": {"fr": "Jours depuis le dernier contact", "en": "Days since last contact"},
    "frequency": {"fr": "Nombre de contacts", "en": "Contacts"},
    "value": {"fr": "Montant dépensé", "en": "Amount spent"},
    "touchpoints": {"fr": "Points de contact distincts", "en": "Distinct touchpoints"},
    "satisfaction": {"fr": "Satisfaction", "en": "Satisfaction"},
    "age": {"fr": "Âge", "en": "Age"},
}

#: Prefix of the per-channel features (``share_web``: share of the customer's contacts on the web).
SHARE_PREFIX = "share_"
SHARE_OF_CONTACTS: Mapping[str, str] = {"fr": "Part des contacts : {}", "en": "Share of contacts: {}"}

#: How a feature's value reads: ``share`` (0–1, shown as a percentage), ``score`` (on the
#: perception scale), ``days``, ``count``, ``amount``, ``stage`` (0-based order) or ``number``.
_KINDS = {"converted": "share", "satisfaction": "score", "recency_days": "days", "frequency": "count", "touchpoints": "count", "value": "amount", "furthest_stage": "stage", "age": "number"}


def channel_label(channel: str, lang: str) -> str:
    """The display name of a channel id in ``lang`` (the id itself when unknown)."""
    return CHANNELS[_lang(lang)].get(channel, channel)


def feature_label(feature: str, lang: str) -> str:
    """The display name of a segmentation feature in ``lang``.

    ``share_store`` → "Part des contacts : magasin"; the features of :data:`FEATURES` by name;
    any other name (a customer attribute of the user's own) unchanged.
    """
    lang = _lang(lang)
    if feature.startswith(SHARE_PREFIX):
        return SHARE_OF_CONTACTS[lang].format(channel_label(feature.removeprefix(SHARE_PREFIX), lang))
    return FEATURES.get(feature, {}).get(lang, feature)


def feature_kind(feature: str) -> str:
    """How a feature's value reads: ``share`` (0–1), ``score``, ``days``, ``count``, ``amount``, ``stage`` or ``number``."""
    if feature.startswith(SHARE_PREFIX):
        return "share"
    return _KINDS.get(feature, "number")


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r} is not supported; use one of {', '.join(LANGUAGES)}")
    return lang
