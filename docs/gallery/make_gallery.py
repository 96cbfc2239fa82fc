"""Render every journeyviz chart on the Maison Lumière sample to PNG and write the gallery page.

Usage (from the repository root)::

    python docs/gallery/make_gallery.py            # French (the sample's language)
    python docs/gallery/make_gallery.py --lang en  # English wording and number formats

Writes ``docs/gallery/<name>.png`` and ``docs/gallery/README.md``. No browser and no network:
PNGs come from vl-convert through ``jv.charts.save``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import journeyviz as jv
from journeyviz import charts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# (file name, title, the analysis call shown on the page, a function dataset → chart)
GALLERY = [
    ("journey_map_data", "Journey map from data", "charts.journey_map(charts.journey_map_table(ds.journey, audit=jv.touchpoint_audit(ds), gaps=jv.satisfaction_gap(ds), ipa=jv.importance_performance(ds)), emotion=jv.satisfaction_gap(ds, level='stage'))",
     lambda ds: charts.journey_map(charts.journey_map_table(ds.journey, audit=jv.touchpoint_audit(ds), gaps=jv.satisfaction_gap(ds), ipa=jv.importance_performance(ds, n_bootstrap=200)), emotion=jv.satisfaction_gap(ds, level="stage"))),
    ("journey_map_workshop", "Journey map from a workshop (docs/examples/store_visit.yml)", "charts.journey_map(charts.read_workshop_map('docs/examples/store_visit.yml'))",
     lambda ds: charts.journey_map(charts.read_workshop_map(ROOT / "docs" / "examples" / "store_visit.yml"))),
    ("journey_map_catalogue", "Journey map of the catalogue alone", "charts.journey_map(ds.journey.catalogue())", lambda ds: charts.journey_map(ds.journey.catalogue())),
    ("funnel", "Funnel", "charts.funnel(jv.funnel(ds))", lambda ds: charts.funnel(jv.funnel(ds))),
    ("funnel_by_age", "Funnel by age band", "charts.funnel(jv.funnel(ds, by='age_band'), by='age_band')", lambda ds: charts.funnel(jv.funnel(ds, by="age_band"), by="age_band")),
    ("flows", "Step-by-step flows between channels", "charts.flows(jv.flows(ds, level='channel', steps=4))", lambda ds: charts.flows(jv.flows(ds, level="channel", steps=4))),
    ("transition_heatmap", "Stage transitions", "charts.transition_heatmap(jv.transitions(ds, level='stage'), journey=ds.journey)", lambda ds: charts.transition_heatmap(jv.transitions(ds, level="stage"), journey=ds.journey)),
    ("top_paths", "Commonest journeys", "charts.top_paths(jv.top_paths(ds, level='stage', k=10), journey=ds.journey)", lambda ds: charts.top_paths(jv.top_paths(ds, level="stage", k=10), journey=ds.journey)),
    ("channel_matrix", "Channels used before the purchase", "charts.channel_switching(jv.channel_switching(ds))", lambda ds: charts.channel_switching(jv.channel_switching(ds))),
    ("journey_types", "Omnichannel journey types by age band", "charts.journey_types(jv.channel_switching(ds, kind='journey_types', by='age_band'), by='age_band')", lambda ds: charts.journey_types(jv.channel_switching(ds, kind="journey_types", by="age_band"), by="age_band")),
    ("leakage", "Leakage to competitors", "charts.leakage(jv.channel_switching(ds, kind='leakage'), journey=ds.journey)", lambda ds: charts.leakage(jv.channel_switching(ds, kind="leakage"), journey=ds.journey)),
    ("attribution", "Attribution models side by side", "charts.attribution(jv.attribution(ds))", lambda ds: charts.attribution(jv.attribution(ds))),
    ("touchpoint_scorecard", "Touchpoint scorecard", "charts.touchpoint_scorecard(jv.touchpoint_audit(ds))", lambda ds: charts.touchpoint_scorecard(jv.touchpoint_audit(ds))),
    ("scores", "Satisfaction by touchpoint", "charts.scores(jv.scores(ds))", lambda ds: charts.scores(jv.scores(ds))),
    ("nps_bars", "NPS by age band", "charts.nps_bars(jv.scores(ds, level='journey', by='age_band'), by='age_band')", lambda ds: charts.nps_bars(jv.scores(ds, level="journey", by="age_band"), by="age_band")),
    ("gap_dumbbell", "Expectation → perception", "charts.gap_dumbbell(jv.satisfaction_gap(ds))", lambda ds: charts.gap_dumbbell(jv.satisfaction_gap(ds))),
    ("importance_performance", "Importance–performance quadrant", "charts.importance_performance(jv.importance_performance(ds))", lambda ds: charts.importance_performance(jv.importance_performance(ds, n_bootstrap=200))),
    ("brand_comparison", "Us against competitors", "charts.brand_comparison(jv.compare_brands(ds), brand=ds.brand)", lambda ds: charts.brand_comparison(jv.compare_brands(ds), brand=ds.brand)),
    ("churn_forest", "Churn after a bad experience", "charts.churn_forest(jv.churn_by_experience(ds), top=12)", lambda ds: charts.churn_forest(jv.churn_by_experience(ds), top=12)),
    ("segment_profile_heatmap", "Behavioural segments and what sets them apart", "charts.segment_profile_heatmap(jv.segment_profiles(jv.segment(ds, method='kmeans', k=4)))",
     lambda ds: charts.segment_profile_heatmap(jv.segment_profiles(jv.segment(ds, method="kmeans", k=4)))),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["fr", "en"], default="fr")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--sample", type=Path, default=ROOT / "data" / "samples" / "maison_lumiere")
    args = parser.parse_args()
    charts.set_language(args.lang)
    ds = jv.load(args.sample)
    items = list(GALLERY)
    lines = [
        "# Chart gallery",
        "",
        f"Every `jv.charts` function on the Maison Lumière sample (`{args.sample.relative_to(ROOT) if args.sample.is_relative_to(ROOT) else args.sample}`), "
        f"wording and number formats in `{args.lang}`. Regenerate with `python docs/gallery/make_gallery.py`; "
        "see [docs/charts.md](../charts.md) for what each chart shows and which table it takes.",
        "",
    ]
    for name, title, call, build in items:
        start = time.perf_counter()
        chart = build(ds)
        charts.save(chart, args.out / f"{name}.png", scale=1)
        print(f"{name}.png  {time.perf_counter() - start:.1f}s")
        lines += [f"## {title}", "", f"```python\n{call}\n```", "", f"![{title}]({name}.png)", ""]
    (args.out / "README.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
