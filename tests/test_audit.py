"""touchpoint_audit and objective_coverage: reach, lift, drop-off, pressure and coverage by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses._stats import diff_proportion_interval
from journeyviz.analyses.audit import AUDIT_COLUMNS, COVERAGE_COLUMNS, objective_coverage, touchpoint_audit

from conftest import TINY_JOURNEY, build_dataset, random_events

# a buys in store; b stops at signup (then a competitor event, not ours); c buys online then
# browses; d gets three promos then buys online.
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
    ("d", "2025-01-01 10:00", "promo"),
    ("d", "2025-01-01 11:00", "promo"),
    ("d", "2025-01-01 11:00", "promo"),
    ("d", "2025-01-01 12:00", "checkout"),
]


def test_reach_contacts_and_position_per_touchpoint():
    out = touchpoint_audit(build_dataset(ROWS)).set_index("touchpoint")
    assert out.index.tolist() == TINY_JOURNEY.catalogue()["touchpoint"].tolist()
    assert out.loc["site", "reach"] == 3 and out.loc["site", "n"] == 4
    assert out.loc["site", "reach_share"] == pytest.approx(0.75)
    assert out.loc["site", "contacts"] == 3  # the Rival visit is not ours
    assert out.loc["promo", "contacts_per_customer"] == pytest.approx(3.0)
    assert out.loc["shop", "median_position"] == 2
    assert out.loc["checkout", "median_position"] == pytest.approx(2.5)  # c first, d fourth


def test_lift_compares_reached_and_not_reached_with_newcombe_interval():
    out = touchpoint_audit(build_dataset(ROWS)).set_index("touchpoint")
    site = out.loc["site"]
    assert site["conversion_reached"] == pytest.approx(2 / 3)  # a, c of a, b, c
    assert site["conversion_not_reached"] == pytest.approx(1.0)  # d
    assert site["lift"] == pytest.approx(2 / 3 - 1)
    low, high = diff_proportion_interval(2, 3, 1, 1)
    assert (site["lift_low"], site["lift_high"]) == pytest.approx((float(low), float(high)))


def test_dropoff_is_the_share_of_reached_customers_ending_there():
    out = touchpoint_audit(build_dataset(ROWS)).set_index("touchpoint")
    assert out.loc["signup", "exits"] == 1 and out.loc["signup", "dropoff"] == pytest.approx(1.0)
    assert out.loc["site", "exits"] == 1 and out.loc["site", "dropoff"] == pytest.approx(1 / 3)
    assert out.loc["till", "dropoff"] == 0


def test_pressure_only_for_company_touchpoints_and_heavy_ones_are_intrusive():
    out = touchpoint_audit(build_dataset(ROWS)).set_index("touchpoint")
    assert out.loc["promo", "pressure"] == pytest.approx(3.0) and out.loc["promo", "intrusive"]
    assert np.isnan(out.loc["site", "pressure"]) and not out.loc["site", "intrusive"]


def test_unseen_touchpoints_still_get_a_row_with_zero_reach():
    rows = [r for r in ROWS if r[2] != "review"]
    out = touchpoint_audit(build_dataset(rows)).set_index("touchpoint")
    assert out.loc["review", "reach"] == 0 and np.isnan(out.loc["review", "contacts_per_customer"])


def test_friction_flags_a_before_purchase_touchpoint_that_loses_people():
    rows = [(f"s{i}", "2025-01-01 10:00", "site") for i in range(30)]
    rows += [(f"s{i}", "2025-01-01 11:00", "checkout") for i in range(30)]
    rows += [(f"u{i}", "2025-01-01 10:00", "site") for i in range(20)]
    rows += [(f"u{i}", "2025-01-01 11:00", "signup") for i in range(20)]
    rows += [(f"u{i}", "2025-01-01 12:00", "checkout") for i in range(2)]
    out = touchpoint_audit(build_dataset(rows)).set_index("touchpoint")
    assert out.loc["signup", "friction"] and not out.loc["site", "friction"]


def test_by_and_suppression():
    customers = pd.DataFrame({"customer_id": list("abcd"), "region": ["N", "N", "S", "S"]})
    ds = build_dataset(ROWS, customers=customers, journey=TINY_JOURNEY.with_changes(min_group_size=2))
    out = touchpoint_audit(ds, by="region")
    assert out.columns.tolist() == ["region", *AUDIT_COLUMNS]
    promo = out[(out["region"] == "S") & (out["touchpoint"] == "promo")].iloc[0]
    assert promo["reach"] == 1 and promo["suppressed"] and np.isnan(promo["pressure"]) and not promo["intrusive"]


def test_objective_coverage_per_stage_and_objective():
    out = objective_coverage(build_dataset(ROWS)).set_index(["stage", "objective"])
    assert out.columns.tolist() == COVERAGE_COLUMNS[2:]
    assert len(out) == 4 * 3
    assert out.loc[("look", "inform"), "customers"] == 3 and out.loc[("look", "inform"), "stage_customers"] == 4
    assert out.loc[("buy", "purchase"), "touchpoint_ids"] == "checkout, till"
    assert not out.loc[("account", "purchase"), "covered"] and out.loc[("account", "purchase"), "customers"] == 0


def test_errors_and_empty_results():
    with pytest.raises(ValueError, match="by='age'"):
        touchpoint_audit(build_dataset(ROWS, customers=pd.DataFrame({"customer_id": ["a"], "x": [1]})), by="age")
    with pytest.raises(ValueError, match="filter"):
        touchpoint_audit(build_dataset(ROWS).filter(brands=["Nobody"]))
    with pytest.raises(ValueError, match="filter"):
        objective_coverage(build_dataset(ROWS).filter(brands=["Nobody"]))
    assert touchpoint_audit(build_dataset([])).columns.tolist() == AUDIT_COLUMNS
    assert objective_coverage(build_dataset([])).empty


def test_planted_friction_at_account_creation_is_found(maison_lumiere):
    from journeyviz.samples import PLANTED

    fact = PLANTED["lifecycle"]["friction"]
    out = touchpoint_audit(maison_lumiere).set_index("touchpoint")
    assert out.index[out["friction"]].tolist() == [fact["touchpoint"]]
    before = out[out["moment"] == "before"]
    assert before["dropoff"].idxmax() == fact["touchpoint"]
    assert 1 - out.loc[fact["touchpoint"], "conversion_reached"] == pytest.approx(fact["non_purchase_rate"], abs=0.07)


def test_planted_intrusive_newsletter_is_found(maison_lumiere):
    from journeyviz.samples import PLANTED

    fact = PLANTED["lifecycle"]["intrusive"]
    out = touchpoint_audit(maison_lumiere).set_index("touchpoint")
    assert out.index[out["intrusive"]].tolist() == [fact["touchpoint"]]
    assert out["contacts_per_customer"].idxmax() == fact["touchpoint"]
    assert out.loc[fact["touchpoint"], "pressure"] == pytest.approx(fact["mean_contacts_per_recipient"], abs=1.0)


def test_audit_on_the_sample_joins_what_customers_do_with_what_they_say():
    from pathlib import Path

    import journeyviz as jv

    sample = Path(__file__).resolve().parents[1] / "data" / "samples" / "maison_lumiere"
    ds = jv.load(sample, quarantine_dir=None)
    audit = jv.touchpoint_audit(ds).set_index("touchpoint")
    for column in ("satisfaction", "gap", "gap_low", "gap_high", "ratings_n", "quadrant", "moment_of_truth"):
        assert column in audit.columns, column
    # One table says where each planted problem stands and why.
    assert bool(audit.loc["account_creation", "friction"])
    assert bool(audit.loc["newsletter_promo", "intrusive"])
    assert bool(audit.loc["home_delivery", "moment_of_truth"])
    assert audit.loc["home_delivery", "gap_high"] < 0
    assert audit["moment_of_truth"].sum() == 1
    # The audit's quadrants and importances are importance_performance's (with its 500 bootstraps).
    ipa = jv.importance_performance(ds).set_index("touchpoint")
    for column in ("importance", "quadrant", "moment_of_truth"):
        assert audit.loc[ipa.index, column].tolist() == ipa[column].tolist(), column
    by_region = jv.touchpoint_audit(ds, by="region")
    assert "gap" in by_region.columns and "quadrant" not in by_region.columns
    behaviour_only = jv.touchpoint_audit(ds, survey=False)
    assert "satisfaction" not in behaviour_only.columns
    assert behaviour_only["reach"].tolist() == jv.touchpoint_audit(ds)["reach"].tolist()


def test_audit_without_positions_differs_only_by_the_median_position(maison_lumiere):
    # positions=False finds each journey's last touchpoint with an aggregate instead of the ordered
    # window: every other figure must be the windowed one. b's journey ends on two events at the
    # same minute (the tie goes to the later event_id, signup); the random journeys have ties too.
    events, customers = random_events(n_customers=150, seed=3)
    cases = [(build_dataset(ROWS), None), (build_dataset(events, customers=customers), "region"), (maison_lumiere, None), (maison_lumiere, "region")]
    for ds, by in cases:
        full = touchpoint_audit(ds, by=by, survey=False)
        light = touchpoint_audit(ds, by=by, survey=False, positions=False)
        assert light["median_position"].isna().all() and full["median_position"].notna().any()
        assert light["exits"].sum() > 0
        pd.testing.assert_frame_equal(light.drop(columns="median_position"), full.drop(columns="median_position"))
    tiny = touchpoint_audit(build_dataset(ROWS), positions=False).set_index("touchpoint")
    assert tiny.loc["signup", "exits"] == 1 and tiny.loc["site", "exits"] == 1  # b at signup, c at site
