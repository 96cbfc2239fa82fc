"""Which channels customers use before buying, how they buy, and where they leave us for a competitor."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ..dataset import Dataset
from . import _behaviour as b
from ._stats import suppress, wilson_interval

#: Channels counted as online; ``store`` is the physical shop; any other channel (phone, mail…)
#: is neither, and a purchase there gives the journey type ``other``. *Researching* online means a
#: customer-initiated event (catalogue ``initiative == "customer"``) on an online channel: ads and
#: newsletters the customer receives are not research.
ONLINE_CHANNELS = ("web", "app", "email", "chat", "social")
STORE_CHANNELS = ("store",)
NONE = "(none)"
JOURNEY_TYPES = ("online only", "store → online", "research online → buy in store", "store only", "other", "no purchase")
KINDS = ("matrix", "journey_types", "leakage")

MATRIX_COLUMNS = ["channel", "purchase_channel", "customers", "purchasers", "share", "low", "high", "suppressed"]
TYPE_COLUMNS = ["journey_type", "customers", "n", "share", "low", "high", "buyers", "share_of_buyers", "share_of_buyers_low", "share_of_buyers_high", "suppressed"]
LEAKAGE_COLUMNS = ["touchpoint", "stage", "channel", "ended", "leakers", "leak_rate", "low", "high", "share_of_leakers", "top_competitor", "suppressed"]


def channel_switching(ds: Dataset, by: str | None = None, kind: str = "matrix") -> pd.DataFrame:
    """Omnichannel behaviour: channels before the purchase, journey types, leakage to competitors.

    Journeys are our brand's events ordered by timestamp then event_id; the purchase is the first
    event at the conversion stage and the *purchase channel* is that event's channel. Events
    strictly before it are "before the purchase". One function, three tables, chosen by ``kind``.

    Parameters
    ----------
    ds
        The dataset (needs ``events`` and a journey with a conversion stage).
    by
        A customer attribute or segment; becomes the first column.
    kind
        ``"matrix"`` (default), ``"journey_types"`` or ``"leakage"`` — see Returns.

    Returns
    -------
    pandas.DataFrame
        ``kind="matrix"`` — one row per (channel used before the purchase, purchase channel):

        - ``channel``: a channel with at least one event before the purchase (``"(none)"`` for
          purchasers with no earlier event).
        - ``purchase_channel``: the channel of the purchase event.
        - ``customers``: purchasers through ``purchase_channel`` who used ``channel`` before.
        - ``purchasers``: all purchasers through ``purchase_channel`` (the denominator).
        - ``share`` = ``customers / purchasers`` (0–1; rows of one purchase channel can sum to more
          than 1, a customer using several channels) with Wilson ``low``/``high``.

        ``kind="journey_types"`` — one row per type in :data:`JOURNEY_TYPES`:

        - ``journey_type``: ``store → online`` (bought online after some store contact),
          ``online only`` (bought online, no store contact before), ``research online → buy in
          store`` (bought in store after researching online: a customer-initiated event on an
          online channel, see :data:`ONLINE_CHANNELS`), ``store only`` (bought in store without
          researching online), ``other`` (bought on another channel, e.g. phone),
          ``no purchase``.
        - ``customers``; ``n`` (all customers in the group, the denominator);
          ``share`` = ``customers / n`` with Wilson ``low``/``high``.
        - ``buyers``: customers of the group who bought (the denominator of the next one);
          ``share_of_buyers`` = ``customers / buyers`` with Wilson ``share_of_buyers_low``/
          ``share_of_buyers_high`` (NaN for ``no purchase``).

        ``kind="leakage"`` — where journeys leave our brand for a competitor. Uses events of
        every brand; a customer *leaks* when, after their last event with our brand, they have an
        event with another brand. One row per touchpoint where a journey with our brand ended:

        - ``touchpoint``, ``stage``, ``channel``: the customer's last touchpoint with our brand.
        - ``ended``: customers whose journey with us ended there (the denominator).
        - ``leakers``: of those, customers who then went to a competitor.
        - ``leak_rate`` = ``leakers / ended`` with Wilson ``low``/``high``.
        - ``share_of_leakers`` = ``leakers / all leakers of the group``.
        - ``top_competitor``: the brand most leakers from there went to first (ties: alphabetical).

        Every kind ends with ``suppressed``: True when the rate's denominator is below
        ``ds.min_group_size`` (the rate and interval are then NaN).

    Raises
    ------
    ValueError
        Unknown ``kind``; ``by`` not a customer attribute; no conversion stage in the journey
        (``matrix``, ``journey_types``); a filter leaving no events.
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not allowed; use one of {', '.join(map(repr, KINDS))}")
    if kind == "leakage":
        return _leakage(ds, by)
    stage = b.conversion_stage(ds, "channel_switching")
    t, keys = b.journey_events(ds, by, analysis="channel_switching")
    part = [*keys, "customer_id"]
    t = b.with_sequence(t, keys)
    conv_seq = t.seq.min(where=t.stage == stage).over(group_by=part)
    t = t.mutate(_conv_seq=conv_seq)
    if kind == "matrix":
        return _matrix(ds, t, keys, by)
    return _journey_types(ds, t, keys, by)


def _matrix(ds: Dataset, t: ibis.Table, keys: list[str], by: str | None) -> pd.DataFrame:
    part = [*keys, "customer_id"]
    buyers = t.filter(t._conv_seq.notnull())
    purchase = buyers.filter(buyers.seq == buyers._conv_seq).select(*part, purchase_channel=buyers.channel.cast("string"))
    before = buyers.filter(buyers.seq < buyers._conv_seq).select(*part, channel=buyers.channel.cast("string")).distinct()
    earlier = purchase.left_join(before, part)
    earlier = earlier.select(*part, "purchase_channel", channel=earlier.channel.fill_null(NONE))
    pairs = earlier.group_by([*keys, "channel", "purchase_channel"]).aggregate(customers=earlier.count())
    totals = purchase.group_by([*keys, "purchase_channel"]).aggregate(purchasers=purchase.count())
    out = ds.engine.to_pandas(pairs)
    denominators = ds.engine.to_pandas(totals)
    _check_any(ds, t, keys)
    out = b.as_str(b.as_int(out, ["customers"]), ["channel", "purchase_channel", *keys])
    denominators = b.as_str(b.as_int(denominators, ["purchasers"]), ["purchase_channel", *keys])
    out = out.merge(denominators, on=[*keys, "purchase_channel"], how="left")
    out = b.as_int(out, ["purchasers"])
    out["share"] = out["customers"] / out["purchasers"].where(out["purchasers"] > 0)
    out["low"], out["high"] = wilson_interval(out["customers"], out["purchasers"])
    out = suppress(out, "purchasers", ["share", "low", "high"], ds.min_group_size)
    out = out.sort_values([*keys, "purchase_channel", "customers", "channel"], ascending=[True] * len(keys) + [True, False, True], kind="stable")
    return b.finish(out, by, MATRIX_COLUMNS).astype(b.dtypes(by, MATRIX_COLUMNS, {"channel": "str", "purchase_channel": "str", "customers": "int64", "purchasers": "int64", "suppressed": "bool"}))


def _journey_types(ds: Dataset, t: ibis.Table, keys: list[str], by: str | None) -> pd.DataFrame:
    part = [*keys, "customer_id"]
    online = t.channel.isin(list(ONLINE_CHANNELS))
    store = t.channel.isin(list(STORE_CHANNELS))
    catalogue = ds.journey.catalogue()
    by_customer = catalogue.loc[catalogue["initiative"] == "customer", "touchpoint"].tolist()
    research = online & (t.touchpoint.isin(by_customer) if by_customer else ibis.literal(False))
    before = t.seq < t._conv_seq
    at_purchase = t.seq == t._conv_seq
    flags = t.group_by(part).aggregate(
        bought=t._conv_seq.notnull().cast("int64").max(),
        online_before=(before & research).cast("int64").max(),
        store_before=(before & store).cast("int64").max(),
        bought_online=(at_purchase & online).cast("int64").max(),
        bought_store=(at_purchase & store).cast("int64").max(),
    )
    kind = (
        ibis.cases(
            (flags.bought == 0, "no purchase"),
            ((flags.bought_online == 1) & (flags.store_before == 1), "store → online"),
            (flags.bought_online == 1, "online only"),
            ((flags.bought_store == 1) & (flags.online_before == 1), "research online → buy in store"),
            (flags.bought_store == 1, "store only"),
            else_="other",
        )
    )
    typed = flags.mutate(journey_type=kind)
    out = ds.engine.to_pandas(typed.group_by([*keys, "journey_type"]).aggregate(customers=typed.count()))
    b.check_not_filtered_away(ds, out.empty)
    if out.empty:
        return b.empty_frame(b.dtypes(by, TYPE_COLUMNS, {"journey_type": "str", "customers": "int64", "n": "int64", "buyers": "int64", "suppressed": "bool"}))
    out = b.as_str(b.as_int(out, ["customers"]), ["journey_type", *keys])
    groups = out[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
    grid = groups.merge(pd.DataFrame({"journey_type": list(JOURNEY_TYPES)}), how="cross")
    grid = b.as_str(grid, ["journey_type", *keys])
    out = grid.merge(out, on=[*keys, "journey_type"], how="left")
    out = b.as_int(out, ["customers"])
    out["n"] = (out.groupby(keys)["customers"].transform("sum") if keys else pd.Series(out["customers"].sum(), index=out.index)).astype("int64")
    out["share"] = out["customers"] / out["n"].where(out["n"] > 0)
    out["low"], out["high"] = wilson_interval(out["customers"], out["n"])
    bought = out["journey_type"] != "no purchase"
    buyers = out["customers"].where(bought, 0)
    out["buyers"] = (buyers.groupby([out[k] for k in keys]).transform("sum") if keys else pd.Series(buyers.sum(), index=out.index)).astype("int64")
    out["share_of_buyers"] = (out["customers"] / out["buyers"].where(out["buyers"] > 0)).where(bought)
    low, high = wilson_interval(out["customers"], out["buyers"])
    out["share_of_buyers_low"], out["share_of_buyers_high"] = np.where(bought, low, np.nan), np.where(bought, high, np.nan)
    out = suppress(out, "n", ["share", "low", "high"], ds.min_group_size)
    out = suppress(out, "buyers", ["share_of_buyers", "share_of_buyers_low", "share_of_buyers_high"], ds.min_group_size)
    return b.finish(out, by, TYPE_COLUMNS).astype(b.dtypes(by, TYPE_COLUMNS, {"journey_type": "str", "customers": "int64", "n": "int64", "buyers": "int64", "suppressed": "bool"}))


def _leakage(ds: Dataset, by: str | None) -> pd.DataFrame:
    t, keys = b.journey_events(ds, by, all_brands=True, analysis="channel_switching")
    part = [*keys, "customer_id"]
    t = b.with_sequence(t, keys)
    ours = t.brand == ds.brand
    t = t.mutate(_last_ours=t.seq.max(where=ours).over(group_by=part))
    t = t.filter(t._last_ours.notnull())
    last = t.filter(t.seq == t._last_ours).select(*part, touchpoint=t.touchpoint.cast("string"), stage=t.stage.cast("string"), channel=t.channel.cast("string"))
    after = t.filter((t.seq > t._last_ours) & (t.brand != ds.brand))
    first_after = after.mutate(_first=after.seq.min().over(group_by=part))
    went = first_after.filter(first_after.seq == first_after._first).select(*part, competitor=first_after.brand.cast("string"))
    joined = last.left_join(went, part)
    joined = joined.select(*part, "touchpoint", "stage", "channel", "competitor")
    where_cols = [*keys, "touchpoint", "stage", "channel"]
    ends = joined.group_by(where_cols).aggregate(ended=joined.count(), leakers=joined.competitor.notnull().cast("int64").sum())
    to = joined.filter(joined.competitor.notnull())
    to = to.group_by([*where_cols, "competitor"]).aggregate(customers=to.count())
    out = ds.engine.to_pandas(ends)
    rivals = ds.engine.to_pandas(to)
    b.check_not_filtered_away(ds, out.empty)
    special = {"touchpoint": "str", "stage": "str", "channel": "str", "ended": "int64", "leakers": "int64", "top_competitor": "str", "suppressed": "bool"}
    if out.empty:
        return b.empty_frame(b.dtypes(by, LEAKAGE_COLUMNS, special))
    out = b.as_str(b.as_int(out, ["ended", "leakers"]), where_cols)
    rivals = b.as_str(b.as_int(rivals, ["customers"]), [*where_cols, "competitor"])
    rivals = rivals.sort_values([*where_cols, "customers", "competitor"], ascending=[True] * len(where_cols) + [False, True], kind="stable")
    top = rivals.drop_duplicates(where_cols)[[*where_cols, "competitor"]].rename(columns={"competitor": "top_competitor"})
    out = out.merge(top, on=where_cols, how="left")
    out["leak_rate"] = out["leakers"] / out["ended"]
    out["low"], out["high"] = wilson_interval(out["leakers"], out["ended"])
    all_leakers = out.groupby(keys)["leakers"].transform("sum") if keys else pd.Series(out["leakers"].sum(), index=out.index)
    out["share_of_leakers"] = out["leakers"] / all_leakers.where(all_leakers > 0)
    out["_all"] = all_leakers
    out = suppress(out, "ended", ["leak_rate", "low", "high", "top_competitor"], ds.min_group_size)
    out = suppress(out, "_all", ["share_of_leakers"], ds.min_group_size)
    out["top_competitor"] = out["top_competitor"].astype("str").where(out["top_competitor"].notna())
    out = out.sort_values([*keys, "leakers", "touchpoint"], ascending=[True] * len(keys) + [False, True], kind="stable")
    return b.finish(out, by, LEAKAGE_COLUMNS).astype(b.dtypes(by, LEAKAGE_COLUMNS, special))


def _check_any(ds: Dataset, t: ibis.Table, keys: list[str]) -> None:
    if ds.filters:
        count = ds.engine.to_pandas(t.aggregate(n=t.count()))
        b.check_not_filtered_away(ds, int(count["n"].fillna(0).iloc[0]) == 0)
