"""Intervals, multiple-comparison adjustment and small-group suppression shared by all analyses.

Every function here is vectorised over pandas/numpy arrays and returns plain arrays, so analyses
can add ``low``/``high`` columns to any aggregate table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


def wilson_interval(successes, trials, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``successes / trials`` (NaN where trials == 0)."""
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    z = float(stats.norm.ppf(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        low, high = centre - half, centre + half
    bad = n <= 0
    return np.where(bad, np.nan, np.clip(low, 0, 1)), np.where(bad, np.nan, np.clip(high, 0, 1))


def mean_interval(mean, sd, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval for a mean from its standard deviation (ddof=1) and count (NaN where n < 2)."""
    m = np.asarray(mean, dtype="float64")
    s = np.asarray(sd, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = t * s / np.sqrt(n)
    half = np.where(n < 2, np.nan, half)
    return m - half, m + half


def diff_proportion_interval(k1, n1, k2, n2, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe (hybrid Wilson) interval for the difference of two proportions ``k1/n1 − k2/n2``."""
    p1 = np.asarray(k1, dtype="float64") / np.asarray(n1, dtype="float64")
    p2 = np.asarray(k2, dtype="float64") / np.asarray(n2, dtype="float64")
    l1, u1 = wilson_interval(k1, n1, level)
    l2, u2 = wilson_interval(k2, n2, level)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def nps_interval(promoters, detractors, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NPS (promoters − detractors, in points −100..100) with a normal interval from the multinomial variance.

    Returns ``(nps, low, high)`` in NPS points.
    """
    p = np.asarray(promoters, dtype="float64")
    d = np.asarray(detractors, dtype="float64")
    n = np.asarray(n, dtype="float64")
    z = float(stats.norm.ppf(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pp, pd_ = p / n, d / n
        score = pp - pd_
        var = (pp + pd_ - score**2) / n
        half = z * np.sqrt(var)
    score, half = np.where(n > 0, score, np.nan), np.where(n > 0, half, np.nan)
    return 100 * score, 100 * np.maximum(score - half, -1), 100 * np.minimum(score + half, 1)


def bh_adjust(p_values) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaNs are kept and ignored in the count)."""
    p = np.asarray(p_values, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    vals = p[ok]
    order = np.argsort(vals)
    ranked = vals[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    out[ok] = result
    return out


def suppress(frame: pd.DataFrame, size_column: str, columns: list[str], min_group_size: int) -> pd.DataFrame:
    """Blank ``columns`` where ``frame[size_column] < min_group_size`` and flag the row.

    Adds a boolean ``suppressed`` column (or ORs into an existing one). The size column itself is
    kept so the reader knows why a figure is missing; values become NaN, never zero.
    """
    out = frame.copy()
    small = out[size_column].fillna(0) < min_group_size
    for col in columns:
        if col in out:
            if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = out[col].astype("float64").where(~small)
            else:
                out[col] = out[col].astype("object").where(~small, None)
    out["suppressed"] = small | (out["suppressed"] if "suppressed" in out else False)
    return out


def check_level(level: str, allowed: tuple[str, ...], argument: str = "level") -> str:
    """Validate a ``level=`` argument against the allowed values."""
    if level not in allowed:
        raise ValueError(f"{argument}={level!r} is not allowed; use one of {', '.join(map(repr, allowed))}")
    return level
