"""Every behavioural analysis gives the same table on DuckDB and on a local PySpark session."""

from __future__ import annotations

import pandas as pd
import pytest

from journeyviz.analyses.attribution import attribution
from journeyviz.analyses.audit import objective_coverage, touchpoint_audit
from journeyviz.analyses.channels import channel_switching
from journeyviz.analyses.funnel import funnel
from journeyviz.analyses.paths import flows, top_paths, transitions
from journeyviz.engine import get_engine

from conftest import build_dataset, random_events

pytestmark = pytest.mark.spark

CALLS = {
    "funnel_by_window": lambda ds: funnel(ds, by="region", window="5D"),
    "transitions_touchpoint": lambda ds: transitions(ds),
    "transitions_stage_by": lambda ds: transitions(ds, level="stage", by="segment"),
    "top_paths_touchpoint": lambda ds: top_paths(ds, level="touchpoint", k=5),
    "flows_stage": lambda ds: flows(ds, level="stage", steps=4),
    "channel_matrix": lambda ds: channel_switching(ds, by="region"),
    "journey_types": lambda ds: channel_switching(ds, kind="journey_types"),
    "leakage": lambda ds: channel_switching(ds, by="segment", kind="leakage"),
    "touchpoint_audit": lambda ds: touchpoint_audit(ds, by="region"),
    "touchpoint_audit_without_positions": lambda ds: touchpoint_audit(ds, by="segment", positions=False),
    "objective_coverage": lambda ds: objective_coverage(ds),
    "attribution_channel": lambda ds: attribution(ds),
    "attribution_touchpoint": lambda ds: attribution(ds, level="touchpoint", models=("position", "time_decay", "markov")),
}


@pytest.fixture(scope="module")
def both(spark_engine):
    events, customers = random_events(n_customers=150, seed=11)
    return build_dataset(events, customers=customers, engine=get_engine()), build_dataset(events, customers=customers, engine=spark_engine)


@pytest.mark.parametrize("name", list(CALLS))
def test_duckdb_and_spark_give_the_same_table(both, name):
    duck, spark = both
    expected, got = CALLS[name](duck), CALLS[name](spark)
    assert not expected.empty
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=1e-12)
