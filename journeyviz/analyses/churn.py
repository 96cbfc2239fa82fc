"""Do customers stop buying after a bad experience: churn among respondents with a bad vs a good experience."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..dataset import Dataset
from . import _stats
from ._survey import check_brand, check_by, decorate, grouped, ratings_frame, respondents_frame

DEFINITIONS = ("nps", "gap")
_STATS = [
    "n_bad", "churn_bad", "churn_bad_low", "churn_bad_high", "n_good", "churn_good", "churn_good_low",
    "churn_good_high", "difference", "difference_low", "difference_high", "relative_risk", "rr_low",
    "rr_high", "p_value", "p_adjusted",
]  # fmt: skip


def churn_by_experience(ds: Dataset, by: str | None = None, brand: str | None = None) -> pd.DataFrame:
    """Churn (or no repeat purchase) among respondents after a bad vs a good experience, with relative risk.

    Parameters
    ----------
    ds
        A dataset whose ``respondents`` carry ``churned`` (True = stopped buying / did not come
        back) and ``nps``; ``ratings`` with ``perception`` and ``expectation`` add the per-touchpoint rows.
    by
        A respondent column or customer attribute; its values become the first column.
    brand
        Whose respondents (``respondents.brand``) and ratings; our brand by default.

    Returns
    -------
    pandas.DataFrame
        One row per definition of a bad experience (× ``by`` value); respondents whose
        ``churned`` is unknown are left out of every row:

        - ``<by>``; ``definition``: ``"nps"`` — bad = detractor (NPS answer 0–6), good = promoter
          (9–10), passives (7–8) in neither group; ``"gap"`` — at one touchpoint, bad = perception
          below expectation, good = perception at or above expectation (respondents who rated both);
        - ``touchpoint``, ``label``, ``stage``: the touchpoint of a ``"gap"`` row (empty for ``"nps"``);
        - ``n_bad``, ``n_good``: respondents in each group (the denominators);
        - ``churn_bad``, ``churn_good`` with ``_low``/``_high``: share (0–1) of the group who
          churned, Wilson 95 % interval;
        - ``difference``, ``difference_low``, ``difference_high``: ``churn_bad − churn_good``
          (share points, 0–1 scale), Newcombe hybrid-Wilson interval — "the extra share who stop
          buying after a bad experience";
        - ``relative_risk``, ``rr_low``, ``rr_high``: ``churn_bad / churn_good`` with the
          log-normal (Katz) 95 % interval ``exp(log RR ± 1.96·sqrt(1/a − 1/n_bad + 1/c − 1/n_good))``
          where a, c are the churners; the interval is NaN when a group has no churner;
        - ``p_value``: pooled two-proportion z-test (as ``statsmodels`` ``proportions_ztest``);
          ``p_adjusted``: Benjamini–Hochberg across the reported rows;
        - ``suppressed``: True when ``n_bad`` or ``n_good`` is below ``min_group_size`` (figures NaN).

        An empty table with these columns when no respondent has a known ``churned``.

    Raises
    ------
    ValueError
        No ``respondents`` table or no ``churned`` column; unknown ``by``/``brand``.
    """
    by = check_by(ds, by)
    brand = check_brand(ds, brand)
    ds.require("respondents", analysis="churn_by_experience")
    if "churned" not in ds.respondents.columns:
        raise ValueError("churn_by_experience needs a 'churned' column in respondents (True when the customer stopped buying); map it in jv.load")
    resp = respondents_frame(ds, by, brand, "churn_by_experience")
    resp = resp[resp["churned"].notna()]
    group = ["by"] if by else []
    nps = resp[resp["nps"].notna()]
    nps = nps.assign(cell="", bad=nps["nps"] <= 6, good=nps["nps"] >= 9)
    parts = [_counts(nps, group).assign(definition="nps", cell=None)]
    if ds.ratings is not None and "expectation" in ds.ratings.columns:
        r = ratings_frame(ds, "churn_by_experience")
        r = r[(r["brand"] == brand) & r["touchpoint"].notna() & r["perception"].notna() & r["expectation"].notna()]
        r = grouped(r, ["touchpoint", "respondent_id"], ["perception", "expectation"], "mean")
        # Respondent attributes by array look-up (codes are positions among the respondents).
        position = np.full(max(int(r["respondent_id"].to_numpy().max(initial=-1)), int(resp["respondent_id"].to_numpy().max(initial=-1))) + 1, -1)
        position[resp["respondent_id"].to_numpy()] = np.arange(len(resp))
        at = position[r["respondent_id"].to_numpy().astype("int64")]
        known = at >= 0
        r = r[known].assign(churned=resp["churned"].to_numpy()[at[known]])
        if by:
            r["by"] = pd.Categorical.from_codes(resp["by"].cat.codes.to_numpy()[at[known]], categories=resp["by"].cat.categories)
        bad = r["perception"] < r["expectation"]
        gap = _counts(r.assign(cell=r["touchpoint"], bad=bad, good=~bad), group)
        parts.append(gap.assign(definition="gap", cell=gap["cell"].astype("object")))
    keys = [*group, "definition", "cell"]
    counts = pd.concat([p.astype({k: "object" for k in group}) for p in parts], ignore_index=True)
    a, n1, c, n2 = (counts[col].to_numpy(dtype="float64") for col in ("bad_churn", "bad", "good_churn", "good"))
    table = counts[keys].copy()
    table["n_bad"], table["n_good"] = n1, n2
    with np.errstate(divide="ignore", invalid="ignore"):
        table["churn_bad"], table["churn_good"] = a / n1, c / n2
        table["churn_bad_low"], table["churn_bad_high"] = _stats.wilson_interval(a, n1)
        table["churn_good_low"], table["churn_good_high"] = _stats.wilson_interval(c, n2)
        table["difference"] = a / n1 - c / n2
        table["difference_low"], table["difference_high"] = _stats.diff_proportion_interval(a, n1, c, n2)
        rr = (a / n1) / (c / n2)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        finite = (a > 0) & (c > 0)
        table["relative_risk"] = np.where(c > 0, rr, np.nan)
        table["rr_low"] = np.where(finite, np.exp(np.log(rr) - _stats.Z95 * se), np.nan)
        table["rr_high"] = np.where(finite, np.exp(np.log(rr) + _stats.Z95 * se), np.nan)
        pooled = (a + c) / (n1 + n2)
        z = (a / n1 - c / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        table["p_value"] = 2 * stats.norm.sf(np.abs(z))
    table = table.reindex(columns=[*keys, *_STATS])
    for col in ("n_bad", "n_good"):
        table[col] = table[col].fillna(0).astype("int64")
    small = (table["n_bad"] < ds.min_group_size) | (table["n_good"] < ds.min_group_size)
    for col in _STATS:
        if col not in ("n_bad", "n_good"):
            table[col] = table[col].astype("float64").where(~small)
    table["p_adjusted"] = _stats.bh_adjust(table["p_value"])
    table["suppressed"] = small
    table["_definition_order"] = table["definition"].map({d: i for i, d in enumerate(DEFINITIONS)})
    out = decorate(table, ds, "touchpoint", by, extra_keys=("_definition_order",))
    return out.drop(columns="_definition_order")


def _counts(people: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """Per ``group`` and ``cell``: respondents with a bad / good experience and churners among each."""
    churned = people["churned"].astype("bool")
    people = people.assign(bad_churn=people["bad"] & churned, good_churn=people["good"] & churned)
    return grouped(people, [*group, "cell"], ["bad", "good", "bad_churn", "good_churn"], "sum")
