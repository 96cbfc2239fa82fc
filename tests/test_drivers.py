"""key_drivers (relative weights, bootstrap) and importance_performance (quadrants, moments of truth)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses.drivers import QUADRANT_LABELS, importance_performance, key_drivers
from journeyviz.dataset import Dataset
from journeyviz.engine import get_engine
from journeyviz.journey import Journey

JOURNEY = Journey.from_dict(
    {
        "name": "Driver journey",
        "brand": "Ours",
        "language": "fr",
        "stages": [{"id": "look"}, {"id": "buy", "conversion": True}],
        "touchpoints": [
            {"id": "site", "stage": "look", "channel": "web"},
            {"id": "ad", "stage": "look", "channel": "social"},
            {"id": "till", "stage": "buy", "channel": "store"},
        ],
        "privacy": {"min_group_size": 5},
    }
)


def _dataset(wide: pd.DataFrame, overall: np.ndarray, journey: Journey = JOURNEY) -> Dataset:
    """Ratings from a respondents × touchpoints frame (NaN = not rated) and an ``overall`` score."""
    ids = [f"r{i}" for i in range(len(wide))]
    long = wide.assign(respondent_id=ids).melt(id_vars="respondent_id", var_name="touchpoint", value_name="perception").dropna(subset=["perception"])
    long["brand"] = "Ours"
    respondents = pd.DataFrame({"respondent_id": ids, "brand": "Ours", "overall": overall})
    return Dataset(journey, get_engine(), ratings=long.reset_index(drop=True), respondents=respondents)


def _correlated(n: int = 600, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    site = common + rng.normal(size=n)
    ad = 0.6 * common + rng.normal(size=n)
    y = 0.8 * site + 0.3 * ad + rng.normal(size=n)
    return pd.DataFrame({"site": site, "ad": ad}), y


def test_two_predictor_relative_weights_match_the_closed_form():
    wide, y = _correlated()
    table = key_drivers(_dataset(wide, y), n_bootstrap=0).set_index("touchpoint")
    r = np.corrcoef(wide["site"], wide["ad"])[0, 1]
    r1, r2 = np.corrcoef(wide["site"], y)[0, 1], np.corrcoef(wide["ad"], y)[0, 1]
    # R_xx^(1/2) of a 2x2 correlation matrix is [[a, b], [b, a]]:
    a = (np.sqrt(1 + r) + np.sqrt(1 - r)) / 2
    b = (np.sqrt(1 + r) - np.sqrt(1 - r)) / 2
    beta1, beta2 = (a * r1 - b * r2) / np.sqrt(1 - r**2), (a * r2 - b * r1) / np.sqrt(1 - r**2)
    expected = {"site": a**2 * beta1**2 + b**2 * beta2**2, "ad": b**2 * beta1**2 + a**2 * beta2**2}
    for tp, weight in expected.items():
        assert table.loc[tp, "derived_importance"] == pytest.approx(weight)
    assert table.loc["site", "correlation"] == pytest.approx(r1)
    assert table.loc["site", "rank"] == 1 and table.loc["ad", "rank"] == 2


def test_weights_add_up_to_the_ols_r_squared_and_shares_to_one():
    wide, y = _correlated()
    wide["till"] = 0.5 * wide["site"] + np.random.default_rng(2).normal(size=len(wide))
    table = key_drivers(_dataset(wide, y), n_bootstrap=0)
    design = np.column_stack([np.ones(len(y)), wide.to_numpy()])
    residuals = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r2 = 1 - residuals.var() / y.var()
    assert table["derived_importance"].sum() == pytest.approx(r2)
    assert table["r2"].iloc[0] == pytest.approx(r2)
    assert table["share"].sum() == pytest.approx(1.0)


def test_uncorrelated_touchpoints_get_their_squared_correlation():
    rng = np.random.default_rng(4)
    raw = rng.normal(size=(400, 2))
    raw -= raw.mean(axis=0)
    q, _ = np.linalg.qr(raw)  # exactly orthogonal, centred columns
    wide = pd.DataFrame(q * 10 + 4, columns=["site", "ad"])
    y = 2 * q[:, 0] + q[:, 1] + rng.normal(scale=0.05, size=400)
    table = key_drivers(_dataset(wide, y), n_bootstrap=0).set_index("touchpoint")
    for tp in ("site", "ad"):
        assert table.loc[tp, "derived_importance"] == pytest.approx(np.corrcoef(wide[tp], y)[0, 1] ** 2)


def test_partial_answers_use_pairwise_correlations_like_pandas():
    wide, y = _correlated()
    rng = np.random.default_rng(8)
    wide = wide.mask(rng.random(wide.shape) < 0.3)
    table = key_drivers(_dataset(wide, y), n_bootstrap=0).set_index("touchpoint")
    expected = wide.assign(y=y).corr()["y"]
    assert table.loc["site", "correlation"] == pytest.approx(expected["site"])
    assert table.loc["site", "n"] == wide["site"].notna().sum()
    assert table.loc["till", "suppressed"] and not table.loc["till", "in_model"]
    assert table["n_model"].iloc[0] == wide.notna().any(axis=1).sum()


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    wide, y = _correlated()
    ds = _dataset(wide, y)
    first, again, other = key_drivers(ds, seed=1), key_drivers(ds, seed=1), key_drivers(ds, seed=2)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["low"].dropna(), other["low"].dropna())
    shown = first.dropna(subset=["derived_importance"])
    assert (shown["low"] <= shown["derived_importance"]).all() and (shown["derived_importance"] <= shown["high"]).all()
    assert (shown["share_low"] <= shown["share"]).all() and (shown["share"] <= shown["share_high"]).all()
    assert first["n_bootstrap"].iloc[0] == 500 and first["bootstrap_units"].iloc[0] == len(y)


def test_random_groups_bootstrap_agrees_with_resampling_respondents():
    wide, y = _correlated(n=6000)
    ds = _dataset(wide, y)
    people = key_drivers(ds, n_bootstrap=400, bootstrap_groups=10_000).set_index("touchpoint")
    grouped = key_drivers(ds, n_bootstrap=400, bootstrap_groups=300).set_index("touchpoint")
    assert people["bootstrap_units"].iloc[0] == 6000 and grouped["bootstrap_units"].iloc[0] == 300
    pd.testing.assert_series_equal(people["derived_importance"], grouped["derived_importance"])
    width_people = (people["high"] - people["low"]).dropna()
    width_grouped = (grouped["high"] - grouped["low"]).dropna()
    assert len(width_people) == 2 and ((width_grouped / width_people).between(0.7, 1.4)).all()


def test_stated_importance_is_reported_beside_derived():
    wide, y = _correlated()
    ds = _dataset(wide, y)
    ds.ratings["importance"] = np.where(ds.ratings["touchpoint"] == "site", 6.0, 3.0)
    table = key_drivers(ds, n_bootstrap=0).set_index("touchpoint")
    assert table.loc["site", "stated_importance"] == 6.0 and table.loc["ad", "stated_importance"] == 3.0
    assert table.loc["site", "stated_importance_n"] == len(wide)


def test_outcome_falls_back_to_nps_and_bad_arguments_raise():
    wide, y = _correlated()
    ds = _dataset(wide, y)
    ds.respondents = ds.respondents.drop(columns="overall").assign(nps=np.clip(np.round(y + 5), 0, 10))
    assert key_drivers(ds, n_bootstrap=0)["outcome"].iloc[0] == "nps"
    with pytest.raises(ValueError, match="outcome='ces'"):
        key_drivers(ds, outcome="ces")
    with pytest.raises(ValueError, match="n_bootstrap"):
        key_drivers(ds, n_bootstrap=-1)
    ds.respondents = ds.respondents.drop(columns="nps")
    with pytest.raises(ValueError, match="neither 'overall' nor 'nps'"):
        key_drivers(ds)


def test_constant_outcome_and_single_respondent_give_well_formed_tables():
    wide, y = _correlated(n=40)
    flat = key_drivers(_dataset(wide, np.full(len(y), 5.0)))
    assert len(flat) == 3 and flat["derived_importance"].isna().all()
    one = key_drivers(_dataset(wide.iloc[:1], y[:1]))
    assert one["suppressed"].all() and one["derived_importance"].isna().all()


def _ipa_dataset(n: int = 500, seed: int = 9) -> Dataset:
    """``till`` drives overall satisfaction and disappoints; ``ad`` matters little and pleases."""
    rng = np.random.default_rng(seed)
    expectation = {"site": 5.0, "ad": 4.0, "till": 6.0}
    shift = {"site": 0.0, "ad": 1.0, "till": -1.5}
    perception = {tp: np.clip(expectation[tp] + shift[tp] + rng.normal(0, 1, n), 1, 7) for tp in expectation}
    overall = 0.2 * perception["site"] + 0.05 * perception["ad"] + 0.8 * perception["till"] + rng.normal(0, 0.5, n)
    ids = [f"r{i}" for i in range(n)]
    ratings = pd.concat(
        [pd.DataFrame({"respondent_id": ids, "brand": "Ours", "touchpoint": tp, "perception": perception[tp], "expectation": expectation[tp] + rng.normal(0, 0.5, n)}) for tp in expectation],
        ignore_index=True,
    )
    respondents = pd.DataFrame({"respondent_id": ids, "brand": "Ours", "overall": overall})
    return Dataset(JOURNEY, get_engine(), ratings=ratings, respondents=respondents)


def test_quadrants_follow_the_reported_thresholds():
    table = importance_performance(_ipa_dataset(), n_bootstrap=50).set_index("touchpoint")
    assert (table["importance_source"] == "derived").all()
    assert table["importance_threshold"].iloc[0] == pytest.approx(table["importance"].mean())
    assert table["performance_threshold"].iloc[0] == pytest.approx(table["performance"].mean())
    for tp, row in table.iterrows():
        high_imp = row["importance"] >= row["importance_threshold"]
        high_perf = row["performance"] >= row["performance_threshold"]
        expected = {(True, False): "concentrate_here", (True, True): "keep_up_the_good_work", (False, False): "low_priority", (False, True): "possible_overkill"}
        assert row["quadrant"] == expected[(high_imp, high_perf)]
        assert row["quadrant_label"] == QUADRANT_LABELS["fr"][row["quadrant"]]
    assert table.loc["till", "quadrant"] == "concentrate_here"
    assert table.loc["ad", "quadrant"] == "possible_overkill"


def test_moment_of_truth_is_important_with_a_significantly_negative_gap():
    table = importance_performance(_ipa_dataset(), n_bootstrap=50).set_index("touchpoint")
    assert list(table.index[table["moment_of_truth"]]) == ["till"]
    assert table.loc["till", "gap"] < 0 and table.loc["till", "gap_p_adjusted"] < 0.05


def test_importance_falls_back_to_stated_without_an_outcome():
    ds = _ipa_dataset()
    ds.ratings["importance"] = ds.ratings["touchpoint"].map({"site": 4.0, "ad": 2.0, "till": 6.5})
    ds.respondents = ds.respondents.drop(columns="overall")
    table = importance_performance(ds).set_index("touchpoint")
    assert (table["importance_source"] == "stated").all()
    assert table.loc["till", "importance"] == pytest.approx(6.5)
    assert table.loc["till", "moment_of_truth"]


def test_ipa_labels_follow_the_journey_language_and_empty_brand_is_well_formed():
    ds = _ipa_dataset()
    ds.journey = JOURNEY.with_changes(language="en")
    table = importance_performance(ds, n_bootstrap=0)
    assert set(table["quadrant_label"]) <= set(QUADRANT_LABELS["en"].values())
    ds.ratings = ds.ratings.iloc[:0]
    empty = importance_performance(ds)
    assert empty.empty and list(empty.columns) == list(table.columns)


@pytest.mark.parametrize(("folder", "template", "fact"), [("maison_lumiere", "lifecycle", "moment_of_truth"), ("hotel_en", "hotel", "key_driver")])
def test_sample_key_driver_and_moment_of_truth(tmp_path, folder, template, fact):
    from journeyviz import load
    from journeyviz.samples import PLANTED

    planted = PLANTED[template][fact]
    ds = load(Path(__file__).resolve().parents[1] / "data" / "samples" / folder, quarantine_dir=tmp_path)
    drivers = key_drivers(ds).set_index("touchpoint")
    top = drivers.loc[planted["touchpoint"]]
    assert top["rank"] == 1
    assert top["low"] > drivers.drop(index=planted["touchpoint"])["derived_importance"].max()
    ipa = importance_performance(ds).set_index("touchpoint")
    truths = list(ipa.index[ipa["moment_of_truth"]])
    if fact == "moment_of_truth":
        assert truths == [planted["touchpoint"]]
        assert ipa.loc[planted["touchpoint"], "quadrant"] == "concentrate_here"
        assert ipa.loc[planted["touchpoint"], "gap"] < 0
    else:  # a strong driver performing at par is not a moment of truth
        assert truths == [] and ipa.loc[planted["touchpoint"], "quadrant"] == "keep_up_the_good_work"
