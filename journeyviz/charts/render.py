"""Rendering that works offline: PNG/SVG files, self-contained HTML reports, JupyterLab and Voilà.

Altair's default HTML output loads Vega from a CDN, which leaves a blank space where a chart
should be when the reader has no internet. Three ways round it (verified in
``shared/stack-notes.md``):

- :func:`save` writes PNG or SVG through vl-convert — no browser, no network — for slide decks;
- :func:`offline_script` is the ``<script>`` to put once in an HTML page (papermill/nbconvert
  reports): it inlines the Vega bundle and tells Altair's chart template the libraries are
  already there, so each chart's own script loads nothing;
- :func:`enable_offline_widgets` makes ``alt.JupyterChart`` (JupyterLab, Voilà) use a bundled
  copy of its JavaScript instead of fetching it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import altair as alt

from .theme import LANGUAGES, get_language, number_locale, time_locale

FORMATS = ("png", "svg")


def _vl_version() -> str:
    return ".".join(alt.VEGALITE_VERSION.split(".")[:2])


@functools.lru_cache(maxsize=1)
def _bundle() -> str:
    import vl_convert as vlc

    # A literal "</script" inside the bundle would close the tag early.
    return vlc.javascript_bundle(vl_version=_vl_version()).replace("</script", "<\\/script")


def vega_versions() -> dict[str, str]:
    """The ``VEGA_DEBUG`` object: the versions Altair's chart template checks before loading a library."""
    return {"vega_version": alt.VEGA_VERSION, "vegalite_version": alt.VEGALITE_VERSION, "vegaembed_version": alt.VEGAEMBED_VERSION}


def offline_script() -> str:
    """HTML to place **once** per page, before any chart, so Altair charts render with no network.

    Returns a ``<script>`` element holding vega, vega-lite and vega-embed (vl-convert's bundle,
    about 1 MB) and a ``VEGA_DEBUG`` object naming their versions; Altair's default ``html``
    renderer then finds the libraries loaded and adds no ``<script src=...>`` of its own. Use it
    with the default renderer (``alt.renderers.enable("html")``) in notebooks executed by
    papermill and converted by nbconvert, e.g. ``display(HTML(offline_script()))`` in the first
    cell or injected by the report template.
    """
    debug = json.dumps(vega_versions())
    return f'<script type="text/javascript">\nvar VEGA_DEBUG = {debug};\n{_bundle()}\n</script>'


def enable_offline_widgets() -> None:
    """Make ``alt.JupyterChart`` load its JavaScript from a bundled copy (JupyterLab and Voilà offline).

    Call once per kernel before creating ``alt.JupyterChart`` objects; without it the widget
    fetches vega-embed from esm.sh and shows a JavaScript error offline.
    """
    alt.JupyterChart.enable_offline()


def to_svg(chart: Any, lang: str | None = None) -> str:
    """The chart as an SVG string (vl-convert), numbers and dates in ``lang`` (default: the current language)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_spec(chart, lang), vl_version=_vl_version())


def to_png(chart: Any, scale: float = 2.0, lang: str | None = None) -> bytes:
    """The chart as PNG bytes; ``scale=2`` gives a sharp image on slides and retina screens."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(_spec(chart, lang), vl_version=_vl_version(), scale=scale)


def save(chart: Any, path: str | Path, scale: float = 2.0, lang: str | None = None) -> Path:
    """Write ``chart`` to ``path`` as PNG or SVG (chosen by the extension), with no browser.

    Parameters
    ----------
    chart
        An Altair chart (any journeyviz chart).
    path
        Destination ending in ``.png`` or ``.svg``; parent folders are created.
    scale
        PNG pixel density (2 = twice the chart's size in pixels); ignored for SVG.
    lang
        Number and date formats (``"fr"``: ``1 234,5``; ``"en"``: ``1,234.5``); default: the
        current language (:func:`journeyviz.charts.set_language`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        The extension is not ``.png`` or ``.svg``, or ``lang`` is not ``fr``/``en``.
    """
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise ValueError(f"path={str(path)!r}: unsupported extension {path.suffix!r}; use one of .png, .svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    if ext == "png":
        path.write_bytes(to_png(chart, scale=scale, lang=lang))
    else:
        path.write_text(to_svg(chart, lang=lang), encoding="utf-8")
    return path


def _spec(chart: Any, lang: str | None = None) -> dict[str, Any]:
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r} is not supported; use one of {', '.join(LANGUAGES)}")
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    config = spec.setdefault("config", {})
    if lang is not None:
        config["locale"] = {"number": number_locale(lang), "time": time_locale(lang)}
    else:
        config.setdefault("locale", {"number": number_locale(get_language()), "time": time_locale(get_language())})
    return spec
