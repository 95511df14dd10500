from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from palava.missions.models import Membership, Role
from tests.factories import PASSWORD, MembershipFactory, MissionFactory

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request in French or Arabic through the test
    client leaves that language active in the thread, which would leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def mission(db):  # type: ignore[no-untyped-def]
    return MissionFactory()


@pytest.fixture
def member_of(mission):  # type: ignore[no-untyped-def]
    """``member_of(role)`` -> a membership of a fresh user with ``role`` in ``mission``."""

    def make(role: str = Role.OFFICER, **kwargs: object) -> Membership:
        return MembershipFactory(mission=mission, role=role, **kwargs)

    return make


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    """``client_for(user)`` -> a test client logged in as ``user`` through the real log-in."""

    def make(user: object) -> Client:
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        return client

    return make


def verify_second_factor(client: Client, user: object) -> None:
    """Enrol TOTP for ``user`` through the services and mark ``client``'s session verified,
    as django_otp.login does after a correct code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.oath import totp

    from palava.accounts.two_factor import totp_setup_confirm, totp_setup_start

    device = totp_setup_start(actor=user, user=user)
    assert totp_setup_confirm(actor=user, user=user, code=f"{totp(device.bin_key):06d}")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


__all__ = ["PASSWORD", "verify_second_factor"]
