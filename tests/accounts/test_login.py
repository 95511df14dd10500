"""Log-in and log-out pages, with their audit rows."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from palava.audit.models import AuditEvent
from tests.accounts.conftest import enrol
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_login_page_renders_a_form_with_username_and_password() -> None:
    # when
    response = Client().get(LOGIN)

    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="login-form"' in body
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert reverse("accounts:login") == LOGIN


def test_right_password_logs_in_goes_home_and_is_audited() -> None:
    # given
    user = UserFactory(username="amani")
    client = Client()

    # when
    response = client.post(LOGIN, {"username": "amani", "password": PASSWORD})

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.filter(action="user.login").get()
    assert event.actor == user


def test_wrong_password_is_refused_and_audited_without_the_password() -> None:
    # given
    UserFactory(username="amani")
    client = Client()

    # when
    response = client.post(LOGIN, {"username": "amani", "password": "Secret-guess-123"})

    # then
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "The username or password is wrong" in response.content.decode()
    event = AuditEvent.objects.filter(action="user.login_failed").get()
    assert event.actor is None
    assert event.changes == {"username": "amani"}
    assert "Secret-guess-123" not in str(AuditEvent.objects.values_list("changes", flat=True))
    assert AuditEvent.objects.filter(action="user.login").count() == 0


def test_failed_login_for_an_unknown_username_redacts_what_was_typed() -> None:
    # given: people type their password into the username box
    client = Client()

    # when
    client.post(LOGIN, {"username": "Secret-guess-123", "password": "x"})

    # then
    event = AuditEvent.objects.filter(action="user.login_failed").get()
    assert event.changes == {"username": "[redacted]"}


def test_each_failure_is_audited_once() -> None:
    # given: axes and the audit both listen to the same signal
    UserFactory(username="amani")
    client = Client()

    # when
    for _ in range(3):
        client.post(LOGIN, {"username": "amani", "password": "wrong-password-1"})

    # then
    assert AuditEvent.objects.filter(action="user.login_failed").count() == 3


def test_over_long_username_is_refused_without_crashing() -> None:
    # when
    response = Client().post(LOGIN, {"username": "a" * 10_000, "password": "x"})

    # then
    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.com/phish",
        "//evil.example.com/phish",
        "http://evil.example.com",
        "javascript:alert(1)",
        "https:///evil.example.com",
    ],
)
def test_next_pointing_to_another_host_is_not_followed(next_url: str) -> None:
    # given
    UserFactory(username="amani")

    # when
    response = Client().post(
        f"{LOGIN}?next={next_url}", {"username": "amani", "password": PASSWORD, "next": next_url}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_next_on_this_site_is_followed() -> None:
    # given
    UserFactory(username="amani")

    # when
    response = Client().post(
        LOGIN, {"username": "amani", "password": PASSWORD, "next": "/m/kivu/members/"}
    )

    # then
    assert response["Location"] == "/m/kivu/members/"


def test_login_activates_the_users_preferred_language() -> None:
    # given
    UserFactory(username="fatima", preferred_language="ar")
    client = Client()

    # when
    response = client.post(LOGIN, {"username": "fatima", "password": PASSWORD}, follow=True)

    # then
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert 'lang="ar"' in response.content.decode()
    assert 'dir="rtl"' in response.content.decode()


def test_user_with_two_factor_is_sent_to_the_code_step_after_the_password() -> None:
    # given
    enrolled = enrol(UserFactory(username="amani"))

    # when
    response = Client().post(LOGIN, {"username": "amani", "password": PASSWORD, "next": "/m/kivu/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Fm%2Fkivu%2F"
    assert enrolled.user.is_authenticated


def test_logout_is_post_only_and_audited() -> None:
    # given
    user = UserFactory()
    client = Client()
    client.force_login(user)

    # when a GET is tried
    refused = client.get("/accounts/logout/")

    # then it does nothing
    assert refused.status_code == 405
    assert "_auth_user_id" in client.session

    # when the form posts
    response = client.post("/accounts/logout/")

    # then
    assert response.status_code == 200
    assert "You are logged out" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="user.logout", actor=user).count() == 1


def test_an_enormous_password_is_refused_before_hashing() -> None:
    # given
    UserFactory(username="amani")

    # when
    response = Client().post(LOGIN, {"username": "amani", "password": "p" * 100_000})

    # then
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="user.login_failed").count() == 0
