"""Batch reports: papermill runs in parallel, self-contained HTML pages, index.html, runs.yml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from journeyviz import reports
from journeyviz.reports import RunResult, read_findings, run_config, run_notebooks, write_index

# A report page may mention URLs in text (chart metadata, links), but must not need one to load.
_NETWORK_TAG = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", re.I)
_CSS_IMPORT = re.compile(r"@import\s+(url\()?[\"']?(https?:)?//|url\([\"']?(https?:)?//", re.I)


def _toy_notebook(path: Path) -> Path:
    """Two Altair charts, a parameter that makes the notebook fail after its first outputs, findings."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("bars: int = 3  # number of bars\nfail: bool = False  # raise on purpose after the charts")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Toy report"),
        params,
        nbformat.v4.new_code_cell(
            "import altair as alt, pandas as pd\n"
            "from journeyviz import findings\n"
            "df = pd.DataFrame({'x': list('abcdefgh')[:bars], 'y': range(bars)})\n"
            "display(alt.Chart(df).mark_bar().encode(x='x', y='y'))\n"
            "display(alt.Chart(df).mark_point().encode(x='x', y='y'))\n"
            "print('charts drawn')"
        ),
        nbformat.v4.new_code_cell("assert not fail, 'failed on purpose'\nfindings.record({'bars': {'text': f'{bars} bars', 'n': bars}})"),
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    return _toy_notebook(tmp_path_factory.mktemp("nb") / "toy.ipynb")


@pytest.fixture(scope="module")
def runs(toy, tmp_path_factory) -> tuple[Path, list[RunResult]]:
    out = tmp_path_factory.mktemp("reports")
    ok = run_notebooks([toy], parameters={"bars": 5, "segment": "young"}, output_dir=out, progress=False)
    failed = run_notebooks([toy], parameters={"fail": True}, output_dir=out, progress=False, label="broken")
    return out, ok + failed


@pytest.mark.notebooks
def test_run_records_status_parameters_and_findings(runs):
    _, (ok, failed) = runs
    assert ok.ok and ok.status == "ok" and ok.error is None
    assert ok.parameters == {"bars": 5}
    assert ok.ignored == ["segment"]
    assert ok.findings["bars"] == {"text": "5 bars", "n": 5}
    assert read_findings(ok.output_notebook)["bars"]["n"] == 5
    assert ok.seconds > 0 and ok.started.endswith("+00:00")


@pytest.mark.notebooks
def test_failed_run_keeps_partial_output_and_summarises_error(runs):
    _, (_, failed) = runs
    assert not failed.ok
    assert "AssertionError" in failed.error and "failed on purpose" in failed.error
    nb = nbformat.read(failed.output_notebook, as_version=4)
    printed = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("charts drawn" in t for t in printed)
    assert failed.html and Path(failed.html).exists()
    assert nb.metadata["journeyviz"]["run"]["status"] == "failed"


@pytest.mark.notebooks
def test_html_report_is_self_contained(runs):
    _, (ok, _) = runs
    page = Path(ok.html).read_text(encoding="utf-8")
    assert not _NETWORK_TAG.search(page), _NETWORK_TAG.search(page).group(0)
    assert not _CSS_IMPORT.search(page)
    assert "require.js" not in page and "mathjax" not in page.lower()
    # one inlined copy of the Vega libraries, and both charts marked as already loaded
    assert page.count("window.vegaEmbed=") == 1
    assert page.count('var VEGA_DEBUG = {"vega_version"') == 1
    assert page.count("vegaEmbed(outputDiv") == 2
    assert "assert not fail" not in page  # no code in a stakeholder's report
    assert "application/vnd.journeyviz.findings" not in page


@pytest.mark.notebooks
def test_index_lists_runs_with_parameters_time_and_status(runs):
    out, (ok, failed) = runs
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{Path(ok.html).name}"' in page and f'href="{Path(failed.html).name}"' in page
    assert "bars=5" in page and "fail=True" in page
    assert page.count('class="ok"') == 1 and page.count('class="failed"') == 1
    assert "2 run(s), 1 failed" in page
    listed = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in listed} == {ok.name, failed.name}
    assert not _NETWORK_TAG.search(page)


@pytest.mark.notebooks
def test_run_config_runs_each_entry_in_parallel(toy, tmp_path):
    config = tmp_path / "runs.yml"
    config.write_text(
        f"output_dir: out\nnotebooks: [{toy}]\nruns:\n  - name: three\n    parameters: {{bars: 3}}\n  - name: seven\n    parameters: {{bars: 7}}\n",
        encoding="utf-8",
    )
    results = run_config(config, jobs=2, progress=False)
    assert [r.name for r in results] == ["toy--three", "toy--seven"]
    assert [r.findings["bars"]["n"] for r in results] == [3, 7]
    assert (tmp_path / "out" / "index.html").exists()
    assert (tmp_path / "out" / "toy--seven.html").exists()


def test_run_config_names_the_bad_run(tmp_path):
    config = tmp_path / "runs.yml"
    config.write_text("runs:\n  - name: a\n    paramters: {bars: 3}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"runs\[0\].*paramters"):
        run_config(config)
    config.write_text("{}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="list of runs"):
        run_config(config)


def test_missing_notebook_and_bad_jobs_are_refused(toy, tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_notebook"):
        run_notebooks(["no_such_notebook"], output_dir=tmp_path)
    with pytest.raises(ValueError, match="jobs"):
        run_notebooks([toy], output_dir=tmp_path, jobs=0)


def test_index_escapes_names_and_errors(tmp_path):
    bad = RunResult(notebook="x.ipynb", name="<b>x</b>", parameters={"segment": "<script>"}, status="failed", error="<img src=x>", started="2026-01-01T00:00:00+00:00")
    page = write_index(tmp_path, [bad]).read_text(encoding="utf-8")
    assert "<script>" not in page and "<img src=x>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_default_notebooks_are_the_numbered_report_notebooks():
    names = [p.name for p in reports.default_notebooks()]
    assert names == sorted(names) and all(re.match(r"\d\d_.*\.ipynb$", n) for n in names)
    assert names[0].startswith("00_")


def test_the_vega_bundle_is_built_once_and_then_read_from_the_cache(tmp_path, monkeypatch):
    from journeyviz.charts import render

    monkeypatch.setenv(reports.CACHE_ENV, str(tmp_path / "cache"))
    builds = []
    monkeypatch.setattr(render, "offline_script", lambda: builds.append(1) or "<script>var VEGA_DEBUG = {};</script>")
    first = reports._offline_script()
    second = reports._offline_script()
    assert first == second == "<script>var VEGA_DEBUG = {};</script>"
    assert builds == [1]
    cached = list((tmp_path / "cache").iterdir())
    assert len(cached) == 1 and cached[0].name.startswith("vega-offline-") and not cached[0].name.endswith(".tmp")


def test_an_unwritable_cache_folder_still_gives_the_bundle(tmp_path, monkeypatch):
    from journeyviz.charts import render

    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(reports.CACHE_ENV, str(blocked / "cache"))
    monkeypatch.setattr(render, "offline_script", lambda: "<script>bundle</script>")
    assert reports._offline_script() == "<script>bundle</script>"
