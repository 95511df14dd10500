"""django-axes locks a username out for 30 minutes after 5 failed log-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from palava.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _fail(client: Client, username: str, times: int) -> list[int]:
    return [
        client.post(LOGIN, {"username": username, "password": "wrong-password-1"}).status_code
        for _ in range(times)
    ]


def _travel_past_cool_off() -> None:
    """Move every recorded attempt 31 minutes into the past (axes compares attempt_time)."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - timedelta(minutes=31)
        )


def test_five_failures_lock_the_account_even_for_the_right_password() -> None:
    # given
    UserFactory(username="amani")
    client = Client()

    # when
    statuses = _fail(client, "amani", 5)
    response = client.post(LOGIN, {"username": "amani", "password": PASSWORD})

    # then the fifth failure already answers with the lock-out page
    assert statuses == [400, 400, 400, 400, 429]
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "This account is locked for 30 minutes" in response.content.decode()
    # and the refused right password is audited as a failure, not a log-in
    assert AuditEvent.objects.filter(action="user.login").count() == 0
    assert AuditEvent.objects.filter(action="user.login_failed").count() == 6


def test_four_failures_do_not_lock() -> None:
    # given
    UserFactory(username="amani")
    client = Client()
    _fail(client, "amani", 4)

    # when
    response = client.post(LOGIN, {"username": "amani", "password": PASSWORD})

    # then
    assert response.status_code == 302


def test_another_username_is_not_affected() -> None:
    # given: amani is locked out, from the same address
    UserFactory(username="amani")
    UserFactory(username="bintou")
    client = Client()
    _fail(client, "amani", 5)

    # when
    response = client.post(LOGIN, {"username": "bintou", "password": PASSWORD})

    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_after_the_cool_off_the_right_password_works_again() -> None:
    # given a locked account
    UserFactory(username="amani")
    client = Client()
    _fail(client, "amani", 5)
    assert client.post(LOGIN, {"username": "amani", "password": PASSWORD}).status_code == 429

    # when 31 minutes pass
    _travel_past_cool_off()
    response = client.post(LOGIN, {"username": "amani", "password": PASSWORD})

    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_twenty_nine_minutes_are_not_enough() -> None:
    # given a locked account
    UserFactory(username="amani")
    client = Client()
    _fail(client, "amani", 5)

    # when only 29 minutes pass
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - timedelta(minutes=29)
        )
    response = client.post(LOGIN, {"username": "amani", "password": PASSWORD})

    # then
    assert response.status_code == 429
