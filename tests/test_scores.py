"""scores: CSAT mean and top-2-box, NPS and CES with intervals, checked against scipy/statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from journeyviz.analyses.scores import scores
from journeyviz.dataset import Dataset
from journeyviz.engine import get_engine
from journeyviz.journey import Journey

JOURNEY = Journey.from_dict(
    {
        "name": "Test journey",
        "brand": "Ours",
        "language": "en",
        "stages": [{"id": "look", "label": "Looking"}, {"id": "buy", "label": "Buying", "conversion": True}],
        "touchpoints": [
            {"id": "site", "label": "Website", "stage": "look", "channel": "web"},
            {"id": "ad", "label": "Advert", "stage": "look", "channel": "social"},
            {"id": "till", "label": "Till", "stage": "buy", "channel": "store"},
        ],
        "privacy": {"min_group_size": 5},
    }
)


def _survey(n: int = 120, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"r{i:04d}" for i in range(n)]
    brand = np.where(np.arange(n) < n * 2 // 3, "Ours", "Rival")
    respondents = pd.DataFrame(
        {
            "respondent_id": ids,
            "customer_id": [f"c{i:04d}" for i in range(n)],
            "brand": brand,
            "region": rng.choice(["North", "South"], n),
            "overall": rng.integers(1, 8, n).astype(float),
            "nps": rng.integers(0, 11, n).astype(float),
            "ces": rng.integers(1, 8, n).astype(float),
        }
    )
    frames = []
    for tp, stage in (("site", "look"), ("ad", "look"), ("till", "buy")):
        answered = rng.random(n) < 0.8
        frames.append(
            pd.DataFrame(
                {
                    "respondent_id": np.array(ids)[answered],
                    "brand": brand[answered],
                    "touchpoint": tp,
                    "stage": stage,
                    "perception": rng.integers(1, 8, answered.sum()).astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True), respondents


def _dataset(ratings: pd.DataFrame | None = None, respondents: pd.DataFrame | None = None, journey: Journey = JOURNEY) -> Dataset:
    if ratings is None and respondents is None:
        ratings, respondents = _survey()
    return Dataset(journey, get_engine(), ratings=ratings, respondents=respondents)


def test_csat_mean_and_interval_match_scipy_t_interval():
    ratings, respondents = _survey()
    table = scores(_dataset(ratings, respondents)).set_index("touchpoint")
    values = ratings.loc[(ratings.brand == "Ours") & (ratings.touchpoint == "site"), "perception"]
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    row = table.loc["site"]
    assert row["n"] == len(values)
    assert row["csat"] == pytest.approx(values.mean())
    assert (row["csat_low"], row["csat_high"]) == pytest.approx((low, high))


def test_top2_box_share_and_wilson_interval_match_statsmodels():
    ratings, respondents = _survey()
    row = scores(_dataset(ratings, respondents)).set_index("touchpoint").loc["till"]
    values = ratings.loc[(ratings.brand == "Ours") & (ratings.touchpoint == "till"), "perception"]
    k = int((values >= 6).sum())  # top two points of a 1-7 scale
    assert row["top2"] == pytest.approx(k / len(values))
    assert (row["top2_low"], row["top2_high"]) == pytest.approx(proportion_confint(k, len(values), method="wilson"))


def _nps_by_hand(answers: pd.Series) -> tuple[float, float, float]:
    n = len(answers)
    pp, pd_ = (answers >= 9).mean(), (answers <= 6).mean()
    half = 1.959963984540054 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)
    return 100 * (pp - pd_), 100 * (pp - pd_ - half), 100 * (pp - pd_ + half)


def test_journey_nps_is_promoters_minus_detractors_with_multinomial_interval():
    ratings, respondents = _survey()
    row = scores(_dataset(ratings, respondents), level="journey").iloc[0]
    ours = respondents[respondents.brand == "Ours"]
    assert row["journey"] == "Test journey"
    assert row["nps_n"] == len(ours)
    assert (row["nps"], row["nps_low"], row["nps_high"]) == pytest.approx(_nps_by_hand(ours["nps"]))
    assert row["csat"] == pytest.approx(ours["overall"].mean())
    assert row["ces"] == pytest.approx(ours["ces"].mean())
    low, high = stats.t.interval(0.95, len(ours) - 1, loc=ours["ces"].mean(), scale=stats.sem(ours["ces"]))
    assert (row["ces_low"], row["ces_high"]) == pytest.approx((low, high))


def test_touchpoint_nps_counts_only_respondents_who_rated_the_touchpoint():
    ratings, respondents = _survey()
    row = scores(_dataset(ratings, respondents)).set_index("touchpoint").loc["ad"]
    raters = ratings.loc[(ratings.brand == "Ours") & (ratings.touchpoint == "ad"), "respondent_id"]
    answers = respondents.set_index("respondent_id").loc[raters, "nps"]
    assert row["nps_n"] == len(answers) < (respondents.brand == "Ours").sum()
    assert row["nps"] == pytest.approx(_nps_by_hand(answers)[0])


def test_stage_level_counts_each_respondent_once_with_their_mean():
    ratings, respondents = _survey()
    row = scores(_dataset(ratings, respondents), level="stage").set_index("stage").loc["look"]
    ours = ratings[(ratings.brand == "Ours") & (ratings.stage == "look")]
    per_person = ours.groupby("respondent_id")["perception"].mean()
    assert row["n"] == len(per_person) == ours["respondent_id"].nunique()
    assert row["csat"] == pytest.approx(per_person.mean())
    assert row["label"] == "Looking"


def test_rows_follow_journey_order_and_carry_labels():
    table = scores(_dataset())
    assert list(table["touchpoint"]) == ["site", "ad", "till"]
    assert list(table["label"]) == ["Website", "Advert", "Till"]
    assert list(table.columns[:3]) == ["touchpoint", "label", "stage"]


def test_by_adds_the_attribute_as_first_column():
    ratings, respondents = _survey()
    table = scores(_dataset(ratings, respondents), by="region")
    assert table.columns[0] == "region"
    north = table[(table.region == "North") & (table.touchpoint == "site")].iloc[0]
    ids = respondents.loc[respondents.region == "North", "respondent_id"]
    values = ratings[(ratings.brand == "Ours") & (ratings.touchpoint == "site") & ratings.respondent_id.isin(ids)]["perception"]
    assert north["n"] == len(values)
    assert north["csat"] == pytest.approx(values.mean())


def test_brand_parameter_scores_a_competitor():
    ratings, respondents = _survey()
    row = scores(_dataset(ratings, respondents), brand="Rival").set_index("touchpoint").loc["site"]
    values = ratings.loc[(ratings.brand == "Rival") & (ratings.touchpoint == "site"), "perception"]
    assert row["csat"] == pytest.approx(values.mean())


def test_journey_csat_without_overall_uses_mean_perception_per_respondent():
    ratings, respondents = _survey()
    row = scores(_dataset(ratings, respondents.drop(columns="overall")), level="journey").iloc[0]
    per_person = ratings[ratings.brand == "Ours"].groupby("respondent_id")["perception"].mean()
    assert row["n"] == len(per_person)
    assert row["csat"] == pytest.approx(per_person.mean())


def test_small_cells_are_suppressed_not_zeroed():
    ratings, respondents = _survey(n=12)
    table = scores(_dataset(ratings, respondents), by="region")
    small = table[table["n"] < JOURNEY.min_group_size]
    assert len(small) > 0
    assert small["suppressed"].all()
    assert small["csat"].isna().all() and small["top2"].isna().all()
    assert (small["n"] > 0).all()


def test_output_carries_no_respondent_or_customer_ids():
    ratings, respondents = _survey()
    for level in ("touchpoint", "stage", "journey"):
        table = scores(_dataset(ratings, respondents), level=level, by="region")
        cells = set(table.astype(str).to_numpy().ravel())
        assert not cells & set(respondents["respondent_id"]) and not cells & set(respondents["customer_id"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "channel"}, "level='channel'"),
        ({"by": "respondent_id"}, "raw respondent"),
        ({"by": "customer_id"}, "raw respondent"),
        ({"by": "shoe_size"}, "shoe_size"),
        ({"brand": "Nobody"}, "brand='Nobody'"),
    ],
)
def test_bad_parameters_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        scores(_dataset(), **kwargs)


def test_brand_without_ratings_gives_an_empty_well_formed_table():
    ratings, respondents = _survey()
    full = scores(_dataset(ratings, respondents))
    empty = scores(_dataset(ratings[ratings.brand == "Rival"], respondents))
    assert empty.empty and list(empty.columns) == list(full.columns)


def test_one_respondent_and_constant_answers_are_suppressed_without_error():
    ratings = pd.DataFrame({"respondent_id": ["r1"], "brand": ["Ours"], "touchpoint": ["site"], "stage": ["look"], "perception": [5.0]})
    respondents = pd.DataFrame({"respondent_id": ["r1"], "brand": ["Ours"], "nps": [10.0]})
    table = scores(_dataset(ratings, respondents))
    assert table["suppressed"].all() and table["csat"].isna().all()
    constant = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(8)], "touchpoint": "site", "perception": 6.0})
    row = scores(_dataset(constant, None)).iloc[0]
    assert row["csat"] == 6.0 and row["csat_low"] == row["csat_high"] == 6.0 and row["top2"] == 1.0


def test_tables_hold_plain_columns_not_categoricals():
    ratings, respondents = _survey()
    for level in ("touchpoint", "stage", "journey"):
        table = scores(_dataset(ratings, respondents), level=level, by="region")
        assert not any(isinstance(dtype, pd.CategoricalDtype) for dtype in table.dtypes), level
        assert list(table["region"]) == sorted(table["region"]) or level != "journey"
