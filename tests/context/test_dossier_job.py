"""Briefing dossiers as a job: request, run, download (audited), purge, delete, hostile input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from palava.actors.models import RecordSensitivity
from palava.audit.models import AuditEvent
from palava.context import dossier_services as services
from palava.context.models import Dossier, DossierKind, EntryStatus, KnowledgeEntry, Topic
from palava.context.tasks import context_dossier_generate, context_dossiers_purge
from palava.core.models import Job, JobStatus
from palava.core.scheduler import registered_jobs
from palava.missions.models import Membership, Mission, Role
from palava.missions.services import membership_set
from palava.places.models import AdminUnit, Site
from palava.places.services import membership_scope_set
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory, SiteFactory

pytestmark = pytest.mark.django_db

CapturedCallbacks = Callable[..., Any]


@dataclass
class World:
    mission: Mission
    province: AdminUnit
    territory: AdminUnit
    other: AdminUnit
    site: Site


@pytest.fixture
def world(mission: Mission) -> World:
    province = AdminUnitFactory(mission=mission, pcode="TQ01", name="Province Amani")
    territory = AdminUnitFactory(parent=province, pcode="TQ0101", name="Territoire Kivu")
    other = AdminUnitFactory(mission=mission, pcode="TQ02", name="Province Lointaine")
    site = SiteFactory(admin_unit=territory, code="TQS001", name="Village Umoja")
    return World(mission, province, territory, other, site)


def _entry(world: World, title: str, sensitivity: int) -> KnowledgeEntry:
    return KnowledgeEntry.objects.create(
        mission=world.mission,
        admin_unit=world.province,
        topic=Topic.CUSTOMS,
        title=title,
        body=f"{title} body text.",
        language="en",
        sensitivity=sensitivity,
        source="liaison notes",
        status=EntryStatus.REVIEWED,
        reviewed_at=timezone.now(),
    )


def _request(member: Membership, places: list[str], kind: str = "place", **kw: Any) -> Dossier:
    return services.dossier_request(
        actor=member.user,
        membership=member,
        kind=kind,
        places=places,
        language=kw.pop("language", "en"),
    )


def _actions(dossier: Dossier) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(dossier.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


def _cheap_pdf(html: bytes) -> bytes:
    """Stands in for WeasyPrint where a test is about the job, not the layout."""
    return b"%PDF-1.7\n1 0 obj\n<</Type /Pages/Kids [2 0 R]/Count 1>>\nendobj\n%%EOF\n"


# --- End to end ------------------------------------------------------------------------------


def test_request_run_download_end_to_end(
    world: World, django_capture_on_commit_callbacks: CapturedCallbacks
) -> None:
    # given an officer and a confidential entry about the province
    officer = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    _entry(world, "Greeting the mwami", RecordSensitivity.CONFIDENTIAL)
    # when they ask for a dossier and the task runs once the request commits
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _request(officer, [" TQ01 "])
    dossier.refresh_from_db()
    job = dossier.job
    assert job is not None
    # then the job succeeded and both files are stored with their sizes and page count
    assert job.kind == services.JOB_KIND
    assert job.params == {"dossier": str(dossier.public_id)}
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.percent == 100
    assert dossier.places == ["TQ01"]
    assert dossier.title == "Province Amani"
    assert dossier.clearance == RecordSensitivity.CONFIDENTIAL
    html, pdf = bytes(dossier.html), bytes(dossier.pdf)
    assert html.lower().startswith(b"<!doctype html")
    assert pdf.startswith(b"%PDF")
    assert (dossier.html_bytes, dossier.pdf_bytes) == (len(html), len(pdf))
    assert dossier.pdf_pages >= 1
    assert b"Province Amani" in html
    assert b"Greeting the mwami" in html
    assert dossier.expires_at > timezone.now() + dt.timedelta(days=29)
    # and the reader downloads both files, each download audited with its size only
    got_html = services.dossier_download(
        actor=officer.user, membership=officer, dossier=dossier, fmt="html"
    )
    got_pdf = services.dossier_download(
        actor=officer.user, membership=officer, dossier=dossier, fmt="pdf"
    )
    assert (got_html, got_pdf) == (html, pdf)
    assert _actions(dossier) == [
        "dossier.request",
        "dossier.generate",
        "dossier.download",
        "dossier.download",
    ]
    downloads = AuditEvent.objects.filter(
        object_id=str(dossier.public_id), action="dossier.download"
    ).order_by("id")
    assert [e.changes for e in downloads] == [
        {"html_bytes": len(html)},
        {"pdf_bytes": len(pdf)},
    ]
    assert all(e.actor_id == officer.user.pk for e in downloads)


def test_route_dossier_keeps_the_stops_in_order(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "render_pdf", _cheap_pdf)
    member = MembershipFactory(mission=world.mission, role=Role.LIAISON)
    dossier = _request(member, ["TQS001", "TQ02", "TQ0101"], kind=DossierKind.ROUTE)
    assert dossier.places == ["TQS001", "TQ02", "TQ0101"]
    assert dossier.title == "Village Umoja → Province Lointaine → Territoire Kivu"
    assert dossier.job is not None
    result = context_dossier_generate.call(str(dossier.job.public_id))
    assert result == {"status": JobStatus.SUCCEEDED}
    dossier.refresh_from_db()
    assert dossier.pdf_pages == 1
    html = bytes(dossier.html)
    assert html.index(b"Village Umoja") < html.index(b"Province Lointaine")
    # a second run of the same job does nothing
    assert context_dossier_generate.call(str(dossier.job.public_id))["skipped"] is True


# --- The reader is re-read when the job runs ---------------------------------------------


def test_the_job_uses_the_readers_clearance_at_run_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a manager who asked for a dossier, with a strictly confidential entry around
    monkeypatch.setattr(services, "render_pdf", _cheap_pdf)
    manager = MembershipFactory(mission=world.mission, role=Role.MANAGER)
    _entry(world, "Marker strictly secret", RecordSensitivity.STRICTLY_CONFIDENTIAL)
    _entry(world, "Marker internal", RecordSensitivity.INTERNAL)
    dossier = _request(manager, ["TQ01"])
    assert dossier.clearance == RecordSensitivity.STRICTLY_CONFIDENTIAL
    # when the manager becomes a viewer before the job runs
    membership_set(actor=None, mission=world.mission, user=manager.user, role=Role.VIEWER)
    assert dossier.job is not None
    job = services.dossier_job_run(job=dossier.job)
    # then the dossier is filtered for a viewer
    assert job.status == JobStatus.SUCCEEDED
    dossier.refresh_from_db()
    assert dossier.clearance == RecordSensitivity.INTERNAL
    assert b"Marker internal" in bytes(dossier.html)
    assert b"Marker strictly secret" not in bytes(dossier.html)


def test_an_inactive_reader_gets_no_dossier(world: World) -> None:
    member = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    dossier = _request(member, ["TQ01"])
    membership_set(
        actor=None, mission=world.mission, user=member.user, role=Role.OFFICER, is_active=False
    )
    assert dossier.job is not None
    job = services.dossier_job_run(job=dossier.job)
    assert job.status == JobStatus.FAILED
    assert "no longer an active member" in job.message
    dossier.refresh_from_db()
    assert dossier.html_bytes == 0
    assert bytes(dossier.html) == b""


def test_a_place_that_left_the_readers_area_fails_the_job(world: World) -> None:
    member = MembershipFactory(mission=world.mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=member, units=[world.province])
    dossier = _request(member, ["TQ0101"])
    membership_scope_set(actor=None, membership=member, units=[world.other])
    assert dossier.job is not None
    job = services.dossier_job_run(job=dossier.job)
    assert job.status == JobStatus.FAILED
    assert "no longer in the reader's area" in job.message


def test_a_failure_tells_the_reader_without_details(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("Traceback: secret internals at /srv/palava")

    monkeypatch.setattr(services, "dossier_content", broken)
    member = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    dossier = _request(member, ["TQ01"])
    assert dossier.job is not None
    job = services.dossier_job_run(job=dossier.job)
    assert job.status == JobStatus.FAILED
    assert job.message == "The dossier could not be generated. Try again later."
    assert "secret" not in job.message
    assert "Traceback" not in job.message
    assert "dossier.generate" not in _actions(dossier)


def test_a_dossier_deleted_before_its_job_runs(world: World) -> None:
    member = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    dossier = _request(member, ["TQ01"])
    job = dossier.job
    assert job is not None
    services.dossier_delete(actor=member.user, membership=member, dossier=dossier)
    assert services.dossier_job_run(job=job).status == JobStatus.FAILED
    assert not Dossier.objects.filter(pk=dossier.pk).exists()
    assert Job.objects.filter(pk=job.pk).exists()


# --- Hostile requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "places", "language", "field"),
    [
        ("route", [f"TQS{n:03d}" for n in range(26)], "en", "places"),
        ("route", ["TQ01"], "en", "places"),
        ("route", ["TQ01", "TQ0101", "TQ01"], "en", "places"),
        ("place", ["TQ01", "TQ02"], "en", "places"),
        ("place", [], "en", "places"),
        ("place", ["   "], "en", "places"),
        ("place", ["TQ01"], "de", "language"),
        ("place", ["TQ01"], "<script>", "language"),
        ("place", ["TQ01"], "", "language"),
        ("tour", ["TQ01"], "en", "kind"),
        ("place", ["<script>alert(1)</script>"], "en", "places"),
        ("place", ["\u202eTQ01"], "en", "places"),
        ("place", ["TQ01\u202e"], "en", "places"),
        ("place", ["T" * 61], "en", "places"),
        ("place", [17], "en", "places"),
        ("place", "TQ01", "en", "places"),
        ("place", ["FOREIGN01"], "en", "places"),
        ("place", ["NOPE99"], "en", "places"),
    ],
)
def test_hostile_requests_are_refused(
    world: World, kind: str, places: Any, language: str, field: str
) -> None:
    # given a unit of another mission
    AdminUnitFactory(mission=MissionFactory(), pcode="FOREIGN01")
    member = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    with pytest.raises(ValidationError) as caught:
        services.dossier_request(
            actor=member.user, membership=member, kind=kind, places=places, language=language
        )
    assert field in caught.value.message_dict
    assert not Dossier.objects.exists()
    assert not Job.objects.filter(kind=services.JOB_KIND).exists()


def test_a_place_outside_the_members_area_is_unknown_like_a_missing_one(world: World) -> None:
    member = MembershipFactory(mission=world.mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=member, units=[world.territory])
    messages = []
    for code in ("TQ02", "MISSING1"):
        with pytest.raises(ValidationError) as caught:
            _request(member, [code])
        messages.append(caught.value.message_dict["places"][0].replace(code, "<code>"))
    assert messages[0] == messages[1]
    # a route through the member's own places is fine; through the other province it is not
    assert _request(member, ["TQ0101", "TQS001"], kind="route").places == ["TQ0101", "TQS001"]
    with pytest.raises(ValidationError):
        _request(member, ["TQ0101", "TQ02"], kind="route")


def test_a_route_of_25_stops_is_accepted(world: World) -> None:
    codes = [SiteFactory(admin_unit=world.territory, code=f"TR{n:03d}").code for n in range(25)]
    member = MembershipFactory(mission=world.mission, role=Role.VIEWER)
    dossier = _request(member, codes, kind="route", language="ar")
    assert dossier.places == codes
    assert dossier.language == "ar"
    assert len(dossier.title) <= services.TITLE_MAX


def test_at_most_three_dossiers_wait_at_once(world: World) -> None:
    member = MembershipFactory(mission=world.mission, role=Role.PARTNER)
    for _ in range(services.MAX_PENDING_PER_READER):
        _request(member, ["TQ01"])
    with pytest.raises(ValidationError):
        _request(member, ["TQ01"])
    # another member is not held back
    assert _request(MembershipFactory(mission=world.mission, role=Role.PARTNER), ["TQ01"])


def test_a_retired_place_cannot_be_chosen(world: World) -> None:
    world.other.retired_at = timezone.now()
    world.other.save()
    member = MembershipFactory(mission=world.mission, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        _request(member, ["TQ02"])


# --- Only the reader -------------------------------------------------------------------------


def _ready(world: World, member: Membership) -> Dossier:
    dossier = _request(member, ["TQ01"])
    html, pdf = b"<!doctype html><p>ok</p>", _cheap_pdf(b"")
    Dossier.objects.filter(pk=dossier.pk).update(
        html=html, pdf=pdf, html_bytes=len(html), pdf_bytes=len(pdf), pdf_pages=1
    )
    assert dossier.job is not None
    Job.objects.filter(pk=dossier.job.pk).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now()
    )
    found = services.dossier_get(membership=member, public_id=dossier.public_id)
    assert found is not None
    return found


def test_only_the_reader_sees_and_downloads_a_dossier(world: World) -> None:
    reader = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    dossier = _ready(world, reader)
    colleague = MembershipFactory(mission=world.mission, role=Role.ADMIN)
    outsider = MembershipFactory(role=Role.ADMIN)
    for other in (colleague, outsider):
        assert services.dossier_get(membership=other, public_id=dossier.public_id) is None
        assert not services.dossier_list(membership=other).exists()
        with pytest.raises(PermissionDenied):
            services.dossier_download(
                actor=other.user, membership=other, dossier=dossier, fmt="html"
            )
        with pytest.raises(PermissionDenied):
            services.dossier_delete(actor=other.user, membership=other, dossier=dossier)
    assert services.dossier_get(membership=reader, public_id="not-a-uuid") is None
    assert list(services.dossier_list(membership=reader)) == [dossier]
    assert "dossier.download" not in _actions(dossier)


def test_a_reader_whose_clearance_dropped_cannot_download(world: World) -> None:
    reader = MembershipFactory(mission=world.mission, role=Role.MANAGER)
    dossier = _ready(world, reader)
    viewer = membership_set(actor=None, mission=world.mission, user=reader.user, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.dossier_download(actor=viewer.user, membership=viewer, dossier=dossier, fmt="pdf")


def test_a_dossier_not_ready_or_a_bad_format_is_refused(world: World) -> None:
    reader = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    pending = _request(reader, ["TQ01"])
    with pytest.raises(ValidationError):
        services.dossier_download(actor=reader.user, membership=reader, dossier=pending, fmt="pdf")
    ready = _ready(world, reader)
    with pytest.raises(ValidationError):
        services.dossier_download(actor=reader.user, membership=reader, dossier=ready, fmt="exe")
    assert "dossier.download" not in _actions(ready) + _actions(pending)


def test_delete_is_audited(world: World) -> None:
    reader = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    dossier = _ready(world, reader)
    services.dossier_delete(actor=reader.user, membership=reader, dossier=dossier)
    assert not Dossier.objects.filter(pk=dossier.pk).exists()
    assert _actions(dossier)[-1] == "dossier.delete"


# --- Purge -----------------------------------------------------------------------------------


def test_purge_deletes_expired_dossiers_only(world: World) -> None:
    reader = MembershipFactory(mission=world.mission, role=Role.OFFICER)
    old, fresh = _ready(world, reader), _ready(world, reader)
    now = timezone.now()
    Dossier.objects.filter(pk=old.pk).update(expires_at=now - dt.timedelta(minutes=1))
    # an expired dossier is gone for its reader even before the purge runs
    assert services.dossier_get(membership=reader, public_id=old.public_id) is None
    assert services.dossiers_purge(now=now) == 1
    assert list(Dossier.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert _actions(old)[-1] == "dossier.purge"
    # the periodic task purges what expired since
    Dossier.objects.filter(pk=fresh.pk).update(expires_at=now - dt.timedelta(seconds=1))
    assert context_dossiers_purge.call() == {"deleted": 1}
    assert not Dossier.objects.exists()
    assert services.dossiers_purge(now=now) == 0


def test_the_purge_is_a_registered_periodic_job() -> None:
    assert "context.purge_dossiers" in registered_jobs()


# --- PDF page count --------------------------------------------------------------------------


def test_pdf_page_count_reads_weasyprint_output() -> None:
    import weasyprint  # type: ignore[import-untyped]

    pages = "".join(f'<p class="p">page {n}</p>' for n in range(3))
    css = weasyprint.CSS(string=".p { break-before: page; }")
    pdf = weasyprint.HTML(string=pages).write_pdf(stylesheets=[css])
    assert services.pdf_page_count(pdf) == 3
    assert services.pdf_page_count(_cheap_pdf(b"")) == 1
    assert services.pdf_page_count(b"not a pdf") == 0
