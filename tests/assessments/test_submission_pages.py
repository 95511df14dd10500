"""Submission pages through the test client: the list (filters, scope, empty state), a
submission's answers with French labels, repeats as sub-tables, attachments and the instance XML
(download headers, audit rows), edit history, and who may see them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from palava.assessments import form_services
from palava.assessments.models import Form, Submission, SubmissionSource, SubmissionStatus
from palava.assessments.submission_selectors import (
    SubmissionFilters,
    submission_get,
    submission_list,
    submissions_for,
)
from palava.assessments.submission_services import submission_receive
from palava.assessments.submission_tree import choose_language
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set
from tests.factories import AdminUnitFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MakeClient = Callable[[object], Client]

# A household form with a group, a select_multiple, a repeat inside the group with a nested
# repeat, a top-level repeat, and English and French labels.
FORM_MD = """
| survey |
| | type | name | label::English (en) | label::French (fr) |
| | start | start | | |
| | end | end | | |
| | text | village | Village | Village |
| | text | place | Place code | Code du lieu |
| | select_one yn | consent | Consent? | Consentement ? |
| | note | intro | Thank you | Merci |
| | begin_group | hh | Household | Ménage |
| | select_multiple needs | needs | Needs | Besoins |
| | begin_repeat | member | Member | Membre |
| | text | name | Name | Nom |
| | integer | age | Age | Âge |
| | begin_repeat | visit | Visit | Visite |
| | date | when | When | Quand |
| | end_repeat | | | |
| | end_repeat | | | |
| | end_group | | | |
| | begin_repeat | animal | Animal | Animal |
| | text | kind | Kind | Espèce |
| | end_repeat | | | |
| choices |
| | list_name | name | label::English (en) | label::French (fr) |
| | yn | yes | Yes | Oui |
| | yn | no | No | Non |
| | needs | water | Water | Eau |
| | needs | food | Food | Nourriture |
| settings |
| | form_id | form_title | version | default_language |
| | hh_survey | Household survey | 1 | English (en) |
"""


def household_form(mission: Mission) -> Form:
    return form_services.form_upload(
        actor=None, mission=mission, filename="hh.md", content=FORM_MD.encode()
    ).form


def member_xml(name: str, age: str, visits: tuple[str, ...] = ()) -> str:
    inner = "".join(f"<visit><when>{w}</when></visit>" for w in visits)
    return f"<member><name>{name}</name><age>{age}</age>{inner}</member>"


def instance(
    *,
    instance_id: str | None = None,
    place: str = "",
    village: str = "Kanyaruchinya",
    members: tuple[str, ...] = (),
    animals: tuple[str, ...] = (),
    needs: str = "water food",
    deprecated_id: str = "",
    extra: str = "",
) -> tuple[bytes, str]:
    """An instance of the household form; returns (xml, instance id)."""
    iid = instance_id or f"uuid:{uuid.uuid4()}"
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    animal_xml = "".join(f"<animal><kind>{k}</kind></animal>" for k in animals)
    xml = (
        '<data id="hh_survey" version="1">'
        "<start>2026-11-20T10:00:00.000+01:00</start><end>2026-11-20T10:30:00.000+01:00</end>"
        f"<village>{village}</village><place>{place}</place><consent>yes</consent>"
        f"<hh><needs>{needs}</needs>{''.join(members)}</hh>{animal_xml}{extra}"
        f"<meta><instanceID>{iid}</instanceID>{deprecated}</meta></data>"
    )
    return xml.encode(), iid


def receive(
    mission: Mission,
    xml: bytes,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    source: str = SubmissionSource.OPENROSA,
) -> Submission:
    submission, created = submission_receive(
        mission=mission, xml=xml, attachments=attachments, source=source
    )
    assert created
    return submission


def provinces(mission: Mission) -> tuple[AdminUnit, AdminUnit]:
    north = AdminUnitFactory(mission=mission, pcode="CD61", name="Nord-Kivu")
    south = AdminUnitFactory(mission=mission, pcode="CD62", name="Sud-Kivu")
    return north, south


def scoped_member(mission: Mission, unit: AdminUnit, role: str = Role.ANALYST) -> Membership:
    member: Membership = MembershipFactory(mission=mission, role=role)
    membership_scope_set(actor=None, membership=member, units=[unit])
    return member


def base(mission: Mission) -> str:
    return f"/m/{mission.slug}/submissions/"


@pytest.fixture
def form(mission: Mission) -> Form:
    return household_form(mission)


@pytest.fixture
def analyst(mission: Mission) -> Membership:
    member: Membership = MembershipFactory(mission=mission, role=Role.ANALYST)
    return member


@pytest.fixture
def client(analyst: Membership, client_for: MakeClient) -> Client:
    return client_for(analyst.user)


# --- Selectors -------------------------------------------------------------------------------


def test_submissions_for_still_lists_every_submission_of_the_mission(
    mission: Mission, form: Form
) -> None:
    submission = receive(mission, instance()[0])

    assert list(submissions_for(mission=mission, form=form)) == [submission]


def test_scoped_member_sees_only_their_province(mission: Mission, form: Form) -> None:
    north, south = provinces(mission)
    in_north = receive(mission, instance(place="CD61")[0])
    in_south = receive(mission, instance(place="CD62")[0])
    unplaced = receive(mission, instance()[0])
    assert in_north.admin_unit_id == north.pk
    assert in_south.admin_unit_id == south.pk
    scoped = scoped_member(mission, north)
    whole = MembershipFactory(mission=mission, role=Role.ANALYST)

    assert list(submission_list(membership=scoped)) == [in_north]
    assert set(submission_list(membership=whole)) == {in_north, in_south, unplaced}
    assert submission_get(mission=mission, membership=scoped, public_id=in_south.public_id) is None
    assert submission_get(mission=mission, membership=scoped, public_id=unplaced.public_id) is None
    found = submission_get(mission=mission, membership=scoped, public_id=in_north.public_id)
    assert found == in_north


def test_roles_without_submission_view_see_nothing(mission: Mission, form: Form) -> None:
    receive(mission, instance()[0])
    partner = MembershipFactory(mission=mission, role=Role.PARTNER)

    assert list(submission_list(membership=partner)) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SubmissionFilters(source=SubmissionSource.WEB), {"web"}),
        (SubmissionFilters(place="CD61"), {"north"}),
        (SubmissionFilters(place="none"), {"web", "old-edited"}),
        (SubmissionFilters(flag="duplicate"), {"north"}),
        (SubmissionFilters(flag="short"), set()),
        (SubmissionFilters(status="superseded"), {"old"}),
        (SubmissionFilters(status="all"), {"north", "web", "old", "old-edited"}),
        (SubmissionFilters(form="not-a-uuid"), set()),
    ],
)
def test_list_filters(
    mission: Mission, form: Form, filters: SubmissionFilters, expected: set[str]
) -> None:
    provinces(mission)
    north = receive(mission, instance(place="CD61", village="north")[0])
    Submission.objects.filter(pk=north.pk).update(quality_flags=["duplicate"])
    receive(mission, instance(village="web")[0], source=SubmissionSource.WEB)
    xml, old_id = instance(village="old")
    receive(mission, xml)
    receive(mission, instance(village="old-edited", deprecated_id=old_id)[0])
    whole = MembershipFactory(mission=mission, role=Role.ANALYST)

    found = submission_list(membership=whole, filters=filters)

    assert {s.data["village"] for s in found} == expected


def test_form_filter_and_date_range(mission: Mission, form: Form) -> None:
    submission = receive(mission, instance()[0])
    whole = MembershipFactory(mission=mission, role=Role.ANALYST)
    # the day in the mission's time zone, as the filter reads it (not UTC: near midnight)
    day = timezone.localtime(submission.received_at, ZoneInfo(mission.time_zone)).date()

    by_form = SubmissionFilters(form=str(form.public_id))
    assert list(submission_list(membership=whole, filters=by_form)) == [submission]
    same_day = SubmissionFilters(since=day, until=day)
    assert list(submission_list(membership=whole, filters=same_day)) == [submission]
    later = SubmissionFilters(since=day.replace(year=day.year + 1))
    assert list(submission_list(membership=whole, filters=later)) == []


# --- List page -------------------------------------------------------------------------------


def test_empty_list_explains_where_submissions_come_from(mission: Mission, client: Client) -> None:
    body = client.get(base(mission)).content.decode()

    assert "No submissions yet." in body


def test_list_shows_columns_and_flag_labels(mission: Mission, form: Form, client: Client) -> None:
    provinces(mission)
    submission = receive(mission, instance(place="CD61")[0])
    Submission.objects.filter(pk=submission.pk).update(
        quality_flags=["short", "duplicate"], enumerator="Team A"
    )

    body = client.get(base(mission)).content.decode()

    assert "Household survey" in body
    assert "Nord-Kivu" in body
    assert "CD61" in body
    assert "Team A" in body
    assert "ODK Collect / OpenRosa" in body
    assert "Too short" in body
    assert "Duplicate" in body
    assert f"{base(mission)}{submission.public_id}/" in body


def test_list_filter_with_no_match_says_so(mission: Mission, form: Form, client: Client) -> None:
    receive(mission, instance()[0])

    body = client.get(base(mission), {"source": "web"}).content.decode()

    assert "No submission matches these filters." in body


def test_htmx_filter_returns_only_the_results(mission: Mission, form: Form, client: Client) -> None:
    receive(mission, instance()[0])

    response = client.get(
        base(mission),
        {"form": str(form.public_id)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="submission-results",
    )

    body = response.content.decode()
    assert "<html" not in body
    assert "1 submission found." in body
    assert f"{base(mission)}{form.public_id}/export.xlsx" in body


def test_list_is_paginated_with_a_bounded_number_of_queries(
    mission: Mission, form: Form, client: Client
) -> None:
    provinces(mission)
    for _ in range(55):
        receive(mission, instance(place="CD61")[0])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(base(mission))

    body = response.content.decode()
    assert "55 submissions found." in body
    assert len(re.findall(rf'href="{base(mission)}[0-9a-f-]{{36}}/"', body)) == 50
    assert "Page 1 of 2" in body
    assert len(queries) < 25


def test_scoped_member_list_hides_other_province(
    mission: Mission, form: Form, client_for: MakeClient
) -> None:
    north, _south = provinces(mission)
    receive(mission, instance(place="CD61", village="Goma")[0])
    in_south = receive(mission, instance(place="CD62", village="Bukavu")[0])
    scoped = scoped_member(mission, north)
    c = client_for(scoped.user)

    body = c.get(base(mission)).content.decode()

    assert "1 submission found." in body
    assert str(in_south.public_id) not in body
    assert c.get(f"{base(mission)}{in_south.public_id}/").status_code == 404


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_partner_and_viewer_are_refused(
    mission: Mission, form: Form, client_for: MakeClient, role: str
) -> None:
    submission = receive(mission, instance()[0])
    member = MembershipFactory(mission=mission, role=role)
    c = client_for(member.user)

    assert c.get(base(mission)).status_code == 403
    assert c.get(f"{base(mission)}{submission.public_id}/").status_code == 403
    assert c.get(f"{base(mission)}{form.public_id}/export.xlsx").status_code == 403


def test_another_missions_submission_is_not_found(
    mission: Mission, client: Client, client_for: MakeClient
) -> None:
    other = MembershipFactory(role=Role.ANALYST)
    household_form(other.mission)
    foreign = receive(other.mission, instance()[0])

    assert client.get(f"{base(mission)}{foreign.public_id}/").status_code == 404


# --- Detail ----------------------------------------------------------------------------------


def full_submission(mission: Mission) -> Submission:
    members = (
        member_xml("Amani", "34", ("2026-11-01", "2026-11-02")),
        member_xml("Neema", "8", ("2026-11-03",)),
    )
    xml, _iid = instance(members=members, animals=("goat",), extra="<legacy_q>old</legacy_q>")
    return receive(mission, xml, attachments=(("photo.jpg", "image/jpeg", b"\xff\xd8jpeg"),))


def test_detail_shows_labels_in_french(mission: Mission, form: Form, client: Client) -> None:
    submission = full_submission(mission)

    body = client.get(
        f"{base(mission)}{submission.public_id}/", {"lang": "French (fr)"}
    ).content.decode()

    assert "Ménage" in body
    assert "Consentement ?" in body
    assert "Oui" in body
    assert "Eau, Nourriture" in body
    assert "Visite" in body
    assert "Quand" in body
    assert "Consent?" not in body
    assert "Merci" not in body  # notes carry no answer


def test_detail_default_language_and_repeats_as_tables(
    mission: Mission, form: Form, client: Client
) -> None:
    submission = full_submission(mission)

    body = client.get(f"{base(mission)}{submission.public_id}/").content.decode()

    assert "Household" in body
    assert "Water, Food" in body
    assert body.count('<table class="repeat">') == 4  # member, 2 x visit, animal
    assert "Amani" in body
    assert "Neema" in body
    assert "2026-11-03" in body
    assert "goat" in body
    assert "legacy_q" in body
    assert "old" in body
    assert "photo.jpg" in body


def test_page_language_picks_the_forms_matching_language() -> None:
    langs = ["English (en)", "French (fr)"]

    assert choose_language(langs, "French (fr)", "English (en)") == "French (fr)"
    assert choose_language(langs, "Klingon", "English (en)") == "English (en)"
    assert choose_language([], "", "") == ""


def test_detail_in_french_interface_uses_french_labels(
    mission: Mission, form: Form, client: Client
) -> None:
    submission = full_submission(mission)

    body = client.get(
        f"{base(mission)}{submission.public_id}/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert "Ménage" in body
    assert "Eau, Nourriture" in body


def test_detail_read_is_audited(
    mission: Mission, form: Form, analyst: Membership, client: Client
) -> None:
    submission = full_submission(mission)

    client.get(f"{base(mission)}{submission.public_id}/")

    event = AuditEvent.objects.get(action="submission.read", object_id=str(submission.public_id))
    assert event.actor == analyst.user
    assert event.mission_id == mission.pk


def test_attachment_download_headers_and_audit(
    mission: Mission, form: Form, client: Client
) -> None:
    submission = full_submission(mission)

    response = client.get(f"{base(mission)}{submission.public_id}/attachments/photo.jpg")

    assert response.status_code == 200
    assert response.content == b"\xff\xd8jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "photo.jpg" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    event = AuditEvent.objects.get(
        action="submission.read", object_type="assessments.submissionattachment"
    )
    assert event.changes["filename"] == "photo.jpg"


def test_html_attachment_is_served_as_opaque_bytes(
    mission: Mission, form: Form, client: Client
) -> None:
    xml, _iid = instance()
    submission = receive(
        mission, xml, attachments=(("x.html", "text/html", b"<script>1</script>"),)
    )

    response = client.get(f"{base(mission)}{submission.public_id}/attachments/x.html")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_missing_attachment_and_hostile_names_are_not_found(
    mission: Mission, form: Form, client: Client
) -> None:
    submission = full_submission(mission)
    url = f"{base(mission)}{submission.public_id}/attachments/"

    assert client.get(f"{url}nothing.jpg").status_code == 404
    assert client.get(f"{url}..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert not AuditEvent.objects.filter(
        action="submission.read", object_type="assessments.submissionattachment"
    ).exists()


def test_instance_xml_download(mission: Mission, form: Form, client: Client) -> None:
    submission = full_submission(mission)

    response = client.get(f"{base(mission)}{submission.public_id}/instance.xml")

    assert response.status_code == 200
    assert b'<data id="hh_survey"' in response.content
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="submission.read", object_id=str(submission.public_id))
    assert "xml" in event.changes


def test_edit_history_links_both_ways(mission: Mission, form: Form, client: Client) -> None:
    xml, old_id = instance(village="first")
    old = receive(mission, xml)
    new = receive(mission, instance(village="second", deprecated_id=old_id)[0])
    old.refresh_from_db()
    assert old.status == SubmissionStatus.SUPERSEDED

    new_body = client.get(f"{base(mission)}{new.public_id}/").content.decode()
    old_body = client.get(f"{base(mission)}{old.public_id}/").content.decode()

    assert f"{base(mission)}{old.public_id}/" in new_body
    assert f"{base(mission)}{new.public_id}/" in old_body
    assert "Replaced by an edit" in old_body


def test_form_page_links_to_submissions_and_exports(
    mission: Mission, form: Form, client_for: MakeClient
) -> None:
    manager = MembershipFactory(mission=mission, role=Role.MANAGER)

    body = client_for(manager.user).get(f"/m/{mission.slug}/forms/{form.public_id}/")

    text = body.content.decode()
    assert f"{base(mission)}?form={form.public_id}" in text
    assert f"{base(mission)}{form.public_id}/export.zip" in text
