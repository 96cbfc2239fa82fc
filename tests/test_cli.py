"""The journeyviz command line: sample and validate end to end, --help everywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from journeyviz.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


@pytest.mark.parametrize("command", ["sample", "validate", "run", "serve", "demo"])
def test_every_subcommand_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: journeyviz " + command in capsys.readouterr().out


def test_sample_then_validate_accounts_for_every_row(tmp_path, capsys):
    out = tmp_path / "hotel"
    assert main(["sample", "--template", "hotel", "--customers", "300", "--seed", "3", "--out", str(out)]) == 0
    assert (out / "journey.yml").exists() and (out / "events.csv").exists()
    capsys.readouterr()
    assert main(["validate", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    for name, table in report["tables"].items():
        assert table["read"] == table["accepted"] + table["rejected"], name
    assert report["tables"]["customers"]["read"] == 300


def test_validate_route_chooses_where_events_are_checked(tmp_path, capsys):
    out = tmp_path / "pq"
    assert main(["sample", "--customers", "200", "--format", "parquet", "--clean", "--out", str(out)]) == 0
    capsys.readouterr()
    routes = {}
    for route in ("engine", "pandas"):
        assert main(["validate", str(out), "--route", route, "--json"]) == 0
        events = json.loads(capsys.readouterr().out)["tables"]["events"]
        routes[route] = events["detected"]["route"]
        assert events["read"] == events["accepted"] > 0
    assert routes == {"engine": "engine", "pandas": "pandas"}
    # CSV events cannot take the engine route: a reason and exit status 2, not a traceback.
    csv = tmp_path / "csv"
    assert main(["sample", "--template", "hotel", "--customers", "200", "--out", str(csv)]) == 0
    capsys.readouterr()
    assert main(["validate", str(csv), "--route", "engine"]) == 2
    assert "route='engine'" in capsys.readouterr().err


def test_validate_the_french_sample_names_the_planted_rejections_and_the_quarantine(tmp_path, capsys):
    data = tmp_path / "maison_lumiere"
    shutil.copytree(SAMPLES / "maison_lumiere", data, ignore=shutil.ignore_patterns("_quarantine"))
    assert main(["validate", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rejected = sum(t["rejected"] for t in report["tables"].values())
    assert rejected > 0
    for table in report["tables"].values():
        if table["rejected"]:
            assert sum(table["reasons"].values()) == table["rejected"]
            assert Path(table["quarantine_path"]).exists()
    assert report["tables"]["events"]["detected"]["separator"] == ";"


def test_validate_prints_a_readable_report(capsys):
    assert main(["validate", str(SAMPLES / "hotel_en"), "--quarantine-dir", str(SAMPLES / "hotel_en" / "_quarantine")]) == 0
    text = capsys.readouterr().out
    assert "events" in text and "accepted" in text


def test_validate_an_unusable_dataset_exits_non_zero_with_the_reason(tmp_path, capsys):
    (tmp_path / "journey.yml").write_text("name: x\nstages: []\n", encoding="utf-8")
    (tmp_path / "events.csv").write_text("customer_id,timestamp\n1,2025-01-01\n", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    assert "stages" in capsys.readouterr().err


def test_validate_a_missing_folder_exits_non_zero_as_json(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["ok"] is False


def test_parameters_are_parsed_as_json_when_they_can_be():
    args = build_parser().parse_args(["run", "-p", "min_group_size", "20", "-p", "segment", "25-44"])
    assert args.parameter == [["min_group_size", "20"], ["segment", "25-44"]]
    from journeyviz.cli import _parse_value

    assert _parse_value("20") == 20 and _parse_value("25-44") == "25-44" and _parse_value('["a","b"]') == ["a", "b"]


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("journeyviz")
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "sample" in result.stdout
