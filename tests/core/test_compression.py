"""Pages are compressed for clients that accept gzip (forward bases on slow links)."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pytest
from django.test import Client

from palava.missions.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_page_is_gzip_compressed_when_the_client_accepts_it(
    client_for: Callable[[object], Client],
) -> None:
    # given a member of a mission
    member = MembershipFactory(role=Role.VIEWER)
    member.mission.require_two_factor = False
    member.mission.save()
    client = client_for(member.user)
    url = f"/m/{member.mission.slug}/"
    # when the browser accepts gzip
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    # then the page comes compressed, varies on the header, and unpacks to the same page
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    page = gzip.decompress(response.content).decode()
    assert "<html" in page
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert len(response.content) < len(plain.content) / 2
