"""Round pages through the test client: the list by series, creating (choose a form, fields
prefilled), the dashboard (progress by place within scope, flags linked to the submissions
list, enumerators, the daily chart), editing, quotas (CSV and grid), status, recomputing, and
who may do what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from palava.assessments import round_services
from palava.assessments.models import Round, RoundQuota
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Role
from palava.places.services import membership_scope_set
from tests.assessments.test_round_services import World
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def member(world: World, role: str = Role.MANAGER) -> Membership:
    membership: Membership = MembershipFactory(mission=world.mission, role=role)
    return membership


def client(membership: Membership) -> Client:
    c = Client()
    c.force_login(membership.user)
    return c


def base(world: World) -> str:
    return f"/m/{world.mission.slug}/rounds/"


def page(world: World, round: Round, suffix: str = "") -> str:
    return f"{base(world)}{round.public_id}/{suffix}"


def test_empty_list_offers_a_new_round(world: World) -> None:
    body = client(member(world)).get(base(world)).content.decode()

    assert "No rounds yet." in body
    assert f'href="{base(world)}new/"' in body


def test_list_groups_by_series_with_progress(world: World) -> None:
    round = world.round()
    round_services.round_set_quotas(actor=None, round=round, quotas=[(world.north, "", "", 4)])
    world.receive(place="XC01")
    round_services.round_create(
        actor=None,
        mission=world.mission,
        form=world.form,
        series="baseline",
        number=1,
        name="Baseline",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 1, 31),
    )

    body = client(member(world, Role.ANALYST)).get(base(world)).content.decode()

    assert body.index("baseline") < body.index("perception")
    assert re.search(r'<progress max="100"\s+value="25"', body)
    assert "Round 1" in body
    assert "New round" not in body  # analysts read, managers and officers run rounds


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_list_refused_without_form_view(world: World, role: str) -> None:
    assert client(member(world, role)).get(base(world)).status_code == 403


def test_new_round_chooses_a_form_then_prefills(world: World) -> None:
    manager = client(member(world))

    first = manager.get(f"{base(world)}new/").content.decode()
    second = manager.get(f"{base(world)}new/?form={world.form.public_id}").content.decode()

    assert f'value="{world.form.public_id}"' in first
    assert re.search(r'<option value="respondent/sex"[^>]*selected', second)
    assert re.search(r'<option value="place"[^>]*selected', second)
    assert 'value="percep"' in second  # the series suggested from the form id
    assert "No question of the indicator bank was found" in second


def test_new_round_with_an_unknown_form_is_refused(world: World) -> None:
    response = client(member(world)).get(f"{base(world)}new/?form=not-a-uuid")

    assert response.status_code == 400
    assert "This form is not known here." in response.content.decode()


def _round_post(world: World, **changes: str) -> dict[str, str]:
    data = {
        "form": str(world.form.public_id),
        "name": "March round",
        "series": "perception",
        "number": "1",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
        "place_field": "place",
        "sex_field": "respondent/sex",
        "age_field": "respondent/age",
        "group_field": "",
        "population_year": "",
        "min_duration_seconds": "300",
    }
    data.update(changes)
    return data


def test_create_a_round(world: World) -> None:
    early = world.receive(place="XC01")

    response = client(member(world)).post(f"{base(world)}new/", _round_post(world))

    round = Round.objects.get(mission=world.mission)
    assert response.status_code == 302
    assert response["Location"] == page(world, round)
    assert round.group_field == "respondent/group"  # a blank question takes the standard one
    early.refresh_from_db()
    assert early.round == round


def test_create_shows_errors(world: World) -> None:
    response = client(member(world)).post(
        f"{base(world)}new/", _round_post(world, ends_on="2026-02-01", sex_field="nope")
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "The round cannot end before it starts." in body
    assert not Round.objects.exists()


def test_create_refused_to_analysts(world: World) -> None:
    response = client(member(world, Role.ANALYST)).post(f"{base(world)}new/", _round_post(world))

    assert response.status_code == 403
    assert not Round.objects.exists()


def test_dashboard(world: World) -> None:
    round = world.round()
    round_services.round_set_quotas(
        actor=None,
        round=round,
        quotas=[(world.north, "f", "", 4), (world.south, "", "", 2)],
    )
    world.receive(place="XC01", minutes=1)
    world.receive(place="XC0101")

    body = client(member(world)).get(page(world, round)).content.decode()

    assert 'data-place="XC01"' in body
    assert 'data-place="XC02"' in body
    assert re.search(r'<progress max="100"\s+value="50"', body)
    assert "33 %" in body  # 2 of the 6 interviews wanted
    assert f"/submissions/?round={round.public_id}&amp;flag=short" in body
    assert 'class="chart chart-metrics chart-daily"' in body
    assert "Recompute quality flags" in body
    assert f"/estimates/{round.public_id}/" in body
    assert "<script" not in body.split("</header>")[-1]


def test_dashboard_of_a_scoped_member_shows_their_places(world: World) -> None:
    round = world.round()
    round_services.round_set_quotas(
        actor=None, round=round, quotas=[(world.north, "", "", 4), (world.south, "", "", 2)]
    )
    world.receive(place="XC01")
    world.receive(place="XC02")
    scoped = member(world, Role.ANALYST)
    membership_scope_set(actor=None, membership=scoped, units=[world.south])

    body = client(scoped).get(page(world, round)).content.decode()

    assert 'data-place="XC02"' in body
    assert 'data-place="XC01"' not in body
    assert 'data-metric="interviews">1<' in body
    assert "Figures for the places in your area only." in body
    assert "Recompute quality flags" not in body


def test_dashboard_empty_round(world: World) -> None:
    round = world.round()

    body = client(member(world, Role.ANALYST)).get(page(world, round)).content.decode()

    assert "No quotas yet." in body
    assert "No interviews in this round yet." in body


def test_dashboard_of_another_mission_is_404(world: World) -> None:
    round = world.round()
    other = World()

    response = client(member(other)).get(f"{base(other)}{round.public_id}/")

    assert response.status_code == 404


def test_edit(world: World) -> None:
    round = world.round()
    manager = client(member(world))

    assert manager.get(page(world, round, "edit/")).status_code == 200
    data = _round_post(world, name="Renamed", number=str(round.number))
    data.pop("form")
    response = manager.post(page(world, round, "edit/"), data)

    assert response.status_code == 302
    assert Round.objects.get(pk=round.pk).name == "Renamed"
    bad = manager.post(page(world, round, "edit/"), {**data, "starts_on": "2026-04-15"})
    assert bad.status_code == 400


def test_status_and_recompute(world: World) -> None:
    round = world.round()
    manager = client(member(world))

    assert manager.get(page(world, round, "status/")).status_code == 405
    manager.post(page(world, round, "status/"), {"status": "open"})
    manager.post(page(world, round, "status/"), {"status": "nonsense"})
    response = manager.post(page(world, round, "recompute/"))

    assert Round.objects.get(pk=round.pk).status == "open"
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="round.quality_recompute").count() == 1


@pytest.mark.parametrize("suffix", ["status/", "recompute/", "quotas/", "edit/"])
def test_managing_refused_to_analysts(world: World, suffix: str) -> None:
    round = world.round()

    response = client(member(world, Role.ANALYST)).post(page(world, round, suffix), {})

    assert response.status_code == 403


def test_quota_csv_upload(world: World) -> None:
    round = world.round()
    upload = SimpleUploadedFile(
        "q.csv", b"pcode,sex,age_band,target\nXC01,f,18-59,5\nXC02,,,3\n", "text/csv"
    )

    response = client(member(world)).post(
        page(world, round, "quotas/"), {"action": "csv", "file": upload}
    )

    assert response.status_code == 302
    assert RoundQuota.objects.filter(round=round).count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * (round_services.MAX_QUOTA_CSV_BYTES + 10), "The file is too large"),
        (b"pcode,sex,age_band,target\nZZ,,,1\n", "Unknown P-code"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
def test_quota_csv_upload_hostile(world: World, content: bytes, message: str) -> None:
    round = world.round()
    round_services.round_set_quotas(actor=None, round=round, quotas=[(world.north, "", "", 9)])
    upload = SimpleUploadedFile("q.csv", content, "text/csv")

    response = client(member(world)).post(
        page(world, round, "quotas/"), {"action": "csv", "file": upload}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(RoundQuota.objects.filter(round=round).values_list("target", flat=True)) == [9]


def test_quota_grid(world: World) -> None:
    round = world.round()
    manager = client(member(world))
    url = page(world, round, "quotas/?level=1&by=sex")

    body = manager.get(url).content.decode()
    response = manager.post(
        url,
        {
            "action": "grid",
            f"t_{world.north.pk}_f_any": "6",
            f"t_{world.north.pk}_m_any": "4",
            f"t_{world.south.pk}_f_any": "",
        },
    )

    assert f'name="t_{world.south.pk}_m_any"' in body
    assert response.status_code == 302
    assert sorted(
        RoundQuota.objects.filter(round=round).values_list("admin_unit__pcode", "sex", "target")
    ) == [("XC01", "f", 6), ("XC01", "m", 4)]
    bad = manager.post(url, {"action": "grid", f"t_{world.north.pk}_f_any": "-3"})
    assert bad.status_code == 400


def test_scoped_manager_keeps_other_places_quotas(world: World) -> None:
    round = world.round()
    round_services.round_set_quotas(actor=None, round=round, quotas=[(world.north, "", "", 9)])
    scoped = member(world, Role.OFFICER)
    membership_scope_set(actor=None, membership=scoped, units=[world.south])
    officer = client(scoped)

    outside = officer.post(
        page(world, round, "quotas/"),
        {
            "action": "csv",
            "file": SimpleUploadedFile("q.csv", b"pcode,sex,age_band,target\nXC01,,,1\n"),
        },
    )
    inside = officer.post(
        page(world, round, "quotas/"),
        {
            "action": "csv",
            "file": SimpleUploadedFile("q.csv", b"pcode,sex,age_band,target\nXC02,,,3\n"),
        },
    )

    assert outside.status_code == 400
    assert "outside your area" in outside.content.decode()
    assert inside.status_code == 302
    assert sorted(
        RoundQuota.objects.filter(round=round).values_list("admin_unit__pcode", "target")
    ) == [("XC01", 9), ("XC02", 3)]
