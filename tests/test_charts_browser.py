"""Offline charts in a real browser: a page holding charts.offline_script() once and several charts
from Altair's default html renderer draws every chart in Chromium with the network blocked."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pytest

from journeyviz import charts

from test_charts import JOURNEY, audit_table, funnel_table, gap_table

pytestmark = pytest.mark.browser



def _html(chart: alt.TopLevelMixin) -> str:
    with alt.renderers.enable("html"):
        bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    return bundle["text/html"]


def test_offline_page_draws_every_chart_with_the_network_blocked(tmp_path: Path, browser) -> None:
    shown = [
        charts.funnel(funnel_table()),
        charts.journey_map(charts.journey_map_table(JOURNEY, audit=audit_table(), gaps=gap_table())),
        charts.gap_dumbbell(gap_table()),
    ]
    page = tmp_path / "report.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'>" + charts.offline_script() + "</head><body>" + "".join(_html(c) for c in shown) + "</body></html>", encoding="utf-8")
    blocked, errors = [], []
    tab = browser.new_page()
    try:
        tab.on("pageerror", lambda exc: errors.append(str(exc)))

        def route(r) -> None:
            if r.request.url.startswith(("file://", "data:", "blob:", "about:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        tab.route("**/*", route)
        tab.goto(page.as_uri())
        tab.wait_for_function("document.querySelectorAll('.vega-embed .marks').length >= 3", timeout=30_000)
        drawn = tab.locator(".vega-embed .marks").count()
        text = tab.inner_text("body")
    finally:
        tab.close()
    assert drawn == len(shown)
    assert blocked == [] and errors == []
    assert "Error" not in text
