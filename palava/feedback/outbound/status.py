"""Delivery-status callbacks ``/hooks/<channel-uuid>/status/``, authenticated exactly like the
channel's inbound webhook (same secrets, same checks, from :mod:`palava.feedback.channels`).

What each provider sends, and how it is read:

- Twilio: form ``MessageSid``, ``MessageStatus`` (``delivered``/``read`` -> delivered,
  ``undelivered``/``failed`` -> undelivered, ``queued``/``sending``/``sent``/``accepted`` ->
  sent), signed ``X-Twilio-Signature``.
- Africa's Talking: form ``id``, ``status`` (``Success`` -> delivered, ``Failed``/``Rejected``
  -> undelivered, ``Sent``/``Submitted``/``Buffered`` -> sent); ``?token=`` and the allow-list.
- Generic: JSON ``{"id", "status": "delivered|undelivered|failed|sent", "at"?}`` signed
  ``X-Palava-Signature`` over ``<ts>.<body>``.

Answers: 405 not POST, 404 unknown channel or a type without webhook, 413 body over the limit,
403 forged, 400 malformed, 200 otherwise (``{"status": "ok"}``, or ``"ignored"`` for a message
id Palava never sent: a provider must not retry that forever). No number is read or logged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from palava.feedback.channel_selectors import channel_for_hook
from palava.feedback.channels import (
    _SIGNATURE_RE,
    _TIMESTAMP_RE,
    SIGNATURE_WINDOW_SECONDS,
    WEBHOOK_BY_CHANNEL,
    HookRequest,
    Refused,
    _iso_datetime,
    _one,
    _provider_id,
    _url_variants,
    accepted_secrets,
    address_in,
    any_equal,
    client_ip,
    generic_signature,
    handler_for,
    inbound,
    malformed,
    parse_form,
    parse_json_object,
    twilio_signature,
    unauthenticated,
)
from palava.feedback.hooks import called_url, declared_length, not_found, read_capped, too_large
from palava.feedback.models import MAX_WEBHOOK_BYTES, Channel, ChannelType
from palava.missions.permissions import public_view

TWILIO_STATUS = {
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "undelivered",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "accepted": "sent",
    "scheduled": "sent",
}
AT_STATUS = {
    "success": "delivered",
    "failed": "undelivered",
    "rejected": "undelivered",
    "sent": "sent",
    "submitted": "sent",
    "buffered": "sent",
}
GENERIC_STATUS = {
    "delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "undelivered",
    "sent": "sent",
    "accepted": "sent",
}


@dataclass(frozen=True)
class StatusReport:
    provider_message_id: str
    status: str  # delivered | undelivered | sent
    at: datetime | None = None


def _status(value: object, table: dict[str, str]) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if text not in table:
        raise malformed(_("The delivery status is missing or unknown."))
    return table[text]


def parse_twilio(channel: Channel, hook: HookRequest) -> StatusReport:
    signature = hook.headers.get("X-Twilio-Signature", "")
    if not signature or len(signature) > 100:
        raise unauthenticated(_("The X-Twilio-Signature header is missing."))
    form = parse_form(hook)
    candidates = [
        twilio_signature(secret, url, form)
        for secret in accepted_secrets(channel, hook.now)
        for url in _url_variants(hook.url)
    ]
    if not any_equal(signature, candidates):
        raise unauthenticated()
    return StatusReport(
        provider_message_id=_provider_id(_one(form, "MessageSid"), "MessageSid"),
        status=_status(_one(form, "MessageStatus"), TWILIO_STATUS),
    )


def parse_africastalking(channel: Channel, hook: HookRequest) -> StatusReport:
    allowlist = channel.ip_allowlist or []
    if allowlist and not address_in(hook.client_ip, allowlist):
        raise unauthenticated()
    token = hook.query.get("token", "")
    if not token or len(token) > 200:
        raise unauthenticated(_("The token is missing."))
    if not any_equal(token, accepted_secrets(channel, hook.now)):
        raise unauthenticated()
    form = parse_form(hook)
    return StatusReport(
        provider_message_id=_provider_id(_one(form, "id"), "id"),
        status=_status(_one(form, "status"), AT_STATUS),
    )


def parse_generic(channel: Channel, hook: HookRequest) -> StatusReport:
    timestamp = hook.headers.get("X-Palava-Timestamp", "").strip()
    signature = hook.headers.get("X-Palava-Signature", "").strip()
    if not _TIMESTAMP_RE.match(timestamp):
        raise unauthenticated(_("The X-Palava-Timestamp header is missing or malformed."))
    if abs(hook.now.timestamp() - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        raise unauthenticated(_("The timestamp is more than 300 seconds off."))
    match = _SIGNATURE_RE.match(signature)
    if match is None:
        raise unauthenticated(_("The X-Palava-Signature header is missing or malformed."))
    candidates = [
        generic_signature(secret, timestamp, hook.raw)
        for secret in accepted_secrets(channel, hook.now)
    ]
    if not any_equal(match.group(1).lower(), candidates):
        raise unauthenticated()
    data = parse_json_object(hook.raw)
    return StatusReport(
        provider_message_id=_provider_id(data.get("id"), "id"),
        status=_status(data.get("status"), GENERIC_STATUS),
        at=_iso_datetime(data.get("at"), strict=False),
    )


PARSERS: dict[str, Callable[[Channel, HookRequest], StatusReport]] = {
    ChannelType.TWILIO: parse_twilio,
    ChannelType.AFRICASTALKING: parse_africastalking,
    ChannelType.GENERIC: parse_generic,
}


def _refuse(refused: Refused) -> JsonResponse:
    return JsonResponse({"detail": refused.detail}, status=refused.status)


@public_view
@inbound(WEBHOOK_BY_CHANNEL)
@csrf_exempt
def status_hook(request: HttpRequest, channel_id: uuid.UUID) -> HttpResponse:
    """One delivery report from a gateway (see the module docstring for the answers)."""
    from palava.feedback.outbound.services import outbound_status_report

    if request.method != "POST":
        response = JsonResponse({"detail": _("Use POST.")}, status=405)
        response["Allow"] = "POST"
        return response
    length = declared_length(request)
    if length < 0 or length > MAX_WEBHOOK_BYTES:
        return too_large()
    channel, _cached = channel_for_hook(channel_id, fresh=True)
    if channel is None or not handler_for(channel.channel_type).accepts_webhook:
        return not_found()
    parser = PARSERS.get(channel.channel_type)
    if parser is None:
        return not_found()
    raw = read_capped(request)
    if raw is None:
        return too_large()
    hook = HookRequest(
        raw=raw,
        url=called_url(request),
        query=request.GET,
        headers=request.headers,
        content_type=request.content_type or "",
        client_ip=client_ip(request),
        now=timezone.now(),
    )
    try:
        report = parser(channel, hook)
    except Refused as refused:
        return _refuse(refused)
    ref = request.GET.get("ref", "")[:40]
    row = outbound_status_report(
        channel=channel,
        provider_message_id=report.provider_message_id,
        status=report.status,
        at=report.at,
        ref=ref,
    )
    return JsonResponse({"status": "ok" if row is not None else "ignored"}, status=200)
