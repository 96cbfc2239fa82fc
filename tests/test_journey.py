"""Tests for journeyviz.journey: the four built-in templates, the YAML round trip, the frames
every other layer reads, and the error for each way a journey.yml can be wrong."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path

import pytest
import yaml

from journeyviz.journey import (
    LANGUAGES,
    TEMPLATES,
    Journey,
    JourneyError,
    Scale,
)

#: Ids the sample generator and the analyses rely on (agreed catalogue; change both together).
LIFECYCLE_STAGES = ["awareness", "consideration", "purchase", "delivery", "usage", "service"]
LIFECYCLE_TOUCHPOINTS = [
    "shop_window", "social_ad", "search_engine", "influencer_post", "website_visit", "product_page",
    "app_browse", "account_creation", "newsletter_promo", "chat_advice", "store_layout",
    "staff_greeting", "highlighted_product", "instore_advice", "return_policy", "online_checkout",
    "app_checkout", "store_checkout", "email_optin", "order_confirmation", "delivery_tracking",
    "home_delivery", "click_and_collect", "assembly_guide", "social_post", "online_review",
    "thankyou_email", "customer_service_phone", "chat_support", "loyalty_program",
]
HOTEL_STAGES = ["booking", "checkin", "stay", "dining", "checkout"]
HOTEL_TOUCHPOINTS = [
    "hotel_website", "ota_listing", "phone_reservation", "online_booking", "booking_confirmation",
    "pre_arrival_email", "reception_welcome", "room_key", "room_comfort", "housekeeping", "wifi",
    "restaurant", "breakfast", "room_service", "checkout_desk", "invoice_email", "review_request",
]


def _raw_template(name: str) -> dict:
    text = resources.files("journeyviz").joinpath("templates", f"{name}.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _valid() -> dict:
    """A small valid journey.yml as a dict; each error test breaks one thing in it."""
    return {
        "name": "Test journey",
        "brand": "Ours",
        "language": "en",
        "stages": [{"id": "look", "label": "Look"}, {"id": "buy", "label": "Buy", "conversion": True}],
        "touchpoints": [
            {"id": "site", "label": "Site", "stage": "look", "channel": "web",
             "objective": "inform", "initiative": "customer", "moment": "before"},
            {"id": "till", "label": "Till", "stage": "buy", "channel": "store",
             "objective": "purchase", "initiative": "customer", "moment": "during"},
        ],
        "scales": {"perception": {"range": [1, 5], "missing": [0, 99]}, "nps": [0, 10]},
        "privacy": {"min_group_size": 5},
        "timezone": "Europe/Paris",
    }


# ---------------------------------------------------------------------- templates
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_labels_are_in_the_requested_language(name: str, lang: str) -> None:
    raw = _raw_template(name)
    journey = Journey.template(name, lang=lang)
    assert journey.language == lang
    assert journey.name == raw["name"][lang]
    assert [s.label for s in journey.stages] == [s["label"][lang] for s in raw["stages"]]
    assert [t.label for t in journey.touchpoints] == [t["label"][lang] for t in raw["touchpoints"]]


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_labels_are_written_in_both_languages(name: str) -> None:
    raw = _raw_template(name)
    for item in [raw["name"], *(s["label"] for s in raw["stages"]), *(t["label"] for t in raw["touchpoints"])]:
        assert set(item) == set(LANGUAGES), item
        assert all(isinstance(v, str) and v.strip() for v in item.values()), item


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_ids_and_attributes_do_not_depend_on_language(name: str) -> None:
    fr, en = Journey.template(name, "fr"), Journey.template(name, "en")
    columns = ["touchpoint", "stage", "stage_order", "channel", "objective", "initiative", "moment"]
    assert fr.stage_ids == en.stage_ids
    assert fr.catalogue()[columns].equals(en.catalogue()[columns])
    assert fr.conversion_stage == en.conversion_stage is not None
    assert (fr.brand, fr.scales, fr.min_group_size, fr.timezone) == (en.brand, en.scales, en.min_group_size, en.timezone)


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_has_a_usable_catalogue(name: str) -> None:
    journey = Journey.template(name, "en")
    assert 12 <= len(journey.touchpoints) <= 30
    assert set(journey.catalogue()["stage"]) == set(journey.stage_ids), "every stage has a touchpoint"
    assert journey.scale("perception") == Scale(1.0, 7.0)
    assert journey.scale("nps") == Scale(0.0, 10.0)


def test_lifecycle_matches_the_agreed_catalogue_and_french_labels() -> None:
    journey = Journey.template("lifecycle", "fr")
    assert journey.stage_ids == LIFECYCLE_STAGES
    assert journey.touchpoint_ids == LIFECYCLE_TOUCHPOINTS
    assert journey.conversion_stage == "purchase"
    assert journey.name == "Maison Lumière — boutique déco"
    assert journey.brand == "Maison Lumière"
    assert journey.timezone == "Europe/Paris"
    assert journey.min_group_size == 10
    assert list(journey.stages_frame()["label"]) == [
        "Découverte", "Recherche d'informations", "Achat", "Réception", "Premières utilisations", "SAV et fidélisation",
    ]
    assert journey.label("touchpoint", "shop_window") == "Vitrine"
    assert journey.label("touchpoint", "instore_advice") == "Conseil en magasin"
    assert journey.label("touchpoint", "return_policy") == "Politique de retour"
    assert journey.touchpoint("return_policy").stage == "consideration"
    assert Journey.template("lifecycle", "en").name == "Maison Lumière — home decoration"


def test_hotel_matches_the_agreed_catalogue() -> None:
    journey = Journey.template("hotel", "en")
    assert journey.stage_ids == HOTEL_STAGES
    assert journey.touchpoint_ids == HOTEL_TOUCHPOINTS
    assert journey.conversion_stage == "booking"
    assert journey.brand == "Quayside Hotel"


def test_digital_and_employee_stages() -> None:
    digital = Journey.template("digital", "en")
    assert digital.stage_ids == ["awareness", "engagement", "transaction", "retention"]
    assert digital.conversion_stage == "transaction"
    assert {"web", "app", "email", "social", "chat", "search"} <= set(digital.channels)
    employee = Journey.template("employee", "en")
    assert employee.stage_ids == ["hiring", "onboarding", "development", "engagement", "departure"]
    assert employee.conversion_stage == "hiring"
    assert employee.touchpoint("offer_letter").moment == "during"


# ---------------------------------------------------------------------- round trip and frames
@pytest.mark.parametrize("name", TEMPLATES)
def test_yaml_round_trip_gives_an_equal_journey(name: str, tmp_path: Path) -> None:
    journey = Journey.template(name, "fr")
    path = journey.to_yaml(tmp_path / "journey.yml")
    assert Journey.from_yaml(path) == journey


def test_round_trip_keeps_missing_codes(tmp_path: Path) -> None:
    journey = Journey.from_dict(_valid())
    assert journey.scale("perception") == Scale(1.0, 5.0, (0.0, 99.0))
    again = Journey.from_yaml(journey.to_yaml(tmp_path / "j.yml"))
    assert again == journey
    assert again.scale("perception").missing == (0.0, 99.0)


def test_scalar_missing_code_is_accepted() -> None:
    data = _valid()
    data["scales"] = {"perception": {"range": [1, 5], "missing": 99}}
    assert Journey.from_dict(data).scale("perception").missing == (99.0,)


def test_catalogue_columns_and_stage_order() -> None:
    data = _valid()
    # A touchpoint listed before one of an earlier stage: the catalogue sorts by stage, stably.
    data["touchpoints"].insert(0, {"id": "promo", "stage": "buy", "channel": "email"})
    frame = Journey.from_dict(data).catalogue()
    assert list(frame.columns) == [
        "touchpoint", "label", "stage", "stage_label", "stage_order", "channel", "objective", "initiative", "moment",
    ]
    assert list(frame["touchpoint"]) == ["site", "promo", "till"]
    assert list(frame["stage_order"]) == [0, 1, 1]
    assert list(frame["stage_label"]) == ["Look", "Buy", "Buy"]
    assert frame.loc[1, "label"] == "promo", "the label defaults to the id"


def test_stages_frame_columns_and_order() -> None:
    frame = Journey.from_dict(_valid()).stages_frame()
    assert list(frame.columns) == ["stage", "label", "stage_order", "conversion"]
    assert list(frame["stage"]) == ["look", "buy"]
    assert list(frame["stage_order"]) == [0, 1]
    assert list(frame["conversion"]) == [False, True]


# ---------------------------------------------------------------------- template inheritance
def test_template_key_inherits_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "journey.yml"
    path.write_text(
        "template: lifecycle\nlanguage: en\nbrand: Our Shop\n"
        "scales: {perception: {range: [1, 5], missing: [0, 99]}}\nprivacy: {min_group_size: 30}\n",
        encoding="utf-8",
    )
    journey = Journey.from_yaml(path)
    base = Journey.template("lifecycle", "en")
    assert journey.brand == "Our Shop"
    assert journey.language == "en"
    assert journey.name == base.name
    assert journey.touchpoints == base.touchpoints
    assert journey.stages == base.stages
    assert journey.scale("perception") == Scale(1.0, 5.0, (0.0, 99.0))
    assert journey.min_group_size == 30


def test_template_key_defaults_to_french() -> None:
    journey = Journey.from_dict({"template": "hotel", "brand": "Ours"})
    assert journey.language == "fr"
    assert journey.stage("booking").label == "Réservation"


# ---------------------------------------------------------------------- errors
def _broken(change) -> dict:
    data = copy.deepcopy(_valid())
    change(data)
    return data


ERRORS = {
    "unknown stage in a touchpoint": (
        lambda d: d["touchpoints"][0].update(stage="nowhere"), r"touchpoints \(site\): stage 'nowhere'.*use one of look, buy"),
    "duplicate stage id": (
        lambda d: d["stages"].append({"id": "look"}), r"stages: duplicate stage id 'look'.*unique"),
    "duplicate touchpoint id": (
        lambda d: d["touchpoints"].append({"id": "site", "stage": "look", "channel": "web"}),
        r"touchpoints \(site\): duplicate touchpoint id 'site'.*unique"),
    "bad objective": (
        lambda d: d["touchpoints"][0].update(objective="sell"), r"objective 'sell'.*use one of inform, image, purchase"),
    "bad initiative": (
        lambda d: d["touchpoints"][0].update(initiative="partner"), r"initiative 'partner'.*use one of customer, company"),
    "bad moment": (
        lambda d: d["touchpoints"][0].update(moment="later"), r"moment 'later'.*use one of before, during, after"),
    "empty stages": (lambda d: d.update(stages=[]), r"'stages' is missing or empty; add it"),
    "missing stages": (lambda d: d.pop("stages"), r"'stages' is missing or empty; add it"),
    "empty touchpoints": (lambda d: d.update(touchpoints=[]), r"'touchpoints' is missing or empty; add it"),
    "touchpoint without channel": (
        lambda d: d["touchpoints"][0].pop("channel"), r"touchpoints\[0\] \(site\): 'channel' is missing; add it"),
    "unknown touchpoint key": (
        lambda d: d["touchpoints"][0].update(colour="red"), r"unknown key\(s\) \['colour'\]; a touchpoint has id"),
    "unknown top-level key": (
        lambda d: d.update(stagse=[]), r"unknown key\(s\) \['stagse'\]; allowed keys are template, name"),
    "two conversion stages": (
        lambda d: d["stages"][0].update(conversion=True), r"stages: more than one stage has 'conversion: true'"),
    "conversion not a boolean": (
        lambda d: d["stages"][0].update(conversion="no"), r"stages\[0\] \(look\): 'conversion' must be true or false"),
    "scale low above high": (
        lambda d: d["scales"].update(perception=[7, 1]), r"scales.perception: low must be below high, got \[7, 1\]"),
    "scale low equals high": (
        lambda d: d["scales"].update(nps=[5, 5]), r"scales.nps: low must be below high"),
    "missing code inside range": (
        lambda d: d["scales"].update(perception={"range": [0, 5], "missing": [0, 99]}),
        r"scales.perception: missing code\(s\) \[0.0\] lie inside the range.*codes outside the range"),
    "scale not a pair": (
        lambda d: d["scales"].update(ces=[1, 5, 7]), r"scales.ces: expected \[low, high\]"),
    "scale not numbers": (
        lambda d: d["scales"].update(ces=["one", "five"]), r"scales.ces: range and missing codes must be numbers"),
    "unknown scale": (
        lambda d: d["scales"].update(happiness=[1, 5]), r"scales.happiness: unknown scale; known scales are perception"),
    "min_group_size zero": (
        lambda d: d.update(privacy={"min_group_size": 0}), r"privacy.min_group_size: must be a whole number ≥ 1, got 0"),
    "min_group_size fractional": (
        lambda d: d.update(privacy={"min_group_size": 2.5}), r"privacy.min_group_size' must be a whole number ≥ 1, got 2.5"),
    "min_group_size text": (
        lambda d: d.update(privacy={"min_group_size": "ten"}), r"privacy.min_group_size' must be a whole number ≥ 1, got 'ten'"),
    "min_group_size boolean": (
        lambda d: d.update(privacy={"min_group_size": True}), r"privacy.min_group_size' must be a whole number ≥ 1, got True"),
    "privacy not a mapping": (lambda d: d.update(privacy=10), r"'privacy' must be a mapping like \{min_group_size: 10\}"),
    "unknown language": (lambda d: d.update(language="de"), r"language: 'de' is not supported; use one of fr, en"),
    "bad timezone": (
        lambda d: d.update(timezone="Paris"), r"timezone: 'Paris' is not a known IANA time zone \(e.g. Europe/Paris"),
    "stage id with a space": (
        lambda d: d["stages"].append({"id": "after sales"}), r"stages: id 'after sales' must be letters, digits"),
    "unknown template key value": (lambda d: d.update(template="shop"), r"unknown template 'shop'; choose one of digital, lifecycle"),
    "template in an unknown language": (
        lambda d: d.update(template="hotel", language="de"), r"unknown language 'de' for template 'hotel'; choose one of fr, en"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_each_error_names_the_key_and_the_fix(case: str) -> None:
    change, message = ERRORS[case]
    with pytest.raises(JourneyError, match=message):
        Journey.from_dict(_broken(change), source="journey.yml")


def test_error_names_the_source_file() -> None:
    with pytest.raises(JourneyError, match=r"^journey.yml: 'touchpoints' is missing"):
        Journey.from_dict(_broken(lambda d: d.pop("touchpoints")), source="journey.yml")


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(JourneyError, match=r"expected a mapping with keys 'name'"):
        Journey.from_dict(["name", "stages"])


def test_unknown_template_name() -> None:
    with pytest.raises(JourneyError, match=r"unknown template 'shop'; choose one of digital, lifecycle, hotel, employee"):
        Journey.template("shop")


def test_unknown_template_language() -> None:
    with pytest.raises(JourneyError, match=r"unknown language 'es' for template 'lifecycle'; choose one of fr, en"):
        Journey.template("lifecycle", lang="es")


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "journey.yml"
    path.write_text("name: x\nstages: [awareness\n", encoding="utf-8")
    with pytest.raises(JourneyError, match=r"journey.yml: not valid YAML"):
        Journey.from_yaml(path)


def test_empty_yaml_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journey.yml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(JourneyError, match=r"journey.yml: expected a mapping"):
        Journey.from_yaml(path)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"journey definition not found: .*nowhere.yml"):
        Journey.from_yaml(tmp_path / "nowhere.yml")


def test_yaml_error_in_a_touchpoint_names_the_file(tmp_path: Path) -> None:
    data = _broken(lambda d: d["touchpoints"][1].update(objective="sell"))
    path = tmp_path / "journey.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(JourneyError, match=r"touchpoints \(till\): objective 'sell'"):
        Journey.from_yaml(path)


def test_lookups_name_the_known_values() -> None:
    journey = Journey.from_dict(_valid())
    with pytest.raises(JourneyError, match=r"unknown stage 'pay'; stages are look, buy"):
        journey.stage_order("pay")
    with pytest.raises(JourneyError, match=r"unknown touchpoint 'app'"):
        journey.touchpoint("app")
    with pytest.raises(JourneyError, match=r"unknown scale 'joy'"):
        journey.scale("joy")


def test_with_changes_is_validated_again() -> None:
    journey = Journey.from_dict(_valid())
    assert journey.with_changes(brand="Theirs").brand == "Theirs"
    with pytest.raises(JourneyError, match=r"privacy.min_group_size"):
        journey.with_changes(min_group_size=0)
