"""Rendering: save() writes valid PNG and SVG with no browser; the offline script inlines Vega and
loads nothing from a network; the theme is registered once; offline widgets are enabled."""

from __future__ import annotations

import importlib
import re
import struct
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest

from journeyviz import charts
from journeyviz.charts import render, theme


def _chart() -> alt.Chart:
    return charts.funnel(
        pd.DataFrame(
            {
                "stage": ["a", "b"],
                "label": ["Découverte", "Achat"],
                "stage_order": [0, 1],
                "previous": [1200, 1200],
                "customers": [1200, 300],
                "dropoff": [0, 900],
                "conversion_from_previous": [1.0, 0.25],
            }
        )
    )


def test_save_writes_a_valid_png(tmp_path) -> None:
    path = charts.save(_chart(), tmp_path / "deck" / "funnel.png", scale=1)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    spec_width = _chart().to_dict()["width"]
    assert width > spec_width and height > 100
    double = charts.save(_chart(), tmp_path / "funnel2.png", scale=2)
    assert struct.unpack(">II", double.read_bytes()[16:24])[0] == pytest.approx(2 * width, abs=2)


def test_save_writes_a_valid_svg_with_french_text(tmp_path) -> None:
    path = charts.save(_chart(), tmp_path / "funnel.svg")
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    text = path.read_text(encoding="utf-8")
    assert "Découverte" in text and "1\u00a0200" in text


def test_save_refuses_other_formats(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"\.pdf.*\.png, \.svg"):
        charts.save(_chart(), tmp_path / "x.pdf")


def test_offline_script_inlines_vega_and_fetches_nothing() -> None:
    html = charts.offline_script()
    assert not re.search(r"<script[^>]+src\s*=", html, flags=re.I)
    assert not re.search(r"https?://[^\"' ]*(cdn|jsdelivr|unpkg|esm\.sh)", html, flags=re.I)
    assert html.count("<script") == 1 and html.rstrip().endswith("</script>")
    assert "</script" not in html[: -len("</script>")]
    debug = re.search(r"var VEGA_DEBUG = (\{.*?\});", html).group(1)
    assert f'"vegalite_version": "{alt.VEGALITE_VERSION}"' in debug
    assert f'"vega_version": "{alt.VEGA_VERSION}"' in debug
    assert f'"vegaembed_version": "{alt.VEGAEMBED_VERSION}"' in debug
    assert len(html) > 300_000  # the libraries themselves, not a loader


def test_altair_html_renderer_skips_the_cdn_for_the_versions_our_script_declares() -> None:
    # Altair's html renderer loads a library only when VEGA_DEBUG lacks its exact version: the
    # versions it asks for must be the ones offline_script() declares.
    with alt.renderers.enable("html"):
        html = _chart()._repr_mimebundle_()
    html = html[0]["text/html"] if isinstance(html, tuple) else html["text/html"]
    assert "VEGA_DEBUG[key] == version" in html
    assert 'var key = `${lib.replace("-", "")}_version`' in html
    versions = render.vega_versions()
    assert f'maybeLoadScript("vega", "{versions["vega_version"]}")' in html
    assert f'maybeLoadScript("vega-lite", "{versions["vegalite_version"]}")' in html
    assert f'maybeLoadScript("vega-embed", "{versions["vegaembed_version"]}")' in html


def test_theme_is_registered_once_and_enabled() -> None:
    assert alt.theme.active == "journeyviz"
    assert "journeyviz" in alt.theme.names()
    importlib.import_module("journeyviz.charts.theme")
    assert [n for n in alt.theme.names() if "journeyviz" in n] == ["journeyviz"]
    config = alt.theme.get()()["config"]
    assert config["locale"]["number"]["decimal"] == ","
    assert config["title"]["fontSize"] >= 16 and config["axis"]["labelFontSize"] >= 12


def test_chart_specs_carry_no_font_or_colour_literals_from_the_theme() -> None:
    spec = _chart().to_dict()
    assert spec["config"]["font"] == theme.FONT  # from the theme, applied at to_dict
    assert "Liberation" not in str({k: v for k, v in spec.items() if k != "config"})


def test_enable_offline_widgets_switches_jupyterchart_to_the_bundle() -> None:
    pytest.importorskip("anywidget")
    charts.enable_offline_widgets()
    assert "esm.sh" not in str(alt.JupyterChart._esm)


def test_chart_modules_import_no_engine_and_no_statistics_library() -> None:
    from pathlib import Path

    import journeyviz.charts as pkg

    for path in Path(pkg.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("import ibis", "from ibis", "scipy", "statsmodels", "sklearn", "journeyviz.analyses"):
            assert banned not in text, f"{path.name} uses {banned}"


def test_save_in_english_uses_english_number_formats(tmp_path) -> None:
    text = charts.save(_chart(), tmp_path / "en.svg", lang="en").read_text(encoding="utf-8")
    assert "1,200" in text and "1\u00a0200" not in text
    with pytest.raises(ValueError, match="lang='de'"):
        charts.to_svg(_chart(), lang="de")
