"""The API tokens pages inside a mission: list, create (raw value shown once), revoke."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from palava.accounts.models import TOKEN_PREFIX, ApiToken, token_digest
from palava.accounts.tokens import token_authenticate, token_create
from palava.missions.models import Membership, Role
from tests.factories import MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _tokens_url(mission_slug: str) -> str:
    return reverse("accounts:tokens", kwargs={"mission_slug": mission_slug})


def _member(role: str = Role.OFFICER, slug: str = "kivu") -> Membership:
    mission = MissionFactory(slug=slug) if slug else MissionFactory()
    return MembershipFactory(mission=mission, role=role)


def _client(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def _raw_token(response: Any) -> str:
    match = re.search(r'value="(pvk_[0-9a-f]{8}_[A-Za-z0-9_-]+)"', response.content.decode())
    assert match is not None
    return match.group(1)


def test_tokens_page_lives_under_the_mission() -> None:
    # then
    assert _tokens_url("kivu") == "/m/kivu/tokens/"


def test_the_page_lists_only_my_own_tokens_in_this_mission() -> None:
    # given
    me = _member()
    colleague = MembershipFactory(mission=me.mission, role=Role.OFFICER)
    elsewhere = MembershipFactory(user=me.user, mission=MissionFactory(), role=Role.OFFICER)
    token_create(actor=me.user, user=me.user, mission=me.mission, name="my export script")
    token_create(actor=colleague.user, user=colleague.user, mission=me.mission, name="theirs")
    token_create(actor=me.user, user=me.user, mission=elsewhere.mission, name="other mission")

    # when
    response = _client(me).get(_tokens_url("kivu"))

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "my export script" in body
    assert "theirs" not in body
    assert "other mission" not in body


def test_creating_a_token_shows_the_raw_value_once_and_never_stores_it() -> None:
    # given
    me = _member()
    client = _client(me)

    # when
    response = client.post(_tokens_url("kivu"), {"name": "weekly export", "days": "30"})

    # then the raw token is in this response only, which no cache may keep
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    raw = _raw_token(response)
    token = ApiToken.objects.get(user=me.user)
    assert token.digest == token_digest(raw)
    assert raw not in token.digest
    assert token.name == "weekly export"
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    assert token_authenticate(raw) == token
    # and it is not shown again: neither in the list, nor in the session's messages
    listing = client.get(_tokens_url("kivu")).content.decode()
    assert raw not in listing
    assert f"{TOKEN_PREFIX}{token.prefix}_" in listing
    assert raw not in str(dict(client.session))


def test_a_token_is_created_with_90_days_by_default() -> None:
    # given
    me = _member()

    # when
    page = _client(me).get(_tokens_url("kivu"))

    # then
    assert 'name="days" value="90"' in page.content.decode()


@pytest.mark.parametrize("days", ["0", "-1", "366", "10000", "abc", ""])
def test_impossible_lifetimes_are_refused(days: str) -> None:
    # given
    me = _member()

    # when
    response = _client(me).post(_tokens_url("kivu"), {"name": "x", "days": days})

    # then
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "n" * 101])
def test_bad_names_are_refused(name: str) -> None:
    # given
    me = _member()

    # when
    response = _client(me).post(_tokens_url("kivu"), {"name": name, "days": "30"})

    # then
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_my_token_stops_it_working() -> None:
    # given
    me = _member()
    new = token_create(actor=me.user, user=me.user, mission=me.mission, name="old script")
    url = reverse(
        "accounts:token_revoke", kwargs={"mission_slug": "kivu", "public_id": new.token.public_id}
    )

    # when
    response = _client(me).post(url, follow=True)

    # then
    assert response.status_code == 200
    assert "is revoked" in response.content.decode()
    assert token_authenticate(new.raw) is None
    new.token.refresh_from_db()
    assert new.token.revoked_at is not None


def test_revoking_is_post_only() -> None:
    # given
    me = _member()
    new = token_create(actor=me.user, user=me.user, mission=me.mission, name="script")
    url = reverse(
        "accounts:token_revoke", kwargs={"mission_slug": "kivu", "public_id": new.token.public_id}
    )

    # when
    response = _client(me).get(url)

    # then
    assert response.status_code == 405
    assert token_authenticate(new.raw) is not None


def test_revoking_someone_elses_token_answers_404() -> None:
    # given a colleague's token in the same mission
    me = _member(role=Role.ADMIN)
    colleague = MembershipFactory(mission=me.mission, role=Role.OFFICER)
    theirs = token_create(
        actor=colleague.user, user=colleague.user, mission=me.mission, name="theirs"
    )
    url = reverse(
        "accounts:token_revoke",
        kwargs={"mission_slug": "kivu", "public_id": theirs.token.public_id},
    )

    # when
    response = _client(me).post(url)

    # then
    assert response.status_code == 404
    assert token_authenticate(theirs.raw) is not None


def test_revoking_my_token_through_another_missions_url_answers_404() -> None:
    # given my token in mission A, and my membership in mission B
    me = _member(slug="kivu")
    MembershipFactory(user=me.user, mission=MissionFactory(slug="ituri"), role=Role.OFFICER)
    mine = token_create(actor=me.user, user=me.user, mission=me.mission, name="mine")
    url = reverse(
        "accounts:token_revoke", kwargs={"mission_slug": "ituri", "public_id": mine.token.public_id}
    )

    # when
    response = _client(me).post(url)

    # then
    assert response.status_code == 404
    assert token_authenticate(mine.raw) is not None


def test_a_viewer_may_not_have_tokens() -> None:
    # given
    viewer = _member(role=Role.VIEWER)

    # when
    response = _client(viewer).post(_tokens_url("kivu"), {"name": "x", "days": "30"})

    # then
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_non_member_gets_404_and_an_anonymous_visitor_the_login_page() -> None:
    # given
    _member()
    outsider = _member(slug="ituri")

    # when
    response = _client(outsider).get(_tokens_url("kivu"))
    anonymous = Client().get(_tokens_url("kivu"))

    # then
    assert response.status_code == 404
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
