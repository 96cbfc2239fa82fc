"""The sections of the report notebooks: one analysis, its chart, its table and its key finding.

Each builder takes the (filtered) dataset, the page language and ``by`` (the segment column when
the page compares segments, else None) and returns a :class:`journeyviz.dashboard.Section`.
Notebooks pass builders to :meth:`journeyviz.dashboard.Board.show`; the board calls them again
with the filtered dataset whenever a filter changes. A builder composes: analysis → table,
``journeyviz.charts`` → chart, :mod:`journeyviz.findings` → sentence. It computes nothing itself.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

import pandas as pd

from . import findings as fnd
from .dashboard import Section
from .dataset import Dataset

_TITLES: dict[str, dict[str, str]] = {
    "journey": {"fr": "Le parcours et ses points de contact", "en": "The journey and its touchpoints"},
    "funnel": {"fr": "Jusqu'où vont les clients", "en": "How far customers go"},
    "top_paths": {"fr": "Les parcours les plus fréquents", "en": "The commonest journeys"},
    "journey_types": {"fr": "Parcours omnicanaux", "en": "Omnichannel journeys"},
    "leakage": {"fr": "Départs vers la concurrence", "en": "Leakage to competitors"},
    "audit": {"fr": "Audit des points de contact", "en": "Touchpoint audit"},
    "scores": {"fr": "Satisfaction par point de contact", "en": "Satisfaction by touchpoint"},
    "nps": {"fr": "Recommandation (NPS)", "en": "Recommendation (NPS)"},
    "gap": {"fr": "Attentes et perception", "en": "Expectations and perception"},
    "brands": {"fr": "Notre marque face à ses concurrents", "en": "Our brand against its competitors"},
    "churn": {"fr": "Mauvaise expérience et départ des clients", "en": "Bad experiences and lost customers"},
    "attribution": {"fr": "Quel canal mérite le crédit des ventes", "en": "Which channel deserves credit for sales"},
    "transitions": {"fr": "D'un point de contact à l'autre", "en": "From one touchpoint to the next"},
    "ipa": {"fr": "Importance et performance : les moments de vérité", "en": "Importance and performance: moments of truth"},
    "segments": {"fr": "Des segments tirés de ce que font et disent les clients", "en": "Segments from what customers do and say"},
}


def title(key: str, lang: str) -> str:
    """A section title in ``lang``."""
    return _TITLES[key][lang]


def _chart(name: str, table: pd.DataFrame, ds: Dataset, lang: str, **kwargs: Any) -> Any:
    """``journeyviz.charts.<module>.<function>(table, lang=..., min_group_size=..., **kwargs)``.

    ``name`` is ``"module.function"``. Returns None for an empty table (the finding says why).
    """
    if table is None or table.empty:
        return None
    module, function = name.split(".")
    charts = importlib.import_module(f"journeyviz.charts.{module}")
    return getattr(charts, function)(table, lang=lang, min_group_size=ds.min_group_size, **kwargs)


def _labels(ds: Dataset) -> dict[str, str]:
    cat = ds.journey.catalogue()
    return {**dict(zip(cat["touchpoint"], cat["label"])), **{s.id: s.label for s in ds.journey.stages}}


# ---------------------------------------------------------------------- behaviour
def journey_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """The journey map: stages and touchpoints coloured by the gap, sized by reach, with the shape of the journey in words."""
    from .analyses.audit import touchpoint_audit
    from .analyses.gaps import satisfaction_gap
    from .charts.journey_map import journey_map_table

    catalogue = ds.journey.catalogue()
    finding = fnd.journey_finding(catalogue, ds.journey.name, lang)
    # The map draws reach and the friction and pressure flags: no positions, no survey columns.
    audit = touchpoint_audit(ds, survey=False, positions=False) if ds.events is not None else None
    has_gaps = ds.ratings is not None and not ds.ratings.empty
    table = journey_map_table(ds.journey, audit=audit, gaps=satisfaction_gap(ds, level="touchpoint") if has_gaps else None)
    emotion = satisfaction_gap(ds, level="stage") if has_gaps else None
    return Section(title("journey", lang), finding, _chart("journey_map.journey_map", table, ds, lang, journey=ds.journey, emotion=emotion), table)


def funnel_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.funnel` per stage (per segment with ``by``), chart and finding."""
    from .analyses.funnel import funnel

    table = funnel(ds, by=by)
    finding = fnd.funnel_finding(table, lang, by=by, min_group_size=ds.min_group_size, conversion_stage=ds.journey.conversion_stage)
    return Section(title("funnel", lang), finding, _chart("funnel.funnel", table, ds, lang, by=by), table)


def top_paths_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.top_paths` at stage level (the ten commonest journeys)."""
    from .analyses.paths import top_paths

    table = top_paths(ds, level="stage", k=10)
    finding = fnd.top_path_finding(table, lang, labels=_labels(ds), min_group_size=ds.min_group_size)
    return Section(title("top_paths", lang), finding, _chart("paths.top_paths", table, ds, lang, journey=ds.journey), table)


def journey_types_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.channel_switching` journey types (online only, research online → buy in store…)."""
    from .analyses.channels import channel_switching

    table = channel_switching(ds, by=by, kind="journey_types")
    finding = fnd.journey_types_finding(table, lang, by=by, min_group_size=ds.min_group_size)
    return Section(title("journey_types", lang), finding, _chart("channels.journey_types", table, ds, lang, by=by), table)


def leakage_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.channel_switching` leakage: where journeys leave our brand for a competitor."""
    from .analyses.channels import channel_switching

    table = channel_switching(ds, kind="leakage")
    finding = fnd.leakage_finding(table, lang, labels=_labels(ds), min_group_size=ds.min_group_size)
    return Section(title("leakage", lang), finding, _chart("channels.leakage", table, ds, lang, journey=ds.journey), table)


def audit_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.touchpoint_audit`: reach, lift, drop-off, intrusiveness and friction flags."""
    from .analyses.audit import touchpoint_audit

    table = touchpoint_audit(ds)
    finding = fnd.audit_finding(table, lang, min_group_size=ds.min_group_size)
    return Section(title("audit", lang), finding, _chart("audit.touchpoint_scorecard", table, ds, lang), table)


# ---------------------------------------------------------------------- survey
def scores_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.scores` per touchpoint: CSAT with intervals, lowest and highest rated."""
    from .analyses.scores import scores

    table = scores(ds, level="touchpoint", by=by)
    finding = fnd.scores_finding(table, lang, scale_max=ds.journey.scale("perception").high, min_group_size=ds.min_group_size)
    return Section(title("scores", lang), finding, _chart("scores.scores", table, ds, lang, by=by, scale=(ds.journey.scale("perception").low, ds.journey.scale("perception").high)), table)


def nps_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.scores` at journey level (NPS with its interval)."""
    from .analyses.scores import scores

    table = scores(ds, level="journey", by=by)
    finding = fnd.nps_finding(table, lang, min_group_size=ds.min_group_size)
    return Section(title("nps", lang), finding, _chart("scores.nps_bars", table, ds, lang, by=by), table)


def gap_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.satisfaction_gap` per touchpoint: the biggest shortfall against expectations."""
    from .analyses.gaps import satisfaction_gap

    table = satisfaction_gap(ds, level="touchpoint", by=by)
    finding = fnd.gap_finding(table, lang, min_group_size=ds.min_group_size)
    return Section(title("gap", lang), finding, _chart("gaps.gap_dumbbell", table, ds, lang, by=by), table)


def ipa_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.importance_performance`: quadrants and moments of truth."""
    from .analyses.drivers import importance_performance

    # 200 bootstrap samples (not 500) keep a redraw under a few seconds; they only set the
    # importance intervals, not the quadrants or the moments of truth.
    table = importance_performance(ds, n_bootstrap=200)
    finding = fnd.ipa_finding(table, lang, min_group_size=ds.min_group_size)
    return Section(title("ipa", lang), finding, _chart("drivers.importance_performance", table, ds, lang), table)



def brands_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.compare_brands` per touchpoint: lead, par or lag against each competitor."""
    from .analyses.brands import compare_brands

    table = compare_brands(ds, level="touchpoint", by=by)
    finding = fnd.brands_finding(table, lang, labels=_labels(ds), scale_max=ds.journey.scale("perception").high, min_group_size=ds.min_group_size)
    return Section(title("brands", lang), finding, _chart("brands.brand_comparison", table, ds, lang, brand=ds.brand), table)


def churn_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.churn_by_experience`: churn after a bad vs a good experience, relative risk."""
    from .analyses.churn import churn_by_experience

    table = churn_by_experience(ds, by=by)
    finding = fnd.churn_finding(table, lang, min_group_size=ds.min_group_size)
    return Section(title("churn", lang), finding, _chart("churn.churn_forest", table, ds, lang, labels=_labels(ds)), table)


def attribution_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.attribution` per channel under every model, Markov credit in words."""
    from .analyses.attribution import attribution

    table = attribution(ds, level="channel")
    finding = fnd.attribution_finding(table, lang, min_group_size=ds.min_group_size)
    return Section(title("attribution", lang), finding, _chart("attribution.attribution", table, ds, lang, journey=ds.journey), table)


def transitions_section(ds: Dataset, lang: str, by: str | None = None) -> Section:
    """:func:`journeyviz.transitions` between touchpoints: the commonest moves."""
    from .analyses.paths import transitions

    table = transitions(ds, level="touchpoint")
    finding = fnd.transitions_finding(table, lang, labels=_labels(ds), min_group_size=ds.min_group_size)
    return Section(title("transitions", lang), finding, _chart("paths.transition_heatmap", table, ds, lang, journey=ds.journey), table)


# ---------------------------------------------------------------------- discovered segments
#: Behavioural segments asked for when a notebook does not say (k-means, fixed seed).
SEGMENTS_K = 4
SEGMENTS_MAX_K = 10
SEGMENTS_SEED = 0
#: Customers column the discovered segments are written to (not ``segment``, which a user's data may hold).
SEGMENTS_COLUMN = "discovered_segment"


def segments_section(ds: Dataset, lang: str, by: str | None = None, *, k: int = SEGMENTS_K) -> Section:
    """Segments discovered from what customers do and say: :func:`journeyviz.segment` (k-means, ``k``
    clusters, seed :data:`SEGMENTS_SEED`) on :func:`journeyviz.customer_features` (channel mix,
    progress, conversion, recency, contacts, spend, satisfaction), then :func:`journeyviz.segment_profiles`,
    the profile heatmap and the segment that stands out most in words.

    The segments are found among the customers the filters keep, so a filter change finds them
    again (the same filters always give the same segments); ``by`` is not used, the discovered
    segments being the split. Segment names are in ``lang``. ``k=0`` gives an empty section (the
    notebook's ``segments_k = 0`` skips it); an impossible ``k``, a dataset without events or too
    few customers give a sentence instead of the chart.
    """
    from .analyses.segments import customer_features, segment, segment_profiles

    name = title("segments", lang)
    if isinstance(k, int) and not isinstance(k, bool) and k == 0:
        return Section("")
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= SEGMENTS_MAX_K:
        return Section(name, fnd.segments_unavailable("bad_k", lang, k=str(k), max_k=SEGMENTS_MAX_K))
    if ds.events is None:
        return Section(name, fnd.segments_unavailable("no_events", lang))
    try:
        segmented = segment(ds, method="kmeans", k=k, seed=SEGMENTS_SEED, name=SEGMENTS_COLUMN, lang=lang)
    except ValueError:
        # fewer customers with contacts than segments asked for (or none at all)
        return Section(name, fnd.segments_unavailable("too_few", lang, customers=len(customer_features(ds)), k=k, min_group_size=ds.min_group_size))
    # segmented keeps the features it clustered on: the profiles do not aggregate the events again
    profiles = segment_profiles(segmented, by=SEGMENTS_COLUMN)
    # Customers with no contact in the selection (e.g. outside the period) form a "(no events)"
    # group with nothing to profile; the sentence counts customers with contacts, so does the chart.
    with_contacts = profiles.loc[(profiles["feature"] == "frequency") & (profiles["n"] > 0), "segment"]
    table = profiles[profiles["segment"].isin(with_contacts)].reset_index(drop=True)
    stage = ds.journey.conversion_stage
    finding = fnd.segments_finding(table, lang, k=k, conversion_label=_labels(ds).get(stage) if stage else None,
                                   scale_max=ds.journey.scale("perception").high, min_group_size=ds.min_group_size)
    chart = _chart("segments.segment_profile_heatmap", table, ds, lang) if finding.facts.get("segments") else None
    return Section(name, finding, chart, table)


def discovered_segments(k: int = SEGMENTS_K) -> Callable[..., Section]:
    """:func:`segments_section` with ``k`` segments, as a builder for :meth:`Board.show`
    (a notebook passes its ``segments_k`` parameter; 0 shows nothing)."""

    def segments_section_k(ds: Dataset, lang: str, by: str | None = None) -> Section:
        return segments_section(ds, lang, by, k=k)

    # the board keys a section (its cache, its finding) by the builder's name
    segments_section_k.__name__ = "segments_section"
    return segments_section_k


#: Builders by name, for notebooks and the benchmark.
SECTIONS: dict[str, Callable[..., Section]] = {
    name.removesuffix("_section"): fn
    for name, fn in list(globals().items())
    if name.endswith("_section") and callable(fn)
}
