"""Pages of the commitments ledger: list with tabs and filters, record, detail actions, edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from palava.engagement.models import (
    Activity,
    ActivityType,
    Commitment,
    CommitmentEvidence,
    CommitmentStatus,
    EvidenceKind,
    PartyKind,
    Verification,
)
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_commitments import make_commitment, unit_of

pytestmark = pytest.mark.django_db


def _url(mission: Mission, name: str, c: Commitment | None = None) -> str:
    kwargs: dict[str, Any] = {"mission_slug": mission.slug}
    if c is not None:
        kwargs["commitment_id"] = c.public_id
    return reverse(f"commitments:{name}", kwargs=kwargs)


def _activity(mission: Mission, unit: Any, days_ago: int = 1) -> Activity:
    return Activity.objects.create(
        mission=mission,
        activity_type=ActivityType.DIALOGUE_FORUM,
        title="Forum of Kalehe",
        admin_unit=unit,
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_empty_ledger_invites_to_record(mission: Mission, member_of: Any, client_for: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    page = client_for(officer.user).get(_url(mission, "list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "No commitments recorded yet." in body
    assert "Record a commitment" in body


def test_ledger_tabs_count_and_filter(mission: Mission, member_of: Any, client_for: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    past = timezone.localdate() - dt.timedelta(days=40)
    late = make_commitment(mission, made_on=past, due_date=past + dt.timedelta(days=5))
    done = make_commitment(mission, made_by_name="Youth of Kalehe")
    Commitment.objects.filter(pk=done.pk).update(status=CommitmentStatus.DONE)
    client = client_for(officer.user)
    page = client.get(_url(mission, "list"))
    body = page.content.decode()
    assert late.reference in body
    assert done.reference in body
    assert "commitment-row-overdue" in body
    assert "days overdue" in body
    only_done = client.get(_url(mission, "list") + "?status=done").content.decode()
    assert done.reference in only_done
    assert late.reference not in only_done
    overdue = client.get(_url(mission, "list") + "?overdue=on").content.decode()
    assert late.reference in overdue
    assert done.reference not in overdue
    by_name = client.get(_url(mission, "list") + "?q=youth").content.decode()
    assert done.reference in by_name
    assert late.reference not in by_name


def test_record_a_commitment_from_an_activity(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    activity = _activity(mission, unit)
    client = client_for(officer.user)
    form = client.get(_url(mission, "create") + f"?activity={activity.public_id}")
    assert form.status_code == 200
    assert form.context["form"].initial["admin_unit"] == unit.pk
    assert form.context["form"].initial["activity"] == activity.pk
    made_on = timezone.localdate().isoformat()
    response = client.post(
        _url(mission, "create"),
        {
            "made_by_kind": PartyKind.LOCAL_AUTHORITY,
            "made_by_name": "The territorial administrator",
            "made_to_kind": PartyKind.COMMUNITY,
            "made_to_name": "Market women",
            "description": "Reopen the market road",
            "admin_unit": unit.pk,
            "made_on": made_on,
            "due_date": "",
            "activity": activity.pk,
            "owner": officer.user.pk,
            "sensitivity": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    c = Commitment.objects.get(mission=mission)
    assert c.activity == activity
    assert c.owner == officer.user
    assert response["Location"] == _url(mission, "detail", c)


def test_place_prefill_and_bad_prefills_are_ignored(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    client = client_for(officer.user)
    page = client.get(_url(mission, "create") + f"?place={unit.pcode}")
    assert page.context["form"].initial["admin_unit"] == unit.pk
    for query in ("?activity=not-a-uuid", "?place=%00%27", "?activity=" + "9" * 500):
        assert client.get(_url(mission, "create") + query).status_code == 200


def test_detail_status_evidence_and_verification(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    c = make_commitment(mission, admin_unit=unit, made_on=timezone.localdate(), due_date=None)
    activity = _activity(mission, unit, days_ago=0)
    client = client_for(officer.user)
    detail = client.get(_url(mission, "detail", c)).content.decode()
    assert 'name="status"' in detail
    assert "Update status" in detail
    assert 'name="file"' in detail

    refused = client.post(_url(mission, "status", c), {"status": "broken", "note": ""})
    assert refused.status_code == 400
    assert client.post(_url(mission, "status", c), {"status": "in_progress"}).status_code == 302
    assert (
        client.post(
            _url(mission, "evidence_note", c), {"note": "Road cleared, seen on patrol"}
        ).status_code
        == 302
    )
    assert (
        client.post(_url(mission, "evidence_activity", c), {"activity": activity.pk}).status_code
        == 302
    )
    upload = SimpleUploadedFile("report.txt", b"Road reopened on Monday.\n", "text/plain")
    assert (
        client.post(
            _url(mission, "document_add", c), {"file": upload, "description": "Report"}
        ).status_code
        == 302
    )
    assert client.post(_url(mission, "status", c), {"status": "done"}).status_code == 302
    assert (
        client.post(
            _url(mission, "verify", c),
            {"verification": Verification.KEPT, "verification_note": "Asked the market committee"},
        ).status_code
        == 302
    )
    c.refresh_from_db()
    assert c.status == CommitmentStatus.DONE
    assert c.verification == Verification.KEPT
    kinds = sorted(CommitmentEvidence.objects.filter(commitment=c).values_list("kind", flat=True))
    assert kinds == sorted([EvidenceKind.NOTE, EvidenceKind.ACTIVITY, EvidenceKind.FILE])
    page = client.get(_url(mission, "detail", c)).content.decode()
    assert "report.txt" in page
    assert "Forum of Kalehe" in page
    assert "Asked the market committee" in page  # officer's clearance reads the note
    assert "Evidence added" in page
    assert "Community verification" in page


def test_hostile_upload_is_refused_without_error(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission)
    client = client_for(officer.user)
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(_url(mission, "document_add", c), {"file": fake})
    assert response.status_code == 400
    assert not CommitmentEvidence.objects.filter(commitment=c).exists()
    empty = client.post(_url(mission, "evidence_note", c), {"note": "x" * 10000})
    assert empty.status_code == 400


def test_edit_changes_the_due_date(mission: Mission, member_of: Any, client_for: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission)
    client = client_for(officer.user)
    page = client.get(_url(mission, "edit", c))
    assert page.status_code == 200
    data = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    data["due_date"] = "2026-05-15"
    response = client.post(_url(mission, "edit", c), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    c.refresh_from_db()
    assert c.due_date == dt.date(2026, 5, 15)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_partners_and_viewers_have_no_ledger(
    mission: Mission, member_of: Any, client_for: Any, role: str
) -> None:
    member: Membership = member_of(role)
    c = make_commitment(mission)
    client = client_for(member.user)
    assert client.get(_url(mission, "list")).status_code == 403
    assert client.get(_url(mission, "detail", c)).status_code == 403


def test_analyst_reads_but_cannot_write(mission: Mission, member_of: Any, client_for: Any) -> None:
    analyst: Membership = member_of(Role.ANALYST)
    c = make_commitment(mission)
    client = client_for(analyst.user)
    page = client.get(_url(mission, "detail", c)).content.decode()
    assert "Update status" not in page
    assert client.post(_url(mission, "status", c), {"status": "done"}).status_code == 403
    assert client.get(_url(mission, "create")).status_code == 403


def test_officer_cannot_see_a_strictly_confidential_commitment(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission, sensitivity=3)
    client = client_for(officer.user)
    assert client.get(_url(mission, "detail", c)).status_code == 404
    assert c.reference not in client.get(_url(mission, "list")).content.decode()


def test_ledger_queries_do_not_grow_with_rows(
    mission: Mission, member_of: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    client = client_for(officer.user)
    for _ in range(3):
        make_commitment(mission, admin_unit=unit, owner=officer.user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(mission, "list")).status_code == 200
    for _ in range(12):
        make_commitment(mission, admin_unit=unit, owner=officer.user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_url(mission, "list")).status_code == 200


def test_hostile_form_input_is_refused_with_errors(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    client = client_for(officer.user)
    base = {
        "made_by_kind": "mission",
        "made_by_name": "Civil Affairs",
        "made_to_kind": "community",
        "made_to_name": "Residents",
        "description": "Repair the well",
        "admin_unit": unit.pk,
        "made_on": "2026-03-01",
    }
    for bad in (
        {"description": "x" * 10000},
        {"made_by_name": "Chief\x00"},
        {"made_by_kind": "warlord"},
        {"admin_unit": "999999"},
        {"made_on": "not a date"},
        {"due_date": "2026-02-01"},
        {"sensitivity": "9"},
    ):
        response = client.post(_url(mission, "create"), {**base, **bad})
        assert response.status_code == 200, bad
        assert response.context["form"].errors, bad
    assert not Commitment.objects.filter(mission=mission).exists()
