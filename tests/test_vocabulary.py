"""The shared vocabulary: one name per feature and channel, the same on chart axes and in sentences."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from journeyviz import vocabulary

PACKAGE = Path(vocabulary.__file__).parent


def test_features_are_named_in_both_languages():
    assert vocabulary.feature_label("frequency", "fr") == "Nombre de contacts"
    assert vocabulary.feature_label("frequency", "en") == "Contacts"
    assert vocabulary.feature_label("share_store", "fr") == "Part des contacts : magasin"
    assert vocabulary.feature_label("share_mail", "en") == "Share of contacts: mail / delivery"
    assert vocabulary.feature_label("share_hologram", "en") == "Share of contacts: hologram"
    assert vocabulary.feature_label("loyalty_points", "fr") == "loyalty_points"  # a user's own attribute, as is
    for feature, names in vocabulary.FEATURES.items():
        assert set(names) == set(vocabulary.LANGUAGES), feature


def test_feature_kinds_say_how_a_value_reads():
    assert vocabulary.feature_kind("share_web") == "share"
    assert vocabulary.feature_kind("converted") == "share"
    assert vocabulary.feature_kind("satisfaction") == "score"
    assert vocabulary.feature_kind("furthest_stage") == "stage"
    assert vocabulary.feature_kind("loyalty_points") == "number"


def test_an_unknown_language_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match="'de'.*fr, en"):
        vocabulary.feature_label("frequency", "de")


def test_channel_names_match_the_ones_on_chart_axes():
    from journeyviz.charts import _base

    assert {lang: dict(names) for lang, names in vocabulary.CHANNELS.items()} == _base.CHANNEL_LABELS


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_vocabulary_is_plain_data_usable_by_charts_and_findings():
    assert not _imports(PACKAGE / "vocabulary.py") & {"altair", "ibis", "pandas", "numpy"}


def test_feature_names_live_only_in_the_vocabulary():
    """The heatmap and the findings take names from the vocabulary instead of keeping their own copy."""
    for module in ("charts/segments.py", "findings.py"):
        source = (PACKAGE / module).read_text(encoding="utf-8")
        for names in vocabulary.FEATURES.values():
            assert f'"{names["fr"]}"' not in source, (module, names["fr"])
        assert "Part des contacts" not in source and "Share of contacts" not in source, module
