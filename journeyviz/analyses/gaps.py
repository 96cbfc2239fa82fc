"""Where does perceived performance fall short of what customers expected: the satisfaction gap per touchpoint or stage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from . import _stats
from ._survey import cell_values, check_brand, check_by, decorate, grouped, summary, t_test_from_summary

LEVELS = ("touchpoint", "stage")
_STATS = [
    "n", "expectation", "perception", "gap", "low", "high", "p_value", "p_adjusted", "significant",
    "importance", "importance_n", "importance_weighted_gap",
]  # fmt: skip
#: Adjusted p-value below which a gap is called significant.
ALPHA = 0.05


def satisfaction_gap(ds: Dataset, level: str = "touchpoint", by: str | None = None, brand: str | None = None) -> pd.DataFrame:
    """Expectation, perception and their gap per touchpoint or stage, with a paired test adjusted across cells.

    Satisfaction is the match between what the customer expected and what they perceived, so the
    gap is ``perception − expectation`` measured on the same respondent: negative means the
    touchpoint disappoints.

    Parameters
    ----------
    ds
        A dataset whose ``ratings`` carry ``perception`` and ``expectation`` (``importance`` optional).
    level
        ``"touchpoint"`` or ``"stage"``. At stage level each respondent's pairs within the stage are
        averaged first (one pair per person and stage).
    by
        A respondent column or customer attribute (or segment); its values become the first column.
    brand
        Whose ratings (``ratings.brand``); our brand by default.

    Returns
    -------
    pandas.DataFrame
        One row per cell (and ``by`` value), in journey order:

        - ``<by>``; ``touchpoint``, ``label``, ``stage`` or ``stage``, ``label``;
        - ``n``: respondents with both an expectation and a perception in the cell (pairs);
        - ``expectation``, ``perception``: means over those pairs, on the rating scale;
        - ``gap``: mean of the per-respondent differences perception − expectation (scale points);
        - ``low``, ``high``: paired Student-t 95 % interval of the gap;
        - ``p_value``: two-sided paired t-test of "gap = 0" (as ``scipy.stats.ttest_rel``; 0 when
          every difference is the same non-zero value, NaN when all differences are zero or n < 2);
        - ``p_adjusted``: Benjamini–Hochberg adjustment across every reported (non-suppressed)
          cell of the table, all ``by`` groups together;
        - ``significant``: ``p_adjusted < 0.05``;
        - ``importance``, ``importance_n``: mean stated importance of the cell (all its ratings
          with an importance, not only pairs) and how many; NaN / 0 when not asked;
        - ``importance_weighted_gap``: ``gap × importance / importance-scale maximum`` — the gap
          shrunk by how much the cell matters (a gap on a fully important touchpoint keeps its
          size; on the 1–7 scale an importance of 3.5 halves it). Scale points; NaN without importance;
        - ``suppressed``: True when ``n`` (or ``importance_n``) is between 1 and ``min_group_size − 1``;
          the row's figures are then NaN.

        An empty table with these columns when there are no pairs.

    Raises
    ------
    ValueError
        Unknown ``level``/``by``/``brand``; no ``ratings`` table; no ``expectation`` column.
    """
    _stats.check_level(level, LEVELS)
    by = check_by(ds, by)
    brand = check_brand(ds, brand)
    ds.require("ratings", analysis="satisfaction_gap")
    if "expectation" not in ds.ratings.columns:
        raise ValueError("satisfaction_gap needs an 'expectation' column in ratings (the gap is perception − expectation); map your expectation question to it in jv.load")
    keys = (["by"] if by else []) + ["cell"]
    cells = cell_values(ds, level, brand, by, ("perception", "expectation", "importance"), "satisfaction_gap", paired=True)
    pairs = cells[cells["perception"].notna()].assign(diff=lambda f: f["perception"] - f["expectation"])
    table = summary(pairs, keys, "diff").rename(columns={"mean": "gap"})
    means = grouped(pairs, keys, ["expectation", "perception"], "mean")  # same frame and keys: same group order
    table["expectation"], table["perception"] = means["expectation"].to_numpy(), means["perception"].to_numpy()
    imp = summary(cells, keys, "importance").rename(columns={"n": "importance_n", "mean": "importance"})
    table = table.merge(imp.drop(columns="sd"), on=keys, how="left")
    table["low"], table["high"] = _stats.mean_interval(table["gap"], table["sd"], table["n"])
    table["p_value"] = t_test_from_summary(table["gap"], table["sd"], table["n"])
    imax = ds.journey.scale("importance").high
    table["importance_weighted_gap"] = table["gap"] * table["importance"] / imax
    table = table.reindex(columns=[*keys, *_STATS])
    for col in ("n", "importance_n"):
        table[col] = table[col].fillna(0).astype("int64")
    small = table["n"] < ds.min_group_size
    table = _stats.suppress(table, "n", [c for c in _STATS if c not in ("n", "importance_n", "significant", "p_adjusted")], ds.min_group_size)
    table = _stats.suppress(table, "importance_n", ["importance", "importance_weighted_gap"], ds.min_group_size)
    table["suppressed"] = small | ((table["importance_n"] > 0) & (table["importance_n"] < ds.min_group_size))
    table["p_adjusted"] = np.where(small, np.nan, _stats.bh_adjust(table["p_value"].where(~small)))
    table["significant"] = (table["p_adjusted"] < ALPHA).astype("bool")
    return decorate(table, ds, level, by)
