"""Which touchpoints drive overall satisfaction, and where to act: derived importance, IPA quadrants, moments of truth.

Derived importance uses Johnson's relative weights (Johnson 2000, *Multivariate Behavioral
Research* 35(1)): the predictors are replaced by their closest orthogonal counterparts, the outcome
is regressed on those, and each counterpart's explained variance is shared back to the original
touchpoints in proportion to their squared loadings. Why this method:

- like Shapley regression (dominance analysis) it splits the model R² into non-negative parts that
  add up to R² even when touchpoint ratings are strongly correlated (they always are in surveys,
  the "halo"), and in practice the two rankings agree closely;
- unlike Shapley, which fits a regression on every subset of touchpoints (2^20 ≈ 1 M models for
  20 touchpoints), it needs one eigen-decomposition of the correlation matrix, so its cost does not
  grow with the number of respondents once the correlations are known, and a bootstrap is cheap;
- it works from a correlation matrix, so respondents who rated only some touchpoints can all
  contribute through pairwise-complete correlations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from . import _stats
from ._survey import cell_values, check_brand, decorate, ratings_frame, respondents_frame, summary
from .gaps import satisfaction_gap

OUTCOMES = ("overall", "nps")
N_BOOTSTRAP = 500
BOOTSTRAP_GROUPS = 2_000
QUADRANTS = ("concentrate_here", "keep_up_the_good_work", "low_priority", "possible_overkill")
QUADRANT_LABELS = {
    "en": {
        "concentrate_here": "Concentrate here",
        "keep_up_the_good_work": "Keep up the good work",
        "low_priority": "Low priority",
        "possible_overkill": "Possible overkill",
    },
    "fr": {
        "concentrate_here": "Concentrer les efforts ici",
        "keep_up_the_good_work": "Continuer ainsi",
        "low_priority": "Priorité faible",
        "possible_overkill": "Effort peut-être excessif",
    },
}
_DRIVER_COLUMNS = [
    "touchpoint", "label", "stage", "n", "correlation", "derived_importance", "low", "high",
    "share", "share_low", "share_high", "rank", "stated_importance", "stated_importance_n",
    "in_model", "r2", "outcome", "n_model", "n_bootstrap", "bootstrap_units", "suppressed",
]  # fmt: skip
_IPA_COLUMNS = [
    "touchpoint", "label", "stage", "n", "performance", "performance_low", "performance_high",
    "importance", "importance_low", "importance_high", "importance_source", "importance_threshold",
    "performance_threshold", "quadrant", "quadrant_label", "gap", "gap_p_adjusted", "moment_of_truth",
    "suppressed",
]  # fmt: skip


def key_drivers(
    ds: Dataset,
    outcome: str | None = None,
    brand: str | None = None,
    n_bootstrap: int = N_BOOTSTRAP,
    bootstrap_groups: int = BOOTSTRAP_GROUPS,
    seed: int = 0,
) -> pd.DataFrame:
    """Derived importance of each touchpoint for overall satisfaction (Johnson's relative weights), with bootstrap intervals.

    Parameters
    ----------
    ds
        A dataset with ``ratings`` (touchpoint perceptions) and ``respondents`` (the outcome).
    outcome
        The respondent score to explain: ``"overall"`` (default when the survey has it) or
        ``"nps"`` (used when there is no ``overall``).
    brand
        Whose respondents and ratings; our brand by default.
    n_bootstrap
        Bootstrap replicates (default 500), resampling respondents with a
        ``numpy.random.default_rng(seed)`` generator.
    bootstrap_groups
        Largest number of resampling units (default 2 000). With at most that many respondents,
        respondents themselves are resampled (the ordinary percentile bootstrap). With more, the
        respondents are dealt at random (seeded) into that many equal groups and the groups are
        resampled (the "random groups" bootstrap): every replicate still uses the whole sample,
        so the intervals are for the full ``n``, and a replicate costs a weighted sum of the
        groups' sufficient statistics instead of a pass over the data. One pass (sums and cross
        products per group) plus 500 replicates keeps 1 M respondents × 20 touchpoints to
        seconds; with 2 000 groups the interval ends carry a few per cent of Monte Carlo
        error, like any 500-replicate bootstrap.
    seed
        Seed of the generator (same inputs and seed, same intervals).

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint of the catalogue (then any other rated touchpoint), in journey order:

        - ``touchpoint``, ``label``, ``stage``;
        - ``n``: respondents who rated the touchpoint and gave the outcome;
        - ``correlation``: Pearson correlation of the touchpoint's perception with the outcome
          (over those ``n``);
        - ``derived_importance``, ``low``, ``high``: the relative weight — the part of the
          outcome's variance (R², 0–1) attributed to the touchpoint — with its 95 % bootstrap
          interval (percentile interval re-centred so the bootstrap median sits on the estimate,
          which removes the upward bias resampling gives small weights; clipped at 0); the
          weights of all touchpoints in the model add up to ``r2``;
        - ``share``, ``share_low``, ``share_high``: the relative weight as a share of ``r2``
          (0–1; shares add up to 1) with its bootstrap interval;
        - ``rank``: 1 = most important (by ``derived_importance``);
        - ``stated_importance``, ``stated_importance_n``: mean of ``ratings.importance`` for the
          touchpoint and how many answered (NaN / 0 when the survey does not ask it);
        - ``in_model``: False for touchpoints left out (rated by fewer than ``min_group_size``
          respondents with the outcome, or rated identically by everyone);
        - ``r2``: R² of the outcome on all touchpoints in the model (same on every row);
        - ``outcome``, ``n_model`` (respondents with the outcome and at least one rated touchpoint),
          ``n_bootstrap``, ``bootstrap_units`` (resampled units: respondents, or random groups);
        - ``suppressed``: True when the touchpoint's ``n`` is below ``min_group_size``
          (its figures are NaN).

        Respondents rarely rate every touchpoint: correlations are computed pairwise (each from
        the respondents who answered both questions), not from complete cases only, and the
        matrix is projected onto the nearest positive semi-definite one (negative eigenvalues set
        to 0) before the decomposition. A pair of touchpoints nobody rated together counts as
        uncorrelated.

    Raises
    ------
    ValueError
        Unknown ``outcome`` or ``brand``, no respondents with an outcome, bad bootstrap sizes,
        missing ``ratings``/``respondents``.
    """
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"outcome={outcome!r} is not allowed; use one of {', '.join(map(repr, OUTCOMES))}")
    if not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap={n_bootstrap!r} must be a whole number ≥ 0 (0 = no intervals)")
    if not isinstance(bootstrap_groups, (int, np.integer)) or bootstrap_groups < 2:
        raise ValueError(f"bootstrap_groups={bootstrap_groups!r} must be a whole number ≥ 2")
    brand = check_brand(ds, brand)
    resp = respondents_frame(ds, None, brand, "key_drivers")
    if outcome is None:
        outcome = next((c for c in OUTCOMES if resp[c].notna().any()), None)
        if outcome is None:
            raise ValueError("key_drivers needs an outcome to explain: respondents have neither 'overall' nor 'nps' answers for brand " + repr(brand))
    resp = resp[resp[outcome].notna()]
    ratings = ratings_frame(ds, "key_drivers")
    ratings = ratings[(ratings["brand"] == brand) & ratings["touchpoint"].notna()]
    touchpoints = _touchpoint_order(ds, ratings["touchpoint"])

    stated = summary(ratings, ["touchpoint"], "importance").set_index("touchpoint").rename(columns={"n": "count"})
    matrix, y = _wide(ratings, resp, outcome, touchpoints)
    rated = ~np.isnan(matrix)
    n_per = rated.sum(axis=0) if len(y) else np.zeros(len(touchpoints), dtype=int)
    keep_rows = rated.any(axis=1)
    matrix, y = matrix[keep_rows], y[keep_rows]
    n_model = int(len(y))

    spread = np.zeros(len(touchpoints))
    answered = n_per >= 2
    if answered.any():
        spread[answered] = np.nanstd(matrix[:, answered], axis=0)
    usable = (n_per >= max(ds.min_group_size, 3)) & (np.nan_to_num(spread) > 0)
    out = pd.DataFrame({"touchpoint": touchpoints, "n": n_per.astype("int64"), "in_model": usable})
    out["correlation"] = np.nan
    for col in ("derived_importance", "low", "high", "share", "share_low", "share_high"):
        out[col] = np.nan
    r2 = np.nan
    m_used = 0
    if usable.any() and n_model >= max(ds.min_group_size, 3) and np.nanstd(y) > 0:
        z = np.column_stack([matrix[:, usable], y])
        groups = _group_sums(z, bootstrap_groups, seed)
        corr = _corr_from_sums(*(part.sum(axis=0) for part in groups))
        rw, r2 = _relative_weights(corr)
        out.loc[usable, "correlation"] = corr[:-1, -1]
        out.loc[usable, "derived_importance"] = rw
        out.loc[usable, "share"] = rw / r2 if r2 > 0 else np.nan
        if n_bootstrap > 0:
            lo, hi, slo, shi = _bootstrap(groups, rw, n_bootstrap, seed)
            m_used = len(groups[0])
            out.loc[usable, "low"], out.loc[usable, "high"] = lo, hi
            out.loc[usable, "share_low"], out.loc[usable, "share_high"] = slo, shi
    out["rank"] = out["derived_importance"].rank(ascending=False, method="min").astype("Int64")
    out["stated_importance"] = out["touchpoint"].map(stated["mean"]).astype("float64")
    out["stated_importance_n"] = out["touchpoint"].map(stated["count"]).fillna(0).astype("int64")
    out["r2"] = r2
    out["outcome"] = outcome
    out["n_model"] = n_model
    out["n_bootstrap"] = int(n_bootstrap)
    out["bootstrap_units"] = int(m_used)
    stage_of = {t.id: t.stage for t in ds.journey.touchpoints}
    out["label"] = [ds.journey.label("touchpoint", t) for t in out["touchpoint"]]
    out["stage"] = out["touchpoint"].map(stage_of)
    figures = ["correlation", "derived_importance", "low", "high", "share", "share_low", "share_high", "rank", "stated_importance"]
    out = _stats.suppress(out, "n", figures, ds.min_group_size)
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    return out[_DRIVER_COLUMNS].reset_index(drop=True)


def importance_performance(ds: Dataset, brand: str | None = None, seed: int = 0, n_bootstrap: int = N_BOOTSTRAP) -> pd.DataFrame:
    """Importance–performance analysis: each touchpoint's quadrant, the thresholds used, and the moments of truth.

    Parameters
    ----------
    ds
        A dataset with ``ratings``; ``respondents`` with ``overall`` or ``nps`` give derived
        importance, ``ratings.expectation`` gives the gap.
    brand
        Whose touchpoints; our brand by default.
    seed, n_bootstrap
        Passed to :func:`key_drivers` for the importance intervals.

    Returns
    -------
    pandas.DataFrame
        One row per rated touchpoint, in journey order:

        - ``touchpoint``, ``label``, ``stage``, ``n`` (respondents who rated its perception);
        - ``performance``, ``performance_low``, ``performance_high``: mean perception (scale
          points) with its Student-t 95 % interval (the ``csat`` of :func:`journeyviz.scores`);
        - ``importance``, ``importance_low``, ``importance_high``: derived importance as a share of
          R² (``share`` of :func:`key_drivers`) with its bootstrap interval; when no outcome is
          available it falls back to mean stated importance (scale points, t interval);
        - ``importance_source``: ``"derived"`` or ``"stated"``;
        - ``importance_threshold``, ``performance_threshold``: the quadrant cut-offs — the mean
          importance and the mean performance across the touchpoints shown (a data-centred grid,
          so quadrants compare touchpoints with each other);
        - ``quadrant``: stable id — ``concentrate_here`` (importance ≥ threshold, performance
          below), ``keep_up_the_good_work`` (both ≥), ``low_priority`` (both below),
          ``possible_overkill`` (importance below, performance ≥);
        - ``quadrant_label``: that quadrant in the journey's language;
        - ``gap``, ``gap_p_adjusted``: from :func:`satisfaction_gap` (NaN without expectations);
        - ``moment_of_truth``: importance ≥ threshold **and** a significantly negative gap
          (``gap < 0`` and ``gap_p_adjusted < 0.05``) — the touchpoints that matter most and
          disappoint;
        - ``suppressed``: performance or importance blanked for fewer than ``min_group_size``
          respondents; such rows get no quadrant.

        An empty table with these columns when the brand has no ratings.

    Raises
    ------
    ValueError
        Unknown ``brand``; no ``ratings`` table.
    """
    brand = check_brand(ds, brand)
    perf = _performance(ds, brand)
    source = "stated"
    if ds.respondents is not None:
        resp = respondents_frame(ds, None, brand, "importance_performance")
        if resp[list(OUTCOMES)].notna().any().any():
            drivers = key_drivers(ds, brand=brand, seed=seed, n_bootstrap=n_bootstrap)
            if drivers["share"].notna().any():
                source = "derived"
                imp = drivers[["touchpoint", "share", "share_low", "share_high"]]
                imp = imp.rename(columns={"share": "importance", "share_low": "importance_low", "share_high": "importance_high"})
    if source == "stated":
        imp = _stated_importance(ds, brand)
    table = perf.merge(imp, on="touchpoint", how="left")
    table["importance_source"] = source
    if ds.ratings is not None and "expectation" in ds.ratings.columns:
        gap = satisfaction_gap(ds, "touchpoint", brand=brand)[["touchpoint", "gap", "p_adjusted"]]
        table = table.merge(gap.rename(columns={"p_adjusted": "gap_p_adjusted"}), on="touchpoint", how="left")
    else:
        table["gap"], table["gap_p_adjusted"] = np.nan, np.nan
    shown = table["performance"].notna() & table["importance"].notna()
    table["importance_threshold"] = table.loc[shown, "importance"].mean() if shown.any() else np.nan
    table["performance_threshold"] = table.loc[shown, "performance"].mean() if shown.any() else np.nan
    high_imp = table["importance"] >= table["importance_threshold"]
    high_perf = table["performance"] >= table["performance_threshold"]
    quadrant = np.select(
        [high_imp & ~high_perf, high_imp & high_perf, ~high_imp & ~high_perf, ~high_imp & high_perf], QUADRANTS, default=""
    )
    table["quadrant"] = pd.Series(quadrant, index=table.index, dtype="object").where(shown, None)
    labels = QUADRANT_LABELS.get(ds.journey.language, QUADRANT_LABELS["en"])
    table["quadrant_label"] = table["quadrant"].map(labels)
    table["moment_of_truth"] = (shown & high_imp & (table["gap"] < 0) & (table["gap_p_adjusted"] < 0.05)).astype("bool")
    table["suppressed"] = table["suppressed"] | (table["n"] >= ds.min_group_size) & table["importance"].isna() & (source == "derived")
    return table.reindex(columns=_IPA_COLUMNS).reset_index(drop=True)


def _performance(ds: Dataset, brand: str) -> pd.DataFrame:
    """Mean perception per touchpoint with its t interval (the ``csat`` of :func:`journeyviz.scores`, without NPS/CES)."""
    cells = cell_values(ds, "touchpoint", brand, None, ("perception",), "importance_performance")
    table = summary(cells, ["cell"], "perception").rename(columns={"mean": "performance"})
    table["performance_low"], table["performance_high"] = _stats.mean_interval(table["performance"], table["sd"], table["n"])
    table = table.drop(columns="sd")
    small = (table["n"] > 0) & (table["n"] < ds.min_group_size)
    table = _stats.suppress(table, "n", ["performance", "performance_low", "performance_high"], ds.min_group_size)
    table["suppressed"] = small
    return decorate(table, ds, "touchpoint", None)


def _stated_importance(ds: Dataset, brand: str) -> pd.DataFrame:
    ratings = ratings_frame(ds, "importance_performance")
    ratings = ratings[(ratings["brand"] == brand) & ratings["touchpoint"].notna()]
    s = summary(ratings, ["touchpoint"], "importance").rename(columns={"n": "count", "sd": "std"})
    s["importance_low"], s["importance_high"] = _stats.mean_interval(s["mean"], s["std"], s["count"])
    s = s.rename(columns={"mean": "importance"})
    small = s["count"] < ds.min_group_size
    for col in ("importance", "importance_low", "importance_high"):
        s[col] = s[col].where(~small)
    return s[["touchpoint", "importance", "importance_low", "importance_high"]]


def _touchpoint_order(ds: Dataset, rated: pd.Series) -> list[str]:
    catalogue = list(ds.journey.catalogue()["touchpoint"])
    extra = sorted(set(rated.dropna().unique()) - set(catalogue))
    return catalogue + extra


def _wide(ratings: pd.DataFrame, resp: pd.DataFrame, outcome: str, touchpoints: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Respondents × touchpoints perception matrix (NaN = not rated) and the outcome vector."""
    ids = pd.Index(resp["respondent_id"])
    y = resp[outcome].to_numpy(dtype="float64")
    matrix = np.full((len(ids), len(touchpoints)), np.nan)
    rows = ids.get_indexer(ratings["respondent_id"])
    cols = pd.Index(touchpoints).get_indexer(ratings["touchpoint"])
    values = ratings["perception"].to_numpy(dtype="float64")
    ok = (rows >= 0) & (cols >= 0) & ~np.isnan(values)
    # A respondent who rated a touchpoint twice keeps the mean of the two ratings.
    flat = rows[ok].astype("int64") * len(touchpoints) + cols[ok]
    sums = np.bincount(flat, weights=values[ok], minlength=matrix.size).reshape(matrix.shape)
    counts = np.bincount(flat, minlength=matrix.size).reshape(matrix.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(counts > 0, sums / counts, np.nan)
    return matrix, y


def _group_sums(z: np.ndarray, groups: int, seed: int) -> tuple[np.ndarray, ...]:
    """Per-group sufficient statistics of pairwise correlations: ``(n, s, q, c)``, each ``(groups, p, p)``.

    ``n[g, j, k]`` counts rows of group g where columns j and k are both present, ``s[g, j, k]``
    sums column j over those rows, ``q`` sums its squares, ``c`` sums the products of j and k.
    Values are centred on the column means first to keep the sums well conditioned. With at most
    ``groups`` rows each row is its own group; otherwise rows are shuffled (seeded) into ``groups``
    groups of equal size (the last ones one row shorter).
    """
    rows = len(z)
    present = ~np.isnan(z)
    centred = np.where(present, z - np.nanmean(z, axis=0), 0.0)
    mask = present.astype("float64")
    if rows <= groups:
        size, count = 1, rows
    else:
        order = np.random.default_rng([seed, 1]).permutation(rows)
        centred, mask = centred[order], mask[order]
        size, count = -(-rows // groups), groups
    pad = size * count - rows  # padding rows have mask 0 and contribute nothing
    if pad:
        centred = np.vstack([centred, np.zeros((pad, z.shape[1]))])
        mask = np.vstack([mask, np.zeros((pad, z.shape[1]))])
    centred = centred.reshape(count, size, -1)
    mask = mask.reshape(count, size, -1)
    centred_t, mask_t = centred.transpose(0, 2, 1), mask.transpose(0, 2, 1)
    return mask_t @ mask, centred_t @ mask, (centred_t**2) @ mask, centred_t @ centred


def _corr_from_sums(n: np.ndarray, s: np.ndarray, q: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Pairwise-complete Pearson correlations (as ``pandas.DataFrame.corr()``) from summed statistics.

    Works on one ``(p, p)`` set of sums or a stack ``(..., p, p)``. Pairs with fewer than two
    common rows or no spread get 0 (no information); the diagonal is 1.
    """
    s_t = np.swapaxes(s, -1, -2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = c - s * s_t / n
        var = q - s**2 / n
        corr = cov / np.sqrt(var * np.swapaxes(var, -1, -2))
    corr = np.where((n >= 2) & np.isfinite(corr), np.clip(corr, -1, 1), 0.0)
    idx = np.arange(corr.shape[-1])
    corr[..., idx, idx] = 1.0
    return corr


def _relative_weights(corr: np.ndarray) -> tuple[np.ndarray, float]:
    """Johnson's relative weights from the joint correlation matrix (outcome last): ``(weights, R²)``."""
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    values, vectors = np.linalg.eigh(rxx)
    values = np.clip(values, 0.0, None)
    root = np.sqrt(values)
    lam = (vectors * root) @ vectors.T  # R_xx^(1/2): correlations between predictors and their orthogonal twins
    inv_root = np.where(root > 1e-10, 1.0 / np.where(root > 1e-10, root, 1.0), 0.0)
    beta = (vectors * inv_root) @ vectors.T @ rxy  # outcome regressed on the orthogonal twins
    weights = (lam**2) @ (beta**2)
    return weights, float(weights.sum())


def _bootstrap(groups: tuple[np.ndarray, ...], estimate: np.ndarray, reps: int, seed: int) -> tuple[np.ndarray, ...]:
    """95 % bootstrap intervals of the weights and their shares, resampling the groups with replacement."""
    rng = np.random.default_rng(seed)
    count = len(groups[0])
    draws = rng.multinomial(count, np.full(count, 1.0 / count), size=reps).astype("float64")
    width = groups[0].shape[-1]
    # All replicates' sums in one matrix product: (reps × groups) @ (groups × everything).
    stacked = np.concatenate([part.reshape(count, -1) for part in groups], axis=1)
    sums = (draws @ stacked).reshape(reps, 4, width, width)
    weights = np.empty((reps, width - 1))
    for b in range(reps):
        weights[b], _ = _relative_weights(_corr_from_sums(*sums[b]))
    totals = weights.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, weights / totals, np.nan)
    return (*_recentred(weights, estimate, 0.0, np.inf), *_recentred(shares, estimate / estimate.sum() if estimate.sum() > 0 else estimate * np.nan, 0.0, 1.0))


def _recentred(replicates: np.ndarray, estimate: np.ndarray, floor: float, ceiling: float) -> tuple[np.ndarray, np.ndarray]:
    """The replicates' 2.5 % and 97.5 % quantiles moved so that their median sits on the estimate.

    Resampling duplicates respondents, which adds noise to the correlations, and noise always
    shares in R²: the bootstrap distribution of a small weight lies above the estimate, so a plain
    percentile interval can miss it. Shifting by (estimate − bootstrap median) removes that bias
    to first order; the ends are then clipped to the statistic's range.
    """
    if not np.isfinite(replicates).any() or not np.isfinite(estimate).any():
        nan = np.full(replicates.shape[1], np.nan)
        return nan, nan.copy()
    low, median, high = np.nanquantile(replicates, [0.025, 0.5, 0.975], axis=0)
    shift = estimate - median
    return np.clip(low + shift, floor, ceiling), np.clip(high + shift, floor, ceiling)
