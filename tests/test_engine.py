"""The engine resolves the engine= argument and moves frames in and aggregates out."""

from __future__ import annotations

import pandas as pd
import pytest

from journeyviz.engine import Engine, get_engine


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["a", "b", "a"], "value": [1.0, 2.0, 3.5]})


def test_default_engine_is_in_memory_duckdb_and_round_trips_a_frame():
    engine = get_engine()
    assert engine.name == "duckdb"
    table = engine.create_table("events", _frame())
    out = engine.to_pandas(table.group_by("customer_id").aggregate(total=table.value.sum()).order_by("customer_id"))
    assert out["total"].tolist() == [4.5, 2.0]


def test_each_create_table_gets_a_fresh_name():
    engine = get_engine("duckdb")
    first = engine.create_table("events", _frame())
    second = engine.create_table("events", _frame().head(1))
    assert first.get_name() != second.get_name()
    assert engine.to_pandas(first.count().name("n").as_table())["n"][0] == 3


def test_duckdb_file_engine_persists_tables(tmp_path):
    path = tmp_path / "events.duckdb"
    engine = get_engine(f"duckdb:{path}")
    engine.create_table("events", _frame())
    assert path.exists()


def test_read_parquet_registers_without_loading(tmp_path):
    path = tmp_path / "events.parquet"
    _frame().to_parquet(path)
    engine = get_engine()
    table = engine.read_parquet("events", path)
    assert engine.to_pandas(table.aggregate(n=table.count()))["n"][0] == 3


def test_an_engine_instance_is_passed_through():
    engine = get_engine()
    assert get_engine(engine) is engine


def test_an_ibis_backend_is_wrapped():
    import ibis

    con = ibis.duckdb.connect()
    engine = get_engine(con)
    assert isinstance(engine, Engine) and engine.con is con


@pytest.mark.parametrize("bad", ["postgres", "spark", ""])
def test_unknown_engine_names_the_allowed_ones(bad):
    with pytest.raises(ValueError, match="duckdb.*pyspark"):
        get_engine(bad)


def test_unsupported_object_is_refused():
    with pytest.raises(ValueError, match="not a supported Ibis backend"):
        get_engine(object())
