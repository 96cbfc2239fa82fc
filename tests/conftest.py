"""Shared fixtures: a tiny journey, a dataset builder from hand-written events, a seeded small
dataset, and one local Spark engine per test session.

Keep fixtures general; helpers add theirs below with a comment saying what they are for.
"""

from __future__ import annotations

import os
import shutil
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import pytest

from journeyviz.dataset import Dataset
from journeyviz.engine import Engine, get_engine
from journeyviz.journey import Journey

BRAND = "Ours"


def pytest_configure(config: pytest.Config) -> None:
    # py4j leaves its gateway sockets to the garbage collector; that is Spark's noise, not ours.
    config.addinivalue_line("filterwarnings", "ignore:unclosed <socket.socket:ResourceWarning")
    config.addinivalue_line("filterwarnings", "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning")

#: look → account → buy (conversion) → after; web/email/store/app touchpoints of both initiatives.
TINY_JOURNEY = Journey.from_dict(
    {
        "name": "tiny",
        "brand": BRAND,
        "language": "en",
        "stages": [{"id": "look"}, {"id": "account"}, {"id": "buy", "conversion": True}, {"id": "after"}],
        "touchpoints": [
            {"id": "site", "stage": "look", "channel": "web", "objective": "inform"},
            {"id": "promo", "stage": "look", "channel": "email", "objective": "purchase", "initiative": "company"},
            {"id": "shop", "stage": "look", "channel": "store", "objective": "image"},
            {"id": "signup", "stage": "account", "channel": "web"},
            {"id": "checkout", "stage": "buy", "channel": "web", "objective": "purchase", "moment": "during"},
            {"id": "till", "stage": "buy", "channel": "store", "objective": "purchase", "moment": "during"},
            {"id": "review", "stage": "after", "channel": "app", "objective": "image", "moment": "after"},
        ],
        "privacy": {"min_group_size": 1},
    }
)


def events_frame(rows: Iterable[tuple], journey: Journey = TINY_JOURNEY) -> pd.DataFrame:
    """Canonical events from ``(customer_id, timestamp, touchpoint[, brand])`` tuples.

    ``event_id`` follows the order of the rows; stage, stage_order and channel come from the
    journey's catalogue; ``brand`` defaults to the journey's brand.
    """
    catalogue = journey.catalogue().set_index("touchpoint")
    records = []
    for i, row in enumerate(rows):
        customer, ts, tp = row[:3]
        brand = row[3] if len(row) > 3 else journey.brand
        records.append(
            {
                "event_id": i,
                "customer_id": customer,
                "timestamp": pd.Timestamp(ts),
                "touchpoint": tp,
                "stage": catalogue.at[tp, "stage"],
                "stage_order": int(catalogue.at[tp, "stage_order"]),
                "channel": catalogue.at[tp, "channel"],
                "brand": brand,
                "session_id": None,
                "value": np.nan,
            }
        )
    frame = pd.DataFrame(records, columns=["event_id", "customer_id", "timestamp", "touchpoint", "stage", "stage_order", "channel", "brand", "session_id", "value"])
    frame["event_id"] = frame["event_id"].astype("int64")
    frame["stage_order"] = frame["stage_order"].astype("int64")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]).astype("datetime64[us]")
    for col in ("customer_id", "touchpoint", "stage", "channel", "brand", "session_id"):
        frame[col] = frame[col].astype("string")
    frame["value"] = frame["value"].astype("float64")
    return frame


def build_dataset(
    rows: Iterable[tuple] | pd.DataFrame,
    *,
    journey: Journey = TINY_JOURNEY,
    customers: pd.DataFrame | None = None,
    engine: Engine | None = None,
) -> Dataset:
    """A Dataset straight from events (tuples as in :func:`events_frame`, or a canonical frame)."""
    engine = engine or get_engine()
    frame = rows if isinstance(rows, pd.DataFrame) else events_frame(rows, journey)
    return Dataset(journey, engine, events=engine.create_table("events", frame), customers=customers)


@pytest.fixture
def make_dataset() -> Callable[..., Dataset]:
    """Factory fixture: ``make_dataset(rows, journey=..., customers=..., engine=...)``."""
    return build_dataset


def random_events(n_customers: int = 120, seed: int = 7, journey: Journey = TINY_JOURNEY) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded synthetic events walking the tiny journey (with repeats, skips, back-steps, ties and
    competitor detours) and a customers table with ``region`` and ``segment``."""
    rng = np.random.default_rng(seed)
    by_stage = {s: [t.id for t in journey.touchpoints if t.stage == s] for s in journey.stage_ids}
    rows = []
    start = pd.Timestamp("2025-03-01")
    for c in range(n_customers):
        cid = f"c{c:04d}"
        ts = start + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 30)))
        stage = 0
        for _ in range(int(rng.integers(1, 9))):
            tp = str(rng.choice(by_stage[journey.stage_ids[stage]]))
            brand = "Rival" if rng.random() < 0.08 else journey.brand
            rows.append((cid, ts, tp, brand))
            if rng.random() > 0.15:  # some equal timestamps, so event_id must break ties
                ts = ts + pd.Timedelta(minutes=int(rng.integers(1, 60 * 24 * 3)))
            move = rng.random()
            if move < 0.5 and stage < len(journey.stages) - 1:
                stage += 1
            elif move < 0.6 and stage > 0:
                stage -= 1
            elif move > 0.93:
                break
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{c:04d}" for c in range(n_customers)],
            "region": rng.choice(["Nord", "Sud"], n_customers),
            "segment": rng.choice(["a", "b", "c"], n_customers),
        }
    )
    customers["customer_id"] = customers["customer_id"].astype("string")
    return events_frame(rows, journey), customers


@pytest.fixture
def small_dataset() -> Dataset:
    """~120 seeded customers on the tiny journey, DuckDB engine, with a customers table."""
    events, customers = random_events()
    return build_dataset(events, customers=customers)


def missing_dependency(problem: str) -> None:
    """Skip a test whose dependency is missing, except in CI (``CI=true``) where that is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"must run in CI: {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def spark_engine() -> Engine:
    """One local PySpark engine for the whole test run (skips locally, fails in CI, when missing)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing_dependency("pyspark is not installed (pip install 'journeyviz[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing_dependency("Java (17) is not on PATH and JAVA_HOME is not set")
    return get_engine("pyspark")


CHROMIUM = os.environ.get("JOURNEYVIZ_CHROMIUM", "/usr/bin/chromium")
#: Debian's Chromium, headless, with no background traffic (the machine has no internet).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One Playwright Chromium for the test run (skips locally, fails in CI, when missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_dependency("playwright is not installed; install the test extra (pip install -e '.[test]')")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        missing_dependency(f"Chromium not found at {CHROMIUM}; install it with `apt-get install -y chromium` (make chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def maison_lumiere():
    """The committed Maison Lumière sample (data/samples/maison_lumiere) loaded once, on DuckDB."""
    from pathlib import Path

    from journeyviz.io import load

    return load(Path(__file__).resolve().parents[1] / "data" / "samples" / "maison_lumiere")
