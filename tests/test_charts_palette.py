"""Palette: explicit domains and ranges, and every categorical set distinguishable under simulated
protanopia, deuteranopia and tritanopia (Machado et al. 2009, severity 1)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from journeyviz.charts import palette
from journeyviz.journey import KNOWN_CHANNELS

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
#: CIE76 ΔE below which two flat colours start to be confused at a glance.
MIN_DELTA_E = 12.0


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _simulated_lab(hex_colour: str, kind: str) -> np.ndarray:
    lin = _linear(hex_colour)
    return _lab(lin if kind == "normal" else np.array(MACHADO[kind]) @ lin)


SETS = {
    "channels": palette.CHANNELS,
    "brands": {str(i): c for i, c in enumerate(palette.BRANDS)},
    "quadrants": palette.QUADRANTS,
    "objectives": palette.OBJECTIVES,
    "status": palette.STATUS,
}


@pytest.mark.parametrize("kind", ["normal", *MACHADO])
@pytest.mark.parametrize("name", sorted(SETS))
def test_categorical_colours_stay_apart_under_colour_blindness(name: str, kind: str) -> None:
    labs = {k: _simulated_lab(v, kind) for k, v in SETS[name].items()}
    worst = min((float(np.linalg.norm(labs[a] - labs[b])), a, b) for a, b in itertools.combinations(labs, 2))
    assert worst[0] >= MIN_DELTA_E, f"{name} under {kind}: {worst[1]} and {worst[2]} are only ΔE {worst[0]:.1f} apart"


def test_simulation_detects_a_known_confusion() -> None:
    # Red and green are the textbook deuteranope confusion: the check must be able to fail.
    red, green = _simulated_lab("#D62728", "deuteranopia"), _simulated_lab("#2CA02C", "deuteranopia")
    assert np.linalg.norm(red - green) < MIN_DELTA_E


def test_every_known_channel_has_a_colour_and_scales_have_explicit_domains() -> None:
    assert set(KNOWN_CHANNELS) == set(palette.CHANNELS)
    scale = palette.channel_scale().to_dict()
    assert scale["domain"] == list(palette.CHANNELS) and scale["range"] == list(palette.CHANNELS.values())
    partial = palette.channel_scale(["store", "kiosk", "web"]).to_dict()
    assert partial["domain"] == ["web", "store", "kiosk"]
    assert partial["range"] == [palette.CHANNELS["web"], palette.CHANNELS["store"], palette.GREY]
    for fn, mapping in ((palette.quadrant_scale, palette.QUADRANTS), (palette.objective_scale, palette.OBJECTIVES), (palette.status_scale, palette.STATUS)):
        spec = fn().to_dict()
        assert spec["domain"] == list(mapping) and spec["range"] == list(mapping.values())


def test_brand_scale_puts_our_brand_first_in_blue_and_refuses_too_many() -> None:
    spec = palette.brand_scale(["Nous", "Rival A", "Rival B"]).to_dict()
    assert spec == {"domain": ["Nous", "Rival A", "Rival B"], "range": list(palette.BRANDS[:3])}
    with pytest.raises(ValueError, match="9 brands"):
        palette.brand_scale([f"b{i}" for i in range(9)])


def test_diverging_scale_is_centred_and_symmetric() -> None:
    spec = palette.diverging_scale(1.5).to_dict()
    assert spec["domainMid"] == 0 and spec["domain"] == [-1.5, 1.5]
    assert spec["range"][0] != spec["range"][-1]
    lo, hi = _simulated_lab(palette.DIVERGING[0], "deuteranopia"), _simulated_lab(palette.DIVERGING[-1], "deuteranopia")
    assert np.linalg.norm(lo - hi) > 40
