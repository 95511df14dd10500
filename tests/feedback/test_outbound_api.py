"""Outbound API: the log (no number, no text), retrying a dead letter, reply templates."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.feedback.models import OutboundStatus
from palava.missions.models import Membership, Mission, Role
from tests.feedback.helpers_inbox import member_in
from tests.feedback.helpers_outbound import PHONE, dead_letter, fresh

pytestmark = pytest.mark.django_db


def _api(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_list_and_retry(mission: Mission, settings: Any) -> None:
    settings.PALAVA_OUTBOUND_TIMEOUT = 0.5
    settings.PALAVA_PUBLIC_URL = "http://testserver"
    row = dead_letter(mission)
    api = _api(member_in(mission, Role.MANAGER))
    base = f"/api/v1/missions/{mission.slug}/outbound"
    response = api.get(base + "?status=dead")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == str(row.public_id)
    assert item["last_error"] == "HTTP 400"
    assert PHONE not in response.content.decode()
    assert "body" not in item
    assert api.get(base + "?status=sent").json()["count"] == 0

    assert api.post(f"{base}/{row.public_id}/retry").status_code == 200
    assert fresh(row).status in (OutboundStatus.QUEUED, OutboundStatus.RETRYING)
    again = api.post(f"{base}/{row.public_id}/retry")
    assert again.status_code == 422
    assert "detail" in again.json()
    assert api.post(f"{base}/not-a-uuid/retry").status_code == 404


def test_templates(mission: Mission) -> None:
    api = _api(member_in(mission, Role.MANAGER))
    base = f"/api/v1/missions/{mission.slug}/reply-templates"
    created = api.post(
        base,
        {"code": "seen", "name": "Seen", "texts": {"fr": "Reçu : {reference}"}},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["texts"] == {"fr": "Reçu : {reference}"}
    duplicate = api.post(
        base,
        {"code": "seen", "name": "Seen", "texts": {"fr": "x"}},
        content_type="application/json",
    )
    assert duplicate.status_code == 422
    listed = api.get(base).json()
    assert [t["code"] for t in listed] == ["seen"]
    viewer = _api(member_in(mission, Role.VIEWER))
    assert (
        viewer.post(
            base, {"code": "x", "name": "x", "texts": {"en": "x"}}, content_type="application/json"
        ).status_code
        == 403
    )
