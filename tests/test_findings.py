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
