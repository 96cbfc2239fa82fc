"""Colours by meaning: one fixed colour per channel, brand, quadrant, objective and status.

Every categorical set is drawn from the Okabe–Ito palette (Okabe & Ito, 2008), designed to stay
distinguishable under the common colour-vision deficiencies; the diverging scale for signed
values (gaps, emotions, differences) is Paul Tol's blue–red ("BuRd"), centred on zero. Each set
comes as an explicit ``alt.Scale(domain=..., range=...)`` so a colour never depends on the order
in which categories happen to appear in a table.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import altair as alt

# Okabe–Ito, by name.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"
#: Neutral fill for suppressed or missing cells (lighter than any palette colour).
SUPPRESSED = "#DDDDDD"
#: Text and rules.
INK = "#333333"

OKABE_ITO = (ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE, BLACK)

#: Channel → colour (the channels of :data:`journeyviz.journey.KNOWN_CHANNELS`).
CHANNELS: dict[str, str] = {
    "web": BLUE,
    "app": SKY_BLUE,
    "store": BLUISH_GREEN,
    "phone": ORANGE,
    "email": REDDISH_PURPLE,
    "chat": YELLOW,
    "social": VERMILLION,
    "mail": BLACK,
    # Light grey rather than Okabe–Ito's #999999, which a deuteranope barely tells from email's purple.
    "other": "#BBBBBB",
}

#: Our brand first, then competitors in the order given.
BRANDS: tuple[str, ...] = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, BLACK, YELLOW)

#: Groups of a ``by=`` split (segments, age bands…): the brand order, yellow last (weak on white).
GROUPS: tuple[str, ...] = BRANDS


def group_scale() -> alt.Scale:
    """Colour range for the groups of a ``by=`` split."""
    return alt.Scale(range=list(GROUPS))


#: Importance–performance quadrants (stable ids of :func:`journeyviz.importance_performance`).
QUADRANTS: dict[str, str] = {
    "concentrate_here": VERMILLION,
    "keep_up_the_good_work": BLUISH_GREEN,
    "possible_overkill": SKY_BLUE,
    # Dark grey: distinct from the bluish green under deuteranopia, and readable as text.
    "low_priority": "#555555",
}

#: Touchpoint objectives.
OBJECTIVES: dict[str, str] = {"inform": BLUE, "image": REDDISH_PURPLE, "purchase": ORANGE}
#: Objectives are also drawn as shapes (journey map), so the map reads without colour.
OBJECTIVE_SHAPES: dict[str, str] = {"inform": "circle", "image": "diamond", "purchase": "square"}

#: Who starts the contact: company-initiated touchpoints get a dark outline.
INITIATIVES: dict[str, str] = {"company": BLACK, "customer": "#FFFFFF"}

#: lead / par / lag of :func:`journeyviz.compare_brands`.
STATUS: dict[str, str] = {"lead": BLUE, "par": GREY, "lag": VERMILLION}

#: Diverging scale for signed values (negative → red, zero → near white, positive → blue), Paul Tol BuRd.
DIVERGING: tuple[str, ...] = ("#B2182B", "#D6604D", "#F4A582", "#F7F7F7", "#92C5DE", "#4393C3", "#2166AC")
#: Sequential scale for counts and shares: the blue half of the diverging scale, light to dark.
SEQUENTIAL: tuple[str, ...] = ("#F7F7F7", "#D1E5F0", "#92C5DE", "#4393C3", "#2166AC", "#053061")


def _scale(mapping: dict[str, str], present: Iterable[str] | None = None) -> alt.Scale:
    domain = list(mapping) if present is None else [k for k in mapping if k in set(present)] + sorted(set(present) - set(mapping))
    return alt.Scale(domain=domain, range=[mapping.get(k, GREY) for k in domain])


def channel_scale(present: Iterable[str] | None = None) -> alt.Scale:
    """Colour scale for channels; unknown channel ids are drawn in grey, after the known ones."""
    return _scale(CHANNELS, present)


def channel_order(present: Iterable[str]) -> list[str]:
    """Channels in palette order (known ones first), for lanes and legends."""
    present = list(dict.fromkeys(str(p) for p in present))
    return [c for c in CHANNELS if c in present] + sorted(set(present) - set(CHANNELS))


def brand_scale(brands: Sequence[str]) -> alt.Scale:
    """Colour scale for brands: ``brands[0]`` is ours (blue), competitors follow in order.

    Raises
    ------
    ValueError
        More brands than colours (8).
    """
    brands = list(dict.fromkeys(brands))
    if len(brands) > len(BRANDS):
        raise ValueError(f"brands: {len(brands)} brands given, the palette has {len(BRANDS)} colours; compare fewer competitors at once")
    return alt.Scale(domain=brands, range=list(BRANDS[: len(brands)]))


def quadrant_scale() -> alt.Scale:
    """Colour scale for the four IPA quadrants (stable ids)."""
    return _scale(QUADRANTS)


def objective_scale() -> alt.Scale:
    """Colour scale for touchpoint objectives."""
    return _scale(OBJECTIVES)


def objective_shapes() -> alt.Scale:
    """Shape scale for touchpoint objectives."""
    return alt.Scale(domain=list(OBJECTIVE_SHAPES), range=list(OBJECTIVE_SHAPES.values()))


def initiative_scale() -> alt.Scale:
    """Outline colour for touchpoint initiative (company-initiated: dark outline)."""
    return _scale(INITIATIVES)


def status_scale() -> alt.Scale:
    """Colour scale for lead / par / lag."""
    return _scale(STATUS)


def diverging_scale(limit: float | None = None, mid: float = 0.0) -> alt.Scale:
    """Diverging scale centred on ``mid`` (default 0); symmetric ``[mid − limit, mid + limit]`` when ``limit`` is given."""
    kwargs = {"domain": [mid - limit, mid + limit]} if limit else {}
    return alt.Scale(range=list(DIVERGING), domainMid=mid, **kwargs)


def sequential_scale() -> alt.Scale:
    """Sequential scale for counts and shares (light = few, dark = many)."""
    return alt.Scale(range=list(SEQUENTIAL))
