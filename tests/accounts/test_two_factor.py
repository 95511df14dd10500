"""Two-factor authentication: set-up, verification, recovery codes, throttling, turning it off."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from palava.accounts import two_factor as tf
from palava.audit.models import AuditEvent
from palava.missions.models import Role
from tests.accounts.conftest import Enrolled, enrol, totp_code, wrong_code
from tests.factories import PASSWORD, MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/accounts/two-factor/"


def _unthrottle(device: Any) -> None:
    """Time travel for django-otp: the last failure happened an hour ago."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )


# --- Set-up -----------------------------------------------------------------------------------


def test_setup_page_shows_a_server_built_svg_qr_code_and_the_secret() -> None:
    # given
    user = UserFactory(username="amani")
    client = Client()
    client.force_login(user)

    # when
    response = client.get(TWO_FACTOR)

    # then
    assert response.status_code == 200
    body = response.content.decode()
    match = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', body)
    assert match is not None
    svg = base64.b64decode(match.group(1)).decode()
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert "<path" in svg
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] in body
    assert secret.replace(" ", "") == body_secret(body)
    assert response["Cache-Control"] == "no-store"
    assert "<script>" not in body
    assert "style=" not in body


def body_secret(body: str) -> str:
    match = re.search(r'<code class="mono totp-secret">([A-Z2-7 ]+)</code>', body)
    assert match is not None
    return match.group(1).replace(" ", "")


def test_reloading_the_setup_page_keeps_the_same_secret() -> None:
    # given
    user = UserFactory()
    client = Client()
    client.force_login(user)

    # when
    first = body_secret(client.get(TWO_FACTOR).content.decode())
    second = body_secret(client.get(TWO_FACTOR).content.decode())

    # then
    assert first == second
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_wrong_setup_code_does_not_enable_two_factor() -> None:
    # given
    user = UserFactory()
    client = Client()
    client.force_login(user)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=user)

    # when
    response = client.post(TWO_FACTOR, {"code": wrong_code(device)})

    # then
    assert response.status_code == 400
    assert "This code is not valid" in response.content.decode()
    assert not tf.has_two_factor(user=user)
    assert AuditEvent.objects.filter(action="two_factor.setup_failed", actor=user).exists()


def test_a_right_setup_code_enables_it_and_shows_ten_recovery_codes_once() -> None:
    # given
    user = UserFactory()
    client = Client()
    client.force_login(user)
    client.get(f"{TWO_FACTOR}?next=/m/kivu/")
    device = TOTPDevice.objects.get(user=user)

    # when
    response = client.post(TWO_FACTOR, {"code": totp_code(device), "next": "/m/kivu/"})

    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", body)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == set(codes)
    assert 'href="/m/kivu/"' in body
    assert tf.has_two_factor(user=user)
    assert AuditEvent.objects.filter(action="two_factor.enable", actor=user).count() == 1
    # and the session is verified: the status page shows, not the code form
    status = client.get(TWO_FACTOR)
    assert "This session is verified" in status.content.decode()
    assert not re.findall(r"<li>([a-z2-7]{8})</li>", status.content.decode())


# --- Verification -----------------------------------------------------------------------------


def _logged_in(enrolled: Enrolled) -> Client:
    client = Client()
    client.force_login(enrolled.user)
    return client


def test_an_unverified_session_is_asked_for_a_code(enrolled: Enrolled) -> None:
    # when
    response = _logged_in(enrolled).get(TWO_FACTOR)

    # then
    assert response.status_code == 200
    assert "Confirm it is you" in response.content.decode()


def test_a_valid_code_verifies_the_session_and_goes_to_a_safe_next(enrolled: Enrolled) -> None:
    # given
    client = _logged_in(enrolled)

    # when
    response = client.post(
        TWO_FACTOR, {"code": totp_code(enrolled.device, 1), "next": "/m/kivu/members/"}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == "/m/kivu/members/"
    assert "This session is verified" in client.get(TWO_FACTOR).content.decode()
    assert AuditEvent.objects.filter(action="two_factor.verify", actor=enrolled.user).exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/", "//evil.example.com/x", "http:evil.example.com"]
)
def test_next_pointing_to_another_host_is_ignored(enrolled: Enrolled, next_url: str) -> None:
    # when
    response = _logged_in(enrolled).post(
        TWO_FACTOR, {"code": totp_code(enrolled.device, 1), "next": next_url}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_a_code_is_accepted_once_only(enrolled: Enrolled) -> None:
    # given a code already used by another session
    code = totp_code(enrolled.device, 1)
    assert _logged_in(enrolled).post(TWO_FACTOR, {"code": code}).status_code == 302

    # when it is replayed
    response = _logged_in(enrolled).post(TWO_FACTOR, {"code": code})

    # then
    assert response.status_code == 400


def test_wrong_codes_are_refused_and_throttled(enrolled: Enrolled) -> None:
    # given
    client = _logged_in(enrolled)
    bad = wrong_code(enrolled.device)

    # when a wrong code, then another at once, then the right code at once
    first = client.post(TWO_FACTOR, {"code": bad})
    second = client.post(TWO_FACTOR, {"code": bad})
    right = client.post(TWO_FACTOR, {"code": totp_code(enrolled.device, 1)})

    # then all are refused: the right one too, because of the throttle
    assert first.status_code == 400
    assert "This code is not valid" in first.content.decode()
    assert second.status_code == 400
    assert "Too many wrong codes" in second.content.decode()
    assert right.status_code == 400
    assert "Too many wrong codes" in right.content.decode()
    assert "This session is verified" not in client.get(TWO_FACTOR).content.decode()
    assert AuditEvent.objects.filter(action="two_factor.verify_failed").count() == 3

    # when the throttle delay has passed
    _unthrottle(enrolled.device)
    response = client.post(TWO_FACTOR, {"code": totp_code(enrolled.device, 1)})

    # then the right code works
    assert response.status_code == 302


def test_the_throttle_delay_doubles_with_each_failure(enrolled: Enrolled) -> None:
    # given three failures, each after the previous delay
    for _ in range(3):
        _unthrottle(enrolled.device)
        tf.two_factor_verify(actor=None, user=enrolled.user, code=wrong_code(enrolled.device))
    enrolled.device.refresh_from_db()

    # then
    assert enrolled.device.throttling_failure_count == 3
    allowed, info = enrolled.device.verify_is_allowed()
    assert not allowed
    assert info["locked_until"] - enrolled.device.throttling_failure_timestamp == timedelta(
        seconds=4
    )


def test_a_recovery_code_works_once(enrolled: Enrolled) -> None:
    # given
    code = enrolled.recovery_codes[0]

    # when
    first = _logged_in(enrolled).post(TWO_FACTOR, {"code": code.upper()})
    second = _logged_in(enrolled).post(TWO_FACTOR, {"code": code})

    # then
    assert first.status_code == 302
    assert second.status_code == 400
    assert tf.recovery_codes_left(user=enrolled.user) == 9
    assert AuditEvent.objects.filter(action="two_factor.recovery_code_used").count() == 1


def test_a_wrong_recovery_code_is_refused(enrolled: Enrolled) -> None:
    # when
    response = _logged_in(enrolled).post(TWO_FACTOR, {"code": "notacode"})

    # then
    assert response.status_code == 400
    assert StaticDevice.objects.get(user=enrolled.user).throttling_failure_count == 1


def test_an_over_long_code_is_refused_without_crashing(enrolled: Enrolled) -> None:
    # when
    response = _logged_in(enrolled).post(TWO_FACTOR, {"code": "9" * 100_000})

    # then
    assert response.status_code == 400


def test_the_two_factor_page_needs_a_logged_in_user() -> None:
    # when
    response = Client().get(TWO_FACTOR)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Mission policy: staff of a mission requiring two-factor ---------------------------------


def test_staff_of_a_mission_requiring_two_factor_passes_the_code_step_end_to_end() -> None:
    # given an officer with two-factor set up, in a mission that requires it
    mission = MissionFactory(slug="kivu", require_two_factor=True)
    user = UserFactory(username="amani")
    MembershipFactory(user=user, mission=mission, role=Role.OFFICER)
    enrolled = enrol(user)
    client = Client()
    target = reverse("accounts:tokens", kwargs={"mission_slug": "kivu"})

    # when they log in with their password, asking for a mission page
    login = client.post(
        reverse("accounts:login"), {"username": "amani", "password": PASSWORD, "next": target}
    )
    # then they are sent to the code step, and the mission page still refuses them
    assert login.status_code == 302
    assert login["Location"] == f"{TWO_FACTOR}?next=%2Fm%2Fkivu%2Ftokens%2F"
    blocked = client.get(target)
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{TWO_FACTOR}?next=%2Fm%2Fkivu%2Ftokens%2F"

    # when they type a valid code from their app
    verified = client.post(TWO_FACTOR, {"code": totp_code(enrolled.device, 1), "next": target})

    # then they reach the page
    assert verified.status_code == 302
    assert verified["Location"] == target
    assert client.get(target).status_code == 200


def test_staff_without_two_factor_is_sent_to_set_it_up_then_reaches_the_page() -> None:
    # given
    mission = MissionFactory(slug="kivu", require_two_factor=True)
    membership = MembershipFactory(mission=mission, role=Role.ANALYST)
    client = Client()
    client.force_login(membership.user)
    target = "/m/kivu/tokens/"

    # when
    first = client.get(target)
    setup = client.get(first["Location"])
    device = TOTPDevice.objects.get(user=membership.user)
    confirmed = client.post(TWO_FACTOR, {"code": totp_code(device), "next": target})

    # then
    assert first["Location"] == f"{TWO_FACTOR}?next=%2Fm%2Fkivu%2Ftokens%2F"
    assert "Set up two-factor authentication" in setup.content.decode()
    assert f'href="{target}"' in confirmed.content.decode()
    assert client.get(target).status_code == 200


@pytest.mark.parametrize(("role", "status"), [(Role.PARTNER, 200), (Role.VIEWER, 403)])
def test_partners_and_viewers_are_not_forced(role: str, status: int) -> None:
    # given
    mission = MissionFactory(slug="kivu", require_two_factor=True)
    membership = MembershipFactory(mission=mission, role=role)
    client = Client()
    client.force_login(membership.user)

    # when
    response = client.get("/m/kivu/tokens/")

    # then: a partner sees its page, a viewer is refused by its role; neither is redirected
    assert response.status_code == status


def test_staff_of_a_mission_not_requiring_two_factor_is_not_forced() -> None:
    # given
    mission = MissionFactory(slug="kivu", require_two_factor=False)
    membership = MembershipFactory(mission=mission, role=Role.ADMIN)
    client = Client()
    client.force_login(membership.user)

    # when
    response = client.get("/m/kivu/tokens/")

    # then
    assert response.status_code == 200


# --- Turning it off, new recovery codes ------------------------------------------------------


def test_turning_off_needs_a_valid_code(enrolled: Enrolled) -> None:
    # given
    client = _logged_in(enrolled)

    # when
    response = client.post(
        reverse("accounts:two_factor_disable"), {"code": wrong_code(enrolled.device)}
    )

    # then
    assert response.status_code == 400
    assert tf.has_two_factor(user=enrolled.user)


def test_turning_off_with_a_valid_code_removes_devices_and_codes(enrolled: Enrolled) -> None:
    # given
    client = _logged_in(enrolled)

    # when
    response = client.post(
        reverse("accounts:two_factor_disable"), {"code": totp_code(enrolled.device, 1)}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR
    assert not TOTPDevice.objects.filter(user=enrolled.user).exists()
    assert not StaticToken.objects.filter(device__user=enrolled.user).exists()
    assert AuditEvent.objects.filter(action="two_factor.disable", actor=enrolled.user).exists()
    # and the next visit starts a fresh set-up (reset)
    assert "Set up two-factor authentication" in client.get(TWO_FACTOR).content.decode()


def test_a_lost_phone_can_be_reset_with_a_recovery_code(enrolled: Enrolled) -> None:
    # when
    response = _logged_in(enrolled).post(
        reverse("accounts:two_factor_disable"), {"code": enrolled.recovery_codes[3]}
    )

    # then
    assert response.status_code == 302
    assert not tf.has_two_factor(user=enrolled.user)


def test_new_recovery_codes_replace_the_old_ones(enrolled: Enrolled) -> None:
    # given
    client = _logged_in(enrolled)

    # when
    response = client.post(
        reverse("accounts:recovery_codes"), {"code": totp_code(enrolled.device, 1)}
    )

    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    new_codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(new_codes) == 10
    assert not set(new_codes) & set(enrolled.recovery_codes)
    assert not tf.two_factor_verify(
        actor=None, user=enrolled.user, code=enrolled.recovery_codes[0]
    ).ok


def test_new_recovery_codes_need_a_code_from_the_app(enrolled: Enrolled) -> None:
    # when a recovery code is offered instead
    response = _logged_in(enrolled).post(
        reverse("accounts:recovery_codes"), {"code": enrolled.recovery_codes[0]}
    )

    # then
    assert response.status_code == 400
    assert tf.recovery_codes_left(user=enrolled.user) == 10
