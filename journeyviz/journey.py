"""The journey definition: ordered stages, the touchpoint catalogue, scales and privacy.

A :class:`Journey` is read from ``journey.yml`` (:meth:`Journey.from_yaml`), built from a dict
(:meth:`Journey.from_dict`) or taken from a built-in template (:meth:`Journey.template`).
It does no I/O except reading YAML, and every other layer reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import yaml

OBJECTIVES = ("inform", "image", "purchase")
INITIATIVES = ("customer", "company")
MOMENTS = ("before", "during", "after")
#: Channels the palette knows; other channel ids are accepted and drawn in a neutral colour.
KNOWN_CHANNELS = ("web", "app", "store", "phone", "email", "chat", "social", "mail", "other")
#: Scales a survey may carry, with the default range used when journey.yml does not give one.
DEFAULT_SCALES = {
    "perception": (1.0, 7.0),
    "expectation": (1.0, 7.0),
    "importance": (1.0, 7.0),
    "overall": (1.0, 7.0),
    "nps": (0.0, 10.0),
    "ces": (1.0, 7.0),
}
TEMPLATES = ("digital", "lifecycle", "hotel", "employee")
LANGUAGES = ("fr", "en")

_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


class JourneyError(ValueError):
    """A journey definition is wrong; the message names the key and how to fix it."""


@dataclass(frozen=True)
class Stage:
    """One stage of the journey, in order. ``conversion`` marks the purchase (or hire, stay…)."""

    id: str
    label: str
    conversion: bool = False


@dataclass(frozen=True)
class Touchpoint:
    """One touchpoint of the catalogue.

    ``objective`` is one of ``inform`` / ``image`` / ``purchase``; ``initiative`` is ``customer``
    or ``company`` (company-initiated contacts can be intrusive); ``moment`` is ``before`` /
    ``during`` / ``after`` the purchase.
    """

    id: str
    label: str
    stage: str
    channel: str
    objective: str = "inform"
    initiative: str = "customer"
    moment: str = "before"


@dataclass(frozen=True)
class Scale:
    """A rating scale: valid values lie in ``[low, high]``; ``missing`` codes mean "not rated"."""

    low: float
    high: float
    missing: tuple[float, ...] = ()

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Journey:
    """A customer journey: ordered stages, touchpoints, rating scales and the privacy threshold.

    Attributes
    ----------
    name, brand, language
        Display name, our brand (any other brand in the data is a competitor), and the language
        of labels shown to people (``fr`` or ``en``); ids stay stable across languages.
    stages
        The stages in journey order; at most one has ``conversion=True``.
    touchpoints
        The touchpoint catalogue; each belongs to one stage.
    scales
        Rating scales by name (``perception``, ``expectation``, ``importance``, ``overall``,
        ``nps``, ``ces``).
    min_group_size
        No figure about fewer people than this is shown.
    timezone
        Time zone of naive timestamps in the data (IANA name).
    """

    name: str
    brand: str
    stages: tuple[Stage, ...]
    touchpoints: tuple[Touchpoint, ...]
    language: str = "fr"
    scales: Mapping[str, Scale] = field(default_factory=dict)
    min_group_size: int = 10
    timezone: str = "Europe/Paris"

    # ------------------------------------------------------------------ construction
    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "journey definition") -> "Journey":
        """Build a journey from a dict shaped like ``journey.yml``."""
        if not isinstance(data, Mapping):
            raise JourneyError(f"{source}: expected a mapping with keys 'name', 'brand', 'stages', 'touchpoints'; got {type(data).__name__}")
        unknown = set(data) - {"name", "brand", "language", "stages", "touchpoints", "scales", "privacy", "timezone", "template"}
        if unknown:
            raise JourneyError(f"{source}: unknown key(s) {sorted(unknown)}; allowed keys are template, name, brand, language, stages, touchpoints, scales, privacy, timezone")
        if "template" in data:
            base = cls.template(str(data["template"]), lang=str(data.get("language", "fr")))
            merged = base.to_dict()
            merged.update({k: v for k, v in data.items() if k != "template"})
            data = merged
        for key in ("name", "stages", "touchpoints"):
            if key not in data or data[key] in (None, "", []):
                raise JourneyError(f"{source}: '{key}' is missing or empty; add it (see docs/journey.md for an example)")
        stages = tuple(_stage(s, i, source) for i, s in enumerate(_as_list(data["stages"], "stages", source)))
        touchpoints = tuple(_touchpoint(t, i, source) for i, t in enumerate(_as_list(data["touchpoints"], "touchpoints", source)))
        privacy = data.get("privacy") or {}
        if not isinstance(privacy, Mapping):
            raise JourneyError(f"{source}: 'privacy' must be a mapping like {{min_group_size: 10}}")
        min_group = _whole_number(privacy.get("min_group_size", 10), f"{source}: 'privacy.min_group_size'")
        return cls(
            name=str(data["name"]),
            brand=str(data.get("brand") or data["name"]),
            language=str(data.get("language", "fr")),
            stages=stages,
            touchpoints=touchpoints,
            scales=_scales(data.get("scales"), source),
            min_group_size=min_group,
            timezone=str(data.get("timezone", "Europe/Paris")),
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Journey":
        """Read a journey definition from a YAML file (see ``docs/journey.md``)."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"journey definition not found: {path}")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as exc:
            raise JourneyError(f"{path}: not valid YAML ({exc})") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def template(cls, name: str, lang: str = "fr") -> "Journey":
        """A built-in journey: ``digital``, ``lifecycle``, ``hotel`` or ``employee``, in ``fr`` or ``en``."""
        if name not in TEMPLATES:
            raise JourneyError(f"unknown template {name!r}; choose one of {', '.join(TEMPLATES)}")
        if lang not in LANGUAGES:
            raise JourneyError(f"unknown language {lang!r} for template {name!r}; choose one of {', '.join(LANGUAGES)}")
        text = resources.files("journeyviz").joinpath("templates", f"{name}.yml").read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        return cls.from_dict(_localise(raw, lang), source=f"template {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The definition as a plain dict, shaped like ``journey.yml`` (round-trips through from_dict)."""
        return {
            "name": self.name,
            "brand": self.brand,
            "language": self.language,
            "timezone": self.timezone,
            "stages": [
                {"id": s.id, "label": s.label, **({"conversion": True} if s.conversion else {})} for s in self.stages
            ],
            "touchpoints": [dict(t.__dict__) for t in self.touchpoints],
            "scales": {k: {"range": [s.low, s.high], "missing": list(s.missing)} for k, s in self.scales.items()},
            "privacy": {"min_group_size": self.min_group_size},
        }

    def to_yaml(self, path: str | Path) -> Path:
        """Write the definition to ``path`` as YAML and return the path."""
        path = Path(path)
        path.write_text(yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def with_changes(self, **changes: Any) -> "Journey":
        """A copy with some attributes replaced (validated again)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ look-ups
    @property
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    @property
    def touchpoint_ids(self) -> list[str]:
        return [t.id for t in self.touchpoints]

    @property
    def channels(self) -> list[str]:
        """Channels of the catalogue, in first-seen order."""
        return list(dict.fromkeys(t.channel for t in self.touchpoints))

    @property
    def conversion_stage(self) -> str | None:
        """Id of the stage that counts as conversion (None when no stage is marked)."""
        return next((s.id for s in self.stages if s.conversion), None)

    def stage_order(self, stage_id: str) -> int:
        """0-based position of a stage in the journey."""
        try:
            return self.stage_ids.index(stage_id)
        except ValueError:
            raise JourneyError(f"unknown stage {stage_id!r}; stages are {', '.join(self.stage_ids)}") from None

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        for t in self.touchpoints:
            if t.id == touchpoint_id:
                return t
        raise JourneyError(f"unknown touchpoint {touchpoint_id!r}; see Journey.catalogue() for the known ones")

    def stage(self, stage_id: str) -> Stage:
        return self.stages[self.stage_order(stage_id)]

    def scale(self, name: str) -> Scale:
        """The scale for ``name``; the default range when journey.yml does not declare it."""
        if name in self.scales:
            return self.scales[name]
        if name in DEFAULT_SCALES:
            low, high = DEFAULT_SCALES[name]
            return Scale(low, high)
        raise JourneyError(f"unknown scale {name!r}; known scales are {', '.join(DEFAULT_SCALES)}")

    def stages_frame(self) -> pd.DataFrame:
        """One row per stage: ``stage``, ``label``, ``stage_order`` (0-based), ``conversion``."""
        return pd.DataFrame(
            {
                "stage": [s.id for s in self.stages],
                "label": [s.label for s in self.stages],
                "stage_order": list(range(len(self.stages))),
                "conversion": [s.conversion for s in self.stages],
            }
        )

    def catalogue(self) -> pd.DataFrame:
        """One row per touchpoint, in stage order then catalogue order.

        Columns: ``touchpoint``, ``label``, ``stage``, ``stage_label``, ``stage_order``,
        ``channel``, ``objective``, ``initiative``, ``moment``.
        """
        labels = {s.id: s.label for s in self.stages}
        order = {s.id: i for i, s in enumerate(self.stages)}
        rows = [
            {
                "touchpoint": t.id,
                "label": t.label,
                "stage": t.stage,
                "stage_label": labels[t.stage],
                "stage_order": order[t.stage],
                "channel": t.channel,
                "objective": t.objective,
                "initiative": t.initiative,
                "moment": t.moment,
            }
            for t in self.touchpoints
        ]
        frame = pd.DataFrame(rows)
        return frame.sort_values("stage_order", kind="stable").reset_index(drop=True)

    def label(self, kind: str, item_id: str) -> str:
        """Display label of a stage or touchpoint id (the id itself when unknown)."""
        items = self.stages if kind == "stage" else self.touchpoints
        return next((i.label for i in items if i.id == item_id), item_id)


# ---------------------------------------------------------------------- parsing helpers
def _as_list(value: Any, key: str, source: str) -> list:
    if not isinstance(value, list):
        raise JourneyError(f"{source}: '{key}' must be a list, got {type(value).__name__}")
    return value


def _need(item: Any, key: str, where: str) -> Any:
    if not isinstance(item, Mapping):
        raise JourneyError(f"{where}: expected a mapping like {{id: ..., label: ...}}, got {item!r}")
    if key not in item or item[key] in (None, ""):
        raise JourneyError(f"{where}: '{key}' is missing; add it")
    return item[key]


def _whole_number(value: Any, where: str) -> int:
    # int() would silently truncate 2.5 and accept True as 1.
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise JourneyError(f"{where} must be a whole number ≥ 1, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise JourneyError(f"{where} must be a whole number ≥ 1, got {value!r}") from None
    if not number.is_integer():
        raise JourneyError(f"{where} must be a whole number ≥ 1, got {value!r}")
    return int(number)


def _stage(item: Any, index: int, source: str) -> Stage:
    where = f"{source}: stages[{index}]"
    if isinstance(item, str):
        return Stage(id=item, label=item)
    sid = str(_need(item, "id", where))
    unknown = set(item) - {"id", "label", "conversion"}
    if unknown:
        raise JourneyError(f"{where} ({sid}): unknown key(s) {sorted(unknown)}; a stage has id, label, conversion")
    conversion = item.get("conversion", False)
    if not isinstance(conversion, bool):
        raise JourneyError(f"{where} ({sid}): 'conversion' must be true or false, got {conversion!r}")
    return Stage(id=sid, label=str(item.get("label") or sid), conversion=conversion)


def _touchpoint(item: Any, index: int, source: str) -> Touchpoint:
    where = f"{source}: touchpoints[{index}]"
    tid = str(_need(item, "id", where))
    where = f"{where} ({tid})"
    unknown = set(item) - {"id", "label", "stage", "channel", "objective", "initiative", "moment"}
    if unknown:
        raise JourneyError(f"{where}: unknown key(s) {sorted(unknown)}; a touchpoint has id, label, stage, channel, objective, initiative, moment")
    return Touchpoint(
        id=tid,
        label=str(item.get("label") or tid),
        stage=str(_need(item, "stage", where)),
        channel=str(_need(item, "channel", where)),
        objective=str(item.get("objective", "inform")),
        initiative=str(item.get("initiative", "customer")),
        moment=str(item.get("moment", "before")),
    )


def _scales(raw: Any, source: str) -> dict[str, Scale]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, Mapping):
        raise JourneyError(f"{source}: 'scales' must be a mapping like {{perception: [1, 7]}}")
    out: dict[str, Scale] = {}
    for name, spec in raw.items():
        where = f"{source}: scales.{name}"
        if name not in DEFAULT_SCALES:
            raise JourneyError(f"{where}: unknown scale; known scales are {', '.join(DEFAULT_SCALES)}")
        missing: list = []
        if isinstance(spec, Mapping):
            rng = spec.get("range")
            codes_spec = spec.get("missing")
            missing = list(codes_spec) if isinstance(codes_spec, (list, tuple)) else ([] if codes_spec is None else [codes_spec])
        else:
            rng = spec
        if not (isinstance(rng, (list, tuple)) and len(rng) == 2):
            raise JourneyError(f"{where}: expected [low, high] or {{range: [low, high], missing: [codes]}}, got {spec!r}")
        try:
            low, high = float(rng[0]), float(rng[1])
            codes = tuple(float(c) for c in missing)
        except (TypeError, ValueError):
            raise JourneyError(f"{where}: range and missing codes must be numbers, got {spec!r}") from None
        if not low < high:
            raise JourneyError(f"{where}: low must be below high, got [{rng[0]}, {rng[1]}]")
        inside = [c for c in codes if low <= c <= high]
        if inside:
            raise JourneyError(f"{where}: missing code(s) {inside} lie inside the range [{rng[0]}, {rng[1]}] and would be averaged as scores; use codes outside the range")
        out[str(name)] = Scale(low, high, codes)
    return out


def _localise(raw: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Templates store labels as ``{fr: ..., en: ...}``; pick one language."""

    def pick(value: Any) -> Any:
        if isinstance(value, Mapping) and set(value) <= set(LANGUAGES) and value:
            return value.get(lang) or next(iter(value.values()))
        if isinstance(value, Mapping):
            return {k: pick(v) for k, v in value.items()}
        if isinstance(value, list):
            return [pick(v) for v in value]
        return value

    out = pick(dict(raw))
    out["language"] = lang
    return out


def _validate(j: Journey) -> None:
    if j.language not in LANGUAGES:
        raise JourneyError(f"language: {j.language!r} is not supported; use one of {', '.join(LANGUAGES)}")
    if not j.stages:
        raise JourneyError("stages: the journey has no stage; list at least one stage in order")
    if not j.touchpoints:
        raise JourneyError("touchpoints: the catalogue is empty; add at least one touchpoint with id, stage and channel")
    seen: set[str] = set()
    for s in j.stages:
        if not _ID.match(s.id):
            raise JourneyError(f"stages: id {s.id!r} must be letters, digits, '_', '-' or '.' with no spaces")
        if s.id in seen:
            raise JourneyError(f"stages: duplicate stage id {s.id!r}; each stage id must be unique")
        seen.add(s.id)
    if sum(s.conversion for s in j.stages) > 1:
        raise JourneyError("stages: more than one stage has 'conversion: true'; mark only the purchase stage")
    tps: set[str] = set()
    for t in j.touchpoints:
        where = f"touchpoints ({t.id})"
        if not _ID.match(t.id):
            raise JourneyError(f"{where}: id must be letters, digits, '_', '-' or '.' with no spaces")
        if t.id in tps:
            raise JourneyError(f"{where}: duplicate touchpoint id {t.id!r}; each touchpoint id must be unique")
        tps.add(t.id)
        if t.stage not in seen:
            raise JourneyError(f"{where}: stage {t.stage!r} is not a stage of this journey; use one of {', '.join(s.id for s in j.stages)}")
        if t.objective not in OBJECTIVES:
            raise JourneyError(f"{where}: objective {t.objective!r} is not allowed; use one of {', '.join(OBJECTIVES)}")
        if t.initiative not in INITIATIVES:
            raise JourneyError(f"{where}: initiative {t.initiative!r} is not allowed; use one of {', '.join(INITIATIVES)}")
        if t.moment not in MOMENTS:
            raise JourneyError(f"{where}: moment {t.moment!r} is not allowed; use one of {', '.join(MOMENTS)}")
        if not _ID.match(t.channel):
            raise JourneyError(f"{where}: channel {t.channel!r} must be an id such as {', '.join(KNOWN_CHANNELS[:-1])}")
    if not isinstance(j.min_group_size, int) or j.min_group_size < 1:
        raise JourneyError(f"privacy.min_group_size: must be a whole number ≥ 1, got {j.min_group_size!r}")
    try:
        pd.Timestamp("2020-01-01").tz_localize(j.timezone)
    except Exception:
        raise JourneyError(f"timezone: {j.timezone!r} is not a known IANA time zone (e.g. Europe/Paris, UTC)") from None
