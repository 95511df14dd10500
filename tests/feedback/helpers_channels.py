"""Helpers for the channel and webhook tests: create channels through the services and send
correctly signed requests the way each gateway does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.test import Client

from palava.feedback.channel_services import ChannelWithSecret, channel_create
from palava.feedback.channels import twilio_signature
from palava.feedback.models import Channel, ChannelType
from palava.missions.models import Mission

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
FORM = "application/x-www-form-urlencoded"
HOST = "testserver"
PHONE = "+243990001122"


def make_channel(mission: Mission, channel_type: str, **kwargs: Any) -> ChannelWithSecret:
    if channel_type == ChannelType.TWILIO:
        kwargs.setdefault("secret", TWILIO_TOKEN)
    kwargs.setdefault("name", f"{channel_type} channel {Channel.objects.count() + 1}")
    return channel_create(actor=None, mission=mission, channel_type=channel_type, **kwargs)


def hook_path(channel: Channel) -> str:
    return f"/hooks/{channel.public_id}/"


# --- Twilio -----------------------------------------------------------------------------------


def twilio_params(
    sid: str = "SM0001", body: str = "Water point broken at Kibati", **extra: str
) -> dict[str, str]:
    params = {
        "MessageSid": sid,
        "AccountSid": "AC0001",
        "From": PHONE,
        "To": "+15005550006",
        "Body": body,
        "NumSegments": "1",
        "FromCountry": "CD",
    }
    params.update(extra)
    return params


def twilio_post(
    client: Client,
    channel: Channel,
    params: dict[str, str],
    *,
    token: str = TWILIO_TOKEN,
    url: str | None = None,
    signature: str | None = None,
    query: str = "",
) -> Response:
    path = hook_path(channel) + (f"?{query}" if query else "")
    signed_url = url if url is not None else f"http://{HOST}{path}"
    form = {name: [value] for name, value in params.items()}
    sig = signature if signature is not None else twilio_signature(token, signed_url, form)
    return client.post(
        path, data=urlencode(params), content_type=FORM, headers={"X-Twilio-Signature": sig}
    )


# --- Africa's Talking -------------------------------------------------------------------------


def at_params(
    msg_id: str = "ATXid_1", text: str = "Tension au marché de Goma", **extra: str
) -> dict[str, str]:
    params = {
        "from": PHONE,
        "to": "12345",
        "text": text,
        "date": "2026-11-24T09:21:53.000Z",
        "id": msg_id,
        "linkId": "L1",
        "networkCode": "63902",
    }
    params.update(extra)
    return params


def at_post(
    client: Client,
    channel: Channel,
    params: dict[str, str],
    *,
    token: str | None,
    remote_addr: str = "127.0.0.1",
    **headers: str,
) -> Response:
    path = hook_path(channel)
    if token is not None:
        path += "?" + urlencode({"token": token})
    return client.post(
        path,
        data=urlencode(params),
        content_type=FORM,
        REMOTE_ADDR=remote_addr,
        headers=headers or None,
    )


# --- Generic JSON -----------------------------------------------------------------------------


def generic_payload(
    msg_id: str = "gw-1", text: str = "Need water in Kanyaruchinya", **extra: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = {"id": msg_id, "from": PHONE, "text": text}
    payload.update(extra)
    return payload


def generic_sign(secret: str, timestamp: str, raw: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def generic_post(
    client: Client,
    channel: Channel,
    payload: dict[str, Any] | bytes,
    *,
    secret: str,
    timestamp: int | None = None,
    signature: str | None = None,
    content_type: str = "application/json",
) -> Response:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = signature if signature is not None else generic_sign(secret, ts, raw)
    return client.post(
        hook_path(channel),
        data=raw,
        content_type=content_type,
        headers={"X-Palava-Timestamp": ts, "X-Palava-Signature": sig},
    )
