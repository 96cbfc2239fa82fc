"""Privacy at the door: tables leave journeyviz without raw customer or respondent ids."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Columns (or index names) that identify a person or one of their contacts.
ID_COLUMNS = ("customer_id", "respondent_id", "session_id", "event_id")
ID_MODES = ("strip", "refuse")
FORMATS = (".csv", ".parquet", ".json")


def raw_id_columns(table: pd.DataFrame) -> list[str]:
    """Names of the columns and index levels of ``table`` that carry raw ids (see ``ID_COLUMNS``)."""
    names = [str(c) for c in table.columns if str(c) in ID_COLUMNS]
    names += [str(n) for n in table.index.names if n is not None and str(n) in ID_COLUMNS]
    return names


def check_no_raw_ids(table: pd.DataFrame, what: str = "table") -> None:
    """Raise ``ValueError`` naming the id columns when ``table`` carries any."""
    found = raw_id_columns(table)
    if found:
        raise ValueError(f"{what} carries raw ids in {found}; drop them (or use ids='strip') before sharing")


def strip_ids(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` without id columns; an id index is replaced by a plain range."""
    out = table.drop(columns=[c for c in table.columns if str(c) in ID_COLUMNS])
    if any(n is not None and str(n) in ID_COLUMNS for n in out.index.names):
        out = out.reset_index(drop=True)
    return out


def export(table: pd.DataFrame, path: str | Path, ids: str = "strip") -> Path:
    """Write ``table`` to ``path`` (.csv, .parquet or .json) without raw ids.

    Parameters
    ----------
    ids
        ``"strip"`` drops id columns (and an id index) before writing; ``"refuse"`` raises instead.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        ``ids`` not in ("strip", "refuse"); ids present with ``ids="refuse"``; unknown file type.
    """
    if ids not in ID_MODES:
        raise ValueError(f"ids={ids!r} is not allowed; use one of {', '.join(map(repr, ID_MODES))}")
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"path={str(path)!r}: unknown file type {path.suffix!r}; use one of {', '.join(FORMATS)}")
    if ids == "refuse":
        check_no_raw_ids(table)
    clean = strip_ids(table)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        clean.to_csv(path, index=False)
    elif suffix == ".parquet":
        clean.to_parquet(path, index=False)
    else:
        clean.to_json(path, orient="records", date_format="iso", force_ascii=False)
    return path
