"""Journey map: workshop files (YAML, CSV, errors), the map's panels and layers from data and from a
workshop, the join behind it; and charts drawn from real analysis outputs on the committed sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeyviz import charts

from test_charts import JOURNEY, audit_table, data_values, fields_on, gap_table, ipa_table, names, walk

ROOT = Path(__file__).resolve().parents[1]
STORE_VISIT = ROOT / "docs" / "examples" / "store_visit.yml"


# ---------------------------------------------------------------------- workshop files
def test_store_visit_example_reads_as_the_design_story() -> None:
    wm = charts.read_workshop_map(STORE_VISIT)
    assert wm.attrs["title"] == "Visite en magasin — Maison Lumière" and wm.attrs["language"] == "fr"
    assert wm["label"].iloc[0] == "Vitrine" and wm["label"].iloc[-1] == "E-mail de remerciement avec remise"
    assert list(wm["stage_order"]) == sorted(wm["stage_order"])
    assert set(wm["channel"]) == {"store", "social", "web", "email"}
    assert wm["emotion"].between(-2, 2).all()
    returns = wm.set_index("label").loc["Politique de retour"]
    assert returns["emotion"] == -1 and "taille" in returns["pain_points"]
    assert {"touchpoint", "label", "stage", "stage_label", "stage_order", "channel", "objective", "initiative", "emotion", "pain_points", "opportunities"} <= set(wm.columns)


def test_workshop_csv_with_semicolons_and_decimal_commas(tmp_path) -> None:
    path = tmp_path / "atelier.csv"
    path.write_text(
        "stage;touchpoint;channel;emotion;objective;pain_points;opportunities\n"
        "Avant;Publicité;social;0,5;image;;\n"
        "Avant;Site;web;-1;inform;Lent|Perdu dans le menu;Simplifier\n"
        "Achat;Caisse;store;2;purchase;;\n",
        encoding="utf-8",
    )
    wm = charts.read_workshop_map(path)
    assert list(wm["emotion"]) == [0.5, -1.0, 2.0]
    assert list(wm["stage_label"]) == ["Avant", "Avant", "Achat"] and list(wm["stage_order"]) == [0, 0, 1]
    assert wm.loc[1, "pain_points"] == "Lent · Perdu dans le menu"


@pytest.mark.parametrize(
    "touchpoint, message",
    [
        ({"label": "Vitrine", "stage": "nowhere", "channel": "store", "emotion": 1}, "stage 'nowhere'"),
        ({"label": "Vitrine", "stage": "s", "channel": "store", "emotion": 3}, "outside -2..+2"),
        ({"label": "Vitrine", "stage": "s", "channel": "store", "emotion": "bof"}, "must be a number"),
        ({"label": "Vitrine", "stage": "s", "channel": "store", "emotion": 1, "objective": "sell"}, "objective 'sell'"),
        ({"stage": "s", "channel": "store", "emotion": 1}, "'label' is missing"),
    ],
)
def test_workshop_errors_name_the_file_and_the_touchpoint(tmp_path, touchpoint, message) -> None:
    import yaml

    path = tmp_path / "map.yml"
    path.write_text(yaml.safe_dump({"stages": [{"id": "s", "label": "S"}], "touchpoints": [touchpoint]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        charts.read_workshop_map(path)
    assert str(path) in str(err.value)


def test_workshop_missing_file_and_bad_extension(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        charts.read_workshop_map(tmp_path / "none.yml")
    (tmp_path / "map.txt").write_text("x")
    with pytest.raises(ValueError, match=r"\.yml, \.yaml or \.csv"):
        charts.read_workshop_map(tmp_path / "map.txt")


# ---------------------------------------------------------------------- the map
def test_workshop_map_has_stages_lanes_emotion_curve_and_notes() -> None:
    wm = charts.read_workshop_map(STORE_VISIT)
    chart = charts.journey_map(wm)
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Visite en magasin — Maison Lumière"
    assert {"stages", "map", "touchpoint_names", "emotion_curve", "notes"} <= names(spec)
    assert {"slot"} <= fields_on(spec, "x") and {"lane", "emotion"} <= fields_on(spec, "y")
    assert "emotion" in fields_on(spec, "color") and "objective" in fields_on(spec, "shape") and "initiative" in fields_on(spec, "stroke")
    lanes = next(u["encoding"]["y"]["sort"] for u in walk(spec) if u.get("encoding", {}).get("y", {}).get("field") == "lane")
    assert lanes == ["site web", "magasin", "e-mail", "réseaux sociaux"]
    notes = [r for r in data_values(spec) if r.get("kind") == "pain_points"]
    assert len(notes) == 3 and any("taille" in r["text"] for r in notes)
    charts.to_svg(chart)


def test_data_map_sizes_by_reach_colours_by_gap_and_annotates() -> None:
    table = charts.journey_map_table(JOURNEY, audit=audit_table(), gaps=gap_table(), ipa=ipa_table().assign(touchpoint=["till", "site", "window", "delivery"]))
    emotion = pd.DataFrame({"stage": ["look", "buy", "after"], "gap": [0.2, -0.8, np.nan], "low": [0.0, -1.1, np.nan], "high": [0.4, -0.5, np.nan], "n": [150, 90, 4], "suppressed": [False, False, True]})
    chart = charts.journey_map(table, emotion=emotion)
    spec = chart.to_dict()
    assert {"stage_bands", "touchpoints", "moments_of_truth", "frictions", "emotion_curve"} <= names(spec)
    assert "reach" in fields_on(spec, "size")
    assert "gap" in fields_on(spec, "color")
    scale = next(u["encoding"]["color"]["condition"]["scale"] for u in walk(spec) if u.get("name", "").startswith("touchpoints"))
    assert scale["domainMid"] == 0 and scale["domain"] == [-1.5, 1.5]
    curve = [r for r in data_values(spec) if "gap_lo" in r]
    assert [r["name"] for r in curve] == ["Découverte", "Achat"]  # the suppressed stage is left out
    delivery = next(r for r in data_values(spec) if r.get("touchpoint") == "delivery" and "note" in r)
    assert delivery["note"] == "masqué (n < 10)"  # suppressed gap: grey, not zero
    assert any(p.get("name") == "stage_pick" for p in spec.get("params", []))
    charts.to_svg(chart)


def test_map_coloured_by_satisfaction_diverges_around_the_scale_middle() -> None:
    scores = pd.DataFrame({"touchpoint": ["site", "till"], "csat": [5.5, 3.0], "csat_low": [5.2, 2.6], "csat_high": [5.8, 3.4], "n": [100, 80], "suppressed": [False, False]})
    table = charts.journey_map_table(JOURNEY, scores=scores)
    spec = charts.journey_map(table, journey=JOURNEY, colour="csat").to_dict()
    scales = [u["encoding"]["color"].get("condition", u["encoding"]["color"]).get("scale", {}) for u in walk(spec) if u.get("encoding", {}).get("color", {}).get("field") == "csat" or u.get("encoding", {}).get("color", {}).get("condition", {}).get("field") == "csat"]
    assert scales and all(sc["domainMid"] == 4.0 for sc in scales)  # middle of the 1–7 perception scale
    curve = [r for r in data_values(spec) if "csat_low" in r and "slot" in r and "lane" not in r]
    assert [r["name"] for r in curve] == ["Visite du site", "Caisse"]


def test_catalogue_only_map_colours_by_objective_without_a_curve() -> None:
    spec = charts.journey_map(JOURNEY.catalogue()).to_dict()
    assert "emotion_curve" not in names(spec)
    assert "objective" in fields_on(spec, "color")
    pick = next(p for p in spec["params"] if p["name"] == "stage_pick")
    assert pick["select"]["fields"] == ["stage"] and pick["select"]["on"] == "click"
    marks = next(u for u in walk(spec) if u.get("name", "").startswith("touchpoints"))
    assert marks["encoding"]["opacity"]["condition"]["param"] == "stage_pick"


def test_map_takes_stage_order_from_the_journey_when_the_table_lacks_it() -> None:
    table = pd.DataFrame({"touchpoint": ["d", "s"], "label": ["Livraison", "Site"], "stage": ["after", "look"], "channel": ["mail", "web"]})
    spec = charts.journey_map(table, journey=JOURNEY).to_dict()
    rows = {r["name"]: r for r in data_values(spec) if "slot" in r and "lane" in r}
    assert rows["Site"]["slot"] < rows["Livraison"]["slot"]
    assert rows["Livraison"]["stage_label"] == "Après-vente"


def test_map_input_errors() -> None:
    with pytest.raises(ValueError, match="'channel'.*journey_map_table"):
        charts.journey_map(pd.DataFrame({"touchpoint": ["a"], "stage": ["look"]}))
    with pytest.raises(ValueError, match="colour='nps'"):
        charts.journey_map(JOURNEY.catalogue(), colour="nps")
    assert charts.journey_map(JOURNEY.catalogue().iloc[0:0]).to_dict()["description"] == "journeyviz: no data"


def test_journey_map_table_joins_without_computing() -> None:
    audit, gaps = audit_table(), gap_table()
    table = charts.journey_map_table(JOURNEY, audit=audit, gaps=gaps)
    assert list(table["touchpoint"]) == JOURNEY.catalogue()["touchpoint"].tolist()
    merged = table.set_index("touchpoint")
    assert merged.loc["till", "gap"] == gaps.set_index("touchpoint").loc["till", "gap"]
    assert merged.loc["site", "reach"] == audit.set_index("touchpoint").loc["site", "reach"]
    assert np.isnan(merged.loc["window", "gap"])
    with pytest.raises(ValueError, match="journeyviz.satisfaction_gap"):
        charts.journey_map_table(JOURNEY, gaps=gaps.drop(columns=["gap"]))


# ---------------------------------------------------------------------- real analysis outputs
def test_charts_draw_real_analysis_tables(maison_lumiere) -> None:
    import journeyviz as jv

    ds = maison_lumiere
    tables = {
        "funnel": (charts.funnel, jv.funnel(ds), {}),
        "transition_heatmap": (charts.transition_heatmap, jv.transitions(ds, level="stage"), {"journey": ds.journey}),
        "flows": (charts.flows, jv.flows(ds, level="channel", steps=3), {}),
        "top_paths": (charts.top_paths, jv.top_paths(ds, level="stage", k=5), {"journey": ds.journey}),
        "journey_types": (charts.journey_types, jv.channel_switching(ds, kind="journey_types"), {}),
        "scores": (charts.scores, jv.scores(ds), {}),
        "gap_dumbbell": (charts.gap_dumbbell, jv.satisfaction_gap(ds), {}),
        "churn_forest": (charts.churn_forest, jv.churn_by_experience(ds), {}),
    }
    for name, (fn, table, kwargs) in tables.items():
        chart = fn(table, **kwargs)
        assert chart.to_dict().get("description") != "journeyviz: no data", name
        charts.to_svg(chart)
    gap_stage = jv.satisfaction_gap(ds, level="stage")
    table = charts.journey_map_table(ds.journey, audit=jv.touchpoint_audit(ds), gaps=tables["gap_dumbbell"][1])
    charts.to_svg(charts.journey_map(table, emotion=gap_stage))
