"""Segments: split customers by rules or by behaviour, and say what sets each segment apart.

Per-event work (channel mix, furthest stage, recency, frequency, value) runs in the engine as one
Ibis group-by per customer; only the per-customer table comes back to pandas for clustering and
profiles. Segment labels are stable: the same data and seed give the same labels, whatever the
row order.
"""

from __future__ import annotations

from typing import Any, Mapping

import ibis
import numpy as np
import pandas as pd

from ..dataset import UNKNOWN, Dataset
from ._stats import suppress

METHODS = ("kmeans", "gmm")
OTHER = "(other)"
#: Customers drawn (seeded) to choose k by silhouette when there are more.
SILHOUETTE_SAMPLE = 2000
K_RANGE = (2, 8)


# ---------------------------------------------------------------------- features
def customer_features(ds: Dataset) -> pd.DataFrame:
    """Behavioural features per customer, aggregated in the engine from our brand's events.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (sorted; drop it before sharing — :func:`journeyviz.analyses.privacy.export`
        does), one row per customer with at least one event with our brand. Columns:
        ``share_<channel>`` (share of the customer's events on that channel, 0–1, one per channel of
        the catalogue), ``furthest_stage`` (0-based order of the furthest stage reached),
        ``converted`` (1.0 when the conversion stage was reached, else 0.0; absent without a
        conversion stage), ``recency_days`` (days from the customer's last event to the last event
        in the data), ``frequency`` (events), ``value`` (sum of ``value``, 0 when none),
        ``touchpoints`` (distinct touchpoints), and ``satisfaction`` (mean perception over the
        customer's survey ratings, NaN when not surveyed; only when ratings and respondents with
        ``customer_id`` exist).

    Raises
    ------
    ValueError
        When the dataset has no events.
    """
    ds.require("events", analysis="customer_features")
    ev = ds.events.filter(ds.events.brand == ds.brand)
    channels = list(ds.journey.channels)
    conv = ds.journey.conversion_stage
    metrics: dict[str, Any] = {
        "frequency": ev.count(),
        "furthest_stage": ev.stage_order.max(),
        "last_ts": ev.timestamp.max(),
        "value": ev.value.sum(),
        "touchpoints": ev.touchpoint.nunique(),
    }
    for ch in channels:
        metrics[f"n_{ch}"] = (ev.channel == ch).cast("int64").sum()
    if conv is not None:
        metrics["converted"] = (ev.stage == conv).cast("int64").max()
    frame = ds.engine.to_pandas(ev.group_by("customer_id").aggregate(**metrics))
    frame["customer_id"] = frame["customer_id"].astype("string")
    frame = frame.set_index("customer_id").sort_index()
    out = pd.DataFrame(index=frame.index)
    freq = frame["frequency"].astype("float64")
    for ch in channels:
        out[f"share_{ch}"] = frame[f"n_{ch}"].astype("float64") / freq
    out["furthest_stage"] = frame["furthest_stage"].astype("float64")
    if conv is not None:
        out["converted"] = frame["converted"].astype("float64")
    last = pd.to_datetime(frame["last_ts"])
    out["recency_days"] = ((last.max() - last) / pd.Timedelta(days=1)).astype("float64") if len(last) else pd.Series(dtype="float64")
    out["frequency"] = freq
    out["value"] = frame["value"].astype("float64").fillna(0.0)
    out["touchpoints"] = frame["touchpoints"].astype("float64")
    sat = _satisfaction(ds)
    if sat is not None:
        out["satisfaction"] = sat.reindex(out.index).astype("float64")
    return out


def _satisfaction(ds: Dataset) -> pd.Series | None:
    """Mean perception per customer (ratings linked through respondents.customer_id)."""
    if ds.ratings is None or ds.respondents is None or "customer_id" not in ds.respondents or "perception" not in ds.ratings:
        return None
    link = ds.respondents[["respondent_id", "customer_id"]].dropna()
    rated = ds.ratings[["respondent_id", "perception"]].merge(link, on="respondent_id")
    rated["customer_id"] = rated["customer_id"].astype("string")
    return rated.groupby("customer_id")["perception"].mean()


# ---------------------------------------------------------------------- segment
def segment(
    ds: Dataset,
    rules: Mapping[str, Any] | None = None,
    method: str | None = None,
    k: int | None = None,
    name: str = "segment",
    seed: int = 0,
) -> Dataset:
    """A new Dataset whose customers table has a segment column ``name``.

    Use it as ``by=name`` in every analysis. Give either ``rules`` or ``method``.

    Parameters
    ----------
    rules
        Rule-based segments, one of two forms:

        * ``{attribute: bands_or_None, ...}`` — a list of band edges cuts a numeric attribute into
          bands labelled ``"25–34"`` (lower edge included, upper excluded; outside → ``"(other)"``);
          ``None`` takes the attribute's values as they are. Several attributes combine into
          labels joined by ``" · "``.
        * ``{label: query, ...}`` — every value a pandas ``DataFrame.query`` string on the customers
          table (e.g. ``{"Jeunes urbains": "age < 35 and region == 'Île-de-France'"}``); the first
          matching rule wins, in the dict's order; customers matching none are ``"(other)"``.
    method
        ``"kmeans"`` or ``"gmm"``: behavioural clusters on :func:`customer_features` (standardised).
        Clusters are numbered by size (largest first, ties by centre) and named after their
        distinctive features in the journey's language (e.g. ``"Web-first, converted"``).
        Customers without events get ``"(no events)"``.
    k
        Number of clusters; when None, the k in 2–8 with the best silhouette (computed on at most
        2,000 customers drawn with ``seed``).
    name
        Name of the new customers column.
    seed
        Seed of the clustering and of the silhouette subsample.

    Returns
    -------
    Dataset
        A copy of ``ds`` with ``customers[name]`` (string). Without a customers table, one is made
        from the customers seen in events.

    Raises
    ------
    ValueError
        Neither or both of rules/method; unknown attribute or bad query in ``rules``; ``method``
        not in ("kmeans", "gmm"); ``k`` < 2 or more than the customers; no events for behavioural
        segments; fewer than two customers.
    """
    if (rules is None) == (method is None):
        raise ValueError(f"segment needs exactly one of rules= or method=; got rules={rules!r}, method={method!r}")
    if not isinstance(name, str) or not name or name == "customer_id":
        raise ValueError(f"name={name!r} must be a non-empty column name other than 'customer_id'")
    if rules is not None:
        customers = _customers(ds, need_table=True)
        labels = _rule_labels(customers, rules)
    else:
        if method not in METHODS:
            raise ValueError(f"method={method!r} is not allowed; use one of {', '.join(map(repr, METHODS))}")
        if ds.events is None:
            raise ValueError(f"method={method!r}: behavioural segments need the 'events' table, which this dataset does not have")
        features = customer_features(ds)
        customers = _customers(ds, need_table=False, seen=features.index)
        labels = _cluster_labels(ds, features, method, k, seed).reindex(customers["customer_id"].astype("string")).fillna(_no_events(ds))
        labels.index = customers.index
    new = customers.copy()
    new[name] = pd.Series(labels.to_numpy(), index=new.index, dtype="string")
    out = ds.filter()
    out.customers = new
    out._customers_table = None
    return out


def _no_events(ds: Dataset) -> str:
    return "(sans événement)" if ds.journey.language == "fr" else "(no events)"


def _customers(ds: Dataset, need_table: bool, seen: pd.Index | None = None) -> pd.DataFrame:
    if ds.customers is not None:
        return ds.customers.reset_index(drop=True)
    if need_table:
        raise ValueError("rules= needs the 'customers' table (attributes to segment on), which this dataset does not have")
    return pd.DataFrame({"customer_id": pd.Series(seen, dtype="string")})


def _rule_labels(customers: pd.DataFrame, rules: Mapping[str, Any]) -> pd.Series:
    if not isinstance(rules, Mapping) or not rules:
        raise ValueError(f"rules={rules!r} must be a non-empty dict: {{attribute: band edges or None}} or {{label: query}}")
    values = list(rules.values())
    if all(isinstance(v, str) for v in values):
        return _query_labels(customers, rules)
    parts = []
    for attr, spec in rules.items():
        if attr not in customers.columns or attr == "customer_id":
            usable = [c for c in customers.columns if c != "customer_id"]
            raise ValueError(f"rules: {attr!r} is not a customer attribute; use one of {usable}")
        if spec is None:
            parts.append(customers[attr].astype("string").fillna(UNKNOWN))
        elif isinstance(spec, (list, tuple)) and len(spec) >= 2:
            parts.append(_bands(customers[attr], list(spec), attr))
        else:
            raise ValueError(f"rules[{attr!r}]={spec!r}: use a list of at least two increasing band edges, or None for the attribute's own values")
    label = parts[0]
    for p in parts[1:]:
        label = label + " · " + p
    return label.reset_index(drop=True)


def _bands(values: pd.Series, edges: list, attr: str) -> pd.Series:
    try:
        edges = [float(e) for e in edges]
    except (TypeError, ValueError):
        raise ValueError(f"rules[{attr!r}]={edges!r}: band edges must be numbers") from None
    if any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError(f"rules[{attr!r}]={edges!r}: band edges must be strictly increasing")
    numeric = pd.to_numeric(values, errors="coerce")
    if values.notna().any() and numeric.isna().all():
        raise ValueError(f"rules[{attr!r}]: {attr!r} is not numeric; use None to segment on its values")

    def fmt(x: float) -> str:
        return f"{x:g}"

    integer = all(float(e).is_integer() for e in edges)
    labels = [f"{fmt(a)}–{fmt(b - 1)}" if integer else f"{fmt(a)}–{fmt(b)}" for a, b in zip(edges, edges[1:])]
    cut = pd.cut(numeric, bins=edges, right=False, labels=labels)
    out = cut.astype("string")
    return out.where(numeric.notna(), UNKNOWN).fillna(OTHER)


def _query_labels(customers: pd.DataFrame, rules: Mapping[str, str]) -> pd.Series:
    frame = customers.reset_index(drop=True)
    label = pd.Series(pd.NA, index=frame.index, dtype="string")
    for seg, query in rules.items():
        try:
            hit = frame.eval(query)
        except Exception as exc:  # pandas raises many types for a bad expression
            raise ValueError(f"rules[{seg!r}]={query!r} is not a valid query on the customers table ({type(exc).__name__}: {exc}); columns are {list(frame.columns)}") from None
        if not isinstance(hit, pd.Series) or not pd.api.types.is_bool_dtype(hit):
            raise ValueError(f"rules[{seg!r}]={query!r} must be a true/false condition on the customers table")
        label = label.mask(label.isna() & hit.fillna(False).astype(bool), str(seg))
    return label.fillna(OTHER)


def _cluster_labels(ds: Dataset, features: pd.DataFrame, method: str, k: int | None, seed: int) -> pd.Series:
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    n = len(features)
    if n < 2:
        raise ValueError(f"method={method!r}: behavioural segments need at least two customers with events; this dataset has {n}")
    x = _standardise(features)
    if k is None:
        k = _best_k(x, seed)
    elif isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2 or k > n:
        raise ValueError(f"k={k!r} must be a whole number from 2 to the number of customers with events ({n}), or None to choose by silhouette")
    k = int(k)
    if method == "kmeans":
        raw = KMeans(n_clusters=k, random_state=seed, n_init=4).fit_predict(x)
    else:
        raw = GaussianMixture(n_components=k, random_state=seed, n_init=1).fit(x).predict(x)
    names = _name_clusters(ds, features, x, raw)
    return pd.Series([names[r] for r in raw], index=features.index, dtype="string")


def _standardise(features: pd.DataFrame) -> np.ndarray:
    x = features.astype("float64")
    x = x.fillna(x.mean()).fillna(0.0)
    sd = x.std(ddof=0).replace(0.0, 1.0)
    return ((x - x.mean()) / sd).to_numpy()


def _best_k(x: np.ndarray, seed: int) -> int:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(x)
    if n > SILHOUETTE_SAMPLE:
        x = x[np.sort(np.random.default_rng(seed).choice(n, SILHOUETTE_SAMPLE, replace=False))]
    distinct = len(np.unique(x, axis=0))
    best, best_score = 2, -np.inf
    for k in range(K_RANGE[0], min(K_RANGE[1], len(x) - 1, distinct) + 1):
        labels = KMeans(n_clusters=k, random_state=seed, n_init=4).fit_predict(x)
        if len(np.unique(labels)) < 2:
            continue
        score = silhouette_score(x, labels)
        if score > best_score + 1e-12:
            best, best_score = k, score
    return best


_CHANNELS_FR = {"web": "Web", "app": "Appli", "store": "Magasin", "phone": "Téléphone", "email": "E-mail", "chat": "Chat", "social": "Réseaux sociaux", "mail": "Courrier"}
#: (higher, lower) words for a cluster that stands out on a feature, by language.
_QUALIFIERS = {
    "en": {"frequency": ("frequent", "occasional"), "value": ("high value", "low value"), "recency_days": ("lapsed", "recent"),
           "touchpoints": ("many touchpoints", "few touchpoints"), "furthest_stage": ("far along", "early in the journey"),
           "satisfaction": ("satisfied", "dissatisfied")},
    "fr": {"frequency": ("fréquents", "occasionnels"), "value": ("forte valeur", "faible valeur"), "recency_days": ("inactifs", "récents"),
           "touchpoints": ("multi-contacts", "peu de contacts"), "furthest_stage": ("avancés", "début de parcours"),
           "satisfaction": ("satisfaits", "insatisfaits")},
}


def _name_clusters(ds: Dataset, features: pd.DataFrame, x: np.ndarray, raw: np.ndarray) -> dict[int, str]:
    """Order clusters by size (then centre) and name them after their channel mix and progress.

    Clusters sharing a name get their most distinctive other feature added (e.g. "+ phone").
    """
    lang = "fr" if ds.journey.language == "fr" else "en"
    clusters = np.unique(raw)
    centres = {c: x[raw == c].mean(axis=0) for c in clusters}
    order = sorted(clusters, key=lambda c: (-int((raw == c).sum()), tuple(np.round(centres[c], 9))))
    share_cols = [c for c in features.columns if c.startswith("share_")]
    base: dict[int, str] = {}
    used_cols: dict[int, set[str]] = {}
    for c in order:
        means = features[raw == c].mean()
        parts, used = [], set()
        if share_cols:
            top = means[share_cols].idxmax()
            used.add(top)
            chan = _channel_name(top.removeprefix("share_"), lang)
            if means[top] >= 0.95:
                parts.append(f"{chan} uniquement" if lang == "fr" else f"{chan}-only")
            else:
                parts.append(f"{chan} d'abord" if lang == "fr" else f"{chan}-first")
        if "converted" in means and pd.notna(means["converted"]):
            used.add("converted")
            bought = means["converted"] >= 0.5
            parts.append(("acheteurs" if bought else "visiteurs") if lang == "fr" else ("converted" if bought else "browsers"))
        base[c] = ", ".join(parts) or ("Groupe" if lang == "fr" else "Group")
        used_cols[c] = used
    counts = pd.Series(list(base.values())).value_counts()
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for c in order:
        label = base[c]
        if counts[label] > 1:
            label = f"{label}, {_qualifier(features.columns, centres[c], used_cols[c], lang)}"
        seen[label] = seen.get(label, 0) + 1
        names[c] = label if seen[label] == 1 else f"{label} ({seen[label]})"
    return names


def _channel_name(channel: str, lang: str) -> str:
    return _CHANNELS_FR.get(channel, channel.capitalize()) if lang == "fr" else channel.capitalize()


def _qualifier(columns: pd.Index, centre: np.ndarray, used: set[str], lang: str) -> str:
    """Words for the feature on which a cluster's standardised centre is furthest from zero."""
    candidates = [(abs(z), col, z) for col, z in zip(columns, centre) if col not in used]
    if not candidates:
        return "?"
    _, col, z = max(candidates, key=lambda t: (t[0], t[1]))
    if col.startswith("share_"):
        chan = _channel_name(col.removeprefix("share_"), lang)
        return f"+ {chan}" if z > 0 else (f"sans {chan}" if lang == "fr" else f"no {chan}")
    high, low = _QUALIFIERS[lang].get(col, (f"{col} +", f"{col} −"))
    return high if z > 0 else low


# ---------------------------------------------------------------------- profiles
def segment_profiles(ds: Dataset, by: str = "segment", min_group_size: int | None = None) -> pd.DataFrame:
    """What sets each segment apart, feature by feature (tidy long format).

    Features are :func:`customer_features` (when the dataset has events) plus numeric customer
    attributes. Customers without a value of ``by`` count as ``"(unknown)"``.

    Parameters
    ----------
    by
        A customers column (e.g. made by :func:`segment`).
    min_group_size
        Segments with fewer customers have their figures blanked; defaults to the journey's.

    Returns
    -------
    pandas.DataFrame
        One row per segment × feature: ``segment``, ``customers`` (in the segment), ``share``
        (of all customers, 0–1), ``feature``, ``n`` (customers of the segment with a value),
        ``mean`` (segment mean, the feature's unit), ``overall`` (mean over all customers),
        ``effect_size`` (Cohen's d of the segment vs the rest, pooled SD; NaN when undefined),
        ``distinctive`` (1 = the feature that most sets the segment apart, by \\|d\\|),
        ``direction`` ("higher"/"lower"/"same"), ``suppressed`` (True when
        ``customers < min_group_size``: mean, effect_size, distinctive blanked). Sorted by
        segment size then ``distinctive``. No customer ids.

    Raises
    ------
    ValueError
        Without a customers table, or when ``by`` is not one of its columns.
    """
    columns = ["segment", "customers", "share", "feature", "n", "mean", "overall", "effect_size", "distinctive", "direction", "suppressed"]
    if ds.customers is None:
        raise ValueError("segment_profiles needs the 'customers' table; make segments with jv.segment first")
    if by not in ds.customer_attributes():
        raise ValueError(f"by={by!r} is not a customers column; use one of {ds.customer_attributes()}")
    limit = ds.min_group_size if min_group_size is None else int(min_group_size)
    cust = ds.customers.copy()
    cust["customer_id"] = cust["customer_id"].astype("string")
    cust = cust.drop_duplicates("customer_id").set_index("customer_id")
    numeric = [c for c in cust.columns if c != by and pd.api.types.is_numeric_dtype(cust[c]) and not pd.api.types.is_bool_dtype(cust[c])]
    table = cust[numeric].astype("float64")
    if ds.events is not None:
        table = table.join(customer_features(ds), how="left")
    groups = cust[by].astype("string").fillna(UNKNOWN)
    if table.empty or not len(table.columns):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    total = len(groups)
    rows = []
    for seg in sorted(groups.unique(), key=lambda s: (-(groups == s).sum(), s)):
        inside = (groups == seg).to_numpy()
        for feat in table.columns:
            v = table[feat].to_numpy(dtype="float64")
            a, b = v[inside & ~np.isnan(v)], v[~inside & ~np.isnan(v)]
            d = _cohen_d(a, b)
            rows.append(
                {
                    "segment": seg,
                    "customers": int(inside.sum()),
                    "share": inside.sum() / total,
                    "feature": feat,
                    "n": len(a),
                    "mean": a.mean() if len(a) else np.nan,
                    "overall": np.nanmean(v) if (~np.isnan(v)).any() else np.nan,
                    "effect_size": d,
                }
            )
    out = pd.DataFrame(rows)
    out["distinctive"] = out.assign(a=out["effect_size"].abs()).groupby("segment", sort=False)["a"].rank(ascending=False, method="first")
    out["direction"] = np.select([out["effect_size"] > 0.05, out["effect_size"] < -0.05], ["higher", "lower"], "same")
    out["direction"] = out["direction"].where(out["effect_size"].notna(), None)
    out = suppress(out, "customers", ["mean", "effect_size", "distinctive", "direction"], limit)
    out["segment"] = out["segment"].astype("string")
    return out.sort_values(["customers", "segment", "distinctive"], ascending=[False, True, True], kind="stable").reset_index(drop=True)[columns]


def _cohen_d(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or len(b) < 2:
        return np.nan
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    if pooled == 0 or not np.isfinite(pooled):
        return np.nan
    return float((a.mean() - b.mean()) / pooled)
