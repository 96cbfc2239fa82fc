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
#: The journey type "research online, buy offline" of :func:`journeyviz.channel_switching`.
ROPO = "research online → buy in store"
_JOURNEY_TYPES_FR = {
    "online only": "tout en ligne",
    "research online → buy in store": "recherche en ligne → achat en magasin",
    "store → online": "magasin → en ligne",
    "store only": "tout en magasin",
    "other": "autre canal",
    "no purchase": "sans achat",
}


def _kind(kind: str, lang: str) -> str:
    return _JOURNEY_TYPES_FR.get(kind, kind) if lang == "fr" else kind


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
        "fr": "Le parcours « {name} » compte {stages} étapes et {touchpoints} points de contact sur {channels} canaux, dont {company} à l'initiative de l'entreprise.",
        "en": "The “{name}” journey has {stages} stages and {touchpoints} touchpoints on {channels} channels, {company} of them initiated by the company.",
    },
    "funnel": {
        "fr": "Sur {n} clients, {customers} ({rate}) sont allés jusqu'à l'étape « {stage} ». La plus forte perte a lieu à l'étape « {worst} » : {drop} des {previous} clients arrivés à l'étape précédente ne l'atteignent pas.",
        "en": "Of {n} customers, {customers} ({rate}) went as far as the “{stage}” stage. The biggest loss is at the “{worst}” stage: {drop} of the {previous} customers who reached the previous stage do not get there.",
    },
    "funnel_by": {
        "fr": "Le taux d'atteinte de l'étape « {stage} » va de {low_rate} ({low_group}, {low_n} clients) à {high_rate} ({high_group}, {high_n} clients).",
        "en": "The share of customers reaching the “{stage}” stage ranges from {low_rate} ({low_group}, {low_n} customers) to {high_rate} ({high_group}, {high_n} customers).",
    },
    "top_path": {
        "fr": "Le parcours le plus fréquent est {path} : {customers} clients sur {n} ({share}), dont {conversion} achètent.",
        "en": "The commonest journey is {path}: {customers} of {n} customers ({share}), of whom {conversion} buy.",
    },
    "buying_path": {
        "fr": "Le parcours qui amène le plus d'acheteurs est {path} : {conversions} achats sur {customers} clients.",
        "en": "The journey that brings the most buyers is {path}: {conversions} purchases out of {customers} customers.",
    },
    "journey_types": {
        "fr": "Parmi les {buyers} acheteurs, le parcours le plus courant est « {kind} » ({share} ; {customers} clients).",
        "en": "Among the {buyers} buyers, the commonest journey type is “{kind}” ({share}; {customers} customers).",
    },
    "journey_types_by": {
        "fr": "Le parcours « {kind} » concerne {high_share} des acheteurs du groupe {high_group} ({high_n} acheteurs), contre {low_share} pour {low_group} ({low_n} acheteurs).",
        "en": "The “{kind}” journey accounts for {high_share} of buyers in {high_group} ({high_n} buyers), against {low_share} in {low_group} ({low_n} buyers).",
    },
    "leakage": {
        "fr": "Les parcours qui s'arrêtent à « {touchpoint} » partent le plus souvent chez un concurrent : {rate} des {ended} clients concernés, surtout vers {competitor}.",
        "en": "Journeys that end at “{touchpoint}” leak to a competitor most often: {rate} of the {ended} customers concerned, mostly to {competitor}.",
    },
    "leakage_none": {
        "fr": "Aucun départ vers la concurrence n'est mesurable sur des groupes d'au moins {min_group_size} clients.",
        "en": "No leakage to competitors is measurable in groups of at least {min_group_size} customers.",
    },
    "scores": {
        "fr": "Le point de contact le moins bien noté est « {worst} » : {worst_csat} sur {scale} (n = {worst_n}) ; le mieux noté est « {best} » : {best_csat} (n = {best_n}).",
        "en": "The lowest-rated touchpoint is “{worst}”: {worst_csat} out of {scale} (n = {worst_n}); the best rated is “{best}”: {best_csat} (n = {best_n}).",
    },
    "nps": {
        "fr": "Le NPS du parcours est de {nps} points (IC 95 % : {low} à {high} ; {n} répondants).",
        "en": "The journey's NPS is {nps} points (95% CI {low} to {high}; {n} respondents).",
    },
    "gap": {
        "fr": "Le plus grand écart entre attentes et perception porte sur « {label} » : {gap} point (perception {perception} contre attente {expectation} ; n = {n}){significance}.",
        "en": "The biggest gap between expectations and perception is at “{label}”: {gap} points (perception {perception} against expectation {expectation}; n = {n}){significance}.",
    },
    "gap_none": {
        "fr": "Aucun point de contact n'est en dessous des attentes de façon mesurable (n ≥ {min_group_size}).",
        "en": "No touchpoint falls measurably short of expectations (n ≥ {min_group_size}).",
    },
    "audit": {
        "fr": "Point de friction principal : « {label} », où s'arrête le parcours de {dropoff} des {reach} clients qui le rencontrent (points de friction : {frictions} ; points jugés intrusifs : {intrusive}).",
        "en": "Main friction point: “{label}”, where the journey ends for {dropoff} of the {reach} customers who meet it (friction points: {frictions}; intrusive touchpoints: {intrusive}).",
    },
    "audit_none": {
        "fr": "Aucun point de contact avant l'achat ne perd significativement plus de clients que les autres (points jugés intrusifs : {intrusive}).",
        "en": "No touchpoint before the purchase loses significantly more customers than the others (intrusive touchpoints: {intrusive}).",
    },
    "ipa": {
        "fr": "Moments de vérité (importants et décevants) : {items}.",
        "en": "Moments of truth (important and disappointing): {items}.",
    },
    "ipa_concentrate": {
        "fr": "Aucun moment de vérité significatif ; à surveiller (importants, sous la moyenne) : {items}.",
        "en": "No significant moment of truth; to watch (important, below average): {items}.",
    },
    "ipa_none": {
        "fr": "Aucun point de contact important n'est sous la moyenne de performance.",
        "en": "No important touchpoint performs below average.",
    },
    "brands_lag": {
        "fr": "{competitor} fait mieux que nous sur « {label} » : {theirs} contre {ours} sur {scale} (écart {difference} ; n = {n_ours} et {n_theirs}), écart significatif après correction.",
        "en": "{competitor} does better than us at “{label}”: {theirs} against {ours} out of {scale} (difference {difference}; n = {n_ours} and {n_theirs}), significant after correction.",
    },
    "brands_lead": {
        "fr": "Nous devançons {competitor} sur « {label} » : {ours} contre {theirs} sur {scale} (n = {n_ours} et {n_theirs}) ; aucun retard significatif.",
        "en": "We lead {competitor} at “{label}”: {ours} against {theirs} out of {scale} (n = {n_ours} and {n_theirs}); no significant lag.",
    },
    "brands_par": {
        "fr": "Aucune différence significative avec la concurrence sur les points de contact notés.",
        "en": "No significant difference with competitors on the rated touchpoints.",
    },
    "brands_none": {
        "fr": "Aucun concurrent n'a assez de notes dans cette sélection pour être comparé (au moins {min_group_size} répondants par point de contact, pour chaque marque).",
        "en": "No competitor has enough ratings in this selection to be compared (at least {min_group_size} respondents per touchpoint, for each brand).",
    },
    "churn": {
        "fr": "Après une mauvaise expérience (détracteurs), {churn_bad} des {n_bad} clients cessent d'acheter, contre {churn_good} des {n_good} promoteurs : un risque {rr} fois plus élevé (IC 95 % : {rr_low} à {rr_high}).",
        "en": "After a bad experience (detractors), {churn_bad} of {n_bad} customers stop buying, against {churn_good} of {n_good} promoters: a risk {rr} times higher (95% CI {rr_low} to {rr_high}).",
    },
    "attribution": {
        "fr": "Selon le modèle de Markov, le canal « {item} » reçoit {share} des {conversions} conversions ; sans lui, {removal} des conversions disparaîtraient.",
        "en": "Under the Markov model, the “{item}” channel earns {share} of the {conversions} conversions; without it, {removal} of conversions would be lost.",
    },
    "transitions": {
        "fr": "Le passage le plus fréquent est « {source} » → « {target} » : {count} fois ({probability} des sorties de « {source} » ; {customers} clients).",
        "en": "The commonest move is “{source}” → “{target}”: {count} times ({probability} of moves out of “{source}”; {customers} customers).",
    },
    "segments": {
        "fr": "Ce que font et disent les {customers} clients ayant eu des contacts dessine {segments} segments.",
        "en": "What the {customers} customers with contacts do and say falls into {segments} segments.",
    },
    "segments_headline": {
        "fr": "Le segment « {name} » ({customers} clients, {share}) {clauses}.",
        "en": "The “{name}” segment ({customers} customers, {share}) {clauses}.",
    },
    "segments_and": {"fr": " et ", "en": " and "},
    "segments_conversion": {
        "fr": "atteint l'étape « {stage} » {points} {direction} souvent que la moyenne ({mean} contre {overall})",
        "en": "reaches the “{stage}” stage {points} {direction} often than average ({mean} vs {overall})",
    },
    "segments_satisfaction": {
        "fr": "note son expérience {points} {direction} que la moyenne ({mean} contre {overall} sur {scale} ; n = {n} répondants)",
        "en": "rates its experience {points} {direction} than average ({mean} vs {overall} out of {scale}; n = {n} respondents)",
    },
    "segments_satisfaction_same": {
        "fr": "note son expérience comme la moyenne ({mean} contre {overall} sur {scale} ; n = {n} répondants)",
        "en": "rates its experience about as well as average ({mean} vs {overall} out of {scale}; n = {n} respondents)",
    },
    "segments_stands_out": {
        "fr": "se distingue surtout par « {feature} » ({mean} contre {overall} en moyenne)",
        "en": "stands out most on “{feature}” ({mean} vs {overall} on average)",
    },
    "segments_distinctive": {
        "fr": "Ce qui le distingue le plus : « {feature} » ({mean} contre {overall} en moyenne).",
        "en": "What sets it apart most: “{feature}” ({mean} vs {overall} on average).",
    },
    "segments_hidden": {
        "fr": "{hidden} segments de moins de {min_group_size} clients ne sont pas détaillés.",
        "en": "{hidden} segments of fewer than {min_group_size} customers are not detailed.",
    },
    "segments_hidden_one": {
        "fr": "Un segment de moins de {min_group_size} clients n'est pas détaillé.",
        "en": "One segment of fewer than {min_group_size} customers is not detailed.",
    },
    "segments_too_few": {
        "fr": "Trop peu de clients ayant eu des contacts dans cette sélection ({customers}) pour former {k} segments d'au moins {min_group_size} clients.",
        "en": "Too few customers with contacts in this selection ({customers}) to form {k} segments of at least {min_group_size} customers.",
    },
    "segments_bad_k": {
        "fr": "segments_k = {k} n'est pas un nombre de segments possible : indiquez 0 pour ne pas chercher de segments, ou un nombre de 2 à {max_k}.",
        "en": "segments_k = {k} is not a possible number of segments: use 0 to skip segment discovery, or a number from 2 to {max_k}.",
    },
    "segments_no_events": {
        "fr": "Les segments de comportement se calculent sur les contacts des clients : ce jeu de données n'a pas de table events.",
        "en": "Behavioural segments are computed from customers' contacts: this dataset has no events table.",
    },
    "significant": {"fr": ", écart significatif après correction pour comparaisons multiples", "en": ", significant after correction for multiple comparisons"},
    "not_significant": {"fr": ", écart non significatif après correction", "en": ", not significant after correction"},
    "suppressed_all": {
        "fr": "Trop peu de personnes dans ce choix de filtres (moins de {min_group_size} par groupe) : aucun chiffre n'est affiché.",
        "en": "Too few people for this choice of filters (fewer than {min_group_size} per group): no figure is shown.",
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


def funnel_finding(table: pd.DataFrame, lang: str, by: str | None = None, min_group_size: int = 10, conversion_stage: str | None = None) -> Finding:
    """How far customers go and where most are lost (from :func:`journeyviz.funnel`).

    Without ``by``: customers reaching the conversion stage (or the last stage) out of ``n``, and the
    stage with the highest drop-off rate. With ``by``: the lowest and highest conversion across groups.
    """
    rows = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    if rows.empty:
        return Finding("funnel", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
    target = _conversion_row(rows, conversion_stage)
    if by is not None and by in rows:
        at = rows[rows["stage"] == target["stage"]].dropna(subset=["conversion_from_all"])
        if at.empty:
            return Finding("funnel", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
        lo, hi = at.loc[at["conversion_from_all"].idxmin()], at.loc[at["conversion_from_all"].idxmax()]
        text = say("funnel_by", lang, stage=target["label"], low_rate=fmt_percent(lo["conversion_from_all"], lang), low_group=lo[by], low_n=int(lo["n"]),
                   high_rate=fmt_percent(hi["conversion_from_all"], lang), high_group=hi[by], high_n=int(hi["n"]))
        facts = {"by": by, "stage": target["stage"], "lowest_group": str(lo[by]), "lowest_rate": lo["conversion_from_all"], "lowest_n": int(lo["n"]),
                 "highest_group": str(hi[by]), "highest_rate": hi["conversion_from_all"], "highest_n": int(hi["n"])}
        return Finding("funnel", text, facts)
    later = rows[rows["stage_order"] > rows["stage_order"].min()].dropna(subset=["dropoff_rate"])
    worst = later.loc[later["dropoff_rate"].idxmax()] if not later.empty else target
    facts = {
        "n": int(target["n"]),
        "stage": target["stage"],
        "customers": int(target["customers"]),
        "conversion": target["conversion_from_all"],
        "worst_stage": worst["stage"],
        "worst_dropoff_rate": worst["dropoff_rate"],
        "worst_previous": int(worst["previous"]),
    }
    text = say("funnel", lang, n=facts["n"], customers=facts["customers"], rate=fmt_percent(target["conversion_from_all"], lang, 1), stage=target["label"],
               worst=worst["label"], drop=fmt_percent(worst["dropoff_rate"], lang), previous=facts["worst_previous"])
    return Finding("funnel", text, facts)


def top_path_finding(table: pd.DataFrame, lang: str, labels: Mapping[str, str] | None = None, min_group_size: int = 10) -> Finding:
    """The commonest journey, and the one that brings the most buyers (from :func:`journeyviz.top_paths`).

    ``labels`` maps stage or touchpoint ids to display labels.
    """
    rows = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    if rows.empty:
        return Finding("top_path", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})

    def words(path: str) -> str:
        return " → ".join((labels or {}).get(step.strip(), step.strip()) for step in str(path).split(">"))

    top = rows.sort_values("rank").iloc[0]
    conv = top.get("conversion_rate")
    facts = {"path": top["path"], "customers": int(top["customers"]), "n": int(top["n"]), "share": top["share"], "conversion_rate": conv}
    text = say("top_path", lang, path=words(top["path"]), customers=facts["customers"], n=facts["n"], share=fmt_percent(top["share"], lang, 1),
               conversion=fmt_percent(conv, lang) if conv is not None and not pd.isna(conv) else "–")
    if "conversions" in rows and rows["conversions"].max() > 0:
        best = rows.loc[rows["conversions"].idxmax()]
        if best["path"] != top["path"]:
            facts.update({"buying_path": best["path"], "buying_path_conversions": int(best["conversions"]), "buying_path_customers": int(best["customers"])})
            text += " " + say("buying_path", lang, path=words(best["path"]), conversions=int(best["conversions"]), customers=int(best["customers"]))
    return Finding("top_path", text, facts)


def journey_types_finding(table: pd.DataFrame, lang: str, by: str | None = None, min_group_size: int = 10) -> Finding:
    """The commonest omnichannel journey type among buyers (``channel_switching(kind="journey_types")``).

    With ``by``: the group where "research online → buy in store" is most common among buyers.
    """
    rows = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    buyers = rows[rows["journey_type"] != "no purchase"]
    if buyers.empty or int(buyers["customers"].sum()) == 0:
        return Finding("journey_types", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
    if by is not None and by in buyers:
        totals = buyers.groupby(by, observed=True)["customers"].transform("sum")
        ropo = buyers.assign(buyers=totals, share=buyers["customers"] / totals)
        ropo = ropo[(ropo["journey_type"] == ROPO) & (ropo["buyers"] >= min_group_size)]
        if not ropo.empty:
            top, low = ropo.loc[ropo["share"].idxmax()], ropo.loc[ropo["share"].idxmin()]
            facts = {"by": by, "journey_type": ROPO, "highest_group": str(top[by]), "highest_share": top["share"], "highest_buyers": int(top["buyers"]),
                     "lowest_group": str(low[by]), "lowest_share": low["share"], "lowest_buyers": int(low["buyers"])}
            text = say("journey_types_by", lang, kind=_kind(ROPO, lang), high_group=top[by], high_share=fmt_percent(top["share"], lang), high_n=int(top["buyers"]),
                       low_group=low[by], low_share=fmt_percent(low["share"], lang), low_n=int(low["buyers"]))
            return Finding("journey_types", text, facts)
        buyers = buyers.groupby("journey_type", as_index=False, observed=True)["customers"].sum()
    total = int(buyers["customers"].sum())
    top = buyers.loc[buyers["customers"].idxmax()]
    share = top["customers"] / total
    facts = {"journey_type": top["journey_type"], "customers": int(top["customers"]), "buyers": total, "share_of_buyers": share}
    text = say("journey_types", lang, buyers=total, kind=_kind(top["journey_type"], lang), share=fmt_percent(share, lang), customers=int(top["customers"]))
    return Finding("journey_types", text, facts)


def leakage_finding(table: pd.DataFrame, lang: str, labels: Mapping[str, str] | None = None, min_group_size: int = 10) -> Finding:
    """Where journeys leave for a competitor most often (``channel_switching(kind="leakage")``)."""
    rows = table.dropna(subset=["leak_rate"])
    if "suppressed" in rows:
        rows = rows[~rows["suppressed"].astype(bool)]
    rows = rows[rows["leakers"] > 0]
    if rows.empty:
        return Finding("leakage", say("leakage_none", lang, min_group_size=min_group_size), {"leak_rate": None})
    top = rows.loc[rows["leak_rate"].idxmax()]
    facts = {"touchpoint": top["touchpoint"], "leak_rate": top["leak_rate"], "ended": int(top["ended"]), "leakers": int(top["leakers"]), "top_competitor": top["top_competitor"]}
    text = say("leakage", lang, touchpoint=(labels or {}).get(top["touchpoint"], top["touchpoint"]), rate=fmt_percent(top["leak_rate"], lang),
               ended=int(top["ended"]), competitor=top["top_competitor"])
    return Finding("leakage", text, facts)


def scores_finding(table: pd.DataFrame, lang: str, scale_max: float = 7.0, min_group_size: int = 10) -> Finding:
    """The lowest- and highest-rated touchpoints (from :func:`journeyviz.scores`, touchpoint level)."""
    rows = table.dropna(subset=["csat"])
    if rows.empty:
        return Finding("scores", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
    worst, best = rows.loc[rows["csat"].idxmin()], rows.loc[rows["csat"].idxmax()]
    facts = {"worst": worst["touchpoint"] if "touchpoint" in rows else worst["stage"], "worst_csat": worst["csat"], "worst_n": int(worst["n"]),
             "best": best["touchpoint"] if "touchpoint" in rows else best["stage"], "best_csat": best["csat"], "best_n": int(best["n"])}
    text = say("scores", lang, worst=worst["label"], worst_csat=fmt_number(worst["csat"], lang, 1), scale=fmt_number(scale_max, lang), worst_n=int(worst["n"]),
               best=best["label"], best_csat=fmt_number(best["csat"], lang, 1), best_n=int(best["n"]))
    return Finding("scores", text, facts)


def nps_finding(table: pd.DataFrame, lang: str, min_group_size: int = 10) -> Finding:
    """The journey's NPS with its interval (from :func:`journeyviz.scores` at ``level="journey"``)."""
    rows = table.dropna(subset=["nps"])
    if rows.empty:
        return Finding("nps", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
    row = rows.iloc[0]
    facts = {"nps": row["nps"], "low": row["nps_low"], "high": row["nps_high"], "n": int(row["nps_n"])}
    text = say("nps", lang, nps=fmt_number(row["nps"], lang), low=fmt_number(row["nps_low"], lang), high=fmt_number(row["nps_high"], lang), n=int(row["nps_n"]))
    return Finding("nps", text, facts)


def gap_finding(table: pd.DataFrame, lang: str, min_group_size: int = 10) -> Finding:
    """The most negative gap between perception and expectation (from :func:`journeyviz.satisfaction_gap`)."""
    rows = table.dropna(subset=["gap"])
    rows = rows[rows["gap"] < 0]
    if rows.empty:
        return Finding("biggest_gap", say("gap_none", lang, min_group_size=min_group_size), {"gap": None})
    row = rows.loc[rows["gap"].idxmin()]
    key = "touchpoint" if "touchpoint" in rows else "stage"
    significance = say("significant" if bool(row.get("significant")) else "not_significant", lang)
    facts = {key: row[key], "gap": row["gap"], "low": row["low"], "high": row["high"], "perception": row["perception"], "expectation": row["expectation"],
             "n": int(row["n"]), "p_adjusted": row.get("p_adjusted"), "significant": bool(row.get("significant"))}
    text = say("gap", lang, label=row["label"], gap=fmt_number(row["gap"], lang, 1), perception=fmt_number(row["perception"], lang, 1),
               expectation=fmt_number(row["expectation"], lang, 1), n=int(row["n"]), significance=significance)
    return Finding("biggest_gap", text, facts)


def audit_finding(table: pd.DataFrame, lang: str, min_group_size: int = 10) -> Finding:
    """The main friction touchpoint and the count of intrusive ones (from :func:`journeyviz.touchpoint_audit`)."""
    rows = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    frictions = rows[rows["friction"].astype(bool)].dropna(subset=["dropoff"])
    intrusive = int(rows["intrusive"].astype(bool).sum())
    facts: dict[str, Any] = {"frictions": int(len(frictions)), "intrusive": intrusive, "intrusive_touchpoints": list(rows.loc[rows["intrusive"].astype(bool), "touchpoint"])}
    if frictions.empty:
        return Finding("audit", say("audit_none", lang, intrusive=intrusive), {**facts, "worst_friction": None})
    worst = frictions.loc[frictions["dropoff"].idxmax()]
    facts.update({"worst_friction": worst["touchpoint"], "dropoff": worst["dropoff"], "reach": int(worst["reach"])})
    text = say("audit", lang, label=worst["label"], dropoff=fmt_percent(worst["dropoff"], lang), reach=int(worst["reach"]), frictions=len(frictions), intrusive=intrusive)
    return Finding("audit", text, facts)


def ipa_finding(table: pd.DataFrame, lang: str, min_group_size: int = 10) -> Finding:
    """Moments of truth, else touchpoints to concentrate on (from :func:`journeyviz.importance_performance`)."""
    rows = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    truth = rows[rows["moment_of_truth"].fillna(False).astype(bool)]
    focus = rows[rows["quadrant"] == "concentrate_here"]
    facts = {"moments_of_truth": list(truth["touchpoint"]), "concentrate_here": list(focus["touchpoint"])}
    if not truth.empty:
        items = ", ".join(f"« {r.label} » (n = {fmt_number(r.n, lang)})" if lang == "fr" else f"“{r.label}” (n = {fmt_number(r.n, lang)})" for r in truth.itertuples())
        return Finding("moments_of_truth", say("ipa", lang, items=items), facts)
    if not focus.empty:
        items = ", ".join(f"« {r.label} » (n = {fmt_number(r.n, lang)})" if lang == "fr" else f"“{r.label}” (n = {fmt_number(r.n, lang)})" for r in focus.itertuples())
        return Finding("moments_of_truth", say("ipa_concentrate", lang, items=items), facts)
    return Finding("moments_of_truth", say("ipa_none", lang), facts)


def brands_finding(table: pd.DataFrame, lang: str, labels: Mapping[str, str] | None = None, scale_max: float = 7.0, min_group_size: int = 10) -> Finding:
    """Where a competitor leads us most (else where we lead) on perception (from :func:`journeyviz.compare_brands`)."""
    rows = table[(table["metric"] == "perception")]
    if "suppressed" in rows:
        rows = rows[~rows["suppressed"].astype(bool)]
    rows = rows.dropna(subset=["difference"])
    if rows.empty:
        return Finding("competitors", say("brands_none", lang, min_group_size=min_group_size), {"status": None})
    lags, leads = rows[rows["status"] == "lag"], rows[rows["status"] == "lead"]
    labels = labels or {}
    if not lags.empty:
        row, key = lags.loc[lags["difference"].idxmin()], "brands_lag"
    elif not leads.empty:
        row, key = leads.loc[leads["difference"].idxmax()], "brands_lead"
    else:
        return Finding("competitors", say("brands_par", lang), {"status": "par", "lags": 0, "leads": 0})
    facts = {"status": row["status"], "competitor": row["competitor"], "touchpoint": row["touchpoint"], "ours": row["ours"], "theirs": row["theirs"],
             "difference": row["difference"], "low": row["low"], "high": row["high"], "n_ours": int(row["n_ours"]), "n_theirs": int(row["n_theirs"]),
             "p_adjusted": row["p_adjusted"], "lags": int(len(lags)), "leads": int(len(leads))}
    text = say(key, lang, competitor=row["competitor"], label=labels.get(row["touchpoint"], row.get("label") or row["touchpoint"]),
               ours=fmt_number(row["ours"], lang, 1), theirs=fmt_number(row["theirs"], lang, 1), scale=fmt_number(scale_max, lang),
               difference=fmt_number(row["difference"], lang, 1), n_ours=int(row["n_ours"]), n_theirs=int(row["n_theirs"]))
    return Finding("competitors", text, facts)


def churn_finding(table: pd.DataFrame, lang: str, min_group_size: int = 10) -> Finding:
    """Churn after a bad vs a good experience, NPS definition (from :func:`journeyviz.churn_by_experience`)."""
    rows = table[table["definition"] == "nps"].dropna(subset=["relative_risk"])
    if rows.empty:
        return Finding("churn", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
    row = rows.iloc[0]
    facts = {k: row[k] for k in ("n_bad", "n_good", "churn_bad", "churn_good", "difference", "relative_risk", "rr_low", "rr_high", "p_adjusted")}
    text = say("churn", lang, churn_bad=fmt_percent(row["churn_bad"], lang), n_bad=int(row["n_bad"]), churn_good=fmt_percent(row["churn_good"], lang),
               n_good=int(row["n_good"]), rr=fmt_number(row["relative_risk"], lang, 1), rr_low=fmt_number(row["rr_low"], lang, 1), rr_high=fmt_number(row["rr_high"], lang, 1))
    return Finding("churn", text, facts)


def attribution_finding(table: pd.DataFrame, lang: str, min_group_size: int = 10) -> Finding:
    """The channel with the most Markov credit (from :func:`journeyviz.attribution`, channel level)."""
    rows = table[(table["model"] == "markov")].dropna(subset=["share"])
    rows = rows[rows.iloc[:, 1] != "(direct)"]
    if rows.empty:
        return Finding("attribution", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
    item_col = table.columns[1]
    row = rows.loc[rows["share"].idxmax()]
    total = float(table.loc[table["model"] == "markov", "conversions"].sum())
    facts = {"model": "markov", item_col: row[item_col], "share": row["share"], "removal_effect": row["removal_effect"], "conversions": total, "customers": int(row["customers"])}
    text = say("attribution", lang, item=row[item_col], share=fmt_percent(row["share"], lang), conversions=fmt_number(total, lang), removal=fmt_percent(row["removal_effect"], lang))
    return Finding("attribution", text, facts)


def transitions_finding(table: pd.DataFrame, lang: str, labels: Mapping[str, str] | None = None, min_group_size: int = 10) -> Finding:
    """The commonest move between two different touchpoints (from :func:`journeyviz.transitions`), start and end excluded."""
    # Repeats of one touchpoint (a newsletter after a newsletter) say nothing about the route.
    rows = table[~table["from"].isin(["(start)"]) & ~table["to"].isin(["(end)"]) & (table["from"] != table["to"])]
    if "suppressed" in rows:
        rows = rows[~rows["suppressed"].astype(bool)]
    if rows.empty:
        return Finding("transitions", say("suppressed_all", lang, min_group_size=min_group_size), {"suppressed": True})
    row = rows.loc[rows["count"].idxmax()]
    labels = labels or {}
    facts = {"from": row["from"], "to": row["to"], "count": int(row["count"]), "customers": int(row["customers"]), "probability": row["probability"]}
    text = say("transitions", lang, source=labels.get(row["from"], row["from"]), target=labels.get(row["to"], row["to"]), count=int(row["count"]),
               probability=fmt_percent(row["probability"], lang), customers=int(row["customers"]))
    return Finding("transitions", text, facts)


#: Smallest |Cohen's d| worth a sentence (Cohen's "small" effect); below it segments are alike.
SMALL_EFFECT = 0.2


def segments_finding(
    table: pd.DataFrame,
    lang: str,
    k: int | None = None,
    conversion_label: str | None = None,
    scale_max: float = 7.0,
    min_group_size: int = 10,
) -> Finding:
    """The segment that stands out most, with its size, conversion and satisfaction against the average.

    Parameters
    ----------
    table
        :func:`journeyviz.segment_profiles` of behavioural segments (one row per segment × feature).
        Segments whose ``frequency`` has ``n == 0`` (customers without contacts) are left out.
    k
        Segments asked for (named in the "too few customers" sentence); None = as many as found.
    conversion_label
        Display label of the conversion stage (the ``converted`` feature means "reached it").
    scale_max, min_group_size
        Top of the perception scale; the privacy threshold (a segment, or a satisfaction mean,
        about fewer people is not cited).

    Returns
    -------
    Finding
        Key ``"segments"``. The headline segment is the one furthest from the rest on
        ``converted`` (by absolute Cohen's d), else on ``satisfaction``, else on any feature, when
        that distance reaches :data:`SMALL_EFFECT`. Facts: ``segments`` (shown), ``customers``
        (with contacts: the denominator of every share), ``hidden_segments``, ``segment``,
        ``segment_customers``, ``segment_share``, ``headline`` (the feature that chose it),
        ``conversion``/``conversion_overall``/``conversion_points`` (rate, 0–1, and the difference
        in percentage points, as worded), ``satisfaction``/``satisfaction_overall``/
        ``satisfaction_difference``/``satisfaction_n`` (on the perception scale), and
        ``distinctive_feature``/``distinctive_mean``/``distinctive_overall``/``distinctive_effect``.
    """
    from .vocabulary import feature_kind, feature_label

    contacts = table[(table["feature"] == "frequency") & (table["n"] > 0)]
    customers = int(contacts["customers"].sum())
    shown_names = list(contacts.loc[~contacts["suppressed"].astype(bool), "segment"])
    hidden = int(len(contacts) - len(shown_names))
    if not shown_names:
        text = say("segments_too_few", lang, customers=customers, k=k if k is not None else len(contacts), min_group_size=min_group_size)
        return Finding("segments", text, {"segments": 0, "customers": customers, "hidden_segments": hidden, "segment": None})
    rows = table[table["segment"].isin(shown_names)]

    def feature_rows(feature: str) -> pd.DataFrame:
        found = rows[(rows["feature"] == feature) & (rows["n"] >= min_group_size)].dropna(subset=["effect_size", "mean", "overall"])
        return found.assign(strength=found["effect_size"].abs())

    headline, pick = None, None
    for feature in ("converted", "satisfaction"):
        found = feature_rows(feature)
        if not found.empty and found["strength"].max() >= SMALL_EFFECT:
            headline, pick = feature, found.loc[found["strength"].idxmax()]
            break
    if pick is None:
        usable = rows[rows["n"] >= min_group_size].dropna(subset=["effect_size", "mean", "overall"])
        if not usable.empty:
            usable = usable.assign(strength=usable["effect_size"].abs())
            pick = usable.loc[usable["strength"].idxmax()]
            headline = str(pick["feature"])
    name = pick["segment"] if pick is not None else shown_names[0]
    seg_rows = rows[rows["segment"] == name]
    size = int(seg_rows["customers"].iloc[0])
    share = size / customers
    facts: dict[str, Any] = {"segments": len(shown_names), "customers": customers, "hidden_segments": hidden, "segment": str(name),
                             "segment_customers": size, "segment_share": share, "headline": headline}

    def value(feature: str, v: float) -> str:
        kind = feature_kind(feature)
        if kind == "share":
            return fmt_percent(v, lang)
        # stage orders are 0-based in the table; people count stages from 1
        return fmt_number(v + 1 if kind == "stage" else v, lang, 1)

    def points(diff: float, digits: int) -> str:
        text = fmt_number(abs(diff), lang, digits)
        plural = abs(round(diff, digits)) >= 2 if lang == "fr" else text != "1"
        return f"{text} point{'s' if plural else ''}"

    clauses: list[str] = []
    said: set[str] = set()
    conv = feature_rows("converted")
    conv = conv[conv["segment"] == name]
    if not conv.empty and conv["strength"].iloc[0] >= SMALL_EFFECT:
        row = conv.iloc[0]
        diff = 100 * (row["mean"] - row["overall"])
        facts.update({"conversion": row["mean"], "conversion_overall": row["overall"], "conversion_points": round(diff)})
        more = {"fr": ("plus", "moins"), "en": ("more", "less")}[lang]
        clauses.append(say("segments_conversion", lang, stage=conversion_label or feature_label("converted", lang), points=points(diff, 0),
                           direction=more[0] if diff > 0 else more[1], mean=fmt_percent(row["mean"], lang), overall=fmt_percent(row["overall"], lang)))
        said.add("converted")
    sat = feature_rows("satisfaction")
    sat = sat[sat["segment"] == name]
    if not sat.empty:
        row = sat.iloc[0]
        diff = row["mean"] - row["overall"]
        facts.update({"satisfaction": row["mean"], "satisfaction_overall": row["overall"], "satisfaction_difference": diff, "satisfaction_n": int(row["n"])})
        numbers = {"mean": fmt_number(row["mean"], lang, 1), "overall": fmt_number(row["overall"], lang, 1), "scale": fmt_number(scale_max, lang), "n": int(row["n"])}
        if row["strength"] >= SMALL_EFFECT:
            higher = {"fr": ("plus haut", "plus bas"), "en": ("higher", "lower")}[lang]
            clauses.append(say("segments_satisfaction", lang, points=points(diff, 1), direction=higher[0] if diff > 0 else higher[1], **numbers))
        else:
            clauses.append(say("segments_satisfaction_same", lang, **numbers))
        said.add("satisfaction")
    others = seg_rows[~seg_rows["feature"].isin(said) & (seg_rows["n"] >= min_group_size)].dropna(subset=["effect_size", "mean", "overall"])
    distinctive = None
    if not others.empty:
        distinctive = others.loc[others["effect_size"].abs().idxmax()]
        facts.update({"distinctive_feature": distinctive["feature"], "distinctive_mean": distinctive["mean"], "distinctive_overall": distinctive["overall"],
                      "distinctive_effect": distinctive["effect_size"]})
    text = say("segments", lang, customers=customers, segments=len(shown_names))
    if distinctive is not None:
        words = {"feature": feature_label(str(distinctive["feature"]), lang), "mean": value(str(distinctive["feature"]), distinctive["mean"]),
                 "overall": value(str(distinctive["feature"]), distinctive["overall"])}
        if not clauses:
            clauses.append(say("segments_stands_out", lang, **words))
            tail = ""
        else:
            tail = " " + say("segments_distinctive", lang, **words)
    else:
        tail = ""
    if clauses:
        text += " " + say("segments_headline", lang, name=name, customers=size, share=fmt_percent(share, lang), clauses=say("segments_and", lang).join(clauses)) + tail
    if hidden:
        text += " " + say("segments_hidden_one" if hidden == 1 else "segments_hidden", lang, hidden=hidden, min_group_size=min_group_size)
    return Finding("segments", text, facts)


def segments_unavailable(reason: str, lang: str, **values: Any) -> Finding:
    """Why the segments section shows no segments: ``"bad_k"`` (``k``, ``max_k``), ``"too_few"``
    (``customers``, ``k``, ``min_group_size``) or ``"no_events"``; the facts carry ``error``."""
    if reason not in ("bad_k", "too_few", "no_events"):
        raise ValueError(f"reason={reason!r} is not known; use one of 'bad_k', 'too_few', 'no_events'")
    text = say(f"segments_{reason}", lang, **values)
    return Finding("segments", text, {"error": text, "reason": reason, **values})


def _conversion_row(rows: pd.DataFrame, stage: str | None) -> pd.Series:
    """The first row of the conversion stage when known and present, else of the last stage."""
    if stage is not None and (rows["stage"] == stage).any():
        return rows[rows["stage"] == stage].iloc[0]
    return rows.sort_values("stage_order").iloc[-1]


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
