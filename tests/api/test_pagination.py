"""limit/offset pagination: bounds are enforced with a 422, pages slice a stable order."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from palava.missions.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("limit=-5", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("limit=ten", "limit"),
    ],
)
def test_out_of_range_pagination_is_refused(
    query: str,
    field: str,
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    # given a manager allowed to list members
    member = member_of(Role.MANAGER)
    # when they ask for an impossible page
    url = f"/api/v1/missions/{member.mission.slug}/members?{query}"
    response = api_client(token_for(member)).get(url)
    # then 422 naming the parameter
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [error["loc"] for error in detail] == [["query", field]]


def test_pages_slice_the_list_and_count_all(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    # given a mission with five members
    manager = member_of(Role.MANAGER)
    others = [member_of(Role.VIEWER) for _ in range(4)]
    usernames = sorted(m.user.username for m in [manager, *others])
    client = api_client(token_for(manager))
    url = f"/api/v1/missions/{manager.mission.slug}/members"
    # when they page through two at a time
    first = client.get(url, {"limit": 2}).json()
    last = client.get(url, {"limit": 2, "offset": 4}).json()
    beyond = client.get(url, {"limit": 2, "offset": 50}).json()
    # then each page is a slice of the ordered list and count is the total
    assert [item["username"] for item in first["items"]] == usernames[:2]
    assert first["count"] == 5
    assert set(first["items"][0]) == {"username", "role", "is_active", "member_since"}
    assert [item["username"] for item in last["items"]] == usernames[4:]
    assert beyond == {"items": [], "count": 5}


def test_largest_allowed_limit_is_accepted(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    member = member_of(Role.MANAGER)
    url = f"/api/v1/missions/{member.mission.slug}/members?limit=500"
    assert api_client(token_for(member)).get(url).status_code == 200
