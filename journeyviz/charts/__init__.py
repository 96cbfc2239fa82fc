"""Charts: one Altair chart per analysis table, plus the journey map; a single theme; offline rendering.

Every function takes the pandas DataFrame an analysis returns (see each docstring for which one)
and returns an Altair chart; it sorts, labels and formats, and never computes a metric. A table
missing a column the chart needs raises ``ValueError`` naming the column and the analysis; an
empty table gives an explicit "no data" chart. ``save(chart, "x.png")`` writes PNG or SVG with no
browser; :func:`offline_script` and :func:`enable_offline_widgets` keep HTML and widgets working
without a network.
"""

from . import palette
from . import theme as _theme  # registers and enables the "journeyviz" theme
from .attribution import attribution
from .audit import touchpoint_scorecard
from .brands import brand_comparison
from .channels import channel_matrix, channel_switching, journey_types, leakage
from .churn import churn_forest
from .drivers import importance_performance
from .funnel import funnel
from .gaps import gap_dumbbell
from .journey_map import journey_map, journey_map_table, read_workshop_map
from .paths import flows, top_paths, transition_heatmap
from .render import enable_offline_widgets, offline_script, save, to_png, to_svg
from .scores import nps_bars, scores
from .segments import segment_profile_heatmap
from .theme import get_language, set_language

#: Names matching the analyses (``charts.<analysis>(jv.<analysis>(ds))``), for report sections.
touchpoint_audit = touchpoint_scorecard
satisfaction_gap = gap_dumbbell
compare_brands = brand_comparison
churn_by_experience = churn_forest
nps = nps_bars
transitions = transition_heatmap
segment_profiles = segment_profile_heatmap

__all__ = [
    "attribution",
    "brand_comparison",
    "channel_matrix",
    "channel_switching",
    "churn_by_experience",
    "churn_forest",
    "compare_brands",
    "enable_offline_widgets",
    "flows",
    "funnel",
    "gap_dumbbell",
    "get_language",
    "importance_performance",
    "journey_map",
    "journey_map_table",
    "journey_types",
    "leakage",
    "nps",
    "nps_bars",
    "offline_script",
    "palette",
    "read_workshop_map",
    "satisfaction_gap",
    "save",
    "scores",
    "segment_profile_heatmap",
    "segment_profiles",
    "set_language",
    "to_png",
    "to_svg",
    "top_paths",
    "touchpoint_audit",
    "touchpoint_scorecard",
    "transition_heatmap",
    "transitions",
]
