"""The journey map: stages as columns, channels as swimlanes, touchpoints as marks, an emotion curve below.

One renderer draws two kinds of map:

- **from data** — :func:`journey_map_table` joins the catalogue with the analysis tables
  (reach from :func:`journeyviz.touchpoint_audit`, gap from :func:`journeyviz.satisfaction_gap`,
  CSAT from :func:`journeyviz.scores`, moments of truth from
  :func:`journeyviz.importance_performance`); the marks are sized by reach and coloured by gap
  or satisfaction, and the curve is the stage-level gap or satisfaction with its interval;
- **from a workshop** — :func:`read_workshop_map` reads a hand-written file (YAML or CSV: stages,
  touchpoints, channel, emotion −2..+2, pain points, opportunities); the curve is the emotion
  touchpoint by touchpoint and the pain points and opportunities are written under it.

Shapes show the objective (circle: inform, diamond: image, square: purchase) and a dark outline
marks company-initiated touchpoints, so the map reads without colour too.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, Mapping

import altair as alt
import numpy as np
import pandas as pd
import yaml

from . import _base as b
from . import palette

_ANALYSIS = "Journey.catalogue(), journeyviz.charts.journey_map_table or journeyviz.charts.read_workshop_map"
_VALUE_COLUMNS = ("emotion", "gap", "csat", "perception")
_W = {
    "title": {"fr": "Carte du parcours client", "en": "Customer journey map"},
    "emotion": {"fr": "Émotion (−2 à +2)", "en": "Emotion (−2 to +2)"},
    "gap": {"fr": "Écart perception − attente", "en": "Gap perception − expectation"},
    "csat": {"fr": "Satisfaction moyenne", "en": "Mean satisfaction"},
    "perception": {"fr": "Perception moyenne", "en": "Mean perception"},
    "reach": {"fr": "Clients touchés", "en": "Customers reached"},
    "reach_share": {"fr": "Portée (part des clients)", "en": "Reach (share of customers)"},
    "objective": {"fr": "Objectif", "en": "Objective"},
    "initiative": {"fr": "Initiative", "en": "Initiative"},
    "friction": {"fr": "Friction", "en": "Friction"},
    "mot": {"fr": "Moment de vérité", "en": "Moment of truth"},
    "pain_points": {"fr": "Irritants", "en": "Pain points"},
    "opportunities": {"fr": "Opportunités", "en": "Opportunities"},
    "n": {"fr": "Répondants (n)", "en": "Respondents (n)"},
    "no_value": {"fr": "non mesuré", "en": "not measured"},
    "legend": {
        "fr": "Forme = objectif (rond : informer, losange : image, carré : achat) · contour foncé = à l'initiative de l'entreprise · taille = portée · ! = friction · étoile = moment de vérité · clic sur une étape pour la mettre en avant",
        "en": "Shape = objective (circle: inform, diamond: image, square: purchase) · dark outline = company-initiated · size = reach · ! = friction · star = moment of truth · click a stage to highlight it",
    },
    "legend_workshop": {
        "fr": "Forme = objectif (rond : informer, losange : image, carré : achat) · contour foncé = à l'initiative de l'entreprise · couleur = émotion",
        "en": "Shape = objective (circle: inform, diamond: image, square: purchase) · dark outline = company-initiated · colour = emotion",
    },
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
}
OBJECTIVE_LABELS = {"fr": {"inform": "informer", "image": "image de marque", "purchase": "achat"}, "en": {"inform": "inform", "image": "brand image", "purchase": "purchase"}}
INITIATIVE_LABELS = {"fr": {"customer": "client", "company": "entreprise"}, "en": {"customer": "customer", "company": "company"}}
_STAR = "M0,-1L0.235,-0.324L0.951,-0.309L0.38,0.124L0.588,0.809L0,0.4L-0.588,0.809L-0.38,0.124L-0.951,-0.309L-0.235,-0.324Z"


# ---------------------------------------------------------------------- tables
def journey_map_table(
    journey_or_catalogue: Any,
    *,
    audit: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    scores: pd.DataFrame | None = None,
    ipa: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The table a data-driven journey map draws: the catalogue joined with analysis tables on ``touchpoint``.

    Joins only; every figure comes from the analysis that computed it.

    Parameters
    ----------
    journey_or_catalogue
        A :class:`journeyviz.Journey` or its ``catalogue()``.
    audit
        :func:`journeyviz.touchpoint_audit` (no ``by``): adds ``reach``, ``reach_share``,
        ``friction``, ``intrusive``.
    gaps
        :func:`journeyviz.satisfaction_gap` at touchpoint level: adds ``gap``, ``gap_low``,
        ``gap_high``, ``gap_n``, ``gap_suppressed``.
    scores
        :func:`journeyviz.scores` at touchpoint level: adds ``csat``, ``csat_low``,
        ``csat_high``, ``csat_n``, ``csat_suppressed``.
    ipa
        :func:`journeyviz.importance_performance`: adds ``quadrant`` and ``moment_of_truth``.

    Returns
    -------
    pandas.DataFrame
        One row per catalogue touchpoint, in journey order: ``touchpoint``, ``label``,
        ``stage``, ``stage_label``, ``stage_order``, ``channel``, ``objective``,
        ``initiative``, ``moment`` and the columns added above (NaN where a table has no row).

    Raises
    ------
    ValueError
        A given table lacks ``touchpoint`` or the columns it is joined for.
    """
    if hasattr(journey_or_catalogue, "catalogue"):
        out = journey_or_catalogue.catalogue()
    else:
        out = b.require(journey_or_catalogue, ["touchpoint", "label", "stage", "channel"], "charts.journey_map_table", "Journey.catalogue()")
    out = out.reset_index(drop=True)

    def join(table: pd.DataFrame | None, columns: Mapping[str, str], analysis: str) -> None:
        nonlocal out
        if table is None:
            return
        frame = b.require(table, ["touchpoint", *columns], "charts.journey_map_table", analysis)
        frame = frame[["touchpoint", *columns]].rename(columns=dict(columns)).drop_duplicates("touchpoint")
        out = out.merge(frame, on="touchpoint", how="left")

    if audit is not None:
        join(audit, {c: c for c in ("reach", "reach_share", "friction", "intrusive") if c in audit.columns} or {"reach": "reach"}, "journeyviz.touchpoint_audit")
    if gaps is not None:
        cols = {"gap": "gap", "low": "gap_low", "high": "gap_high", "n": "gap_n"}
        if "suppressed" in gaps.columns:
            cols["suppressed"] = "gap_suppressed"
        join(gaps, cols, "journeyviz.satisfaction_gap(level='touchpoint')")
    if scores is not None:
        cols = {"csat": "csat", "csat_low": "csat_low", "csat_high": "csat_high", "n": "csat_n"}
        if "suppressed" in scores.columns:
            cols["suppressed"] = "csat_suppressed"
        join(scores, cols, "journeyviz.scores(level='touchpoint')")
    if ipa is not None:
        join(ipa, {"quadrant": "quadrant", "moment_of_truth": "moment_of_truth"}, "journeyviz.importance_performance")
    return out


def read_workshop_map(path: str | Path) -> pd.DataFrame:
    """Read a hand-written journey map from a workshop (YAML or CSV) into the table :func:`journey_map` draws.

    **YAML** (``.yml``/``.yaml``)::

        title: Visite en magasin
        language: fr
        stages:
          - {id: attract, label: Attirer}
        touchpoints:                 # in the order the customer lives them
          - label: Vitrine
            stage: attract
            channel: store            # web, app, store, phone, email, chat, social, mail, other
            objective: image          # inform / image / purchase (default inform)
            initiative: company       # customer / company (default customer)
            emotion: 1                # −2 (very negative) … +2 (very positive)
            pain_points: [...]        # optional, text or list of texts
            opportunities: [...]      # optional

    **CSV** (``.csv``, comma or semicolon separated, UTF-8): one row per touchpoint with columns
    ``stage``, ``touchpoint`` (the label), ``channel``, ``emotion`` and optionally ``objective``,
    ``initiative``, ``pain_points``, ``opportunities`` (several items separated by ``|``);
    stages are taken in order of first appearance.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint: ``touchpoint`` (id), ``label``, ``stage``, ``stage_label``,
        ``stage_order``, ``channel``, ``objective``, ``initiative``, ``emotion`` (float,
        −2..+2), ``pain_points``, ``opportunities`` (text, items joined by ``" · "``; empty
        when none). ``attrs["title"]`` and ``attrs["language"]`` hold the file's title and
        language.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        Unknown extension; a missing key or column; an emotion outside −2..+2; an unknown stage,
        objective or initiative — each message names the file and the touchpoint.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"workshop map not found: {path}")
    ext = path.suffix.lower()
    if ext in (".yml", ".yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        if not isinstance(raw, Mapping):
            raise ValueError(f"{path}: expected a mapping with 'stages' and 'touchpoints'")
        stages = raw.get("stages") or []
        tps = raw.get("touchpoints") or []
        if not stages or not tps:
            raise ValueError(f"{path}: 'stages' and 'touchpoints' must both be non-empty lists")
        stage_list = []
        for i, s in enumerate(stages):
            if isinstance(s, str):
                s = {"id": s, "label": s}
            if not isinstance(s, Mapping) or "id" not in s:
                raise ValueError(f"{path}: stages[{i}] needs an 'id' (and a 'label')")
            stage_list.append((str(s["id"]), str(s.get("label") or s["id"])))
        title, language = raw.get("title") or raw.get("name"), raw.get("language", "fr")
    elif ext == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
        from io import StringIO

        frame = pd.read_csv(StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        for col in ("stage", "touchpoint", "channel", "emotion"):
            if col not in frame.columns:
                raise ValueError(f"{path}: column {col!r} is missing; a workshop CSV has stage, touchpoint, channel, emotion (and optionally objective, initiative, pain_points, opportunities)")
        labels = list(dict.fromkeys(frame["stage"]))
        stage_list = [(_slug(l, i), l) for i, l in enumerate(labels)]
        ids = dict((l, sid) for sid, l in stage_list)
        tps = []
        for r in frame.to_dict("records"):
            tps.append({**r, "label": r["touchpoint"], "stage": ids[r["stage"]], "pain_points": [p for p in str(r.get("pain_points", "")).split("|") if p.strip()], "opportunities": [p for p in str(r.get("opportunities", "")).split("|") if p.strip()]})
        title, language = None, "fr"
    else:
        raise ValueError(f"{path}: unsupported extension {path.suffix!r}; use .yml, .yaml or .csv")
    order = {sid: i for i, (sid, _) in enumerate(stage_list)}
    stage_labels = dict(stage_list)
    rows = []
    for i, t in enumerate(tps):
        where = f"{path}: touchpoints[{i}]"
        if not isinstance(t, Mapping):
            raise ValueError(f"{where}: expected a mapping with label, stage, channel, emotion")
        label = str(t.get("label") or t.get("touchpoint") or "").strip()
        if not label:
            raise ValueError(f"{where}: 'label' is missing")
        where = f"{where} ({label})"
        stage = str(t.get("stage", ""))
        if stage not in order:
            raise ValueError(f"{where}: stage {stage!r} is not one of the file's stages ({', '.join(order)})")
        channel = str(t.get("channel") or "other")
        objective = str(t.get("objective") or "inform")
        initiative = str(t.get("initiative") or "customer")
        if objective not in OBJECTIVE_LABELS["en"]:
            raise ValueError(f"{where}: objective {objective!r} is not allowed; use inform, image or purchase")
        if initiative not in INITIATIVE_LABELS["en"]:
            raise ValueError(f"{where}: initiative {initiative!r} is not allowed; use customer or company")
        try:
            emotion = float(str(t.get("emotion")).replace(",", "."))
        except (TypeError, ValueError):
            raise ValueError(f"{where}: emotion {t.get('emotion')!r} must be a number from -2 to +2") from None
        if not -2 <= emotion <= 2:
            raise ValueError(f"{where}: emotion {emotion:g} is outside -2..+2")
        rows.append(
            {
                "touchpoint": str(t.get("id") or _slug(label, i)),
                "label": label,
                "stage": stage,
                "stage_label": stage_labels[stage],
                "stage_order": order[stage],
                "channel": channel,
                "objective": objective,
                "initiative": initiative,
                "emotion": emotion,
                "pain_points": _items(t.get("pain_points")),
                "opportunities": _items(t.get("opportunities")),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["title"] = title
    out.attrs["language"] = language
    return out


def _items(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return " · ".join(str(v).strip() for v in value if str(v).strip())
    return str(value).strip()


def _slug(text: str, index: int) -> str:
    keep = "".join(ch.lower() if ch.isalnum() else "_" for ch in text)
    return f"{index:02d}_" + "_".join(p for p in keep.split("_") if p)[:30]


# ---------------------------------------------------------------------- chart
def journey_map(
    table: pd.DataFrame,
    *,
    emotion: pd.DataFrame | None = None,
    journey: Any = None,
    colour: str | None = None,
    title: str | None = None,
    lang: str | None = None,
    min_group_size: int = 10,
    slot_width: int | None = None,
) -> alt.VConcatChart:
    """Draw a journey map: stages as columns in order, channels as swimlanes, an emotion curve below.

    Parameters
    ----------
    table
        One row per touchpoint: ``touchpoint`` or ``label``, ``stage``, ``channel``; optionally
        ``stage_label``, ``stage_order``, ``objective``, ``initiative``, ``reach``/``reach_share``
        (mark size), a value to colour by (``emotion``, ``gap``, ``csat`` or ``perception``) with
        its ``<value>_low``/``<value>_high`` and ``<value>_n``, ``friction``,
        ``moment_of_truth``, ``pain_points``, ``opportunities``. ``Journey.catalogue()``,
        :func:`journey_map_table` and :func:`read_workshop_map` all return such a table.
    emotion
        Optional stage-level table for the curve: :func:`journeyviz.satisfaction_gap` or
        :func:`journeyviz.scores` at ``level="stage"`` (``stage`` and ``gap``/``csat`` with its
        interval). Without it the curve follows the touchpoints' own values.
    journey
        A :class:`journeyviz.Journey` for stage order and labels when the table lacks them.
    colour
        The column that colours the marks (default: the first of ``emotion``, ``gap``, ``csat``,
        ``perception`` present; without one, marks take their objective's colour).
    title, lang, min_group_size
        Title (default: the workshop title or "Customer journey map"), wording language,
        threshold named on suppressed values.
    slot_width
        Pixels per touchpoint column (default 40, or 100 when pain points are written).

    Returns
    -------
    altair.VConcatChart
        Panels ``stages`` (stage headers spanning their touchpoints), ``map`` (lanes per channel;
        layers ``stage_bands``, ``touchpoints``, ``moments_of_truth``, ``frictions``), then when
        there is a value ``emotion_curve`` (line, interval band, zero rule), and for workshop maps
        ``notes`` (pain points and opportunities). Clicking a stage header highlights its
        touchpoints.

    Raises
    ------
    ValueError
        A needed column is missing (named, with the tables that provide it); ``colour`` names
        a column the table does not have.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["stage", "channel"], "charts.journey_map", _ANALYSIS)
    name_col = b.either(data, ["label", "touchpoint"], "charts.journey_map", _ANALYSIS)
    title = title or (table.attrs.get("title") if hasattr(table, "attrs") else None) or b.pick(_W["title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    if colour is not None and colour not in data.columns:
        raise ValueError(f"charts.journey_map: colour={colour!r} is not a column of the table; use one of {', '.join(c for c in _VALUE_COLUMNS if c in data.columns) or 'no value column (the table has none)'}")
    value = colour or next((c for c in _VALUE_COLUMNS if c in data.columns and data[c].notna().any()), None)
    data = b.records(data)
    data["name"] = data[name_col].astype(str)
    # Stage order and labels: from the table, else the journey, else order of appearance.
    if "stage_order" not in data.columns:
        ids = journey.stage_ids if journey is not None else list(dict.fromkeys(data["stage"]))
        data["stage_order"] = [ids.index(s) if s in ids else len(ids) for s in data["stage"]]
    if "stage_label" not in data.columns:
        names = b.journey_labels(journey)
        data["stage_label"] = [names.get(s, s) for s in data["stage"]]
    data = data.sort_values("stage_order", kind="stable").reset_index(drop=True)
    data["slot"] = np.arange(len(data), dtype=float)
    n_slots = len(data)
    workshop = value == "emotion"
    has_notes = any(c in data.columns and data[c].astype(str).str.strip().ne("").any() for c in ("pain_points", "opportunities"))
    width_per = slot_width or (100 if has_notes else 40)
    width = max(360, width_per * n_slots)
    x_scale = alt.Scale(domain=[-0.5, n_slots - 0.5], nice=False, zero=False)
    stage_sel = alt.selection_point(fields=["stage"], name="stage_pick", on="click", clear="dblclick")

    # Stage headers and bands.
    stages = data.groupby(["stage_order", "stage", "stage_label"], sort=True)["slot"].agg(["min", "max"]).reset_index()
    stages["x"] = stages["min"] - 0.5
    stages["x2"] = stages["max"] + 0.5
    stages["mid"] = (stages["min"] + stages["max"]) / 2
    stages["band"] = ["a" if i % 2 == 0 else "b" for i in range(len(stages))]
    stages["header"] = [_wrap(l, max(8, int((x2 - x) * width_per / 8))) for l, x, x2 in zip(stages["stage_label"], stages["x"], stages["x2"])]
    stage_values = b.inline(stages)
    header_base = alt.Chart()
    # Building the map is on the path of every filter change, hence:
    # - one constructor per compound chart: Altair copies the whole tree on every .properties() or
    #   .resolve_scale() call (that was a third of the build);
    # - encodings as channel objects, not strings or dicts, which encode() looks up among Altair's
    #   schema classes one by one;
    # - each table converted once (b.inline) and held by the compound chart whose layers draw it,
    #   so that Altair neither converts it per layer nor copies its rows with every layer.
    headers = alt.LayerChart(data=stage_values, layer=[
        header_base.mark_rect(stroke="white", strokeWidth=2).encode(
            x=alt.X("x:Q", scale=x_scale, axis=None),
            x2=alt.X2("x2:Q"),
            color=alt.ColorValue(**alt.condition(stage_sel, alt.value(palette.INK), alt.value("#8A8A8A"))),
            tooltip=[b.tip("stage_label", b.word("stage", lang), "N")],
        ).add_params(stage_sel),
        header_base.mark_text(color="white", fontWeight="bold", fontSize=12, lineBreak="\n").encode(x=alt.X("mid:Q"), text=alt.Text("header:N")),
    ], width=width, height=44, name="stages")

    # Map lanes.
    channels = palette.channel_order(data["channel"].astype(str))
    channel_names = b.channel_labels(lang)
    data["lane"] = [channel_names.get(c, c) for c in data["channel"].astype(str)]
    lanes = [channel_names.get(c, c) for c in channels]
    data["objective"] = data["objective"] if "objective" in data.columns else "inform"
    data["initiative"] = data["initiative"] if "initiative" in data.columns else "customer"
    data["objective_name"] = [OBJECTIVE_LABELS[lang].get(o, o) for o in data["objective"]]
    data["initiative_name"] = [INITIATIVE_LABELS[lang].get(i, i) for i in data["initiative"]]
    size_col = next((c for c in ("reach", "reach_share") if c in data.columns and data[c].notna().any()), None)
    suppressed = b.is_suppressed(data)
    for col in ("gap_suppressed", "csat_suppressed"):
        if value and col.startswith(value) and col in data.columns:
            suppressed = suppressed | data[col].fillna(False).astype(bool)
    data["note"] = np.where(suppressed, b.word("suppressed", lang, k=min_group_size), "")
    data["mot"] = [b.flag(v) for v in data["moment_of_truth"]] if "moment_of_truth" in data.columns else False
    data["friction_flag"] = [b.flag(v) for v in data["friction"]] if "friction" in data.columns else False
    tooltip = [b.tip("name", b.word("touchpoint", lang), "N"), b.tip("stage_label", b.word("stage", lang), "N"), b.tip("lane", b.word("channel", lang), "N"), b.tip("objective_name", b.pick(_W["objective"], lang), "N"), b.tip("initiative_name", b.pick(_W["initiative"], lang), "N")]
    if value:
        tooltip.append(b.tip(value, b.pick(_W.get(value, {"fr": value, "en": value}), lang), fmt="+.2f" if value in ("gap", "emotion") else ".2f"))
        tooltip += [b.tip(c, b.word(c.rsplit("_", 1)[1], lang), fmt="+.2f" if value == "gap" else ".2f") for c in b.present(data, f"{value}_low", f"{value}_high")]
        tooltip += [b.tip(f"{value}_n", b.pick(_W["n"], lang), fmt=",")] if f"{value}_n" in data.columns else []
    if size_col:
        tooltip.append(b.tip("reach", b.pick(_W["reach"], lang), fmt=",") if size_col == "reach" else b.pct_tip("reach_share", b.pick(_W["reach_share"], lang)))
        if size_col == "reach" and "reach_share" in data.columns:
            tooltip.append(b.pct_tip("reach_share", b.pick(_W["reach_share"], lang)))
    if "friction" in data.columns:
        data["friction_text"] = [b.pick(_W["yes"] if f else _W["no"], lang) for f in data["friction_flag"]]
        tooltip.append(b.tip("friction_text", b.pick(_W["friction"], lang), "N"))
    if "moment_of_truth" in data.columns:
        data["mot_text"] = [b.pick(_W["yes"] if f else _W["no"], lang) for f in data["mot"]]
        tooltip.append(b.tip("mot_text", b.pick(_W["mot"], lang), "N"))
    for col in ("pain_points", "opportunities"):
        if col in data.columns:
            tooltip.append(b.tip(col, b.pick(_W[col], lang), "N"))
    tooltip.append(b.tip("note", b.word("note", lang), "N"))

    lane_height = 46
    map_height = max(120, lane_height * len(lanes))
    grid_axis = alt.Axis(values=list(range(n_slots)), labels=False, ticks=False, domain=False, grid=True, gridColor="#EEEEEE", title=None)
    # Wide columns: touchpoint names written in full on a row of their own; narrow: angled axis labels
    # under the last panel (the map itself when there is no curve).
    wide = width_per >= 90
    label_expr = f"({json.dumps(list(data['name']), ensure_ascii=False)})[datum.value]"
    label_axis = alt.Axis(values=list(range(n_slots)), labelExpr=label_expr, labelAngle=-40, labelAlign="right", labelBaseline="top", labelOverlap=False, labelLimit=220, grid=True, gridColor="#EEEEEE", ticks=False, domain=False, title=None, labelFontSize=11)
    map_axis = label_axis if (not wide and value is None) else grid_axis
    x = alt.X("slot:Q", scale=x_scale, axis=map_axis)
    y = alt.Y("lane:N", sort=lanes, scale=alt.Scale(domain=lanes), title=None, axis=alt.Axis(labelFontWeight="bold", ticks=False, domain=False, labelPadding=8))
    # Alternate stage backgrounds; on the fill channel so they never share the marks' colour scale.
    bands = alt.Chart(stage_values).mark_rect(opacity=0.5).encode(x=alt.X("x:Q", scale=x_scale, axis=map_axis), x2=alt.X2("x2:Q"), fill=alt.Fill("band:N", scale=alt.Scale(domain=["a", "b"], range=["#F3F3F3", "#FFFFFF"]), legend=None))
    base = alt.Chart().encode(x=x, y=y, tooltip=tooltip)
    limit, mid = None, 0.0
    if value is None:
        fill = alt.Color("objective:N", scale=palette.objective_scale(), legend=None)
    else:
        limit = 2.0 if value == "emotion" else None
        if value in ("csat", "perception"):
            # Satisfaction diverges around the middle of its scale (the data's median without a journey).
            scale = journey.scale("perception") if journey is not None else None
            mid = (scale.low + scale.high) / 2 if scale is not None else float(np.nanmedian(data[value]))
        elif value == "gap":
            limit = float(max(0.5, np.nanmax(np.abs(data[value].to_numpy(dtype=float))) if data[value].notna().any() else 0.5))
        fill = alt.ColorValue(**alt.condition(f"isValid(datum['{value}']) && datum.note == ''", alt.Color(f"{value}:Q", scale=palette.diverging_scale(limit, mid), title=b.pick(_W[value], lang), legend=alt.Legend(orient="right", gradientLength=map_height - 30)), alt.value(palette.SUPPRESSED)))
    size = alt.Size(f"{size_col}:Q", scale=alt.Scale(range=[70, 700]), legend=None) if size_col else alt.SizeValue(260 if workshop else 220)
    marks = base.mark_point(filled=True, opacity=1).encode(
        color=fill,
        shape=alt.Shape("objective:N", scale=palette.objective_shapes(), legend=None),
        size=size,
        stroke=alt.Stroke("initiative:N", scale=alt.Scale(domain=["company", "customer"], range=[palette.INK, "#BBBBBB"]), legend=None),
        strokeWidth=alt.StrokeWidthValue(**alt.condition("datum.initiative == 'company'", alt.value(2.2), alt.value(0.8))),
        opacity=alt.OpacityValue(**alt.condition(stage_sel, alt.value(1.0), alt.value(0.25))),
    )
    layers = [bands.properties(name="stage_bands"), marks.properties(name="touchpoints")]
    if data["mot"].any():
        layers.append(base.transform_filter("datum.mot").mark_point(shape=_STAR, filled=False, size=900, strokeWidth=2, color=palette.VERMILLION).properties(name="moments_of_truth"))
    if data["friction_flag"].any():
        layers.append(base.transform_filter("datum.friction_flag").mark_text(text="!", fontSize=18, fontWeight="bold", color=palette.VERMILLION, dx=13, dy=-13).properties(name="frictions"))
    map_panel = alt.LayerChart(data=b.inline(data), layer=layers, width=width, height=map_height, name="map")
    panels = [headers, map_panel]
    if wide:
        names = data[["slot", "name", "stage"]].copy()
        names["text"] = ["\n".join(textwrap.wrap(n, max(8, width_per // 7))[:4]) for n in names["name"]]
        panels.append(
            alt.Chart(b.inline(names)).mark_text(fontSize=11, fontWeight="bold", lineBreak="\n", baseline="top").encode(
                x=alt.X("slot:Q", scale=x_scale, axis=None), y=alt.YValue(2), text=alt.Text("text:N"), tooltip=[b.tip("name", b.word("touchpoint", lang), "N")]
            ).properties(width=width, height=58, name="touchpoint_names")
        )
        label_axis = alt.Axis(values=list(range(n_slots)), labels=False, ticks=False, domain=False, grid=True, gridColor="#EEEEEE", title=None)

    # Emotion curve.
    if value is not None:
        curve_title = b.pick(_W[value], lang)
        curve_data, lo, hi = _curve(data, value, emotion, stages, lang)
        cx = alt.X("slot:Q", scale=x_scale, axis=label_axis)
        curve_tip = [b.tip("name", "", "N"), b.tip(value, curve_title, fmt="+.2f" if value in ("gap", "emotion") else ".2f")]
        curve_tip += [b.tip(c, b.word(k, lang), fmt=".2f") for c, k in ((lo, "low"), (hi, "high")) if c and c in curve_data.columns]
        curve_tip += [b.tip("n", b.pick(_W["n"], lang), fmt=",")] if "n" in curve_data.columns else []
        curve_values = b.inline(curve_data)
        cbase = alt.Chart().encode(x=cx, tooltip=curve_tip)
        ydomain = [-2.2, 2.2] if value == "emotion" else None
        ycurve = alt.Y(f"{value}:Q", title=curve_title, scale=alt.Scale(domain=ydomain, zero=False) if ydomain else alt.Scale(zero=False), axis=alt.Axis(titleFontSize=11, tickCount=5, titleLimit=150))
        curve_layers = []
        if lo and hi:
            curve_layers.append(cbase.mark_area(opacity=0.25, color=palette.BLUE, interpolate="monotone").encode(y=alt.Y(f"{lo}:Q", title=curve_title), y2=alt.Y2(f"{hi}:Q")))
        if value in ("gap", "emotion"):
            curve_layers.append(alt.Chart(b.inline(pd.DataFrame({"zero": [0.0]}))).mark_rule(color=palette.GREY, strokeDash=[4, 3]).encode(y=alt.Y("zero:Q")))
        curve_layers.append(cbase.mark_line(color=palette.INK, strokeWidth=2.5, interpolate="monotone").encode(y=ycurve))
        curve_layers.append(cbase.mark_point(filled=True, size=70, opacity=1, stroke=palette.INK, strokeWidth=0.6).encode(y=alt.Y(f"{value}:Q"), color=alt.Color(f"{value}:Q", scale=palette.diverging_scale(limit, mid), legend=None)))
        if workshop and "pain_points" in data.columns:
            curve_layers.append(alt.Chart().transform_filter("datum.pain_points != ''").mark_point(shape="triangle-down", filled=True, size=90, color=palette.VERMILLION, yOffset=16).encode(x=cx, y=alt.Y(f"{value}:Q"), tooltip=curve_tip + [b.tip("pain_points", b.pick(_W["pain_points"], lang), "N")]))
        panels.append(alt.LayerChart(data=curve_values, layer=curve_layers, width=width, height=150, name="emotion_curve"))

    # Workshop notes.
    if has_notes:
        notes = []
        for col, colr in (("pain_points", palette.VERMILLION), ("opportunities", palette.BLUISH_GREEN)):
            if col not in data.columns:
                continue
            for r in data.itertuples():
                text = str(getattr(r, col) or "")
                if text.strip():
                    notes.append({"slot": r.slot, "row": b.pick(_W[col], lang), "text": "\n".join(_wrap_lines(text, max(10, width_per // 7))), "kind": col})
        notes = pd.DataFrame(notes)
        if not notes.empty:
            rows = [b.pick(_W[c], lang) for c in ("pain_points", "opportunities") if c in data.columns]
            note_panel = (
                alt.Chart(b.inline(notes))
                .mark_text(fontSize=10, lineBreak="\n", baseline="top", align="center")
                .encode(
                    x=alt.X("slot:Q", scale=x_scale, axis=None),
                    y=alt.Y("row:N", sort=rows, title=None, scale=alt.Scale(domain=rows), axis=alt.Axis(labelFontWeight="bold", ticks=False, domain=False, labelPadding=8), bandPosition=0.1),
                    text=alt.Text("text:N"),
                    color=alt.Color("kind:N", scale=alt.Scale(domain=["pain_points", "opportunities"], range=[palette.VERMILLION, palette.BLUISH_GREEN]), legend=None),
                )
                .properties(width=width, height=len(rows) * (12 * int(notes["text"].str.count("\n").max() + 1) + 18), name="notes")
            )
            panels.append(note_panel)
    subtitle = b.pick(_W["legend_workshop" if workshop else "legend"], lang)
    independent = alt.ScaleResolveMap(color="independent", size="independent", shape="independent", stroke="independent")
    return alt.VConcatChart(vconcat=panels, spacing=4, resolve=alt.Resolve(scale=independent), title=alt.TitleParams(title, subtitle=subtitle))


def _curve(data: pd.DataFrame, value: str, emotion: pd.DataFrame | None, stages: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, str | None, str | None]:
    """Points of the emotion curve: the stage table at stage centres, else the touchpoints' own values."""
    if emotion is not None:
        col = value if value in emotion.columns else b.either(emotion, ["gap", "csat", "emotion"], "charts.journey_map(emotion=...)", "journeyviz.satisfaction_gap(level='stage') or journeyviz.scores(level='stage')")
        frame = b.require(emotion, ["stage", col], "charts.journey_map(emotion=...)", "journeyviz.satisfaction_gap(level='stage') or journeyviz.scores(level='stage')")
        frame = b.records(frame)
        lo, hi = ("low", "high") if col == "gap" else (f"{col}_low", f"{col}_high")
        keep = ["stage", col] + [c for c in (lo, hi, "n") if c in frame.columns]
        frame = frame[keep].merge(stages[["stage", "mid", "stage_label"]], on="stage", how="inner")
        if "suppressed" in emotion.columns:
            frame = frame[~b.is_suppressed(b.records(emotion)).reindex(frame.index, fill_value=False).to_numpy()]
        frame = frame.rename(columns={"mid": "slot", "stage_label": "name", col: value, lo: f"{value}_lo", hi: f"{value}_hi"})
        has_band = f"{value}_lo" in frame.columns and f"{value}_hi" in frame.columns
        return frame.sort_values("slot"), (f"{value}_lo" if has_band else None), (f"{value}_hi" if has_band else None)
    keep = ["slot", "name", value] + [c for c in (f"{value}_low", f"{value}_high", f"{value}_n", "pain_points") if c in data.columns]
    frame = data[keep][data[value].notna() & (data["note"] == "")].copy()
    if f"{value}_n" in frame.columns:
        frame = frame.rename(columns={f"{value}_n": "n"})
    if "pain_points" in frame.columns:
        frame["pain_points"] = frame["pain_points"].fillna("").astype(str)
    has_band = f"{value}_low" in frame.columns and f"{value}_high" in frame.columns
    return frame, (f"{value}_low" if has_band else None), (f"{value}_high" if has_band else None)


def _wrap_lines(text: str, width: int) -> list[str]:
    out: list[str] = []
    for part in text.split(" · "):
        lines = textwrap.wrap(part, width=width) or [""]
        out += ["• " + lines[0]] + lines[1:]
    return out[:9]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width=width)[:2])
