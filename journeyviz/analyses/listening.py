"""Listening plan: what is measured at which touchpoint, how often, from whom — and what is not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ._stats import suppress

SCALES = ("perception", "expectation", "importance")

_QUESTIONS = {
    "en": {
        "inform": "Did {label} give you the information you were looking for?",
        "image": "How did {label} change your view of {brand}?",
        "purchase": "How easy was it to buy at {label}?",
        None: "How satisfied are you with {label}?",
    },
    "fr": {
        "inform": "{label} vous a-t-il apporté l'information que vous cherchiez ?",
        "image": "Comment {label} a-t-il changé votre image de {brand} ?",
        "purchase": "Était-il facile d'acheter lors de l'étape « {label} » ?",
        None: "Quelle est votre satisfaction concernant « {label} » ?",
    },
}

COLUMNS = [
    "touchpoint", "label", "stage", "channel", "objective", "measured",
    "perception", "expectation", "importance", "responses", "respondents", "share_rated",
    "last_response", "cadence_days", "brands", "suggested_question", "suppressed",
]


def listening_plan(ds: Dataset, min_group_size: int | None = None) -> pd.DataFrame:
    """Per touchpoint of the catalogue: what the survey measures there, how often, from how many.

    Parameters
    ----------
    min_group_size
        Touchpoints rated by fewer respondents have ``share_rated`` and ``cadence_days`` blanked;
        defaults to the journey's.

    Returns
    -------
    pandas.DataFrame
        One row per catalogue touchpoint, in journey order: ``touchpoint``, ``label``, ``stage``,
        ``channel``, ``objective`` (from the catalogue); ``measured`` (True when at least one rating
        of the touchpoint has a value); ``perception``, ``expectation``, ``importance`` (True when
        that scale has at least one value there); ``responses`` (ratings rows with any value),
        ``respondents`` (distinct respondents who rated it); ``share_rated`` (respondents / all
        survey respondents — the respondents table, else the distinct respondents in ratings; 0–1);
        ``last_response`` (latest respondent ``date``, NaT without dates); ``cadence_days`` (median
        days between consecutive distinct response dates; NaN with fewer than two dates);
        ``brands`` (brands measured there, ours first, joined by ", "; "" when none);
        ``suggested_question`` (a question for its objective, in the journey's language);
        ``suppressed``. No respondent ids. Without ratings every touchpoint is ``measured=False``.
    """
    limit = ds.min_group_size if min_group_size is None else int(min_group_size)
    cat = ds.journey.catalogue()
    lang = "fr" if ds.journey.language == "fr" else "en"
    out = cat[["touchpoint", "label", "stage", "channel", "objective"]].copy()
    ratings = ds.ratings
    if ratings is not None and "touchpoint" in ratings:
        scales = [s for s in SCALES if s in ratings]
        r = ratings[ratings["touchpoint"].notna()].copy()
        r = r[r[scales].notna().any(axis=1)] if scales else r.iloc[0:0]
        if ds.respondents is not None and "date" in ds.respondents:
            r = r.merge(ds.respondents[["respondent_id", "date"]].drop_duplicates("respondent_id"), on="respondent_id", how="left")
        else:
            r["date"] = pd.NaT
        total = ds.respondents["respondent_id"].nunique() if ds.respondents is not None else ratings["respondent_id"].nunique()
    else:
        scales, r, total = [], pd.DataFrame(columns=["touchpoint", "respondent_id", "date"]), 0
    g = r.groupby("touchpoint", observed=True) if len(r) else None
    for s in SCALES:
        has = g[s].count() if (g is not None and s in scales) else pd.Series(dtype="int64")
        out[s] = out["touchpoint"].map(has).fillna(0).astype("int64") > 0
    out["responses"] = out["touchpoint"].map(g.size() if g is not None else pd.Series(dtype="int64")).fillna(0).astype("int64")
    out["respondents"] = out["touchpoint"].map(g["respondent_id"].nunique() if g is not None else pd.Series(dtype="int64")).fillna(0).astype("int64")
    out["measured"] = out["responses"] > 0
    out["share_rated"] = out["respondents"] / total if total else np.nan
    dates = pd.to_datetime(r["date"]) if len(r) else pd.Series(dtype="datetime64[ns]")
    last, cadence, brands = {}, {}, {}
    for tp, part in (r.assign(date=dates).groupby("touchpoint", observed=True) if len(r) else []):
        d = part["date"].dropna().drop_duplicates().sort_values()
        last[tp] = d.max() if len(d) else pd.NaT
        cadence[tp] = float(np.median(np.diff(d.to_numpy()) / np.timedelta64(1, "D"))) if len(d) >= 2 else np.nan
        if "brand" in part:
            found = sorted(set(part["brand"].dropna().astype(str)))
            brands[tp] = ", ".join(sorted(found, key=lambda b: (b != ds.brand, b)))
    out["last_response"] = pd.to_datetime(out["touchpoint"].map(last))
    out["cadence_days"] = out["touchpoint"].map(cadence).astype("float64")
    out["brands"] = out["touchpoint"].map(brands).astype("string").fillna("")
    questions = _QUESTIONS[lang]
    out["suggested_question"] = [
        questions.get(obj, questions[None]).format(label=label, brand=ds.brand) for obj, label in zip(out["objective"], out["label"])
    ]
    out = suppress(out, "respondents", ["share_rated", "cadence_days"], limit)
    # an unmeasured touchpoint has nothing to hide; its zero is the finding
    out["suppressed"] = out["suppressed"] & out["measured"]
    return out[COLUMNS].reset_index(drop=True)
