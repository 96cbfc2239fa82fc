"""Seeded sample datasets with planted facts, for demos, notebooks, tests and benchmarks.

Two samples are built in:

``lifecycle`` (``fr``)
    "Maison Lumière", a French home-decoration retailer, and two fictional competitors
    ("Atelier Nord", "Casa Verde"): customers with age, gender, French region and acquisition
    channel; a year (2025) of omnichannel journeys (research online then buy in store, online only,
    store only, store then online) across web, app, store, phone, email, chat, social and mail,
    with drop-offs at every stage and journeys that leak to a competitor; a satisfaction survey
    of our customers and a competitor panel.
``hotel`` (``en``)
    A smaller hotel dataset: booking → check-in → stay → dining → check-out.

Each sample hides a few facts of known size (:data:`PLANTED`) that the analyses must find; they
are documented in ``data/samples/README.md``. Everything else is noise drawn from the same seeded
:class:`numpy.random.Generator`, so the same arguments always give the same data.

Generation is vectorised (no loop over customers): one million customers (about ten million
events) take well under a minute (``benchmarks/bench_samples.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .journey import Journey, JourneyError, Scale

__all__ = ["PLANTED", "SAMPLE_TEMPLATES", "SampleData", "generate", "write_sample"]

#: Templates the generator knows, with their default size, language and brands.
SAMPLE_TEMPLATES: dict[str, dict[str, Any]] = {
    "lifecycle": {"customers": 5000, "lang": "fr", "brand": "Maison Lumière", "competitors": ("Atelier Nord", "Casa Verde")},
    "hotel": {"customers": 1500, "lang": "en", "brand": "Quayside Hotel", "competitors": ("The Linden Hotel",)},
}

#: The facts planted in each sample, with their designed size. Tests and analyses assert against
#: these; ``data/samples/README.md`` explains how to see each one in the data.
PLANTED: dict[str, dict[str, Any]] = {
    "lifecycle": {
        "friction": {
            "touchpoint": "account_creation",
            # share of customers who had the touchpoint (with our brand) and never bought from us
            "non_purchase_rate": 0.45,
            # before the cost of newsletter pressure; measured rates at other touchpoints are 0.15-0.25
            "base_non_purchase_rate": 0.15,
            "other_max_non_purchase_rate": 0.27,
        },
        "negative_gap": {"touchpoint": "home_delivery", "brand": "Maison Lumière", "gap": -1.5, "others_gap_range": (-0.3, 0.6)},
        "ropo_segment": {
            "column": "age_band",
            "value": "25-44",
            # share of buyers (from us) who researched on web/app and bought in store
            "ropo_share": 0.45,
            "others_ropo_share": 0.15,
        },
        "competitor_lead": {"touchpoint": "instore_advice", "competitor": "Atelier Nord", "brand": "Maison Lumière", "difference": 0.8},
        "churn": {"detractors": 0.45, "passives": 0.22, "promoters": 0.10},
        "intrusive": {
            "touchpoint": "newsletter_promo",
            # drawn with mean 6.5, at most three a day: about 6.2 per recipient in the data
            "mean_contacts_per_recipient": 6.2,
            "heavy_threshold": 10,
            # heavily contacted customers lose this extra share of their purchases
            "heavy_extra_drop": 0.25,
            "perception": 3.1,
        },
        "moment_of_truth": {"touchpoint": "home_delivery", "overall_weight": 0.65, "gap": -1.5},
        # Written by write_sample(damaged=True) into CSV files only, each right after the row it
        # copies (``after_row``, 0-based data row of the clean file); generate() stays clean.
        "damaged_rows": {
            "rows": (
                {"table": "events", "after_row": 100, "column": "customer_id", "value": None, "problem": "customer_id is empty"},
                {"table": "events", "after_row": 2000, "column": "timestamp", "value": "2025-02-31 10:15:00", "value_fr": "31/02/2025 10:15", "problem": "timestamp is not a date (31 February)"},
                {"table": "events", "after_row": 30000, "column": "touchpoint", "value": "vitrine_noel", "problem": "touchpoint is not in the catalogue"},
                {"table": "ratings", "after_row": 500, "column": "perception", "value": 12.0, "value_fr": "12", "problem": "perception 12 is outside the 1-7 scale and not a declared missing code"},
                {"table": "respondents", "after_row": 300, "column": "nps", "value": 15.0, "value_fr": "15", "problem": "nps 15 is outside the 0-10 scale",
                 "also": {"respondent_id": "R900001", "customer_id": None}},
            ),
        },
    },
    "hotel": {
        # the competitor serves a better breakfast: its gap there is about -0.4
        "negative_gap": {"touchpoint": "breakfast", "brand": "Quayside Hotel", "gap": -1.2, "competitor_gap": -0.4},
        "segment_gap": {"touchpoint": "wifi", "column": "trip_type", "value": "business", "gap": -1.0, "others_gap": 0.0},
        # the strongest driver of overall satisfaction, performing at par (gap about 0)
        "key_driver": {"touchpoint": "room_comfort", "overall_weight": 0.55},
        "churn": {"detractors": 0.40, "passives": 0.20, "promoters": 0.08},
    },
}

_EPOCH = np.datetime64("2025-01-01T00:00:00", "s")
_YEAR_DAYS = 365
_DAY = 86_400

# Hour-of-day weights by channel (index = hour); sessions start at one of these hours.
_HOURS = {
    "online": np.array([1, 1, 0, 0, 0, 0, 1, 2, 4, 5, 6, 7, 9, 9, 7, 6, 6, 7, 9, 11, 12, 11, 8, 4], float),
    "store": np.array([0] * 10 + [5, 7, 8, 7, 9, 10, 11, 12, 11, 6] + [0] * 4, float),
    "email": np.array([0] * 6 + [4, 8, 6, 3] + [0] * 14, float),
    "office": np.array([0] * 9 + [8, 9, 9, 6, 8, 9, 9, 8, 6] + [0] * 6, float),
    "mail": np.array([0] * 8 + [7, 9, 10, 10, 8, 9, 9, 8, 6, 3] + [0] * 6, float),
}
_CHANNEL_HOURS = {"web": "online", "app": "online", "social": "online", "chat": "online", "store": "store", "email": "email", "phone": "office", "mail": "mail"}

_LIFECYCLE_TP = (
    "shop_window", "social_ad", "search_engine", "influencer_post",
    "website_visit", "product_page", "app_browse", "account_creation", "newsletter_promo", "chat_advice",
    "store_layout", "staff_greeting", "highlighted_product", "instore_advice", "return_policy",
    "online_checkout", "app_checkout", "store_checkout", "email_optin",
    "order_confirmation", "delivery_tracking", "home_delivery", "click_and_collect",
    "assembly_guide", "social_post", "online_review",
    "thankyou_email", "customer_service_phone", "chat_support", "loyalty_program",
)  # fmt: skip

# Mean perception, expectation and stated importance (1-7) for our brand, per touchpoint.
_LIFECYCLE_SCORES = {
    "shop_window": (5.3, 5.0, 3.5), "social_ad": (4.6, 4.4, 2.8), "search_engine": (5.0, 4.9, 3.8),
    "influencer_post": (4.8, 4.6, 2.9), "website_visit": (5.3, 5.2, 4.8), "product_page": (5.2, 5.1, 5.2),
    "app_browse": (5.3, 5.0, 4.2), "account_creation": (4.5, 4.5, 3.9), "newsletter_promo": (3.1, 3.3, 2.5),
    "chat_advice": (5.4, 5.1, 4.6), "store_layout": (5.8, 5.5, 4.4), "staff_greeting": (5.7, 5.4, 4.9),
    "highlighted_product": (5.5, 5.2, 4.0), "instore_advice": (5.1, 5.2, 5.5), "return_policy": (5.4, 5.3, 4.7),
    "online_checkout": (5.5, 5.4, 5.6), "app_checkout": (5.6, 5.4, 5.4), "store_checkout": (5.7, 5.5, 5.3),
    "email_optin": (4.8, 4.6, 2.6), "order_confirmation": (5.8, 5.6, 4.5), "delivery_tracking": (5.2, 5.1, 5.0),
    "home_delivery": (4.1, 5.6, 6.2), "click_and_collect": (5.6, 5.4, 5.3), "assembly_guide": (5.0, 4.9, 4.4),
    "social_post": (5.2, 5.0, 2.7), "online_review": (5.0, 4.8, 3.5), "thankyou_email": (5.3, 5.0, 3.0),
    "customer_service_phone": (4.9, 5.0, 5.3), "chat_support": (5.1, 5.0, 4.9), "loyalty_program": (5.2, 4.9, 3.9),
}  # fmt: skip
# Touchpoints a competitor panel rates, and how far each competitor sits from our perception.
_PANEL_TP = (
    "search_engine", "website_visit", "product_page", "store_layout", "staff_greeting", "instore_advice",
    "online_checkout", "store_checkout", "home_delivery", "customer_service_phone",
)  # fmt: skip
# The first competitor's +1.0 shift at instore_advice shows as about +0.8 on the 1-7 scale (ratings
# are rounded and capped at 7).
_COMPETITOR_OFFSETS = ({"_": -0.25, "instore_advice": 1.0}, {"_": -0.15, "instore_advice": -0.1, "website_visit": -0.4, "product_page": -0.4})

_REGIONS = {
    "Île-de-France": 12.3, "Auvergne-Rhône-Alpes": 8.1, "Nouvelle-Aquitaine": 6.1, "Hauts-de-France": 6.0,
    "Occitanie": 6.0, "Grand Est": 5.6, "Provence-Alpes-Côte d'Azur": 5.1, "Pays de la Loire": 3.9,
    "Bretagne": 3.4, "Normandie": 3.3, "Bourgogne-Franche-Comté": 2.8, "Centre-Val de Loire": 2.6, "Corse": 0.35,
}  # fmt: skip
_AGE_BANDS = ("18-24", "25-44", "45-64", "65+")

_HOTEL_TP = (
    "hotel_website", "ota_listing", "phone_reservation", "online_booking", "booking_confirmation",
    "pre_arrival_email", "reception_welcome", "room_key", "room_comfort", "housekeeping", "wifi",
    "restaurant", "breakfast", "room_service", "checkout_desk", "invoice_email", "review_request",
)  # fmt: skip
_HOTEL_SCORES = {
    "hotel_website": (5.2, 5.0, 4.0), "ota_listing": (5.0, 5.0, 3.6), "phone_reservation": (5.6, 5.3, 4.2),
    "online_booking": (5.4, 5.3, 5.0), "booking_confirmation": (5.8, 5.6, 4.4), "pre_arrival_email": (5.1, 4.8, 3.2),
    "reception_welcome": (5.9, 5.6, 5.8), "room_key": (5.5, 5.5, 3.9), "room_comfort": (5.7, 5.6, 6.3),
    "housekeeping": (5.6, 5.4, 5.6), "wifi": (5.3, 5.3, 5.0), "restaurant": (5.4, 5.2, 4.6),
    "breakfast": (4.3, 5.5, 5.4), "room_service": (5.2, 5.0, 3.8), "checkout_desk": (5.6, 5.4, 4.3),
    "invoice_email": (5.3, 5.2, 3.1), "review_request": (4.6, 4.4, 2.4),
}  # fmt: skip
_HOTEL_PANEL_TP = ("hotel_website", "online_booking", "reception_welcome", "room_comfort", "housekeeping", "wifi", "breakfast", "restaurant", "checkout_desk")
_COUNTRIES = {"United Kingdom": 34, "United States": 14, "France": 12, "Germany": 11, "Ireland": 7, "Netherlands": 6, "Spain": 5, "Italy": 5, "Canada": 3, "Australia": 3}

# "ne sait pas" / "don't know" answers on the 1-7 scales; declared in journey.yml so never averaged.
_DONT_KNOW = 99.0
_DONT_KNOW_RATE = 0.02


@dataclass
class SampleData:
    """A generated sample: the journey and four raw tables (as they would appear in files).

    Attributes
    ----------
    journey : Journey
        The template with the sample's brand and scales (``perception`` and ``expectation`` declare
        the "don't know" code 99 as missing).
    events : pandas.DataFrame
        One row per contact: ``customer_id`` str, ``timestamp`` datetime64 (naive local time),
        ``touchpoint`` str, ``channel`` str, ``brand`` str, ``session_id`` str (missing for
        company-sent emails), ``value`` float64 (basket in euros on checkouts, else missing).
        Sorted by customer then time. No ``event_id`` / ``stage`` (the loader adds them).
    customers : pandas.DataFrame
        One row per person: ``customer_id`` and attributes (lifecycle: ``age``, ``age_band``,
        ``gender``, ``region``, ``acquisition_channel``; hotel: ``age``, ``age_band``,
        ``gender``, ``country``, ``trip_type``, ``acquisition_channel``).
    ratings : pandas.DataFrame
        One respondent's rating of one touchpoint of one brand: ``respondent_id``, ``brand``,
        ``touchpoint``, ``perception``, ``expectation``, ``importance`` float64 (1-7; 99 = "don't
        know"; missing = not asked).
    respondents : pandas.DataFrame
        ``respondent_id``, ``customer_id`` (missing for a competitor's panel respondent),
        ``brand``, ``date`` (day of the answer), ``overall`` (1-7), ``nps`` (0-10), ``ces``
        (1-7, 7 = effortless), ``churned`` bool.
    template, seed : str, int
        How the sample was made.
    """

    journey: Journey
    events: pd.DataFrame
    customers: pd.DataFrame
    ratings: pd.DataFrame
    respondents: pd.DataFrame
    template: str
    seed: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables by name."""
        return {"events": self.events, "customers": self.customers, "ratings": self.ratings, "respondents": self.respondents}


def generate(
    customers: int | None = None,
    seed: int = 42,
    template: str = "lifecycle",
    lang: str | None = None,
    competitors: Sequence[str] | None = None,
) -> SampleData:
    """Generate a seeded sample dataset with the planted facts of :data:`PLANTED`.

    Parameters
    ----------
    customers
        Number of customers (default: 5,000 for ``lifecycle``, 1,500 for ``hotel``). The
        lifecycle sample has about 11 events per customer.
    seed
        Seed of the :class:`numpy.random.Generator`; the same arguments give identical frames.
    template
        ``"lifecycle"`` (home-decoration retailer) or ``"hotel"``.
    lang
        Language of the journey's labels, ``"fr"`` or ``"en"`` (default: ``fr`` for lifecycle,
        ``en`` for hotel). Data values (ids, brands, regions) do not change with the language.
    competitors
        Competitor brand names (default: ``("Atelier Nord", "Casa Verde")`` for lifecycle,
        ``("The Linden Hotel",)`` for hotel); the first one gets the planted lead at
        ``instore_advice``. Pass ``()`` for a sample without competitors.

    Returns
    -------
    SampleData
        The journey and the ``events``, ``customers``, ``ratings`` and ``respondents`` frames.

    Raises
    ------
    ValueError
        When ``template`` is not a sample template, ``customers`` is below 1, or a competitor
        name repeats our brand.
    """
    if template not in SAMPLE_TEMPLATES:
        raise ValueError(f"template={template!r} has no sample generator; use one of {', '.join(SAMPLE_TEMPLATES)}")
    spec = SAMPLE_TEMPLATES[template]
    n = int(spec["customers"] if customers is None else customers)
    if n < 1:
        raise ValueError(f"customers={customers!r} must be a whole number ≥ 1")
    comps = tuple(spec["competitors"] if competitors is None else competitors)
    if spec["brand"] in comps or len(set(comps)) != len(comps):
        raise ValueError(f"competitors={list(comps)!r} must be distinct names other than our brand {spec['brand']!r}")
    journey = _sample_journey(template, lang or spec["lang"], spec["brand"])
    rng = np.random.default_rng(seed)
    build = _lifecycle if template == "lifecycle" else _hotel
    events, cust, ratings, resp = build(n, rng, journey, comps)
    return SampleData(journey, events, cust, ratings, resp, template, int(seed))


def write_sample(
    path: str | Path,
    customers: int | None = None,
    seed: int = 42,
    template: str = "lifecycle",
    lang: str | None = None,
    format: str = "csv",
    competitors: Sequence[str] | None = None,
    csv_style: str = "auto",
    damaged: bool = True,
) -> Path:
    """Write a sample dataset folder: ``journey.yml`` and the four tables.

    Parameters
    ----------
    path
        Dataset folder (created if missing; existing sample files are overwritten).
    customers, seed, template, lang, competitors
        As in :func:`generate`.
    format
        ``"csv"`` or ``"parquet"``.
    csv_style
        ``"fr"``: ``;`` separator, decimal comma, ``dd/mm/yyyy HH:MM`` dates, booleans
        ``oui``/``non``; ``"plain"``: ``,``, decimal point, ISO dates, ``true``/``false``;
        ``"auto"`` (default): ``fr`` when the language is French. Files are UTF-8.
    damaged
        Add the five damaged rows of ``PLANTED["lifecycle"]["damaged_rows"]`` to the lifecycle
        sample's CSV files (a demo of the loader's quarantine); ignored for parquet and for the
        hotel sample.

    Returns
    -------
    pathlib.Path
        The dataset folder.

    Raises
    ------
    ValueError
        For an unknown ``format`` or ``csv_style`` (and as :func:`generate`).
    """
    if format not in ("csv", "parquet"):
        raise ValueError(f"format={format!r} is not supported; use 'csv' or 'parquet'")
    if csv_style not in ("auto", "fr", "plain"):
        raise ValueError(f"csv_style={csv_style!r} is not supported; use 'auto', 'fr' or 'plain'")
    sample = generate(customers=customers, seed=seed, template=template, lang=lang, competitors=competitors)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    sample.journey.to_yaml(folder / "journey.yml")
    french = csv_style == "fr" or (csv_style == "auto" and sample.journey.language == "fr")
    for stale in ("events", "customers", "ratings", "respondents"):
        other = folder / f"{stale}.{'parquet' if format == 'csv' else 'csv'}"
        if other.exists():
            other.unlink()
    for name, frame in sample.tables().items():
        if format == "parquet":
            frame.to_parquet(folder / f"{name}.parquet", index=False)
            continue
        text = _french_csv(frame) if french else _plain_csv(frame)
        if damaged and template == "lifecycle":
            text = _damage(name, text, french)
        if french:
            text.to_csv(folder / f"{name}.csv", sep=";", decimal=",", index=False, encoding="utf-8")
        else:
            text.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
    return folder


# ---------------------------------------------------------------------- journey
def _sample_journey(template: str, lang: str, brand: str) -> Journey:
    base = Journey.template(template, lang=lang)
    wanted = _LIFECYCLE_TP if template == "lifecycle" else _HOTEL_TP
    missing = [t for t in wanted if t not in base.touchpoint_ids]
    if missing:
        raise JourneyError(f"template {template!r} lacks touchpoint(s) {missing} that the sample generator writes; restore them in journeyviz/templates/{template}.yml")
    scales = dict(base.scales)
    for name in ("perception", "expectation"):
        low, high = (scales[name].low, scales[name].high) if name in scales else (1.0, 7.0)
        scales[name] = Scale(low, high, (_DONT_KNOW,))
    for name in ("importance", "overall", "ces"):
        scales.setdefault(name, Scale(1.0, 7.0))
    scales.setdefault("nps", Scale(0.0, 10.0))
    return base.with_changes(brand=brand, scales=scales)


# ---------------------------------------------------------------------- event log
class _Log:
    """Accumulates event chunks as integer arrays; strings are made once at the end."""

    def __init__(self, rng: np.random.Generator, tps: Sequence[str], channels: dict[str, str]):
        self.rng = rng
        self.tps = tuple(tps)
        self.code = {t: i for i, t in enumerate(self.tps)}
        self.hours = np.array([_CHANNEL_HOURS.get(channels[t], "online") for t in self.tps])
        self.channel = np.array([channels[t] for t in self.tps], dtype=object)
        self.chunks: list[tuple[np.ndarray, ...]] = []
        self.sessions = 0

    def tod(self, profile: str, n: int) -> np.ndarray:
        """Seconds after midnight drawn from an hour-of-day profile."""
        weights = _HOURS[profile]
        hour = self.rng.choice(24, size=n, p=weights / weights.sum())
        return hour * 3600 + self.rng.integers(0, 3600, size=n)

    def add(self, cust: np.ndarray, secs: np.ndarray, tp: np.ndarray | int, brand: np.ndarray | int = 0, session: np.ndarray | int = -1, value: np.ndarray | float = np.nan) -> None:
        n = len(cust)
        if n == 0:
            return
        full = lambda v, dtype: np.broadcast_to(np.asarray(v, dtype=dtype), (n,)).copy()  # noqa: E731
        self.chunks.append((cust.astype(np.int64), secs.astype(np.int64), full(tp, np.int16), full(brand, np.int8), full(session, np.int64), full(value, np.float64)))

    def single(self, cust: np.ndarray, day: np.ndarray, tp: str, brand: np.ndarray | int = 0, session: bool = True) -> np.ndarray:
        """One event per customer on the given day at a time typical of its channel; returns its time."""
        code = self.code[tp]
        secs = day.astype(np.int64) * _DAY + self.tod(str(self.hours[code]), len(cust))
        sid = self.new_sessions(len(cust)) if session else -1
        self.add(cust, secs, code, brand, sid)
        return secs

    def single_at(self, cust: np.ndarray, secs: np.ndarray, code: int) -> None:
        """One event per customer at given times, each its own session."""
        self.add(cust, secs, code, 0, self.new_sessions(len(cust)))

    def new_sessions(self, n: int) -> np.ndarray:
        ids = self.sessions + np.arange(n, dtype=np.int64)
        self.sessions += n
        return ids

    def session(self, cust: np.ndarray, day: np.ndarray, profile: str, tps: Sequence[str], mask: np.ndarray, brand: np.ndarray | int = 0, values: dict[int, np.ndarray] | None = None, start: np.ndarray | None = None) -> np.ndarray:
        """A visit: the touchpoints of ``tps`` selected by ``mask`` (sessions × tps), 1-10 minutes apart.

        Returns the time of each session's last event (its start when the mask row is empty).
        """
        n = len(cust)
        if n == 0:
            return np.zeros(0, np.int64)
        if start is None:
            start = day.astype(np.int64) * _DAY + self.tod(profile, n)
        mask = np.asarray(mask, dtype=bool)
        gaps = self.rng.integers(60, 600, size=mask.shape) * mask
        cum = np.cumsum(gaps, axis=1)
        rows, cols = np.nonzero(mask)
        codes = np.array([self.code[t] for t in tps], dtype=np.int16)
        value = np.full(len(rows), np.nan)
        for col, v in (values or {}).items():
            sel = cols == col
            value[sel] = v[rows[sel]]
        brand_rows = np.asarray(brand)[rows] if np.ndim(brand) else brand
        self.add(cust[rows], start[rows] + cum[rows, cols], codes[cols], brand_rows, self.new_sessions(n)[rows], value)
        return start + cum[:, -1]

    def arrays(self) -> dict[str, np.ndarray]:
        """All events of 2025 as integer arrays, sorted by customer then time."""
        cust, secs, tp, brand, sess, value = (np.concatenate(parts) for parts in zip(*self.chunks))
        self.chunks = []
        keep = secs < _YEAR_DAYS * _DAY
        cust, secs, tp, brand, sess, value = cust[keep], secs[keep], tp[keep], brand[keep], sess[keep], value[keep]
        # one int64 key (customer, second of the year) sorts faster than a two-key lexsort
        order = np.argsort(cust * (1 << 26) + secs, kind="stable")
        return {"cust": cust[order], "secs": secs[order], "tp": tp[order], "brand": brand[order], "session": sess[order], "value": value[order]}

    def frame(self, arr: dict[str, np.ndarray], customer_ids: np.ndarray, brands: Sequence[str]) -> pd.DataFrame:
        sess = arr["session"]
        session_col = _arrow_ids("S", pa.array(sess + 1, mask=sess < 0), width=8)
        return pd.DataFrame(
            {
                "customer_id": _take(customer_ids, arr["cust"]),
                "timestamp": (_EPOCH + arr["secs"].astype("timedelta64[s]")).astype("datetime64[us]"),
                "touchpoint": _take(np.array(self.tps, dtype=object), arr["tp"]),
                "channel": _take(self.channel, arr["tp"]),
                "brand": _take(np.array(brands, dtype=object), arr["brand"]),
                "session_id": pd.array(session_col, dtype="str"),
                "value": arr["value"],
            }
        )


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + 1-based zero-padded numbers, e.g. ``C000001``."""
    return np.asarray(_arrow_ids(prefix, pa.array(np.arange(1, n + 1)), width).to_numpy(zero_copy_only=False), dtype=object)


def _arrow_ids(prefix: str, numbers: pa.Array, width: int) -> pa.Array:
    padded = pc.utf8_lpad(pc.cast(numbers, pa.large_string()), width=width, padding="0")
    text = pa.large_string()
    return pc.binary_join_element_wise(pa.scalar(prefix, text), padded, pa.scalar("", text))


def _take(dictionary: np.ndarray, codes: np.ndarray) -> pd.Series:
    """Strings from integer codes through Arrow (fast and light for millions of rows)."""
    return pd.Series(pd.array(pa.array(dictionary, type=pa.large_string()).take(pa.array(codes)), dtype="str"))


def _pick(rng: np.random.Generator, options: Sequence[Any], p: Sequence[float], size: int) -> np.ndarray:
    p = np.asarray(p, float)
    return np.asarray(options)[rng.choice(len(options), size=size, p=p / p.sum())]


def _start_days(rng: np.random.Generator, n: int, last_day: int) -> np.ndarray:
    """First-contact day (0 = 1 January 2025) with retail seasonality: January and summer sales, Black Friday."""
    return _start_days_weighted(rng, n, last_day, np.array([1.3, 0.8, 0.9, 1.0, 1.0, 1.1, 0.9, 0.7, 1.0, 1.1, 1.3, 1.2]))


def _start_days_weighted(rng: np.random.Generator, n: int, last_day: int, month_weight: np.ndarray) -> np.ndarray:
    month_of_day = (np.datetime64("2025-01-01") + np.arange(last_day + 1)).astype("datetime64[M]").astype(int) % 12
    weights = month_weight[month_of_day]
    return rng.choice(last_day + 1, size=n, p=weights / weights.sum())


def _gap_days(rng: np.random.Generator, n: int, mean: float, low: int = 1) -> np.ndarray:
    return low + rng.geometric(1.0 / (1.0 + mean), size=n) - 1


def _people(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    age = np.clip(np.rint(rng.normal(44, 15, n)), 18, 88).astype(np.int64)
    band = np.select([age < 25, age < 45, age < 65], _AGE_BANDS[:3], _AGE_BANDS[3]).astype(object)
    gender = _pick(rng, ["F", "M", None], [0.57, 0.415, 0.015], n).astype(object)
    return {"age": age, "age_band": band, "gender": gender}


# ---------------------------------------------------------------------- lifecycle sample
def _lifecycle(n: int, rng: np.random.Generator, journey: Journey, comps: tuple[str, ...]):
    catalogue = {t.id: t.channel for t in journey.touchpoints}
    log = _Log(rng, _LIFECYCLE_TP, catalogue)
    brands = (journey.brand, *comps)
    idx = np.arange(n, dtype=np.int64)
    people = _people(rng, n)
    young = people["age_band"] == "25-44"

    # Path intent: 0 research online → store (ROPO), 1 online only, 2 store only, 3 store → online.
    p_young = np.array([0.45, 0.25, 0.20, 0.10])
    p_other = np.array([0.13, 0.32, 0.45, 0.10])
    u = rng.random(n)
    mode = np.where(young, np.searchsorted(np.cumsum(p_young), u), np.searchsorted(np.cumsum(p_other), u)).clip(0, 3)
    online_research = mode <= 1
    app_user = rng.random(n) < np.where(young, 0.5, 0.25)

    # Awareness: everyone; the first touch depends on how the person shops.
    day = _start_days(rng, n, last_day=334)
    first_day = day.copy()
    aw_online = ["search_engine", "social_ad", "influencer_post", "shop_window"]
    aw_store = ["shop_window", "social_ad", "search_engine", "influencer_post"]
    first_aw = np.where(online_research, _pick(rng, aw_online, [0.4, 0.3, 0.2, 0.1], n), _pick(rng, aw_store, [0.8, 0.1, 0.05, 0.05], n))
    for tp in aw_online:
        sel = first_aw == tp
        log.single(idx[sel], day[sel], tp)
    second = rng.random(n) < 0.3
    day = day + np.where(second, _gap_days(rng, n, 2.0), 0)
    second_tp = np.where(online_research, _pick(rng, aw_online, [0.25, 0.35, 0.25, 0.15], n), _pick(rng, aw_store, [0.8, 0.1, 0.05, 0.05], n))
    for tp in aw_online:
        sel = second & (second_tp == tp)
        log.single(idx[sel], day[sel], tp)
    acquisition = np.select(
        [rng.random(n) < 0.12, first_aw == "shop_window", first_aw == "search_engine", first_aw == "influencer_post"],
        ["referral", "store", "search", "influencer"],
        "social",
    ).astype(object)

    # Consideration: 80 % go on; the rest stop after awareness.
    considers = rng.random(n) < 0.80
    day = day + _gap_days(rng, n, 3.0)

    # Online research sessions (ROPO and online-only intents): 1-3 visits on web or app.
    online_c = idx[considers & online_research]
    n_sessions = 1 + rng.binomial(2, 0.4, size=len(online_c))
    cur = day[online_c].copy()
    chat_session = rng.integers(0, n_sessions)
    for k in range(3):
        live = n_sessions > k
        who = online_c[live]
        m = len(who)
        in_app = app_user[who] & (rng.random(m) < 0.7)
        n_pages = rng.poisson(1.6, size=m)
        tps = ["website_visit", "app_browse", "product_page", "product_page", "product_page", "app_browse", "chat_advice"]
        mask = np.column_stack(
            [~in_app, in_app, ~in_app & (n_pages >= 1), ~in_app & (n_pages >= 2), ~in_app & (n_pages >= 3), in_app & (n_pages >= 2), (chat_session[live] == k) & (rng.random(m) < 0.15)]
        )
        log.session(who, cur[live], "online", tps, mask)
        cur[live] = cur[live] + np.where(n_sessions[live] > k + 1, _gap_days(rng, m, 3.0), 0)
    day[online_c] = cur + _gap_days(rng, len(online_c), 2.0)

    # Store research visits (store-only and store → online intents); some come twice.
    store_c = idx[considers & ~online_research]
    twice = rng.random(len(store_c)) < 0.2
    store_tps = ["store_layout", "staff_greeting", "highlighted_product", "instore_advice", "return_policy"]
    store_p = np.array([0.8, 0.65, 0.45, 0.55, 0.25])
    first = store_c[twice]
    mask = rng.random((len(first), 5)) < store_p
    mask[~mask.any(axis=1), 0] = True
    log.session(first, day[first], "store", store_tps, mask)
    day[first] += _gap_days(rng, len(first), 4.0)
    main_mask = rng.random((len(store_c), 5)) < store_p
    main_mask[~main_mask.any(axis=1), 0] = True
    # store-only customers pay at the end of this visit, so theirs is written with the checkout below
    browse = mode[store_c] == 3
    log.session(store_c[browse], day[store_c[browse]], "store", store_tps, main_mask[browse])
    store_only_mask = main_mask[~browse]
    day[store_c] += np.where(mode[store_c] == 3, _gap_days(rng, len(store_c), 3.0), 0)

    # Newsletter: 75 % of those who research online (they left their email on the site or app)
    # get promotional emails, many of them.
    recipients = idx[considers & online_research & (rng.random(n) < 0.75)]
    # They fall between the first contact and the decision visit: a short, crowded window (the
    # pressure), at most three a day, and a journey that still ends where the customer stopped.
    start = first_day[recipients] + 1
    stop = np.maximum(day[recipients] - 1, start)
    contacts = np.minimum(1 + rng.negative_binomial(2, 2.0 / (2.0 + 5.5), size=len(recipients)), 3 * (stop - start + 1))
    heavy = np.zeros(n, bool)
    heavy[recipients] = contacts >= PLANTED["lifecycle"]["intrusive"]["heavy_threshold"]

    # Account creation at the end of the last online visit before an online purchase (the friction).
    account = np.zeros(n, bool)
    account[considers] = rng.random(int(considers.sum())) < np.select([mode[considers] == 1, mode[considers] == 3], [0.40, 0.30], 0.0)

    # Who buys: the planted friction and the cost of heavy newsletter pressure.
    friction = PLANTED["lifecycle"]["friction"]
    p_drop = np.where(account, friction["non_purchase_rate"], friction["base_non_purchase_rate"])
    extra = PLANTED["lifecycle"]["intrusive"]["heavy_extra_drop"]
    p_drop = np.where(heavy, 1 - (1 - p_drop) * (1 - extra), p_drop)
    buys = considers & (rng.random(n) >= p_drop)

    who = np.repeat(recipients, contacts)
    width = np.repeat(stop - start + 1, contacts)
    nl_day = np.repeat(start, contacts) + np.floor(rng.random(len(who)) * width).astype(np.int64)
    # the k-th email of a customer's day goes out two hours after the previous one, so no two
    # share a minute (exports often keep minutes only, and a loader rejects such duplicates)
    key = who * (2 * _YEAR_DAYS) + nl_day
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    first = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    rank = np.arange(len(key)) - np.repeat(first, np.diff(np.r_[first, len(key)]))
    slot = np.minimum(rank, 8)
    secs = nl_day[order] * _DAY + (7 + 2 * slot) * 3600 + rng.integers(0, 3600, size=len(key))
    log.add(who[order], secs, log.code["newsletter_promo"])

    basket = np.round(np.exp(rng.normal(4.5, 0.8, n)), 2)
    buy_time = np.full(n, -1, np.int64)

    # Online purchase sessions (online-only and store → online intents).
    online_p = idx[considers & (mode % 2 == 1)]
    with_account = account[online_p]
    goes = buys[online_p] | with_account | (mode[online_p] == 3)
    who = online_p[goes]
    m = len(who)
    b = buys[who]
    in_app = app_user[who] & (rng.random(m) < 0.6)
    tps = ["website_visit", "app_browse", "product_page", "account_creation", "online_checkout", "app_checkout"]
    mask = np.column_stack([~in_app, in_app, ~in_app & (rng.random(m) < 0.7), account[who], b & ~in_app, b & in_app])
    end = log.session(who, day[who], "online", tps, mask, values={4: basket[who], 5: basket[who]})
    buy_time[who[b]] = end[b]

    # Store purchase visits: ROPO buyers (and half of the ROPO non-buyers walk in and leave), store-only buyers.
    ropo = idx[considers & (mode == 0)]
    visits = buys[ropo] | (rng.random(len(ropo)) < 0.5)
    who = ropo[visits]
    m = len(who)
    b = buys[who]
    tps = ["staff_greeting", "highlighted_product", "instore_advice", "store_checkout", "email_optin"]
    mask = np.column_stack([rng.random(m) < 0.5, rng.random(m) < 0.2, rng.random(m) < 0.45, b, b & (rng.random(m) < 0.4)])
    end = log.session(who, day[who], "store", tps, mask, values={3: basket[who]})
    buy_time[who[b]] = end[b]
    store_only = idx[considers & (mode == 2)]
    b = buys[store_only]
    tps = [*store_tps, "store_checkout", "email_optin"]
    mask = np.column_stack([store_only_mask, b, b & (rng.random(len(store_only)) < 0.4)])
    end = log.session(store_only, day[store_only], "store", tps, mask, values={5: basket[store_only]})
    buy_time[store_only[b]] = end[b]

    buyers = idx[buys]
    online_buy = (mode[buyers] % 2) == 1
    bday = buy_time[buyers] // _DAY

    # Delivery: online orders are confirmed by email, tracked, delivered home or collected;
    # a quarter of store buyers have bulky items delivered home, and most of the others take an
    # e-receipt (the same confirmation email) with the goods they carry home.
    home = np.where(online_buy, rng.random(len(buyers)) < 0.7, rng.random(len(buyers)) < 0.25)
    shipped = online_buy | home
    confirmed = shipped | (rng.random(len(buyers)) < 0.65)
    log.add(buyers[confirmed], buy_time[buyers[confirmed]] + rng.integers(60, 400, size=int(confirmed.sum())), log.code["order_confirmation"])
    tracks = shipped & (rng.random(len(buyers)) < 0.65)
    t_day = bday + _gap_days(rng, len(buyers), 1.0)
    log.single(buyers[tracks], t_day[tracks], "delivery_tracking")
    d_day = np.maximum(bday + 3 + rng.integers(0, 8, size=len(buyers)), t_day + 1)
    log.single(buyers[home], d_day[home], "home_delivery", session=False)
    collect = online_buy & ~home
    c_day = np.maximum(bday + 1 + rng.integers(0, 4, size=len(buyers)), t_day + 1)
    log.single(buyers[collect], c_day[collect], "click_and_collect")
    after = np.where(home, d_day, np.where(collect, c_day, bday))

    # Usage and service.
    uses = rng.random(len(buyers)) < 0.6
    u_day = after + _gap_days(rng, len(buyers), 4.0)
    u_mask = rng.random((len(buyers), 3)) < np.array([0.45, 0.2, 0.3])
    u_mask[~u_mask.any(axis=1), 0] = True
    for j, tp in enumerate(("assembly_guide", "social_post", "online_review")):
        sel = uses & u_mask[:, j]
        log.single(buyers[sel], u_day[sel] + j, tp)
    s_day = np.maximum(after, u_day + 3) + _gap_days(rng, len(buyers), 6.0)
    thanks = rng.random(len(buyers)) < 0.55
    log.single(buyers[thanks], bday[thanks] + 7, "thankyou_email", session=False)
    for j, (tp, p) in enumerate((("customer_service_phone", 0.12), ("chat_support", 0.10), ("loyalty_program", 0.3))):
        p_eff = np.where(home & (tp == "customer_service_phone"), p * 1.6, p)
        sel = rng.random(len(buyers)) < p_eff
        log.single(buyers[sel], s_day[sel] + 2 * j, tp)

    # Competitors: half of those who considered us and did not buy go on at a competitor;
    # a tenth of our buyers also looked at one while considering.
    if comps:
        lost = idx[considers & ~buys]
        leak = lost[rng.random(len(lost)) < 0.5]
        comp_p = np.array([0.6, 0.4] + [0.2] * (len(comps) - 2))[: len(comps)]
        comp = 1 + rng.choice(len(comps), size=len(leak), p=comp_p / comp_p.sum())
        c_day = day[leak] + _gap_days(rng, len(leak), 5.0)
        by_store = ~online_research[leak]
        m = len(leak)
        bought = rng.random(m) < 0.6
        tps = ["website_visit", "product_page", "online_checkout", "store_layout", "instore_advice", "store_checkout"]
        mask = np.column_stack([~by_store, ~by_store, ~by_store & bought, by_store, by_store & (rng.random(m) < 0.6), by_store & bought])
        cbasket = np.round(np.exp(rng.normal(4.4, 0.8, m)), 2)
        start = c_day * _DAY + np.where(by_store, log.tod("store", m), log.tod("online", m))
        log.session(leak, c_day, "online", tps, mask, brand=comp, values={2: cbasket, 5: cbasket}, start=start)
        look = buyers[rng.random(len(buyers)) < 0.1]
        comp = 1 + rng.choice(len(comps), size=len(look), p=comp_p / comp_p.sum())
        log.single(look, np.maximum(bday[np.searchsorted(buyers, look)] - 1, 0), "website_visit", brand=comp)

    arr = log.arrays()
    events = log.frame(arr, _ids("C", n, 6), brands)
    customers = pd.DataFrame(
        {
            "customer_id": _take(_ids("C", n, 6), idx),
            "age": people["age"],
            "age_band": pd.array(people["age_band"], dtype="str"),
            "gender": pd.array(people["gender"], dtype="str"),
            "region": pd.array(_pick(rng, list(_REGIONS), list(_REGIONS.values()), n).astype(object), dtype="str"),
            "acquisition_channel": pd.array(acquisition, dtype="str"),
        }
    )
    ratings, respondents = _survey(
        rng, arr, log.tps, customers, journey, comps, buys, considers, _LIFECYCLE_SCORES, _PANEL_TP, _COMPETITOR_OFFSETS, "home_delivery", PLANTED["lifecycle"]["churn"],
        truth_weight=PLANTED["lifecycle"]["moment_of_truth"]["overall_weight"], segment_shift=None,
    )
    return events, customers, ratings, respondents


# ---------------------------------------------------------------------- survey
def _survey(
    rng: np.random.Generator,
    arr: dict[str, np.ndarray],
    tps: Sequence[str],
    customers: pd.DataFrame,
    journey: Journey,
    comps: tuple[str, ...],
    buys: np.ndarray,
    considers: np.ndarray,
    scores: dict[str, tuple[float, float, float]],
    panel_tps: Sequence[str],
    comp_offsets: Sequence[dict[str, float]],
    truth_tp: str,
    churn: dict[str, float],
    truth_weight: float,
    segment_shift: tuple[str, str, str, float] | None,
):
    """Ratings and respondents: our customers rate the touchpoints they met; a panel rates competitors.

    Perception = touchpoint mean + respondent halo + noise; overall satisfaction is driven by the
    halo and, heavily, by the perception of ``truth_tp`` (the moment of truth).
    """
    n = len(customers)
    tps = list(tps)
    code = {t: i for i, t in enumerate(tps)}
    T = len(tps)
    ours = journey.brand
    # Our respondents: 35 % of buyers, 10 % of those who considered without buying.
    answers = np.where(buys, rng.random(n) < 0.35, considers & (rng.random(n) < 0.10))
    resp_cust = np.flatnonzero(answers)
    n_ours = len(resp_cust)
    resp_of = np.full(n, -1, np.int64)
    resp_of[resp_cust] = np.arange(n_ours)

    cust_num, tp_num = arr["cust"], arr["tp"].astype(np.int64)
    is_ours = arr["brand"] == 0
    met = np.zeros(n * T, bool)
    pick = is_ours & answers[cust_num]
    met[cust_num[pick] * T + tp_num[pick]] = True
    key = np.flatnonzero(met)
    r_cust, r_tp = key // T, key % T
    keep = rng.random(len(key)) < np.where(tps.index(truth_tp) == r_tp, 0.9, 0.7)
    r_resp, r_tp = resp_of[r_cust[keep]], r_tp[keep]
    r_brand = np.zeros(len(r_resp), np.int64)

    # Competitor panels: respondents without customer id, a third as many per competitor as ours.
    n_panel = max(1, round(0.35 * n_ours)) if comps else 0
    panel_resp, panel_tp, panel_brand = [], [], []
    panel_codes = np.array([code[t] for t in panel_tps])
    for c in range(len(comps)):
        rated = rng.random((n_panel, len(panel_codes))) < 0.6
        rows, cols = np.nonzero(rated)
        panel_resp.append(n_ours + c * n_panel + rows)
        panel_tp.append(panel_codes[cols])
        panel_brand.append(np.full(len(rows), c + 1))
    n_resp = n_ours + n_panel * len(comps)
    all_resp = np.concatenate([r_resp, *panel_resp]).astype(np.int64)
    all_tp = np.concatenate([r_tp, *panel_tp]).astype(np.int64)
    all_brand = np.concatenate([r_brand, *panel_brand]).astype(np.int64)
    resp_brand = np.concatenate([np.zeros(n_ours, np.int64), np.repeat(np.arange(1, len(comps) + 1), n_panel)])

    mu = np.array([scores[t] for t in tps])  # T × (perception, expectation, importance), log order
    offsets = np.zeros((len(comps) + 1, T))
    for c, off in enumerate(comp_offsets[: len(comps)]):
        offsets[c + 1] = [off.get(t, off["_"]) for t in tps]
    halo = rng.normal(0, 0.6, n_resp)
    exp_shift = rng.normal(0, 0.5, n_resp)
    eps = rng.normal(0, 1.0, len(all_resp))
    shift = np.zeros(len(all_resp))
    if segment_shift is not None:
        column, value, tp, delta = segment_shift
        seg_cust = (customers[column] == value).to_numpy()
        cust_of_resp = np.full(n_resp, -1)
        cust_of_resp[:n_ours] = resp_cust
        in_seg = (cust_of_resp[all_resp] >= 0) & seg_cust[np.maximum(cust_of_resp[all_resp], 0)]
        shift = np.where(in_seg & (all_tp == code[tp]), delta, 0.0)
    perception = mu[all_tp, 0] + offsets[all_brand, all_tp] + halo[all_resp] + eps + shift
    expectation = mu[all_tp, 1] + exp_shift[all_resp] + rng.normal(0, 0.9, len(all_resp))
    importance = mu[all_tp, 2] + rng.normal(0, 1.0, len(all_resp))
    perception, expectation, importance = (np.clip(np.rint(x), 1, 7) for x in (perception, expectation, importance))

    # Overall satisfaction: halo plus, heavily, the moment-of-truth experience.
    truth = all_tp == code[truth_tp]
    truth_eps = np.zeros(n_resp)
    truth_eps[all_resp[truth]] = eps[truth] + shift[truth]
    had_truth = np.zeros(n_resp, bool)
    had_truth[all_resp[truth]] = True
    overall_raw = 5.0 + 0.9 * halo + truth_weight * truth_eps - 0.3 * had_truth + rng.normal(0, 0.75, n_resp)
    overall = np.clip(np.rint(overall_raw), 1, 7)
    nps = np.clip(np.rint(7.6 + 1.5 * (overall_raw - 5.0) + rng.normal(0, 1.2, n_resp)), 0, 10)
    ces = np.clip(np.rint(5.0 + 0.6 * (overall_raw - 5.0) + rng.normal(0, 1.0, n_resp)), 1, 7)
    p_churn = np.select([nps <= 6, nps <= 8], [churn["detractors"], churn["passives"]], churn["promoters"])
    churned = rng.random(n_resp) < p_churn

    # Declared missing codes: a few "don't know" (99); importance asked to 60 % of respondents only.
    dk_p = rng.random(len(all_resp)) < _DONT_KNOW_RATE
    dk_e = rng.random(len(all_resp)) < _DONT_KNOW_RATE
    perception = np.where(dk_p, _DONT_KNOW, perception)
    expectation = np.where(dk_e, _DONT_KNOW, expectation)
    asked = rng.random(n_resp) < 0.6
    importance = np.where(asked[all_resp], importance, np.nan)

    # Answer date: a few days after the customer's last contact with us; panel answers over the year.
    # events are sorted by customer then time, so each customer's last row is their last contact
    secs = arr["secs"][is_ours]
    cust_ours = cust_num[is_ours]
    ends = np.flatnonzero(np.r_[cust_ours[1:] != cust_ours[:-1], True])
    last_seen = np.full(n, (_YEAR_DAYS - 1) * _DAY, np.int64)
    last_seen[cust_ours[ends]] = secs[ends]
    our_ids = customers["customer_id"].to_numpy()[resp_cust]
    last = (_EPOCH + last_seen[resp_cust].astype("timedelta64[s]")).astype("datetime64[D]")
    our_dates = np.minimum(last + rng.integers(2, 15, size=n_ours).astype("timedelta64[D]"), np.datetime64("2025-12-31"))
    panel_dates = np.datetime64("2025-01-01") + rng.integers(0, _YEAR_DAYS, size=n_resp - n_ours).astype("timedelta64[D]")
    dates = np.concatenate([our_dates, panel_dates]).astype("datetime64[us]")

    brands = np.array([ours, *comps], dtype=object)
    resp_ids = _ids("R", n_resp, 6)
    order = np.lexsort((all_tp, all_resp))
    ratings = pd.DataFrame(
        {
            "respondent_id": _take(resp_ids, all_resp[order]),
            "brand": _take(brands, all_brand[order]),
            "touchpoint": _take(np.array(tps, dtype=object), all_tp[order]),
            "perception": perception[order],
            "expectation": expectation[order],
            "importance": importance[order],
        }
    )
    cust_col = np.concatenate([our_ids, np.full(n_resp - n_ours, None, dtype=object)])
    respondents = pd.DataFrame(
        {
            "respondent_id": pd.array(resp_ids, dtype="str"),
            "customer_id": pd.array(cust_col, dtype="str"),
            "brand": _take(brands, resp_brand),
            "date": dates,
            "overall": overall,
            "nps": nps,
            "ces": ces,
            "churned": churned,
        }
    )
    return ratings, respondents


# ---------------------------------------------------------------------- hotel sample
def _hotel(n: int, rng: np.random.Generator, journey: Journey, comps: tuple[str, ...]):
    catalogue = {t.id: t.channel for t in journey.touchpoints}
    log = _Log(rng, _HOTEL_TP, catalogue)
    brands = (journey.brand, *comps)
    idx = np.arange(n, dtype=np.int64)
    people = _people(rng, n)
    business = rng.random(n) < np.where(people["age_band"] == "25-44", 0.45, 0.25)
    trip = np.where(business, "business", "leisure").astype(object)

    def at(day: np.ndarray, first_hour: int, last_hour: int) -> np.ndarray:
        return day.astype(np.int64) * _DAY + rng.integers(first_hour * 3600, last_hour * 3600, size=len(day))

    # Booking: look on our website and/or a travel agency listing, then book (70 %) online or by phone.
    month_weight = np.array([0.7, 0.7, 0.9, 1.0, 1.1, 1.3, 1.5, 1.5, 1.1, 1.0, 0.8, 0.6])
    day = _start_days_weighted(rng, n, 300, month_weight)
    site, ota = rng.random(n) < 0.55, rng.random(n) < 0.5
    ota |= ~site
    log.session(idx, day, "online", ["hotel_website", "ota_listing"], np.column_stack([site, ota]))
    books = rng.random(n) < np.where(ota & ~site, 0.6, 0.75)
    by_phone = books & (rng.random(n) < np.where(business, 0.3, 0.12))
    day = day + np.where(rng.random(n) < 0.5, 0, _gap_days(rng, n, 2.0))
    who = idx[books]
    start = at(day[who], 9, 22)
    end = log.session(who, day[who], "online", ["phone_reservation", "online_booking"], np.column_stack([by_phone[who], ~by_phone[who]]), start=start)
    log.add(who, end + rng.integers(30, 300, size=len(who)), log.code["booking_confirmation"])
    if comps:
        lost = idx[~books & (rng.random(n) < 0.35)]
        cday = day[lost] + _gap_days(rng, len(lost), 1.0)
        comp = rng.integers(1, len(comps) + 1, size=len(lost))
        log.session(lost, cday, "online", ["ota_listing", "online_booking"], np.ones((len(lost), 2), bool), brand=comp)

    # The stay: 8 % cancel; business guests book late and stay 1-2 nights, leisure guests earlier and longer.
    stays = who[rng.random(len(who)) >= 0.08]
    b = business[stays]
    m = len(stays)
    arrive = day[stays] + np.where(b, rng.integers(2, 15, m), rng.integers(7, 91, m))
    nights = np.where(b, rng.integers(1, 3, m), rng.integers(2, 7, m))
    pre = rng.random(m) < 0.7
    log.add(stays[pre], at(arrive[pre] - 2, 7, 10), log.code["pre_arrival_email"])
    log.session(stays, arrive, "store", ["reception_welcome", "room_key"], np.column_stack([rng.random(m) < 0.95, rng.random(m) < 0.8]), start=at(arrive, 14, 21))
    stay_mask = np.column_stack([rng.random(m) < 0.9, rng.random(m) < np.where(nights > 1, 0.7, 0.3), rng.random(m) < np.where(b, 0.85, 0.5)])
    log.session(stays, arrive, "store", ["room_comfort", "housekeeping", "wifi"], stay_mask, start=at(arrive, 21, 23))
    breakfast = rng.random(m) < 0.75
    log.single_at(stays[breakfast], at(arrive[breakfast] + 1, 7, 10), log.code["breakfast"])
    dinner = rng.random(m) < 0.35
    log.single_at(stays[dinner], at(arrive[dinner] + nights[dinner] - 1, 19, 22), log.code["restaurant"])
    service = rng.random(m) < 0.15
    log.single_at(stays[service], at(arrive[service], 22, 24), log.code["room_service"])
    leave = arrive + nights
    log.session(stays, leave, "store", ["checkout_desk"], (rng.random(m) < 0.85)[:, None], start=at(leave, 7, 11))
    invoice = rng.random(m) < 0.8
    log.add(stays[invoice], at(leave[invoice], 12, 14), log.code["invoice_email"])
    review = rng.random(m) < 0.7
    log.add(stays[review], at(leave[review] + 1, 9, 11), log.code["review_request"])

    arr = log.arrays()
    events = log.frame(arr, _ids("G", n, 6), brands)
    acquisition = np.where(by_phone, "phone", np.where(ota & ~site, "ota", np.where(business & (rng.random(n) < 0.4), "corporate", "direct"))).astype(object)
    customers = pd.DataFrame(
        {
            "customer_id": _take(_ids("G", n, 6), idx),
            "age": people["age"],
            "age_band": pd.array(people["age_band"], dtype="str"),
            "gender": pd.array(people["gender"], dtype="str"),
            "country": pd.array(_pick(rng, list(_COUNTRIES), list(_COUNTRIES.values()), n).astype(object), dtype="str"),
            "trip_type": pd.array(trip, dtype="str"),
            "acquisition_channel": pd.array(acquisition, dtype="str"),
        }
    )
    stayed = np.zeros(n, bool)
    stayed[stays] = True
    planted = PLANTED["hotel"]
    seg = planted["segment_gap"]
    ratings, respondents = _survey(
        rng, arr, log.tps, customers, journey, comps, stayed, books, _HOTEL_SCORES, _HOTEL_PANEL_TP, ({"_": -0.2, "breakfast": 0.9},) * len(comps),
        planted["key_driver"]["touchpoint"], planted["churn"], truth_weight=planted["key_driver"]["overall_weight"],
        segment_shift=(seg["column"], seg["value"], seg["touchpoint"], seg["gap"] - seg["others_gap"]),
    )
    return events, customers, ratings, respondents


# ---------------------------------------------------------------------- files
def _french_csv(frame: pd.DataFrame) -> pd.DataFrame:
    return _as_text(frame, decimal=",", stamp="%d/%m/%Y %H:%M", day="%d/%m/%Y", yes_no=("oui", "non"))


def _plain_csv(frame: pd.DataFrame) -> pd.DataFrame:
    return _as_text(frame, decimal=".", stamp="%Y-%m-%d %H:%M:%S", day="%Y-%m-%d", yes_no=("true", "false"))


def _as_text(frame: pd.DataFrame, decimal: str, stamp: str, day: str, yes_no: tuple[str, str]) -> pd.DataFrame:
    """Every column as the text a spreadsheet export would hold; whole numbers without decimals."""
    out = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.dt.strftime(day if col == "date" else stamp)
        elif pd.api.types.is_bool_dtype(values):
            out[col] = pd.Series(np.where(values, *yes_no), index=frame.index)
        elif pd.api.types.is_float_dtype(values):
            known = values.notna().to_numpy()
            whole = bool((values[known] % 1 == 0).all())
            text = np.full(len(values), "", dtype=object)
            text[known] = np.char.mod("%.0f" if whole else "%.2f", values.to_numpy()[known]).astype(object)
            out[col] = pd.Series(pd.array(text, dtype="str"), index=frame.index).str.replace(".", decimal, regex=False)
        else:
            out[col] = values
    return pd.DataFrame(out)


def _damage(name: str, frame: pd.DataFrame, french: bool) -> pd.DataFrame:
    """Insert the damaged rows of ``PLANTED["lifecycle"]["damaged_rows"]`` next to the rows they copy."""
    broken = [d for d in PLANTED["lifecycle"]["damaged_rows"]["rows"] if d["table"] == name]
    if not broken:
        return frame
    out = frame.astype(object)
    for spec in sorted(broken, key=lambda d: -d["after_row"]):
        at = min(spec["after_row"], len(out) - 1)
        row = out.iloc[[at]].copy()
        value = spec["value_fr"] if french and "value_fr" in spec else spec["value"]
        row[spec["column"]] = value
        for column, other in spec.get("also", {}).items():
            row[column] = other
        out = pd.concat([out.iloc[: at + 1], row, out.iloc[at + 1 :]], ignore_index=True)
    return out
