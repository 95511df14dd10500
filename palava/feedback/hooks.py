"""The inbound webhook ``/hooks/<channel-uuid>/``: authenticate, parse, store once, answer.

The hot path of every SMS gateway: the channel (a per-process cache of a few seconds, else one
indexed query; see ``channel_selectors.channel_for_hook``), the handler of its type
(:mod:`palava.feedback.channels`), one insert (``message_ingest``, committed before the 2xx).
No audit row, no triage, no reporter lookup here (docs/adr/0006). Answers:

- not POST: 405; an unknown, inactive, web-form or hotline channel: 404 (the same answer as an
  id that never existed);
- a body over ``MAX_WEBHOOK_BYTES``: 413, before anything is parsed;
- authentication failure: 403; malformed payload: 400 ``{"detail": ...}``; nothing stored;
- otherwise what the gateway expects (TwiML for Twilio, JSON for the others).

Nothing here logs a phone number or a message body.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from palava.feedback.ack import ack_for
from palava.feedback.channel_selectors import channel_for_hook
from palava.feedback.channels import (
    WEBHOOK_BY_CHANNEL,
    HookRequest,
    Inbound,
    Refused,
    client_ip,
    handler_for,
    inbound,
)
from palava.feedback.ingest import Ingested, message_ingest
from palava.feedback.models import MAX_WEBHOOK_BYTES, Channel
from palava.missions.permissions import public_view

READ_CHUNK = 16 * 1024


def too_large() -> JsonResponse:
    message = _("The request body is larger than the limit of %(limit)s bytes.")
    return JsonResponse({"detail": message % {"limit": MAX_WEBHOOK_BYTES}}, status=413)


def not_found() -> JsonResponse:
    return JsonResponse({"detail": _("Not found.")}, status=404)


def declared_length(request: HttpRequest) -> int:
    """The declared body size; -1 when the header is not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return -1


def read_capped(request: HttpRequest, limit: int = MAX_WEBHOOK_BYTES) -> bytes | None:
    """The body, or None when it is longer than ``limit`` (whatever the header said)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = request.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None
    return b"".join(chunks)


def called_url(request: HttpRequest) -> str:
    """The URL the gateway called: ``PALAVA_PUBLIC_URL`` + path and query when configured (the
    server may sit behind a proxy that rewrites the host or scheme), else the request's own."""
    base = str(getattr(settings, "PALAVA_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base + request.get_full_path()
    return request.build_absolute_uri()


@sensitive_variables("inbound_message")
def store(channel: Channel, inbound_message: Inbound, *, ack_language: str = "") -> Ingested:
    """Store the message once; with acknowledgements on, record the text sent back (in the same
    insert, so only on a new row), in ``ack_language`` when given (the web form's page), else
    the sender's. Raises ``ValidationError`` for unusable input."""

    text = ""
    if channel.ack_enabled:
        # Worked out before the insert (language detection must not hold the write lock).
        text = ack_for(
            channel,
            given_language=ack_language or inbound_message.given_language,
            body=inbound_message.body,
        )
    return message_ingest(
        channel=channel,
        provider_message_id=inbound_message.provider_message_id,
        body=inbound_message.body,
        sender_phone=inbound_message.sender_phone,
        sender_name=inbound_message.sender_name,
        sent_at=inbound_message.sent_at,
        latitude=inbound_message.latitude,
        longitude=inbound_message.longitude,
        given_place=inbound_message.given_place,
        given_language=inbound_message.given_language,
        extra=inbound_message.extra,
        ack_text=text,
    )


def _validation_detail(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages) or _("The message cannot be stored.")


@public_view
@inbound(WEBHOOK_BY_CHANNEL)
@csrf_exempt
@sensitive_post_parameters()
def webhook(request: HttpRequest, channel_id: uuid.UUID) -> HttpResponse:
    """One inbound message from a gateway (see the module docstring for the answers)."""
    if request.method != "POST":
        response = JsonResponse({"detail": _("Use POST.")}, status=405)
        response["Allow"] = "POST"
        return response
    length = declared_length(request)
    if length < 0 or length > MAX_WEBHOOK_BYTES:
        return too_large()
    channel, cached = channel_for_hook(channel_id)
    if channel is None:
        return not_found()
    handler = handler_for(channel.channel_type)
    if not handler.accepts_webhook:
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
        try:
            message = handler.receive(channel, hook)
        except Refused as refused:
            if not (cached and refused.status == 403):
                raise
            # a cached channel may hold a secret rotated away since: look again, once
            channel, _cached = channel_for_hook(channel_id, fresh=True)
            if channel is None:
                return not_found()
            message = handler.receive(channel, hook)
        ingested = store(channel, message)
    except Refused as refused:
        return handler.refuse(refused)
    except ValidationError as exc:
        return handler.refuse(Refused(400, _validation_detail(exc)))
    return handler.reply(
        message_id=str(ingested.message.public_id),
        created=ingested.created,
        ack=ingested.message.ack_text,
    )
