"""Where event tables live and are computed: Ibis over DuckDB by default, PySpark when data outgrows one machine.

Analyses write Ibis expressions once; an :class:`Engine` decides where they run. Only aggregates
come back to pandas (``Engine.to_pandas``).
"""

from __future__ import annotations

import itertools
import os
from contextlib import contextmanager
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import ibis
import pandas as pd

ENGINES = ("duckdb", "pyspark")
_names = itertools.count()


@dataclass
class Engine:
    """An Ibis backend plus the few operations journeyviz needs from it.

    Build one with :func:`get_engine`: ``None`` or ``"duckdb"`` (in memory), ``"duckdb:PATH"``
    (a DuckDB file, for event logs larger than memory: intermediate results spill next to it), ``"pyspark"`` (a local Spark session)
    or an existing Ibis backend.
    """

    name: str
    con: Any
    #: True for a DuckDB file engine, the one meant for event logs larger than memory: analyses
    #: then choose plans that spill to disk (e.g. exact medians from sorted values) over the
    #: faster in-memory ones (a median aggregate holds every value of its group in memory).
    out_of_core: bool = False
    _tables: list[str] = field(default_factory=list)

    def create_table(self, prefix: str, frame: pd.DataFrame) -> ibis.Table:
        """Copy a pandas frame into the engine under a fresh name and return it as an Ibis table."""
        name = f"jv_{prefix}_{next(_names)}"
        # Ibis 12 + duckdb 2.0: create_table(name, <pandas or arrow>) emits an invalid
        # "DROP VIEW IF EXISTS" statement; going through a memtable avoids it.
        obj = ibis.memtable(frame) if self.name == "duckdb" else _spark_ready(frame)
        table = self.con.create_table(name, obj, temp=self.name == "duckdb")  # Spark has no temp tables in Ibis
        self._tables.append(name)
        return table

    def read_parquet(self, prefix: str, path: str | Path) -> ibis.Table:
        """Register a Parquet file (or glob) as a table without loading it into memory."""
        name = f"jv_{prefix}_{next(_names)}"
        table = self.con.read_parquet(str(path), table_name=name)
        self._tables.append(name)
        return table

    @contextmanager
    def materialized(self, prefix: str, expr: ibis.Table) -> Iterator[ibis.Table]:
        """Compute ``expr`` once into a temporary table, yield it, and drop it on exit.

        Why: a chain of dependent aggregates (the funnel's stage k needs stage k − 1) compiled
        into one query keeps every hash table alive at once, which exhausts DuckDB's memory limit
        on logs larger than memory; one step at a time, each table can spill and is freed.
        """
        if self.name == "duckdb":
            # Ibis 12's cache()/drop_table emit invalid SQL on duckdb 2.0: plain DDL instead.
            name = f"jv_{prefix}_{next(_names)}"
            self.con.raw_sql(f'CREATE TEMP TABLE "{name}" AS {self.con.compile(expr)}')
            try:
                yield self.con.table(name)
            finally:
                self.con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
        else:
            cached = expr.cache()
            try:
                yield cached
            finally:
                cached.release()

    def to_pandas(self, expr: ibis.Expr) -> pd.DataFrame:
        """Execute an expression and bring the (aggregated) result back as pandas."""
        with warnings.catch_warnings():
            # Known noise of ibis 12 on duckdb 2 / pandas 3 (see shared stack notes).
            warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*")
            warnings.filterwarnings("ignore", message=".*infer_string.*")
            # pyspark 4.0's toPandas passes copy= to pandas 3, which deprecates it.
            warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
            result = self.con.execute(expr) if hasattr(self.con, "execute") else expr.to_pandas()
        if isinstance(result, pd.Series):
            result = result.to_frame()
        return result


def _spark_ready(frame: pd.DataFrame) -> ibis.Table:
    """A memtable Spark reads faithfully.

    Spark turns missing Arrow-backed strings into the text "NaN" and infers an unusable VOID type
    for an all-missing column: hand it Python ``None`` and the schema of the pandas dtypes.
    """
    schema = ibis.memtable(frame).schema()
    strings = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype)]
    objects = frame.astype({c: object for c in strings})
    objects[strings] = objects[strings].where(frame[strings].notna(), None)
    return ibis.memtable(objects, schema=schema)


_spark_session: Any = None


def spark_session() -> Any:
    """The shared local Spark session (2 cores, UTC, few shuffle partitions); started once (~6 s)."""
    global _spark_session
    if _spark_session is None:
        from pyspark.sql import SparkSession

        # Spark's Python workers must run the interpreter that has pandas/pyarrow (a venv), not
        # whatever `python3` is first on PATH.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        _spark_session = (
            SparkSession.builder.master("local[2]")
            .appName("journeyviz")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "4g")
            # Tables are named jv_<prefix>_<n> from 0 in every process: a shared ./spark-warehouse
            # would make a second run collide with the first one's leftover table folders.
            .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="journeyviz-spark-"))
            .getOrCreate()
        )
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def get_engine(engine: "Engine | str | Any | None" = None) -> Engine:
    """Resolve the ``engine=`` argument of :func:`journeyviz.load`.

    Parameters
    ----------
    engine
        ``None``/``"duckdb"`` for an in-memory DuckDB; ``"duckdb:events.db"`` for a DuckDB file;
        ``"pyspark"`` for a local Spark session (needs the ``spark`` extra and Java 17);
        an :class:`Engine`; or an Ibis backend object.
    """
    if isinstance(engine, Engine):
        return engine
    if engine is None or engine == "duckdb":
        return Engine("duckdb", ibis.duckdb.connect())
    if isinstance(engine, str) and engine.startswith("duckdb:"):
        return Engine("duckdb", ibis.duckdb.connect(engine.split(":", 1)[1]), out_of_core=True)
    if engine == "pyspark":
        try:
            session = spark_session()
        except ImportError:
            raise ImportError("engine='pyspark' needs the Spark extra: pip install 'journeyviz[spark]'") from None
        return Engine("pyspark", ibis.pyspark.connect(session))
    if isinstance(engine, str):
        raise ValueError(f"engine={engine!r} is not known; use one of None, 'duckdb', 'duckdb:PATH', 'pyspark' or an Ibis backend")
    backend_name = getattr(engine, "name", None)
    if backend_name in ENGINES:
        return Engine(backend_name, engine)
    raise ValueError(f"engine={engine!r} is not a supported Ibis backend; journeyviz runs on {', '.join(ENGINES)}")
