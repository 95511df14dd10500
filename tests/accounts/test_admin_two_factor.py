"""The Django admin is for operators and requires a verified two-factor session."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice

from palava.accounts.two_factor import totp_setup_confirm, totp_setup_start
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _superuser() -> object:
    user = UserFactory(username="operator")
    user.is_staff = True
    user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_admin_refuses_a_superuser_with_only_a_password() -> None:
    # given an operator logged in with a password only
    client = Client()
    client.force_login(_superuser())  # type: ignore[arg-type]
    # when they open the admin, then they are sent to the admin log-in (which asks for a code)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_accepts_a_superuser_after_a_second_factor() -> None:
    # given an operator who enrolled TOTP (the current code is spent by the enrolment)
    user = _superuser()
    device = totp_setup_start(actor=user, user=user)
    enrolment = totp_setup_confirm(actor=user, user=user, code=f"{totp(device.bin_key):06d}")
    assert enrolment is not None
    recovery = StaticDevice.objects.get(user=user)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "operator",
            "password": PASSWORD,
            "otp_device": recovery.persistent_id,
            "otp_token": enrolment.recovery_codes[0],
            "next": "/admin/",
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
