"""The dashboards in a real browser: Voilà serving the notebooks to Debian's Chromium (Playwright).

Charts render, filters redraw charts and key findings in place, code cannot be run through the
kernel connection, and a generated HTML report renders every chart with the network blocked.
Screenshots go to ``artifacts/``. With ``CI=true`` a missing Chromium or Playwright fails the run
instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest

from journeyviz.reports import NOTEBOOKS_DIR, ensure_samples, run_notebooks

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
NOTEBOOKS = ["00_journey_overview", "01_segmentation", "02_touchpoint_audit", "03_satisfaction_gap", "04_competitor_comparison"]
CHART = ".vega-embed svg, .vega-embed canvas"
#: Time for a fresh kernel to load the sample and draw the first chart (2 cores, other tests running).
FIRST_CHART_MS = 180_000


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "file://", "data:", "blob:", "about:"))


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    from journeyviz.serve import start

    data = ensure_samples()["maison_lumiere"]
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with start(NOTEBOOKS_DIR, data=data, log_path=log, timeout=180) as server:
        yield server


class _Page:
    """A page with its console errors, page errors and the non-local requests it tried."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.blocked: list[tuple[str, str]] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        # Nothing may leave the machine: Voilà's lab template asks a CDN for Font Awesome (icons only).
        self.page.route("**/*", self._route)

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and any(not _local(u) for u, _ in self.blocked if u.split("?")[0] in url or url in u):
            return  # our own abort of a non-local request
        self.errors.append(f"{msg.text} ({url})")

    def _route(self, route) -> None:
        url = route.request.url
        if _local(url):
            route.continue_()
        else:
            self.blocked.append((url, route.request.resource_type))
            route.abort()

    def close(self) -> None:
        self.context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _chart_html(page) -> list[str]:
    return page.eval_on_selector_all(".vega-embed", "els => els.map(e => e.innerHTML)")


def _texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def _assert_no_error_text(page) -> None:
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert page.query_selector_all(".jv-error") == [], _texts(page, ".jv-error")
    stderr = _texts(page, '[data-mime-type="application/vnd.jupyter.stderr"]')
    assert not [s for s in stderr if "Error" in s], stderr


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_dashboard_renders_and_filter_redraws_in_place(browser, voila, notebook):
    tab = _Page(browser)
    page = tab.page
    try:
        page.goto(voila.page(f"{notebook}.ipynb"), timeout=FIRST_CHART_MS)
        page.wait_for_selector(CHART, timeout=FIRST_CHART_MS)
        page.wait_for_selector(".jv-filter-segment_by select", timeout=30_000)
        page.wait_for_timeout(500)  # let the other charts of the page finish drawing
        _shot(page, f"{notebook}-initial")
        _assert_no_error_text(page)
        assert tab.errors == [], tab.errors
        charts_before = _chart_html(page)
        assert charts_before and all(("<svg" in h or "<canvas" in h) for h in charts_before)
        scope_before = page.inner_text(".jv-scope")
        findings_before = _texts(page, ".jv-finding")
        assert findings_before

        # Keep one segment: every section is recomputed on fewer customers.
        segment_by = "region" if notebook == "01_segmentation" else "age_band"
        page.select_option(".jv-filter-segment_by select", segment_by)
        # the scope line is redrawn last: once it names the split, the page is up to date
        page.wait_for_function("v => document.querySelector('.jv-scope').textContent.includes(v)", arg=f"segment_by = {segment_by}", timeout=60_000)
        options = page.eval_on_selector(".jv-filter-segment select", "s => Array.from(s.options).map(o => o.value)")
        value = "25-44" if segment_by == "age_band" else options[1]
        page.select_option(".jv-filter-segment select", value)
        page.wait_for_function("v => document.querySelector('.jv-scope').textContent.includes(v)", arg=f"segment = {value}", timeout=60_000)
        assert page.inner_text(".jv-scope") != scope_before
        page.wait_for_function(
            "before => { const now = Array.from(document.querySelectorAll('.vega-embed')).map(e => e.innerHTML);"
            " return now.length === before.length && now.some((h, i) => h !== before[i]); }",
            arg=charts_before,
            timeout=60_000,
        )
        page.wait_for_timeout(500)
        _shot(page, f"{notebook}-filtered")
        assert _texts(page, ".jv-finding") != findings_before
        _assert_no_error_text(page)
        assert tab.errors == [], tab.errors
        assert all(kind != "script" for _, kind in tab.blocked), tab.blocked
    finally:
        tab.close()


def test_voila_refuses_code_execution_through_the_kernel_connection(browser, voila, tmp_path):
    marker = tmp_path / "pwned.txt"
    tab = _Page(browser)
    page = tab.page
    try:
        page.goto(voila.page("00_journey_overview.ipynb"), timeout=FIRST_CHART_MS)
        page.wait_for_selector(CHART, timeout=FIRST_CHART_MS)
        config = json.loads(page.eval_on_selector("#jupyter-config-data", "e => e.textContent"))
        kernel_id = config["kernelId"]
        code = f"open({str(marker)!r}, 'w').write('executed')"
        replies = page.evaluate(
            """async ([kernelId, session, code]) => {
                const url = `ws://${location.host}/api/kernels/${kernelId}/channels?session_id=${session}`;
                const ws = new WebSocket(url);
                const seen = [];
                ws.onmessage = (e) => { try { const m = JSON.parse(e.data);
                    seen.push({type: m.header.msg_type, parent: (m.parent_header || {}).msg_id || null}); } catch (err) {} };
                await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail('websocket refused'); });
                const msg = (type, id, content) => JSON.stringify({
                    header: {msg_id: id, msg_type: type, username: 'intruder', session, date: new Date().toISOString(), version: '5.3'},
                    parent_header: {}, metadata: {}, content, channel: 'shell', buffers: []});
                ws.send(msg('execute_request', 'exec-1', {code, silent: false, store_history: false,
                    user_expressions: {}, allow_stdin: false, stop_on_error: true}));
                ws.send(msg('kernel_info_request', 'info-1', {}));
                await new Promise(r => setTimeout(r, 5000));
                ws.close();
                return seen;
            }""",
            [kernel_id, uuid.uuid4().hex, code],
        )
        # the connection works (the allowed kernel_info_request is answered)...
        assert any(r["type"] == "kernel_info_reply" and r["parent"] == "info-1" for r in replies), replies
        # ...but the execute_request is dropped: no reply, no execution, no side effect
        assert not [r for r in replies if r["parent"] == "exec-1"], replies
        time.sleep(1)
        assert not marker.exists()
    finally:
        tab.close()


@pytest.fixture(scope="module")
def offline_report(tmp_path_factory):
    data = ensure_samples()["maison_lumiere"]
    out = tmp_path_factory.mktemp("offline")
    (result,) = run_notebooks(["00_journey_overview"], data=data, output_dir=out, progress=False)
    assert result.ok, result.error
    return Path(result.html)


def test_html_report_renders_every_chart_offline(browser, offline_report):
    tab = _Page(browser)
    page = tab.page
    try:
        page.goto(offline_report.as_uri())
        n_charts = page.eval_on_selector_all(".vega-embed, [id^='altair-viz']", "els => els.length")
        assert n_charts > 0
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('[id^=\"altair-viz\"]')).every(d => d.querySelector('svg, canvas'))",
            timeout=30_000,
        )
        _shot(page, "report-offline")
        assert tab.blocked == [], tab.blocked  # nothing tried to reach the network, scripts included
        assert tab.errors == [], tab.errors
        assert "Error loading script" not in page.inner_text("body")
    finally:
        tab.close()


def test_notebook_runs_in_jupyterlab_with_working_widgets(browser, tmp_path):
    """Analysts' view: JupyterLab 4 runs a notebook; the charts draw and the filter bar redraws them."""
    import subprocess
    import sys
    import urllib.request

    from journeyviz.serve import free_port

    shutil.copy(NOTEBOOKS_DIR / "00_journey_overview.ipynb", tmp_path / "overview.ipynb")  # JupyterLab saves what it opens
    port, token = free_port(), uuid.uuid4().hex
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
           "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={tmp_path}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    with open(tmp_path / "lab.log", "w", encoding="utf-8") as log:
        lab = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        tab = _Page(browser)
        page = tab.page
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    assert lab.poll() is None and time.monotonic() < deadline, (tmp_path / "lab.log").read_text()
                    time.sleep(0.5)
            page.goto(f"http://127.0.0.1:{port}/lab/tree/overview.ipynb?token={token}", timeout=120_000)
            page.wait_for_function(
                "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                " return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
                " && w.sessionContext.session.kernel.connectionStatus === 'connected'; }",
                timeout=120_000,
            )
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_selector(CHART, timeout=FIRST_CHART_MS)
            page.wait_for_selector(".jv-filter-segment_by select", timeout=FIRST_CHART_MS)
            page.wait_for_function("() => document.querySelectorAll('.jv-finding').length >= 5", timeout=FIRST_CHART_MS)
            page.select_option(".jv-filter-segment_by select", "age_band")
            page.wait_for_function("v => document.querySelector('.jv-scope').textContent.includes(v)", arg="segment_by = age_band", timeout=60_000)
            _shot(page, "jupyterlab-overview")
            assert page.query_selector_all(".jv-error") == []
            assert not [e for e in tab.errors if "vega" in e.lower() or "widget" in e.lower()], tab.errors
        finally:
            tab.close()
            lab.terminate()
            lab.wait(timeout=30)
