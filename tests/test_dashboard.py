"""Dashboards: parameters checked into readable messages, filters applied, sections redrawn in place."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd
import pytest

from journeyviz import dashboard
from journeyviz.dashboard import Board, Section, open_board, readable_error, resolve_data_path
from journeyviz.findings import FINDINGS_MIMETYPE, Finding


def customers_section(ds, lang, by=None):
    """A section whose numbers follow the filters: customers per region, as a bar chart."""
    table = ds.customers.groupby("region", as_index=False).size().rename(columns={"size": "customers"})
    total = int(table["customers"].sum())
    chart = alt.Chart(table).mark_bar().encode(x="region", y="customers")
    return Section("Customers", Finding("customers", f"{total} customers", {"customers": total}), chart, table)


def broken_section(ds, lang, by=None):
    raise ValueError("by='nope' is not a customer attribute")


def bug_section(ds, lang, by=None):
    raise ZeroDivisionError("a bug")


@pytest.fixture
def board(small_dataset):
    return open_board(dataset=small_dataset, interactive=False)


def test_open_board_records_parameters_and_language(board, small_dataset):
    assert board.error is None
    assert board.language == small_dataset.journey.language
    assert board.parameters["interactive"] is False and board.parameters["segment"] == "all"


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"segment_by": "shoe_size"}, ["shoe_size", "region"]),
        ({"segment_by": "region", "segment": "Atlantis"}, ["Atlantis", "Nord", "Sud"]),
        ({"segment": "Nord"}, ["segment_by"]),
        ({"brand": "Nobody"}, ["Nobody", "Ours", "Rival"]),
        ({"channel": "telepathy"}, ["telepathy", "web"]),
        ({"start": "yesterday-ish"}, ["start", "YYYY-MM-DD"]),
        ({"start": "2025-05-01", "end": "2025-04-01"}, ["before"]),
        ({"start": "1990-01-01", "end": "1990-02-01"}, ["no contact"]),
        ({"language": "de"}, ["'de'", "fr", "en"]),
        ({"competitors": ["Nobody"]}, ["Nobody", "Rival"]),
    ],
)
def test_wrong_parameters_give_one_readable_sentence(small_dataset, kwargs, words, capsys):
    board = open_board(dataset=small_dataset, interactive=False, **kwargs)
    assert board.error is not None
    for word in words:
        assert word in board.error
    assert "Traceback" not in board.error and "Error:" not in board.error
    board.intro()
    board.show(customers_section)  # does nothing, raises nothing
    assert "customers" not in board.findings


def test_missing_data_path_is_explained(tmp_path):
    board = open_board(str(tmp_path / "nowhere"), interactive=False)
    assert "nowhere" in board.error and "journeyviz sample" in board.error


def test_resolve_data_path_uses_env_for_the_default_only(tmp_path, monkeypatch):
    monkeypatch.setenv(dashboard.DATA_ENV, str(tmp_path))
    assert resolve_data_path(dashboard.DEFAULT_DATA) == tmp_path
    other = tmp_path / "other"
    other.mkdir()
    assert resolve_data_path(str(other)) == other
    with pytest.raises(FileNotFoundError, match="no dataset folder"):
        resolve_data_path(str(tmp_path / "missing"))


def test_segment_filter_keeps_only_that_segment(small_dataset):
    everyone = open_board(dataset=small_dataset, interactive=False)
    north = open_board(dataset=small_dataset, interactive=False, segment_by="region", segment="Nord")
    everyone.show(customers_section)
    north.show(customers_section)
    n_all = everyone.findings["customers"].facts["customers"]
    n_north = north.findings["customers"].facts["customers"]
    assert n_all == len(small_dataset.customers)
    assert n_north == int((small_dataset.customers["region"] == "Nord").sum())


def test_segment_by_alone_compares_segments(small_dataset):
    seen = {}

    def spy(ds, lang, by=None):
        seen["by"] = by
        return customers_section(ds, lang, by)

    open_board(dataset=small_dataset, interactive=False, segment_by="region").show(spy)
    assert seen["by"] == "region"


def test_min_group_size_can_only_be_raised(small_dataset):
    assert open_board(dataset=small_dataset, interactive=False, min_group_size=50).dataset.min_group_size == 50
    base = small_dataset.min_group_size
    assert open_board(dataset=small_dataset.filter(), interactive=False, min_group_size=0).dataset.min_group_size == base


def test_apply_redraws_every_interactive_section(small_dataset):
    board = open_board(dataset=small_dataset, interactive=True)
    board.intro()
    board.filter_bar()
    board.show(customers_section)
    widgets = board._shown[0].widgets
    before = (widgets["finding"].value, widgets["chart"].chart.to_dict()["datasets"], board._scope_widget.value)
    seconds = board.apply(segment_by="region", segment="Sud")
    after = (widgets["finding"].value, widgets["chart"].chart.to_dict()["datasets"], board._scope_widget.value)
    assert seconds > 0
    assert all(b != a for b, a in zip(before, after))
    assert board.findings["customers"].facts["customers"] == int((small_dataset.customers["region"] == "Sud").sum())


def test_filter_bar_controls_drive_apply(small_dataset):
    board = open_board(dataset=small_dataset, interactive=True)
    board.filter_bar()
    board.show(customers_section)
    controls = board._controls
    assert set(controls) == {"segment_by", "segment", "brand", "channel", "start", "end"}
    controls["segment_by"].value = "region"
    assert [v for _, v in controls["segment"].options] == ["all", "Nord", "Sud"]
    controls["segment"].value = "Nord"
    assert board.filters.segment == "Nord"
    assert board.findings["customers"].facts["customers"] == int((small_dataset.customers["region"] == "Nord").sum())


def test_filter_leaving_no_data_shows_a_message_in_place(small_dataset):
    board = open_board(dataset=small_dataset, interactive=True)
    board.intro()
    board.show(customers_section)
    board.apply(start="1990-01-01", end="1990-01-31")
    widgets = board._shown[0].widgets
    assert "no contact" in widgets["finding"].value and "jv-error" in widgets["finding"].value
    assert widgets["chart"].layout.display == "none"
    board.apply(start=None, end=None)
    assert widgets["chart"].layout.display is None and "jv-finding" in widgets["finding"].value


def test_section_error_is_worded_and_bug_fails_batch_runs(board):
    board.show(broken_section)
    assert "nope" in board.findings["broken"].text
    with pytest.raises(ZeroDivisionError):
        board.show(bug_section)


def test_record_emits_findings_mimetype(small_dataset, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    board = open_board(dataset=small_dataset, interactive=False, segment_by="region", segment="Nord")
    board.show(customers_section)
    board.record()
    payload = shown[-1][FINDINGS_MIMETYPE]
    assert payload["customers"]["customers"] == board.findings["customers"].facts["customers"]
    assert payload["customers"]["text"].endswith("customers")
    assert payload["parameters"]["filters"]["segment"] == "Nord"


def test_readable_error_uses_the_message_not_the_class():
    assert readable_error(KeyError("unknown touchpoint 'x'"), "en", bare=True) == "unknown touchpoint 'x'."
    assert readable_error(ValueError("bad"), "fr").startswith("Impossible d'afficher")


def test_table_is_behind_a_details_toggle():
    html = dashboard._table_html(pd.DataFrame({"a": [1.5]}), "fr")
    assert html.startswith("<details") and "1,50" in html


def test_going_back_to_a_filter_seen_before_reuses_its_sections(small_dataset):
    calls = []

    def counted(ds, lang, by=None):
        calls.append(1)
        return customers_section(ds, lang, by)

    board = open_board(dataset=small_dataset, interactive=True)
    board.show(counted)
    board.apply(segment_by="region", segment="Nord")
    board.apply(segment_by="region", segment="Sud")
    first = board.findings["customers"].facts["customers"]
    board.apply(segment_by="region", segment="Nord")
    board.apply(segment_by="region", segment="Sud")
    assert len(calls) == 3  # all, Nord, Sud; the second visits come from the cache
    assert board.findings["customers"].facts["customers"] == first


def test_unknown_journey_is_explained(tmp_path):
    from journeyviz.dashboard import PROJECT_DIR

    board = open_board(str(PROJECT_DIR / "data" / "samples" / "hotel_en"), journey="no_such_template", interactive=False)
    assert "no_such_template" in board.error and "lifecycle" in board.error


# ---------------------------------------------------------------------- fast redraws, same numbers
def _counted(calls, name="customers"):
    def builder(ds, lang, by=None):
        calls.append((name, tuple(sorted(ds.filters.items(), key=str)), by))
        return customers_section(ds, lang, by)

    builder.__name__ = f"{name}_section"
    return builder


def _in_a_kernel_loop(monkeypatch, session):
    """Run ``session()`` on a fresh event loop that the board takes for its kernel's (in a thread of
    its own: another library, e.g. Playwright, may hold a running loop in the main thread)."""
    import asyncio
    import threading

    def loop_or_none():
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            return None

    monkeypatch.setattr(dashboard, "_running_loop", loop_or_none)
    outcome = {}

    def run():
        try:
            outcome["value"] = asyncio.run(session())
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _no_waits(monkeypatch, prefetch_delay=0.001):
    """The board's pauses between steps shortened to a millisecond (computing ahead after ``prefetch_delay``)."""
    for name in ("IDLE_GAP", "FIRST_CHART_GAP"):
        monkeypatch.setattr(dashboard, name, 0.001)
    monkeypatch.setattr(dashboard, "PREFETCH_DELAY", prefetch_delay)


def _two_section_page(ds, calls):
    """An interactive page with its scope line, its filter bar and two counted sections, "first" and "second"."""
    board = open_board(dataset=ds, interactive=True)
    board.intro()
    board.filter_bar()
    board.show(_counted(calls, "first"))
    board.show(_counted(calls, "second"))
    return board


def _board_tables(con) -> set[str]:
    return {name for (name,) in con.raw_sql("SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'jv_board_%'").fetchall()}


def test_a_filter_change_changes_the_journey_map_and_its_finding(maison_lumiere):
    from journeyviz import sections

    board = open_board(dataset=maison_lumiere, interactive=True)
    board.show(sections.journey_section)
    board.show(sections.funnel_section)
    widgets = [s.widgets for s in board._shown]
    before = [(w["chart"].spec["datasets"], w["table"].value) for w in widgets]
    funnel_before = board.findings["funnel"].text
    board.apply(segment_by="age_band", segment="65+")
    after = [(w["chart"].spec["datasets"], w["table"].value) for w in widgets]
    assert all(b[0] != a[0] and b[1] != a[1] for b, a in zip(before, after))
    assert board.findings["funnel"].text != funnel_before
    assert widgets[0]["chart"].chart is board._cache[("journey", board._state())].section.chart


def test_sections_from_the_cache_and_the_copied_events_equal_fresh_ones(maison_lumiere):
    from journeyviz import sections

    board = open_board(dataset=maison_lumiere, interactive=True)
    board.show(sections.journey_section)
    board.show(sections.funnel_section)
    board.apply(segment_by="age_band", segment="18-24")
    # after the first section the page reads its events from a table of their own
    assert board.dataset.events.get_name().split(".")[-1].startswith("jv_board_")
    board.apply(segment_by="age_band", segment="65+")
    board.apply(segment_by="age_band", segment="18-24")  # from the cache
    fresh_ds = maison_lumiere.filter(where={"age_band": "18-24"})
    for shown, builder in zip(board._shown, (sections.journey_section, sections.funnel_section)):
        cached = board._cache[(shown.key, board._state())].section
        fresh = builder(fresh_ds, board.language, None)
        pd.testing.assert_frame_equal(cached.table, fresh.table)
        assert cached.finding.text == fresh.finding.text and cached.finding.facts == fresh.finding.facts
        assert shown.widgets["chart"].spec == fresh.chart.to_dict()
        assert board.findings[fresh.finding.key].text == fresh.finding.text


def test_a_state_seen_before_sends_its_spec_without_serialising_the_chart_again(small_dataset, monkeypatch):
    board = open_board(dataset=small_dataset, interactive=True)
    board.show(customers_section)
    board.apply(segment_by="region", segment="Nord")
    nord_spec = board._shown[0].widgets["chart"].spec
    board.apply(segment_by="region", segment="Sud")
    serialised = []
    real = alt.Chart.to_dict
    monkeypatch.setattr(alt.Chart, "to_dict", lambda self, *a, **k: serialised.append(1) or real(self, *a, **k))
    board.apply(segment_by="region", segment="Nord")
    widget = board._shown[0].widgets["chart"]
    assert serialised == []
    assert widget.spec == nord_spec
    assert widget.chart.to_dict() == nord_spec  # the widget's chart follows too


def test_neighbouring_segments_are_computed_while_the_page_is_idle(small_dataset, monkeypatch):
    import asyncio

    _no_waits(monkeypatch)
    calls = []
    board = open_board(dataset=small_dataset, interactive=True)
    board.show(_counted(calls))

    async def session():
        board.apply(segment_by="region")
        for _ in range(200):
            if len(calls) >= 4:
                break
            await asyncio.sleep(0.01)
        computed = len(calls)
        board.apply(segment_by="region", segment="Sud")
        return computed

    assert _in_a_kernel_loop(monkeypatch, session) == 4  # everyone, the regions side by side, then Nord and Sud ahead
    assert len(calls) == 4  # Sud came from what was computed ahead
    assert board.findings["customers"].facts["customers"] == int((small_dataset.customers["region"] == "Sud").sum())


def test_a_segment_computed_ahead_copies_its_events_only_after_its_first_section(small_dataset, monkeypatch):
    # A click on that segment waits for the step in progress: its first section must not also wait
    # for the copy of the segment's events into the engine (the click path does the same).
    import asyncio

    _no_waits(monkeypatch)
    copied = []

    def watching(name):
        def builder(ds, lang, by=None):
            try:
                table = ds.events.get_name().split(".")[-1]  # a table in the engine
            except Exception:
                table = ""  # the whole log through a filter expression
            copied.append((name, tuple(ds.filters.get("region", ())), table.startswith("jv_board_")))
            return customers_section(ds, lang, by)

        builder.__name__ = f"{name}_section"
        return builder

    board = open_board(dataset=small_dataset, interactive=True)
    board.show(watching("first"))
    board.show(watching("second"))

    async def session():
        board.apply(segment_by="region")
        for _ in range(300):
            if len([c for c in copied if c[1]]) >= 4:
                break
            await asyncio.sleep(0.01)

    _in_a_kernel_loop(monkeypatch, session)
    ahead = {(name, region[0]): was_copied for name, region, was_copied in copied if region}
    assert ahead == {("first", "Nord"): False, ("first", "Sud"): False, ("second", "Nord"): True, ("second", "Sud"): True}


def test_the_next_segment_s_first_section_comes_right_after_the_first_chart(small_dataset, monkeypatch):
    # A person stepping through the segments clicks the next one as soon as the page is up to date:
    # its first section must be ready by then, and nothing else may be started in the meantime
    # (the click would wait for it).
    import asyncio

    _no_waits(monkeypatch, prefetch_delay=30)
    calls = []
    board = _two_section_page(small_dataset, calls)
    controls = board._controls
    scope_before = board._scope_widget.value
    opened = len(calls)

    async def session():
        controls["segment_by"].value = "region"
        for _ in range(300):
            if board._scope_widget.value != scope_before:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the page is up to date and idle
        page = calls[opened:]
        controls["segment"].value = "Nord"  # the next value in the filter bar
        await asyncio.sleep(0.2)
        return page

    page = _in_a_kernel_loop(monkeypatch, session)
    seen = [(name, dict(filters).get("region"), by) for name, filters, by in page]
    assert seen == [("first", None, "region"), ("first", ["Nord"], None), ("second", None, "region")]
    # Nord's first section came from the cache; then Sud's first section, then the rest of Nord's page
    after = [(name, dict(filters).get("region")) for name, filters, _ in calls[opened + len(page):]]
    assert after == [("first", ["Sud"]), ("second", ["Nord"])]
    assert board.findings["customers"].facts["customers"] == int((small_dataset.customers["region"] == "Nord").sum())


def test_a_click_is_answered_while_the_board_computes_ahead(small_dataset, monkeypatch):
    # Computing ahead runs on a thread of its own: a click on a segment already computed is
    # answered while that thread is still busy with another one.
    import asyncio
    import threading

    _no_waits(monkeypatch)
    busy, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow_for_sud(ds, lang, by=None):
        if threading.current_thread().name.startswith("journeyviz-ahead") and ds.filters.get("region") == ["Sud"]:
            busy.set()
            release.wait(10)
            finished.set()
        return customers_section(ds, lang, by)

    board = open_board(dataset=small_dataset, interactive=True)
    board.intro()
    board.filter_bar()
    board.show(slow_for_sud, key="customers")
    controls = board._controls

    async def session():
        controls["segment_by"].value = "region"  # Nord's first section right away, then Sud's on the thread
        for _ in range(500):
            if busy.is_set():
                break
            await asyncio.sleep(0.01)
        assert busy.is_set()
        controls["segment"].value = "Nord"
        answered = (board.findings["customers"].facts["customers"], finished.is_set())
        release.set()
        for _ in range(500):
            if not board._ahead and finished.is_set():
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        return answered

    customers, waited = _in_a_kernel_loop(monkeypatch, session)
    assert customers == int((small_dataset.customers["region"] == "Nord").sum())
    assert not waited  # answered while the thread was still computing Sud
    assert ("customers", dashboard._state_of(replace(board.filters, segment="Sud"))) in board._cache


def test_stepping_through_channels_computes_the_other_channels_ahead(small_dataset, monkeypatch):
    import asyncio

    _no_waits(monkeypatch)
    calls = []
    board = open_board(dataset=small_dataset, interactive=True)
    board.show(_counted(calls))
    channels = [v for _, v in board._options("channel")][1:]
    assert len(channels) >= 3
    del calls[:]

    async def session():
        board.apply(channel=channels[0])
        for _ in range(300):
            if len(calls) >= len(channels):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        computed = len(calls)
        board.apply(channel=channels[1])
        return computed

    # the page, then every other channel ("all" was seen when the page opened)
    assert _in_a_kernel_loop(monkeypatch, session) == len(channels)
    ahead = [dict(filters).get("channels") for _, filters, _ in calls[1:]]
    assert ahead == [[c] for c in channels[1:]]  # the next one in the filter bar first
    assert len(calls) == len(channels)  # the second channel came from what was computed ahead


def test_no_computing_ahead_when_turned_off(small_dataset, monkeypatch):
    import asyncio

    _no_waits(monkeypatch)
    monkeypatch.setenv(dashboard.PREFETCH_ENV, "0")
    calls = []
    board = open_board(dataset=small_dataset, interactive=True)
    board.show(_counted(calls))

    async def session():
        board.apply(segment_by="region")
        await asyncio.sleep(0.2)

    _in_a_kernel_loop(monkeypatch, session)
    assert len(calls) == 2


def test_a_newer_change_drops_the_rest_of_an_outdated_page(small_dataset, monkeypatch):
    import asyncio

    _no_waits(monkeypatch)
    monkeypatch.setenv(dashboard.PREFETCH_ENV, "0")
    calls = []
    board = _two_section_page(small_dataset, calls)
    controls = board._controls

    async def session():
        controls["channel"].value = "web"  # first section now, the second one later...
        assert [c[0] for c in calls] == ["first", "second", "first"]
        controls["channel"].value = "email"  # ...but the filters change before it runs
        for _ in range(200):
            if len(calls) >= 5:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)

    _in_a_kernel_loop(monkeypatch, session)
    channels = [(name, dict(filters).get("channels")) for name, filters, _ in calls]
    assert ("second", ["web"]) not in channels
    assert channels[-2:] == [("first", ["email"]), ("second", ["email"])]
    # the scope line, changed last, describes the email page
    assert board._scope_widget.value == dashboard._para(board._scope().text, "jv-scope")
    assert "email" in board.findings["scope"].text


def test_filtered_event_tables_are_dropped_when_the_cache_lets_them_go(small_dataset, monkeypatch):
    monkeypatch.setattr(dashboard, "DATASET_CACHE_SIZE", 2)
    board = open_board(dataset=small_dataset, interactive=False)
    board.show(customers_section)
    board.show(customers_section, key="again")
    con = small_dataset.engine.con
    before = _board_tables(con)
    for value in ("Nord", "Sud"):
        board.apply(segment_by="region", segment=value)
    for channel in ("web", "email", "store"):
        board.apply(channel=channel)
    kept = _board_tables(con) - before
    assert 1 <= len(kept) <= 2
    assert board.dataset.events.get_name().split(".")[-1] in kept
