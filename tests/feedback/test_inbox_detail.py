"""A message's page: labels with their source, place, cluster, reporter, the audited call-back
number, label correction and status buttons."""

from __future__ import annotations

import pytest

from palava.audit.models import AuditEvent
from palava.feedback.models import LabelSource, Message
from palava.missions.models import Mission, Role
from tests.feedback.helpers_inbox import (
    PHONE,
    PHONE_DIGITS,
    Geo,
    categories,
    client_of,
    make_channel,
    make_cluster,
    make_geo,
    make_message,
    member_in,
    no_two_factor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo(mission: Mission) -> Geo:
    no_two_factor(mission)
    return make_geo(mission)


def _url(geo: Geo, message: Message, tail: str = "") -> str:
    return f"/m/{geo.mission.slug}/messages/{message.public_id}/{tail}"


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_detail_shows_labels_sources_cluster_and_reporter(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission, name="SMS line")
    cluster = make_cluster(geo.mission, size=9)
    message = make_message(
        channel,
        "Le puits de Béni est cassé",
        unit=geo.north_town,
        category=cats["need_water"],
        urgency="urgent",
        language="fr",
        phone=PHONE,
        reporter=True,
        cluster=cluster,
    )
    make_message(
        channel, "Pas d'eau à Béni depuis hier", unit=geo.north_town, cluster=cluster, phone=PHONE
    )
    make_message(
        channel,
        "hidden sibling",
        unit=geo.north_town,
        cluster=cluster,
        category=cats["gbv"],
        phone=PHONE,
    )
    body = client_of(member_in(geo.mission, Role.OFFICER)).get(_url(geo, message)).content.decode()
    assert "Le puits de Béni est cassé" in body
    assert "Keyword lexicon" in body  # category and urgency source
    assert "80&nbsp;%" in body  # category confidence
    assert "Béni" in body
    assert "CD1001" in body
    assert "2 reports of the same event" in body  # never the stored size (9) or hidden ones
    assert "Pas d&#x27;eau à Béni" in body
    assert "hidden sibling" not in body
    assert "1 other message you can see" in body
    assert "Reveal the number to call back" in body
    assert PHONE_DIGITS not in _digits(body)


def test_detail_404_outside_scope_and_for_unknown(geo: Geo) -> None:
    message = make_message(make_channel(geo.mission), "south", unit=geo.south_town)
    liaison = client_of(member_in(geo.mission, Role.LIAISON, geo.north))
    assert liaison.get(_url(geo, message)).status_code == 404
    assert (
        liaison.get(
            f"/m/{geo.mission.slug}/messages/00000000-0000-0000-0000-000000000000/"
        ).status_code
        == 404
    )


def test_reveal_shows_the_number_once_and_audits(geo: Geo) -> None:
    message = make_message(make_channel(geo.mission), "call me", phone=PHONE, reporter=True)
    client = client_of(member_in(geo.mission, Role.LIAISON))
    revealed = client.post(_url(geo, message, "contact/"))
    assert revealed.status_code == 200
    assert PHONE_DIGITS in _digits(revealed.content.decode())
    assert "no-store" in revealed["Cache-Control"]
    assert AuditEvent.objects.filter(action="reporter.contact_reveal").count() == 1
    # htmx gets only the box
    partial = client.post(_url(geo, message, "contact/"), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert PHONE_DIGITS in _digits(partial.content.decode())
    assert AuditEvent.objects.filter(action="reporter.contact_reveal").count() == 2
    # the page itself never shows it again
    assert PHONE_DIGITS not in _digits(client.get(_url(geo, message)).content.decode())
    # GET cannot reveal
    assert client.get(_url(geo, message, "contact/")).status_code == 405


def test_reveal_not_offered_without_the_permission_or_a_number(geo: Geo) -> None:
    channel = make_channel(geo.mission)
    with_phone = make_message(channel, "x", phone=PHONE)
    without = make_message(channel, "y")
    analyst = client_of(member_in(geo.mission, Role.ANALYST))
    page = analyst.get(_url(geo, with_phone)).content.decode()
    assert "A number is on file; your role does not show it." in page
    assert analyst.post(_url(geo, with_phone, "contact/")).status_code == 403
    officer = client_of(member_in(geo.mission, Role.OFFICER))
    assert "No number on file." in officer.get(_url(geo, without)).content.decode()
    assert (
        "No phone number is on file"
        in officer.post(_url(geo, without, "contact/")).content.decode()
    )
    assert not AuditEvent.objects.filter(action="reporter.contact_reveal").exists()


def test_relabel_form_saves_staff_labels(geo: Geo) -> None:
    cats = categories(geo.mission)
    message = make_message(
        make_channel(geo.mission), "x", unit=geo.north_town, category=cats["other"]
    )
    client = client_of(member_in(geo.mission, Role.OFFICER))
    page = client.get(_url(geo, message)).content.decode()
    assert "Correct the labels" in page
    response = client.post(
        _url(geo, message, "labels/"),
        {"category": "need_health", "urgency": "urgent", "place": "Uvira", "site": ""},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.category == cats["need_health"]
    assert message.category_source == LabelSource.STAFF
    assert message.admin_unit == geo.south_town  # found by its exact name
    assert "Labels saved." in client.get(response["Location"]).content.decode()


def test_relabel_form_errors_keep_the_page(geo: Geo) -> None:
    message = make_message(make_channel(geo.mission), "x", unit=geo.north_town)
    liaison = client_of(member_in(geo.mission, Role.LIAISON, geo.north))
    response = liaison.post(_url(geo, message, "labels/"), {"place": "CD20"})
    assert response.status_code == 400
    assert "outside your area" in response.content.decode()
    message.refresh_from_db()
    assert message.admin_unit == geo.north_town


def test_relabel_into_the_restricted_queue_leaves_the_page(geo: Geo) -> None:
    categories(geo.mission)
    message = make_message(make_channel(geo.mission), "he touched my daughter", unit=geo.north_town)
    client = client_of(member_in(geo.mission, Role.OFFICER))
    response = client.post(_url(geo, message, "labels/"), {"category": "child_protection"})
    assert response.status_code == 302
    assert response["Location"] == f"/m/{geo.mission.slug}/messages/"
    assert "restricted queue" in client.get(response["Location"]).content.decode()
    assert client.get(_url(geo, message)).status_code == 404


def test_status_buttons_post_to_bulk_and_come_back(geo: Geo) -> None:
    message = make_message(make_channel(geo.mission), "x")
    client = client_of(member_in(geo.mission, Role.OFFICER))
    page = client.get(_url(geo, message)).content.decode()
    assert "Mark reviewed" in page
    assert "Reopen" not in page
    response = client.post(
        f"/m/{geo.mission.slug}/messages/bulk/",
        {"ids": [str(message.public_id)], "status": "reviewed", "next": _url(geo, message)},
    )
    assert response["Location"] == _url(geo, message)
    message.refresh_from_db()
    assert message.status == "reviewed"


def test_coordinates_for_officers_rounded_never_for_analysts(geo: Geo) -> None:
    message = make_message(
        make_channel(geo.mission), "here", latitude=-1.6789123, longitude=29.2212345
    )
    officer = (
        client_of(member_in(geo.mission, Role.OFFICER)).get(_url(geo, message)).content.decode()
    )
    analyst = (
        client_of(member_in(geo.mission, Role.ANALYST)).get(_url(geo, message)).content.decode()
    )
    assert "-1.679, 29.221" in officer
    assert "1.6789" not in officer
    assert "-1.679" not in analyst


def test_awaiting_triage_is_shown(geo: Geo) -> None:
    message = make_message(make_channel(geo.mission), "fresh", status="new")
    page = client_of(member_in(geo.mission, Role.MANAGER)).get(_url(geo, message)).content.decode()
    assert "Awaiting triage" in page


def test_a_message_not_yet_triaged_is_hidden_like_a_restricted_one(geo: Geo) -> None:
    # given a message triage has not seen yet (it may be an unflagged abuse report)
    message = make_message(make_channel(geo.mission), "fresh", status="new")
    # then roles without the restricted queue neither open nor list it; managers do
    officer = client_of(member_in(geo.mission, Role.OFFICER))
    assert officer.get(_url(geo, message)).status_code == 404
    listing = officer.get(f"/m/{geo.mission.slug}/messages/?q=fresh").content.decode()
    assert str(message.public_id) not in listing
    manager = client_of(member_in(geo.mission, Role.MANAGER))
    assert manager.get(_url(geo, message)).status_code == 200
