"""journeyviz's behavioural numbers equal those of independent peer libraries on the same journeys.

Peers are test extras, never runtime dependencies: pm4py (directly-follows graph), retentioneering
5.x (closed funnel), ChannelAttribution (heuristic attribution) and marketing-attribution-models
(``mam``, analytic first-order Markov). A missing peer skips its test locally and fails it in CI
(env ``CI=true``).

Every peer is given exactly what journeyviz calls a journey: our brand's events of each customer,
ordered by timestamp then event_id (see :mod:`journeyviz.analyses._behaviour`).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses.attribution import attribution
from journeyviz.analyses.funnel import funnel
from journeyviz.analyses.paths import transitions
from journeyviz.dataset import Dataset

from conftest import missing_dependency

os.environ.setdefault("RETENTIONEERING_NO_TRACK", "1")  # no telemetry from test runs

pytestmark = pytest.mark.peers


def _peer(module: str, install: str) -> ModuleType:
    """Import a peer library; skip when it is missing, except in CI where that is a failure."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing_dependency(f"peer library {module!r} is not installed ({exc}); pip install {install}")


@pytest.fixture(params=["small_dataset", "maison_lumiere"])
def sample(request) -> Dataset:
    """Both generated samples: seeded tiny journeys with timestamp ties and no privacy threshold
    (every figure compared), and the committed Maison Lumière sample (planted facts; figures
    below its ``min_group_size`` are suppressed by journeyviz and not compared)."""
    return request.getfixturevalue(request.param)


def _journeys(ds: Dataset) -> pd.DataFrame:
    """Our brand's events, ordered as journeyviz orders them, with ``position`` in the journey (0-based)."""
    events = ds.engine.to_pandas(ds.events)
    events = events[events["brand"] == ds.brand]
    events = events.sort_values(["customer_id", "timestamp", "event_id"], ignore_index=True)
    events["position"] = events.groupby("customer_id").cumcount()
    return events


def _channel_paths(ds: Dataset) -> pd.DataFrame:
    """One row per customer: ``path`` (channels joined by " > "), ``converted``.

    Built here, independently of journeyviz, from its documented definition: a converter's path is
    the journey strictly before their first conversion-stage event (``"(direct)"`` when that is
    their first event), a non-converter's path is the whole journey; every event is a touch.
    """
    events = _journeys(ds)
    conversion = ds.journey.conversion_stage
    first_conv = events["position"].where(events["stage"] == conversion).groupby(events["customer_id"]).transform("min")
    before = events[first_conv.isna() | (events["position"] < first_conv)]
    paths = before.groupby("customer_id")["channel"].agg(" > ".join)
    converted = first_conv.notna().groupby(events["customer_id"]).first()
    frame = pd.DataFrame({"converted": converted})
    frame["path"] = paths.reindex(frame.index).fillna("(direct)")
    return frame.reset_index()


def _grouped(paths: pd.DataFrame) -> pd.DataFrame:
    """Distinct paths with ``conversions`` and ``journeys`` (the input shape of the attribution peers)."""
    return paths.groupby("path").agg(conversions=("converted", "sum"), journeys=("converted", "size")).reset_index()


# ---------------------------------------------------------------------------- pm4py
def test_touchpoint_transition_counts_equal_pm4py_dfg_edges_with_start_and_end_activities(sample):
    pm4py = _peer("pm4py", "pm4py")
    events = _journeys(sample)
    # pm4py orders a case by timestamp only; adding the position in nanoseconds (timestamps are in
    # whole microseconds or coarser) makes its order the journey order without moving any event.
    log = pd.DataFrame(
        {
            "case": events["customer_id"].astype(str),
            "activity": events["touchpoint"].astype(str),
            "time": events["timestamp"].astype("datetime64[ns]") + pd.to_timedelta(events["position"], unit="ns"),
        }
    )
    dfg, start, end = pm4py.discover_dfg(log, case_id_key="case", activity_key="activity", timestamp_key="time")

    ours = transitions(sample, level="touchpoint")
    got = {(a, b): n for a, b, n in ours[["from", "to", "count"]].itertuples(index=False)}
    # pm4py keeps journey start and end apart from the graph: start activities are our
    # "(start)" → touchpoint rows, end activities our touchpoint → "(end)" rows.
    expected = {**dict(dfg), **{("(start)", a): n for a, n in start.items()}, **{(a, "(end)"): n for a, n in end.items()}}
    assert got == expected


def test_the_tiny_sample_has_timestamp_ties_so_the_tie_break_given_to_peers_is_exercised(small_dataset):
    assert _journeys(small_dataset).duplicated(["customer_id", "timestamp"]).any()


# ---------------------------------------------------------------------------- retentioneering
def test_funnel_reconciles_with_retentioneering_closed_funnel(sample):
    _peer("retentioneering", "'retentioneering>=5,<6'")
    from retentioneering import Eventstream

    events = _journeys(sample)
    stages = sample.journey.stage_ids
    # The "index" column is retentioneering's order within a path; giving it the journey position
    # makes event_id break timestamp ties as journeyviz does.
    frame = pd.DataFrame(
        {
            "customer_id": events["customer_id"].astype(str),
            "stage": events["stage"].astype(str),
            "timestamp": events["timestamp"],
            "index": events["position"] + 1,
        }
    )
    stream = Eventstream(frame, schema={"path_cols": ["customer_id"], "event_col": "stage", "timestamp_col": "timestamp"})
    theirs = pd.DataFrame(stream.funnel_data(steps=stages)["steps"])

    ours = funnel(sample)
    assert ours["stage"].tolist() == theirs["step"].tolist()
    assert ours["customers"].tolist() == theirs["unique_paths"].tolist()
    # retentioneering's conversion_rate divides by every path in the eventstream — all customers
    # with at least one event of our brand, journeyviz's ``n`` — and step_conversion_rate by the
    # previous step's paths (the first step's by all paths). Rates journeyviz suppresses are NaN.
    assert (ours["n"] == frame["customer_id"].nunique()).all()
    for mine, peer in (("conversion_from_all", "conversion_rate"), ("conversion_from_previous", "step_conversion_rate")):
        shown = ours[mine].notna()
        assert shown.sum() >= 3
        np.testing.assert_allclose(ours.loc[shown, mine], theirs.loc[shown, peer], rtol=1e-12)


# ---------------------------------------------------------------------------- the exact Markov reference
#: Four journeys small enough to solve by hand: A → conversion, A → B → conversion, B → null, A → null.
#: From (start): A 3/4, B 1/4; from A: B, conversion, null 1/3 each; from B: conversion, null 1/2.
#: P(conversion) = 3/4 · (1/3 + 1/3 · 1/2) + 1/4 · 1/2 = 1/2. Without A: 1/4 · 1/2 = 1/8, so the
#: removal effect of A is 1 − (1/8)/(1/2) = 3/4; without B: 3/4 · 1/3 = 1/4, effect 1 − (1/4)/(1/2) = 1/2.
HAND_CHAIN = pd.DataFrame({"path": ["A", "A > B", "B", "A"], "converted": [True, True, False, False], "journeys": [1, 1, 1, 1]})
HAND_REMOVAL_EFFECTS = {"A": 3 / 4, "B": 1 / 2}


def test_mam_first_order_markov_is_exact_on_a_chain_solved_by_hand():
    mam = _peer("mam", "marketing-attribution-models")
    model = mam.MAM(HAND_CHAIN, format_type="grouped_journey", channels_colname="path",
                    journey_with_conv_colname="converted", occurrences_colname="journeys")
    effects = model.run_markov().metadata["removal_effect"]["removal_effect"].to_dict()
    assert effects.keys() == HAND_REMOVAL_EFFECTS.keys()
    for channel, value in HAND_REMOVAL_EFFECTS.items():
        assert effects[channel] == pytest.approx(value, rel=1e-12)


def test_markov_removal_effects_equal_the_chain_solved_by_hand(make_dataset):
    # web plays A and email B; the checkout (the conversion) ends a path and is not part of it.
    rows = [
        ("c1", "2025-01-01 10:00", "site"), ("c1", "2025-01-02 10:00", "checkout"),
        ("c2", "2025-01-01 10:00", "site"), ("c2", "2025-01-01 11:00", "promo"), ("c2", "2025-01-03 10:00", "checkout"),
        ("c3", "2025-01-01 10:00", "promo"),
        ("c4", "2025-01-01 10:00", "site"),
    ]
    ours = attribution(make_dataset(rows), level="channel", models=["markov"]).set_index("channel")
    assert ours["removal_effect"].to_dict() == pytest.approx({"web": HAND_REMOVAL_EFFECTS["A"], "email": HAND_REMOVAL_EFFECTS["B"]}, rel=1e-12)
    # two conversions shared in proportion 3/4 : 1/2
    assert ours["conversions"].to_dict() == pytest.approx({"web": 2 * 0.6, "email": 2 * 0.4}, rel=1e-12)


def test_markov_removal_effects_equal_mam_analytic_first_order_markov(sample):
    mam = _peer("mam", "marketing-attribution-models")
    grouped = _grouped(_channel_paths(sample))
    # mam takes one row per (path, outcome): split each path into its converting and other journeys.
    rows = pd.concat(
        [
            grouped.assign(converted=True, occurrences=grouped["conversions"]),
            grouped.assign(converted=False, occurrences=grouped["journeys"] - grouped["conversions"]),
        ]
    )
    rows = rows[rows["occurrences"] > 0][["path", "converted", "occurrences"]].reset_index(drop=True)
    model = mam.MAM(rows, format_type="grouped_journey", channels_colname="path",
                    journey_with_conv_colname="converted", occurrences_colname="occurrences")
    # mam drops self-loops (A → A); that changes no absorption probability, so the effects must agree.
    theirs = model.run_markov().metadata["removal_effect"]["removal_effect"].to_dict()

    ours = attribution(sample, level="channel", models=["markov"]).set_index("channel")
    shown = ours.loc[~ours["suppressed"], "removal_effect"].to_dict()
    assert len(shown) >= 3 and set(ours.index) == set(theirs)
    assert shown == pytest.approx({k: theirs[k] for k in shown}, rel=1e-9)


@pytest.mark.parametrize("model, column", [("first", "first_touch"), ("last", "last_touch"), ("linear", "linear_touch")])
def test_heuristic_attribution_equals_channelattribution_heuristic_models(sample, model, column):
    ca = _peer("ChannelAttribution", "channelattribution")
    grouped = _grouped(_channel_paths(sample))
    theirs = ca.heuristic_models(grouped, "path", "conversions", sep=">", flg_pro=False)
    theirs = theirs.set_index("channel_name")[column]
    theirs = theirs[theirs > 0]

    ours = attribution(sample, level="channel", models=[model]).set_index("channel")
    shown = ours.loc[~ours["suppressed"] & (ours["conversions"] > 0), "conversions"].to_dict()
    assert shown and set(shown) <= set(theirs.index)
    assert set(theirs.index) <= set(ours.index)
    assert shown == pytest.approx({k: theirs[k] for k in shown}, rel=1e-12)
