"""jv.load: readers (CSV flavours, Excel, Parquet, DataFrames), mapping, wide surveys, validation rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journeyviz as jv
from journeyviz.dataset import EVENT_COLUMNS
from journeyviz.io import REASONS, load
from journeyviz.journey import Scale


def _journey() -> jv.Journey:
    base = jv.Journey.template("lifecycle", lang="fr")
    scales = dict(base.scales)
    scales["perception"] = Scale(1.0, 7.0, (0.0, 99.0))
    scales["expectation"] = Scale(1.0, 7.0, (99.0,))
    return base.with_changes(scales=scales)


JOURNEY = _journey()
BRAND = JOURNEY.brand


def _events(**extra: list) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2", "c2", "c3"],
            "timestamp": ["2025-03-01 10:00:00", "2025-03-01 11:00:00", "2025-03-02 09:00:00", "2025-03-02 09:30:00", "2025-03-03 12:00:00"],
            "touchpoint": ["shop_window", "store_checkout", "website_visit", "online_checkout", "social_ad"],
        }
    )
    for key, values in extra.items():
        frame[key] = values
    return frame


def _ratings(**extra: list) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "respondent_id": ["r1", "r1", "r2", "r3"],
            "touchpoint": ["shop_window", "store_checkout", "shop_window", "website_visit"],
            "perception": [5, 6, 3, 7],
        }
    )
    for key, values in extra.items():
        frame[key] = values
    return frame


def _folder(tmp_path: Path, journey: jv.Journey = JOURNEY) -> Path:
    folder = tmp_path / "ds"
    folder.mkdir()
    journey.to_yaml(folder / "journey.yml")
    return folder


def _events_pd(ds: jv.Dataset) -> pd.DataFrame:
    return ds.engine.to_pandas(ds.events.order_by("event_id"))


# ---------------------------------------------------------------------- canonical output
def test_events_have_exactly_the_canonical_columns_and_dtypes() -> None:
    ds = load({"events": _events()}, journey=JOURNEY)
    frame = _events_pd(ds)
    assert list(frame.columns) == list(EVENT_COLUMNS)
    assert frame["event_id"].dtype == "int64" and frame["stage_order"].dtype == "int64"
    assert frame["value"].dtype == "float64"
    assert str(frame["timestamp"].dtype).startswith("datetime64") and getattr(frame["timestamp"].dt, "tz", None) is None
    assert list(frame["event_id"]) == list(range(5))


def test_event_ids_follow_customer_then_time_then_input_order() -> None:
    events = pd.DataFrame(
        {
            "customer_id": ["b", "a", "a", "a"],
            "timestamp": ["2025-01-01 10:00", "2025-01-02 10:00", "2025-01-01 10:00", "2025-01-01 10:00"],
            "touchpoint": ["shop_window", "social_ad", "website_visit", "product_page"],
        }
    )
    frame = _events_pd(load({"events": events}, journey=JOURNEY))
    assert frame["touchpoint"].tolist() == ["website_visit", "product_page", "social_ad", "shop_window"]


def test_stage_order_channel_and_brand_come_from_the_catalogue_when_missing() -> None:
    frame = _events_pd(load({"events": _events()}, journey=JOURNEY)).set_index("touchpoint")
    assert frame.at["store_checkout", "stage"] == "purchase"
    assert frame.at["store_checkout", "stage_order"] == JOURNEY.stage_order("purchase")
    assert frame.at["social_ad", "channel"] == "social"
    assert set(frame["brand"]) == {BRAND}


def test_given_channel_and_brand_are_kept_and_blanks_filled() -> None:
    frame = _events_pd(load({"events": _events(channel=["web", None, "", "app", None], brand=[None, "Rival", "", BRAND, BRAND])}, journey=JOURNEY))
    by_tp = frame.set_index("touchpoint")
    assert by_tp.at["shop_window", "channel"] == "web"  # the file's channel wins over the catalogue's store
    assert by_tp.at["store_checkout", "channel"] == "store"
    assert by_tp.at["store_checkout", "brand"] == "Rival"
    assert by_tp.at["website_visit", "brand"] == BRAND


def test_naive_timestamps_are_local_to_the_journey_and_stored_as_utc() -> None:
    events = _events()
    events["timestamp"] = ["2025-01-15 10:00", "2025-07-15 10:00", "2025-03-02 09:00:00+00:00", "2025-03-02 09:30:00-05:00", "2025-03-03T12:00:00Z"]
    frame = _events_pd(load({"events": events}, journey=JOURNEY)).set_index("touchpoint")
    assert frame.at["shop_window", "timestamp"] == pd.Timestamp("2025-01-15 09:00")  # CET = UTC+1
    assert frame.at["store_checkout", "timestamp"] == pd.Timestamp("2025-07-15 08:00")  # CEST = UTC+2
    assert frame.at["website_visit", "timestamp"] == pd.Timestamp("2025-03-02 09:00")
    assert frame.at["online_checkout", "timestamp"] == pd.Timestamp("2025-03-02 14:30")  # mixed offsets → UTC
    assert frame.at["social_ad", "timestamp"] == pd.Timestamp("2025-03-03 12:00")


def test_typed_timestamps_naive_and_aware() -> None:
    events = _events()
    events["timestamp"] = pd.to_datetime(events["timestamp"])
    naive = _events_pd(load({"events": events}, journey=JOURNEY))
    events["timestamp"] = events["timestamp"].dt.tz_localize("UTC")
    aware = _events_pd(load({"events": events}, journey=JOURNEY))
    assert (aware["timestamp"] - naive["timestamp"]).eq(pd.Timedelta(hours=1)).all()


def test_customers_ratings_respondents_are_pandas_with_canonical_columns() -> None:
    respondents = pd.DataFrame({"respondent_id": ["r1", "r2", "r3"], "customer_id": ["c1", None, "c3"], "nps": ["9", "3", "10"], "churned": ["non", "oui", ""], "age": ["34", "51", "28"]})
    customers = pd.DataFrame({"customer_id": [1, 2, 3], "region": ["Nord", "Sud", None]})
    ds = load({"events": _events(), "customers": customers, "ratings": _ratings(), "respondents": respondents}, journey=JOURNEY)
    assert ds.customers["customer_id"].tolist() == ["1", "2", "3"] and pd.api.types.is_string_dtype(ds.customers["customer_id"])
    assert list(ds.ratings.columns[:5]) == ["respondent_id", "brand", "touchpoint", "stage", "perception"]
    assert ds.ratings["stage"].tolist() == ["awareness", "purchase", "awareness", "consideration"]
    assert ds.respondents["nps"].dtype == "float64" and ds.respondents["churned"].tolist()[:2] == [False, True]
    assert pd.isna(ds.respondents["churned"].iloc[2])
    assert ds.respondents["age"].dtype == "int64"
    assert ds.respondents["brand"].eq(BRAND).all()


def test_rated_stage_without_touchpoint_is_kept() -> None:
    ratings = pd.DataFrame({"respondent_id": ["r1", "r2"], "stage": ["delivery", "purchase"], "perception": [4, 5]})
    ds = load({"ratings": ratings}, journey=JOURNEY)
    assert ds.ratings["stage"].tolist() == ["delivery", "purchase"]
    assert ds.ratings["touchpoint"].isna().all()
    assert ds.events is None


# ---------------------------------------------------------------------- French files and encodings
FRENCH = (
    "Numéro client;Date et heure;Point de contact;Montant (€);Région\n"
    "c1;21/03/2025 14:05;shop_window;12,50;Île-de-France\n"
    "c1;21/03/2025 15:10;store_checkout;1 234,75;Île-de-France\n"
    "c2;05/04/2025;website_visit;;Provence-Alpes-Côte d'Azur\n"
)


def test_french_cp1252_semicolon_decimal_comma_loads_with_no_options(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "events.csv").write_bytes(FRENCH.encode("cp1252"))
    ds = load(folder, mapping={"Numéro client": "customer_id", "Date et heure": "timestamp", "Point de contact": "touchpoint", "Montant (€)": "value"})
    frame = _events_pd(ds)
    assert frame["value"].tolist()[:2] == [12.5, 1234.75]
    assert frame["timestamp"].tolist() == [pd.Timestamp("2025-03-21 13:05"), pd.Timestamp("2025-03-21 14:10"), pd.Timestamp("2025-04-04 22:00")]
    detected = ds.report["events"].detected
    assert detected["encoding"] == "cp1252" and detected["separator"] == ";" and detected["decimal"] == ","
    assert "dd/mm/yyyy HH:MM" in detected["date_format"]


def test_french_columns_map_without_a_mapping_when_names_differ_only_by_case(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "customers.csv").write_bytes("Customer ID;Région;Panier moyen\nc1;Île-de-France;12,5\nc2;Bretagne;3\n".encode("latin-1"))
    (folder / "events.csv").write_text("customer_id,timestamp,touchpoint\nc1,2025-03-01 10:00,shop_window\n", encoding="utf-8")
    ds = load(folder)
    assert ds.customers["Région"].tolist() == ["Île-de-France", "Bretagne"]
    assert ds.customers["Panier moyen"].tolist() == [12.5, 3.0]
    assert ds.report["customers"].detected["renamed"] == {"Customer ID": "customer_id"}


def test_utf8_with_bom(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "events.csv").write_text("customer_id,timestamp,touchpoint\nÉlodie,2025-03-01 10:00,shop_window\n", encoding="utf-8-sig")
    ds = load(folder)
    assert _events_pd(ds)["customer_id"].tolist() == ["Élodie"]
    assert ds.report["events"].detected["encoding"] == "utf-8-sig"


def test_accent_beyond_the_sniffed_sample_falls_back_to_cp1252(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    body = "".join(f"c{i},2025-03-01 10:00:{i % 60:02d},shop_window\n" for i in range(40000))
    text = "customer_id,timestamp,touchpoint\n" + body + "Hélène,2025-03-02 10:00,shop_window\n"
    (folder / "events.csv").write_bytes(text.encode("cp1252"))
    ds = load(folder)
    assert ds.report["events"].detected["encoding"] == "cp1252"
    assert "Hélène" in set(_events_pd(ds)["customer_id"])


def test_tab_separated_and_us_month_first_dates(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "events.tsv").write_text("customer_id\ttimestamp\ttouchpoint\nc1\t03/21/2025 10:00\tshop_window\n", encoding="utf-8")
    ds = load(folder)
    assert ds.report["events"].detected["separator"] == "\t"
    assert ds.report["events"].detected["date_format"] == "mm/dd/yyyy HH:MM"
    assert _events_pd(ds)["timestamp"].iloc[0] == pd.Timestamp("2025-03-21 09:00")


# ---------------------------------------------------------------------- Excel, Parquet
def test_excel(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    events = _events()
    events["timestamp"] = pd.to_datetime(events["timestamp"])
    events.to_excel(folder / "events.xlsx", index=False)
    _ratings().to_excel(folder / "ratings.xlsx", index=False)
    ds = load(folder)
    assert ds.report["events"].accepted == 5 and ds.report["events"].detected["format"] == "xlsx"
    assert ds.ratings["perception"].tolist() == [5.0, 6.0, 3.0, 7.0]


def test_excel_rejected_rows_name_their_spreadsheet_row(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _events(touchpoint=["shop_window", "nowhere", "website_visit", "online_checkout", "social_ad"]).to_excel(folder / "events.xlsx", index=False)
    ds = load(folder)
    quarantined = pd.read_csv(ds.report["events"].quarantine_path)
    assert quarantined["_row"].tolist() == [3]  # header is row 1


def test_parquet(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    events = _events(value=[1.5, None, 2.0, None, 3.0], session_id=["s1", "s1", "s2", None, "s3"])
    events["timestamp"] = pd.to_datetime(events["timestamp"])
    events.to_parquet(folder / "events.parquet", index=False)
    ds = load(folder)
    frame = _events_pd(ds)
    assert frame["value"].sum() == pytest.approx(6.5)
    assert frame["session_id"].isna().sum() == 1
    assert ds.report["events"].detected["format"] == "parquet"


def test_single_file_path_and_journey_template_name(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    _events().to_csv(path, index=False)
    ds = load(path, journey="lifecycle")
    assert ds.report["events"].accepted == 5 and ds.journey.name == jv.Journey.template("lifecycle").name


def test_journey_as_a_yaml_path(tmp_path: Path) -> None:
    yml = JOURNEY.to_yaml(tmp_path / "my.yml")
    ds = load({"events": _events()}, journey=yml)
    assert ds.journey.scales["perception"].missing == (0.0, 99.0)


# ---------------------------------------------------------------------- mapping
def test_nested_mapping_per_table() -> None:
    events = _events().rename(columns={"customer_id": "client", "timestamp": "quand", "touchpoint": "pdc"})
    ratings = _ratings().rename(columns={"respondent_id": "id", "perception": "note"})
    ds = load({"events": events, "ratings": ratings}, journey=JOURNEY, mapping={"events": {"client": "customer_id", "quand": "timestamp", "pdc": "touchpoint"}, "ratings": {"id": "respondent_id", "note": "perception"}})
    assert ds.report["events"].accepted == 5 and ds.report["ratings"].accepted == 4
    assert ds.report["ratings"].detected["renamed"] == {"id": "respondent_id", "note": "perception"}


def test_flat_mapping_applies_to_every_table_with_the_column() -> None:
    events = _events().rename(columns={"customer_id": "client"})
    customers = pd.DataFrame({"client": ["c1", "c2"], "age": [30, 40]})
    ds = load({"events": events, "customers": customers}, journey=JOURNEY, mapping={"client": "customer_id"})
    assert ds.customers.columns.tolist() == ["customer_id", "age"]
    assert _events_pd(ds)["customer_id"].nunique() == 3


# ---------------------------------------------------------------------- wide survey exports
def _wide() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ID": ["r1", "r2", "r3"],
            "Q1_vitrine_perception": ["6", "", "99"],
            "Q1_vitrine_attente": ["7", "", "5"],
            "Q2_caisse": ["4", "5", ""],
            "Q9_rival_vitrine": ["3", "", ""],
            "Age": ["34", "51", "28"],
            "Recommandation": ["9", "6", "10"],
        }
    )


WIDE_COLUMNS = {
    "Q1_vitrine_perception": {"touchpoint": "shop_window", "scale": "perception"},
    "Q1_vitrine_attente": {"touchpoint": "shop_window", "scale": "expectation"},
    "Q2_caisse": {"touchpoint": "store_checkout"},
    "Q9_rival_vitrine": {"touchpoint": "shop_window", "scale": "perception", "brand": "Rival"},
}


def test_wide_survey_melts_into_ratings_and_respondents() -> None:
    ds = load({}, journey=JOURNEY, wide_ratings={"file": _wide(), "id": "ID", "columns": WIDE_COLUMNS, "respondent_columns": {"Recommandation": "nps", "Age": "age"}})
    r = ds.ratings.sort_values(["respondent_id", "brand", "touchpoint"]).reset_index(drop=True)
    # r1: vitrine (ours, perception+expectation), caisse, rival vitrine; r2: caisse; r3: vitrine (99 → not rated, expectation 5)
    assert list(zip(r["respondent_id"], r["brand"], r["touchpoint"])) == [
        ("r1", BRAND, "shop_window"), ("r1", BRAND, "store_checkout"), ("r1", "Rival", "shop_window"),
        ("r2", BRAND, "store_checkout"), ("r3", BRAND, "shop_window"),
    ]
    assert r.loc[0, "perception"] == 6 and r.loc[0, "expectation"] == 7
    assert np.isnan(r.loc[4, "perception"]) and r.loc[4, "expectation"] == 5
    assert ds.report["ratings"].read == 5 and ds.report["ratings"].not_rated == {"perception": 1}
    assert ds.respondents.columns.tolist() == ["respondent_id", "brand", "nps", "age"]
    assert ds.respondents["nps"].tolist() == [9.0, 6.0, 10.0]


def test_wide_survey_pattern_from_a_csv_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    wide = pd.DataFrame({"rid": ["a", "b"], "Q3_shop_window_perception": ["5,5", "2"], "Q3_shop_window_importance": ["7", ""], "Commentaire": ["super", ""]})
    wide.to_csv(folder / "survey.csv", sep=";", index=False)
    ds = load(folder, wide_ratings={"file": "survey.csv", "id": "rid", "pattern": r"Q\d+_(?P<touchpoint>[a-z_]+)_(?P<scale>perception|importance)"})
    assert ds.ratings["perception"].tolist() == [5.5, 2.0]
    assert ds.ratings["importance"].tolist()[0] == 7.0 and np.isnan(ds.ratings["importance"].tolist()[1])
    assert ds.report["ratings"].detected["decimal"] == ","
    assert ds.respondents.columns.tolist() == ["respondent_id", "brand", "Commentaire"]


def test_wide_survey_pattern_with_stage_group(tmp_path: Path) -> None:
    wide = pd.DataFrame({"rid": ["a", "b"], "S_delivery_perception": ["6", ""], "S_usage_perception": ["", "2"]})
    ds = load({}, journey=JOURNEY, wide_ratings={"file": wide, "id": "rid", "pattern": r"S_(?P<stage>[a-z]+)_(?P<scale>perception)"})
    assert sorted(ds.ratings["stage"]) == ["delivery", "usage"] and ds.ratings["touchpoint"].isna().all()


# ---------------------------------------------------------------------- validation rules
def _reasons(ds: jv.Dataset, table: str) -> dict[str, int]:
    return ds.report[table].reasons


def test_missing_customer_id_and_blank_timestamp_and_touchpoint() -> None:
    events = _events()
    events.loc[0, "customer_id"] = "  "
    events.loc[1, "timestamp"] = None
    events.loc[2, "touchpoint"] = ""
    assert _reasons(load({"events": events}, journey=JOURNEY), "events") == {"missing_customer_id": 1, "missing_timestamp": 1, "missing_touchpoint": 1}


def test_bad_timestamp_unknown_touchpoint_and_bad_value() -> None:
    events = _events(value=["1", "x", None, None, None])
    events.loc[0, "timestamp"] = "31/02/2025"
    events.loc[2, "touchpoint"] = "teleport"
    assert _reasons(load({"events": events}, journey=JOURNEY), "events") == {"bad_timestamp": 1, "unknown_touchpoint": 1, "bad_number:value": 1}


def test_duplicate_events_keep_the_first() -> None:
    events = pd.concat([_events(), _events().iloc[[1]]], ignore_index=True)
    events.loc[5, "timestamp"] = "2025-03-01T11:00:00+01:00"  # the same instant written differently
    ds = load({"events": events}, journey=JOURNEY)
    assert _reasons(ds, "events") == {"duplicate_event": 1}
    assert pd.read_csv(ds.report["events"].quarantine_path)["_row"].tolist() == [6]


def test_same_contact_with_another_brand_is_not_a_duplicate() -> None:
    events = pd.concat([_events(), _events().iloc[[1]]], ignore_index=True)
    events["brand"] = [BRAND] * 5 + ["Rival"]
    assert load({"events": events}, journey=JOURNEY).report["events"].rejected == 0


def test_stage_given_must_agree_with_the_catalogue() -> None:
    events = _events(stage=["awareness", "awareness", "", "purchase", "nowhere"])
    assert _reasons(load({"events": events}, journey=JOURNEY), "events") == {"stage_mismatch": 1, "unknown_stage": 1}


def test_rating_rules() -> None:
    ratings = pd.DataFrame(
        {
            "respondent_id": ["r1", "", "r2", "r3", "r4", "r5", "r6", "r6", "r7"],
            "touchpoint": ["shop_window", "shop_window", None, "teleport", "shop_window", "shop_window", "social_ad", "social_ad", "shop_window"],
            "stage": [None, None, "nowhere", None, None, None, None, None, "purchase"],
            "perception": ["5", "5", "5", "5", "8", "bien", "4", "4", "3"],
        }
    )
    assert _reasons(load({"ratings": ratings}, journey=JOURNEY), "ratings") == {
        "missing_respondent_id": 1, "unknown_stage": 1, "unknown_touchpoint": 1,
        "out_of_scale:perception": 1, "bad_number:perception": 1, "duplicate_rating": 1, "stage_mismatch": 1,
    }


def test_ratings_of_unknown_respondents_are_set_aside_when_respondents_are_given() -> None:
    respondents = pd.DataFrame({"respondent_id": ["r1", "r2"]})
    ds = load({"ratings": _ratings(), "respondents": respondents}, journey=JOURNEY)
    assert _reasons(ds, "ratings") == {"unknown_respondent": 1}
    assert load({"ratings": _ratings()}, journey=JOURNEY).report["ratings"].rejected == 0


def test_missing_value_codes_become_nan_and_are_counted_not_rejected() -> None:
    ratings = _ratings(expectation=[99, 5, None, 6])
    ratings["perception"] = [0, 6, 99, None]
    ds = load({"ratings": ratings}, journey=JOURNEY)
    tr = ds.report["ratings"]
    assert tr.rejected == 0 and tr.not_rated == {"perception": 2, "expectation": 1}
    assert tr.not_asked == {"perception": 1, "expectation": 1}
    assert ds.ratings["perception"].isna().sum() == 3 and ds.ratings["perception"].mean() == 6


def test_respondent_rules() -> None:
    respondents = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r2", None, "r4", "r5", "r6"],
            "date": ["21/03/2025", "22/03/2025", "22/03/2025", "22/03/2025", "hier", "22/03/2025", "22/03/2025"],
            "nps": ["9", "8", "8", "7", "6", "11", "10"],
            "churned": ["oui", "non", "non", "non", "non", "non", "peut-être"],
        }
    )
    ds = load({"ratings": _ratings(), "respondents": respondents}, journey=JOURNEY)
    assert _reasons(ds, "respondents") == {"duplicate_respondent": 1, "missing_respondent_id": 1, "bad_date": 1, "out_of_scale:nps": 1, "bad_boolean:churned": 1}
    assert ds.respondents["date"].iloc[0] == pd.Timestamp("2025-03-21")  # a date stays a date, no time-zone shift


def test_customers_rules() -> None:
    customers = pd.DataFrame({"customer_id": ["c1", "c1", "", "c2"], "age": ["30", "31", "40", "25"]})
    ds = load({"events": _events(), "customers": customers}, journey=JOURNEY)
    assert _reasons(ds, "customers") == {"duplicate_customer": 1, "missing_customer_id": 1}
    assert ds.customers["age"].tolist() == [30, 25]


def test_every_reason_code_used_is_documented() -> None:
    documented = {r.split(":")[0] for r in REASONS}
    events = _events(value=["1", "x", None, None, None])
    events.loc[0, "touchpoint"] = "teleport"
    ds = load({"events": events, "ratings": _ratings(perception=[9, 1, 2, 3])}, journey=JOURNEY)
    used = {r.split(":")[0] for t in ds.report.tables.values() for r in t.reasons}
    assert used and used <= documented
    doc = (Path(__file__).parents[1] / "docs" / "data.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in doc for code in REASONS)


def test_quarantine_default_folder_and_stale_file_removed(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    bad = _events(touchpoint=["shop_window", "nowhere", "website_visit", "online_checkout", "social_ad"])
    bad.to_csv(folder / "events.csv", index=False)
    ds = load(folder)
    path = Path(ds.report["events"].quarantine_path)
    assert path == folder / "_quarantine" / "events.csv"
    q = pd.read_csv(path)
    assert q.columns.tolist() == ["customer_id", "timestamp", "touchpoint", "_reason", "_row"]
    assert q.loc[0, "touchpoint"] == "nowhere" and q.loc[0, "_row"] == 3
    _events().to_csv(folder / "events.csv", index=False)
    assert load(folder).report["events"].quarantine_path is None and not path.exists()


def test_quarantine_dir_and_in_memory_input(tmp_path: Path) -> None:
    bad = _events(touchpoint=["shop_window", "nowhere", "website_visit", "online_checkout", "social_ad"])
    ds = load({"events": bad}, journey=JOURNEY, quarantine_dir=tmp_path / "q")
    assert ds.report["events"].quarantine_path == str(tmp_path / "q" / "events.csv")
    ds = load({"events": bad}, journey=JOURNEY)
    assert Path(ds.report["events"].quarantine_path).exists()


def test_progress_callback_and_engine_argument() -> None:
    seen: list[str] = []
    eng = jv.get_engine()
    ds = load({"events": _events()}, journey=JOURNEY, engine=eng, progress=seen.append)
    assert ds.engine is eng and any("events" in m for m in seen)


def test_load_output_feeds_an_analysis() -> None:
    ds = load({"events": _events()}, journey=JOURNEY)
    result = jv.funnel(ds)
    assert len(result) == len(JOURNEY.stages)


def test_typed_respondent_dates_are_not_shifted_and_codes_keep_leading_zeros() -> None:
    respondents = pd.DataFrame({"respondent_id": ["r1", "r2", "r3"], "date": pd.to_datetime(["2025-03-21 00:00", "2025-03-22 00:00", "2025-03-22 12:00"]), "postcode": ["01000", "75001", "13001"]})
    ds = load({"ratings": _ratings(), "respondents": respondents}, journey=JOURNEY)
    assert ds.respondents["date"].tolist() == [pd.Timestamp("2025-03-21"), pd.Timestamp("2025-03-22"), pd.Timestamp("2025-03-22 11:00")]
    assert ds.respondents["postcode"].tolist() == ["01000", "75001", "13001"]


@pytest.mark.spark
def test_events_load_identically_into_pyspark(spark_engine) -> None:
    events = _events(value=["1,5", None, "2", None, "3"], brand=[None, "Rival", None, None, None])
    duck = _events_pd(load({"events": events}, journey=JOURNEY))
    spark_ds = load({"events": events}, journey=JOURNEY, engine=spark_engine)
    spark = spark_ds.engine.to_pandas(spark_ds.events.order_by("event_id"))
    assert list(spark.columns) == list(EVENT_COLUMNS)
    pd.testing.assert_frame_equal(
        spark.assign(timestamp=spark["timestamp"].astype("datetime64[us]")),
        duck,
        check_dtype=False,
    )
