"""Scheduled report runs: papermill executes the notebooks with parameters, each result becomes a
self-contained HTML page that opens with no internet, and ``index.html`` lists the runs.

A run is one notebook executed with one set of parameters. :func:`run_notebooks` runs several
notebooks with the same parameters; :func:`run_config` reads ``runs.yml`` (a list of runs, e.g. one
per segment or brand) for cron or an orchestrator; :func:`demo` makes the sample data and runs
every report on it. Runs execute in parallel (one kernel per job), a failing notebook does not
stop the others, and its partial output is kept with the error summarised.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import re
import sys
import threading
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import nbformat
import yaml

from .findings import FINDINGS_MIMETYPE

#: The project's notebooks folder in a source checkout (``journeyviz/../notebooks``).
NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
#: The sample datasets made by ``journeyviz sample`` / :func:`demo`.
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
#: Metadata key under which a report notebook records its run and key findings.
METADATA_KEY = "journeyviz"
#: Environment variable naming the folder where journeyviz keeps files it can rebuild (default:
#: ``$XDG_CACHE_HOME/journeyviz`` or ``~/.cache/journeyviz``).
CACHE_ENV = "JOURNEYVIZ_CACHE_DIR"


@dataclass
class RunResult:
    """What happened to one notebook run.

    Attributes
    ----------
    notebook : str
        Source notebook path.
    name : str
        Run name (``<notebook stem>`` or ``<notebook stem>--<run label>``); also the stem of the outputs.
    parameters : dict
        Parameters passed to papermill (only those the notebook declares).
    ignored : list of str
        Parameters given but not declared by this notebook (not passed).
    status : str
        ``"ok"`` or ``"failed"``.
    error : str or None
        One-line summary of the failure: exception type, message and the failing cell.
    started : str
        Start time, ISO 8601 in UTC.
    seconds : float
        Wall-clock time of execution plus conversion.
    output_notebook, html : str or None
        Paths of the executed notebook (kept even when it failed) and of the HTML report.
    findings : dict
        Key findings the notebook recorded (see :func:`journeyviz.findings.record`).
    """

    notebook: str
    name: str
    parameters: dict[str, Any]
    ignored: list[str] = field(default_factory=list)
    status: str = "pending"
    error: str | None = None
    started: str = ""
    seconds: float = 0.0
    output_notebook: str | None = None
    html: str | None = None
    findings: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ---------------------------------------------------------------------- public entry points
def default_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """The report notebooks (``NN_name.ipynb``) of ``notebooks_dir`` in order (default: the project's)."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else _notebooks_dir()
    found = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if not p.name.endswith(".out.ipynb"))
    if not found:
        raise FileNotFoundError(f"no report notebooks (NN_name.ipynb) in {folder}")
    return found


def run_notebooks(
    notebooks: Sequence[str | Path] | None = None,
    data: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    output_dir: str | Path = "reports",
    jobs: int = 2,
    progress: bool = True,
    *,
    label: str | None = None,
    timeout: int = 900,
) -> list[RunResult]:
    """Execute notebooks with papermill and write self-contained HTML reports plus ``index.html``.

    Parameters
    ----------
    notebooks
        Notebook paths or names (``"00_journey_overview"`` is looked up in ``notebooks/``);
        None runs every report notebook.
    data
        Dataset folder, passed as the notebooks' ``data_path`` parameter.
    parameters
        Other notebook parameters (``segment``, ``brand``, ``start``…). A parameter a notebook
        does not declare is not passed to it and is listed in ``RunResult.ignored``.
    output_dir
        Where ``<name>.ipynb``, ``<name>.html`` and ``index.html`` are written (created if missing).
        ``index.html`` lists every run recorded in this folder, older ones included.
    jobs
        Notebooks executed at once (one kernel each); 2 uses both cores of a small machine.
    progress
        Print one line per finished run on stderr.
    label
        Suffix for output names, so that runs with other parameters do not overwrite each other;
        default: built from the parameters.
    timeout
        Seconds allowed per cell.

    Returns
    -------
    list of RunResult
        One per notebook, in the order given; ``all(r.ok for r in results)`` tells success.

    Raises
    ------
    FileNotFoundError
        When a notebook does not exist.
    ValueError
        When ``jobs`` is below 1.
    """
    params = dict(parameters or {})
    if data is not None:
        # Kernels run in the notebooks' folder: a path relative to the caller must not change meaning.
        params["data_path"] = str(Path(data).expanduser().resolve())
    tasks = [_Task(Path(nb), params, label) for nb in _resolve_notebooks(notebooks)]
    return _execute(tasks, Path(output_dir), jobs=jobs, progress=progress, timeout=timeout)


def run_config(
    path: str | Path,
    jobs: int = 2,
    progress: bool = True,
    *,
    output_dir: str | Path | None = None,
    timeout: int = 900,
) -> list[RunResult]:
    """Run every run listed in a ``runs.yml`` file.

    The file is either a list of runs, or a mapping with ``runs:`` (the list) and defaults
    ``output_dir``, ``data``, ``notebooks``, ``parameters`` that each run may override::

        output_dir: reports/weekly
        data: data/samples/maison_lumiere
        runs:
          - name: all-customers
          - name: young
            parameters: {segment_by: age_band, segment: "18-34"}
          - name: hotel
            data: data/samples/hotel_en
            notebooks: [00_journey_overview, 03_satisfaction_gap]

    Each run has an optional ``name`` (used in output file names; default run-<n>), ``notebooks``
    (default: all), ``data`` and ``parameters``. Relative paths are read from the folder holding
    the file.

    Returns
    -------
    list of RunResult
        One per (run, notebook), in file order.

    Raises
    ------
    FileNotFoundError
        When the file or a notebook does not exist.
    ValueError
        When the file is not shaped as above (the message names the run and the key).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"run configuration not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc})") from None
    base = path.resolve().parent
    defaults: dict[str, Any] = {}
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"runs", "output_dir", "data", "notebooks", "parameters"}
        if unknown:
            raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}; allowed: runs, output_dir, data, notebooks, parameters")
        defaults = {k: v for k, v in raw.items() if k != "runs"}
        runs = raw.get("runs")
    else:
        runs = raw
    if not isinstance(runs, list) or not runs:
        raise ValueError(f"{path}: expected a non-empty list of runs (or 'runs:' holding one), got {type(runs).__name__}")
    out = Path(output_dir) if output_dir is not None else _relative(defaults.get("output_dir", "reports"), base)
    tasks: list[_Task] = []
    for i, run in enumerate(runs):
        where = f"{path}: runs[{i}]"
        if run is None:
            run = {}
        if not isinstance(run, Mapping):
            raise ValueError(f"{where}: expected a mapping with name, notebooks, data, parameters; got {run!r}")
        unknown = set(run) - {"name", "notebooks", "data", "parameters"}
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}; a run has name, notebooks, data, parameters")
        params = {**(defaults.get("parameters") or {}), **(run.get("parameters") or {})}
        if not isinstance(params, Mapping):
            raise ValueError(f"{where}: 'parameters' must be a mapping like {{segment: young}}")
        data = run.get("data", defaults.get("data"))
        if data is not None:
            params["data_path"] = str(_relative(data, base).resolve())
        names = run.get("notebooks", defaults.get("notebooks"))
        if isinstance(names, str):
            names = [names]
        label = _slug(str(run.get("name") or f"run-{i + 1}"))
        for nb in _resolve_notebooks(names, base=base):
            tasks.append(_Task(nb, dict(params), label))
    return _execute(tasks, out, jobs=jobs, progress=progress, timeout=timeout)


def demo(output_dir: str | Path = "reports", jobs: int = 2, progress: bool = True) -> int:
    """Make the sample datasets if missing, run every report on both, and say where to look.

    Writes ``output_dir/maison_lumiere/…`` (French retailer) and ``output_dir/hotel_en/…``
    (English hotel), each with its ``index.html``, plus a top ``output_dir/index.html``; prints
    how to open the reports and the dashboards. Returns 0 when every run succeeded, else 1.
    """
    output_dir = Path(output_dir)
    samples = ensure_samples()
    results: list[RunResult] = []
    for name, folder in samples.items():
        results += run_notebooks(None, data=folder, output_dir=output_dir / name, jobs=jobs, progress=progress)
    write_index(output_dir, _collect(output_dir), title="journeyviz demo reports")
    failed = [r for r in results if not r.ok]
    print(f"\n{len(results) - len(failed)} of {len(results)} reports written; open {(output_dir / 'index.html').resolve()} in a browser (works offline).")
    for r in failed:
        print(f"  FAILED {r.name}: {r.error}")
    print(
        "Dashboards: run `journeyviz serve notebooks` and open http://127.0.0.1:8866/ "
        "(add `--data data/samples/hotel_en` for the hotel sample); "
        "analysts can open the same notebooks in JupyterLab (`jupyter lab notebooks/`)."
    )
    return 1 if failed else 0


def ensure_samples(samples_dir: str | Path | None = None) -> dict[str, Path]:
    """The two sample datasets, generated with the package's seeded generator when missing.

    Returns ``{"maison_lumiere": path, "hotel_en": path}``.
    """
    folder = Path(samples_dir) if samples_dir is not None else SAMPLES_DIR
    wanted = {"maison_lumiere": ("lifecycle", "fr"), "hotel_en": ("hotel", "en")}
    out: dict[str, Path] = {}
    for name, (template, lang) in wanted.items():
        path = folder / name
        if not (path / "journey.yml").exists():
            from .samples import write_sample

            write_sample(path, template=template, lang=lang)
        out[name] = path
    return out


def to_html(notebook: str | Path, html_path: str | Path | None = None) -> Path:
    """Convert an executed notebook to a self-contained HTML page (no code, no request to the network).

    Charts drawn by Altair's default renderer get one inlined copy of the Vega libraries; the
    page loads no script, stylesheet or font from the internet. Returns the HTML path
    (default: the notebook path with ``.html``).
    """
    from nbconvert import HTMLExporter

    notebook = Path(notebook)
    html_path = Path(html_path) if html_path is not None else notebook.with_suffix(".html")
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        # Findings are for machines (reports, tests); the page states them in words already.
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if FINDINGS_MIMETYPE not in o.get("data", {})]
    exporter = HTMLExporter(
        template_name="journeyviz",
        extra_template_basedirs=[str(_template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    extra: dict[str, Any] = {"metadata": {"name": _title(nb, notebook)}}
    if _has_vega(nb):
        extra["journeyviz"] = {"offline_script": _offline_script()}
    body, _ = exporter.from_notebook_node(nb, resources=extra)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def write_index(output_dir: str | Path, results: Iterable[RunResult], title: str = "journeyviz reports") -> Path:
    """Write ``index.html`` (and ``index.json``) listing runs: report, parameters, start time, duration, status.

    Links are relative, so the folder can be moved or zipped. Returns the path of ``index.html``.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    rows = sorted(results, key=lambda r: (r.started, r.name))
    (output_dir / "index.json").write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    lines = []
    for r in rows:
        link = _rel(r.html, output_dir) if r.html else None
        nb_link = _rel(r.output_notebook, output_dir) if r.output_notebook else None
        params = ", ".join(f"{k}={v!r}" for k, v in r.parameters.items())
        status = "ok" if r.ok else "failed"
        cells = [
            f'<a href="{html.escape(link)}">{html.escape(r.name)}</a>' if link else html.escape(r.name),
            f"<code>{html.escape(params)}</code>",
            html.escape(r.started.replace("T", " ")[:19]),
            f"{r.seconds:.1f} s",
            f'<span class="{status}">{status}</span>' + (f"<br><small>{html.escape(r.error or '')}</small>" if not r.ok else ""),
            f'<a href="{html.escape(nb_link)}">notebook</a>' if nb_link else "",
        ]
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    n_failed = sum(not r.ok for r in rows)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
.ok {{ color: #117733; font-weight: bold; }} .failed {{ color: #cc3311; font-weight: bold; }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p id="summary">{len(rows)} run(s), {n_failed} failed. Every report opens offline.</p>
<table id="runs">
<thead><tr><th>report</th><th>parameters</th><th>started (UTC)</th><th>time</th><th>status</th><th>executed notebook</th></tr></thead>
<tbody>
{chr(10).join(lines)}
</tbody></table>
</body></html>
"""
    index = output_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def read_findings(notebook: str | Path) -> dict[str, Any]:
    """Key findings recorded by an executed notebook (``{}`` when it recorded none)."""
    nb = nbformat.read(Path(notebook), as_version=4)
    return _findings_of(nb)


# ---------------------------------------------------------------------- execution
@dataclass
class _Task:
    notebook: Path
    parameters: dict[str, Any]
    label: str | None


def _execute(tasks: list[_Task], output_dir: Path, *, jobs: int, progress: bool, timeout: int) -> list[RunResult]:
    if jobs < 1:
        raise ValueError(f"jobs={jobs!r}: run at least one notebook at a time (jobs >= 1)")
    output_dir.mkdir(parents=True, exist_ok=True)
    prepared = [_prepare(t) for t in tasks]
    _unique_names(prepared)
    if progress:
        print(f"running {len(prepared)} notebook(s), {min(jobs, len(prepared))} at a time → {output_dir}", file=sys.stderr)
    # Each run executes in its own worker process: papermill's kernel clients leave event loops
    # and sockets behind, which must not accumulate in the caller (a notebook, a test session).
    results: list[RunResult | None] = [None] * len(prepared)
    # The conversions need the Vega bundle: build it once here while the kernels start, instead of
    # once per worker process.
    warm = threading.Thread(target=_offline_script, name="journeyviz-vega-bundle", daemon=True)
    warm.start()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(prepared)) or 1, mp_context=context) as pool:
        futures = {pool.submit(_run_one, task, result, output_dir, timeout): i for i, (task, result) in enumerate(prepared)}
        for done, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # a worker that died: record it, keep the others
                result = prepared[i][1]
                result.status, result.error = "failed", f"{type(exc).__name__}: {_first_line(str(exc))}"
                results[i] = result
            if progress:
                r = results[i]
                mark = "ok" if r.ok else f"FAILED: {r.error}"
                print(f"[{done}/{len(prepared)}] {r.name} ({r.seconds:.1f} s) {mark}", file=sys.stderr)
    warm.join()
    # The index covers every run recorded in the folder, so successive runs add up.
    write_index(output_dir, _collect(output_dir))
    return [r for r in results if r is not None]


def _prepare(task: _Task) -> tuple[_Task, RunResult]:
    import papermill as pm

    declared = pm.inspect_notebook(str(task.notebook))
    params = {k: v for k, v in task.parameters.items() if k in declared}
    ignored = sorted(k for k in task.parameters if k not in declared)
    if "interactive" in declared:
        params["interactive"] = False  # a report is a page, not a dashboard: no filter bar
    label = task.label if task.label is not None else _label(params)
    name = task.notebook.stem + (f"--{label}" if label else "")
    return task, RunResult(notebook=str(task.notebook), name=name, parameters=params, ignored=ignored)


def _unique_names(prepared: list[tuple[_Task, RunResult]]) -> None:
    seen: dict[str, int] = {}
    for _, result in prepared:
        if result.name in seen:
            seen[result.name] += 1
            result.name = f"{result.name}-{seen[result.name]}"
        else:
            seen[result.name] = 1


def _run_one(task: _Task, result: RunResult, output_dir: Path, timeout: int) -> RunResult:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out_nb = output_dir / f"{result.name}.ipynb"
    started = time.perf_counter()
    result.started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    try:
        pm.execute_notebook(
            str(task.notebook),
            str(out_nb),
            parameters=result.parameters,
            progress_bar=False,
            cwd=str(task.notebook.resolve().parent),
            execution_timeout=timeout,
            kernel_name=os.environ.get("JOURNEYVIZ_KERNEL") or None,
        )
        result.status = "ok"
    except PapermillExecutionError as exc:
        result.status = "failed"
        result.error = f"{exc.ename}: {_first_line(exc.evalue)} (cell {exc.exec_count})"
    except Exception as exc:  # a kernel that dies or times out must not stop the other runs
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {_first_line(str(exc))}"
    if out_nb.exists():
        result.output_notebook = str(out_nb)
        try:
            result.findings = _findings_of(nbformat.read(out_nb, as_version=4))
            result.html = str(to_html(out_nb, output_dir / f"{result.name}.html"))
        except Exception as exc:  # a report that cannot be converted is a failed run, not a crash
            result.status = "failed"
            result.error = (result.error + "; " if result.error else "") + f"HTML conversion: {type(exc).__name__}: {_first_line(str(exc))}"
    result.seconds = round(time.perf_counter() - started, 2)
    if result.output_notebook:
        _rewrite_run_meta(Path(result.output_notebook), result)
    return result


def _rewrite_run_meta(path: Path, result: RunResult) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata[METADATA_KEY] = {"run": _run_meta(result), "findings": result.findings}
    nbformat.write(nb, path)


def _run_meta(result: RunResult) -> dict[str, Any]:
    meta = asdict(result)
    meta.pop("findings")
    return meta


def _collect(output_dir: Path) -> list[RunResult]:
    """Runs recorded in the executed notebooks of a folder and its sub-folders."""
    found: list[RunResult] = []
    for nb_path in sorted(output_dir.rglob("*.ipynb")):
        try:
            meta = nbformat.read(nb_path, as_version=4).metadata.get(METADATA_KEY, {})
        except Exception:  # not a notebook we wrote: skip it
            continue
        run = meta.get("run")
        if not run:
            continue
        fields = {k: v for k, v in run.items() if k in RunResult.__dataclass_fields__}
        result = RunResult(**fields, findings=meta.get("findings") or {})
        result.output_notebook = str(nb_path)
        html_path = nb_path.with_suffix(".html")
        result.html = str(html_path) if html_path.exists() else None
        found.append(result)
    return found


def _findings_of(nb: nbformat.NotebookNode) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FINDINGS_MIMETYPE in data:
                value = data[FINDINGS_MIMETYPE]
                found.update(json.loads(value) if isinstance(value, str) else dict(value))
    return found


# ---------------------------------------------------------------------- HTML helpers
def _cache_dir() -> Path:
    """Where journeyviz keeps files it can rebuild: ``$JOURNEYVIZ_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/journeyviz``, else ``~/.cache/journeyviz``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "journeyviz"


def _offline_script() -> str:
    """:func:`journeyviz.charts.offline_script`, kept on disk per Vega-Lite and vl-convert version.

    vl-convert bundles the Vega libraries on every call (4–7 s of CPU on two busy cores), and each
    report process used to build its own copy; the bundle only changes with those versions.
    """
    import altair as alt
    import vl_convert

    from .charts.render import offline_script

    path = _cache_dir() / f"vega-offline-{alt.VEGALITE_VERSION}-{vl_convert.__version__}.html"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    script = offline_script()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_text(script, encoding="utf-8")
        os.replace(partial, path)  # atomic: a concurrent reader sees the whole file or none
    except OSError:
        pass  # a read-only home: build it each time, as before
    return script


def _template_dir() -> Path:
    return Path(str(resources.files("journeyviz").joinpath("report_template")))


def _has_vega(nb: nbformat.NotebookNode) -> bool:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html", "")
            if "vegaEmbed" in ("".join(text) if isinstance(text, list) else text):
                return True
    return False


def _title(nb: nbformat.NotebookNode, path: Path) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


# ---------------------------------------------------------------------- small helpers
def _notebooks_dir() -> Path:
    if NOTEBOOKS_DIR.is_dir():
        return NOTEBOOKS_DIR
    return Path.cwd() / "notebooks"


def _resolve_notebooks(names: Iterable[str | Path] | None, base: Path | None = None) -> list[Path]:
    if not names:
        return default_notebooks()
    out: list[Path] = []
    for name in names:
        candidates = [Path(name)]
        if base is not None:
            candidates.append(base / str(name))
        stem = str(name) if str(name).endswith(".ipynb") else f"{name}.ipynb"
        candidates.append(_notebooks_dir() / stem)
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise FileNotFoundError(f"notebook {str(name)!r} not found (looked for {', '.join(str(c) for c in candidates)})")
        out.append(found)
    return out


def _relative(value: Any, base: Path) -> Path:
    path = Path(str(value))
    return path if path.is_absolute() else base / path


def _label(params: Mapping[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        if key in ("data_path", "interactive") or value in ("", "all", None, [], 0):
            continue
        parts.append(f"{key}-{value}")
    label = _slug("_".join(parts))
    data = params.get("data_path")
    if data:
        label = _slug(Path(str(data)).name) + (f"_{label}" if label else "")
    return label


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80]


def _rel(path: str, base: Path) -> str:
    return os.path.relpath(path, base).replace(os.sep, "/")


def _first_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    return text.splitlines()[0][:300] if text else ""
