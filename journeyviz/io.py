"""Read a dataset, map its columns, validate every row and account for it: ``jv.load``.

A dataset is a folder holding ``journey.yml`` and up to four tables (``events``, ``customers``,
``ratings``, ``respondents``) as ``.csv``, ``.parquet`` or ``.xlsx``, or a dict of DataFrames.
Every row read is either accepted or set aside with a reason code (:data:`REASONS`) and written to
a quarantine CSV; :class:`journeyviz.report.ValidationReport` gives the counts. An input that
cannot be used at all raises :class:`DataError`. See ``docs/data.md``.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import glob
import itertools
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import duckdb
import ibis
import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .dataset import EVENT_COLUMNS, Dataset, isin
from .engine import Engine, get_engine
from .journey import TEMPLATES, Journey, Scale
from .report import TABLES, TableReport, ValidationReport

#: Reason codes written in ``_reason`` of quarantine files and counted in the report.
REASONS: dict[str, str] = {
    "bad_row_shape": "the CSV line has more or fewer fields than the header (its text is in _raw)",
    "missing_customer_id": "customer_id is blank",
    "missing_respondent_id": "respondent_id is blank",
    "missing_timestamp": "timestamp is blank",
    "bad_timestamp": "timestamp is not a date-time in a recognised format (ISO 8601, dd/mm/yyyy [HH:MM[:SS]])",
    "bad_date": "date is not a date in a recognised format",
    "missing_touchpoint": "touchpoint is blank",
    "missing_touchpoint_and_stage": "a rating names neither a touchpoint nor a stage",
    "unknown_touchpoint": "touchpoint is not in the journey's catalogue",
    "unknown_stage": "stage is not a stage of the journey",
    "stage_mismatch": "the stage given differs from the touchpoint's stage in the catalogue",
    "bad_number:<column>": "a numeric column holds text that is not a number",
    "out_of_scale:<scale>": "a rating lies outside the scale declared in journey.yml (and is not a missing-value code)",
    "bad_boolean:churned": "churned is not one of true/false, yes/no, oui/non, vrai/faux, 1/0",
    "unknown_respondent": "the rating's respondent_id is not in the respondents table",
    "duplicate_event": "same customer_id, timestamp, touchpoint and brand as an earlier event (the first is kept)",
    "duplicate_customer": "customer_id already seen (the first row is kept)",
    "duplicate_respondent": "respondent_id already seen (the first row is kept)",
    "duplicate_rating": "same respondent, touchpoint, stage and brand as an earlier rating (the first is kept)",
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "events": ("customer_id", "timestamp", "touchpoint"),
    "customers": ("customer_id",),
    "ratings": ("respondent_id", "perception"),
    "respondents": ("respondent_id",),
}
CANONICAL: dict[str, tuple[str, ...]] = {
    "events": tuple(c for c in EVENT_COLUMNS if c not in ("event_id", "stage_order")),
    "customers": ("customer_id",),
    "ratings": ("respondent_id", "brand", "touchpoint", "stage", "perception", "expectation", "importance"),
    "respondents": ("respondent_id", "customer_id", "brand", "date", "overall", "nps", "ces", "churned"),
}
RATING_SCALES = ("perception", "expectation", "importance")
RESPONDENT_SCALES = ("overall", "nps", "ces")
#: ``route="auto"`` validates Parquet events in the engine from this many rows (counted in the
#: file footers). Below it the pandas route takes seconds and under ~1.5 GB, numbers event_id in
#: sorted order, and leaves a Dataset that no longer needs the files.
ENGINE_ROUTE_ROWS = 2_000_000
ROUTES = ("auto", "engine", "pandas")
FILE_TYPES = {"csv": "csv", "tsv": "csv", "txt": "csv", "parquet": "parquet", "pq": "parquet", "xlsx": "excel", "xlsm": "excel"}

# Only used to suggest a mapping in error messages; never applied silently.
_ALIASES = {
    "customer_id": ("client", "client_id", "id_client", "customer", "user_id", "user", "visitor_id", "person_id", "numero_client"),
    "timestamp": ("date", "datetime", "time", "horodatage", "date_heure", "event_time", "ts"),
    "touchpoint": ("point_de_contact", "touchpoint_id", "contact", "event", "event_name", "action", "page"),
    "respondent_id": ("id", "repondant", "id_repondant", "response_id", "respondent"),
    "perception": ("note", "score", "rating", "satisfaction", "performance"),
}
_TRUE = {"true", "1", "yes", "y", "oui", "o", "vrai", "t"}
_FALSE = {"false", "0", "no", "n", "non", "faux", "f"}


class DataError(ValueError):
    """An input that cannot be used; the message names the file, the column and what was expected."""


@dataclass
class _Raw:
    """One table as read: the user's columns untouched, each row's position in the source."""

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    detected: dict[str, Any] = field(default_factory=dict)
    bad_shape: pd.DataFrame | None = None  # columns _raw, _row


# ====================================================================== public entry point
def load(
    path_or_tables: str | Path | Mapping[str, Any],
    journey: Journey | str | Path | None = None,
    mapping: Mapping[str, Any] | None = None,
    engine: Engine | str | Any | None = None,
    quarantine_dir: str | Path | None = None,
    wide_ratings: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    route: str = "auto",
) -> Dataset:
    """Read a dataset, map its columns to the canonical ones, validate and account for every row.

    Parameters
    ----------
    path_or_tables
        A dataset folder holding ``journey.yml`` and ``events`` / ``customers`` / ``ratings`` /
        ``respondents`` as ``.csv`` (also ``.tsv``/``.txt``), ``.parquet`` or ``.xlsx`` (found by
        file stem; two files for one table is an error); a path to one such file; or a dict
        ``{"events": DataFrame or path, ...}``.
    journey
        A :class:`Journey`, a template name (``digital``, ``lifecycle``, ``hotel``, ``employee``)
        or a path to a YAML definition. Default: ``journey.yml`` in the dataset folder.
    mapping
        ``{table: {your_column: canonical_column}}``, or a flat ``{your_column: canonical_column}``
        applied to every table that has the column. Columns whose name differs from a canonical
        name only by case, spaces or dashes are renamed without a mapping.
    engine
        Where the events go: anything :func:`journeyviz.engine.get_engine` accepts.
    quarantine_dir
        Folder for the rejected rows (``<table>.csv``). Default ``<dataset folder>/_quarantine``,
        or a new temporary folder for in-memory input.
    wide_ratings
        A wide survey export to melt into ``ratings`` (and ``respondents``): ``{"file": path or
        DataFrame, "id": column, "columns": {column: {"touchpoint" or "stage": id, "scale":
        "perception"|"expectation"|"importance", "brand": optional}}, "pattern": optional regex
        with named groups, "brand": optional brand column, "respondent_columns": optional
        renames}``; see ``docs/data.md``.
    progress
        Called with a short message as each table is read and validated.
    route
        Where events given as Parquet (a file, a folder of ``.parquet`` part files, or a glob in
        the dict form) are validated: ``"engine"`` registers the files in the engine, checks
        them there and keeps the accepted events as a lazy view of the files (never in pandas);
        ``"pandas"`` reads them into memory like any other table; ``"auto"`` (default) takes
        the engine from :data:`ENGINE_ROUTE_ROWS` rows on, when the columns are typed (timestamp
        a Parquet timestamp, ids text or integers, ``value`` numeric). Both routes give the same
        report, quarantine rows and analysis results; see ``docs/data.md``.

    Returns
    -------
    Dataset
        ``events`` in the engine with exactly the canonical columns (``timestamp`` naive UTC);
        ``event_id`` int64 numbers the accepted events in the order customer_id, timestamp,
        input order on the pandas route, and is the row's 0-based position in the input on the
        engine route (no sort of the whole log; ordering by timestamp then event_id, as every
        analysis does, gives the same order on both routes). ``customers``,
        ``ratings``, ``respondents`` as pandas with canonical columns; ``report`` the
        :class:`~journeyviz.report.ValidationReport` (read == accepted + rejected per table).

    Raises
    ------
    DataError
        Unusable input: missing required column, unknown file type, empty file, unreadable
        encoding, two files for one table, a mapping naming an absent column, a scale or a
        date column with no valid value in any row, no events and no ratings at all;
        ``route="engine"`` for events that are not Parquet or whose columns are not typed.
    ValueError
        ``route`` not one of ``"auto"``, ``"engine"``, ``"pandas"``.
    FileNotFoundError
        When ``path_or_tables`` does not exist.

    Examples
    --------
    >>> ds = jv.load("data/samples/lifecycle")                                # doctest: +SKIP
    >>> print(ds.report)                                                      # doctest: +SKIP
    """
    say = progress or (lambda message: None)
    if route not in ROUTES:
        raise ValueError(f"route={route!r} is not known; use one of {', '.join(repr(r) for r in ROUTES)}")
    folder, sources, origin = _sources(path_or_tables)
    jr = _resolve_journey(journey, folder)
    footer = _plan_events(sources.get("events"), route)
    raws: dict[str, _Raw] = {}
    for table, src in sources.items():
        if table == "events" and footer is not None:
            raws[table] = _columns_only(src, footer)
            continue
        say(f"reading {table}")
        raws[table] = _read(src, table)
    if wide_ratings is not None:
        say("melting the wide survey")
        melted, wide_respondents = _melt_wide(wide_ratings, folder, jr, has_ratings="ratings" in raws, has_respondents="respondents" in raws)
        raws["ratings"] = melted
        if wide_respondents is not None:
            raws["respondents"] = wide_respondents
    if "events" not in raws and "ratings" not in raws:
        found = ", ".join(sorted(raws)) or "nothing"
        where = str(folder) if folder is not None else "the tables given"
        raise DataError(f"{where}: no events and no ratings at all (found {found}); add events.csv/.parquet/.xlsx or ratings (or pass wide_ratings=) so there is something to analyse")

    frames = _apply_mapping(raws, mapping)
    if footer is not None:
        untyped = _untyped_columns(footer.schema, raws["events"], frames["events"])
        if untyped and route == "engine":
            raise DataError(f"{raws['events'].source}: route='engine' validates typed Parquet columns only, and {'; '.join(untyped)}; load with route='pandas' (or write the column with its type)")
        if untyped:
            footer = None
            say("reading events")
            raws["events"] = _read(sources["events"], "events")
            frames = _apply_mapping(raws, mapping)
    if isinstance(sources.get("events"), _ParquetFiles):
        raws["events"].detected["route"] = "pandas" if footer is None else "engine"
    qdir = _quarantine_folder(quarantine_dir, folder)
    report = ValidationReport(source=origin, journey=jr.name)
    out: dict[str, pd.DataFrame | None] = {t: None for t in TABLES}
    eng: Engine | None = None
    events: ibis.Table | None = None
    for table in ("respondents", "customers", "events", "ratings"):
        if table not in raws:
            continue
        raw = raws[table]
        if table == "events" and footer is not None:
            eng = get_engine(engine)
            say("validating events in the engine")
            events, report.tables[table] = _validate_events_in_engine(eng, sources["events"], footer, frames[table], raw, jr, qdir)
            continue
        say(f"validating {table}")
        known_respondents = out["respondents"]["respondent_id"] if out["respondents"] is not None else None
        clean, reasons, tr = _VALIDATORS[table](frames[table], raw, jr, known_respondents)
        tr.quarantine_path = qdir.write(table, raw, reasons)
        out[table] = clean
        report.tables[table] = tr
    report.tables = {t: report.tables[t] for t in TABLES if t in report.tables}

    eng = eng or get_engine(engine)
    if out["events"] is not None:
        say("copying events into the engine")
        events = eng.create_table("events", out["events"])
    return Dataset(jr, eng, events=events, customers=out["customers"], ratings=out["ratings"], respondents=out["respondents"], report=report)


# ====================================================================== sources and journey
def _sources(obj: Any) -> tuple[Path | None, dict[str, Any], str]:
    if isinstance(obj, Mapping):
        unknown = [k for k in obj if k not in TABLES]
        if unknown:
            raise DataError(f"tables {unknown} are not known; the tables are {', '.join(TABLES)}")
        srcs: dict[str, Any] = {}
        for name, value in obj.items():
            if value is None:
                continue
            if not isinstance(value, (pd.DataFrame, str, Path)):
                raise DataError(f"table {name!r}: expected a pandas DataFrame or a file path, got {type(value).__name__}")
            srcs[name] = value if isinstance(value, pd.DataFrame) else _file_source(value, name)
        return None, srcs, "tables"
    if not isinstance(obj, (str, Path)):
        raise DataError(f"path_or_tables: expected a dataset folder, a file path or a dict of DataFrames, got {type(obj).__name__}")
    path = Path(obj)
    if not path.exists():
        raise FileNotFoundError(f"dataset not found: {path}")
    if path.is_file():
        stem, kind = _split_name(path)
        if stem not in TABLES:
            raise DataError(f"{path}: the file name must say which table it holds ({', '.join(f'{t}.csv' for t in TABLES)})")
        if kind is None:
            raise DataError(f"{path}: unknown file type; expected one of .{', .'.join(FILE_TYPES)}")
        return path.parent, {stem: _file_source(path, stem)}, str(path)
    found: dict[str, list[Path]] = {}
    for item in sorted(path.iterdir()):
        stem, kind = _split_name(item)
        if item.is_dir():
            # A folder of Parquet part files (as Spark and pyarrow datasets write them).
            if stem in TABLES and kind in (None, "parquet") and _part_files(item):
                found.setdefault(stem, []).append(item)
            continue
        if not item.is_file():
            continue
        if stem in TABLES:
            if kind is None:
                raise DataError(f"{item}: unknown file type for table {stem!r}; expected {stem}.csv, {stem}.parquet or {stem}.xlsx")
            found.setdefault(stem, []).append(item)
    for stem, files in found.items():
        if len(files) > 1:
            raise DataError(f"{path}: two files for table {stem!r} ({', '.join(f.name for f in files)}); keep one")
    return path, {t: _file_source(found[t][0], t) for t in TABLES if t in found}, str(path)


def _file_source(value: str | Path, table: str) -> Path | _ParquetFiles:
    """A table's file; Parquet (a file, a folder of part files or a glob) as its files in name order."""
    text = str(value)
    if any(ch in text for ch in "*?["):
        files = tuple(Path(f) for f in sorted(glob.glob(text)) if _split_name(Path(f))[1] == "parquet" and Path(f).is_file())
        if not files:
            raise FileNotFoundError(f"{table}: the pattern {text!r} matches no .parquet file")
        return _ParquetFiles(files, text)
    path = Path(value)
    if path.is_dir():
        files = _part_files(path)
        if not files:
            raise DataError(f"{path}: a folder given for table {table!r} must hold .parquet files; found none")
        return _ParquetFiles(files, str(path))
    if path.exists() and _split_name(path)[1] == "parquet":
        return _ParquetFiles((path,), str(path))
    return path


def _part_files(folder: Path) -> tuple[Path, ...]:
    # Writers leave markers beside the data (_SUCCESS, .crc files): only visible .parquet files count.
    return tuple(f for f in sorted(folder.iterdir()) if f.is_file() and _split_name(f)[1] == "parquet" and not f.name.startswith(("_", ".")))


def _split_name(path: Path) -> tuple[str, str | None]:
    name = path.name.lower()
    if "." not in name:
        return name, None
    stem, ext = name.rsplit(".", 1)
    return stem, FILE_TYPES.get(ext)


def _resolve_journey(journey: Journey | str | Path | None, folder: Path | None) -> Journey:
    if isinstance(journey, Journey):
        return journey
    if journey is None:
        if folder is not None:
            for name in ("journey.yml", "journey.yaml"):
                if (folder / name).exists():
                    return Journey.from_yaml(folder / name)
        where = f"{folder}" if folder is not None else "the tables given"
        raise DataError(f"{where}: no journey definition; put journey.yml in the dataset folder or pass journey= (a Journey, a template name among {', '.join(TEMPLATES)}, or a .yml path)")
    if isinstance(journey, str) and journey in TEMPLATES:
        return Journey.template(journey)
    path = Path(journey)
    if not path.is_absolute() and folder is not None and not path.exists():
        path = folder / path
    if not path.exists():
        raise DataError(f"journey={journey!r}: neither a template ({', '.join(TEMPLATES)}) nor an existing YAML file")
    return Journey.from_yaml(path)


# ====================================================================== readers
def _read(src: Path | _ParquetFiles | pd.DataFrame, table: str) -> _Raw:
    if isinstance(src, _ParquetFiles):
        raw = _read_parquet(src, table)
        if len(raw.frame) == 0:
            raise DataError(f"{src.label}: the file has no rows (only a header: {list(raw.frame.columns)}); expected at least one {table} row")
        return raw
    if isinstance(src, pd.DataFrame):
        if src.shape[1] == 0 or len(src) == 0:
            raise DataError(f"{table} (DataFrame): the table is empty; expected at least one row and the columns {list(REQUIRED[table])}")
        frame = src.reset_index(drop=True).copy()
        frame.columns = [str(c) for c in frame.columns]
        _check_header(list(frame.columns), f"{table} (DataFrame)")
        return _Raw(frame, np.arange(1, len(frame) + 1), "DataFrame", {"format": "DataFrame"})
    if not src.exists():
        raise FileNotFoundError(f"{table}: file not found: {src}")
    if src.stat().st_size == 0:
        raise DataError(f"{src}: the file is empty; expected a header line with the columns {list(REQUIRED[table])} and at least one row")
    kind = _split_name(src)[1]
    if kind == "csv":
        raw = _read_csv(src)
    elif kind == "parquet":
        raw = _read_parquet(_ParquetFiles((src,), str(src)), table)
    elif kind == "excel":
        raw = _read_excel(src)
    else:
        raise DataError(f"{src}: unknown file type; expected one of .{', .'.join(FILE_TYPES)}")
    if len(raw.frame) == 0 and (raw.bad_shape is None or len(raw.bad_shape) == 0):
        raise DataError(f"{src}: the file has no rows (only a header: {list(raw.frame.columns)}); expected at least one {table} row")
    return raw


def _check_header(columns: list[str], source: str) -> None:
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise DataError(f"{source}: column name(s) {dupes} appear more than once; each column needs a unique name")


def _detect_encoding(head: bytes, path: Path) -> tuple[str, str]:
    """(codec for Python, label for the report)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "utf-16"
    if b"\x00" in head:
        raise DataError(f"{path}: unreadable encoding (the file holds NUL bytes: binary data or UTF-16 without a byte-order mark); save it as CSV in UTF-8")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252", "cp1252"
    except UnicodeDecodeError:
        return "latin-1", "latin-1"


def _detect_separator(lines: list[str]) -> str:
    best, best_score = ",", (0, 0)
    for sep in (";", ",", "\t", "|"):
        counts = [len(next(csv.reader([line], delimiter=sep))) - 1 for line in lines]
        if not counts or counts[0] == 0:
            continue
        consistent = sum(c == counts[0] for c in counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_csv(path: Path) -> _Raw:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    codec, label = _detect_encoding(head, path)
    text = head.decode(codec, errors="replace").lstrip("\ufeff")
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise DataError(f"{path}: the file is empty (only blank lines); expected a header line and rows")
    if len(head) == 1 << 20 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a truncated sample may be cut short
    sep = _detect_separator(lines)
    header = [h.strip() for h in next(csv.reader([lines[0]], delimiter=sep))]
    header = [h if h else f"column_{i + 1}" for i, h in enumerate(header)]
    _check_header(header, str(path))
    try:
        table, bad = _arrow_csv(path, header, sep, codec)
    except pa.ArrowInvalid as exc:
        if codec.startswith("utf-8") and "utf8" in str(exc).lower().replace("-", ""):
            codec, label = "cp1252", "cp1252"  # non-UTF-8 bytes beyond the sample
            try:
                table, bad = _arrow_csv(path, header, sep, codec)
            except (pa.ArrowInvalid, UnicodeDecodeError):
                codec, label = "latin-1", "latin-1"
                table, bad = _arrow_csv(path, header, sep, codec)
        else:
            raise DataError(f"{path}: could not be read as CSV with separator {sep!r} ({exc})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: unreadable encoding (not UTF-8, cp1252 or latin-1); save it as CSV in UTF-8") from None
    frame = table.to_pandas()
    total = len(frame) + len(bad)
    bad_rows = np.array(sorted(b[0] for b in bad), dtype="int64")
    rows = np.arange(2, total + 2, dtype="int64")
    if len(bad_rows):
        keep = np.ones(total, dtype=bool)
        keep[bad_rows[(bad_rows >= 2) & (bad_rows < total + 2)] - 2] = False
        rows = rows[keep]
    bad_frame = pd.DataFrame({"_raw": [b[1] for b in sorted(bad)], "_row": bad_rows}) if bad else None
    detected = {"format": "csv", "encoding": label, "separator": sep}
    return _Raw(frame, rows, str(path), detected, bad_frame)


def _arrow_csv(path: Path, header: list[str], sep: str, codec: str) -> tuple[pa.Table, list[tuple[int, str]]]:
    def read(threads: bool) -> tuple[pa.Table, list[tuple[int | None, str]]]:
        bad: list[tuple[int | None, str]] = []

        def keep(row: Any) -> str:
            bad.append((row.number, row.text))
            return "skip"

        arrow_codec = "utf8" if codec.startswith("utf-8") else codec
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header, encoding=arrow_codec, use_threads=threads, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, invalid_row_handler=keep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header}, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
        return table, bad

    table, bad = read(True)
    if bad:
        # Row numbers of malformed lines are only known when reading on one thread.
        table, bad = read(False)
    return table, [(int(n) if n is not None else -1, t) for n, t in bad]


def _read_parquet(src: _ParquetFiles, table: str) -> _Raw:
    parts = []
    for path in src.files:
        _not_empty(path, table)
        try:
            parts.append(pq.read_table(path))
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataError(f"{path}: could not be read as Parquet ({exc})") from None
        if not parts[-1].schema.equals(parts[0].schema):
            raise DataError(_schema_mismatch(path, parts[-1].schema, src.files[0], parts[0].schema))
    frame = (parts[0] if len(parts) == 1 else pa.concat_tables(parts)).to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    _check_header(list(frame.columns), src.label)
    return _Raw(frame, np.arange(1, len(frame) + 1, dtype="int64"), src.label, {"format": "parquet"})


def _not_empty(path: Path, table: str) -> None:
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; expected a header line with the columns {list(REQUIRED[table])} and at least one row")


def _schema_mismatch(path: Path, schema: pa.Schema, first: Path, first_schema: pa.Schema) -> str:
    def show(sch: pa.Schema) -> str:
        return ", ".join(f"{f.name} {f.type}" for f in sch)

    return f"{path}: its columns ({show(schema)}) differ from those of {first} ({show(first_schema)}); every file of one table needs the same columns and types"


def _read_excel(path: Path) -> _Raw:
    try:
        frame = pd.read_excel(path, sheet_name=0, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise DataError(f"{path}: could not be read as an Excel workbook ({type(exc).__name__}: {exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_header(list(frame.columns), str(path))
    return _Raw(frame, np.arange(2, len(frame) + 2, dtype="int64"), str(path), {"format": "xlsx", "sheet": 0})


# ====================================================================== wide survey exports
def _melt_wide(spec: Mapping[str, Any], folder: Path | None, jr: Journey, has_ratings: bool, has_respondents: bool) -> tuple[_Raw, _Raw | None]:
    if not isinstance(spec, Mapping):
        raise DataError(f"wide_ratings: expected a dict with keys 'file', 'id', 'columns' or 'pattern'; got {type(spec).__name__}")
    unknown = set(spec) - {"file", "id", "columns", "pattern", "brand", "respondent_columns"}
    if unknown:
        raise DataError(f"wide_ratings: unknown key(s) {sorted(unknown)}; allowed: file, id, columns, pattern, brand, respondent_columns")
    if has_ratings:
        raise DataError("wide_ratings: the dataset already has a ratings table; give ratings either as a long table or as a wide survey, not both")
    for key in ("file", "id"):
        if key not in spec:
            raise DataError(f"wide_ratings: {key!r} is missing; e.g. {{'file': 'survey.csv', 'id': 'respondent_id', 'columns': {{...}}}}")
    src = spec["file"]
    if not isinstance(src, pd.DataFrame):
        src = Path(src)
        if not src.is_absolute() and folder is not None and not src.exists():
            src = folder / src
        if not src.exists():
            raise FileNotFoundError(f"wide_ratings: survey file not found: {src}")
    raw = _read(src, "ratings")
    wide = raw.frame
    where = f"{raw.source} (wide_ratings)"
    idcol = spec["id"]
    if idcol not in wide.columns:
        raise DataError(f"{where}: id column {idcol!r} not found; columns found: {list(wide.columns)}")
    brandcol = spec.get("brand")
    if brandcol is not None and brandcol not in wide.columns:
        raise DataError(f"{where}: brand column {brandcol!r} not found; columns found: {list(wide.columns)}")
    cols = _wide_columns(spec, list(wide.columns), where, jr)
    if not cols:
        raise DataError(f"{where}: no rating column; give 'columns' ({{column: {{'touchpoint': id, 'scale': 'perception'}}}}) or a 'pattern' matching some of {list(wide.columns)}")
    groups: dict[tuple[str, str, str | None], dict[str, str]] = {}
    for col, (kind, target, scale, brand) in cols.items():
        slot = groups.setdefault((kind, target, brand), {})
        if scale in slot:
            raise DataError(f"{where}: columns {slot[scale]!r} and {col!r} both rate {kind} {target!r} on {scale}; map each (target, scale, brand) once")
        slot[scale] = col
    parts = []
    n = len(wide)
    for (kind, target, brand), scales in groups.items():
        cells = {s: wide[c] for s, c in scales.items()}
        asked = np.zeros(n, dtype=bool)
        for series in cells.values():
            asked |= ~_blank(series)
        if not asked.any():
            continue
        part = pd.DataFrame({"respondent_id": wide[idcol].to_numpy()[asked]})
        if brand is not None:
            part["brand"] = brand
        elif brandcol is not None:
            part["brand"] = wide[brandcol].to_numpy()[asked]
        part["touchpoint"] = target if kind == "touchpoint" else None
        part["stage"] = target if kind == "stage" else None
        for s in RATING_SCALES:
            if s in cells:
                part[s] = cells[s].to_numpy()[asked]
        part["_columns"] = ", ".join(scales.values())
        part["_pos"] = np.flatnonzero(asked)
        parts.append(part)
    if not parts:
        raise DataError(f"{where}: every rating cell is blank; nothing to melt")
    long = pd.concat(parts, ignore_index=True)
    long = long.sort_values(["_pos"], kind="stable").reset_index(drop=True)
    rows = raw.rows[long.pop("_pos").to_numpy()]
    for s in RATING_SCALES:
        if s not in long:
            continue
        if not pd.api.types.is_numeric_dtype(long[s]):
            long[s] = long[s].astype("str")
    detected = dict(raw.detected)
    detected.update({"wide_columns": len(cols), "wide_respondents": n, "wide_layout": "melted"})
    ratings = _Raw(long, rows, f"{raw.source} (wide)", detected)
    if has_respondents:
        ratings.detected["ignored_columns"] = [c for c in wide.columns if c not in cols and c != idcol]
        return ratings, None
    rest = [c for c in wide.columns if c not in cols]
    renames = dict(spec.get("respondent_columns") or {})
    missing = [c for c in renames if c not in wide.columns]
    if missing:
        raise DataError(f"{where}: respondent_columns names column(s) {missing} that are not in the file; columns found: {list(wide.columns)}")
    resp = wide[rest].rename(columns={idcol: "respondent_id", **({brandcol: "brand"} if brandcol else {}), **renames})
    return ratings, _Raw(resp, raw.rows, f"{raw.source} (wide)", dict(raw.detected))


def _wide_columns(spec: Mapping[str, Any], columns: list[str], where: str, jr: Journey) -> dict[str, tuple[str, str, str, str | None]]:
    out: dict[str, tuple[str, str, str, str | None]] = {}
    given = spec.get("columns") or {}
    if not isinstance(given, Mapping):
        raise DataError(f"{where}: 'columns' must be a dict {{column: {{'touchpoint': id, 'scale': 'perception'}}}}")
    for col, item in given.items():
        if col not in columns:
            close = difflib.get_close_matches(str(col), columns, n=3)
            raise DataError(f"{where}: column {col!r} named in wide_ratings['columns'] is not in the file" + (f"; did you mean {close}?" if close else f"; columns found: {columns}"))
        out[col] = _wide_target(item, f"{where}: wide_ratings['columns'][{col!r}]")
    pattern = spec.get("pattern")
    if pattern:
        try:
            rx = re.compile(pattern)
        except re.error as exc:
            raise DataError(f"wide_ratings['pattern']: not a valid regular expression ({exc})") from None
        groups = set(rx.groupindex)
        if "scale" not in groups or not ({"touchpoint", "stage"} & groups):
            raise DataError("wide_ratings['pattern']: needs named groups (?P<scale>...) and (?P<touchpoint>...) or (?P<stage>...)")
        for col in columns:
            m = rx.fullmatch(col)
            if m and col not in out:
                kind = "touchpoint" if m.groupdict().get("touchpoint") else "stage"
                item = {kind: m.group(kind), "scale": m.group("scale"), "brand": m.groupdict().get("brand")}
                out[col] = _wide_target(item, f"{where}: column {col!r} (matched by pattern)")
    return out


def _wide_target(item: Any, where: str) -> tuple[str, str, str, str | None]:
    if not isinstance(item, Mapping):
        raise DataError(f"{where}: expected {{'touchpoint': id, 'scale': 'perception'}} (or 'stage' instead of 'touchpoint'), got {item!r}")
    kinds = [k for k in ("touchpoint", "stage") if item.get(k)]
    if len(kinds) != 1:
        raise DataError(f"{where}: give exactly one of 'touchpoint' or 'stage', got {dict(item)!r}")
    scale = item.get("scale", "perception")
    if scale not in RATING_SCALES:
        raise DataError(f"{where}: scale {scale!r} is not a rating scale; use one of {', '.join(RATING_SCALES)}")
    brand = item.get("brand")
    return kinds[0], str(item[kinds[0]]), scale, None if brand in (None, "") else str(brand)


# ====================================================================== column mapping
def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lstrip("\ufeff").lower())


def _apply_mapping(raws: dict[str, _Raw], mapping: Mapping[str, Any] | None) -> dict[str, pd.DataFrame]:
    per_table: dict[str, dict[str, str]] = {t: {} for t in raws}
    if mapping:
        if not isinstance(mapping, Mapping):
            raise DataError(f"mapping: expected {{table: {{your_column: canonical_column}}}} or {{your_column: canonical_column}}, got {type(mapping).__name__}")
        nested = all(k in TABLES and isinstance(v, Mapping) for k, v in mapping.items())
        if nested:
            for table, renames in mapping.items():
                if table not in raws:
                    continue
                cols = list(raws[table].frame.columns)
                for user, canon in renames.items():
                    if user not in cols:
                        raise DataError(f"{raws[table].source}: mapping[{table!r}] names column {user!r}, which is not in the {table} table; columns found: {cols}")
                    per_table[table][user] = str(canon)
        else:
            bad = [k for k, v in mapping.items() if isinstance(v, Mapping)]
            if bad:
                raise DataError(f"mapping: {bad} look like tables but are not among {', '.join(TABLES)}")
            used: set[str] = set()
            for table, raw in raws.items():
                for user, canon in mapping.items():
                    if user in raw.frame.columns:
                        per_table[table][user] = str(canon)
                        used.add(user)
            unused = [k for k in mapping if k not in used]
            if unused:
                seen = {t: list(r.frame.columns) for t, r in raws.items()}
                raise DataError(f"mapping names column(s) {unused} found in no table; columns found: {seen}")
    frames: dict[str, pd.DataFrame] = {}
    for table, raw in raws.items():
        renames = per_table[table]
        cols = list(raw.frame.columns)
        targets = list(renames.values())
        dup_targets = sorted({t for t in targets if targets.count(t) > 1})
        if dup_targets:
            raise DataError(f"{raw.source}: mapping sends several columns to {dup_targets}; map one column to each canonical name")
        clash = [t for u, t in renames.items() if t in cols and t not in renames and t != u]
        if clash:
            raise DataError(f"{raw.source}: mapping renames a column to {clash}, but the {table} table already has a column with that name; map or drop that one too")
        final = [renames.get(c, c) for c in cols]
        auto: dict[str, str] = {}
        for i, c in enumerate(final):
            n = _norm(c)
            if c not in CANONICAL[table] and n in CANONICAL[table] and n not in final and n not in auto.values():
                auto[c] = n
                final[i] = n
        frame = raw.frame.copy(deep=False)
        frame.columns = final
        raw.detected["renamed"] = {**{u: t for u, t in renames.items() if u != t}, **auto}
        missing = [c for c in REQUIRED[table] if c not in frame.columns]
        if table == "ratings" and "touchpoint" not in frame.columns and "stage" not in frame.columns:
            missing.append("touchpoint (or stage)")
        if missing:
            raise DataError(_missing_message(raw.source, table, missing, cols))
        frames[table] = frame
    return frames


def _missing_message(source: str, table: str, missing: list[str], cols: list[str]) -> str:
    hints = []
    for m in missing:
        key = m.split(" ")[0]
        normed = {_norm(c): c for c in cols}
        cands = [normed[a] for a in _ALIASES.get(key, ()) if a in normed]
        cands += [c for c in difflib.get_close_matches(key, cols, n=2, cutoff=0.6) if c not in cands]
        if cands:
            hints.append(f"'{cands[0]}': '{key}'")
    suggestion = f"{{'{table}': {{{', '.join(hints)}}}}}" if hints else f"{{'{table}': {{'<your column>': '{missing[0].split(' ')[0]}'}}}}"
    return f"{source}: required column(s) {missing} missing from the {table} table; columns found: {cols}; map yours with mapping={suggestion}"


# ====================================================================== value conversion
def _blank(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        text = s.astype("str")
        return (text.isna() | (text.str.strip() == "")).to_numpy(dtype=bool)
    return s.isna().to_numpy(dtype=bool)


def _to_str(s: pd.Series) -> pd.Series:
    """Stripped strings (``str`` dtype); blanks become missing; whole floats lose their ``.0``."""
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(values) & (np.mod(values, 1) == 0)
        out = s.astype("str")
        if whole.any():
            out = out.where(~whole, pd.Series(values, index=s.index).where(whole).astype("Int64").astype("str"))
        return out
    out = s.astype("str").str.strip()
    return out.where(out != "")


def _detect_decimal(frame: pd.DataFrame, sep: str | None) -> str:
    comma = dot = 0
    for col in frame.columns:
        s = frame[col]
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            continue
        sample = s.dropna().head(500).astype("str").str.strip()
        comma += int(sample.str.fullmatch(r"-?\d+,\d+").sum())
        dot += int(sample.str.fullmatch(r"-?\d+\.\d+").sum())
    if sep == ",":
        return "."
    if comma == dot == 0:
        return "," if sep == ";" else "."  # no decimals seen: a ';' file is a French-style export
    return "," if comma > dot else "."


def _to_number(s: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN for blank or bad, mask of non-blank cells that are not numbers)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("float64").to_numpy(), np.zeros(len(s), dtype=bool)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan), np.zeros(len(s), dtype=bool)
    text = _to_str(s)
    blank = text.isna().to_numpy(dtype=bool)
    # Arrow compute, not pandas .str: pandas falls back to a Python loop for this pattern.
    cleaned = pc.replace_substring_regex(pa.array(text, type=pa.large_string()), r"[\s\x{00A0}\x{202F}]", "")
    if decimal == ",":
        cleaned = pc.replace_substring(cleaned, ",", ".")
    values = pd.to_numeric(pd.Series(cleaned.to_pandas()), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return values, ~blank & np.isnan(values)


def _to_bool(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean"), np.zeros(len(s), dtype=bool)
    text = _to_str(s).str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    is_true, is_false = text.isin(_TRUE).to_numpy(bool), text.isin(_FALSE).to_numpy(bool)
    out[is_true] = True
    out[is_false] = False
    bad = ~text.isna().to_numpy(bool) & ~is_true & ~is_false
    return out, bad


_ISO = r"^\d{4}-\d{1,2}-\d{1,2}"
_DMY = r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}"
_OFFSET = r"(?:Z|[+\-]\d{2}:?\d{2})$"


def _to_timestamp(s: pd.Series, tz: str, date_only_naive: bool = False) -> tuple[pd.Series, np.ndarray, str]:
    """(naive UTC datetime64[us] with NaT, mask of non-blank unparsable cells, detected format).

    Naive values are local times in ``tz``; values with an offset are converted to UTC. With
    ``date_only_naive`` (respondent dates), values with no time of day stay as they are.
    """
    n = len(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        out = s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        return out.reset_index(drop=True), np.zeros(n, dtype=bool), "typed (with time zone)"
    if pd.api.types.is_datetime64_dtype(s.dtype):
        values = s.reset_index(drop=True).astype("datetime64[us]")
        if date_only_naive:
            midnight = (values == values.dt.normalize()).to_numpy(bool)
            out = values.copy()
            timed = ~midnight & values.notna().to_numpy(bool)
            if timed.any():
                out[timed] = _localise(values[timed], tz).to_numpy()
            return out, np.zeros(n, dtype=bool), "typed"
        return _localise(values, tz), np.zeros(n, dtype=bool), "typed"
    text = _to_str(s).reset_index(drop=True)
    blank = text.isna().to_numpy(bool)
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    labels: list[str] = []
    iso = text.str.contains(_ISO, regex=True).fillna(False).to_numpy(bool)
    if iso.any():
        offset = text.str.contains(_OFFSET, regex=True).fillna(False).to_numpy(bool)
        aware = iso & offset
        if aware.any():
            parsed = pd.to_datetime(text[aware], format="ISO8601", utc=True, errors="coerce")
            result[aware] = parsed.dt.tz_localize(None).astype("datetime64[us]")
            labels.append("ISO 8601 with offset")
        naive = iso & ~offset
        if naive.any():
            parsed = pd.to_datetime(text[naive], format="ISO8601", errors="coerce").astype("datetime64[us]")
            keep = naive.copy()
            if date_only_naive:
                dated = ~text[naive].str.contains(r"\d:\d", regex=True).fillna(False).to_numpy(bool)
                idx = np.flatnonzero(naive)
                result.iloc[idx[dated]] = parsed[dated].to_numpy()
                keep[idx[dated]] = False
                parsed = parsed[~dated]
            if keep.any():
                result[keep] = _localise(parsed, tz).to_numpy()
            labels.append("ISO 8601")
    dmy = text.str.contains(_DMY, regex=True).fillna(False).to_numpy(bool)
    if dmy.any():
        sub = text[dmy]
        sample = sub.head(5000).str.extract(r"^(\d{1,2})([/.\-])(\d{1,2})")
        first, second = sample[0].astype("int64"), sample[2].astype("int64")
        sepchar = sample[1].mode().iloc[0]
        month_first = bool((second > 12).any() and not (first > 12).any())
        day_month = f"%m{sepchar}%d" if month_first else f"%d{sepchar}%m"
        shown = "mm/dd/yyyy" if month_first else "dd/mm/yyyy"
        if sepchar != "/":
            shown = shown.replace("/", sepchar)
        parsed = pd.Series(pd.NaT, index=sub.index, dtype="datetime64[us]")
        timed = np.zeros(len(sub), dtype=bool)
        for fmt, suffix, has_time in (
            (f"{day_month}{sepchar}%Y %H:%M:%S", " HH:MM:SS", True),
            (f"{day_month}{sepchar}%Y %H:%M", " HH:MM", True),
            (f"{day_month}{sepchar}%Y", "", False),
        ):
            todo = parsed.isna().to_numpy(bool)
            if not todo.any():
                break
            got = _strptime(sub[todo], fmt)
            hit = got.notna().to_numpy(bool)
            if hit.any():
                idx = np.flatnonzero(todo)[hit]
                parsed.iloc[idx] = got[hit].to_numpy()
                timed[idx] = has_time
                labels.append(shown + suffix)
        local = timed | (not date_only_naive)
        if local.any():
            parsed[local] = _localise(parsed[local], tz).to_numpy()
        result[dmy] = parsed.to_numpy()
    bad = ~blank & result.isna().to_numpy(bool)
    return result, bad, " + ".join(labels)


def _strptime(text: pd.Series, fmt: str) -> pd.Series:
    """Parse with Arrow's C++ strptime (fast), then pandas for what it leaves (e.g. 1-digit days)."""
    arr = pa.array(text, type=pa.large_string())
    got = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
    # Arrow rolls impossible dates over (31/02 → 03/03); a value must print back as it was read.
    same = pc.fill_null(pc.equal(pc.strftime(got, format=fmt), arr), False)
    got = pc.if_else(same, got, pa.scalar(None, got.type))
    out = pd.Series(got.to_numpy(zero_copy_only=False), index=text.index).astype("datetime64[us]")
    left = out.isna().to_numpy(bool)
    if left.any():
        out[left] = pd.to_datetime(text[left], format=fmt, errors="coerce").astype("datetime64[us]").to_numpy()
    return out


def _localise(naive: pd.Series, tz: str) -> pd.Series:
    """Local wall-clock times in ``tz`` to naive UTC (ambiguous hours read as summer time)."""
    if len(naive) == 0:
        return naive.astype("datetime64[us]")
    local = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward")
    return local.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")


# ====================================================================== validation
class _Rules:
    """First failing rule wins; every row ends with at most one reason."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.rejected = np.zeros(n, dtype=bool)

    def add(self, code: str, mask: np.ndarray) -> None:
        new = np.asarray(mask, dtype=bool) & ~self.rejected
        if new.any():
            self.reason[new] = code
            self.rejected |= new

    def duplicates(self, code: str, frame: pd.DataFrame, subset: list[str]) -> None:
        """Mark later copies among rows still alive; the first in input order is kept."""
        dup = np.zeros(len(self.rejected), dtype=bool)
        if (~self.rejected).any():
            keys = pa.Table.from_pandas(frame[subset].reset_index(drop=True), preserve_index=False)
            keys = keys.append_column("_i", pa.array(np.arange(len(frame), dtype="int64"))).append_column("_alive", pa.array(~self.rejected))
            cols = ", ".join(f'"{c}"' for c in subset)
            con = duckdb.connect()
            con.register("k", keys)
            later = con.sql(f"select _i from (select _i, row_number() over (partition by {cols} order by _i) as rn from k where _alive) where rn > 1").fetchnumpy()["_i"]
            con.close()
            dup[np.asarray(later, dtype="int64")] = True
        self.add(code, dup)

    def counts(self) -> dict[str, int]:
        codes, counts = np.unique(self.reason[self.rejected].astype(str), return_counts=True)
        return {str(c): int(k) for c, k in sorted(zip(codes, counts), key=lambda kv: (-kv[1], kv[0]))}


def _all_bad(raw: _Raw, table: str, column: str, bad: np.ndarray, blank: np.ndarray, expected: str) -> None:
    """A column where no non-blank value can be used is a wrong input, not a few bad rows."""
    filled = ~blank
    if filled.any() and bad[filled].all():
        examples = raw.frame.iloc[np.flatnonzero(filled)[:3], _column_position(raw, table, column)].tolist()
        raise DataError(f"{raw.source}: column {_user_name(raw, column)!r} ({table}.{column}) has no usable value in any row; expected {expected}; found e.g. {examples}")


def _column_position(raw: _Raw, table: str, column: str) -> int:
    user = _user_name(raw, column)
    return list(raw.frame.columns).index(user)


def _user_name(raw: _Raw, column: str) -> str:
    back = {t: u for u, t in raw.detected.get("renamed", {}).items()}
    return back.get(column, column)


def _scale(values: np.ndarray, bad: np.ndarray, scale: Scale, name: str, raw: _Raw, table: str, rules: _Rules, tr: TableReport) -> np.ndarray:
    codes = np.isin(values, np.asarray(scale.missing, dtype="float64")) if scale.missing else np.zeros(len(values), dtype=bool)
    blank = np.isnan(values) & ~bad
    out = ~np.isnan(values) & ~codes & ((values < scale.low) | (values > scale.high))
    inside = ~np.isnan(values) & ~codes & ~out
    if out.any() and not inside.any():
        found = values[out]
        raise DataError(
            f"{raw.source}: column {_user_name(raw, name)!r} ({table}.{name}) is outside the declared scale [{scale.low:g}, {scale.high:g}] in every row "
            f"(found {np.nanmin(found):g} to {np.nanmax(found):g}); declare the right range in journey.yml (scales: {{{name}: [low, high]}}) or rescale the column"
        )
    _all_bad(raw, table, name, bad, np.isnan(values) & ~bad, "numbers")
    rules.add(f"bad_number:{name}", bad)
    rules.add(f"out_of_scale:{name}", out)
    tr.not_rated[name] = int((codes & ~rules.rejected).sum())
    tr.not_asked[name] = int((blank & ~rules.rejected).sum())
    clean = values.copy()
    clean[codes] = np.nan
    return clean


def _start(table: str, frame: pd.DataFrame, raw: _Raw) -> tuple[TableReport, pd.DataFrame, _Rules, str]:
    """What every validator begins with: its report, the frame on a 0..n-1 index, no rule failed
    yet, and the decimal mark (shown in the report for CSV, where it was guessed)."""
    tr = _report(table, raw)
    frame = frame.reset_index(drop=True)
    decimal = _detect_decimal(frame, raw.detected.get("separator"))
    if raw.detected.get("format") == "csv":
        tr.detected["decimal"] = decimal
    return tr, frame, _Rules(len(frame)), decimal


def _report(table: str, raw: _Raw) -> TableReport:
    n_bad = 0 if raw.bad_shape is None else len(raw.bad_shape)
    return TableReport(table=table, source=raw.source, read=len(raw.frame) + n_bad, detected=raw.detected)


def _finish(tr: TableReport, rules: _Rules, raw: _Raw) -> np.ndarray:
    counts = rules.counts()
    if raw.bad_shape is not None and len(raw.bad_shape):
        counts["bad_row_shape"] = len(raw.bad_shape)
    tr.reasons = counts
    tr.rejected = sum(counts.values())
    tr.accepted = int((~rules.rejected).sum())
    tr.not_rated = {k: v for k, v in tr.not_rated.items() if v}
    tr.not_asked = {k: v for k, v in tr.not_asked.items() if v}
    return rules.reason


def _catalogue(jr: Journey) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    cat = jr.catalogue()
    return cat["touchpoint"].tolist(), cat["stage"].to_numpy(object), cat["stage_order"].to_numpy("int64"), cat["channel"].to_numpy(object)


def _str_col(values: Any, index: pd.Index | None = None) -> pd.Series:
    return pd.Series(values, index=index, dtype="str")


def _const(value: str | None, n: int) -> pd.Series:
    """A string column of one value (or all missing), built in Arrow rather than from n objects."""
    array = pa.nulls(n, pa.string()) if value is None else pa.repeat(value, n)
    return array.to_pandas()


def _validate_events(frame: pd.DataFrame, raw: _Raw, jr: Journey, _: Any) -> tuple[pd.DataFrame, np.ndarray, TableReport]:
    tr, frame, rules, decimal = _start("events", frame, raw)
    n = len(frame)
    cid = _to_str(frame["customer_id"]).reset_index(drop=True)
    tp = _to_str(frame["touchpoint"]).reset_index(drop=True)
    ts, ts_bad, ts_fmt = _to_timestamp(frame["timestamp"], jr.timezone)
    tr.detected["date_format"] = ts_fmt
    ts_blank = ts.isna().to_numpy(bool) & ~ts_bad
    _all_bad(raw, "events", "timestamp", ts_bad, ts_blank, "date-times such as 2025-03-21 14:05 or 21/03/2025 14:05")
    ids, stages, _, _ = _catalogue(jr)
    codes = pd.Index(ids, dtype="str").get_indexer(tp).astype("int64")
    rules.add("missing_customer_id", cid.isna().to_numpy(bool))
    rules.add("missing_timestamp", ts_blank)
    rules.add("bad_timestamp", ts_bad)
    rules.add("missing_touchpoint", tp.isna().to_numpy(bool))
    rules.add("unknown_touchpoint", codes < 0)
    safe = np.where(codes < 0, 0, codes)
    if "stage" in frame.columns:
        cat_stage = stages[safe]
        given = _to_str(frame["stage"]).reset_index(drop=True)
        has = ~given.isna().to_numpy(bool)
        rules.add("unknown_stage", has & ~given.isin(jr.stage_ids).to_numpy(bool))
        rules.add("stage_mismatch", has & (given.to_numpy(object) != cat_stage))
    value = np.full(n, np.nan)
    if "value" in frame.columns:
        value, bad = _to_number(frame["value"], decimal)
        _all_bad(raw, "events", "value", bad, np.isnan(value) & ~bad, "numbers (e.g. a basket amount)")
        rules.add("bad_number:value", bad)
    brand = _to_str(frame["brand"]).reset_index(drop=True).fillna(jr.brand) if "brand" in frame.columns else _const(jr.brand, n)
    key = pd.DataFrame({"c": cid, "t": ts, "p": tp, "b": brand})
    rules.duplicates("duplicate_event", key, ["c", "t", "p", "b"])
    reasons = _finish(tr, rules, raw)
    parts = {
        "customer_id": cid,
        "timestamp": ts,
        "touchpoint": tp,
        "channel": _to_str(frame["channel"]).reset_index(drop=True) if "channel" in frame.columns else _const(None, n),
        "brand": brand,
        "session_id": _to_str(frame["session_id"]).reset_index(drop=True) if "session_id" in frame.columns else _const(None, n),
        "value": pd.Series(value),
        "_i": pd.Series(np.arange(n, dtype="int64")),
        "_keep": pd.Series(~rules.rejected),
    }
    out = _ordered_events(pd.DataFrame(parts), jr)
    tr.detected["ignored_columns"] = [_user_name(raw, c) for c in frame.columns if c not in CANONICAL["events"] and c not in ("event_id", "stage_order")]
    return out[list(EVENT_COLUMNS)], reasons, tr


def _ordered_events(parts: pd.DataFrame, jr: Journey) -> pd.DataFrame:
    """Accepted events joined to the catalogue, in customer, time, input order, with event_id.

    The sort and join run in a private DuckDB connection: on millions of rows it is several times
    faster than pandas on Arrow strings, and it never materialises Python string objects.
    """
    cat = jr.catalogue()[["touchpoint", "stage", "stage_order", "channel"]].astype({"touchpoint": "str", "stage": "str", "channel": "str", "stage_order": "int64"})
    con = duckdb.connect()
    con.register("e", pa.Table.from_pandas(parts, preserve_index=False))
    con.register("c", pa.Table.from_pandas(cat, preserve_index=False))
    table = con.sql(
        """
        select e.customer_id, e.timestamp, e.touchpoint, c.stage, c.stage_order,
               coalesce(e.channel, c.channel) as channel, e.brand, e.session_id, e.value
        from e join c on e.touchpoint = c.touchpoint
        where e._keep
        order by e.customer_id, e.timestamp, e._i
        """
    ).to_arrow_table()
    con.close()
    out = table.to_pandas()
    out.insert(0, "event_id", np.arange(len(out), dtype="int64"))
    for col in ("customer_id", "touchpoint", "stage", "channel", "brand", "session_id"):
        out[col] = out[col].astype("str")
    out["timestamp"] = out["timestamp"].astype("datetime64[us]")
    out["stage_order"] = out["stage_order"].astype("int64")
    out["value"] = out["value"].astype("float64")
    return out


def _attributes(frame: pd.DataFrame, skip: tuple[str, ...], decimal: str) -> dict[str, pd.Series]:
    """Other columns, typed: numbers when every value is one, booleans likewise, else strings."""
    out: dict[str, pd.Series] = {}
    for col in frame.columns:
        if col in skip:
            continue
        s = frame[col].reset_index(drop=True)
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            out[col] = s
            continue
        values, bad = _to_number(s, decimal)
        filled = ~np.isnan(values)
        # Codes such as postcodes or phone numbers keep their leading zeros as text.
        coded = bool(_to_str(s).str.match(r"^[+0]\d").fillna(False).any())
        if filled.any() and not bad.any() and not coded:
            whole = np.all(np.mod(values[filled], 1) == 0)
            if whole:
                out[col] = pd.Series(values).astype("int64" if filled.all() else "Int64")
            else:
                out[col] = pd.Series(values)
            continue
        flags, bad = _to_bool(s)
        if flags.notna().any() and not bad.any():
            out[col] = flags
            continue
        out[col] = _to_str(s)
    return out


def _validate_customers(frame: pd.DataFrame, raw: _Raw, jr: Journey, _: Any) -> tuple[pd.DataFrame, np.ndarray, TableReport]:
    tr, frame, rules, decimal = _start("customers", frame, raw)
    cid = _to_str(frame["customer_id"]).reset_index(drop=True)
    rules.add("missing_customer_id", cid.isna().to_numpy(bool))
    rules.duplicates("duplicate_customer", pd.DataFrame({"c": cid}), ["c"])
    reasons = _finish(tr, rules, raw)
    keep = ~rules.rejected
    cols = {"customer_id": cid, **_attributes(frame, ("customer_id",), decimal)}
    out = _keep_rows(cols, keep)
    out["customer_id"] = out["customer_id"].astype("str")
    return out, reasons, tr


def _validate_respondents(frame: pd.DataFrame, raw: _Raw, jr: Journey, _: Any) -> tuple[pd.DataFrame, np.ndarray, TableReport]:
    tr, frame, rules, decimal = _start("respondents", frame, raw)
    n = len(frame)
    rid = _to_str(frame["respondent_id"]).reset_index(drop=True)
    rules.add("missing_respondent_id", rid.isna().to_numpy(bool))
    cols: dict[str, Any] = {"respondent_id": rid}
    if "customer_id" in frame.columns:
        cols["customer_id"] = _to_str(frame["customer_id"]).reset_index(drop=True)
    cols["brand"] = _to_str(frame["brand"]).reset_index(drop=True).fillna(jr.brand) if "brand" in frame.columns else _const(jr.brand, n)
    if "date" in frame.columns:
        date, bad, fmt = _to_timestamp(frame["date"], jr.timezone, date_only_naive=True)
        tr.detected["date_format"] = fmt
        _all_bad(raw, "respondents", "date", bad, date.isna().to_numpy(bool) & ~bad, "dates such as 2025-03-21 or 21/03/2025")
        rules.add("bad_date", bad)
        cols["date"] = date
    for name in RESPONDENT_SCALES:
        if name in frame.columns:
            values, bad = _to_number(frame[name], decimal)
            cols[name] = _scale(values, bad, jr.scale(name), name, raw, "respondents", rules, tr)
    if "churned" in frame.columns:
        flags, bad = _to_bool(frame["churned"])
        _all_bad(raw, "respondents", "churned", bad, flags.isna().to_numpy(bool) & ~bad, "true/false, yes/no, oui/non or 1/0")
        rules.add("bad_boolean:churned", bad)
        cols["churned"] = flags.reset_index(drop=True)
    rules.duplicates("duplicate_respondent", pd.DataFrame({"r": rid}), ["r"])
    reasons = _finish(tr, rules, raw)
    cols.update(_attributes(frame, CANONICAL["respondents"], decimal))
    out = _keep_rows(cols, ~rules.rejected)
    for col in ("respondent_id", "customer_id", "brand"):
        if col in out:
            out[col] = out[col].astype("str")
    for col in RESPONDENT_SCALES:
        if col in out:
            out[col] = out[col].astype("float64")
    return out, reasons, tr


def _keep_rows(cols: Mapping[str, Any], keep: np.ndarray) -> pd.DataFrame:
    parts = {}
    for k, v in cols.items():
        series = v if isinstance(v, pd.Series) else pd.Series(v)
        parts[k] = series.reset_index(drop=True)[keep].reset_index(drop=True)
    return pd.DataFrame(parts)


def _validate_ratings(frame: pd.DataFrame, raw: _Raw, jr: Journey, respondents: pd.Series | None) -> tuple[pd.DataFrame, np.ndarray, TableReport]:
    tr, frame, rules, decimal = _start("ratings", frame, raw)
    n = len(frame)
    rid = _to_str(frame["respondent_id"]).reset_index(drop=True)
    tp = _to_str(frame["touchpoint"]).reset_index(drop=True) if "touchpoint" in frame.columns else _const(None, n)
    st = _to_str(frame["stage"]).reset_index(drop=True) if "stage" in frame.columns else _const(None, n)
    ids, stages, _, _ = _catalogue(jr)
    codes = pd.Index(ids, dtype="str").get_indexer(tp).astype("int64")
    has_tp, has_st = ~tp.isna().to_numpy(bool), ~st.isna().to_numpy(bool)
    rules.add("missing_respondent_id", rid.isna().to_numpy(bool))
    rules.add("missing_touchpoint_and_stage", ~has_tp & ~has_st)
    rules.add("unknown_touchpoint", has_tp & (codes < 0))
    rules.add("unknown_stage", has_st & ~st.isin(jr.stage_ids).to_numpy(bool))
    cat_stage = np.where(codes >= 0, stages[np.where(codes < 0, 0, codes)], None)
    rules.add("stage_mismatch", has_tp & has_st & (codes >= 0) & (st.to_numpy(object) != cat_stage))
    stage = np.where(has_tp & (codes >= 0), cat_stage, st.to_numpy(object))
    brand = _to_str(frame["brand"]).reset_index(drop=True).fillna(jr.brand) if "brand" in frame.columns else _const(jr.brand, n)
    cols: dict[str, Any] = {"respondent_id": rid, "brand": brand, "touchpoint": tp, "stage": _str_col(stage)}
    for name in RATING_SCALES:
        if name in frame.columns:
            values, bad = _to_number(frame[name], decimal)
            cols[name] = _scale(values, bad, jr.scale(name), name, raw, "ratings", rules, tr)
    if respondents is not None:
        rules.add("unknown_respondent", ~isin(rid, respondents))
    key = pd.DataFrame({"r": rid, "t": tp, "s": _str_col(stage), "b": brand})
    rules.duplicates("duplicate_rating", key, ["r", "t", "s", "b"])
    reasons = _finish(tr, rules, raw)
    out = _keep_rows(cols, ~rules.rejected)
    for col in ("respondent_id", "brand", "touchpoint", "stage"):
        out[col] = out[col].astype("str")
    tr.detected["ignored_columns"] = [_user_name(raw, c) for c in frame.columns if c not in CANONICAL["ratings"] and not c.startswith("_")]
    return out, reasons, tr


_VALIDATORS = {
    "events": _validate_events,
    "customers": _validate_customers,
    "ratings": _validate_ratings,
    "respondents": _validate_respondents,
}


# ====================================================================== events validated in the engine
@dataclass(frozen=True)
class _ParquetFiles:
    """One table given as Parquet: a file, a folder of part files or a glob, read in name order."""

    files: tuple[Path, ...]
    label: str


@dataclass
class _Footer:
    """What the Parquet footers say without reading any data: columns, rows, statistics."""

    schema: pa.Schema
    rows: list[int]  # per file
    nulls: dict[str, int]  # per column; -1 when some row group has no null count
    low: dict[str, Any]  # per column, the smallest value in the statistics (absent when unknown)
    high: dict[str, Any]


# Unicode whitespace as pandas' (Arrow's) str.strip trims it: ASCII blanks, NEL, no-break spaces…
_BLANKS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"
_view_names = itertools.count()


@ibis.udf.scalar.builtin(name="trim")
def _duckdb_trim(text: dt.string, characters: dt.string) -> dt.string:
    """DuckDB's trim(text, characters)."""


@ibis.udf.scalar.builtin(name="btrim")
def _spark_trim(text: dt.string, characters: dt.string) -> dt.string:
    """Spark's btrim(text, characters)."""


@ibis.udf.scalar.builtin(name="hash")
def _duckdb_hash(a: dt.string, b: dt.timestamp, c: dt.string, d: dt.string) -> dt.uint64:
    """DuckDB's 64-bit hash of several values."""


@ibis.udf.scalar.builtin(name="xxhash64")
def _spark_hash(a: dt.string, b: dt.timestamp, c: dt.string, d: dt.string) -> dt.int64:
    """Spark's 64-bit xxHash of several values."""


def _plan_events(src: Any, route: str) -> _Footer | None:
    """The footers of Parquet events that go to the engine route, else None (the pandas route)."""
    if not isinstance(src, _ParquetFiles):
        if route == "engine" and src is not None:
            what = "a DataFrame" if isinstance(src, pd.DataFrame) else str(src)
            raise DataError(f"route='engine' validates events given as Parquet (a file, a folder of .parquet files or a glob); got {what}; use route='auto' or 'pandas'")
        return None
    if route == "pandas":
        return None
    footer = _footer(src)
    if sum(footer.rows) == 0:
        raise DataError(f"{src.label}: the file has no rows (only a header: {footer.schema.names}); expected at least one events row")
    if route == "auto" and sum(footer.rows) < ENGINE_ROUTE_ROWS:
        return None
    return footer


def _footer(src: _ParquetFiles) -> _Footer:
    schema: pa.Schema | None = None
    rows: list[int] = []
    nulls: dict[str, int] = {}
    low: dict[str, Any] = {}
    high: dict[str, Any] = {}
    unknown: set[str] = set()
    for path in src.files:
        _not_empty(path, "events")
        try:
            meta = pq.read_metadata(path)
            file_schema = pq.read_schema(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataError(f"{path}: could not be read as Parquet ({exc})") from None
        if schema is None:
            schema = file_schema
        elif not file_schema.equals(schema):
            raise DataError(_schema_mismatch(path, file_schema, src.files[0], schema))
        rows.append(meta.num_rows)
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for i in range(group.num_columns):
                column = group.column(i)
                name, stats = column.path_in_schema, column.statistics
                if stats is None or not stats.has_null_count:
                    nulls[name] = -1
                elif nulls.get(name, 0) >= 0:
                    nulls[name] = nulls.get(name, 0) + stats.null_count
                if name not in file_schema.names or not pa.types.is_timestamp(file_schema.field(name).type):
                    continue  # only timestamp ranges are needed (time-zone transitions)
                if stats is None or not stats.has_min_max:
                    if group.num_rows > (stats.null_count if stats is not None and stats.has_null_count else -1):
                        unknown.add(name)
                    continue
                low[name] = stats.min if name not in low else min(low[name], stats.min)
                high[name] = stats.max if name not in high else max(high[name], stats.max)
    for name in unknown:
        low.pop(name, None)
        high.pop(name, None)
    assert schema is not None
    _check_header(schema.names, src.label)
    return _Footer(schema, rows, nulls, low, high)


def _columns_only(src: _ParquetFiles, footer: _Footer) -> _Raw:
    """The table's columns (no rows): enough to apply the mapping before the engine reads the data."""
    frame = footer.schema.empty_table().to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    return _Raw(frame, np.zeros(0, dtype="int64"), src.label, {"format": "parquet"})


_TEXT_COLUMNS = ("customer_id", "touchpoint", "stage", "channel", "brand", "session_id")


def _untyped_columns(schema: pa.Schema, raw: _Raw, frame: pd.DataFrame) -> list[str]:
    """The canonical event columns whose Parquet type the engine route does not validate."""
    problems = []
    for user, canon in zip(raw.frame.columns, frame.columns):
        kind = schema.field(user).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if canon in _TEXT_COLUMNS:
            ok = pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
            wanted = "text or integers"
        elif canon == "timestamp":
            ok, wanted = pa.types.is_timestamp(kind), "a Parquet timestamp"
        elif canon == "value":
            ok = pa.types.is_integer(kind) or pa.types.is_floating(kind)
            wanted = "numbers"
        else:
            continue
        if not ok:
            problems.append(f"column {user!r} (events.{canon}) is {kind}, not {wanted}")
    return problems


def _register_parquet(eng: Engine, src: _ParquetFiles, footer: _Footer) -> ibis.Table:
    """The files as one engine table, with ``_jv_i``: the row's 0-based position over the files in name order."""
    name = f"jv_events_file_{next(_view_names)}"
    offsets = np.concatenate([[0], np.cumsum(footer.rows)[:-1]]).astype("int64")
    if eng.name == "duckdb":

        def quote(text: str) -> str:
            return "'" + text.replace("'", "''") + "'"

        files = [str(f) for f in src.files]
        position = "file_row_number"
        if len(files) > 1:
            position += " + CASE _jv_file " + " ".join(f"WHEN {quote(f)} THEN {int(o)}" for f, o in zip(files, offsets)) + " END"
        eng.con.raw_sql(
            f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * EXCLUDE (_jv_file, file_row_number), {position} AS _jv_i '
            f"FROM read_parquet([{', '.join(quote(f) for f in files)}], filename = '_jv_file', file_row_number = true)"
        )
        return eng.con.table(name)
    from pyspark.sql import functions as F

    session = eng.con._session
    # One read per file: Spark orders the splits of several files by size, not by name.
    parts = [session.read.parquet(str(f)).select("*", (F.col("_metadata.row_index") + F.lit(int(o))).alias("_jv_i")) for f, o in zip(src.files, offsets)]
    functools.reduce(lambda a, b: a.unionByName(b), parts).createOrReplaceTempView(name)
    return eng.con.table(name)


def _may_need_trim(column: ibis.Value) -> ibis.Value:
    """True for blank text and text that may start or end with a blank (any non-ASCII edge counts).

    Two comparisons per value instead of a trim: a column where no value needs one is used as it is.
    """
    text = column.cast("string")
    last = text.right(1)
    return (text < "!") | (text >= "\x85") | (last < "!") | (last >= "\x85")


def _engine_text(eng: Engine, column: ibis.Value, trim: bool) -> ibis.Value:
    """Text as the pandas route reads it: integers as their digits; text stripped of Unicode blanks, blank as missing.

    ``trim=False`` when the profile found no value to strip: the column is then used as it is.
    """
    text = column.cast("string")
    if column.type().is_integer() or not trim:
        return text
    stripper = _duckdb_trim if eng.name == "duckdb" else _spark_trim
    return ibis.cases((_may_need_trim(text), stripper(text, _BLANKS)), else_=text).nullif("")


def _engine_utc(ts: ibis.Value, tz: str, low: pd.Timestamp, high: pd.Timestamp) -> ibis.Value:
    """Naive local timestamps in ``tz`` to naive UTC, exactly as :func:`_localise` does for the pandas route.

    Each value is shifted by the offset in force at that local time, from the zone's transitions
    between ``low`` and ``high`` (the column's range). The repeated autumn hour reads as summer
    time; a time skipped in spring becomes the first valid instant.
    """
    first, changes = _transitions(tz, low, high)

    def minus(seconds: int) -> ibis.Value:
        return ts - ibis.interval(seconds=seconds) if seconds else ts

    branches = []
    for when, before, after in reversed(changes):
        branches.append((ts >= ibis.literal(when + pd.Timedelta(seconds=max(before, after)), type=dt.Timestamp()), minus(after)))
        if after > before:  # the skipped local hour
            branches.append((ts >= ibis.literal(when + pd.Timedelta(seconds=before), type=dt.Timestamp()), ibis.literal(when, type=dt.Timestamp())))
    return ibis.cases(*branches, else_=minus(first)) if branches else minus(first)


def _transitions(tz: str, low: pd.Timestamp, high: pd.Timestamp) -> tuple[int, list[tuple[pd.Timestamp, int, int]]]:
    """UTC offset (s) in force before ``low``, and each change up to ``high``: (UTC instant, offset before, offset after)."""
    days = pd.date_range(low.floor("D") - pd.Timedelta(days=2), high.ceil("D") + pd.Timedelta(days=2), freq="D", unit="s")

    def offset(instants: pd.DatetimeIndex) -> np.ndarray:
        local = instants.tz_localize("UTC").tz_convert(tz).tz_localize(None)
        return np.asarray((local - instants).total_seconds(), dtype="int64")

    offsets = offset(days)
    changes = []
    for i in np.flatnonzero(offsets[1:] != offsets[:-1]) + 1:
        lo, hi = days[i - 1], days[i]  # the change happens in (lo, hi]: bisect to the second
        while hi - lo > pd.Timedelta(seconds=1):
            mid = lo + (hi - lo) // 2
            if offset(pd.DatetimeIndex([mid]))[0] == offsets[i - 1]:
                lo = mid
            else:
                hi = mid
        changes.append((hi, int(offsets[i - 1]), int(offsets[i])))
    return int(offsets[0]), changes


def _validate_events_in_engine(eng: Engine, src: _ParquetFiles, footer: _Footer, frame: pd.DataFrame, raw: _Raw, jr: Journey, qdir: "_Quarantine") -> tuple[ibis.Table, TableReport]:
    """Validate Parquet events where they lie; returns the accepted events as a lazy view and the report.

    The rules and their order are those of :func:`_validate_events` for typed columns. Three scans
    of the files: a profile (which text columns need stripping; the time range when the footers
    lack it), the repeated 64-bit hashes of the duplicate key among rows passing the row rules,
    and the rows that fail a rule or share a repeated hash; only those leave the engine, and
    duplicates are confirmed on the key itself.
    """
    tr = TableReport(table="events", source=raw.source, read=sum(footer.rows), detected=raw.detected)
    source = _register_parquet(eng, src, footer)
    user = dict(zip(frame.columns, raw.frame.columns))
    field = footer.schema.field(user["timestamp"])
    tr.detected["date_format"] = "typed" if field.type.tz is None else "typed (with time zone)"

    profile: dict[str, ibis.Value] = {}
    strings = [c for c in _TEXT_COLUMNS if c in user and not source[user[c]].type().is_integer()]
    trims: dict[str, bool] = {}
    for canon in strings:
        if canon in ("customer_id", "session_id"):
            profile[f"trim_{canon}"] = _may_need_trim(source[user[canon]]).any()
        else:
            # Catalogue ids and brands take few values: check those exactly, as pandas strips them.
            values = eng.to_pandas(source.select(v=source[user[canon]].cast("string")).distinct())["v"].dropna().astype("str")
            trims[canon] = bool(((values.str.strip() != values) | (values == "")).any())
    naive = field.type.tz is None
    if naive and not (isinstance(footer.low.get(field.name), datetime) and isinstance(footer.high.get(field.name), datetime)):
        moment = source[user["timestamp"]].cast(dt.Timestamp())
        profile.update(low=moment.min(), high=moment.max())
    facts = eng.to_pandas(source.aggregate(**profile)).iloc[0].to_dict() if profile else {}
    low, high = facts.get("low", footer.low.get(field.name)), facts.get("high", footer.high.get(field.name))

    def text(canon: str) -> ibis.Value:
        if canon not in user:
            return ibis.null(dt.string)
        return _engine_text(eng, source[user[canon]], trim=bool(facts.get(f"trim_{canon}", trims.get(canon, False))))

    timestamp = source[user["timestamp"]].cast(dt.Timestamp())
    if naive and low is not None and not pd.isna(low):
        timestamp = _engine_utc(timestamp, jr.timezone, pd.Timestamp(low), pd.Timestamp(high))
    conv = source.select(
        *[ibis._[c] for c in raw.frame.columns],
        _jv_i=source._jv_i.cast("int64"),
        _c_customer_id=text("customer_id"),
        _c_timestamp=timestamp,
        _c_touchpoint=text("touchpoint"),
        _c_stage=text("stage"),
        _c_channel=text("channel"),
        _c_brand=text("brand").fill_null(jr.brand) if "brand" in user else ibis.literal(jr.brand, dt.string),
        _c_session_id=text("session_id"),
        _c_value=source[user["value"]].cast("float64") if "value" in user else ibis.null(dt.float64),
    )
    cat = jr.catalogue()[["touchpoint", "stage", "stage_order", "channel"]].astype({"touchpoint": "str", "stage": "str", "channel": "str", "stage_order": "int64"})
    cat.columns = ["_k_touchpoint", "_k_stage", "_k_stage_order", "_k_channel"]
    cat_table = eng.create_table("catalogue", cat)
    joined = conv.left_join(cat_table, conv._c_touchpoint == cat_table._k_touchpoint)
    stage_given = joined._c_stage.notnull()
    checked = joined.mutate(
        _jv_reason=ibis.cases(
            (joined._c_customer_id.isnull(), "missing_customer_id"),
            (joined._c_timestamp.isnull(), "missing_timestamp"),
            (joined._c_touchpoint.isnull(), "missing_touchpoint"),
            (joined._k_touchpoint.isnull(), "unknown_touchpoint"),
            (stage_given & ~joined._c_stage.isin(list(jr.stage_ids)), "unknown_stage"),
            (stage_given & (joined._c_stage != joined._k_stage), "stage_mismatch"),
            else_=ibis.null(dt.string),
        )
    )
    originals = list(raw.frame.columns)
    keys = ["_c_customer_id", "_c_timestamp", "_c_touchpoint", "_c_brand"]
    hashing = _duckdb_hash if eng.name == "duckdb" else _spark_hash
    hashed = checked.mutate(_jv_h=hashing(*(checked[k] for k in keys)))
    alive = hashed.filter(hashed._jv_reason.isnull())
    repeated = eng.to_pandas(alive.group_by("_jv_h").aggregate(_jv_n=ibis._.count()).filter(ibis._._jv_n > 1).select("_jv_h"))
    wanted = hashed._jv_reason.notnull()
    if len(repeated):
        wanted |= hashed._jv_reason.isnull() & hashed._jv_h.isin(eng.create_table("repeated", repeated)._jv_h)
    picked = hashed.filter(wanted)
    rows = picked.select(*originals, *keys, _reason=picked._jv_reason, _row=picked._jv_i + 1)
    parts = [_as_read(b, footer) for b in _batches(eng, rows)]
    found = pd.concat(parts, ignore_index=True).sort_values("_row", kind="stable") if parts else pd.DataFrame(columns=[*originals, *keys, "_reason", "_row"])
    # Rows sharing a repeated hash are duplicates only when their keys are equal too.
    alive_rows = found["_reason"].isna()
    later = alive_rows & found[alive_rows].duplicated(subset=keys, keep="first").reindex(found.index, fill_value=False)
    found.loc[later, "_reason"] = "duplicate_event"
    rejected = found[found["_reason"].notna()].drop(columns=keys).reset_index(drop=True)
    duplicates = rejected.loc[rejected["_reason"] == "duplicate_event", "_row"].to_numpy("int64") - 1

    tr.quarantine_path = qdir.write_frames("events", [rejected])
    counts = rejected["_reason"].value_counts() if len(rejected) else pd.Series(dtype="int64")
    tr.reasons = {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
    tr.rejected = int(counts.sum())
    tr.accepted = tr.read - tr.rejected
    tr.detected["ignored_columns"] = [u for u, c in zip(raw.frame.columns, frame.columns) if c not in CANONICAL["events"] and c not in ("event_id", "stage_order")]

    alive = checked.filter(checked._jv_reason.isnull())
    if len(duplicates):
        alive = alive.anti_join(eng.create_table("duplicates", pd.DataFrame({"_jv_i": duplicates})), "_jv_i")
    events = alive.select(
        event_id=alive._jv_i,
        customer_id=alive._c_customer_id,
        timestamp=alive._c_timestamp,
        touchpoint=alive._c_touchpoint,
        stage=alive._k_stage,
        stage_order=alive._k_stage_order.cast("int64"),
        channel=alive._c_channel.fill_null(alive._k_channel),
        brand=alive._c_brand,
        session_id=alive._c_session_id,
        value=alive._c_value,
    )
    return _as_view(eng, events), tr


def _batches(eng: Engine, expr: ibis.Table, size: int = 100_000) -> Iterator[pa.RecordBatch]:
    """Stream a result in Arrow batches (Ibis 12's own streaming does not run on duckdb 2)."""
    if eng.name == "duckdb":
        yield from eng.con.con.sql(eng.con.compile(expr)).to_arrow_reader(size)
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
        table = eng.con.to_pyarrow(expr)
    yield from table.to_batches(max_chunksize=size)


def _as_read(batch: pa.RecordBatch, footer: _Footer) -> pd.DataFrame:
    """Rejected rows typed as the pandas route reads the file, so both write the same quarantine text."""
    columns = {}
    for name in batch.schema.names:
        array = batch.column(name)
        if name in footer.schema.names:
            kind = footer.schema.field(name).type
            try:
                array = array.cast(kind)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
            if pa.types.is_integer(kind) and footer.nulls.get(name, 0) != 0:
                array = array.cast(pa.float64())  # pandas reads an integer column with gaps as floats
        columns[name] = array
    return pa.table(columns).to_pandas()


def _as_view(eng: Engine, events: ibis.Table) -> ibis.Table:
    """Name the accepted events in the engine (a temporary view: nothing is computed or stored)."""
    name = f"jv_events_{next(_view_names)}"
    if eng.name == "duckdb":
        eng.con.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {eng.con.compile(events)}')
        return eng.con.table(name)
    return eng.con.create_view(name, events, overwrite=True)


# ====================================================================== quarantine
class _Quarantine:
    """Writes rejected rows; a default folder is created only when something is rejected."""

    def __init__(self, folder: Path | None, owned: bool) -> None:
        self.folder = folder
        self.owned = owned

    def write(self, table: str, raw: _Raw, reasons: np.ndarray) -> str | None:
        mask = np.array([r is not None for r in reasons], dtype=bool)
        bad_shape = raw.bad_shape if raw.bad_shape is not None and len(raw.bad_shape) else None
        if not mask.any() and bad_shape is None:
            return self.write_frames(table, iter(()))
        rejected = raw.frame.reset_index(drop=True)[mask].copy()
        rejected["_reason"] = reasons[mask]
        rejected["_row"] = raw.rows[mask]
        if bad_shape is not None:
            extra = bad_shape.assign(_reason="bad_row_shape")
            rejected = pd.concat([rejected, extra], ignore_index=True).sort_values("_row", kind="stable")
        return self.write_frames(table, iter([rejected]))

    def write_frames(self, table: str, frames: Iterable[pd.DataFrame]) -> str | None:
        """Write rejected rows arriving in parts (all with the same columns); None when there are none."""
        parts = (f for f in frames if len(f))
        first = next(parts, None)
        target = None if self.folder is None else self.folder / f"{table}.csv"
        if first is None:
            if self.owned and target is not None and target.exists():
                target.unlink()  # a stale file from an earlier load of the same folder
            return None
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="journeyviz-quarantine-"))
            target = self.folder / f"{table}.csv"
        self.folder.mkdir(parents=True, exist_ok=True)
        assert target is not None
        # Quote every field: pandas leaves a bare carriage return unquoted, which would split a row.
        first.to_csv(target, index=False, encoding="utf-8", quoting=csv.QUOTE_ALL)
        for part in parts:
            part.to_csv(target, mode="a", header=False, index=False, encoding="utf-8", quoting=csv.QUOTE_ALL)
        return str(target)


def _quarantine_folder(quarantine_dir: str | Path | None, folder: Path | None) -> _Quarantine:
    if quarantine_dir is not None:
        return _Quarantine(Path(quarantine_dir), owned=False)
    if folder is not None:
        return _Quarantine(folder / "_quarantine", owned=True)
    return _Quarantine(None, owned=False)
