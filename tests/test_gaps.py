"""satisfaction_gap: paired gap, interval and test against scipy, BH against statsmodels, weighting, degenerate data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from journeyviz.analyses.gaps import satisfaction_gap
from journeyviz.dataset import Dataset
from journeyviz.engine import get_engine
from journeyviz.journey import Journey

JOURNEY = Journey.from_dict(
    {
        "name": "Gap journey",
        "brand": "Ours",
        "stages": [{"id": "look"}, {"id": "buy", "conversion": True}],
        "touchpoints": [
            {"id": "site", "stage": "look", "channel": "web"},
            {"id": "ad", "stage": "look", "channel": "social"},
            {"id": "till", "stage": "buy", "channel": "store"},
        ],
        "privacy": {"min_group_size": 5},
    }
)
SHIFT = {"site": 0.0, "ad": 0.4, "till": -1.2}


def _ratings(n: int = 80, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for tp, stage in (("site", "look"), ("ad", "look"), ("till", "buy")):
        expectation = rng.integers(3, 7, n).astype(float)
        perception = np.clip(np.round(expectation + SHIFT[tp] + rng.normal(0, 1.2, n)), 1, 7)
        frame = pd.DataFrame(
            {
                "respondent_id": [f"r{i}" for i in range(n)],
                "brand": "Ours",
                "touchpoint": tp,
                "stage": stage,
                "perception": perception,
                "expectation": expectation,
                "importance": rng.integers(1, 8, n).astype(float),
            }
        )
        frame.loc[rng.random(n) < 0.1, "expectation"] = np.nan  # some respondents skip the expectation
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _respondents(n: int = 80, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    return pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "brand": "Ours", "region": rng.choice(["N", "S"], n)})


def _dataset(ratings: pd.DataFrame, respondents: pd.DataFrame | None = None) -> Dataset:
    return Dataset(JOURNEY, get_engine(), ratings=ratings, respondents=respondents)


def test_gap_interval_and_p_value_match_scipy_ttest_rel():
    ratings = _ratings()
    table = satisfaction_gap(_dataset(ratings)).set_index("touchpoint")
    for tp in ("site", "ad", "till"):
        pairs = ratings[(ratings.touchpoint == tp)].dropna(subset=["perception", "expectation"])
        result = stats.ttest_rel(pairs["perception"], pairs["expectation"])
        ci = result.confidence_interval(0.95)
        row = table.loc[tp]
        assert row["n"] == len(pairs)
        assert row["gap"] == pytest.approx((pairs["perception"] - pairs["expectation"]).mean())
        assert row["perception"] == pytest.approx(pairs["perception"].mean())
        assert row["expectation"] == pytest.approx(pairs["expectation"].mean())
        assert (row["low"], row["high"]) == pytest.approx((ci.low, ci.high))
        assert row["p_value"] == pytest.approx(result.pvalue, rel=1e-9, abs=1e-300)


def test_p_values_are_adjusted_across_all_cells_with_benjamini_hochberg():
    ratings = _ratings()
    table = satisfaction_gap(_dataset(ratings, _respondents()), by="region")
    assert len(table) == 6
    expected = multipletests(table["p_value"], method="fdr_bh")[1]
    assert table["p_adjusted"].to_numpy() == pytest.approx(expected)
    assert (table["significant"] == (table["p_adjusted"] < 0.05)).all()


def test_planted_negative_gap_is_significant_and_negative():
    row = satisfaction_gap(_dataset(_ratings())).set_index("touchpoint").loc["till"]
    assert row["gap"] < 0 and row["high"] < 0 and row["significant"]
    assert row["low"] <= SHIFT["till"] <= row["high"] or abs(row["gap"] - SHIFT["till"]) < 0.3


def test_importance_weighted_gap_is_gap_times_importance_over_scale_maximum():
    ratings = _ratings()
    row = satisfaction_gap(_dataset(ratings)).set_index("touchpoint").loc["ad"]
    importance = ratings.loc[ratings.touchpoint == "ad", "importance"].mean()
    assert row["importance"] == pytest.approx(importance)
    assert row["importance_n"] == (ratings.touchpoint == "ad").sum()
    assert row["importance_weighted_gap"] == pytest.approx(row["gap"] * importance / 7)


def test_stage_level_pairs_within_respondent_before_averaging():
    ratings = _ratings()
    row = satisfaction_gap(_dataset(ratings), level="stage").set_index("stage").loc["look"]
    pairs = ratings[ratings.stage == "look"].dropna(subset=["perception", "expectation"])
    per_person = pairs.groupby("respondent_id")[["perception", "expectation"]].mean()
    diff = per_person["perception"] - per_person["expectation"]
    assert row["n"] == len(per_person)
    assert row["gap"] == pytest.approx(diff.mean())
    assert row["p_value"] == pytest.approx(stats.ttest_1samp(diff, 0).pvalue)


def test_constant_differences_follow_scipy_conventions():
    base = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(6)], "touchpoint": "site", "stage": "look"})
    shifted = base.assign(perception=[3.0, 4, 5, 3, 4, 5], expectation=[5.0, 6, 7, 5, 6, 7])
    row = satisfaction_gap(_dataset(shifted)).iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy warns about the zero spread it is asked to test
        expected = stats.ttest_rel(shifted.perception, shifted.expectation).pvalue
    assert row["gap"] == -2 and row["p_value"] == expected == 0
    same = base.assign(perception=4.0, expectation=4.0)
    row = satisfaction_gap(_dataset(same)).iloc[0]
    assert row["gap"] == 0 and np.isnan(row["p_value"]) and not row["significant"]


def test_small_cells_are_suppressed_and_left_out_of_the_adjustment():
    ratings = _ratings()
    few = ratings[(ratings.touchpoint != "ad") | ratings.respondent_id.isin(["r1", "r2", "r3"])]
    table = satisfaction_gap(_dataset(few)).set_index("touchpoint")
    assert table.loc["ad", "suppressed"] and np.isnan(table.loc["ad", "gap"]) and np.isnan(table.loc["ad", "p_adjusted"])
    shown = table.loc[["site", "till"]]
    assert shown["p_adjusted"].to_numpy() == pytest.approx(multipletests(shown["p_value"], method="fdr_bh")[1])


def test_one_respondent_gives_a_suppressed_well_formed_table():
    one = pd.DataFrame({"respondent_id": ["r1"], "touchpoint": ["site"], "stage": ["look"], "perception": [2.0], "expectation": [6.0]})
    table = satisfaction_gap(_dataset(one))
    assert len(table) == 1 and table["suppressed"].all() and table["gap"].isna().all() and table["n"].iloc[0] == 1


def test_no_pairs_gives_an_empty_table_with_the_columns():
    ratings = _ratings().assign(expectation=np.nan)
    table = satisfaction_gap(_dataset(ratings))
    assert table.empty
    assert {"touchpoint", "label", "stage", "n", "gap", "low", "high", "p_value", "p_adjusted", "importance_weighted_gap", "suppressed"} <= set(table.columns)


def test_missing_expectation_column_and_bad_level_raise():
    with pytest.raises(ValueError, match="expectation"):
        satisfaction_gap(_dataset(_ratings().drop(columns="expectation")))
    with pytest.raises(ValueError, match="level='journey'"):
        satisfaction_gap(_dataset(_ratings()), level="journey")
    with pytest.raises(ValueError, match="needs the 'ratings' table"):
        satisfaction_gap(Dataset(JOURNEY, get_engine()))


# ---------------------------------------------------------------------------- planted sample facts
SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory):
    from journeyviz import load

    return load(SAMPLES / "maison_lumiere", quarantine_dir=tmp_path_factory.mktemp("q"))


@pytest.fixture(scope="module")
def hotel(tmp_path_factory):
    from journeyviz import load

    return load(SAMPLES / "hotel_en", quarantine_dir=tmp_path_factory.mktemp("q"))


def test_sample_home_delivery_is_the_planted_negative_gap(lifecycle):
    from journeyviz.samples import PLANTED

    planted = PLANTED["lifecycle"]["negative_gap"]
    table = satisfaction_gap(lifecycle).set_index("touchpoint")
    row = table.loc[planted["touchpoint"]]
    assert table["gap"].idxmin() == planted["touchpoint"]
    assert row["low"] <= planted["gap"] <= row["high"] and row["significant"]
    others = table.drop(index=planted["touchpoint"])
    assert row["high"] < others["gap"].min()


def test_sample_hotel_breakfast_gap_for_us_and_the_competitor(hotel):
    from journeyviz.samples import PLANTED

    planted = PLANTED["hotel"]["negative_gap"]
    ours = satisfaction_gap(hotel).set_index("touchpoint").loc[planted["touchpoint"]]
    assert ours["low"] <= planted["gap"] <= ours["high"] and ours["significant"]
    competitor = hotel.competitors()[0]
    theirs = satisfaction_gap(hotel, brand=competitor).set_index("touchpoint").loc[planted["touchpoint"]]
    assert theirs["low"] <= planted["competitor_gap"] <= theirs["high"]
    assert theirs["gap"] > ours["gap"]


def test_sample_hotel_wifi_gap_is_planted_in_the_business_segment(hotel):
    from journeyviz.samples import PLANTED

    planted = PLANTED["hotel"]["segment_gap"]
    table = satisfaction_gap(hotel, by=planted["column"])
    wifi = table[table["touchpoint"] == planted["touchpoint"]].set_index(planted["column"])
    inside = wifi.loc[planted["value"]]
    assert inside["low"] <= planted["gap"] <= inside["high"] and inside["significant"]
    for _, other in wifi.drop(index=planted["value"]).iterrows():
        assert other["low"] <= planted["others_gap"] <= other["high"]
