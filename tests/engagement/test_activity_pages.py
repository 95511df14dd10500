"""Activity pages: list, create, edit, detail and the detail page's forms, without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from palava.audit.models import AuditEvent
from palava.core.sensitivity import Sensitivity
from palava.engagement.activity_record_forms import cell_name
from palava.engagement.activity_services import participant_add
from palava.engagement.models import Activity, ActivityIssue, AttendanceCount, Participant
from palava.feedback.models import Category
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_activities import Geo, make_activity, make_actor, make_geo, member_in

pytestmark = pytest.mark.django_db


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _url(member: Membership, name: str, activity: Activity | None = None) -> str:
    kwargs: dict[str, Any] = {"mission_slug": member.mission.slug}
    if activity is not None:
        kwargs["activity_id"] = activity.public_id
    return reverse(f"activities:{name}", kwargs=kwargs)


def _form(geo: Geo, **extra: Any) -> dict[str, Any]:
    data = {
        "activity_type": "dialogue_forum",
        "title": "Forum on grazing land",
        "status": "planned",
        "admin_unit": geo.north_town.pcode,
        "starts_at": "2026-03-02T09:00",
        "ends_at": "2026-03-02T12:30",
        "languages": "fr, sw",
        "agenda": "- water\n- land",
        "minutes": "**Chief** spoke",
    }
    data.update(extra)
    return data


def test_list_shows_empty_state_and_button(mission: Mission) -> None:
    officer = member_in(mission, Role.OFFICER)
    response = _client(officer).get(_url(officer, "list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "No activity recorded yet" in content
    assert _url(officer, "create") in content
    analyst = member_in(mission, Role.ANALYST)
    assert (
        _url(analyst, "create") not in _client(analyst).get(_url(analyst, "list")).content.decode()
    )


def test_list_filters_and_partial(mission: Mission) -> None:
    geo = make_geo(mission)
    make_activity(mission, geo.north, title="Northern forum")
    make_activity(mission, geo.south, title="Southern council")
    member = member_in(mission)
    client = _client(member)
    response = client.get(_url(member, "list"), {"place": "AC20"})
    assert "Southern council" in response.content.decode()
    assert "Northern forum" not in response.content.decode()
    partial = client.get(
        _url(member, "list"),
        {"q": "zzz"},
        headers={"HX-Request": "true", "HX-Target": "activity-results"},
    )
    assert "No activity matches these filters." in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_create_then_edit(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    assert client.get(_url(officer, "create")).status_code == 200
    response = client.post(_url(officer, "create"), _form(geo, facilitators=[str(officer.user.pk)]))
    assert response.status_code == 302
    activity = Activity.objects.get(mission=mission)
    assert activity.admin_unit == geo.north_town
    assert activity.languages == ["fr", "sw"]
    assert list(activity.facilitators.all()) == [officer.user]
    assert activity.starts_at.hour == 7  # 09:00 in Lubumbashi is 07:00 UTC
    # the detail renders the minutes through safe Markdown
    detail = client.get(_url(officer, "detail", activity)).content.decode()
    assert "<strong>Chief</strong>" in detail
    # edit
    assert client.get(_url(officer, "edit", activity)).status_code == 200
    response = client.post(_url(officer, "edit", activity), _form(geo, title="Renamed forum"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Renamed forum"
    assert AuditEvent.objects.filter(action="engagement.activity.update").exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"admin_unit": "NOWHERE"},
        {"title": "x" * 201},
        {"starts_at": "not a date"},
        {"ends_at": "2026-03-01T09:00"},
        {"languages": ",".join(f"l{i}" for i in range(11))},
        {"minutes": "x" * 20_001},
        {"facilitators": ["999999"]},
        {"status": "cancelled"},
        {"follow_up_of": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_create_refuses_bad_input(mission: Mission, extra: dict[str, Any]) -> None:
    geo = make_geo(mission)
    officer = member_in(mission, Role.OFFICER)
    response = _client(officer).post(_url(officer, "create"), _form(geo, **extra))
    assert response.status_code == 400
    assert not Activity.objects.filter(mission=mission).exists()


def test_scoped_member_cannot_use_a_place_outside_their_area(mission: Mission) -> None:
    geo = make_geo(mission)
    south = member_in(mission, Role.OFFICER, geo.south)
    response = _client(south).post(_url(south, "create"), _form(geo))
    assert response.status_code == 400
    activity = make_activity(mission, geo.north)
    assert _client(south).get(_url(south, "detail", activity)).status_code == 404
    assert _client(south).post(_url(south, "edit", activity), _form(geo)).status_code == 404


def test_participants_add_remove_and_hidden_count(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    chief = make_actor(mission, geo.north, name="Chief Open")
    secret = make_actor(
        mission, geo.north, name="Commander Secret", sensitivity=Sensitivity.STRICTLY_CONFIDENTIAL
    )
    participant_add(actor=None, activity=activity, actor_record=secret)
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    page = client.get(_url(officer, "detail", activity), {"actor_q": "chief"}).content.decode()
    assert "Commander Secret" not in page
    assert "1 participant you are not cleared to see" in page
    assert "Chief Open" in page  # offered in the select
    # add
    response = client.post(
        _url(officer, "participant_add", activity), {"actor": str(chief.public_id), "role": "chair"}
    )
    assert response.status_code == 302
    added = Participant.objects.get(activity=activity, actor=chief)
    # the hidden actor cannot be added or removed by the officer
    hidden = Participant.objects.get(actor=secret)
    response = client.post(
        _url(officer, "participant_remove", activity), {"participant": str(hidden.public_id)}
    )
    assert response.status_code == 404
    response = client.post(_url(officer, "participant_add", activity), {"actor": "junk"})
    assert response.status_code == 400
    # remove
    response = client.post(
        _url(officer, "participant_remove", activity), {"participant": str(added.public_id)}
    )
    assert response.status_code == 302
    assert list(Participant.objects.filter(activity=activity)) == [hidden]
    assert client.post(_url(officer, "participant_remove", activity)).status_code == 400


def test_attendance_grid(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    response = client.post(
        _url(officer, "attendance", activity),
        {cell_name("f", "18-35", "idp"): "12", cell_name("m", "60+", "host"): "3"},
    )
    assert response.status_code == 302
    assert sum(c.count for c in AttendanceCount.objects.filter(activity=activity)) == 15
    page = client.get(_url(officer, "detail", activity)).content.decode()
    assert "Total saved: 15" in page
    for bad in ("-1", "100001", "9" * 40, "abc"):
        response = client.post(
            _url(officer, "attendance", activity), {cell_name("f", "18-35", "idp"): bad}
        )
        assert response.status_code == 400
    assert sum(c.count for c in AttendanceCount.objects.filter(activity=activity)) == 15


def test_issues_add_and_remove(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    category = Category.objects.create(mission=mission, code="water", name="Water")
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    response = client.post(
        _url(officer, "issue_add", activity),
        {"summary": "The well is dry", "category": str(category.public_id)},
    )
    assert response.status_code == 302
    issue = ActivityIssue.objects.get(activity=activity)
    assert issue.category == category
    response = client.post(
        _url(officer, "issue_add", activity),
        {"summary": "Linked", "message_ids": "not-a-uuid"},
    )
    assert response.status_code == 400
    response = client.post(_url(officer, "issue_add", activity), {"summary": "x" * 2001})
    assert response.status_code == 400
    response = client.post(_url(officer, "issue_remove", activity), {"issue": str(issue.public_id)})
    assert response.status_code == 302
    assert not ActivityIssue.objects.exists()


def test_status_change(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    assert (
        client.post(_url(officer, "status", activity), {"status": "cancelled"}).status_code == 400
    )
    response = client.post(
        _url(officer, "status", activity), {"status": "cancelled", "reason": "Insecurity"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.cancel_reason == "Insecurity"


def test_analyst_reads_but_cannot_write(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north, minutes="secret minutes")
    analyst = member_in(mission, Role.ANALYST)
    client = _client(analyst)
    page = client.get(_url(analyst, "detail", activity)).content.decode()
    assert "secret minutes" in page  # analysts have confidential clearance
    assert client.post(_url(analyst, "attendance", activity)).status_code == 403
    assert client.get(_url(analyst, "edit", activity)).status_code == 403


def test_document_upload(mission: Mission) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    upload = SimpleUploadedFile("sheet.txt", b"attendance sheet\n", content_type="text/plain")
    response = client.post(_url(officer, "document_add", activity), {"file": upload})
    assert response.status_code == 302
    assert activity.documents.count() == 1
    page = client.get(_url(officer, "detail", activity)).content.decode()
    document = activity.documents.get()
    assert f"/documents/{document.public_id}/" in page or str(document.public_id) in page
    assert "sheet.txt" in page
    bad = SimpleUploadedFile("evil.exe", b"MZ\x90\x00binary", content_type="text/plain")
    response = client.post(_url(officer, "document_add", activity), {"file": bad})
    assert response.status_code == 400
    assert activity.documents.count() == 1


def test_reader_sees_attendance_breakdown_with_labels(mission: Mission) -> None:
    from palava.engagement.activity_services import attendance_set

    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    attendance_set(actor=None, activity=activity, counts={("f", "60+", "idp"): 4})
    analyst = member_in(mission, Role.ANALYST)
    page = _client(analyst).get(_url(analyst, "detail", activity)).content.decode()
    assert "Female" in page
    assert "Internally displaced" in page
    assert "100.0%" in page  # share of women


def test_scoped_member_keeps_other_places_outside_their_area(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north, places=[geo.south])
    north = member_in(mission, Role.OFFICER, geo.north)
    response = _client(north).post(
        _url(north, "edit", activity), _form(geo, admin_unit="AC10", places="AC20")
    )
    assert response.status_code == 302
    assert list(activity.places.all()) == [geo.south]


def test_list_query_count_does_not_grow(
    mission: Mission, django_assert_max_num_queries: Any
) -> None:
    geo = make_geo(mission)
    for i in range(12):
        make_activity(mission, geo.north, title=f"Forum {i}")
    member = member_in(mission)
    client = _client(member)
    client.get(_url(member, "list"))  # warm caches (session, membership)
    with django_assert_max_num_queries(15):
        response = client.get(_url(member, "list"))
    assert response.content.decode().count("Forum ") >= 12


def test_record_a_follow_up(mission: Mission) -> None:
    geo = make_geo(mission)
    first = make_activity(mission, geo.north_town, title="First forum")
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    page = client.get(_url(officer, "create"), {"follow_up_of": str(first.public_id)})
    assert page.status_code == 200
    assert 'value="AC1001"' in page.content.decode()
    response = client.post(
        _url(officer, "create"), _form(geo, title="Second", follow_up_of=str(first.public_id))
    )
    assert response.status_code == 302
    second = Activity.objects.get(title="Second")
    assert second.follow_up_of == first
    detail = client.get(_url(officer, "detail", first)).content.decode()
    assert "Second" in detail  # listed among follow-ups
    # the edit form keeps the link
    response = client.post(
        _url(officer, "edit", second),
        _form(geo, title="Second renamed", follow_up_of=str(first.public_id)),
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.follow_up_of == first
    response = client.post(
        _url(officer, "edit", second), _form(geo, follow_up_of=str(second.public_id))
    )
    assert response.status_code == 400
