"""Oversized request bodies are refused before Django reads them."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@override_settings(PALAVA_MAX_REQUEST_BYTES=1000)
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/me", "/m/x/places/import/"])
def test_a_body_over_the_limit_gets_413_and_nothing_is_read(path: str) -> None:
    response = Client().post(path, data=b"x" * 1001, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


@override_settings(PALAVA_MAX_REQUEST_BYTES=1000)
def test_a_lying_content_length_is_refused() -> None:
    response = Client().post(
        "/accounts/login/", data=b"", content_type="text/plain", CONTENT_LENGTH="-5"
    )
    assert response.status_code == 413


@override_settings(PALAVA_MAX_REQUEST_BYTES=1000)
def test_a_body_under_the_limit_passes_through() -> None:
    response = Client().post("/accounts/login/", {"username": "a", "password": "b"})
    # the log-in form answers with its own error (a wrong password), not the size limit
    assert response.status_code == 400
    assert b"login-form" in response.content
