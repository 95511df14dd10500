"""Gateway adapters: one per sending channel type, plus the sandbox.

Each adapter builds one HTTP request (``urllib``, timeout ``PALAVA_OUTBOUND_TIMEOUT`` seconds,
default 10) to the channel's ``outbound_url`` (empty: the provider's public address; tests point
it at ``tests/feedback/gateway.py``), sends the message's idempotency key, asks for delivery
reports at ``PALAVA_PUBLIC_URL + /hooks/<channel-uuid>/status/`` and reads the answer into a
:class:`SendResult`. Nothing here logs or returns a phone number or a message body: errors
carry the HTTP status or the exception's class only.

Idempotency per provider:

- generic JSON: ``Idempotency-Key`` header and the key as ``id`` in the body; the gateway is
  expected to answer a repeated key with the first answer.
- Twilio: the ``Idempotency-Key`` header is sent too, but Twilio's Messages API does not
  document honouring it. Palava's own guarantees (one row per key, a lease per attempt, never
  re-sent after a success) hold; a request that times out *after* Twilio accepted it may still
  produce a second SMS on retry. Documented limit.
- Africa's Talking: the same limit (the header is sent; the API ignores it). Delivery reports
  go to the URL set on the AT account (``/hooks/<uuid>/status/?token=<secret>``).
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from palava.feedback.channels import public_base_url
from palava.feedback.models import Channel, ChannelType

TWILIO_API = "https://api.twilio.com"
AFRICASTALKING_API = "https://api.africastalking.com"
DEFAULT_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 64 * 1024
RETRYABLE_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
SANDBOX_PREFIX = "sandbox-"


@dataclass(frozen=True)
class SendResult:
    """What one attempt gave: ``ok`` with the provider's id, or an error (retryable or not)."""

    ok: bool
    provider_message_id: str = ""
    retryable: bool = False
    error: str = ""


@dataclass(frozen=True)
class OutgoingRequest:
    url: str
    headers: Mapping[str, str]
    body: bytes


def timeout_seconds() -> float:
    return float(getattr(settings, "PALAVA_OUTBOUND_TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)


def status_url(channel: Channel, ref: str = "") -> str:
    """Where the provider reports delivery (the channel's status hook); ``ref`` (the outbound
    message's public id) lets a report that overtakes the send answer still find its row."""
    path = reverse("hooks:status", kwargs={"channel_id": channel.public_id})
    query = f"?{urlencode({'ref': ref})}" if ref else ""
    return public_base_url(default="http://localhost:8000") + path + query


def _base(channel: Channel, default: str) -> str:
    return (channel.outbound_url or default).rstrip("/")


@sensitive_variables("phone", "secret")
def build_request(
    channel: Channel, *, phone: str, body: str, key: str, ref: str = ""
) -> OutgoingRequest:
    """The HTTP request that sends ``body`` to ``phone`` through ``channel``."""
    secret = channel.outbound_secret or ""
    headers = {"Idempotency-Key": key, "Accept": "application/json"}
    if channel.channel_type == ChannelType.TWILIO:
        account = channel.outbound_account
        url = f"{_base(channel, TWILIO_API)}/2010-04-01/Accounts/{account}/Messages.json"
        token = base64.b64encode(f"{account}:{secret}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        form = {
            "To": phone,
            "From": channel.outbound_sender or channel.address,
            "Body": body,
            "StatusCallback": status_url(channel, ref),
        }
        return OutgoingRequest(url, headers, urlencode(form).encode("utf-8"))
    if channel.channel_type == ChannelType.AFRICASTALKING:
        url = f"{_base(channel, AFRICASTALKING_API)}/version1/messaging"
        headers["apiKey"] = secret
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        form = {"username": channel.outbound_account, "to": phone, "message": body}
        sender = channel.outbound_sender
        if sender:
            form["from"] = sender
        return OutgoingRequest(url, headers, urlencode(form).encode("utf-8"))
    if channel.channel_type == ChannelType.GENERIC:
        if not channel.outbound_url:
            raise ValueError("a generic channel needs a sending URL")
        url = f"{_base(channel, '')}/messages"
        headers["Content-Type"] = "application/json"
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        payload = {
            "id": key,
            "to": phone,
            "from": channel.outbound_sender or channel.address,
            "text": body,
            "status_url": status_url(channel, ref),
        }
        return OutgoingRequest(url, headers, json.dumps(payload, ensure_ascii=False).encode())
    raise ValueError(f"channel type {channel.channel_type} cannot send")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def parse_answer(channel_type: str, status: int, raw: bytes) -> SendResult:
    """Read a provider's answer (any HTTP status) into a :class:`SendResult`."""
    if status >= 300:
        return SendResult(ok=False, retryable=status in RETRYABLE_HTTP, error=f"HTTP {status}")
    data = _json(raw)
    if channel_type == ChannelType.TWILIO:
        sid = data.get("sid") if isinstance(data, dict) else None
        if not isinstance(sid, str) or not sid:
            return SendResult(ok=False, retryable=True, error="answer without a message sid")
        return SendResult(ok=True, provider_message_id=sid[:128])
    if channel_type == ChannelType.AFRICASTALKING:
        recipients = (
            data.get("SMSMessageData", {}).get("Recipients") if isinstance(data, dict) else None
        )
        first = recipients[0] if isinstance(recipients, list) and recipients else None
        if not isinstance(first, dict):
            return SendResult(ok=False, retryable=True, error="answer without a recipient")
        code = first.get("statusCode")
        if code in (100, 101, 102):
            return SendResult(ok=True, provider_message_id=str(first.get("messageId", ""))[:128])
        retryable = isinstance(code, int) and code >= 500
        return SendResult(ok=False, retryable=retryable, error=f"status code {code}"[:100])
    ident = data.get("id") if isinstance(data, dict) else None
    if not isinstance(ident, str | int) or isinstance(ident, bool) or ident == "":
        return SendResult(ok=False, retryable=True, error="answer without a message id")
    return SendResult(ok=True, provider_message_id=str(ident)[:128])


@sensitive_variables("phone", "request")
def send(channel: Channel, *, phone: str, body: str, key: str, ref: str = "") -> SendResult:
    """One attempt. Never raises for network trouble: it becomes a retryable result."""
    if channel.outbound_mode == "sandbox":
        return SendResult(ok=True, provider_message_id=SANDBOX_PREFIX + key[-60:])
    if channel.outbound_mode != "live":
        return SendResult(ok=False, retryable=False, error="sending is off for this channel")
    try:
        request = build_request(channel, phone=phone, body=body, key=key, ref=ref)
    except ValueError as exc:
        return SendResult(ok=False, retryable=False, error=str(exc)[:200])
    http = urllib.request.Request(  # noqa: S310 (the URL is staff-configured http(s))
        request.url, data=request.body, headers=dict(request.headers), method="POST"
    )
    if not request.url.startswith(("http://", "https://")):
        return SendResult(ok=False, retryable=False, error="the sending URL is not http(s)")
    try:
        with urllib.request.urlopen(http, timeout=timeout_seconds()) as answer:  # noqa: S310
            return parse_answer(
                channel.channel_type, int(answer.status), answer.read(MAX_ANSWER_BYTES)
            )
    except urllib.error.HTTPError as exc:
        return parse_answer(channel.channel_type, exc.code, b"")
    except TimeoutError:
        return SendResult(ok=False, retryable=True, error="timed out")
    except urllib.error.URLError as exc:
        reason = type(exc.reason).__name__ if not isinstance(exc.reason, str) else "URLError"
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            reason = "timed out"
        return SendResult(ok=False, retryable=True, error=f"connection failed: {reason}")
    except (OSError, ValueError) as exc:
        return SendResult(
            ok=False, retryable=True, error=f"connection failed: {type(exc).__name__}"
        )
