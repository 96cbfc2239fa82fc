"""The report notebooks: stored clean, documented parameters, and executed through papermill on both
samples with parameter variations, recording their key findings; bad parameters give a sentence."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

from journeyviz.reports import NOTEBOOKS_DIR, ensure_samples, run_config

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
EXPECTED = ["00_journey_overview", "01_segmentation", "02_touchpoint_audit", "03_satisfaction_gap", "04_competitor_comparison"]
COMMON_PARAMETERS = {"data_path", "journey", "segment_by", "segment", "brand", "channel", "start", "end", "language", "min_group_size", "interactive"}
#: Key findings each notebook must record on the samples (besides "scope" and "parameters").
FINDINGS = {
    "00_journey_overview": {"journey", "funnel", "top_path", "journey_types", "leakage"},
    "01_segmentation": {"funnel", "journey_types", "scores", "nps", "segments"},
    "02_touchpoint_audit": {"audit", "attribution", "transitions"},
    "03_satisfaction_gap": {"biggest_gap", "scores", "nps", "moments_of_truth", "churn"},
    "04_competitor_comparison": {"competitors", "leakage", "journey_types"},
}


def _ids(paths):
    return [p.stem for p in paths]


def test_the_five_report_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs; strip them before committing"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in nb.metadata and "papermill" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_parameters_cell_documents_each_parameter(path):
    params = pm.inspect_notebook(str(path))
    assert COMMON_PARAMETERS <= set(params), COMMON_PARAMETERS - set(params)
    for name, p in params.items():
        assert p["inferred_type_name"] in ("str", "int", "bool", "float", "list"), f"{name}: annotate its type"
        assert len(p["help"]) > 15, f"{name}: say what it is and its allowed values in a trailing comment"
    tagged = [c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    # papermill skips a line holding more than one "=", so a parameter would silently vanish
    lines = [line for line in tagged[0].source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) == len(params)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_cells_only_call_the_package_and_display(path):
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    for source in code:
        assert not re.search(r"^\s*(def|class|for|while|if|try)\b", source, re.M), source
        assert not re.search(r"import (pandas|altair|ibis|numpy)", source), source
    assert code[-1].strip() == "board.record()"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


# ---------------------------------------------------------------------- execution
@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every notebook on both samples, plus variations and bad parameters, in one parallel batch."""
    samples = ensure_samples()
    ml, hotel = str(samples["maison_lumiere"]), str(samples["hotel_en"])
    runs = [
        {"name": "ml", "data": ml},
        {"name": "hotel", "data": hotel},
        {"name": "ml-en-young", "data": ml, "notebooks": ["00_journey_overview", "03_satisfaction_gap"],
         "parameters": {"language": "en", "segment_by": "age_band", "segment": "25-44"}},
        {"name": "ml-spring-web", "data": ml, "notebooks": ["00_journey_overview"],
         "parameters": {"start": "2025-03-01", "end": "2025-05-31", "channel": "web", "min_group_size": 30}},
        {"name": "hotel-fr-country", "data": hotel, "notebooks": ["01_segmentation"], "parameters": {"language": "fr", "segment_by": "country"}},
        {"name": "ml-one-rival", "data": ml, "notebooks": ["04_competitor_comparison"], "parameters": {"competitors": ["Atelier Nord"]}},
        {"name": "ml-template", "data": ml, "notebooks": ["02_touchpoint_audit"], "parameters": {"journey": "lifecycle", "language": "en"}},
        {"name": "bad-journey", "data": ml, "notebooks": ["02_touchpoint_audit"], "parameters": {"journey": "no_such_template"}},
        {"name": "bad-path", "data": str(tmp_path_factory.mktemp("nothing") / "no_such_dataset"), "notebooks": ["00_journey_overview"]},
        {"name": "bad-segment", "data": ml, "notebooks": ["01_segmentation"], "parameters": {"segment_by": "region", "segment": "Atlantis"}},
        {"name": "bad-segments-k", "data": hotel, "notebooks": ["01_segmentation"], "parameters": {"segments_k": 1}},
        {"name": "bad-brand", "data": ml, "notebooks": ["04_competitor_comparison"], "parameters": {"brand": "Nobody Inc"}},
        {"name": "empty-period", "data": ml, "notebooks": ["03_satisfaction_gap"], "parameters": {"start": "1990-01-01", "end": "1990-12-31"}},
    ]
    out = tmp_path_factory.mktemp("notebook_runs")
    config = out / "runs.yml"
    config.write_text(yaml.safe_dump({"output_dir": str(out), "runs": runs}, allow_unicode=True), encoding="utf-8")
    results = run_config(config, jobs=2, progress=False)
    return {r.name: r for r in results}


def _errors_in(path: str) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.notebooks
@pytest.mark.parametrize("sample", ["ml", "hotel"])
@pytest.mark.parametrize("notebook", EXPECTED)
def test_notebook_runs_on_sample_and_records_findings(executed, notebook, sample):
    result = executed[f"{notebook}--{sample}"]
    assert result.ok, result.error
    assert _errors_in(result.output_notebook) == []
    found = result.findings
    assert "error" not in found, found.get("error")
    assert {"scope", "parameters"} <= set(found)
    assert FINDINGS[notebook] <= set(found), FINDINGS[notebook] - set(found)
    assert found["scope"]["customers"] > 0
    for key in FINDINGS[notebook]:
        assert found[key]["text"], key
    assert found["parameters"]["interactive"] is False


@pytest.mark.notebooks
def test_findings_are_worded_in_the_chosen_language(executed):
    fr = executed["00_journey_overview--ml"].findings
    en = executed["00_journey_overview--ml-en-young"].findings
    assert "clients" in fr["funnel"]["text"] and "customers" in en["funnel"]["text"]
    assert en["parameters"]["filters"]["segment"] == "25-44"
    # the filter is applied: fewer customers in one age band than in the whole sample
    assert 0 < en["scope"]["customers"] < fr["scope"]["customers"]
    assert en["funnel"]["n"] < fr["funnel"]["n"]


@pytest.mark.notebooks
def test_journey_parameter_replaces_the_folders_definition(executed):
    result = executed["02_touchpoint_audit--ml-template"]
    assert result.ok, result.error
    assert result.findings["parameters"]["journey"] == "lifecycle"
    assert result.findings["audit"]["worst_friction"] == "account_creation"
    assert "customers" in result.findings["transitions"]["text"]


@pytest.mark.notebooks
def test_period_channel_and_privacy_parameters_change_the_numbers(executed):
    whole = executed["00_journey_overview--ml"].findings
    spring = executed["00_journey_overview--ml-spring-web"].findings
    assert executed["00_journey_overview--ml-spring-web"].ok
    assert spring["scope"]["events"] < whole["scope"]["events"]
    assert spring["scope"]["start"] >= "2025-03-01" and spring["scope"]["end"] <= "2025-05-31"
    assert spring["parameters"]["min_group_size"] == 30


@pytest.mark.notebooks
def test_planted_facts_are_found_on_the_french_sample(executed):
    gap = executed["03_satisfaction_gap--ml"].findings["biggest_gap"]
    assert gap["touchpoint"] == "home_delivery" and gap["gap"] < -1 and gap["significant"]
    ropo = executed["01_segmentation--ml"].findings["journey_types"]
    assert ropo["by"] == "age_band" and ropo["highest_group"] == "25-44"
    friction = executed["02_touchpoint_audit--ml"].findings["audit"]
    assert friction["worst_friction"] == "account_creation"
    lead = executed["04_competitor_comparison--ml"].findings["competitors"]
    assert (lead["status"], lead["competitor"], lead["touchpoint"]) == ("lag", "Atelier Nord", "instore_advice")
    assert executed["03_satisfaction_gap--ml"].findings["moments_of_truth"]["moments_of_truth"] == ["home_delivery"]


@pytest.mark.notebooks
@pytest.mark.parametrize("sample, lang", [("ml", "fr"), ("hotel", "en"), ("hotel-fr-country", "fr")])
def test_segmentation_notebook_discovers_segments_and_words_the_one_that_stands_out(executed, sample, lang):
    result = executed[f"01_segmentation--{sample}"]
    found = result.findings["segments"]
    assert "error" not in found, found["text"]
    assert 2 <= found["segments"] <= 4  # segments_k defaults to 4; smaller ones may be hidden
    assert found["customers"] == result.findings["scope"]["customers"]  # every customer of the samples has contacts
    assert found["segment_customers"] >= 10 and 0 < found["segment_share"] < 1
    assert found["headline"] in ("converted", "satisfaction") and found["distinctive_feature"]
    text = found["text"]
    assert f"« {found['segment']} »" in text if lang == "fr" else f"“{found['segment']}”" in text
    size = f"{found['segment_customers']:,}".replace(",", "\u202f" if lang == "fr" else ",")
    assert size in text and ("clients" in text) == (lang == "fr") and ("customers" in text) == (lang == "en")
    if lang == "fr":
        assert any(word in found["segment"] for word in ("acheteurs", "visiteurs")), found["segment"]  # names in the page's language
    if found.get("satisfaction_n") is not None:
        assert found["satisfaction_n"] >= 10 and f"n = {found['satisfaction_n']}" in text
    page = Path(result.html).read_text(encoding="utf-8")
    assert ("Ce qui distingue chaque segment" if lang == "fr" else "What sets each segment apart") in page  # the heatmap


@pytest.mark.notebooks
def test_an_impossible_number_of_segments_gives_a_sentence(executed):
    result = executed["01_segmentation--bad-segments-k"]
    assert result.ok, result.error
    assert _errors_in(result.output_notebook) == []
    found = result.findings["segments"]
    assert found["reason"] == "bad_k" and "segments_k = 1" in found["text"] and "Traceback" not in found["text"]
    assert result.findings["funnel"]["text"]  # the rest of the page is there

@pytest.mark.notebooks
@pytest.mark.parametrize(
    "run, words",
    [
        ("00_journey_overview--bad-path", "no_such_dataset"),
        ("02_touchpoint_audit--bad-journey", "no_such_template"),
        ("01_segmentation--bad-segment", "Atlantis"),
        ("04_competitor_comparison--bad-brand", "Nobody Inc"),
        ("03_satisfaction_gap--empty-period", "1990"),
    ],
)
def test_bad_parameters_give_a_readable_message_not_a_traceback(executed, run, words):
    result = executed[run]
    assert result.ok, result.error  # the page is produced, with the message on it
    assert _errors_in(result.output_notebook) == []
    message = result.findings["error"]
    assert words in message
    assert "Traceback" not in message and "File \"" not in message
    page = Path(result.html).read_text(encoding="utf-8")
    assert words in page and "Traceback" not in page
