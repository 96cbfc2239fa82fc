"""Section builders: the discovered-segments section (seeded, recomputed on filters, readable when impossible)."""

from __future__ import annotations

import pandas as pd
import pytest

import journeyviz as jv
from journeyviz import sections
from journeyviz.dashboard import open_board
from journeyviz.reports import ensure_samples


@pytest.fixture(scope="module")
def hotel():
    return jv.load(ensure_samples()["hotel_en"])


def test_the_same_filters_give_the_same_segments(hotel):
    first = sections.segments_section(hotel.filter(channels=["web", "store"]), "en", k=3)
    again = sections.segments_section(jv.load(ensure_samples()["hotel_en"]).filter(channels=["web", "store"]), "en", k=3)
    pd.testing.assert_frame_equal(first.table, again.table)
    assert first.finding.text == again.finding.text


def test_a_filter_change_finds_segments_among_the_customers_it_keeps(hotel):
    whole = sections.segments_section(hotel, "en", k=3)
    adults = sections.segments_section(hotel.filter(where={"age_band": "25-44"}), "en", k=3)
    assert whole.finding.facts["customers"] == len(hotel.customers)
    assert adults.finding.facts["customers"] == int((hotel.customers["age_band"] == "25-44").sum())
    assert whole.chart is not None and adults.chart is not None
    assert set(adults.table["segment"]) != set() and adults.table["customers"].sum() < whole.table["customers"].sum()


def test_segment_names_follow_the_page_language(hotel):
    fr = sections.segments_section(hotel, "fr", k=3)
    assert fr.title == "Des segments tirés de ce que font et disent les clients"
    assert all("acheteurs" in s or "visiteurs" in s for s in fr.table["segment"].unique()), fr.table["segment"].unique()
    assert "clients" in fr.finding.text


def test_the_section_aggregates_the_events_once(hotel, monkeypatch):
    from journeyviz.analyses import segments

    calls = []
    compute = segments._compute_features
    monkeypatch.setattr(segments, "_compute_features", lambda ds: calls.append(1) or compute(ds))
    section = sections.segments_section(hotel.filter(), "en", k=3)
    assert section.chart is not None and len(calls) == 1


def test_segments_k_zero_shows_nothing_and_the_builder_keeps_the_section_name():
    builder = sections.discovered_segments(0)
    assert builder.__name__ == "segments_section"
    empty = builder(None, "fr")
    assert (empty.title, empty.finding, empty.chart, empty.table) == ("", None, None, None)


@pytest.mark.parametrize("k", [1, -3, 11, True, "4", 2.5])
def test_an_impossible_k_gives_a_sentence_not_a_chart(hotel, k):
    section = sections.segments_section(hotel, "en", k=k)
    assert section.chart is None and section.finding.facts["reason"] == "bad_k"
    assert f"segments_k = {k}" in section.finding.text and "2 to 10" in section.finding.text


def test_too_few_customers_for_k_segments_gives_a_sentence(hotel):
    one_day = hotel.filter(period=(hotel.engine.to_pandas(hotel.events.aggregate(t=hotel.events.timestamp.min()))["t"].iloc[0].date(),) * 2)
    fewer_than_k = sections.segments_section(one_day, "fr", k=10)  # k-means cannot run
    assert fewer_than_k.chart is None and fewer_than_k.finding.facts["reason"] == "too_few"
    all_small = sections.segments_section(one_day, "fr", k=2)  # it runs, every segment is under min_group_size
    assert all_small.chart is None and all_small.finding.facts["segments"] == 0
    customers = fewer_than_k.finding.facts["customers"]
    assert 0 < customers < 20 and all_small.finding.facts["customers"] == customers
    for section in (fewer_than_k, all_small):
        assert "Trop peu de clients" in section.finding.text and f"({customers})" in section.finding.text


def test_a_dataset_without_events_says_why(hotel):
    from dataclasses import replace

    section = sections.segments_section(replace(hotel, events=None), "en")
    assert section.finding.facts["reason"] == "no_events" and "events" in section.finding.text


def test_the_board_recomputes_the_section_when_a_filter_changes(hotel):
    board = open_board(dataset=hotel, interactive=False)
    board.show(sections.discovered_segments(3))
    everyone = board.findings["segments"].facts["customers"]
    board.apply(segment_by="trip_type", segment="business")
    business = board.findings["segments"].facts["customers"]
    assert 0 < business < everyone
    assert business == int((hotel.customers["trip_type"] == "business").sum())
