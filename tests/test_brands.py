"""compare_brands: Welch per cell against scipy, BH against statsmodels, NPS difference, reach and conversion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from journeyviz.analyses.brands import compare_brands
from journeyviz.dataset import Dataset
from journeyviz.engine import get_engine
from journeyviz.journey import Journey

JOURNEY = Journey.from_dict(
    {
        "name": "Brand journey",
        "brand": "Ours",
        "stages": [{"id": "look"}, {"id": "buy", "conversion": True}],
        "touchpoints": [
            {"id": "site", "stage": "look", "channel": "web"},
            {"id": "advice", "stage": "look", "channel": "store"},
            {"id": "till", "stage": "buy", "channel": "store"},
        ],
        "privacy": {"min_group_size": 5},
    }
)
# Mean perception by brand and touchpoint: the rival leads at advice, we lead at till.
MEANS = {"Ours": {"site": 5.0, "advice": 4.5, "till": 5.8}, "Rival": {"site": 5.0, "advice": 5.6, "till": 4.6}, "Other": {"site": 4.9, "advice": 4.4, "till": 5.0}}


def _survey(n: int = 90, seed: int = 21) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ratings, respondents = [], []
    for brand, means in MEANS.items():
        ids = [f"{brand}{i}" for i in range(n)]
        respondents.append(pd.DataFrame({"respondent_id": ids, "brand": brand, "nps": rng.integers(0, 11, n).astype(float), "region": rng.choice(["N", "S"], n)}))
        for tp, mean in means.items():
            stage = "buy" if tp == "till" else "look"
            sd = 0.8 if brand == "Ours" else 1.4  # unequal variances: Welch matters
            ratings.append(pd.DataFrame({"respondent_id": ids, "brand": brand, "touchpoint": tp, "stage": stage, "perception": np.clip(rng.normal(mean, sd, n), 1, 7)}))
    return pd.concat(ratings, ignore_index=True), pd.concat(respondents, ignore_index=True)


def _dataset(ratings=None, respondents=None, events=None) -> Dataset:
    engine = get_engine()
    table = engine.create_table("events", events) if events is not None else None
    return Dataset(JOURNEY, engine, events=table, ratings=ratings, respondents=respondents)


def test_difference_interval_and_p_value_match_welch_ttest_ind():
    ratings, respondents = _survey()
    table = compare_brands(_dataset(ratings, respondents))
    perception = table[table.metric == "perception"].set_index(["competitor", "touchpoint"])
    for comp in ("Rival", "Other"):
        for tp in ("site", "advice", "till"):
            ours = ratings[(ratings.brand == "Ours") & (ratings.touchpoint == tp)]["perception"]
            theirs = ratings[(ratings.brand == comp) & (ratings.touchpoint == tp)]["perception"]
            result = stats.ttest_ind(ours, theirs, equal_var=False)
            ci = result.confidence_interval(0.95)
            row = perception.loc[(comp, tp)]
            assert row["difference"] == pytest.approx(ours.mean() - theirs.mean())
            assert (row["ours"], row["theirs"], row["n_ours"], row["n_theirs"]) == pytest.approx((ours.mean(), theirs.mean(), len(ours), len(theirs)))
            assert (row["low"], row["high"]) == pytest.approx((ci.low, ci.high))
            assert row["p_value"] == pytest.approx(result.pvalue)


def test_p_values_are_adjusted_across_every_row_and_status_follows():
    ratings, respondents = _survey()
    table = compare_brands(_dataset(ratings, respondents))
    assert table["p_adjusted"].to_numpy() == pytest.approx(multipletests(table["p_value"], method="fdr_bh")[1])
    rows = table[table.metric == "perception"].set_index(["competitor", "touchpoint"])
    assert rows.loc[("Rival", "advice"), "status"] == "lag"
    assert rows.loc[("Rival", "till"), "status"] == "lead"
    assert rows.loc[("Rival", "site"), "status"] == "par"
    significant = table["p_adjusted"] < 0.05
    assert (table.loc[~significant, "status"] == "par").all()


def test_nps_difference_uses_both_multinomial_variances():
    ratings, respondents = _survey()
    row = compare_brands(_dataset(ratings, respondents)).query("metric == 'nps' and competitor == 'Rival'").iloc[0]

    def parts(answers):
        pp, pd_ = (answers >= 9).mean(), (answers <= 6).mean()
        return pp - pd_, (pp + pd_ - (pp - pd_) ** 2) / len(answers)

    (s1, v1), (s2, v2) = parts(respondents[respondents.brand == "Ours"]["nps"]), parts(respondents[respondents.brand == "Rival"]["nps"])
    half = stats.norm.ppf(0.975) * np.sqrt(v1 + v2)
    assert row["difference"] == pytest.approx(100 * (s1 - s2))
    assert (row["low"], row["high"]) == pytest.approx((100 * (s1 - s2 - half), 100 * (s1 - s2 + half)))
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(s1 - s2) / np.sqrt(v1 + v2)))
    assert pd.isna(row["touchpoint"])


def test_stage_level_averages_each_respondent_within_the_stage():
    ratings, respondents = _survey()
    row = compare_brands(_dataset(ratings, respondents), level="stage").query("metric == 'perception' and competitor == 'Rival' and stage == 'look'").iloc[0]
    ours = ratings[(ratings.brand == "Ours") & (ratings.stage == "look")].groupby("respondent_id")["perception"].mean()
    theirs = ratings[(ratings.brand == "Rival") & (ratings.stage == "look")].groupby("respondent_id")["perception"].mean()
    assert row["p_value"] == pytest.approx(stats.ttest_ind(ours, theirs, equal_var=False).pvalue)


def _events() -> pd.DataFrame:
    # c0..c9 meet Ours (c0..c5 buy from us); c6..c13 meet Rival (c6..c7 buy there).
    rows = []
    for i in range(10):
        rows.append((f"c{i}", "site", "look", 0, "Ours"))
        if i < 6:
            rows.append((f"c{i}", "till", "buy", 1, "Ours"))
    for i in range(6, 14):
        rows.append((f"c{i}", "site", "look", 0, "Rival"))
        if i < 8:
            rows.append((f"c{i}", "till", "buy", 1, "Rival"))
    frame = pd.DataFrame(rows, columns=["customer_id", "touchpoint", "stage", "stage_order", "brand"])
    frame.insert(0, "event_id", range(len(frame)))
    frame["timestamp"] = pd.Timestamp("2025-03-01") + pd.to_timedelta(frame["event_id"], unit="min")
    frame["channel"] = "web"
    return frame


def test_reach_and_conversion_per_brand_come_from_events():
    table = compare_brands(_dataset(*_survey(), events=_events())).set_index(["competitor", "metric"])
    reach, conversion = table.loc[("Rival", "reach")], table.loc[("Rival", "conversion")]
    assert (reach["n_ours"], reach["ours"], reach["theirs"]) == (14, pytest.approx(10 / 14), pytest.approx(8 / 14))
    assert (conversion["n_ours"], conversion["ours"], conversion["n_theirs"], conversion["theirs"]) == (10, pytest.approx(0.6), 8, pytest.approx(0.25))
    assert conversion["p_value"] == pytest.approx(proportions_ztest([6, 2], [10, 8])[1])
    # A competitor seen in the survey but never in events: reach 0 of all customers, conversion has no denominator.
    assert table.loc[("Other", "reach"), "theirs"] == 0 and table.loc[("Other", "reach"), "n_theirs"] == 14
    assert table.loc[("Other", "conversion"), "suppressed"] and table.loc[("Other", "conversion"), "n_theirs"] == 0


def test_by_adds_the_attribute_first():
    ratings, respondents = _survey()
    table = compare_brands(_dataset(ratings, respondents), by="region")
    assert table.columns[0] == "region" and set(table["region"]) == {"N", "S"}


def test_competitor_without_respondents_is_suppressed_not_dropped():
    ratings, respondents = _survey()
    ratings = ratings[ratings.brand != "Other"]
    respondents = pd.concat([respondents[respondents.brand != "Other"], pd.DataFrame({"respondent_id": ["x"], "brand": ["Other"]})])
    table = compare_brands(_dataset(ratings, respondents))
    other = table[table.competitor == "Other"]
    assert len(other) and other["suppressed"].all() and other["difference"].isna().all() and other["status"].isna().all()


def test_no_competitor_gives_an_empty_well_formed_table():
    ratings, respondents = _survey()
    full = compare_brands(_dataset(ratings, respondents))
    alone = compare_brands(_dataset(ratings[ratings.brand == "Ours"], respondents[respondents.brand == "Ours"]))
    assert alone.empty and list(alone.columns) == list(full.columns)


def test_bad_arguments_raise():
    ratings, respondents = _survey()
    with pytest.raises(ValueError, match="level='journey'"):
        compare_brands(_dataset(ratings, respondents), level="journey")
    with pytest.raises(ValueError, match="raw respondent"):
        compare_brands(_dataset(ratings, respondents), by="respondent_id")
    with pytest.raises(ValueError, match="needs a 'ratings' or 'respondents'"):
        compare_brands(Dataset(JOURNEY, get_engine()))


def test_sample_competitor_leads_at_instore_advice(tmp_path):
    from journeyviz import load
    from journeyviz.samples import PLANTED

    planted = PLANTED["lifecycle"]["competitor_lead"]
    ds = load(Path(__file__).resolve().parents[1] / "data" / "samples" / "maison_lumiere", quarantine_dir=tmp_path)
    table = compare_brands(ds)
    cell = table[(table.metric == "perception") & (table.touchpoint == planted["touchpoint"])].set_index("competitor")
    lead = cell.loc[planted["competitor"]]
    assert lead["status"] == "lag"
    # PLANTED gives the designed shift (0.8); the committed sample measures about 1.0 (its README
    # says so), so the check is on the size's order, not on the design value inside the interval.
    assert lead["high"] < 0 and abs(lead["difference"] + planted["difference"]) < 0.3
    others = cell.drop(index=planted["competitor"])
    assert (others["status"] != "lag").all()
    lags = table[(table.metric == "perception") & (table.status == "lag")]
    assert set(zip(lags.competitor, lags.touchpoint)) == {(planted["competitor"], planted["touchpoint"])}
