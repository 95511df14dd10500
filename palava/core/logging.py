"""Logging filter that removes values that must never reach a log."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # bearer tokens and Palava API tokens
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"\bpvk_[A-Za-z0-9_-]+"), "[redacted-token]"),
    # key=value secrets in query strings and messages
    (
        re.compile(r"(?i)\b(password|passwd|secret|token|api_key|apikey|otp_token)=([^&\s]+)"),
        r"\1=[redacted]",
    ),

]
# phone numbers: 9 to 15 digits, possibly with +, spaces or dashes (dates are left alone)
_PHONE = re.compile(r"\+?\d[\d\s-]{7,19}\d")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if _DATE.match(text) or not 9 <= digits <= 15:
        return text
    return "[redacted-number]"


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _PHONE.sub(_phone, text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message with secrets and phone numbers removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
