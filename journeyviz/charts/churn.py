"""Churn forest plot: how much more often customers stop buying after a bad experience (relative risk, log scale)."""

from __future__ import annotations

from typing import Mapping

import altair as alt
import pandas as pd

from . import _base as b
from . import palette

_W = {
    "title": {"fr": "Départ des clients après une mauvaise expérience", "en": "Churn after a bad experience"},
    "rr": {"fr": "Risque relatif de départ (mauvaise / bonne expérience, échelle log)", "en": "Relative risk of churn (bad / good experience, log scale)"},
    "nps_row": {"fr": "Détracteurs vs promoteurs (NPS)", "en": "Detractors vs promoters (NPS)"},
    "gap_prefix": {"fr": "Attente déçue : ", "en": "Expectation missed: "},
    "churn_bad": {"fr": "Départ après mauvaise expérience", "en": "Churn after a bad experience"},
    "churn_good": {"fr": "Départ après bonne expérience", "en": "Churn after a good experience"},
    "n_bad": {"fr": "Mauvaise expérience (n)", "en": "Bad experience (n)"},
    "n_good": {"fr": "Bonne expérience (n)", "en": "Good experience (n)"},
    "difference": {"fr": "Différence de taux de départ", "en": "Difference in churn"},
    "p_adjusted": {"fr": "p ajustée (Benjamini–Hochberg)", "en": "Adjusted p (Benjamini–Hochberg)"},
    "subtitle": {"fr": "1 = pas de différence ; à droite de 1, on part plus souvent après une mauvaise expérience", "en": "1 = no difference; right of 1, customers leave more often after a bad experience"},
}


def churn_forest(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str | None = None, lang: str | None = None, min_group_size: int = 10, top: int | None = None) -> alt.HConcatChart:
    """Forest plot of relative risks of churn (bad vs good experience) with 95 % intervals, log scale.

    Parameters
    ----------
    table
        The table returned by :func:`journeyviz.churn_by_experience`: ``definition``,
        ``label`` (gap rows), ``n_bad``, ``n_good``, ``churn_bad``, ``churn_good``,
        ``relative_risk``, ``rr_low``, ``rr_high``, ``p_adjusted``, ``suppressed``.
    labels
        Display labels for touchpoint ids when ``label`` is missing.
    top
        Keep the NPS row and the ``top`` touchpoints with the highest relative risk (None: all).
    title, lang, min_group_size
        Title, wording language, threshold named on suppressed rows.

    Returns
    -------
    altair.HConcatChart
        The forest — ``no_effect`` (rule at 1), ``intervals`` (rules), ``estimates`` (squares
        sized by ``n_bad``) — beside ``values`` (text "RR (bad % vs good %)"); suppressed rows
        carry a note.
    """
    lang = b.resolve_lang(lang)
    data = b.require(table, ["definition", "relative_risk", "n_bad", "n_good"], "charts.churn_forest", "journeyviz.churn_by_experience")
    title = title or b.pick(_W["title"], lang)
    if data.empty:
        return b.no_data(title, lang)
    data = b.records(data)
    names = labels or {}
    row_names = []
    for r in data.to_dict("records"):
        if r["definition"] == "nps":
            row_names.append(b.pick(_W["nps_row"], lang))
        else:
            lab = r.get("label")
            lab = lab if isinstance(lab, str) and lab else names.get(str(r.get("touchpoint")), str(r.get("touchpoint")))
            row_names.append(b.pick(_W["gap_prefix"], lang) + lab)
    data["row"] = row_names
    data["note"] = b.suppressed_text(data, lang, min_group_size)
    is_nps = data["definition"] == "nps"
    gap_rows = data[~is_nps].sort_values("relative_risk", ascending=False, na_position="last", kind="stable")
    if top:
        gap_rows = gap_rows.head(top)
    data = pd.concat([data[is_nps], gap_rows], ignore_index=True)
    order = list(dict.fromkeys(data["row"]))
    data["value_text"] = [
        n if n else (f"{rr:.2f}".replace(".", "," if lang == "fr" else ".") + f"  ({b.pct(cb, lang)} vs {b.pct(cg, lang)})" if rr == rr else "")
        for n, rr, cb, cg in zip(data["note"], data["relative_risk"], data.get("churn_bad", data["relative_risk"]).fillna(0), data.get("churn_good", data["relative_risk"]).fillna(0))
    ]
    tooltip = [b.tip("row", "", "N"), b.tip("relative_risk", b.pick(_W["rr"], lang), fmt=".2f")]
    tooltip += [b.tip(c, b.word(c.split("_")[1], lang), fmt=".2f") for c in b.present(data, "rr_low", "rr_high")]
    tooltip += [b.pct_tip(c, b.pick(_W[c], lang)) for c in b.present(data, "churn_bad", "churn_good")]
    tooltip += [b.tip(c, b.pick(_W[c], lang), fmt=",") for c in ("n_bad", "n_good")]
    tooltip += [b.pct_tip("difference", b.pick(_W["difference"], lang))] if "difference" in data.columns else []
    tooltip += [b.tip("p_adjusted", b.pick(_W["p_adjusted"], lang), fmt=".3g")] if "p_adjusted" in data.columns else []
    tooltip.append(b.tip("note", b.word("note", lang), "N"))
    shown = data["relative_risk"].dropna()
    lows = data["rr_low"].dropna() if "rr_low" in data.columns else shown
    highs = data["rr_high"].dropna() if "rr_high" in data.columns else shown
    lo = float(min([0.5] + lows[lows > 0].tolist() + shown[shown > 0].tolist()))
    hi = float(max([2.0] + highs.tolist() + shown.tolist()))
    x_scale = alt.Scale(type="log", domain=[lo * 0.9, hi * 1.1])
    base = alt.Chart(data).encode(y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=400)), tooltip=tooltip)
    layers = [alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(color=palette.INK, strokeDash=[4, 3]).encode(x=alt.X("one:Q", scale=x_scale)).properties(name="no_effect")]
    if {"rr_low", "rr_high"} <= set(data.columns):
        layers.append(base.mark_rule(color=palette.INK, strokeWidth=1.5).encode(x=alt.X("rr_low:Q", scale=x_scale), x2="rr_high:Q").properties(name="intervals"))
    layers.append(
        base.mark_square(opacity=1).encode(
            x=alt.X("relative_risk:Q", scale=x_scale, title=b.pick(_W["rr"], lang), axis=alt.Axis(values=[0.25, 0.5, 1, 2, 3, 4, 6, 8], format="~g")),
            size=alt.Size("n_bad:Q", scale=alt.Scale(range=[30, 220]), legend=None),
            color=alt.condition("datum.relative_risk > 1", alt.value(palette.VERMILLION), alt.value(palette.BLUE)),
        ).properties(name="estimates")
    )
    height = max(120, 22 * len(order))
    forest = alt.layer(*layers).properties(width=480, height=height)
    values = (
        alt.Chart(data)
        .mark_text(align="left", fontSize=11)
        .encode(y=alt.Y("row:N", sort=order, axis=None), x=alt.value(0), text="value_text:N", tooltip=tooltip)
        .properties(width=170, height=height, name="values")
    )
    return alt.hconcat(forest, values, spacing=8).properties(title=alt.TitleParams(title, subtitle=b.pick(_W["subtitle"], lang)))

