"""channel_switching: channels before purchase, journey types and leakage to competitors, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses.channels import JOURNEY_TYPES, LEAKAGE_COLUMNS, MATRIX_COLUMNS, TYPE_COLUMNS, channel_switching
from journeyviz.journey import Journey

from conftest import TINY_JOURNEY, build_dataset

# a: web, store → buys in store (research online, buy in store); then reviews
# b: web → leaves for Rival after signing up; c: buys online at once, then browses
# d: store → buys online; e: looks at Rival, us, then buys at Rival (leaks from "site")
ROWS = [
    ("a", "2025-01-01 10:00", "site"),
    ("a", "2025-01-01 12:00", "shop"),
    ("a", "2025-01-02 10:00", "till"),
    ("a", "2025-01-03 00:00", "review"),
    ("b", "2025-01-01 10:00", "site"),
    ("b", "2025-01-01 10:00", "signup"),
    ("b", "2025-01-02 00:00", "site", "Rival"),
    ("c", "2025-01-01 10:00", "checkout"),
    ("c", "2025-01-01 11:00", "site"),
    ("d", "2025-01-01 10:00", "shop"),
    ("d", "2025-01-01 11:00", "checkout"),
    ("e", "2025-01-01 10:00", "site", "Rival"),
    ("e", "2025-01-01 11:00", "site"),
    ("e", "2025-01-01 12:00", "checkout", "Rival"),
]


def test_matrix_counts_channels_used_before_the_purchase_channel():
    out = channel_switching(build_dataset(ROWS))
    assert out.columns.tolist() == MATRIX_COLUMNS
    cells = out.set_index(["channel", "purchase_channel"])
    assert cells.loc[("web", "store"), "customers"] == 1 and cells.loc[("store", "store"), "customers"] == 1
    assert cells.loc[("(none)", "web"), "customers"] == 1  # c bought at its first event
    assert cells.loc[("store", "web"), "share"] == pytest.approx(1 / 2)  # d among 2 online buyers
    assert (cells["purchasers"].xs("web", level="purchase_channel") == 2).all()


def test_journey_types_classify_every_customer():
    out = channel_switching(build_dataset(ROWS), kind="journey_types").set_index("journey_type")
    assert out.index.tolist() == list(JOURNEY_TYPES)
    assert out.loc["research online → buy in store", "customers"] == 1
    assert out.loc["online only", "customers"] == 1
    assert out.loc["store → online", "customers"] == 1
    assert out.loc["no purchase", "customers"] == 2
    assert out.loc["store only", "customers"] == 0
    assert out["customers"].sum() == 5 and (out["n"] == 5).all()
    assert out.loc["no purchase", "share"] == pytest.approx(0.4)


def test_leakage_finds_where_journeys_leave_for_a_competitor():
    out = channel_switching(build_dataset(ROWS), kind="leakage").set_index("touchpoint")
    assert out.loc["signup", "leakers"] == 1 and out.loc["signup", "ended"] == 1
    assert out.loc["site", "ended"] == 2 and out.loc["site", "leakers"] == 1  # c ends at site, e leaks
    assert out.loc["site", "leak_rate"] == pytest.approx(0.5)
    assert out.loc["site", "top_competitor"] == "Rival"
    assert out.loc["review", "leakers"] == 0 and pd.isna(out.loc["review", "top_competitor"])
    assert out["share_of_leakers"].sum() == pytest.approx(1.0)


def test_by_groups_come_first():
    customers = pd.DataFrame({"customer_id": list("abcde"), "segment": ["x", "x", "y", "y", "y"]})
    ds = build_dataset(ROWS, customers=customers)
    for kind, cols in (("matrix", MATRIX_COLUMNS), ("journey_types", TYPE_COLUMNS), ("leakage", LEAKAGE_COLUMNS)):
        out = channel_switching(ds, by="segment", kind=kind)
        assert out.columns.tolist() == ["segment", *cols]
    types = channel_switching(ds, by="segment", kind="journey_types")
    assert types.groupby("segment")["customers"].sum().to_dict() == {"x": 2, "y": 3}


def test_small_denominators_are_suppressed():
    ds = build_dataset(ROWS, journey=TINY_JOURNEY.with_changes(min_group_size=2))
    out = channel_switching(ds).set_index(["channel", "purchase_channel"])
    assert out.loc[("web", "store"), "suppressed"] and np.isnan(out.loc[("web", "store"), "share"])
    assert not out.loc[("store", "web"), "suppressed"]


def test_an_unknown_kind_names_the_allowed_ones():
    with pytest.raises(ValueError, match="kind='graph'.*'matrix', 'journey_types', 'leakage'"):
        channel_switching(build_dataset(ROWS), kind="graph")


def test_a_journey_without_conversion_stage_is_a_clear_error():
    plain = Journey.from_dict({**TINY_JOURNEY.to_dict(), "stages": [{"id": s} for s in TINY_JOURNEY.stage_ids]})
    with pytest.raises(ValueError, match="conversion"):
        channel_switching(build_dataset(ROWS, journey=plain))
    assert not channel_switching(build_dataset(ROWS, journey=plain), kind="leakage").empty


def test_a_filter_that_leaves_nothing_is_an_error():
    ds = build_dataset(ROWS).filter(channels=["fax"])
    for kind in ("matrix", "journey_types", "leakage"):
        with pytest.raises(ValueError, match="filter"):
            channel_switching(ds, kind=kind)


def test_empty_logs_give_empty_tables():
    ds = build_dataset([])
    assert channel_switching(ds).columns.tolist() == MATRIX_COLUMNS
    assert channel_switching(ds, kind="journey_types").empty
    assert channel_switching(ds, kind="leakage").columns.tolist() == LEAKAGE_COLUMNS


def test_ads_and_newsletters_are_not_online_research():
    rows = [("x", "2025-01-01 10:00", "promo"), ("x", "2025-01-02 10:00", "till"), ("y", "2025-01-01 10:00", "site"), ("y", "2025-01-02 10:00", "till")]
    out = channel_switching(build_dataset(rows), kind="journey_types").set_index("journey_type")
    assert out.loc["store only", "customers"] == 1 and out.loc["research online → buy in store", "customers"] == 1
    assert out.loc["store only", "buyers"] == 2 and out.loc["store only", "share_of_buyers"] == pytest.approx(0.5)
    assert np.isnan(out.loc["no purchase", "share_of_buyers"])


def test_planted_ropo_segment_is_found(maison_lumiere):
    from journeyviz.samples import PLANTED

    fact = PLANTED["lifecycle"]["ropo_segment"]
    out = channel_switching(maison_lumiere, by=fact["column"], kind="journey_types")
    ropo = out[out["journey_type"] == "research online → buy in store"].set_index(fact["column"])
    segment = ropo.loc[fact["value"]]
    others = ropo.drop(index=fact["value"])
    # the segment's interval lies above every other group's share of buyers
    assert (segment["share_of_buyers_low"] > others["share_of_buyers_high"]).all()
    assert segment["share_of_buyers"] == pytest.approx(fact["ropo_share"], abs=0.08)


def test_planted_competitor_leakage_is_found(maison_lumiere):
    out = channel_switching(maison_lumiere, kind="leakage")
    leaking = out[out["leakers"] > 0]
    # those who considered us and did not buy: about half go on at a competitor, from consideration
    assert set(leaking["stage"]) == {"consideration"}
    pooled = leaking["leakers"].sum() / leaking["ended"].sum()
    assert pooled == pytest.approx(0.5, abs=0.07)
    assert set(leaking["top_competitor"].dropna()) <= set(maison_lumiere.competitors())
    top = out.iloc[0]
    assert top["touchpoint"] == "account_creation"  # the friction point is where most leave
