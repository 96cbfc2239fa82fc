"""Segments: rule-based labels, deterministic behavioural clusters, engine features, profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import TINY_JOURNEY, build_dataset, random_events
from journeyviz.analyses.segments import _best_k, customer_features, segment, segment_profiles


@pytest.fixture
def ds_with_age():
    events, customers = random_events(n_customers=120, seed=3)
    customers = customers.drop(columns=["segment"])
    customers["age"] = np.arange(len(customers)) % 60 + 18
    return build_dataset(events, customers=customers)


def test_age_bands_have_readable_labels_and_lower_edge_included(ds_with_age):
    out = segment(ds_with_age, rules={"age": [18, 25, 35, 50, 65, 120]}).customers
    expected = pd.cut(out["age"], [18, 25, 35, 50, 65, 120], right=False, labels=["18–24", "25–34", "35–49", "50–64", "65–119"]).astype(str)
    assert (out["segment"].astype(str) == expected).all()
    assert out.loc[out["age"] == 25, "segment"].eq("25–34").all()


def test_attribute_rule_copies_values_and_leaves_input_untouched(ds_with_age):
    out = segment(ds_with_age, rules={"region": None}, name="zone")
    assert (out.customers["zone"] == out.customers["region"].astype("string")).all()
    assert "zone" not in ds_with_age.customers
    assert "zone" in out.customer_attributes()


def test_query_rules_first_match_wins_and_others_get_other(ds_with_age):
    rules = {"Young": "age < 30", "Nord": "region == 'Nord'"}
    c = segment(ds_with_age, rules=rules).customers
    young = c["age"] < 30
    nord = c["region"] == "Nord"
    assert (c.loc[young, "segment"] == "Young").all()
    assert (c.loc[~young & nord, "segment"] == "Nord").all()
    assert (c.loc[~young & ~nord, "segment"] == "(other)").all()


def test_segment_works_as_by_in_events(ds_with_age):
    out = segment(ds_with_age, rules={"age": [18, 40, 120]})
    by = out.engine.to_pandas(out.events_by("segment").select("customer_id", "by").distinct())
    assert set(by["by"]) <= {"18–39", "40–119"}


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"rules": {"height": None}}, "height"),
        ({"rules": {"x": "age <<< 3"}}, "rules"),
        ({"method": "dbscan"}, "method"),
        ({"method": "kmeans", "k": 1}, "k="),
        ({"method": "kmeans", "k": 10_000}, "k="),
        ({}, "rules= or method="),
    ],
)
def test_bad_parameters_name_the_argument(ds_with_age, kwargs, word):
    with pytest.raises(ValueError, match=word):
        segment(ds_with_age, **kwargs)


def test_behavioural_segments_need_events_and_two_customers(ds_with_age, make_dataset):
    no_events = ds_with_age.filter()
    no_events.events = None
    with pytest.raises(ValueError, match="events"):
        segment(no_events, method="kmeans")
    one = make_dataset([("a", "2025-01-01", "site"), ("a", "2025-01-02", "till")])
    with pytest.raises(ValueError, match="two customers"):
        segment(one, method="kmeans")


def test_features_computed_in_engine_equal_pandas(ds_with_age):
    events = ds_with_age.engine.to_pandas(ds_with_age.events)
    ours = events[events["brand"] == TINY_JOURNEY.brand]
    feats = customer_features(ds_with_age)
    g = ours.groupby("customer_id")
    assert np.allclose(feats["frequency"], g.size().reindex(feats.index))
    assert np.allclose(feats["share_web"], g["channel"].apply(lambda s: (s == "web").mean()).reindex(feats.index))
    assert np.allclose(feats["furthest_stage"], g["stage_order"].max().reindex(feats.index))
    assert np.allclose(feats["touchpoints"], g["touchpoint"].nunique().reindex(feats.index))
    assert np.allclose(feats["converted"], g["stage"].apply(lambda s: float((s == "buy").any())).reindex(feats.index))
    last = g["timestamp"].max()
    assert np.allclose(feats["recency_days"], ((last.max() - last) / pd.Timedelta(days=1)).reindex(feats.index))


def test_clusters_are_deterministic_and_independent_of_row_order(ds_with_age):
    a = segment(ds_with_age, method="kmeans", k=3, seed=1).customers.set_index("customer_id")["segment"]
    b = segment(ds_with_age, method="kmeans", k=3, seed=1).customers.set_index("customer_id")["segment"]
    events = ds_with_age.engine.to_pandas(ds_with_age.events).sample(frac=1.0, random_state=5)
    shuffled = build_dataset(events, customers=ds_with_age.customers.sample(frac=1.0, random_state=6))
    c = segment(shuffled, method="kmeans", k=3, seed=1).customers.set_index("customer_id")["segment"]
    assert a.equals(b)
    assert (a == c.reindex(a.index)).all()
    assert a[a != "(no events)"].nunique() == 3


def test_gmm_gives_named_clusters(ds_with_age):
    out = segment(ds_with_age, method="gmm", k=2).customers["segment"]
    clusters = out[out != "(no events)"]
    assert clusters.nunique() == 2
    assert all(("-first" in s or "-only" in s) for s in clusters.unique())


def test_silhouette_finds_the_true_k():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]])
    x = np.vstack([c + rng.normal(0, 0.5, size=(50, 2)) for c in centres])
    assert _best_k(x, seed=0) == 4


def test_profiles_effect_size_matches_hand_computation(ds_with_age):
    seg = segment(ds_with_age, rules={"age": [18, 40, 120]})
    prof = segment_profiles(seg)
    c = seg.customers.set_index("customer_id")
    inside = c["segment"] == "18–39"
    a, b = c.loc[inside, "age"], c.loc[~inside, "age"]
    pooled = np.sqrt(((len(a) - 1) * a.var() + (len(b) - 1) * b.var()) / (len(a) + len(b) - 2))
    row = prof[(prof["segment"] == "18–39") & (prof["feature"] == "age")].iloc[0]
    assert row["effect_size"] == pytest.approx((a.mean() - b.mean()) / pooled)
    assert row["mean"] == pytest.approx(a.mean())
    assert row["overall"] == pytest.approx(c["age"].mean())
    assert row["customers"] == inside.sum()
    assert row["share"] == pytest.approx(inside.mean())
    ranks = prof[prof["segment"] == "18–39"].sort_values("distinctive")
    assert ranks["effect_size"].abs().iloc[0] == pytest.approx(ranks["effect_size"].abs().max())
    assert "customer_id" not in prof.columns


def test_profiles_suppress_small_segments(ds_with_age):
    seg = segment(ds_with_age, rules={"tiny": "age == 18"})
    prof = segment_profiles(seg, min_group_size=5)
    small = prof[prof["segment"] == "tiny"]
    assert small["suppressed"].all() and small["mean"].isna().all() and small["effect_size"].isna().all()
    assert not prof.loc[prof["segment"] == "(other)", "suppressed"].any()


def test_profiles_unknown_by_is_an_error(ds_with_age):
    with pytest.raises(ValueError, match="by='nope'"):
        segment_profiles(ds_with_age, by="nope")


def test_planted_ropo_segment_recovered_by_a_rule_segment(maison_lumiere):
    from journeyviz import channel_switching
    from journeyviz.samples import PLANTED

    planted = PLANTED["lifecycle"]["ropo_segment"]
    seg = segment(maison_lumiere, rules={"ROPO target": f"{planted['column']} == '{planted['value']}'"})
    types = channel_switching(seg, by="segment", kind="journey_types")
    ropo = types[types["journey_type"] == "research online → buy in store"].set_index("segment")["share_of_buyers"]
    assert ropo["ROPO target"] == pytest.approx(planted["ropo_share"], abs=0.08)
    assert ropo["(other)"] == pytest.approx(planted["others_ropo_share"], abs=0.08)


def test_empty_data_gives_empty_well_formed_frames(make_dataset):
    from conftest import events_frame

    customers = pd.DataFrame({"customer_id": pd.Series([], dtype="string"), "age": pd.Series([], dtype="float64")})
    ds = make_dataset(events_frame([]), customers=customers)
    assert customer_features(ds).empty and "share_web" in customer_features(ds).columns
    seg = segment(ds, rules={"age": [0, 10]})
    assert "segment" in seg.customers.columns and seg.customers.empty
    prof = segment_profiles(seg)
    assert prof.empty and {"segment", "feature", "effect_size", "distinctive"} <= set(prof.columns)


@pytest.mark.spark
def test_features_same_on_spark(spark_engine):
    events, customers = random_events(n_customers=40, seed=9)
    duck = customer_features(build_dataset(events, customers=customers))
    spark = customer_features(build_dataset(events, customers=customers, engine=spark_engine))
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False)


# ---------------------------------------------------------------------- cost and wording
def _count_feature_queries(monkeypatch) -> list[int]:
    from journeyviz.analyses import segments as mod

    calls: list[int] = []
    compute = mod._compute_features

    def counted(ds):
        calls.append(1)
        return compute(ds)

    monkeypatch.setattr(mod, "_compute_features", counted)
    return calls


def test_profiles_of_a_clustered_dataset_reuse_its_features(ds_with_age, monkeypatch):
    calls = _count_feature_queries(monkeypatch)
    seg = segment(ds_with_age, method="kmeans", k=3)
    prof = segment_profiles(seg)
    assert len(calls) == 1
    # the same figures as profiles whose features are computed afresh
    fresh = ds_with_age.filter()
    fresh.customers = seg.customers
    pd.testing.assert_frame_equal(prof, segment_profiles(fresh))
    assert len(calls) == 2
    # what the caller gets is a copy: changing it does not change what segment_profiles reads
    feats = customer_features(seg)
    feats["frequency"] = -1.0
    assert (customer_features(seg)["frequency"] > 0).all() and len(calls) == 2


def test_kept_features_are_dropped_when_the_events_change(ds_with_age, monkeypatch):
    calls = _count_feature_queries(monkeypatch)
    seg = segment(ds_with_age, method="kmeans", k=2)
    web_only = seg.filter(channels=["web"])
    assert (customer_features(web_only).filter(like="share_web") == 1.0).all().all()
    seg.events = seg.events.filter(seg.events.channel == "web")
    assert (customer_features(seg)["share_web"] == 1.0).all()
    assert len(calls) == 3


def test_a_rule_split_of_a_clustered_dataset_keeps_its_features(ds_with_age, monkeypatch):
    calls = _count_feature_queries(monkeypatch)
    clustered = segment(ds_with_age, method="kmeans", k=2, name="cluster")
    both = segment(clustered, rules={"age": [18, 40, 120]})
    segment_profiles(both, by="cluster")
    segment_profiles(both)
    assert len(calls) == 1


def test_fits_run_on_one_thread(ds_with_age, monkeypatch):
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture
    from threadpoolctl import threadpool_info

    seen: list[int] = []

    def recording(original):
        def fit(self, *args, **kwargs):
            seen.extend(pool["num_threads"] for pool in threadpool_info())
            return original(self, *args, **kwargs)

        return fit

    monkeypatch.setattr(KMeans, "fit", recording(KMeans.fit))
    monkeypatch.setattr(GaussianMixture, "fit", recording(GaussianMixture.fit))
    segment(ds_with_age, method="kmeans")  # k chosen by silhouette: several fits
    segment(ds_with_age, method="gmm", k=2)
    assert seen and set(seen) == {1}


def test_cluster_names_follow_lang_and_default_to_the_journey_language(ds_with_age):
    from journeyviz import vocabulary

    default = segment(ds_with_age, method="kmeans", k=3).customers["segment"]
    en = segment(ds_with_age, method="kmeans", k=3, lang="en").customers["segment"]
    fr = segment(ds_with_age, method="kmeans", k=3, lang="fr").customers["segment"]
    assert ds_with_age.journey.language == "en" and default.equals(en)
    # same customers in the same clusters, only the words change
    assert pd.crosstab(en, fr).gt(0).sum(axis=1).eq(1).all()
    assert fr.isin(["(sans événement)"]).sum() == en.isin(["(no events)"]).sum()
    firsts = {lang: {vocabulary.channel_label(c, lang).capitalize() for c in vocabulary.CHANNELS[lang]} for lang in ("fr", "en")}
    for lang, names in (("fr", fr), ("en", en)):
        heads = {s.split(",")[0].removesuffix(" d'abord").removesuffix(" uniquement").removesuffix("-first").removesuffix("-only") for s in names.unique() if not s.startswith("(")}
        assert heads and heads <= {h[:1].upper() + h[1:] for h in firsts[lang]}, heads
    assert all(("acheteurs" in s or "visiteurs" in s) for s in fr[~fr.str.startswith("(")].unique())


def test_bad_lang_names_the_argument(ds_with_age):
    with pytest.raises(ValueError, match="lang='de'"):
        segment(ds_with_age, method="kmeans", k=2, lang="de")


def test_profiles_blank_means_over_fewer_customers_than_the_threshold(ds_with_age):
    ds = ds_with_age.filter()
    customers = ds.customers.copy()
    # a large segment in which only three customers have a value of "score"
    customers["score"] = np.where(np.arange(len(customers)) < 3, 1.0, np.nan)
    customers["half"] = np.where(np.arange(len(customers)) % 2 == 0, "even", "odd")
    ds.customers = customers
    prof = segment_profiles(ds, by="half", min_group_size=5).set_index(["segment", "feature"])
    thin = prof.loc[("even", "score")]
    assert thin["n"] == 2 and not thin["suppressed"]
    assert np.isnan(thin["mean"]) and np.isnan(thin["effect_size"]) and pd.isna(thin["direction"]) and np.isnan(thin["distinctive"])
    assert thin["overall"] == pytest.approx(1.0)
    wide = prof.loc[("even", "age")]
    assert wide["n"] >= 5 and np.isfinite(wide["mean"]) and np.isfinite(wide["effect_size"])
    assert prof.loc["even", "distinctive"].dropna().sort_values().tolist() == list(range(1, prof.loc["even", "distinctive"].notna().sum() + 1))
