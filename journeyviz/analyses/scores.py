"""How satisfied are customers, touchpoint by touchpoint, stage by stage and overall: CSAT, NPS and CES."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from . import _stats
from ._survey import by_respondent, cell_values, check_brand, check_by, decorate, first_rows, grouped, respondents_frame, summary

LEVELS = ("touchpoint", "stage", "journey")
_STATS = [
    "n", "csat", "csat_low", "csat_high", "top2", "top2_low", "top2_high",
    "nps_n", "nps", "nps_low", "nps_high", "ces_n", "ces", "ces_low", "ces_high",
]  # fmt: skip
_KEYS = {"touchpoint": ["touchpoint", "label", "stage"], "stage": ["stage", "label"], "journey": ["journey"]}


def scores(ds: Dataset, level: str = "touchpoint", by: str | None = None, brand: str | None = None) -> pd.DataFrame:
    """CSAT (mean and top-2-box), NPS and CES with 95 % intervals, per touchpoint, stage or journey.

    Parameters
    ----------
    ds
        A dataset with a ``ratings`` table (touchpoint and stage levels) and/or a ``respondents``
        table (journey level, NPS and CES).
    level
        ``"touchpoint"``, ``"stage"`` or ``"journey"``.
    by
        A respondent column or customer attribute (or segment); its values become the first column.
    brand
        Whose scores: our brand by default (``ds.brand``); any brand of ``ds.brands()``. Ratings are
        taken where ``ratings.brand`` is that brand, NPS/CES from respondents whose
        ``respondents.brand`` is that brand.

    Returns
    -------
    pandas.DataFrame
        One row per cell (and ``by`` value), in journey order:

        - ``<by>`` when ``by`` is given; then ``touchpoint``, ``label``, ``stage`` (touchpoint
          level), ``stage``, ``label`` (stage level) or ``journey`` (the journey's name);
        - ``n``: respondents with a satisfaction score in the cell (the CSAT denominator);
        - ``csat``, ``csat_low``, ``csat_high``: mean perception on the journey's perception scale,
          Student-t 95 % interval. At stage level each respondent's ratings of the stage are
          averaged first (one value per person). At journey level it is the mean of
          ``respondents.overall`` (overall scale); when the survey has no ``overall`` it is the mean
          over respondents of their mean perception across touchpoints;
        - ``top2``, ``top2_low``, ``top2_high``: share (0–1) of those ``n`` respondents scoring in
          the top two points of the scale (≥ scale maximum − 1), Wilson 95 % interval;
        - ``nps_n``, ``nps``, ``nps_low``, ``nps_high``: Net Promoter Score in points (−100..100)
          = % promoters (9–10) − % detractors (0–6) of ``respondents.nps``, interval from the
          multinomial variance. NPS is a journey-level question: at touchpoint and stage levels it
          is the NPS of the respondents who rated that cell, and ``nps_n`` counts them;
        - ``ces_n``, ``ces``, ``ces_low``, ``ces_high``: mean customer effort score
          (``respondents.ces``) of the same respondents, Student-t 95 % interval;
        - ``suppressed``: True when any figure of the row was blanked because its denominator
          (``n``, ``nps_n`` or ``ces_n``) is below ``ds.min_group_size``; blanked figures are NaN.

        An empty table with these columns when the brand has no ratings.

    Raises
    ------
    ValueError
        Unknown ``level``, ``by`` or ``brand``; ``by`` on an identifier column; a needed table missing.

    Examples
    --------
    >>> jv.scores(ds, level="stage", by="region")  # doctest: +SKIP
    """
    _stats.check_level(level, LEVELS)
    by = check_by(ds, by)
    brand = check_brand(ds, brand)
    keys = (["by"] if by else []) + ["cell"]
    if level == "journey":
        table = _journey_scores(ds, by, brand)
    else:
        cells = cell_values(ds, level, brand, by, ("perception",), "scores")
        cells = cells[cells["perception"].notna()]
        table = _csat(cells, keys, ds.journey.scale("perception").high)
        if ds.respondents is not None and len(table):
            resp = respondents_frame(ds, None, brand, "scores")
            people = first_rows(cells, ["cell", "respondent_id"])  # a respondent counts once per cell
            people = people.assign(**by_respondent(resp, people["respondent_id"], ["nps", "ces"]))
            table = table.merge(_nps_ces(people, keys), on=keys, how="left")
    table = table.reindex(columns=[*keys, *_STATS])
    for col in ("n", "nps_n", "ces_n"):
        table[col] = table[col].fillna(0).astype("int64")
    table = _suppress(table, ds.min_group_size)
    if level == "journey":
        for col in ("cell", "by"):
            if col in table:
                table[col] = table[col].astype("object")
        table = table.rename(columns={"cell": "journey"})
        if by:
            table = table.sort_values("by", kind="stable").rename(columns={"by": by})
        return table.reset_index(drop=True)
    return decorate(table, ds, level, by)


def _csat(cells: pd.DataFrame, keys: list[str], top: float) -> pd.DataFrame:
    cells = cells.assign(top2=(cells["perception"] >= top - 1).astype("float64"))
    s = summary(cells, keys, "perception")
    s["k"] = grouped(cells, keys, ["top2"], "sum")["top2"].to_numpy()  # same frame and keys: same group order
    s["csat"] = s["mean"]
    s["csat_low"], s["csat_high"] = _stats.mean_interval(s["mean"], s["sd"], s["n"])
    s["top2"] = s["k"] / s["n"]
    s["top2_low"], s["top2_high"] = _stats.wilson_interval(s["k"], s["n"])
    return s.drop(columns=["mean", "sd", "k"])


def _nps_ces(people: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """NPS and CES per cell from one row per (cell, respondent) carrying ``nps`` and ``ces``."""
    people = people.assign(
        promoter=(people["nps"] >= 9).astype("float64"),
        detractor=(people["nps"] <= 6).astype("float64"),
        rated=people["nps"].notna().astype("float64"),
    )
    out = grouped(people, keys, ["promoter", "detractor", "rated"], "sum")
    out["nps_n"] = out["rated"]
    out["nps"], out["nps_low"], out["nps_high"] = _stats.nps_interval(out["promoter"], out["detractor"], out["rated"])
    ces = summary(people, keys, "ces")  # same frame and keys: same group order
    out["ces_n"], out["ces"] = ces["n"].to_numpy(), ces["mean"].to_numpy()
    out["ces_low"], out["ces_high"] = _stats.mean_interval(ces["mean"], ces["sd"], ces["n"])
    return out.drop(columns=["promoter", "detractor", "rated"])


def _journey_scores(ds: Dataset, by: str | None, brand: str) -> pd.DataFrame:
    resp = respondents_frame(ds, by, brand, "scores(level='journey')")
    resp = resp.assign(cell=ds.journey.name)
    keys = (["by"] if by else []) + ["cell"]
    if resp["overall"].notna().any():
        resp["perception"] = resp["overall"]
        top = ds.journey.scale("overall").high
    elif ds.ratings is not None:
        per_person = grouped(cell_values(ds, "touchpoint", brand, None, ("perception",), "scores"), ["respondent_id"], ["perception"], "mean")
        resp["perception"] = by_respondent(per_person, resp["respondent_id"], ["perception"])["perception"]
        top = ds.journey.scale("perception").high
    else:
        resp["perception"] = np.nan
        top = ds.journey.scale("perception").high
    table = _csat(resp[resp["perception"].notna()], keys, top)
    nps_ces = _nps_ces(resp, keys)
    return nps_ces.merge(table, on=keys, how="left")


def _suppress(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    table = _stats.suppress(table, "n", ["csat", "csat_low", "csat_high", "top2", "top2_low", "top2_high"], min_group_size)
    table = _stats.suppress(table, "nps_n", ["nps", "nps_low", "nps_high"], min_group_size)
    table = _stats.suppress(table, "ces_n", ["ces", "ces_low", "ces_high"], min_group_size)
    # A score nobody answered is missing, not suppressed: flag only denominators 1..min-1.
    sizes = table[["n", "nps_n", "ces_n"]]
    table["suppressed"] = ((sizes > 0) & (sizes < min_group_size)).any(axis=1)
    return table
