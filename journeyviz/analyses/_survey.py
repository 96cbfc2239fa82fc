"""Shared plumbing of the survey analyses: brand and ``by=`` checks, per-cell rating frames, ordering.

Survey tables are small enough to live in pandas (one row per rating), so everything here is
vectorised pandas/numpy; statistics themselves come from :mod:`journeyviz.analyses._stats`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

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
    known = survey_brands(ds)
    if brand not in known:
        raise ValueError(f"brand={brand!r} is not in the data; use one of {known}")
    return brand


def survey_brands(ds: Dataset) -> list[str]:
    """Brands in ratings, respondents or events: ours first, then competitors alphabetically.

    Same answer as ``Dataset.brands()``, read from the coded survey so that a million-row
    ratings table is not turned into a Python set on every call.
    """
    survey = coded(ds)
    found = set(survey.brands)
    if ds.events is not None and "brand" in ds.events.columns:
        found |= set(ds.engine.to_pandas(ds.events.select("brand").distinct())["brand"].dropna())
    return [ds.brand, *sorted(found - {ds.brand})]


@dataclass
class _Coded:
    """The survey tables with integer respondent codes and categorical ids (see :func:`coded`)."""

    ratings: pd.DataFrame | None
    respondents: pd.DataFrame | None
    keep: np.ndarray | None
    brands: list[str]


_CACHE: dict[tuple[int, int], tuple[Any, Any, Any, _Coded]] = {}
_CACHE_SIZE = 2


def coded(ds: Dataset) -> _Coded:
    """The ratings and respondents in a form every survey analysis can group quickly.

    Respondent ids become integer codes (a respondent's code is its row among the unique
    respondents; ids only found in ratings get codes after those), and brand, touchpoint and
    stage become categoricals. Hashing a million string ids takes seconds, so the result is kept
    for the few most recent tables and reused while the same frames, unchanged in length,
    columns and column sums, are passed again. Codes never leave the analyses.
    """
    for stale in [k for k, v in _CACHE.items() if (v[0]() is None) != (k[0] == id(None)) or (v[1]() is None) != (k[1] == id(None))]:
        del _CACHE[stale]  # its frames are gone: free the coded copy now rather than at eviction
    key = (id(ds.ratings), id(ds.respondents))
    stamp = (_fingerprint(ds.ratings), _fingerprint(ds.respondents), ds.brand)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is ds.ratings and hit[1]() is ds.respondents and hit[2] == stamp:
        return hit[3]
    result = _build_coded(ds)
    _CACHE[key] = (_ref(ds.ratings), _ref(ds.respondents), stamp, result)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    return result


def _ref(frame: pd.DataFrame | None) -> Any:
    return (lambda: None) if frame is None else weakref.ref(frame)


def _fingerprint(frame: pd.DataFrame | None) -> tuple | None:
    if frame is None:
        return None
    sums = []
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            sums.append(float(np.nansum(values.to_numpy(dtype="float64", na_value=np.nan))))
    return (len(frame), tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)), tuple(sums))


def _as_text(values: pd.Series) -> pd.Series:
    return values if pd.api.types.is_string_dtype(values) else values.astype("str").where(values.notna())


def _categorical(values: pd.Series, fill: str | None = None) -> pd.Categorical:
    codes, uniques = pd.factorize(values)
    categories = [str(u) for u in uniques]
    if fill is not None and (codes < 0).any():
        if fill not in categories:
            categories.append(fill)
        codes = np.where(codes < 0, categories.index(fill), codes)
    return pd.Categorical.from_codes(codes, categories=categories)


def _build_coded(ds: Dataset) -> _Coded:
    resp_out = keep = None
    resp_ids = pd.Series([], dtype="str")
    brands: set[str] = set()
    if ds.respondents is not None:
        resp = ds.respondents
        if "respondent_id" not in resp.columns:
            raise ValueError("the respondents table lacks 'respondent_id'; map your respondent identifier to it in jv.load")
        ids = _as_text(resp["respondent_id"])
        keep = ~ids.duplicated().to_numpy()
        resp = resp[keep]
        resp_ids = ids[keep]
        resp_out = pd.DataFrame({"respondent_id": np.arange(len(resp), dtype="int64")})
        resp_out["brand"] = _categorical(resp["brand"], ds.brand) if "brand" in resp else pd.Categorical([ds.brand] * len(resp))
        for col in ("overall", "nps", "ces"):
            resp_out[col] = pd.to_numeric(resp[col], errors="coerce").astype("float64").to_numpy() if col in resp else np.nan
        resp_out["churned"] = resp["churned"].astype("boolean").array if "churned" in resp else pd.array([pd.NA] * len(resp), dtype="boolean")
        brands |= set(resp_out["brand"].cat.categories[np.unique(resp_out["brand"].cat.codes)])
    ratings_out = None
    if ds.ratings is not None:
        r = ds.ratings
        missing = [c for c in ("respondent_id", "perception") if c not in r.columns]
        if missing:
            raise ValueError(f"the ratings table lacks column(s) {missing}; it needs respondent_id, touchpoint or stage, perception")
        codes, _ = pd.factorize(pd.concat([resp_ids, _as_text(r["respondent_id"])], ignore_index=True))
        ratings_out = pd.DataFrame({"respondent_id": codes[len(resp_ids):].astype("int64")})
        ratings_out["brand"] = _categorical(r["brand"], ds.brand) if "brand" in r else pd.Categorical([ds.brand] * len(r))
        touchpoint = _categorical(r["touchpoint"]) if "touchpoint" in r else pd.Categorical([None] * len(r), categories=[])
        ratings_out["touchpoint"] = touchpoint
        ratings_out["stage"] = _stages(ds, r, touchpoint)
        for col in _VALUES:
            ratings_out[col] = pd.to_numeric(r[col], errors="coerce").astype("float64").to_numpy() if col in r else np.nan
        brands |= set(ratings_out["brand"].cat.categories[np.unique(ratings_out["brand"].cat.codes)])
    return _Coded(ratings_out, resp_out, keep, sorted(brands))


def _stages(ds: Dataset, r: pd.DataFrame, touchpoint: pd.Categorical) -> pd.Categorical:
    """The stage of each rating: its own ``stage`` value, else its touchpoint's stage in the journey."""
    stage_of = {t.id: t.stage for t in ds.journey.touchpoints}
    if "stage" in r:
        codes, uniques = pd.factorize(r["stage"])
        categories = [str(u) for u in uniques]
    else:
        codes, categories = np.full(len(r), -1), []
    need = (codes < 0) & (touchpoint.codes >= 0)
    if need.any():
        from_tp = [stage_of.get(t) for t in touchpoint.categories]
        categories += [st for st in dict.fromkeys(from_tp) if st is not None and st not in categories]
        position = {st: i for i, st in enumerate(categories)}
        tp_to_stage = np.array([position.get(st, -1) if st is not None else -1 for st in from_tp] or [-1])
        codes = np.where(need, tp_to_stage[np.clip(touchpoint.codes, 0, None)], codes)
    return pd.Categorical.from_codes(codes, categories=categories)


def ratings_frame(ds: Dataset, analysis: str) -> pd.DataFrame:
    """The coded ratings: ``respondent_id`` (integer code), ``brand``, ``touchpoint``, ``stage``
    (categoricals), ``perception``, ``expectation``, ``importance`` (float64, NaN = not rated)."""
    ds.require("ratings", analysis=analysis)
    return coded(ds).ratings


def respondents_frame(ds: Dataset, by: str | None, brand: str | None, analysis: str) -> pd.DataFrame:
    """Unique respondents of ``brand`` (all when None): ``respondent_id`` (integer code, as in
    :func:`ratings_frame`), ``brand``, ``overall``, ``nps``, ``ces``, ``churned`` and, when asked, ``by``."""
    ds.require("respondents", analysis=analysis)
    survey = coded(ds)
    out = survey.respondents
    if by is not None:
        values = ds.respondents_by(by)["by"].to_numpy()[survey.keep]
        out = out.assign(by=_categorical(pd.Series(values, dtype="str")))
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
        frame = grouped(frame, ["respondent_id", "cell", *brand_col], list(columns), "mean")
    if by is not None:
        resp = respondents_frame(ds, by, None, analysis)
        categories = [*resp["by"].cat.categories, UNKNOWN] if UNKNOWN not in resp["by"].cat.categories else list(resp["by"].cat.categories)
        lookup = np.append(resp["by"].cat.codes.to_numpy(), categories.index(UNKNOWN))
        # Respondents only found in ratings have codes past the respondents table: "(unknown)".
        by_codes = lookup[np.minimum(frame["respondent_id"].to_numpy(), len(resp))]
        frame.insert(1, "by", pd.Categorical.from_codes(by_codes, categories=categories))
    return frame.reset_index(drop=True)


def decorate(frame: pd.DataFrame, ds: Dataset, level: str, by: str | None, extra_keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Turn the ``cell`` column into ``touchpoint``/``stage`` with labels, ordered as in the journey.

    Touchpoint rows get ``touchpoint``, ``label``, ``stage``; stage rows get ``stage``, ``label``.
    Cells unknown to the journey keep their id as label and come last. ``by`` (renamed to the
    attribute's name) is the first column.
    """
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("object")
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


def _key_codes(values: pd.Series) -> tuple[np.ndarray, Any]:
    """Integer codes (−1 = missing) and the labels they stand for."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype("int64"), np.asarray(values.cat.categories, dtype=object)
    if pd.api.types.is_integer_dtype(values) and len(values) and values.min() >= 0:
        array = values.to_numpy().astype("int64")
        return array, np.arange(int(array.max()) + 1)
    codes, uniques = pd.factorize(values)
    return codes.astype("int64"), np.asarray(uniques, dtype=object)


def group_index(frame: pd.DataFrame, keys: list[str], with_keys: bool = True) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Rows' group numbers for ``keys`` with bincount-friendly codes.

    Returns ``(rows, group, key_table)``: the positions of rows with no missing key (a slice
    when none is missing), the dense group number of each of those rows, and one row per group
    with the key values (groups in order of their codes; categorical key columns; only the
    group count's worth of empty rows when ``with_keys`` is False). Survey frames have millions
    of rows but few groups, and a grouped sum over integer codes is a single
    ``numpy.bincount``, several times faster than a pandas group-by on several keys.
    """
    codes, labels = zip(*(_key_codes(frame[k]) for k in keys)) if keys else ((), ())
    sizes = [max(len(lab), 1) for lab in labels]
    ok = np.ones(len(frame), dtype=bool)
    for c in codes:
        ok &= c >= 0
    if ok.all():
        rows: Any = slice(None)
        kept = list(codes)
    else:
        rows = np.flatnonzero(ok)
        kept = [c[rows] for c in codes]
    flat = np.ravel_multi_index(kept, sizes) if keys else np.zeros(int(ok.sum()), dtype="int64")
    present, group = np.unique(flat, return_inverse=True) if np.prod(sizes, dtype=float) > 5e7 else _dense(flat, int(np.prod(sizes)))
    if not with_keys:
        return rows, group, pd.DataFrame(index=pd.RangeIndex(len(present)))
    parts = np.unravel_index(present, sizes) if keys else ()
    columns = {}
    for i, k in enumerate(keys):
        lab = labels[i]
        if lab.dtype.kind in "iu":
            columns[k] = lab[parts[i]]
        else:
            columns[k] = pd.Categorical.from_codes(parts[i], categories=pd.Index(lab, dtype=object))
    return rows, group, pd.DataFrame(columns, index=pd.RangeIndex(len(present)))


def _dense(flat: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``numpy.unique(flat, return_inverse=True)`` for small non-negative integers, without sorting."""
    seen = np.bincount(flat, minlength=size) > 0
    present = np.flatnonzero(seen)
    position = np.full(size, -1, dtype="int64")
    position[present] = np.arange(len(present))
    return present, position[flat]


def grouped(frame: pd.DataFrame, keys: list[str], columns: list[str], how: str = "summary") -> pd.DataFrame:
    """Per group of ``keys``: for each of ``columns`` its count of non-missing values and mean
    (``how="mean"``: the means only, named as the columns; ``how="sum"``: the sums only;
    ``how="summary"`` with one column: ``n``, ``mean``, ``sd`` (ddof=1, NaN below 2 values)).

    Missing keys drop the row, as pandas' ``groupby`` does; a group whose values are all missing
    has n = 0 and NaN mean.
    """
    rows, group, table = group_index(frame, keys)
    count = len(table)
    for col in columns:
        x = frame[col].to_numpy(dtype="float64", na_value=np.nan)[rows]
        ok = ~np.isnan(x)
        n = np.bincount(group[ok], minlength=count).astype("float64")
        total = np.bincount(group[ok], weights=x[ok], minlength=count)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / n
        if how == "sum":
            table[col] = total
        elif how == "mean":
            table[col] = mean
        else:
            deviation = x[ok] - mean[group[ok]]
            squares = np.bincount(group[ok], weights=deviation**2, minlength=count)
            with np.errstate(invalid="ignore", divide="ignore"):
                sd = np.sqrt(squares / (n - 1))
            table["n"], table["mean"], table["sd"] = n.astype("int64"), mean, np.where(n > 1, sd, np.nan)
    return table


def first_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The first row of each group of ``keys`` (rows with a missing key dropped)."""
    rows, group, table = group_index(frame, keys, with_keys=False)
    positions = np.arange(len(frame))[rows]
    first = np.full(len(table), -1, dtype="int64")
    first[group[::-1]] = positions[::-1]  # written last to first, so the earliest row of each group wins
    return frame.iloc[np.sort(first)].reset_index(drop=True)


def by_respondent(source: pd.DataFrame, codes: pd.Series, columns: list[str]) -> dict[str, np.ndarray]:
    """``columns`` of ``source`` (one row per respondent code) looked up for each code in ``codes``.

    Codes absent from ``source`` get NaN. An array look-up replaces a merge on millions of rows.
    """
    wanted = codes.to_numpy().astype("int64")
    have = source["respondent_id"].to_numpy().astype("int64")
    size = int(max(wanted.max(initial=-1), have.max(initial=-1))) + 1
    out = {}
    for col in columns:
        lookup = np.full(size, np.nan)
        lookup[have] = source[col].to_numpy(dtype="float64", na_value=np.nan)
        out[col] = lookup[wanted] if size else np.full(len(wanted), np.nan)
    return out


def summary(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    """Per group of ``keys``: ``n`` (non-missing values), ``mean``, ``sd`` (ddof=1) of ``column``."""
    return grouped(frame, keys, [column], "summary")
