"""jv.load(route=...): Parquet events validated in the engine give the same Dataset as the pandas route."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journeyviz.io as jio
from journeyviz.analyses.funnel import funnel
from journeyviz.analyses.paths import transitions
from journeyviz.dataset import Dataset
from journeyviz.engine import Engine, get_engine
from journeyviz.io import DataError, load
from journeyviz.samples import generate

CANONICAL = ["customer_id", "timestamp", "touchpoint", "stage", "stage_order", "channel", "brand", "session_id", "value"]


def _planted(customers: int = 300, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, object, dict[str, int]]:
    """Sample events with a stage column and an ignored column, plus planted rows; the reasons they must get."""
    sample = generate(customers=customers, seed=seed)
    jr = sample.journey
    events = sample.events.copy()
    stages = jr.catalogue().set_index("touchpoint")["stage"]
    events["stage"] = events["touchpoint"].map(stages).astype("str")
    events["note"] = np.arange(len(events)) % 7
    first = events.iloc[0]
    other_stage = next(s for s in jr.stage_ids if s != first["stage"])
    bad = [
        {"customer_id": ""},
        {"customer_id": "\u00a0 "},
        {"timestamp": pd.NaT},
        {"touchpoint": None},
        {"touchpoint": "  "},
        {"touchpoint": "teleport"},
        {"stage": "nowhere"},
        {"stage": other_stage},
        {},  # an exact copy of the first event
        {"customer_id": f" {first['customer_id']}\t"},  # the same event once stripped
        {"brand": None},  # the same event: a blank brand is ours
    ]
    expected = {
        "missing_customer_id": 2,
        "missing_timestamp": 1,
        "missing_touchpoint": 2,
        "unknown_touchpoint": 1,
        "unknown_stage": 1,
        "stage_mismatch": 1,
        "duplicate_event": 3,
    }
    kept = [
        {"brand": "Atelier Nord"},  # the same contact at a competitor is not a duplicate
        {"customer_id": "Z1", "touchpoint": " website_visit ", "stage": None, "channel": "", "session_id": "  "},
        {"customer_id": "Z2", "timestamp": pd.Timestamp("2025-03-30 02:30"), "touchpoint": "website_visit", "stage": None},  # skipped hour
        {"customer_id": "Z2", "timestamp": pd.Timestamp("2025-10-26 02:30"), "touchpoint": "website_visit", "stage": None},  # repeated hour
    ]
    planted = pd.DataFrame([{**first.to_dict(), **change} for change in bad + kept])
    # Planted rows sit in the middle of the file, so _row and event positions are exercised.
    half = len(events) // 2
    frame = pd.concat([events.iloc[:half], planted, events.iloc[half:]], ignore_index=True)
    frame = frame.astype({c: "str" for c in ("customer_id", "touchpoint", "stage", "channel", "brand", "session_id")})
    frame["timestamp"] = frame["timestamp"].astype("datetime64[us]")
    return frame, sample.customers, jr, expected


@pytest.fixture(scope="module")
def planted_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("parquet_events")
    events, customers, jr, expected = _planted()
    jr.to_yaml(folder / "journey.yml")
    events.to_parquet(folder / "events.parquet", index=False, row_group_size=1000)
    customers.to_parquet(folder / "customers.parquet", index=False)
    return folder, expected


def _both(source: object, tmp_path: Path, engine: Engine | None = None, **kwargs: object) -> tuple[Dataset, Dataset]:
    by_pandas = load(source, route="pandas", quarantine_dir=tmp_path / "q_pandas", engine=engine, **kwargs)
    in_engine = load(source, route="engine", quarantine_dir=tmp_path / "q_engine", engine=engine, **kwargs)
    return by_pandas, in_engine


def _events(ds: Dataset) -> pd.DataFrame:
    frame = ds.engine.to_pandas(ds.events.order_by(["customer_id", "timestamp", "event_id"]))[CANONICAL].reset_index(drop=True)
    frame["timestamp"] = frame["timestamp"].astype("datetime64[us]")  # Spark hands back nanoseconds
    return frame


def _quarantine(ds: Dataset) -> pd.DataFrame:
    return pd.read_csv(ds.report["events"].quarantine_path, dtype=str, keep_default_na=False)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _assert_same_dataset(a: Dataset, b: Dataset) -> None:
    ra, rb = a.report["events"], b.report["events"]
    assert (rb.read, rb.accepted, rb.rejected) == (ra.read, ra.accepted, ra.rejected)
    assert rb.reasons == ra.reasons
    assert rb.balanced
    pd.testing.assert_frame_equal(_quarantine(b), _quarantine(a))
    pd.testing.assert_frame_equal(_events(b), _events(a))
    # The tolerance of tests/test_engine_parity.py: sums of floats may differ in the last digit across engines.
    pd.testing.assert_frame_equal(funnel(b), funnel(a), check_exact=False, rtol=1e-9, atol=1e-12)
    pd.testing.assert_frame_equal(_sorted(transitions(b, level="touchpoint")), _sorted(transitions(a, level="touchpoint")), check_exact=False, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------- parity
def test_engine_route_gives_the_pandas_routes_report_quarantine_and_results(planted_folder: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, expected = planted_folder
    a, b = _both(folder, tmp_path)
    assert a.report["events"].detected["route"] == "pandas" and b.report["events"].detected["route"] == "engine"
    assert b.report["events"].reasons == expected
    _assert_same_dataset(a, b)
    assert b.report["events"].detected["ignored_columns"] == a.report["events"].detected["ignored_columns"] == ["note"]


def test_engine_route_dataset_filters_and_groups_like_the_pandas_one(planted_folder: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = planted_folder
    a, b = _both(folder, tmp_path)
    pd.testing.assert_frame_equal(funnel(b, by="region"), funnel(a, by="region"))
    pd.testing.assert_frame_equal(b.describe(), a.describe())
    assert b.brands() == a.brands()
    fa = a.filter(where={"region": a.customers["region"].iloc[0]}, period=("2025-03-01", "2025-09-30"), channels=["web", "store"])
    fb = b.filter(where={"region": b.customers["region"].iloc[0]}, period=("2025-03-01", "2025-09-30"), channels=["web", "store"])
    pd.testing.assert_frame_equal(_events(fb), _events(fa))
    pd.testing.assert_frame_equal(funnel(fb), funnel(fa))


def test_engine_route_events_stay_a_view_of_the_file(planted_folder: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = planted_folder
    ds = load(folder, route="engine", quarantine_dir=tmp_path / "q")
    name = ds.events.get_name()
    views = ds.engine.con.raw_sql(f"select sql from duckdb_views() where view_name = '{name}'").fetchall()
    assert len(views) == 1
    tables = {row[0] for row in ds.engine.con.raw_sql("select table_name from duckdb_tables()").fetchall()}
    # Only the catalogue and the positions of duplicates are stored; no table holds the events.
    assert all(("catalogue" in t) or ("duplicates" in t) or ("repeated" in t) or ("customers" in t) for t in tables), tables
    event_ids = _events_with_ids(ds)
    assert event_ids["event_id"].is_unique


def _events_with_ids(ds: Dataset) -> pd.DataFrame:
    return ds.engine.to_pandas(ds.events.select("event_id", "customer_id"))


# ---------------------------------------------------------------------- inputs
def test_folder_and_glob_of_parquet_parts_read_in_name_order(tmp_path: Path) -> None:
    events, _, jr, _ = _planted(customers=120, seed=5)
    parts = tmp_path / "events"
    parts.mkdir()
    cuts = [0, 400, 401, len(events)]
    for i, (lo, hi) in enumerate(zip(cuts[:-1], cuts[1:])):
        events.iloc[lo:hi].to_parquet(parts / f"part-{i:03d}.parquet", index=False)
    (parts / "_SUCCESS").write_text("")
    whole = tmp_path / "whole"
    whole.mkdir()
    events.to_parquet(whole / "events.parquet", index=False)
    a, _ = _both({"events": whole / "events.parquet"}, tmp_path / "whole_q", journey=jr)
    for source in ({"events": parts}, {"events": str(parts / "part-*.parquet")}):
        for route in ("pandas", "engine"):
            ds = load(source, journey=jr, route=route, quarantine_dir=tmp_path / f"q_{route}")
            assert ds.report["events"].reasons == a.report["events"].reasons
            pd.testing.assert_frame_equal(_quarantine(ds), _quarantine(a))
            pd.testing.assert_frame_equal(_events(ds), _events(a))


def test_dataset_folder_with_a_parquet_parts_folder_is_found(tmp_path: Path) -> None:
    events, _, jr, expected = _planted(customers=80, seed=6)
    folder = tmp_path / "ds"
    (folder / "events").mkdir(parents=True)
    jr.to_yaml(folder / "journey.yml")
    events.iloc[:500].to_parquet(folder / "events" / "part-0.parquet", index=False)
    events.iloc[500:].to_parquet(folder / "events" / "part-1.parquet", index=False)
    ds = load(folder, route="engine")
    assert ds.report["events"].read == len(events)
    assert ds.report["events"].reasons == expected
    assert Path(ds.report["events"].quarantine_path).parent == folder / "_quarantine"


def test_mapping_renames_and_quarantine_keeps_the_users_names(tmp_path: Path) -> None:
    events, _, jr, expected = _planted(customers=80, seed=7)
    events = events.rename(columns={"customer_id": "Numéro client", "timestamp": "Date et heure", "touchpoint": "Point de contact", "brand": "Marque"})
    path = tmp_path / "events.parquet"
    events.to_parquet(path, index=False)
    mapping = {"events": {"Numéro client": "customer_id", "Date et heure": "timestamp", "Point de contact": "touchpoint", "Marque": "brand"}}
    a, b = _both({"events": path}, tmp_path, journey=jr, mapping=mapping)
    assert b.report["events"].reasons == expected
    assert list(_quarantine(b).columns[:3]) == ["Numéro client", "Date et heure", "Point de contact"]
    _assert_same_dataset(a, b)


def test_time_zone_changes_over_several_years_match_the_pandas_route(tmp_path: Path) -> None:
    edges = []
    for year in (2023, 2024, 2025):
        for day in pd.date_range(f"{year}-03-24", f"{year}-04-01").union(pd.date_range(f"{year}-10-24", f"{year}-11-01")):
            edges += [day + pd.Timedelta(minutes=m) for m in range(0, 24 * 60, 20)]
    n = len(edges)
    events = pd.DataFrame({"customer_id": [f"c{i % 50}" for i in range(n)], "timestamp": pd.Series(edges).astype("datetime64[us]"), "touchpoint": "website_visit"})
    path = tmp_path / "events.parquet"
    events.to_parquet(path, index=False)
    a, b = _both({"events": path}, tmp_path, journey=generate(customers=1).journey)
    pd.testing.assert_frame_equal(_events(b), _events(a))


def test_time_zone_aware_timestamps_and_integer_ids_match_the_pandas_route(tmp_path: Path) -> None:
    events, _, jr, _ = _planted(customers=60, seed=8)
    events = events[events["customer_id"].str.fullmatch(r"C\d+")].copy()
    events["customer_id"] = events["customer_id"].str[1:].astype("int64")
    events["timestamp"] = events["timestamp"].dt.tz_localize("Europe/Paris", ambiguous=True, nonexistent="shift_forward").dt.tz_convert("America/New_York")
    path = tmp_path / "events.parquet"
    events.to_parquet(path, index=False)
    a, b = _both({"events": path}, tmp_path, journey=jr)
    assert b.report["events"].detected["date_format"] == a.report["events"].detected["date_format"] == "typed (with time zone)"
    _assert_same_dataset(a, b)


# ---------------------------------------------------------------------- choosing the route
def test_auto_route_takes_the_engine_from_the_row_threshold(planted_folder: tuple[Path, dict[str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = planted_folder
    assert load(folder, quarantine_dir=tmp_path / "q1").report["events"].detected["route"] == "pandas"
    monkeypatch.setattr(jio, "ENGINE_ROUTE_ROWS", 100)
    assert load(folder, quarantine_dir=tmp_path / "q2").report["events"].detected["route"] == "engine"


def test_auto_route_falls_back_to_pandas_for_text_timestamps_and_engine_route_refuses_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events, _, jr, _ = _planted(customers=40, seed=9)
    events["timestamp"] = events["timestamp"].dt.strftime("%d/%m/%Y %H:%M").astype("str")
    path = tmp_path / "events.parquet"
    events.to_parquet(path, index=False)
    monkeypatch.setattr(jio, "ENGINE_ROUTE_ROWS", 1)
    ds = load({"events": path}, journey=jr, quarantine_dir=tmp_path / "q")
    assert ds.report["events"].detected["route"] == "pandas"
    assert ds.report["events"].detected["date_format"].startswith("dd/mm/yyyy")
    with pytest.raises(DataError, match=r"route='engine'.*'timestamp' \(events.timestamp\).*route='pandas'"):
        load({"events": path}, journey=jr, route="engine", quarantine_dir=tmp_path / "q")


def test_engine_route_needs_parquet_events_and_route_must_be_known(tmp_path: Path) -> None:
    events, _, jr, _ = _planted(customers=20, seed=10)
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"route='engine'.*Parquet.*events\.csv"):
        load({"events": path}, journey=jr, route="engine")
    with pytest.raises(ValueError, match=r"route='fast'.*'auto', 'engine', 'pandas'"):
        load({"events": path}, journey=jr, route="fast")


def test_parts_with_different_columns_are_refused(tmp_path: Path) -> None:
    events, _, jr, _ = _planted(customers=20, seed=11)
    parts = tmp_path / "events"
    parts.mkdir()
    events.iloc[:100].to_parquet(parts / "a.parquet", index=False)
    events.iloc[100:].drop(columns=["note"]).to_parquet(parts / "b.parquet", index=False)
    for route in ("pandas", "engine"):
        with pytest.raises(DataError, match=r"b\.parquet: its columns .* differ from those of .*a\.parquet"):
            load({"events": parts}, journey=jr, route=route)


# ---------------------------------------------------------------------- Spark
@pytest.mark.spark
def test_engine_route_on_spark_gives_the_pandas_routes_report_quarantine_and_results(spark_engine: Engine, tmp_path: Path) -> None:
    events, _, jr, expected = _planted(customers=120, seed=12)
    parts = tmp_path / "events"
    parts.mkdir()
    events.iloc[:700].to_parquet(parts / "part-0.parquet", index=False)
    events.iloc[700:].to_parquet(parts / "part-1.parquet", index=False)
    a = load({"events": parts}, journey=jr, route="pandas", quarantine_dir=tmp_path / "q_pandas", engine=get_engine())
    b = load({"events": parts}, journey=jr, route="engine", quarantine_dir=tmp_path / "q_engine", engine=spark_engine)
    assert b.report["events"].reasons == expected
    _assert_same_dataset(a, b)


def test_printed_report_names_the_route(planted_folder: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = planted_folder
    text = str(load(folder, route="engine", quarantine_dir=tmp_path / "q").report)
    assert "route engine" in text and "duplicate_event 3" in text
