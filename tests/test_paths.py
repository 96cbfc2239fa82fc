"""transitions, top_paths and flows: counts checked by hand, repeats merged by level, friction flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses.paths import FLOW_COLUMNS, PATH_COLUMNS, TRANSITION_COLUMNS, flows, top_paths, transitions

from conftest import TINY_JOURNEY, build_dataset

ROWS = [
    ("a", "2025-01-01 10:00", "site"),
    ("a", "2025-01-01 12:00", "signup"),
    ("a", "2025-01-02 10:00", "checkout"),
    ("a", "2025-01-03 00:00", "review"),
    ("b", "2025-01-01 10:00", "site"),
    ("b", "2025-01-01 10:00", "signup"),
    ("c", "2025-01-01 10:00", "checkout"),
    ("c", "2025-01-01 11:00", "site"),
    ("c", "2025-01-01 12:00", "site"),
]


def _edge(out: pd.DataFrame, src: str, dst: str) -> pd.Series:
    row = out[(out["from"] == src) & (out["to"] == dst)]
    assert len(row) == 1, f"{src} -> {dst} missing"
    return row.iloc[0]


def test_touchpoint_transitions_count_every_step_including_start_and_end():
    out = transitions(build_dataset(ROWS))
    assert out["count"].sum() == 9 + 3  # one per event plus one start per journey
    site_signup = _edge(out, "site", "signup")
    assert (site_signup["count"], site_signup["customers"], site_signup["from_count"]) == (2, 2, 4)
    assert site_signup["probability"] == pytest.approx(0.5)
    assert site_signup["median_hours"] == pytest.approx(1.0)  # 2 h and 0 h
    assert _edge(out, "site", "site")["count"] == 1  # a repeated touchpoint is a self-loop
    assert _edge(out, "(start)", "site")["count"] == 2
    assert np.isnan(_edge(out, "(start)", "checkout")["median_hours"])
    assert _edge(out, "review", "(end)")["probability"] == pytest.approx(1.0)
    probs = out.groupby("from")["probability"].sum()
    assert np.allclose(probs, 1.0)


def test_stage_transitions_merge_consecutive_repeats():
    out = transitions(build_dataset(ROWS), level="stage")
    assert not ((out["from"] == out["to"])).any()
    assert _edge(out, "buy", "look")["count"] == 1  # c: checkout > site > site
    assert _edge(out, "look", "(end)")["count"] == 1
    assert _edge(out, "look", "account")["count"] == 2


def test_channel_transitions_use_the_event_channel():
    out = transitions(build_dataset(ROWS), level="channel")
    assert _edge(out, "web", "app")["count"] == 1
    assert _edge(out, "(start)", "web")["count"] == 3


def test_transitions_by_group_and_suppression():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "region": ["Nord", "Nord", "Sud"]})
    ds = build_dataset(ROWS, customers=customers, journey=TINY_JOURNEY.with_changes(min_group_size=2))
    out = transitions(ds, by="region")
    assert out.columns.tolist() == ["region", *TRANSITION_COLUMNS]
    nord = out[out["region"] == "Nord"]
    row = _edge(nord, "site", "signup")
    assert row["probability"] == pytest.approx(1.0) and not row["suppressed"]
    lonely = _edge(out[out["region"] == "Sud"], "site", "site")
    assert lonely["suppressed"] and np.isnan(lonely["probability"]) and lonely["count"] == 1


def test_top_paths_rank_share_conversion_and_friction_flags():
    rows = ROWS + [("d", "2025-01-05", "site"), ("d", "2025-01-05 01:00", "signup")]
    out = top_paths(build_dataset(rows), level="stage", k=10)
    assert out.loc[0, "path"] == "look > account" and out.loc[0, "customers"] == 2 and out.loc[0, "rank"] == 1
    assert out.loc[0, "share"] == pytest.approx(2 / 4) and out.loc[0, "n"] == 4
    assert out.loc[0, "conversion_rate"] == 0
    back = out.set_index("path").loc["buy > look"]
    assert back["back_step"] and not back["loop"] and back["conversion_rate"] == 1
    tp = top_paths(build_dataset(rows), level="touchpoint").set_index("path")
    assert tp.loc["checkout > site > site", "loop"]  # the same touchpoint twice
    assert tp.loc["checkout > site > site", "steps"] == 3


def test_top_paths_keep_only_k():
    out = top_paths(build_dataset(ROWS), k=1)
    assert len(out) == 1 and out.columns.tolist() == PATH_COLUMNS


def test_back_step_is_not_defined_for_channels():
    out = top_paths(build_dataset(ROWS), level="channel")
    assert out["back_step"].isna().all()


def test_flows_are_step_indexed_and_end_early_journeys():
    out = flows(build_dataset(ROWS), level="stage", steps=3)
    assert out["step"].max() == 2
    first = out[out["step"] == 1].set_index(["source", "target"])["customers"].to_dict()
    assert first == {("look", "account"): 2, ("buy", "look"): 1}
    second = out[out["step"] == 2].set_index(["source", "target"])["customers"].to_dict()
    assert second == {("account", "(end)"): 1, ("account", "buy"): 1, ("look", "(end)"): 1}
    share = out[(out["step"] == 2) & (out["source"] == "account")]["share"]
    assert np.allclose(share, 0.5)


@pytest.mark.parametrize("call", [lambda ds: transitions(ds, level="page"), lambda ds: top_paths(ds, level="session"), lambda ds: flows(ds, level="brand")])
def test_an_unknown_level_names_the_allowed_ones(call):
    with pytest.raises(ValueError, match="level=.*'touchpoint', 'stage', 'channel'"):
        call(build_dataset(ROWS))


@pytest.mark.parametrize("k", [0, -1, 2.5, "3", True])
def test_k_must_be_a_positive_whole_number(k):
    with pytest.raises(ValueError, match="k="):
        top_paths(build_dataset(ROWS), k=k)


@pytest.mark.parametrize("steps", [1, 0, "5"])
def test_steps_must_be_at_least_two(steps):
    with pytest.raises(ValueError, match="steps="):
        flows(build_dataset(ROWS), steps=steps)


def test_a_filter_that_leaves_nothing_is_an_error():
    ds = build_dataset(ROWS).filter(period=("2030-01-01", None))
    for call in (transitions, top_paths, flows):
        with pytest.raises(ValueError, match="filter"):
            call(ds)


def test_empty_logs_give_empty_tables_with_the_columns():
    ds = build_dataset([])
    assert transitions(ds).columns.tolist() == TRANSITION_COLUMNS and transitions(ds).empty
    assert top_paths(ds).columns.tolist() == PATH_COLUMNS and top_paths(ds).empty
    assert flows(ds).columns.tolist() == FLOW_COLUMNS and flows(ds).empty
