"""funnel: closed, ordered stage reach with denominators named, windows, groups and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses.funnel import COLUMNS, funnel

from conftest import TINY_JOURNEY, build_dataset

# a: look → account → buy → after; b: look → account (same timestamp, event_id decides);
# c: buys first, then looks — the closed funnel stops c at "look".
ROWS = [
    ("a", "2025-01-01 10:00", "site"),
    ("a", "2025-01-01 12:00", "signup"),
    ("a", "2025-01-02 10:00", "checkout"),
    ("a", "2025-01-03 00:00", "review"),
    ("b", "2025-01-01 10:00", "site"),
    ("b", "2025-01-01 10:00", "signup"),
    ("c", "2025-01-01 10:00", "checkout"),
    ("c", "2025-01-01 11:00", "site"),
]


def test_three_customers_reach_stages_in_order_with_each_denominator():
    out = funnel(build_dataset(ROWS)).set_index("stage")
    assert out.index.tolist() == ["look", "account", "buy", "after"]
    assert out["customers"].tolist() == [3, 2, 1, 1]
    assert out["previous"].tolist() == [3, 3, 2, 1]
    assert out["dropoff"].tolist() == [0, 1, 1, 0]
    assert out.loc["buy", "conversion_from_previous"] == pytest.approx(1 / 2)
    assert out.loc["buy", "conversion_from_first"] == pytest.approx(1 / 3)
    assert out.loc["after", "conversion_from_all"] == pytest.approx(1 / 3)
    assert out.loc["account", "dropoff_rate"] == pytest.approx(1 / 3)
    assert (out["n"] == 3).all()


def test_time_to_reach_is_hours_from_first_contact():
    out = funnel(build_dataset(ROWS)).set_index("stage")
    # look: a 0 h, b 0 h, c 1 h (c's first contact is the checkout)
    assert out.loc["look", "median_hours"] == pytest.approx(0.0)
    assert out.loc["look", "p90_hours"] == pytest.approx(np.quantile([0, 0, 1], 0.9))
    assert out.loc["account", "median_hours"] == pytest.approx(1.0)  # a 2 h, b 0 h
    assert out.loc["after", "median_hours"] == pytest.approx(38.0)


def test_rates_carry_wilson_intervals_around_them():
    out = funnel(build_dataset(ROWS))
    for name in ("conversion_from_previous", "conversion_from_first", "conversion_from_all"):
        assert (out[f"{name}_low"] <= out[name] + 1e-12).all() and (out[name] <= out[f"{name}_high"] + 1e-12).all()


def test_equal_timestamps_are_ordered_by_event_id():
    rows = [("x", "2025-01-01 10:00", "signup"), ("x", "2025-01-01 10:00", "site")]
    out = funnel(build_dataset(rows)).set_index("stage")
    assert out.loc["look", "customers"] == 1
    assert out.loc["account", "customers"] == 0  # signup came first by event_id


def test_window_drops_stages_reached_too_late():
    out = funnel(build_dataset(ROWS), window="1D").set_index("stage")
    assert out.loc["buy", "customers"] == 1  # a reaches buy after 24 h exactly: inside
    assert out.loc["after", "customers"] == 0
    assert funnel(build_dataset(ROWS), window=pd.Timedelta(hours=1)).set_index("stage").loc["buy", "customers"] == 0


def test_by_puts_the_attribute_first_and_splits_customers():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "region": ["Nord", "Nord", "Sud"]})
    out = funnel(build_dataset(ROWS, customers=customers), by="region")
    assert out.columns[0] == "region"
    nord = out[out["region"] == "Nord"].set_index("stage")
    assert nord["customers"].tolist() == [2, 2, 1, 1]
    assert set(out["region"]) == {"Nord", "Sud"}


def test_small_groups_are_suppressed_not_zeroed():
    ds = build_dataset(ROWS, journey=TINY_JOURNEY.with_changes(min_group_size=2))
    out = funnel(ds).set_index("stage")
    assert out.loc["after", "suppressed"]
    assert np.isnan(out.loc["after", "conversion_from_previous"])  # previous = 1 < 2
    assert np.isnan(out.loc["buy", "median_hours"])  # 1 customer reached buy
    assert out.loc["look", "conversion_from_all"] == pytest.approx(1.0)
    assert out.loc["after", "customers"] == 1  # the size stays visible


@pytest.mark.parametrize("window", ["0D", "-3h", "soon", pd.Timedelta(0)])
def test_a_window_must_be_a_positive_duration(window):
    with pytest.raises(ValueError, match="window="):
        funnel(build_dataset(ROWS), window=window)


def test_by_on_a_missing_column_names_the_usable_ones():
    customers = pd.DataFrame({"customer_id": ["a"], "region": ["Nord"]})
    with pytest.raises(ValueError, match=r"by='age'.*region"):
        funnel(build_dataset(ROWS, customers=customers), by="age")


def test_a_filter_that_leaves_nothing_is_an_error():
    ds = build_dataset(ROWS).filter(channels=["fax"])
    with pytest.raises(ValueError, match="filter"):
        funnel(ds)


def test_an_empty_event_log_gives_an_empty_table_with_the_columns():
    out = funnel(build_dataset([]))
    assert out.empty and out.columns.tolist() == COLUMNS


def test_a_funnel_over_chosen_stages_skips_the_others():
    out = funnel(build_dataset(ROWS), stages=["look", "buy"]).set_index("stage")
    assert out.index.tolist() == ["look", "buy"]
    assert out.loc["buy", "customers"] == 1  # a (b never buys; c bought before looking)
    assert out.loc["buy", "previous"] == 3 and out.loc["buy", "stage_order"] == 2


@pytest.mark.parametrize("stages, match", [(["look", "pay"], "unknown stage.*'pay'"), (["buy", "look"], "order"), ([], "no stage"), (["look", "look"], "order")])
def test_chosen_stages_must_be_known_and_in_order(stages, match):
    with pytest.raises(ValueError, match=match):
        funnel(build_dataset(ROWS), stages=stages)
