from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.missions.models import Membership


@pytest.fixture
def token_for() -> Callable[..., str]:
    """``token_for(membership, days=90)`` -> a raw bearer token for that member's mission."""

    def make(membership: Membership, days: int = 90) -> str:
        new = token_create(
            actor=membership.user,
            user=membership.user,
            mission=membership.mission,
            name="test",
            days=days,
        )
        return new.raw

    return make


@pytest.fixture
def api_client() -> Callable[[str | None], Client]:
    """``api_client(raw)`` -> a client sending ``Authorization: Bearer <raw>`` (None: no header)."""

    def make(raw: str | None) -> Client:
        headers: dict[str, Any] = {} if raw is None else {"Authorization": f"Bearer {raw}"}
        return Client(headers=headers)

    return make
