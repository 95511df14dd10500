"""Indicator bank pages: browsing in the page language, the builder's download and "create the
form", the default admin level, bad input and who may use them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from palava.assessments.indicators.bank import indicator_get, indicators_latest
from palava.assessments.models import Form
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import population_set
from tests.factories import AdminUnitFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MakeClient = Callable[[object], Client]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def units(mission: Mission) -> list[AdminUnit]:
    country = AdminUnitFactory(mission=mission, pcode="CD", name="Congo")
    province = AdminUnitFactory(parent=country, pcode="CD20", name="Nord-Kivu")
    goma = AdminUnitFactory(
        parent=province, pcode="CD2001", name="Goma", names={"ar": "غوما", "fr": "Goma"}
    )
    beni = AdminUnitFactory(parent=province, pcode="CD2002", name="Beni")
    return [country, province, goma, beni]


def _client(mission: Mission, client_for: MakeClient, role: str) -> Client:
    member: Membership = MembershipFactory(mission=mission, role=role)
    return client_for(member.user)


@pytest.fixture
def manager(mission: Mission, client_for: MakeClient) -> Client:
    return _client(mission, client_for, Role.MANAGER)


def url(mission: Mission, rest: str = "") -> str:
    return f"/m/{mission.slug}/indicators/{rest}"


def post_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Perception round 3",
        "form_id": "perception",
        "version": "2026-11",
        "indicators": ["trust_police@1", "safety_feel_safe@2", "assistance_needs_met@1"],
        "level": "2",
        "languages": ["en", "fr", "ar"],
        "action": "download",
    }
    data.update(overrides)
    return data


def test_bank_lists_every_domain_with_coding(mission: Mission, manager: Client) -> None:
    body = manager.get(url(mission)).content.decode()

    assert "Indicator bank" in body
    for ind in indicators_latest():
        assert escape(ind.label("en")) in body
    assert "Social cohesion" in body
    assert "counted as positive" in body
    assert "comparable with version 1" in body
    assert "Ground Truth Solutions" in body
    assert url(mission, "build/") in body


def test_bank_speaks_the_page_language(mission: Mission, manager: Client) -> None:
    manager.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    body = manager.get(url(mission)).content.decode()

    assert indicator_get("trust_police").labels["ar"] in body  # type: ignore[union-attr]
    assert escape(indicator_get("trust_police").labels["en"]) not in body  # type: ignore[union-attr]
    assert "أوافق بشدة" in body


def test_bank_filters_by_domain_and_shows_another_language(
    mission: Mission, manager: Client
) -> None:
    body = manager.get(url(mission), {"domain": "trust", "lang": "fr"}).content.decode()

    assert indicator_get("trust_police").labels["fr"] in body  # type: ignore[union-attr]
    assert indicator_get("safety_walk_night").labels["fr"] not in body  # type: ignore[union-attr]


def test_builder_offers_core_indicators_and_places(
    mission: Mission, manager: Client, units: list[AdminUnit]
) -> None:
    body = manager.get(url(mission, "build/")).content.decode()

    assert 'value="trust_mission@2"' in body
    assert 'value="trust_mission@1"' in body
    assert re.search(r'value="accountability_know_complain@1"\s+checked', body)
    assert not re.search(r'value="trust_police@1"\s+checked', body)
    assert "CD2001" in body
    assert "CD2002" in body
    assert "2 places at admin level 2" in body


def test_builder_defaults_to_the_level_with_population(
    mission: Mission, manager: Client, units: list[AdminUnit]
) -> None:
    population_set(actor=None, unit=units[1], year=2025, sex="f", age_band="18-59", count=10)

    body = manager.get(url(mission, "build/")).content.decode()

    assert "1 place at admin level 1" in body
    assert "CD2001" not in body


def test_builder_downloads_an_xlsform(
    mission: Mission, manager: Client, units: list[AdminUnit]
) -> None:
    response = manager.post(url(mission, "build/"), post_data())

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert 'filename="perception-2026-11.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in book["survey"].iter_rows(values_only=True)]
    assert {"trust_police", "safety_feel_safe_v2", "assistance_needs_met"} <= set(names)
    places = [r[1] for r in book["choices"].iter_rows(values_only=True) if r[0] == "place"]
    assert places == ["CD2001", "CD2002"]
    assert not Form.objects.filter(mission=mission).exists()


def test_builder_creates_the_form(
    mission: Mission, manager: Client, units: list[AdminUnit]
) -> None:
    response = manager.post(url(mission, "build/"), post_data(action="create"))

    form = Form.objects.get(mission=mission, form_id="perception")
    assert response.status_code == 302
    assert response["Location"] == f"/m/{mission.slug}/forms/{form.public_id}/"
    assert form.current_version is not None
    assert form.current_version.languages == ["English (en)", "Français (fr)", "العربية (ar)"]
    assert form.current_version.warnings == []


def test_creating_the_same_version_twice_explains(
    mission: Mission, manager: Client, units: list[AdminUnit]
) -> None:
    manager.post(url(mission, "build/"), post_data(action="create"))

    response = manager.post(
        url(mission, "build/"), post_data(action="create", indicators=["trust_police@1"])
    )

    assert response.status_code == 400
    assert "was already uploaded" in response.content.decode()
    assert Form.objects.get(mission=mission).versions.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"indicators": ["trust_police@1", "trust_police@9"]}, "Select a valid choice"),
        ({"indicators": ["trust_mission@1", "trust_mission@2"]}, "only one version"),
        ({"indicators": []}, "Choose at least one indicator."),
        ({"form_id": "bad id!"}, "Start with a letter"),
        ({"version": "1 2"}, "letters, digits"),
        ({"level": "7"}, "Select a valid choice"),
        ({"languages": ["sw"]}, "Select a valid choice"),
    ],
)
def test_builder_refuses_bad_input(
    mission: Mission,
    manager: Client,
    units: list[AdminUnit],
    overrides: dict[str, object],
    message: str,
) -> None:
    response = manager.post(url(mission, "build/"), post_data(action="create", **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Form.objects.filter(mission=mission).exists()


def test_builder_without_places_says_so(mission: Mission, manager: Client) -> None:
    assert "No admin units yet." in manager.get(url(mission, "build/")).content.decode()

    response = manager.post(url(mission, "build/"), post_data())

    assert response.status_code == 400
    assert "Choose at least one place." in response.content.decode()


def test_builder_only_offers_places_in_scope(
    mission: Mission, client_for: MakeClient, units: list[AdminUnit]
) -> None:
    from palava.places.services import membership_scope_set

    member: Membership = MembershipFactory(mission=mission, role=Role.OFFICER)
    membership_scope_set(actor=None, membership=member, units=[units[2]])
    client = client_for(member.user)

    response = client.post(url(mission, "build/"), post_data())

    book = load_workbook(io.BytesIO(response.content))
    places = [r[1] for r in book["choices"].iter_rows(values_only=True) if r[0] == "place"]
    assert places == ["CD2001"]


@pytest.mark.parametrize(
    ("role", "bank_status", "build_status"),
    [
        (Role.MANAGER, 200, 200),
        (Role.OFFICER, 200, 200),
        (Role.LIAISON, 200, 200),
        (Role.ANALYST, 200, 403),
        (Role.PARTNER, 403, 403),
        (Role.VIEWER, 403, 403),
    ],
)
def test_permissions(
    mission: Mission, client_for: MakeClient, role: str, bank_status: int, build_status: int
) -> None:
    client = _client(mission, client_for, role)

    assert client.get(url(mission)).status_code == bank_status
    assert client.get(url(mission, "build/")).status_code == build_status
    assert client.post(url(mission, "build/"), post_data()).status_code in (
        {build_status} if build_status == 403 else {200, 400}
    )
