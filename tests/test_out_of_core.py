"""A DuckDB file engine (for logs larger than memory) uses plans that spill, and gives the same tables."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from journeyviz.analyses import _behaviour as b
from journeyviz.engine import get_engine

from conftest import build_dataset, random_events
from test_engine_parity import CALLS


@pytest.fixture(scope="module")
def memory_and_file(tmp_path_factory):
    events, customers = random_events(n_customers=150, seed=11)
    file_engine = get_engine(f"duckdb:{tmp_path_factory.mktemp('ooc') / 'events.duckdb'}")
    assert file_engine.out_of_core and not get_engine().out_of_core
    return build_dataset(events, customers=customers, engine=get_engine()), build_dataset(events, customers=customers, engine=file_engine)


@pytest.mark.parametrize("name", list(CALLS))
def test_a_duckdb_file_engine_gives_the_in_memory_table(memory_and_file, name):
    in_memory, on_file = memory_and_file
    expected, got = CALLS[name](in_memory), CALLS[name](on_file)
    assert not expected.empty
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=1e-12)


def _numpy_quantiles(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    values = frame.dropna(subset=["x"])
    grouped = values.groupby(keys) if keys else [((), values)]
    rows = []
    for key, part in grouped:
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row["median"] = float(np.quantile(part["x"], 0.5))
        row["p90"] = float(np.quantile(part["x"], 0.9))
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("keys", [["g"], []])
@pytest.mark.parametrize("out_of_core", [False, True])
def test_quantiles_equal_numpy_with_ties_odd_and_even_groups_and_missing_values(tmp_path, keys, out_of_core):
    rng = np.random.default_rng(3)
    # Rounded values make many ties; group sizes 1, 2, 7 and 40 cover odd/even and the edge cases.
    sizes = {"a": 1, "b": 2, "c": 7, "d": 40}
    frame = pd.DataFrame({"g": np.repeat(list(sizes), list(sizes.values())), "x": np.round(rng.normal(10, 4, sum(sizes.values())), 0)})
    frame.loc[frame.index[::9], "x"] = np.nan
    engine = get_engine(f"duckdb:{tmp_path / 'q.duckdb'}") if out_of_core else get_engine()
    ds = build_dataset(random_events(n_customers=5, seed=1)[0], engine=engine)
    table = engine.create_table("values", frame)
    got = engine.to_pandas(b.quantiles(ds, table, keys, "x", {"median": 0.5, "p90": 0.9}))
    expected = _numpy_quantiles(frame, keys)
    if keys:
        got = got.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False, rtol=1e-12)


def test_materialized_tables_are_dropped_after_use():
    engine = get_engine()
    table = engine.create_table("numbers", pd.DataFrame({"a": [1, 2, 3]}))
    before = set(engine.con.raw_sql("SELECT table_name FROM duckdb_tables()").fetchall())
    with engine.materialized("kept", table.filter(table.a > 1)) as kept:
        assert engine.to_pandas(kept.aggregate(n=kept.count()))["n"].tolist() == [2]
        assert isinstance(kept, ibis.Table)
    assert set(engine.con.raw_sql("SELECT table_name FROM duckdb_tables()").fetchall()) == before
