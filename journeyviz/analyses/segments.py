"""Segments: split customers by rules or by behaviour, and say what sets each segment apart.

Per-event work (channel mix, furthest stage, recency, frequency, value) runs in the engine as one
Ibis group-by per customer; only the per-customer table comes back to pandas for clustering and
profiles. Segment labels are stable: the same data and seed give the same labels, whatever the
row order and the number of cores (model fits run on one thread: the per-customer matrix is small,
and thread start-up costs more than it saves on a busy machine).

The Dataset :func:`segment` returns keeps the features it clustered on, so :func:`segment_profiles`
on that Dataset does not aggregate the events again.
"""

from __future__ import annotations

from typing import Any, ContextManager, Mapping

import numpy as np
import pandas as pd

from .. import vocabulary
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

    On a Dataset returned by :func:`segment` with ``method=``, the features it clustered on come
    back without querying the engine again.

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
    return _features(ds, analysis="customer_features").copy()


#: Attribute under which a Dataset made by segment() keeps its features, with what they came from.
_KEPT = "_segment_features"


def _features(ds: Dataset, analysis: str) -> pd.DataFrame:
    """The features of ``ds``: kept by :func:`segment` when the tables they came from are the same
    objects (a filter or ``dataclasses.replace`` makes a new Dataset without them), else computed."""
    kept = _kept(ds)
    if kept is not None:
        return kept
    ds.require("events", analysis=analysis)
    return _compute_features(ds)


def _kept(ds: Dataset) -> pd.DataFrame | None:
    kept = getattr(ds, _KEPT, None)
    if kept is not None and all(a is b for a, b in zip(kept[0], _sources(ds))):
        return kept[1]
    return None


def _sources(ds: Dataset) -> tuple[Any, ...]:
    # the objects themselves, compared by identity (an id could be reused once an object is freed)
    return (ds.events, ds.ratings, ds.respondents, ds.journey, ds.engine)


def _keep(ds: Dataset, features: pd.DataFrame) -> None:
    # A plain attribute, not a field: dataclasses.replace and Dataset.filter do not copy it, so a
    # filtered copy computes its own features.
    setattr(ds, _KEPT, (_sources(ds), features))


def _compute_features(ds: Dataset) -> pd.DataFrame:
    ev = ds.events.filter(ds.events.brand == ds.brand)
    channels = list(ds.journey.channels)
    conv = ds.journey.conversion_stage
    metrics: dict[str, Any] = {
        "frequency": ev.count(),
        "furthest_stage": ev.stage_order.max(),
        "last_ts": ev.timestamp.max(),
        # 0 in the engine: a column with nulls comes back to pandas as Python objects, several times slower
        "value": ev.value.sum().coalesce(0.0),
        "touchpoints": ev.touchpoint.nunique(),
    }
    for ch in channels:
        metrics[f"n_{ch}"] = (ev.channel == ch).cast("int64").sum()
    if conv is not None:
        metrics["converted"] = (ev.stage == conv).cast("int64").max()
    frame = ds.engine.to_pandas(ev.group_by("customer_id").aggregate(**metrics))
    frame["customer_id"] = frame["customer_id"].astype("string")
    frame = frame.set_index("customer_id").sort_index()
    freq = frame["frequency"].to_numpy(dtype="float64")
    cols: dict[str, Any] = {}
    for ch in channels:
        cols[f"share_{ch}"] = frame[f"n_{ch}"].to_numpy(dtype="float64") / freq
    cols["furthest_stage"] = frame["furthest_stage"].to_numpy(dtype="float64")
    if conv is not None:
        cols["converted"] = frame["converted"].to_numpy(dtype="float64")
    last = pd.to_datetime(frame["last_ts"])
    cols["recency_days"] = ((last.max() - last) / pd.Timedelta(days=1)).to_numpy(dtype="float64") if len(last) else np.array([], dtype="float64")
    cols["frequency"] = freq
    cols["value"] = frame["value"].astype("float64").fillna(0.0).to_numpy()
    cols["touchpoints"] = frame["touchpoints"].to_numpy(dtype="float64")
    out = pd.DataFrame(cols, index=frame.index)
    sat = _satisfaction(ds)
    if sat is not None:
        out["satisfaction"] = sat.reindex(out.index).astype("float64")
    return out


def _satisfaction(ds: Dataset) -> pd.Series | None:
    """Mean perception per customer (ratings linked through respondents.customer_id)."""
    if ds.ratings is None or ds.respondents is None or "customer_id" not in ds.respondents or "perception" not in ds.ratings:
        return None
    link = ds.respondents[["respondent_id", "customer_id"]].dropna().drop_duplicates("respondent_id")
    # a lookup rather than a merge: the ratings table is the largest pandas table here
    customer = ds.ratings["respondent_id"].map(pd.Series(link["customer_id"].astype("string").to_numpy(), index=link["respondent_id"].to_numpy()))
    sat = ds.ratings["perception"].astype("float64").groupby(customer.astype("string")).mean()
    sat.index = sat.index.astype("string").rename("customer_id")
    return sat


# ---------------------------------------------------------------------- segment
def segment(
    ds: Dataset,
    rules: Mapping[str, Any] | None = None,
    method: str | None = None,
    k: int | None = None,
    name: str = "segment",
    seed: int = 0,
    lang: str | None = None,
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
        distinctive features in ``lang`` (e.g. ``"Store-first, converted"``, ``"Magasin d'abord,
        acheteurs"``; channel names from :data:`journeyviz.vocabulary.CHANNELS`). Customers
        without events get ``"(no events)"`` (``"(sans événement)"`` in French).
    k
        Number of clusters; when None, the k in 2–8 with the best silhouette (computed on at most
        2,000 customers drawn with ``seed``).
    name
        Name of the new customers column.
    seed
        Seed of the clustering and of the silhouette subsample. Fits run on one thread, so the
        labels do not depend on the number of cores.
    lang
        Language of the cluster names, ``"fr"`` or ``"en"``; by default the journey's (English
        when the journey's is neither). Not used with ``rules``.

    Returns
    -------
    Dataset
        A copy of ``ds`` with ``customers[name]`` (string). Without a customers table, one is made
        from the customers seen in events. It keeps the features it clustered on:
        :func:`customer_features` and :func:`segment_profiles` on it reuse them (a ``filter`` of it
        computes them again).

    Raises
    ------
    ValueError
        Neither or both of rules/method; unknown attribute or bad query in ``rules``; ``method``
        not in ("kmeans", "gmm"); ``k`` < 2 or more than the customers; ``lang`` not "fr" or
        "en"; no events for behavioural segments; fewer than two customers.
    """
    if (rules is None) == (method is None):
        raise ValueError(f"segment needs exactly one of rules= or method=; got rules={rules!r}, method={method!r}")
    if not isinstance(name, str) or not name or name == "customer_id":
        raise ValueError(f"name={name!r} must be a non-empty column name other than 'customer_id'")
    if lang is None:
        lang = "fr" if ds.journey.language == "fr" else "en"
    elif lang not in vocabulary.LANGUAGES:
        raise ValueError(f"lang={lang!r} is not supported; use one of {', '.join(map(repr, vocabulary.LANGUAGES))}")
    if rules is not None:
        customers = _customers(ds, need_table=True)
        labels = _rule_labels(customers, rules)
        # a rule split of an already clustered Dataset keeps its features too
        features = _kept(ds)
    else:
        if method not in METHODS:
            raise ValueError(f"method={method!r} is not allowed; use one of {', '.join(map(repr, METHODS))}")
        if ds.events is None:
            raise ValueError(f"method={method!r}: behavioural segments need the 'events' table, which this dataset does not have")
        features = _features(ds, analysis=f"segment(method={method!r})")
        customers = _customers(ds, need_table=False, seen=features.index)
        labels = _cluster_labels(features, method, k, seed, lang).reindex(customers["customer_id"].astype("string")).fillna(_no_events(lang))
        labels.index = customers.index
    new = customers.copy()
    new[name] = pd.Series(labels.to_numpy(), index=new.index, dtype="string")
    out = ds.filter()
    out.customers = new
    out._customers_table = None
    if features is not None:
        _keep(out, features)
    return out


def _no_events(lang: str) -> str:
    return "(sans événement)" if lang == "fr" else "(no events)"


def _one_thread() -> ContextManager[Any]:
    """BLAS and OpenMP (scikit-learn's k-means) limited to one thread for the fits in this block."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


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


def _cluster_labels(features: pd.DataFrame, method: str, k: int | None, seed: int, lang: str) -> pd.Series:
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    n = len(features)
    if n < 2:
        raise ValueError(f"method={method!r}: behavioural segments need at least two customers with events; this dataset has {n}")
    x = _standardise(features)
    if k is None:
        with _one_thread():
            k = _best_k(x, seed)
    elif isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2 or k > n:
        raise ValueError(f"k={k!r} must be a whole number from 2 to the number of customers with events ({n}), or None to choose by silhouette")
    k = int(k)
    with _one_thread():
        if method == "kmeans":
            raw = KMeans(n_clusters=k, random_state=seed, n_init=4).fit_predict(x)
        else:
            raw = GaussianMixture(n_components=k, random_state=seed, n_init=1).fit(x).predict(x)
    names = _name_clusters(features, x, raw, lang)
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


#: (higher, lower) words for a cluster that stands out on a feature, by language.
_QUALIFIERS = {
    "en": {"frequency": ("frequent", "occasional"), "value": ("high value", "low value"), "recency_days": ("lapsed", "recent"),
           "touchpoints": ("many touchpoints", "few touchpoints"), "furthest_stage": ("far along", "early in the journey"),
           "satisfaction": ("satisfied", "dissatisfied")},
    "fr": {"frequency": ("fréquents", "occasionnels"), "value": ("forte valeur", "faible valeur"), "recency_days": ("inactifs", "récents"),
           "touchpoints": ("multi-contacts", "peu de contacts"), "furthest_stage": ("avancés", "début de parcours"),
           "satisfaction": ("satisfaits", "insatisfaits")},
}


def _name_clusters(features: pd.DataFrame, x: np.ndarray, raw: np.ndarray, lang: str) -> dict[int, str]:
    """Order clusters by size (then centre) and name them after their channel mix and progress.

    Clusters sharing a name get their most distinctive other feature added (e.g. "+ phone").
    """
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
    """The channel's display name, capitalised: it opens a segment's name ("Store-first")."""
    label = vocabulary.channel_label(channel, lang)
    return label[:1].upper() + label[1:]


def _qualifier(columns: pd.Index, centre: np.ndarray, used: set[str], lang: str) -> str:
    """Words for the feature on which a cluster's standardised centre is furthest from zero."""
    candidates = [(abs(z), col, z) for col, z in zip(columns, centre) if col not in used]
    if not candidates:
        return "?"
    _, col, z = max(candidates, key=lambda t: (t[0], t[1]))
    if col.startswith("share_"):
        chan = vocabulary.channel_label(col.removeprefix("share_"), lang)
        return f"+ {chan}" if z > 0 else (f"sans {chan}" if lang == "fr" else f"no {chan}")
    high, low = _QUALIFIERS[lang].get(col, (f"{col} +", f"{col} −"))
    return high if z > 0 else low


# ---------------------------------------------------------------------- profiles
def segment_profiles(ds: Dataset, by: str = "segment", min_group_size: int | None = None) -> pd.DataFrame:
    """What sets each segment apart, feature by feature (tidy long format).

    Features are :func:`customer_features` (when the dataset has events; on a Dataset made by
    :func:`segment` with ``method=``, the ones it clustered on) plus numeric customer attributes.
    Customers without a value of ``by`` count as ``"(unknown)"``.

    Parameters
    ----------
    by
        A customers column (e.g. made by :func:`segment`).
    min_group_size
        Segments with fewer customers, and segment means over fewer customers with a value, are
        blanked; defaults to the journey's.

    Returns
    -------
    pandas.DataFrame
        One row per segment × feature: ``segment``, ``customers`` (in the segment), ``share``
        (of all customers, 0–1), ``feature``, ``n`` (customers of the segment with a value),
        ``mean`` (segment mean, the feature's unit; NaN when ``n < min_group_size``), ``overall``
        (mean over all customers), ``effect_size`` (Cohen's d of the segment vs the rest, pooled
        SD; NaN when undefined or when ``n < min_group_size``), ``distinctive`` (1 = the feature
        that most sets the segment apart, by \\|d\\|, among the features with an effect size),
        ``direction`` ("higher"/"lower"/"same"; None without an effect size), ``suppressed`` (True
        when ``customers < min_group_size``: mean, effect_size, distinctive, direction blanked).
        Sorted by segment size then ``distinctive``. No customer ids.

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
        table = table.join(_features(ds, analysis="segment_profiles"), how="left")
    groups = cust[by].astype("string").fillna(UNKNOWN)
    if table.empty or not len(table.columns):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    total = len(groups)
    codes, names = pd.factorize(groups, sort=False)
    sizes = np.bincount(codes, minlength=len(names))
    values = table.to_numpy(dtype="float64")
    present = ~np.isnan(values)
    overall = [values[present[:, j], j].mean() if present[:, j].any() else np.nan for j in range(values.shape[1])]
    rows = []
    for i in sorted(range(len(names)), key=lambda i: (-sizes[i], names[i])):
        inside = codes == i
        for j, feat in enumerate(table.columns):
            v, ok = values[:, j], present[:, j]
            a, b = v[inside & ok], v[~inside & ok]
            rows.append(
                {
                    "segment": names[i],
                    "customers": int(sizes[i]),
                    "share": sizes[i] / total,
                    "feature": feat,
                    "n": len(a),
                    "mean": a.mean() if len(a) else np.nan,
                    "overall": overall[j],
                    "effect_size": _cohen_d(a, b),
                }
            )
    out = pd.DataFrame(rows)
    # The house rule for small groups: a mean (or a difference) over fewer than min_group_size
    # people is not shown, whether the segment is small or few of its customers have a value.
    thin = out["n"] < limit
    out.loc[thin, ["mean", "effect_size"]] = np.nan
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
