"""Actors pages: list and filters, profile, contact reveal, forms, consent, grid, graph, merge."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from palava.actors.models import Actor, Consent
from palava.actors.services import actor_set_contact
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Role
from tests.actors.conftest import Geo
from tests.factories import ActorFactory, ConsentFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

MemberIn = Callable[..., Membership]


@pytest.fixture(autouse=True)
def _no_two_factor(mission: Any) -> None:
    mission.require_two_factor = False
    mission.save(update_fields=["require_two_factor"])


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _url(geo: Geo, tail: str = "") -> str:
    return f"/m/{geo.mission.slug}/actors/{tail}"


def _actor(geo: Geo, name: str, unit: Any, **kwargs: Any) -> Actor:
    return ActorFactory(mission=geo.mission, name=name, admin_unit=unit, **kwargs)


# --- List ------------------------------------------------------------------------------------


def test_list_filters_by_type_place_influence_and_text(geo: Geo, member_in: MemberIn) -> None:
    _actor(geo, "Mwami Kabare", geo.north_town, influence=5, stance_peace_process=1)
    _actor(geo, "Imam Bakari", geo.south_town, actor_type="religious_leader", influence=3)
    _actor(geo, "Chief Lendu", geo.north_town, influence=2)
    client = _client(member_in(Role.OFFICER))
    # when filtering by several criteria
    by_type = client.get(_url(geo), {"actor_type": "religious_leader"}).content.decode()
    by_place = client.get(_url(geo), {"place": "CD10"}).content.decode()
    by_influence = client.get(_url(geo), {"influence_min": "4"}).content.decode()
    by_text = client.get(_url(geo), {"q": "kabaré"}).content.decode()
    # then each keeps the matching actors only
    assert "Imam Bakari" in by_type
    assert "Mwami Kabare" not in by_type
    assert "Mwami Kabare" in by_place
    assert "Chief Lendu" in by_place
    assert "Imam Bakari" not in by_place
    assert "Mwami Kabare" in by_influence
    assert "Chief Lendu" not in by_influence
    assert "Mwami Kabare" in by_text
    assert "Chief Lendu" not in by_text


def test_list_htmx_request_gets_only_the_results(geo: Geo, member_in: MemberIn) -> None:
    _actor(geo, "Mwami Kabare", geo.north_town)
    client = _client(member_in(Role.VIEWER))
    response = client.get(
        _url(geo), {"q": "mwami"}, headers={"HX-Request": "true", "HX-Target": "actor-results"}
    )
    body = response.content.decode()
    assert "Mwami Kabare" in body
    assert "<html" not in body


def test_scoped_member_sees_only_actors_of_their_area(geo: Geo, member_in: MemberIn) -> None:
    north = _actor(geo, "Mwami Kabare", geo.north_town)
    south = _actor(geo, "Imam Bakari", geo.south_town)
    client = _client(member_in(Role.OFFICER, geo.north))
    # the list, the profile, the grid and the graph leave the south out
    body = client.get(_url(geo)).content.decode()
    assert "Mwami Kabare" in body
    assert "Imam Bakari" not in body
    assert client.get(_url(geo, f"{south.public_id}/")).status_code == 404
    assert client.get(_url(geo, f"{north.public_id}/")).status_code == 200
    assert client.post(_url(geo, f"{south.public_id}/contact/")).status_code == 404
    assert client.get(_url(geo, f"{south.public_id}/edit/")).status_code == 404
    grid = client.get(_url(geo, "grid/")).content.decode()
    assert "1 actor, by influence" in grid
    graph = client.get(_url(geo, "graph/")).content.decode()
    assert "Imam Bakari" not in graph
    assert str(south.public_id) not in graph


def test_clearance_hides_strictly_confidential_actors(geo: Geo, member_in: MemberIn) -> None:
    secret = _actor(geo, "Commander Nkunda", geo.north_town, actor_type="armed_group_figure")
    officer = _client(member_in(Role.OFFICER))
    manager = _client(member_in(Role.MANAGER))
    assert "Commander Nkunda" not in officer.get(_url(geo)).content.decode()
    assert officer.get(_url(geo, f"{secret.public_id}/")).status_code == 404
    assert manager.get(_url(geo, f"{secret.public_id}/")).status_code == 200


def test_notes_need_confidential_clearance(geo: Geo, member_in: MemberIn) -> None:
    actor = _actor(geo, "Mwami Kabare", geo.north_town, notes="Close to the governor")
    assert "Close to the governor" in (
        _client(member_in(Role.OFFICER)).get(_url(geo, f"{actor.public_id}/")).content.decode()
    )
    assert "Close to the governor" not in (
        _client(member_in(Role.VIEWER)).get(_url(geo, f"{actor.public_id}/")).content.decode()
    )


def test_list_queries_are_bounded(
    geo: Geo, member_in: MemberIn, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        _actor(geo, f"Chief {n}", geo.north_town, influence=1 + n % 5)
    client = _client(member_in(Role.OFFICER, geo.north))
    client.get(_url(geo))
    with django_assert_max_num_queries(12):
        response = client.get(_url(geo), {"place": "CD10"})
    assert response.status_code == 200
    assert "30 actors found." in response.content.decode()


# --- Profile and contact -----------------------------------------------------------------------


def test_contact_is_shown_only_after_an_audited_post(geo: Geo, member_in: MemberIn) -> None:
    actor = _actor(geo, "Mwami Kabare", geo.north_town)
    actor_set_contact(actor=None, record=actor, phone="+243 990 123 456")
    client = _client(member_in(Role.OFFICER))
    # when the profile is opened, the number is not there
    profile = client.get(_url(geo, f"{actor.public_id}/")).content.decode()
    assert "990" not in profile
    assert "Show contact details" in profile
    # when the member asks for it (htmx), it is shown and the reading audited
    before = AuditEvent.objects.filter(action="actor.contact_read").count()
    response = client.post(_url(geo, f"{actor.public_id}/contact/"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "+243990123456" in response.content.decode().replace(" ", "")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="actor.contact_read").count() == before + 1


def test_contact_cannot_be_read_by_get_or_by_a_viewer(geo: Geo, member_in: MemberIn) -> None:
    actor = _actor(geo, "Mwami Kabare", geo.north_town)
    actor_set_contact(actor=None, record=actor, phone="+243 990 123 456")
    officer = _client(member_in(Role.OFFICER))
    viewer = _client(member_in(Role.VIEWER))
    assert officer.get(_url(geo, f"{actor.public_id}/contact/")).status_code == 405
    assert viewer.post(_url(geo, f"{actor.public_id}/contact/")).status_code == 403
    assert "Show contact details" not in (
        viewer.get(_url(geo, f"{actor.public_id}/")).content.decode()
    )
    assert not AuditEvent.objects.filter(action="actor.contact_read").exists()


def test_profile_lists_relationships_and_consents(geo: Geo, member_in: MemberIn) -> None:
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    group = _actor(geo, "Youth of Beni", geo.north_town, kind="group", actor_type="youth_group")
    RelationshipFactory(source=group, target=chief, kind="member_of")
    ConsentFactory(record=chief, purposes=["contact_phone"])
    body = _client(member_in(Role.OFFICER)).get(_url(geo, f"{chief.public_id}/")).content.decode()
    assert "Youth of Beni" in body
    assert "Has as member" in body
    assert "Contact by phone" in body
    assert "In force" in body


# --- Consent -----------------------------------------------------------------------------------


def test_consent_record_and_withdraw(geo: Geo, member_in: MemberIn) -> None:
    actor = _actor(geo, "Mwami Kabare", geo.north_town)
    client = _client(member_in(Role.LIAISON))
    # when consent is recorded through the form
    response = client.post(
        _url(geo, f"{actor.public_id}/consents/"),
        {"purposes": ["contact_phone", "photograph"], "method": "verbal", "details": "At the hut"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get(actor=actor)
    assert consent.purposes == ["contact_phone", "photograph"]
    # and withdrawn
    response = client.post(
        _url(geo, f"consents/{consent.public_id}/withdraw/"), {"reason": "Changed their mind"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_reason == "Changed their mind"


@pytest.mark.parametrize(
    "data",
    [
        {"method": "verbal"},  # no purpose
        {"purposes": ["telepathy"], "method": "verbal"},
        {"purposes": ["contact_phone"], "method": "pigeon"},
        {"purposes": ["contact_phone"], "method": "verbal", "given_at": "2999-01-01T10:00"},
    ],
)
def test_invalid_consent_is_refused(geo: Geo, member_in: MemberIn, data: dict[str, Any]) -> None:
    actor = _actor(geo, "Mwami Kabare", geo.north_town)
    response = _client(member_in(Role.OFFICER)).post(
        _url(geo, f"{actor.public_id}/consents/"), data
    )
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_consent_of_an_actor_outside_scope_cannot_be_withdrawn(
    geo: Geo, member_in: MemberIn
) -> None:
    south = _actor(geo, "Imam Bakari", geo.south_town)
    consent = ConsentFactory(record=south)
    client = _client(member_in(Role.OFFICER, geo.north))
    response = client.post(_url(geo, f"consents/{consent.public_id}/withdraw/"), {"reason": "x"})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


# --- Create and edit ---------------------------------------------------------------------------


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "person",
        "actor_type": "traditional_authority",
        "name": "Mwami Ndeze",
        "admin_unit": "CD1001",
        "influence": "4",
        "stance_peace_process": "1",
        "languages": "fr, sw",
        "phone": "+243 970 000 001",
    }
    data.update(overrides)
    return data


def test_create_records_the_actor_and_its_encrypted_contact(geo: Geo, member_in: MemberIn) -> None:
    client = _client(member_in(Role.OFFICER))
    response = client.post(_url(geo, "new/"), _form())
    assert response.status_code == 302
    actor = Actor.objects.get(name="Mwami Ndeze")
    assert response["Location"] == _url(geo, f"{actor.public_id}/")
    assert actor.admin_unit == geo.north_town
    assert actor.influence == 4
    assert actor.languages == ["fr", "sw"]
    assert actor.phone_pseudonym
    assert AuditEvent.objects.filter(action="actor.create").count() == 1
    assert AuditEvent.objects.filter(action="actor.contact_set").count() == 1


def test_create_accepts_a_place_name_instead_of_a_pcode(geo: Geo, member_in: MemberIn) -> None:
    client = _client(member_in(Role.OFFICER))
    assert client.post(_url(geo, "new/"), _form(admin_unit="beni")).status_code == 302
    assert Actor.objects.get(name="Mwami Ndeze").admin_unit == geo.north_town


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"admin_unit": "XX99"}, "admin_unit"),
        ({"kind": "organisation", "gender": "male"}, "gender"),
        ({"influence": "9"}, "influence"),
        ({"languages": "french!"}, "languages"),
        ({"phone": "12"}, "phone"),
        ({"sensitivity": "3"}, "sensitivity"),  # above an officer's clearance
    ],
)
def test_create_form_validates(
    geo: Geo, member_in: MemberIn, overrides: dict[str, str], field: str
) -> None:
    client = _client(member_in(Role.OFFICER))
    response = client.post(_url(geo, "new/"), _form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Actor.objects.filter(name="Mwami Ndeze").exists()


def test_scoped_member_must_place_the_actor_in_their_area(geo: Geo, member_in: MemberIn) -> None:
    client = _client(member_in(Role.OFFICER, geo.north))
    assert client.post(_url(geo, "new/"), _form(admin_unit="CD2001")).status_code == 400
    assert client.post(_url(geo, "new/"), _form(admin_unit="")).status_code == 400
    assert not Actor.objects.exists()


def test_create_warns_that_the_actor_may_already_exist(geo: Geo, member_in: MemberIn) -> None:
    _actor(geo, "Mohamed Traoré", geo.north_town)
    client = _client(member_in(Role.OFFICER))
    # when a transliteration variant is recorded in the same place
    response = client.post(_url(geo, "new/"), _form(name="Mohammed Traore"))
    # then the form comes back with the existing record, nothing is created
    assert response.status_code == 200
    assert "This actor may already exist" in response.content.decode()
    assert Actor.objects.filter(name__startswith="Moham").count() == 1
    # and confirming creates it
    response = client.post(_url(geo, "new/"), _form(name="Mohammed Traore", confirm_new="on"))
    assert response.status_code == 302
    assert Actor.objects.filter(name__startswith="Moham").count() == 2


def test_edit_changes_fields_and_keeps_contact_when_left_empty(
    geo: Geo, member_in: MemberIn
) -> None:
    actor = _actor(geo, "Mwami Kabare", geo.north_town, influence=2)
    actor_set_contact(actor=None, record=actor, phone="+243 990 123 456")
    client = _client(member_in(Role.OFFICER))
    form = client.get(_url(geo, f"{actor.public_id}/edit/"))
    assert form.status_code == 200
    assert "990" not in form.content.decode()  # contact fields are never pre-filled
    data = _form(name="Mwami Kabare II", influence="5", phone="", sensitivity="1")
    response = client.post(_url(geo, f"{actor.public_id}/edit/"), data)
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.name == "Mwami Kabare II"
    assert actor.influence == 5
    assert actor.phone == "+243990123456"


def test_viewer_cannot_create_or_edit(geo: Geo, member_in: MemberIn) -> None:
    actor = _actor(geo, "Mwami Kabare", geo.north_town)
    client = _client(member_in(Role.VIEWER))
    assert client.get(_url(geo, "new/")).status_code == 403
    assert client.post(_url(geo, "new/"), _form()).status_code == 403
    assert client.post(_url(geo, f"{actor.public_id}/edit/"), _form()).status_code == 403


# --- Grid and graph ------------------------------------------------------------------------------


def test_grid_counts_actors_per_cell_and_links_to_the_list(geo: Geo, member_in: MemberIn) -> None:
    for n in range(3):
        _actor(geo, f"Chief {n}", geo.north_town, influence=5, stance_peace_process=2)
    _actor(geo, "Imam Bakari", geo.south_town, influence=1, stance_peace_process=-2)
    _actor(geo, "Unknown Elder", geo.south_town)
    client = _client(member_in(Role.ANALYST))
    response = client.get(_url(geo, "grid/"))
    body = response.content.decode()
    assert "5 actors, by influence" in body
    link = re.search(r'<td class="heat-5">\s*<a href="([^"]+)">3</a>', body)
    assert link is not None
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "3 actors found." in listed
    assert '<td class="heat-2">' in body  # the single hostile actor, coloured lighter


def test_grid_by_stance_towards_the_mission(geo: Geo, member_in: MemberIn) -> None:
    _actor(geo, "Chief", geo.north_town, influence=3, stance_mission=-1)
    body = (
        _client(member_in(Role.VIEWER))
        .get(_url(geo, "grid/"), {"axis": "mission"})
        .content.decode()
    )
    assert "stance_mission=-1" in body


def test_graph_page_embeds_nodes_and_edges_with_a_list_fallback(
    geo: Geo, member_in: MemberIn
) -> None:
    chief = _actor(geo, "Mwami Kabare", geo.north_town, influence=5)
    group = _actor(geo, "Youth of Beni", geo.north_town, kind="group", actor_type="youth_group")
    RelationshipFactory(source=group, target=chief, kind="in_dispute_with")
    response = _client(member_in(Role.VIEWER)).get(_url(geo, "graph/"))
    body = response.content.decode()
    script = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', body)
    assert script is not None
    data = json.loads(script.group(1))
    assert {n["name"] for n in data["nodes"]} == {"Mwami Kabare", "Youth of Beni"}
    assert data["edges"][0]["kind"] == "in_dispute_with"
    assert "In dispute with" in body  # legend and plain list


# --- Duplicates and merge ------------------------------------------------------------------------


def test_duplicates_page_and_merge(geo: Geo, member_in: MemberIn) -> None:
    keep = _actor(geo, "Jean-Pierre Bemba", geo.north_town)
    merge = _actor(geo, "Jean Pierre Bemba", geo.north_town)
    client = _client(member_in(Role.MANAGER))
    body = client.get(_url(geo, "duplicates/")).content.decode()
    assert "Jean Pierre Bemba" in body
    assert "Jean-Pierre Bemba" in body
    response = client.post(
        _url(geo, "duplicates/merge/"), {"keep": str(keep.public_id), "merge": str(merge.public_id)}
    )
    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.merged_into_id == keep.pk
    assert not merge.is_active


def test_merge_needs_the_merge_permission(geo: Geo, member_in: MemberIn) -> None:
    a = _actor(geo, "Jean-Pierre Bemba", geo.north_town)
    b = _actor(geo, "Jean Pierre Bemba", geo.north_town)
    client = _client(member_in(Role.OFFICER))
    assert client.get(_url(geo, "duplicates/")).status_code == 403
    response = client.post(
        _url(geo, "duplicates/merge/"), {"keep": str(a.public_id), "merge": str(b.public_id)}
    )
    assert response.status_code == 403
    b.refresh_from_db()
    assert b.is_active
