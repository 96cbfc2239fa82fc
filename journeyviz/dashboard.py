"""Dashboards: a filter bar bound to a Dataset that redraws charts, tables and key findings in place.

A notebook opens a :class:`Board` with :func:`open_board` (its parameters cell feeds the
arguments), shows sections with :meth:`Board.show` and records its key findings with
:meth:`Board.record`. In JupyterLab and Voilà (``interactive=True``) a filter bar (segment, brand,
period, channel) filters the dataset with :meth:`Dataset.filter` and every section is recomputed
and redrawn without re-running the notebook; in a batch report (``interactive=False``) the same
sections are displayed once, as static outputs.

Problems a person can fix (a missing data folder, an unknown segment or brand, a period with no
data) are shown as one readable sentence, never as a traceback: :func:`readable_error` words them.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import os
import sys
import threading
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, ContextManager

import pandas as pd

from . import findings as fnd
from .dataset import Dataset
from .findings import Finding, say
from .journey import JourneyError

#: The dataset a notebook opens by default (relative to the project folder).
DEFAULT_DATA = "data/samples/maison_lumiere"
#: Environment variable that replaces the default dataset (set by ``journeyviz serve --data``).
DATA_ENV = "JOURNEYVIZ_DATA"
PROJECT_DIR = Path(__file__).resolve().parent.parent
#: Sections kept per board for filter states already seen.
CACHE_SIZE = 64
#: Filtered datasets kept per board (each holds its own copy of the small pandas tables).
DATASET_CACHE_SIZE = 12
#: Attributes with more distinct values than this are not offered as segments in the filter bar.
MAX_SEGMENT_VALUES = 30
#: A filtered event log is copied into the engine once per filter state (so that every section
#: reads the subset instead of filtering the whole log again) when the unfiltered log has at most
#: this many events; larger logs are filtered by each query, as before.
MATERIALIZE_MAX_EVENTS = 20_000_000
#: Seconds the kernel stays idle between two background steps (the sections of a page after its
#: first one, then the sections of neighbouring filter values): enough for a filter change waiting in
#: the kernel's queue to be handled before the next step starts.
IDLE_GAP = 0.02
#: Seconds between the first section of a page and the next one: the browser draws the first chart
#: before the next specs arrive and compete with it for the page's single JavaScript thread.
FIRST_CHART_GAP = 0.1
#: Seconds a page stays idle once it is up to date before the neighbouring values are computed:
#: a person stepping through a filter's values clicks again within it, and would otherwise wait for the
#: step in progress (a journey map on a million events takes 0.2–0.4 s in a busy kernel).
PREFETCH_DELAY = 0.5
#: Environment variable; "0" stops an interactive page from computing neighbouring filter values ahead.
PREFETCH_ENV = "JOURNEYVIZ_PREFETCH"
#: At most this many other values of the filter being stepped through are computed ahead.
PREFETCH_VALUES = 8

_tables = itertools.count()


class BoardError(ValueError):
    """A dashboard parameter a person can fix; the message says what was given and what is allowed."""


@dataclass
class Section:
    """What one section shows: a title, the key finding, a chart and the table behind the chart.

    Any part may be None (a section without chart, or a finding that could not be computed).
    """

    title: str
    finding: Finding | None = None
    chart: Any = None
    table: pd.DataFrame | None = None


#: A section builder: (filtered dataset, language, by) -> Section. ``by`` is the segment column
#: when the page compares segments, else None.
Builder = Callable[[Dataset, str, "str | None"], Section]


@dataclass
class Filters:
    """The filter state: ``segment_by`` (attribute), ``segment`` (its value or "all"), ``brand``,
    ``channel`` ("all" or one value) and ``start``/``end`` (dates or None)."""

    segment_by: str = ""
    segment: str = "all"
    brand: str = "all"
    channel: str = "all"
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "segment_by": self.segment_by,
            "segment": self.segment,
            "brand": self.brand,
            "channel": self.channel,
            "start": None if self.start is None else str(self.start.date()),
            "end": None if self.end is None else str(self.end.date()),
        }


@dataclass
class _Shown:
    builder: Builder
    key: str
    widgets: dict[str, Any] = field(default_factory=dict)
    finding_key: str | None = None


@dataclass
class _Entry:
    """A computed section and what its widgets need, kept per filter state."""

    section: Section
    spec: dict[str, Any] | None = None  # the chart's validated Vega-Lite spec, once serialised
    table_html: str | None = None


@dataclass
class _Filtered:
    """The dataset of one filter state (or why there is none), and the engine table holding its events."""

    dataset: Dataset | None
    message: str | None = None
    table: str | None = None
    pending: bool = False  # events still a filter expression, to be copied into the engine

    def materialize(self) -> None:
        """Copy the filtered events into an engine table, once (DuckDB only: other engines keep the expression).

        Every section then reads the subset instead of filtering the whole log again (a segment is
        a semi-join on its customers' ids)."""
        if not self.pending or self.dataset is None:
            return
        self.pending = False
        if self.dataset.engine.name == "duckdb":
            name = f"jv_board_{next(_tables)}"
            events = self.dataset.engine.con.create_table(name, self.dataset.events, temp=True)
            self.dataset, self.table = replace(self.dataset, events=events), name

    def release(self) -> None:
        if self.table is not None and self.dataset is not None:
            _drop_table(self.dataset, self.table)
            self.table = None


class Board:
    """One page's dataset, filters and sections.

    Build it with :func:`open_board`. ``board.error`` holds the readable message when the page
    cannot be shown; every display method then does nothing, so the notebook still runs to the end.

    On an interactive page a filter change redraws the first section at once and the others one by
    one while the kernel is otherwise idle (a newer change drops the rest of an outdated page). The
    board computes ahead for a person stepping through the values of a filter (segment, brand or
    channel, whichever changed last): the next value's first section right after the page's first
    chart, then, once the page has been up to date for :data:`PREFETCH_DELAY` seconds, the sections
    of the other values on a thread of their own (``$JOURNEYVIZ_PREFETCH=0`` turns that off), so
    that a click on a value already computed is answered while that thread works. Sections, their
    chart specs and filtered datasets are kept per filter state, so a state seen before redraws from
    memory.
    """

    def __init__(self, dataset: Dataset | None, *, language: str, filters: Filters, interactive: bool, error: str | None = None, parameters: dict[str, Any] | None = None):
        self.base = dataset
        self.language = language
        self.filters = filters
        self.interactive = interactive
        self.error = error
        self.parameters = dict(parameters or {})
        self.findings: dict[str, Finding] = {}
        self.dataset: Dataset | None = None
        self._shown: list[_Shown] = []
        # Sections already computed for a filter state: going back to a segment seen before redraws
        # at once instead of querying the engine again (the data under a board does not change).
        self._cache: OrderedDict[tuple, _Entry] = OrderedDict()
        self._filtered: OrderedDict[tuple, _Filtered] = OrderedDict()
        self._scopes: dict[tuple, Finding] = {}
        self._scope_widget: Any = None
        self._controls: dict[str, Any] = {}
        self._base_events: int | None = None
        # Bumped by every filter change; background steps of an older page stop when they see it.
        self._generation = 0
        # The filter a person is stepping through (the one last changed among segment, brand and
        # channel): its other values are the ones computed ahead.
        self._stepping = "segment"
        self._choices: dict[str, list[tuple[str, str]]] = {}
        # Held for engine queries and section computing, by the kernel's thread and by the thread
        # computing ahead: one engine connection serves both, one query at a time, and a section is
        # computed once. The kernel's thread takes it only for what is not in the caches yet.
        self._lock = threading.RLock()
        # What the thread computing ahead produced, until the kernel's thread files it in the caches
        # (that thread alone changes them): ("filtered", state) -> _Filtered, ("scope", state) ->
        # Finding, ("section", (section key, state)) -> _Entry.
        self._ahead: dict[tuple, Any] = {}
        self._worker: Any = None
        if dataset is not None and error is None:
            try:
                filtered = _apply_filters(dataset, filters, self._may_materialize())
            except Exception as exc:
                self.error = readable_error(exc, language)
            else:
                filtered.materialize()
                self._filtered[self._state()] = filtered
                self.dataset = filtered.dataset

    # ------------------------------------------------------------------ display
    def intro(self) -> None:
        """Show who and what the page covers (or the error message when the page cannot be shown)."""
        from IPython.display import HTML, display

        if self.error:
            display(HTML(f'<p class="jv-error" style="color:#cc3311"><strong>{html.escape(self.error)}</strong></p>'))
            return
        finding = self._scope()
        if self.interactive:
            import ipywidgets as widgets

            self._scope_widget = widgets.HTML(_para(finding.text, "jv-scope"))
            display(self._scope_widget)
        else:
            display(HTML(_para(finding.text, "jv-scope")))

    def filter_bar(self) -> None:
        """Show the filter bar (interactive pages only): segment, brand, period, channel."""
        if self.error or not self.interactive or self.base is None:
            return
        import ipywidgets as widgets
        from IPython.display import display

        lang = self.language
        seg_attrs = segment_attributes(self.base)
        c: dict[str, Any] = {}
        c["segment_by"] = widgets.Dropdown(options=[("—", "")] + [(a, a) for a in seg_attrs], value=self.filters.segment_by if self.filters.segment_by in seg_attrs else "", description=say("segment_by", lang))
        c["segment"] = widgets.Dropdown(options=self._segment_options(c["segment_by"].value), value="all", description=say("segment", lang))
        if self.filters.segment in dict(c["segment"].options).values():
            c["segment"].value = self.filters.segment
        c["brand"] = widgets.Dropdown(options=self._options("brand"), value=self.filters.brand, description=say("brand", lang))
        c["channel"] = widgets.Dropdown(options=self._options("channel"), value=self.filters.channel, description=say("channel", lang))
        c["start"] = widgets.DatePicker(value=None if self.filters.start is None else self.filters.start.date(), description=say("start", lang))
        c["end"] = widgets.DatePicker(value=None if self.filters.end is None else self.filters.end.date(), description=say("end", lang))
        for name, control in c.items():
            control.add_class(f"jv-filter-{name}")
            control.observe(self._on_change, names="value")
        self._controls = c
        layout = widgets.Layout(flex_flow="row wrap", grid_gap="4px 16px")
        display(widgets.Box(list(c.values()), layout=layout))

    def show(self, builder: Builder, key: str | None = None) -> None:
        """Compute a section on the filtered data and display it; interactive pages redraw it on filter changes."""
        if self.error or self.dataset is None:
            return
        from IPython.display import HTML, display

        key = key or getattr(builder, "__name__", f"section{len(self._shown)}").removesuffix("_section")
        shown = _Shown(builder, key)
        entry = self._build(shown)
        section = entry.section
        self._shown.append(shown)
        heading = f'<h2 class="jv-title">{html.escape(section.title)}</h2>'
        if not self.interactive:
            display(HTML(heading + _finding_html(section.finding)))
            if section.chart is not None:
                display(section.chart)
            if section.table is not None:
                display(HTML(_table_html(section.table, self.language)))
            return
        import altair as alt
        import ipywidgets as widgets

        alt.JupyterChart.enable_offline()
        w = shown.widgets
        w["title"] = widgets.HTML(heading)
        w["finding"] = widgets.HTML(_finding_html(section.finding))
        w["chart"] = alt.JupyterChart(section.chart) if section.chart is not None else None
        if w["chart"] is not None:
            entry.spec = w["chart"].spec
        w["table"] = widgets.HTML(self._table_of(entry))
        parts = [w["title"], w["finding"]] + ([w["chart"]] if w["chart"] is not None else []) + [w["table"]]
        box = widgets.VBox(parts)
        box.add_class(f"jv-section-{key}")
        display(box)

    def record(self) -> None:
        """Record the key findings (and the parameters, and any error) as notebook output for reports and tests."""
        payload: dict[str, Any] = {k: v for k, v in self.findings.items()}
        payload["parameters"] = {**self.parameters, "filters": self.filters.as_dict(), "language": self.language}
        if self.error:
            payload["error"] = self.error
        fnd.record(payload)

    # ------------------------------------------------------------------ filtering
    def apply(self, **changes: Any) -> float:
        """Change filters (``segment_by``, ``segment``, ``brand``, ``channel``, ``start``, ``end``),
        recompute and redraw every section; returns the seconds it took.

        A filter that leaves no data shows a readable message in each section instead of a chart.
        Every section and the scope line are up to date when it returns.
        """
        started = time.perf_counter()
        self._change(changes)
        if self.base is None:
            return 0.0
        message = self._select()
        for i, shown in enumerate(self._shown):
            if i == 1:
                self._materialize_current()
            self._refresh(shown, message)
        self._materialize_current()
        self._refresh_scope(message)
        if _running_loop() is not None:
            self._later(self._prefetch, self._generation, self._prefetch_plan(), delay=PREFETCH_DELAY)
        return time.perf_counter() - started

    # ------------------------------------------------------------------ internals
    def _change(self, changes: dict[str, Any]) -> None:
        unknown = set(changes) - set(Filters.__dataclass_fields__)
        if unknown:
            raise TypeError(f"apply(): unknown filter(s) {sorted(unknown)}; use {sorted(Filters.__dataclass_fields__)}")
        for name in ("start", "end"):
            if name in changes:
                changes[name] = _date_or_none(changes[name], name)
        before, self.filters = self.filters, replace(self.filters, **changes)
        for name in ("segment_by", "segment", "brand", "channel"):
            if getattr(self.filters, name) != getattr(before, name):
                self._stepping = "segment" if name == "segment_by" else name
                break
        self._generation += 1

    def _select(self) -> str | None:
        """Make the current filter state's dataset the board's; returns the message when it has no data."""
        filtered = self._filtered_for(self.filters)
        self.dataset = filtered.dataset
        return filtered.message

    def _filtered_for(self, filters: Filters) -> _Filtered:
        state = _state_of(filters)
        if state not in self._filtered:
            with self._lock:
                self._keep_filtered(state, self._ahead.pop(("filtered", state), None) or self._new_filtered(filters))
        self._filtered.move_to_end(state)
        return self._filtered[state]

    def _new_filtered(self, filters: Filters) -> _Filtered:
        # Engine work: the caller holds the lock.
        try:
            return _apply_filters(self.base, filters, self._may_materialize())
        except Exception as exc:
            return _Filtered(None, readable_error(exc, self.language))

    def _keep_filtered(self, state: tuple, filtered: _Filtered) -> None:
        """File a filtered dataset (the kernel's thread, holding the lock: dropping old tables is engine work)."""
        if state in self._filtered:
            if self._filtered[state] is not filtered:
                filtered.release()
            return
        self._filtered[state] = filtered
        # Filtered copies are the memory cost; the page's own state is never dropped.
        current = self._state()
        for old in [k for k in self._filtered if k not in (current, state)][: max(0, len(self._filtered) - DATASET_CACHE_SIZE)]:
            self._filtered.pop(old).release()

    def _materialize_current(self) -> None:
        """Copy the current state's events into the engine (after the first section: the copy pays
        for itself over the page, not within one section, and the first chart must not wait for it)."""
        filtered = self._filtered.get(self._state())
        if filtered is not None and filtered.pending:
            with self._lock:
                filtered.materialize()
            self.dataset = filtered.dataset

    def _may_materialize(self) -> bool:
        if self.base is None or self.base.events is None:
            return False
        if self._base_events is None:
            self._base_events = _count(self.base)
        return self._base_events <= MATERIALIZE_MAX_EVENTS

    def _refresh(self, shown: _Shown, message: str | None) -> None:
        if message:
            self.findings.pop(shown.finding_key or shown.key, None)
            self._redraw(shown, _Entry(Section(title="", finding=Finding(shown.key, message, {"error": message}))))
        else:
            self._redraw(shown, self._build(shown))

    def _refresh_scope(self, message: str | None) -> None:
        # The scope line changes last, so a reader (or a browser test) seeing it knows the page is up to date.
        if self._scope_widget is not None:
            self._scope_widget.value = _para(message, "jv-error") if message else _para(self._scope().text, "jv-scope")

    def _by(self, filters: Filters | None = None) -> str | None:
        f = filters or self.filters
        return f.segment_by if f.segment_by and f.segment in ("all", "") else None

    def _build(self, shown: _Shown) -> _Entry:
        """The section for the current filters (from the cache when seen before), its finding recorded."""
        entry = self._entry(shown, self._state(), self.dataset, self._by())
        section = entry.section
        if shown.finding_key is not None:
            self.findings.pop(shown.finding_key, None)
        if section.finding is not None:
            shown.finding_key = section.finding.key
            self.findings[section.finding.key] = section.finding
        return entry

    def _entry(self, shown: _Shown, state: tuple, ds: Dataset, by: str | None) -> _Entry:
        key = (shown.key, state)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        with self._lock:
            # Computed ahead meanwhile (the lock waited for it), or now.
            entry = self._ahead.pop(("section", key), None) or _Entry(self._compute(shown, ds, by))
        self._keep_entry(key, entry)
        return entry

    def _keep_entry(self, key: tuple, entry: _Entry) -> None:
        self._cache[key] = entry
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _compute(self, shown: _Shown, ds: Dataset, by: str | None) -> Section:
        try:
            # Sections work on aggregates (small matrices, a few thousand customers), for which
            # BLAS and OpenMP threads cost far more than they save: 500 bootstrap eigen-decompositions
            # take 9 s with two threads on a busy 2-core machine, 0.1 s with one.
            with _one_thread():
                return shown.builder(ds, self.language, by)
        except Exception as exc:
            if not self.interactive and not _expected(exc):
                raise  # a bug in a batch run must fail the run, with its traceback for the analyst
            text = say("section_error", self.language, detail=readable_error(exc, self.language, bare=True))
            return Section(title=shown.key, finding=Finding(shown.key, text, {"error": text}))

    def _table_of(self, entry: _Entry) -> str:
        if entry.table_html is None:
            entry.table_html = _table_html(entry.section.table, self.language) if entry.section.table is not None else ""
        return entry.table_html

    def _redraw(self, shown: _Shown, entry: _Entry) -> None:
        w = shown.widgets
        if not w:
            return
        section = entry.section
        w["finding"].value = _finding_html(section.finding)
        chart = w.get("chart")
        if chart is not None:
            if section.chart is not None:
                entry.spec = _set_chart(chart, section.chart, entry.spec)
                chart.layout.display = None
            else:
                chart.layout.display = "none"
        w["table"].value = self._table_of(entry)

    def _state(self) -> tuple:
        return _state_of(self.filters)

    def _scope(self) -> Finding:
        finding = self._scope_for(self.filters, self.dataset)
        self.findings["scope"] = finding
        return finding

    def _scope_for(self, filters: Filters, ds: Dataset) -> Finding:
        state = _state_of(filters)
        if state not in self._scopes:
            with self._lock:
                self._scopes[state] = self._ahead.pop(("scope", state), None) or self._new_scope(filters, ds)
        return self._scopes[state]

    def _new_scope(self, filters: Filters, ds: Dataset) -> Finding:
        # Engine work: the caller holds the lock.
        period = (None, None)
        if ds.events is not None:
            span = ds.engine.to_pandas(ds.events.aggregate(first=ds.events.timestamp.min(), last=ds.events.timestamp.max()))
            period = (span["first"].iloc[0], span["last"].iloc[0])
        return fnd.scope_finding(ds.describe(), period, filters.as_dict(), self.language)

    def _options(self, name: str) -> list[tuple[str, str]]:
        """(label, value) choices of the ``segment``, ``brand`` or ``channel`` filter, "all" first."""
        if name == "segment":
            return self._segment_options(self.filters.segment_by)
        if name not in self._choices:
            with self._lock:
                found = self.base.brands() if name == "brand" else _channels(self.base)
            self._choices[name] = [(say("all", self.language), "all")] + [(v, v) for v in found]
        return self._choices[name]

    def _segment_options(self, attribute: str) -> list[tuple[str, str]]:
        every = say("all", self.language)
        if not attribute or self.base is None or self.base.customers is None or attribute not in self.base.customers.columns:
            return [(every, "all")]
        values = sorted(str(v) for v in self.base.customers[attribute].dropna().unique())
        return [(every, "all")] + [(v, v) for v in values]

    def _on_change(self, change: dict[str, Any]) -> None:
        c = self._controls
        owner = change["owner"]
        if owner is c["segment_by"]:
            # Changing the attribute resets its value without a second redraw.
            c["segment"].unobserve(self._on_change, names="value")
            c["segment"].options = self._segment_options(change["new"])
            c["segment"].value = "all"
            c["segment"].observe(self._on_change, names="value")
        changes = {name: c[name].value for name in ("segment_by", "segment", "brand", "channel", "start", "end")}
        if _running_loop() is None or not self._shown:
            self.apply(**changes)
            return
        # In a kernel: the first section now, the others as separate steps, so that the first chart
        # reaches the page before the rest is computed and a newer change can cut an outdated page short.
        self._change(changes)
        if self.base is None:
            return
        message = self._select()
        self._refresh(self._shown[0], message)
        self._later(self._finish_page, self._generation, 1, message, delay=FIRST_CHART_GAP)

    # ------------------------------------------------------------------ idle-time steps
    def _later(self, step: Callable[..., None], *args: Any, delay: float | None = None) -> None:
        """Run ``step(*args)`` after ``delay`` (default IDLE_GAP) seconds on the kernel's event loop (nothing without one)."""
        loop = _running_loop()
        if loop is not None:
            loop.call_later(IDLE_GAP if delay is None else delay, step, *args)

    def _finish_page(self, generation: int, index: int, message: str | None, next_first: bool = True) -> None:
        if generation != self._generation:
            return  # the filters changed since: this page is outdated
        if index == 1 and next_first:
            # The next value's first section (of the filter being stepped through) comes before the
            # rest of this page: a person stepping through the values gets its first chart at once,
            # and this page is one step later (its first chart is already shown).
            ahead = self._prefetch_plan()[:1]
            if ahead and ahead[0][1] is self._shown[0]:
                self._prefetch_step(*ahead[0])
                self._later(self._finish_page, generation, index, message, False)
                return
        self._materialize_current()
        if index < len(self._shown):
            self._refresh(self._shown[index], message)
            self._later(self._finish_page, generation, index + 1, message)
            return
        self._refresh_scope(message)
        self._later(self._prefetch, generation, self._prefetch_plan(), delay=PREFETCH_DELAY)

    def _prefetch_plan(self) -> list[tuple[Filters, _Shown | None]]:
        """The (filters, section) pairs worth computing ahead: the other values of the filter last
        changed among segment, brand and channel, the ones after the current value in the filter bar
        first; every value's first section before any second one; each value's scope line last."""
        f, name = self.filters, self._stepping
        if not self.interactive or not self._shown or self.base is None or os.environ.get(PREFETCH_ENV, "1") == "0":
            return []
        if name == "segment" and not f.segment_by:
            return []
        values = [v for _, v in self._options(name)]
        if len(values) < 2:
            return []
        current = getattr(f, name)
        at = values.index(current) if current in values else 0
        # Room in both caches for the prefetched states next to the page being shown.
        room = min(PREFETCH_VALUES, DATASET_CACHE_SIZE - 1, CACHE_SIZE // len(self._shown) - 1)
        states = [replace(f, **{name: v}) for v in (values[at + 1:] + values[:at])][: max(0, room)]
        return [(s, shown) for shown in self._shown for s in states] + [(s, None) for s in states]

    def _prefetch(self, generation: int, plan: list[tuple[Filters, _Shown | None]]) -> None:
        """Compute the first (filters, section) of ``plan`` on the thread computing ahead, then the
        rest one by one, until the filters change. The kernel's thread stays free for clicks."""
        loop = _running_loop()
        if generation != self._generation or not plan or loop is None:
            return
        if self._worker is None:
            from concurrent.futures import ThreadPoolExecutor

            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journeyviz-ahead")

        def hand_back(done: Any) -> None:
            try:
                loop.call_soon_threadsafe(self._ahead_done, done, generation, plan[1:])
            except RuntimeError:
                pass  # the kernel's loop has closed (shutting down): no page left to compute for

        self._worker.submit(self._compute_ahead, *plan[0]).add_done_callback(hand_back)

    def _ahead_done(self, future: Any, generation: int, rest: list[tuple[Filters, _Shown | None]]) -> None:
        self._adopt()
        error = future.exception()
        if error is not None:
            # A bug, not the data (section errors are caught and worded): stop computing ahead; a
            # click computes what it needs and shows the problem where it belongs.
            traceback.print_exception(error, file=sys.stderr)
            return
        self._later(self._prefetch, generation, rest)

    def _prefetch_step(self, filters: Filters, shown: _Shown | None) -> None:
        """Compute one section (or the scope line, ``shown=None``) of another filter state now, for the cache."""
        self._compute_ahead(filters, shown)
        self._adopt()

    def _compute_ahead(self, filters: Filters, shown: _Shown | None) -> None:
        """Compute one section (or the scope line) of another filter state into ``self._ahead``.

        Runs on either thread; changes no cache (only the kernel's thread does, in :meth:`_adopt`).
        """
        state = _state_of(filters)
        with self._lock:
            filtered = self._filtered.get(state) or self._ahead.get(("filtered", state))
            if filtered is None:
                filtered = self._ahead[("filtered", state)] = self._new_filtered(filters)
            if shown is not self._shown[0]:
                # As on a click, the first section reads the events through the filter and the copy
                # waits for the next section: a click meanwhile waits for this step only.
                filtered.materialize()
            if filtered.dataset is None or filtered.message is not None:
                return
            if shown is None:
                if state not in self._scopes and ("scope", state) not in self._ahead:
                    self._ahead[("scope", state)] = self._new_scope(filters, filtered.dataset)
                return
            key = (shown.key, state)
            if key in self._cache or ("section", key) in self._ahead:
                return
            entry = _Entry(self._compute(shown, filtered.dataset, self._by(filters)))
            if entry.section.chart is not None:
                entry.spec = _spec_of(entry.section.chart)
            self._table_of(entry)
            self._ahead[("section", key)] = entry

    def _adopt(self) -> None:
        """File what was computed ahead in the caches (the kernel's thread)."""
        with self._lock:
            for (kind, key), value in list(self._ahead.items()):
                del self._ahead[(kind, key)]
                if kind == "filtered":
                    self._keep_filtered(key, value)
                elif kind == "scope":
                    self._scopes.setdefault(key, value)
                elif key not in self._cache:
                    self._keep_entry(key, value)


# ---------------------------------------------------------------------- opening a board
def open_board(
    data_path: str = DEFAULT_DATA,
    *,
    journey: str = "",
    segment_by: str = "",
    segment: str = "all",
    brand: str = "all",
    channel: str = "all",
    start: str | None = "",
    end: str | None = "",
    language: str = "",
    min_group_size: int = 0,
    interactive: bool = True,
    competitors: list[str] | str | None = None,
    dataset: Dataset | None = None,
    parameters: dict[str, Any] | None = None,
) -> Board:
    """Load a dataset and open a page on it, checking every parameter a person may get wrong.

    Parameters
    ----------
    data_path
        Dataset folder (journey.yml + tables). Relative paths are looked up from the current folder,
        then from the project folder. The default dataset is replaced by ``$JOURNEYVIZ_DATA`` when set.
    journey
        The journey definition to use instead of the folder's journey.yml: a template name
        (``digital``, ``lifecycle``, ``hotel``, ``employee``) or a YAML path; "" keeps journey.yml.
    segment_by, segment
        A customer attribute (or segment column) and one of its values; ``segment="all"`` with a
        ``segment_by`` compares the segments side by side.
    brand, channel
        Keep one brand / one channel ("all" keeps everything).
    start, end
        First and last day included (``YYYY-MM-DD``; "" = no bound).
    language
        ``fr`` or ``en`` for the words on the page; "" = the journey's language.
    min_group_size
        Raise the privacy threshold above journey.yml's (0 = keep journey.yml's).
    interactive
        Show the filter bar and redraw in place (JupyterLab, Voilà); False for batch reports.
    competitors
        Competitor brands to keep next to ours (a list, or names separated by commas); empty keeps
        every competitor.
    dataset
        An already loaded Dataset (then ``data_path`` is not read).
    parameters
        Other notebook parameters to record with the findings (the ones above are recorded anyway).

    Returns
    -------
    Board
        With ``board.error`` set (a readable sentence) when a parameter is wrong; never raises for
        a mistake in the parameters.
    """
    params = {
        "data_path": str(data_path), "journey": journey, "segment_by": segment_by, "segment": segment, "brand": brand, "channel": channel,
        "start": start, "end": end, "language": language, "min_group_size": min_group_size, "interactive": interactive,
        **({"competitors": competitors} if competitors else {}),
        **(parameters or {}),
    }
    lang = language if language in fnd.LANGUAGES else "en"
    filters = Filters()
    try:
        if language not in ("", *fnd.LANGUAGES):
            raise BoardError(f"language={language!r} is not supported; use one of {', '.join(fnd.LANGUAGES)} (or '' for the journey's language)")
        if dataset is None:
            dataset = _load(resolve_data_path(data_path), journey or None)
        lang = language or dataset.journey.language
        if competitors:
            dataset = _keep_competitors(dataset, competitors)
        if min_group_size and int(min_group_size) > dataset.min_group_size:
            dataset = replace(dataset, journey=dataset.journey.with_changes(min_group_size=int(min_group_size)))
        filters = Filters(
            segment_by=segment_by or "",
            segment=str(segment) if segment not in (None, "") else "all",
            brand=brand or "all",
            channel=channel or "all",
            start=_date_or_none(start, "start"),
            end=_date_or_none(end, "end"),
        )
        _check_filters(dataset, filters)
    except Exception as exc:
        if not _expected(exc):
            raise
        return Board(None, language=lang, filters=filters, interactive=interactive, error=say("error", lang, detail=readable_error(exc, lang, bare=True)), parameters=params)
    return Board(dataset, language=lang, filters=filters, interactive=interactive, parameters=params)


def resolve_data_path(data_path: str | os.PathLike | None) -> Path:
    """The dataset folder a notebook parameter designates.

    ``$JOURNEYVIZ_DATA`` replaces the default dataset; a relative path is looked up from the current
    folder, then from the project folder. Raises ``FileNotFoundError`` naming what was tried.
    """
    text = str(data_path or "")
    if text in ("", DEFAULT_DATA) and os.environ.get(DATA_ENV):
        text = os.environ[DATA_ENV]
    text = text or DEFAULT_DATA
    path = Path(text).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, PROJECT_DIR / path]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    tried = " or ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"data_path={text!r}: no dataset folder at {tried}; make one with `journeyviz sample --out {text}` or pass the folder holding journey.yml")


def segment_attributes(ds: Dataset) -> list[str]:
    """Customer attributes usable as segments in a filter bar (at most MAX_SEGMENT_VALUES values)."""
    if ds.customers is None:
        return []
    return [c for c in ds.customer_attributes() if ds.customers[c].nunique() <= MAX_SEGMENT_VALUES]


def readable_error(exc: BaseException, lang: str = "en", bare: bool = False) -> str:
    """One sentence for a person from an exception journeyviz raised (no traceback, no class names).

    With ``bare=False`` the sentence is wrapped as "This page cannot be shown: …".
    """
    if isinstance(exc, KeyError) and exc.args:
        detail = str(exc.args[0])
    else:
        detail = str(exc) or type(exc).__name__
    detail = detail.strip().rstrip(".") + "."
    lang = lang if lang in fnd.LANGUAGES else "en"
    return detail if bare else say("error", lang, detail=detail)


# ---------------------------------------------------------------------- helpers
def _load(path: Path, journey: str | None = None) -> Dataset:
    from .io import load

    return load(path, journey=journey)


def _expected(exc: BaseException) -> bool:
    """Errors that come from the data or the parameters (worded for people), not from a bug."""
    expected: tuple[type[BaseException], ...] = (BoardError, JourneyError, FileNotFoundError, ValueError, KeyError)
    try:
        from .io import DataError

        expected += (DataError,)
    except ImportError:
        pass
    return isinstance(exc, expected)


def _keep_competitors(ds: Dataset, competitors: list[str] | str) -> Dataset:
    wanted = [c.strip() for c in competitors.split(",")] if isinstance(competitors, str) else [str(c) for c in competitors]
    known = ds.competitors()
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise BoardError(f"competitors={unknown!r} not in the data; the competitors are {known}")
    return ds.filter(brands=[ds.brand, *wanted])


def _check_filters(ds: Dataset, f: Filters) -> None:
    if f.segment_by:
        usable = ds.customer_attributes()
        if f.segment_by not in usable and (ds.respondents is None or f.segment_by not in ds.respondents.columns):
            raise BoardError(f"segment_by={f.segment_by!r} is not a customer attribute; use one of {usable or ['(no customers table)']} or ''")
        if f.segment != "all":
            frame = ds.customers if ds.customers is not None and f.segment_by in ds.customers.columns else ds.respondents
            values = sorted(str(v) for v in frame[f.segment_by].dropna().unique())
            if f.segment not in values:
                shown = values[:MAX_SEGMENT_VALUES]
                raise BoardError(f"segment={f.segment!r} is not a value of {f.segment_by!r}; use one of {shown} or 'all'")
    elif f.segment != "all":
        raise BoardError(f"segment={f.segment!r} needs segment_by (the attribute it is a value of); set segment_by, or segment='all'")
    if f.brand != "all":
        brands = ds.brands()
        if f.brand not in brands:
            raise BoardError(f"brand={f.brand!r} is not in the data; use one of {brands} or 'all'")
    if f.channel != "all":
        channels = _channels(ds)
        if f.channel not in channels:
            raise BoardError(f"channel={f.channel!r} is not in the data; use one of {channels} or 'all'")
    if f.start is not None and f.end is not None and f.end < f.start:
        raise BoardError(f"end={f.end.date()} is before start={f.start.date()}; swap them")


def _apply_filters(ds: Dataset, f: Filters, materialize: bool = False) -> _Filtered:
    """The filtered dataset; with ``materialize``, marked for copying its events into the engine
    (:meth:`_Filtered.materialize`). Raises BoardError when no contact is left."""
    kwargs: dict[str, Any] = {}
    if f.segment_by and f.segment not in ("all", ""):
        kwargs["where"] = {f.segment_by: f.segment}
    if f.start is not None or f.end is not None:
        kwargs["period"] = (f.start, f.end)
    if f.channel != "all":
        kwargs["channels"] = [f.channel]
    if f.brand != "all":
        kwargs["brands"] = [f.brand]
    filtered = ds.filter(**kwargs) if kwargs else ds
    if kwargs and filtered.events is not None:
        # Is any contact left? One row answers it, without counting them all.
        if filtered.engine.to_pandas(filtered.events.limit(1)).empty:
            raise BoardError(f"no contact matches these filters ({', '.join(f'{k}={v}' for k, v in f.as_dict().items() if v not in (None, '', 'all'))})")
    return _Filtered(filtered, pending=bool(kwargs) and materialize and filtered.events is not None)


def _drop_table(ds: Dataset, name: str) -> None:
    # Ibis 12's drop_table emits invalid SQL on duckdb 2.0 (see Engine.materialized): plain DDL.
    ds.engine.con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')


def _count(ds: Dataset) -> int:
    frame = ds.engine.to_pandas(ds.events.aggregate(n=ds.events.count()))
    return int(frame["n"].iloc[0])


def _channels(ds: Dataset) -> list[str]:
    if ds.events is None:
        return list(ds.journey.channels)
    found = ds.engine.to_pandas(ds.events.select("channel").distinct())["channel"].dropna().astype(str)
    return sorted(found)


def _state_of(filters: Filters) -> tuple:
    return tuple(sorted(filters.as_dict().items()))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the kernel handling widget events, if any (none in scripts, tests and batch runs)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_pools: tuple[int, Any] | None = None


def _one_thread() -> ContextManager[Any]:
    """A context in which BLAS (numpy, scipy) and OpenMP (scikit-learn) run on one thread each."""
    global _pools
    from threadpoolctl import ThreadpoolController

    # Scanning the loaded libraries takes milliseconds: rescan only after new modules were imported
    # (scikit-learn brings its OpenMP runtime when a section first needs it).
    if _pools is None or _pools[0] != len(sys.modules):
        _pools = (len(sys.modules), ThreadpoolController())
    return _pools[1].limit(limits=1)


def _set_chart(widget: Any, chart: Any, spec: dict[str, Any] | None) -> dict[str, Any]:
    """Show ``chart`` in an ``alt.JupyterChart``; returns the Vega-Lite spec sent to the page.

    Assigning ``widget.chart`` validates and serialises the whole chart (0.1–0.4 s for a journey
    map on a busy machine). When the chart declares the same selections and parameters as the one
    shown, only its spec is sent — ``spec`` when it was serialised before, else serialised now
    without validation; ``widget.chart`` still becomes ``chart``.
    """
    handler = getattr(type(widget), "_on_change_chart", None)
    if handler is None or widget.chart is None or _chart_signature(widget.chart) != _chart_signature(chart):
        widget.chart = chart
        return widget.spec
    if spec is None:
        # Same chart function on other data: the spec is serialised without validating it against
        # the Vega-Lite schema again (0.03–0.1 s for a journey map); the first drawing validated it.
        spec = _spec_of(chart)
    widget.unobserve(handler, names="chart")
    try:
        widget.chart = chart
    finally:
        widget.observe(handler, names="chart")
    widget.spec = spec
    return spec


def _spec_of(chart: Any) -> dict[str, Any]:
    """The chart's Vega-Lite spec, not validated again (the chart functions are validated by the tests
    and by the first drawing of each section on the page)."""
    return chart.to_dict(validate=False)


def _chart_signature(chart: Any) -> tuple:
    """The selections and parameters ``alt.JupyterChart`` sets up for a chart: its top-level params
    (name, selection type) and the params its transforms define."""
    import altair as alt
    from altair.jupyter.jupyter_chart import collect_transform_params

    found = []
    params = getattr(chart, "params", alt.Undefined)
    for param in [] if params is alt.Undefined else params:
        name = param.name.to_json().strip('"') if isinstance(param.name, alt.ParameterName) else str(param.name)
        select = getattr(param, "select", alt.Undefined)
        if select is not alt.Undefined and not isinstance(select, dict):
            select = select.to_dict(validate=False)
        kind = None if select is alt.Undefined else select.get("type")
        found.append((name, str(kind)))
    return tuple(sorted(found)), tuple(sorted(collect_transform_params(chart)))


def _date_or_none(value: Any, name: str) -> pd.Timestamp | None:
    if value in (None, "") or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise BoardError(f"{name}={value!r} is not a date; write it as YYYY-MM-DD, or '' for no bound") from None


def _para(text: str, css: str) -> str:
    return f'<p class="{css}">{html.escape(text)}</p>'


def _finding_html(finding: Finding | None) -> str:
    if finding is None:
        return ""
    css = "jv-error" if "error" in finding.facts else "jv-finding"
    return f'<p class="{css}"><strong>{html.escape(finding.text)}</strong></p>'


def _table_html(table: pd.DataFrame | None, lang: str) -> str:
    if table is None:
        return ""
    body = table.to_html(index=False, border=0, classes="jv-table", na_rep="–", float_format=lambda x: fnd.fmt_number(x, lang, 2))
    summary = html.escape(say("numbers_behind", lang, rows=len(table)))
    return f'<details class="jv-table"><summary>{summary}</summary>{body}</details>'
