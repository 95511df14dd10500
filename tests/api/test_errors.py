"""Errors are always JSON {"detail": ...}; a crash never shows a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from palava.missions import api as missions_api
from palava.missions.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_unexpected_error_is_a_500_without_traceback(
    monkeypatch: pytest.MonkeyPatch,
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
    settings: object,
) -> None:
    # given a selector that crashes, even with DEBUG on
    settings.DEBUG = True  # type: ignore[attr-defined]

    def crash(**kwargs: object) -> None:
        raise RuntimeError("secret internals pvk_deadbeef")

    monkeypatch.setattr(missions_api, "mission_members", crash)
    manager = member_of(Role.MANAGER)
    # when the members are listed
    response = api_client(token_for(manager)).get(
        f"/api/v1/missions/{manager.mission.slug}/members"
    )
    # then a plain 500 with no internals
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert b"Traceback" not in response.content
    assert b"pvk_deadbeef" not in response.content


def test_unknown_mission_and_forbidden_are_json(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    viewer = member_of(Role.VIEWER)
    client = api_client(token_for(viewer))
    missing = client.get("/api/v1/missions/no-such-mission")
    forbidden = client.get(f"/api/v1/missions/{viewer.mission.slug}/members")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "Your role does not allow this."}


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/missions/x/nothing/else", "/api/v2/"])
def test_unknown_api_paths_answer_json_404(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}
