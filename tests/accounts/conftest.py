"""Helpers for account tests: TOTP codes computed the way an authenticator app does."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from palava.accounts import two_factor as tf
from tests.factories import UserFactory


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an app shows now (``steps_ahead=0``) or ``steps_ahead`` periods later.

    A TOTP code is accepted once only, so a second verification in a test uses the next
    period's code (the device accepts one period of clock drift either way).
    """
    device.refresh_from_db()
    if steps_ahead == 0:
        value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    else:
        generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        generator.time = time.time() + steps_ahead * device.step
        value = generator.token()
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A 6-digit code that is valid in no accepted period."""
    valid = {totp_code(device, s) for s in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


@dataclass
class Enrolled:
    user: Any
    device: TOTPDevice
    recovery_codes: list[str]


def enrol(user: Any) -> Enrolled:
    """Set up two-factor authentication for ``user`` through the services."""
    device = tf.totp_setup_start(actor=user, user=user)
    enrolment = tf.totp_setup_confirm(actor=user, user=user, code=totp_code(device))
    assert enrolment is not None
    return Enrolled(user=user, device=enrolment.device, recovery_codes=enrolment.recovery_codes)


@pytest.fixture
def enrolled(db: None) -> Enrolled:
    return enrol(UserFactory())
