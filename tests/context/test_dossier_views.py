"""Briefing dossier pages: the list and its form, the progress page, downloads, deleting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.context import dossier_services as services
from palava.context.models import Dossier
from palava.core.models import Job, JobStatus
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set
from tests.factories import AdminUnitFactory, MembershipFactory, SiteFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Any], Client]


@pytest.fixture
def places(mission: Mission) -> dict[str, AdminUnit]:
    province = AdminUnitFactory(mission=mission, pcode="TV01", name="Province Baraka")
    territory = AdminUnitFactory(parent=province, pcode="TV0101", name="Territoire Fizi")
    other = AdminUnitFactory(mission=mission, pcode="TV02", name="Province Uvira")
    SiteFactory(admin_unit=territory, code="TVS001", name="Village Lusenda")
    return {"province": province, "territory": territory, "other": other}


def _u(name: str, mission: Mission, **kwargs: Any) -> str:
    return reverse(f"dossiers:{name}", kwargs={"mission_slug": mission.slug, **kwargs})


def _ready(member: Membership, code: str = "TV01") -> Dossier:
    dossier = services.dossier_request(
        actor=member.user, membership=member, kind="place", places=[code], language="en"
    )
    html, pdf = b"<!doctype html><p>Briefing marker</p>", b"%PDF-1.7\n%marker\n"
    Dossier.objects.filter(pk=dossier.pk).update(
        html=html, pdf=pdf, html_bytes=len(html), pdf_bytes=len(pdf), pdf_pages=2
    )
    assert dossier.job is not None
    Job.objects.filter(pk=dossier.job.pk).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now(), message="The dossier is ready."
    )
    return dossier


def test_the_list_shows_an_empty_state_and_the_form(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.VIEWER)
    response = client_for(member.user).get(_u("list", mission), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="dossier-form"' in page
    assert 'name="stops"' in page
    assert "js/dossier-form.js" in page
    # the language defaults to the reader's
    assert '<option value="fr" selected>' in page


def test_the_list_presets_a_place_from_the_query(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    url = _u("list", mission) + "?place=TV0101"
    page = client_for(member.user).get(url).content.decode()
    assert 'value="TV0101"' in page


def test_create_a_place_dossier_redirects_to_its_page(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.PARTNER)
    client = client_for(member.user)
    response = client.post(
        _u("create", mission), {"kind": "place", "place": "TV0101", "language": "fr"}
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _u("detail", mission, dossier_id=dossier.public_id)
    assert (dossier.places, dossier.language, dossier.created_by_id) == (
        ["TV0101"],
        "fr",
        member.user.pk,
    )
    # the page polls the progress while the job waits
    page = client.get(response["Location"]).content.decode()
    assert "Territoire Fizi" in page
    assert 'hx-get="' + _u("progress", mission, dossier_id=dossier.public_id) in page
    partial = client.get(_u("progress", mission, dossier_id=dossier.public_id))
    assert partial.status_code == 200
    assert b'<progress id="dossier-bar"' in partial.content
    assert b"<html" not in partial.content


def test_create_a_route_from_the_builder(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.LIAISON)
    response = client_for(member.user).post(
        _u("create", mission),
        {
            "kind": "route",
            "place": "ignored",
            "stops": ["TVS001", "", "TV02", " TV0101 "],
            "language": "en",
        },
    )
    assert response.status_code == 302
    assert Dossier.objects.get().places == ["TVS001", "TV02", "TV0101"]


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        ({"kind": "place", "place": "", "language": "en"}, "Choose a place."),
        ({"kind": "place", "place": "TV99", "language": "en"}, "Unknown place"),
        ({"kind": "place", "place": "<script>x</script>", "language": "en"}, "not a P-code"),
        ({"kind": "place", "place": "\u202eTV01", "language": "en"}, "not a P-code"),
        ({"kind": "place", "place": "TV01", "language": "xx"}, "Select a valid choice"),
        ({"kind": "tour", "place": "TV01", "language": "en"}, "Select a valid choice"),
        ({"kind": "route", "stops": ["TV01"], "language": "en"}, "between 2 and 25 stops"),
        (
            {"kind": "route", "stops": [f"TVS{n:03d}" for n in range(26)], "language": "en"},
            "between 2 and 25 stops",
        ),
        ({"kind": "route", "stops": ["TV01"] * 61, "language": "en"}, "Too many stops."),
        ({"kind": "route", "stops": ["TV01", "T" * 500], "language": "en"}, "at most 60"),
        ({"kind": "place", "place": "T" * 500, "language": "en"}, "at most 60"),
    ],
)
def test_bad_requests_re_render_the_form_with_400(
    mission: Mission, places: Any, client_for: ClientFor, data: dict[str, Any], shown: str
) -> None:
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    response = client_for(member.user).post(_u("create", mission), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert shown in page
    assert "<script>x</script>" not in page
    assert not Dossier.objects.exists()


def test_a_place_outside_the_area_is_refused_like_a_missing_one(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=member, units=[places["territory"]])
    client = client_for(member.user)
    outside = client.post(
        _u("create", mission), {"kind": "place", "place": "TV02", "language": "en"}
    )
    assert outside.status_code == 400
    assert b"Unknown place, or a place outside your area" in outside.content
    assert not Dossier.objects.exists()


def test_the_create_page_refuses_get(mission: Mission, places: Any, client_for: ClientFor) -> None:
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    assert client_for(member.user).get(_u("create", mission)).status_code == 405


def test_a_ready_dossier_offers_downloads_that_are_audited(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.ANALYST)
    dossier = _ready(member)
    client = client_for(member.user)
    listing = client.get(_u("list", mission)).content.decode()
    assert _u("html", mission, dossier_id=dossier.public_id) in listing
    detail = client.get(_u("detail", mission, dossier_id=dossier.public_id)).content.decode()
    assert "hx-trigger" not in detail  # finished: no more polling
    assert "2 pages" in detail
    html = client.get(_u("html", mission, dossier_id=dossier.public_id))
    assert html.status_code == 200
    assert html.content == b"<!doctype html><p>Briefing marker</p>"
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html["Content-Disposition"].startswith("attachment;")
    assert 'filename="dossier-province-baraka-' in html["Content-Disposition"]
    assert html["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in html["Cache-Control"]
    pdf = client.get(_u("pdf", mission, dossier_id=dossier.public_id))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        AuditEvent.objects.filter(
            action="dossier.download", object_id=str(dossier.public_id)
        ).count()
        == 2
    )


def test_another_member_gets_404_everywhere(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    dossier = _ready(MembershipFactory(mission=mission, role=Role.OFFICER))
    admin = client_for(MembershipFactory(mission=mission, role=Role.ADMIN).user)
    for name in ("detail", "progress", "html", "pdf"):
        assert admin.get(_u(name, mission, dossier_id=dossier.public_id)).status_code == 404
    assert admin.post(_u("delete", mission, dossier_id=dossier.public_id)).status_code == 404
    assert b"Briefing marker" not in admin.get(_u("list", mission)).content
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    assert not AuditEvent.objects.filter(action="dossier.download").exists()


def test_a_pending_dossier_cannot_be_downloaded_yet(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    dossier = services.dossier_request(
        actor=member.user, membership=member, kind="place", places=["TV01"], language="en"
    )
    client = client_for(member.user)
    assert client.get(_u("pdf", mission, dossier_id=dossier.public_id)).status_code == 404
    page = client.get(_u("detail", mission, dossier_id=dossier.public_id)).content.decode()
    assert "Download the PDF" not in page


def test_delete_removes_the_dossier(mission: Mission, places: Any, client_for: ClientFor) -> None:
    member = MembershipFactory(mission=mission, role=Role.VIEWER)
    dossier = _ready(member)
    client = client_for(member.user)
    assert client.get(_u("delete", mission, dossier_id=dossier.public_id)).status_code == 405
    response = client.post(_u("delete", mission, dossier_id=dossier.public_id))
    assert response.status_code == 302
    assert response["Location"] == _u("list", mission)
    assert not Dossier.objects.exists()


def test_place_options_only_suggest_places_in_the_area(
    mission: Mission, places: Any, client_for: ClientFor
) -> None:
    member = MembershipFactory(mission=mission, role=Role.PARTNER)
    membership_scope_set(actor=None, membership=member, units=[places["territory"]])
    client = client_for(member.user)
    found = client.get(_u("place_options", mission), {"q": "Province"}).content.decode()
    assert "TV02" not in found
    assert "TV01" not in found
    found = client.get(_u("place_options", mission), {"stops": "Lusenda"}).content.decode()
    assert 'value="TVS001"' in found
    assert client.get(_u("place_options", mission), {"q": "x" * 5000}).status_code == 200


def test_the_button_snippet_posts_a_place_dossier(mission: Mission, places: Any) -> None:
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    request = RequestFactory().get("/")
    request.user = member.user
    html = render_to_string(
        "context/dossiers/_button.html", {"mission": mission, "pcode": "TV01"}, request=request
    )
    assert f'action="{_u("create", mission)}"' in html
    assert 'name="place" value="TV01"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Briefing dossier" in html


def test_times_are_shown_in_the_missions_time_zone(
    mission: Mission, places: dict[str, AdminUnit], client_for: ClientFor
) -> None:
    # given a mission two hours east of UTC and a dossier asked for at 22:30 UTC on 5 January
    import datetime as dt

    Mission.objects.filter(pk=mission.pk).update(time_zone="Africa/Lubumbashi")
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    dossier = _ready(member)
    asked = dt.datetime(2026, 1, 5, 22, 30, tzinfo=dt.UTC)
    Dossier.objects.filter(pk=dossier.pk).update(created_at=asked)
    # when its page is read
    page = client_for(member.user).get(_u("detail", mission, dossier_id=dossier.public_id))
    # then the time is the mission's: already 6 January, half past midnight
    text = page.content.decode()
    assert "Jan. 6, 2026" in text
    assert "Jan. 5, 2026" not in text
