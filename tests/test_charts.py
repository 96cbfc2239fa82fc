"""Charts: each chart's Vega-Lite spec (fields on channels, layers, titles), compiled to SVG through
vl-convert; bad input (missing column → ValueError naming the analysis, empty table → "no data")."""

from __future__ import annotations

import re
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pytest

from journeyviz import charts
from journeyviz.journey import Journey

JOURNEY = Journey.from_dict(
    {
        "name": "Boutique",
        "brand": "Nous",
        "language": "fr",
        "stages": [{"id": "look", "label": "Découverte"}, {"id": "buy", "label": "Achat", "conversion": True}, {"id": "after", "label": "Après-vente"}],
        "touchpoints": [
            {"id": "site", "label": "Visite du site", "stage": "look", "channel": "web"},
            {"id": "window", "label": "Vitrine", "stage": "look", "channel": "store", "objective": "image", "initiative": "company"},
            {"id": "till", "label": "Caisse", "stage": "buy", "channel": "store", "objective": "purchase", "moment": "during"},
            {"id": "delivery", "label": "Livraison à domicile", "stage": "after", "channel": "mail", "objective": "purchase", "initiative": "company", "moment": "after"},
        ],
    }
)


# ---------------------------------------------------------------------- spec helpers
def walk(spec: Any) -> Iterator[dict]:
    """Every unit spec (one with a mark) inside layers and concatenations."""
    if isinstance(spec, dict):
        if "mark" in spec:
            yield spec
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in spec.get(key, []):
                yield from walk(child)
        if "spec" in spec:
            yield from walk(spec["spec"])


def marks(spec: dict) -> list[str]:
    return [u["mark"]["type"] if isinstance(u["mark"], dict) else u["mark"] for u in walk(spec)]


def fields_on(spec: dict, channel: str) -> set[str]:
    out = set()
    for unit in walk(spec):
        enc = unit.get("encoding", {}).get(channel)
        if isinstance(enc, dict):
            if "field" in enc:
                out.add(enc["field"])
            if isinstance(enc.get("condition"), dict) and "field" in enc["condition"]:
                out.add(enc["condition"]["field"])
    return out


def tooltip_fields(spec: dict) -> set[str]:
    out = set()
    for unit in walk(spec):
        for t in unit.get("encoding", {}).get("tooltip", []) or []:
            if isinstance(t, dict) and "field" in t:
                out.add(t["field"])
    return out


def names(spec: Any) -> set[str]:
    """Names of the views (Altair may suffix ``_1``… to keep names unique across specs)."""
    out = set()
    if isinstance(spec, dict):
        if "name" in spec:
            out.add(re.sub(r"_\d+$", "", spec["name"]))
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in spec.get(key, []):
                out |= names(child)
    return out


def title_text(spec: dict) -> str:
    t = spec.get("title")
    return t.get("text") if isinstance(t, dict) else t


def data_values(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def compiles(chart: Any) -> str:
    svg = charts.to_svg(chart)
    assert svg.lstrip().startswith("<svg")
    return svg


# ---------------------------------------------------------------------- hand-made analysis tables
def funnel_table(suppress_last: bool = False) -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "stage": ["look", "buy", "after"],
            "label": ["Découverte", "Achat", "Après-vente"],
            "stage_order": [0, 1, 2],
            "n": [200, 200, 200],
            "previous": [200, 200, 90],
            "customers": [200, 90, 8],
            "dropoff": [0, 110, 82],
            "conversion_from_previous": [1.0, 0.45, 8 / 90],
            "conversion_from_previous_low": [0.98, 0.38, 0.04],
            "conversion_from_previous_high": [1.0, 0.52, 0.17],
            "conversion_from_first": [1.0, 0.45, 0.04],
            "conversion_from_all": [1.0, 0.45, 0.04],
            "median_hours": [0.0, 30.0, 200.0],
            "suppressed": [False, False, False],
        }
    )
    if suppress_last:
        t.loc[2, ["conversion_from_previous", "conversion_from_previous_low", "conversion_from_previous_high"]] = np.nan
        t.loc[2, "suppressed"] = True
    return t


def transitions_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from": ["(start)", "look", "look", "buy", "buy"],
            "to": ["look", "buy", "(end)", "after", "(end)"],
            "count": [200, 90, 110, 4, 86],
            "customers": [200, 90, 110, 4, 86],
            "from_count": [200, 200, 200, 90, 90],
            "probability": [1.0, 0.45, 0.55, np.nan, 86 / 90],
            "low": [0.98, 0.38, 0.48, np.nan, 0.9],
            "high": [1.0, 0.52, 0.62, np.nan, 0.98],
            "median_hours": [np.nan, 30.0, np.nan, np.nan, np.nan],
            "suppressed": [False, False, False, True, False],
        }
    )


def flows_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [1, 1, 1, 2, 2, 2],
            "source": ["web", "web", "store", "store", "store", "web"],
            "target": ["store", "(end)", "store", "(end)", "email", "(end)"],
            "customers": [60, 40, 100, 120, 40, 0],
            "source_customers": [100, 100, 100, 160, 160, 0],
            "share": [0.6, 0.4, 1.0, 0.75, 0.25, np.nan],
            "suppressed": [False, False, False, False, False, True],
        }
    )


def top_paths_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "path": ["look", "look > buy", "look > buy > look > buy"],
            "steps": [1, 2, 4],
            "customers": [110, 80, 5],
            "n": [200, 200, 200],
            "share": [0.55, 0.4, np.nan],
            "share_low": [0.48, 0.33, np.nan],
            "share_high": [0.62, 0.47, np.nan],
            "conversions": [0, 80, 5],
            "conversion_rate": [0.0, 1.0, np.nan],
            "low": [0.0, 0.95, np.nan],
            "high": [0.03, 1.0, np.nan],
            "loop": [False, False, True],
            "back_step": [False, False, True],
            "suppressed": [False, False, True],
        }
    )


def matrix_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": ["web", "store", "(none)", "web"],
            "purchase_channel": ["store", "store", "web", "web"],
            "customers": [40, 100, 12, 5],
            "purchasers": [100, 100, 20, 20],
            "share": [0.4, 1.0, 0.6, np.nan],
            "low": [0.3, 0.96, 0.39, np.nan],
            "high": [0.5, 1.0, 0.78, np.nan],
            "suppressed": [False, False, False, True],
        }
    )


def journey_types_table(by: bool = False) -> pd.DataFrame:
    types = ["online only", "research online → buy in store", "store only", "no purchase"]
    t = pd.DataFrame({"journey_type": types, "customers": [30, 50, 5, 115], "n": [200] * 4, "share": [0.15, 0.25, np.nan, 0.575], "low": [0.1, 0.2, np.nan, 0.5], "high": [0.2, 0.31, np.nan, 0.64], "suppressed": [False, False, True, False]})
    if by:
        t = pd.concat([t.assign(region="Nord"), t.assign(region="Sud")], ignore_index=True)[["region", *t.columns]]
    return t


def leakage_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "touchpoint": ["site", "window"],
            "stage": ["look", "look"],
            "channel": ["web", "store"],
            "ended": [100, 8],
            "leakers": [30, 2],
            "leak_rate": [0.3, np.nan],
            "low": [0.22, np.nan],
            "high": [0.4, np.nan],
            "share_of_leakers": [0.9, 0.1],
            "top_competitor": ["Rival", "Rival"],
            "suppressed": [False, True],
        }
    )


def attribution_table() -> pd.DataFrame:
    rows = []
    for model in ("first", "last", "markov"):
        for ch, share in (("web", 0.6), ("store", 0.35), ("(direct)", 0.05)):
            rows.append({"model": model, "channel": ch, "customers": 50, "conversions": share * 90, "share": share, "removal_effect": 0.5 if model == "markov" else np.nan, "suppressed": False})
    return pd.DataFrame(rows)


def audit_table() -> pd.DataFrame:
    cat = JOURNEY.catalogue()
    t = cat[["touchpoint", "label", "stage", "channel", "objective", "initiative", "moment"]].copy()
    t["n"] = 200
    t["reach"] = [150, 60, 90, 5]
    t["reach_share"] = [0.75, 0.3, 0.45, np.nan]
    t["reach_low"] = [0.7, 0.25, 0.4, np.nan]
    t["reach_high"] = [0.8, 0.36, 0.5, np.nan]
    t["contacts_per_customer"] = [1.4, 1.0, 1.0, np.nan]
    t["lift"] = [0.1, -0.05, 0.5, np.nan]
    t["lift_low"] = [0.0, -0.15, 0.4, np.nan]
    t["lift_high"] = [0.2, 0.05, 0.6, np.nan]
    t["dropoff"] = [0.3, 0.1, 0.05, np.nan]
    t["dropoff_low"] = [0.25, 0.05, 0.02, np.nan]
    t["dropoff_high"] = [0.36, 0.2, 0.1, np.nan]
    t["friction"] = [True, False, False, False]
    t["intrusive"] = [False, True, False, False]
    t["suppressed"] = [False, False, False, True]
    return t


def scores_table(by: bool = False) -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "touchpoint": ["site", "till", "delivery"],
            "label": ["Visite du site", "Caisse", "Livraison à domicile"],
            "stage": ["look", "buy", "after"],
            "n": [120, 80, 6],
            "csat": [5.1, 5.8, np.nan],
            "csat_low": [4.9, 5.6, np.nan],
            "csat_high": [5.3, 6.0, np.nan],
            "top2": [0.3, 0.5, np.nan],
            "nps_n": [120, 80, 6],
            "nps": [5.0, 20.0, np.nan],
            "nps_low": [-8.0, 6.0, np.nan],
            "nps_high": [18.0, 34.0, np.nan],
            "suppressed": [False, False, True],
        }
    )
    if by:
        t = pd.concat([t.assign(region="Nord"), t.assign(region="Sud")], ignore_index=True)[["region", *t.columns]]
    return t


def nps_table() -> pd.DataFrame:
    return pd.DataFrame({"age_band": ["18-24", "25-44", "65+"], "journey": ["Boutique"] * 3, "n": [80, 300, 7], "nps_n": [80, 300, 7], "nps": [-12.0, 8.0, np.nan], "nps_low": [-30.0, 0.0, np.nan], "nps_high": [6.0, 16.0, np.nan], "suppressed": [False, False, True]})


def gap_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "touchpoint": ["site", "till", "delivery"],
            "label": ["Visite du site", "Caisse", "Livraison à domicile"],
            "stage": ["look", "buy", "after"],
            "n": [120, 80, 6],
            "expectation": [5.0, 5.5, np.nan],
            "perception": [5.2, 4.0, np.nan],
            "gap": [0.2, -1.5, np.nan],
            "low": [0.0, -1.8, np.nan],
            "high": [0.4, -1.2, np.nan],
            "p_value": [0.06, 1e-9, np.nan],
            "p_adjusted": [0.06, 2e-9, np.nan],
            "significant": [False, True, False],
            "importance": [4.0, 6.0, np.nan],
            "importance_n": [100, 70, 0],
            "importance_weighted_gap": [0.11, -1.29, np.nan],
            "suppressed": [False, False, True],
        }
    )


def ipa_table(rows: int = 4) -> pd.DataFrame:
    quads = ["concentrate_here", "keep_up_the_good_work", "low_priority", "possible_overkill"]
    t = pd.DataFrame(
        {
            "touchpoint": [f"tp{i}" for i in range(rows)],
            "label": [f"Point {i}" for i in range(rows)],
            "stage": ["look"] * rows,
            "n": [100] * rows,
            "performance": np.linspace(4.0, 6.0, rows),
            "performance_low": np.linspace(3.8, 5.8, rows),
            "performance_high": np.linspace(4.2, 6.2, rows),
            "importance": np.linspace(0.4, 0.1, rows),
            "importance_low": np.linspace(0.3, 0.05, rows),
            "importance_high": np.linspace(0.5, 0.15, rows),
            "importance_source": ["derived"] * rows,
            "importance_threshold": [0.25] * rows,
            "performance_threshold": [5.0] * rows,
            "quadrant": [quads[i % 4] for i in range(rows)],
            "quadrant_label": [None] * rows,
            "gap": [-1.5] + [0.1] * (rows - 1),
            "gap_p_adjusted": [0.001] + [0.5] * (rows - 1),
            "moment_of_truth": [True] + [False] * (rows - 1),
            "suppressed": [False] * rows,
        }
    )
    return t


def brands_table() -> pd.DataFrame:
    rows = []
    for comp in ("Rival", "Autre"):
        for tp, label, diff, status in (("site", "Visite du site", 0.4, "lead"), ("till", "Caisse", -0.8, "lag")):
            rows.append({"competitor": comp, "metric": "perception", "touchpoint": tp, "label": label, "stage": "look", "n_ours": 100, "ours": 5.0, "n_theirs": 80, "theirs": 5.0 - diff, "difference": diff, "low": diff - 0.2, "high": diff + 0.2, "p_value": 0.01, "p_adjusted": 0.02, "status": status, "suppressed": False})
        rows.append({"competitor": comp, "metric": "perception", "touchpoint": "delivery", "label": "Livraison à domicile", "stage": "after", "n_ours": 100, "ours": np.nan, "n_theirs": 4, "theirs": np.nan, "difference": np.nan, "low": np.nan, "high": np.nan, "p_value": np.nan, "p_adjusted": np.nan, "status": None, "suppressed": True})
        rows.append({"competitor": comp, "metric": "nps", "touchpoint": None, "label": None, "stage": None, "n_ours": 300, "ours": 10.0, "n_theirs": 200, "theirs": 2.0, "difference": 8.0, "low": 1.0, "high": 15.0, "p_value": 0.03, "p_adjusted": 0.04, "status": "lead", "suppressed": False})
    return pd.DataFrame(rows)


def churn_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "definition": ["nps", "gap", "gap"],
            "touchpoint": [None, "delivery", "site"],
            "label": [None, "Livraison à domicile", "Visite du site"],
            "stage": [None, "after", "look"],
            "n_bad": [200, 60, 5],
            "churn_bad": [0.45, 0.4, np.nan],
            "n_good": [180, 120, 200],
            "churn_good": [0.1, 0.2, np.nan],
            "difference": [0.35, 0.2, np.nan],
            "relative_risk": [4.5, 2.0, np.nan],
            "rr_low": [3.0, 1.3, np.nan],
            "rr_high": [6.7, 3.1, np.nan],
            "p_value": [1e-9, 0.004, np.nan],
            "p_adjusted": [3e-9, 0.006, np.nan],
            "suppressed": [False, False, True],
        }
    )


def segments_table() -> pd.DataFrame:
    return pd.DataFrame({"segment": ["A", "A", "B", "B"], "feature": ["âge", "part web", "âge", "part web"], "effect_size": [-0.9, 0.7, 0.8, np.nan], "value": [28.0, 0.7, 52.0, np.nan], "n": [300, 300, 9, 9], "suppressed": [False, False, False, True]})


# Each chart: (function, table factory, kwargs, fields that must be encoded somewhere, the analysis named in errors)
CASES = {
    "funnel": (charts.funnel, funnel_table, {}, {"x": {"customers", "previous"}, "y": {"label"}}, "journeyviz.funnel"),
    "flows": (charts.flows, flows_table, {}, {"x": {"x"}, "y": {"y"}}, "journeyviz.flows"),
    "transition_heatmap": (charts.transition_heatmap, transitions_table, {"journey": JOURNEY}, {"x": {"to_label"}, "y": {"from_label"}, "color": {"probability"}}, "journeyviz.transitions"),
    "top_paths": (charts.top_paths, top_paths_table, {"journey": JOURNEY}, {"x": {"share", "conversion_rate"}, "y": {"path_label"}}, "journeyviz.top_paths"),
    "channel_switching": (charts.channel_switching, matrix_table, {}, {"x": {"purchase_label"}, "y": {"before_label"}, "color": {"share"}}, "journeyviz.channel_switching"),
    "journey_types": (charts.journey_types, journey_types_table, {}, {"x": {"share"}, "y": {"type_label"}}, "journeyviz.channel_switching"),
    "leakage": (charts.leakage, leakage_table, {"journey": JOURNEY}, {"x": {"leak_rate"}, "y": {"tp_label"}, "color": {"channel"}}, "journeyviz.channel_switching"),
    "attribution": (charts.attribution, attribution_table, {}, {"x": {"share"}, "y": {"item_label"}, "color": {"model_label"}, "yOffset": {"model_label"}}, "journeyviz.attribution"),
    "touchpoint_scorecard": (charts.touchpoint_scorecard, audit_table, {}, {"x": {"reach_share", "lift", "dropoff", "contacts_per_customer"}, "y": {"label"}}, "journeyviz.touchpoint_audit"),
    "scores": (charts.scores, scores_table, {}, {"x": {"csat", "csat_low"}, "y": {"label"}}, "journeyviz.scores"),
    "nps_bars": (charts.nps_bars, nps_table, {"by": "age_band"}, {"x": {"nps", "nps_low"}, "y": {"age_band"}}, "journeyviz.scores"),
    "gap_dumbbell": (charts.gap_dumbbell, gap_table, {}, {"x": {"expectation", "perception", "gap", "low"}, "y": {"label"}, "color": {"gap"}}, "journeyviz.satisfaction_gap"),
    "importance_performance": (charts.importance_performance, ipa_table, {}, {"x": {"performance", "performance_threshold"}, "y": {"importance", "importance_threshold"}, "color": {"quadrant"}}, "journeyviz.importance_performance"),
    "brand_comparison": (charts.brand_comparison, brands_table, {"brand": "Nous"}, {"x": {"value", "difference", "low"}, "y": {"label"}, "color": {"brand", "status_name"}}, "journeyviz.compare_brands"),
    "churn_forest": (charts.churn_forest, churn_table, {}, {"x": {"relative_risk", "rr_low", "one"}, "y": {"row"}}, "journeyviz.churn_by_experience"),
    "segment_profile_heatmap": (charts.segment_profile_heatmap, segments_table, {}, {"x": {"segment"}, "y": {"feature"}, "color": {"effect_size"}}, "journeyviz.segment_profiles"),
    "journey_map": (charts.journey_map, lambda: charts.journey_map_table(JOURNEY, audit=audit_table(), gaps=gap_table()), {}, {"x": {"slot"}, "y": {"lane", "gap"}, "color": {"gap"}, "shape": {"objective"}, "stroke": {"initiative"}, "size": {"reach"}}, "journey_map_table"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_encodes_the_documented_fields_and_compiles_to_svg(name: str) -> None:
    fn, make, kwargs, expected, _ = CASES[name]
    chart = fn(make(), **kwargs)
    spec = chart.to_dict()
    for channel, wanted in expected.items():
        assert wanted <= fields_on(spec, channel), f"{name}: {channel} encodes {fields_on(spec, channel)}, expected {wanted}"
    assert title_text(spec), f"{name} has no title"
    compiles(chart)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_chart_has_tooltips_with_a_sample_size(name: str) -> None:
    fn, make, kwargs, _, _ = CASES[name]
    tips = tooltip_fields(fn(make(), **kwargs).to_dict())
    sizes = {"n", "customers", "reach", "nps_n", "n_bad", "n_good", "n_ours", "n_theirs", "size", "source_customers", "gap_n", "ended", "purchasers"}
    assert tips & sizes, f"{name}: tooltips {sorted(tips)} name no sample size"


@pytest.mark.parametrize("name", sorted(n for n in CASES if n not in ("journey_map",)))
def test_missing_column_names_the_column_and_the_analysis(name: str) -> None:
    fn, make, kwargs, _, analysis = CASES[name]
    table = make()
    wanted = {"funnel": "customers", "flows": "source", "transition_heatmap": "probability", "top_paths": "path", "channel_switching": "purchasers", "journey_types": "journey_type", "leakage": "leak_rate", "attribution": "model", "touchpoint_scorecard": "reach", "scores": "csat", "nps_bars": "nps", "gap_dumbbell": "perception", "importance_performance": "quadrant", "brand_comparison": "difference", "churn_forest": "relative_risk", "segment_profile_heatmap": "segment"}[name]
    with pytest.raises(ValueError) as err:
        fn(table.drop(columns=[wanted]), **kwargs)
    assert analysis in str(err.value)
    if name not in ("channel_switching", "journey_types", "segment_profile_heatmap"):
        assert repr(wanted) in str(err.value)


@pytest.mark.parametrize("name", sorted(CASES))
def test_empty_table_gives_an_explicit_no_data_chart(name: str) -> None:
    fn, make, kwargs, _, _ = CASES[name]
    chart = fn(make().iloc[0:0], **kwargs)
    spec = chart.to_dict()
    assert spec["description"] == "journeyviz: no data"
    import altair as alt

    alt.hconcat(chart, chart).to_dict()  # a "no data" chart still composes
    assert "Pas de données" in str(data_values(spec)) or "No data" in str(data_values(spec))
    compiles(chart)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_chart_composes_with_others(name: str) -> None:
    import altair as alt

    fn, make, kwargs, _, _ = CASES[name]
    chart = fn(make(), **kwargs)
    alt.vconcat(chart, charts.funnel(funnel_table())).to_dict()  # no top-level-only property inside


def test_not_a_dataframe_is_refused_with_the_analysis_to_call() -> None:
    with pytest.raises(ValueError, match="journeyviz.funnel"):
        charts.funnel([{"stage": "look"}])


# ---------------------------------------------------------------------- suppressed cells
def test_suppressed_funnel_rate_is_labelled_not_drawn_as_zero() -> None:
    spec = charts.funnel(funnel_table(suppress_last=True), min_group_size=10).to_dict()
    rows = data_values(spec)
    last = [r for r in rows if r["stage"] == "after"][0]
    assert last["conversion_from_previous"] is None
    assert last["note"] == "masqué (n < 10)"
    texts = [u for u in walk(spec) if (u["mark"]["type"] if isinstance(u["mark"], dict) else u["mark"]) == "text"]
    assert any("datum.note" in str(u.get("transform", "")) for u in texts)


def test_suppressed_heatmap_cells_are_grey_with_a_dash() -> None:
    spec = charts.transition_heatmap(transitions_table(), lang="en").to_dict()
    rows = data_values(spec)
    cell = [r for r in rows if r["from"] == "buy" and r["to"] == "after"][0]
    assert cell["cell_text"] == "–" and cell["note"] == "suppressed (n < 10)"
    rect = [u for u in walk(spec) if u.get("name") == "cells" or (isinstance(u["mark"], dict) and u["mark"]["type"] == "rect")][0]
    assert "suppressed" in str(rect["encoding"]["color"]["condition"]["test"])


@pytest.mark.parametrize("name", ["scores", "gap_dumbbell", "churn_forest", "top_paths", "leakage", "segment_profile_heatmap", "nps_bars"])
def test_suppressed_rows_carry_the_note(name: str) -> None:
    fn, make, kwargs, _, _ = CASES[name]
    rows = data_values(fn(make(), min_group_size=10, lang="fr", **kwargs).to_dict())
    assert any(r.get("note") == "masqué (n < 10)" for r in rows)
    assert all(r.get("note") in ("", "masqué (n < 10)") for r in rows if "note" in r)


def test_brand_comparison_leaves_out_cells_no_competitor_respondent_rated() -> None:
    table = brands_table()
    table.loc[table["touchpoint"] == "delivery", "n_theirs"] = 0
    spec = charts.brand_comparison(table).to_dict()
    assert "Livraison à domicile" not in {r.get("label") for r in data_values(spec)}
    assert "non affichée" in spec["title"]["subtitle"]


# ---------------------------------------------------------------------- chart-specific behaviour
def test_funnel_keeps_stage_order_and_puts_groups_side_by_side() -> None:
    table = pd.concat([funnel_table().assign(region="Nord"), funnel_table().assign(region="Sud")], ignore_index=True)
    spec = charts.funnel(table.iloc[::-1], by="region").to_dict()
    ys = [u["encoding"]["y"] for u in walk(spec) if "y" in u.get("encoding", {})]
    assert all(y["sort"] == ["Découverte", "Achat", "Après-vente"] for y in ys)
    assert "region" in fields_on(spec, "yOffset") and "region" in fields_on(spec, "color")


def test_flows_draws_links_between_stacked_nodes_and_skips_empty_moves() -> None:
    spec = charts.flows(flows_table(), lang="en").to_dict()
    assert {"links", "nodes", "node_labels"} <= names(spec)
    link_rows = [r for r in data_values(spec) if "link" in r]
    assert {r["link"] for r in link_rows} == set(range(5))  # the 0-customer move is not drawn
    thickness = {(r["source"], r["target"], r["step"]): r["y2"] - r["y"] for r in link_rows}
    assert thickness[("web", "store", 1)] == pytest.approx(60)
    node_rows = [r for r in data_values(spec) if "column" in r]
    ends = [r for r in node_rows if r["item"] == "(end)"]
    assert {r["label"] for r in ends} == {"(end)"} and {r["column"] for r in ends} == {2, 3}


def test_transition_heatmap_puts_start_first_and_end_last() -> None:
    spec = charts.transition_heatmap(transitions_table(), journey=JOURNEY, lang="fr").to_dict()
    unit = next(u for u in walk(spec) if "y" in u.get("encoding", {}))
    assert unit["encoding"]["y"]["sort"][0] == "(début)"
    assert unit["encoding"]["x"]["sort"][-1] == "(fin)"
    assert unit["encoding"]["y"]["sort"][1:3] == ["Découverte", "Achat"]


def test_top_paths_translate_ids_and_flag_loops() -> None:
    rows = data_values(charts.top_paths(top_paths_table(), journey=JOURNEY, lang="en").to_dict())
    labels = {r["path_label"] for r in rows}
    assert "2. Découverte › Achat" in labels
    assert any(r["flags"] == "loop, back-step" for r in rows)


def test_channel_switching_dispatches_on_the_table_kind() -> None:
    assert "type_label" in fields_on(charts.channel_switching(journey_types_table()).to_dict(), "y")
    assert "tp_label" in fields_on(charts.channel_switching(leakage_table()).to_dict(), "y")
    assert "before_label" in fields_on(charts.channel_switching(matrix_table()).to_dict(), "y")


def test_journey_types_in_french_and_by_group() -> None:
    spec = charts.journey_types(journey_types_table(by=True), by="region", lang="fr").to_dict()
    assert "recherche en ligne → achat en magasin" in {r["type_label"] for r in data_values(spec)}
    assert "region" in fields_on(spec, "yOffset")


def test_attribution_orders_items_by_markov_share_and_models_in_canonical_order() -> None:
    spec = charts.attribution(attribution_table(), lang="en").to_dict()
    unit = next(u for u in walk(spec) if "yOffset" in u.get("encoding", {}))
    assert unit["encoding"]["y"]["sort"][:2] == ["website", "store"]
    assert unit["encoding"]["yOffset"]["sort"] == ["first touch", "last touch", "Markov (removal effect)"]


def test_scorecard_has_one_panel_per_figure_and_flags() -> None:
    spec = charts.touchpoint_scorecard(audit_table(), lang="en").to_dict()
    assert {"panel_reach_share", "panel_contacts_per_customer", "panel_lift", "panel_dropoff", "panel_flags"} <= names(spec)
    assert {"friction", "intrusive"} <= {r["flags"] for r in data_values(spec)}


def test_ipa_draws_thresholds_quadrant_names_and_moments_of_truth() -> None:
    spec = charts.importance_performance(ipa_table(), lang="en").to_dict()
    assert {"thresholds", "quadrant_names", "points", "labels", "intervals"} <= names(spec)
    texts = {r.get("name") for r in data_values(spec)}
    assert {"Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"} <= texts
    assert {r["label"] for r in data_values(spec) if r.get("mot")} == {"Point 0"}


def test_ipa_numbers_points_and_adds_a_key_when_crowded() -> None:
    spec = charts.importance_performance(ipa_table(rows=20), lang="fr").to_dict()
    assert "key" in names(spec)
    assert "number_text" in fields_on(spec, "text")
    few = charts.importance_performance(ipa_table(rows=4)).to_dict()
    assert "key" not in names(few) and "label" in fields_on(few, "text")


def test_gap_dumbbell_has_both_panels_and_a_diverging_scale_centred_on_zero() -> None:
    spec = charts.gap_dumbbell(gap_table()).to_dict()
    assert {"dumbbell", "gap"} <= names(spec)
    scales = [u["encoding"]["color"]["scale"] for u in walk(spec) if u.get("encoding", {}).get("color", {}).get("field") == "gap"]
    assert scales and all(s["domainMid"] == 0 for s in scales)


def test_brand_comparison_colours_our_brand_first_and_checks_the_metric() -> None:
    spec = charts.brand_comparison(brands_table(), brand="Nous").to_dict()
    brand_scale = next(u["encoding"]["color"]["scale"] for u in walk(spec) if u.get("encoding", {}).get("color", {}).get("field") == "brand")
    assert brand_scale["domain"] == ["Nous", "Rival", "Autre"]
    assert brand_scale["range"][0] == charts.palette.BLUE
    nps = charts.brand_comparison(brands_table(), metric="nps").to_dict()
    assert {r.get("label") for r in data_values(nps) if "difference" in r} == {"Rival", "Autre"}
    with pytest.raises(ValueError, match="metric='satisfaction'"):
        charts.brand_comparison(brands_table(), metric="satisfaction")


def test_churn_forest_uses_a_log_scale_with_a_rule_at_one() -> None:
    spec = charts.churn_forest(churn_table(), lang="en").to_dict()
    scales = [u["encoding"]["x"].get("scale", {}) for u in walk(spec) if "x" in u.get("encoding", {}) and "field" in u["encoding"]["x"]]
    assert any(s.get("type") == "log" for s in scales)
    assert {"no_effect", "intervals", "estimates"} <= names(spec)
    rows = [r["row"] for r in data_values(spec) if "row" in r]
    assert rows[0] == "Detractors vs promoters (NPS)" and "Expectation missed: Livraison à domicile" in rows


def test_language_switch_changes_number_locale_and_wording() -> None:
    charts.set_language("en")
    try:
        svg_en = charts.to_svg(charts.funnel(funnel_table()))
        assert "Customers" in svg_en and "1,000" not in svg_en
    finally:
        charts.set_language("fr")
    svg_fr = charts.to_svg(charts.funnel(funnel_table()))
    assert "Clients" in svg_fr
    with pytest.raises(ValueError, match="lang='de'"):
        charts.set_language("de")


def test_french_thousands_separator_in_svg() -> None:
    table = funnel_table()
    table[["n", "previous", "customers", "dropoff"]] = table[["n", "previous", "customers", "dropoff"]] * 10
    svg = charts.to_svg(charts.funnel(table, lang="fr"))
    assert "2\u00a0000" in svg


def test_charts_stay_under_altairs_row_limit() -> None:
    import altair as alt

    limit = alt.data_transformers.options.get("max_rows", 5000)
    for name, (fn, make, kwargs, _, _) in CASES.items():
        for rows in fn(make(), **kwargs).to_dict().get("datasets", {}).values():
            assert len(rows) < limit, name


def test_flows_with_many_links_stay_under_the_row_limit() -> None:
    items = [f"tp{i}" for i in range(25)]
    rows = [{"step": step, "source": a, "target": b, "customers": 10, "source_customers": 250, "share": 0.04, "suppressed": False} for step in (1, 2, 3) for a in items for b in items[:10]]
    chart = charts.flows(pd.DataFrame(rows))
    links = [r for r in data_values(chart.to_dict()) if "link" in r]
    assert len({r["link"] for r in links}) == len(rows) and len(links) < 5000


# ---------------------------------------------------------------------- segment profile heatmap
def _profiles_table() -> pd.DataFrame:
    """The columns of jv.segment_profiles: two segments × three features, one thinly surveyed."""
    return pd.DataFrame(
        {
            "segment": ["Web-first, converted"] * 3 + ["Store-first, browsers"] * 3,
            "customers": [400] * 3 + [250] * 3,
            "share": [0.6] * 3 + [0.4] * 3,
            "feature": ["share_store", "frequency", "satisfaction"] * 2,
            "n": [400, 400, 120, 250, 250, 7],
            "mean": [0.1, 9.0, 5.2, 0.8, 3.0, 4.1],
            "overall": [0.38, 6.6, 5.1, 0.38, 6.6, 5.1],
            "effect_size": [-1.2, 1.1, 0.1, 1.3, -1.0, -0.6],
            "suppressed": [False] * 6,
        }
    )


def test_segment_heatmap_names_features_with_the_shared_vocabulary() -> None:
    from journeyviz import vocabulary

    for lang, store in (("fr", "Part des contacts : magasin"), ("en", "Share of contacts: store")):
        rows = data_values(charts.segment_profile_heatmap(_profiles_table(), lang=lang).to_dict())
        shown = {r["feature"] for r in rows}
        assert shown == {vocabulary.feature_label(f, lang) for f in ("share_store", "frequency", "satisfaction")}
        assert store in shown


def test_segment_heatmap_greys_a_mean_over_fewer_than_min_group_size_people() -> None:
    rows = data_values(charts.segment_profile_heatmap(_profiles_table(), lang="en", min_group_size=10).to_dict())
    thin = [r for r in rows if r["segment"] == "Store-first, browsers" and r["feature"] == "Satisfaction"][0]
    assert thin["note"] == "suppressed (n < 10)" and thin["cell_text"] == "–"
    assert all(r["note"] == "" for r in rows if r is not thin)


def test_segment_heatmap_tooltips_tell_segment_size_from_n() -> None:
    spec = charts.segment_profile_heatmap(_profiles_table(), lang="en").to_dict()
    titles = {t["field"]: t["title"] for u in walk(spec) for t in (u.get("encoding", {}).get("tooltip") or []) if isinstance(t, dict)}
    assert titles["customers"] == "Customers in the segment" and titles["n"] == "Customers with a value (n)"


def test_segment_heatmap_caps_the_colour_scale_so_one_extreme_cell_does_not_wash_out_the_rest() -> None:
    table = _profiles_table()
    table.loc[0, "effect_size"] = 19.8  # a share near 0 among the others gives huge d
    spec = charts.segment_profile_heatmap(table, lang="en").to_dict()
    rect = [u for u in walk(spec) if u.get("name") == "cells"][0]
    scale = rect["encoding"]["color"]["condition"]["scale"] if "condition" in rect["encoding"]["color"] and "scale" in rect["encoding"]["color"]["condition"] else rect["encoding"]["color"]["scale"]
    assert scale["domain"] == [-3.0, 3.0] and scale["clamp"] is True
    assert any(r["cell_text"] == "+19.8" for r in data_values(spec))  # the number itself is shown as is
