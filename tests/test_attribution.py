"""attribution: heuristic credits and exact Markov removal effects on chains solved by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses.attribution import MODELS, attribution, markov_removal_effects

from conftest import TINY_JOURNEY, build_dataset

# Converters' paths (events strictly before the first "buy" event), at channel level:
#   a: web, store → buys;  c: buys at its first event (direct);  d: email, email, web → buys.
# b never buys: web, web.
ROWS = [
    ("a", "2025-01-01 10:00", "site"),
    ("a", "2025-01-01 12:00", "shop"),
    ("a", "2025-01-02 10:00", "till"),
    ("a", "2025-01-03 00:00", "review"),
    ("b", "2025-01-01 10:00", "site"),
    ("b", "2025-01-01 10:00", "signup"),
    ("c", "2025-01-01 10:00", "checkout"),
    ("c", "2025-01-01 11:00", "site"),
    ("d", "2025-01-01 10:00", "promo"),
    ("d", "2025-01-01 11:00", "promo"),
    ("d", "2025-01-01 11:00", "site"),
    ("d", "2025-01-02 11:00", "checkout"),
]


def _credit(out: pd.DataFrame, model: str) -> dict[str, float]:
    rows = out[out["model"] == model]
    return dict(zip(rows["channel"], rows["conversions"]))


def test_heuristic_models_by_hand():
    out = attribution(build_dataset(ROWS), models=("first", "last", "linear", "position"))
    assert _credit(out, "first") == pytest.approx({"(direct)": 1, "web": 1, "email": 1, "store": 0})
    assert _credit(out, "last") == pytest.approx({"(direct)": 1, "web": 1, "email": 0, "store": 1})
    assert _credit(out, "linear") == pytest.approx({"(direct)": 1, "web": 0.5 + 1 / 3, "email": 2 / 3, "store": 0.5})
    # d has three touches: 40 % email, 20 % email (middle), 40 % web; a has two: 50/50
    assert _credit(out, "position") == pytest.approx({"(direct)": 1, "web": 0.5 + 0.4, "email": 0.6, "store": 0.5})


def test_every_model_distributes_all_conversions():
    out = attribution(build_dataset(ROWS))
    assert out["model"].unique().tolist() == list(MODELS)
    totals = out.groupby("model")["conversions"].sum()
    assert np.allclose(totals, 3.0)
    assert np.allclose(out.groupby("model")["share"].sum(), 1.0)


def test_time_decay_halves_the_weight_per_half_life():
    rows = [("x", "2025-01-01 00:00", "promo"), ("x", "2025-01-02 00:00", "site"), ("x", "2025-01-03 00:00", "checkout")]
    out = attribution(build_dataset(rows), models=["time_decay"], half_life="1D")
    # promo is 2 days before the purchase (weight 1/4), site 1 day (weight 1/2)
    assert _credit(out, "time_decay") == pytest.approx({"email": 1 / 3, "web": 2 / 3})
    slow = attribution(build_dataset(rows), models=["time_decay"], half_life="1000D")
    assert _credit(slow, "time_decay")["email"] == pytest.approx(0.5, abs=1e-3)


def test_markov_removal_effects_match_the_chain_solved_by_hand():
    # start: web 2/4, direct 1/4, email 1/4; web: store, web, null, conversion 1/4 each;
    # email: email 1/2, web 1/2; store → conversion; direct → conversion.
    # P(conv | web) = 2/3, P(conv | email) = 2/3, P(conv) = 1/2·2/3 + 1/4 + 1/4·2/3 = 3/4.
    # Without web: 1/4 → effect 2/3. Without direct: 1/2 → 1/3. Without store: P(web) = 1/3,
    # P = 1/2 → 1/3. Without email: 7/12 → 2/9.
    out = attribution(build_dataset(ROWS), models=["markov"]).set_index("channel")
    expected = {"web": 2 / 3, "(direct)": 1 / 3, "store": 1 / 3, "email": 2 / 9}
    assert out["removal_effect"].to_dict() == pytest.approx(expected)
    total = sum(expected.values())
    assert out["conversions"].to_dict() == pytest.approx({k: 3 * v / total for k, v in expected.items()})


def test_markov_on_a_two_state_chain_and_self_loops_do_not_change_it():
    counts = pd.DataFrame(
        {
            "from": ["(start)", "(start)", "A", "A", "B", "B"],
            "to": ["A", "B", "(conversion)", "B", "(conversion)", "(null)"],
            "count": [1, 1, 1, 1, 1, 1],
        }
    )
    # P(B) = 1/2, P(A) = 1/2 + 1/2·1/2 = 3/4, P = 1/2·3/4 + 1/2·1/2 = 5/8
    effects = markov_removal_effects(counts).set_index("item")["removal_effect"]
    assert markov_removal_effects(counts).attrs["conversion_probability"] == pytest.approx(5 / 8)
    assert effects["A"] == pytest.approx(1 - (1 / 4) / (5 / 8))  # only start → B → 1/2 remains
    assert effects["B"] == pytest.approx(1 - (1 / 4) / (5 / 8))  # start → A → conversion 1/2
    looped = pd.concat([counts, pd.DataFrame({"from": ["A"], "to": ["A"], "count": [5]})], ignore_index=True)
    assert markov_removal_effects(looped)["removal_effect"].tolist() == pytest.approx(effects.tolist())


def test_touchpoint_level_names_the_column_after_the_level():
    out = attribution(build_dataset(ROWS), level="touchpoint", models=["last"])
    assert out.columns.tolist()[:2] == ["model", "touchpoint"]
    assert dict(zip(out["touchpoint"], out["conversions"]))["shop"] == pytest.approx(1)


def test_small_samples_are_suppressed():
    ds = build_dataset(ROWS, journey=TINY_JOURNEY.with_changes(min_group_size=2))
    out = attribution(ds, models=["linear"]).set_index("channel")
    assert out.loc["web", "customers"] == 2 and not out.loc["web", "suppressed"]
    assert out.loc["store", "suppressed"] and np.isnan(out.loc["store", "conversions"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"level": "stage"}, "level='stage'.*'channel', 'touchpoint'"),
        ({"models": ["shapley"]}, "models=.*'first'"),
        ({"models": []}, "models="),
        ({"half_life": "0D"}, "half_life='0D'"),
        ({"half_life": "later"}, "half_life='later'"),
        ({"half_life": None}, "half_life"),
    ],
)
def test_bad_parameters_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        attribution(build_dataset(ROWS), **kwargs)


def test_no_conversion_stage_filter_and_empty():
    from journeyviz.journey import Journey

    plain = Journey.from_dict({**TINY_JOURNEY.to_dict(), "stages": [{"id": s} for s in TINY_JOURNEY.stage_ids]})
    with pytest.raises(ValueError, match="conversion"):
        attribution(build_dataset(ROWS, journey=plain))
    with pytest.raises(ValueError, match="filter"):
        attribution(build_dataset(ROWS).filter(channels=["fax"]))
    empty = attribution(build_dataset([]))
    assert empty.empty and empty.columns.tolist() == ["model", "channel", "customers", "conversions", "share", "removal_effect", "suppressed"]
