"""Two-factor authentication: a TOTP app (django-otp) plus single-use recovery codes.

Writes go through these services, each with its audit row in the same transaction. Wrong codes
are throttled by django-otp itself (the delay doubles after each failure: 1 s, 2 s, 4 s, ...),
and a TOTP code is accepted once only (``last_t``), so a code seen over a shoulder is useless.
"""

from __future__ import annotations

import base64
import enum
import io
import re
from dataclasses import dataclass, field
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from palava.audit.services import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
MAX_CODE_LENGTH = 64
_TOTP_CODE = re.compile(r"^\d{6}$")


class VerifyOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"
    NO_DEVICE = "no_device"


@dataclass(frozen=True)
class VerifyResult:
    outcome: VerifyOutcome
    device: Any = None

    @property
    def ok(self) -> bool:
        return self.outcome is VerifyOutcome.OK


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str] = field(default_factory=list)


def normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore spaces and dashes and case."""
    return re.sub(r"[\s-]", "", code or "")[:MAX_CODE_LENGTH].lower()


# --- Reads ------------------------------------------------------------------------------------


def confirmed_totp_device(*, user: Any) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_two_factor(*, user: Any) -> bool:
    return confirmed_totp_device(user=user) is not None


def recovery_codes_left(*, user: Any) -> int:
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


def totp_secret_base32(device: TOTPDevice) -> str:
    """The shared secret in base32, grouped by four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The provisioning URI as an SVG QR code, built on the server, as a ``data:`` URI."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def totp_setup_start(*, actor: Any, user: Any) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first call (reused until confirmed)."""
    if has_two_factor(user=user):
        raise ValueError("two-factor authentication is already enabled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
        audit_record(actor=actor, action="two_factor.setup_start", obj=device)
    return device


def _recovery_codes_replace(*, user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def totp_setup_confirm(*, actor: Any, user: Any, code: str) -> Enrolment | None:
    """Confirm the unconfirmed device with a current code; return it with fresh recovery codes.

    None when the code is wrong (or throttled); the failure is audited.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("id")
        .first()
    )
    if device is None:
        return None
    if not device.verify_token(normalise_code(code)):
        audit_record(
            actor=actor,
            action="two_factor.setup_failed",
            obj=device,
            changes={"throttling_failure_count": device.throttling_failure_count},
        )
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_replace(user=user)
    audit_record(actor=actor, action="two_factor.enable", obj=device, changes={"confirmed": True})
    return Enrolment(device=device, recovery_codes=codes)


@transaction.atomic
def two_factor_verify(*, actor: Any, user: Any, code: str) -> VerifyResult:
    """Check a TOTP code (6 digits) or else a recovery code (consumed when it matches)."""
    code = normalise_code(code)
    totp = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("id")
        .first()
    )
    if totp is None:
        return VerifyResult(VerifyOutcome.NO_DEVICE)
    device: TOTPDevice | StaticDevice = totp
    if not _TOTP_CODE.match(code):
        static = (
            StaticDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("id")
            .first()
        )
        # No recovery codes left: the TOTP device throttles the guess.
        device = static if static is not None else totp
    if _throttled(device):
        return _verify_failed(actor=actor, device=device, throttled=True)
    if not device.verify_token(code):
        return _verify_failed(actor=actor, device=device, throttled=False)
    if isinstance(device, StaticDevice):
        audit_record(actor=actor, action="two_factor.recovery_code_used", obj=device)
    else:
        audit_record(actor=actor, action="two_factor.verify", obj=device)
    return VerifyResult(VerifyOutcome.OK, device)


def _throttled(device: TOTPDevice | StaticDevice) -> bool:
    allowed, _info = device.verify_is_allowed()
    return not allowed


def _verify_failed(*, actor: Any, device: Any, throttled: bool) -> VerifyResult:
    audit_record(
        actor=actor,
        action="two_factor.verify_failed",
        obj=device,
        changes={"throttling_failure_count": device.throttling_failure_count},
    )
    return VerifyResult(VerifyOutcome.THROTTLED if throttled else VerifyOutcome.WRONG, device)


@transaction.atomic
def two_factor_disable(*, actor: Any, user: Any, code: str) -> VerifyResult:
    """Remove the user's TOTP device and recovery codes, after a valid current code."""
    result = two_factor_verify(actor=actor, user=user, code=code)
    if not result.ok:
        return result
    device = confirmed_totp_device(user=user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="two_factor.disable",
        object_type="otp_totp.totpdevice",
        object_id=str(device.pk) if device is not None else "",
    )
    return result


@transaction.atomic
def recovery_codes_regenerate(*, actor: Any, user: Any, code: str) -> list[str] | None:
    """Replace the recovery codes (the old ones stop working) after a valid TOTP code."""
    if not _TOTP_CODE.match(normalise_code(code)):
        return None
    result = two_factor_verify(actor=actor, user=user, code=code)
    if not result.ok:
        return None
    codes = _recovery_codes_replace(user=user)
    audit_record(actor=actor, action="two_factor.recovery_codes_regenerate", obj=result.device)
    return codes
