"""The shared layout, home page, mission switcher, language switcher and error pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from pytest_django import DjangoAssertNumQueries

from palava.core.views import server_error
from palava.missions.models import Membership, Mission, Role
from tests.factories import MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[object], Client]


def assert_security_headers(response: HttpResponseBase) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'self'" in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_home_shows_friendly_empty_state_to_user_without_mission(client_for: ClientFor) -> None:
    # given a user who belongs to no mission
    user = UserFactory()
    # when they open the home page
    response = client_for(user).get("/")
    # then they are told what to do, and the page carries the security headers
    assert response.status_code == 200
    assert "You are not a member of any mission yet." in response.content.decode()
    assert_security_headers(response)


def test_home_lists_missions_with_role(client_for: ClientFor) -> None:
    # given a user in two missions with different roles, and a mission they are not in
    user = UserFactory()
    MembershipFactory(user=user, mission=MissionFactory(name="Kivu Nord"), role=Role.MANAGER)
    MembershipFactory(user=user, mission=MissionFactory(name="Bangui"), role=Role.LIAISON)
    MissionFactory(name="Secret Mission")
    # when they open the home page
    body = client_for(user).get("/").content.decode()
    # then both their missions appear as cards with their role, and no other mission
    assert "Kivu Nord" in body
    assert "Bangui" in body
    assert "Manager" in body
    assert "Community liaison assistant" in body
    assert "Secret Mission" not in body


def test_home_redirects_user_with_exactly_one_mission(client_for: ClientFor) -> None:
    # given a user in exactly one mission
    membership: Membership = MembershipFactory()
    # when they open the home page
    response = client_for(membership.user).get("/")
    # then they land on that mission's overview
    assert response.status_code == 302
    assert response["Location"] == f"/m/{membership.mission.slug}/"


def test_home_sends_anonymous_visitor_to_log_in(client: Client) -> None:
    # when an anonymous visitor opens the home page
    response = client.get("/")
    # then they are asked to log in
    assert response.status_code == 302
    assert "next=/" in response["Location"]


def test_mission_switcher_redirects_to_chosen_mission(client_for: ClientFor) -> None:
    # given a user in two missions
    user = UserFactory()
    MembershipFactory(user=user)
    other: Mission = MissionFactory()
    MembershipFactory(user=user, mission=other)
    # when they pick the second one in the switcher (a plain GET form)
    response = client_for(user).get("/switch/", {"mission": other.slug})
    # then they go to its overview
    assert response.status_code == 302
    assert response["Location"] == f"/m/{other.slug}/"


@pytest.mark.parametrize("value", ["../admin", "https://evil.example/", "a b"])
def test_mission_switcher_refuses_values_that_are_not_slugs(
    client_for: ClientFor, value: str
) -> None:
    # when the switcher gets something that is not a mission slug
    response = client_for(UserFactory()).get("/switch/", {"mission": value})
    # then it answers 404 instead of redirecting anywhere
    assert response.status_code == 404


def test_layout_lists_only_own_missions_in_switcher(
    client_for: ClientFor, member_of: Callable[..., Membership], mission: Mission
) -> None:
    # given a manager of one mission and another mission they are not in
    membership = member_of(Role.MANAGER)
    MissionFactory(name="Elsewhere Operation")
    # when they open their mission
    body = client_for(membership.user).get(f"/m/{mission.slug}/").content.decode()
    # then the switcher offers their mission and not the other one
    assert f'<option value="{mission.slug}"' in body
    assert "Elsewhere Operation" not in body


def test_language_switch_to_arabic_gives_right_to_left_page(client_for: ClientFor) -> None:
    # given a logged-in user
    client = client_for(UserFactory())
    # when they choose Arabic through the real language switcher
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    # then the page is Arabic and right-to-left
    body = page.content.decode()
    assert re.search(r'<html lang="ar"\s+dir="rtl">', body)
    assert "لست عضوا في أي بعثة بعد" in body


def test_language_switch_to_french_translates_page(client_for: ClientFor) -> None:
    client = client_for(UserFactory())
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    body = client.get("/").content.decode()
    assert re.search(r'<html lang="fr"\s+dir="ltr">', body)
    assert "Vos missions" in body


def test_layout_has_no_inline_script_or_style(client_for: ClientFor) -> None:
    # given a page with the full layout
    body = client_for(UserFactory()).get("/").content.decode()
    # then every script is an external, deferred file and there is no inline style or handler
    assert "<script>" not in body
    assert "<style" not in body
    assert ' style="' not in body
    assert " onclick=" not in body
    assert 'src="/static/vendor/htmx/htmx.min.js" defer' in body
    assert 'src="/static/js/palava.js" defer' in body


def test_vendored_assets_are_served_from_own_origin(client: Client) -> None:
    for path in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/vendor/leaflet/images/marker-icon.png",
        "/static/css/palava.css",
        "/static/js/palava.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_404_page_is_friendly_translated_and_has_security_headers(
    client_for: ClientFor,
) -> None:
    client = client_for(UserFactory())
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert_security_headers(response)


def test_csrf_failure_gets_friendly_403(client_for: ClientFor) -> None:
    # given a client that enforces CSRF checks like a browser
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    # when a form is posted without its token
    response = client.post("/i18n/setlang/", {"language": "fr"})
    # then a friendly page explains what happened
    assert response.status_code == 403
    assert "The form had expired" in response.content.decode()
    assert_security_headers(response)


def test_500_page_has_security_headers_and_friendly_text(settings: Any) -> None:
    # given a URL whose view crashes
    settings.ROOT_URLCONF = "tests.core.urls_crash"
    client = Client(raise_request_exception=False)
    # when it is requested
    response = client.get("/crash/")
    # then the visitor sees the friendly error page with the usual headers
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert_security_headers(response)


def test_500_handler_touches_neither_database_nor_user(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # given a request whose user cannot be loaded (as when the database is down)
    def broken_user() -> object:
        raise AssertionError("the 500 handler must not load the user")

    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(broken_user)  # type: ignore[assignment]
    # when the 500 handler renders, in French
    with translation.override("fr"), django_assert_num_queries(0):
        response = server_error(request)
    # then it answers 500 with the translated page and no database query
    assert response.status_code == 500
    assert "Une erreur est survenue de notre côté" in response.content.decode()
