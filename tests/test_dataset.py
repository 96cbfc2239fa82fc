"""Dataset: by= resolution, filters for dashboards, and clear errors for missing tables."""

from __future__ import annotations

import pandas as pd
import pytest

from journeyviz.dataset import UNKNOWN, Dataset, isin
from journeyviz.engine import get_engine
from journeyviz.journey import Journey

JOURNEY = Journey.from_dict(
    {
        "name": "test",
        "brand": "Ours",
        "stages": [{"id": "look"}, {"id": "buy", "conversion": True}],
        "touchpoints": [
            {"id": "site", "stage": "look", "channel": "web"},
            {"id": "till", "stage": "buy", "channel": "store", "objective": "purchase", "moment": "during"},
        ],
    }
)


def _dataset() -> Dataset:
    engine = get_engine()
    events = pd.DataFrame(
        {
            "event_id": range(6),
            "customer_id": ["c1", "c1", "c2", "c3", "c3", "c4"],
            "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-02", "2025-02-01", "2025-03-01", "2025-03-02", "2025-03-05"], format="ISO8601"),
            "touchpoint": ["site", "till", "site", "site", "till", "site"],
            "stage": ["look", "buy", "look", "look", "buy", "look"],
            "stage_order": [0, 1, 0, 0, 1, 0],
            "channel": ["web", "store", "web", "web", "store", "web"],
            "brand": ["Ours", "Ours", "Ours", "Rival", "Ours", "Ours"],
        }
    )
    customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3"], "region": ["Nord", "Sud", "Nord"]})
    respondents = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3"],
            "customer_id": ["c1", "c2", None],
            "brand": ["Ours", "Ours", "Rival"],
            "date": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-03-05"], format="ISO8601"),
            "nps": [9.0, 3.0, 7.0],
        }
    )
    ratings = pd.DataFrame(
        {"respondent_id": ["r1", "r2", "r3"], "brand": ["Ours", "Ours", "Rival"], "touchpoint": ["site"] * 3, "stage": ["look"] * 3, "perception": [6.0, 3.0, 5.0]}
    )
    return Dataset(JOURNEY, engine, events=engine.create_table("events", events), customers=customers, ratings=ratings, respondents=respondents)


def _ids(ds: Dataset) -> list[str]:
    return sorted(ds.engine.to_pandas(ds.events.select("customer_id").distinct())["customer_id"])


def test_brands_puts_ours_first_then_competitors():
    ds = _dataset()
    assert ds.brands() == ["Ours", "Rival"]
    assert ds.competitors() == ["Rival"]


def test_events_by_attaches_the_customer_attribute_and_marks_unknowns():
    ds = _dataset()
    out = ds.engine.to_pandas(ds.events_by("region").select("customer_id", "by").distinct())
    mapping = dict(zip(out["customer_id"], out["by"]))
    assert mapping == {"c1": "Nord", "c2": "Sud", "c3": "Nord", "c4": UNKNOWN}


def test_events_by_an_unknown_column_lists_the_usable_ones():
    with pytest.raises(ValueError, match=r"by='age'.*region"):
        _dataset().events_by("age")


def test_respondents_by_reaches_customer_attributes_through_customer_id():
    out = _dataset().respondents_by("region")
    assert out.set_index("respondent_id")["by"].to_dict() == {"r1": "Nord", "r2": "Sud", "r3": UNKNOWN}


def test_filter_on_an_attribute_keeps_those_customers_events_and_respondents():
    ds = _dataset().filter(where={"region": "Nord"})
    assert _ids(ds) == ["c1", "c3"]
    assert ds.respondents["respondent_id"].tolist() == ["r1"]
    assert ds.ratings["respondent_id"].tolist() == ["r1"]
    assert ds.filters["region"] == ["Nord"]


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_isin_agrees_with_pandas_on_text_ids_with_missing_values(dtype):
    column = pd.Series(["a", None, "b", "c", "a"], dtype=dtype)
    for wanted in (["a", "c"], ["a", None], [], ["z"]):
        values = pd.Series(wanted, dtype=dtype)
        assert isin(column, values).tolist() == column.isin(values).tolist()


def test_filter_period_is_inclusive_of_the_end_date():
    ds = _dataset().filter(period=("2025-01-02", "2025-03-01"))
    assert _ids(ds) == ["c1", "c2", "c3"]
    assert ds.respondents["respondent_id"].tolist() == ["r1", "r2"]


def test_filter_brand_and_channel():
    ds = _dataset().filter(brands="Rival")
    assert _ids(ds) == ["c3"] and ds.ratings["brand"].unique().tolist() == ["Rival"]
    ds = _dataset().filter(channels=["store"])
    assert _ids(ds) == ["c1", "c3"]


def test_filter_does_not_change_the_original():
    ds = _dataset()
    ds.filter(brands="Rival")
    assert _ids(ds) == ["c1", "c2", "c3", "c4"]


def test_filter_on_an_unknown_attribute_is_refused():
    with pytest.raises(ValueError, match="'colour' is not an attribute"):
        _dataset().filter(where={"colour": "red"})


def test_period_end_before_start_is_refused():
    with pytest.raises(ValueError, match="end is before the start"):
        _dataset().filter(period=("2025-03-01", "2025-01-01"))


def test_missing_table_error_says_what_to_add():
    ds = Dataset(JOURNEY, get_engine())
    with pytest.raises(ValueError, match="needs the 'events' table.*events.csv"):
        ds.events_by(None)


def test_describe_counts_rows_and_customers():
    table = _dataset().describe().set_index("table")
    assert table.loc["events", "rows"] == 6 and table.loc["events", "customers"] == 4
    assert table.loc["respondents", "customers"] == 2
