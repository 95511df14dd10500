"""Secrets, tokens and phone numbers never reach a log line."""

from __future__ import annotations

import logging

import pytest

from palava.core import crypto
from palava.core.logging import RedactSecretsFilter, redact

PURPOSE = "accounts.User.phone"


def _filtered(message: str, *args: object) -> str:
    record = logging.LogRecord("palava.test", logging.INFO, __file__, 1, message, args, None)
    assert RedactSecretsFilter().filter(record) is True
    return record.getMessage()


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("Authorization: Bearer abc.DEF-123_xyz~+/=", "abc.DEF-123_xyz"),
        ("authorization: bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.sig", "eyJhbGciOiJIUzI1NiJ9"),
        ("token pvk_AbC123_-xyz used", "pvk_AbC123_-xyz"),
        ("Unauthorized: /openrosa/demo/key/pvo_AbC-123_x/formList", "pvo_AbC-123_x"),
        ("Authorization: Basic dXNlcjpwdm9fc2VjcmV0", "dXNlcjpwdm9fc2VjcmV0"),
        ("POST password=hunter2hunter2&next=/", "hunter2hunter2"),
        ("GET /x?PASSWORD=S3cr3t!&a=1", "S3cr3t!"),
        ("otp_token=123456 submitted", "123456"),
        ("api_key=k-9f8e7d6c5b4a", "k-9f8e7d6c5b4a"),
    ],
)
def test_tokens_and_passwords_are_removed(message: str, secret: str) -> None:
    assert secret not in _filtered(message)


@pytest.mark.parametrize(
    "phone",
    [
        "+243991234567",
        "+243 99 123 4567",
        "+243-99-123-4567",
        "00243 99 123 4567",
        "0991234567",
        "+1 (555) 123-4567",
        "(+243) 99 123 4567",
        "+243.99.123.4567",
        "+231 77 012 3456",
        "+966 50 123 4567",
    ],
)
def test_phone_numbers_are_removed(phone: str) -> None:
    text = _filtered("SMS from %s: help needed", phone)

    digits = "".join(ch for ch in phone if ch.isdigit())
    assert "".join(ch for ch in text if ch.isdigit()) == "", text
    assert digits[-7:] not in text
    assert "help needed" in text


@pytest.mark.parametrize(
    "message",
    [
        "report for 2026-11-24",
        "window 2026-11-24 to 2026-12-01",
        "at 2026-11-24 08:15:00 UTC",
        "2026-11-24T08:15:00+00:00 run finished",
        "processed 1234 rows in 56 ms",
        "client 192.168.100.200 connected",
        "task 1234567890123456789012 finished",
        "Task id=0c3a9433-d106-42dd-9004-112233445566 state=RUNNING",
        "result 12345678-1234-1234-1234-123456789012 enqueued",
    ],
)
def test_dates_and_small_numbers_are_left_alone(message: str) -> None:
    assert _filtered(message) == message


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("2026-11-24 0991234567 called", "2026-11-24"),
        ("numbers 0991234567 0991234568 blocked", "blocked"),
        ("at 2026-11-24 08:15 from +243 99 123 4567", "2026-11-24 08:15"),
    ],
)
def test_phone_numbers_next_to_dates_or_each_other_are_removed(message: str, kept: str) -> None:
    text = _filtered(message)

    assert "1234567" not in text
    assert "123 4567" not in text
    assert kept in text


def test_args_are_redacted_after_formatting() -> None:
    assert "4567" not in _filtered("user %s set phone %s", "alice", "+243 99 123 4567")
    assert _filtered("user %s logged in", "alice") == "user alice logged in"


def test_a_failed_decryption_leaks_no_plaintext(caplog: pytest.LogCaptureFixture) -> None:
    plaintext = "+243 99 123 4567 reporter Amina"
    token = crypto.encrypt(plaintext, purpose=PURPOSE)
    tampered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    logger = logging.getLogger("palava.test.crypto")

    with pytest.raises(crypto.DecryptionError) as info:
        crypto.decrypt(tampered, purpose=PURPOSE)
    with caplog.at_level(logging.ERROR, logger="palava.test.crypto"):
        try:
            crypto.decrypt(token, purpose="feedback.Reporter.phone")
        except crypto.DecryptionError:
            logger.exception("could not decrypt")

    texts = [str(info.value), repr(info.value), caplog.text]
    assert "failed authentication" in caplog.text
    for text in texts:
        assert "Amina" not in text
        assert "4567" not in text
        assert token not in text
        assert token.split(".")[2] not in text
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_redact_is_idempotent() -> None:
    once = redact("Bearer abc pvk_x password=y +243 99 123 4567")

    assert redact(once) == once
