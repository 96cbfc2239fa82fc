"""ValidationReport: counts that balance, and the same facts as text, JSON, HTML and a DataFrame."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import journeyviz as jv
from journeyviz.io import load
from journeyviz.report import TableReport, ValidationReport

JOURNEY = jv.Journey.template("lifecycle", lang="fr")


def _damaged_dataset(tmp_path: Path) -> jv.Dataset:
    folder = tmp_path / "ds"
    folder.mkdir()
    JOURNEY.to_yaml(folder / "journey.yml")
    events = pd.DataFrame(
        {
            "client": ["c1", "c1", "", "c2", "c3"],
            "horodatage": ["21/03/2025 10:00", "21/03/2025 11:00", "21/03/2025 11:00", "pas une date", "22/03/2025 09:00"],
            "touchpoint": ["shop_window", "store_checkout", "shop_window", "social_ad", "teleport"],
        }
    )
    events.to_csv(folder / "events.csv", sep=";", index=False, encoding="cp1252")
    pd.DataFrame({"respondent_id": ["r1", "r2"], "touchpoint": ["shop_window", "shop_window"], "perception": [5, 9]}).to_csv(folder / "ratings.csv", index=False)
    return load(folder, mapping={"events": {"client": "customer_id", "horodatage": "timestamp"}})


def test_counts_balance_and_reasons_add_up(tmp_path: Path) -> None:
    report = _damaged_dataset(tmp_path).report
    events = report["events"]
    assert (events.read, events.accepted, events.rejected) == (5, 2, 3)
    assert events.reasons == {"bad_timestamp": 1, "missing_customer_id": 1, "unknown_touchpoint": 1}
    assert events.balanced and report["ratings"].balanced
    assert not report.ok and report.rejected == 4
    assert "events" in report and "customers" not in report
    with pytest.raises(KeyError, match="tables are"):
        report["customers"]


def test_report_names_what_was_detected(tmp_path: Path) -> None:
    detected = _damaged_dataset(tmp_path).report["events"].detected
    assert detected["separator"] == ";" and detected["format"] == "csv"
    assert detected["date_format"] == "dd/mm/yyyy HH:MM"
    assert detected["renamed"] == {"client": "customer_id", "horodatage": "timestamp"}


def test_summary_rows_sum_to_read_per_table(tmp_path: Path) -> None:
    report = _damaged_dataset(tmp_path).report
    summary = report.summary()
    assert summary.columns.tolist() == ["table", "reason", "rows"]
    assert summary["rows"].dtype == "int64"
    totals = summary.groupby("table")["rows"].sum().to_dict()
    assert totals == {name: t.read for name, t in report.tables.items()}
    assert summary.loc[(summary["table"] == "ratings") & (summary["reason"] == "out_of_scale:perception"), "rows"].item() == 1


def test_json_round_trip_carries_every_count(tmp_path: Path) -> None:
    report = _damaged_dataset(tmp_path).report
    data = json.loads(report.to_json())
    assert data["ok"] is False and data["journey"] == JOURNEY.name
    assert data["tables"]["events"]["reasons"] == report["events"].reasons
    assert data["tables"]["events"]["quarantine_path"].endswith("_quarantine/events.csv")
    assert data == report.to_dict()


def test_text_lists_tables_reasons_and_quarantine(tmp_path: Path) -> None:
    report = _damaged_dataset(tmp_path).report
    text = str(report)
    lines = text.splitlines()
    assert any(line.split()[:1] == ["events"] and line.split()[-3:] == ["5", "2", "3"] for line in lines)
    assert "unknown_touchpoint 1" in text and "_quarantine/events.csv" in text
    assert "separator ';'" in text


def test_html_for_notebooks_escapes_and_shows_counts(tmp_path: Path) -> None:
    html = _damaged_dataset(tmp_path).report._repr_html_()
    assert "<table>" in html and "unknown_touchpoint: 1" in html
    assert "Maison Lumière" in html


def test_ok_when_nothing_rejected() -> None:
    events = pd.DataFrame({"customer_id": ["c1"], "timestamp": ["2025-03-01 10:00"], "touchpoint": ["shop_window"]})
    report = load({"events": events}, journey=JOURNEY).report
    assert report.ok and "OK: every row accepted." in str(report)
    assert report["events"].quarantine_path is None


def test_unbalanced_table_is_not_ok() -> None:
    report = ValidationReport(tables={"events": TableReport("events", "x.csv", read=3, accepted=2, rejected=0)})
    assert not report["events"].balanced and not report.ok
