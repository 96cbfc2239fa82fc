"""Listening plan: per-touchpoint measurement counts, cadence, unmeasured touchpoints, suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import TINY_JOURNEY, build_dataset
from journeyviz.analyses.listening import listening_plan


@pytest.fixture
def surveyed():
    rng = np.random.default_rng(1)
    resp = pd.DataFrame(
        {
            "respondent_id": [f"r{i}" for i in range(40)],
            "customer_id": [f"c{i}" for i in range(40)],
            "brand": "Ours",
            "date": pd.to_datetime("2025-01-01") + pd.to_timedelta(np.arange(40) * 2, unit="D"),
        }
    )
    rows = []
    for i in range(40):
        rows.append({"respondent_id": f"r{i}", "brand": "Ours", "touchpoint": "site", "perception": float(rng.integers(1, 8)), "expectation": np.nan})
        if i % 2 == 0:
            rows.append({"respondent_id": f"r{i}", "brand": "Rival" if i % 4 == 0 else "Ours", "touchpoint": "till", "perception": np.nan, "expectation": 5.0})
    rows.append({"respondent_id": "r1", "brand": "Ours", "touchpoint": "review", "perception": np.nan, "expectation": np.nan})
    ratings = pd.DataFrame(rows)
    ratings["stage"] = ratings["touchpoint"].map(TINY_JOURNEY.catalogue().set_index("touchpoint")["stage"])
    ratings["importance"] = np.nan
    ds = build_dataset([("c0", "2025-01-01", "site")])
    ds.ratings, ds.respondents = ratings, resp
    return ds


def test_counts_match_hand_computation(surveyed):
    plan = listening_plan(surveyed).set_index("touchpoint")
    r = surveyed.ratings
    rated = r[r[["perception", "expectation", "importance"]].notna().any(axis=1)]
    for tp in ("site", "till"):
        part = rated[rated["touchpoint"] == tp]
        assert plan.at[tp, "responses"] == len(part)
        assert plan.at[tp, "respondents"] == part["respondent_id"].nunique()
        assert plan.at[tp, "share_rated"] == pytest.approx(part["respondent_id"].nunique() / 40)
    assert plan.at["site", "perception"] and not plan.at["site", "expectation"]
    assert plan.at["till", "expectation"] and not plan.at["till", "perception"]
    assert plan.at["till", "brands"] == "Ours, Rival"
    assert plan.at["site", "cadence_days"] == pytest.approx(2.0)
    assert plan.at["till", "cadence_days"] == pytest.approx(4.0)
    assert plan.at["site", "last_response"] == surveyed.respondents["date"].max()


def test_unmeasured_touchpoints_are_flagged(surveyed):
    plan = listening_plan(surveyed).set_index("touchpoint")
    assert list(plan.index) == TINY_JOURNEY.catalogue()["touchpoint"].tolist()
    unmeasured = {"promo", "shop", "signup", "checkout", "review"}  # review has a row with no value
    assert set(plan.index[~plan["measured"]]) == unmeasured
    assert (plan.loc[list(unmeasured), "responses"] == 0).all()
    assert plan["suggested_question"].str.len().gt(0).all()


def test_suppression_under_min_group_size(surveyed):
    plan = listening_plan(surveyed, min_group_size=25).set_index("touchpoint")
    assert plan.at["till", "suppressed"] and np.isnan(plan.at["till", "share_rated"])
    assert not plan.at["site", "suppressed"]
    assert not plan.loc[~plan["measured"], "suppressed"].any()


def test_no_ratings_gives_every_touchpoint_unmeasured(make_dataset):
    plan = listening_plan(make_dataset([("a", "2025-01-01", "site")]))
    assert len(plan) == len(TINY_JOURNEY.touchpoints) and not plan["measured"].any()
    assert not {"respondent_id", "customer_id"} & set(plan.columns)


def test_questions_follow_objective_and_language(maison_lumiere):
    plan = listening_plan(maison_lumiere).set_index("touchpoint")
    assert plan.at["shop_window", "suggested_question"].startswith("Comment")
    assert "information" in plan.at["search_engine", "suggested_question"]
    assert plan["measured"].all()
