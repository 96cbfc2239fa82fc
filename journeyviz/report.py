"""What loading did with every row: read, accepted, set aside (and why), per table.

:func:`journeyviz.load` fills a :class:`ValidationReport` with one :class:`TableReport` per table.
The invariant ``read == accepted + rejected`` holds for every table; rejected rows are written to
a quarantine CSV whose path the report names. ``journeyviz validate`` prints ``str(report)``.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

TABLES = ("events", "customers", "ratings", "respondents")


@dataclass
class TableReport:
    """The accounting of one table.

    Attributes
    ----------
    table
        ``events``, ``customers``, ``ratings`` or ``respondents``.
    source
        Where the rows came from: a file path, ``"DataFrame"``, or the wide survey file.
    read
        Rows read from the source (for a wide survey: the melted ratings rows, one per respondent
        and rated touchpoint or stage, blank cells excluded).
    accepted, rejected
        Rows kept and rows set aside; ``read == accepted + rejected``.
    reasons
        Rejected rows by reason code (each rejected row counts once, under its first failing
        rule); the values sum to ``rejected``.
    not_rated
        Per scale, the cells holding a declared missing-value code (turned into NaN, kept).
    detected
        What the reader found out: ``format``, ``encoding``, ``separator``, ``decimal``,
        ``date_format``, ``renamed`` columns, ``ignored_columns``… and, for Parquet events,
        ``route``: ``"engine"`` (validated in the engine) or ``"pandas"``.
    quarantine_path
        The CSV holding the rejected rows (original columns plus ``_reason`` and ``_row``), or
        None when nothing was rejected.
    not_asked
        Per scale, the blank cells (not asked; NaN, kept).
    """

    table: str
    source: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    not_rated: dict[str, int] = field(default_factory=dict)
    detected: dict[str, Any] = field(default_factory=dict)
    quarantine_path: str | None = None
    not_asked: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """True when ``read == accepted + rejected`` and the reasons add up to ``rejected``."""
        return self.read == self.accepted + self.rejected and sum(self.reasons.values()) == self.rejected

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


@dataclass
class ValidationReport:
    """The accounting of a whole load: one :class:`TableReport` per table that was given.

    Attributes
    ----------
    tables
        Table name → :class:`TableReport`, in the order events, customers, ratings, respondents.
    source
        The dataset folder, or ``"tables"`` for in-memory input.
    journey
        Name of the journey definition used.
    """

    tables: dict[str, TableReport] = field(default_factory=dict)
    source: str = ""
    journey: str = ""

    def __getitem__(self, table: str) -> TableReport:
        try:
            return self.tables[table]
        except KeyError:
            raise KeyError(f"no table {table!r} in this report; tables are {list(self.tables)}") from None

    def __contains__(self, table: object) -> bool:
        return table in self.tables

    @property
    def ok(self) -> bool:
        """True when no row was rejected in any table (and every table's counts balance)."""
        return all(t.rejected == 0 and t.balanced for t in self.tables.values())

    @property
    def rejected(self) -> int:
        """Rows set aside, all tables together."""
        return sum(t.rejected for t in self.tables.values())

    def summary(self) -> pd.DataFrame:
        """One row per table and reason: ``table``, ``reason``, ``rows``.

        Each table also has a row with reason ``accepted`` (rows kept), so ``rows`` sums to
        ``read`` per table.
        """
        records = []
        for name, t in self.tables.items():
            records.append({"table": name, "reason": "accepted", "rows": t.accepted})
            for reason, rows in sorted(t.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
                records.append({"table": name, "reason": reason, "rows": rows})
        frame = pd.DataFrame(records, columns=["table", "reason", "rows"])
        frame["rows"] = frame["rows"].astype("int64")
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready): ``ok``, ``source``, ``journey``, ``tables`` (one dict per table)."""
        return {
            "ok": self.ok,
            "source": self.source,
            "journey": self.journey,
            "tables": {name: t.to_dict() for name, t in self.tables.items()},
        }

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def __str__(self) -> str:
        head = ["table", "source", "read", "accepted", "rejected"]
        rows = [[t.table, _short(t.source), f"{t.read:,}", f"{t.accepted:,}", f"{t.rejected:,}"] for t in self.tables.values()]
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]

        def line(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        out = [f"journeyviz validation — {self.journey} ({self.source})", line(head), line(["-" * w for w in widths])]
        out += [line(r) for r in rows]
        for t in self.tables.values():
            notes = []
            if t.reasons:
                notes.append("rejected: " + ", ".join(f"{k} {v:,}" for k, v in sorted(t.reasons.items(), key=lambda kv: (-kv[1], kv[0]))))
            if t.not_rated:
                notes.append("not rated (missing-value codes): " + ", ".join(f"{k} {v:,}" for k, v in t.not_rated.items()))
            found = {k: v for k, v in t.detected.items() if k in ("format", "encoding", "separator", "decimal", "date_format", "route") and v}
            if found:
                notes.append("detected: " + ", ".join(f"{k} {v!r}" if k in ("separator", "decimal") else f"{k} {v}" for k, v in found.items()))
            if t.quarantine_path:
                notes.append(f"quarantine: {t.quarantine_path}")
            if notes:
                out.append(f"{t.table}:")
                out += [f"  {n}" for n in notes]
        out.append("OK: every row accepted." if self.ok else f"{self.rejected:,} row(s) set aside; see the quarantine files above.")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        cells = "".join(
            "<tr>"
            + f"<td>{html.escape(t.table)}</td><td>{html.escape(_short(t.source))}</td>"
            + f"<td style='text-align:right'>{t.read:,}</td><td style='text-align:right'>{t.accepted:,}</td>"
            + f"<td style='text-align:right'>{t.rejected:,}</td>"
            + f"<td>{html.escape(', '.join(f'{k}: {v:,}' for k, v in t.reasons.items()))}</td>"
            + f"<td>{html.escape(', '.join(f'{k}: {v:,}' for k, v in t.not_rated.items()))}</td>"
            + f"<td><code>{html.escape(t.quarantine_path or '')}</code></td>"
            + "</tr>"
            for t in self.tables.values()
        )
        status = "every row accepted" if self.ok else f"{self.rejected:,} row(s) set aside"
        return (
            f"<div><strong>journeyviz validation</strong> — {html.escape(self.journey)}: {status}"
            "<table><thead><tr><th>table</th><th>source</th><th>read</th><th>accepted</th><th>rejected</th>"
            "<th>reasons</th><th>not rated</th><th>quarantine</th></tr></thead>"
            f"<tbody>{cells}</tbody></table></div>"
        )


def _short(source: str, width: int = 48) -> str:
    return source if len(source) <= width else "…" + source[-(width - 1):]


def _plain(value: Any) -> Any:
    """Numpy scalars and tuples into JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value
