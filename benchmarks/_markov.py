"""Exact first-order Markov removal effects from transition counts (shared by the floor and pandas contenders)."""

from __future__ import annotations

import numpy as np
import pandas as pd

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"


def removal_effects(counts: pd.DataFrame, conversions: int) -> pd.DataFrame:
    """Removal effect of each channel in the absorbing chain built from ``counts``.

    Parameters
    ----------
    counts
        Columns ``from``, ``to``, ``n``: transitions between ``(start)``, channels,
        ``(conversion)`` and ``(null)``.
    conversions
        Number of converting customers; the credit of a channel is its share times this.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``removal_effect`` (1 − P(conversion without the channel) / P(conversion)),
        ``share`` (removal effect over the sum of removal effects), ``credit`` (conversions).
    """
    counts = counts[counts["from"] != counts["to"]]
    channels = sorted((set(counts["from"]) | set(counts["to"])) - {START, CONVERSION, NULL})
    transient = [START, *channels]
    index = {s: i for i, s in enumerate(transient)}
    q = np.zeros((len(transient), len(transient)))
    r = np.zeros(len(transient))
    out = np.zeros(len(transient))
    for frm, to, n in counts[["from", "to", "n"]].itertuples(index=False):
        i = index[frm]
        out[i] += n
        if to == CONVERSION:
            r[i] += n
        elif to != NULL:
            q[i, index[to]] += n
    out[out == 0] = 1.0
    q /= out[:, None]
    r /= out

    def p_convert(removed: int | None) -> float:
        qq, rr = q.copy(), r.copy()
        if removed is not None:
            qq[:, removed] = 0.0  # entering the removed channel now ends the journey without conversion
            qq[removed, :] = 0.0
            rr[removed] = 0.0
        h = np.linalg.solve(np.eye(len(transient)) - qq, rr)
        return float(h[0])

    base = p_convert(None)
    effects = np.array([1.0 - p_convert(index[c]) / base if base > 0 else 0.0 for c in channels])
    total = effects.sum()
    share = effects / total if total > 0 else np.zeros_like(effects)
    return pd.DataFrame({"channel": channels, "removal_effect": effects, "share": share, "credit": share * conversions})
