"""The sample generator: determinism, scale, canonical columns, and each planted fact at the data level.

Planted facts are checked with plain pandas on generated frames (not through the analyses), so a
failure here means the data lost the fact, not that an analysis missed it.
"""

from __future__ import annotations

import filecmp
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeyviz.samples import PLANTED, SampleData, generate, write_sample

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
LIFE = PLANTED["lifecycle"]
HOTEL = PLANTED["hotel"]
CHECKOUTS = ["online_checkout", "app_checkout", "store_checkout"]
CONSIDERATION = [
    "website_visit", "product_page", "app_browse", "account_creation", "newsletter_promo", "chat_advice",
    "store_layout", "staff_greeting", "highlighted_product", "instore_advice", "return_policy",
]  # fmt: skip


@pytest.fixture(scope="module")
def life() -> SampleData:
    return generate(customers=20_000, seed=7)


@pytest.fixture(scope="module")
def hotel() -> SampleData:
    return generate(customers=8_000, seed=7, template="hotel")


def _ours(sample: SampleData) -> pd.DataFrame:
    return sample.events[sample.events["brand"] == sample.journey.brand]


def _buyers(sample: SampleData) -> set:
    e = _ours(sample)
    return set(e.loc[e["touchpoint"].isin(CHECKOUTS), "customer_id"])


def _clean_ratings(sample: SampleData) -> pd.DataFrame:
    """Ratings with the declared "don't know" code read as missing, and the gap."""
    codes = sample.journey.scale("perception").missing
    r = sample.ratings.copy()
    for col in ("perception", "expectation"):
        r[col] = r[col].where(~r[col].isin(codes))
    r["gap"] = r["perception"] - r["expectation"]
    return r


# ---------------------------------------------------------------------- determinism and scale
def test_same_seed_gives_identical_frames():
    a, b = generate(customers=2_000, seed=3), generate(customers=2_000, seed=3)
    for name, frame in a.tables().items():
        pd.testing.assert_frame_equal(frame, b.tables()[name])


def test_different_seed_gives_different_data():
    a, b = generate(customers=2_000, seed=3), generate(customers=2_000, seed=4)
    assert len(a.events) != len(b.events) or not a.events.equals(b.events)
    assert not a.customers["age"].equals(b.customers["age"])


def test_twenty_thousand_customers_generate_in_seconds():
    start = time.perf_counter()
    sample = generate(customers=20_000, seed=1)
    assert time.perf_counter() - start < 20
    assert 8 <= len(sample.events) / 20_000 <= 14


def test_customer_count_and_defaults_follow_the_template():
    assert len(generate(customers=1_234).customers) == 1_234
    hotel = generate(template="hotel")
    assert len(hotel.customers) == 1_500 and hotel.journey.language == "en"
    assert generate(customers=500).journey.language == "fr"


# ---------------------------------------------------------------------- canonical shape
def test_columns_and_dtypes_are_canonical(life):
    ev = life.events
    assert list(ev.columns) == ["customer_id", "timestamp", "touchpoint", "channel", "brand", "session_id", "value"]
    assert ev["timestamp"].dtype == "datetime64[us]" and ev["timestamp"].dt.tz is None
    assert ev["value"].dtype == "float64"
    for col in ("customer_id", "touchpoint", "channel", "brand", "session_id"):
        assert ev[col].dtype == "str", col
    assert list(life.ratings.columns) == ["respondent_id", "brand", "touchpoint", "perception", "expectation", "importance"]
    assert all(life.ratings[c].dtype == "float64" for c in ("perception", "expectation", "importance"))
    assert list(life.respondents.columns) == ["respondent_id", "customer_id", "brand", "date", "overall", "nps", "ces", "churned"]
    assert life.respondents["churned"].dtype == bool
    assert life.customers["customer_id"].is_unique and life.respondents["respondent_id"].is_unique
    assert {"age", "age_band", "gender", "region", "acquisition_channel"} <= set(life.customers.columns)


def test_every_touchpoint_is_in_the_catalogue_and_every_one_is_used(life, hotel):
    for sample in (life, hotel):
        catalogue = set(sample.journey.touchpoint_ids)
        assert set(sample.events["touchpoint"]) == catalogue
        assert set(sample.ratings["touchpoint"]) <= catalogue
        channels = sample.journey.catalogue().set_index("touchpoint")["channel"]
        assert (sample.events["channel"] == sample.events["touchpoint"].map(channels)).all()


def test_events_are_sorted_within_2025_and_reference_known_customers(life, hotel):
    for sample in (life, hotel):
        ev = sample.events
        assert ev["timestamp"].min() >= pd.Timestamp("2025-01-01") and ev["timestamp"].max() < pd.Timestamp("2026-01-01")
        assert set(ev["customer_id"]) <= set(sample.customers["customer_id"])
        key = ev[["customer_id", "timestamp"]]
        assert key.equals(key.sort_values(["customer_id", "timestamp"], kind="stable"))
        ours = sample.respondents["customer_id"].dropna()
        assert set(ours) <= set(sample.customers["customer_id"])
        assert set(sample.ratings["respondent_id"]) <= set(sample.respondents["respondent_id"])


def test_ratings_stay_on_their_scales_or_declared_codes(life):
    for col in ("perception", "expectation"):
        values = life.ratings[col]
        allowed = values.between(1, 7) | values.isin(life.journey.scale(col).missing)
        assert allowed.all()
        assert (values == 99).any()
    assert life.ratings["importance"].dropna().between(1, 7).all() and life.ratings["importance"].isna().any()
    assert life.respondents["nps"].between(0, 10).all()


def test_competitors_appear_in_events_ratings_and_respondents(life):
    comps = {"Atelier Nord", "Casa Verde"}
    for frame in (life.events, life.ratings, life.respondents):
        assert set(frame["brand"]) == {"Maison Lumière"} | comps
    assert life.respondents.loc[life.respondents["brand"] != "Maison Lumière", "customer_id"].isna().all()
    solo = generate(customers=1_000, competitors=())
    assert set(solo.events["brand"]) == {"Maison Lumière"}


def test_journeys_leak_from_our_brand_to_a_competitor(life):
    ev = life.events
    ours = ev["brand"] == "Maison Lumière"
    last_ours = ev[ours].groupby("customer_id")["timestamp"].max()
    comp = ev[~ours].merge(last_ours.rename("last_ours"), on="customer_id")
    leaked = comp.loc[comp["timestamp"] > comp["last_ours"], "customer_id"].nunique()
    assert leaked > 0.05 * len(life.customers)


# ---------------------------------------------------------------------- planted facts (lifecycle)
def test_planted_friction_account_creation_loses_people(life):
    e, buyers = _ours(life), _buyers(life)
    rate = {}
    for tp in CONSIDERATION:
        who = set(e.loc[e["touchpoint"] == tp, "customer_id"])
        rate[tp] = 1 - len(who & buyers) / len(who)
    friction = LIFE["friction"]
    assert rate["account_creation"] == pytest.approx(friction["non_purchase_rate"], abs=0.05)
    others = [v for k, v in rate.items() if k != "account_creation"]
    assert max(others) <= friction["other_max_non_purchase_rate"]
    assert rate["account_creation"] > max(others) + 0.15


def test_planted_friction_is_where_journeys_end(life):
    e = _ours(life)
    before = e[e["touchpoint"].isin(CONSIDERATION)]
    exits = e.groupby("customer_id")["touchpoint"].last().value_counts()
    reach = before.groupby("touchpoint")["customer_id"].nunique()
    exit_rate = (exits.reindex(reach.index).fillna(0) / reach).sort_values(ascending=False)
    assert exit_rate.index[0] == "account_creation"
    assert exit_rate.iloc[0] > 2 * exit_rate.iloc[1]


def test_planted_negative_gap_at_home_delivery(life):
    r = _clean_ratings(life)
    gaps = r[r["brand"] == "Maison Lumière"].groupby("touchpoint")["gap"].mean()
    planted = LIFE["negative_gap"]
    assert gaps[planted["touchpoint"]] == pytest.approx(planted["gap"], abs=0.15)
    low, high = planted["others_gap_range"]
    assert gaps.drop(planted["touchpoint"]).between(low, high).all()


def test_planted_ropo_segment_researches_online_and_buys_in_store(life):
    e = _ours(life)
    buys = e[e["touchpoint"].isin(CHECKOUTS)].groupby("customer_id").agg(bought_at=("timestamp", "min"), buy_channel=("channel", "first"))
    ev = e.merge(buys, on="customer_id")
    online_before = ev[(ev["timestamp"] < ev["bought_at"]) & ev["channel"].isin(["web", "app"]) & ev["touchpoint"].isin(CONSIDERATION)]
    buys["ropo"] = (buys["buy_channel"] == "store") & buys.index.isin(online_before["customer_id"])
    seg = LIFE["ropo_segment"]
    buys = buys.join(life.customers.set_index("customer_id")[seg["column"]])
    inside = buys.loc[buys[seg["column"]] == seg["value"], "ropo"].mean()
    outside = buys.loc[buys[seg["column"]] != seg["value"], "ropo"].mean()
    assert inside == pytest.approx(seg["ropo_share"], abs=0.05)
    assert outside == pytest.approx(seg["others_ropo_share"], abs=0.05)


def test_planted_competitor_lead_at_instore_advice(life):
    r = _clean_ratings(life)
    means = r.groupby(["touchpoint", "brand"])["perception"].mean().unstack("brand")
    lead = LIFE["competitor_lead"]
    diff = means[lead["competitor"]] - means[lead["brand"]]
    assert diff[lead["touchpoint"]] == pytest.approx(lead["difference"], abs=0.2)
    assert (diff.drop(lead["touchpoint"]).dropna() < 0.05).all()
    assert (means["Casa Verde"] - means["Maison Lumière"]).dropna().max() < 0.05


def test_planted_churn_after_a_bad_experience(life):
    resp = life.respondents
    group = np.select([resp["nps"] <= 6, resp["nps"] <= 8], ["detractors", "passives"], "promoters")
    churn = resp.groupby(group)["churned"].mean()
    for name, rate in LIFE["churn"].items():
        assert churn[name] == pytest.approx(rate, abs=0.05), name
    assert 0.15 < (group == "promoters").mean() < 0.5 and 0.15 < (group == "detractors").mean() < 0.5


def test_planted_intrusive_newsletter(life):
    e, buyers = _ours(life), _buyers(life)
    planted = LIFE["intrusive"]
    contacts = e[e["touchpoint"] == planted["touchpoint"]].groupby("customer_id").size()
    assert contacts.mean() == pytest.approx(planted["mean_contacts_per_recipient"], abs=0.4)
    per_customer = e.groupby(["customer_id", "touchpoint"]).size().groupby("touchpoint").mean()
    assert per_customer.idxmax() == planted["touchpoint"]
    heavy = contacts.index[contacts >= planted["heavy_threshold"]]
    light = contacts.index[contacts < planted["heavy_threshold"]]
    conversion_heavy = np.isin(heavy, list(buyers)).mean()
    conversion_light = np.isin(light, list(buyers)).mean()
    assert conversion_light - conversion_heavy > 0.12
    r = _clean_ratings(life)
    perception = r[r["brand"] == "Maison Lumière"].groupby("touchpoint")["perception"].mean()
    assert perception[planted["touchpoint"]] == pytest.approx(planted["perception"], abs=0.2)
    assert perception.idxmin() == planted["touchpoint"]


def test_planted_moment_of_truth_drives_overall_satisfaction(life):
    r = _clean_ratings(life)
    wide = r[r["brand"] == "Maison Lumière"].pivot_table(index="respondent_id", columns="touchpoint", values="perception")
    overall = life.respondents.set_index("respondent_id")["overall"].reindex(wide.index)
    corr = wide.corrwith(overall).sort_values(ascending=False)
    truth = LIFE["moment_of_truth"]["touchpoint"]
    assert corr.index[0] == truth
    assert corr.iloc[0] > corr.iloc[1] + 0.25
    gaps = r[r["brand"] == "Maison Lumière"].groupby("touchpoint")["gap"].mean()
    assert gaps[truth] < -1


# ---------------------------------------------------------------------- planted facts (hotel)
def test_hotel_planted_breakfast_gap(hotel):
    r = _clean_ratings(hotel)
    gaps = r.groupby(["brand", "touchpoint"])["gap"].mean()
    planted = HOTEL["negative_gap"]
    ours = gaps.loc[planted["brand"]]
    assert ours[planted["touchpoint"]] == pytest.approx(planted["gap"], abs=0.15)
    assert ours.drop([planted["touchpoint"], "wifi"]).between(-0.3, 0.5).all()
    assert gaps.loc["The Linden Hotel"][planted["touchpoint"]] == pytest.approx(planted["competitor_gap"], abs=0.2)


def test_hotel_planted_wifi_gap_for_business_travellers(hotel):
    r = _clean_ratings(hotel).merge(hotel.respondents[["respondent_id", "customer_id"]], on="respondent_id")
    r = r.merge(hotel.customers[["customer_id", "trip_type"]], on="customer_id")
    seg = HOTEL["segment_gap"]
    gaps = r[r["touchpoint"] == seg["touchpoint"]].groupby(seg["column"])["gap"].mean()
    assert gaps[seg["value"]] == pytest.approx(seg["gap"], abs=0.2)
    assert gaps.drop(seg["value"]).abs().max() < 0.2


def test_hotel_planted_key_driver(hotel):
    r = _clean_ratings(hotel)
    wide = r[r["brand"] == hotel.journey.brand].pivot_table(index="respondent_id", columns="touchpoint", values="perception")
    overall = hotel.respondents.set_index("respondent_id")["overall"].reindex(wide.index)
    corr = wide.corrwith(overall).sort_values(ascending=False)
    assert corr.index[0] == HOTEL["key_driver"]["touchpoint"]
    assert corr.iloc[0] > corr.iloc[1] + 0.2


# ---------------------------------------------------------------------- files
def test_french_csv_round_trips_except_the_planted_damaged_rows(tmp_path):
    sample = generate(customers=3_000, seed=5)
    folder = write_sample(tmp_path / "ml", customers=3_000, seed=5)
    assert (folder / "journey.yml").exists()
    events = pd.read_csv(folder / "events.csv", sep=";", decimal=",", dtype={"customer_id": "str"})
    damaged = sorted((d for d in LIFE["damaged_rows"]["rows"] if d["table"] == "events"), key=lambda d: d["after_row"])
    assert len(events) == len(sample.events) + len(damaged)
    # each copy follows the row it copies, shifted by the copies inserted above it
    positions = [spec["after_row"] + 1 + i for i, spec in enumerate(damaged)]
    for spec, at in zip(damaged, positions):
        value = events.iloc[at][spec["column"]]
        expected = spec.get("value_fr", spec["value"])
        assert (pd.isna(value) and expected is None) or value == expected
    clean = events.drop(index=positions)
    stamps = pd.to_datetime(clean["timestamp"], format="%d/%m/%Y %H:%M")
    assert (stamps.to_numpy() == sample.events["timestamp"].dt.floor("min").to_numpy()).all()
    assert np.allclose(clean["value"].to_numpy(), sample.events["value"].to_numpy(), equal_nan=True)
    head = (folder / "respondents.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].count(";") == 7 and head[1].endswith(("oui", "non"))


def test_plain_csv_and_parquet_round_trip(tmp_path):
    sample = generate(template="hotel", customers=800, seed=2)
    csv = write_sample(tmp_path / "h", template="hotel", customers=800, seed=2)
    ratings = pd.read_csv(csv / "ratings.csv")
    pd.testing.assert_frame_equal(ratings, sample.ratings, check_dtype=False)
    pq = write_sample(tmp_path / "p", customers=800, seed=2, format="parquet")
    assert not (pq / "events.csv").exists()
    events = pd.read_parquet(pq / "events.parquet")
    pd.testing.assert_frame_equal(events, generate(customers=800, seed=2).events, check_dtype=False)


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="template='employee'"):
        generate(template="employee")
    with pytest.raises(ValueError, match="customers=0"):
        generate(customers=0)
    with pytest.raises(ValueError, match="competitors"):
        generate(competitors=["Maison Lumière"])
    with pytest.raises(ValueError, match="format='xlsx'"):
        write_sample("unused", format="xlsx")


@pytest.mark.parametrize(("name", "template"), [("maison_lumiere", "lifecycle"), ("hotel_en", "hotel")])
def test_committed_samples_are_what_the_documented_command_writes(tmp_path, name, template):
    committed = SAMPLES / name
    fresh = write_sample(tmp_path / name, template=template)
    files = ["journey.yml", "events.csv", "customers.csv", "ratings.csv", "respondents.csv"]
    match, mismatch, errors = filecmp.cmpfiles(committed, fresh, files, shallow=False)
    assert match == files, (mismatch, errors)


def _planted_reasons() -> dict[str, dict[str, int]]:
    """The loader's rejection reason expected for each planted damaged row, by table."""
    reason = {"customer_id": "missing_customer_id", "timestamp": "bad_timestamp", "touchpoint": "unknown_touchpoint",
              "perception": "out_of_scale:perception", "nps": "out_of_scale:nps"}  # fmt: skip
    out: dict[str, dict[str, int]] = {}
    for spec in LIFE["damaged_rows"]["rows"]:
        table = out.setdefault(spec["table"], {})
        table[reason[spec["column"]]] = table.get(reason[spec["column"]], 0) + 1
    return out


@pytest.mark.parametrize("name", ["maison_lumiere", "hotel_en"])
def test_committed_samples_load_with_only_the_planted_rejections(tmp_path, name):
    from journeyviz.io import load

    ds = load(SAMPLES / name, quarantine_dir=tmp_path / "q")
    expected = _planted_reasons() if name == "maison_lumiere" else {}
    for table in ("events", "customers", "ratings", "respondents"):
        report = ds.report[table]
        assert report.read == report.accepted + report.rejected
        assert dict(report.reasons) == expected.get(table, {}), table
    assert ds.report.rejected == sum(sum(v.values()) for v in expected.values())
    assert ds.report["ratings"].not_rated.get("perception", 0) > 0


def test_parquet_sample_loads_without_rejections(tmp_path):
    from journeyviz.io import load

    folder = write_sample(tmp_path / "pq", customers=1_500, seed=9, format="parquet")
    ds = load(folder, quarantine_dir=tmp_path / "q")
    assert ds.report.rejected == 0
    assert ds.report["events"].accepted == len(generate(customers=1_500, seed=9).events)
