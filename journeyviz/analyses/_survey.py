"""Shared plumbing of the survey analyses: brand and ``by=`` checks, per-cell rating frames, ordering.

Survey tables are small enough to live in pandas (one row per rating), so everything here is
vectorised pandas/numpy; statistics themselves come from :mod:`journeyviz.analyses._stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..dataset import UNKNOWN, Dataset

#: Columns that identify people; never usable as ``by=`` because they would leak into the output.
_ID_COLUMNS = ("respondent_id", "customer_id")
_VALUES = ("perception", "expectation", "importance")


def check_by(ds: Dataset, by: str | None) -> str | None:
    """Refuse ``by=`` on identifier columns (a group per person would put raw ids in the output)."""
    if by is None:
        return None
    if not isinstance(by, str):
        raise ValueError(f"by={by!r} must be a column name (str) or None")
    if by in _ID_COLUMNS:
        raise ValueError(f"by={by!r} would put raw respondent/customer ids in the output; use an attribute such as {ds.respondent_attributes()[:5] or ['region']}")
    return by


def check_brand(ds: Dataset, brand: str | None) -> str:
    """Our brand by default; otherwise a brand present in the data (ValueError naming the choices)."""
    if brand is None:
        return ds.brand
    known = ds.brands()
    if brand not in known:
        raise ValueError(f"brand={brand!r} is not in the data; use one of {known}")
    return brand


def ratings_frame(ds: Dataset, analysis: str) -> pd.DataFrame:
    """The ratings table with every canonical column present (brand defaults to ours)."""
    ds.require("ratings", analysis=analysis)
    r = ds.ratings
    missing = [c for c in ("respondent_id", "perception") if c not in r.columns]
    if missing:
        raise ValueError(f"{analysis}: the ratings table lacks column(s) {missing}; it needs respondent_id, touchpoint or stage, perception")
    out = pd.DataFrame({"respondent_id": r["respondent_id"].astype("string")})
    out["brand"] = r["brand"].astype("string").fillna(ds.brand) if "brand" in r else ds.brand
    out["touchpoint"] = r["touchpoint"].astype("string") if "touchpoint" in r else pd.Series(pd.NA, index=r.index, dtype="string")
    if "stage" in r:
        out["stage"] = r["stage"].astype("string")
    else:
        stage_of = {t.id: t.stage for t in ds.journey.touchpoints}
        out["stage"] = out["touchpoint"].map(stage_of).astype("string")
    for col in _VALUES:
        out[col] = pd.to_numeric(r[col], errors="coerce").astype("float64") if col in r else np.nan
    return out


def respondents_frame(ds: Dataset, by: str | None, brand: str | None, analysis: str) -> pd.DataFrame:
    """Respondents of ``brand`` (all when None) with canonical score columns and, when asked, ``by``."""
    ds.require("respondents", analysis=analysis)
    resp = ds.respondents_by(by)
    out = pd.DataFrame({"respondent_id": resp["respondent_id"].astype("string")})
    out["brand"] = resp["brand"].astype("string").fillna(ds.brand) if "brand" in resp else ds.brand
    for col in ("overall", "nps", "ces"):
        out[col] = pd.to_numeric(resp[col], errors="coerce").astype("float64") if col in resp else np.nan
    out["churned"] = resp["churned"].astype("boolean") if "churned" in resp else pd.Series(pd.NA, index=resp.index, dtype="boolean")
    if by is not None:
        out["by"] = resp["by"].astype("string")
    if brand is not None:
        out = out[out["brand"] == brand]
    return out.reset_index(drop=True)


def cell_values(
    ds: Dataset, level: str, brand: str | None, by: str | None, columns: tuple[str, ...], analysis: str, paired: bool = False
) -> pd.DataFrame:
    """One row per (respondent, cell) for ``brand``: ``respondent_id``, [``by``], ``cell``, ``columns``.

    With ``brand=None`` every brand is kept and a ``brand`` column follows ``cell``.

    At ``level="touchpoint"`` a row is one rating. At ``level="stage"`` a respondent's ratings of
    the touchpoints of a stage (and any rating of the stage itself) are averaged first, so every
    respondent counts once per stage and ``n`` stays a number of people. With ``paired=True``
    perception and expectation are kept only where a rating has both, before any averaging, so
    stage means compare like with like.
    """
    r = ratings_frame(ds, analysis)
    if brand is not None:
        r = r[r["brand"] == brand]
    if paired:
        both = r["perception"].notna() & r["expectation"].notna()
        r = r.assign(perception=r["perception"].where(both), expectation=r["expectation"].where(both))
    key = "touchpoint" if level == "touchpoint" else "stage"
    r = r[r[key].notna()]
    brand_col = ["brand"] if brand is None else []
    frame = r[["respondent_id", key, *brand_col, *columns]].rename(columns={key: "cell"})
    if level == "stage":
        frame = frame.groupby(["respondent_id", "cell", *brand_col], sort=False, observed=True)[list(columns)].mean().reset_index()
    if by is not None:
        resp = respondents_frame(ds, by, None, analysis)
        lookup = resp.drop_duplicates("respondent_id").set_index("respondent_id")["by"]
        frame.insert(1, "by", frame["respondent_id"].map(lookup).fillna(UNKNOWN).astype("string"))
    return frame.reset_index(drop=True)


def decorate(frame: pd.DataFrame, ds: Dataset, level: str, by: str | None, extra_keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Turn the ``cell`` column into ``touchpoint``/``stage`` with labels, ordered as in the journey.

    Touchpoint rows get ``touchpoint``, ``label``, ``stage``; stage rows get ``stage``, ``label``.
    Cells unknown to the journey keep their id as label and come last. ``by`` (renamed to the
    attribute's name) is the first column.
    """
    out = frame.copy()
    if level == "touchpoint":
        order = {tp: i for i, tp in enumerate(ds.journey.catalogue()["touchpoint"])}
        stage_of = {t.id: t.stage for t in ds.journey.touchpoints}
        out = out.rename(columns={"cell": "touchpoint"})
        out.insert(out.columns.get_loc("touchpoint") + 1, "label", [ds.journey.label("touchpoint", t) for t in out["touchpoint"]])
        out.insert(out.columns.get_loc("label") + 1, "stage", [stage_of.get(t) for t in out["touchpoint"]])
        rank_col = "touchpoint"
    elif level == "stage":
        order = {s: i for i, s in enumerate(ds.journey.stage_ids)}
        out = out.rename(columns={"cell": "stage"})
        out.insert(out.columns.get_loc("stage") + 1, "label", [ds.journey.label("stage", s) for s in out["stage"]])
        rank_col = "stage"
    else:
        rank_col = None
    sort_cols: list[str] = []
    if by is not None:
        sort_cols.append("by")
    sort_cols += list(extra_keys)
    if rank_col is not None:
        out["_rank"] = [order.get(c, len(order)) for c in out[rank_col]]
        sort_cols += ["_rank", rank_col]
    if sort_cols and len(out):
        out = out.sort_values(sort_cols, kind="stable")
    out = out.drop(columns=["_rank"], errors="ignore").reset_index(drop=True)
    if by is not None:
        cols = ["by", *[c for c in out.columns if c != "by"]]
        out = out[cols].rename(columns={"by": by})
    return out


def t_test_from_summary(mean, sd, n, null: float = 0.0) -> np.ndarray:
    """Two-sided one-sample t-test p-value from summary statistics (what ``ttest_rel`` does on differences).

    Matches scipy: zero spread gives p = 0 when the mean differs from ``null`` and NaN when it equals
    it; fewer than two observations give NaN.
    """
    m = np.asarray(mean, dtype="float64")
    s = np.asarray(sd, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (m - null) / (s / np.sqrt(n))
        p = 2 * stats.t.sf(np.abs(t), np.maximum(n - 1, 1))
    return np.where(n < 2, np.nan, p)


def welch(mean1, var1, n1, mean2, var2, n2, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Welch difference ``mean1 − mean2``: ``(low, high, p_value)`` with Welch–Satterthwaite df."""
    m1, v1, k1 = (np.asarray(a, dtype="float64") for a in (mean1, var1, n1))
    m2, v2, k2 = (np.asarray(a, dtype="float64") for a in (mean2, var2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = v1 / k1, v2 / k2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (k1 - 1) + b**2 / (k2 - 1))
        t = (m1 - m2) / se
        p = 2 * stats.t.sf(np.abs(t), df)
        half = stats.t.ppf(0.5 + level / 2, df) * se
    bad = (k1 < 2) | (k2 < 2)
    d = m1 - m2
    return np.where(bad, np.nan, d - half), np.where(bad, np.nan, d + half), np.where(bad, np.nan, p)


def summary(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    """Per group of ``keys``: ``n`` (non-missing values), ``mean``, ``sd`` (ddof=1) of ``column``."""
    g = frame.groupby(keys, sort=False, observed=True)[column]
    out = g.agg(["count", "mean", "std"]).rename(columns={"count": "n", "std": "sd"})
    return out.reset_index()
