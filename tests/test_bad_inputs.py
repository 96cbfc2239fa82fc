"""Bad inputs: each either stops with a DataError naming file, column and expectation, or sets rows
aside with the documented reason code; and no row is ever lost, whatever the damage."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeyviz as jv
from journeyviz.io import REASONS, DataError, load
from journeyviz.journey import Scale

JOURNEY = jv.Journey.template("lifecycle", lang="en")
JOURNEY = JOURNEY.with_changes(scales={**JOURNEY.scales, "perception": Scale(1.0, 5.0, (0.0, 99.0))})
TPS = JOURNEY.touchpoint_ids


def _folder(tmp: Path) -> Path:
    folder = tmp / "ds"
    folder.mkdir(exist_ok=True)
    JOURNEY.to_yaml(folder / "journey.yml")
    return folder


def _events(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"c{i % 3}" for i in range(n)],
            "timestamp": [f"2025-03-{1 + i:02d} 10:00" for i in range(n)],
            "touchpoint": [TPS[i % len(TPS)] for i in range(n)],
        }
    )


def _ratings(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "touchpoint": [TPS[i] for i in range(n)], "perception": [3] * n})


def _csv(tmp: Path, frame: pd.DataFrame, name: str = "events.csv", **kw: Any) -> Path:
    folder = _folder(tmp)
    frame.to_csv(folder / name, index=False, **kw)
    return folder


# Each case builds its input in tmp_path and returns the keyword arguments for load().
def _missing_column(tmp: Path) -> dict:
    return {"path_or_tables": _csv(tmp, _events().drop(columns="timestamp").assign(date=_events()["timestamp"]))}


def _unknown_file_type(tmp: Path) -> dict:
    folder = _folder(tmp)
    (folder / "events.json").write_text("[]")
    return {"path_or_tables": folder}


def _empty_file(tmp: Path) -> dict:
    folder = _folder(tmp)
    (folder / "events.csv").write_bytes(b"")
    return {"path_or_tables": folder}


def _header_only(tmp: Path) -> dict:
    folder = _folder(tmp)
    (folder / "events.csv").write_text("customer_id,timestamp,touchpoint\n")
    return {"path_or_tables": folder}


def _scale_out_of_range_everywhere(tmp: Path) -> dict:
    return {"path_or_tables": _csv(tmp, _ratings().assign(perception=[40, 75, 90, 100]), "ratings.csv")}


def _mapping_absent_column(tmp: Path) -> dict:
    return {"path_or_tables": _csv(tmp, _events()), "mapping": {"events": {"client": "customer_id"}}}


def _flat_mapping_absent_column(tmp: Path) -> dict:
    return {"path_or_tables": _csv(tmp, _events()), "mapping": {"Client": "customer_id"}}


def _mapping_two_onto_one(tmp: Path) -> dict:
    return {"path_or_tables": _csv(tmp, _events().assign(other="x")), "mapping": {"events": {"customer_id": "touchpoint", "other": "touchpoint"}}}


def _no_events_no_ratings(tmp: Path) -> dict:
    return {"path_or_tables": _csv(tmp, pd.DataFrame({"customer_id": ["c1"]}), "customers.csv")}


def _two_files_one_table(tmp: Path) -> dict:
    folder = _csv(tmp, _events())
    _events().to_parquet(folder / "events.parquet")
    return {"path_or_tables": folder}


def _unreadable_encoding(tmp: Path) -> dict:
    folder = _folder(tmp)
    (folder / "events.csv").write_bytes(b"customer_id,timestamp\x00\x01\x02,touchpoint\n\x00\xff\xfe")
    return {"path_or_tables": folder}


def _dates_never_parse(tmp: Path) -> dict:
    return {"path_or_tables": _csv(tmp, _events().assign(timestamp="Monday morning"))}


def _duplicate_column_names(tmp: Path) -> dict:
    folder = _folder(tmp)
    (folder / "events.csv").write_text("customer_id,timestamp,touchpoint,timestamp\nc1,2025-01-01,shop_window,x\n")
    return {"path_or_tables": folder}


def _corrupt_excel(tmp: Path) -> dict:
    folder = _folder(tmp)
    (folder / "events.xlsx").write_text("this is not a workbook")
    return {"path_or_tables": folder}


def _corrupt_parquet(tmp: Path) -> dict:
    folder = _folder(tmp)
    (folder / "events.parquet").write_bytes(b"PAR1 not really")
    return {"path_or_tables": folder}


def _unknown_table(tmp: Path) -> dict:
    return {"path_or_tables": {"events": _events(), "visits": _events()}, "journey": JOURNEY}


def _ratings_without_target(tmp: Path) -> dict:
    return {"path_or_tables": {"ratings": _ratings().drop(columns="touchpoint")}, "journey": JOURNEY}


def _no_journey(tmp: Path) -> dict:
    folder = tmp / "nojourney"
    folder.mkdir()
    _events().to_csv(folder / "events.csv", index=False)
    return {"path_or_tables": folder}


def _wide_absent_column(tmp: Path) -> dict:
    wide = pd.DataFrame({"id": ["a"], "Q1": [4]})
    return {"path_or_tables": {}, "journey": JOURNEY, "wide_ratings": {"file": wide, "id": "id", "columns": {"Q2": {"touchpoint": "shop_window"}}}}


def _numbers_never_parse(tmp: Path) -> dict:
    return {"path_or_tables": {"ratings": _ratings().assign(perception="good")}, "journey": JOURNEY}


ERRORS: dict[str, tuple[Callable[[Path], dict], list[str]]] = {
    "missing_required_column": (_missing_column, ["events.csv", "'timestamp'", "columns found", "mapping={'events': {'date': 'timestamp'}}"]),
    "unknown_file_type": (_unknown_file_type, ["events.json", "unknown file type", "events.csv"]),
    "empty_file": (_empty_file, ["events.csv", "empty", "customer_id"]),
    "header_only": (_header_only, ["events.csv", "no rows"]),
    "scale_out_of_range_every_row": (_scale_out_of_range_everywhere, ["ratings.csv", "'perception'", "[1, 5]", "40 to 100"]),
    "mapping_names_absent_column": (_mapping_absent_column, ["events.csv", "'client'", "columns found"]),
    "flat_mapping_names_absent_column": (_flat_mapping_absent_column, ["'Client'", "no table"]),
    "mapping_two_columns_onto_one": (_mapping_two_onto_one, ["events.csv", "several columns", "touchpoint"]),
    "no_events_and_no_ratings": (_no_events_no_ratings, ["no events and no ratings"]),
    "two_files_for_one_table": (_two_files_one_table, ["two files", "events.csv", "events.parquet"]),
    "unreadable_encoding": (_unreadable_encoding, ["events.csv", "unreadable encoding", "UTF-8"]),
    "timestamps_never_parse": (_dates_never_parse, ["events.csv", "'timestamp'", "no usable value", "Monday morning"]),
    "duplicate_column_names": (_duplicate_column_names, ["events.csv", "'timestamp'", "more than once"]),
    "corrupt_excel": (_corrupt_excel, ["events.xlsx", "Excel"]),
    "corrupt_parquet": (_corrupt_parquet, ["events.parquet", "Parquet"]),
    "unknown_table_name": (_unknown_table, ["'visits'", "events, customers, ratings, respondents"]),
    "ratings_without_touchpoint_or_stage": (_ratings_without_target, ["ratings", "touchpoint (or stage)", "columns found"]),
    "no_journey_definition": (_no_journey, ["journey.yml", "journey="]),
    "wide_mapping_names_absent_column": (_wide_absent_column, ["'Q2'", "not in the file"]),
    "numbers_never_parse": (_numbers_never_parse, ["'perception'", "no usable value", "numbers"]),
}


@pytest.mark.parametrize("case", list(ERRORS), ids=list(ERRORS))
def test_unusable_input_raises_a_data_error_naming_file_column_and_expectation(case: str, tmp_path: Path) -> None:
    build, fragments = ERRORS[case]
    with pytest.raises(DataError) as info:
        load(**build(tmp_path))
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# Quarantine cases: a table with one damaged row among good ones.
def _damage(frame: pd.DataFrame, column: str, value: Any, row: int = 1) -> pd.DataFrame:
    frame = frame.copy().astype(object)
    frame.loc[row, column] = value
    return frame


QUARANTINED: dict[str, tuple[Callable[[], dict], str, str]] = {
    "missing_customer_id": (lambda: {"events": _damage(_events(), "customer_id", "")}, "events", "missing_customer_id"),
    "missing_timestamp": (lambda: {"events": _damage(_events(), "timestamp", None)}, "events", "missing_timestamp"),
    "bad_timestamp": (lambda: {"events": _damage(_events(), "timestamp", "2025-13-45")}, "events", "bad_timestamp"),
    "missing_touchpoint": (lambda: {"events": _damage(_events(), "touchpoint", " ")}, "events", "missing_touchpoint"),
    "unknown_touchpoint": (lambda: {"events": _damage(_events(), "touchpoint", "teleport")}, "events", "unknown_touchpoint"),
    "duplicate_event": (lambda: {"events": pd.concat([_events(), _events().iloc[[2]]], ignore_index=True)}, "events", "duplicate_event"),
    "bad_number_value": (lambda: {"events": _events().assign(value=["1", "2", "n/a!", "3", "", "4"])}, "events", "bad_number:value"),
    "out_of_scale_perception": (lambda: {"ratings": _damage(_ratings(), "perception", 6)}, "ratings", "out_of_scale:perception"),
    "unknown_respondent": (lambda: {"ratings": _ratings(), "respondents": pd.DataFrame({"respondent_id": ["r0", "r1", "r2"]})}, "ratings", "unknown_respondent"),
    "missing_touchpoint_and_stage": (lambda: {"ratings": _damage(_ratings(), "touchpoint", None)}, "ratings", "missing_touchpoint_and_stage"),
    "duplicate_customer": (lambda: {"events": _events(), "customers": pd.DataFrame({"customer_id": ["c0", "c1", "c1"]})}, "customers", "duplicate_customer"),
    "bad_boolean_churned": (lambda: {"ratings": _ratings(), "respondents": pd.DataFrame({"respondent_id": ["r0", "r1", "r2", "r3"], "churned": ["oui", "non", "bof", "non"]})}, "respondents", "bad_boolean:churned"),
}


@pytest.mark.parametrize("case", list(QUARANTINED), ids=list(QUARANTINED))
def test_damaged_row_is_set_aside_with_its_reason(case: str, tmp_path: Path) -> None:
    build, table, reason = QUARANTINED[case]
    ds = load(build(), journey=JOURNEY, quarantine_dir=tmp_path)
    tr = ds.report[table]
    assert tr.reasons == {reason: 1}
    assert reason.split(":")[0] in {r.split(":")[0] for r in REASONS}
    quarantined = pd.read_csv(tr.quarantine_path, dtype=str, keep_default_na=False)
    assert quarantined["_reason"].tolist() == [reason]


def test_malformed_csv_line_is_quarantined_with_its_text_and_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "events.csv").write_text("customer_id,timestamp,touchpoint\nc1,2025-01-01 10:00,shop_window\nc2,2025-01-01,shop_window,surplus\nc3,2025-01-02 10:00,social_ad\n")
    ds = load(folder)
    tr = ds.report["events"]
    assert (tr.read, tr.accepted, tr.rejected, tr.reasons) == (3, 2, 1, {"bad_row_shape": 1})
    q = pd.read_csv(tr.quarantine_path)
    assert q.loc[0, "_row"] == 3 and q.loc[0, "_raw"] == "c2,2025-01-01,shop_window,surplus"


# ---------------------------------------------------------------------- no row lost, whatever the damage
BASE_EVENTS = 30
BASE_RATINGS = 20


@st.composite
def _damaged(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    events = _events(BASE_EVENTS).astype(object)
    events["brand"] = JOURNEY.brand
    ratings = _ratings(BASE_RATINGS).astype(object)
    respondents = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(BASE_RATINGS)], "nps": [str(i % 11) for i in range(BASE_RATINGS)]}).astype(object)
    ev_damage = st.sampled_from(["blank_id", "blank_ts", "bad_ts", "unknown_tp", "duplicate", "offset", "competitor"])
    ra_damage = st.sampled_from(["blank_id", "unknown_tp", "out_of_scale", "code", "blank", "text", "duplicate", "stray"])
    for kind, row in draw(st.lists(st.tuples(ev_damage, st.integers(0, BASE_EVENTS - 1)), max_size=25)):
        if kind == "blank_id":
            events.loc[row, "customer_id"] = draw(st.sampled_from(["", " ", None]))
        elif kind == "blank_ts":
            events.loc[row, "timestamp"] = None
        elif kind == "bad_ts":
            events.loc[row, "timestamp"] = draw(st.sampled_from(["31/02/2025", "demain", "2025-02-30 10:00", "12"]))
        elif kind == "unknown_tp":
            # No control characters: pandas writes a bare "\r" unquoted, which really is another CSV line.
            events.loc[row, "touchpoint"] = draw(st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=6))
        elif kind == "duplicate":
            events = pd.concat([events, events.iloc[[row]]], ignore_index=True)
        elif kind == "offset":
            events.loc[row, "timestamp"] = "2025-03-01T10:00:00+05:00"
        else:
            events.loc[row, "brand"] = "Rival"
    for kind, row in draw(st.lists(st.tuples(ra_damage, st.integers(0, BASE_RATINGS - 1)), max_size=20)):
        if kind == "blank_id":
            ratings.loc[row, "respondent_id"] = ""
        elif kind == "unknown_tp":
            ratings.loc[row, "touchpoint"] = "nowhere"
        elif kind == "out_of_scale":
            ratings.loc[row, "perception"] = draw(st.sampled_from([-1, 6, 42, 5.5]))
        elif kind == "code":
            ratings.loc[row, "perception"] = draw(st.sampled_from([0, 99]))
        elif kind == "blank":
            ratings.loc[row, "perception"] = None
        elif kind == "text":
            ratings.loc[row, "perception"] = "bof"
        elif kind == "duplicate":
            ratings = pd.concat([ratings, ratings.iloc[[row]]], ignore_index=True)
        else:
            ratings.loc[row, "respondent_id"] = "stranger"
    return {"events": events, "ratings": ratings, "respondents": respondents}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tables=_damaged(), as_csv=st.booleans())
def test_every_row_read_is_accepted_or_quarantined(tables: dict[str, pd.DataFrame], as_csv: bool, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    if as_csv:
        folder = _folder(tmp)
        for name, frame in tables.items():
            frame.to_csv(folder / f"{name}.csv", index=False, sep=";")
        source: Any = folder
    else:
        source = tables
    try:
        ds = load(source, journey=JOURNEY, quarantine_dir=tmp / "q")
    except DataError as exc:
        # Only legitimate when damage left a column with no usable value at all.
        assert "no usable value" in str(exc) or "in every row" in str(exc)
        return
    for name, frame in tables.items():
        tr = ds.report[name]
        assert tr.read == len(frame)
        assert tr.read == tr.accepted + tr.rejected
        assert sum(tr.reasons.values()) == tr.rejected
        kept = int(ds.engine.to_pandas(ds.events.aggregate(n=ds.events.count()))["n"].iloc[0]) if name == "events" else len(getattr(ds, name))
        assert kept == tr.accepted
        if tr.rejected:
            quarantined = pd.read_csv(tr.quarantine_path, dtype=str, keep_default_na=False)
            assert len(quarantined) == tr.rejected
            assert quarantined["_reason"].value_counts().to_dict() == tr.reasons
        else:
            assert tr.quarantine_path is None


def test_quarantine_keeps_a_value_with_a_carriage_return_in_one_row(tmp_path: Path) -> None:
    events = _damage(_events(), "touchpoint", "bad\rvalue\nhere")
    ds = load({"events": events}, journey=JOURNEY, quarantine_dir=tmp_path)
    quarantined = pd.read_csv(ds.report["events"].quarantine_path, dtype=str, keep_default_na=False)
    assert len(quarantined) == 1 and quarantined.loc[0, "touchpoint"] == "bad\rvalue\nhere"
