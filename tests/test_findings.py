"""Key findings: the right row of each table is worded, with its numbers, in French or English."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from journeyviz import findings as fnd


def test_numbers_follow_the_language():
    assert fnd.fmt_number(12345.678, "fr", 1) == "12\u202f345,7"
    assert fnd.fmt_number(12345.678, "en", 1) == "12,345.7"
    assert fnd.fmt_percent(0.425, "fr") == "42\u00a0%"
    assert fnd.fmt_percent(0.425, "en", 1) == "42.5%"
    assert fnd.fmt_number(float("nan"), "en") == "–"
    assert fnd.fmt_date("2025-03-09", "fr") == "09/03/2025"
    with pytest.raises(ValueError, match="'de'"):
        fnd.fmt_number(1, "de")


def _funnel():
    return pd.DataFrame(
        {
            "stage": ["look", "buy", "after"],
            "label": ["Look", "Buy", "After"],
            "stage_order": [0, 1, 2],
            "n": [200, 200, 200],
            "previous": [200, 180, 60],
            "customers": [180, 60, 50],
            "dropoff": [20, 120, 10],
            "conversion_from_all": [0.9, 0.3, 0.25],
            "dropoff_rate": [0.1, 120 / 180, 10 / 60],
            "suppressed": [False, False, False],
        }
    )


def test_funnel_finding_names_conversion_and_worst_dropoff():
    f = fnd.funnel_finding(_funnel(), "en", conversion_stage="buy")
    assert f.facts["stage"] == "buy" and f.facts["customers"] == 60 and f.facts["n"] == 200
    assert f.facts["worst_stage"] == "buy" and f.facts["worst_previous"] == 180
    assert "Of 200 customers, 60 (30.0%)" in f.text and "“Buy”" in f.text and "67%" in f.text
    fr = fnd.funnel_finding(_funnel(), "fr", conversion_stage="buy")
    assert "Sur 200 clients, 60 (30,0\u00a0%)" in fr.text


def test_funnel_finding_with_suppressed_rows_says_so():
    table = _funnel().assign(suppressed=True)
    f = fnd.funnel_finding(table, "fr", min_group_size=25)
    assert "25" in f.text and f.facts["suppressed"]


def test_gap_finding_picks_most_negative_gap():
    table = pd.DataFrame(
        {
            "touchpoint": ["a", "b", "c"],
            "label": ["A", "Delivery", "C"],
            "n": [50, 40, 30],
            "expectation": [5.0, 6.0, 4.0],
            "perception": [5.5, 4.5, 3.8],
            "gap": [0.5, -1.5, -0.2],
            "low": [0.1, -1.9, -0.6],
            "high": [0.9, -1.1, 0.2],
            "p_adjusted": [0.01, 0.0001, 0.4],
            "significant": [True, True, False],
        }
    )
    f = fnd.gap_finding(table, "en")
    assert f.facts["touchpoint"] == "b" and f.facts["n"] == 40 and f.facts["significant"]
    assert "“Delivery”: -1.5 points" in f.text and "n = 40" in f.text
    none = fnd.gap_finding(table.assign(gap=[0.1, 0.2, np.nan]), "fr")
    assert none.facts["gap"] is None and "attentes" in none.text


def test_brands_finding_prefers_a_significant_lag():
    table = pd.DataFrame(
        {
            "competitor": ["Rival", "Rival", "Other"],
            "metric": ["perception", "perception", "perception"],
            "touchpoint": ["advice", "site", "site"],
            "label": ["Advice", "Site", "Site"],
            "n_ours": [100, 100, 100],
            "n_theirs": [40, 40, 30],
            "ours": [4.2, 5.5, 5.5],
            "theirs": [5.0, 5.0, 5.4],
            "difference": [-0.8, 0.5, 0.1],
            "low": [-1.2, 0.1, -0.3],
            "high": [-0.4, 0.9, 0.5],
            "p_adjusted": [0.001, 0.02, 0.6],
            "status": ["lag", "lead", "par"],
            "suppressed": [False, False, False],
        }
    )
    f = fnd.brands_finding(table, "en")
    assert f.facts["status"] == "lag" and f.facts["competitor"] == "Rival" and f.facts["touchpoint"] == "advice"
    assert "Rival does better than us at “Advice”" in f.text
    lead = fnd.brands_finding(table[table["status"] != "lag"], "fr")
    assert lead.facts["status"] == "lead" and "Nous devançons Rival" in lead.text


def test_record_outputs_plain_json(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    fnd.record({"gap": fnd.Finding("gap", "text", {"gap": np.float64(-1.5), "n": np.int64(3), "missing": float("nan"), "when": pd.Timestamp("2025-01-01")})})
    payload, raw = shown[0]
    assert raw
    value = payload[fnd.FINDINGS_MIMETYPE]["gap"]
    assert value == {"text": "text", "gap": -1.5, "n": 3, "missing": None, "when": "2025-01-01T00:00:00"}
    assert type(value["n"]) is int and not any(isinstance(v, float) and math.isnan(v) for v in value.values() if v is not None)


# ---------------------------------------------------------------------- discovered segments
@pytest.fixture(scope="module")
def segment_profiles_ml():
    """segment_profiles of four k-means segments of the French sample (the notebook's default)."""
    import journeyviz as jv
    from journeyviz.reports import ensure_samples

    ds = jv.load(ensure_samples()["maison_lumiere"])
    return jv.segment_profiles(jv.segment(ds, method="kmeans", k=4, seed=0))


def _row(table, segment, feature):
    return table[(table["segment"] == segment) & (table["feature"] == feature)].iloc[0]


def test_segments_finding_words_the_numbers_of_its_profile_table(segment_profiles_ml):
    table = segment_profiles_ml
    f = fnd.segments_finding(table, "fr", k=4, conversion_label="Achat", scale_max=7, min_group_size=10)
    # the headline is the segment furthest from the others on conversion, recomputed here from the table
    conv = table[(table["feature"] == "converted") & ~table["suppressed"]].dropna(subset=["effect_size"])
    top = conv.loc[conv["effect_size"].abs().idxmax()]
    assert f.facts["segment"] == top["segment"] and f.facts["headline"] == "converted"
    everyone = int(table.loc[table["feature"] == "frequency", "customers"].sum())
    assert f.facts["customers"] == everyone == 5000 and f.facts["segments"] == table["segment"].nunique()
    points = round(100 * (top["mean"] - top["overall"]))
    share = top["customers"] / everyone
    text = f.text
    assert f"« {top['segment']} » ({fnd.fmt_number(int(top['customers']), 'fr')} clients, {fnd.fmt_percent(share, 'fr')})" in text
    assert f"{abs(points)} points {'plus' if points > 0 else 'moins'} souvent" in text
    assert f"({fnd.fmt_percent(top['mean'], 'fr')} contre {fnd.fmt_percent(top['overall'], 'fr')})" in text
    sat = _row(table, top["segment"], "satisfaction")
    assert f"({fnd.fmt_number(sat['mean'], 'fr', 1)} contre {fnd.fmt_number(sat['overall'], 'fr', 1)} sur 7 ; n = {int(sat['n'])} répondants)" in text
    assert f.facts["satisfaction_n"] == int(sat["n"]) and f.facts["conversion_points"] == points
    # the most distinctive other feature, named as the heatmap names it
    from journeyviz.vocabulary import feature_label

    rest = table[(table["segment"] == top["segment"]) & ~table["feature"].isin(["converted", "satisfaction"])].dropna(subset=["effect_size"])
    assert f"« {feature_label(rest.loc[rest['effect_size'].abs().idxmax(), 'feature'], 'fr')} »" in text


def test_segments_finding_follows_its_table_when_the_table_changes(segment_profiles_ml):
    table = segment_profiles_ml.copy()
    before = fnd.segments_finding(table, "en", conversion_label="Purchase")
    name = before.facts["segment"]
    at = (table["segment"] == name) & (table["feature"] == "converted")
    table.loc[at, "mean"] = table.loc[at, "overall"] + 0.25  # 25 points above average now
    after = fnd.segments_finding(table, "en", conversion_label="Purchase")
    assert after.facts["segment"] == name and after.facts["conversion_points"] == 25
    assert "25 points more often than average" in after.text


def _profiles(segments):
    """A hand-made segment_profiles table: {name: (customers, {feature: (n, mean, overall, d)})}."""
    rows = []
    for name, (customers, feats) in segments.items():
        for feat, (n, mean, overall, d) in feats.items():
            rows.append({"segment": name, "customers": customers, "feature": feat, "n": n, "mean": mean, "overall": overall, "effect_size": d, "suppressed": customers < 10})
    return pd.DataFrame(rows)


def test_segments_finding_falls_back_to_satisfaction_and_counts_hidden_segments():
    table = _profiles({
        "Web-only": (300, {"frequency": (300, 2.0, 5.0, -1.0), "converted": (300, 1.0, 1.0, np.nan), "satisfaction": (40, 5.5, 5.0, 0.3)}),
        "Phone": (120, {"frequency": (120, 8.0, 5.0, 1.1), "converted": (120, 1.0, 1.0, np.nan), "satisfaction": (60, 4.0, 5.0, -0.9)}),
        "Tiny": (6, {"frequency": (6, 3.0, 5.0, np.nan), "converted": (6, np.nan, 1.0, np.nan), "satisfaction": (2, np.nan, 5.0, np.nan)}),
        "(no events)": (50, {"frequency": (0, np.nan, 5.0, np.nan), "converted": (0, np.nan, 1.0, np.nan), "satisfaction": (0, np.nan, 5.0, np.nan)}),
    })
    f = fnd.segments_finding(table, "en", scale_max=7)
    assert f.facts["segment"] == "Phone" and f.facts["headline"] == "satisfaction"
    assert f.facts["customers"] == 426 and f.facts["segments"] == 2 and f.facts["hidden_segments"] == 1  # no-events left out
    assert "(120 customers, 28%)" in f.text and "rates its experience 1.0 points lower than average (4.0 vs 5.0 out of 7; n = 60 respondents)" in f.text
    assert "“Contacts” (8.0 vs 5.0 on average)" in f.text  # vocabulary name of "frequency"
    assert "One segment of fewer than 10 customers is not detailed." in f.text


def test_segments_finding_with_every_segment_too_small_says_so():
    table = _profiles({"A": (6, {"frequency": (6, 3.0, 4.0, np.nan)}), "B": (5, {"frequency": (5, 5.0, 4.0, np.nan)})})
    f = fnd.segments_finding(table, "fr", k=2, min_group_size=10)
    assert f.facts["segments"] == 0 and "Trop peu de clients" in f.text and "(11)" in f.text


def test_segments_unavailable_names_the_problem():
    bad = fnd.segments_unavailable("bad_k", "en", k="1", max_k=10)
    assert "segments_k = 1" in bad.text and "2 to 10" in bad.text and bad.facts["error"] == bad.text
    with pytest.raises(ValueError, match="'bad_k'"):
        fnd.segments_unavailable("oops", "en")
