"""churn_by_experience: churn rates, Wilson, Newcombe, relative risk (Katz) and z-test after bad vs good experiences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from journeyviz.analyses.churn import churn_by_experience
from journeyviz.dataset import Dataset
from journeyviz.engine import get_engine
from journeyviz.journey import Journey

JOURNEY = Journey.from_dict(
    {
        "name": "Churn journey",
        "brand": "Ours",
        "stages": [{"id": "look"}, {"id": "buy", "conversion": True}],
        "touchpoints": [{"id": "site", "stage": "look", "channel": "web"}, {"id": "till", "stage": "buy", "channel": "store"}],
        "privacy": {"min_group_size": 5},
    }
)


def _survey(n: int = 400, seed: int = 13) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"r{i}" for i in range(n)]
    nps = rng.integers(0, 11, n).astype(float)
    till_bad = rng.random(n) < 0.4
    risk = np.where(nps <= 6, 0.4, np.where(nps >= 9, 0.1, 0.2)) + np.where(till_bad, 0.15, 0.0)
    respondents = pd.DataFrame(
        {"respondent_id": ids, "brand": "Ours", "nps": nps, "churned": rng.random(n) < risk, "region": rng.choice(["N", "S"], n)}
    )
    expectation = rng.integers(3, 7, n).astype(float)
    ratings = pd.concat(
        [
            pd.DataFrame({"respondent_id": ids, "brand": "Ours", "touchpoint": "till", "stage": "buy", "expectation": expectation, "perception": np.where(till_bad, expectation - 1, expectation + rng.integers(0, 2, n))}),
            pd.DataFrame({"respondent_id": ids, "brand": "Ours", "touchpoint": "site", "stage": "look", "expectation": expectation, "perception": expectation + rng.integers(-1, 2, n)}),
        ],
        ignore_index=True,
    )
    return ratings, respondents


def _dataset(ratings, respondents) -> Dataset:
    return Dataset(JOURNEY, get_engine(), ratings=ratings, respondents=respondents)


def test_detractor_vs_promoter_rates_intervals_and_relative_risk():
    ratings, respondents = _survey()
    row = churn_by_experience(_dataset(ratings, respondents)).query("definition == 'nps'").iloc[0]
    bad, good = respondents[respondents.nps <= 6], respondents[respondents.nps >= 9]
    a, n1, c, n2 = int(bad.churned.sum()), len(bad), int(good.churned.sum()), len(good)
    assert (row["n_bad"], row["n_good"]) == (n1, n2)
    assert n1 + n2 < len(respondents)  # passives are in neither group
    assert (row["churn_bad"], row["churn_good"]) == pytest.approx((a / n1, c / n2))
    assert (row["churn_bad_low"], row["churn_bad_high"]) == pytest.approx(proportion_confint(a, n1, method="wilson"))
    assert (row["churn_good_low"], row["churn_good_high"]) == pytest.approx(proportion_confint(c, n2, method="wilson"))
    rr = (a / n1) / (c / n2)
    se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    assert row["relative_risk"] == pytest.approx(rr)
    assert (row["rr_low"], row["rr_high"]) == pytest.approx((rr * np.exp(-1.959963984540054 * se), rr * np.exp(1.959963984540054 * se)))
    assert row["difference"] == pytest.approx(a / n1 - c / n2)
    assert (row["difference_low"], row["difference_high"]) == pytest.approx(confint_proportions_2indep(a, n1, c, n2, method="newcomb"))
    assert row["p_value"] == pytest.approx(proportions_ztest([a, c], [n1, n2])[1])


def test_negative_gap_at_a_touchpoint_defines_the_bad_group():
    ratings, respondents = _survey()
    table = churn_by_experience(_dataset(ratings, respondents))
    row = table.query("definition == 'gap' and touchpoint == 'till'").iloc[0]
    till = ratings[ratings.touchpoint == "till"].merge(respondents, on="respondent_id")
    bad = till[till.perception < till.expectation]
    good = till[till.perception >= till.expectation]
    assert (row["n_bad"], row["n_good"]) == (len(bad), len(good))
    assert row["churn_bad"] == pytest.approx(bad.churned.mean())
    assert row["relative_risk"] > 1 and row["rr_low"] > 1
    assert table["p_adjusted"].to_numpy() == pytest.approx(multipletests(table["p_value"], method="fdr_bh")[1])
    assert list(table["definition"]) == ["nps", "gap", "gap"] and list(table["touchpoint"].iloc[1:]) == ["site", "till"]


def test_unknown_churn_is_left_out_and_by_comes_first():
    ratings, respondents = _survey()
    respondents["churned"] = respondents["churned"].astype("boolean")
    respondents.loc[:49, "churned"] = pd.NA
    table = churn_by_experience(_dataset(ratings, respondents), by="region")
    assert table.columns[0] == "region"
    known = respondents.dropna(subset=["churned"])
    north = table.query("region == 'N' and definition == 'nps'").iloc[0]
    assert north["n_bad"] == ((known.region == "N") & (known.nps <= 6)).sum()


def test_zero_churners_in_the_good_group_gives_no_relative_risk_interval():
    ratings, respondents = _survey()
    respondents.loc[respondents.nps >= 9, "churned"] = False
    row = churn_by_experience(_dataset(ratings, respondents)).query("definition == 'nps'").iloc[0]
    assert row["churn_good"] == 0 and np.isnan(row["relative_risk"]) and np.isnan(row["rr_low"])
    assert row["difference"] == pytest.approx(row["churn_bad"])


def test_small_groups_are_suppressed():
    ratings, respondents = _survey(n=20)
    table = churn_by_experience(_dataset(ratings, respondents), by="region")
    small = table[(table.n_bad < 5) | (table.n_good < 5)]
    assert len(small) and small["suppressed"].all() and small["churn_bad"].isna().all() and small["relative_risk"].isna().all()


def test_missing_churn_column_raises_and_no_known_churn_gives_empty_table():
    ratings, respondents = _survey()
    with pytest.raises(ValueError, match="'churned'"):
        churn_by_experience(_dataset(ratings, respondents.drop(columns="churned")))
    full = churn_by_experience(_dataset(ratings, respondents))
    empty = churn_by_experience(_dataset(ratings, respondents.assign(churned=pd.array([pd.NA] * len(respondents), dtype="boolean"))))
    assert empty.empty and list(empty.columns) == list(full.columns)


@pytest.mark.parametrize(("folder", "template"), [("maison_lumiere", "lifecycle"), ("hotel_en", "hotel")])
def test_sample_churn_is_higher_after_a_bad_experience(tmp_path, folder, template):
    from journeyviz import load
    from journeyviz.samples import PLANTED

    planted = PLANTED[template]["churn"]
    ds = load(Path(__file__).resolve().parents[1] / "data" / "samples" / folder, quarantine_dir=tmp_path)
    row = churn_by_experience(ds).query("definition == 'nps'").iloc[0]
    assert row["churn_bad_low"] <= planted["detractors"] <= row["churn_bad_high"]
    assert row["churn_good_low"] <= planted["promoters"] <= row["churn_good_high"]
    assert row["rr_low"] > 1 and row["difference_low"] > 0 and row["p_adjusted"] < 0.05


def test_churn_table_holds_plain_columns():
    table = churn_by_experience(_dataset(*_survey()), by="region")
    assert not any(isinstance(dtype, pd.CategoricalDtype) for dtype in table.dtypes)
