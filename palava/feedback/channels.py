"""Inbound channel types: one authenticator and one payload parser per :class:`ChannelType`.

:data:`HANDLERS` maps every channel type to its handler;
``tests/feedback/test_channels_registry.py`` fails when a type has none, or when a route under
``/hooks/`` or ``/p/`` reaches a view that does not name its authenticator (:func:`inbound`).
What each type checks:

- Twilio SMS: ``X-Twilio-Signature`` = base64(HMAC-SHA1(auth token, URL called + the sorted
  POST parameters' names and values)); exactly-once key ``MessageSid``.
- Africa's Talking SMS: a >= 128-bit token in the URL (``?token=``) and an optional IP
  allow-list; key ``id``.
- Generic JSON: ``X-Palava-Signature: sha256=<hex HMAC-SHA256(secret, "<ts>." + body)>`` with
  ``X-Palava-Timestamp`` no more than 300 s off; key ``id`` (see docs/adr/0006).
- Public web form: CSRF, a honeypot field and a per-address rate limit (``public_views``); its
  webhook refuses everything.
- Hotline: staff log-in (the inbox's entry page); its webhook refuses everything.

Every secret is compared in constant time, and the previous secret of a rotation is accepted
until ``previous_secret_expires_at``. Nothing here logs a phone number or a message body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar, Final
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.feedback.models import MAX_BODY_CHARS, Channel, ChannelType

# --- What a handler produces ----------------------------------------------------------------

MAX_FORM_FIELDS = 100
MAX_JSON_DEPTH = 20
SIGNATURE_WINDOW_SECONDS = 300
SECRET_BYTES = 32  # secrets.token_urlsafe(32): 256 bits
MIN_SUPPLIED_SECRET_CHARS = 32
TWILIO_MIN_TOKEN_CHARS = 16
MAX_SECRET_CHARS = 200
_PROVIDER_ID_RE = re.compile(r"^[A-Za-z0-9_.:@+=/-]{1,128}$")
_TIMESTAMP_RE = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE_RE = re.compile(r"^sha256=([0-9a-fA-F]{64})$")
_SANE_YEARS = (2000, 2100)  # a gateway's send time outside these is an error, not a date
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$")


class Refused(Exception):
    """The request is refused; nothing is stored. ``detail`` is safe to send back."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def malformed(detail: str) -> Refused:
    return Refused(400, detail)


def unauthenticated(detail: str | None = None) -> Refused:
    return Refused(403, detail or _("The request is not authenticated for this channel."))


@dataclass(frozen=True)
class Inbound:
    """One message as a gateway delivered it, before it is stored."""

    provider_message_id: str
    body: str
    sender_phone: str = field(default="", repr=False)
    sender_name: str = field(default="", repr=False)
    sent_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    given_place: str = field(default="", repr=False)
    given_language: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HookRequest:
    """What a webhook handler may look at: the raw body (already size-capped) and the request."""

    raw: bytes
    url: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    content_type: str
    client_ip: str
    now: datetime


# --- Shared checks ----------------------------------------------------------------------------


def accepted_secrets(channel: Channel, now: datetime) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    found = [channel.secret] if channel.secret else []
    expires = channel.previous_secret_expires_at
    if channel.previous_secret and expires is not None and now < expires:
        found.append(channel.previous_secret)
    return found


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "replace")


def any_equal(given: str, candidates: Iterable[str]) -> bool:
    """Constant-time comparison of ``given`` against every candidate (no early exit)."""
    ok = False
    for candidate in candidates:
        ok |= hmac.compare_digest(_bytes(given), _bytes(candidate))
    return ok


@lru_cache(maxsize=16)
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    out = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue  # an unusable entry never widens access
    return tuple(out)


def address_in(address: str, entries: Iterable[str]) -> bool:
    """Whether ``address`` is in one of the CIDR ``entries`` (False for a non-address)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in _networks(tuple(entries)) if ip.version == net.version)


def client_ip(request: HttpRequest) -> str:
    """The caller's address: ``REMOTE_ADDR``, or the last address in ``X-Forwarded-For`` not
    added by one of ``PALAVA_TRUSTED_PROXIES`` when the peer is such a proxy."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    trusted = tuple(getattr(settings, "PALAVA_TRUSTED_PROXIES", ()) or ())
    if not trusted or not address_in(remote, trusted):
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", ""))[:1000].split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if not address_in(address, trusted):
            return address
    return forwarded[0] if forwarded else remote


def validate_allowlist(entries: Iterable[str]) -> list[str]:
    """Normalised CIDR entries; raises ValueError naming the first unusable one."""
    out: list[str] = []
    for entry in entries:
        text = str(entry).strip()
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(text[:60]) from None
        if str(network) not in out:
            out.append(str(network))
    return out


def parse_form(hook: HookRequest) -> dict[str, list[str]]:
    """A strict ``application/x-www-form-urlencoded`` body: ASCII, ``name=value`` pairs, UTF-8
    after percent-decoding, at most 100 fields."""
    if hook.content_type != "application/x-www-form-urlencoded":
        raise malformed(_("Send the form as application/x-www-form-urlencoded."))
    try:
        text = hook.raw.decode("ascii")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text),
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except ValueError:
        raise malformed(_("The form body is not valid URL-encoded UTF-8.")) from None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def _one(form: Mapping[str, list[str]], name: str) -> str:
    values = form.get(name) or []
    if len(values) > 1:
        raise malformed(_("The field %(name)s is repeated.") % {"name": name})
    return values[0] if values else ""


def _no_nul(text: str) -> str:
    """NUL characters removed (PostgreSQL text and JSON columns refuse them)."""
    return text.replace("\x00", "")


def _extras(form: Mapping[str, list[str]], names: Iterable[str]) -> dict[str, str]:
    return {name: _no_nul(_one(form, name)) for name in names if form.get(name)}


def _provider_id(value: Any, name: str) -> str:
    text = (
        str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    )
    if not text:
        raise malformed(_("The message id (%(name)s) is missing.") % {"name": name})
    if not _PROVIDER_ID_RE.match(text):
        raise malformed(_("The message id (%(name)s) is not a valid id.") % {"name": name})
    return text


def _body(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise malformed(_("The message text is missing."))
    if len(value) > MAX_BODY_CHARS:
        raise malformed(
            _("The message is longer than %(limit)d characters.") % {"limit": MAX_BODY_CHARS}
        )
    return value


def _coordinate(value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or value is None or value == "":
        raise malformed(_("The coordinates are not numbers."))
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise malformed(_("The coordinates are not numbers.")) from None
    if not low <= number <= high:  # also refuses NaN
        raise malformed(_("The coordinates are out of range."))
    return number


def coordinates(lat: Any, lon: Any) -> tuple[float | None, float | None]:
    """Both or neither; each a finite number in range."""
    missing = (lat is None or lat == "", lon is None or lon == "")
    if all(missing):
        return None, None
    if any(missing):
        raise malformed(_("Give both latitude and longitude, or neither."))
    return _coordinate(lat, -90, 90), _coordinate(lon, -180, 180)


def _language(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _LANGUAGE_RE.match(value):
        raise malformed(_("The language is not a language code."))
    return value.lower()[:8]


def _parse_iso(value: Any) -> datetime | None:
    """An aware datetime (UTC when no offset is given) between 2000 and 2100, else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        year = parsed.astimezone(UTC).year
    except (ValueError, OverflowError):
        return None
    return parsed if _SANE_YEARS[0] <= year <= _SANE_YEARS[1] else None


def _iso_datetime(value: Any, *, strict: bool) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = _parse_iso(value)
    if parsed is None and strict:
        raise malformed(_("sent_at is not an ISO 8601 date and time."))
    return parsed


def _strip_scheme(sender: str) -> str:
    """``tel:+243…`` / ``whatsapp:+243…`` -> ``+243…``."""
    scheme, sep, rest = sender.partition(":")
    if sep and scheme.lower() in ("tel", "whatsapp", "sms"):
        return rest
    return sender


# --- Handlers ---------------------------------------------------------------------------------


class ChannelHandler:
    """How one channel type authenticates and reads a webhook call, and what it answers."""

    channel_type: ClassVar[str]
    authenticator: ClassVar[str | Promise]  # what is checked (registry test, channel page)
    accepts_webhook: ClassVar[bool] = True
    generates_secret: ClassVar[bool] = False
    needs_secret: ClassVar[bool] = False

    def receive(self, channel: Channel, hook: HookRequest) -> Inbound:
        """Authenticate, then parse. Raises :class:`Refused`."""
        raise Refused(404, _("Not found."))

    def reply(self, *, message_id: str, created: bool, ack: str) -> HttpResponse:
        data: dict[str, str] = {"status": "stored" if created else "duplicate", "id": message_id}
        if ack:
            data["reply"] = ack
        return JsonResponse(data, status=200)

    def refuse(self, refused: Refused) -> HttpResponse:
        return JsonResponse({"detail": refused.detail}, status=refused.status)

    def new_secret(self) -> str | None:
        return secrets.token_urlsafe(SECRET_BYTES) if self.generates_secret else None

    def check_supplied_secret(self, secret: str) -> str | None:
        """The supplied secret if acceptable, else an error message."""
        if not self.needs_secret:
            return _("This channel type has no secret.")
        if len(secret) < MIN_SUPPLIED_SECRET_CHARS or len(secret) > MAX_SECRET_CHARS:
            return _("A secret needs %(min)d to %(max)d characters.") % {
                "min": MIN_SUPPLIED_SECRET_CHARS,
                "max": MAX_SECRET_CHARS,
            }
        if any(ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in secret):
            return _("A secret holds printable ASCII characters without spaces.")
        return None


def twilio_signature(secret: str, url: str, form: Mapping[str, list[str]]) -> str:
    """Twilio's request signature (as twilio-python's ``RequestValidator.compute_signature``)."""
    text = url
    for name in sorted(set(form)):
        for value in sorted(set(form[name])):
            text += name + value
    digest = hmac.new(_bytes(secret), _bytes(text), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL as called, and with the default port added or removed (Twilio signs either)."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    variants = [url]
    if default is None or not parts.hostname:
        return variants
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    if parts.port is None:
        variants.append(urlunsplit(parts._replace(netloc=f"{prefix}{host}:{default}")))
    elif parts.port == default:
        variants.append(urlunsplit(parts._replace(netloc=f"{prefix}{host}")))
    return variants


class TwilioHandler(ChannelHandler):
    channel_type = ChannelType.TWILIO
    authenticator = gettext_lazy(
        "X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted parameters"
    )
    needs_secret = True
    # Non-identifying Twilio fields kept in Message.extra (never From, FromCity, FromZip, ...).
    EXTRA_FIELDS: Final = (
        "To",
        "NumSegments",
        "NumMedia",
        "FromCountry",
        "ToCountry",
        "SmsStatus",
        "ApiVersion",
        "MessagingServiceSid",
    )

    def receive(self, channel: Channel, hook: HookRequest) -> Inbound:
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
        lat, lon = coordinates(_one(form, "Latitude"), _one(form, "Longitude"))
        sender = _strip_scheme(_one(form, "From").strip())
        return Inbound(
            provider_message_id=_provider_id(_one(form, "MessageSid"), "MessageSid"),
            body=_body(_one(form, "Body")),
            sender_phone=sender,
            latitude=lat,
            longitude=lon,
            extra=_extras(form, self.EXTRA_FIELDS),
        )

    def reply(self, *, message_id: str, created: bool, ack: str) -> HttpResponse:
        body = f"<Response><Message>{escape(ack)}</Message></Response>" if ack else "<Response/>"
        text = '<?xml version="1.0" encoding="UTF-8"?>' + body
        return HttpResponse(text, content_type="text/xml; charset=utf-8")

    def check_supplied_secret(self, secret: str) -> str | None:
        if not TWILIO_MIN_TOKEN_CHARS <= len(secret) <= MAX_SECRET_CHARS:
            return _("A Twilio auth token has at least %(min)d characters.") % {
                "min": TWILIO_MIN_TOKEN_CHARS
            }
        if any(ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in secret):
            return _("A secret holds printable ASCII characters without spaces.")
        return None


class AfricasTalkingHandler(ChannelHandler):
    channel_type = ChannelType.AFRICASTALKING
    authenticator = gettext_lazy(
        "A token of at least 128 bits in the URL, and an optional IP allow-list"
    )
    generates_secret = True
    needs_secret = True
    EXTRA_FIELDS: Final = ("to", "linkId", "networkCode")

    def receive(self, channel: Channel, hook: HookRequest) -> Inbound:
        allowlist = channel.ip_allowlist or []
        if allowlist and not address_in(hook.client_ip, allowlist):
            raise unauthenticated()
        token = hook.query.get("token", "")
        if not token or len(token) > MAX_SECRET_CHARS:
            raise unauthenticated(_("The token is missing."))
        if not any_equal(token, accepted_secrets(channel, hook.now)):
            raise unauthenticated()
        form = parse_form(hook)
        return Inbound(
            provider_message_id=_provider_id(_one(form, "id"), "id"),
            body=_body(_one(form, "text")),
            sender_phone=_one(form, "from").strip(),
            sent_at=_iso_datetime(_one(form, "date"), strict=False),
            extra=_extras(form, self.EXTRA_FIELDS),
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    depth = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        depth = max(depth, level)
        if level > limit:
            return level
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return depth


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """A JSON object in strict UTF-8, without NaN/Infinity, nested at most 20 deep."""
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise malformed(_("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise malformed(_("The body must be a JSON object."))
    if _depth(data) > MAX_JSON_DEPTH:
        raise malformed(_("The JSON body is nested too deeply."))
    try:  # "\ud800" escapes decode to lone surrogates, which no database column can hold
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise malformed(_("The body is not valid JSON.")) from None
    return data


def _first(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in data and data[name] is not None:
            return data[name]
    return None


def generic_signature(secret: str, timestamp: str, raw: bytes) -> str:
    """``hex(HMAC-SHA256(secret, "<timestamp>." + raw body))``."""
    return hmac.new(
        _bytes(secret), timestamp.encode("ascii") + b"." + raw, hashlib.sha256
    ).hexdigest()


class GenericHandler(ChannelHandler):
    channel_type = ChannelType.GENERIC
    authenticator = gettext_lazy(
        "X-Palava-Signature: HMAC-SHA256 over the timestamp and the body, 300 s window"
    )
    generates_secret = True
    needs_secret = True

    def receive(self, channel: Channel, hook: HookRequest) -> Inbound:
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
        sender = _first(data, "from", "urn")
        if sender is not None and not isinstance(sender, str):
            raise malformed(_("The sender (from) must be a string."))
        place = _first(data, "place")
        if place is not None and (not isinstance(place, str) or len(place) > 200):
            raise malformed(_("The place must be a string of at most 200 characters."))
        lat, lon = coordinates(_first(data, "lat", "latitude"), _first(data, "lon", "longitude"))
        return Inbound(
            provider_message_id=_provider_id(_first(data, "id", "message_id"), "id"),
            body=_body(_first(data, "text", "message", "body")),
            sender_phone=_strip_scheme((sender or "").strip()),
            sent_at=_iso_datetime(_first(data, "sent_at"), strict=True),
            latitude=lat,
            longitude=lon,
            given_place=_no_nul(place or "").strip(),
            given_language=_language(_first(data, "language")),
        )


class WebformHandler(ChannelHandler):
    """Messages come through the public page (``public_views.report``), never the webhook."""

    channel_type = ChannelType.WEBFORM
    authenticator = gettext_lazy(
        "CSRF token, honeypot field and a rate limit per address (public page)"
    )
    accepts_webhook = False


class HotlineHandler(ChannelHandler):
    """Messages are entered by logged-in staff (the inbox's entry page), never the webhook."""

    channel_type = ChannelType.HOTLINE
    authenticator = gettext_lazy("Staff log-in (the message entry page)")
    accepts_webhook = False


HANDLERS: dict[str, ChannelHandler] = {
    handler.channel_type: handler
    for handler in (
        TwilioHandler(),
        AfricasTalkingHandler(),
        GenericHandler(),
        WebformHandler(),
        HotlineHandler(),
    )
}


def handler_for(channel_type: str) -> ChannelHandler:
    return HANDLERS[channel_type]


# --- Marking inbound routes -------------------------------------------------------------------

INBOUND_ATTR = "palava_inbound"
# Routes that receive nothing (GET only, nothing stored) name this instead of a channel type.
RECEIVES_NOTHING = "receives-nothing"
WEBHOOK_BY_CHANNEL = "webhook-by-channel-type"

View = Callable[..., Any]


def inbound(authenticator: str) -> Callable[[View], View]:
    """Mark a view under ``/hooks/`` or ``/p/`` with what authenticates what it receives: a
    channel type of :data:`HANDLERS`, :data:`WEBHOOK_BY_CHANNEL` (the channel's own type) or
    :data:`RECEIVES_NOTHING`. The registry test refuses any other value or a missing mark."""

    def decorator(view: View) -> View:
        setattr(view, INBOUND_ATTR, authenticator)
        return view

    return decorator


# --- Where a channel is reached ---------------------------------------------------------------


def webhook_path(channel: Channel) -> str | None:
    """The path a gateway posts to (the public page for a web form; None for a hotline)."""
    from django.urls import reverse

    if channel.channel_type == ChannelType.HOTLINE:
        return None
    if channel.channel_type == ChannelType.WEBFORM:
        return reverse("public:report", kwargs={"mission_slug": channel.mission.slug})
    return reverse("hooks:webhook", kwargs={"channel_id": channel.public_id})


def public_base_url(request: HttpRequest | None = None, default: str = "") -> str:
    """``PALAVA_PUBLIC_URL``, else the request's scheme and host, else ``default``."""
    base = str(getattr(settings, "PALAVA_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return default.rstrip("/")


def webhook_url(channel: Channel, *, base: str) -> str | None:
    path = webhook_path(channel)
    return None if path is None else base + path


def callback_url(channel: Channel, *, base: str, secret: str | None) -> str | None:
    """The URL to paste into the gateway: for Africa's Talking it carries the token."""
    from urllib.parse import urlencode

    url = webhook_url(channel, base=base)
    if url is not None and channel.channel_type == ChannelType.AFRICASTALKING and secret:
        return f"{url}?{urlencode({'token': secret})}"
    return url
