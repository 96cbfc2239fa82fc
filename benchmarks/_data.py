"""Write the benchmark's event log: ``events.parquet`` (canonical columns) and ``journey.yml`` in one folder.

``journeyviz`` uses the project's seeded generator (:func:`journeyviz.samples.generate`, the
``lifecycle`` sample), in chunks of customers so that 10 M customers never sit in memory at once;
``standin`` uses the benchmark's own vectorised generator (``_standin``). Canonical columns are
those of :mod:`journeyviz.dataset`: ``event_id`` follows the generator's order (customer, then
time), ``stage`` and ``stage_order`` come from the journey's catalogue.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

GENERATORS = ("journeyviz", "standin")
_CHUNK = 500_000


def _sample_chunks(folder: Path, customers: int, seed: int) -> int:
    from journeyviz import samples

    writer: pq.ParquetWriter | None = None
    written = 0
    chunks = range(0, customers, _CHUNK)
    try:
        for i, start in enumerate(chunks):
            sample = samples.generate(customers=min(_CHUNK, customers - start), seed=seed + i)
            if i == 0:
                sample.journey.to_yaml(folder / "journey.yml")
                catalogue = sample.journey.catalogue().set_index("touchpoint")
            events = sample.events
            if len(chunks) > 1:  # every chunk numbers its customers from 1; keep ids distinct
                events["customer_id"] = f"K{i:03d}-" + events["customer_id"]
            events["event_id"] = np.arange(written, written + len(events), dtype=np.int64)
            events["stage"] = events["touchpoint"].map(catalogue["stage"]).astype("str")
            events["stage_order"] = events["touchpoint"].map(catalogue["stage_order"]).astype("int64")
            columns = ["event_id", "customer_id", "timestamp", "touchpoint", "stage", "stage_order", "channel", "brand", "session_id", "value"]
            table = pa.Table.from_pandas(events[columns], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(str(folder / "events.parquet"), table.schema)
            writer.write_table(table, row_group_size=1_000_000)
            written += len(events)
            del sample, events, table
    finally:
        if writer is not None:
            writer.close()
    return written


def write_events(folder: str | Path, customers: int, seed: int, generator: str = "journeyviz") -> Path:
    """Write ``events.parquet`` and ``journey.yml`` into ``folder``; return the Parquet path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if generator == "journeyviz":
        _sample_chunks(folder, customers, seed)
    elif generator == "standin":
        import yaml

        import _standin

        _standin.write_events(folder / "events.parquet", customers, seed=seed)
        (folder / "journey.yml").write_text(yaml.safe_dump(_standin.journey_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        raise ValueError(f"generator={generator!r} is not known; use one of {', '.join(GENERATORS)}")
    return folder / "events.parquet"
