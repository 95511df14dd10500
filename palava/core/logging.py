"""Logging filter that removes values that must never reach a log."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # bearer and basic credentials, Palava API tokens and ODK device secrets (pvo_, which also
    # travel inside OpenRosa URLs: /openrosa/<mission>/key/<secret>/)
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(basic\s+)[A-Za-z0-9+/=]{12,}"), r"\1[redacted]"),
    (re.compile(r"\bpv[ko]_[A-Za-z0-9_-]+"), "[redacted-token]"),
    # key=value secrets in query strings and messages
    (
        re.compile(r"(?i)\b(password|passwd|secret|token|api_key|apikey|otp_token)=([^&\s]+)"),
        r"\1=[redacted]",
    ),
]
# phone numbers: 9 to 15 digits, possibly with +, spaces, dashes, dots or parentheses
# (dates, IPv4 addresses and digits inside identifiers such as UUIDs are left alone)
_PHONE = re.compile(r"(?<![\w-])\(?\+?\d[\d\s().-]{7,22}\d(?![\w-])")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    date = _DATE.match(text)
    if date:  # keep the date, but still look at what follows it ("2026-11-24 0991234567")
        return text[: date.end()] + _PHONE.sub(_phone, text[date.end() :])
    digits = sum(ch.isdigit() for ch in text)
    if _IPV4.match(text) or digits < 9:
        return text
    if digits > 15 and not any(ch.isspace() for ch in text):
        return text  # one long run of digits is an identifier, not a phone number
    # more than 15 digits with spaces: several numbers in a row
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
