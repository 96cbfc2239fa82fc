"""The benchmark bundle written the straightforward pandas way: read the Parquet file, sort, group by.

Same definitions as ``_floor`` (see its docstring); results are equal to the floor's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from _markov import removal_effects

Step = tuple[str, Callable[[], pd.DataFrame | None]]
_COLUMNS = ["event_id", "customer_id", "timestamp", "touchpoint", "stage", "channel", "brand"]


def steps(path: str | Path, stages: list[str], conversion: str, brand: str) -> list[Step]:
    state: dict[str, pd.DataFrame] = {}

    def load() -> None:
        ev = pd.read_parquet(path, columns=_COLUMNS, filters=[("brand", "==", brand)])
        ev = ev.sort_values(["customer_id", "timestamp", "event_id"], ignore_index=True)
        # After the sort, the row number orders events within a customer (timestamp, then event_id).
        ev["seq"] = np.arange(len(ev))
        ev["first_row"] = ev["customer_id"].ne(ev["customer_id"].shift())
        ev["last_row"] = ev["customer_id"].ne(ev["customer_id"].shift(-1))
        state["ev"] = ev

    def funnel() -> pd.DataFrame:
        ev = state["ev"]
        first_ts = ev.groupby("customer_id")["timestamp"].min()
        reached = ev.loc[ev["stage"] == stages[0]].groupby("customer_id").agg(seq=("seq", "min"), ts=("timestamp", "min"))
        rows = []
        for i, stage in enumerate(stages):
            if i > 0:
                cand = ev.loc[ev["stage"] == stage, ["customer_id", "seq", "timestamp"]]
                cand = cand.join(reached["seq"].rename("prev"), on="customer_id", how="inner")
                cand = cand[cand["seq"] > cand["prev"]]
                idx = cand.groupby("customer_id")["seq"].idxmin()
                reached = cand.loc[idx].set_index("customer_id")[["seq", "timestamp"]].rename(columns={"timestamp": "ts"})
            hours = (reached["ts"] - first_ts.reindex(reached.index)).dt.total_seconds() / 3600
            rows.append({"stage_order": i, "stage": stage, "reached": len(reached),
                         "median_hours": hours.median(), "p90_hours": hours.quantile(0.9)})
        return pd.DataFrame(rows)

    def transitions() -> pd.DataFrame:
        ev = state["ev"]
        prev_tp = ev["touchpoint"].shift().where(~ev["first_row"], "(start)")
        gap = (ev["timestamp"] - ev["timestamp"].shift()).dt.total_seconds().where(~ev["first_row"])
        moves = pd.DataFrame({"from": prev_tp, "to": ev["touchpoint"], "customer_id": ev["customer_id"], "gap": gap})
        ends = pd.DataFrame({"from": ev.loc[ev["last_row"], "touchpoint"], "to": "(end)",
                             "customer_id": ev.loc[ev["last_row"], "customer_id"], "gap": np.nan})
        moves = pd.concat([moves, ends], ignore_index=True)
        out = moves.groupby(["from", "to"]).agg(transitions=("customer_id", "size"), customers=("customer_id", "nunique"),
                                                median_seconds=("gap", "median")).reset_index()
        out["probability"] = out["transitions"] / out.groupby("from")["transitions"].transform("sum")
        return out

    def top_paths(k: int = 10) -> pd.DataFrame:
        ev = state["ev"]
        keep = ev["first_row"] | ev["stage"].ne(ev["stage"].shift())
        collapsed = ev.loc[keep, ["customer_id", "stage"]]
        paths = collapsed.groupby("customer_id", sort=False)["stage"].agg(" > ".join)
        converted = (ev["stage"] == conversion).groupby(ev["customer_id"], sort=False).any()
        frame = pd.DataFrame({"path": paths, "converted": converted.reindex(paths.index)})
        out = frame.groupby("path").agg(customers=("converted", "size"), conversion=("converted", "mean")).reset_index()
        out["share"] = out["customers"] / len(frame)
        out = out.sort_values(["customers", "path"], ascending=[False, True]).head(k)
        return out[["path", "customers", "share", "conversion"]].reset_index(drop=True)

    def touchpoint_audit() -> pd.DataFrame:
        ev = state["ev"]
        converted = (ev["stage"] == conversion).groupby(ev["customer_id"]).any().astype(int)
        position = ev.groupby("customer_id").cumcount() + 1
        work = pd.DataFrame({"touchpoint": ev["touchpoint"], "customer_id": ev["customer_id"], "pos": position,
                             "exited": ev["last_row"].astype(int)})
        per = work.groupby(["touchpoint", "customer_id"]).agg(contacts=("pos", "size"), first_pos=("pos", "min"),
                                                              exited=("exited", "max")).reset_index()
        per["converted"] = per["customer_id"].map(converted)
        out = per.groupby("touchpoint").agg(reached=("customer_id", "size"), contacts=("contacts", "sum"),
                                            contacts_per_customer=("contacts", "mean"), median_position=("first_pos", "median"),
                                            conversion_reached=("converted", "mean"), conv=("converted", "sum"),
                                            exits=("exited", "sum")).reset_index()
        others = len(converted) - out["reached"]
        out["conversion_not_reached"] = (converted.sum() - out["conv"]) / others.where(others > 0)
        return out.drop(columns="conv")

    def attribution() -> pd.DataFrame:
        ev = state["ev"]
        is_conv = ev["stage"] == conversion
        conv_seq = ev["seq"].where(is_conv).groupby(ev["customer_id"]).transform("min")
        kept = ev.loc[conv_seq.isna() | (ev["seq"] < conv_seq), ["customer_id", "channel"]].copy()
        kept["converted"] = conv_seq.notna()
        first = kept["customer_id"].ne(kept["customer_id"].shift())
        last = kept["customer_id"].ne(kept["customer_id"].shift(-1))
        prev = kept["channel"].shift().where(~first, "(start)")
        moves = pd.DataFrame({"from": prev, "to": kept["channel"]})
        ends = pd.DataFrame({"from": kept.loc[last, "channel"],
                             "to": np.where(kept.loc[last, "converted"], "(conversion)", "(null)")})
        converters = int(conv_seq.groupby(ev["customer_id"]).first().notna().sum())
        direct = converters - int(kept.loc[kept["converted"], "customer_id"].nunique())
        extra = pd.DataFrame({"from": ["(start)", "(direct)"], "to": ["(direct)", "(conversion)"]}).loc[[0, 1] if direct else []]
        counts = pd.concat([moves, ends]).groupby(["from", "to"]).size().rename("n").reset_index()
        counts = pd.concat([counts, extra.assign(n=direct)], ignore_index=True)
        return removal_effects(counts, converters)

    return [
        ("load", load),
        ("funnel", funnel),
        ("transitions", transitions),
        ("top_paths", top_paths),
        ("touchpoint_audit", touchpoint_audit),
        ("attribution", attribution),
    ]
